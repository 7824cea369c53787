//! Release benchmark on a million customers: import time and peak memory of
//! the real `naparnik customers import`, then lookup latency by full phone
//! and by the last four digits.
//!
//! `cargo bench -p naparnik_app --bench customers_1m` (set `NAPARNIK_BENCH_CUSTOMERS`
//! for another size). Prints the figures; asserts nothing about time.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use naparnik_domain::{Phone, TrailingDigits};
use naparnik_store::Store;

const LOOKUPS: usize = 20_000;
const SURNAMES: [&str; 8] = [
    "Иванова",
    "Петров",
    "Сидорова",
    "Кузнецов",
    "Смирнова",
    "Попов",
    "Волкова",
    "Соколов",
];
const GIVEN: [&str; 6] = [
    "Анна Сергеевна",
    "Олег Петрович",
    "Елена Ивановна",
    "Игорь Алексеевич",
    "Марина Олеговна",
    "Павел Юрьевич",
];

/// A distinct mobile number for each index: an odd multiplier coprime with 10^9 is a bijection.
fn phone_digits(index: u64) -> u64 {
    9_000_000_000 + (index * 104_729 + 12_345) % 1_000_000_000
}

fn write_file(path: &Path, count: u64) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<customers xmlns="urn:naparnik:crm-customers:1" generated="2026-11-22T09:00:00+03:00" full="true">"#
    )?;
    for i in 0..count {
        let digits = phone_digits(i);
        let phone = format!(
            "8 ({}) {:03}-{:02}-{:02}",
            digits / 10_000_000,
            digits / 10_000 % 1000,
            digits / 100 % 100,
            digits % 100
        );
        let name = format!("{} {}", SURNAMES[(i % 8) as usize], GIVEN[(i % 6) as usize]);
        let card = if i % 3 == 0 {
            format!(r#" card="{:08}""#, i)
        } else {
            String::new()
        };
        writeln!(
            out,
            r#"  <customer crm-id="{i}" phone="{phone}" name="{name}" discount-percent="{}.{}"{card}/>"#,
            i % 30,
            i % 10
        )?;
    }
    writeln!(out, "</customers>")?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()
}

/// Peak resident memory of a running process, from `VmHWM` in `/proc/PID/status`, in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs the real `naparnik customers import`; returns seconds, peak RSS in KiB and the report's first line.
fn import(data_dir: &Path, file: &Path) -> (f64, u64, String) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_naparnik"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["customers", "import"])
        .arg(file)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting naparnik: {e}"));
    let mut stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let output = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).map(|_| text)
    });
    let mut peak_kib = 0;
    let status = loop {
        if let Some(kib) = peak_rss_kib(child.id()) {
            peak_kib = peak_kib.max(kib);
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("waiting for naparnik: {e}"),
        }
    };
    let secs = started.elapsed().as_secs_f64();
    assert!(status.success(), "import failed");
    let output = output.join().ok().and_then(Result::ok).unwrap_or_default();
    (
        secs,
        peak_kib,
        output.lines().next().unwrap_or("(no report)").to_owned(),
    )
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{label:<28} p50 {:>8.1} µs   p99 {:>8.1} µs   max {:>8.1} µs   ({} lookups)",
        percentile(&samples, 0.50).as_secs_f64() * 1e6,
        percentile(&samples, 0.99).as_secs_f64() * 1e6,
        samples.last().map_or(0.0, |d| d.as_secs_f64() * 1e6),
        samples.len()
    );
}

fn main() {
    let count: u64 = std::env::var("NAPARNIK_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let file = dir.path().join("customers.xml");
    let started = Instant::now();
    write_file(&file, count).unwrap_or_else(|e| panic!("writing the file: {e}"));
    let size_mib = std::fs::metadata(&file).map_or(0, |m| m.len()) >> 20;
    println!(
        "generated {count} customers, {size_mib} MiB, in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    for round in ["import (new base)", "re-import (all unchanged)"] {
        let (secs, peak_kib, first_line) = import(dir.path(), &file);
        println!("naparnik: {first_line}");
        println!(
            "{round}: {secs:.1} s ({:.0} customers/s), peak RSS {:.1} MiB (VmHWM sampled every 20 ms)",
            count as f64 / secs,
            peak_kib as f64 / 1024.0
        );
    }

    let store = Store::open_in_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let mut full = Vec::with_capacity(LOOKUPS);
    let mut tail = Vec::with_capacity(LOOKUPS);
    let mut found = 0usize;
    for n in 0..LOOKUPS as u64 {
        let index = (n * 7_919) % count;
        // A few generated numbers fall in unassigned ranges; the import skipped them, so do the lookups.
        let Ok(phone) = Phone::parse(&format!("+7{}", phone_digits(index))) else {
            continue;
        };
        let started = Instant::now();
        found += usize::from(store.customer_by_phone(&phone).ok().flatten().is_some());
        full.push(started.elapsed());
        let last4 = TrailingDigits::parse(&format!("{:04}", phone_digits(index) % 10_000))
            .unwrap_or_else(|| panic!("digits"));
        let started = Instant::now();
        found += store
            .customers_by_trailing_digits(&last4, 20)
            .map_or(0, |v| v.len().min(1));
        tail.push(started.elapsed());
    }
    assert_eq!(
        found,
        2 * full.len(),
        "every looked-up customer must be found"
    );
    report("lookup by full phone", full);
    report("lookup by last 4 digits", tail);
}
