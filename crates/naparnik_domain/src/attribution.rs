//! Who sold what: a receipt's seller amounts, per receipt and per line, and the shift report built from them.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::ids::{ReceiptGuid, SellerCode};
use crate::money::{Kopecks, Quantity};
use crate::shares::SellerShares;

/// A seller's amount on a receipt.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerAmount {
    /// Seller code.
    pub code: SellerCode,
    /// Seller name as it was when the receipt was attributed.
    pub name: String,
    /// Their amount, in kopecks.
    pub amount: Kopecks,
}

/// A line's amounts per seller, in seller order.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineAttribution {
    /// The receipt's line number.
    pub line_no: u32,
    /// The line amount of each seller, in the receipt's seller order.
    pub amounts: Vec<Kopecks>,
}

/// A receipt divided between its sellers.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribution {
    /// The receipt.
    pub receipt: ReceiptGuid,
    /// Each seller's share as a fraction (`1/3`); empty without sellers.
    pub share: String,
    /// Sellers in assignment order with their receipt amounts.
    pub sellers: Vec<SellerAmount>,
    /// Per line, the sellers' amounts.
    pub lines: Vec<LineAttribution>,
}

impl Attribution {
    /// Pairs computed shares with the sellers and line numbers they belong to.
    pub fn new(
        receipt: ReceiptGuid,
        sellers: &[(SellerCode, String)],
        line_numbers: &[u32],
        shares: Option<&SellerShares>,
    ) -> Attribution {
        let Some(shares) = shares else {
            return Attribution {
                receipt,
                share: String::new(),
                sellers: Vec::new(),
                lines: Vec::new(),
            };
        };
        Attribution {
            receipt,
            share: shares.fraction(),
            sellers: sellers
                .iter()
                .zip(&shares.by_seller)
                .map(|((code, name), amount)| SellerAmount {
                    code: code.clone(),
                    name: name.clone(),
                    amount: *amount,
                })
                .collect(),
            lines: line_numbers
                .iter()
                .zip(&shares.by_line)
                .map(|(line_no, amounts)| LineAttribution {
                    line_no: *line_no,
                    amounts: amounts.clone(),
                })
                .collect(),
        }
    }
}

/// Net totals of one customer over a shift (sales minus returns).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerTotal {
    /// E.164 phone; `None` for receipts without a customer.
    pub phone: Option<String>,
    /// Name when known.
    pub name: Option<String>,
    /// Receipts (sales and returns).
    pub receipts: u32,
    /// Net amount.
    pub amount: Kopecks,
}

/// Net totals of one seller over a shift.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerTotal {
    /// Seller code.
    pub code: SellerCode,
    /// Seller name.
    pub name: String,
    /// Receipts the seller shares.
    pub receipts: u32,
    /// Net amount of their shares.
    pub amount: Kopecks,
}

/// Net totals of one item over a shift.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemTotal {
    /// Article.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Net quantity.
    pub quantity: Quantity,
    /// Net amount.
    pub amount: Kopecks,
}

/// The breakdown of a closed shift: by customer, by seller, by item; with the receipts the two sides disagree on.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftReport {
    /// Shift number.
    pub number: u32,
    /// Store code.
    pub store: String,
    /// Till code.
    pub till: String,
    /// When it opened.
    pub opened_at: DateTime<FixedOffset>,
    /// When it closed.
    pub closed_at: DateTime<FixedOffset>,
    /// Receipts counted (known to both sides).
    pub receipts: u32,
    /// Sum of sales.
    pub sales_total: Kopecks,
    /// Sum of returns.
    pub returns_total: Kopecks,
    /// Per customer.
    pub by_customer: Vec<CustomerTotal>,
    /// Per seller.
    pub by_seller: Vec<SellerTotal>,
    /// Per item.
    pub by_item: Vec<ItemTotal>,
    /// Receipts 1C lists that Naparnik never received: not counted.
    pub missing_in_naparnik: Vec<ReceiptGuid>,
    /// Receipts Naparnik holds for this till and period that 1C does not list: not counted.
    pub missing_in_1c: Vec<ReceiptGuid>,
}
