//! The XML files agreed with the CRM (`shared/contracts/`, schemas in `assets/xsd/`).
//!
//! The customers file can hold millions of records, so it is read as a
//! stream: each record is handed to the caller as soon as it is parsed and
//! memory stays bounded whatever the file size. Every record and every
//! problem carries its line number so a person can find it in the file.

pub mod customers;
mod line_reader;
pub mod sales;

/// The namespace of the customers file.
pub const CUSTOMERS_NAMESPACE: &str = "urn:naparnik:crm-customers:1";
/// The namespace of the sales file.
pub const SALES_NAMESPACE: &str = "urn:naparnik:crm-sales:1";
