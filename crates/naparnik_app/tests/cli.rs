//! The `naparnik` binary as IT and scripts use it: real files, real exit codes.
#![expect(
    clippy::unwrap_used,
    reason = "helpers shared by tests: a failed unwrap is a failed test"
)]

#[cfg(unix)] // only the Unix tests signal a `serve` child
#[expect(
    dead_code,
    reason = "these tests start their own children; the shared `serve` starter is for the others"
)]
mod support;

use std::path::Path;
use std::process::{Command, Output};

#[cfg(unix)]
use support::Running;

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/crm/crm-customers.example.xml"
);

fn naparnik(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_naparnik"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("NAPARNIK_CONFIG")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn find_json(data_dir: &Path, query: &str) -> Vec<serde_json::Value> {
    let output = naparnik(data_dir, &["customers", "find", query, "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn the_contract_example_imports_and_is_found_by_any_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let output = naparnik(dir.path(), &["customers", "import", EXAMPLE]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(report.contains("3 created"), "{report}");
    assert!(report.contains("skipped line 6 (crm-id 2041)"), "{report}");

    for query in [
        "8 (951) 305-44-36",
        "9513054436",
        "+7 951 305 44 36",
        "4436",
        "3054436",
    ] {
        let found = find_json(dir.path(), query);
        assert_eq!(found.len(), 1, "{query}");
        assert_eq!(found[0]["phone"], "+79513054436");
        assert_eq!(found[0]["name"], "Желателева Марина Сергеевна");
        assert_eq!(found[0]["discount_percent"], 10);
        assert_eq!(found[0]["card"], "12345678");
        assert_eq!(found[0]["crm_id"], "376");
    }
    assert_eq!(
        find_json(dir.path(), "+7 950 132 25 90")[0]["discount_percent"],
        5.5
    );
    assert!(find_json(dir.path(), "0000").is_empty());
    let output = naparnik(dir.path(), &["customers", "find", "0000", "--json"]);
    assert_eq!(stdout(&output).trim(), "[]");
}

#[test]
fn a_broken_file_changes_nothing_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    naparnik(dir.path(), &["customers", "import", EXAMPLE]);
    let broken = write(
        dir.path(),
        "broken.xml",
        "<customers xmlns=\"urn:naparnik:crm-customers:1\" full=\"true\">\n<customer crm-id=\"9\" phone=\"9160000009\" name=\"Новый\"/>\n<customer crm-id=\"10\" phone=\"9160000010\">\n</customers>\n",
    );
    let output = naparnik(dir.path(), &["customers", "import", &broken]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("nothing was imported") && message.contains("line 4"),
        "{message}"
    );
    assert!(find_json(dir.path(), "9160000009").is_empty());
    assert_eq!(
        find_json(dir.path(), "4436").len(),
        1,
        "nothing removed either"
    );
}

#[test]
fn a_full_list_removes_the_customers_it_does_not_mention() {
    let dir = tempfile::tempdir().unwrap();
    naparnik(dir.path(), &["customers", "import", EXAMPLE]);
    let full = write(
        dir.path(),
        "full.xml",
        r#"<customers xmlns="urn:naparnik:crm-customers:1" full="true">
  <customer crm-id="376" phone="+79513054436" name="Желателева Марина Сергеевна" discount-percent="15"/>
</customers>"#,
    );
    let output = naparnik(dir.path(), &["customers", "import", &full]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("(full list): 0 created, 1 updated, 0 unchanged, 2 removed"),
        "{}",
        stdout(&output)
    );
    assert_eq!(find_json(dir.path(), "4436")[0]["discount_percent"], 15);
    assert!(find_json(dir.path(), "9161204589").is_empty());
}

#[test]
fn duplicate_phones_inside_one_file_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "dup.xml",
        r#"<customers xmlns="urn:naparnik:crm-customers:1">
<customer crm-id="1" phone="8 951 305 44 36" name="Первая"/>
<customer crm-id="2" phone="+7 (951) 305-44-36" name="Вторая"/>
</customers>"#,
    );
    let output = naparnik(dir.path(), &["customers", "import", &file]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output)
            .contains("skipped line 3 (crm-id 2): the same phone or crm-id appears earlier"),
        "{}",
        stdout(&output)
    );
    assert_eq!(find_json(dir.path(), "4436")[0]["name"], "Первая");
}

#[test]
fn sellers_import_and_list() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "sellers.csv",
        "code,name,badge\nEMP0001,Иванова Анна,2000000000015\nEMP0007,Петров Олег,EMP-0007\n,Без кода,\nEMP0012,Сидорова Елена,EMP-0007\n",
    );
    let output = naparnik(dir.path(), &["sellers", "import", &csv]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(
        report.contains("2 created")
            && report.contains("skipped line 4")
            && report.contains("skipped line 5"),
        "{report}"
    );
    let output = naparnik(dir.path(), &["sellers", "list", "--json"]);
    let sellers: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(sellers.len(), 2);
    assert_eq!(sellers[0]["code"], "EMP0001");
    assert_eq!(sellers[0]["badge"], "2000000000015");

    let bad = write(dir.path(), "bad.csv", "code;name\nEMP0001;Иванова\n");
    let output = naparnik(dir.path(), &["sellers", "import", &bad]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("header code,name,badge"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn doctor_passes_on_a_fresh_till_and_fails_on_a_damaged_file_without_touching_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = naparnik(dir.path(), &["doctor"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("database integrity: ok"));

    let damaged = tempfile::tempdir().unwrap();
    let file = damaged.path().join("naparnik.sqlite3");
    std::fs::write(
        &file,
        b"this is not a database, it is a note left by someone",
    )
    .unwrap();
    let output = naparnik(damaged.path(), &["doctor"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("PROBLEM database:") && stdout(&output).contains("left untouched"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        std::fs::read(&file).unwrap(),
        b"this is not a database, it is a note left by someone"
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        naparnik(dir.path(), &["customers", "find", "12"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        naparnik(dir.path(), &["no-such-command"]).status.code(),
        Some(2)
    );
    let missing = naparnik(dir.path(), &["customers", "import", "/nonexistent.xml"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("cannot open /nonexistent.xml"));
}

#[test]
fn phones_read_at_trace_level_stay_out_of_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_naparnik"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["customers", "import", EXAMPLE])
        .env_remove("NAPARNIK_CONFIG")
        .env("NAPARNIK_LOG", "trace")
        .output()
        .unwrap();
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{log}");
    for digits in ["9513054436", "9501322590", "9161204589"] {
        assert!(!log.contains(digits), "{digits} in the log: {log}");
    }
}

#[test]
#[cfg(unix)] // SIGTERM; Windows stops it with Ctrl-C, console close or the service manager
fn serve_answers_on_loopback_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let mut child = Running::new(
        Command::new(env!("CARGO_BIN_EXE_naparnik"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(["serve", "--bridge-addr", "127.0.0.1:0"])
            .env("NAPARNIK_BRIDGE_TOKEN", "serve-test-token")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.child().stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line.trim().rsplit("http://").next().unwrap().to_owned();

    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(stream, "GET /api/v1/assignment HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer serve-test-token\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    child.terminate();
    assert_eq!(child.wait().code(), Some(0), "a graceful stop exits 0");
}

#[test]
fn serve_refuses_addresses_other_than_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let output = naparnik(dir.path(), &["serve", "--bridge-addr", "0.0.0.0:47815"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("loopback only"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn sync_run_once_fails_on_a_dead_target_and_status_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = write(
        dir.path(),
        "config.toml",
        &format!(
            "[[sync.targets]]\nkind = \"ut\"\nname = \"ut\"\nurl = \"http://127.0.0.1:{port}\"\nuser = \"u\"\npassword = \"p\"\n"
        ),
    );
    naparnik(
        dir.path(),
        &["--config", &config, "customers", "import", EXAMPLE],
    );
    let run = naparnik(dir.path(), &["--config", &config, "sync", "run", "--once"]);
    assert_eq!(run.status.code(), Some(1), "{}", stdout(&run));
    assert!(
        stdout(&run).contains("pull failed") && stdout(&run).contains("cannot connect"),
        "{}",
        stdout(&run)
    );
    let status = naparnik(dir.path(), &["--config", &config, "sync", "status"]);
    assert_eq!(status.status.code(), Some(0));
    let text = stdout(&status);
    assert!(
        text.contains("ut:") && text.contains("last pull: failed"),
        "{text}"
    );
    assert!(!text.contains("password") && !text.contains(" p\n"));
    let retry = naparnik(dir.path(), &["--config", &config, "sync", "retry-parked"]);
    assert!(stdout(&retry).contains("0 parked events"));
}

#[test]
#[cfg(unix)] // a pseudo-terminal stands in for the scanner; Windows has no such pair
fn devices_watch_prints_classified_scans_from_a_serial_scanner() {
    use serialport::SerialPort;
    use std::io::{BufRead, BufReader, Write as _};
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "config.toml",
        "[input]\nbadge_prefix = \"EMP-\"\ncard_pattern = '\\d{8}'\n",
    );
    let (mut master, slave) = serialport::TTYPort::pair().unwrap();
    let mut child = Running::new(
        Command::new(env!("CARGO_BIN_EXE_naparnik"))
            .args([
                "--data-dir",
                &dir.path().display().to_string(),
                "--config",
                &config,
                "devices",
                "watch",
                "--serial",
            ])
            .arg(slave.name().unwrap())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.child().stdout.take().unwrap()).lines();
    let mut next = || lines.next().unwrap().unwrap();
    assert!(next().starts_with("Watching"));
    assert!(next().contains("serial1: connected"));
    master
        .write_all(b"EMP-0042\r\n12345678\r\n4006381333931\r\n4006381333932\r\n")
        .unwrap();
    assert_eq!(next(), "serial1: badge EMP-0042");
    assert_eq!(next(), "serial1: loyalty card 12345678");
    assert_eq!(next(), "serial1: other (for 1C) 4006381333931");
    assert!(next().starts_with("serial1: MISREAD 4006381333932: the check digit is wrong"));
    child.kill_9();
    child.wait();
    drop(slave);
}

#[test]
fn devices_lists_candidates_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let output = naparnik(dir.path(), &["devices"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let watch = naparnik(dir.path(), &["devices", "watch"]);
    assert_eq!(watch.status.code(), Some(1));
    assert!(
        stderr(&watch).contains("no devices to watch"),
        "{}",
        stderr(&watch)
    );
}
