//! The demo on the real binary: `naparnik --demo` loads marked samples once, a sale through the
//! bridge with a demo seller is demo data too, and `naparnik demo remove` takes away exactly that:
//! the real seller and the real sale stay, and no demo event is left to go upstream.
#![expect(
    clippy::unwrap_used,
    reason = "helpers shared by tests: a failed unwrap is a failed test"
)]

#[expect(
    dead_code,
    reason = "the crash tests use the whole helper; these only stop `serve` gracefully"
)]
mod support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

const TOKEN: &str = "demo-test-token";
const DEMO_SALE: &str = "00000000-0000-4000-8000-00000000d001";
const DEMO_RETURN: &str = "00000000-0000-4000-8000-00000000d002";
const REAL_SALE: &str = "00000000-0000-4000-8000-00000000a001";

fn naparnik(data: &Path, config: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_naparnik"));
    command
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .args(args);
    // Headless, as on a server or in CI: `--demo` alone loads and says how to open the window.
    // Only Unix finds its display in these variables; a Windows program always has a desktop,
    // and under Wine `DISPLAY` is what Wine itself draws on, so it is left alone there.
    #[cfg(unix)]
    command.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY");
    command.output().unwrap()
}

fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn receipt(guid: &str, kind: &str, sellers: &[&str], phone: Option<&str>) -> Value {
    json!({
        "guid": guid, "number": format!("Д-{}", &guid[guid.len() - 4..]), "kind": kind,
        "closed_at": "2026-11-29T12:00:00+03:00", "store": "store-1", "till": "till-1", "cashier": "Кассир",
        "customer_phone": phone, "sellers": sellers,
        "lines": [{"line_no": 1, "sku": "SKU1", "name": "Товар", "unit": "шт", "quantity": "1.000",
                   "price": "100.00", "discount": "0.00", "amount": "100.00"}],
        "payments": [{"kind": "cash", "amount": "100.00"}], "total": "100.00"
    })
}

/// Posts through a running `naparnik serve` what 1C would: two sales, a return and a shift.
fn ring_up(data: &Path, config: &Path) {
    let (mut serve, base) = support::serve(data, config, 0);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut demo_return = receipt(DEMO_RETURN, "return", &[], None);
        demo_return["original_guid"] = json!(DEMO_SALE);
        let shift = json!({
            "number": 7, "store": "store-1", "till": "till-1",
            "opened_at": "2026-11-29T09:00:00+03:00", "closed_at": "2026-11-29T21:00:00+03:00",
            "receipts": [DEMO_SALE, DEMO_RETURN]
        });
        for (path, body) in [
            (
                "/api/v1/receipts",
                receipt(DEMO_SALE, "sale", &["DEMO01", "S100"], Some("+79991234567")),
            ),
            ("/api/v1/receipts", demo_return),
            (
                "/api/v1/receipts",
                receipt(REAL_SALE, "sale", &["S100"], None),
            ),
            ("/api/v1/shifts", shift),
        ] {
            let response = client
                .post(format!("{base}{path}"))
                .bearer_auth(TOKEN)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            assert!(
                status == 200 || status == 201,
                "{path}: {status} {}",
                response.text().await.unwrap()
            );
        }
    });
    serve.terminate();
    serve.wait();
}

#[test]
fn the_demo_loads_once_works_through_the_bridge_and_is_removed_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[till]\nstore = \"store-1\"\ntill = \"till-1\"\nutc_offset = \"+03:00\"\n\n[bridge]\ntoken = \"{TOKEN}\"\n"
        ),
    )
    .unwrap();
    std::fs::create_dir_all(&data).unwrap();
    let csv = dir.path().join("sellers.csv");
    std::fs::write(&csv, "code,name,badge\nS100,Реальная Продавщица,B100\n").unwrap();
    succeeded(&naparnik(
        &data,
        &config,
        &["sellers", "import", csv.to_str().unwrap()],
    ));

    // `--demo COMMAND` loads first, then runs the command.
    let first = succeeded(&naparnik(
        &data,
        &config,
        &["--demo", "sellers", "list", "--json"],
    ));
    assert!(
        first.contains(
            "demo data: 6 sellers and 3000 customers (added now: 6 sellers, 3000 customers)"
        ),
        "{first}"
    );
    let sellers: Value = serde_json::from_str(&first[first.find('[').unwrap()..]).unwrap();
    assert_eq!(sellers.as_array().unwrap().len(), 7);
    let sheet = std::fs::read(data.join("demo-badges.png")).unwrap();
    assert!(sheet.starts_with(b"\x89PNG\r\n\x1a\n"));
    // Again, and without a command on a machine with no graphical session (Windows always has one).
    let again = if cfg!(unix) {
        let again = succeeded(&naparnik(&data, &config, &["--demo"]));
        assert!(again.contains("no graphical session here"), "{again}");
        again
    } else {
        succeeded(&naparnik(&data, &config, &["--demo", "sellers", "list"]))
    };
    assert!(
        again.contains("(added now: 0 sellers, 0 customers)"),
        "{again}"
    );

    let found = succeeded(&naparnik(
        &data,
        &config,
        &["customers", "find", "4567", "--json"],
    ));
    assert!(found.contains("Светлана Иванова"), "{found}");
    let doctor: Value = serde_json::from_str(&String::from_utf8_lossy(
        &naparnik(&data, &config, &["doctor", "--json"]).stdout,
    ))
    .unwrap();
    let demo = doctor["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "demo")
        .unwrap();
    assert_eq!(demo["level"], "warning", "{demo}");

    ring_up(&data, &config);

    let removed = succeeded(&naparnik(&data, &config, &["demo", "remove"]));
    assert!(
        removed.contains("demo data removed: 6 sellers, 3000 customers, 2 receipts, 1 shifts"),
        "{removed}"
    );
    assert!(!data.join("demo-badges.png").exists());
    let store = naparnik_store::Store::open_in_dir(&data).unwrap();
    assert_eq!(store.demo_status().unwrap(), None);
    let codes: Vec<String> = store
        .sellers()
        .unwrap()
        .into_iter()
        .map(|s| s.code.0)
        .collect();
    assert_eq!(codes, ["S100"]);
    assert_eq!(store.customer_count().unwrap(), 0);
    let guids: Vec<String> = store
        .receipt_summaries(&naparnik_store::receipts::ReceiptFilter {
            limit: 100,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|r| r.guid.to_string())
        .collect();
    assert_eq!(guids, [REAL_SALE]);
    let events = store.outbox_events(0, 1000).unwrap();
    assert!(!events.is_empty(), "the real sale's event stays");
    for (_, event) in events {
        assert_eq!(event.business_key, REAL_SALE, "{event:?}");
    }
    let nothing = succeeded(&naparnik(&data, &config, &["demo", "remove"]));
    assert!(nothing.contains("nothing removed"), "{nothing}");
}

#[test]
fn a_till_that_sends_sales_upstream_refuses_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[sync.targets]]\nkind = \"crm_folder\"\nname = \"crm\"\nsales_dir = '{}'\n",
            dir.path().join("crm").display()
        ),
    )
    .unwrap();
    let output = naparnik(&dir.path().join("data"), &config, &["--demo"]);
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("sends sales to crm") && error.contains("[[sync.targets]]"),
        "{error}"
    );
}
