//! Customers: lookups by phone, trailing digits and card; creation at the till; CRM imports.

use naparnik_domain::customer::DiscountPercent;
use naparnik_domain::event::payload::CustomerCreated;
use naparnik_domain::{
    Customer, CustomerId, CustomerUpdate, EventKind, OutboxEvent, Phone, PhoneQuery, TrailingDigits,
};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use crate::time::{from_text, now_text};
use crate::{Store, StoreError, outbox};

const COLUMNS: &str = "id, phone, name, discount_hundredths, card, crm_id, onec_ref, bonus_kopecks, updated_at_utc, removed_at_utc";

/// How many customers a trailing-digit search returns at most by default.
pub const DEFAULT_MATCH_LIMIT: usize = 20;

pub(crate) fn phone_tail(phone: &Phone) -> String {
    phone.digits().chars().rev().collect()
}

/// The half-open range of reversed phones that end with `digits`.
fn tail_range(digits: &TrailingDigits) -> (String, String) {
    let low: String = digits.as_str().chars().rev().collect();
    let mut high = low.clone();
    // Digits are ASCII '0'..='9'; the next code point after the last one closes the prefix range.
    if let Some(last) = high.pop() {
        high.push(char::from(last as u8 + 1));
    }
    (low, high)
}

fn read_customer(row: &Row<'_>) -> rusqlite::Result<RawCustomer> {
    Ok(RawCustomer {
        id: row.get(0)?,
        phone: row.get(1)?,
        name: row.get(2)?,
        discount_hundredths: row.get(3)?,
        card: row.get(4)?,
        crm_id: row.get(5)?,
        onec_ref: row.get(6)?,
        bonus_kopecks: row.get(7)?,
        updated_at_utc: row.get(8)?,
        removed_at_utc: row.get(9)?,
    })
}

/// A row as stored, before its values are checked.
struct RawCustomer {
    id: i64,
    phone: String,
    name: Option<String>,
    discount_hundredths: i64,
    card: Option<String>,
    crm_id: Option<String>,
    onec_ref: Option<String>,
    bonus_kopecks: Option<i64>,
    updated_at_utc: String,
    removed_at_utc: Option<String>,
}

impl RawCustomer {
    fn into_customer(self) -> Result<Customer, StoreError> {
        let phone = Phone::parse(&self.phone).map_err(|e| {
            StoreError::InvalidStoredValue(format!("customer {} phone: {e}", self.id))
        })?;
        let discount = DiscountPercent::from_hundredths(self.discount_hundredths)
            .map_err(|e| StoreError::InvalidStoredValue(format!("customer {}: {e}", self.id)))?;
        Ok(Customer {
            id: CustomerId(self.id),
            phone,
            name: self.name,
            discount,
            card: self.card,
            crm_id: self.crm_id,
            onec_ref: self.onec_ref,
            bonus_kopecks: self.bonus_kopecks,
            updated_at_utc: from_text(&self.updated_at_utc)?,
            removed_at_utc: self.removed_at_utc.as_deref().map(from_text).transpose()?,
        })
    }
}

fn query_customers(
    conn: &rusqlite::Connection,
    where_clause: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Customer>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM customers WHERE {where_clause}");
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params, read_customer)?;
    rows.map(|row| {
        row.map_err(StoreError::from)
            .and_then(RawCustomer::into_customer)
    })
    .collect()
}

/// Finds or creates the customer with this phone inside the caller's transaction; a new one is queued upstream.
pub(crate) fn find_or_create(
    conn: &rusqlite::Connection,
    phone: &Phone,
) -> Result<(CustomerId, bool), StoreError> {
    let existing: Option<(i64, Option<String>)> = conn
        .prepare_cached("SELECT id, removed_at_utc FROM customers WHERE phone = ?1")?
        .query_row([phone.as_e164()], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let now = now_text();
    let (id, created) = match existing {
        Some((id, None)) => (id, false),
        Some((id, Some(_))) => {
            conn.execute(
                "UPDATE customers SET removed_at_utc = NULL, updated_at_utc = ?2 WHERE id = ?1",
                params![id, now],
            )?;
            (id, true)
        }
        None => {
            conn.prepare_cached(
                // While demo data is loaded, a customer created at the till is demo data too.
                "INSERT INTO customers (phone, phone_tail, source, created_at_utc, updated_at_utc, demo)
                 VALUES (?1, ?2, 'till', ?3, ?3, (SELECT count(*) FROM demo_state))",
            )?
            .execute(params![phone.as_e164(), phone_tail(phone), now])?;
            (conn.last_insert_rowid(), true)
        }
    };
    if created {
        let payload = CustomerCreated {
            phone: phone.clone(),
            created_at: from_text(&now)?,
        };
        let event =
            OutboxEvent::with_payload(EventKind::CustomerCreated, phone.as_e164(), &payload)
                .map_err(|e| StoreError::InvalidStoredValue(e.to_string()))?;
        outbox::append(conn, &event)?;
        tracing::info!(phone = %phone.masked(), "customer created at the till");
    }
    Ok((CustomerId(id), created))
}

pub(crate) fn customer_by_id(
    conn: &rusqlite::Connection,
    id: CustomerId,
) -> Result<Option<Customer>, StoreError> {
    Ok(query_customers(conn, "id = ?1", [id.0])?.pop())
}

impl Store {
    /// The customer with exactly this phone, unless removed.
    pub fn customer_by_phone(&self, phone: &Phone) -> Result<Option<Customer>, StoreError> {
        Ok(query_customers(
            &self.conn,
            "phone = ?1 AND removed_at_utc IS NULL",
            [phone.as_e164()],
        )?
        .pop())
    }

    /// Customers whose phone ends with these digits, by phone, at most `limit`.
    pub fn customers_by_trailing_digits(
        &self,
        digits: &TrailingDigits,
        limit: usize,
    ) -> Result<Vec<Customer>, StoreError> {
        let (low, high) = tail_range(digits);
        query_customers(
            &self.conn,
            "phone_tail >= ?1 AND phone_tail < ?2 AND removed_at_utc IS NULL ORDER BY phone LIMIT ?3",
            params![low, high, limit as i64],
        )
    }

    /// The owner of a loyalty card, unless removed.
    pub fn customer_by_card(&self, card: &str) -> Result<Option<Customer>, StoreError> {
        Ok(query_customers(
            &self.conn,
            "card = ?1 AND removed_at_utc IS NULL",
            [card.trim()],
        )?
        .pop())
    }

    /// The customer with this local id, removed or not.
    pub fn customer_by_id(&self, id: CustomerId) -> Result<Option<Customer>, StoreError> {
        customer_by_id(&self.conn, id)
    }

    /// Customers matching what a cashier typed: a full phone or its last digits.
    pub fn find_customers(
        &self,
        query: &PhoneQuery,
        limit: usize,
    ) -> Result<Vec<Customer>, StoreError> {
        match query {
            PhoneQuery::Full(phone) => Ok(self.customer_by_phone(phone)?.into_iter().collect()),
            PhoneQuery::Trailing(digits) => self.customers_by_trailing_digits(digits, limit),
        }
    }

    /// Customers not marked removed.
    pub fn customer_count(&self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM customers WHERE removed_at_utc IS NULL",
            [],
            |row| row.get::<_, i64>(0),
        )? as u64)
    }

    /// Finds the customer with this phone or creates one from the phone alone.
    ///
    /// A new customer is queued upstream (`customer_created`) in the same
    /// transaction. A customer the CRM had removed comes back. Returns the
    /// customer and whether it was created.
    pub fn find_or_create_customer(
        &mut self,
        phone: &Phone,
    ) -> Result<(Customer, bool), StoreError> {
        let tx = self.write_transaction()?;
        let (id, created) = find_or_create(&tx, phone)?;
        let customer = customer_by_id(&tx, id)?
            .ok_or_else(|| StoreError::InvalidStoredValue(format!("customer {} vanished", id.0)))?;
        tx.commit()?;
        Ok((customer, created))
    }

    /// Starts applying a CRM customers file; nothing is visible until [`CustomerImport::commit`].
    pub fn begin_customer_import(&mut self) -> Result<CustomerImport<'_>, StoreError> {
        let tx = self.write_transaction()?;
        let generation: i64 = tx.query_row(
            "SELECT coalesce(max(import_generation), 0) + 1 FROM customers",
            [],
            |row| row.get(0),
        )?;
        Ok(CustomerImport {
            tx,
            generation,
            now: now_text(),
            counts: ImportCounts::default(),
        })
    }
}

/// What an import did, in numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// New customers.
    pub created: u64,
    /// Customers whose data changed.
    pub updated: u64,
    /// Customers listed with the same data they already had.
    pub unchanged: u64,
    /// Customers marked removed.
    pub removed: u64,
}

/// What happened to one record of a CRM file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpsertOutcome {
    /// A new customer.
    Created,
    /// An existing customer got new data.
    Updated,
    /// Nothing changed.
    Unchanged,
    /// The same phone or CRM id came earlier in this file; this record was skipped.
    DuplicateInFile,
    /// The phone belongs to another CRM customer here; this record was skipped.
    PhoneOfAnotherCustomer {
        /// The CRM id the phone is registered to here.
        other_crm_id: String,
    },
}

/// A CRM import in progress: one transaction, so a failed file changes nothing.
pub struct CustomerImport<'a> {
    tx: Transaction<'a>,
    generation: i64,
    now: String,
    counts: ImportCounts,
}

struct Match {
    id: i64,
    crm_id: Option<String>,
    generation: i64,
}

impl CustomerImport<'_> {
    fn find(&self, column: &str, value: &str) -> Result<Option<Match>, StoreError> {
        let sql =
            format!("SELECT id, crm_id, import_generation FROM customers WHERE {column} = ?1");
        Ok(self
            .tx
            .prepare_cached(&sql)?
            .query_row([value], |row| {
                Ok(Match {
                    id: row.get(0)?,
                    crm_id: row.get(1)?,
                    generation: row.get(2)?,
                })
            })
            .optional()?)
    }

    /// Sets the bonus balance a CRM reports for the customer with this phone (`None`: no loyalty account).
    pub fn set_bonus(
        &mut self,
        phone: &Phone,
        bonus_kopecks: Option<i64>,
    ) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE customers SET bonus_kopecks = ?2 WHERE phone = ?1",
            rusqlite::params![phone.as_e164(), bonus_kopecks],
        )?;
        Ok(())
    }

    /// Creates or updates the customer the record describes.
    pub fn upsert(&mut self, record: &CustomerUpdate) -> Result<UpsertOutcome, StoreError> {
        let by_crm_id = match &record.crm_id {
            Some(crm_id) => self.find("crm_id", crm_id)?,
            None => None,
        };
        let by_phone = self.find("phone", record.phone.as_e164())?;
        let seen_in_this_file =
            |m: &Option<Match>| m.as_ref().is_some_and(|m| m.generation == self.generation);
        if seen_in_this_file(&by_crm_id) || seen_in_this_file(&by_phone) {
            return Ok(UpsertOutcome::DuplicateInFile);
        }
        let target = match (by_crm_id, by_phone) {
            (Some(a), Some(b)) if a.id != b.id => {
                return Ok(UpsertOutcome::PhoneOfAnotherCustomer {
                    other_crm_id: b.crm_id.unwrap_or_default(),
                });
            }
            (Some(a), _) => Some(a.id),
            (None, Some(b)) => match b.crm_id {
                Some(other)
                    if record.crm_id.is_some() && Some(&other) != record.crm_id.as_ref() =>
                {
                    return Ok(UpsertOutcome::PhoneOfAnotherCustomer {
                        other_crm_id: other,
                    });
                }
                _ => Some(b.id),
            },
            (None, None) => None,
        };
        let outcome = match target {
            Some(id) => self.update(id, record)?,
            None => self.insert(record)?,
        };
        match outcome {
            UpsertOutcome::Created => self.counts.created += 1,
            UpsertOutcome::Updated => self.counts.updated += 1,
            _ => self.counts.unchanged += 1,
        }
        Ok(outcome)
    }

    fn insert(&mut self, record: &CustomerUpdate) -> Result<UpsertOutcome, StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO customers (phone, phone_tail, name, discount_hundredths, card, email, birthday, crm_id,
                                        onec_ref, source, created_at_utc, updated_at_utc, import_generation)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?11, 'crm', ?9, ?9, ?10)",
            )?
            .execute(params![
                record.phone.as_e164(),
                phone_tail(&record.phone),
                record.name,
                record.discount.hundredths(),
                record.card,
                record.email,
                record.birthday,
                record.crm_id,
                self.now,
                self.generation,
                record.onec_ref,
            ])?;
        Ok(UpsertOutcome::Created)
    }

    fn update(&mut self, id: i64, record: &CustomerUpdate) -> Result<UpsertOutcome, StoreError> {
        let changed = self
            .tx
            .prepare_cached(
                "UPDATE customers SET phone = ?2, phone_tail = ?3, name = ?4, discount_hundredths = ?5,
                        card = ?6, email = ?7, birthday = ?8, crm_id = coalesce(?9, crm_id),
                        onec_ref = coalesce(?11, onec_ref), removed_at_utc = NULL, updated_at_utc = ?10
                 WHERE id = ?1 AND NOT (phone IS ?2 AND name IS ?4 AND discount_hundredths IS ?5 AND card IS ?6
                        AND email IS ?7 AND birthday IS ?8 AND crm_id IS coalesce(?9, crm_id)
                        AND onec_ref IS coalesce(?11, onec_ref) AND removed_at_utc IS NULL)",
            )?
            .execute(params![
                id,
                record.phone.as_e164(),
                phone_tail(&record.phone),
                record.name,
                record.discount.hundredths(),
                record.card,
                record.email,
                record.birthday,
                record.crm_id,
                self.now,
                record.onec_ref,
            ])?;
        self.tx
            // The CRM knows this customer: not (or no longer) demo data.
            .prepare_cached("UPDATE customers SET import_generation = ?2, demo = 0 WHERE id = ?1")?
            .execute(params![id, self.generation])?;
        Ok(if changed > 0 {
            UpsertOutcome::Updated
        } else {
            UpsertOutcome::Unchanged
        })
    }

    /// Marks the customer with this CRM id removed; false if there is none.
    pub fn remove_by_crm_id(&mut self, crm_id: &str) -> Result<bool, StoreError> {
        let removed = self
            .tx
            .prepare_cached(
                "UPDATE customers SET removed_at_utc = ?2, updated_at_utc = ?2, import_generation = ?3
                 WHERE crm_id = ?1 AND removed_at_utc IS NULL",
            )?
            .execute(params![crm_id, self.now, self.generation])?;
        self.counts.removed += removed as u64;
        Ok(removed > 0)
    }

    /// For a full list: marks removed every CRM customer the file did not mention.
    ///
    /// Customers created at the till and not yet known to the CRM are kept.
    pub fn remove_absent(&mut self) -> Result<u64, StoreError> {
        let removed = self.tx.execute(
            "UPDATE customers SET removed_at_utc = ?1, updated_at_utc = ?1
             WHERE crm_id IS NOT NULL AND import_generation <> ?2 AND removed_at_utc IS NULL",
            params![self.now, self.generation],
        )? as u64;
        self.counts.removed += removed;
        Ok(removed)
    }

    /// The numbers so far.
    pub fn counts(&self) -> &ImportCounts {
        &self.counts
    }

    /// Makes the whole import visible at once.
    pub fn commit(self) -> Result<ImportCounts, StoreError> {
        self.tx.commit()?;
        Ok(self.counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_range_covers_exactly_the_suffix() {
        let (low, high) = tail_range(&TrailingDigits::parse("4439").unwrap());
        assert_eq!(low, "9344");
        assert_eq!(high, "9345");
        assert!(
            "93445031597".as_bytes() >= low.as_bytes()
                && "93445031597".as_bytes() < high.as_bytes()
                && "93449".as_bytes() < high.as_bytes()
        );
        assert!("9345".as_bytes() >= high.as_bytes());
    }
}
