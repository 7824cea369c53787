//! `naparnik doctor`: every check IT needs at a till, one line each (ok, warning or
//! problem), every warning and problem with what to do. Exit 1 when anything is a problem.

pub mod bundle;
mod crm;
mod devices;
mod links;
mod local;

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use crate::config::Config;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Nothing to do.
    Ok,
    /// Works, but IT should look at it soon.
    Warning,
    /// Something does not work: the till loses a function until it is fixed.
    Problem,
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// What was checked: `configuration`, `database`, `device keypad`, `upstream ut`, …
    pub check: String,
    /// How it came out.
    pub level: Level,
    /// What was found and, unless it is fine, what to do.
    pub message: String,
}

impl Verdict {
    fn new(check: impl Into<String>, level: Level, message: impl Into<String>) -> Verdict {
        Verdict {
            check: check.into(),
            level,
            message: message.into(),
        }
    }

    pub(crate) fn ok(check: impl Into<String>, message: impl Into<String>) -> Verdict {
        Verdict::new(check, Level::Ok, message)
    }

    pub(crate) fn warning(check: impl Into<String>, message: impl Into<String>) -> Verdict {
        Verdict::new(check, Level::Warning, message)
    }

    pub(crate) fn problem(check: impl Into<String>, message: impl Into<String>) -> Verdict {
        Verdict::new(check, Level::Problem, message)
    }
}

/// Whether the report may show the bridge token (IT at the till: yes; a support bundle: never).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secrets {
    /// Show the token so IT can copy it into the extension.
    Shown,
    /// Show only that there is one.
    Hidden,
}

/// Every check, in the order IT would go through them.
pub fn checks(config: &Config, secrets: Secrets) -> Vec<Verdict> {
    let mut verdicts = local::configuration(config);
    verdicts.push(local::data_dir(&config.data_dir));
    verdicts.extend(local::database(&config.data_dir));
    verdicts.extend(local::demo(config));
    verdicts.push(local::free_space(&config.data_dir));
    verdicts.extend(devices::check(config));
    verdicts.extend(links::bridge(config, secrets));
    verdicts.extend(links::upstream(config));
    verdicts.extend(crm::check(config));
    verdicts
}

/// The report as text, one line per check: `ok`, `warning` or `PROBLEM`, the check, the finding.
pub fn render_text(verdicts: &[Verdict]) -> String {
    let mut text = String::new();
    for verdict in verdicts {
        let mark = match verdict.level {
            Level::Ok => "ok     ",
            Level::Warning => "warning",
            Level::Problem => "PROBLEM",
        };
        text.push_str(&format!("{mark} {}: {}\n", verdict.check, verdict.message));
    }
    let problems = verdicts
        .iter()
        .filter(|v| v.level == Level::Problem)
        .count();
    let warnings = verdicts
        .iter()
        .filter(|v| v.level == Level::Warning)
        .count();
    text.push_str(&format!("{problems} problem(s), {warnings} warning(s)\n"));
    text
}

/// The report as JSON: `{"ok": bool, "checks": [{"check", "level", "message"}]}`.
pub fn render_json(verdicts: &[Verdict]) -> anyhow::Result<String> {
    let ok = verdicts.iter().all(|v| v.level != Level::Problem);
    Ok(serde_json::to_string_pretty(
        &serde_json::json!({ "ok": ok, "checks": verdicts }),
    )?)
}

/// Runs the checks and prints them; exit 1 if anything is a problem.
pub fn run(config: &Config, json: bool) -> anyhow::Result<ExitCode> {
    report(checks(config, Secrets::Shown), json)
}

/// When the configuration itself does not load: that is the first problem, and the
/// rest is checked on the defaults (with the data directory given on the command line, if any).
pub fn run_without_config(
    error: &anyhow::Error,
    defaults: &Config,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let mut verdicts = vec![Verdict::problem(
        "configuration",
        format!("{error:#}; the checks below use the built-in defaults"),
    )];
    verdicts.extend(checks(defaults, Secrets::Shown).into_iter().skip(1));
    report(verdicts, json)
}

fn report(verdicts: Vec<Verdict>, json: bool) -> anyhow::Result<ExitCode> {
    let text = if json {
        render_json(&verdicts)? + "\n"
    } else {
        render_text(&verdicts)
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(if verdicts.iter().any(|v| v.level == Level::Problem) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// "N s ago", "N min ago", "N h ago", "N days ago".
pub(crate) fn age(at: chrono::DateTime<chrono::Utc>) -> String {
    let seconds = (chrono::Utc::now() - at).num_seconds().max(0);
    match seconds {
        0..=119 => format!("{seconds} s ago"),
        120..=7199 => format!("{} min ago", seconds / 60),
        7200..=172_799 => format!("{} h ago", seconds / 3600),
        _ => format!("{} days ago", seconds / 86_400),
    }
}

/// Bytes for a person: `512 KiB`, `12.3 MiB`, `1.2 GiB`.
pub(crate) fn size(bytes: u64) -> String {
    let value = bytes as f64;
    if bytes < 1 << 20 {
        format!("{:.0} KiB", value / 1024.0)
    } else if bytes < 1 << 30 {
        format!("{:.1} MiB", value / f64::from(1u32 << 20))
    } else {
        format!("{:.1} GiB", value / f64::from(1u32 << 30))
    }
}
