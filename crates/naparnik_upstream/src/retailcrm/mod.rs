//! retailCRM (Simla) API v5: customers by phone, orders from receipts, the customers' history.
//!
//! As the vendor's own clients do: the key goes in `X-API-KEY`; GET
//! parameters in the query with PHP brackets (`filter[name]`); POST bodies
//! are `application/x-www-form-urlencoded` with the entity as one field
//! holding JSON (`order=<json>`) beside plain fields (`site`, `by`).
//! Requests are throttled to the key's limit (10 a second); an answer 429 or
//! 503 ("too many requests") is repeated after 100 ms, 200 ms, … a few times
//! before the batch is given back to the worker as retryable. An answer in
//! HTML means `url` is not a retailCRM account: a configuration error.

mod customers;

pub use customers::customer_external_id;
mod doctor;
mod orders;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::crm::{RequestCounters, masked};
use crate::throttle::Throttle;
use crate::{DeliveryError, REQUEST_TIMEOUT};

/// How retailCRM is used, from `[[sync.targets]] kind = "retailcrm"`.
#[derive(Clone, PartialEq, Eq)]
pub struct RetailCrmSettings {
    /// Target name, for messages.
    pub name: String,
    /// The account URL (`https://example.retailcrm.ru`); `/api/v5` is appended.
    pub url: String,
    /// The API key, sent as `X-API-KEY`.
    pub api_key: String,
    /// The shop code the orders and customers belong to.
    pub site: String,
    /// Order type code of a receipt (`offline`).
    pub order_type: String,
    /// Order method code (`offline`).
    pub order_method: String,
    /// Status of a sale (`complete`).
    pub order_status: String,
    /// Status of a sale returned in full (`return`).
    pub return_status: String,
    /// Status of a sale returned in part (`partiallyReturned`).
    pub partial_return_status: String,
    /// Item status of returned goods (`returned`).
    pub returned_item_status: String,
    /// 1C payment kind (`cash`, `card`) → retailCRM payment type code.
    pub payment_types: BTreeMap<String, String>,
    /// Payment status code of a paid receipt (`paid`).
    pub payment_status: String,
    /// Order custom field for the 1C receipt number; `None`: not sent.
    pub receipt_number_field: Option<String>,
    /// Order custom field for all sellers with their shares; `None`: not sent.
    pub sellers_field: Option<String>,
    /// Seller code → retailCRM user id (`managerId` of the order: the first seller).
    pub managers: BTreeMap<String, i64>,
    /// Requests a second the key may make (10).
    pub requests_per_second: u32,
}

impl std::fmt::Debug for RetailCrmSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RetailCrmSettings")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("api_key", &masked(&self.api_key))
            .field("site", &self.site)
            .finish_non_exhaustive()
    }
}

impl RetailCrmSettings {
    /// Settings with the defaults of the vendor's own 1C module (order type, method and
    /// status `offline`/`offline`/`complete`, returns `return`/`partiallyReturned`/`returned`,
    /// receipt number in `check_number1c`).
    pub fn new(name: &str, url: &str, api_key: &str, site: &str) -> RetailCrmSettings {
        RetailCrmSettings {
            name: name.to_owned(),
            url: url.to_owned(),
            api_key: api_key.to_owned(),
            site: site.to_owned(),
            order_type: "offline".into(),
            order_method: "offline".into(),
            order_status: "complete".into(),
            return_status: "return".into(),
            partial_return_status: "partiallyReturned".into(),
            returned_item_status: "returned".into(),
            payment_types: BTreeMap::new(),
            payment_status: "paid".into(),
            receipt_number_field: Some("check_number1c".into()),
            sellers_field: Some("naparnik_sellers".into()),
            managers: BTreeMap::new(),
            requests_per_second: 10,
        }
    }
}

/// A retailCRM account.
#[derive(Debug, Clone)]
pub struct RetailCrm {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    settings: RetailCrmSettings,
    base: String,
    client: reqwest::Client,
    throttle: Throttle,
    counters: RequestCounters,
    /// E.164 → retailCRM customer id, learnt from answers: saves a search per sale.
    customer_ids: Mutex<HashMap<String, i64>>,
}

/// A JSON answer with `success: true`, or the vendor's refusal.
#[derive(Debug)]
enum Answer {
    Ok(Value),
    NotFound,
    Refused { status: u16, message: String },
}

/// How many times an answer 429/503 is repeated within one call before giving up.
const RATE_LIMIT_ATTEMPTS: u32 = 6;

impl RetailCrm {
    /// A client for this account; each request gives up after 30 s.
    pub fn new(settings: RetailCrmSettings) -> Result<RetailCrm, DeliveryError> {
        RetailCrm::with_timeout(settings, REQUEST_TIMEOUT)
    }

    /// A client whose every request gives up after `timeout`.
    pub fn with_timeout(
        settings: RetailCrmSettings,
        timeout: Duration,
    ) -> Result<RetailCrm, DeliveryError> {
        let base = settings.url.trim_end_matches('/').to_owned();
        Ok(RetailCrm {
            inner: Arc::new(Inner {
                throttle: Throttle::per_second(settings.requests_per_second),
                client: crate::http_client_no_redirects(timeout)?,
                base,
                settings,
                counters: RequestCounters::default(),
                customer_ids: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The settings in force.
    pub fn settings(&self) -> &RetailCrmSettings {
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
        DeliveryError::Configuration(format!("retailCRM target `{}`: {what}", self.name()))
    }

    /// GET `/api/v5{path}` (or `/api{path}` when `versioned` is false) with these query pairs.
    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Answer, DeliveryError> {
        self.call(
            reqwest::Method::GET,
            &format!("/api/v5{path}"),
            query,
            None,
            true,
        )
        .await
    }

    /// POST `/api/v5{path}` with a form body.
    async fn post(&self, path: &str, form: &[(&str, String)]) -> Result<Answer, DeliveryError> {
        self.call(
            reqwest::Method::POST,
            &format!("/api/v5{path}"),
            &[],
            Some(form),
            true,
        )
        .await
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        form: Option<&[(&str, String)]>,
        patient: bool,
    ) -> Result<Answer, DeliveryError> {
        let url = format!("{}{path}", self.inner.base);
        let mut attempt = 0;
        loop {
            self.inner.throttle.wait().await;
            self.inner.counters.request();
            let mut request = self
                .inner
                .client
                .request(method.clone(), &url)
                .header("X-API-KEY", &self.inner.settings.api_key)
                .query(query);
            if let Some(form) = form {
                request = request.form(form);
            }
            let response = request
                .send()
                .await
                .map_err(|e| DeliveryError::from_transport(&e))?;
            let status = response.status().as_u16();
            let text = response
                .text()
                .await
                .map_err(|e| DeliveryError::from_transport(&e))?;
            if status == 429 || status == 503 {
                self.inner.counters.rate_limited();
                attempt += 1;
                if patient && attempt < RATE_LIMIT_ATTEMPTS {
                    tokio::time::sleep(Duration::from_millis(100 << attempt.min(6))).await;
                    continue;
                }
                return Err(DeliveryError::Retryable(format!(
                    "retailCRM answers HTTP {status}, too many requests; the key's limit is {} a second",
                    self.inner.settings.requests_per_second
                )));
            }
            return self.classify(status, &text);
        }
    }

    fn classify(&self, status: u16, text: &str) -> Result<Answer, DeliveryError> {
        let body: Value = match serde_json::from_str(text) {
            Ok(body @ Value::Object(_)) => body,
            _ if status >= 500 => {
                return Err(DeliveryError::Retryable(format!(
                    "retailCRM answers HTTP {status}"
                )));
            }
            _ => {
                return Err(self.config_error(format!(
                    "{} answers {} (HTTP {status}), not the retailCRM API: set `url` to the account address, like https://example.retailcrm.ru",
                    self.inner.base,
                    if text.trim_start().starts_with('<') { "an HTML page" } else { "something that is not JSON" },
                )));
            }
        };
        if body.get("success") == Some(&Value::Bool(true)) && (200..300).contains(&status) {
            return Ok(Answer::Ok(body));
        }
        let message = vendor_message(&body);
        let lower = message.to_lowercase();
        if lower.contains("apikey") || status == 401 {
            return Err(self.config_error(format!(
                "retailCRM refuses the API key {} ({message}): set `api_key` to a key made in retailCRM under Settings → Integration → API access keys",
                masked(&self.inner.settings.api_key)
            )));
        }
        if lower.contains("account does not exist") {
            return Err(self.config_error(format!(
                "{message}: set `url` to the account address, like https://example.retailcrm.ru"
            )));
        }
        if lower.contains("access denied") || status == 403 {
            return Err(self.config_error(format!(
                "{message}: give the API key access to the methods of orders, customers, loyalty and references, and to the site `{}`",
                self.inner.settings.site
            )));
        }
        if status == 404 {
            return Ok(Answer::NotFound);
        }
        if status >= 500 {
            return Err(DeliveryError::Retryable(format!(
                "retailCRM answers HTTP {status}: {message}"
            )));
        }
        Ok(Answer::Refused { status, message })
    }

    fn remember_customer(&self, phone: &str, id: i64) {
        self.inner
            .customer_ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(phone.to_owned(), id);
    }

    fn known_customer(&self, phone: &str) -> Option<i64> {
        self.inner
            .customer_ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(phone)
            .copied()
    }
}

/// `errorMsg` with the `errors` (an object field → text, or a list of texts) after it.
fn vendor_message(body: &Value) -> String {
    let main = body
        .get("errorMsg")
        .and_then(Value::as_str)
        .unwrap_or("no errorMsg in the answer")
        .to_owned();
    let details: Vec<String> = match body.get("errors") {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(field, text)| format!("{field}: {}", text.as_str().unwrap_or(&text.to_string())))
            .collect(),
        Some(Value::Array(list)) => list
            .iter()
            .map(|text| {
                text.as_str()
                    .map_or_else(|| text.to_string(), str::to_owned)
            })
            .collect(),
        _ => Vec::new(),
    };
    if details.is_empty() {
        main
    } else {
        format!("{main}: {}", details.join("; "))
    }
}

/// True when a refusal says the entity exists already (a create repeated after a lost answer).
fn already_exists(message: &str) -> bool {
    let lower = message.to_lowercase();
    lower.contains("already exists") || lower.contains("уже существует")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_errors_read_as_object_or_list() {
        let map: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/retailcrm/error-validation-map.response.json"
        ))
        .unwrap();
        assert_eq!(
            vendor_message(&map),
            "Validation error: name: name must be provided"
        );
        let list: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/retailcrm/error-errors-list.response.json"
        ))
        .unwrap();
        assert_eq!(
            vendor_message(&list),
            "Failed to activate module: Your account has insufficient funds to activate integration module; Test error"
        );
        assert!(already_exists(
            "Order with externalId \"x\" already exists."
        ));
    }

    #[test]
    fn the_key_never_shows_in_debug_output() {
        let settings = RetailCrmSettings::new("crm", "https://x.retailcrm.ru", "secretkey123", "s");
        assert!(!format!("{settings:?}").contains("secretkey123"));
    }
}
