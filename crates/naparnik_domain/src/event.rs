//! Events that must reach the back office: written to the outbox in the same transaction as the change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::EventId;

/// What happened.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEvent {
    /// Idempotency key for receivers.
    pub id: EventId,
    /// What happened.
    pub kind: EventKind,
    /// What it is about (receipt GUID, customer phone): events with one key are delivered in order.
    pub business_key: String,
    /// The event body as sent upstream: by `kind`, a `ReceiptClosed` (sale_closed, return_closed),
    /// `SellersCorrected`, `ShiftClosed` or `CustomerCreated`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
    /// When it was written, UTC.
    pub created_at_utc: DateTime<Utc>,
}

impl OutboxEvent {
    /// A new event with a typed payload.
    pub fn with_payload<T: Serialize>(
        kind: EventKind,
        business_key: &str,
        payload: &T,
    ) -> Result<OutboxEvent, serde_json::Error> {
        Ok(OutboxEvent::new(
            kind,
            business_key,
            serde_json::to_value(payload)?,
        ))
    }

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

pub mod payload {
    //! The body of each event kind, exactly as the back office receives it.

    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Serialize};

    use crate::attribution::{Attribution, ShiftReport};
    use crate::ids::ReceiptGuid;
    use crate::money::Percent;
    use crate::phone::Phone;
    use crate::receipt::Receipt;

    /// The customer of a receipt as known at the till when it was recorded.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct CustomerSnapshot {
        /// E.164 phone.
        pub phone: Phone,
        /// Name, when known.
        pub name: Option<String>,
        /// Personal discount in force.
        pub discount_percent: Percent,
        /// Loyalty card.
        pub card: Option<String>,
        /// The CRM's id, when known.
        pub crm_id: Option<String>,
        /// The 1C reference, when known.
        pub onec_ref: Option<String>,
    }

    /// `sale_closed` and `return_closed`: the receipt, its customer and its seller split.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ReceiptClosed {
        /// The receipt as 1C posted it.
        pub receipt: Receipt,
        /// The customer, if any.
        pub customer: Option<CustomerSnapshot>,
        /// Seller amounts per receipt and per line.
        pub attribution: Attribution,
    }

    /// A receipt with its customer, without a split (the sale inside a correction).
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ReceiptSnapshot {
        /// The receipt as 1C posted it.
        pub receipt: Receipt,
        /// The customer, if any.
        pub customer: Option<CustomerSnapshot>,
    }

    /// `sellers_corrected`: a manager replaced a sale's sellers; the sale and its returns are split anew.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct SellersCorrected {
        /// The sale.
        pub receipt: ReceiptGuid,
        /// Who corrected.
        pub corrected_by: String,
        /// When, UTC.
        pub corrected_at: DateTime<Utc>,
        /// The split before.
        pub before: Attribution,
        /// The split after.
        pub after: Attribution,
        /// The sale itself.
        pub sale: ReceiptSnapshot,
        /// The sale's returns with their new splits.
        pub returns: Vec<ReceiptClosed>,
    }

    /// `shift_closed`: the shift's breakdown by customer, seller and item.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ShiftClosed {
        /// The report Naparnik answered 1C.
        pub report: ShiftReport,
    }

    /// `customer_created`: a customer created at the till from the phone alone.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct CustomerCreated {
        /// E.164 phone.
        pub phone: Phone,
        /// When, UTC.
        pub created_at: DateTime<Utc>,
    }
}
