//! Cash register shifts, as 1C closes them.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::ids::ReceiptGuid;

/// A shift closed in 1C:Розница (`Кассовая смена`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    /// The shift number on this till.
    pub number: u32,
    /// Store code.
    pub store: String,
    /// Till code.
    pub till: String,
    /// When the shift opened, with the store's offset.
    pub opened_at: DateTime<FixedOffset>,
    /// When it closed, with the store's offset.
    pub closed_at: DateTime<FixedOffset>,
    /// The receipts 1C counts in the shift.
    pub receipts: Vec<ReceiptGuid>,
}
