//! Identifiers as their own types, so a seller code is never passed where a receipt GUID belongs.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The 1C GUID of a receipt (`Документ.ЧекККМ` reference), the receipt's business key everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
#[serde(transparent)]
pub struct ReceiptGuid(pub Uuid);

impl ReceiptGuid {
    /// Parses the usual 8-4-4-4-12 form, with or without braces.
    pub fn parse(text: &str) -> Option<ReceiptGuid> {
        Uuid::parse_str(text.trim().trim_start_matches('{').trim_end_matches('}'))
            .ok()
            .map(ReceiptGuid)
    }
}

impl fmt::Display for ReceiptGuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// A seller's personnel code (`EMP0001`), unique in the chain.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SellerCode(pub String);

impl SellerCode {
    /// Trims the code; an empty code is no code.
    pub fn parse(text: &str) -> Option<SellerCode> {
        let code = text.trim();
        (!code.is_empty()).then(|| SellerCode(code.to_owned()))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SellerCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The local row id of a customer in this till's store.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CustomerId(pub i64);

/// The id of an upstream event: a UUIDv7, so ids sort by creation time; receivers use it as the idempotency key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
#[serde(transparent)]
pub struct EventId(pub Uuid);

impl EventId {
    /// A fresh, time-ordered id.
    pub fn new() -> EventId {
        EventId(Uuid::now_v7())
    }
}

impl Default for EventId {
    fn default() -> Self {
        EventId::new()
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}
