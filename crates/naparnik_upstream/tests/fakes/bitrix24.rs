//! A Bitrix24 portal behind an inbound webhook: answers with the documented samples, keeps the
//! deals, rows and contacts created, runs `batch` commands in order with `$result[...]`
//! references and `halt`, and enforces the leaky bucket (50 requests, 2 a second drain).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::{Map, Value, json};

use super::http::{Fake, Request, Response};
use super::{fixture, fixture_json};

/// The webhook's path; the secret is `abc123`.
pub const WEBHOOK_PATH: &str = "/rest/1/abc123/";
/// The phone the findbycomm sample answers contacts 275 and 2297 for.
pub const KNOWN_PHONE: &str = "+79513054436";

pub struct Bitrix24Fake {
    /// Deals by id (fields as created, plus `ID`).
    pub deals: BTreeMap<i64, Value>,
    /// Product rows by deal id.
    pub rows: BTreeMap<i64, Vec<Value>>,
    /// Contacts created: phone → id.
    pub contacts: BTreeMap<String, i64>,
    /// Cut the connection after processing the next call of this method.
    pub cut_after: Option<&'static str>,
    /// Every request answered so (status, content type, body).
    pub answer_all: Option<(u16, &'static str, String)>,
    /// Inside a batch, the next command whose key ends so fails with this error (once).
    pub fail_command: Option<(&'static str, Value)>,
    /// Leaky bucket: (capacity, drain per second); `None`: no limit.
    pub bucket: Option<(f64, f64)>,
    pub level: f64,
    pub last: Option<Instant>,
    /// 503s answered for the bucket.
    pub rate_limited: u64,
    pub next_deal: i64,
}

impl Default for Bitrix24Fake {
    fn default() -> Self {
        Bitrix24Fake {
            deals: BTreeMap::new(),
            rows: BTreeMap::new(),
            contacts: BTreeMap::new(),
            cut_after: None,
            answer_all: None,
            fail_command: None,
            bucket: None,
            level: 0.0,
            last: None,
            rate_limited: 0,
            // The id crm.deal.add.response.json answers.
            next_deal: fixture_json("bitrix24/crm.deal.add.response.json")["result"]
                .as_i64()
                .unwrap_or(1),
        }
    }
}

pub async fn start(state: Arc<Mutex<Bitrix24Fake>>) -> Fake {
    super::http::start(move |request| state.lock().unwrap().handle(request)).await
}

/// PHP-style query pairs (`rows[0][PRODUCT_NAME]=…`) as nested JSON; numbers stay strings.
pub fn php_params(query: &str) -> Value {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let mut root = Value::Object(Map::new());
    for (key, value) in pairs {
        let mut parts: Vec<String> = Vec::new();
        let (head, rest) = key
            .split_once('[')
            .map_or((key.as_str(), ""), |(h, r)| (h, r));
        parts.push(head.to_owned());
        for part in rest.split('[') {
            let part = part.trim_end_matches(']');
            if !part.is_empty() {
                parts.push(part.to_owned());
            }
        }
        let mut node = &mut root;
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            let map = node.as_object_mut().unwrap();
            if last {
                map.insert(part.clone(), Value::String(value.clone()));
                break;
            }
            node = map
                .entry(part.clone())
                .or_insert_with(|| Value::Object(Map::new()));
        }
    }
    root
}

/// `{"0": a, "1": b}` (as PHP-style queries arrive) or `[a, b]` as a list.
pub fn as_list(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(list) => list.clone(),
        Value::Object(map) => {
            let mut items: Vec<(usize, Value)> = map
                .iter()
                .filter_map(|(k, v)| k.parse().ok().map(|i| (i, v.clone())))
                .collect();
            items.sort_by_key(|(i, _)| *i);
            items.into_iter().map(|(_, v)| v).collect()
        }
        _ => Vec::new(),
    }
}

fn number(value: &Value) -> i64 {
    match value {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

fn error(code: &str, description: &str) -> Value {
    json!({"error": code, "error_description": description})
}

impl Bitrix24Fake {
    pub fn deals_with_origin(&self, origin: &str) -> usize {
        self.deals
            .values()
            .filter(|d| d["ORIGIN_ID"] == origin)
            .count()
    }

    pub fn handle(&mut self, request: &Request) -> Response {
        if let Some((capacity, drain)) = self.bucket {
            let now = Instant::now();
            if let Some(last) = self.last {
                self.level = (self.level - (now - last).as_secs_f64() * drain).max(0.0);
            }
            self.last = Some(now);
            if self.level + 1.0 > capacity {
                self.rate_limited += 1;
                return Response::json(503, fixture("bitrix24/error.query-limit-exceeded.json"));
            }
            self.level += 1.0;
        }
        if let Some((status, content_type, body)) = &self.answer_all {
            return Response::Reply {
                status: *status,
                content_type,
                body: body.clone(),
            };
        }
        let Some(method) = request
            .path
            .strip_prefix(WEBHOOK_PATH)
            .map(|m| m.trim_end_matches(".json").to_owned())
        else {
            return Response::json(
                401,
                error("NO_AUTH_FOUND", "Wrong authorization data").to_string(),
            );
        };
        let params = request.json();
        let answer = if method == "batch" {
            Ok(self.batch(&params))
        } else {
            self.method(&method, &params)
        };
        let response = match answer {
            Ok(result) => Response::json(
                200,
                json!({"result": result, "time": {"start": 0}}).to_string(),
            ),
            Err(body) => Response::json(400, body.to_string()),
        };
        match self.cut_after {
            Some(cut) if cut == method => {
                self.cut_after = None;
                Response::Cut
            }
            _ => response,
        }
    }

    fn batch(&mut self, params: &Value) -> Value {
        let halt = number(&params["halt"]) == 1;
        let mut results = Map::new();
        let mut errors = Map::new();
        for (key, command) in params["cmd"].as_object().cloned().unwrap_or_default() {
            let command = command.as_str().unwrap_or_default().to_owned();
            let (method, query) = command.split_once('?').unwrap_or((&command, ""));
            let mut query = query.to_owned();
            for (earlier, value) in &results {
                query = query.replace(&format!("$result[{earlier}]"), &value.to_string());
            }
            let failure = match &self.fail_command {
                Some((suffix, _)) if key.ends_with(suffix) => {
                    self.fail_command.take().map(|(_, e)| e)
                }
                _ => None,
            };
            let outcome = match failure {
                Some(e) => Err(e),
                None => self.method(method, &php_params(&query)),
            };
            match outcome {
                Ok(result) => {
                    results.insert(key, result);
                }
                Err(e) => {
                    errors.insert(key, e);
                    if halt {
                        break;
                    }
                }
            }
        }
        let or_empty = |m: Map<String, Value>| {
            if m.is_empty() {
                json!([])
            } else {
                Value::Object(m)
            }
        };
        json!({"result": or_empty(results), "result_error": or_empty(errors),
               "result_total": [], "result_next": [], "result_time": []})
    }

    fn method(&mut self, method: &str, params: &Value) -> Result<Value, Value> {
        match method {
            "crm.duplicate.findbycomm" => {
                if params["type"] != "PHONE" {
                    return Err(fixture_json("bitrix24/crm.duplicate.findbycomm.error.json"));
                }
                let values: Vec<String> = as_list(&params["values"])
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
                assert!(
                    values.len() <= 20,
                    "findbycomm takes at most 20 values, got {}",
                    values.len()
                );
                if values
                    .iter()
                    .any(|v| v == KNOWN_PHONE || v == "89513054436")
                {
                    return Ok(
                        fixture_json("bitrix24/crm.duplicate.findbycomm.response.json")["result"]
                            .clone(),
                    );
                }
                let found: Vec<i64> = values
                    .iter()
                    .filter_map(|v| self.contacts.get(v).copied())
                    .collect();
                Ok(if found.is_empty() {
                    json!([])
                } else {
                    json!({"CONTACT": found})
                })
            }
            "crm.contact.get" => {
                Ok(fixture_json("bitrix24/crm.contact.get.response.json")["result"].clone())
            }
            "crm.contact.add" => {
                let phone = as_list(&params["fields"]["PHONE"])
                    .first()
                    .and_then(|p| p["VALUE"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                let id = 46 + self.contacts.len() as i64;
                self.contacts.insert(phone, id);
                Ok(json!(id))
            }
            "crm.contact.list" => {
                let mut list =
                    fixture_json("bitrix24/crm.contact.list.response.json")["result"].clone();
                list[0]["PHONE"] = json!([{"ID": "1", "VALUE_TYPE": "WORK", "VALUE": "8 951 305-44-36", "TYPE_ID": "PHONE"}]);
                Ok(list)
            }
            "crm.deal.list" => {
                let filter = &params["filter"];
                let wanted: Vec<String> = if filter["@ORIGIN_ID"].is_null() {
                    vec![filter["ORIGIN_ID"].as_str().unwrap_or_default().to_owned()]
                } else {
                    as_list(&filter["@ORIGIN_ID"])
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                };
                let originator = filter["ORIGINATOR_ID"].clone();
                Ok(Value::Array(
                    self.deals
                        .values()
                        .filter(|d| d["ORIGINATOR_ID"] == originator)
                        .filter(|d| d["ORIGIN_ID"].as_str().is_some_and(|o| wanted.iter().any(|w| w == o)))
                        .map(|d| json!({"ID": d["ID"], "ORIGIN_ID": d["ORIGIN_ID"], "COMMENTS": d["COMMENTS"], "OPPORTUNITY": d["OPPORTUNITY"]}))
                        .collect(),
                ))
            }
            "crm.deal.add" => {
                let id = self.next_deal;
                self.next_deal += 1;
                let mut fields = params["fields"].clone();
                fields["ID"] = json!(id.to_string());
                self.deals.insert(id, fields);
                Ok(json!(id))
            }
            "crm.deal.productrows.set" => {
                let id = number(&params["id"]);
                if !self.deals.contains_key(&id) {
                    return Err(error("", "Not found"));
                }
                self.rows.insert(id, as_list(&params["rows"]));
                Ok(
                    fixture_json("bitrix24/crm.deal.productrows.set.response.json")["result"]
                        .clone(),
                )
            }
            "crm.deal.productrows.get" => Ok(Value::Array(
                self.rows
                    .get(&number(&params["id"]))
                    .cloned()
                    .unwrap_or_default(),
            )),
            "crm.deal.update" => {
                let id = number(&params["id"]);
                let Some(deal) = self.deals.get_mut(&id) else {
                    return Err(error("", "Not found"));
                };
                for (k, v) in params["fields"].as_object().cloned().unwrap_or_default() {
                    deal[k] = v;
                }
                Ok(json!(true))
            }
            // What `naparnik doctor` reads; bodies in the documented shape (no samples in the collection).
            "scope" => Ok(json!(["crm", "basic"])),
            "crm.contact.fields" => Ok(
                json!({"ID": {"type": "integer"}, "UF_CRM_DISCOUNT": {"type": "double", "isMultiple": false}}),
            ),
            "crm.deal.fields" => {
                Ok(json!({"ID": {"type": "integer"}, "TITLE": {"type": "string"}}))
            }
            "crm.status.list" => Ok(
                json!([{"ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "NEW"}, {"ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "WON"}, {"ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "LOSE"}]),
            ),
            _ => Err(error("ERROR_METHOD_NOT_FOUND", "Method not found!")),
        }
    }
}
