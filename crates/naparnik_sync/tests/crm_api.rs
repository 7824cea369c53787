//! The worker and the till's lookup with the CRMs reached through their APIs (fakes on loopback
//! answering with the vendors' samples): a CRM that hangs costs the cashier no more than the
//! budget, a customer found lands in the cache, a configuration error parks nothing, pulled
//! customers reach the store.
#![expect(clippy::unwrap_used, reason = "tests")]

#[path = "../../naparnik_upstream/tests/fakes/mod.rs"]
mod crm_fakes;
#[expect(dead_code, reason = "the shared fakes hold helpers for the UT tests")]
mod fakes;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::FixedOffset;
use crm_fakes::retailcrm::{API_KEY, KNOWN_PHONE, RetailCrmFake};
use naparnik_domain::Phone;
use naparnik_store::Store;
use naparnik_sync::{
    Connector, CustomerLookup, LookupOutcome, SyncConfig, Target, Worker, push_target,
    save_crm_customer,
};
use naparnik_upstream::retailcrm::{RetailCrm, RetailCrmSettings};

fn retailcrm(url: &str, timeout: Duration) -> Connector {
    let mut settings = RetailCrmSettings::new("crm", url, API_KEY, "store-1");
    settings.requests_per_second = 1000;
    Connector::RetailCrm(RetailCrm::with_timeout(settings, timeout).unwrap())
}

#[tokio::test]
async fn a_hung_crm_answers_unavailable_within_the_budget() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let budget = Duration::from_millis(300);
    let lookup = CustomerLookup::new(
        vec![("crm".into(), retailcrm(&url, Duration::from_secs(30)))],
        budget,
    )
    .unwrap();
    // The client's own timeout (30 s) is far beyond the budget: the budget alone ends the wait.
    let outcome = lookup.find(&Phone::parse(KNOWN_PHONE).unwrap()).await;
    assert!(
        matches!(outcome, LookupOutcome::Unavailable(_)),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_customer_the_crm_knows_lands_in_the_cache() {
    let state = Arc::new(Mutex::new(RetailCrmFake::default()));
    let fake = crm_fakes::retailcrm::start(state).await;
    let lookup = CustomerLookup::new(
        vec![("crm".into(), retailcrm(&fake.url, Duration::from_secs(5)))],
        Duration::from_secs(5),
    )
    .unwrap();
    let LookupOutcome::Found(customer) = lookup.find(&Phone::parse("89229112322").unwrap()).await
    else {
        panic!("the sample's customer was not found");
    };
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_dir(dir.path()).unwrap();
    let cached = save_crm_customer(&mut store, &customer).unwrap().unwrap();
    assert_eq!(cached.crm_id.as_deref(), Some("1233"));
    assert_eq!(cached.name.as_deref(), Some("Иванов Иван Иванович23"));
    assert_eq!(cached.bonus_kopecks, Some(0));
    assert_eq!(
        store
            .customer_by_phone(&Phone::parse(KNOWN_PHONE).unwrap())
            .unwrap()
            .unwrap()
            .id,
        cached.id
    );
    assert_eq!(
        lookup.find(&Phone::parse("+79000000001").unwrap()).await,
        LookupOutcome::NotFound
    );
}

#[tokio::test]
async fn a_wrong_url_parks_nothing_and_says_which_key_to_fix() {
    let state = Arc::new(Mutex::new(RetailCrmFake {
        answer_all: Some((404, "text/html", "<html>nginx</html>".into())),
        ..RetailCrmFake::default()
    }));
    let fake = crm_fakes::retailcrm::start(Arc::clone(&state)).await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = fakes::store_with_sellers(dir.path());
    store
        .record_receipt(&fakes::sale(1, 1), &fakes::till())
        .unwrap();
    let target = Target {
        name: "crm".into(),
        connector: retailcrm(&fake.url, Duration::from_secs(5)),
    };
    let config = SyncConfig::new(
        vec![target.clone()],
        FixedOffset::east_opt(3 * 3600).unwrap(),
    );
    let store = Arc::new(Mutex::new(store));
    let report = push_target(&store, &target, &config).await.unwrap();
    let error = report.error.unwrap();
    assert!(
        error.starts_with("configuration:") && error.contains("`url`"),
        "{error}"
    );
    assert_eq!(report.parked, 0);
    let status = store
        .lock()
        .unwrap()
        .target_status("crm", target.kinds())
        .unwrap();
    assert!(status.parked.is_empty());
    assert!(
        status.backlog >= 1,
        "the sale waits for the setting to be fixed"
    );
    assert!(status.last_error.unwrap().contains("`url`"));

    // Fixed: the same queue goes out.
    state.lock().unwrap().answer_all = None;
    let report = push_target(&store, &target, &config).await.unwrap();
    assert!(report.error.is_none(), "{report:?}");
    assert_eq!(state.lock().unwrap().orders.len(), 1);
}

#[tokio::test]
async fn the_worker_pulls_changed_customers_into_the_store() {
    let state = Arc::new(Mutex::new(RetailCrmFake::default()));
    let fake = crm_fakes::retailcrm::start(state).await;
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open_in_dir(dir.path()).unwrap());
    let target = Target {
        name: "crm".into(),
        connector: retailcrm(&fake.url, Duration::from_secs(5)),
    };
    let mut store = Store::open_in_dir(dir.path()).unwrap();
    store
        .set_sync_cursor("crm", "customers_since", "2691")
        .unwrap();
    drop(store);
    // The sample says page 1 of 287 each time; the pull stops once the cursor stops moving.
    let config = SyncConfig::new(vec![target], FixedOffset::east_opt(3 * 3600).unwrap());
    let worker = Worker::new(dir.path().join("naparnik.sqlite3"), config);
    worker.run_once().await.unwrap();
    let store = Store::open_in_dir(dir.path()).unwrap();
    assert_eq!(
        store
            .sync_cursor("crm", "customers_since")
            .unwrap()
            .as_deref(),
        Some("2791")
    );
    assert!(
        store
            .customer_by_phone(&Phone::parse(KNOWN_PHONE).unwrap())
            .unwrap()
            .is_some()
    );
}
