//! retailCRM API v5 against a fake account on loopback answering with the vendor's samples:
//! the shape of every request (method, path, key, form fields holding JSON), each vendor
//! error leading to retry, park or configuration error, and no second order after a lost answer.
#![expect(clippy::unwrap_used, reason = "tests")]

mod fakes;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use fakes::http::Fake;
use fakes::receipts::{correction_event, correction_of, event_of, guid, return_of, sale};
use fakes::retailcrm::{API_KEY, KNOWN_PHONE, RetailCrmFake};
use naparnik_domain::{OutboxEvent, Phone};
use naparnik_upstream::retailcrm::{RetailCrm, RetailCrmSettings, customer_external_id};
use naparnik_upstream::{BatchEvent, DeliveryError, Refused};
use serde_json::json;

fn settings(fake: &Fake) -> RetailCrmSettings {
    let mut settings = RetailCrmSettings::new("crm", &fake.url, API_KEY, "store-1");
    settings.payment_types = BTreeMap::from([
        ("card".into(), "bank-card".into()),
        ("cash".into(), "cash".into()),
    ]);
    settings.managers = BTreeMap::from([("S001".into(), 28)]);
    settings.requests_per_second = 1000;
    settings
}

async fn account() -> (Arc<Mutex<RetailCrmFake>>, Fake, RetailCrm) {
    let state = Arc::new(Mutex::new(RetailCrmFake::default()));
    let fake = fakes::retailcrm::start(Arc::clone(&state)).await;
    let crm = RetailCrm::new(settings(&fake)).unwrap();
    (state, fake, crm)
}

async fn deliver(crm: &RetailCrm, events: &[OutboxEvent]) -> Result<Refused, DeliveryError> {
    let batch: Vec<BatchEvent<'_>> = events
        .iter()
        .enumerate()
        .map(|(i, event)| BatchEvent {
            seq: i as i64 + 1,
            event,
        })
        .collect();
    crm.deliver(&batch).await
}

#[tokio::test]
async fn a_sale_is_an_order_sent_as_the_vendors_clients_send_it() {
    let (state, fake, crm) = account().await;
    let refused = deliver(&crm, &[event_of(&sale(1, Some(KNOWN_PHONE), 2))])
        .await
        .unwrap();
    assert!(refused.is_empty(), "{refused:?}");
    let requests = fake.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.header("X-API-KEY") == Some(API_KEY)),
        "every request carries the key"
    );
    assert!(
        requests.iter().all(|r| r.query_value("apiKey").is_none()),
        "the key never goes in the URL"
    );

    let search = &requests[0];
    assert_eq!(
        (search.method.as_str(), search.path.as_str()),
        ("GET", "/api/v5/customers")
    );
    assert_eq!(
        search.query_value("filter[name]"),
        Some("9229112322"),
        "the national number matches 8…, +7… and 7…"
    );
    assert_eq!(search.query_values("filter[sites][]"), vec!["store-1"]);

    let upload = requests
        .iter()
        .find(|r| r.path == "/api/v5/orders/upload")
        .unwrap();
    assert_eq!(upload.method, "POST");
    assert!(
        upload
            .header("content-type")
            .unwrap()
            .starts_with("application/x-www-form-urlencoded")
    );
    assert_eq!(upload.form_value("site").as_deref(), Some("store-1"));
    let order = &upload.form_json("orders")[0];
    assert_eq!(order["externalId"], guid(1).to_string());
    assert_eq!(
        order["customer"],
        json!({"id": 1233}),
        "the customer of the vendor's sample, found by phone"
    );
    assert_eq!(
        (
            order["orderType"].as_str(),
            order["orderMethod"].as_str(),
            order["status"].as_str()
        ),
        (Some("offline"), Some("offline"), Some("complete"))
    );
    assert_eq!(order["createdAt"], "2026-11-22 12:30:00");
    assert_eq!(order["items"][0]["productName"], "Кофе");
    assert_eq!(order["items"][0]["quantity"], 2.0);
    assert_eq!(order["items"][0]["initialPrice"], 150.0);
    assert_eq!(
        order["items"][0]["discountManualAmount"], 10.0,
        "20.00 off two units is 10.00 a unit"
    );
    assert_eq!(order["payments"][0]["type"], "bank-card");
    assert_eq!(order["payments"][0]["amount"], 379.9);
    assert_eq!(
        order["managerId"], 28,
        "the first seller through the seller → manager map"
    );
    assert_eq!(order["customFields"]["check_number1c"], "ЦБ00-000001");
    let sellers = order["customFields"]["naparnik_sellers"].as_str().unwrap();
    assert!(
        sellers.contains("Иванова Анна (S001) 1/2: 189.95")
            && sellers.contains("Петров Пётр (S002) 1/2: 189.95"),
        "{sellers}"
    );
    assert_eq!(state.lock().unwrap().orders.len(), 1);
}

#[tokio::test]
async fn an_unknown_phone_becomes_a_customer_created_from_the_phone_alone() {
    let (state, fake, crm) = account().await;
    deliver(&crm, &[event_of(&sale(2, Some("8 (951) 305-44-36"), 1))])
        .await
        .unwrap();
    let create = fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/v5/customers/create")
        .unwrap();
    assert_eq!(create.method, "POST");
    assert_eq!(create.form_value("site").as_deref(), Some("store-1"));
    assert_eq!(
        create.form_json("customer"),
        json!({"externalId": "np-79513054436", "phones": [{"number": "+79513054436"}]})
    );
    let order = state.lock().unwrap().orders[&guid(2).to_string()].clone();
    assert_eq!(
        order["customer"],
        json!({"id": 1}),
        "the id of the vendor's create answer"
    );

    // A second create of the same phone (another till, or a lost answer) reads the one made before.
    let phone = Phone::parse("+79513054436").unwrap();
    let fresh = RetailCrm::new(settings(&fake)).unwrap();
    assert_eq!(fresh.create_customer(&phone).await.unwrap(), 1);
    assert_eq!(
        state.lock().unwrap().customers.len(),
        1,
        "no duplicate customer"
    );
    assert_eq!(customer_external_id(&phone), "np-79513054436");
}

#[tokio::test]
async fn a_retry_after_a_cut_connection_creates_no_second_order() {
    let (state, _fake, crm) = account().await;
    let events = [event_of(&sale(3, None, 1)), event_of(&sale(4, None, 1))];
    state.lock().unwrap().cut_after = Some("/orders/upload");
    let first = deliver(&crm, &events).await;
    assert!(
        matches!(first, Err(DeliveryError::Retryable(_))),
        "{first:?}"
    );
    assert_eq!(
        state.lock().unwrap().orders.len(),
        2,
        "the account made the orders; the answer was lost"
    );

    let again = deliver(&crm, &events).await.unwrap();
    assert!(
        again.is_empty(),
        "orders that exist count as delivered: {again:?}"
    );
    let state = state.lock().unwrap();
    assert_eq!(state.orders.len(), 2, "no second order");
}

#[tokio::test]
async fn each_vendor_error_leads_to_the_right_decision() {
    let fixture = fakes::fixture;
    enum Decision {
        Retry,
        Configuration(&'static str),
    }
    let cases: Vec<(&str, (u16, &'static str, String), Decision)> = vec![
        (
            "rate limit 503",
            (
                503,
                "application/json",
                r#"{"success": false, "errorMsg": "Rate limit exceeded"}"#.into(),
            ),
            Decision::Retry,
        ),
        (
            "rate limit 429",
            (
                429,
                "application/json",
                r#"{"success": false, "errorMsg": "Rate limit exceeded"}"#.into(),
            ),
            Decision::Retry,
        ),
        (
            "server error",
            (500, "text/html", "<html>oops</html>".into()),
            Decision::Retry,
        ),
        (
            "HTML answer",
            (
                404,
                "text/html",
                "<html><body>404 Not Found</body></html>".into(),
            ),
            Decision::Configuration("`url`"),
        ),
        (
            "wrong key",
            (
                403,
                "application/json",
                r#"{"success": false, "errorMsg": "Wrong \"apiKey\" value."}"#.into(),
            ),
            Decision::Configuration("`api_key`"),
        ),
        (
            "missing key",
            (
                403,
                "application/json",
                r#"{"success": false, "errorMsg": "\"apiKey\" is missing."}"#.into(),
            ),
            Decision::Configuration("`api_key`"),
        ),
        (
            "access denied",
            (
                403,
                "application/json",
                r#"{"success": false, "errorMsg": "Access denied."}"#.into(),
            ),
            Decision::Configuration("site `store-1`"),
        ),
        (
            "no account",
            (
                200,
                "application/json",
                r#"{"success": false, "errorMsg": "Account does not exist."}"#.into(),
            ),
            Decision::Configuration("`url`"),
        ),
    ];
    for (name, answer, decision) in cases {
        let (state, _fake, crm) = account().await;
        state.lock().unwrap().answer_all = Some(answer);
        let result = deliver(&crm, &[event_of(&sale(5, None, 1))]).await;
        match (decision, &result) {
            (Decision::Retry, Err(DeliveryError::Retryable(_))) => {}
            (Decision::Configuration(key), Err(DeliveryError::Configuration(message))) => {
                assert!(message.contains(key), "{name}: {message}");
                assert!(
                    !message.contains(API_KEY),
                    "{name}: the key leaked: {message}"
                );
            }
            _ => panic!("{name}: {result:?}"),
        }
    }
    // Refusals of the data itself park the sale with the vendor's message.
    let refusals = [
        (
            400,
            fixture("retailcrm/error-validation-map.response.json"),
            "Validation error: name: name must be provided",
        ),
        (
            400,
            fixture("retailcrm/error-errors-list.response.json"),
            "Failed to activate module: Your account has insufficient funds",
        ),
        (
            400,
            fixture("retailcrm/error-missing-parameter.response.json"),
            "Parameter 'item' is missing",
        ),
        (
            405,
            fixture("retailcrm/error-method-not-allowed.response.json"),
            "Method Not Allowed",
        ),
        (
            460,
            fixture("retailcrm/error-orders-upload-460.response.json"),
            "Offer with id 123123 not found.",
        ),
    ];
    for (status, body, message) in refusals {
        let (state, _fake, crm) = account().await;
        state.lock().unwrap().refuse_orders = Some((status, body));
        let refused = deliver(&crm, &[event_of(&sale(6, None, 1))]).await.unwrap();
        assert_eq!(refused.len(), 1, "{message}");
        assert_eq!(refused[0].0, 1);
        assert!(
            refused[0].1.contains(message) && refused[0].1.contains("ЦБ00-000006"),
            "{}",
            refused[0].1
        );
    }
}

#[tokio::test]
async fn an_unmapped_payment_kind_parks_the_sale_and_names_the_key() {
    let (_state, fake, _crm) = account().await;
    let mut settings = settings(&fake);
    settings.payment_types.remove("card");
    let crm = RetailCrm::new(settings).unwrap();
    let refused = deliver(&crm, &[event_of(&sale(7, None, 1))]).await.unwrap();
    assert!(
        refused[0].1.contains("`payment_types`") && refused[0].1.contains("`card`"),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_return_marks_the_items_returned_and_a_correction_edits_the_sellers() {
    let (state, fake, crm) = account().await;
    deliver(&crm, &[event_of(&sale(8, None, 2))]).await.unwrap();
    let refused = deliver(
        &crm,
        &[
            event_of(&return_of(8, 9, &[1])),
            correction_event(&correction_of(8)),
        ],
    )
    .await
    .unwrap();
    assert!(refused.is_empty(), "{refused:?}");
    let requests = fake.requests();
    let read = requests
        .iter()
        .find(|r| r.method == "GET" && r.path == format!("/api/v5/orders/{}", guid(8)))
        .unwrap();
    assert_eq!(read.query_value("by"), Some("externalId"));
    assert_eq!(read.query_value("site"), Some("store-1"));
    let edits: Vec<_> = requests
        .iter()
        .filter(|r| r.path == format!("/api/v5/orders/{}/edit", guid(8)))
        .collect();
    assert_eq!(edits.len(), 2);
    for edit in &edits {
        assert_eq!(edit.method, "POST");
        assert_eq!(edit.form_value("by").as_deref(), Some("externalId"));
        assert_eq!(edit.form_value("site").as_deref(), Some("store-1"));
    }
    // The vendor's order sample has one item (id 10114): returning our line 1 returns it all.
    assert_eq!(
        edits[0].form_json("order"),
        json!({"status": "return", "items": [{"id": 10114, "status": "returned"}]})
    );
    let correction = edits[1].form_json("order");
    assert_eq!(
        correction["customFields"]["naparnik_sellers"],
        "Петров Пётр (S002) 1/1: 379.90"
    );
    assert!(
        correction.get("managerId").is_none(),
        "S002 has no manager mapped"
    );
    assert_eq!(state.lock().unwrap().edits.len(), 2);

    // A return of a sale the CRM never got is parked with a reason.
    let refused = deliver(&crm, &[event_of(&return_of(99, 100, &[1]))])
        .await
        .unwrap();
    assert!(refused[0].1.contains("is not in retailCRM"), "{refused:?}");
}

#[tokio::test]
async fn a_customer_is_found_with_discount_card_and_bonus() {
    let (_state, fake, crm) = account().await;
    let phone = Phone::parse("8 922 911-23-22").unwrap();
    let found = crm.find_customer(&phone).await.unwrap().unwrap();
    assert_eq!(found.crm_id, "1233");
    assert_eq!(found.name.as_deref(), Some("Иванов Иван Иванович23"));
    assert_eq!(
        found.bonus_kopecks,
        Some(0),
        "the first active loyalty account of the sample"
    );
    assert_eq!(
        found.discount.percent().to_string(),
        "20.00",
        "the sample's discount level, as the personal discount is 0"
    );
    let loyalty = fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/v5/loyalty/accounts")
        .unwrap();
    assert_eq!(loyalty.query_value("filter[customerId]"), Some("1233"));
    assert_eq!(
        crm.find_customer(&Phone::parse("+79000000000").unwrap())
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn the_history_is_pulled_from_the_stored_since_id() {
    let (_state, fake, crm) = account().await;
    let changes = crm.customers_since(Some("2691")).await.unwrap();
    let requests = fake.requests();
    assert_eq!(requests[0].path, "/api/v5/customers/history");
    assert_eq!(requests[0].query_value("filter[sinceId]"), Some("2691"));
    assert_eq!(changes.cursor, "2791", "the last record of the page");
    assert!(changes.more, "the sample is page 1 of 287");
    assert!(
        changes.removed.contains(&"974".to_owned()),
        "deleted customers are removed"
    );
    let refetch = &requests[1];
    assert_eq!(refetch.path, "/api/v5/customers");
    let ids = refetch.query_values("filter[ids][]");
    assert!(
        ids.contains(&"978") && ids.contains(&"990") && !ids.contains(&"974"),
        "{ids:?}"
    );
    assert_eq!(
        changes.customers.len(),
        1,
        "the answer's customer with a phone"
    );
}
