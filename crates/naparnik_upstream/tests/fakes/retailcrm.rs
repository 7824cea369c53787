//! A retailCRM account: answers with the vendor's samples, keeps the orders and customers created,
//! refuses a second order or customer with the same `externalId`, and enforces the key's rate.
//!
//! The refusal of a second order is not in any published sample; its body here follows the
//! vendor's error shape (`errorMsg` + `errors`) and the 460 sample of `orders/upload`.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::http::{Fake, Request, Response};
use super::{fixture, fixture_json};

pub const API_KEY: &str = "test-key-0123456789";
/// The phone of the customer in `customers-list.response.json`.
pub const KNOWN_PHONE: &str = "+79229112322";

#[derive(Default)]
pub struct RetailCrmFake {
    /// Orders by externalId, as created.
    pub orders: BTreeMap<String, Value>,
    /// Edits by externalId, in order.
    pub edits: Vec<(String, Value)>,
    /// Customers created, by externalId → id.
    pub customers: BTreeMap<String, i64>,
    /// Cut the connection after processing the next request whose path ends so.
    pub cut_after: Option<&'static str>,
    /// Answer every order upload and create so (status, body).
    pub refuse_orders: Option<(u16, String)>,
    /// Answer every request so (status, content type, body).
    pub answer_all: Option<(u16, &'static str, String)>,
    /// Requests a second before answering 503.
    pub rate_per_second: Option<usize>,
    pub recent: VecDeque<Instant>,
    /// 503s answered for the rate.
    pub rate_limited: u64,
}

pub async fn start(state: Arc<Mutex<RetailCrmFake>>) -> Fake {
    super::http::start(move |request| state.lock().unwrap().handle(request)).await
}

fn ok(status: u16, body: Value) -> Response {
    Response::json(status, body.to_string())
}

fn exists(what: &str, external_id: &str) -> Value {
    json!({"success": false, "errorMsg": format!("{what} already exists."),
           "errors": {"externalId": format!("{what} with externalId \"{external_id}\" already exists.")}})
}

impl RetailCrmFake {
    pub fn handle(&mut self, request: &Request) -> Response {
        if let Some(limit) = self.rate_per_second {
            let now = Instant::now();
            while self
                .recent
                .front()
                .is_some_and(|t| now - *t >= Duration::from_secs(1))
            {
                self.recent.pop_front();
            }
            if self.recent.len() >= limit {
                self.rate_limited += 1;
                // The body the vendor's Go client test uses for its rate limit.
                return Response::json(
                    503,
                    r#"{"success": false, "errorMsg": "Rate limit exceeded"}"#,
                );
            }
            self.recent.push_back(now);
        }
        if let Some((status, content_type, body)) = &self.answer_all {
            return Response::Reply {
                status: *status,
                content_type,
                body: body.clone(),
            };
        }
        if request.header("X-API-KEY") != Some(API_KEY) {
            return Response::json(
                403,
                r#"{"success": false, "errorMsg": "Wrong \"apiKey\" value."}"#,
            );
        }
        let response = self.route(request);
        match self.cut_after {
            Some(suffix) if request.path.ends_with(suffix) => {
                self.cut_after = None;
                Response::Cut
            }
            _ => response,
        }
    }

    fn route(&mut self, request: &Request) -> Response {
        let path = request.path.as_str();
        let method = request.method.as_str();
        match (method, path) {
            ("GET", "/api/credentials") => {
                Response::json(200, fixture("retailcrm/api-credentials.response.json"))
            }
            ("GET", "/api/v5/customers") => {
                let mut body = fixture_json("retailcrm/customers-list.response.json");
                let by_ids = !request.query_values("filter[ids][]").is_empty();
                let name = request.query_value("filter[name]").unwrap_or_default();
                if !by_ids && (name.is_empty() || !"89229112322".contains(name)) {
                    body["customers"] = json!([]);
                    body["pagination"]["totalCount"] = json!(0);
                }
                ok(200, body)
            }
            ("POST", "/api/v5/customers/create") => {
                let customer = request.form_json("customer");
                let external_id = customer["externalId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                if self.customers.contains_key(&external_id) {
                    return ok(400, exists("Customer", &external_id));
                }
                let id = 1 + self.customers.len() as i64;
                self.customers.insert(external_id, id);
                if id == 1 {
                    Response::json(201, fixture("retailcrm/customers-create.response.json"))
                } else {
                    ok(201, json!({"success": true, "id": id}))
                }
            }
            ("GET", "/api/v5/loyalty/accounts") => Response::json(
                200,
                fixture("retailcrm/loyalty-accounts-list.response.json"),
            ),
            ("GET", "/api/v5/customers/history") => {
                Response::json(200, fixture("retailcrm/customers-history.response.json"))
            }
            ("POST", "/api/v5/orders/upload") => {
                if let Some((status, body)) = &self.refuse_orders {
                    return Response::json(*status, body.clone());
                }
                let orders = request.form_json("orders");
                let mut uploaded = Vec::new();
                let mut failed = Vec::new();
                let mut errors = Vec::new();
                for order in orders.as_array().cloned().unwrap_or_default() {
                    let external_id = order["externalId"].as_str().unwrap_or_default().to_owned();
                    if self.orders.contains_key(&external_id) {
                        errors.push(format!(
                            "Order with externalId \"{external_id}\" already exists."
                        ));
                        failed.push(json!({"externalId": external_id}));
                    } else {
                        let id = 7146 + self.orders.len() as i64;
                        uploaded.push(json!({"id": id, "externalId": external_id}));
                        self.orders.insert(external_id, order);
                    }
                }
                if failed.is_empty() {
                    ok(
                        200,
                        json!({"success": true, "uploadedOrders": uploaded, "orders": []}),
                    )
                } else {
                    ok(
                        460,
                        json!({"success": false, "uploadedOrders": uploaded, "failedOrders": failed,
                                   "errorMsg": "Orders are loaded with errors", "errors": errors}),
                    )
                }
            }
            ("POST", "/api/v5/orders/create") => {
                if let Some((status, body)) = &self.refuse_orders {
                    return Response::json(*status, body.clone());
                }
                let order = request.form_json("order");
                let external_id = order["externalId"].as_str().unwrap_or_default().to_owned();
                if self.orders.contains_key(&external_id) {
                    return ok(400, exists("Order", &external_id));
                }
                self.orders.insert(external_id, order);
                Response::json(201, fixture("retailcrm/orders-create.response.json"))
            }
            ("GET", p) if p.starts_with("/api/v5/customers/") => {
                let external_id = p.trim_start_matches("/api/v5/customers/");
                match self.customers.get(external_id) {
                    Some(id) => {
                        let mut body = fixture_json("retailcrm/customers-get.response.json");
                        body["customer"]["id"] = json!(id);
                        body["customer"]["externalId"] = json!(external_id);
                        ok(200, body)
                    }
                    None => ok(404, json!({"success": false, "errorMsg": "Not found"})),
                }
            }
            ("GET", p) if p.starts_with("/api/v5/orders/") => {
                let external_id = p.trim_start_matches("/api/v5/orders/");
                if self.orders.contains_key(external_id) {
                    let mut body = fixture_json("retailcrm/orders-get.response.json");
                    body["order"]["externalId"] = json!(external_id);
                    ok(200, body)
                } else {
                    ok(404, json!({"success": false, "errorMsg": "Not found"}))
                }
            }
            ("POST", p) if p.starts_with("/api/v5/orders/") && p.ends_with("/edit") => {
                let external_id = p
                    .trim_start_matches("/api/v5/orders/")
                    .trim_end_matches("/edit")
                    .to_owned();
                if self.orders.contains_key(&external_id) {
                    self.edits.push((external_id, request.form_json("order")));
                    Response::json(200, fixture("retailcrm/orders-edit.response.json"))
                } else {
                    ok(404, json!({"success": false, "errorMsg": "Not found"}))
                }
            }
            // References `naparnik doctor` reads; bodies in the vendor's shape (no published samples).
            ("GET", "/api/v5/reference/sites") => ok(
                200,
                json!({"success": true, "sites": {"store-1": {"code": "store-1", "name": "Магазин 1"}}}),
            ),
            ("GET", "/api/v5/reference/order-types") => ok(
                200,
                json!({"success": true, "orderTypes": {"offline": {"code": "offline", "name": "Офлайн"}}}),
            ),
            ("GET", "/api/v5/reference/order-methods") => Response::json(
                200,
                fixture("retailcrm/reference-order-methods.response.json"),
            ),
            ("GET", "/api/v5/reference/statuses") => ok(
                200,
                json!({"success": true, "statuses": {
                "complete": {"code": "complete"}, "return": {"code": "return"}, "partiallyReturned": {"code": "partiallyReturned"}}}),
            ),
            ("GET", "/api/v5/reference/product-statuses") => Response::json(
                200,
                fixture("retailcrm/reference-product-statuses.response.json"),
            ),
            ("GET", "/api/v5/reference/payment-types") => ok(
                200,
                json!({"success": true, "paymentTypes": {"bank-card": {"code": "bank-card"}, "cash": {"code": "cash"}}}),
            ),
            ("GET", "/api/v5/custom-fields") => ok(
                200,
                json!({"success": true, "customFields": [{"code": "check_number1c", "entity": "order", "type": "string"}]}),
            ),
            ("GET", "/api/v5/users") => {
                Response::json(200, fixture("retailcrm/users-list.response.json"))
            }
            _ => Response::json(
                405,
                fixture("retailcrm/error-method-not-allowed.response.json"),
            ),
        }
    }
}
