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
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
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
    /// retailCRM through its API v5.
    #[serde(rename = "retailcrm")]
    RetailCrm(RetailCrmTarget),
    /// Bitrix24 through an inbound webhook.
    #[serde(rename = "bitrix24")]
    Bitrix24(Bitrix24Target),
}

/// `[[sync.targets]] kind = "retailcrm"`: the account, the shop, and how our data maps onto it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RetailCrmTarget {
    /// Target name.
    pub name: String,
    /// Account URL, `https://example.retailcrm.ru`; `/api/v5` is appended.
    pub url: String,
    /// API key, sent as `X-API-KEY`.
    pub api_key: Secret,
    /// The shop code the orders belong to.
    pub site: String,
    /// Order type code (default `offline`).
    pub order_type: Option<String>,
    /// Order method code (default `offline`).
    pub order_method: Option<String>,
    /// Order status of a sale (default `complete`).
    pub order_status: Option<String>,
    /// Order status after a full return (default `return`).
    pub return_status: Option<String>,
    /// Order status after a partial return (default `partiallyReturned`).
    pub partial_return_status: Option<String>,
    /// Item status of returned goods (default `returned`).
    pub returned_item_status: Option<String>,
    /// 1C payment kind → retailCRM payment type code.
    #[serde(default)]
    pub payment_types: std::collections::BTreeMap<String, String>,
    /// Payment status of a paid receipt (default `paid`).
    pub payment_status: Option<String>,
    /// Order custom field for the 1C receipt number (default `check_number1c`; `""` sends none).
    pub receipt_number_field: Option<String>,
    /// Order custom field for all sellers with shares (default `naparnik_sellers`; `""` sends none).
    pub sellers_field: Option<String>,
    /// Seller code → retailCRM user id.
    #[serde(default)]
    pub managers: std::collections::BTreeMap<String, i64>,
    /// The key's request rate (default 10 a second).
    pub requests_per_second: Option<u32>,
}

/// `[[sync.targets]] kind = "bitrix24"`: the webhook and how our data maps onto the portal.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Bitrix24Target {
    /// Target name.
    pub name: String,
    /// Inbound webhook URL, `https://example.bitrix24.ru/rest/1/abc123/`; a secret.
    pub webhook_url: Secret,
    /// Contact user field with the personal discount, percent (`UF_CRM_…`).
    pub discount_field: Option<String>,
    /// Deal user field (employee, multiple) for all sellers (`UF_CRM_…`).
    pub sellers_field: Option<String>,
    /// Seller code → Bitrix24 user id.
    #[serde(default)]
    pub users: std::collections::BTreeMap<String, i64>,
    /// Deal funnel (`CATEGORY_ID`; default the general one).
    pub category_id: Option<i64>,
    /// Stage of a sale's deal (default `WON`).
    pub stage_id: Option<String>,
    /// Stage of a deal whose goods all came back (default `LOSE`).
    pub return_stage_id: Option<String>,
    /// Currency (default `RUB`).
    pub currency: Option<String>,
    /// Requests a second (default 2; 5 on Enterprise plans).
    pub requests_per_second: Option<u32>,
}

impl TargetSettings {
    /// The target's name.
    pub fn name(&self) -> &str {
        match self {
            TargetSettings::Ut { name, .. }
            | TargetSettings::CrmFolder { name, .. }
            | TargetSettings::CrmHttp { name, .. } => name,
            TargetSettings::RetailCrm(target) => &target.name,
            TargetSettings::Bitrix24(target) => &target.name,
        }
    }

    /// Checks what the types cannot: URLs, codes, rates; the message names the target and the key.
    fn validate(&self) -> anyhow::Result<()> {
        let at = |key: &str, what: String| {
            anyhow::anyhow!("[[sync.targets]] `{}`: `{key}` {what}", self.name())
        };
        let http = |key: &str, url: &str, example: &str| {
            if url.starts_with("https://") || url.starts_with("http://") {
                Ok(())
            } else {
                Err(at(
                    key,
                    format!(
                        "must start with https:// (or http:// for a test server), like {example}"
                    ),
                ))
            }
        };
        let rate = |rate: Option<u32>| match rate {
            Some(0) | Some(101..) => Err(at(
                "requests_per_second",
                "must be between 1 and 100".into(),
            )),
            _ => Ok(()),
        };
        match self {
            TargetSettings::RetailCrm(target) => {
                http("url", &target.url, "https://example.retailcrm.ru")?;
                if target.url.contains("/api/") {
                    return Err(at(
                        "url",
                        "is the account address without /api/v5, like https://example.retailcrm.ru"
                            .into(),
                    ));
                }
                if target.api_key.0.trim().is_empty() {
                    return Err(at("api_key", "is empty: make a key in retailCRM under Settings → Integration → API access keys".into()));
                }
                if target.site.trim().is_empty() {
                    return Err(at(
                        "site",
                        "is empty: set the shop code (Settings → Stores) the orders belong to"
                            .into(),
                    ));
                }
                for (kind, code) in &target.payment_types {
                    if code.trim().is_empty() {
                        return Err(at(
                            &format!("payment_types.{kind}"),
                            "is empty: set a retailCRM payment type code".into(),
                        ));
                    }
                }
                for (seller, id) in &target.managers {
                    if *id <= 0 {
                        return Err(at(
                            &format!("managers.{seller}"),
                            "must be a retailCRM user id (a positive number)".into(),
                        ));
                    }
                }
                rate(target.requests_per_second)
            }
            TargetSettings::Bitrix24(target) => {
                let url = &target.webhook_url.0;
                http(
                    "webhook_url",
                    url,
                    "https://example.bitrix24.ru/rest/1/abc123/",
                )?;
                if !url.contains("/rest/") {
                    return Err(at("webhook_url", "must be an inbound webhook URL, like https://example.bitrix24.ru/rest/1/abc123/ (Developer resources → Other → Inbound webhook)".into()));
                }
                for (key, field) in [
                    ("discount_field", &target.discount_field),
                    ("sellers_field", &target.sellers_field),
                ] {
                    if field.as_ref().is_some_and(|f| !f.starts_with("UF_CRM_")) {
                        return Err(at(
                            key,
                            "must be a user field code starting with UF_CRM_".into(),
                        ));
                    }
                }
                for (seller, id) in &target.users {
                    if *id <= 0 {
                        return Err(at(
                            &format!("users.{seller}"),
                            "must be a Bitrix24 user id (a positive number)".into(),
                        ));
                    }
                }
                rate(target.requests_per_second)
            }
            _ => Ok(()),
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
        Config::from_file(file, source, data_dir)
    }

    /// The built-in defaults, whatever the files say (for `doctor` when the file does not load).
    pub fn defaults(data_dir: Option<&Path>) -> anyhow::Result<Config> {
        Config::from_file(FileConfig::default(), None, data_dir)
    }

    fn from_file(
        file: FileConfig,
        source: Option<PathBuf>,
        data_dir: Option<&Path>,
    ) -> anyhow::Result<Config> {
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
            target.validate()?;
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
            "the configuration file {} is invalid; fix the key on the line named here",
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

    fn load_text(text: &str) -> anyhow::Result<Config> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(&file, text).unwrap();
        Config::load(Some(&file), Some(dir.path()))
    }

    const RETAILCRM: &str = "[[sync.targets]]\nkind = \"retailcrm\"\nname = \"crm\"\nurl = \"https://example.retailcrm.ru\"\napi_key = \"sEcReTkEy42\"\nsite = \"store-1\"\n";
    const BITRIX24: &str = "[[sync.targets]]\nkind = \"bitrix24\"\nname = \"b24\"\nwebhook_url = \"https://example.bitrix24.ru/rest/1/abc123secret/\"\n";

    #[test]
    fn crm_targets_are_read_with_their_mappings_and_secrets_stay_out_of_debug_output() {
        let config = load_text(&format!(
            "{RETAILCRM}payment_types = {{ cash = \"cash\", card = \"bank-card\" }}\nmanagers = {{ S001 = 28 }}\n{BITRIX24}discount_field = \"UF_CRM_DISCOUNT\"\nusers = {{ S001 = 6 }}\n"
        ))
        .unwrap();
        let TargetSettings::RetailCrm(crm) = &config.targets[0] else {
            panic!("{:?}", config.targets[0])
        };
        assert_eq!(crm.payment_types["card"], "bank-card");
        assert_eq!(crm.managers["S001"], 28);
        let TargetSettings::Bitrix24(b24) = &config.targets[1] else {
            panic!("{:?}", config.targets[1])
        };
        assert_eq!(b24.users["S001"], 6);
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("sEcReTkEy42") && !shown.contains("abc123secret"),
            "{shown}"
        );
    }

    #[test]
    fn a_wrong_crm_setting_is_an_error_naming_the_target_and_the_key() {
        let cases = [
            (
                RETAILCRM.replace("https://example.retailcrm.ru", "example.retailcrm.ru"),
                "`url`",
            ),
            (
                RETAILCRM.replace(
                    "https://example.retailcrm.ru",
                    "https://example.retailcrm.ru/api/v5",
                ),
                "`url`",
            ),
            (RETAILCRM.replace("sEcReTkEy42", " "), "`api_key`"),
            (
                RETAILCRM.replace("site = \"store-1\"", "site = \"\""),
                "`site`",
            ),
            (
                format!("{RETAILCRM}managers = {{ S001 = 0 }}\n"),
                "`managers.S001`",
            ),
            (
                format!("{RETAILCRM}requests_per_second = 0\n"),
                "`requests_per_second`",
            ),
            (
                BITRIX24.replace("/rest/1/abc123secret/", "/"),
                "`webhook_url`",
            ),
            (
                format!("{BITRIX24}discount_field = \"DISCOUNT\"\n"),
                "`discount_field`",
            ),
        ];
        for (text, key) in cases {
            let error = format!("{:#}", load_text(&text).unwrap_err());
            assert!(
                error.contains(key) && error.contains("[[sync.targets]]"),
                "{key}: {error}"
            );
            assert!(
                !error.contains("sEcReTkEy42") && !error.contains("abc123secret"),
                "{error}"
            );
        }
        let error = format!(
            "{:#}",
            load_text(&format!("{RETAILCRM}api_kye = \"x\"\n")).unwrap_err()
        );
        assert!(error.contains("api_kye"), "unknown keys are named: {error}");
        let error = format!("{:#}", load_text("[[sync.targets]]\nkind = \"retailcrm\"\nname = \"crm\"\nurl = \"https://x.retailcrm.ru\"\nsite = \"s\"\n").unwrap_err());
        assert!(error.contains("api_key"), "missing keys are named: {error}");
    }
}

/// The packaged default configuration (`/etc/naparnik/config.toml`) against the keys the code reads.
#[cfg(test)]
mod packaged {
    use super::*;

    const PACKAGED: &str = include_str!("../../../installer/debian/config.toml");

    /// The keys serde expects at one place, read from its refusal of an unknown one,
    /// so the list comes from the types themselves and cannot drift from them.
    fn expected_keys(toml_with_unknown_key: &str) -> Vec<String> {
        let error = toml::from_str::<FileConfig>(toml_with_unknown_key)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        let expected = error
            .split("expected one of ")
            .nth(1)
            .or_else(|| error.split("expected ").nth(1))
            .unwrap_or_else(|| panic!("no list of keys in: {error}"));
        expected
            .split(", ")
            .map(|key| {
                key.trim()
                    .trim_matches('`')
                    .trim_end_matches(['`', '\n'])
                    .to_owned()
            })
            .map(|key| key.split('`').next().unwrap_or_default().to_owned())
            .filter(|key| !key.is_empty())
            .collect()
    }

    /// `key = …` on a line of its own, commented out or not.
    fn assignment(line: &str, key: &str) -> bool {
        let line = line.trim_start_matches('#').trim_start();
        line.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    }

    #[test]
    fn the_packaged_configuration_parses_to_the_defaults() {
        let file: FileConfig = toml::from_str(PACKAGED).unwrap_or_else(|e| panic!("{e}"));
        let config = Config::from_file(file, None, Some(Path::new("/var/lib/naparnik")))
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(config.bridge_port, naparnik_bridge::DEFAULT_PORT);
        assert!(config.targets.is_empty() && config.input.devices.is_empty());
    }

    #[test]
    fn every_key_is_in_the_packaged_configuration_with_its_documentation() {
        let mut keys = Vec::new();
        for (section, probe) in [
            ("", "zzz_unknown = 1\n"),
            ("log", "[log]\nzzz_unknown = 1\n"),
            ("till", "[till]\nzzz_unknown = 1\n"),
            ("bridge", "[bridge]\nzzz_unknown = 1\n"),
            ("sync", "[sync]\nzzz_unknown = 1\n"),
            ("input", "[input]\nzzz_unknown = 1\n"),
            (
                "input.devices",
                "[[input.devices]]\nname = \"x\"\nkind = \"wedge\"\nzzz_unknown = 1\n",
            ),
        ] {
            keys.extend(
                expected_keys(probe)
                    .into_iter()
                    .map(|k| (section.to_owned(), k)),
            );
        }
        for kind in expected_keys("[[sync.targets]]\nkind = \"zzz_unknown\"\n") {
            let probe = format!("[[sync.targets]]\nkind = \"{kind}\"\nzzz_unknown = 1\n");
            keys.extend(
                expected_keys(&probe)
                    .into_iter()
                    .map(|k| (format!("sync.targets {kind}"), k)),
            );
            assert!(
                PACKAGED.contains(&format!("kind = \"{kind}\"")),
                "target kind {kind} has no example in installer/debian/config.toml"
            );
        }
        assert!(keys.len() > 30, "too few keys found: {keys:?}");
        let lines: Vec<&str> = PACKAGED.lines().collect();
        for (section, key) in keys {
            if ["log", "till", "bridge", "sync", "input"].contains(&key.as_str())
                && section.is_empty()
            {
                assert!(PACKAGED.contains(&format!("[{key}]")), "no [{key}] section");
                continue;
            }
            if key == "targets" || key == "devices" {
                continue;
            }
            let at = lines
                .iter()
                .position(|line| assignment(line, &key))
                .unwrap_or_else(|| {
                    panic!("{section} `{key}` is not in installer/debian/config.toml")
                });
            let prose = |line: &&str| line.starts_with("# ") && !line.contains(" = ");
            let inline = lines[at].trim_start_matches('#').contains(" # ");
            let above = lines[at.saturating_sub(3)..at].iter().any(prose);
            assert!(
                inline || above,
                "{section} `{key}` in installer/debian/config.toml has no comment saying what it does"
            );
        }
    }
}
