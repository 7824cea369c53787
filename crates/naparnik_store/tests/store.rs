//! The store on real files: migrations, reopening, refusals, lookups, imports, the outbox and the assignment.
#![expect(
    clippy::unwrap_used,
    reason = "helpers shared by tests: a failed unwrap is a failed test"
)]

use naparnik_domain::{
    CustomerUpdate, DiscountPercent, EventKind, Phone, PhoneQuery, Seller, SellerCode,
    TrailingDigits,
};
use naparnik_store::customers::UpsertOutcome;
use naparnik_store::migrations::LATEST_VERSION;
use naparnik_store::{DATABASE_FILE_NAME, Store, StoreError};

fn phone(text: &str) -> Phone {
    Phone::parse(text).unwrap()
}

fn update(crm_id: &str, phone_text: &str, name: &str) -> CustomerUpdate {
    CustomerUpdate {
        crm_id: Some(crm_id.into()),
        phone: phone(phone_text),
        name: Some(name.into()),
        discount: DiscountPercent::parse("10").unwrap(),
        card: None,
        email: None,
        birthday: None,
        onec_ref: None,
    }
}

#[test]
fn a_new_file_is_migrated_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in_dir(dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
    assert!(store.integrity_problems().unwrap().is_empty());
    drop(store);
    let store = Store::open(&dir.path().join(DATABASE_FILE_NAME)).unwrap();
    assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
}

#[test]
fn a_file_from_a_newer_naparnik_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE_NAME);
    drop(Store::open(&path).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", LATEST_VERSION + 1)
            .unwrap();
    }
    let error = Store::open(&path).err().unwrap();
    assert!(
        matches!(error, StoreError::NewerSchema { found, .. } if found == LATEST_VERSION + 1),
        "{error}"
    );
    assert!(error.to_string().contains("install the newer Naparnik"));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, LATEST_VERSION + 1);
}

#[test]
fn a_corrupted_file_is_reported_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE_NAME);
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    let error = Store::open(&path).err().unwrap();
    assert!(matches!(error, StoreError::Corrupt { .. }), "{error}");
    assert!(error.to_string().contains("left untouched"));
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[test]
fn customers_are_found_by_phone_tail_and_card() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_dir(dir.path()).unwrap();
    let mut import = store.begin_customer_import().unwrap();
    let mut marina = update("376", "8 (951) 305-44-36", "Желателева Марина");
    marina.card = Some("12345678".into());
    assert_eq!(import.upsert(&marina).unwrap(), UpsertOutcome::Created);
    assert_eq!(
        import
            .upsert(&update("397", "+7 950 132 25 90", "Дозорова Ольга"))
            .unwrap(),
        UpsertOutcome::Created
    );
    assert_eq!(
        import
            .upsert(&update("400", "+7 916 000 44 36", "Другой"))
            .unwrap(),
        UpsertOutcome::Created
    );
    import.commit().unwrap();

    let found = store
        .customer_by_phone(&phone("+79513054436"))
        .unwrap()
        .unwrap();
    assert_eq!(found.name.as_deref(), Some("Желателева Марина"));
    assert_eq!(found.discount.hundredths(), 1000);
    let tail = store
        .customers_by_trailing_digits(&TrailingDigits::parse("4436").unwrap(), 10)
        .unwrap();
    assert_eq!(tail.len(), 2);
    let tail = store
        .find_customers(&PhoneQuery::parse("3054436").unwrap(), 10)
        .unwrap();
    assert_eq!(tail.len(), 1);
    assert!(
        store
            .find_customers(&PhoneQuery::parse("0000").unwrap(), 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .customer_by_card("12345678")
            .unwrap()
            .unwrap()
            .crm_id
            .as_deref(),
        Some("376")
    );
}

#[test]
fn trailing_search_uses_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in_dir(dir.path()).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(dir.path().join(DATABASE_FILE_NAME)).unwrap();
    let plan: Vec<String> = conn
        .prepare(
            "EXPLAIN QUERY PLAN SELECT id FROM customers WHERE phone_tail >= '6344' AND phone_tail < '6345'
             AND removed_at_utc IS NULL ORDER BY phone LIMIT 20",
        )
        .unwrap()
        .query_map([], |row| row.get(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        plan[0].contains("INDEX customers_phone_tail (phone_tail>? AND phone_tail<?)"),
        "{plan:?}"
    );
}

#[test]
fn creating_from_a_phone_writes_the_outbox_in_the_same_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_dir(dir.path()).unwrap();
    let (customer, created) = store
        .find_or_create_customer(&phone("89513054436"))
        .unwrap();
    assert!(created);
    assert_eq!(customer.name, None);
    let (again, created) = store
        .find_or_create_customer(&phone("+7 951 305 44 36"))
        .unwrap();
    assert!(!created);
    assert_eq!(again.id, customer.id);
    let events = store.outbox_events(0, 10).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].1.kind, EventKind::CustomerCreated);
    assert_eq!(events[0].1.payload["phone"], "+79513054436");
}

#[test]
fn imports_report_duplicates_and_conflicts_and_full_lists_remove_the_absent() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_dir(dir.path()).unwrap();
    let mut import = store.begin_customer_import().unwrap();
    import.upsert(&update("1", "+79510000001", "Один")).unwrap();
    import.upsert(&update("2", "+79510000002", "Два")).unwrap();
    assert_eq!(
        import
            .upsert(&update("3", "+79510000001", "Дубль"))
            .unwrap(),
        UpsertOutcome::DuplicateInFile
    );
    import.commit().unwrap();
    store
        .find_or_create_customer(&phone("+79510000009"))
        .unwrap();

    let mut import = store.begin_customer_import().unwrap();
    assert_eq!(
        import.upsert(&update("1", "+79510000001", "Один")).unwrap(),
        UpsertOutcome::Unchanged
    );
    assert_eq!(
        import
            .upsert(&update("5", "+79510000002", "Чужой"))
            .unwrap(),
        UpsertOutcome::PhoneOfAnotherCustomer {
            other_crm_id: "2".into()
        }
    );
    assert_eq!(import.remove_absent().unwrap(), 1);
    let counts = import.commit().unwrap();
    assert_eq!((counts.unchanged, counts.removed), (1, 1));
    assert!(
        store
            .customer_by_phone(&phone("+79510000002"))
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .customer_by_phone(&phone("+79510000009"))
            .unwrap()
            .is_some(),
        "till customers stay"
    );
}

#[test]
fn an_import_that_is_not_committed_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_dir(dir.path()).unwrap();
    {
        let mut import = store.begin_customer_import().unwrap();
        import.upsert(&update("1", "+79510000001", "Один")).unwrap();
    }
    assert_eq!(store.customer_count().unwrap(), 0);
}

#[test]
fn the_assignment_survives_a_reopen_and_refuses_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_dir(dir.path()).unwrap();
    let seller = |code: &str| Seller {
        code: SellerCode(code.into()),
        name: format!("Продавец {code}"),
        badge: Some(format!("BADGE-{code}")),
        active: true,
        onec_ref: None,
    };
    store
        .upsert_sellers(&[seller("EMP0001"), seller("EMP0007")])
        .unwrap();
    let (customer, _) = store
        .find_or_create_customer(&phone("89513054436"))
        .unwrap();
    store.assign_customer(Some(customer.id)).unwrap();
    store.assign_seller(&SellerCode("EMP0007".into())).unwrap();
    store.assign_seller(&SellerCode("EMP0001".into())).unwrap();
    assert!(store.assign_seller(&SellerCode("EMP0001".into())).is_err());
    assert!(store.assign_seller(&SellerCode("NOPE".into())).is_err());
    drop(store);

    let mut store = Store::open_in_dir(dir.path()).unwrap();
    let assignment = store.assignment().unwrap();
    assert_eq!(assignment.customer.unwrap().id, customer.id);
    let codes: Vec<_> = assignment
        .sellers
        .iter()
        .map(|s| s.code.as_str().to_owned())
        .collect();
    assert_eq!(codes, ["EMP0007", "EMP0001"]);
    assert_eq!(
        store
            .seller_by_badge("BADGE-EMP0001")
            .unwrap()
            .unwrap()
            .code
            .as_str(),
        "EMP0001"
    );
    store.clear_assignment().unwrap();
    assert!(store.assignment().unwrap().is_empty());
}

/// Writes `count` customers in one committed import.
fn import_customers(store: &mut Store, from: u32, count: u32) {
    let mut import = store.begin_customer_import().unwrap();
    for n in from..from + count {
        let name = format!("Покупатель номер {n} с длинным именем, чтобы страниц было больше");
        import
            .upsert(&update(&n.to_string(), &format!("+7951{n:07}"), &name))
            .unwrap();
    }
    import.commit().unwrap();
}

#[test]
fn deferred_checkpoints_leave_the_log_to_the_checkpointer() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_dir(dir.path()).unwrap();
    store.defer_checkpoints().unwrap();
    // Many small commits: together far more than the 1000 pages at which a commit would copy the log back.
    for round in 0..300 {
        import_customers(&mut store, round * 50, 50);
    }
    let checkpointer = Store::open(store.path()).unwrap();
    let (copied, in_log) = checkpointer.checkpoint().unwrap();
    assert!(
        in_log > 2_000,
        "no commit copied the log back ({in_log} frames)"
    );
    assert_eq!(copied, in_log, "the checkpointer copies the whole log");

    import_customers(&mut store, 15_000, 10);
    let (_, in_log) = checkpointer.checkpoint().unwrap();
    assert!(
        in_log < 100,
        "after a full copy the next commit starts the log over ({in_log} frames)"
    );
    assert_eq!(store.customer_count().unwrap(), 15_010);
}
