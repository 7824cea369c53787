//! `naparnik doctor`: every check IT needs at a new till, each problem with what to do.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use naparnik_store::Store;
use naparnik_store::migrations::LATEST_VERSION;

use crate::config::Config;

/// Below this much free space the till is about to stop saving: a failure.
const FREE_SPACE_FAIL_BYTES: u64 = 200 << 20;
/// Below this much free space IT should act soon: a warning.
const FREE_SPACE_WARN_BYTES: u64 = 1 << 30;

enum Verdict {
    Ok(String),
    Warn(String),
    Fail(String),
}

/// Runs the checks and prints one line each; exit 1 if anything failed.
pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let mut verdicts = vec![Verdict::Ok(match &config.source {
        Some(path) => format!("configuration: {}", path.display()),
        None => match crate::platform::system_config() {
            Some(path) => format!("configuration: built-in defaults (no {})", path.display()),
            None => "configuration: built-in defaults".into(),
        },
    })];
    verdicts.push(check_data_dir(&config.data_dir));
    verdicts.extend(check_database(&config.data_dir));
    verdicts.push(check_free_space(&config.data_dir));
    verdicts.push(check_bridge_token(config));
    let mut out = std::io::stdout().lock();
    let mut failed = false;
    for verdict in &verdicts {
        let (mark, text) = match verdict {
            Verdict::Ok(text) => ("ok  ", text),
            Verdict::Warn(text) => ("WARN", text),
            Verdict::Fail(text) => {
                failed = true;
                ("FAIL", text)
            }
        };
        writeln!(out, "{mark} {text}")?;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn check_data_dir(dir: &Path) -> Verdict {
    if let Err(error) = std::fs::create_dir_all(dir) {
        return Verdict::Fail(format!(
            "data directory {}: cannot create it ({error}); create it and give the service user write access",
            dir.display()
        ));
    }
    let probe = dir.join(".naparnik-doctor-probe");
    match std::fs::write(&probe, b"probe").and_then(|()| std::fs::remove_file(&probe)) {
        Ok(()) => Verdict::Ok(format!("data directory: {} (writable)", dir.display())),
        Err(error) => Verdict::Fail(format!(
            "data directory {}: not writable ({error}); give the service user write access (chown/chmod)",
            dir.display()
        )),
    }
}

fn check_database(dir: &Path) -> Vec<Verdict> {
    let store = match Store::open_in_dir(dir) {
        Ok(store) => store,
        Err(error) => return vec![Verdict::Fail(format!("database: {error}"))],
    };
    let mut verdicts = Vec::new();
    match store.schema_version() {
        Ok(version) => verdicts.push(Verdict::Ok(format!(
            "database: {} (schema {version} of {LATEST_VERSION})",
            store.path().display()
        ))),
        Err(error) => verdicts.push(Verdict::Fail(format!("database: {error}"))),
    }
    match store.integrity_problems() {
        Ok(problems) if problems.is_empty() => verdicts.push(Verdict::Ok("database integrity: ok".into())),
        Ok(problems) => verdicts.push(Verdict::Fail(format!(
            "database integrity: {} problem(s), first: {}; stop Naparnik, copy the file aside and restore the latest backup",
            problems.len(),
            problems[0]
        ))),
        Err(error) => verdicts.push(Verdict::Fail(format!("database integrity: cannot check ({error})"))),
    }
    let counts = (store.customer_count(), store.sellers(), store.outbox_len());
    if let (Ok(customers), Ok(sellers), Ok(outbox)) = counts {
        verdicts.push(Verdict::Ok(format!(
            "data: {customers} customers, {} sellers, {outbox} upstream events recorded",
            sellers.len()
        )));
        if sellers.is_empty() {
            verdicts.push(Verdict::Warn(
                "no sellers yet: import them with `naparnik sellers import FILE`".into(),
            ));
        }
    }
    verdicts
}

fn check_free_space(dir: &Path) -> Verdict {
    let free = match crate::platform::available_bytes(dir) {
        Ok(free) => free,
        Err(error) => return Verdict::Warn(format!("free disk space: cannot tell ({error})")),
    };
    let shown = format!("{:.1} GiB", free as f64 / f64::from(1u32 << 30));
    if free < FREE_SPACE_FAIL_BYTES {
        Verdict::Fail(format!(
            "free disk space: {shown}; sales will stop being saved: free space on that disk now"
        ))
    } else if free < FREE_SPACE_WARN_BYTES {
        Verdict::Warn(format!(
            "free disk space: {shown}; free some space on that disk soon"
        ))
    } else {
        Verdict::Ok(format!("free disk space: {shown}"))
    }
}

fn check_bridge_token(config: &Config) -> Verdict {
    use super::serve::{TokenSource, bridge_token};
    match bridge_token(config) {
        Ok((token, source)) => {
            let from = match source {
                TokenSource::Config => "from the configuration".to_owned(),
                TokenSource::Environment => format!("from {}", super::serve::TOKEN_ENV),
                TokenSource::File(path) => format!("from {}", path.display()),
            };
            Verdict::Ok(format!(
                "bridge: http://127.0.0.1:{}, store `{}`, till `{}`, token {token} ({from}); enter it in the 1C extension settings",
                config.bridge_port, config.store_code, config.till_code
            ))
        }
        Err(error) => Verdict::Fail(format!("bridge token: {error:#}")),
    }
}
