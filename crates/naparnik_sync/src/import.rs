//! Applying a CRM customers file to the store: one transaction, so a broken file changes nothing.

use std::io::BufRead;

use naparnik_crm_xml::customers::{
    Applied, CustomersFileError, CustomersReport, Entry, read_customers,
};
use naparnik_store::customers::UpsertOutcome;
use naparnik_store::{Store, StoreError};

/// Why a customers file was not applied.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is broken or not of the agreed shape; nothing was applied.
    #[error(transparent)]
    File(#[from] CustomersFileError<StoreError>),
    /// The store failed; nothing was applied.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reads a customers file and applies it in one transaction; `full="true"` removes the CRM customers it does not list.
pub fn import_customers(
    store: &mut Store,
    input: impl BufRead,
) -> Result<CustomersReport, ImportError> {
    let mut import = store.begin_customer_import()?;
    let mut report = read_customers(input, |entry| match entry {
        Entry::Customer(record) => import.upsert(record).map(|outcome| match outcome {
            UpsertOutcome::Created => Applied::Created,
            UpsertOutcome::Updated => Applied::Updated,
            UpsertOutcome::Unchanged => Applied::Unchanged,
            UpsertOutcome::DuplicateInFile => {
                Applied::Skipped("the same phone or crm-id appears earlier in this file".into())
            }
            UpsertOutcome::PhoneOfAnotherCustomer { other_crm_id } => Applied::Skipped(format!(
                "the phone belongs to another CRM customer (crm-id {other_crm_id})"
            )),
        }),
        Entry::Removed { crm_id } => import.remove_by_crm_id(crm_id).map(|found| {
            if found {
                Applied::Removed
            } else {
                Applied::NotFound
            }
        }),
    })?;
    if report.full {
        report.removed += import.remove_absent()?;
    }
    import.commit()?;
    Ok(report)
}
