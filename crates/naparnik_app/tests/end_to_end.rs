//! The real `naparnik serve` with a scripted 1C:Розница client on its bridge, a fake UT and a fake
//! CRM (folder and HTTP) upstream: every sale, return and correction arrives at both, to the kopeck.
//! And a crash test: `kill -9` at random points during ingest and delivery loses nothing and applies
//! nothing twice at a receiver that checks keys.
#![expect(
    clippy::unwrap_used,
    reason = "helpers shared by tests: a failed unwrap is a failed test"
)]

#[path = "../../naparnik_sync/tests/fakes/mod.rs"]
#[expect(
    dead_code,
    reason = "the shared fakes hold helpers these tests do not use"
)]
mod fakes;
mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::serve;

const TOKEN: &str = "e2e-token";

fn write_config(
    dir: &Path,
    ut: &str,
    crm_folder: &Path,
    crm_http: Option<&str>,
) -> std::path::PathBuf {
    let mut text = format!(
        "[till]\nstore = \"store-1\"\ntill = \"till-1\"\nutc_offset = \"+03:00\"\n\n[bridge]\ntoken = \"{TOKEN}\"\nmanager_pin = \"2468\"\n\n[sync]\npull_interval_secs = 3600\nbackoff_cap_secs = 1\n\n[[sync.targets]]\nkind = \"ut\"\nname = \"ut\"\nurl = \"{ut}\"\nuser = \"naparnik\"\npassword = \"secret\"\n\n[[sync.targets]]\nkind = \"crm_folder\"\nname = \"crm-folder\"\nsales_dir = '{}'\n",
        crm_folder.display()
    );
    if let Some(url) = crm_http {
        text.push_str(&format!(
            "\n[[sync.targets]]\nkind = \"crm_http\"\nname = \"crm-http\"\nsales_url = \"{url}\"\n"
        ));
    }
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn import_sellers(data: &Path, config: &Path) {
    let csv = data.join("sellers.csv");
    std::fs::create_dir_all(data).unwrap();
    std::fs::write(&csv, "code,name,badge\nEMP0001,Иванова Анна,B1\nEMP0007,Петров Олег,B7\nEMP0012,Сидорова Елена,B12\n").unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_naparnik"))
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .args(["sellers", "import"])
        .arg(&csv)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

fn line(line_no: u32, amount: &str) -> Value {
    json!({"line_no": line_no, "sku": format!("SKU{line_no}"), "name": format!("Товар {line_no}"), "unit": "шт",
           "quantity": "1.000", "price": amount, "discount": "0.00", "amount": amount})
}

fn sale(n: u32, sellers: &[&str]) -> Value {
    let first = format!("{}.{:02}", 100 + n, n % 100);
    let total_kopecks = (100 + n) * 100 + n % 100 + 777;
    let total = format!("{}.{:02}", total_kopecks / 100, total_kopecks % 100);
    json!({
        "guid": format!("00000000-0000-4000-8000-{n:012}"), "number": format!("Б-{n}"), "kind": "sale",
        "closed_at": "2026-11-22T12:00:00+03:00", "store": "store-1", "till": "till-1", "cashier": "Кассир",
        "customer_phone": format!("+7951{n:07}"), "sellers": sellers,
        "lines": [line(1, &first), line(2, "7.77")],
        "payments": [{"kind": "card", "amount": total}], "total": total
    })
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    body: &Value,
) -> Result<(u16, Value), reqwest::Error> {
    let response = client
        .post(format!("{base}{path}"))
        .bearer_auth(TOKEN)
        .json(body)
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

/// Sales ids with their seller amounts, from every file in a CRM folder (the last version of each wins).
fn crm_folder_sales(dir: &Path) -> BTreeMap<String, Vec<(String, String)>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "xml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut sales = BTreeMap::new();
    for file in files {
        crm_file_sales(&std::fs::read_to_string(file).unwrap(), &mut sales);
    }
    sales
}

fn crm_file_sales(text: &str, sales: &mut BTreeMap<String, Vec<(String, String)>>) {
    for part in text.split("<sale id=\"").skip(1) {
        let id = part[..36].to_owned();
        let sellers = part
            .split("<seller code=\"")
            .skip(1)
            .map(|s| {
                let code = s.split('"').next().unwrap().to_owned();
                let amount = s
                    .split("amount=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .to_owned();
                (code, amount)
            })
            .collect();
        sales.insert(id, sellers);
    }
}

fn amounts(attribution: &Value) -> Vec<(String, String)> {
    attribution["sellers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["code"].as_str().unwrap().to_owned(),
                s["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Polls until `done`; `deadline` only bounds a failure (generous: the Windows tier runs this under Wine on 2 busy cores).
async fn wait_for(what: &str, deadline: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sale_reaches_ut_and_the_crm_with_exact_shares() {
    let (ut, ut_state) = fakes::start_ut().await;
    let crm_posts: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let app = axum::Router::new().route(
        "/sales",
        axum::routing::post({
            let posts = crm_posts.clone();
            move |headers: axum::http::HeaderMap, body: String| async move {
                let key = headers["idempotency-key"].to_str().unwrap().to_owned();
                posts.lock().unwrap().insert(key, body);
                axum::http::StatusCode::CREATED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let crm_http = format!("http://{}/sales", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("crm");
    let data = dir.path().join("data");
    let config = write_config(dir.path(), &ut, &folder, Some(&crm_http));
    import_sellers(&data, &config);
    let (child, base) = serve(&data, &config, 0);
    let client = reqwest::Client::new();

    let mut expected: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let teams: [&[&str]; 3] = [
        &["EMP0001"],
        &["EMP0001", "EMP0007"],
        &["EMP0001", "EMP0007", "EMP0012"],
    ];
    for n in 1..=12u32 {
        let (status, accepted) = post(
            &client,
            &base,
            "/api/v1/receipts",
            &sale(n, teams[n as usize % 3]),
        )
        .await
        .unwrap();
        assert_eq!(status, 201, "{accepted}");
        expected.insert(
            format!("00000000-0000-4000-8000-{n:012}"),
            amounts(&accepted["attribution"]),
        );
    }
    let mut returned = sale(3, &[]);
    returned["guid"] = json!("00000000-0000-4000-8000-000000000903");
    returned["kind"] = json!("return");
    returned["original_guid"] = json!("00000000-0000-4000-8000-000000000003");
    returned["lines"] = json!([line(2, "7.77")]);
    returned["total"] = json!("7.77");
    returned["payments"] = json!([{"kind": "card", "amount": "7.77"}]);
    let (status, accepted) = post(&client, &base, "/api/v1/receipts", &returned)
        .await
        .unwrap();
    assert_eq!(status, 201, "{accepted}");
    let response = client
        .put(format!(
            "{base}/api/v1/receipts/00000000-0000-4000-8000-000000000003/sellers"
        ))
        .bearer_auth(TOKEN)
        .json(&json!({"sellers": ["EMP0012", "EMP0007"], "manager": "Орлова", "pin": "2468"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let corrected: Value = response.json().await.unwrap();
    expected.insert(
        "00000000-0000-4000-8000-000000000003".into(),
        amounts(&corrected),
    );
    let (_, return_now) = (
        0,
        client
            .get(format!(
                "{base}/api/v1/receipts/00000000-0000-4000-8000-000000000903/sellers"
            ))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap(),
    );
    expected.insert(
        "00000000-0000-4000-8000-000000000903".into(),
        amounts(&return_now),
    );
    assert_eq!(
        expected["00000000-0000-4000-8000-000000000903"],
        [
            ("EMP0012".into(), "3.88".into()),
            ("EMP0007".into(), "3.89".into())
        ],
        "the return mirrors its sale's second line, where the odd kopeck went to the second seller"
    );

    // 12 sales + 12 new customers + 1 return + 1 correction.
    wait_for("UT", Duration::from_secs(60), || {
        ut_state.lock().unwrap().applied.len() == 26
    })
    .await;
    wait_for("the CRM folder", Duration::from_secs(60), || {
        crm_folder_sales(&folder) == expected
    })
    .await;
    wait_for("the CRM over HTTP", Duration::from_secs(60), || {
        let mut sales = BTreeMap::new();
        let posts = crm_posts.lock().unwrap();
        let mut keys: Vec<&String> = posts.keys().collect();
        keys.sort();
        for key in keys {
            crm_file_sales(&posts[key], &mut sales);
        }
        sales == expected
    })
    .await;

    let ut = ut_state.lock().unwrap();
    assert!(ut.applied.values().all(|n| *n == 1));
    for (id, payload) in &ut.payloads {
        if payload["kind"] == "sale_closed" {
            let guid = payload["payload"]["receipt"]["guid"].as_str().unwrap();
            let sent = amounts(&payload["payload"]["attribution"]);
            if guid != "00000000-0000-4000-8000-000000000003" {
                assert_eq!(sent, expected[guid], "event {id}");
            }
        }
    }
    let correction = ut
        .payloads
        .values()
        .find(|p| p["kind"] == "sellers_corrected")
        .unwrap();
    assert_eq!(
        amounts(&correction["payload"]["after"]),
        expected["00000000-0000-4000-8000-000000000003"]
    );
    drop(ut);

    let mut child = child;
    child.terminate();
    let code = child.wait().code();
    // SIGTERM stops `serve` gracefully; a Windows console child can only be ended from outside.
    #[cfg(unix)]
    assert_eq!(code, Some(0));
    #[cfg(windows)]
    let _ = code;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_points_loses_nothing_and_applies_nothing_twice() {
    const RECEIPTS: u32 = 300;
    let (ut, ut_state) = fakes::start_ut().await;
    ut_state.lock().unwrap().answer_delay = Duration::from_millis(150);
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("crm");
    let data = dir.path().join("data");
    let config = write_config(dir.path(), &ut, &folder, None);
    import_sellers(&data, &config);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let mut next = 1u32;
    let mut rounds = 0;
    let mut interrupted_posts = 0;
    while next <= RECEIPTS {
        rounds += 1;
        let (mut child, base) = serve(&data, &config, port);
        let lifetime = Duration::from_millis(fastrand::u64(50..400));
        let started = Instant::now();
        let last_this_life = next + 15;
        while next <= RECEIPTS && next < last_this_life && started.elapsed() < lifetime {
            match post(
                &client,
                &base,
                "/api/v1/receipts",
                &sale(next, &["EMP0001", "EMP0007", "EMP0012"]),
            )
            .await
            {
                Ok((status, body)) => {
                    assert!(status == 201 || status == 200, "{status} {body}");
                    next += 1;
                }
                Err(_) => break,
            }
        }
        // Kill while the bridge may be mid-request and the worker mid-batch; the same receipt is posted again after.
        let killer = tokio::spawn({
            let client = client.clone();
            let base = base.clone();
            let body = sale(next.min(RECEIPTS), &["EMP0001", "EMP0007", "EMP0012"]);
            async move {
                post(&client, &base, "/api/v1/receipts", &body)
                    .await
                    .is_err()
            }
        });
        tokio::time::sleep(Duration::from_millis(fastrand::u64(0..5))).await;
        child.kill_9();
        child.wait();
        if killer.await.unwrap() {
            interrupted_posts += 1;
        }
    }
    let (mut child, _) = serve(&data, &config, port);
    let events = {
        let store = naparnik_store::Store::open_in_dir(&data).unwrap();
        store.outbox_events(0, 1_000_000).unwrap()
    };
    wait_for("UT to catch up", Duration::from_secs(30), || {
        ut_state.lock().unwrap().applied.len() == events.len()
    })
    .await;
    child.terminate();
    child.wait();

    let ut = ut_state.lock().unwrap();
    let receipts: std::collections::BTreeSet<String> = ut
        .payloads
        .values()
        .filter(|p| p["kind"] == "sale_closed")
        .map(|p| p["payload"]["receipt"]["guid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(receipts.len() as u32, RECEIPTS, "every receipt reached UT");
    assert!(
        ut.applied.values().all(|n| *n == 1),
        "nothing applied twice"
    );
    let ids: std::collections::BTreeSet<String> =
        events.iter().map(|(_, e)| e.id.to_string()).collect();
    let applied: std::collections::BTreeSet<String> = ut.applied.keys().cloned().collect();
    assert_eq!(ids, applied, "UT has exactly the outbox");
    let resent: u32 = ut.received.values().map(|n| n - 1).sum();
    println!(
        "crash test: {rounds} kills, {interrupted_posts} posts cut by a kill, {resent} events resent and recognized as duplicates"
    );
    assert!(rounds >= 20, "the test killed the process {rounds} times");
    assert!(
        resent > 0,
        "some kills landed after UT applied a batch and before Naparnik recorded it"
    );
}
