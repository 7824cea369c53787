//! Naparnik's local store: one SQLite file per till.
//!
//! The file is opened in WAL mode with foreign keys on and `synchronous=FULL`,
//! so a commit survives a power cut. The schema is migrated forward by
//! numbered SQL files embedded at build time ([`migrations`]); a file from a
//! newer Naparnik, or one that is not a database, is refused and left exactly
//! as it was. Every change that must reach the back office writes its outbox
//! event in the same transaction ([`outbox`]). A checkpointer keeps the
//! write-ahead log bounded under any load ([`wal`]).

mod activity;
pub mod assignment;
pub mod customers;
pub mod demo;
mod error;
pub mod migrations;
pub mod outbox;
pub mod receipts;
pub mod sellers;
pub mod sync;
mod time;
pub mod wal;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub use error::StoreError;

/// The database file name inside the data directory.
pub const DATABASE_FILE_NAME: &str = "naparnik.sqlite3";

/// How long a writer waits for another connection's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open store. One per thread; open another for another thread.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if absent) the store in a data directory.
    pub fn open_in_dir(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        Store::open(&data_dir.join(DATABASE_FILE_NAME))
    }

    /// Opens (creating if absent) the store file and migrates it to the current schema.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|source| error::classify(path, source))?;
        let mut store = Store {
            conn,
            path: path.to_owned(),
        };
        store.configure()?;
        migrations::migrate(&mut store.conn, &store.path)?;
        Ok(store)
    }

    fn configure(&self) -> Result<(), StoreError> {
        let on_path = |source| error::classify(&self.path, source);
        self.conn.busy_timeout(BUSY_TIMEOUT).map_err(on_path)?;
        // The first read of the header: a file that is not a database fails here, untouched.
        let version: u32 = self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(on_path)?;
        migrations::refuse_newer(version, &self.path)?;
        self.conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| {
                row.get::<_, String>(0)
            })
            .map_err(on_path)?;
        self.conn
            .execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(on_path)?;
        Ok(())
    }

    /// Starts a write transaction that takes the write lock at once (`BEGIN IMMEDIATE`).
    ///
    /// A deferred transaction that reads and then writes cannot wait for
    /// another writer in WAL mode: SQLite fails it at once with "database is
    /// locked". Taking the lock up front lets the busy timeout do its job.
    pub(crate) fn write_transaction(&mut self) -> Result<rusqlite::Transaction<'_>, StoreError> {
        Ok(self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?)
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))?)
    }

    /// Stops this connection's commits from copying the write-ahead log into the database file.
    ///
    /// By default the commit that finds the log over 1000 pages does that copy and its fsync,
    /// and whoever made that commit waits for it. A connection that answers 1C defers it;
    /// something else must then call [`Store::checkpoint`] regularly, or the log keeps growing.
    pub fn defer_checkpoints(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_autocheckpoint = 0", [], |_| Ok(()))?;
        Ok(())
    }

    /// Copies what the write-ahead log holds into the database file, without waiting for
    /// readers or blocking writers (`PRAGMA wal_checkpoint(PASSIVE)`); returns the frames
    /// copied and the frames in the log.
    pub fn checkpoint(&self) -> Result<(u32, u32), StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                // -1 stands for "not in WAL mode", which a store never is.
                let frames = |index| {
                    row.get::<_, i64>(index)
                        .map(|n| u32::try_from(n).unwrap_or(0))
                };
                Ok((frames(2)?, frames(1)?))
            })?)
    }

    /// Runs SQLite's full integrity check; an empty list means the file is sound.
    pub fn integrity_problems(&self) -> Result<Vec<String>, StoreError> {
        let mut statement = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
        let messages = rows.collect::<Result<Vec<_>, _>>()?;
        Ok(messages.into_iter().filter(|m| m != "ok").collect())
    }
}
