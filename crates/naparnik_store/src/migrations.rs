//! Schema migrations: numbered SQL files embedded at build time.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Each
//! migration runs in its own transaction together with the version bump, so
//! a crash leaves the file at one version or the next, never between.
//! Released migrations are never edited; a change is a new file.

use std::path::Path;

use rusqlite::Connection;

use crate::StoreError;

/// The migrations in order; the schema version is their count.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_sync.sql"),
    include_str!("../migrations/0003_assignment_total.sql"),
    include_str!("../migrations/0004_demo.sql"),
];

/// The schema version this build writes.
pub const LATEST_VERSION: u32 = MIGRATIONS.len() as u32;

pub(crate) fn refuse_newer(found: u32, path: &Path) -> Result<(), StoreError> {
    if found > LATEST_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_owned(),
            found,
            supported: LATEST_VERSION,
        });
    }
    Ok(())
}

pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let current: u32 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    refuse_newer(current, path)?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as u32 + 1;
        let tx = conn
            .transaction()
            .map_err(|e| crate::error::classify(path, e))?;
        tx.execute_batch(sql)
            .map_err(|e| crate::error::classify(path, e))?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit().map_err(|e| crate::error::classify(path, e))?;
        tracing::info!(version, "database schema migrated");
    }
    Ok(())
}
