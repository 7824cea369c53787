//! Release benchmark: from the terminating key, report or byte to a classified scan, per source.
//! `cargo bench -p naparnik_input --bench decode`. Prints the figures; asserts nothing about time.

use std::time::{Duration, Instant};

use naparnik_input::hidpos::{HidPosDecoder, scanned_data_report};
use naparnik_input::keycode::KeyCode;
use naparnik_input::keymap::us_key_for;
use naparnik_input::serial::{LineDecoder, LineEnd};
use naparnik_input::wedge::{WedgeConfig, WedgeDecoder, WedgeOutput};
use naparnik_input::{Classifier, ClassifierConfig, ScanClass};

const ROUNDS: usize = 100_000;

fn report(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at =
        |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e6;
    println!(
        "{label:<44} p50 {:>6.2} µs  p99 {:>6.2} µs  max {:>7.2} µs  ({} scans)",
        at(0.5),
        at(0.99),
        at(1.0),
        samples.len()
    );
}

fn main() {
    let classifier = Classifier::new(&ClassifierConfig {
        badge_prefix: Some("EMP-".into()),
        badge_pattern: Some(r"B\d{4}".into()),
        badge_ean13_range: Some(("2000000000000".into(), "2000009999999".into())),
        card_pattern: Some(r"\d{8}".into()),
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let codes = [
        "EMP-0042",
        "4006381333931",
        "2000000000015",
        "12345678",
        "Ab-4006381333931",
    ];

    let mut decoder = WedgeDecoder::new(WedgeConfig::default());
    let mut samples = Vec::with_capacity(ROUNDS);
    let mut at = Duration::ZERO;
    for round in 0..ROUNDS {
        for c in codes[round % codes.len()].chars() {
            let (code, shift) = us_key_for(c).unwrap_or_else(|| panic!("{c}"));
            at += Duration::from_millis(3);
            if shift {
                decoder.feed(KeyCode::KEY_LEFTSHIFT.0, 1, at);
            }
            decoder.feed(code, 1, at);
            decoder.feed(code, 0, at);
            if shift {
                decoder.feed(KeyCode::KEY_LEFTSHIFT.0, 0, at);
            }
        }
        at += Duration::from_millis(3);
        let started = Instant::now();
        let outputs = decoder.feed(KeyCode::KEY_ENTER.0, 1, at);
        let class = match outputs.first() {
            Some(WedgeOutput::Scan { code, .. }) => classifier.classify(code),
            other => panic!("{other:?}"),
        };
        samples.push(started.elapsed());
        std::hint::black_box(class);
        decoder.feed(KeyCode::KEY_ENTER.0, 0, at);
        at += Duration::from_secs(1);
    }
    report("keyboard wedge: Enter to classified scan", samples);

    let mut decoder = HidPosDecoder::default();
    let reports: Vec<Vec<u8>> = codes
        .iter()
        .map(|c| scanned_data_report(b"]E0", c.as_bytes(), false, 64))
        .collect();
    let mut samples = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let report = &reports[round % reports.len()];
        let started = Instant::now();
        let scan = decoder
            .feed(report)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("incomplete"));
        let class: ScanClass = classifier.classify(&String::from_utf8_lossy(&scan.data));
        samples.push(started.elapsed());
        std::hint::black_box(class);
    }
    report("HID POS: report to classified scan", samples);

    let mut decoder = LineDecoder::new(LineEnd::Crlf);
    let mut samples = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let mut bytes = codes[round % codes.len()].as_bytes().to_vec();
        bytes.push(b'\r');
        decoder.feed(&bytes);
        let started = Instant::now();
        let lines = decoder.feed(b"\n");
        let class = classifier.classify(&lines[0]);
        samples.push(started.elapsed());
        std::hint::black_box(class);
    }
    report("serial: line feed to classified scan", samples);
}
