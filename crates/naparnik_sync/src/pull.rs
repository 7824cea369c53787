//! Pulling customers (and sellers) from the targets into the till's store.

use std::io::BufReader;

use naparnik_domain::{CustomerUpdate, DiscountPercent, Seller, SellerCode};
use naparnik_store::StoreError;
use naparnik_store::customers::{CustomerImport, UpsertOutcome};
use naparnik_upstream::DeliveryError;
use naparnik_upstream::crm::{CrmCustomer, CustomerChanges};

use crate::{Connector, SharedStore, SyncError, Target, import_customers, with_store};

const CUSTOMERS_CURSOR: &str = "customers_since";
const SELLERS_CURSOR: &str = "sellers_since";
const ETAG: &str = "customers_etag";
const LAST_MODIFIED: &str = "customers_last_modified";

fn failed(target: &Target, error: DeliveryError) -> SyncError {
    SyncError::Delivery {
        target: target.name.clone(),
        error,
    }
}

/// Brings the target's changed customers and sellers into the store.
pub(crate) async fn pull_target(store: &SharedStore, target: &Target) -> Result<(), SyncError> {
    match &target.connector {
        Connector::Ut(ut) => {
            loop {
                let name = target.name.clone();
                let since =
                    with_store(store, move |s| s.sync_cursor(&name, CUSTOMERS_CURSOR)).await?;
                let changes = ut
                    .customers_since(since.as_deref())
                    .await
                    .map_err(|e| failed(target, e))?;
                let name = target.name.clone();
                let more = changes.more;
                with_store(store, move |s| {
                    let mut import = s.begin_customer_import()?;
                    for customer in &changes.items {
                        let Ok(phone) = customer.normalized_phone() else {
                            tracing::warn!("UT customer skipped: its phone is not a number");
                            continue;
                        };
                        if customer.removed {
                            if let Some(crm_id) = &customer.crm_id {
                                import.remove_by_crm_id(crm_id)?;
                            }
                            continue;
                        }
                        let discount = customer
                            .discount_percent
                            .as_deref()
                            .and_then(|d| DiscountPercent::parse(d).ok())
                            .unwrap_or(DiscountPercent::NONE);
                        import.upsert(&CustomerUpdate {
                            crm_id: customer.crm_id.clone(),
                            phone,
                            name: customer.name.clone(),
                            discount,
                            card: customer.card.clone(),
                            email: None,
                            birthday: None,
                            onec_ref: customer.partner_ref.clone(),
                        })?;
                    }
                    import.commit()?;
                    s.set_sync_cursor(&name, CUSTOMERS_CURSOR, &changes.cursor)
                })
                .await?;
                if !more {
                    break;
                }
            }
            let name = target.name.clone();
            let since = with_store(store, move |s| s.sync_cursor(&name, SELLERS_CURSOR)).await?;
            let changes = ut
                .sellers_since(since.as_deref())
                .await
                .map_err(|e| failed(target, e))?;
            let name = target.name.clone();
            with_store(store, move |s| {
                let sellers: Vec<Seller> = changes
                    .items
                    .iter()
                    .filter_map(|seller| {
                        Some(Seller {
                            code: SellerCode::parse(&seller.code)?,
                            name: seller.name.clone(),
                            badge: seller.badge.clone().filter(|b| !b.is_empty()),
                            active: seller.active,
                            onec_ref: seller.person_ref.clone(),
                        })
                    })
                    .collect();
                s.upsert_sellers(&sellers)?;
                s.set_sync_cursor(&name, SELLERS_CURSOR, &changes.cursor)
            })
            .await?;
            Ok(())
        }
        Connector::CrmFolder(folder) => {
            let files = folder
                .pending_customer_files()
                .map_err(|e| failed(target, e))?;
            for file in files {
                let path = file.clone();
                let outcome = with_store(store, move |s| {
                    let opened = std::fs::File::open(&path);
                    Ok(match opened {
                        Ok(input) => {
                            import_customers(s, BufReader::new(input)).map_err(|e| e.to_string())
                        }
                        Err(error) => Err(format!("cannot open: {error}")),
                    })
                })
                .await?;
                let problem = outcome.as_ref().err().map(String::as_str);
                match &outcome {
                    Ok(report) => {
                        tracing::info!(file = %file.display(), created = report.created, updated = report.updated, skipped = report.skipped_count, "CRM customers imported")
                    }
                    Err(problem) => {
                        tracing::warn!(file = %file.display(), %problem, "CRM customers file refused")
                    }
                }
                folder
                    .settle_customer_file(&file, problem)
                    .map_err(|e| failed(target, e))?;
            }
            Ok(())
        }
        Connector::RetailCrm(crm) => {
            pull_crm_api(store, target, |cursor| async move {
                crm.customers_since(cursor.as_deref()).await
            })
            .await
        }
        Connector::Bitrix24(portal) => {
            pull_crm_api(store, target, |cursor| async move {
                portal.customers_since(cursor.as_deref()).await
            })
            .await
        }
        Connector::CrmHttp(http) => {
            let name = target.name.clone();
            let (etag, modified) = with_store(store, move |s| {
                Ok((
                    s.sync_cursor(&name, ETAG)?,
                    s.sync_cursor(&name, LAST_MODIFIED)?,
                ))
            })
            .await?;
            let Some(file) = http
                .fetch_customers(etag.as_deref(), modified.as_deref())
                .await
                .map_err(|e| failed(target, e))?
            else {
                return Ok(());
            };
            let name = target.name.clone();
            let imported = with_store(store, move |s| {
                let result = import_customers(s, file.body.as_slice()).map_err(|e| e.to_string());
                if result.is_ok() {
                    if let Some(etag) = &file.etag {
                        s.set_sync_cursor(&name, ETAG, etag)?;
                    }
                    if let Some(modified) = &file.last_modified {
                        s.set_sync_cursor(&name, LAST_MODIFIED, modified)?;
                    }
                }
                Ok(result)
            })
            .await?;
            imported.map(|_| ()).map_err(|problem| {
                failed(
                    target,
                    DeliveryError::Permanent(format!("customers file refused: {problem}")),
                )
            })
        }
    }
}

/// Pulls pages of changed customers from a CRM API until it says there are no more; each page is
/// applied in one transaction together with its cursor, so a failed pull resumes where it stopped.
async fn pull_crm_api<F, Fut>(
    store: &SharedStore,
    target: &Target,
    fetch: F,
) -> Result<(), SyncError>
where
    F: Fn(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<CustomerChanges, DeliveryError>>,
{
    loop {
        let name = target.name.clone();
        let cursor = with_store(store, move |s| s.sync_cursor(&name, CUSTOMERS_CURSOR)).await?;
        let changes = fetch(cursor).await.map_err(|e| failed(target, e))?;
        let name = target.name.clone();
        let more = changes.more;
        with_store(store, move |s| {
            let mut import = s.begin_customer_import()?;
            for customer in &changes.customers {
                apply_crm_customer(&mut import, customer)?;
            }
            for crm_id in &changes.removed {
                import.remove_by_crm_id(crm_id)?;
            }
            import.commit()?;
            s.set_sync_cursor(&name, CUSTOMERS_CURSOR, &changes.cursor)
        })
        .await?;
        if !more {
            return Ok(());
        }
    }
}

/// Writes a CRM's customer into an import: data, and the bonus balance when the CRM gave one.
pub(crate) fn apply_crm_customer(
    import: &mut CustomerImport<'_>,
    customer: &CrmCustomer,
) -> Result<(), StoreError> {
    let outcome = import.upsert(&CustomerUpdate {
        crm_id: Some(customer.crm_id.clone()),
        phone: customer.phone.clone(),
        name: customer.name.clone(),
        discount: customer.discount,
        card: customer.card.clone(),
        email: None,
        birthday: None,
        onec_ref: None,
    })?;
    if let UpsertOutcome::PhoneOfAnotherCustomer { .. } = outcome {
        tracing::warn!(phone = %customer.phone.masked(), "CRM customer skipped: the phone belongs to another CRM customer here");
    }
    if customer.bonus_kopecks.is_some() {
        import.set_bonus(&customer.phone, customer.bonus_kopecks)?;
    }
    Ok(())
}
