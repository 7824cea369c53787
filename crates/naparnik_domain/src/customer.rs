//! Customers: known by their phone, carrying a personal discount.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::CustomerId;
use crate::money::{MoneyError, Percent};
use crate::phone::Phone;

/// A personal discount between 0 and 100 %, in hundredths of a percent.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct DiscountPercent(Percent);

/// Why a text is not a discount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscountError {
    /// Not a number with up to two decimals.
    #[error("discount: {0}")]
    NotANumber(#[from] MoneyError),
    /// Below 0 or above 100.
    #[error("discount {0} % is outside 0–100 %")]
    OutOfRange(Percent),
}

impl DiscountPercent {
    /// No discount.
    pub const NONE: DiscountPercent = DiscountPercent(Percent(0));

    /// Parses `10`, `5.5`, `12.75`; accepts 0–100 only.
    pub fn parse(text: &str) -> Result<DiscountPercent, DiscountError> {
        DiscountPercent::from_hundredths(Percent::parse(text)?.0)
    }

    /// From hundredths of a percent (`550` is 5.5 %); accepts 0–10000 only.
    pub fn from_hundredths(hundredths: i64) -> Result<DiscountPercent, DiscountError> {
        if (0..=10_000).contains(&hundredths) {
            Ok(DiscountPercent(Percent(hundredths)))
        } else {
            Err(DiscountError::OutOfRange(Percent(hundredths)))
        }
    }

    /// Hundredths of a percent: `550` for 5.5 %.
    pub fn hundredths(self) -> i64 {
        self.0.0
    }

    /// As a percent value.
    pub fn percent(self) -> Percent {
        self.0
    }
}

/// A customer as the till knows them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// Local row id.
    pub id: CustomerId,
    /// The phone, unique among customers.
    pub phone: Phone,
    /// Full name, when known; a customer created at the till has none.
    pub name: Option<String>,
    /// Personal discount.
    pub discount: DiscountPercent,
    /// Loyalty card code, when the customer has one.
    pub card: Option<String>,
    /// The customer's id in the CRM, once the CRM knows them.
    pub crm_id: Option<String>,
    /// The 1C reference (`Контрагенты`/`Партнеры` GUID), once 1C knows them.
    pub onec_ref: Option<String>,
    /// Bonus balance in kopecks, when a CRM provides it.
    pub bonus_kopecks: Option<i64>,
    /// When any of it last changed, UTC.
    pub updated_at_utc: DateTime<Utc>,
    /// Set when the CRM said the customer is gone; the row stays for history.
    pub removed_at_utc: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discounts_outside_0_to_100_are_refused() {
        assert_eq!(DiscountPercent::parse("5.5").unwrap().hundredths(), 550);
        assert_eq!(DiscountPercent::parse("100").unwrap().hundredths(), 10_000);
        assert!(matches!(
            DiscountPercent::parse("100.01"),
            Err(DiscountError::OutOfRange(_))
        ));
        assert!(matches!(
            DiscountPercent::parse("-1"),
            Err(DiscountError::OutOfRange(_))
        ));
        assert!(matches!(
            DiscountPercent::parse("ten"),
            Err(DiscountError::NotANumber(_))
        ));
    }
}

/// A customer as an upstream source (the CRM file, UT) describes them: what to create or update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerUpdate {
    /// The source's id for the customer.
    pub crm_id: Option<String>,
    /// The phone, already normalized.
    pub phone: Phone,
    /// Full name.
    pub name: Option<String>,
    /// Personal discount.
    pub discount: DiscountPercent,
    /// Loyalty card code.
    pub card: Option<String>,
    /// E-mail, kept for the CRM's sake.
    pub email: Option<String>,
    /// Birthday as the source wrote it (`1988-03-15`).
    pub birthday: Option<String>,
    /// The 1C reference, when the source is UT.
    pub onec_ref: Option<String>,
}
