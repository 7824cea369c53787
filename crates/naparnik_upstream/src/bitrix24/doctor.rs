//! What `naparnik doctor` checks on a Bitrix24 portal: the webhook answers,
//! has the `crm` scope, and every field and stage the configuration names exists.

use serde_json::{Value, json};

use super::{Bitrix24, Reply, masked_webhook};
use crate::crm::Check;

impl Bitrix24 {
    /// Checks the portal; a webhook that does not answer ends the list.
    pub async fn check(&self) -> Vec<Check> {
        let settings = self.settings().clone();
        let address = masked_webhook(&settings.webhook_url);
        let mut checks = Vec::new();
        match self.call("scope", &json!({}), false).await {
            Ok(Reply::Ok(body)) => {
                let scopes: Vec<&str> = body
                    .get("result")
                    .and_then(Value::as_array)
                    .map(|s| s.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if scopes.contains(&"crm") {
                    checks.push(Check::ok(format!(
                        "{address} answers; the webhook has the crm scope"
                    )));
                } else {
                    checks.push(Check::problem(
                        format!(
                            "{address} answers, but the webhook lacks the crm scope (it has: {})",
                            scopes.join(", ")
                        ),
                        "tick the CRM (crm) scope in the inbound webhook's settings",
                    ));
                }
            }
            Ok(Reply::Refused { code, description }) => {
                checks.push(Check::problem(
                    format!("{address} refuses: {code} {description}"),
                    "make an inbound webhook with the crm scope and set `webhook_url` to it",
                ));
                return checks;
            }
            Err(error) => {
                checks.push(Check::problem(
                    format!("{address} cannot be used: {error}"),
                    "check the network and `webhook_url`",
                ));
                return checks;
            }
        }
        let fields = [
            (
                "crm.contact.fields",
                "discount_field",
                settings.discount_field.as_ref(),
            ),
            (
                "crm.deal.fields",
                "sellers_field",
                settings.sellers_field.as_ref(),
            ),
        ];
        for (method, setting, field) in fields {
            let Some(field) = field else {
                checks.push(Check::problem(
                    format!("`{setting}` is not set"),
                    match setting {
                        "discount_field" => "create a contact field (number) for the personal discount and set `discount_field = \"UF_CRM_…\"`",
                        _ => "create a deal field of type Employee, multiple, and set `sellers_field = \"UF_CRM_…\"`",
                    },
                ));
                continue;
            };
            match self.call(method, &json!({}), false).await {
                Ok(Reply::Ok(body)) if body.get("result").and_then(|r| r.get(field)).is_some() => {
                    checks.push(Check::ok(format!("field `{field}` ({setting}) exists")));
                }
                Ok(_) => checks.push(Check::problem(
                    format!("field `{field}` ({setting}) is not on the portal"),
                    format!("create it in Bitrix24 CRM settings or fix `{setting}` (field codes start with UF_CRM_)"),
                )),
                Err(error) => checks.push(Check::problem(format!("cannot read {method}: {error}"), "check the webhook's rights")),
            }
        }
        let entity = settings
            .category_id
            .filter(|c| *c != 0)
            .map_or_else(|| "DEAL_STAGE".to_owned(), |c| format!("DEAL_STAGE_{c}"));
        if let Ok(Reply::Ok(body)) = self
            .call(
                "crm.status.list",
                &json!({"filter": {"ENTITY_ID": entity}}),
                false,
            )
            .await
        {
            let stages: Vec<&str> = body
                .get("result")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|s| s.get("STATUS_ID").and_then(Value::as_str))
                .collect();
            for (setting, stage) in [
                ("stage_id", &settings.stage_id),
                ("return_stage_id", &settings.return_stage_id),
            ] {
                checks.push(if stages.contains(&stage.as_str()) {
                    Check::ok(format!("stage `{stage}` ({setting}) exists"))
                } else {
                    Check::problem(
                        format!("stage `{stage}` ({setting}) is not in the funnel"),
                        format!("set `{setting}` to one of: {}", stages.join(", ")),
                    )
                });
            }
        }
        checks
    }
}
