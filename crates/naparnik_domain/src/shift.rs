//! Cash register shifts, as 1C closes them.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::ids::ReceiptGuid;

/// A shift closed in 1C:Розница (`Кассовая смена`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    /// The shift number on this till (`НомерСменыККТ`).
    #[serde(deserialize_with = "crate::money::deserialize_count")]
    pub number: u32,
    /// Store code; another store's shift is refused (409 `other_till`).
    pub store: String,
    /// Till code; another till's shift is refused (409 `other_till`).
    pub till: String,
    /// When the shift opened, with the store's offset.
    pub opened_at: DateTime<FixedOffset>,
    /// When it closed, with the store's offset; not before `opened_at` (else 422 `invalid_period`).
    pub closed_at: DateTime<FixedOffset>,
    /// The receipts 1C counts in the shift.
    pub receipts: Vec<ReceiptGuid>,
}
