//! The transactional outbox: events written with the change they report, drained by the sync worker.

use naparnik_domain::{EventKind, OutboxEvent};
use rusqlite::{Connection, params};

use crate::sync::SyncEvent;
use crate::time::{from_text, to_text};
use crate::{Store, StoreError};

/// Appends an event inside the caller's transaction.
pub fn append(conn: &Connection, event: &OutboxEvent) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO outbox (event_id, kind, business_key, payload, created_at_utc) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        event.id.to_string(),
        event.kind.as_str(),
        event.business_key,
        event.payload.to_string(),
        to_text(event.created_at_utc),
    ])?;
    Ok(())
}

impl Store {
    /// Events in the order they were written, starting after sequence number `after_seq`.
    pub fn outbox_events(
        &self,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<(i64, OutboxEvent)>, StoreError> {
        let sql =
            format!("SELECT {EVENT_COLUMNS} FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2");
        let events = read_events(&self.conn, &sql, params![after_seq, limit as i64])?;
        Ok(events.into_iter().map(|e| (e.seq, e.event)).collect())
    }

    /// How many events the outbox holds.
    pub fn outbox_len(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM outbox", [], |row| {
                row.get::<_, i64>(0)
            })? as u64)
    }
}

/// The columns [`read_events`] expects, in order.
pub(crate) const EVENT_COLUMNS: &str = "seq, event_id, kind, business_key, payload, created_at_utc";

/// Runs a query selecting [`EVENT_COLUMNS`] and parses the rows.
pub(crate) fn read_events(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<SyncEvent>, StoreError> {
    let mut statement = conn.prepare_cached(sql)?;
    let rows = statement.query_map(params, |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, String>(5)?,
        ))
    })?;
    let mut events = Vec::new();
    for row in rows {
        let (seq, id, kind, business_key, payload, created_at) = row?;
        let invalid =
            |what: String| StoreError::InvalidStoredValue(format!("outbox event {seq}: {what}"));
        let id = id
            .parse()
            .map(naparnik_domain::EventId)
            .map_err(|_| invalid(format!("id `{id}`")))?;
        let kind = EventKind::from_name(&kind).ok_or_else(|| invalid(format!("kind `{kind}`")))?;
        let payload = serde_json::from_str(&payload).map_err(|e| invalid(e.to_string()))?;
        let event = OutboxEvent {
            id,
            kind,
            business_key,
            payload,
            created_at_utc: from_text(&created_at)?,
        };
        events.push(SyncEvent { seq, event });
    }
    Ok(events)
}
