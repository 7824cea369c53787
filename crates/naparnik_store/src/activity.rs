//! When the till last heard from 1C, as the store remembers it (for `naparnik doctor`).

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

use crate::{Store, StoreError};

impl Store {
    /// When the latest receipt or return posted by 1C was received; `None` before the first.
    pub fn last_receipt_received_at_utc(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT max(received_at_utc) FROM receipts", [], |row| {
                row.get(0)
            })
            .optional()?
            .flatten();
        Ok(text
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.to_utc()))
    }
}
