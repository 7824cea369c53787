//! Demo data (`naparnik --demo`): sample sellers and customers, marked, and removed as a whole.
//!
//! While demo data is loaded, customers created at the till are marked too. Removing it takes
//! the marked sellers and customers, every receipt that involves them (with the returns of those
//! receipts), the shifts that contain such receipts, and the outbox events of all of these, so
//! nothing of the demo ever reaches 1C:УТ or the CRM afterwards. Real data is never touched: a
//! sample whose phone, code or badge is already taken is skipped when loading, and a seller or
//! customer that a real list or the CRM later names stops being demo data.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use naparnik_domain::customer::DiscountPercent;
use naparnik_domain::shift::Shift;
use naparnik_domain::{Phone, Seller};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::time::{from_text, now_text};
use crate::{Store, StoreError};

/// A sample customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCustomer {
    /// The phone.
    pub phone: Phone,
    /// Full name as the CRM would have it.
    pub name: String,
    /// Personal discount.
    pub discount: DiscountPercent,
}

/// What loading demo data added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoLoaded {
    /// Sample sellers added.
    pub sellers: u64,
    /// Sample customers added.
    pub customers: u64,
    /// Samples skipped: already loaded, or their phone, code or badge belongs to real data.
    pub skipped: u64,
}

/// The demo data in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoStatus {
    /// When it was loaded.
    pub loaded_at_utc: DateTime<Utc>,
    /// Demo sellers.
    pub sellers: u64,
    /// Demo customers (samples and those created at the till since).
    pub customers: u64,
}

/// What removing demo data took away.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoRemoved {
    /// Sellers.
    pub sellers: u64,
    /// Customers.
    pub customers: u64,
    /// Receipts (sales and their returns).
    pub receipts: u64,
    /// Shifts.
    pub shifts: u64,
    /// Outbox events, none of them sent anywhere afterwards.
    pub events: u64,
}

impl Store {
    /// Loads demo data in one transaction and marks it; loading again adds only what is missing.
    pub fn load_demo(
        &mut self,
        sellers: &[Seller],
        customers: &[DemoCustomer],
    ) -> Result<DemoLoaded, StoreError> {
        let tx = self.write_transaction()?;
        let now = now_text();
        tx.execute(
            "INSERT OR IGNORE INTO demo_state (id, loaded_at_utc) VALUES (1, ?1)",
            [&now],
        )?;
        let mut loaded = DemoLoaded::default();
        for seller in sellers {
            let added = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO sellers (code, name, badge, active, onec_ref, updated_at_utc, demo)
                     VALUES (?1, ?2, ?3, ?4, NULL, ?5, 1)",
                )?
                .execute(params![
                    seller.code.as_str(),
                    seller.name,
                    seller.badge,
                    seller.active,
                    now
                ])?;
            if added == 1 {
                loaded.sellers += 1;
            } else {
                loaded.skipped += 1;
            }
        }
        for customer in customers {
            let phone = customer.phone.as_e164();
            let added = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO customers (phone, phone_tail, name, discount_hundredths, source,
                                                      created_at_utc, updated_at_utc, demo)
                     VALUES (?1, ?2, ?3, ?4, 'crm', ?5, ?5, 1)",
                )?
                .execute(params![
                    phone,
                    crate::customers::phone_tail(&customer.phone),
                    customer.name,
                    customer.discount.hundredths(),
                    now
                ])?;
            if added == 1 {
                loaded.customers += 1;
            } else {
                loaded.skipped += 1;
            }
        }
        tx.commit()?;
        tracing::info!(
            sellers = loaded.sellers,
            customers = loaded.customers,
            skipped = loaded.skipped,
            "demo data loaded"
        );
        Ok(loaded)
    }

    /// The demo data in the store, if any is loaded.
    pub fn demo_status(&self) -> Result<Option<DemoStatus>, StoreError> {
        let loaded: Option<String> = self
            .conn
            .query_row("SELECT loaded_at_utc FROM demo_state", [], |row| row.get(0))
            .optional()?;
        let Some(loaded) = loaded else {
            return Ok(None);
        };
        let count = |sql: &str| -> Result<u64, StoreError> {
            Ok(self.conn.query_row(sql, [], |row| row.get::<_, i64>(0))? as u64)
        };
        Ok(Some(DemoStatus {
            loaded_at_utc: from_text(&loaded)?,
            sellers: count("SELECT count(*) FROM sellers WHERE demo = 1")?,
            customers: count("SELECT count(*) FROM customers WHERE demo = 1")?,
        }))
    }

    /// Removes all demo data and what involves it, in one transaction; `None` when none is loaded.
    pub fn remove_demo(&mut self) -> Result<Option<DemoRemoved>, StoreError> {
        let tx = self.write_transaction()?;
        let loaded: Option<String> = tx
            .query_row("SELECT loaded_at_utc FROM demo_state", [], |row| row.get(0))
            .optional()?;
        let marked: i64 = tx.query_row(
            "SELECT (SELECT count(*) FROM sellers WHERE demo = 1) + (SELECT count(*) FROM customers WHERE demo = 1)",
            [],
            |row| row.get(0),
        )?;
        if loaded.is_none() && marked == 0 {
            return Ok(None);
        }
        let receipts = demo_receipts(&tx)?;
        let shifts = demo_shifts(&tx, &receipts)?;
        let phones = column(&tx, "SELECT phone FROM customers WHERE demo = 1")?;
        let mut keys: BTreeSet<String> = receipts.iter().cloned().collect();
        keys.extend(
            shifts
                .iter()
                .map(|(store, till, number)| format!("shift:{store}:{till}:{number}")),
        );
        keys.extend(phones);
        let events = remove_events(&tx, &keys)?;
        for (store, till, number) in &shifts {
            tx.execute(
                "DELETE FROM shifts WHERE store = ?1 AND till = ?2 AND number = ?3",
                params![store, till, number],
            )?;
        }
        // Returns first: they refer to their sales.
        for guid in receipts.iter().rev() {
            tx.execute("DELETE FROM receipts WHERE guid = ?1", [guid])?;
        }
        tx.execute(
            "DELETE FROM till_assignment_sellers WHERE seller_code IN (SELECT code FROM sellers WHERE demo = 1)",
            [],
        )?;
        tx.execute(
            "UPDATE till_assignment SET customer_id = NULL
             WHERE customer_id IN (SELECT id FROM customers WHERE demo = 1)",
            [],
        )?;
        let removed = DemoRemoved {
            sellers: tx.execute("DELETE FROM sellers WHERE demo = 1", [])? as u64,
            customers: tx.execute("DELETE FROM customers WHERE demo = 1", [])? as u64,
            receipts: receipts.len() as u64,
            shifts: shifts.len() as u64,
            events,
        };
        tx.execute("DELETE FROM demo_state", [])?;
        tx.commit()?;
        tracing::info!(
            sellers = removed.sellers,
            customers = removed.customers,
            receipts = removed.receipts,
            shifts = removed.shifts,
            events = removed.events,
            "demo data removed"
        );
        Ok(Some(removed))
    }
}

fn column(tx: &Transaction<'_>, sql: &str) -> Result<Vec<String>, StoreError> {
    let mut statement = tx.prepare(sql)?;
    let values = statement
        .query_map([], |row| row.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(values)
}

/// Receipts with a demo customer or a demo seller, then the returns of those, sales before their returns.
fn demo_receipts(tx: &Transaction<'_>) -> Result<Vec<String>, StoreError> {
    let mut receipts = column(
        tx,
        "SELECT guid FROM receipts r
         WHERE r.customer_id IN (SELECT id FROM customers WHERE demo = 1)
            OR EXISTS (SELECT 1 FROM receipt_sellers s JOIN sellers d ON d.code = s.seller_code AND d.demo = 1
                       WHERE s.receipt_guid = r.guid)
         ORDER BY r.rowid",
    )?;
    let mut seen: BTreeSet<String> = receipts.iter().cloned().collect();
    let mut next = 0;
    while next < receipts.len() {
        let returns = {
            let mut statement =
                tx.prepare_cached("SELECT guid FROM receipts WHERE original_guid = ?1")?;
            statement
                .query_map([&receipts[next]], |row| row.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?
        };
        for guid in returns {
            if seen.insert(guid.clone()) {
                receipts.push(guid);
            }
        }
        next += 1;
    }
    Ok(receipts)
}

/// Shifts whose receipts include a demo receipt.
fn demo_shifts(
    tx: &Transaction<'_>,
    receipts: &[String],
) -> Result<Vec<(String, String, u32)>, StoreError> {
    if receipts.is_empty() {
        return Ok(Vec::new());
    }
    let receipts: BTreeSet<&str> = receipts.iter().map(String::as_str).collect();
    let mut statement = tx.prepare("SELECT content_json FROM shifts")?;
    let mut shifts = Vec::new();
    for content in statement.query_map([], |row| row.get::<_, String>(0))? {
        let shift: Shift = serde_json::from_str(&content?)
            .map_err(|e| StoreError::InvalidStoredValue(format!("a stored shift: {e}")))?;
        if shift
            .receipts
            .iter()
            .any(|guid| receipts.contains(guid.to_string().as_str()))
        {
            shifts.push((shift.store, shift.till, shift.number));
        }
    }
    Ok(shifts)
}

/// Removes the outbox events of these business keys, with their parked entries and any batch
/// being delivered that holds one of them (it is rebuilt from what is left).
fn remove_events(tx: &Transaction<'_>, keys: &BTreeSet<String>) -> Result<u64, StoreError> {
    let mut seqs = BTreeSet::new();
    for key in keys {
        let mut statement = tx.prepare_cached("SELECT seq FROM outbox WHERE business_key = ?1")?;
        for seq in statement.query_map([key], |row| row.get::<_, i64>(0))? {
            seqs.insert(seq?);
        }
    }
    if seqs.is_empty() {
        return Ok(0);
    }
    let batches: Vec<(String, String)> = {
        let mut statement = tx.prepare("SELECT target, seqs_json FROM sync_batches")?;
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?
    };
    for (target, batch) in batches {
        let batch: Vec<i64> = serde_json::from_str(&batch)
            .map_err(|e| StoreError::InvalidStoredValue(format!("a stored batch: {e}")))?;
        if batch.iter().any(|seq| seqs.contains(seq)) {
            tx.execute("DELETE FROM sync_batches WHERE target = ?1", [target])?;
        }
    }
    for seq in &seqs {
        tx.execute("DELETE FROM sync_parked WHERE event_seq = ?1", [seq])?;
        tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
    }
    Ok(seqs.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use naparnik_domain::SellerCode;

    #[test]
    fn a_second_load_adds_nothing_and_real_data_is_never_marked() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_in_dir(dir.path()).unwrap();
        let real = Seller {
            code: SellerCode("S1".into()),
            name: "Настоящий".into(),
            badge: Some("2990000000017".into()),
            active: true,
            onec_ref: None,
        };
        store.upsert_sellers(std::slice::from_ref(&real)).unwrap();
        let demo = Seller {
            code: SellerCode("DEMO1".into()),
            badge: Some("2990000000017".into()),
            ..real.clone()
        };
        let customer = DemoCustomer {
            phone: Phone::parse("+79990001122").unwrap(),
            name: "Пример".into(),
            discount: DiscountPercent::from_hundredths(500).unwrap(),
        };
        let first = store
            .load_demo(std::slice::from_ref(&demo), std::slice::from_ref(&customer))
            .unwrap();
        assert_eq!(
            first,
            DemoLoaded {
                sellers: 0,
                customers: 1,
                skipped: 1
            },
            "the badge is a real seller's"
        );
        let again = store.load_demo(&[demo], &[customer]).unwrap();
        assert_eq!(again.customers, 0);
        let status = store.demo_status().unwrap().unwrap();
        assert_eq!((status.sellers, status.customers), (0, 1));
        let removed = store.remove_demo().unwrap().unwrap();
        assert_eq!(removed.customers, 1);
        assert!(store.seller_by_code(&real.code).unwrap().is_some());
        assert_eq!(store.demo_status().unwrap(), None);
        assert_eq!(store.remove_demo().unwrap(), None);
    }
}
