//! The bridge over a real loopback socket, driven the way the 1C:Розница extension drives it.
#![expect(
    clippy::unwrap_used,
    reason = "helpers shared by tests: a failed unwrap is a failed test"
)]

mod support;

use naparnik_domain::EventKind;
use naparnik_store::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::Till;

const SALE_1: &str = "3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b";
const SALE_2: &str = "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
const RETURN_1: &str = "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d";

fn line(
    line_no: u32,
    sku: &str,
    name: &str,
    quantity: &str,
    price: &str,
    discount: &str,
    amount: &str,
) -> Value {
    json!({ "line_no": line_no, "sku": sku, "name": name, "unit": "шт", "quantity": quantity, "price": price, "discount": discount, "amount": amount })
}

fn sale_1() -> Value {
    json!({
        "guid": SALE_1, "number": "ЦБ00-000123", "kind": "sale", "closed_at": "2026-11-22T11:58:41+03:00",
        "store": "store-1", "till": "till-2", "cashier": "Кассир Смирнова",
        "customer_phone": "+79513054436", "sellers": ["EMP0001", "EMP0007", "EMP0012"],
        "lines": [
            line(1, "00000000797", "Джинсы Элегантность (48)", "1", "492.00", "49.20", "442.80"),
            line(2, "00000000541", "Апельсины", "1.000", "150.00", "15.00", "135.00"),
        ],
        "payments": [{ "kind": "card", "amount": "577.80" }],
        "total": "577.80"
    })
}

fn sale_2() -> Value {
    json!({
        "guid": SALE_2, "number": "ЦБ00-000124", "kind": "sale", "closed_at": "2026-11-22T11:59:10+03:00",
        "store": "store-1", "till": "till-2", "cashier": "Кассир Смирнова",
        "customer_phone": "9161204589", "sellers": ["EMP0001", "EMP0007", "EMP0012"],
        "lines": [line(1, "00000000798", "Джинсы Элегантность (50)", "1", "100.00", "0.00", "100.00")],
        "payments": [{ "kind": "cash", "amount": 100.0 }],
        "total": 100
    })
}

fn return_1() -> Value {
    json!({
        "guid": RETURN_1, "number": "ЦБ00-000125", "kind": "return", "original_guid": SALE_1,
        "closed_at": "2026-11-22T12:30:00+03:00", "store": "store-1", "till": "till-2", "cashier": "Кассир Смирнова",
        "customer_phone": "+79513054436",
        "lines": [line(2, "00000000541", "Апельсины", "1.000", "150.00", "15.00", "135.00")],
        "payments": [{ "kind": "card", "amount": "135.00" }],
        "total": "135.00"
    })
}

fn amounts(attribution: &Value) -> Vec<String> {
    attribution["sellers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["amount"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_session_as_1c_drives_it() {
    let till = Till::start().await;

    let health = till
        .client
        .get(format!("{}/health", till.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let health: Value = health.json().await.unwrap();
    assert_eq!(
        (health["status"].as_str(), health["database_ok"].as_bool()),
        (Some("ok"), Some(true))
    );
    till.bridge.set_devices(vec!["scanner: подключён".into()]);
    let health: Value = till
        .client
        .get(format!("{}/health", till.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        health["devices"],
        json!(["scanner: подключён"]),
        "the window's devices show in /health"
    );
    let unauthorized = till
        .client
        .get(format!("{}/api/v1/assignment", till.base))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    let body: Value = unauthorized.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    let wrong = till
        .client
        .get(format!("{}/api/v1/assignment", till.base))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let (status, assignment) = till
        .put(
            "/api/v1/assignment/customer",
            json!({ "phone": "8 (951) 305-44-36" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{assignment}");
    assert_eq!(assignment["customer"]["phone"], "+79513054436");
    assert_eq!(
        assignment["customer"]["phone_display"],
        "+7 (951) 305-44-36"
    );
    assert_eq!(assignment["customer"]["name"], Value::Null);

    assert_eq!(
        till.post(
            "/api/v1/assignment/sellers",
            json!({ "badge": "2000000000015" })
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        till.post("/api/v1/assignment/sellers", json!({ "code": "EMP0007" }))
            .await
            .0,
        StatusCode::OK
    );
    let (status, again) = till
        .post("/api/v1/assignment/sellers", json!({ "code": "EMP0007" }))
        .await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("seller_already_added"))
    );
    let (status, unknown) = till
        .post("/api/v1/assignment/sellers", json!({ "code": "EMP9999" }))
        .await;
    assert_eq!(
        (status, unknown["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_seller"))
    );
    assert_eq!(
        till.post("/api/v1/assignment/sellers", json!({ "badge": "EMP-0012" }))
            .await
            .0,
        StatusCode::OK
    );
    let (_, assignment) = till.get("/api/v1/assignment").await;
    let codes: Vec<&str> = assignment["sellers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["EMP0001", "EMP0007", "EMP0012"]);
    assert_eq!(assignment["share"], "1/3");
    let (status, with_total) = till
        .put("/api/v1/assignment/total", json!({ "total": "100.00" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{with_total}");
    let shown: Vec<&str> = with_total["sellers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["amount"].as_str().unwrap())
        .collect();
    assert_eq!(
        shown,
        ["33.34", "33.33", "33.33"],
        "1C sees the split of the running total before closing"
    );
    let (status, refused) = till
        .put("/api/v1/assignment/total", json!({ "total": "-1.00" }))
        .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("negative_total"))
    );

    let (status, accepted) = till.post("/api/v1/receipts", sale_2()).await;
    assert_eq!(status, StatusCode::CREATED, "{accepted}");
    assert_eq!(accepted["repeat"], false);
    assert_eq!(
        amounts(&accepted["attribution"]),
        ["33.34", "33.33", "33.33"]
    );
    assert_eq!(accepted["attribution"]["share"], "1/3");
    let (_, assignment) = till.get("/api/v1/assignment").await;
    assert_eq!(
        assignment["customer"],
        Value::Null,
        "a closed receipt clears the assignment"
    );
    assert!(assignment["sellers"].as_array().unwrap().is_empty());

    let (status, repeat) = till.post("/api/v1/receipts", sale_2()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(repeat["repeat"], true);
    assert_eq!(repeat["attribution"], accepted["attribution"]);
    let mut changed = sale_2();
    changed["number"] = json!("ЦБ00-999999");
    let (status, conflict) = till.post("/api/v1/receipts", changed).await;
    assert_eq!(
        (status, conflict["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("receipt_conflict"))
    );

    let (status, accepted) = till.post("/api/v1/receipts", sale_1()).await;
    assert_eq!(status, StatusCode::CREATED, "{accepted}");
    assert_eq!(
        amounts(&accepted["attribution"]),
        ["192.60", "192.60", "192.60"]
    );
    assert_eq!(
        accepted["attribution"]["lines"][0]["amounts"],
        json!(["147.60", "147.60", "147.60"])
    );
    assert_eq!(
        accepted["attribution"]["lines"][1]["amounts"],
        json!(["45.00", "45.00", "45.00"])
    );

    let (status, returned) = till.post("/api/v1/receipts", return_1()).await;
    assert_eq!(status, StatusCode::CREATED, "{returned}");
    assert_eq!(
        amounts(&returned["attribution"]),
        ["45.00", "45.00", "45.00"]
    );
    let mut twice = return_1();
    twice["guid"] = json!("b1b2b3b4-0000-4000-8000-000000000001");
    let (status, refused) = till.post("/api/v1/receipts", twice).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("return_exceeds_sale")
        )
    );

    let edit = |pin: &str| json!({ "sellers": ["EMP0007", "EMP0001"], "manager": "Управляющая Орлова", "pin": pin });
    let (status, denied) = till
        .put(&format!("/api/v1/receipts/{SALE_2}/sellers"), edit("1111"))
        .await;
    assert_eq!(
        (status, denied["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("wrong_pin"))
    );
    let (_, unchanged) = till
        .get(&format!("/api/v1/receipts/{SALE_2}/sellers"))
        .await;
    assert_eq!(amounts(&unchanged), ["33.34", "33.33", "33.33"]);
    let (status, corrected) = till
        .put(&format!("/api/v1/receipts/{SALE_2}/sellers"), edit("2468"))
        .await;
    assert_eq!(status, StatusCode::OK, "{corrected}");
    assert_eq!(amounts(&corrected), ["50.00", "50.00"]);
    assert_eq!(corrected["sellers"][0]["code"], "EMP0007");
    let (status, corrected) = till
        .put(&format!("/api/v1/receipts/{SALE_1}/sellers"), edit("2468"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(amounts(&corrected), ["288.90", "288.90"]);
    let (_, returned) = till
        .get(&format!("/api/v1/receipts/{RETURN_1}/sellers"))
        .await;
    assert_eq!(
        amounts(&returned),
        ["67.50", "67.50"],
        "returns follow their sale's sellers"
    );

    let missing = "c0c0c0c0-1111-4222-8333-444455556666";
    let shift = json!({
        "number": 42, "store": "store-1", "till": "till-2",
        "opened_at": "2026-11-22T09:00:00+03:00", "closed_at": "2026-11-22T21:00:00+03:00",
        "receipts": [SALE_1, SALE_2, RETURN_1, missing]
    });
    let (status, report) = till.post("/api/v1/shifts", shift.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert_eq!(report["receipts"], 3);
    assert_eq!(report["sales_total"], "677.80");
    assert_eq!(report["returns_total"], "135.00");
    assert_eq!(report["missing_in_naparnik"], json!([missing]));
    assert_eq!(report["missing_in_1c"], json!([]));
    let sellers: Vec<(String, String)> = report["by_seller"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["code"].as_str().unwrap().to_owned(),
                s["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        sellers,
        [
            ("EMP0001".into(), "271.40".into()),
            ("EMP0007".into(), "271.40".into())
        ]
    );
    let oranges = report["by_item"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["sku"] == "00000000541")
        .unwrap();
    assert_eq!(
        (oranges["quantity"].as_str(), oranges["amount"].as_str()),
        (Some("0.000"), Some("0.00"))
    );
    let (status, repeat) = till.post("/api/v1/shifts", shift).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(repeat, report);

    let dir = till.stop().await;
    let store = Store::open_in_dir(dir.path()).unwrap();
    let kinds: Vec<EventKind> = store
        .outbox_events(0, 100)
        .unwrap()
        .into_iter()
        .map(|(_, e)| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            EventKind::CustomerCreated,
            EventKind::CustomerCreated,
            EventKind::SaleClosed,
            EventKind::SaleClosed,
            EventKind::ReturnClosed,
            EventKind::SellersCorrected,
            EventKind::SellersCorrected,
            EventKind::ShiftClosed,
        ]
    );
}

/// A return at this till of a sale made at another one (or before Naparnik was installed).
#[tokio::test]
async fn a_return_of_a_sale_made_elsewhere_is_kept_and_split_among_its_own_sellers() {
    let till = Till::start().await;
    let sold_elsewhere = "5e5e5e5e-0000-4000-8000-0000000000aa";
    let (status, assignment) = till
        .post("/api/v1/assignment/sellers", json!({ "badge": "EMP-0012" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{assignment}");

    let mut with_sellers = return_1();
    with_sellers["guid"] = json!("5e5e5e5e-0000-4000-8000-0000000000a1");
    with_sellers["original_guid"] = json!(sold_elsewhere);
    with_sellers["sellers"] = json!(["EMP0007", "EMP0001"]);
    let (status, returned) = till.post("/api/v1/receipts", with_sellers).await;
    assert_eq!(status, StatusCode::CREATED, "{returned}");
    assert_eq!(
        amounts(&returned["attribution"]),
        ["67.50", "67.50"],
        "split among the sellers 1C attached to the return"
    );

    let mut without = return_1();
    without["guid"] = json!("5e5e5e5e-0000-4000-8000-0000000000bb");
    without["original_guid"] = json!(sold_elsewhere);
    let (status, returned) = till.post("/api/v1/receipts", without).await;
    assert_eq!(status, StatusCode::CREATED, "{returned}");
    assert_eq!(returned["attribution"]["sellers"], json!([]));

    let (_, assignment) = till.get("/api/v1/assignment").await;
    assert_eq!(
        assignment["sellers"][0]["code"], "EMP0012",
        "a return leaves the sale being rung up alone"
    );

    let edit = json!({ "sellers": ["EMP0012"], "manager": "Управляющая Орлова", "pin": "2468" });
    let (status, corrected) = till
        .put(
            "/api/v1/receipts/5e5e5e5e-0000-4000-8000-0000000000bb/sellers",
            edit.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{corrected}");
    assert_eq!(
        amounts(&corrected),
        ["135.00"],
        "the manager gives it its sellers"
    );
    assert_eq!(
        till.post("/api/v1/receipts", sale_1()).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        till.post("/api/v1/receipts", return_1()).await.0,
        StatusCode::CREATED
    );
    let (status, refused) = till
        .put(&format!("/api/v1/receipts/{RETURN_1}/sellers"), edit)
        .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("return_sellers")),
        "a return of a sale held here follows the sale"
    );
    let dir = till.stop().await;
    let store = Store::open_in_dir(dir.path()).unwrap();
    let events = store.outbox_events(0, 100).unwrap();
    let returns: Vec<_> = events
        .iter()
        .filter(|(_, e)| e.kind == EventKind::ReturnClosed)
        .collect();
    assert_eq!(returns.len(), 3, "all go upstream");
    let keys: Vec<&str> = returns
        .iter()
        .map(|(_, e)| e.business_key.as_str())
        .collect();
    assert_eq!(
        keys,
        [sold_elsewhere, sold_elsewhere, SALE_1],
        "keyed by their sale, wherever it was rung up"
    );
    let corrections = events
        .iter()
        .filter(|(_, e)| e.kind == EventKind::SellersCorrected)
        .count();
    assert_eq!(corrections, 1, "the manager's correction goes upstream too");
}

/// The bridge's commits only append to the write-ahead log; its own thread copies the log back.
#[tokio::test]
async fn the_write_ahead_log_is_copied_back_in_the_background() {
    let till = Till::start().await;
    for n in 0..20 {
        let mut sale = sale_1();
        sale["guid"] = json!(format!("0b0b0b0b-0000-4000-8000-{n:012}"));
        assert_eq!(
            till.post("/api/v1/receipts", sale).await.0,
            StatusCode::CREATED
        );
    }
    let path = till.dir.path().join(naparnik_store::DATABASE_FILE_NAME);
    let frames_after_sales = std::fs::metadata(path.with_extension("sqlite3-wal"))
        .unwrap()
        .len()
        / 4096;
    assert!(frames_after_sales > 40, "{frames_after_sales}");
    // Checkpoints run every second; three seconds leave room for a loaded machine.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(
        till.post("/api/v1/receipts", sale_2()).await.0,
        StatusCode::CREATED
    );
    let (_, in_log) = Store::open(&path).unwrap().checkpoint().unwrap();
    assert!(
        u64::from(in_log) < frames_after_sales / 4,
        "the log started over after the background copy: {in_log} frames, {frames_after_sales} before"
    );
    till.stop().await;
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let till = Till::start().await;
    assert_eq!(
        till.post("/api/v1/receipts", sale_1()).await.0,
        StatusCode::CREATED
    );
    let events_before = Store::open_in_dir(till.dir.path())
        .unwrap()
        .outbox_len()
        .unwrap();

    let (status, body) = till.raw("[\"+79513054436\"]").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_json")),
        "an array is not an object"
    );
    let (status, body) = till.raw("{\"guid\": ").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_json"))
    );
    // Each case spoils one thing in a valid receipt: the status, and the error field or code that names it.
    #[rustfmt::skip]
    let cases: [(&str, Value, StatusCode, &str, &str); 7] = [
        ("/total", json!(true), StatusCode::BAD_REQUEST, "field", "total"),
        ("/lines/0/quantity", json!("много"), StatusCode::BAD_REQUEST, "field", "lines[0].quantity"),
        ("/total", json!("100.01"), StatusCode::UNPROCESSABLE_ENTITY, "code", "lines_do_not_add_up"),
        ("/lines/0/quantity", json!("-1"), StatusCode::UNPROCESSABLE_ENTITY, "code", "invalid_quantity"),
        ("/sellers", json!(["EMP0001", "EMP4040"]), StatusCode::UNPROCESSABLE_ENTITY, "code", "unknown_seller"),
        ("/till", json!("till-9"), StatusCode::CONFLICT, "code", "other_till"),
        ("/cashier", json!("я".repeat(100_000)), StatusCode::PAYLOAD_TOO_LARGE, "code", "too_large"),
    ];
    for (pointer, value, expected_status, key, expected) in cases {
        let mut receipt = sale_2();
        *receipt.pointer_mut(pointer).unwrap() = value;
        let (status, body) = till.post("/api/v1/receipts", receipt).await;
        assert_eq!(
            (status, body["error"][key].as_str()),
            (expected_status, Some(expected)),
            "{pointer}: {body}"
        );
    }
    let (status, body) = till
        .put("/api/v1/assignment/customer", json!({ "phone": "12" }))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_phone"))
    );
    let (status, _) = till.get("/api/v1/receipts/not-a-guid/sellers").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let dir = till.stop().await;
    let store = Store::open_in_dir(dir.path()).unwrap();
    assert_eq!(
        store.outbox_len().unwrap(),
        events_before,
        "refused requests wrote nothing"
    );
}

#[tokio::test]
async fn repeated_wrong_pins_lock_the_edit() {
    let till = Till::start().await;
    till.post("/api/v1/receipts", sale_2()).await;
    let edit = |pin: &str| json!({ "sellers": ["EMP0001"], "manager": "Орлова", "pin": pin });
    for _ in 0..5 {
        assert_eq!(
            till.put(&format!("/api/v1/receipts/{SALE_2}/sellers"), edit("0000"))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
    }
    let (status, body) = till
        .put(&format!("/api/v1/receipts/{SALE_2}/sellers"), edit("2468"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("pin_locked"))
    );
    till.stop().await;
}

/// The committed copy for 1C programmers must equal what the bridge serves. `UPDATE_OPENAPI=1` rewrites it.
#[tokio::test]
async fn the_committed_openapi_document_is_the_served_one() {
    let till = Till::start().await;
    let served: Value = till
        .client
        .get(format!("{}/openapi.json", till.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    till.stop().await;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/openapi/bridge.json"
    );
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, serde_json::to_string_pretty(&served).unwrap() + "\n").unwrap();
    }
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(
        committed == served,
        "assets/openapi/bridge.json differs from the served document: run UPDATE_OPENAPI=1 cargo test -p naparnik_bridge"
    );
}
