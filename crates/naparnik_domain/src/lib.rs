//! Naparnik's vocabulary and the rules that need no I/O.
//!
//! Everything here is pure: phones are normalized to E.164, money is whole
//! kopecks, sales are divided between sellers by one documented rule. The
//! store, the bridge, the sync worker and the window all speak these types,
//! so a rule lives in exactly one place.

pub mod assignment;
pub mod attribution;
pub mod customer;
pub mod event;
pub mod ids;
pub mod money;
pub mod phone;
pub mod receipt;
pub mod seller;
pub mod shares;
pub mod shift;

pub use assignment::Assignment;
pub use attribution::{Attribution, ShiftReport};
pub use customer::{Customer, CustomerUpdate, DiscountPercent};
pub use event::{EventKind, OutboxEvent};
pub use ids::{CustomerId, EventId, ReceiptGuid, SellerCode};
pub use money::{Kopecks, MoneyError, Quantity};
pub use phone::{Phone, PhoneError, PhoneQuery, TrailingDigits};
pub use receipt::{Receipt, ReceiptError, ReceiptKind, ReceiptLine};
pub use seller::Seller;
pub use shares::{SellerShares, ShareError};
