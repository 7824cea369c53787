use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

/// What went wrong in the store, with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data directory could not be created or opened.
    #[error(
        "cannot use the data directory {path}: {source}; check that it exists and the service user may write to it"
    )]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a SQLite database or is damaged. It is left as it is.
    #[error(
        "{path} is not a Naparnik database or is damaged ({detail}); it was left untouched: move it aside and restore the latest backup, or start with an empty data directory"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        detail: String,
    },
    /// The file was written by a newer Naparnik.
    #[error(
        "{path} has schema version {found}, but this Naparnik knows only up to {supported}; install the newer Naparnik that wrote it"
    )]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Newest version this build knows.
        supported: u32,
    },
    /// The disk is full; the change was not saved.
    #[error(
        "the disk holding the Naparnik database is full; nothing was saved: free some space and repeat"
    )]
    DiskFull,
    /// Another connection held the database for longer than the busy timeout.
    #[error(
        "the Naparnik database stayed locked by another process for too long; nothing was saved: repeat, and if it persists close other Naparnik instances"
    )]
    Busy,
    /// The file could not be opened at all.
    #[error("cannot open the database {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// A stored value no longer parses (written by hand or by a bug).
    #[error("a stored value is invalid: {0}; run `naparnik doctor`")]
    InvalidStoredValue(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(source: rusqlite::Error) -> StoreError {
        match source.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StoreError::DiskFull,
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => StoreError::Busy,
            _ => StoreError::Sqlite(source),
        }
    }
}

/// Turns a SQLite error into the store error a person can act on.
pub(crate) fn classify(path: &Path, source: rusqlite::Error) -> StoreError {
    let path = path.to_owned();
    match source.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path,
            detail: source.to_string(),
        },
        Some(ErrorCode::DiskFull) => StoreError::DiskFull,
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => StoreError::Busy,
        Some(ErrorCode::CannotOpen)
        | Some(ErrorCode::PermissionDenied)
        | Some(ErrorCode::ReadOnly) => StoreError::Open { path, source },
        _ => StoreError::Sqlite(source),
    }
}
