//! A till's bridge on a real loopback socket, with its own store in a temporary directory.

use std::sync::Arc;
use std::time::Duration;

use naparnik_bridge::{Bridge, BridgeConfig};
use naparnik_domain::{Seller, SellerCode};
use naparnik_store::Store;
use naparnik_store::receipts::TillIdentity;
use reqwest::StatusCode;
use serde_json::Value;

/// The bearer token every test till is started with.
pub const TOKEN: &str = "test-token-0123456789";

/// A running bridge with three sellers, and an HTTP client that speaks to it.
pub struct Till {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The bridge itself, for looking behind the HTTP interface.
    pub bridge: Arc<Bridge>,
    /// A plain client; [`Till::call`] adds the token.
    pub client: reqwest::Client,
    /// The data directory holding the till's database.
    pub dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Till {
    /// Opens a fresh store, adds the sellers and serves the bridge on a free port.
    pub async fn start() -> Till {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_in_dir(dir.path()).unwrap();
        let seller = |code: &str, name: &str, badge: &str| Seller {
            code: SellerCode(code.into()),
            name: name.into(),
            badge: Some(badge.into()),
            active: true,
            onec_ref: None,
        };
        store
            .upsert_sellers(&[
                seller("EMP0001", "Иванова Анна", "2000000000015"),
                seller("EMP0007", "Петров Олег", "EMP-0007"),
                seller("EMP0012", "Сидорова Елена", "EMP-0012"),
            ])
            .unwrap();
        let bridge = Bridge::new(
            BridgeConfig {
                till: TillIdentity {
                    store: "store-1".into(),
                    till: "till-2".into(),
                },
                token: TOKEN.into(),
                manager_pin: Some("2468".into()),
                body_limit_bytes: 64 * 1024,
                request_timeout: Duration::from_secs(5),
            },
            store,
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (router, _) = naparnik_bridge::router(Arc::clone(&bridge));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(naparnik_bridge::serve(listener, router, async move {
            let _ = stopped.await;
        }));
        Till {
            base,
            bridge,
            client: reqwest::Client::new(),
            dir,
            stop: Some(stop),
            server,
        }
    }

    /// Sends an authorized request and returns its status and JSON body (null if none).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// An authorized GET.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// An authorized POST with a JSON body.
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// An authorized PUT with a JSON body.
    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::PUT, path, Some(body)).await
    }

    /// Posts a receipt body exactly as given, even when it is not valid JSON.
    pub async fn raw(&self, body: &'static str) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}/api/v1/receipts", self.base))
            .bearer_auth(TOKEN)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Shuts the server down and hands back the data directory for inspection.
    pub async fn stop(mut self) -> tempfile::TempDir {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.server.await.unwrap().unwrap();
        self.dir
    }
}
