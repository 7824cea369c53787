//! What the API connectors (retailCRM, Bitrix24) share: the customer as a CRM
//! has it, a page of changed customers, the lines `naparnik doctor` prints,
//! and how a CRM's phone numbers become E.164.

use std::sync::atomic::{AtomicU64, Ordering};

use naparnik_domain::event::payload::{CustomerCreated, ReceiptClosed, SellersCorrected};
use naparnik_domain::{
    Attribution, DiscountPercent, EventKind, OutboxEvent, Phone, Quantity, ReceiptKind, ReceiptLine,
};

/// A customer as a CRM answered it, ready for the till's cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrmCustomer {
    /// The CRM's own id.
    pub crm_id: String,
    /// The phone, E.164.
    pub phone: Phone,
    /// Full name, when the CRM has one.
    pub name: Option<String>,
    /// Personal discount.
    pub discount: DiscountPercent,
    /// Discount or loyalty card number.
    pub card: Option<String>,
    /// Bonus balance, kopecks, when the CRM keeps a loyalty account.
    pub bonus_kopecks: Option<i64>,
}

/// Customers changed since a cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerChanges {
    /// Changed or new customers with a usable phone.
    pub customers: Vec<CrmCustomer>,
    /// CRM ids of customers deleted in the CRM.
    pub removed: Vec<String>,
    /// Where the next pull starts.
    pub cursor: String,
    /// More changes wait: pull again at once.
    pub more: bool,
}

/// One line of `naparnik doctor` about a CRM target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked and what was found.
    pub what: String,
    /// What to set when it is wrong; `None` when it is fine.
    pub fix: Option<String>,
}

impl Check {
    pub(crate) fn ok(what: impl Into<String>) -> Check {
        Check {
            what: what.into(),
            fix: None,
        }
    }

    pub(crate) fn problem(what: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            what: what.into(),
            fix: Some(fix.into()),
        }
    }
}

/// How many requests a connector made and how many it repeated after a rate-limit answer.
#[derive(Debug, Default)]
pub struct RequestCounters {
    requests: AtomicU64,
    rate_limited: AtomicU64,
}

impl RequestCounters {
    pub(crate) fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    /// Requests sent so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Answers "too many requests" so far (each was retried).
    pub fn rate_limited_answers(&self) -> u64 {
        self.rate_limited.load(Ordering::Relaxed)
    }
}

/// A CRM's phone (`89229112322`, `+7 922 911-23-22`, `79094055045`) as E.164, or `None`.
pub(crate) fn phone_of(text: &str) -> Option<Phone> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let candidate = if digits.len() == 11 && digits.starts_with('8') {
        format!("+7{}", &digits[1..])
    } else if text.trim_start().starts_with('+') || digits.len() == 11 {
        format!("+{digits}")
    } else {
        text.to_owned()
    };
    Phone::parse(&candidate).ok()
}

/// A name of parts that may be missing, joined by spaces; `None` when all are empty.
pub(crate) fn full_name(parts: &[Option<&str>]) -> Option<String> {
    let joined = parts
        .iter()
        .flatten()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// Rubles as the CRMs write them (a JSON number, `"899.10"`) to kopecks; `None` if not a number.
pub(crate) fn kopecks_of(value: &serde_json::Value) -> Option<i64> {
    let number = match value {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().replace(',', ".").parse().ok()?,
        _ => return None,
    };
    Some((number * 100.0).round() as i64)
}

/// A percentage as the CRMs write it to a discount; out-of-range or unreadable values are none.
pub(crate) fn discount_of(value: Option<&serde_json::Value>) -> DiscountPercent {
    value
        .and_then(kopecks_of)
        .and_then(|hundredths| DiscountPercent::from_hundredths(hundredths).ok())
        .unwrap_or(DiscountPercent::NONE)
}

/// A JSON id that may come as a number or a string (`"ID": "43"`, `"id": 43`).
pub(crate) fn id_of(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    }
}

/// Masks a secret for messages: its first two characters and stars.
pub(crate) fn masked(secret: &str) -> String {
    let shown: String = secret.chars().take(2).collect();
    format!("{shown}***")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crm_phones_in_any_russian_form_are_one_number() {
        for text in [
            "89229112322",
            "+7 922 911-23-22",
            "79229112322",
            "8 (922) 911 23 22",
        ] {
            assert_eq!(
                phone_of(text).map(|p| p.as_e164().to_owned()),
                Some("+79229112322".to_owned()),
                "{text}"
            );
        }
        assert_eq!(phone_of("not a phone"), None);
    }

    #[test]
    fn amounts_and_ids_are_read_from_numbers_or_text() {
        assert_eq!(kopecks_of(&serde_json::json!(899.1)), Some(89910));
        assert_eq!(kopecks_of(&serde_json::json!("899.10")), Some(89910));
        assert_eq!(id_of(&serde_json::json!("43")), Some("43".into()));
        assert_eq!(id_of(&serde_json::json!(43)), Some("43".into()));
        assert_eq!(
            discount_of(Some(&serde_json::json!(150))),
            DiscountPercent::NONE
        );
        assert_eq!(masked("abc123secret"), "ab***");
    }
}

/// A CRM's view of an outbox event.
#[derive(Debug, Clone)]
pub(crate) enum CrmEvent {
    /// A sale: a new order or deal.
    Sale(ReceiptClosed),
    /// A return: the sale's order or deal changes.
    Return(ReceiptClosed),
    /// New sellers of a sale.
    Correction(SellersCorrected),
    /// A customer created at the till from the phone alone.
    Customer(Phone),
}

/// The event as a CRM takes it, or why it cannot be one (a permanent problem).
pub(crate) fn crm_event(event: &OutboxEvent) -> Result<CrmEvent, String> {
    match event.kind {
        EventKind::SaleClosed | EventKind::ReturnClosed => {
            let closed: ReceiptClosed = crate::payload(event)?;
            Ok(match closed.receipt.kind {
                ReceiptKind::Sale => CrmEvent::Sale(closed),
                ReceiptKind::Return { .. } => CrmEvent::Return(closed),
            })
        }
        EventKind::SellersCorrected => Ok(CrmEvent::Correction(crate::payload(event)?)),
        EventKind::CustomerCreated => {
            let created: CustomerCreated = crate::payload(event)?;
            Ok(CrmEvent::Customer(created.phone))
        }
        other => Err(format!("the CRM does not take {} events", other.as_str())),
    }
}

/// All sellers with their shares, for a CRM text field: `Иванова Анна (S001) 1/2: 288.90; …`.
pub(crate) fn sellers_text(attribution: &Attribution) -> String {
    attribution
        .sellers
        .iter()
        .map(|s| {
            format!(
                "{} ({}) {}: {}",
                s.name, s.code, attribution.share, s.amount
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Kopecks as a JSON number of rubles (`28890` → `288.9`).
pub(crate) fn rubles(kopecks: i64) -> serde_json::Value {
    serde_json::json!(kopecks as f64 / 100.0)
}

/// Thousandths as a JSON number of units (`1500` → `1.5`).
pub(crate) fn units(quantity: Quantity) -> serde_json::Value {
    serde_json::json!(quantity.0 as f64 / 1000.0)
}

/// A line's discount per unit in kopecks, rounded (the CRMs take discounts per unit).
pub(crate) fn discount_per_unit(line: &ReceiptLine) -> i64 {
    if line.quantity.0 <= 0 {
        return 0;
    }
    ((line.discount.0 as i128 * 1000 + line.quantity.0 as i128 / 2) / line.quantity.0 as i128)
        as i64
}
