//! What the bridge writes to the log about a request.
//!
//! This test sets the process-wide subscriber, so it lives in a test binary of its own:
//! tracing caches per call site whether anyone listens, and a test running beside it
//! without a subscriber could cache "nobody" first.
#![expect(
    clippy::unwrap_used,
    reason = "helpers shared by tests: a failed unwrap is a failed test"
)]

#[expect(dead_code, reason = "this binary needs only part of the shared till")]
mod support;

use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use support::Till;

/// Log output collected in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A phone searched through the bridge never reaches the log, even at trace level with the product's filter.
#[tokio::test]
async fn phones_in_queries_stay_out_of_the_request_log() {
    let captured = Captured::default();
    let writer = captured.clone();
    let filter = format!(
        "trace,{}",
        naparnik_domain::phone::LOG_DIRECTIVE_HIDING_PHONES
    );
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let till = Till::start().await;
    let (status, _) = till.get("/api/v1/customers?query=89513054436").await;
    assert_eq!(status, StatusCode::OK);
    till.stop().await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("/api/v1/customers"),
        "the request is logged: {log}"
    );
    assert!(!log.contains("9513054436"), "but not the phone: {log}");
}
