//! `naparnik doctor --bundle FILE`: one archive for support, with nothing in it that
//! support must not see. Every file passes through [`Redactor`]: the secrets this
//! till knows (token, PIN, passwords, authorization) are replaced wherever they appear,
//! anything shaped like a secret assignment or a bearer token is cut, and phone
//! numbers keep only their last four digits.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};

use anyhow::Context;
use regex::Regex;

use super::{Secrets, checks, render_json, render_text};
use crate::config::{Config, TargetSettings};

/// Logs newer than this go into the bundle.
const LOG_DAYS: u64 = 3;
/// What replaces a secret.
const REDACTED: &str = "<redacted>";

/// Replaces secrets and masks phones in text bound for support.
pub struct Redactor {
    known: Vec<String>,
    assignments: Regex,
    bearer: Regex,
    userinfo: Regex,
    phones: Regex,
}

impl Redactor {
    /// A redactor that also knows this till's own secrets by value.
    pub fn new(config: &Config) -> anyhow::Result<Redactor> {
        let mut known: Vec<String> = Vec::new();
        known.extend(config.bridge_token.clone());
        known.extend(config.manager_pin.clone());
        if let Ok((token, _)) = crate::commands::serve::bridge_token(config) {
            known.push(token);
        }
        for target in &config.targets {
            match target {
                TargetSettings::Ut { password, .. } => known.push(password.0.clone()),
                TargetSettings::CrmHttp {
                    authorization: Some(authorization),
                    ..
                } => known.push(authorization.0.clone()),
                TargetSettings::RetailCrm(crm) => known.push(crm.api_key.0.clone()),
                TargetSettings::Bitrix24(portal) => {
                    known.push(portal.webhook_url.0.clone());
                    // The webhook's code (the path after /rest/<user>/) is the secret part.
                    if let Some(code) = portal
                        .webhook_url
                        .0
                        .trim_end_matches('/')
                        .rsplit('/')
                        .next()
                    {
                        known.push(code.to_owned());
                    }
                }
                TargetSettings::CrmHttp { .. } | TargetSettings::CrmFolder { .. } => {}
            }
        }
        known.retain(|secret| secret.trim().len() >= 3);
        // Longest first, so a secret that contains another is replaced whole.
        known.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        Ok(Redactor {
            known,
            assignments: Regex::new(
                r#"(?i)\b([a-z_]*(?:token|password|passwd|secret|api_?key|authorization|credential)[a-z_]*|[a-z_]*_pin|pin)\b(\s*[=:]\s*)("[^"\n]*"|'[^'\n]*'|[^\n,;}]+)"#,
            )?,
            bearer: Regex::new(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{4,}")?,
            userinfo: Regex::new(r"://[^/\s:@]+:[^/\s@]+@")?,
            phones: Regex::new(
                r"(?:\+\s*7|\b[78])[\s\-]*\(?\d{3}\)?[\s\-]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}\b|\b9\d{2}[\s\-]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}\b",
            )?,
        })
    }

    /// The text with every secret replaced and every phone masked to its last four digits.
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in &self.known {
            text = text.replace(secret.as_str(), REDACTED);
        }
        let text = self
            .assignments
            .replace_all(&text, |caps: &regex::Captures<'_>| {
                format!("{}{}\"{REDACTED}\"", &caps[1], &caps[2])
            });
        let text = self.bearer.replace_all(&text, format!("$1 {REDACTED}"));
        let text = self.userinfo.replace_all(&text, format!("://{REDACTED}@"));
        self.phones
            .replace_all(&text, |caps: &regex::Captures<'_>| {
                let digits: String = caps[0].chars().filter(char::is_ascii_digit).collect();
                let tail = &digits[digits.len().saturating_sub(4)..];
                format!("+7…{tail}")
            })
            .into_owned()
    }
}

/// Writes the bundle to `file`; returns how many files it holds.
pub fn write(config: &Config, file: &Path) -> anyhow::Result<usize> {
    let redactor = Redactor::new(config)?;
    let mut entries: Vec<(String, String)> = Vec::new();
    let verdicts = checks(config, Secrets::Hidden);
    entries.push(("doctor.txt".into(), render_text(&verdicts)));
    entries.push(("doctor.json".into(), render_json(&verdicts)?));
    entries.push((
        "config.toml".into(),
        match &config.source {
            Some(path) => std::fs::read_to_string(path)
                .unwrap_or_else(|error| format!("# cannot read {}: {error}\n", path.display())),
            None => "# no configuration file: built-in defaults\n".into(),
        },
    ));
    let mut devices = Vec::new();
    if let Err(error) = crate::commands::devices::list_to(&mut devices) {
        writeln!(devices, "cannot list devices: {error:#}")?;
    }
    entries.push((
        "devices.txt".into(),
        String::from_utf8_lossy(&devices).into_owned(),
    ));
    let mut sync = Vec::new();
    if let Err(error) = crate::commands::sync::status_to(config, &mut sync) {
        writeln!(sync, "cannot read the sync status: {error:#}")?;
    }
    entries.push((
        "sync-status.txt".into(),
        String::from_utf8_lossy(&sync).into_owned(),
    ));
    entries.extend(recent_logs(&config.data_dir.join("logs")));
    entries.push((
        "README.txt".into(),
        format!(
            "Naparnik {} support bundle, made {}.\nSecrets are replaced by {REDACTED}; phones keep their last four digits.\n\
             doctor.txt/json: every check; config.toml: the configuration; devices.txt; sync-status.txt; logs/: the last {LOG_DAYS} days.\n",
            env!("CARGO_PKG_VERSION"),
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
    ));

    let out = std::fs::File::create(file)
        .with_context(|| format!("cannot create {}; choose a writable place", file.display()))?;
    let mut archive = tar::Builder::new(flate2::write::GzEncoder::new(
        out,
        flate2::Compression::default(),
    ));
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    for (name, text) in &entries {
        let text = redactor.redact(text);
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(now);
        header.set_cksum();
        archive
            .append_data(
                &mut header,
                format!("naparnik-support/{name}"),
                text.as_bytes(),
            )
            .with_context(|| format!("cannot write {}", file.display()))?;
    }
    archive
        .into_inner()
        .and_then(flate2::write::GzEncoder::finish)
        .and_then(|file| file.sync_all())
        .with_context(|| format!("cannot finish {}", file.display()))?;
    Ok(entries.len())
}

/// The log files written in the last [`LOG_DAYS`] days, oldest first.
fn recent_logs(dir: &Path) -> Vec<(String, String)> {
    let since = SystemTime::now() - Duration::from_secs(LOG_DAYS * 86_400);
    let mut logs: Vec<(String, String)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| {
            entry
                .metadata()
                .and_then(|meta| meta.modified())
                .is_ok_and(|modified| modified >= since)
        })
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let text = std::fs::read(entry.path()).ok()?;
            Some((
                format!("logs/{name}"),
                String::from_utf8_lossy(&text).into_owned(),
            ))
        })
        .collect();
    logs.sort();
    logs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor() -> Redactor {
        let mut config = crate::config::Config::defaults(Some(Path::new("/nonexistent")))
            .unwrap_or_else(|e| panic!("{e:#}"));
        config.bridge_token = Some("tok-12345-secret".into());
        config.manager_pin = Some("2468".into());
        Redactor::new(&config).unwrap_or_else(|e| panic!("{e:#}"))
    }

    #[test]
    fn phones_keep_only_their_last_four_digits() {
        let redactor = redactor();
        for phone in [
            "+79513054436",
            "8 (951) 305-44-36",
            "+7 951 305 44 36",
            "9513054436",
            "+7 (812) 123-44-36",
        ] {
            let text = redactor.redact(&format!("customer {phone} found"));
            assert_eq!(text, "customer +7…4436 found", "{phone}");
        }
        // Times, ids and amounts are not phones.
        let plain =
            "2026-11-29T17:00:00Z receipt 00000000-0000-4000-8000-000000000001 total 12345.67";
        assert_eq!(redactor.redact(plain), plain);
    }

    #[test]
    fn known_secrets_and_secret_shaped_values_are_cut() {
        let redactor = redactor();
        let text = redactor.redact(
            "token = \"abc\"\npassword = 'hunter2'\nmanager_pin = \"2468\"\nAuthorization: Bearer eyJhbGciOi\nurl = \"https://u:p4ss@ut.local/x\"\nsent tok-12345-secret\n",
        );
        for secret in [
            "abc",
            "hunter2",
            "2468",
            "eyJhbGciOi",
            "p4ss",
            "tok-12345-secret",
        ] {
            assert!(!text.contains(secret), "{secret} left in:\n{text}");
        }
    }
}
