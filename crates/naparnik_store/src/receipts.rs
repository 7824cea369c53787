//! Closed receipts and returns, their seller attribution, manager corrections and shift reports.
//!
//! Every write here is one transaction that also appends its outbox event,
//! so a receipt is never stored without being queued upstream, nor queued
//! without being stored.

use std::collections::{BTreeMap, HashSet};

use chrono::Utc;
use naparnik_domain::attribution::{
    CustomerTotal, ItemTotal, LineAttribution, SellerAmount, SellerTotal,
};
use naparnik_domain::event::payload::{
    CustomerSnapshot, ReceiptClosed, ReceiptSnapshot, SellersCorrected, ShiftClosed,
};
use naparnik_domain::receipt::ReceiptError;
use naparnik_domain::shares::{ReturnedLine, ShareError, split_return, split_sale};
use naparnik_domain::shift::Shift;
use naparnik_domain::{
    Attribution, EventKind, Kopecks, OutboxEvent, Quantity, Receipt, ReceiptGuid, ReceiptKind,
    SellerCode, ShiftReport,
};
use rusqlite::{Connection, OptionalExtension, params};

use crate::customers::{customer_by_id, find_or_create};
use crate::sellers::seller_by_code;
use crate::time::{now_text, to_text};
use crate::{Store, StoreError, assignment, outbox};

/// Which till this store belongs to: receipts for another till are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TillIdentity {
    /// Store code, as 1C names it in the receipt.
    pub store: String,
    /// Till code, as 1C names it in the receipt.
    pub till: String,
}

/// What recording a receipt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Stored now.
    New(Attribution),
    /// Stored before with the same content; nothing changed.
    Repeat(Attribution),
}

impl Recorded {
    /// The attribution, new or stored.
    pub fn attribution(&self) -> &Attribution {
        match self {
            Recorded::New(a) | Recorded::Repeat(a) => a,
        }
    }
}

/// Why a receipt, a correction or a shift was refused. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptRecordError {
    /// The receipt belongs to another till.
    #[error(
        "the document is for store `{got_store}`, till `{got_till}`, but this is store `{store}`, till `{till}`"
    )]
    OtherTill {
        /// This store.
        store: String,
        /// This till.
        till: String,
        /// The document's store.
        got_store: String,
        /// The document's till.
        got_till: String,
    },
    /// The GUID was received before with other content.
    #[error("receipt {0} was already received with different content")]
    Conflict(ReceiptGuid),
    /// The content does not add up.
    #[error(transparent)]
    Invalid(#[from] ReceiptError),
    /// A seller code nobody has.
    #[error("no seller has the code {0}: import the sellers list or correct the code")]
    UnknownSeller(SellerCode),
    /// A return of a return.
    #[error("receipt {0} is a return; a return must refer to a sale")]
    OriginalIsReturn(ReceiptGuid),
    /// The split or a return limit.
    #[error(transparent)]
    Shares(#[from] ShareError),
    /// A return of more pieces than were sold.
    #[error(
        "line {line}: returning {returning} would exceed the quantity sold ({sold}, of it returned earlier {returned_before})"
    )]
    QuantityExceeds {
        /// Line number of the sale.
        line: u32,
        /// Quantity sold.
        sold: Quantity,
        /// Returned before.
        returned_before: Quantity,
        /// Returned now.
        returning: Quantity,
    },
    /// No receipt with this GUID.
    #[error("receipt {0} is not known here")]
    NotFound(ReceiptGuid),
    /// Returns follow their sale's sellers.
    #[error("receipt {0} is a return; its sellers follow its sale: edit the sale's sellers")]
    ReturnSellers(ReceiptGuid),
    /// The shift was closed before with other content.
    #[error("shift {0} was already closed with different content")]
    ShiftConflict(u32),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for ReceiptRecordError {
    fn from(error: rusqlite::Error) -> Self {
        ReceiptRecordError::Store(StoreError::from(error))
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::InvalidStoredValue(e.to_string()))
}

fn check_till(store: &str, till: &str, identity: &TillIdentity) -> Result<(), ReceiptRecordError> {
    if store == identity.store && till == identity.till {
        return Ok(());
    }
    Err(ReceiptRecordError::OtherTill {
        store: identity.store.clone(),
        till: identity.till.clone(),
        got_store: store.to_owned(),
        got_till: till.to_owned(),
    })
}

/// A stored line: number, quantity, amount.
struct StoredLine {
    line_no: u32,
    quantity: Quantity,
    amount: Kopecks,
}

fn stored_lines(conn: &Connection, guid: ReceiptGuid) -> Result<Vec<StoredLine>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT line_no, quantity_milli, amount_kopecks FROM receipt_lines WHERE receipt_guid = ?1 ORDER BY line_no",
    )?;
    let rows = statement.query_map([guid.to_string()], |row| {
        Ok(StoredLine {
            line_no: row.get(0)?,
            quantity: Quantity(row.get(1)?),
            amount: Kopecks(row.get(2)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn stored_sellers(
    conn: &Connection,
    guid: ReceiptGuid,
) -> Result<Vec<(SellerCode, String)>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT seller_code, seller_name FROM receipt_sellers WHERE receipt_guid = ?1 ORDER BY position",
    )?;
    let rows = statement.query_map([guid.to_string()], |row| {
        Ok((SellerCode(row.get(0)?), row.get(1)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The stored attribution of a receipt, if the receipt exists.
fn load_attribution(
    conn: &Connection,
    guid: ReceiptGuid,
) -> Result<Option<Attribution>, StoreError> {
    let exists: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM receipts WHERE guid = ?1")?
        .query_row([guid.to_string()], |row| row.get(0))
        .optional()?;
    if exists.is_none() {
        return Ok(None);
    }
    let mut statement = conn.prepare_cached(
        "SELECT seller_code, seller_name, amount_kopecks FROM receipt_sellers WHERE receipt_guid = ?1 ORDER BY position",
    )?;
    let sellers: Vec<SellerAmount> = statement
        .query_map([guid.to_string()], |row| {
            Ok(SellerAmount {
                code: SellerCode(row.get(0)?),
                name: row.get(1)?,
                amount: Kopecks(row.get(2)?),
            })
        })?
        .collect::<Result<_, _>>()?;
    if sellers.is_empty() {
        return Ok(Some(Attribution {
            receipt: guid,
            share: String::new(),
            sellers,
            lines: Vec::new(),
        }));
    }
    let mut lines: Vec<LineAttribution> = Vec::new();
    let mut statement = conn.prepare_cached(
        "SELECT line_no, amount_kopecks FROM receipt_line_shares WHERE receipt_guid = ?1 ORDER BY line_no, position",
    )?;
    let rows = statement.query_map([guid.to_string()], |row| {
        Ok((row.get::<_, u32>(0)?, Kopecks(row.get(1)?)))
    })?;
    for row in rows {
        let (line_no, amount) = row?;
        match lines.last_mut() {
            Some(line) if line.line_no == line_no => line.amounts.push(amount),
            _ => lines.push(LineAttribution {
                line_no,
                amounts: vec![amount],
            }),
        }
    }
    Ok(Some(Attribution {
        receipt: guid,
        share: format!("1/{}", sellers.len()),
        sellers,
        lines,
    }))
}

fn write_attribution(conn: &Connection, attribution: &Attribution) -> Result<(), StoreError> {
    let guid = attribution.receipt.to_string();
    conn.execute(
        "DELETE FROM receipt_sellers WHERE receipt_guid = ?1",
        [&guid],
    )?;
    conn.execute(
        "DELETE FROM receipt_line_shares WHERE receipt_guid = ?1",
        [&guid],
    )?;
    for (position, seller) in attribution.sellers.iter().enumerate() {
        conn.prepare_cached(
            "INSERT INTO receipt_sellers (receipt_guid, position, seller_code, seller_name, amount_kopecks)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![guid, position as i64, seller.code.as_str(), seller.name, seller.amount.0])?;
    }
    for line in &attribution.lines {
        for (position, amount) in line.amounts.iter().enumerate() {
            conn.prepare_cached(
                "INSERT INTO receipt_line_shares (receipt_guid, line_no, position, amount_kopecks) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![guid, line.line_no, position as i64, amount.0])?;
        }
    }
    Ok(())
}

/// Earlier returns of a sale, oldest first, each with its lines (line number, quantity, amount).
fn returns_of(
    conn: &Connection,
    sale: ReceiptGuid,
) -> Result<Vec<(ReceiptGuid, Vec<StoredLine>)>, StoreError> {
    let guids: Vec<String> = conn
        .prepare_cached(
            "SELECT guid FROM receipts WHERE original_guid = ?1 ORDER BY closed_at_utc, received_at_utc, guid",
        )?
        .query_map([sale.to_string()], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut returns = Vec::with_capacity(guids.len());
    for guid in guids {
        let guid = ReceiptGuid::parse(&guid)
            .ok_or_else(|| StoreError::InvalidStoredValue(format!("receipt guid `{guid}`")))?;
        returns.push((guid, stored_lines(conn, guid)?));
    }
    Ok(returns)
}

/// Checks a return against its sale and earlier returns, and divides it like the sale.
fn attribute_return(
    sale_lines: &[StoredLine],
    sellers: &[(SellerCode, String)],
    earlier_returns: &[(ReceiptGuid, Vec<StoredLine>)],
    guid: ReceiptGuid,
    returned: &[StoredLine],
) -> Result<Attribution, ReceiptRecordError> {
    let mut returned_lines = Vec::with_capacity(returned.len());
    for line in returned {
        let index = sale_lines
            .iter()
            .position(|sold| sold.line_no == line.line_no)
            .ok_or(ShareError::UnknownLine {
                line: line.line_no as usize,
            })?;
        let sold = &sale_lines[index];
        let earlier = earlier_returns
            .iter()
            .flat_map(|(_, lines)| lines)
            .filter(|l| l.line_no == line.line_no);
        let (quantity_before, amount_before) = earlier
            .fold((Quantity(0), Kopecks(0)), |(q, a), l| {
                (q + l.quantity, a + l.amount)
            });
        if quantity_before + line.quantity > sold.quantity {
            return Err(ReceiptRecordError::QuantityExceeds {
                line: line.line_no,
                sold: sold.quantity,
                returned_before: quantity_before,
                returning: line.quantity,
            });
        }
        if amount_before + line.amount > sold.amount {
            return Err(ShareError::ReturnExceedsSale {
                line: line.line_no as usize,
                sold: sold.amount,
                returned_before: amount_before,
                returning: line.amount,
            }
            .into());
        }
        returned_lines.push(ReturnedLine {
            sale_line: index + 1,
            returned_before: amount_before,
            returning: line.amount,
        });
    }
    let sale_amounts: Vec<Kopecks> = sale_lines.iter().map(|l| l.amount).collect();
    let shares = match sellers.len() {
        0 => None,
        n => Some(split_return(&sale_amounts, n, &returned_lines)?),
    };
    let line_numbers: Vec<u32> = returned.iter().map(|l| l.line_no).collect();
    Ok(Attribution::new(
        guid,
        sellers,
        &line_numbers,
        shares.as_ref(),
    ))
}

fn customer_snapshot(
    conn: &Connection,
    customer_id: Option<i64>,
) -> Result<Option<CustomerSnapshot>, StoreError> {
    let Some(id) = customer_id else {
        return Ok(None);
    };
    Ok(
        customer_by_id(conn, naparnik_domain::CustomerId(id))?.map(|c| CustomerSnapshot {
            phone: c.phone,
            name: c.name,
            discount_percent: c.discount.percent(),
            card: c.card,
            crm_id: c.crm_id,
            onec_ref: c.onec_ref,
        }),
    )
}

fn event<T: serde::Serialize>(
    kind: EventKind,
    key: &str,
    payload: &T,
) -> Result<OutboxEvent, StoreError> {
    OutboxEvent::with_payload(kind, key, payload)
        .map_err(|e| StoreError::InvalidStoredValue(e.to_string()))
}

/// A stored receipt as posted, with its customer.
fn stored_snapshot(conn: &Connection, guid: ReceiptGuid) -> Result<ReceiptSnapshot, StoreError> {
    let (content, customer_id): (String, Option<i64>) = conn
        .prepare_cached("SELECT content_json, customer_id FROM receipts WHERE guid = ?1")?
        .query_row([guid.to_string()], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let receipt: Receipt = serde_json::from_str(&content)
        .map_err(|e| StoreError::InvalidStoredValue(e.to_string()))?;
    Ok(ReceiptSnapshot {
        receipt,
        customer: customer_snapshot(conn, customer_id)?,
    })
}

/// Splits a receipt's lines equally among the sellers it names itself (a sale, or a return of a sale not known here).
fn split_among_own_sellers(
    tx: &rusqlite::Transaction<'_>,
    receipt: &Receipt,
    lines: &[naparnik_domain::ReceiptLine],
) -> Result<Attribution, ReceiptRecordError> {
    let mut sellers = Vec::with_capacity(receipt.sellers.len());
    for code in &receipt.sellers {
        let seller = seller_by_code(tx, code)?
            .ok_or_else(|| ReceiptRecordError::UnknownSeller(code.clone()))?;
        sellers.push((seller.code, seller.name));
    }
    let amounts: Vec<Kopecks> = lines.iter().map(|l| l.amount).collect();
    let shares = match sellers.len() {
        0 => None,
        n => Some(split_sale(&amounts, n)?),
    };
    let numbers: Vec<u32> = lines.iter().map(|l| l.line_no).collect();
    Ok(Attribution::new(
        receipt.guid,
        &sellers,
        &numbers,
        shares.as_ref(),
    ))
}

impl Store {
    /// Stores a closed receipt or return with its seller split and queues it upstream.
    ///
    /// Idempotent by GUID: the same content again returns the stored result;
    /// other content under the same GUID is a conflict. After a sale the
    /// till's assignment is cleared.
    pub fn record_receipt(
        &mut self,
        receipt: &Receipt,
        till: &TillIdentity,
    ) -> Result<Recorded, ReceiptRecordError> {
        let tx = self.write_transaction()?;
        let content = to_json(receipt)?;
        let stored: Option<String> = tx
            .prepare_cached("SELECT content_json FROM receipts WHERE guid = ?1")?
            .query_row([receipt.guid.to_string()], |row| row.get(0))
            .optional()?;
        if let Some(stored) = stored {
            if stored != content {
                return Err(ReceiptRecordError::Conflict(receipt.guid));
            }
            let attribution = load_attribution(&tx, receipt.guid)?
                .ok_or(ReceiptRecordError::NotFound(receipt.guid))?;
            return Ok(Recorded::Repeat(attribution));
        }
        check_till(&receipt.store, &receipt.till, till)?;
        receipt.validate()?;
        let mut lines = receipt.lines.clone();
        lines.sort_by_key(|l| l.line_no);
        let as_stored: Vec<StoredLine> = lines
            .iter()
            .map(|l| StoredLine {
                line_no: l.line_no,
                quantity: l.quantity,
                amount: l.amount,
            })
            .collect();
        let (attribution, original, event_kind) = match receipt.kind {
            ReceiptKind::Sale => (
                split_among_own_sellers(&tx, receipt, &lines)?,
                None,
                EventKind::SaleClosed,
            ),
            ReceiptKind::Return { original } => {
                let kind: Option<String> = tx
                    .prepare_cached("SELECT kind FROM receipts WHERE guid = ?1")?
                    .query_row([original.to_string()], |row| row.get(0))
                    .optional()?;
                match kind.as_deref() {
                    Some("return") => return Err(ReceiptRecordError::OriginalIsReturn(original)),
                    Some(_) => {
                        let sale_lines = stored_lines(&tx, original)?;
                        let sellers = stored_sellers(&tx, original)?;
                        let earlier = returns_of(&tx, original)?;
                        let attribution = attribute_return(
                            &sale_lines,
                            &sellers,
                            &earlier,
                            receipt.guid,
                            &as_stored,
                        )?;
                        (attribution, Some(original), EventKind::ReturnClosed)
                    }
                    // Sold at another till, or before Naparnik was installed: there is nothing here
                    // to check the return against, so it is split among the sellers 1C attached to it,
                    // as a sale would be (or goes upstream unattributed); UT matches it by the sale's GUID.
                    None => {
                        tracing::info!(receipt = %receipt.guid, original = %original, "return of a sale this till has not seen");
                        (
                            split_among_own_sellers(&tx, receipt, &lines)?,
                            None,
                            EventKind::ReturnClosed,
                        )
                    }
                }
            }
        };
        let customer_id = match &receipt.customer_phone {
            Some(phone) => Some(find_or_create(&tx, phone)?.0.0),
            None => None,
        };
        let now = now_text();
        tx.prepare_cached(
            "INSERT INTO receipts (guid, kind, original_guid, number, closed_at_utc, utc_offset_minutes, store, till,
                                   cashier, customer_id, customer_phone, total_kopecks, content_json, received_at_utc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?
        .execute(params![
            receipt.guid.to_string(),
            if matches!(receipt.kind, ReceiptKind::Return { .. }) { "return" } else { "sale" },
            original.map(|g| g.to_string()),
            receipt.number,
            to_text(receipt.closed_at.with_timezone(&Utc)),
            receipt.closed_at.offset().local_minus_utc() / 60,
            receipt.store,
            receipt.till,
            receipt.cashier,
            customer_id,
            receipt.customer_phone.as_ref().map(|p| p.as_e164().to_owned()),
            receipt.total.0,
            content,
            now,
        ])?;
        for line in &lines {
            tx.prepare_cached(
                "INSERT INTO receipt_lines (receipt_guid, line_no, sku, name, unit, quantity_milli, price_kopecks,
                                            discount_kopecks, amount_kopecks)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                receipt.guid.to_string(),
                line.line_no,
                line.sku,
                line.name,
                line.unit,
                line.quantity.0,
                line.price.0,
                line.discount.0,
                line.amount.0,
            ])?;
        }
        for (position, payment) in receipt.payments.iter().enumerate() {
            tx.prepare_cached(
                "INSERT INTO receipt_payments (receipt_guid, position, kind, amount_kopecks) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![receipt.guid.to_string(), position as i64, payment.kind, payment.amount.0])?;
        }
        write_attribution(&tx, &attribution)?;
        let payload = ReceiptClosed {
            receipt: receipt.clone(),
            customer: customer_snapshot(&tx, customer_id)?,
            attribution: attribution.clone(),
        };
        // Events about one sale, its returns and corrections share the sale's GUID as their key.
        let key = match receipt.kind {
            ReceiptKind::Return { original } => original,
            ReceiptKind::Sale => receipt.guid,
        };
        outbox::append(&tx, &event(event_kind, &key.to_string(), &payload)?)?;
        if receipt.kind == ReceiptKind::Sale {
            assignment::clear(&tx)?;
        }
        tx.commit()?;
        tracing::info!(receipt = %receipt.guid, sellers = attribution.sellers.len(), "receipt recorded");
        Ok(Recorded::New(attribution))
    }

    /// The stored seller attribution of a receipt.
    pub fn attribution(&self, guid: ReceiptGuid) -> Result<Option<Attribution>, StoreError> {
        load_attribution(&self.conn, guid)
    }

    /// Replaces the sellers of a sale (a manager's correction), re-dividing the sale and its returns.
    ///
    /// A return of a sale made at another till has sellers of its own and is corrected the same way;
    /// a return of a sale held here follows that sale and is refused.
    ///
    /// Writes the audit entry (who, when, before, after) and the upstream
    /// correction event in the same transaction.
    pub fn replace_receipt_sellers(
        &mut self,
        guid: ReceiptGuid,
        codes: &[SellerCode],
        actor: &str,
    ) -> Result<Attribution, ReceiptRecordError> {
        let tx = self.write_transaction()?;
        // A return of a sale held here follows that sale; a return of a sale made elsewhere has its own sellers.
        let follows_sale: Option<bool> = tx
            .prepare_cached("SELECT original_guid IS NOT NULL FROM receipts WHERE guid = ?1")?
            .query_row([guid.to_string()], |row| row.get(0))
            .optional()?;
        match follows_sale {
            None => return Err(ReceiptRecordError::NotFound(guid)),
            Some(true) => return Err(ReceiptRecordError::ReturnSellers(guid)),
            Some(false) => {}
        }
        let mut seen = HashSet::new();
        let mut sellers = Vec::with_capacity(codes.len());
        for code in codes {
            if !seen.insert(code) {
                return Err(ReceiptError::DuplicateSeller(code.clone()).into());
            }
            let seller = seller_by_code(&tx, code)?
                .ok_or_else(|| ReceiptRecordError::UnknownSeller(code.clone()))?;
            sellers.push((seller.code, seller.name));
        }
        let before = load_attribution(&tx, guid)?.ok_or(ReceiptRecordError::NotFound(guid))?;
        let lines = stored_lines(&tx, guid)?;
        let amounts: Vec<Kopecks> = lines.iter().map(|l| l.amount).collect();
        let shares = match sellers.len() {
            0 => None,
            n => Some(split_sale(&amounts, n)?),
        };
        let numbers: Vec<u32> = lines.iter().map(|l| l.line_no).collect();
        let after = Attribution::new(guid, &sellers, &numbers, shares.as_ref());
        write_attribution(&tx, &after)?;
        let returns = returns_of(&tx, guid)?;
        let mut returns_after = Vec::with_capacity(returns.len());
        for (index, (return_guid, return_lines)) in returns.iter().enumerate() {
            let attribution = attribute_return(
                &lines,
                &sellers,
                &returns[..index],
                *return_guid,
                return_lines,
            )?;
            write_attribution(&tx, &attribution)?;
            returns_after.push(attribution);
        }
        let now = now_text();
        tx.execute(
            "INSERT INTO audit_log (at_utc, actor, action, subject, before_json, after_json)
             VALUES (?1, ?2, 'replace_receipt_sellers', ?3, ?4, ?5)",
            params![
                now,
                actor,
                guid.to_string(),
                to_json(&before)?,
                to_json(&after)?
            ],
        )?;
        let mut returns_closed = Vec::with_capacity(returns_after.len());
        for attribution in returns_after {
            let snapshot = stored_snapshot(&tx, attribution.receipt)?;
            returns_closed.push(ReceiptClosed {
                receipt: snapshot.receipt,
                customer: snapshot.customer,
                attribution,
            });
        }
        let payload = SellersCorrected {
            receipt: guid,
            corrected_by: actor.to_owned(),
            corrected_at: crate::time::from_text(&now)?,
            before,
            after: after.clone(),
            sale: stored_snapshot(&tx, guid)?,
            returns: returns_closed,
        };
        outbox::append(
            &tx,
            &event(EventKind::SellersCorrected, &guid.to_string(), &payload)?,
        )?;
        tx.commit()?;
        tracing::info!(receipt = %guid, sellers = after.sellers.len(), "receipt sellers corrected");
        Ok(after)
    }

    /// Records a shift 1C closed and answers its breakdown; queues it upstream.
    ///
    /// Idempotent by store, till and shift number. Receipts 1C lists that
    /// Naparnik never got, and receipts Naparnik holds for the period that 1C
    /// does not list, are reported and left out of the totals.
    pub fn close_shift(
        &mut self,
        shift: &Shift,
        till: &TillIdentity,
    ) -> Result<(ShiftReport, bool), ReceiptRecordError> {
        let tx = self.write_transaction()?;
        let content = to_json(shift)?;
        let stored: Option<(String, String)> = tx
            .prepare_cached("SELECT content_json, report_json FROM shifts WHERE store = ?1 AND till = ?2 AND number = ?3")?
            .query_row(params![shift.store, shift.till, shift.number], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        if let Some((stored_content, report)) = stored {
            if stored_content != content {
                return Err(ReceiptRecordError::ShiftConflict(shift.number));
            }
            let report = serde_json::from_str(&report)
                .map_err(|e| StoreError::InvalidStoredValue(e.to_string()))?;
            return Ok((report, true));
        }
        check_till(&shift.store, &shift.till, till)?;
        let report = shift_report(&tx, shift)?;
        tx.execute(
            "INSERT INTO shifts (store, till, number, opened_at_utc, closed_at_utc, content_json, report_json, received_at_utc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                shift.store,
                shift.till,
                shift.number,
                to_text(shift.opened_at.with_timezone(&Utc)),
                to_text(shift.closed_at.with_timezone(&Utc)),
                content,
                to_json(&report)?,
                now_text(),
            ],
        )?;
        let key = format!("shift:{}:{}:{}", shift.store, shift.till, shift.number);
        outbox::append(
            &tx,
            &event(
                EventKind::ShiftClosed,
                &key,
                &ShiftClosed {
                    report: report.clone(),
                },
            )?,
        )?;
        tx.commit()?;
        Ok((report, false))
    }
}

fn shift_report(conn: &Connection, shift: &Shift) -> Result<ShiftReport, StoreError> {
    let listed: Vec<ReceiptGuid> = {
        let mut seen = HashSet::new();
        shift
            .receipts
            .iter()
            .copied()
            .filter(|g| seen.insert(*g))
            .collect()
    };
    let mut in_period: Vec<ReceiptGuid> = Vec::new();
    {
        let mut statement = conn.prepare_cached(
            "SELECT guid FROM receipts WHERE store = ?1 AND till = ?2 AND closed_at_utc >= ?3 AND closed_at_utc <= ?4
             ORDER BY closed_at_utc",
        )?;
        let rows = statement.query_map(
            params![
                shift.store,
                shift.till,
                to_text(shift.opened_at.with_timezone(&Utc)),
                to_text(shift.closed_at.with_timezone(&Utc))
            ],
            |row| row.get::<_, String>(0),
        )?;
        for row in rows {
            let text = row?;
            in_period.push(
                ReceiptGuid::parse(&text).ok_or_else(|| StoreError::InvalidStoredValue(text))?,
            );
        }
    }
    let listed_set: HashSet<ReceiptGuid> = listed.iter().copied().collect();
    let mut report = ShiftReport {
        number: shift.number,
        store: shift.store.clone(),
        till: shift.till.clone(),
        opened_at: shift.opened_at,
        closed_at: shift.closed_at,
        receipts: 0,
        sales_total: Kopecks(0),
        returns_total: Kopecks(0),
        by_customer: Vec::new(),
        by_seller: Vec::new(),
        by_item: Vec::new(),
        missing_in_naparnik: Vec::new(),
        missing_in_1c: in_period
            .into_iter()
            .filter(|g| !listed_set.contains(g))
            .collect(),
    };
    let mut customers: BTreeMap<Option<String>, CustomerTotal> = BTreeMap::new();
    let mut sellers: BTreeMap<String, SellerTotal> = BTreeMap::new();
    let mut items: BTreeMap<(String, String, String), ItemTotal> = BTreeMap::new();
    for guid in listed {
        let row: Option<(String, i64, Option<String>, Option<i64>)> = conn
            .prepare_cached("SELECT kind, total_kopecks, customer_phone, customer_id FROM receipts WHERE guid = ?1")?
            .query_row([guid.to_string()], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
            .optional()?;
        let Some((kind, total, phone, customer_id)) = row else {
            report.missing_in_naparnik.push(guid);
            continue;
        };
        let sign = if kind == "return" { -1 } else { 1 };
        report.receipts += 1;
        if sign > 0 {
            report.sales_total += Kopecks(total);
        } else {
            report.returns_total += Kopecks(total);
        }
        let name = match customer_id {
            Some(id) => customer_by_id(conn, naparnik_domain::CustomerId(id))?.and_then(|c| c.name),
            None => None,
        };
        let customer = customers.entry(phone.clone()).or_insert(CustomerTotal {
            phone,
            name,
            receipts: 0,
            amount: Kopecks(0),
        });
        customer.receipts += 1;
        customer.amount += Kopecks(sign * total);
        if let Some(attribution) = load_attribution(conn, guid)? {
            for seller in attribution.sellers {
                let total = sellers.entry(seller.code.0.clone()).or_insert(SellerTotal {
                    code: seller.code,
                    name: seller.name,
                    receipts: 0,
                    amount: Kopecks(0),
                });
                total.receipts += 1;
                total.amount += Kopecks(sign * seller.amount.0);
            }
        }
        let mut statement = conn.prepare_cached(
            "SELECT sku, name, unit, quantity_milli, amount_kopecks FROM receipt_lines WHERE receipt_guid = ?1",
        )?;
        let lines = statement.query_map([guid.to_string()], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, i64>(4)?,
            ))
        })?;
        for line in lines {
            let (sku, name, unit, quantity, amount) = line?;
            let item = items
                .entry((sku.clone(), name.clone(), unit.clone()))
                .or_insert(ItemTotal {
                    sku,
                    name,
                    unit,
                    quantity: Quantity(0),
                    amount: Kopecks(0),
                });
            item.quantity = item.quantity + Quantity(sign * quantity);
            item.amount += Kopecks(sign * amount);
        }
    }
    report.by_customer = customers.into_values().collect();
    report.by_seller = sellers.into_values().collect();
    report.by_item = items.into_values().collect();
    Ok(report)
}

/// A receipt as the manager's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptSummary {
    /// 1C GUID.
    pub guid: ReceiptGuid,
    /// Printed number.
    pub number: String,
    /// When, UTC.
    pub closed_at_utc: chrono::DateTime<Utc>,
    /// Store offset, minutes east of UTC.
    pub utc_offset_minutes: i32,
    /// A return.
    pub is_return: bool,
    /// Its sellers can be replaced: a sale, or a return of a sale made elsewhere (other returns follow their sale).
    pub sellers_editable: bool,
    /// Customer phone, E.164.
    pub customer_phone: Option<String>,
    /// Total.
    pub total: Kopecks,
    /// Sellers with their amounts.
    pub sellers: Vec<SellerAmount>,
}

/// Which receipts the manager wants to see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptFilter {
    /// Seller code or part of a name.
    pub seller: Option<String>,
    /// Trailing digits of the customer's phone.
    pub phone_digits: Option<String>,
    /// Local date `YYYY-MM-DD` (in the receipt's own offset).
    pub date: Option<String>,
    /// Most rows.
    pub limit: usize,
}

impl Store {
    /// Receipts, newest first, filtered.
    pub fn receipt_summaries(
        &self,
        filter: &ReceiptFilter,
    ) -> Result<Vec<ReceiptSummary>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT r.guid, r.number, r.closed_at_utc, r.utc_offset_minutes, r.kind, r.customer_phone, r.total_kopecks,
                    r.original_guid IS NOT NULL
             FROM receipts r
             WHERE (?1 IS NULL OR r.customer_phone LIKE '%' || ?1)
               AND (?2 IS NULL OR date(r.closed_at_utc, printf('%+d minutes', r.utc_offset_minutes)) = ?2)
               AND (?3 IS NULL OR EXISTS (SELECT 1 FROM receipt_sellers s WHERE s.receipt_guid = r.guid
                        AND (s.seller_code = ?3 OR s.seller_name LIKE '%' || ?3 || '%')))
             ORDER BY r.closed_at_utc DESC LIMIT ?4",
        )?;
        let rows = statement.query_map(
            params![
                filter.phone_digits,
                filter.date,
                filter.seller,
                filter.limit.max(1) as i64
            ],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, i32>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, Option<String>>(5)?,
                    row.get::<_, i64>(6)?,
                    row.get::<_, bool>(7)?,
                ))
            },
        )?;
        let mut summaries = Vec::new();
        for row in rows {
            let (guid, number, closed_at, offset, kind, phone, total, follows_sale) = row?;
            let guid = ReceiptGuid::parse(&guid)
                .ok_or_else(|| StoreError::InvalidStoredValue(guid.clone()))?;
            let sellers = load_attribution(&self.conn, guid)?
                .map(|a| a.sellers)
                .unwrap_or_default();
            summaries.push(ReceiptSummary {
                guid,
                number,
                closed_at_utc: crate::time::from_text(&closed_at)?,
                utc_offset_minutes: offset,
                is_return: kind == "return",
                sellers_editable: !follows_sale,
                customer_phone: phone,
                total: Kopecks(total),
                sellers,
            });
        }
        Ok(summaries)
    }

    /// Per-seller net totals (sales minus returns) of this till since its last closed shift.
    pub fn current_shift_seller_totals(&self) -> Result<Vec<SellerTotal>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT s.seller_code, s.seller_name, count(*),
                    sum(CASE WHEN r.kind = 'return' THEN -s.amount_kopecks ELSE s.amount_kopecks END)
             FROM receipt_sellers s JOIN receipts r ON r.guid = s.receipt_guid
             WHERE r.closed_at_utc > coalesce((SELECT max(closed_at_utc) FROM shifts), '')
             GROUP BY s.seller_code ORDER BY 4 DESC",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(SellerTotal {
                code: SellerCode(row.get(0)?),
                name: row.get(1)?,
                receipts: row.get(2)?,
                amount: Kopecks(row.get(3)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The line amounts of a sale, in line order: what a new split is computed from.
    pub fn sale_line_amounts(&self, guid: ReceiptGuid) -> Result<Vec<Kopecks>, StoreError> {
        Ok(stored_lines(&self.conn, guid)?
            .into_iter()
            .map(|l| l.amount)
            .collect())
    }
}
