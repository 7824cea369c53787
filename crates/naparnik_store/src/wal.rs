//! Keeping the write-ahead log short whatever the load.
//!
//! A passive checkpoint copies the log into the database file without
//! waiting for anyone, but SQLite starts the log over only when a writer
//! finds every frame already copied. Under a steady stream of commits that
//! never happens: each passive round ends with new frames behind it, and the
//! log grows for as long as the stream lasts (a gigabyte an hour and more),
//! which also makes every later open replay it. So the checkpointer, after
//! its passive round, truncates the log once it passes a size: that round
//! has already copied nearly everything, so the truncating checkpoint only
//! copies the last few frames, syncs and cuts the file to zero bytes.
//! Writers that arrive in that moment wait for it (the busy timeout covers
//! it); no commit ever does the copy itself.

use std::path::{Path, PathBuf};

use crate::{Store, StoreError};

/// The log size above which [`Store::checkpoint_bounded`] truncates it by default:
/// a second or two of writes at full speed; replayed in well under a second on open.
pub const DEFAULT_LOG_LIMIT_BYTES: u64 = 64 << 20;

/// What one round of [`Store::checkpoint_bounded`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckpointRound {
    /// Frames the passive round copied into the database file.
    pub frames_copied: u32,
    /// Frames in the log when the passive round ran.
    pub frames_in_log: u32,
    /// The log file's size after the passive round.
    pub log_bytes: u64,
    /// Whether the log passed the limit and was truncated to zero bytes.
    pub truncated: bool,
}

/// The write-ahead log of a database file (`FILE-wal`).
pub fn log_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// The size of a database's write-ahead log on disk; 0 when there is none.
pub fn log_bytes(database: &Path) -> u64 {
    std::fs::metadata(log_path(database)).map_or(0, |meta| meta.len())
}

impl Store {
    /// One checkpointer round: a passive copy of the log, then, if the log file is
    /// over `limit_bytes`, a truncating checkpoint that starts it over at zero bytes.
    ///
    /// The truncation needs a moment without a writer. SQLite's busy handler alone
    /// rarely finds one while commits follow each other without pause, so
    /// `pause_writers` is called first and what it returns is held during the
    /// truncation: the bridge passes a lock on its own connection there, so its
    /// requests wait for those few milliseconds instead of starving the checkpoint.
    /// If another connection holds the log past the busy timeout the truncation is
    /// skipped (`truncated: false`) and the next round tries again.
    pub fn checkpoint_bounded<G>(
        &self,
        limit_bytes: u64,
        pause_writers: impl FnOnce() -> G,
    ) -> Result<CheckpointRound, StoreError> {
        let (frames_copied, frames_in_log) = self.checkpoint()?;
        let log_bytes = log_bytes(self.path());
        let mut truncated = false;
        if log_bytes > limit_bytes {
            let _paused = pause_writers();
            let busy: i64 = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?;
            truncated = busy == 0;
        }
        Ok(CheckpointRound {
            frames_copied,
            frames_in_log,
            log_bytes,
            truncated,
        })
    }

    /// The size of this store's write-ahead log on disk.
    pub fn log_bytes(&self) -> u64 {
        log_bytes(self.path())
    }
}
