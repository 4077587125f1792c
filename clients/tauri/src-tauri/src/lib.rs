//! Tonearm's desktop app: the web UI (web/dist, the same build the server serves) in a
//! window, talking to a Tonearm server whose address the first-run setup checked and saved.
//!
//! The page calls the commands below through `window.__TAURI__.core.invoke` (web/src/desktop);
//! the app adds what a page cannot do: a live check of an address with precise errors,
//! settings in the config directory, a tray icon, one instance, the window's size, and the
//! Discord presence companion.

pub mod address;
pub mod check;
pub mod config;
mod presence;
pub mod tray;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Emitter, Manager, RunEvent, State, Wry};

use address::{parse_address, parse_input, AddressInput, ServerAddress};
use check::{CheckOptions, ServerInfo};
use config::{parse_flags, valid_app_id, DesktopConfig};
use presence::Presence;

const CHECK_TIMEOUT: Duration = Duration::from_secs(5);
/// The page's origin in the webview: what the server's `cors_origins` must allow.
const DEFAULT_ORIGIN: &str = if cfg!(windows) { "http://tauri.localhost" } else { "tauri://localhost" };
const TRAY_EVENT: &str = "tonearm://tray";

/// The app's settings and where they are kept.
pub struct Settings {
    dir: PathBuf,
    config: Mutex<DesktopConfig>,
}

impl Settings {
    pub fn get(&self) -> DesktopConfig {
        self.config.lock().unwrap().clone()
    }

    fn update(&self, change: impl FnOnce(&mut DesktopConfig)) -> Result<DesktopConfig, Problem> {
        let mut config = self.config.lock().unwrap();
        let mut next = config.clone();
        change(&mut next);
        next.save(&self.dir).map_err(|err| {
            problem("config_not_saved", format!("Cannot save the settings in {} ({err}).", self.dir.display()))
        })?;
        *config = next.clone();
        Ok(next)
    }
}

/// An error for the page: a stable code and a sentence.
#[derive(Debug, Serialize)]
pub struct Problem {
    code: &'static str,
    message: String,
}

fn problem(code: &'static str, message: String) -> Problem {
    Problem { code, message }
}

/// What the page needs to know at start and after every change.
#[derive(Serialize)]
struct DesktopInfo {
    server_url: Option<String>,
    presence_enabled: bool,
    discord_app_id: Option<String>,
    /// A Discord application id came with this build (the field may stay empty).
    built_in_app_id: bool,
    version: &'static str,
}

fn info(config: &DesktopConfig) -> DesktopInfo {
    DesktopInfo {
        server_url: config.server_url.clone(),
        presence_enabled: config.presence_enabled,
        discord_app_id: config.discord_app_id.clone(),
        built_in_app_id: config::BUILT_IN_DISCORD_APP_ID.is_some_and(|id| !id.is_empty()),
        version: env!("CARGO_PKG_VERSION"),
    }
}

#[tauri::command]
fn desktop_config(settings: State<'_, Settings>) -> DesktopInfo {
    info(&settings.get())
}

/// The address as the app would use it, for the setup screen's preview (no network).
#[tauri::command]
fn parse_server(input: AddressInput) -> Result<ServerAddress, Problem> {
    parse_input(&input).map_err(|e| problem(e.code, e.message))
}

async fn live_check(input: AddressInput, origin: Option<String>) -> Result<ServerInfo, Problem> {
    let address = parse_input(&input).map_err(|e| problem(e.code, e.message))?;
    let options = CheckOptions {
        timeout: CHECK_TIMEOUT,
        origin: origin.filter(|o| !o.is_empty()).unwrap_or_else(|| DEFAULT_ORIGIN.to_string()),
        extra_roots: Vec::new(),
    };
    tauri::async_runtime::spawn_blocking(move || check::check(&address, &options))
        .await
        .map_err(|err| problem("check_failed", format!("The check stopped unexpectedly ({err}).")))?
        .map_err(|e| problem(e.code, e.message))
}

/// Asks the server itself: reachable, TLS fine, a Tonearm, new enough, allows this app.
#[tauri::command]
async fn check_server(input: AddressInput, origin: Option<String>) -> Result<ServerInfo, Problem> {
    live_check(input, origin).await
}

/// Checks again, then keeps the address: nothing unchecked is ever saved.
#[tauri::command]
async fn save_server(app: AppHandle, input: AddressInput, origin: Option<String>) -> Result<ServerInfo, Problem> {
    let found = live_check(input, origin).await?;
    let url = found.url.clone();
    app.state::<Settings>().update(|c| c.server_url = Some(url))?;
    app.state::<Presence>().refresh(&app);
    Ok(found)
}

#[tauri::command]
fn set_presence(app: AppHandle, enabled: bool, app_id: Option<String>) -> Result<DesktopInfo, Problem> {
    let app_id = app_id.map(|id| id.trim().to_string()).filter(|id| !id.is_empty());
    if let Some(id) = &app_id {
        if !valid_app_id(id) {
            return Err(problem(
                "invalid_app_id",
                "A Discord application id is the 17 to 20 digit number on the application's page in Discord's developer portal.".into(),
            ));
        }
    }
    let config = app.state::<Settings>().update(|c| {
        c.presence_enabled = enabled;
        c.discord_app_id = app_id;
    })?;
    app.state::<Presence>().refresh(&app);
    Ok(info(&config))
}

/// The page's session token (None when signed out), for the presence companion.
#[tauri::command]
fn presence_session(app: AppHandle, token: Option<String>) {
    app.state::<Presence>().set_token(&app, token);
}

/// The tray's menu follows the player: "Pause" while playing, and the track on its first line
/// (Linux tray hosts show no tooltips) and in the tooltip (macOS, Windows).
#[tauri::command]
fn player_status(app: AppHandle, playing: bool, title: Option<String>) {
    let Some(tray) = app.try_state::<TrayItems>() else { return };
    let _ = tray.toggle.set_text(if playing { "Pause" } else { "Play" });
    let _ = tray.now.set_text(crate::tray::now_playing(title.as_deref()));
    if let Some(icon) = tray.app.tray_by_id("main") {
        let tooltip = title.map(|t| format!("Tonearm — {t}")).unwrap_or_else(|| "Tonearm".into());
        let _ = icon.set_tooltip(Some(tooltip));
    }
}

struct TrayItems {
    app: AppHandle,
    now: MenuItem<Wry>,
    toggle: MenuItem<Wry>,
}

fn show_main(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

fn build_tray(app: &AppHandle) -> tauri::Result<TrayItems> {
    let now = MenuItem::with_id(app, "now", crate::tray::now_playing(None), false, None::<&str>)?;
    let show = MenuItem::with_id(app, "show", "Show Tonearm", true, None::<&str>)?;
    let toggle = MenuItem::with_id(app, "toggle", "Play", true, None::<&str>)?;
    let next = MenuItem::with_id(app, "next", "Next", true, None::<&str>)?;
    let previous = MenuItem::with_id(app, "previous", "Previous", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &now,
            &PredefinedMenuItem::separator(app)?,
            &show,
            &PredefinedMenuItem::separator(app)?,
            &toggle,
            &next,
            &previous,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let mut builder = TrayIconBuilder::with_id("main").tooltip("Tonearm").menu(&menu);
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder
        .on_menu_event(|app, event| match event.id.as_ref() {
            "show" => show_main(app),
            "quit" => app.exit(0),
            // The page does the playing: the tray only asks it, as the keyboard would.
            action @ ("toggle" | "next" | "previous") => {
                let _ = app.emit_to("main", TRAY_EVENT, action);
            }
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click { button: MouseButton::Left, button_state: MouseButtonState::Up, .. } = event {
                show_main(tray.app_handle());
            }
        })
        .build(app)?;
    Ok(TrayItems { app: app.clone(), now, toggle })
}

/// Applies `--reset-server` / `--server URL` to the saved settings before the window opens.
fn apply_flags(config: &mut DesktopConfig) -> Result<bool, String> {
    let flags = parse_flags(std::env::args())?;
    let mut changed = false;
    if flags.reset_server {
        config.server_url = None;
        changed = true;
    }
    if let Some(server) = flags.server {
        let address = parse_address(&server).map_err(|e| format!("--server {server}: {}", e.message))?;
        config.server_url = Some(address.url);
        changed = true;
    }
    Ok(changed)
}

pub fn run() {
    let app = tauri::Builder::default()
        // First: a second launch only brings the running window forward.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| show_main(app)))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_shell::init())
        .manage(Presence::default())
        .setup(|app| {
            let dir = app.path().app_config_dir()?;
            let mut config = DesktopConfig::load(&dir);
            match apply_flags(&mut config) {
                Ok(true) => config.save(&dir)?,
                Ok(false) => {}
                Err(message) => {
                    eprintln!("tonearm: {message}");
                    std::process::exit(2);
                }
            }
            app.manage(Settings { dir, config: Mutex::new(config) });
            match build_tray(app.handle()) {
                Ok(items) => {
                    app.manage(items);
                }
                // No tray on this desktop (some Linux sessions): the window works without it.
                Err(err) => eprintln!("tonearm: no tray icon ({err})"),
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            desktop_config,
            parse_server,
            check_server,
            save_server,
            set_presence,
            presence_session,
            player_status
        ])
        .build(tauri::generate_context!())
        .expect("the Tauri application could be built");
    app.run(|app, event| {
        if let RunEvent::Exit = event {
            app.state::<Presence>().stop();
        }
    });
}
