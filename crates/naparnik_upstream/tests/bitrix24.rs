//! Bitrix24 REST against a fake portal on loopback answering with the documented samples:
//! the shape of every call (POST, JSON, webhook path), the halting batch of deal and rows,
//! each portal error leading to retry, park or configuration error, no second deal after a
//! lost answer, and the webhook's secret kept out of every message.
#![expect(clippy::unwrap_used, reason = "tests")]

mod fakes;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use fakes::bitrix24::{Bitrix24Fake, KNOWN_PHONE, WEBHOOK_PATH, php_params};
use fakes::http::Fake;
use fakes::receipts::{correction_event, correction_of, event_of, guid, return_of, sale};
use naparnik_domain::{OutboxEvent, Phone};
use naparnik_upstream::bitrix24::{Bitrix24, Bitrix24Settings};
use naparnik_upstream::{BatchEvent, DeliveryError, Refused};
use serde_json::json;

fn settings(fake: &Fake) -> Bitrix24Settings {
    let mut settings = Bitrix24Settings::new("b24", &format!("{}{WEBHOOK_PATH}", fake.url));
    settings.discount_field = Some("UF_CRM_DISCOUNT".into());
    settings.sellers_field = Some("UF_CRM_SELLERS".into());
    settings.users = BTreeMap::from([("S001".into(), 6), ("S002".into(), 7)]);
    settings.requests_per_second = 1000;
    settings
}

async fn portal() -> (Arc<Mutex<Bitrix24Fake>>, Fake, Bitrix24) {
    let state = Arc::new(Mutex::new(Bitrix24Fake::default()));
    let fake = fakes::bitrix24::start(Arc::clone(&state)).await;
    let b24 = Bitrix24::new(settings(&fake)).unwrap();
    (state, fake, b24)
}

async fn deliver(b24: &Bitrix24, events: &[OutboxEvent]) -> Result<Refused, DeliveryError> {
    let batch: Vec<BatchEvent<'_>> = events
        .iter()
        .enumerate()
        .map(|(i, event)| BatchEvent {
            seq: i as i64 + 1,
            event,
        })
        .collect();
    b24.deliver(&batch).await
}

#[tokio::test]
async fn a_sale_is_a_deal_with_its_rows_in_one_halting_batch() {
    let (state, fake, b24) = portal().await;
    let refused = deliver(&b24, &[event_of(&sale(1, Some(KNOWN_PHONE), 2))])
        .await
        .unwrap();
    assert!(refused.is_empty(), "{refused:?}");
    let requests = fake.requests();
    for request in &requests {
        assert_eq!(request.method, "POST", "{}", request.path);
        assert!(
            request.path.starts_with(WEBHOOK_PATH) && request.path.ends_with(".json"),
            "{}",
            request.path
        );
        assert!(
            request
                .header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
    }
    let paths: Vec<&str> = requests
        .iter()
        .map(|r| r.path.trim_start_matches(WEBHOOK_PATH))
        .collect();
    assert_eq!(
        paths,
        vec!["batch.json", "crm.deal.list.json", "batch.json"],
        "contacts, dedup lookup, deal"
    );

    let find = requests[0].json();
    let command = find["cmd"]["find_00"].as_str().unwrap();
    let (method, query) = command.split_once('?').unwrap();
    assert_eq!(method, "crm.duplicate.findbycomm");
    let params = php_params(query);
    assert_eq!(
        (params["type"].as_str(), params["entity_type"].as_str()),
        (Some("PHONE"), Some("CONTACT"))
    );
    assert!(
        query.contains("%2B79513054436"),
        "+ is encoded inside a batch command: {query}"
    );

    let lookup = requests[1].json();
    assert_eq!(lookup["filter"]["ORIGIN_ID"], guid(1).to_string());
    assert_eq!(lookup["filter"]["ORIGINATOR_ID"], "naparnik");

    let batch = requests[2].json();
    assert_eq!(batch["halt"], 1);
    let deal = batch["cmd"]["s00_deal"].as_str().unwrap();
    assert!(deal.starts_with("crm.deal.add?"));
    let rows = batch["cmd"]["s00_rows"].as_str().unwrap();
    assert!(
        rows.starts_with("crm.deal.productrows.set?id=$result[s00_deal]&"),
        "{rows}"
    );
    let fields = &php_params(deal.split_once('?').unwrap().1)["fields"];
    assert_eq!(fields["ORIGIN_ID"], guid(1).to_string());
    assert_eq!(
        fields["CONTACT_IDS"]["0"], "275",
        "the lowest id findbycomm answered"
    );
    assert_eq!(fields["ASSIGNED_BY_ID"], "6");
    assert_eq!(
        (
            fields["UF_CRM_SELLERS"]["0"].as_str(),
            fields["UF_CRM_SELLERS"]["1"].as_str()
        ),
        (Some("6"), Some("7"))
    );
    assert_eq!(fields["OPPORTUNITY"], "379.9");
    assert_eq!(fields["STAGE_ID"], "WON");

    let state = state.lock().unwrap();
    assert_eq!(state.deals_with_origin(&guid(1).to_string()), 1);
    let (id, _) = state.deals.iter().next().unwrap();
    let stored = &state.rows[id];
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0]["PRODUCT_NAME"], "Кофе");
    assert_eq!(
        stored[0]["PRICE"], "140.0",
        "the unit price after its discount"
    );
    assert_eq!(stored[0]["DISCOUNT_SUM"], "10.0");
    assert_eq!(stored[0]["QUANTITY"], "2.0");
}

#[tokio::test]
async fn a_retry_after_a_cut_connection_creates_no_second_deal() {
    let (state, fake, b24) = portal().await;
    let events = [event_of(&sale(2, None, 1)), event_of(&sale(3, None, 1))];
    state.lock().unwrap().cut_after = Some("batch");
    let first = deliver(&b24, &events).await;
    assert!(
        matches!(first, Err(DeliveryError::Retryable(_))),
        "{first:?}"
    );
    assert_eq!(
        state.lock().unwrap().deals.len(),
        2,
        "the portal made the deals; the answer was lost"
    );

    assert!(deliver(&b24, &events).await.unwrap().is_empty());
    let state = state.lock().unwrap();
    assert_eq!(state.deals.len(), 2, "no second deal");
    let last = fake.requests().last().unwrap().json();
    let commands: Vec<&String> = last["cmd"].as_object().unwrap().keys().collect();
    assert_eq!(
        commands,
        vec!["s00_rows", "s01_rows"],
        "found deals only get their rows again"
    );
}

#[tokio::test]
async fn each_portal_error_leads_to_the_right_decision() {
    let fixture = fakes::fixture;
    let secret = "abc123";
    let retry = [
        (503, fixture("bitrix24/error.query-limit-exceeded.json")),
        (429, fixture("bitrix24/error.operation-time-limit.json")),
        (
            500,
            r#"{"error":"INTERNAL_SERVER_ERROR","error_description":"Internal server error"}"#
                .to_owned(),
        ),
        (503, "<html>busy</html>".to_owned()),
    ];
    for (status, body) in retry {
        let (state, _fake, b24) = portal().await;
        state.lock().unwrap().answer_all = Some((status, "application/json", body.clone()));
        let result = deliver(&b24, &[event_of(&sale(4, None, 1))]).await;
        assert!(
            matches!(result, Err(DeliveryError::Retryable(_))),
            "{body}: {result:?}"
        );
    }
    let configuration = [
        (403, r#"{"error":"ACCESS_DENIED","error_description":"REST is available only on commercial plans"}"#.to_owned()),
        (401, r#"{"error":"expired_token","error_description":"The access token provided has expired."}"#.to_owned()),
        (401, r#"{"error":"NO_AUTH_FOUND","error_description":"Wrong authorization data"}"#.to_owned()),
        (403, r#"{"error":"insufficient_scope","error_description":""}"#.to_owned()),
        (400, fixture("bitrix24/crm.contact.list.error-access-denied.json")),
        (404, "<html><body>Not Found</body></html>".to_owned()),
    ];
    for (status, body) in configuration {
        let (state, _fake, b24) = portal().await;
        state.lock().unwrap().answer_all = Some((status, "application/json", body.clone()));
        match deliver(&b24, &[event_of(&sale(4, None, 1))]).await {
            Err(DeliveryError::Configuration(message)) => {
                assert!(message.contains("`webhook_url`"), "{message}");
                assert!(
                    !message.contains(secret),
                    "the webhook secret leaked: {message}"
                );
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    // The portal refusing the goods of one sale parks that sale alone; the next one goes.
    let (state, _fake, b24) = portal().await;
    let refusal = fakes::fixture_json("bitrix24/crm.deal.productrows.set.error.json");
    state.lock().unwrap().fail_command = Some(("s00_rows", refusal));
    let refused = deliver(
        &b24,
        &[event_of(&sale(5, None, 1)), event_of(&sale(6, None, 1))],
    )
    .await
    .unwrap();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].0, 1);
    assert!(
        refused[0].1.contains("ERROR_CORE") && refused[0].1.contains("ЦБ00-000005"),
        "{}",
        refused[0].1
    );
    let state = state.lock().unwrap();
    assert_eq!(state.deals_with_origin(&guid(6).to_string()), 1);
    assert_eq!(
        state.deals_with_origin(&guid(5).to_string()),
        1,
        "made before its rows were refused; not made twice"
    );
}

#[tokio::test]
async fn a_return_takes_goods_out_of_the_deal_once() {
    let (state, fake, b24) = portal().await;
    deliver(&b24, &[event_of(&sale(7, None, 1))]).await.unwrap();
    let ret = event_of(&return_of(7, 8, &[1]));
    assert!(
        deliver(&b24, std::slice::from_ref(&ret))
            .await
            .unwrap()
            .is_empty()
    );
    {
        let state = state.lock().unwrap();
        let (id, deal) = state.deals.iter().next().unwrap();
        assert_eq!(state.rows[id].len(), 1, "«Кофе» went back; «Чай» stays");
        assert_eq!(state.rows[id][0]["PRODUCT_NAME"], "Чай");
        assert_eq!(deal["OPPORTUNITY"], json!(99.9));
        assert!(
            deal["COMMENTS"]
                .as_str()
                .unwrap()
                .contains(&guid(8).to_string())
        );
        assert_eq!(deal["STAGE_ID"], "WON");
    }
    let before = fake.requests().len();
    assert!(deliver(&b24, &[ret]).await.unwrap().is_empty());
    assert_eq!(
        fake.requests().len(),
        before + 1,
        "a repeated return is recognised by the deal lookup alone"
    );

    assert!(
        deliver(&b24, &[event_of(&return_of(7, 9, &[2]))])
            .await
            .unwrap()
            .is_empty()
    );
    let state = state.lock().unwrap();
    let deal = state.deals.values().next().unwrap();
    assert_eq!(deal["STAGE_ID"], "LOSE", "nothing left: the return stage");
}

#[tokio::test]
async fn a_correction_updates_the_responsible_and_the_sellers() {
    let (state, _fake, b24) = portal().await;
    deliver(&b24, &[event_of(&sale(10, None, 2))])
        .await
        .unwrap();
    assert!(
        deliver(&b24, &[correction_event(&correction_of(10))])
            .await
            .unwrap()
            .is_empty()
    );
    let state = state.lock().unwrap();
    let deal = state.deals.values().next().unwrap();
    assert_eq!(deal["ASSIGNED_BY_ID"], json!(7));
    assert_eq!(deal["UF_CRM_SELLERS"], json!([7]));
    assert!(
        deal["COMMENTS"]
            .as_str()
            .unwrap()
            .starts_with("Продавцы: Петров Пётр (S002) 1/1")
    );
}

#[tokio::test]
async fn contacts_are_found_created_and_pulled() {
    let (state, fake, b24) = portal().await;
    let found = b24
        .find_customer(&Phone::parse("8 951 305-44-36").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        found.name.as_deref(),
        Some("Smith John Doe"),
        "crm.contact.get sample"
    );
    let find = fake.requests()[0].json();
    assert_eq!(find["type"], "PHONE");
    assert_eq!(find["values"], json!(["+79513054436", "89513054436"]));
    assert!(find["values"].as_array().unwrap().len() <= 20);

    let phone = Phone::parse("+79001234567").unwrap();
    assert_eq!(b24.find_customer(&phone).await.unwrap(), None);
    let id = b24.create_customer(&phone).await.unwrap();
    assert_eq!(
        b24.create_customer(&phone).await.unwrap(),
        id,
        "a second create finds the first"
    );
    assert_eq!(state.lock().unwrap().contacts.len(), 1);

    let changes = b24.customers_since(None).await.unwrap();
    let list = fake
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.path.ends_with("crm.contact.list.json"))
        .unwrap()
        .json();
    assert_eq!(list["filter"][">ID"], 0);
    assert_eq!(list["order"]["ID"], "ASC");
    assert_eq!(list["start"], -1);
    assert!(
        list["select"]
            .as_array()
            .unwrap()
            .contains(&json!("UF_CRM_DISCOUNT"))
    );
    assert_eq!(changes.customers.len(), 1);
    assert!(!changes.more);
    assert!(changes.cursor.ends_with("|0"), "{}", changes.cursor);
}
