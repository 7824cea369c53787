//! What is on this machine: the configuration, the data directory, the database, the disk.

use std::path::Path;

use naparnik_store::migrations::LATEST_VERSION;
use naparnik_store::{DATABASE_FILE_NAME, Store, wal};

use super::{Verdict, age, size};
use crate::config::{Config, TargetSettings};

/// Below this much free space the till is about to stop saving: a problem.
const FREE_SPACE_PROBLEM_BYTES: u64 = 200 << 20;
/// Below this much free space IT should act soon: a warning.
const FREE_SPACE_WARNING_BYTES: u64 = 1 << 30;
/// A log this much over the checkpointer's limit means it is not being kept short.
const LOG_WARNING_BYTES: u64 = 2 * wal::DEFAULT_LOG_LIMIT_BYTES;

/// Where the configuration came from, and whether a file holding secrets is readable by all.
pub fn configuration(config: &Config) -> Vec<Verdict> {
    let mut verdicts = vec![Verdict::ok(
        "configuration",
        match &config.source {
            Some(path) => format!("{} (all keys known, values valid)", path.display()),
            None => format!(
                "built-in defaults (no {}); see /usr/share/doc/naparnik or installer/debian/config.toml for every key",
                crate::platform::system_config().map_or_else(
                    || "system configuration".to_owned(),
                    |path| path.display().to_string()
                )
            ),
        },
    )];
    let holds_secrets = config.bridge_token.is_some()
        || config.manager_pin.is_some()
        || config.targets.iter().any(|target| match target {
            TargetSettings::Ut { .. } => true,
            TargetSettings::CrmHttp { authorization, .. } => authorization.is_some(),
            TargetSettings::RetailCrm(_) | TargetSettings::Bitrix24(_) => true,
            TargetSettings::CrmFolder { .. } => false,
        });
    if let (Some(path), true) = (&config.source, holds_secrets) {
        verdicts.extend(secret_file(
            "configuration secrets",
            path,
            0o640,
            "chmod 640 FILE && chgrp naparnik FILE",
        ));
    }
    let token_file = config.data_dir.join(super::super::serve::TOKEN_FILE);
    if token_file.exists() {
        verdicts.extend(secret_file(
            "bridge token file",
            &token_file,
            0o600,
            "chmod 600 FILE",
        ));
    }
    verdicts
}

/// A file holding passwords, tokens or the PIN must not be readable by every user.
#[cfg(unix)]
fn secret_file(check: &str, path: &Path, wanted: u32, fix: &str) -> Option<Verdict> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    let fix = fix.replace("FILE", &path.display().to_string());
    Some(if mode & 0o007 != 0 {
        Verdict::problem(
            check,
            format!(
                "{} is readable by every user (mode {mode:o}) and holds secrets: {fix}",
                path.display()
            ),
        )
    } else if mode & !wanted != 0 {
        Verdict::warning(
            check,
            format!(
                "{} has mode {mode:o}, wider than {wanted:o}: {fix}",
                path.display()
            ),
        )
    } else {
        Verdict::ok(check, format!("{} (mode {mode:o})", path.display()))
    })
}

/// Windows keeps access in ACLs; the installer sets them.
#[cfg(not(unix))]
fn secret_file(_check: &str, _path: &Path, _wanted: u32, _fix: &str) -> Option<Verdict> {
    None
}

/// The data directory exists and the service user can write in it.
pub fn data_dir(dir: &Path) -> Verdict {
    if let Err(error) = std::fs::create_dir_all(dir) {
        return Verdict::problem(
            "data directory",
            format!(
                "{}: cannot create it ({error}); create it and give the service user write access",
                dir.display()
            ),
        );
    }
    let probe = dir.join(".naparnik-doctor-probe");
    match std::fs::write(&probe, b"probe").and_then(|()| std::fs::remove_file(&probe)) {
        Ok(()) => Verdict::ok("data directory", format!("{} (writable)", dir.display())),
        Err(error) => Verdict::problem(
            "data directory",
            format!(
                "{}: not writable ({error}); give the service user write access (chown naparnik:naparnik, chmod 750)",
                dir.display()
            ),
        ),
    }
}

/// Schema, integrity, sizes, the write-ahead log and the last checkpoint, then what the file holds.
pub fn database(dir: &Path) -> Vec<Verdict> {
    let file = dir.join(DATABASE_FILE_NAME);
    // Read before opening: closing doctor's own connection may checkpoint the log.
    let log_bytes = wal::log_bytes(&file);
    let file_bytes = std::fs::metadata(&file).map_or(0, |meta| meta.len());
    // In WAL mode only a checkpoint writes the database file itself.
    let last_checkpoint = std::fs::metadata(&file)
        .and_then(|meta| meta.modified())
        .ok()
        .map(chrono::DateTime::<chrono::Utc>::from);
    let store = match Store::open_in_dir(dir) {
        Ok(store) => store,
        Err(error) => return vec![Verdict::problem("database", error.to_string())],
    };
    let mut verdicts = Vec::new();
    match store.schema_version() {
        Ok(version) => verdicts.push(Verdict::ok(
            "database",
            format!(
                "{} (schema {version} of {LATEST_VERSION}), {}",
                store.path().display(),
                size(file_bytes)
            ),
        )),
        Err(error) => verdicts.push(Verdict::problem("database", error.to_string())),
    }
    match store.integrity_problems() {
        Ok(problems) if problems.is_empty() => {
            verdicts.push(Verdict::ok("database integrity", "ok"));
        }
        Ok(problems) => verdicts.push(Verdict::problem(
            "database integrity",
            format!(
                "{} problem(s), first: {}; stop Naparnik, copy the file aside and restore the latest backup",
                problems.len(),
                problems[0]
            ),
        )),
        Err(error) => verdicts.push(Verdict::problem(
            "database integrity",
            format!("cannot check ({error})"),
        )),
    }
    let checkpoint = last_checkpoint.map_or("unknown".into(), age);
    verdicts.push(if log_bytes > LOG_WARNING_BYTES {
        Verdict::warning(
            "write-ahead log",
            format!(
                "{} (limit {}), last checkpoint {checkpoint}: something holds the database open and keeps the log from being truncated; stop other programs reading the file, or restart Naparnik",
                size(log_bytes),
                size(wal::DEFAULT_LOG_LIMIT_BYTES)
            ),
        )
    } else {
        Verdict::ok(
            "write-ahead log",
            format!(
                "{} (truncated past {}), last checkpoint {checkpoint}",
                size(log_bytes),
                size(wal::DEFAULT_LOG_LIMIT_BYTES)
            ),
        )
    });
    let counts = (store.customer_count(), store.sellers(), store.outbox_len());
    if let (Ok(customers), Ok(sellers), Ok(outbox)) = counts {
        verdicts.push(Verdict::ok(
            "data",
            format!(
                "{customers} customers, {} sellers, {outbox} upstream events recorded",
                sellers.len()
            ),
        ));
        if sellers.is_empty() {
            verdicts.push(Verdict::warning(
                "sellers",
                "none yet: import them with `naparnik sellers import FILE`",
            ));
        }
    }
    verdicts
}

/// Free space on the disk holding the data directory.
/// Demo data: a warning while it is loaded, a problem when this till also sends sales upstream.
pub fn demo(config: &Config) -> Option<Verdict> {
    let status = Store::open_in_dir(&config.data_dir)
        .ok()?
        .demo_status()
        .ok()??;
    let (_, described) = crate::demo::describe(&status);
    Some(if config.targets.is_empty() {
        Verdict::warning("demo", described)
    } else {
        Verdict::problem(
            "demo",
            format!(
                "{described}; this till also sends sales upstream, so remove the demo data before the first real sale"
            ),
        )
    })
}

pub fn free_space(dir: &Path) -> Verdict {
    let free = match crate::platform::available_bytes(dir) {
        Ok(free) => free,
        Err(error) => return Verdict::warning("free disk space", format!("cannot tell ({error})")),
    };
    let shown = size(free);
    if free < FREE_SPACE_PROBLEM_BYTES {
        Verdict::problem(
            "free disk space",
            format!("{shown}; sales will stop being saved: free space on that disk now"),
        )
    } else if free < FREE_SPACE_WARNING_BYTES {
        Verdict::warning(
            "free disk space",
            format!("{shown}; free some space on that disk soon"),
        )
    } else {
        Verdict::ok("free disk space", shown)
    }
}
