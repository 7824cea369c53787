//! What the screens show and what they ask for.

use naparnik_domain::{Kopecks, SellerCode};

use crate::text::{Bilingual, Language};

/// The window's state, filled by the app.
#[derive(Debug, Clone, Default)]
pub struct TillModel {
    /// Interface language.
    pub language: Language,
    /// Dark theme.
    pub dark: bool,
    /// The screen shown.
    pub screen: Screen,
    /// Digits typed after the prefilled `+7` (at most 10).
    pub phone_digits: String,
    /// What the typed phone found.
    pub customer: CustomerPanel,
    /// The customer the next receipt carries.
    pub assigned_customer: Option<CustomerCard>,
    /// The sellers the next receipt carries, in order, with shares.
    pub sellers: Vec<SellerRow>,
    /// Active sellers for the manual pick.
    pub active_sellers: Vec<(SellerCode, String)>,
    /// The picker's search text; `Some` while the picker is open.
    pub seller_search: Option<String>,
    /// Put the keyboard focus in the picker's search field on the next frame.
    pub focus_seller_search: bool,
    /// The current receipt's total, once 1C reports it.
    pub receipt_total: Option<Kopecks>,
    /// A short message for the cashier (a duplicate badge, a misread).
    pub notice: Option<Bilingual>,
    /// The status strip, one line each.
    pub status: Vec<StatusLine>,
    /// Why the PIN was refused.
    pub pin_error: Option<Bilingual>,
    /// The receipts screen.
    pub receipts: ReceiptsView,
    /// The database is empty on a first run: offer to load demo data.
    pub demo_offer: bool,
}

/// Which screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Screen {
    /// The sale panel.
    #[default]
    Sale,
    /// Asking the manager's PIN.
    Pin {
        /// Digits entered so far.
        entered: String,
    },
    /// The receipts, for the manager.
    Receipts,
}

/// A customer as the cashier sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerCard {
    /// E.164.
    pub e164: String,
    /// `+7 (951) 305-44-36`.
    pub phone: String,
    /// Name, if known.
    pub name: Option<String>,
    /// Personal discount, `10.00`.
    pub discount: String,
    /// Loyalty card.
    pub card: Option<String>,
    /// Bonus, when a CRM provides it.
    pub bonus: Option<Kopecks>,
    /// How fresh the data is, in words.
    pub updated: String,
}

/// What the phone field found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CustomerPanel {
    /// Nothing typed (or too little).
    #[default]
    Empty,
    /// A whole number with its customer.
    Found(CustomerCard),
    /// A whole number nobody has: offer to create the customer.
    New {
        /// E.164.
        e164: String,
        /// Display form.
        phone: String,
    },
    /// A whole number the till does not know, being asked of the CRM (at most 1.5 s).
    Looking {
        /// E.164.
        e164: String,
        /// Display form.
        phone: String,
    },
    /// Trailing digits and the customers they match.
    Matches(Vec<CustomerCard>),
    /// The number is wrong; why.
    Invalid(Bilingual),
}

/// A seller on the next receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerRow {
    /// Code.
    pub code: SellerCode,
    /// Name.
    pub name: String,
    /// `1/2`.
    pub share: String,
    /// Their amount, once the total is known.
    pub amount: Option<Kopecks>,
}

/// One status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    /// False for a problem (shown in warning colour).
    pub ok: bool,
    /// What is, and for a problem what to do.
    pub text: Bilingual,
}

/// The manager's receipts screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptsView {
    /// Filter: seller code or name.
    pub seller: String,
    /// Filter: phone digits.
    pub phone: String,
    /// Filter: date `YYYY-MM-DD`.
    pub date: String,
    /// The receipts found.
    pub rows: Vec<ReceiptRow>,
    /// Per-seller totals of the current shift.
    pub totals: Vec<SellerTotalRow>,
    /// The receipt whose sellers are being edited.
    pub editing: Option<SellersEdit>,
}

/// A receipt in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptRow {
    /// 1C GUID.
    pub guid: String,
    /// Time, local.
    pub time: String,
    /// Number.
    pub number: String,
    /// Customer phone or name.
    pub customer: String,
    /// Total.
    pub total: Kopecks,
    /// Sellers with amounts, in words.
    pub sellers: String,
    /// A return.
    pub is_return: bool,
    /// The manager may replace its sellers: a sale, or a return of a sale made at another till
    /// (a return of a sale held here follows that sale).
    pub sellers_editable: bool,
}

/// A seller's totals for the shift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerTotalRow {
    /// Name.
    pub name: String,
    /// Receipts.
    pub receipts: u32,
    /// Amount.
    pub amount: Kopecks,
    /// Average receipt.
    pub average: Kopecks,
}

/// An edit of a receipt's sellers in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellersEdit {
    /// 1C GUID.
    pub guid: String,
    /// Number, for the heading.
    pub number: String,
    /// The new sellers, in order.
    pub codes: Vec<SellerCode>,
    /// The new amounts, before saving.
    pub preview: Vec<(String, Kopecks)>,
    /// Why saving failed.
    pub error: Option<Bilingual>,
}

/// What the screens ask the app to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// The typed digits changed: look the customer up.
    PhoneChanged(String),
    /// Create a customer from this E.164 phone and put them on the receipt.
    CreateCustomer(String),
    /// Put this customer (E.164) on the receipt.
    ChooseCustomer(String),
    /// Take the customer off the receipt.
    RemoveCustomer,
    /// Add a seller.
    AddSeller(SellerCode),
    /// Remove a seller.
    RemoveSeller(SellerCode),
    /// The manager's PIN, to open the receipts.
    SubmitPin(String),
    /// Apply the receipts filter.
    FilterReceipts,
    /// Start editing a receipt's sellers.
    EditReceipt(String),
    /// The edited sellers changed: compute the new shares.
    PreviewSellers,
    /// Save the edited sellers.
    SaveSellers,
    /// Write a support bundle (doctor's report, configuration without secrets, logs) and say where.
    SaveDiagnostics,
    /// Load the demo data (first run).
    LoadDemo,
    /// Start without the demo data.
    DismissDemo,
}
