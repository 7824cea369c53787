//! Release benchmark of a long busy day: 1C posts receipts without pause
//! (two clients over real loopback HTTP, each commit fsynced) for
//! `NAPARNIK_BENCH_SECS` seconds (default 600). Reports the largest
//! write-ahead log seen (sampled every 100 ms), the p50/p99/max of a receipt
//! post, and how long the store takes to open again from the files as a
//! crash would leave them. Prints the figures; asserts nothing about time.
//! `NAPARNIK_BENCH_SECS=60 cargo bench -p naparnik_bridge --bench sustained`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use naparnik_bridge::{Bridge, BridgeConfig};
use naparnik_domain::{Seller, SellerCode};
use naparnik_store::receipts::TillIdentity;
use naparnik_store::{Store, wal};
use serde_json::{Value, json};

const TOKEN: &str = "bench-token";
const CLIENTS: usize = 2;
const LINES: i64 = 20;

fn receipt(index: usize) -> Value {
    let lines: Vec<Value> = (1..=LINES)
        .map(|n| {
            let amount = format!("{}.{:02}", 100 + n, n % 100);
            json!({ "line_no": n, "sku": format!("SKU{n:05}"), "name": format!("Товар {n}"), "unit": "шт",
                    "quantity": "1.000", "price": amount, "discount": "0.00", "amount": amount })
        })
        .collect();
    let total_kopecks: i64 = (1..=LINES).map(|n| (100 + n) * 100 + n % 100).sum();
    let total = format!("{}.{:02}", total_kopecks / 100, total_kopecks % 100);
    json!({
        "guid": format!("00000000-0000-4000-8000-{index:012}"), "number": format!("Б-{index}"), "kind": "sale",
        "closed_at": "2026-11-22T12:00:00+03:00", "store": "store-1", "till": "till-1", "cashier": "Кассир",
        "customer_phone": "+79513054436", "sellers": ["S1", "S2"], "lines": lines,
        "payments": [{ "kind": "card", "amount": total }], "total": total
    })
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn main() {
    let seconds: u64 = std::env::var("NAPARNIK_BENCH_SECS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(600);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut store = Store::open_in_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let database = store.path().to_owned();
    let sellers: Vec<Seller> = ["S1", "S2"]
        .iter()
        .map(|code| Seller {
            code: SellerCode((*code).into()),
            name: format!("Продавец {code}"),
            badge: None,
            active: true,
            onec_ref: None,
        })
        .collect();
    store
        .upsert_sellers(&sellers)
        .unwrap_or_else(|e| panic!("{e}"));
    let bridge = Bridge::new(
        BridgeConfig {
            till: TillIdentity {
                store: "store-1".into(),
                till: "till-1".into(),
            },
            token: TOKEN.into(),
            manager_pin: None,
            body_limit_bytes: naparnik_bridge::DEFAULT_BODY_LIMIT_BYTES,
            request_timeout: naparnik_bridge::DEFAULT_REQUEST_TIMEOUT,
        },
        store,
    );
    println!("posting receipts for {seconds} s with {CLIENTS} clients ({LINES} lines each)");

    let stop = Arc::new(AtomicBool::new(false));
    let largest_log = Arc::new(AtomicUsize::new(0));
    let sampler = {
        let (stop, largest_log, database) = (
            Arc::clone(&stop),
            Arc::clone(&largest_log),
            database.clone(),
        );
        std::thread::Builder::new()
            .name("bench-wal-sampler".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let bytes = usize::try_from(wal::log_bytes(&database)).unwrap_or(usize::MAX);
                    largest_log.fetch_max(bytes, Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
            .unwrap_or_else(|e| panic!("{e}"))
    };

    let started = Instant::now();
    let mut samples = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let base = format!(
            "http://{}",
            listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
        );
        let (router, _) = naparnik_bridge::router(Arc::clone(&bridge));
        tokio::spawn(naparnik_bridge::serve(
            listener,
            router,
            std::future::pending(),
        ));
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut tasks = Vec::new();
        for client_index in 0..CLIENTS {
            let (client, url) = (client.clone(), format!("{base}/api/v1/receipts"));
            tasks.push(tokio::spawn(async move {
                let mut samples = Vec::new();
                let mut index = client_index;
                while Instant::now() < deadline {
                    let body = receipt(index);
                    index += CLIENTS;
                    let posted = Instant::now();
                    let response = client
                        .post(&url)
                        .bearer_auth(TOKEN)
                        .json(&body)
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("{e}"));
                    assert!(response.status().is_success(), "{}", response.status());
                    let _ = response.bytes().await;
                    samples.push(posted.elapsed());
                }
                samples
            }));
        }
        let mut samples = Vec::new();
        for task in tasks {
            samples.extend(task.await.unwrap_or_default());
        }
        samples
    });
    let wall = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.join();

    // The files as a crash now would leave them: the log first, then the database
    // file (no writes are running, so the copy holds together), then open the copy.
    let crash = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let copy = crash.path().join(naparnik_store::DATABASE_FILE_NAME);
    let log_at_crash = wal::log_bytes(&database);
    if log_at_crash > 0 {
        std::fs::copy(wal::log_path(&database), wal::log_path(&copy))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::copy(&database, &copy).unwrap_or_else(|e| panic!("{e}"));
    let reopening = Instant::now();
    let reopened = Store::open(&copy).unwrap_or_else(|e| panic!("{e}"));
    let events = reopened.outbox_len().unwrap_or_else(|e| panic!("{e}"));
    let reopen = reopening.elapsed();

    samples.sort();
    let at = |p: f64| millis(samples[((samples.len() - 1) as f64 * p).round() as usize]);
    println!(
        "POST receipt, {} posted in {:.0} s ({:.0}/s): p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
        samples.len(),
        wall.as_secs_f64(),
        samples.len() as f64 / wall.as_secs_f64(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
    println!(
        "largest write-ahead log: {:.1} MiB (limit {} MiB); database file {:.1} MiB",
        largest_log.load(Ordering::Relaxed) as f64 / f64::from(1u32 << 20),
        wal::DEFAULT_LOG_LIMIT_BYTES >> 20,
        std::fs::metadata(&database).map_or(0, |m| m.len()) as f64 / f64::from(1u32 << 20),
    );
    println!(
        "reopen after a crash: {:.1} ms with a {:.1} MiB log ({events} outbox events)",
        millis(reopen),
        log_at_crash as f64 / f64::from(1u32 << 20),
    );
}
