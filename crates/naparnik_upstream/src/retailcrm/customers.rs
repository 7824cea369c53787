//! retailCRM customers: find by phone, create from a phone, the loyalty account, the history.
//!
//! There is no phone filter: `filter[name]` searches names and phones, and
//! not exactly, so every answer is checked by comparing each
//! `phones[].number` as E.164 with the number asked for. A customer created
//! at the till gets `externalId` = `np-` + its E.164 digits: the same on
//! every till, so a create repeated after a lost answer (or by another till)
//! is refused as existing, and the existing one is read by that id.

use std::collections::BTreeSet;

use naparnik_domain::Phone;
use serde_json::{Value, json};

use super::{Answer, RetailCrm, already_exists};
use crate::DeliveryError;
use crate::crm::{
    CrmCustomer, CustomerChanges, discount_of, full_name, id_of, kopecks_of, phone_of,
};

/// History records asked for per request.
const HISTORY_PAGE: usize = 100;

/// The `externalId` of a customer created at the till.
pub fn customer_external_id(phone: &Phone) -> String {
    format!("np-{}", phone.digits())
}

impl RetailCrm {
    /// The customer with this phone (with discount, card and bonus balance), or `None`.
    pub async fn find_customer(&self, phone: &Phone) -> Result<Option<CrmCustomer>, DeliveryError> {
        let Some(customer) = self.search_customer(phone).await? else {
            return Ok(None);
        };
        let mut found = customer_of(&customer, Some(phone));
        if let Some(found) = &mut found {
            self.add_loyalty(found).await?;
        }
        Ok(found)
    }

    /// The customer object whose phones include this one.
    async fn search_customer(&self, phone: &Phone) -> Result<Option<Value>, DeliveryError> {
        // The national number matches `8…`, `+7…` and `7…` as stored; the answer is checked below.
        let digits = phone.digits();
        let needle = if digits.len() == 11 && digits.starts_with('7') {
            &digits[1..]
        } else {
            digits
        };
        let answer = self
            .get(
                "/customers",
                &[
                    ("filter[name]", needle.to_owned()),
                    ("filter[sites][]", self.settings().site.clone()),
                    ("limit", "20".into()),
                ],
            )
            .await?;
        let body = self.expect_ok(answer, "search customers by phone")?;
        let found = body
            .get("customers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|customer| phones_of(customer).iter().any(|p| p == phone))
            .cloned();
        if let Some(id) = found
            .as_ref()
            .and_then(|c| c.get("id"))
            .and_then(Value::as_i64)
        {
            self.remember_customer(phone.as_e164(), id);
        }
        Ok(found)
    }

    /// Bonus balance and card of the customer's loyalty account, if there is one.
    async fn add_loyalty(&self, customer: &mut CrmCustomer) -> Result<(), DeliveryError> {
        let answer = self
            .get(
                "/loyalty/accounts",
                &[
                    ("filter[customerId]", customer.crm_id.clone()),
                    ("filter[sites][]", self.settings().site.clone()),
                ],
            )
            .await?;
        let Answer::Ok(body) = answer else {
            // No loyalty program (or no right to it): the customer is still known.
            return Ok(());
        };
        let account = body
            .get("loyaltyAccounts")
            .and_then(Value::as_array)
            .and_then(|accounts| {
                accounts
                    .iter()
                    .find(|a| a.get("active") != Some(&Value::Bool(false)))
            });
        if let Some(account) = account {
            customer.bonus_kopecks = account.get("amount").and_then(kopecks_of);
            if customer.card.is_none() {
                customer.card = account
                    .get("cardNumber")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
            }
            let level = account.get("level");
            if customer.discount.hundredths() == 0
                && level.and_then(|l| l.get("type")).and_then(Value::as_str) == Some("discount")
            {
                customer.discount = discount_of(level.and_then(|l| l.get("privilegeSize")));
            }
        }
        Ok(())
    }

    /// The retailCRM id of the customer with this phone: from memory, by search, else created.
    pub async fn customer_id(&self, phone: &Phone) -> Result<i64, DeliveryError> {
        if let Some(id) = self.known_customer(phone.as_e164()) {
            return Ok(id);
        }
        if let Some(id) = self
            .search_customer(phone)
            .await?
            .and_then(|c| c.get("id").and_then(Value::as_i64))
        {
            return Ok(id);
        }
        self.create_customer(phone).await
    }

    /// Creates a customer from the phone alone; a repeat finds the one created before.
    pub async fn create_customer(&self, phone: &Phone) -> Result<i64, DeliveryError> {
        let external_id = customer_external_id(phone);
        let customer = json!({
            "externalId": external_id,
            "phones": [{"number": phone.as_e164()}],
        });
        let answer = self
            .post(
                "/customers/create",
                &[
                    ("site", self.settings().site.clone()),
                    ("customer", customer.to_string()),
                ],
            )
            .await?;
        let id = match answer {
            Answer::Ok(body) => body.get("id").and_then(Value::as_i64),
            Answer::Refused { message, .. } if already_exists(&message) => {
                let answer = self
                    .get(
                        &format!("/customers/{external_id}"),
                        &[
                            ("by", "externalId".into()),
                            ("site", self.settings().site.clone()),
                        ],
                    )
                    .await?;
                let body = self.expect_ok(answer, "read the customer created before")?;
                body.get("customer")
                    .and_then(|c| c.get("id"))
                    .and_then(Value::as_i64)
            }
            other => {
                self.expect_ok(other, "create a customer")?;
                None
            }
        };
        let id = id.ok_or_else(|| {
            DeliveryError::Retryable("retailCRM answered a customer without an id".into())
        })?;
        self.remember_customer(phone.as_e164(), id);
        Ok(id)
    }

    /// Customers changed after history record `cursor` (exclusive); `None`: from the start.
    pub async fn customers_since(
        &self,
        cursor: Option<&str>,
    ) -> Result<CustomerChanges, DeliveryError> {
        let since = cursor.unwrap_or("0").to_owned();
        let answer = self
            .get(
                "/customers/history",
                &[
                    ("filter[sinceId]", since.clone()),
                    ("limit", HISTORY_PAGE.to_string()),
                ],
            )
            .await?;
        let body = self.expect_ok(answer, "read the customers' history")?;
        let records = body
            .get("history")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut changed = BTreeSet::new();
        let mut removed = BTreeSet::new();
        let mut last = since.clone();
        for record in &records {
            if let Some(id) = record.get("id").and_then(id_of) {
                last = id;
            }
            let Some(customer) = record
                .get("customer")
                .and_then(|c| c.get("id"))
                .and_then(Value::as_i64)
            else {
                continue;
            };
            if record.get("deleted") == Some(&Value::Bool(true)) {
                changed.remove(&customer);
                removed.insert(customer);
            } else {
                removed.remove(&customer);
                changed.insert(customer);
            }
        }
        let pagination = body.get("pagination");
        let page = |key| pagination.and_then(|p| p.get(key)).and_then(Value::as_u64);
        let moved = last.parse::<i64>().ok() > since.parse::<i64>().ok();
        let more = moved
            && matches!((page("currentPage"), page("totalPageCount")), (Some(current), Some(total)) if current < total);
        let mut customers = Vec::new();
        let ids: Vec<i64> = changed.into_iter().collect();
        for chunk in ids.chunks(HISTORY_PAGE) {
            let mut query: Vec<(&str, String)> = chunk
                .iter()
                .map(|id| ("filter[ids][]", id.to_string()))
                .collect();
            query.push(("limit", HISTORY_PAGE.to_string()));
            let answer = self.get("/customers", &query).await?;
            let body = self.expect_ok(answer, "read changed customers")?;
            for customer in body
                .get("customers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                match customer_of(customer, None) {
                    Some(found) => customers.push(found),
                    None => tracing::debug!("retailCRM customer without a usable phone skipped"),
                }
            }
        }
        Ok(CustomerChanges {
            customers,
            removed: removed.into_iter().map(|id| id.to_string()).collect(),
            cursor: last,
            more,
        })
    }

    /// The body of a successful answer, or the error for `doing`.
    pub(super) fn expect_ok(&self, answer: Answer, doing: &str) -> Result<Value, DeliveryError> {
        match answer {
            Answer::Ok(body) => Ok(body),
            Answer::NotFound => Err(DeliveryError::Permanent(format!(
                "retailCRM cannot {doing}: not found"
            ))),
            Answer::Refused { status, message } => Err(DeliveryError::Permanent(format!(
                "retailCRM refused to {doing} (HTTP {status}): {message}"
            ))),
        }
    }
}

/// Every phone of a customer object, as E.164.
fn phones_of(customer: &Value) -> Vec<Phone> {
    customer
        .get("phones")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("number").and_then(Value::as_str))
        .filter_map(phone_of)
        .collect()
}

/// The cache's view of a customer object; `phone` picks which of its phones (else the first).
fn customer_of(customer: &Value, phone: Option<&Phone>) -> Option<CrmCustomer> {
    let phones = phones_of(customer);
    let phone = match phone {
        Some(phone) => phones.into_iter().find(|p| p == phone)?,
        None => phones.into_iter().next()?,
    };
    let text = |key: &str| customer.get(key).and_then(Value::as_str);
    Some(CrmCustomer {
        crm_id: customer.get("id").and_then(id_of)?,
        phone,
        name: full_name(&[text("lastName"), text("firstName"), text("patronymic")]),
        discount: discount_of(customer.get("personalDiscount")),
        card: text("discountCardNumber")
            .filter(|c| !c.trim().is_empty())
            .map(str::to_owned),
        bonus_kopecks: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendor_sample_customer_is_read_despite_its_repeated_key() {
        let body: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/retailcrm/customers-list.response.json"
        ))
        .unwrap();
        let phone = Phone::parse("+79229112322").unwrap();
        let customer = customer_of(&body["customers"][0], Some(&phone)).unwrap();
        assert_eq!(customer.crm_id, "1233");
        assert_eq!(customer.name.as_deref(), Some("Иванов Иван Иванович23"));
        assert_eq!(customer.phone, phone);
    }
}
