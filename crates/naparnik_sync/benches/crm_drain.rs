//! Release benchmark: 10,000 queued sales drained to a fake retailCRM account and a fake
//! Bitrix24 portal on loopback, each enforcing the vendor's rate (retailCRM: 10 requests a
//! second per key; Bitrix24: a leaky bucket of 50 draining 2 a second, or 5 with
//! `NAPARNIK_BENCH_B24_RPS=5` for Enterprise plans). Prints wall time, requests, requests a
//! second and rate-limit answers; asserts only that every sale arrived exactly once.
//! `cargo bench -p naparnik_sync --bench crm_drain` (`NAPARNIK_BENCH_SALES=N` for another size).
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark that cannot set up has failed"
)]

#[path = "../../naparnik_upstream/tests/fakes/mod.rs"]
mod crm_fakes;
#[path = "../tests/fakes/mod.rs"]
#[expect(
    dead_code,
    reason = "the shared fakes hold helpers this benchmark does not use"
)]
mod fakes;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::FixedOffset;
use naparnik_store::Store;
use naparnik_sync::{Connector, SyncConfig, Target, push_target};
use naparnik_upstream::bitrix24::{Bitrix24, Bitrix24Settings};
use naparnik_upstream::retailcrm::{RetailCrm, RetailCrmSettings};

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

/// Pushes until the queue is empty; returns the wall time and the retryable errors met.
async fn drain(store: &Arc<Mutex<Store>>, config: &SyncConfig) -> (Duration, u32) {
    let started = Instant::now();
    let mut errors = 0;
    loop {
        let report = push_target(store, &config.targets[0], config)
            .await
            .unwrap();
        assert_eq!(report.parked, 0, "{report:?}");
        if let Some(error) = report.error {
            errors += 1;
            eprintln!("retryable: {error}");
            tokio::time::sleep(report.retry_after.unwrap_or_default()).await;
            continue;
        }
        if report.delivered == 0 {
            return (started.elapsed(), errors);
        }
    }
}

fn main() {
    let count: usize = std::env::var("NAPARNIK_BENCH_SALES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let b24_rate: u32 = std::env::var("NAPARNIK_BENCH_B24_RPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let offset = FixedOffset::east_opt(3 * 3600).unwrap();

        let state = Arc::new(Mutex::new(crm_fakes::retailcrm::RetailCrmFake {
            rate_per_second: Some(10),
            ..Default::default()
        }));
        let fake = crm_fakes::retailcrm::start(Arc::clone(&state)).await;
        let mut settings = RetailCrmSettings::new("crm", &fake.url, crm_fakes::retailcrm::API_KEY, "store-1");
        settings.payment_types = BTreeMap::from([("card".into(), "bank-card".into())]);
        let crm = RetailCrm::new(settings).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Mutex::new(queued_sales(dir.path(), count)));
        let mut config = SyncConfig::new(vec![Target { name: "crm".into(), connector: Connector::RetailCrm(crm.clone()) }], offset);
        config.backoff_base = Duration::from_millis(200);
        let (elapsed, errors) = drain(&store, &config).await;
        let (orders, limited) = {
            let state = state.lock().unwrap();
            (state.orders.len(), state.rate_limited)
        };
        assert_eq!(orders, count, "every sale is one order");
        let requests = crm.counters().requests();
        println!(
            "retailCRM (10 req/s per key): {count} sales in {:.1} s = {:.0} sales/s; {requests} requests = {:.2} req/s; {limited} answers 503 (each repeated), {errors} batches given back to the worker",
            elapsed.as_secs_f64(),
            count as f64 / elapsed.as_secs_f64(),
            requests as f64 / elapsed.as_secs_f64(),
        );

        let state = Arc::new(Mutex::new(crm_fakes::bitrix24::Bitrix24Fake {
            bucket: Some((if b24_rate >= 5 { 250.0 } else { 50.0 }, f64::from(b24_rate))),
            ..Default::default()
        }));
        let fake = crm_fakes::bitrix24::start(Arc::clone(&state)).await;
        let mut settings = Bitrix24Settings::new("b24", &format!("{}{}", fake.url, crm_fakes::bitrix24::WEBHOOK_PATH));
        settings.requests_per_second = b24_rate;
        let portal = Bitrix24::new(settings).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Mutex::new(queued_sales(dir.path(), count)));
        let mut config = SyncConfig::new(vec![Target { name: "b24".into(), connector: Connector::Bitrix24(portal.clone()) }], offset);
        config.backoff_base = Duration::from_millis(500);
        let (elapsed, errors) = drain(&store, &config).await;
        let (deals, limited) = {
            let state = state.lock().unwrap();
            (state.deals.len(), state.rate_limited)
        };
        assert_eq!(deals, count, "every sale is one deal");
        let requests = portal.counters().requests();
        println!(
            "Bitrix24 ({b24_rate} req/s drain, burst {}): {count} sales in {:.1} s = {:.0} sales/s; {requests} requests = {:.2} req/s; {limited} answers QUERY_LIMIT_EXCEEDED (each repeated), {errors} batches given back to the worker",
            if b24_rate >= 5 { 250 } else { 50 },
            elapsed.as_secs_f64(),
            count as f64 / elapsed.as_secs_f64(),
            requests as f64 / elapsed.as_secs_f64(),
        );
    });
}
