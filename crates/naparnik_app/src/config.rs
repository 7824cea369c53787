//! One typed configuration, read and checked once at start.
//!
//! Precedence: built-in defaults < the config file < environment < command line.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// The configuration file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    #[serde(default)]
    log: LogSection,
    #[serde(default)]
    till: TillSection,
    #[serde(default)]
    bridge: BridgeSection,
    #[serde(default)]
    sync: SyncSection,
    #[serde(default)]
    input: InputSettings,
}

/// How scans are classified and which devices are read (`[input]`, `[[input.devices]]`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct InputSettings {
    /// Badges: this prefix followed by digits.
    pub badge_prefix: Option<String>,
    /// Badges: this regular expression.
    pub badge_pattern: Option<String>,
    /// Badges: internal EAN-13 codes from the first to the second, inclusive.
    pub badge_ean13_range: Option<(String, String)>,
    /// Loyalty cards: this regular expression.
    pub card_pattern: Option<String>,
    /// The devices to read.
    #[serde(default)]
    pub devices: Vec<DeviceSettings>,
}

/// One input device as configured.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DeviceSettings {
    /// Name in events and in the window.
    pub name: String,
    /// `wedge`, `keypad`, `hidpos` or `serial`.
    pub kind: String,
    /// Device node or stable link.
    pub path: Option<String>,
    /// The name the device reports.
    pub device_name: Option<String>,
    /// USB vendor id, hex (`"0c2e"`).
    pub vendor_id: Option<String>,
    /// USB product id, hex.
    pub product_id: Option<String>,
    /// Wedge: take the device exclusively and re-type what is not for Naparnik (default true).
    pub grab: Option<bool>,
    /// Only badges and cards are expected from this device.
    #[serde(default)]
    pub badge_only: bool,
    /// Wedge: a prefix the scanner sends first.
    pub prefix: Option<String>,
    /// Wedge: `enter` or `tab`.
    pub terminator: Option<String>,
    /// Wedge: longest gap between keys of one scan, ms (default 30).
    pub max_gap_ms: Option<u64>,
    /// Serial: baud (default 9600).
    pub baud: Option<u32>,
    /// Serial: data bits, parity, stop bits (default `8N1`).
    pub framing: Option<String>,
    /// Serial: `cr`, `lf` or `crlf` (default crlf).
    pub line_end: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SyncSection {
    pull_interval_secs: Option<u64>,
    batch_size: Option<usize>,
    backoff_cap_secs: Option<u64>,
    #[serde(default)]
    targets: Vec<TargetSettings>,
}

/// A text that must never reach a log: `Debug` shows stars.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// One upstream target as configured.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TargetSettings {
    /// 1C:УТ through the Naparnik HTTP service.
    Ut {
        /// Target name.
        name: String,
        /// Base URL, e.g. `https://ut.local/ut/hs/naparnik/v1`.
        url: String,
        /// 1C user.
        user: String,
        /// Its password.
        password: Secret,
    },
    /// The CRM through a shared folder.
    CrmFolder {
        /// Target name.
        name: String,
        /// Where sales files go.
        sales_dir: PathBuf,
        /// Where the CRM drops customers files.
        customers_dir: Option<PathBuf>,
    },
    /// The CRM over HTTP.
    CrmHttp {
        /// Target name.
        name: String,
        /// Where sales files are POSTed.
        sales_url: String,
        /// Where the customers file is fetched.
        customers_url: Option<String>,
        /// `Authorization` header value.
        authorization: Option<Secret>,
    },
}

impl TargetSettings {
    /// The target's name.
    pub fn name(&self) -> &str {
        match self {
            TargetSettings::Ut { name, .. }
            | TargetSettings::CrmFolder { name, .. }
            | TargetSettings::CrmHttp { name, .. } => name,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TillSection {
    store: Option<String>,
    till: Option<String>,
    utc_offset: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BridgeSection {
    port: Option<u16>,
    token: Option<String>,
    manager_pin: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogSection {
    level: Option<String>,
}

/// The configuration in force.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the database and logs live.
    pub data_dir: PathBuf,
    /// `tracing` filter for the log file (`info`, `naparnik=debug`, …).
    pub log_level: String,
    /// The file the configuration came from, if any.
    pub source: Option<PathBuf>,
    /// Store code as 1C names it in receipts.
    pub store_code: String,
    /// Till code as 1C names it in receipts.
    pub till_code: String,
    /// Bridge port on 127.0.0.1.
    pub bridge_port: u16,
    /// Bridge token from the file; the environment and a generated file come after it.
    pub bridge_token: Option<String>,
    /// Manager PIN for seller edits; unset disables them.
    pub manager_pin: Option<String>,
    /// The store's UTC offset, for times written in files.
    pub utc_offset: chrono::FixedOffset,
    /// Upstream targets.
    pub targets: Vec<TargetSettings>,
    /// How often customers and sellers are pulled.
    pub pull_interval_secs: u64,
    /// Most events in one batch.
    pub batch_size: usize,
    /// Longest backoff after failures.
    pub backoff_cap_secs: u64,
    /// Input devices and scan rules.
    pub input: InputSettings,
}

impl Config {
    /// Reads the config file (the given one, else the system one if present) and applies overrides.
    pub fn load(config_file: Option<&Path>, data_dir: Option<&Path>) -> anyhow::Result<Config> {
        let source = match config_file {
            Some(path) => Some(path.to_owned()),
            None => crate::platform::system_config().filter(|p| p.exists()),
        };
        let file = match &source {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let data_dir = match data_dir.map(Path::to_owned).or(file.data_dir) {
            Some(dir) => dir,
            None => default_data_dir()?,
        };
        if let Some(pin) = &file.bridge.manager_pin
            && (pin.len() < 4 || !pin.chars().all(|c| c.is_ascii_digit()))
        {
            bail!("manager_pin in [bridge] must be at least 4 digits");
        }
        let utc_offset = match &file.till.utc_offset {
            Some(text) => {
                chrono::DateTime::parse_from_rfc3339(&format!("2000-01-01T00:00:00{text}"))
                    .map(|t| *t.offset())
                    .map_err(|_| {
                        anyhow::anyhow!("[till] utc_offset `{text}` must look like +03:00")
                    })?
            }
            None => *chrono::Local::now().offset(),
        };
        let mut names = std::collections::HashSet::new();
        for target in &file.sync.targets {
            if !names.insert(target.name().to_owned()) {
                bail!(
                    "two [[sync.targets]] are named `{}`: names must be unique",
                    target.name()
                );
            }
        }
        Ok(Config {
            data_dir,
            log_level: file.log.level.unwrap_or_else(|| "info".into()),
            source,
            store_code: file.till.store.unwrap_or_else(|| "store-1".into()),
            till_code: file.till.till.unwrap_or_else(|| "till-1".into()),
            bridge_port: file.bridge.port.unwrap_or(naparnik_bridge::DEFAULT_PORT),
            bridge_token: file.bridge.token.filter(|t| !t.trim().is_empty()),
            manager_pin: file.bridge.manager_pin,
            utc_offset,
            targets: file.sync.targets,
            pull_interval_secs: file.sync.pull_interval_secs.unwrap_or(60).max(1),
            batch_size: file.sync.batch_size.unwrap_or(100).clamp(1, 1000),
            backoff_cap_secs: file.sync.backoff_cap_secs.unwrap_or(300).max(1),
            input: file.input,
        })
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    toml::from_str(&text).with_context(|| {
        format!(
            "the configuration file {} is invalid; fix the line named above",
            path.display()
        )
    })
}

fn default_data_dir() -> anyhow::Result<PathBuf> {
    match crate::platform::default_data_dir() {
        Some(dir) => Ok(dir),
        None => bail!(
            "the system names no place to keep data (no home directory or %ProgramData%): pass --data-dir or set data_dir in the configuration"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_windows_installers_config_is_valid_and_all_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(
            &file,
            include_str!("../../../installer/windows/config.toml"),
        )
        .unwrap();
        let config = Config::load(Some(&file), Some(dir.path())).unwrap();
        assert_eq!(config.bridge_port, 47815);
        assert!(config.bridge_token.is_none());
    }

    #[test]
    fn the_command_line_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(
            &file,
            "data_dir = \"/srv/naparnik\"\n[log]\nlevel = \"debug\"\n",
        )
        .unwrap();
        let config = Config::load(Some(&file), None).unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/srv/naparnik"));
        assert_eq!(config.log_level, "debug");
        let config = Config::load(Some(&file), Some(Path::new("/tmp/x"))).unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/tmp/x"));
    }

    #[test]
    fn sync_targets_are_read_and_passwords_stay_out_of_debug_output() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(
            &file,
            "[till]\nutc_offset = \"+05:00\"\n[[sync.targets]]\nkind = \"ut\"\nname = \"ut\"\nurl = \"http://ut\"\nuser = \"u\"\npassword = \"hunter2\"\n[[sync.targets]]\nkind = \"crm_folder\"\nname = \"crm\"\nsales_dir = \"/srv/crm\"\n",
        )
        .unwrap();
        let config = Config::load(Some(&file), None).unwrap();
        assert_eq!(config.targets.len(), 2);
        assert_eq!(config.utc_offset.local_minus_utc(), 5 * 3600);
        assert!(!format!("{config:?}").contains("hunter2"));
    }

    #[test]
    fn unknown_keys_are_an_error_that_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(&file, "data_dri = \"/srv\"\n").unwrap();
        let error = format!("{:#}", Config::load(Some(&file), None).unwrap_err());
        assert!(
            error.contains("config.toml is invalid") && error.contains("data_dri"),
            "{error}"
        );
    }
}
