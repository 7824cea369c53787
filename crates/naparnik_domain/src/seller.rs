//! Sellers: the people a sale is attributed to.

use serde::{Deserialize, Serialize};

use crate::ids::SellerCode;

/// A seller of the chain.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seller {
    /// Personnel code, unique.
    pub code: SellerCode,
    /// Name as shown to cashiers and in reports.
    pub name: String,
    /// The barcode printed on the seller's badge, when they have one.
    pub badge: Option<String>,
    /// Inactive sellers keep their history but cannot be added to a sale.
    pub active: bool,
    /// The 1C reference (`ФизическиеЛица` GUID), once 1C knows them.
    pub onec_ref: Option<String>,
}
