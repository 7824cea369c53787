//! Release benchmark of the bridge over real loopback HTTP: latency of reading
//! the assignment and of posting a 50-line receipt (each commit fsynced), and
//! requests per second. `cargo bench -p naparnik_bridge --bench loopback`.
//! Prints the figures; asserts nothing about time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use naparnik_bridge::{Bridge, BridgeConfig};
use naparnik_domain::{Seller, SellerCode};
use naparnik_store::Store;
use naparnik_store::receipts::TillIdentity;
use serde_json::{Value, json};

const TOKEN: &str = "bench-token";
const READS: usize = 5_000;
const RECEIPTS: usize = 2_000;
const CONCURRENT_CLIENTS: usize = 4;

fn receipt(index: usize) -> Value {
    let lines: Vec<Value> = (1..=50)
        .map(|n| {
            let amount = format!("{}.{:02}", 100 + n, n % 100);
            json!({ "line_no": n, "sku": format!("SKU{n:05}"), "name": format!("Товар {n}"), "unit": "шт",
                    "quantity": "1.000", "price": amount, "discount": "0.00", "amount": amount })
        })
        .collect();
    let total_kopecks: i64 = (1..=50).map(|n| (100 + n) * 100 + n % 100).sum();
    let total = format!("{}.{:02}", total_kopecks / 100, total_kopecks % 100);
    json!({
        "guid": format!("00000000-0000-4000-8000-{index:012}"), "number": format!("Б-{index}"), "kind": "sale",
        "closed_at": "2026-11-22T12:00:00+03:00", "store": "store-1", "till": "till-1", "cashier": "Кассир",
        "customer_phone": "+79513054436", "sellers": ["S1", "S2", "S3"], "lines": lines,
        "payments": [{ "kind": "card", "amount": total }], "total": total
    })
}

fn summary(label: &str, mut samples: Vec<Duration>, wall: Duration) {
    samples.sort();
    let at =
        |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3;
    println!(
        "{label:<34} p50 {:>6.3} ms  p99 {:>6.3} ms  max {:>6.3} ms  {:>7.0} req/s  ({} requests)",
        at(0.5),
        at(0.99),
        at(1.0),
        samples.len() as f64 / wall.as_secs_f64(),
        samples.len()
    );
}

async fn timed(request: reqwest::RequestBuilder) -> Duration {
    let started = Instant::now();
    let response = request
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(response.status().is_success(), "{}", response.status());
    let _ = response.bytes().await;
    started.elapsed()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut store = Store::open_in_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let sellers: Vec<Seller> = ["S1", "S2", "S3"]
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

        let assign = |path: &str, body: Value| {
            client
                .request(reqwest::Method::PUT, format!("{base}{path}"))
                .json(&body)
        };
        timed(assign(
            "/api/v1/assignment/customer",
            json!({ "phone": "89513054436" }),
        ))
        .await;
        for code in ["S1", "S2", "S3"] {
            timed(
                client
                    .post(format!("{base}/api/v1/assignment/sellers"))
                    .json(&json!({ "code": code })),
            )
            .await;
        }

        let started = Instant::now();
        let mut samples = Vec::with_capacity(READS);
        for _ in 0..READS {
            samples.push(timed(client.get(format!("{base}/api/v1/assignment"))).await);
        }
        summary("GET assignment (sequential)", samples, started.elapsed());

        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..CONCURRENT_CLIENTS {
            let client = client.clone();
            let url = format!("{base}/api/v1/assignment");
            tasks.push(tokio::spawn(async move {
                let mut samples = Vec::with_capacity(READS);
                for _ in 0..READS {
                    samples.push(timed(client.get(&url)).await);
                }
                samples
            }));
        }
        let mut samples = Vec::new();
        for task in tasks {
            samples.extend(task.await.unwrap_or_default());
        }
        summary(
            &format!("GET assignment ({CONCURRENT_CLIENTS} clients)"),
            samples,
            started.elapsed(),
        );

        let bodies: Vec<Value> = (0..RECEIPTS).map(receipt).collect();
        let started = Instant::now();
        let mut samples = Vec::with_capacity(RECEIPTS);
        for body in &bodies {
            samples.push(timed(client.post(format!("{base}/api/v1/receipts")).json(body)).await);
        }
        summary(
            "POST 50-line receipt (new, fsync)",
            samples,
            started.elapsed(),
        );

        let started = Instant::now();
        let mut samples = Vec::with_capacity(RECEIPTS);
        for body in &bodies {
            samples.push(timed(client.post(format!("{base}/api/v1/receipts")).json(body)).await);
        }
        summary("POST 50-line receipt (repeat)", samples, started.elapsed());
    });
}
