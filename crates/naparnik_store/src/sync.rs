//! Delivery state of the outbox, per upstream target.
//!
//! What to send next is a pure function of stored rows: events after the
//! target's `done_through_seq`, minus parked ones, in outbox order. A batch is
//! journaled before it is sent; until it is completed every call returns the
//! same batch, so a crash between "sent" and "recorded" resends exactly what
//! the receiver may already have, under the same idempotency keys.

use chrono::{DateTime, Utc};
use naparnik_domain::{EventKind, OutboxEvent};
use rusqlite::{Connection, OptionalExtension, params};

use crate::outbox::{EVENT_COLUMNS, read_events};
use crate::time::{from_text, now_text, to_text};
use crate::{Store, StoreError};

/// One outbox event with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncEvent {
    /// Position in the outbox.
    pub seq: i64,
    /// The event.
    pub event: OutboxEvent,
}

/// A batch of events for one target.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The target it goes to.
    pub target: String,
    /// Stable id: the same batch always has the same id (file names, idempotency keys).
    pub id: String,
    /// The events, in outbox order.
    pub events: Vec<SyncEvent>,
    /// True for a batch of parked events that IT asked to retry.
    pub retry: bool,
}

/// What IT sees about a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetStatus {
    /// Target name.
    pub target: String,
    /// Events waiting to be delivered.
    pub backlog: u64,
    /// When the oldest waiting event was written.
    pub oldest_pending_at_utc: Option<DateTime<Utc>>,
    /// Last successful delivery.
    pub last_success_at_utc: Option<DateTime<Utc>>,
    /// Last error, if the target is failing now or failed last.
    pub last_error: Option<String>,
    /// When the last error happened.
    pub last_error_at_utc: Option<DateTime<Utc>>,
    /// Failures in a row.
    pub failures: u32,
    /// When the next attempt is due after failures.
    pub next_attempt_at_utc: Option<DateTime<Utc>>,
    /// Parked events (refused for good, waiting for IT).
    pub parked: Vec<ParkedEvent>,
}

/// An event a target refused for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParkedEvent {
    /// Outbox position.
    pub seq: i64,
    /// What it was.
    pub kind: String,
    /// Which receipt or customer.
    pub business_key: String,
    /// Why it was refused.
    pub reason: String,
    /// `parked`, or `retry` once IT asked for a retry.
    pub state: String,
}

/// `sync_progress` as read: last success, last error, its time, failures, next attempt.
type ProgressRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    u32,
    Option<String>,
);

fn kinds_sql(kinds: &[EventKind]) -> String {
    let names: Vec<String> = kinds.iter().map(|k| format!("'{}'", k.as_str())).collect();
    names.join(",")
}

fn done_through(conn: &Connection, target: &str) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT done_through_seq FROM sync_progress WHERE target = ?1")?
        .query_row([target], |row| row.get(0))
        .optional()?
        .unwrap_or(0))
}

fn ensure_progress(conn: &Connection, target: &str) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT OR IGNORE INTO sync_progress (target) VALUES (?1)")?
        .execute([target])?;
    Ok(())
}

fn batch_id(target: &str, events: &[SyncEvent], retry: bool) -> String {
    let first = events.first().map_or(0, |e| e.seq);
    let last = events.last().map_or(0, |e| e.seq);
    format!(
        "{target}-{}{first:012}-{last:012}",
        if retry { "retry-" } else { "" }
    )
}

impl Store {
    /// The batch to deliver next to `target`: the journaled one if any, else a new one of up to `limit` events of `kinds`.
    ///
    /// Events of other kinds are skipped (the target does not take them). An
    /// event whose receipt already has a parked event is parked behind it, so
    /// a receipt's events never arrive out of order.
    pub fn next_batch(
        &mut self,
        target: &str,
        kinds: &[EventKind],
        limit: usize,
    ) -> Result<Option<Batch>, StoreError> {
        let tx = self.write_transaction()?;
        ensure_progress(&tx, target)?;
        let journaled: Option<(String, String, bool)> = tx
            .prepare_cached(
                "SELECT batch_id, seqs_json, retry FROM sync_batches WHERE target = ?1",
            )?
            .query_row([target], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .optional()?;
        if let Some((id, seqs, retry)) = journaled {
            let seqs: Vec<i64> = serde_json::from_str(&seqs)
                .map_err(|e| StoreError::InvalidStoredValue(e.to_string()))?;
            let list = seqs
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let sql =
                format!("SELECT {EVENT_COLUMNS} FROM outbox WHERE seq IN ({list}) ORDER BY seq");
            let events = read_events(&tx, &sql, [])?;
            tx.commit()?;
            return Ok(Some(Batch {
                target: target.to_owned(),
                id,
                events,
                retry,
            }));
        }
        let retry_sql = format!(
            "SELECT {EVENT_COLUMNS} FROM outbox WHERE seq IN
               (SELECT event_seq FROM sync_parked WHERE target = ?1 AND state = 'retry') ORDER BY seq LIMIT ?2"
        );
        let retries = read_events(&tx, &retry_sql, params![target, limit as i64])?;
        let (events, retry) = if retries.is_empty() {
            (self::fresh_events(&tx, target, kinds, limit)?, false)
        } else {
            tx.execute(
                &format!(
                    "DELETE FROM sync_parked WHERE target = ?1 AND event_seq IN ({})",
                    retries
                        .iter()
                        .map(|e| e.seq.to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                [target],
            )?;
            (retries, true)
        };
        if events.is_empty() {
            tx.commit()?;
            return Ok(None);
        }
        let id = batch_id(target, &events, retry);
        let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
        tx.prepare_cached(
            "INSERT INTO sync_batches (target, batch_id, seqs_json, retry, started_at_utc) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![target, id, serde_json::to_string(&seqs).unwrap_or_default(), retry, now_text()])?;
        tx.commit()?;
        Ok(Some(Batch {
            target: target.to_owned(),
            id,
            events,
            retry,
        }))
    }

    /// Records a delivered batch: `rejected` events are parked with their reasons, the rest are done.
    pub fn complete_batch(
        &mut self,
        batch: &Batch,
        rejected: &[(i64, String)],
    ) -> Result<(), StoreError> {
        let tx = self.write_transaction()?;
        let now = now_text();
        for (seq, reason) in rejected {
            if let Some(event) = batch.events.iter().find(|e| e.seq == *seq) {
                park(&tx, &batch.target, event, reason, &now)?;
            }
        }
        tx.prepare_cached("DELETE FROM sync_batches WHERE target = ?1")?
            .execute([&batch.target])?;
        if !batch.retry {
            let last = batch.events.iter().map(|e| e.seq).max().unwrap_or(0);
            tx.prepare_cached(
                "UPDATE sync_progress SET done_through_seq = max(done_through_seq, ?2) WHERE target = ?1",
            )?
            .execute(params![batch.target, last])?;
        }
        tx.prepare_cached(
            "UPDATE sync_progress SET last_success_at_utc = ?2, failures = 0, next_attempt_at_utc = NULL WHERE target = ?1",
        )?
        .execute(params![batch.target, now])?;
        tx.commit()?;
        Ok(())
    }

    /// Cuts the journaled batch down to its first event, to find which event a target refuses.
    pub fn shrink_batch(&mut self, batch: &Batch) -> Result<Option<Batch>, StoreError> {
        let Some(first) = batch.events.first() else {
            return Ok(None);
        };
        let single = vec![first.clone()];
        let id = batch_id(&batch.target, &single, batch.retry);
        let tx = self.write_transaction()?;
        tx.prepare_cached(
            "UPDATE sync_batches SET batch_id = ?2, seqs_json = ?3 WHERE target = ?1",
        )?
        .execute(params![batch.target, id, format!("[{}]", first.seq)])?;
        if batch.retry {
            // The others go back to the retry queue.
            for event in &batch.events[1..] {
                park(&tx, &batch.target, event, "retry requested", &now_text())?;
                tx.execute(
                    "UPDATE sync_parked SET state = 'retry' WHERE target = ?1 AND event_seq = ?2",
                    params![batch.target, event.seq],
                )?;
            }
        }
        tx.commit()?;
        Ok(Some(Batch {
            target: batch.target.clone(),
            id,
            events: single,
            retry: batch.retry,
        }))
    }

    /// Records a failed attempt; the batch stays journaled for the next one.
    pub fn record_failure(
        &mut self,
        target: &str,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        ensure_progress(&self.conn, target)?;
        self.conn
            .prepare_cached(
                "UPDATE sync_progress SET last_error = ?2, last_error_at_utc = ?3, failures = failures + 1,
                        next_attempt_at_utc = ?4 WHERE target = ?1",
            )?
            .execute(params![target, error, now_text(), to_text(next_attempt_at)])?;
        Ok(self.conn.query_row(
            "SELECT failures FROM sync_progress WHERE target = ?1",
            [target],
            |row| row.get(0),
        )?)
    }

    /// Puts parked events back in line (all targets, or one); returns how many.
    pub fn retry_parked(&mut self, target: Option<&str>) -> Result<u64, StoreError> {
        let changed = match target {
            Some(target) => self.conn.execute(
                "UPDATE sync_parked SET state = 'retry' WHERE target = ?1 AND state = 'parked'",
                [target],
            )?,
            None => self.conn.execute(
                "UPDATE sync_parked SET state = 'retry' WHERE state = 'parked'",
                [],
            )?,
        };
        Ok(changed as u64)
    }

    /// Backlog, last success and error, parked events of a target that takes `kinds`.
    pub fn target_status(
        &self,
        target: &str,
        kinds: &[EventKind],
    ) -> Result<TargetStatus, StoreError> {
        let done = done_through(&self.conn, target)?;
        let journaled: Option<String> = self
            .conn
            .query_row(
                "SELECT seqs_json FROM sync_batches WHERE target = ?1",
                [target],
                |row| row.get(0),
            )
            .optional()?;
        let first_journaled: i64 = journaled
            .and_then(|s| serde_json::from_str::<Vec<i64>>(&s).ok())
            .and_then(|seqs| seqs.first().copied())
            .map_or(i64::MAX, |first| first - 1);
        let since = done.min(first_journaled);
        let (backlog, oldest): (i64, Option<String>) = self.conn.query_row(
            &format!(
                "SELECT count(*), min(created_at_utc) FROM outbox WHERE seq > ?1 AND kind IN ({})
                 AND seq NOT IN (SELECT event_seq FROM sync_parked WHERE target = ?2 AND state = 'parked')",
                kinds_sql(kinds)
            ),
            params![since, target],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let retries: i64 = self.conn.query_row(
            "SELECT count(*) FROM sync_parked WHERE target = ?1 AND state = 'retry' AND event_seq <= ?2",
            params![target, since],
            |row| row.get(0),
        )?;
        let progress: Option<ProgressRow> = self
            .conn
            .query_row(
                "SELECT last_success_at_utc, last_error, last_error_at_utc, failures, next_attempt_at_utc
                 FROM sync_progress WHERE target = ?1",
                [target],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)),
            )
            .optional()?;
        let (success, error, error_at, failures, next) = progress.unwrap_or_default();
        let mut statement = self.conn.prepare_cached(
            "SELECT p.event_seq, o.kind, p.business_key, p.reason, p.state FROM sync_parked p
             JOIN outbox o ON o.seq = p.event_seq WHERE p.target = ?1 ORDER BY p.event_seq",
        )?;
        let parked = statement
            .query_map([target], |row| {
                Ok(ParkedEvent {
                    seq: row.get(0)?,
                    kind: row.get(1)?,
                    business_key: row.get(2)?,
                    reason: row.get(3)?,
                    state: row.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let parse = |text: Option<String>| text.as_deref().map(from_text).transpose();
        Ok(TargetStatus {
            target: target.to_owned(),
            backlog: (backlog + retries) as u64,
            oldest_pending_at_utc: parse(oldest)?,
            last_success_at_utc: parse(success)?,
            last_error: error,
            last_error_at_utc: parse(error_at)?,
            failures,
            next_attempt_at_utc: parse(next)?,
            parked,
        })
    }

    /// A pull cursor (e.g. the last `changed_since` a target answered).
    pub fn sync_cursor(&self, target: &str, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM sync_cursors WHERE target = ?1 AND name = ?2")?
            .query_row([target, name], |row| row.get(0))
            .optional()?)
    }

    /// Stores a pull cursor.
    pub fn set_sync_cursor(
        &mut self,
        target: &str,
        name: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO sync_cursors (target, name, value, updated_at_utc) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (target, name) DO UPDATE SET value = excluded.value, updated_at_utc = excluded.updated_at_utc",
            )?
            .execute(params![target, name, value, now_text()])?;
        Ok(())
    }
}

/// Events after the target's cursor, of the kinds it takes; events behind a parked one of the same receipt are parked too.
fn fresh_events(
    conn: &Connection,
    target: &str,
    kinds: &[EventKind],
    limit: usize,
) -> Result<Vec<SyncEvent>, StoreError> {
    let mut after = done_through(conn, target)?;
    let now = now_text();
    loop {
        let sql =
            format!("SELECT {EVENT_COLUMNS} FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2");
        let scanned = read_events(conn, &sql, params![after, limit as i64])?;
        let Some(last) = scanned.last().map(|e| e.seq) else {
            return Ok(Vec::new());
        };
        let mut events = Vec::new();
        let mut skipped_through = after;
        for event in scanned {
            if !kinds.contains(&event.event.kind) {
                if events.is_empty() {
                    skipped_through = event.seq;
                }
                continue;
            }
            let blocker: Option<i64> = conn
                .prepare_cached("SELECT min(event_seq) FROM sync_parked WHERE target = ?1 AND business_key = ?2")?
                .query_row(params![target, event.event.business_key], |row| row.get(0))?;
            if let Some(blocker) = blocker {
                park(
                    conn,
                    target,
                    &event,
                    &format!("waits for parked event {blocker} of the same receipt"),
                    &now,
                )?;
                if events.is_empty() {
                    skipped_through = event.seq;
                }
                continue;
            }
            events.push(event);
        }
        if skipped_through > after {
            conn.prepare_cached("UPDATE sync_progress SET done_through_seq = max(done_through_seq, ?2) WHERE target = ?1")?
                .execute(params![target, skipped_through])?;
        }
        if !events.is_empty() {
            return Ok(events);
        }
        after = last;
    }
}

fn park(
    conn: &Connection,
    target: &str,
    event: &SyncEvent,
    reason: &str,
    now: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO sync_parked (target, event_seq, business_key, reason, state, parked_at_utc)
         VALUES (?1, ?2, ?3, ?4, 'parked', ?5)
         ON CONFLICT (target, event_seq) DO UPDATE SET reason = excluded.reason, state = 'parked'",
    )?
    .execute(params![
        target,
        event.seq,
        event.event.business_key,
        reason,
        now
    ])?;
    tracing::warn!(
        target,
        seq = event.seq,
        kind = event.event.kind.as_str(),
        reason,
        "event parked"
    );
    Ok(())
}
