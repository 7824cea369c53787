//! Bitrix24 contacts: by phone with `crm.duplicate.findbycomm`, read with
//! `crm.contact.get`, created from a phone, and pulled when changed.
//!
//! `findbycomm` compares normalised numbers (`8…` and `+7…` match) but not a
//! bare ten-digit local form, so each phone is asked in both of its usual
//! forms (two of the 20 values a call may carry). New contacts are written
//! in E.164. Several contacts with one phone: the lowest id wins, as the
//! portal lists them.

use naparnik_domain::Phone;
use serde_json::{Value, json};

use super::query::php_query;
use super::{Bitrix24, Reply, refusal};
use crate::DeliveryError;
use crate::crm::{CrmCustomer, CustomerChanges, discount_of, full_name, id_of, phone_of};

/// Most values `crm.duplicate.findbycomm` takes in one call.
pub const FINDBYCOMM_MAX_VALUES: usize = 20;

/// A list page of the portal.
const PAGE: usize = 50;

/// The forms a Russian phone is asked in: `+79513054436` and `89513054436`.
fn phone_forms(phone: &Phone) -> Vec<String> {
    let digits = phone.digits();
    let mut forms = vec![phone.as_e164().to_owned()];
    if digits.len() == 11 && digits.starts_with('7') {
        forms.push(format!("8{}", &digits[1..]));
    }
    forms
}

/// The `crm.duplicate.findbycomm` parameters for one phone.
fn findbycomm_params(phone: &Phone) -> Value {
    let values = phone_forms(phone);
    debug_assert!(values.len() <= FINDBYCOMM_MAX_VALUES);
    json!({"entity_type": "CONTACT", "type": "PHONE", "values": values})
}

/// The lowest contact id of a `findbycomm` result (`{"CONTACT": [..]}` or `[]` when none).
fn lowest_contact(result: Option<&Value>) -> Option<i64> {
    result
        .and_then(|r| r.get("CONTACT"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|id| id_of(id).and_then(|id| id.parse().ok()))
        .min()
}

impl Bitrix24 {
    /// The contact with this phone (name, discount from the configured field), or `None`.
    pub async fn find_customer(&self, phone: &Phone) -> Result<Option<CrmCustomer>, DeliveryError> {
        let Some(id) = self.search_contact(phone).await? else {
            return Ok(None);
        };
        let reply = self
            .call("crm.contact.get", &json!({"id": id}), false)
            .await?;
        let body = self.expect_ok(reply, "read a contact")?;
        Ok(body
            .get("result")
            .and_then(|contact| self.customer_of(contact, Some(phone))))
    }

    async fn search_contact(&self, phone: &Phone) -> Result<Option<i64>, DeliveryError> {
        let reply = self
            .call("crm.duplicate.findbycomm", &findbycomm_params(phone), true)
            .await?;
        let body = self.expect_ok(reply, "find a contact by phone")?;
        let id = lowest_contact(body.get("result"));
        if let Some(id) = id {
            self.remember_contact(phone.as_e164(), id);
        }
        Ok(id)
    }

    /// Contact ids of these phones: from memory, then one `batch` of `findbycomm`s for the rest,
    /// then one `batch` of `crm.contact.add` for those still missing.
    pub(super) async fn contact_ids(&self, phones: &[Phone]) -> Result<(), DeliveryError> {
        let mut unknown: Vec<&Phone> = Vec::new();
        for phone in phones {
            if self.known_contact(phone.as_e164()).is_none() && !unknown.contains(&phone) {
                unknown.push(phone);
            }
        }
        for chunk in unknown.chunks(PAGE) {
            let commands: Vec<(String, String)> = chunk
                .iter()
                .enumerate()
                .map(|(i, phone)| {
                    (
                        format!("find_{i:02}"),
                        format!(
                            "crm.duplicate.findbycomm?{}",
                            php_query(&findbycomm_params(phone))
                        ),
                    )
                })
                .collect();
            let results = self.batch(&commands, false).await?;
            let mut missing = Vec::new();
            for (i, phone) in chunk.iter().enumerate() {
                match lowest_contact(results.get(&format!("find_{i:02}"))) {
                    Some(id) => self.remember_contact(phone.as_e164(), id),
                    None => missing.push(*phone),
                }
            }
            if missing.is_empty() {
                continue;
            }
            let adds: Vec<(String, String)> = missing
                .iter()
                .enumerate()
                .map(|(i, phone)| {
                    (
                        format!("add_{i:02}"),
                        format!("crm.contact.add?{}", php_query(&contact_fields(phone))),
                    )
                })
                .collect();
            let results = self.batch(&adds, true).await?;
            for (i, phone) in missing.iter().enumerate() {
                if let Some(id) = results
                    .get(&format!("add_{i:02}"))
                    .and_then(id_of)
                    .and_then(|id| id.parse().ok())
                {
                    self.remember_contact(phone.as_e164(), id);
                }
            }
        }
        Ok(())
    }

    pub(super) fn contact_of(&self, phone: &Phone) -> Option<i64> {
        self.known_contact(phone.as_e164())
    }

    /// Creates a contact from the phone alone, unless one has it already; returns its id.
    pub async fn create_customer(&self, phone: &Phone) -> Result<i64, DeliveryError> {
        if let Some(id) = self.search_contact(phone).await? {
            return Ok(id);
        }
        let reply = self
            .call("crm.contact.add", &contact_fields(phone), true)
            .await?;
        let body = self.expect_ok(reply, "create a contact")?;
        let id = body
            .get("result")
            .and_then(id_of)
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| {
                DeliveryError::Retryable("Bitrix24 answered a contact without an id".into())
            })?;
        self.remember_contact(phone.as_e164(), id);
        Ok(id)
    }

    /// Contacts changed since the cursor (`since|max seen|last id`), a page of 50 at a time, keyset by `>ID`.
    pub async fn customers_since(
        &self,
        cursor: Option<&str>,
    ) -> Result<CustomerChanges, DeliveryError> {
        let mut parts = cursor.unwrap_or("").splitn(3, '|');
        let since = parts.next().unwrap_or("").to_owned();
        let mut max_seen = parts.next().unwrap_or("").to_owned();
        let last_id: i64 = parts.next().and_then(|id| id.parse().ok()).unwrap_or(0);
        let mut filter = serde_json::Map::new();
        if !since.is_empty() {
            filter.insert(">=DATE_MODIFY".into(), json!(since));
        }
        filter.insert(">ID".into(), json!(last_id));
        let mut select = vec![
            "ID",
            "NAME",
            "LAST_NAME",
            "SECOND_NAME",
            "PHONE",
            "DATE_MODIFY",
        ];
        if let Some(field) = &self.settings().discount_field {
            select.push(field);
        }
        let params = json!({
            "filter": filter,
            "order": {"ID": "ASC"},
            "select": select,
            "start": -1,
        });
        let reply = self.call("crm.contact.list", &params, true).await?;
        let body = self.expect_ok(reply, "list changed contacts")?;
        let rows = body
            .get("result")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut customers = Vec::new();
        let mut next_id = last_id;
        for row in &rows {
            if let Some(id) = row
                .get("ID")
                .and_then(id_of)
                .and_then(|id| id.parse::<i64>().ok())
            {
                next_id = next_id.max(id);
            }
            if let Some(modified) = row.get("DATE_MODIFY").and_then(Value::as_str)
                && later(modified, &max_seen)
            {
                max_seen = modified.to_owned();
            }
            if let Some(customer) = self.customer_of(row, None) {
                customers.push(customer);
            }
        }
        let more = rows.len() >= PAGE;
        let cursor = if more {
            format!("{since}|{max_seen}|{next_id}")
        } else {
            let next_since = if max_seen.is_empty() {
                since
            } else {
                max_seen.clone()
            };
            format!("{next_since}|{next_since}|0")
        };
        Ok(CustomerChanges {
            customers,
            removed: Vec::new(),
            cursor,
            more,
        })
    }

    /// The cache's view of a contact; `phone` picks which of its phones (else the first usable).
    fn customer_of(&self, contact: &Value, phone: Option<&Phone>) -> Option<CrmCustomer> {
        let phones: Vec<Phone> = contact
            .get("PHONE")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("VALUE").and_then(Value::as_str))
            .filter_map(phone_of)
            .collect();
        let phone = match phone {
            Some(phone) => phones
                .into_iter()
                .find(|p| p == phone)
                .or_else(|| Some(phone.clone()))?,
            None => phones.into_iter().next()?,
        };
        let text = |key: &str| contact.get(key).and_then(Value::as_str);
        let discount = self
            .settings()
            .discount_field
            .as_ref()
            .map(|field| discount_of(contact.get(field)))
            .unwrap_or(naparnik_domain::DiscountPercent::NONE);
        Some(CrmCustomer {
            crm_id: contact.get("ID").and_then(id_of)?,
            phone,
            name: full_name(&[text("LAST_NAME"), text("NAME"), text("SECOND_NAME")]),
            discount,
            card: None,
            bonus_kopecks: None,
        })
    }

    /// The body of a successful answer, or the error for `doing`.
    pub(super) fn expect_ok(&self, reply: Reply, doing: &str) -> Result<Value, DeliveryError> {
        match reply {
            Reply::Ok(body) => Ok(body),
            Reply::Refused { code, description } => Err(DeliveryError::Permanent(format!(
                "Bitrix24 refused to {doing}: {}",
                refusal(&code, &description)
            ))),
        }
    }
}

/// `crm.contact.add` parameters for a contact known by its phone alone.
fn contact_fields(phone: &Phone) -> Value {
    json!({
        "fields": {
            "PHONE": [{"VALUE": phone.as_e164(), "VALUE_TYPE": "MOBILE"}],
            "OPENED": "Y",
        },
        "params": {"REGISTER_SONET_EVENT": "N"},
    })
}

/// True when date-time `a` is later than `b` (both as the portal writes them; empty is earliest).
fn later(a: &str, b: &str) -> bool {
    match (
        chrono::DateTime::parse_from_rfc3339(a),
        chrono::DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(a), Ok(b)) => a > b,
        (Ok(_), Err(_)) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findbycomm_results_read_as_object_or_empty_list() {
        let found: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/bitrix24/crm.duplicate.findbycomm.response.json"
        ))
        .unwrap();
        assert_eq!(lowest_contact(found.get("result")), Some(275));
        let none: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/bitrix24/crm.duplicate.findbycomm.response-nothing-found.json"
        ))
        .unwrap();
        assert_eq!(lowest_contact(none.get("result")), None);
        let phone = Phone::parse("+79513054436").unwrap();
        assert_eq!(phone_forms(&phone), vec!["+79513054436", "89513054436"]);
    }
}
