//! The app's own settings, kept as JSON in the platform's config directory
//! (`~/.config/org.tonearm.desktop/desktop.json` on Linux): the server's address and the
//! Discord presence switch. They belong to this computer, not to the account, so they live
//! here rather than in the server's per-user settings.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub const FILE_NAME: &str = "desktop.json";

/// The Discord application the presence shows as, if the build was given one
/// (`TONEARM_DISCORD_APP_ID` at build time); the settings can name another.
pub const BUILT_IN_DISCORD_APP_ID: Option<&str> = option_env!("TONEARM_DISCORD_APP_ID");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DesktopConfig {
    /// Normalised (`address.rs`); None until the first-run setup saved one.
    pub server_url: Option<String>,
    pub presence_enabled: bool,
    /// A Discord application id (a snowflake: digits only); None → the built-in one.
    pub discord_app_id: Option<String>,
}

impl Default for DesktopConfig {
    fn default() -> Self {
        Self { server_url: None, presence_enabled: true, discord_app_id: None }
    }
}

impl DesktopConfig {
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(FILE_NAME)
    }

    /// The saved settings; a missing or unreadable file gives the defaults (and says so).
    pub fn load(dir: &Path) -> Self {
        let path = Self::path(dir);
        match fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|err| {
                eprintln!("tonearm: {} is not valid ({err}); starting from the defaults", path.display());
                Self::default()
            }),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Self::default(),
            Err(err) => {
                eprintln!("tonearm: cannot read {} ({err}); starting from the defaults", path.display());
                Self::default()
            }
        }
    }

    /// Written to a temporary file and renamed, so a crash never leaves half a file.
    pub fn save(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)?;
        let path = Self::path(dir);
        let temp = dir.join(format!("{FILE_NAME}.tmp"));
        fs::write(&temp, serde_json::to_vec_pretty(self).map_err(io::Error::other)?)?;
        fs::rename(temp, path)
    }

    /// The Discord application id in force: the configured one, else the built-in one.
    pub fn effective_app_id(&self) -> Option<String> {
        self.discord_app_id.clone().or_else(|| BUILT_IN_DISCORD_APP_ID.filter(|id| !id.is_empty()).map(String::from))
    }
}

/// A Discord application id is a snowflake: 17 to 20 digits.
pub fn valid_app_id(id: &str) -> bool {
    (17..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
}

/// What the command line asks for at start.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// `--reset-server`: forget the saved address and show the setup screen.
    pub reset_server: bool,
    /// `--server URL`: use this address (checked like the setup screen's, but not live).
    pub server: Option<String>,
}

pub fn parse_flags<I: IntoIterator<Item = String>>(args: I) -> Result<Flags, String> {
    let mut flags = Flags::default();
    let mut args = args.into_iter().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--reset-server" => flags.reset_server = true,
            "--server" => flags.server = Some(args.next().ok_or("--server needs an address")?),
            other if other.starts_with("--server=") => flags.server = Some(other["--server=".len()..].to_string()),
            // Arguments the platform adds (macOS's -psn_…) or later ones: not ours to refuse.
            _ => {}
        }
    }
    Ok(flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        std::iter::once("tonearm-desktop").chain(list.iter().copied()).map(String::from).collect()
    }

    #[test]
    fn flags() {
        assert_eq!(parse_flags(args(&[])).unwrap(), Flags::default());
        assert!(parse_flags(args(&["--reset-server"])).unwrap().reset_server);
        assert_eq!(parse_flags(args(&["--server", "music.lan"])).unwrap().server.as_deref(), Some("music.lan"));
        assert_eq!(parse_flags(args(&["--server=http://x:1"])).unwrap().server.as_deref(), Some("http://x:1"));
        assert!(parse_flags(args(&["--server"])).is_err());
    }

    #[test]
    fn saved_and_loaded() {
        let dir = std::env::temp_dir().join(format!("tonearm-config-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        assert_eq!(DesktopConfig::load(&dir), DesktopConfig::default(), "no file: the defaults");
        let config = DesktopConfig {
            server_url: Some("http://music.lan:8080".into()),
            presence_enabled: false,
            discord_app_id: Some("123456789012345678".into()),
        };
        config.save(&dir).unwrap();
        assert_eq!(DesktopConfig::load(&dir), config);
        fs::write(DesktopConfig::path(&dir), "{not json").unwrap();
        assert_eq!(DesktopConfig::load(&dir), DesktopConfig::default(), "a broken file: the defaults");
        // Older files without the newer keys keep their server.
        fs::write(DesktopConfig::path(&dir), r#"{"server_url": "http://a:1"}"#).unwrap();
        let old = DesktopConfig::load(&dir);
        assert_eq!((old.server_url.as_deref(), old.presence_enabled), (Some("http://a:1"), true));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn app_ids() {
        assert!(valid_app_id("123456789012345678"));
        assert!(!valid_app_id("12345"));
        assert!(!valid_app_id("12345678901234567x"));
    }
}
