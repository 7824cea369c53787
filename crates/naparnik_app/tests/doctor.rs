//! `naparnik doctor` and its support bundle on real files, real ports and a real `serve`.
// Unix file modes and device nodes; on Windows, doctor runs from the installed MSI in `tests/windows/run.sh`.
#![cfg(unix)]
#![expect(
    clippy::unwrap_used,
    reason = "helpers shared by tests: a failed unwrap is a failed test"
)]

#[expect(
    dead_code,
    reason = "the crash tests use the whole helper; these only stop `serve` gracefully"
)]
mod support;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output};

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/crm/crm-customers.example.xml"
);

fn naparnik(data_dir: &Path, config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_naparnik"))
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("NAPARNIK_BRIDGE_TOKEN")
        .output()
        .unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A config file with `extra` appended, mode 600 unless said otherwise.
fn config(dir: &Path, port: u16, extra: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("config.toml");
    std::fs::write(&path, format!("[bridge]\nport = {port}\n{extra}")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

fn checks(output: &Output) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)));
    assert_eq!(
        report["ok"].as_bool(),
        Some(output.status.code() == Some(0)),
        "ok matches the exit code"
    );
    report["checks"].as_array().unwrap().clone()
}

fn find<'a>(checks: &'a [serde_json::Value], check: &str) -> &'a serde_json::Value {
    checks
        .iter()
        .find(|c| c["check"] == check)
        .unwrap_or_else(|| panic!("no check `{check}` in {checks:#?}"))
}

#[test]
fn a_fresh_till_has_no_problem_and_the_report_names_each_check() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), free_port(), "");
    let output = naparnik(&dir.path().join("data"), &config, &["doctor", "--json"]);
    let checks = checks(&output);
    assert_eq!(output.status.code(), Some(0), "{checks:#?}");
    for (check, level) in [
        ("configuration", "ok"),
        ("data directory", "ok"),
        ("database", "ok"),
        ("database integrity", "ok"),
        ("write-ahead log", "ok"),
        ("free disk space", "ok"),
        ("devices", "ok"),
        ("bridge token", "ok"),
        ("bridge port", "warning"),
        ("1C", "warning"),
        ("upstream", "ok"),
    ] {
        assert_eq!(find(&checks, check)["level"], level, "{check}: {checks:#?}");
    }
    assert!(
        find(&checks, "write-ahead log")["message"]
            .as_str()
            .unwrap()
            .contains("last checkpoint")
    );
}

#[test]
fn a_broken_configuration_is_the_first_problem_and_the_rest_is_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), free_port(), "[till]\nstroe = \"store-1\"\n");
    let output = naparnik(&dir.path().join("data"), &config, &["doctor"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let first = text.split("\nok ").next().unwrap();
    assert!(
        first.starts_with("PROBLEM configuration:")
            && first.contains("config.toml")
            && first.contains("line 4")
            && first.contains("unknown field `stroe`, expected one of `store`"),
        "{text}"
    );
    assert!(text.contains("ok      database integrity: ok"), "{text}");
}

#[test]
fn secrets_readable_by_all_missing_devices_and_refused_events_are_problems() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let unreachable = free_port();
    let config = config(
        dir.path(),
        free_port(),
        &format!(
            "manager_pin = \"2468\"\n[[input.devices]]\nname = \"scanner\"\nkind = \"wedge\"\npath = \"{}/no-such-event\"\n\
             [[sync.targets]]\nkind = \"ut\"\nname = \"ut\"\nurl = \"http://127.0.0.1:{unreachable}/hs\"\nuser = \"u\"\npassword = \"p\"\n",
            dir.path().display()
        ),
    );
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let output = naparnik(&dir.path().join("data"), &config, &["doctor", "--json"]);
    let checks = checks(&output);
    assert_eq!(output.status.code(), Some(1));
    let secrets = find(&checks, "configuration secrets");
    assert_eq!(secrets["level"], "problem");
    assert!(secrets["message"].as_str().unwrap().contains("chmod 640"));
    let device = find(&checks, "device scanner");
    assert_eq!(device["level"], "problem");
    assert!(
        device["message"]
            .as_str()
            .unwrap()
            .contains("plug the device in")
    );
    let upstream = find(&checks, "upstream ut");
    assert_eq!(upstream["level"], "warning", "{upstream}");
    assert!(
        upstream["message"]
            .as_str()
            .unwrap()
            .contains("not reachable")
    );
    assert_eq!(find(&checks, "upstream ut backlog")["level"], "ok");
}

#[test]
fn a_running_naparnik_on_the_port_is_recognised_as_ours() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = config(dir.path(), port, "");
    let data = dir.path().join("data");
    let (mut serve, _) = support::serve(&data, &config, port);
    let output = naparnik(&data, &config, &["doctor", "--json"]);
    let checks = checks(&output);
    let port_check = find(&checks, "bridge port");
    assert_eq!(port_check["level"], "ok", "{port_check}");
    assert!(
        port_check["message"]
            .as_str()
            .unwrap()
            .contains("is serving")
    );
    assert_eq!(find(&checks, "1C")["level"], "warning");
    serve.terminate();
    assert!(serve.wait().success());
}

/// Digits of the phones seeded below, as they must never appear in a bundle.
const SEEDED_NATIONAL_NUMBERS: [&str; 4] = ["9513054436", "9501322590", "9161204589", "9031112233"];
const SECRETS: [&str; 5] = [
    "bridge-token-Zx81",
    "73190465",
    "ut-pass-Qw3",
    "crm-key-Lm55",
    "env-token-Pp40",
];

#[test]
fn the_support_bundle_holds_no_secret_and_no_whole_phone() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = config(
        dir.path(),
        free_port(),
        &format!(
            "token = \"{}\"\nmanager_pin = \"{}\"\n[[sync.targets]]\nkind = \"ut\"\nname = \"ut\"\nurl = \"http://127.0.0.1:{}/hs\"\nuser = \"u\"\npassword = \"{}\"\n\
             [[sync.targets]]\nkind = \"crm_http\"\nname = \"crm\"\nsales_url = \"http://127.0.0.1:9/sales\"\nauthorization = \"Bearer {}\"\n",
            SECRETS[0],
            SECRETS[1],
            free_port(),
            SECRETS[2],
            SECRETS[3]
        ),
    );
    let output = naparnik(&data, &config, &["customers", "import", EXAMPLE]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Logs as a careless line could leave them: whole phones, a token from the environment.
    std::fs::write(
        data.join("logs/naparnik.2026-11-29.log"),
        format!(
            "INFO customer +79513054436 found\nWARN request Authorization: Bearer {} refused\nDEBUG phone 8 (903) 111-22-33 token={}\n",
            SECRETS[4], SECRETS[4]
        ),
    )
    .unwrap();
    let bundle = dir.path().join("support.tar.gz");
    let output = naparnik(
        &data,
        &config,
        &["doctor", "--bundle", bundle.to_str().unwrap()],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(
        std::fs::File::open(&bundle).unwrap(),
    ));
    let mut names = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        let digits: String = text.chars().filter(|c| !" -()+".contains(*c)).collect();
        for number in SEEDED_NATIONAL_NUMBERS {
            assert!(
                !digits.contains(number),
                "{name} holds the whole phone {number}:\n{text}"
            );
        }
        for secret in SECRETS {
            assert!(
                !text.contains(secret),
                "{name} holds the secret {secret}:\n{text}"
            );
        }
        names.push(name);
    }
    for expected in [
        "doctor.txt",
        "doctor.json",
        "config.toml",
        "devices.txt",
        "sync-status.txt",
        "logs/naparnik.2026-11-29.log",
    ] {
        assert!(
            names.iter().any(|n| n.ends_with(expected)),
            "{expected} missing from {names:?}"
        );
    }
}
