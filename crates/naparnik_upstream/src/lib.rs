//! Connectors to the back office: 1C:УТ through the Naparnik HTTP service,
//! the CRM through the agreed XML files in a shared folder or over HTTP, and
//! the CRMs of this market through their own APIs: retailCRM (API v5) and
//! Bitrix24 (REST through an inbound webhook).
//!
//! A connector delivers a batch of outbox events and says, per event, which
//! ones the receiver refused for good; a failure of the whole batch is either
//! [`DeliveryError::Retryable`] (network, timeouts, 5xx, 429, a full disk:
//! the same batch goes again later) or [`DeliveryError::Permanent`] (the
//! receiver says the data is wrong), or [`DeliveryError::Configuration`]
//! (the receiver cannot be used as configured: a wrong URL or key; nothing is
//! parked, the batch waits until the setting is fixed). Connectors keep no
//! progress: what to send next is the sync worker's business. The API
//! connectors keep only a request throttle and a cache of CRM customer ids.

pub mod bitrix24;
pub mod crm;
pub mod crm_dir;
pub mod crm_http;
pub mod retailcrm;
mod sales;
mod throttle;
pub mod ut;

use std::time::Duration;

use naparnik_domain::{EventKind, OutboxEvent};

/// How long one upstream request may take, connect to last byte.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a batch was not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Try the same batch again later.
    #[error("{0} (will retry)")]
    Retryable(String),
    /// The receiver refused the batch as wrong; retrying it unchanged cannot help.
    #[error("{0} (refused)")]
    Permanent(String),
    /// The receiver cannot be used as configured (URL, key, rights); the message names the
    /// setting to fix. Nothing is parked: the batch waits and goes once the setting is right.
    #[error("{0} (configuration)")]
    Configuration(String),
}

impl DeliveryError {
    /// Classifies an HTTP status that is not a success.
    pub fn from_status(status: reqwest::StatusCode, body: &str) -> DeliveryError {
        let text = format!(
            "HTTP {status}: {}",
            body.chars().take(300).collect::<String>().trim()
        );
        match status.as_u16() {
            400 | 409 | 413 | 415 | 422 => DeliveryError::Permanent(text),
            _ => DeliveryError::Retryable(text),
        }
    }

    /// Classifies a transport error: every one of them is worth a retry.
    pub fn from_transport(error: &reqwest::Error) -> DeliveryError {
        let kind = if error.is_timeout() {
            "timed out"
        } else if error.is_connect() {
            "cannot connect"
        } else {
            "connection failed"
        };
        DeliveryError::Retryable(format!("{kind}: {}", without_url(error)))
    }
}

/// An outbox event's payload as the type its kind carries, or why it cannot be read (a permanent problem).
pub(crate) fn payload<T: serde::de::DeserializeOwned>(event: &OutboxEvent) -> Result<T, String> {
    serde_json::from_value(event.payload.clone()).map_err(|e| {
        format!(
            "event {} ({}) has an unreadable payload: {e}",
            event.id,
            event.kind.as_str()
        )
    })
}

/// An HTTP client whose every request gives up after `timeout`.
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client, DeliveryError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| DeliveryError::Retryable(format!("cannot make an HTTP client: {e}")))
}

/// A transport error's text without the URL, which may carry credentials.
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "…");
    }
    text
}

/// One event of a batch with its outbox position.
#[derive(Debug, Clone, Copy)]
pub struct BatchEvent<'a> {
    /// Outbox position.
    pub seq: i64,
    /// The event.
    pub event: &'a OutboxEvent,
}

/// Events a batch delivered but the receiver refused for good: (seq, reason).
pub type Refused = Vec<(i64, String)>;

/// The kinds of events the CRM takes: sales, returns, and seller corrections (sent as the corrected sale).
pub const CRM_KINDS: &[EventKind] = &[
    EventKind::SaleClosed,
    EventKind::ReturnClosed,
    EventKind::SellersCorrected,
];
/// The kinds of events the CRMs reached through their APIs take: those of [`CRM_KINDS`], and
/// customers created at the till (created in the CRM from the phone, unless it has them).
pub const CRM_API_KINDS: &[EventKind] = &[
    EventKind::SaleClosed,
    EventKind::ReturnClosed,
    EventKind::SellersCorrected,
    EventKind::CustomerCreated,
];
/// The kinds of events UT takes: all of them.
pub const UT_KINDS: &[EventKind] = &EventKind::ALL;

/// The same client as [`http_client`] that never follows redirects: a CRM that moved answers 3xx,
/// and a followed redirect could turn a POST into a GET and lose its body.
pub(crate) fn http_client_no_redirects(
    timeout: Duration,
) -> Result<reqwest::Client, DeliveryError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| DeliveryError::Retryable(format!("cannot make an HTTP client: {e}")))
}
