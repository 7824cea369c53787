//! Release benchmarks of the sync worker: draining 100,000 queued sales to the CRM folder and to
//! a loopback UT, and the time from a recorded receipt to the receiver while online.
//! `cargo bench -p naparnik_sync --bench drain` (`NAPARNIK_BENCH_SALES=N` for another size).
//! Prints the figures; asserts only that everything arrived.
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark that cannot set up has failed"
)]

#[path = "../tests/fakes/mod.rs"]
#[expect(
    dead_code,
    reason = "the shared fakes hold helpers this benchmark does not use"
)]
mod fakes;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::FixedOffset;
use naparnik_store::Store;
use naparnik_sync::{Connector, SyncConfig, Target, push_target};
use naparnik_upstream::crm_dir::CrmDirectory;
use naparnik_upstream::ut::UtClient;

/// A store holding `count` queued sale events: one real recorded sale, cloned with distinct GUIDs.
fn queued_sales(dir: &std::path::Path, count: usize) -> Store {
    let mut store = fakes::store_with_sellers(dir);
    store
        .record_receipt(&fakes::sale(1, 3), &fakes::till())
        .unwrap();
    let template_guid = fakes::guid(1).to_string();
    let conn = rusqlite::Connection::open(dir.join("naparnik.sqlite3")).unwrap();
    let (kind, payload): (String, String) = conn
        .query_row(
            "SELECT kind, payload FROM outbox WHERE kind = 'sale_closed'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    conn.execute("DELETE FROM outbox", []).unwrap();
    conn.execute_batch("BEGIN").unwrap();
    {
        let mut insert = conn
            .prepare("INSERT INTO outbox (event_id, kind, business_key, payload, created_at_utc) VALUES (?1, ?2, ?3, ?4, ?5)")
            .unwrap();
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        for i in 0..count {
            let guid = format!("00000000-0000-4000-9000-{i:012}");
            let event_id = format!("0190c0de-0000-7000-8000-{i:012}");
            insert
                .execute(rusqlite::params![
                    event_id,
                    kind,
                    guid,
                    payload.replace(&template_guid, &guid),
                    now
                ])
                .unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    store
}

async fn drain(store: &Arc<Mutex<Store>>, config: &SyncConfig) -> Duration {
    let started = Instant::now();
    loop {
        let report = push_target(store, &config.targets[0], config)
            .await
            .unwrap();
        assert!(report.error.is_none(), "{report:?}");
        if report.delivered == 0 {
            return started.elapsed();
        }
    }
}

fn main() {
    let count: usize = std::env::var("NAPARNIK_BENCH_SALES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let offset = FixedOffset::east_opt(3 * 3600).unwrap();

        let dir = tempfile::tempdir().unwrap();
        let crm = tempfile::tempdir().unwrap();
        let store = Arc::new(Mutex::new(queued_sales(dir.path(), count)));
        let folder = CrmDirectory { sales_dir: crm.path().to_owned(), customers_dir: None, store: "store-1".into(), till: "till-1".into() };
        let config = SyncConfig::new(vec![Target { name: "crm".into(), connector: Connector::CrmFolder(folder) }], offset);
        let elapsed = drain(&store, &config).await;
        let files = std::fs::read_dir(crm.path()).unwrap().filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "xml")).count();
        println!(
            "CRM folder: {count} sales in {:.2} s = {:.0} sales/s ({files} files of {} sales, each fsynced and renamed)",
            elapsed.as_secs_f64(),
            count as f64 / elapsed.as_secs_f64(),
            config.batch_size
        );

        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Mutex::new(queued_sales(dir.path(), count)));
        let (base, state) = fakes::start_ut().await;
        let client = UtClient::new(base, "u".into(), "p".into(), "store-1".into(), "till-1".into()).unwrap();
        let config = SyncConfig::new(vec![Target { name: "ut".into(), connector: Connector::Ut(client) }], offset);
        let elapsed = drain(&store, &config).await;
        assert_eq!(state.lock().unwrap().applied.len(), count);
        println!(
            "UT over loopback HTTP: {count} sales in {:.2} s = {:.0} sales/s ({} requests of {} events)",
            elapsed.as_secs_f64(),
            count as f64 / elapsed.as_secs_f64(),
            count.div_ceil(config.batch_size),
            config.batch_size
        );

        let dir = tempfile::tempdir().unwrap();
        drop(fakes::store_with_sellers(dir.path()));
        let (base, state) = fakes::start_ut().await;
        let client = UtClient::new(base, "u".into(), "p".into(), "store-1".into(), "till-1".into()).unwrap();
        let config = SyncConfig::new(vec![Target { name: "ut".into(), connector: Connector::Ut(client) }], offset);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let worker = tokio::spawn(naparnik_sync::Worker::new(dir.path().join("naparnik.sqlite3"), config).run(stopped));
        let mut store = Store::open_in_dir(dir.path()).unwrap();
        const RECEIPTS: u32 = 300;
        for n in 1..=RECEIPTS {
            store.record_receipt(&fakes::sale(n, 3), &fakes::till()).unwrap();
            tokio::time::sleep(Duration::from_millis(fastrand::u64(5..40))).await;
        }
        let events = store.outbox_events(0, 10_000).unwrap();
        let started = Instant::now();
        while state.lock().unwrap().applied.len() < events.len() && started.elapsed() < Duration::from_secs(30) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let _ = stop.send(true);
        worker.await.unwrap().unwrap();
        let s = state.lock().unwrap();
        let mut latencies: Vec<f64> = events
            .iter()
            .filter(|(_, e)| e.kind == naparnik_domain::EventKind::SaleClosed)
            .map(|(_, e)| (s.applied_at[&e.id.to_string()] - e.created_at_utc).num_microseconds().unwrap() as f64 / 1000.0)
            .collect();
        latencies.sort_by(f64::total_cmp);
        let at = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];
        println!(
            "receipt to UT while online: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms ({} receipts, idle poll {} ms)",
            at(0.5),
            at(0.99),
            at(1.0),
            latencies.len(),
            200
        );
    });
}
