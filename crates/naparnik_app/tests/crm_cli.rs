//! `naparnik doctor` and `naparnik sync status` with retailCRM and Bitrix24 targets, against the
//! fakes of `naparnik_upstream` on loopback.
#![expect(clippy::unwrap_used, reason = "tests")]

#[path = "../../naparnik_upstream/tests/fakes/mod.rs"]
mod crm_fakes;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use crm_fakes::bitrix24::{Bitrix24Fake, WEBHOOK_PATH};
use crm_fakes::retailcrm::{API_KEY, RetailCrmFake};

fn naparnik(data_dir: &Path, config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_naparnik"))
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("NAPARNIK_CONFIG")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_checks_each_crm_and_says_what_to_set_and_sync_status_lists_them() {
    let retail = crm_fakes::retailcrm::start(Arc::new(Mutex::new(RetailCrmFake::default()))).await;
    let portal = crm_fakes::bitrix24::start(Arc::new(Mutex::new(Bitrix24Fake::default()))).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[sync.targets]]\nkind = \"retailcrm\"\nname = \"crm\"\nurl = \"{}\"\napi_key = \"{API_KEY}\"\nsite = \"store-1\"\npayment_types = {{ card = \"bank-card\" }}\nmanagers = {{ S001 = 28 }}\n\
             [[sync.targets]]\nkind = \"bitrix24\"\nname = \"b24\"\nwebhook_url = \"{}{WEBHOOK_PATH}\"\ndiscount_field = \"UF_CRM_DISCOUNT\"\nsellers_field = \"UF_CRM_SELLERS\"\n",
            retail.url, portal.url
        ),
    )
    .unwrap();
    let (data, file) = (dir.path().to_owned(), config.clone());
    let output = tokio::task::spawn_blocking(move || naparnik(&data, &file, &["doctor"]))
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(
        output.status.code(),
        Some(1),
        "a missing field fails the check: {text}"
    );
    for line in [
        "crm crm: ",
        "the API key is valid",
        "`site` = `store-1` exists",
        "`order_method` = `offline` exists",
        "`returned_item_status` = `returned` exists",
        "order field `check_number1c` (receipt_number_field) exists",
        "PROBLEM crm crm: order field `naparnik_sellers` (sellers_field) is not in retailCRM; create a string custom field",
        "crm b24: ",
        "/rest/1/***/ answers; the webhook has the crm scope",
        "field `UF_CRM_DISCOUNT` (discount_field) exists",
        "PROBLEM crm b24: field `UF_CRM_SELLERS` (sellers_field) is not on the portal",
        "stage `WON` (stage_id) exists",
    ] {
        assert!(text.contains(line), "`{line}` missing from:\n{text}");
    }
    assert!(
        !text.contains(API_KEY) && !text.contains("abc123"),
        "a secret leaked:\n{text}"
    );

    let (data, file) = (dir.path().to_owned(), config.clone());
    let output = tokio::task::spawn_blocking(move || naparnik(&data, &file, &["sync", "status"]))
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("crm:\n  backlog: 0 events") && text.contains("b24:\n  backlog: 0 events"),
        "{text}"
    );
}
