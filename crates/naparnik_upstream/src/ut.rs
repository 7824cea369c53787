//! 1C:УТ 11 through the Naparnik HTTP service (contract: `assets/1c/ut/openapi.json`).
//!
//! Events go in batches to `POST {base}/events`; UT applies each event once
//! by its id and answers per event `applied`, `duplicate` or `rejected` with a
//! reason. Customers and sellers changed since a cursor come from
//! `GET {base}/customers?since=` and `GET {base}/sellers?since=`.

use naparnik_domain::{OutboxEvent, Phone};
use serde::{Deserialize, Serialize};

use crate::{BatchEvent, DeliveryError, REQUEST_TIMEOUT, Refused};

/// The UT HTTP service.
#[derive(Debug, Clone)]
pub struct UtClient {
    client: reqwest::Client,
    base_url: String,
    user: String,
    password: String,
    store: String,
    till: String,
}

/// The body of `POST /events`.
#[derive(utoipa::ToSchema, Debug, Serialize, Deserialize)]
pub struct EventsRequest {
    /// Where the events come from.
    pub source: Source,
    /// The events, in order.
    pub events: Vec<OutboxEvent>,
}

/// The till that sends.
#[derive(utoipa::ToSchema, Debug, Serialize, Deserialize)]
pub struct Source {
    /// Store code.
    pub store: String,
    /// Till code.
    pub till: String,
    /// The batch id (also sent as `Idempotency-Key`).
    pub batch: String,
}

/// UT's answer to `POST /events`.
#[derive(utoipa::ToSchema, Debug, Serialize, Deserialize)]
pub struct EventsResponse {
    /// One result per event.
    pub results: Vec<EventResult>,
}

/// What UT did with one event.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize, Deserialize)]
pub struct EventResult {
    /// The event id.
    pub id: String,
    /// `applied`, `duplicate` (applied before) or `rejected`.
    pub status: String,
    /// Why it was rejected.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A customer as UT sends it.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize, Deserialize)]
pub struct UtCustomer {
    /// Phone as UT has it, any format.
    pub phone: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Personal discount, percent as text.
    #[serde(default)]
    pub discount_percent: Option<String>,
    /// Loyalty card.
    #[serde(default)]
    pub card: Option<String>,
    /// The CRM's id, when UT knows it.
    #[serde(default)]
    pub crm_id: Option<String>,
    /// UT's `Партнеры` reference.
    #[serde(default)]
    pub partner_ref: Option<String>,
    /// True when the customer was deleted in UT.
    #[serde(default)]
    pub removed: bool,
}

/// A seller as UT sends it.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize, Deserialize)]
pub struct UtSeller {
    /// Personnel code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Badge barcode.
    #[serde(default)]
    pub badge: Option<String>,
    /// Active.
    #[serde(default = "active_by_default")]
    pub active: bool,
    /// `ФизическиеЛица` reference.
    #[serde(default)]
    pub person_ref: Option<String>,
}

fn active_by_default() -> bool {
    true
}

/// A page of changes since a cursor.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize, Deserialize)]
pub struct Changes<T> {
    /// The changed items.
    pub items: Vec<T>,
    /// Where to continue from next time.
    pub cursor: String,
    /// True when more changes wait: ask again with `cursor` at once.
    #[serde(default)]
    pub more: bool,
}

impl UtClient {
    /// The same client with another limit for one request (the default is 30 s).
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> Result<UtClient, DeliveryError> {
        self.client = crate::http_client(timeout)?;
        Ok(self)
    }

    /// A client of the service at `base_url` (e.g. `https://ut.local/ut/hs/naparnik/v1`), as a 1C user.
    pub fn new(
        base_url: String,
        user: String,
        password: String,
        store: String,
        till: String,
    ) -> Result<UtClient, DeliveryError> {
        let client = crate::http_client(REQUEST_TIMEOUT)?;
        Ok(UtClient {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            user,
            password,
            store,
            till,
        })
    }

    /// Sends a batch; events UT rejected come back with their reasons.
    pub async fn deliver(
        &self,
        batch_id: &str,
        events: &[BatchEvent<'_>],
    ) -> Result<Refused, DeliveryError> {
        let body = EventsRequest {
            source: Source {
                store: self.store.clone(),
                till: self.till.clone(),
                batch: batch_id.to_owned(),
            },
            events: events.iter().map(|e| e.event.clone()).collect(),
        };
        let response = self
            .client
            .post(format!("{}/events", self.base_url))
            .basic_auth(&self.user, Some(&self.password))
            .header("Idempotency-Key", batch_id)
            .json(&body)
            .send()
            .await
            .map_err(|e| DeliveryError::from_transport(&e))?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            return Err(DeliveryError::from_status(status, &text));
        }
        let answer: EventsResponse = response.json().await.map_err(|e| {
            DeliveryError::Retryable(format!(
                "UT answered something that is not the events result: {e}"
            ))
        })?;
        let mut refused = Vec::new();
        for event in events {
            let id = event.event.id.to_string();
            match answer.results.iter().find(|r| r.id == id) {
                Some(result) if result.status == "rejected" => {
                    refused.push((
                        event.seq,
                        result
                            .reason
                            .clone()
                            .unwrap_or_else(|| "rejected by UT".into()),
                    ));
                }
                Some(_) => {}
                None => {
                    return Err(DeliveryError::Retryable(format!(
                        "UT did not answer for event {id}"
                    )));
                }
            }
        }
        Ok(refused)
    }

    async fn changes<T: for<'de> Deserialize<'de>>(
        &self,
        what: &str,
        since: Option<&str>,
    ) -> Result<Changes<T>, DeliveryError> {
        let response = self
            .client
            .get(format!("{}/{what}", self.base_url))
            .query(&[("since", since.unwrap_or(""))])
            .basic_auth(&self.user, Some(&self.password))
            .send()
            .await
            .map_err(|e| DeliveryError::from_transport(&e))?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            return Err(DeliveryError::from_status(status, &text));
        }
        response
            .json()
            .await
            .map_err(|e| DeliveryError::Retryable(format!("UT answered unreadable {what}: {e}")))
    }

    /// Customers changed since the cursor.
    pub async fn customers_since(
        &self,
        since: Option<&str>,
    ) -> Result<Changes<UtCustomer>, DeliveryError> {
        self.changes("customers", since).await
    }

    /// Sellers changed since the cursor.
    pub async fn sellers_since(
        &self,
        since: Option<&str>,
    ) -> Result<Changes<UtSeller>, DeliveryError> {
        self.changes("sellers", since).await
    }
}

impl UtCustomer {
    /// The phone normalized, or why not.
    pub fn normalized_phone(&self) -> Result<Phone, String> {
        Phone::parse(&self.phone).map_err(|e| format!("UT customer phone `{}`: {e}", self.phone))
    }
}

pub mod contract {
    //! The UT HTTP service's contract, generated from the types the client sends and reads.

    use naparnik_domain::event::payload::{
        CustomerCreated, ReceiptClosed, SellersCorrected, ShiftClosed,
    };
    use utoipa::OpenApi;
    use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

    use super::{Changes, EventsRequest, EventsResponse, UtCustomer, UtSeller};

    #[derive(OpenApi)]
    #[openapi(
        info(
            title = "Naparnik ↔ 1C:УТ 11 HTTP service",
            description = "Published by the Naparnik extension of 1C:УТ 11 (HTTP service `Напарник`, root URL `naparnik`, so the base is https://<server>/<publication>/hs/naparnik/v1). Naparnik at each till POSTs its events: sales and returns with their seller split, seller corrections, shift reports and customers created at the till. UT applies each event once by its `id` (a repeat answers `duplicate`) and keys sales by the receipt GUID. UT answers customers and sellers changed since a cursor. Money and quantities are decimal text. Basic authentication with a 1C user.",
            version = "1"
        ),
        paths(post_events, get_customers, get_sellers),
        components(schemas(ReceiptClosed, SellersCorrected, ShiftClosed, CustomerCreated)),
        modifiers(&BasicAuth),
        security(("basic" = []))
    )]
    struct UtContract;

    struct BasicAuth;

    impl utoipa::Modify for BasicAuth {
        fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
            let components = openapi.components.get_or_insert_with(Default::default);
            components.add_security_scheme(
                "basic",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)),
            );
        }
    }

    /// Apply a batch of events, each once by its id, in the order given.
    #[utoipa::path(post, path = "/events", request_body = EventsRequest, params(("Idempotency-Key" = String, Header, description = "The batch id; the same batch is always sent with the same id")),
        responses(
            (status = 200, body = EventsResponse, description = "One result per event: applied, duplicate (applied before) or rejected with a reason. Each event is written in its own transaction."),
            (status = 400, description = "The request is not the events request: nothing applied"),
            (status = 401, description = "Wrong user or password"),
            (status = 503, description = "UT is busy or updating: Naparnik retries later")))]
    #[expect(
        dead_code,
        reason = "describes the UT side: Naparnik calls this endpoint, never serves it"
    )]
    fn post_events() {}

    /// Customers changed since the cursor (empty: from the start), oldest change first.
    #[utoipa::path(get, path = "/customers", params(("since" = String, Query, description = "The cursor of the previous answer; empty for everything")),
        responses((status = 200, body = Changes<UtCustomer>), (status = 401, description = "Wrong user or password")))]
    #[expect(
        dead_code,
        reason = "describes the UT side: Naparnik calls this endpoint, never serves it"
    )]
    fn get_customers() {}

    /// Sellers (individuals who sell) changed since the cursor.
    #[utoipa::path(get, path = "/sellers", params(("since" = String, Query, description = "The cursor of the previous answer; empty for everything")),
        responses((status = 200, body = Changes<UtSeller>), (status = 401, description = "Wrong user or password")))]
    #[expect(
        dead_code,
        reason = "describes the UT side: Naparnik calls this endpoint, never serves it"
    )]
    fn get_sellers() {}

    /// The OpenAPI document of the UT service.
    pub fn document() -> utoipa::openapi::OpenApi {
        UtContract::openapi()
    }
}
