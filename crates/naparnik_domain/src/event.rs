//! Events that must reach the back office: written to the outbox in the same transaction as the change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::EventId;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A sale was closed with its customer and seller shares.
    SaleClosed,
    /// A return was closed, split like its sale.
    ReturnClosed,
    /// A manager changed the sellers of a receipt.
    SellersCorrected,
    /// A shift was closed; carries its breakdown.
    ShiftClosed,
    /// A customer was created at the till from a phone.
    CustomerCreated,
}

impl EventKind {
    /// Every kind, for listings and parsing.
    pub const ALL: [EventKind; 5] = [
        EventKind::SaleClosed,
        EventKind::ReturnClosed,
        EventKind::SellersCorrected,
        EventKind::ShiftClosed,
        EventKind::CustomerCreated,
    ];

    /// The stable name stored and sent upstream.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::SaleClosed => "sale_closed",
            EventKind::ReturnClosed => "return_closed",
            EventKind::SellersCorrected => "sellers_corrected",
            EventKind::ShiftClosed => "shift_closed",
            EventKind::CustomerCreated => "customer_created",
        }
    }

    /// The kind with this stable name.
    pub fn from_name(name: &str) -> Option<EventKind> {
        EventKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

/// One event waiting to go upstream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEvent {
    /// Idempotency key for receivers.
    pub id: EventId,
    /// What happened.
    pub kind: EventKind,
    /// What it is about (receipt GUID, customer phone): events with one key are delivered in order.
    pub business_key: String,
    /// The event body as sent upstream.
    pub payload: serde_json::Value,
    /// When it was written, UTC.
    pub created_at_utc: DateTime<Utc>,
}

impl OutboxEvent {
    /// A new event about `business_key`, with a fresh id, stamped now.
    pub fn new(kind: EventKind, business_key: &str, payload: serde_json::Value) -> OutboxEvent {
        OutboxEvent {
            id: EventId::new(),
            kind,
            business_key: business_key.to_owned(),
            payload,
            created_at_utc: Utc::now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_name(kind.as_str()), Some(kind));
        }
    }
}
