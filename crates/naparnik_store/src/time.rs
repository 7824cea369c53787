use chrono::{DateTime, SecondsFormat, Utc};

use crate::StoreError;

/// Timestamps are stored as RFC 3339 UTC text with milliseconds: sortable and readable.
pub(crate) fn to_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn now_text() -> String {
    to_text(Utc::now())
}

pub(crate) fn from_text(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| StoreError::InvalidStoredValue(format!("timestamp `{text}`: {e}")))
}
