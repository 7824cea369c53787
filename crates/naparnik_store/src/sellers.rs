//! Sellers: imported from a list, found by badge or code.

use naparnik_domain::{Seller, SellerCode};
use rusqlite::{OptionalExtension, Row, params};

use crate::time::now_text;
use crate::{Store, StoreError};

const COLUMNS: &str = "code, name, badge, active, onec_ref";

fn read_seller(row: &Row<'_>) -> rusqlite::Result<Seller> {
    Ok(Seller {
        code: SellerCode(row.get(0)?),
        name: row.get(1)?,
        badge: row.get(2)?,
        active: row.get(3)?,
        onec_ref: row.get(4)?,
    })
}

/// What happened to one seller of an imported list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SellerOutcome {
    /// A new seller.
    Created,
    /// An existing seller got new data.
    Updated,
    /// Nothing changed.
    Unchanged,
    /// The badge is already another seller's; the row was skipped.
    BadgeTaken,
}

pub(crate) fn seller_by_code(
    conn: &rusqlite::Connection,
    code: &SellerCode,
) -> Result<Option<Seller>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM sellers WHERE code = ?1"))?
        .query_row([code.as_str()], read_seller)
        .optional()?)
}

impl Store {
    /// All sellers, active first, by name.
    pub fn sellers(&self) -> Result<Vec<Seller>, StoreError> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM sellers ORDER BY active DESC, name, code"
        ))?;
        let rows = statement.query_map([], read_seller)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The seller with this code.
    pub fn seller_by_code(&self, code: &SellerCode) -> Result<Option<Seller>, StoreError> {
        seller_by_code(&self.conn, code)
    }

    /// The seller whose badge carries this barcode.
    pub fn seller_by_badge(&self, badge: &str) -> Result<Option<Seller>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM sellers WHERE badge = ?1"))?
            .query_row([badge.trim()], read_seller)
            .optional()?)
    }

    /// Creates or updates sellers in one transaction; a row whose badge belongs to another seller is skipped.
    pub fn upsert_sellers(&mut self, sellers: &[Seller]) -> Result<Vec<SellerOutcome>, StoreError> {
        let tx = self.write_transaction()?;
        let now = now_text();
        let mut outcomes = Vec::with_capacity(sellers.len());
        for seller in sellers {
            let badge_owner: Option<String> = match &seller.badge {
                Some(badge) => tx
                    .prepare_cached("SELECT code FROM sellers WHERE badge = ?1")?
                    .query_row([badge], |row| row.get(0))
                    .optional()?,
                None => None,
            };
            if badge_owner.is_some_and(|owner| owner != seller.code.as_str()) {
                outcomes.push(SellerOutcome::BadgeTaken);
                continue;
            }
            let existing = seller_by_code(&tx, &seller.code)?;
            let outcome = match existing {
                None => SellerOutcome::Created,
                Some(ref old)
                    if !is_demo(&tx, &seller.code)?
                        && old.name == seller.name
                        && old.badge == seller.badge
                        && old.active == seller.active =>
                {
                    SellerOutcome::Unchanged
                }
                Some(_) => SellerOutcome::Updated,
            };
            if outcome != SellerOutcome::Unchanged {
                tx.prepare_cached(
                    "INSERT INTO sellers (code, name, badge, active, onec_ref, updated_at_utc)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, badge = excluded.badge,
                         active = excluded.active, onec_ref = coalesce(excluded.onec_ref, onec_ref),
                         updated_at_utc = excluded.updated_at_utc, demo = 0",
                )?
                .execute(params![
                    seller.code.as_str(),
                    seller.name,
                    seller.badge,
                    seller.active,
                    seller.onec_ref,
                    now
                ])?;
            }
            outcomes.push(outcome);
        }
        tx.commit()?;
        Ok(outcomes)
    }
}

/// Whether the seller with this code is demo data (`naparnik --demo`); a real list takes it over.
fn is_demo(conn: &rusqlite::Connection, code: &SellerCode) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT demo FROM sellers WHERE code = ?1")?
        .query_row([code.as_str()], |row| row.get(0))
        .optional()?
        .unwrap_or(false))
}
