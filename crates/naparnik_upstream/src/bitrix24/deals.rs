//! Receipts as Bitrix24 deals.
//!
//! A sale is a deal with `ORIGINATOR_ID` = ours and `ORIGIN_ID` = the receipt
//! GUID. Up to 25 consecutive sales go together: first one `crm.deal.list`
//! looks their GUIDs up (a deal created by a request whose answer was lost
//! is found there and not created again), then one `batch` with `halt=1`
//! carries `crm.deal.add` and `crm.deal.productrows.set` for each sale (50
//! commands, the portal's limit; keys `s00_deal`, `s00_rows`, … so the
//! portal runs them sale by sale); a deal found already only gets its rows
//! set again (the set replaces them, so a repeat changes nothing).
//! A return takes its goods out of the sale's rows and amount, and leaves a
//! mark in the deal's comments so a repeated return is recognised; a deal
//! with no goods left moves to the return stage. A seller correction
//! updates the responsible and the sellers field.

use std::collections::HashMap;

use naparnik_domain::event::payload::{ReceiptClosed, SellersCorrected};
use naparnik_domain::{Phone, ReceiptKind};
use serde_json::{Map, Value, json};

use super::query::php_query;
use super::{Bitrix24, Classified, Reply, refusal};
use crate::crm::{
    CrmEvent, crm_event, discount_per_unit, id_of, kopecks_of, rubles, sellers_text, units,
};
use crate::{BatchEvent, DeliveryError, Refused};

/// Sales per `batch`: two commands each, 50 commands at most.
pub const BATCH_SALES: usize = 25;

/// The first line of a deal's comments: who sold.
const SELLERS_PREFIX: &str = "Продавцы: ";

/// What one `batch` answered: results and errors by command key.
#[derive(Debug, Default)]
pub(super) struct BatchOutcome {
    results: HashMap<String, Value>,
    errors: Vec<(String, String, String)>,
}

impl BatchOutcome {
    pub(super) fn get(&self, key: &str) -> Option<&Value> {
        self.results.get(key)
    }
}

fn keyed(value: Option<&Value>) -> HashMap<String, Value> {
    match value {
        Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => HashMap::new(),
    }
}

impl Bitrix24 {
    /// Runs commands (`key`, `method?query`) in one `batch`; keys are never bare numbers.
    pub(super) async fn batch(
        &self,
        commands: &[(String, String)],
        halt: bool,
    ) -> Result<BatchOutcome, DeliveryError> {
        let cmd: Map<String, Value> = commands
            .iter()
            .map(|(key, command)| (key.clone(), Value::String(command.clone())))
            .collect();
        let reply = self
            .call("batch", &json!({"halt": u8::from(halt), "cmd": cmd}), true)
            .await?;
        let body = self.expect_ok(reply, "run a batch")?;
        let result = body.get("result");
        let mut outcome = BatchOutcome {
            results: keyed(result.and_then(|r| r.get("result"))),
            errors: Vec::new(),
        };
        let errors = result.and_then(|r| r.get("result_error"));
        let listed: Vec<(String, Value)> = match errors {
            Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Some(Value::Array(list)) => list.iter().map(|v| (String::new(), v.clone())).collect(),
            _ => Vec::new(),
        };
        for (key, error) in listed {
            let code = error
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let description = error
                .get("error_description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            match self.classify(&code, &description, 200) {
                Classified::RateLimited => {
                    self.inner.counters.rate_limited();
                    return Err(DeliveryError::Retryable(format!(
                        "Bitrix24: {code} inside a batch ({description})"
                    )));
                }
                Classified::Failure(error) => return Err(error),
                Classified::Refused => outcome.errors.push((key, code, description)),
            }
        }
        Ok(outcome)
    }

    /// Delivers a batch: sales, returns, corrections, in order.
    pub async fn deliver(&self, events: &[BatchEvent<'_>]) -> Result<Refused, DeliveryError> {
        let mut refused = Refused::new();
        let mut pending: Vec<(i64, ReceiptClosed)> = Vec::new();
        for event in events {
            let parsed = match crm_event(event.event) {
                Ok(parsed) => parsed,
                Err(reason) => {
                    refused.push((event.seq, reason));
                    continue;
                }
            };
            match parsed {
                CrmEvent::Sale(closed) => {
                    pending.push((event.seq, closed));
                    if pending.len() == BATCH_SALES {
                        self.send_sales(&mut pending, &mut refused).await?;
                    }
                }
                CrmEvent::Return(closed) => {
                    self.send_sales(&mut pending, &mut refused).await?;
                    if let Err(reason) = self.apply_return(&closed).await? {
                        refused.push((event.seq, reason));
                    }
                }
                CrmEvent::Customer(phone) => {
                    self.send_sales(&mut pending, &mut refused).await?;
                    self.create_customer(&phone).await?;
                }
                CrmEvent::Correction(corrected) => {
                    self.send_sales(&mut pending, &mut refused).await?;
                    if let Err(reason) = self.apply_correction(&corrected).await? {
                        refused.push((event.seq, reason));
                    }
                }
            }
        }
        self.send_sales(&mut pending, &mut refused).await?;
        Ok(refused)
    }

    /// Deals of our receipts with these GUIDs: GUID → (deal id, deal).
    async fn deals_by_origin(
        &self,
        guids: &[String],
    ) -> Result<HashMap<String, Value>, DeliveryError> {
        let origin: Value = if guids.len() == 1 {
            json!({"ORIGIN_ID": guids[0]})
        } else {
            json!({"@ORIGIN_ID": guids})
        };
        let mut filter = origin.as_object().cloned().unwrap_or_default();
        filter.insert("ORIGINATOR_ID".into(), json!(self.settings().originator_id));
        let params = json!({
            "filter": filter,
            "select": ["ID", "ORIGIN_ID", "COMMENTS", "OPPORTUNITY"],
            "start": -1,
        });
        let reply = self.call("crm.deal.list", &params, true).await?;
        let body = self.expect_ok(reply, "look up deals by receipt")?;
        let mut found = HashMap::new();
        for deal in body
            .get("result")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(origin) = deal.get("ORIGIN_ID").and_then(Value::as_str) {
                // Several deals for one receipt (made by hand, or before this check): the lowest id.
                let id = deal
                    .get("ID")
                    .and_then(id_of)
                    .and_then(|i| i.parse::<i64>().ok());
                let keep = match found.get(origin) {
                    Some(Value::Object(other)) => {
                        other
                            .get("ID")
                            .and_then(id_of)
                            .and_then(|i| i.parse::<i64>().ok())
                            > id
                    }
                    _ => true,
                };
                if keep {
                    found.insert(origin.to_owned(), deal.clone());
                }
            }
        }
        Ok(found)
    }

    async fn send_sales(
        &self,
        pending: &mut Vec<(i64, ReceiptClosed)>,
        refused: &mut Refused,
    ) -> Result<(), DeliveryError> {
        if pending.is_empty() {
            return Ok(());
        }
        let phones: Vec<Phone> = pending
            .iter()
            .filter_map(|(_, c)| c.customer.as_ref().map(|c| c.phone.clone()))
            .collect();
        self.contact_ids(&phones).await?;
        let mut remaining: Vec<(i64, ReceiptClosed)> = std::mem::take(pending);
        while !remaining.is_empty() {
            let guids: Vec<String> = remaining
                .iter()
                .map(|(_, c)| c.receipt.guid.to_string())
                .collect();
            let existing = self.deals_by_origin(&guids).await?;
            let mut commands = Vec::new();
            for (i, (_, closed)) in remaining.iter().enumerate() {
                let rows = php_query(&json!({"rows": rows_of(closed)}));
                match existing
                    .get(&closed.receipt.guid.to_string())
                    .and_then(|d| d.get("ID"))
                    .and_then(id_of)
                {
                    Some(id) => {
                        tracing::info!(target = %self.name(), "deal of receipt {} exists; setting its rows only", closed.receipt.number);
                        commands.push((
                            format!("s{i:02}_rows"),
                            format!("crm.deal.productrows.set?id={id}&{rows}"),
                        ));
                    }
                    None => {
                        let deal = self.deal_of(closed);
                        commands.push((
                            format!("s{i:02}_deal"),
                            format!("crm.deal.add?{}", php_query(&deal)),
                        ));
                        commands.push((
                            format!("s{i:02}_rows"),
                            format!("crm.deal.productrows.set?id=$result[s{i:02}_deal]&{rows}"),
                        ));
                    }
                }
            }
            let outcome = self.batch(&commands, true).await?;
            let Some((key, code, description)) = outcome.errors.first() else {
                break;
            };
            // halt=1 stopped at the failing command. That sale is parked; the others go round
            // again: the lookup finds the deals made this time, and only their rows are set.
            let failed: usize = key
                .strip_prefix('s')
                .and_then(|rest| rest.get(..2))
                .and_then(|i| i.parse().ok())
                .unwrap_or(0)
                .min(remaining.len() - 1);
            let (seq, closed) = &remaining[failed];
            let step = if key.ends_with("_deal") {
                "create the deal"
            } else {
                "set the goods of the deal"
            };
            refused.push((
                *seq,
                format!(
                    "Bitrix24 refused to {step} of receipt {}: {}",
                    closed.receipt.number,
                    refusal(code, description)
                ),
            ));
            remaining.remove(failed);
        }
        Ok(())
    }

    /// `crm.deal.add` parameters for a sale.
    fn deal_of(&self, closed: &ReceiptClosed) -> Value {
        let settings = self.settings();
        let receipt = &closed.receipt;
        let mut fields = Map::new();
        fields.insert("TITLE".into(), json!(format!("Чек {}", receipt.number)));
        if let Some(category) = settings.category_id {
            fields.insert("CATEGORY_ID".into(), json!(category));
        }
        fields.insert("STAGE_ID".into(), json!(settings.stage_id));
        fields.insert("CURRENCY_ID".into(), json!(settings.currency));
        fields.insert("OPPORTUNITY".into(), rubles(receipt.total.0));
        fields.insert("IS_MANUAL_OPPORTUNITY".into(), json!("Y"));
        let at = receipt.closed_at.to_rfc3339();
        fields.insert("BEGINDATE".into(), json!(at));
        fields.insert("CLOSEDATE".into(), json!(at));
        fields.insert("CLOSED".into(), json!("Y"));
        fields.insert("ORIGINATOR_ID".into(), json!(settings.originator_id));
        fields.insert("ORIGIN_ID".into(), json!(receipt.guid.to_string()));
        if let Some(contact) = closed
            .customer
            .as_ref()
            .and_then(|c| self.contact_of(&c.phone))
        {
            fields.insert("CONTACT_IDS".into(), json!([contact]));
        }
        self.seller_fields(&closed.attribution, &mut fields);
        fields.insert(
            "COMMENTS".into(),
            json!(format!(
                "{SELLERS_PREFIX}{}\nЧек 1С: {}",
                sellers_text(&closed.attribution),
                receipt.number
            )),
        );
        json!({"fields": fields, "params": {"REGISTER_SONET_EVENT": "N"}})
    }

    fn seller_fields(
        &self,
        attribution: &naparnik_domain::Attribution,
        fields: &mut Map<String, Value>,
    ) {
        let settings = self.settings();
        let users: Vec<i64> = attribution
            .sellers
            .iter()
            .filter_map(|s| settings.users.get(s.code.as_str()).copied())
            .collect();
        if let Some(first) = attribution
            .sellers
            .first()
            .and_then(|s| settings.users.get(s.code.as_str()))
        {
            fields.insert("ASSIGNED_BY_ID".into(), json!(first));
        }
        if let Some(field) = &settings.sellers_field {
            fields.insert(field.clone(), json!(users));
        }
    }

    async fn apply_return(
        &self,
        closed: &ReceiptClosed,
    ) -> Result<Result<(), String>, DeliveryError> {
        let ReceiptKind::Return { original } = &closed.receipt.kind else {
            return Ok(Ok(()));
        };
        let number = &closed.receipt.number;
        let sale = original.to_string();
        let deals = self.deals_by_origin(std::slice::from_ref(&sale)).await?;
        let Some(deal) = deals.get(&sale) else {
            return Ok(Err(format!(
                "return {number}: its sale {sale} is not in Bitrix24 (sold before Naparnik or at a till that does not send there)"
            )));
        };
        let Some(id) = deal.get("ID").and_then(id_of) else {
            return Ok(Err(format!("return {number}: the sale's deal has no ID")));
        };
        let marker = format!("[naparnik: возврат {} {}]", number, closed.receipt.guid);
        let comments = deal
            .get("COMMENTS")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if comments.contains(&closed.receipt.guid.to_string()) {
            tracing::info!(target = %self.name(), "return {number} was applied before");
            return Ok(Ok(()));
        }
        let reply = self
            .call("crm.deal.productrows.get", &json!({"id": id}), true)
            .await?;
        let rows = match reply {
            Reply::Ok(body) => body
                .get("result")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            Reply::Refused { code, description } => {
                return Ok(Err(format!(
                    "return {number}: Bitrix24 refused to read the deal's goods: {}",
                    refusal(&code, &description)
                )));
            }
        };
        let mut left = Vec::new();
        for (index, row) in rows.iter().enumerate() {
            let line_no = row
                .get("SORT")
                .and_then(id_of)
                .and_then(|s| s.parse::<u32>().ok())
                .unwrap_or(index as u32 + 1);
            let quantity = row
                .get("QUANTITY")
                .and_then(kopecks_of)
                .map_or(0, |q| q * 10); // thousandths
            let returned: i64 = closed
                .receipt
                .lines
                .iter()
                .filter(|l| l.line_no == line_no)
                .map(|l| l.quantity.0)
                .sum();
            let remaining = quantity - returned;
            if remaining > 0 {
                let mut kept = Map::new();
                for key in [
                    "PRODUCT_ID",
                    "PRODUCT_NAME",
                    "PRICE",
                    "DISCOUNT_TYPE_ID",
                    "DISCOUNT_RATE",
                    "DISCOUNT_SUM",
                    "MEASURE_CODE",
                    "MEASURE_NAME",
                    "SORT",
                    "TAX_RATE",
                    "TAX_INCLUDED",
                ] {
                    if let Some(value) = row.get(key).filter(|v| !v.is_null()) {
                        kept.insert(key.into(), value.clone());
                    }
                }
                kept.insert("QUANTITY".into(), json!(remaining as f64 / 1000.0));
                left.push(Value::Object(kept));
            }
        }
        let reply = self
            .call(
                "crm.deal.productrows.set",
                &json!({"id": id, "rows": left}),
                true,
            )
            .await?;
        if let Reply::Refused { code, description } = reply {
            return Ok(Err(format!(
                "return {number}: Bitrix24 refused the deal's new goods: {}",
                refusal(&code, &description)
            )));
        }
        let opportunity = deal.get("OPPORTUNITY").and_then(kopecks_of).unwrap_or(0);
        let mut fields = Map::new();
        fields.insert(
            "OPPORTUNITY".into(),
            rubles((opportunity - closed.receipt.total.0).max(0)),
        );
        fields.insert("COMMENTS".into(), json!(format!("{comments}\n{marker}")));
        if left.is_empty() {
            fields.insert("STAGE_ID".into(), json!(self.settings().return_stage_id));
        }
        self.update_deal(&id, fields, number).await
    }

    async fn apply_correction(
        &self,
        corrected: &SellersCorrected,
    ) -> Result<Result<(), String>, DeliveryError> {
        let number = &corrected.sale.receipt.number;
        let sale = corrected.receipt.to_string();
        let deals = self.deals_by_origin(std::slice::from_ref(&sale)).await?;
        let Some((id, deal)) = deals
            .get(&sale)
            .and_then(|d| d.get("ID").and_then(id_of).map(|id| (id, d)))
        else {
            return Ok(Err(format!(
                "receipt {number}: its deal is not in Bitrix24"
            )));
        };
        let mut fields = Map::new();
        self.seller_fields(&corrected.after, &mut fields);
        let comments = deal
            .get("COMMENTS")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let rest: Vec<&str> = comments
            .lines()
            .filter(|l| !l.starts_with(SELLERS_PREFIX))
            .collect();
        let mut text = format!("{SELLERS_PREFIX}{}", sellers_text(&corrected.after));
        for line in rest {
            text.push('\n');
            text.push_str(line);
        }
        fields.insert("COMMENTS".into(), json!(text));
        self.update_deal(&id, fields, number).await
    }

    async fn update_deal(
        &self,
        id: &str,
        fields: Map<String, Value>,
        number: &str,
    ) -> Result<Result<(), String>, DeliveryError> {
        let reply = self
            .call(
                "crm.deal.update",
                &json!({"id": id, "fields": fields, "params": {"REGISTER_SONET_EVENT": "N"}}),
                true,
            )
            .await?;
        Ok(match reply {
            Reply::Ok(_) => Ok(()),
            Reply::Refused { code, description } => Err(format!(
                "receipt {number}: Bitrix24 refused to update the deal: {}",
                refusal(&code, &description)
            )),
        })
    }
}

/// `crm.deal.productrows.set` rows of a receipt: the price after discount, the discount per unit.
fn rows_of(closed: &ReceiptClosed) -> Vec<Value> {
    closed
        .receipt
        .lines
        .iter()
        .map(|line| {
            let unit_price = if line.quantity.0 > 0 {
                ((line.amount.0 as i128 * 1000 + line.quantity.0 as i128 / 2)
                    / line.quantity.0 as i128) as i64
            } else {
                line.amount.0
            };
            json!({
                "PRODUCT_NAME": line.name,
                "PRICE": rubles(unit_price),
                "QUANTITY": units(line.quantity),
                "DISCOUNT_TYPE_ID": 1,
                "DISCOUNT_SUM": rubles(discount_per_unit(line)),
                "MEASURE_NAME": line.unit,
                "SORT": line.line_no,
            })
        })
        .collect()
}
