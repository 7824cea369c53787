//! Bitrix24 REST through an inbound webhook: contacts by phone, deals from receipts, changed contacts.
//!
//! Every call is a POST of a JSON body to `{webhook_url}{method}.json`
//! (the webhook URL is a secret: it never reaches a log or a message).
//! Requests are throttled to the portal's drain rate (2 a second, 5 on
//! Enterprise); `QUERY_LIMIT_EXCEEDED` (503) is repeated after a short
//! pause a few times, `OPERATION_TIME_LIMIT` (429) gives the batch back to the
//! worker's backoff at once (the method is blocked for minutes). An answer
//! `ACCESS_DENIED`, `expired_token`, `NO_AUTH_FOUND`, `insufficient_scope`
//! or `INVALID_CREDENTIALS` is a configuration error naming `webhook_url`:
//! nothing is parked. Redirects are not followed: a portal that moved says
//! so, and the POST body is never lost to a redirect.

mod contacts;
mod deals;
mod doctor;
mod query;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::crm::RequestCounters;
use crate::throttle::Throttle;
use crate::{DeliveryError, REQUEST_TIMEOUT};

pub use deals::BATCH_SALES;

/// How Bitrix24 is used, from `[[sync.targets]] kind = "bitrix24"`.
#[derive(Clone, PartialEq, Eq)]
pub struct Bitrix24Settings {
    /// Target name, for messages.
    pub name: String,
    /// The inbound webhook, `https://portal.bitrix24.ru/rest/1/abc123/`; a secret.
    pub webhook_url: String,
    /// Contact user field holding the personal discount, percent (`UF_CRM_…`).
    pub discount_field: Option<String>,
    /// Deal user field (employee, multiple) receiving all sellers.
    pub sellers_field: Option<String>,
    /// Seller code → Bitrix24 user id (the first seller is the deal's responsible).
    pub users: BTreeMap<String, i64>,
    /// Deal funnel (`CATEGORY_ID`); `None`: the general funnel.
    pub category_id: Option<i64>,
    /// Stage of a sale's deal (`WON`).
    pub stage_id: String,
    /// Stage of a deal whose goods all came back (`LOSE`).
    pub return_stage_id: String,
    /// Currency of the deals (`RUB`).
    pub currency: String,
    /// `ORIGINATOR_ID` of our deals; `ORIGIN_ID` is the receipt GUID.
    pub originator_id: String,
    /// Requests a second (2; 5 on Enterprise).
    pub requests_per_second: u32,
}

impl std::fmt::Debug for Bitrix24Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bitrix24Settings")
            .field("name", &self.name)
            .field("webhook_url", &masked_webhook(&self.webhook_url))
            .finish_non_exhaustive()
    }
}

impl Bitrix24Settings {
    /// Settings with defaults: general funnel, stages `WON` / `LOSE`, rubles, 2 requests a second.
    pub fn new(name: &str, webhook_url: &str) -> Bitrix24Settings {
        Bitrix24Settings {
            name: name.to_owned(),
            webhook_url: webhook_url.to_owned(),
            discount_field: None,
            sellers_field: None,
            users: BTreeMap::new(),
            category_id: None,
            stage_id: "WON".into(),
            return_stage_id: "LOSE".into(),
            currency: "RUB".into(),
            originator_id: "naparnik".into(),
            requests_per_second: 2,
        }
    }
}

/// The webhook URL with its secret replaced: `https://portal/rest/1/***/`.
pub fn masked_webhook(url: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    match trimmed.rsplit_once('/') {
        Some((head, _secret)) => format!("{head}/***/"),
        None => "***".into(),
    }
}

/// A Bitrix24 portal.
#[derive(Debug, Clone)]
pub struct Bitrix24 {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    settings: Bitrix24Settings,
    base: String,
    client: reqwest::Client,
    throttle: Throttle,
    counters: RequestCounters,
    /// E.164 → contact id, learnt from answers: saves a search per sale.
    contact_ids: Mutex<HashMap<String, i64>>,
}

/// A method's answer: its `result` (and the whole body), or the portal's refusal.
#[derive(Debug)]
enum Reply {
    Ok(Value),
    Refused { code: String, description: String },
}

/// How many times `QUERY_LIMIT_EXCEEDED` is repeated within one call before giving up.
const RATE_LIMIT_ATTEMPTS: u32 = 6;

/// Error codes that mean the webhook cannot be used as configured.
const CONFIGURATION_CODES: &[&str] = &[
    "ACCESS_DENIED",
    "EXPIRED_TOKEN",
    "NO_AUTH_FOUND",
    "INSUFFICIENT_SCOPE",
    "INVALID_CREDENTIALS",
    "INVALID_REQUEST",
    "PORTAL_DELETED",
];

impl Bitrix24 {
    /// A client for this portal; each request gives up after 30 s.
    pub fn new(settings: Bitrix24Settings) -> Result<Bitrix24, DeliveryError> {
        Bitrix24::with_timeout(settings, REQUEST_TIMEOUT)
    }

    /// A client whose every request gives up after `timeout`.
    pub fn with_timeout(
        settings: Bitrix24Settings,
        timeout: Duration,
    ) -> Result<Bitrix24, DeliveryError> {
        let base = format!("{}/", settings.webhook_url.trim_end_matches('/'));
        Ok(Bitrix24 {
            inner: Arc::new(Inner {
                throttle: Throttle::per_second(settings.requests_per_second),
                client: crate::http_client_no_redirects(timeout)?,
                base,
                settings,
                counters: RequestCounters::default(),
                contact_ids: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The settings in force.
    pub fn settings(&self) -> &Bitrix24Settings {
        &self.inner.settings
    }

    /// Requests made and rate-limit answers met so far.
    pub fn counters(&self) -> &RequestCounters {
        &self.inner.counters
    }

    fn name(&self) -> &str {
        &self.inner.settings.name
    }

    fn config_error(&self, what: String) -> DeliveryError {
        DeliveryError::Configuration(format!(
            "Bitrix24 target `{}` ({}): {what}",
            self.name(),
            masked_webhook(&self.inner.settings.webhook_url)
        ))
    }

    /// Calls `method` with a JSON body; repeats after `QUERY_LIMIT_EXCEEDED` when `patient`.
    async fn call(
        &self,
        method: &str,
        params: &Value,
        patient: bool,
    ) -> Result<Reply, DeliveryError> {
        let url = format!("{}{method}.json", self.inner.base);
        let mut attempt = 0;
        loop {
            self.inner.throttle.wait().await;
            self.inner.counters.request();
            let response = self
                .inner
                .client
                .post(&url)
                .header(reqwest::header::ACCEPT, "application/json")
                .json(params)
                .send()
                .await
                .map_err(|e| DeliveryError::from_transport(&e))?;
            let status = response.status().as_u16();
            if (300..400).contains(&status) {
                let moved_to = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .map(masked_webhook)
                    .unwrap_or_default();
                return Err(self.config_error(format!(
                    "the portal answers a redirect (HTTP {status}) to {moved_to}: it has moved; set `webhook_url` to the new address"
                )));
            }
            let text = response
                .text()
                .await
                .map_err(|e| DeliveryError::from_transport(&e))?;
            let body: Value = match serde_json::from_str(&text) {
                Ok(body @ Value::Object(_)) => body,
                _ if status >= 500 || status == 429 => {
                    return Err(DeliveryError::Retryable(format!(
                        "Bitrix24 answers HTTP {status} without JSON"
                    )));
                }
                _ => {
                    return Err(self.config_error(format!(
                        "the address answers HTTP {status} with {}, not the Bitrix24 REST API: set `webhook_url` to the inbound webhook's URL (Developer resources → Other → Inbound webhook)",
                        if text.trim_start().starts_with('<') { "an HTML page" } else { "something that is not JSON" }
                    )));
                }
            };
            let Some(code) = body.get("error").and_then(Value::as_str) else {
                if (200..300).contains(&status) {
                    return Ok(Reply::Ok(body));
                }
                return Err(DeliveryError::Retryable(format!(
                    "Bitrix24 answers HTTP {status}"
                )));
            };
            let description = body
                .get("error_description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            match self.classify(code, &description, status) {
                Classified::RateLimited if patient && attempt + 1 < RATE_LIMIT_ATTEMPTS => {
                    self.inner.counters.rate_limited();
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(250 << attempt.min(5))).await;
                }
                Classified::RateLimited => {
                    self.inner.counters.rate_limited();
                    return Err(DeliveryError::Retryable(format!(
                        "Bitrix24: {code} ({description}); the portal takes {} requests a second",
                        self.inner.settings.requests_per_second
                    )));
                }
                Classified::Failure(error) => return Err(error),
                Classified::Refused => {
                    return Ok(Reply::Refused {
                        code: code.to_owned(),
                        description,
                    });
                }
            }
        }
    }

    /// What an error code means for the sync: wait, fix the configuration, or refuse the data.
    fn classify(&self, code: &str, description: &str, status: u16) -> Classified {
        let upper = code.to_ascii_uppercase();
        if upper == "QUERY_LIMIT_EXCEEDED" {
            return Classified::RateLimited;
        }
        if upper == "OPERATION_TIME_LIMIT" {
            return Classified::Failure(DeliveryError::Retryable(format!(
                "Bitrix24: OPERATION_TIME_LIMIT ({description}); the method's time budget resets within 10 minutes"
            )));
        }
        if CONFIGURATION_CODES.contains(&upper.as_str())
            || (code.is_empty() && description.to_lowercase().contains("access denied"))
            || status == 401
        {
            return Classified::Failure(self.config_error(format!(
                "the portal refuses the webhook: {code} {description}; make an inbound webhook with the `crm` scope by a user with CRM rights on a plan with REST, and set `webhook_url` to it"
            )));
        }
        if status >= 500 || upper == "OVERLOAD_LIMIT" || upper == "INTERNAL_SERVER_ERROR" {
            return Classified::Failure(DeliveryError::Retryable(format!(
                "Bitrix24 answers HTTP {status}: {code} {description}"
            )));
        }
        Classified::Refused
    }

    fn remember_contact(&self, phone: &str, id: i64) {
        self.inner
            .contact_ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(phone.to_owned(), id);
    }

    fn known_contact(&self, phone: &str) -> Option<i64> {
        self.inner
            .contact_ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(phone)
            .copied()
    }
}

enum Classified {
    RateLimited,
    Failure(DeliveryError),
    Refused,
}

/// The error of a refused call as text: `code: description`.
fn refusal(code: &str, description: &str) -> String {
    match (code.is_empty(), description.is_empty()) {
        (true, _) => description.replace("<br>", " "),
        (false, true) => code.to_owned(),
        (false, false) => format!("{code}: {}", description.replace("<br>", " ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_webhook_secret_is_masked() {
        assert_eq!(
            masked_webhook("https://example.bitrix24.ru/rest/1/abc123/"),
            "https://example.bitrix24.ru/rest/1/***/"
        );
        let settings = Bitrix24Settings::new("b24", "https://example.bitrix24.ru/rest/1/abc123/");
        assert!(!format!("{settings:?}").contains("abc123"));
    }
}
