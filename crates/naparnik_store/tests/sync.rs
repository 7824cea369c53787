//! Delivery state on real files: journaled batches, kinds, parking, retries, status.
#![expect(
    clippy::unwrap_used,
    reason = "helpers shared by tests: a failed unwrap is a failed test"
)]

use naparnik_domain::{EventKind, Phone};
use naparnik_store::Store;

const ALL: [EventKind; 5] = EventKind::ALL;
const SALES: [EventKind; 2] = [EventKind::SaleClosed, EventKind::ReturnClosed];

fn store_with_customers(count: usize) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_dir(dir.path()).unwrap();
    for i in 0..count {
        store
            .find_or_create_customer(&Phone::parse(&format!("+7951000{:04}", i)).unwrap())
            .unwrap();
    }
    (dir, store)
}

#[test]
fn a_journaled_batch_is_returned_again_until_completed_even_after_reopening() {
    let (dir, mut store) = store_with_customers(5);
    let batch = store.next_batch("ut", &ALL, 3).unwrap().unwrap();
    assert_eq!(batch.events.len(), 3);
    store
        .find_or_create_customer(&Phone::parse("+79519999999").unwrap())
        .unwrap();
    drop(store);
    let mut store = Store::open_in_dir(dir.path()).unwrap();
    let again = store.next_batch("ut", &ALL, 10).unwrap().unwrap();
    assert_eq!(
        again, batch,
        "the same batch, same id, whatever arrived since"
    );
    store.complete_batch(&again, &[]).unwrap();
    let next = store.next_batch("ut", &ALL, 10).unwrap().unwrap();
    assert_eq!(
        next.events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [4, 5, 6]
    );
    store.complete_batch(&next, &[]).unwrap();
    assert!(store.next_batch("ut", &ALL, 10).unwrap().is_none());
    assert_eq!(store.target_status("ut", &ALL).unwrap().backlog, 0);
}

#[test]
fn targets_skip_kinds_they_do_not_take_and_progress_independently() {
    let (_dir, mut store) = store_with_customers(3);
    assert!(store.next_batch("crm", &SALES, 10).unwrap().is_none());
    assert_eq!(store.target_status("crm", &SALES).unwrap().backlog, 0);
    assert_eq!(store.target_status("ut", &ALL).unwrap().backlog, 3);
}

#[test]
fn a_parked_event_holds_back_its_receipts_later_events_until_retried() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_dir(dir.path()).unwrap();
    let phone = Phone::parse("+79510000001").unwrap();
    store.find_or_create_customer(&phone).unwrap();
    store
        .find_or_create_customer(&Phone::parse("+79510000002").unwrap())
        .unwrap();
    let batch = store.next_batch("ut", &ALL, 10).unwrap().unwrap();
    store
        .complete_batch(&batch, &[(1, "rejected: unknown partner".into())])
        .unwrap();
    let status = store.target_status("ut", &ALL).unwrap();
    assert_eq!(status.parked.len(), 1);
    assert_eq!(status.parked[0].reason, "rejected: unknown partner");
    assert!(status.last_success_at_utc.is_some());

    // The same customer comes back after a removal: a second event with the same business key.
    {
        let conn = rusqlite::Connection::open(dir.path().join("naparnik.sqlite3")).unwrap();
        conn.execute("UPDATE customers SET removed_at_utc = '2026-01-01T00:00:00.000Z' WHERE phone = '+79510000001'", []).unwrap();
    }
    store.find_or_create_customer(&phone).unwrap();
    assert!(
        store.next_batch("ut", &ALL, 10).unwrap().is_none(),
        "waits behind the parked one"
    );
    let status = store.target_status("ut", &ALL).unwrap();
    assert_eq!(status.parked.len(), 2);
    assert!(
        status.parked[1]
            .reason
            .starts_with("waits for parked event 1")
    );

    assert_eq!(store.retry_parked(None).unwrap(), 2);
    let retry = store.next_batch("ut", &ALL, 10).unwrap().unwrap();
    assert!(retry.retry);
    assert_eq!(
        retry.events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [1, 3]
    );
    store.complete_batch(&retry, &[]).unwrap();
    assert!(store.target_status("ut", &ALL).unwrap().parked.is_empty());
    assert!(store.next_batch("ut", &ALL, 10).unwrap().is_none());
}

#[test]
fn failures_are_counted_and_the_batch_can_be_shrunk_to_find_the_bad_event() {
    let (_dir, mut store) = store_with_customers(4);
    let batch = store.next_batch("crm", &ALL, 10).unwrap().unwrap();
    let later = chrono::Utc::now() + chrono::Duration::seconds(30);
    assert_eq!(
        store
            .record_failure("crm", "connection refused", later)
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .record_failure("crm", "connection refused", later)
            .unwrap(),
        2
    );
    let status = store.target_status("crm", &ALL).unwrap();
    assert_eq!((status.failures, status.backlog), (2, 4));
    assert_eq!(status.last_error.as_deref(), Some("connection refused"));
    let single = store.shrink_batch(&batch).unwrap().unwrap();
    assert_eq!(single.events.len(), 1);
    assert_eq!(store.next_batch("crm", &ALL, 10).unwrap().unwrap(), single);
    store.complete_batch(&single, &[(1, "bad".into())]).unwrap();
    let rest = store.next_batch("crm", &ALL, 10).unwrap().unwrap();
    assert_eq!(
        rest.events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [2, 3, 4]
    );
}

#[test]
fn a_schema_1_file_upgrades_to_the_current_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("naparnik.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../migrations/0001_initial.sql"))
            .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO outbox (event_id, kind, business_key, payload, created_at_utc)
             VALUES ('0190c0de-0000-7000-8000-000000000001', 'customer_created', '+79510000001', '{}', '2026-11-22T09:00:00.000Z')",
            [],
        )
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        naparnik_store::migrations::LATEST_VERSION
    );
    assert_eq!(
        store
            .next_batch("ut", &ALL, 10)
            .unwrap()
            .unwrap()
            .events
            .len(),
        1,
        "old events are delivered"
    );
}
