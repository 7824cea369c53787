//! What `naparnik doctor` checks on a retailCRM account: reachable, key valid,
//! and every code the configuration names present in the account.

use serde_json::Value;

use super::{Answer, RetailCrm};
use crate::crm::Check;

/// A reference to read: its path, the answer's key, and the settings naming codes in it.
type Reference<'a> = (&'static str, &'static str, Vec<(&'static str, &'a String)>);

/// An answer that is not a success, for a person.
fn shown(answer: &Answer) -> String {
    match answer {
        Answer::Ok(_) => "ok".into(),
        Answer::NotFound => "not found (HTTP 404)".into(),
        Answer::Refused { status, message } => format!("refused (HTTP {status}): {message}"),
    }
}

/// Codes of a reference answer: the keys of an object keyed by code, or each item's `code`.
fn codes(body: &Value, key: &str) -> Vec<String> {
    match body.get(key) {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| {
                v.get("code")
                    .and_then(Value::as_str)
                    .unwrap_or(k)
                    .to_owned()
            })
            .collect(),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|v| v.get("code").and_then(Value::as_str).map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

impl RetailCrm {
    /// Checks the account; the first failing step that makes the rest pointless ends the list.
    pub async fn check(&self) -> Vec<Check> {
        let settings = self.settings().clone();
        let mut checks = Vec::new();
        let credentials = self
            .call(reqwest::Method::GET, "/api/credentials", &[], None, false)
            .await;
        match credentials {
            Ok(Answer::Ok(body)) => {
                let scopes = body
                    .get("scopes")
                    .and_then(Value::as_array)
                    .map(|s| {
                        s.iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                checks.push(Check::ok(format!(
                    "{} answers; the API key is valid (scopes: {})",
                    settings.url,
                    if scopes.is_empty() {
                        "not listed"
                    } else {
                        &scopes
                    }
                )));
                let selective =
                    body.get("siteAccess").and_then(Value::as_str) == Some("access_selective");
                let sites: Vec<&str> = body
                    .get("sitesAvailable")
                    .and_then(Value::as_array)
                    .map(|s| s.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if selective && !sites.contains(&settings.site.as_str()) {
                    checks.push(Check::problem(
                        format!("the API key may not use the shop `{}` (it may use: {})", settings.site, sites.join(", ")),
                        "give the key access to this shop in retailCRM (Settings → Integration → API access keys), or set `site` to one it may use",
                    ));
                }
            }
            Ok(other) => {
                checks.push(Check::problem(
                    format!("{} does not accept the key: {}", settings.url, shown(&other)),
                    "set `api_key` to a key made in retailCRM under Settings → Integration → API access keys",
                ));
                return checks;
            }
            Err(error) => {
                checks.push(Check::problem(
                    format!("{} cannot be used: {error}", settings.url),
                    "check the network and `url` / `api_key` of this target",
                ));
                return checks;
            }
        }
        let references: [Reference<'_>; 5] = [
            ("/reference/sites", "sites", vec![("site", &settings.site)]),
            (
                "/reference/order-types",
                "orderTypes",
                vec![("order_type", &settings.order_type)],
            ),
            (
                "/reference/order-methods",
                "orderMethods",
                vec![("order_method", &settings.order_method)],
            ),
            (
                "/reference/statuses",
                "statuses",
                vec![
                    ("order_status", &settings.order_status),
                    ("return_status", &settings.return_status),
                    ("partial_return_status", &settings.partial_return_status),
                ],
            ),
            (
                "/reference/product-statuses",
                "productStatuses",
                vec![("returned_item_status", &settings.returned_item_status)],
            ),
        ];
        for (path, key, wanted) in references {
            let found = match self.get(path, &[]).await {
                Ok(Answer::Ok(body)) => codes(&body, key),
                Ok(other) => {
                    checks.push(Check::problem(
                        format!("cannot read {path}: {}", shown(&other)),
                        "give the API key the right to read references",
                    ));
                    continue;
                }
                Err(error) => {
                    checks.push(Check::problem(
                        format!("cannot read {path}: {error}"),
                        "give the API key the right to read references",
                    ));
                    continue;
                }
            };
            for (setting, code) in wanted {
                checks.push(if found.contains(code) {
                    Check::ok(format!("`{setting}` = `{code}` exists"))
                } else {
                    Check::problem(
                        format!("`{setting}` = `{code}` is not in retailCRM ({path})"),
                        format!(
                            "create `{code}` in retailCRM or set `{setting}` to one of: {}",
                            found.join(", ")
                        ),
                    )
                });
            }
        }
        self.check_payments_and_fields(&mut checks).await;
        checks
    }

    async fn check_payments_and_fields(&self, checks: &mut Vec<Check>) {
        let settings = self.settings();
        if settings.payment_types.is_empty() {
            checks.push(Check::problem(
                "`payment_types` is empty: orders go without payments",
                "map the 1C payment kinds to retailCRM payment types, e.g. payment_types = { cash = \"cash\", card = \"bank-card\" }",
            ));
        } else if let Ok(Answer::Ok(body)) = self.get("/reference/payment-types", &[]).await {
            let found = codes(&body, "paymentTypes");
            for (kind, code) in &settings.payment_types {
                if !found.contains(code) {
                    checks.push(Check::problem(
                        format!(
                            "payment kind `{kind}` → `{code}`: no such payment type in retailCRM"
                        ),
                        format!("set payment_types.{kind} to one of: {}", found.join(", ")),
                    ));
                }
            }
        }
        let fields: Vec<(&str, &String)> = [
            (
                "receipt_number_field",
                settings.receipt_number_field.as_ref(),
            ),
            ("sellers_field", settings.sellers_field.as_ref()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
        if !fields.is_empty()
            && let Ok(Answer::Ok(body)) = self
                .get(
                    "/custom-fields",
                    &[("filter[entity]", "order".into()), ("limit", "100".into())],
                )
                .await
        {
            let found = codes(&body, "customFields");
            for (setting, code) in fields {
                checks.push(if found.contains(code) {
                        Check::ok(format!("order field `{code}` ({setting}) exists"))
                    } else {
                        Check::problem(
                            format!("order field `{code}` ({setting}) is not in retailCRM"),
                            format!("create a string custom field `{code}` for orders in retailCRM (Settings → Custom fields), or change `{setting}`"),
                        )
                    });
            }
        }
        if let Ok(Answer::Ok(body)) = self
            .get(
                "/users",
                &[("filter[active]", "1".into()), ("limit", "100".into())],
            )
            .await
        {
            let ids: Vec<i64> = body
                .get("users")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|u| u.get("id").and_then(Value::as_i64))
                .collect();
            for (seller, id) in &settings.managers {
                if !ids.contains(id) {
                    checks.push(Check::problem(
                        format!("seller {seller} → manager {id}: no active retailCRM user has this id"),
                        "take the id from the manager's card URL in retailCRM (…/admin/users/ID) and fix `managers`",
                    ));
                }
            }
        }
    }
}
