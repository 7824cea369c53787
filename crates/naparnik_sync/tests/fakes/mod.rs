//! Fake receivers on loopback that misbehave on purpose, and helpers to fill a store with sales.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::DateTime;
use naparnik_domain::receipt::Payment;
use naparnik_domain::{
    Kopecks, Phone, Quantity, Receipt, ReceiptGuid, ReceiptKind, ReceiptLine, Seller, SellerCode,
};
use naparnik_store::Store;
use naparnik_store::receipts::TillIdentity;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the fake UT has seen and how it should misbehave next.
#[derive(Default)]
pub struct UtState {
    /// Times each event id was applied (a key-checking receiver keeps this at 1).
    pub applied: HashMap<String, u32>,
    /// Times each event id arrived at all.
    pub received: HashMap<String, u32>,
    /// Applied events in arrival order: (business key, event id, kind).
    pub order: Vec<(String, String, String)>,
    /// Answer 500 to this many next requests.
    pub fail_next: u32,
    /// Answer this many next requests only after a long pause.
    pub slow_next: u32,
    /// Business keys whose events are rejected as wrong.
    pub reject_keys: HashSet<String>,
    /// Customers to hand out on the first pull.
    pub customers: Vec<Value>,
    /// Sellers to hand out on the first pull.
    pub sellers: Vec<Value>,
    /// The applied events by id.
    pub payloads: HashMap<String, Value>,
    /// When each event was applied, for latency measurements.
    pub applied_at: HashMap<String, chrono::DateTime<chrono::Utc>>,
    /// Every answer to events comes this late (after applying): widens the window a crash can hit.
    pub answer_delay: Duration,
}

pub type SharedUt = Arc<Mutex<UtState>>;

async fn events(State(state): State<SharedUt>, Json(body): Json<Value>) -> impl IntoResponse {
    let (fail, slow) = {
        let mut s = state.lock().unwrap();
        let fail = s.fail_next > 0;
        if fail {
            s.fail_next -= 1;
        }
        let slow = !fail && s.slow_next > 0;
        if slow {
            s.slow_next -= 1;
        }
        (fail, slow)
    };
    if fail {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": "database is locked"})),
        )
            .into_response();
    }
    let mut results = Vec::new();
    {
        let mut s = state.lock().unwrap();
        for event in body["events"].as_array().unwrap() {
            let id = event["id"].as_str().unwrap().to_owned();
            let key = event["business_key"].as_str().unwrap().to_owned();
            *s.received.entry(id.clone()).or_default() += 1;
            if s.reject_keys.contains(&key) {
                results
                    .push(json!({"id": id, "status": "rejected", "reason": "Партнер не найден"}));
            } else if s.applied.contains_key(&id) {
                results.push(json!({"id": id, "status": "duplicate"}));
            } else {
                s.applied.insert(id.clone(), 1);
                s.payloads.insert(id.clone(), event.clone());
                s.applied_at.insert(id.clone(), chrono::Utc::now());
                let kind = event["kind"].as_str().unwrap().to_owned();
                s.order.push((key, id.clone(), kind));
                results.push(json!({"id": id, "status": "applied"}));
            }
        }
    }
    let delay = state.lock().unwrap().answer_delay;
    tokio::time::sleep(delay).await;
    if slow {
        // Applied, but the answer comes after the client gave up: the resend must not apply twice.
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    Json(json!({ "results": results })).into_response()
}

async fn customers(
    State(state): State<SharedUt>,
    Query(query): Query<HashMap<String, String>>,
) -> Json<Value> {
    let s = state.lock().unwrap();
    let items = if query.get("since").is_none_or(|s| s.is_empty()) {
        s.customers.clone()
    } else {
        Vec::new()
    };
    Json(json!({ "items": items, "cursor": "c1", "more": false }))
}

async fn sellers(
    State(state): State<SharedUt>,
    Query(query): Query<HashMap<String, String>>,
) -> Json<Value> {
    let s = state.lock().unwrap();
    let items = if query.get("since").is_none_or(|s| s.is_empty()) {
        s.sellers.clone()
    } else {
        Vec::new()
    };
    Json(json!({ "items": items, "cursor": "s1", "more": false }))
}

/// Starts the fake UT on `listener`.
pub fn serve_ut(listener: TcpListener, state: SharedUt) {
    let app = Router::new()
        .route("/events", post(events))
        .route("/customers", get(customers))
        .route("/sellers", get(sellers))
        .with_state(state);
    tokio::spawn(async move { axum::serve(listener, app).await });
}

/// Starts the fake UT on a free port; returns its base URL and state.
pub async fn start_ut() -> (String, SharedUt) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = SharedUt::default();
    serve_ut(listener, state.clone());
    (base, state)
}

/// A proxy in front of `backend` that, for the first `resets` connections, forwards the request,
/// lets the backend apply it, and then cuts the answer in the middle of its body.
pub async fn start_resetting_proxy(backend: SocketAddr, resets: u32) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let remaining = Arc::new(Mutex::new(resets));
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let remaining = remaining.clone();
            tokio::spawn(async move {
                let cut = {
                    let mut r = remaining.lock().unwrap();
                    let cut = *r > 0;
                    if cut {
                        *r -= 1;
                    }
                    cut
                };
                let _ = proxy_one(client, backend, cut).await;
            });
        }
    });
    format!("http://{address}")
}

async fn read_message(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            return Ok(data);
        }
        data.extend_from_slice(&buffer[..n]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return Ok(data);
            }
        }
    }
}

async fn proxy_one(mut client: TcpStream, backend: SocketAddr, cut: bool) -> std::io::Result<()> {
    loop {
        let request = read_message(&mut client).await?;
        if request.is_empty() {
            return Ok(());
        }
        let mut upstream = TcpStream::connect(backend).await?;
        upstream.write_all(&request).await?;
        let response = read_message(&mut upstream).await?;
        if cut {
            let half = response.len()
                - (response.len()
                    - response
                        .windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .unwrap_or(0))
                    / 2;
            client.write_all(&response[..half]).await?;
            return Ok(()); // the connection drops in the middle of the body
        }
        client.write_all(&response).await?;
    }
}

pub const SELLERS: [(&str, &str); 3] = [
    ("EMP0001", "Иванова Анна"),
    ("EMP0007", "Петров Олег"),
    ("EMP0012", "Сидорова Елена"),
];

pub fn till() -> TillIdentity {
    TillIdentity {
        store: "store-1".into(),
        till: "till-1".into(),
    }
}

/// A store with the three sellers.
pub fn store_with_sellers(dir: &std::path::Path) -> Store {
    let mut store = Store::open_in_dir(dir).unwrap();
    let sellers: Vec<Seller> = SELLERS
        .iter()
        .map(|(code, name)| Seller {
            code: SellerCode((*code).into()),
            name: (*name).into(),
            badge: None,
            active: true,
            onec_ref: None,
        })
        .collect();
    store.upsert_sellers(&sellers).unwrap();
    store
}

pub fn guid(n: u32) -> ReceiptGuid {
    ReceiptGuid::parse(&format!("00000000-0000-4000-8000-{n:012}")).unwrap()
}

/// A two-line sale of `100.00 + n kopecks` and `7.77`, sold by the first `sellers` sellers.
pub fn sale(n: u32, sellers: usize) -> Receipt {
    let line = |line_no, amount| ReceiptLine {
        line_no,
        sku: format!("SKU{line_no}"),
        name: format!("Товар {line_no}"),
        unit: "шт".into(),
        quantity: Quantity::units(1),
        price: Kopecks(amount),
        discount: Kopecks(0),
        amount: Kopecks(amount),
    };
    let lines = vec![line(1, 10_000 + i64::from(n)), line(2, 777)];
    let total: Kopecks = lines.iter().map(|l| l.amount).sum();
    Receipt {
        guid: guid(n),
        number: format!("Б-{n}"),
        kind: ReceiptKind::Sale,
        closed_at: DateTime::parse_from_rfc3339("2026-11-22T12:00:00+03:00").unwrap(),
        store: "store-1".into(),
        till: "till-1".into(),
        cashier: "Кассир".into(),
        customer_phone: Some(Phone::parse(&format!("+7951{:07}", n)).unwrap()),
        sellers: SELLERS
            .iter()
            .take(sellers)
            .map(|(code, _)| SellerCode((*code).into()))
            .collect(),
        lines,
        payments: vec![Payment {
            kind: "card".into(),
            amount: total,
        }],
        total,
    }
}

/// A return of the second line of sale `n`.
pub fn return_of(n: u32, number: u32) -> Receipt {
    let mut receipt = sale(n, 0);
    receipt.guid = guid(number);
    receipt.number = format!("В-{number}");
    receipt.kind = ReceiptKind::Return { original: guid(n) };
    receipt.lines.remove(0);
    receipt.total = Kopecks(777);
    receipt.payments = vec![Payment {
        kind: "card".into(),
        amount: Kopecks(777),
    }];
    receipt
}
