//! The Discord presence companion (`clients/presence`, a PyInstaller binary shipped as a
//! sidecar): started while presence is on, told the server, the session token and the
//! Discord application id as one JSON line on its stdin, and told `enabled: false` when the
//! settings switch is turned off or the user signs out. It follows the play state over the
//! server's websocket itself and exits when its stdin closes, so it never outlives the app.

use std::sync::Mutex;

use serde_json::json;
use tauri::{AppHandle, Manager};
use tauri_plugin_shell::process::{CommandChild, CommandEvent};
use tauri_plugin_shell::ShellExt;

use crate::Settings;

pub const SIDECAR: &str = "tonearm-presence";

#[derive(Default)]
pub struct Presence {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    child: Option<CommandChild>,
    token: Option<String>,
    /// The sidecar could not be started (a development build without it): said once.
    unavailable: bool,
}

impl Presence {
    /// The signed-in session's token (None after signing out).
    pub fn set_token(&self, app: &AppHandle, token: Option<String>) {
        let mut inner = self.inner.lock().unwrap();
        inner.token = token;
        push(app, &mut inner);
    }

    /// The settings changed (switch, application id, server).
    pub fn refresh(&self, app: &AppHandle) {
        let mut inner = self.inner.lock().unwrap();
        push(app, &mut inner);
    }

    /// The companion with this pid has gone (a newer one may already run).
    pub fn exited(&self, pid: u32) {
        let mut inner = self.inner.lock().unwrap();
        if inner.child.as_ref().is_some_and(|child| child.pid() == pid) {
            inner.child = None;
        }
    }

    pub fn stop(&self) {
        if let Some(child) = self.inner.lock().unwrap().child.take() {
            let _ = child.kill();
        }
    }
}

fn push(app: &AppHandle, inner: &mut Inner) {
    let config = app.state::<Settings>().get();
    let client_id = config.effective_app_id();
    let enabled =
        config.presence_enabled && client_id.is_some() && config.server_url.is_some() && inner.token.is_some();
    if !enabled && inner.child.is_none() {
        return;
    }
    if inner.child.is_none() {
        match spawn(app) {
            Ok(child) => inner.child = Some(child),
            Err(err) => {
                if !inner.unavailable {
                    eprintln!("tonearm: the Discord presence companion cannot start ({err})");
                    inner.unavailable = true;
                }
                return;
            }
        }
    }
    let line = json!({
        "type": "config",
        "enabled": enabled,
        "server": config.server_url,
        "token": if enabled { inner.token.clone() } else { None },
        "client_id": client_id,
    })
    .to_string()
        + "\n";
    if let Some(child) = inner.child.as_mut() {
        if let Err(err) = child.write(line.as_bytes()) {
            eprintln!("tonearm: the presence companion stopped listening ({err}); starting it again next time");
            inner.child = None;
        }
    }
}

fn spawn(app: &AppHandle) -> Result<CommandChild, String> {
    let command = app.shell().sidecar(SIDECAR).map_err(|e| e.to_string())?;
    let (mut events, child) = command.spawn().map_err(|e| e.to_string())?;
    let handle = app.clone();
    let pid = child.pid();
    tauri::async_runtime::spawn(async move {
        while let Some(event) = events.recv().await {
            match event {
                CommandEvent::Stderr(line) | CommandEvent::Stdout(line) => {
                    eprintln!("tonearm-presence: {}", String::from_utf8_lossy(&line).trim_end());
                }
                CommandEvent::Terminated(status) => {
                    eprintln!("tonearm-presence: exited ({:?})", status.code);
                    handle.state::<Presence>().exited(pid);
                    break;
                }
                _ => {}
            }
        }
    });
    Ok(child)
}
