//! Closed receipts and returns as 1C:Розница reports them.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::ids::{ReceiptGuid, SellerCode};
use crate::money::{Kopecks, Quantity};
use crate::phone::Phone;

/// Sale or return; a return names the sale it gives back.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReceiptKind {
    /// A sale.
    Sale,
    /// A return of (part of) an earlier sale.
    Return {
        /// The sale being returned.
        original: ReceiptGuid,
    },
}

/// One goods line of a receipt.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    /// 1-based line number, unique within the receipt; in a return, the line number of the original sale.
    #[serde(deserialize_with = "crate::money::deserialize_count")]
    pub line_no: u32,
    /// Article or item code.
    pub sku: String,
    /// Item name as printed.
    pub name: String,
    /// Unit of measure (`шт`, `кг`).
    pub unit: String,
    /// Quantity sold or returned, above zero.
    #[cfg_attr(feature = "openapi", schema(schema_with = Quantity::positive_schema))]
    pub quantity: Quantity,
    /// Price per unit, zero or more.
    #[cfg_attr(feature = "openapi", schema(schema_with = Kopecks::non_negative_schema))]
    pub price: Kopecks,
    /// Discount on the line, zero or more.
    #[cfg_attr(feature = "openapi", schema(schema_with = Kopecks::non_negative_schema))]
    pub discount: Kopecks,
    /// What the line costs the customer after the discount, zero or more. The amounts of all
    /// lines add up to the receipt's `total`.
    #[cfg_attr(feature = "openapi", schema(schema_with = Kopecks::non_negative_schema))]
    pub amount: Kopecks,
}

/// How the customer paid (or was refunded).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// `cash`, `card`, `certificate`, …
    pub kind: String,
    /// Amount of this payment.
    pub amount: Kopecks,
}

/// A receipt closed in 1C:Розница.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The 1C GUID: the business key.
    pub guid: ReceiptGuid,
    /// The number 1C printed (`ЦБ00-000123`).
    pub number: String,
    /// Sale or return.
    pub kind: ReceiptKind,
    /// When it was closed, with the store's UTC offset.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub closed_at: DateTime<FixedOffset>,
    /// Store code.
    pub store: String,
    /// Till code.
    pub till: String,
    /// Who rang it up.
    pub cashier: String,
    /// The customer's phone, when a customer was attached.
    pub customer_phone: Option<Phone>,
    /// Sellers, in assignment order.
    pub sellers: Vec<SellerCode>,
    /// Goods lines.
    pub lines: Vec<ReceiptLine>,
    /// Payments.
    pub payments: Vec<Payment>,
    /// Receipt total after discounts.
    pub total: Kopecks,
}

/// What is wrong with a receipt's content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// No goods lines.
    #[error("the receipt has no lines")]
    NoLines,
    /// The same line number twice.
    #[error("line number {0} appears twice")]
    DuplicateLine(u32),
    /// Quantity zero or below.
    #[error("line {line}: quantity {quantity} must be above zero")]
    NonPositiveQuantity {
        /// Line number.
        line: u32,
        /// The quantity given.
        quantity: Quantity,
    },
    /// A negative price, discount or amount.
    #[error("line {line}: {field} {amount} is negative")]
    NegativeAmount {
        /// Line number.
        line: u32,
        /// Which field.
        field: &'static str,
        /// The amount given.
        amount: Kopecks,
    },
    /// Lines do not add up to the total.
    #[error("the lines add up to {lines_sum}, but the total is {total}")]
    LinesDoNotAddUp {
        /// Sum of line amounts.
        lines_sum: Kopecks,
        /// The declared total.
        total: Kopecks,
    },
    /// Payments do not add up to the total.
    #[error("the payments add up to {payments_sum}, but the total is {total}")]
    PaymentsDoNotAddUp {
        /// Sum of payments.
        payments_sum: Kopecks,
        /// The declared total.
        total: Kopecks,
    },
    /// The same seller twice.
    #[error("seller {0} is listed twice")]
    DuplicateSeller(SellerCode),
    /// More sellers than a sale may carry.
    #[error("a receipt can have at most {} sellers", crate::shares::MAX_SELLERS)]
    TooManySellers,
}

impl Receipt {
    /// Checks that the receipt is internally consistent; amounts add up to the kopeck.
    pub fn validate(&self) -> Result<(), ReceiptError> {
        if self.lines.is_empty() {
            return Err(ReceiptError::NoLines);
        }
        let mut seen = std::collections::HashSet::new();
        for line in &self.lines {
            if !seen.insert(line.line_no) {
                return Err(ReceiptError::DuplicateLine(line.line_no));
            }
            if line.quantity.0 <= 0 {
                return Err(ReceiptError::NonPositiveQuantity {
                    line: line.line_no,
                    quantity: line.quantity,
                });
            }
            for (field, amount) in [
                ("price", line.price),
                ("discount", line.discount),
                ("amount", line.amount),
            ] {
                if amount.is_negative() {
                    return Err(ReceiptError::NegativeAmount {
                        line: line.line_no,
                        field,
                        amount,
                    });
                }
            }
        }
        let lines_sum: Kopecks = self.lines.iter().map(|l| l.amount).sum();
        if lines_sum != self.total {
            return Err(ReceiptError::LinesDoNotAddUp {
                lines_sum,
                total: self.total,
            });
        }
        if !self.payments.is_empty() {
            let payments_sum: Kopecks = self.payments.iter().map(|p| p.amount).sum();
            if payments_sum != self.total {
                return Err(ReceiptError::PaymentsDoNotAddUp {
                    payments_sum,
                    total: self.total,
                });
            }
        }
        let mut sellers = std::collections::HashSet::new();
        for code in &self.sellers {
            if !sellers.insert(code) {
                return Err(ReceiptError::DuplicateSeller(code.clone()));
            }
        }
        if self.sellers.len() > crate::shares::MAX_SELLERS {
            return Err(ReceiptError::TooManySellers);
        }
        Ok(())
    }

    /// The line amounts in receipt order, as the share rule takes them.
    pub fn line_amounts(&self) -> Vec<Kopecks> {
        self.lines.iter().map(|l| l.amount).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt() -> Receipt {
        let line = |line_no, amount| ReceiptLine {
            line_no,
            sku: "00000000797".into(),
            name: "Джинсы".into(),
            unit: "шт".into(),
            quantity: Quantity::units(1),
            price: Kopecks(amount),
            discount: Kopecks(0),
            amount: Kopecks(amount),
        };
        Receipt {
            guid: ReceiptGuid::parse("3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b").unwrap(),
            number: "ЦБ00-000123".into(),
            kind: ReceiptKind::Sale,
            closed_at: DateTime::parse_from_rfc3339("2026-11-22T11:58:41+03:00").unwrap(),
            store: "store-1".into(),
            till: "till-2".into(),
            cashier: "Кассир".into(),
            customer_phone: None,
            sellers: vec![SellerCode("EMP0001".into())],
            lines: vec![line(1, 44_280), line(2, 13_500)],
            payments: vec![Payment {
                kind: "card".into(),
                amount: Kopecks(57_780),
            }],
            total: Kopecks(57_780),
        }
    }

    #[test]
    fn a_consistent_receipt_passes() {
        receipt().validate().unwrap();
    }

    #[test]
    fn inconsistencies_are_named() {
        let mut bad = receipt();
        bad.total = Kopecks(57_781);
        assert!(matches!(
            bad.validate(),
            Err(ReceiptError::LinesDoNotAddUp { .. })
        ));
        let mut bad = receipt();
        bad.lines[1].quantity = Quantity(-1000);
        assert!(matches!(
            bad.validate(),
            Err(ReceiptError::NonPositiveQuantity { line: 2, .. })
        ));
        let mut bad = receipt();
        bad.lines[1].line_no = 1;
        assert_eq!(bad.validate(), Err(ReceiptError::DuplicateLine(1)));
        let mut bad = receipt();
        bad.sellers.push(SellerCode("EMP0001".into()));
        assert!(matches!(
            bad.validate(),
            Err(ReceiptError::DuplicateSeller(_))
        ));
        let mut bad = receipt();
        bad.payments[0].amount = Kopecks(1);
        assert!(matches!(
            bad.validate(),
            Err(ReceiptError::PaymentsDoNotAddUp { .. })
        ));
    }
}
