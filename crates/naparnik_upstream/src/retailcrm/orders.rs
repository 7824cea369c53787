//! Receipts as retailCRM orders.
//!
//! A sale is an order with `externalId` = the receipt GUID. Consecutive sales
//! of a batch go in one `orders/upload` (up to 50); when the upload is
//! refused in whole or in part, each of its orders is created alone with
//! `orders/create`, whose answer is per order: an order that exists already
//! (the answer to an upload or create lost on the way back) counts as
//! delivered, any other refusal parks that sale with the vendor's message.
//! A return reads the sale's order, marks the returned items with the
//! returned status and sets the order's return (or partial-return) status;
//! setting a status again changes nothing, so a repeated return is harmless.
//! A seller correction edits the order by its `externalId`.

use naparnik_domain::event::payload::{ReceiptClosed, SellersCorrected};
use naparnik_domain::{ReceiptKind, SellerCode};
use serde_json::{Map, Value, json};

use super::{Answer, RetailCrm, already_exists};
use crate::crm::{CrmEvent, crm_event, discount_per_unit, rubles, sellers_text, units};
use crate::{BatchEvent, DeliveryError, Refused};

/// Most orders in one `orders/upload`.
pub const UPLOAD_CHUNK: usize = 50;

/// The code under which our line numbers are kept in `items[].externalIds`.
const LINE_ID_CODE: &str = "naparnik";

struct PendingOrder {
    seq: i64,
    number: String,
    order: Value,
}

impl RetailCrm {
    /// Delivers a batch: sales, returns, corrections, in order.
    pub async fn deliver(&self, events: &[BatchEvent<'_>]) -> Result<Refused, DeliveryError> {
        let mut refused = Refused::new();
        let mut pending: Vec<PendingOrder> = Vec::new();
        for event in events {
            let parsed = match crm_event(event.event) {
                Ok(parsed) => parsed,
                Err(reason) => {
                    refused.push((event.seq, reason));
                    continue;
                }
            };
            match parsed {
                CrmEvent::Sale(closed) => match self.order_of(&closed).await? {
                    Ok(order) => {
                        pending.push(PendingOrder {
                            seq: event.seq,
                            number: closed.receipt.number.clone(),
                            order,
                        });
                        if pending.len() == UPLOAD_CHUNK {
                            self.upload(&mut pending, &mut refused).await?;
                        }
                    }
                    Err(reason) => refused.push((event.seq, reason)),
                },
                CrmEvent::Return(closed) => {
                    self.upload(&mut pending, &mut refused).await?;
                    if let Err(reason) = self.apply_return(&closed).await? {
                        refused.push((event.seq, reason));
                    }
                }
                CrmEvent::Customer(phone) => {
                    self.upload(&mut pending, &mut refused).await?;
                    self.customer_id(&phone).await?;
                }
                CrmEvent::Correction(corrected) => {
                    self.upload(&mut pending, &mut refused).await?;
                    if let Err(reason) = self.apply_correction(&corrected).await? {
                        refused.push((event.seq, reason));
                    }
                }
            }
        }
        self.upload(&mut pending, &mut refused).await?;
        Ok(refused)
    }

    /// The order for a sale, or why the sale cannot be one.
    async fn order_of(
        &self,
        closed: &ReceiptClosed,
    ) -> Result<Result<Value, String>, DeliveryError> {
        let settings = self.settings();
        let receipt = &closed.receipt;
        let mut payments = Vec::new();
        if !settings.payment_types.is_empty() {
            for payment in &receipt.payments {
                let Some(kind) = settings.payment_types.get(&payment.kind) else {
                    return Ok(Err(format!(
                        "receipt {}: the payment kind `{}` has no retailCRM payment type; add it to `payment_types` of target `{}` (e.g. {} = \"cash\"), then run `naparnik sync retry-parked`",
                        receipt.number, payment.kind, settings.name, payment.kind
                    )));
                };
                payments.push(json!({
                    "type": kind,
                    "status": settings.payment_status,
                    "amount": rubles(payment.amount.0),
                    "paidAt": receipt.closed_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                }));
            }
        }
        let items: Vec<Value> = receipt
            .lines
            .iter()
            .map(|line| {
                json!({
                    "productName": line.name,
                    "quantity": units(line.quantity),
                    "initialPrice": rubles(line.price.0),
                    "discountManualAmount": rubles(discount_per_unit(line)),
                    "externalIds": [{"code": LINE_ID_CODE, "value": line.line_no.to_string()}],
                })
            })
            .collect();
        let mut fields = Map::new();
        fields.insert("externalId".into(), json!(receipt.guid.to_string()));
        fields.insert(
            "createdAt".into(),
            json!(receipt.closed_at.format("%Y-%m-%d %H:%M:%S").to_string()),
        );
        fields.insert("orderType".into(), json!(settings.order_type));
        fields.insert("orderMethod".into(), json!(settings.order_method));
        fields.insert("status".into(), json!(settings.order_status));
        fields.insert("items".into(), Value::Array(items));
        if !payments.is_empty() {
            fields.insert("payments".into(), Value::Array(payments));
        }
        if let Some(customer) = &closed.customer {
            let id = self.customer_id(&customer.phone).await?;
            fields.insert("customer".into(), json!({"id": id}));
            fields.insert("phone".into(), json!(customer.phone.as_e164()));
        }
        if let Some(manager) = self.manager_of(closed.attribution.sellers.first().map(|s| &s.code))
        {
            fields.insert("managerId".into(), json!(manager));
        }
        let custom = self.custom_fields(&receipt.number, &closed.attribution);
        if !custom.is_empty() {
            fields.insert("customFields".into(), Value::Object(custom));
        }
        Ok(Ok(Value::Object(fields)))
    }

    fn manager_of(&self, seller: Option<&SellerCode>) -> Option<i64> {
        seller.and_then(|code| self.settings().managers.get(code.as_str()).copied())
    }

    fn custom_fields(
        &self,
        number: &str,
        attribution: &naparnik_domain::Attribution,
    ) -> Map<String, Value> {
        let mut custom = Map::new();
        if let Some(field) = &self.settings().receipt_number_field {
            custom.insert(field.clone(), json!(number));
        }
        if let Some(field) = &self.settings().sellers_field {
            custom.insert(field.clone(), json!(sellers_text(attribution)));
        }
        custom
    }

    /// Sends the pending orders in one upload; on any refusal creates each alone.
    async fn upload(
        &self,
        pending: &mut Vec<PendingOrder>,
        refused: &mut Refused,
    ) -> Result<(), DeliveryError> {
        if pending.is_empty() {
            return Ok(());
        }
        let orders = Value::Array(pending.iter().map(|p| p.order.clone()).collect());
        let answer = self
            .post(
                "/orders/upload",
                &[
                    ("site", self.settings().site.clone()),
                    ("orders", orders.to_string()),
                ],
            )
            .await?;
        if let Answer::Refused { status, message } = &answer {
            tracing::info!(target = %self.name(), status, %message, "upload refused; creating its orders one by one");
            for order in pending.iter() {
                if let Err(reason) = self.create_order(order).await? {
                    refused.push((order.seq, reason));
                }
            }
        }
        pending.clear();
        Ok(())
    }

    async fn create_order(
        &self,
        pending: &PendingOrder,
    ) -> Result<Result<(), String>, DeliveryError> {
        let answer = self
            .post(
                "/orders/create",
                &[
                    ("site", self.settings().site.clone()),
                    ("order", pending.order.to_string()),
                ],
            )
            .await?;
        Ok(match answer {
            Answer::Ok(_) => Ok(()),
            Answer::Refused { message, .. } if already_exists(&message) => {
                tracing::info!(target = %self.name(), "order of receipt {} was created before", pending.number);
                Ok(())
            }
            Answer::Refused { status, message } => Err(format!(
                "retailCRM refused the order of receipt {} (HTTP {status}): {message}",
                pending.number
            )),
            Answer::NotFound => Err(format!(
                "retailCRM answered 404 to the order of receipt {}",
                pending.number
            )),
        })
    }

    /// Marks the returned items and sets the return status on the sale's order.
    async fn apply_return(
        &self,
        closed: &ReceiptClosed,
    ) -> Result<Result<(), String>, DeliveryError> {
        let settings = self.settings();
        let ReceiptKind::Return { original } = &closed.receipt.kind else {
            return Ok(Ok(()));
        };
        let sale = original.to_string();
        let answer = self
            .get(
                &format!("/orders/{sale}"),
                &[("by", "externalId".into()), ("site", settings.site.clone())],
            )
            .await?;
        let order = match answer {
            Answer::Ok(body) => body.get("order").cloned().unwrap_or(Value::Null),
            Answer::NotFound => {
                return Ok(Err(format!(
                    "return {}: its sale {sale} is not in retailCRM (sold before Naparnik or at a till that does not send there); nothing to mark returned",
                    closed.receipt.number
                )));
            }
            Answer::Refused { status, message } => {
                return Ok(Err(format!(
                    "return {}: retailCRM refused to read the sale's order (HTTP {status}): {message}",
                    closed.receipt.number
                )));
            }
        };
        let returned_lines: Vec<String> = closed
            .receipt
            .lines
            .iter()
            .map(|l| l.line_no.to_string())
            .collect();
        let mut items = Vec::new();
        let mut all_returned = true;
        for (index, item) in order
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let Some(id) = item.get("id").and_then(Value::as_i64) else {
                continue;
            };
            let line_no = item
                .get("externalIds")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|e| e.get("code").and_then(Value::as_str) == Some(LINE_ID_CODE))
                .and_then(|e| e.get("value").and_then(Value::as_str))
                .map_or_else(|| (index + 1).to_string(), str::to_owned);
            let returned_before = item.get("status").and_then(Value::as_str)
                == Some(settings.returned_item_status.as_str());
            if returned_before || returned_lines.contains(&line_no) {
                items.push(json!({"id": id, "status": settings.returned_item_status}));
            } else {
                all_returned = false;
                items.push(json!({"id": id}));
            }
        }
        let status = if all_returned {
            &settings.return_status
        } else {
            &settings.partial_return_status
        };
        let edit = json!({"status": status, "items": items});
        self.edit_order(&sale, &edit, &closed.receipt.number).await
    }

    /// Puts the corrected sellers on the sale's order.
    async fn apply_correction(
        &self,
        corrected: &SellersCorrected,
    ) -> Result<Result<(), String>, DeliveryError> {
        let mut edit = Map::new();
        let manager = self.manager_of(corrected.after.sellers.first().map(|s| &s.code));
        if let Some(manager) = manager {
            edit.insert("managerId".into(), json!(manager));
        }
        if let Some(field) = &self.settings().sellers_field {
            let mut custom = Map::new();
            custom.insert(field.clone(), json!(sellers_text(&corrected.after)));
            edit.insert("customFields".into(), Value::Object(custom));
        }
        if edit.is_empty() {
            return Ok(Ok(()));
        }
        let number = corrected.sale.receipt.number.clone();
        self.edit_order(
            &corrected.receipt.to_string(),
            &Value::Object(edit),
            &number,
        )
        .await
    }

    async fn edit_order(
        &self,
        external_id: &str,
        edit: &Value,
        number: &str,
    ) -> Result<Result<(), String>, DeliveryError> {
        let answer = self
            .post(
                &format!("/orders/{external_id}/edit"),
                &[
                    ("by", "externalId".into()),
                    ("site", self.settings().site.clone()),
                    ("order", edit.to_string()),
                ],
            )
            .await?;
        Ok(match answer {
            Answer::Ok(_) => Ok(()),
            Answer::NotFound => Err(format!(
                "receipt {number}: the order {external_id} is not in retailCRM"
            )),
            Answer::Refused { status, message } => Err(format!(
                "receipt {number}: retailCRM refused to edit the order (HTTP {status}): {message}"
            )),
        })
    }
}
