//! Real byte streams through the decoders the device readers use.
#![expect(
    clippy::unwrap_used,
    reason = "helpers shared by tests: a failed unwrap is a failed test"
)]

use std::time::Duration;

use naparnik_input::hidpos::{HidPosDecoder, HidPosError, Symbology, scanned_data_report};
use naparnik_input::keycode::KeyCode;
use naparnik_input::keymap::us_key_for;
use naparnik_input::wedge::{RawKey, WedgeConfig, WedgeDecoder, WedgeOutput, keypad_key};
use naparnik_input::{Classifier, ClassifierConfig, KeypadKey, ScanClass};

/// The key events a keyboard-wedge scanner sends for `text` + Enter, `gap` apart, as (code, value, time).
fn scanner_keys(text: &str, start: Duration, gap: Duration) -> Vec<(u16, i32, Duration)> {
    let mut at = start;
    let mut events = Vec::new();
    let mut push = |code: KeyCode, value: i32, at: Duration| events.push((code.0, value, at));
    for c in text.chars() {
        let (code, shift) = us_key_for(c).unwrap();
        if shift {
            push(KeyCode::KEY_LEFTSHIFT, 1, at);
        }
        push(KeyCode(code), 1, at);
        push(KeyCode(code), 0, at + Duration::from_millis(1));
        if shift {
            push(KeyCode::KEY_LEFTSHIFT, 0, at + Duration::from_millis(1));
        }
        at += gap;
    }
    push(KeyCode::KEY_ENTER, 1, at);
    push(KeyCode::KEY_ENTER, 0, at + Duration::from_millis(1));
    events
}

fn decode(decoder: &mut WedgeDecoder, events: &[(u16, i32, Duration)]) -> Vec<WedgeOutput> {
    events
        .iter()
        .flat_map(|(code, value, at)| decoder.feed(*code, *value, *at))
        .collect()
}

#[test]
fn a_wedge_scanner_burst_is_one_scan_whatever_the_desktop_layout() {
    // Only key codes enter the decoder: the Russian layout a cashier has active cannot change the result.
    let mut decoder = WedgeDecoder::new(WedgeConfig::default());
    let outputs = decode(
        &mut decoder,
        &scanner_keys("EMP-0042", Duration::ZERO, Duration::from_millis(4)),
    );
    assert_eq!(outputs.len(), 1, "{outputs:?}");
    let WedgeOutput::Scan { code, keys } = &outputs[0] else {
        panic!("{outputs:?}")
    };
    assert_eq!(code, "EMP-0042");
    assert!(keys.contains(&RawKey {
        code: KeyCode::KEY_LEFTSHIFT.0,
        value: 1
    }));
    let outputs = decode(
        &mut decoder,
        &scanner_keys(
            "Ab-4006381333931",
            Duration::from_secs(5),
            Duration::from_millis(2),
        ),
    );
    assert!(
        matches!(&outputs[..], [WedgeOutput::Scan { code, .. }] if code == "Ab-4006381333931"),
        "{outputs:?}"
    );
}

#[test]
fn a_person_typing_on_the_same_device_is_passed_on_as_typing() {
    let mut decoder = WedgeDecoder::new(WedgeConfig::default());
    let typed = decode(
        &mut decoder,
        &scanner_keys("123", Duration::ZERO, Duration::from_millis(180)),
    );
    assert!(
        typed.iter().all(|o| matches!(o, WedgeOutput::Typed(_))),
        "{typed:?}"
    );
    let keys: usize = typed
        .iter()
        .map(|o| {
            if let WedgeOutput::Typed(keys) = o {
                keys.len()
            } else {
                0
            }
        })
        .sum();
    assert_eq!(keys, 8, "every key event is passed on, Enter included");
    let scanned = decode(
        &mut decoder,
        &scanner_keys(
            "4006381333931",
            Duration::from_secs(2),
            Duration::from_millis(3),
        ),
    );
    assert!(matches!(&scanned[..], [WedgeOutput::Scan { code, .. }] if code == "4006381333931"));
}

#[test]
fn caps_lock_prefix_and_a_short_code() {
    let mut decoder = WedgeDecoder::new(WedgeConfig {
        prefix: "$".into(),
        ..WedgeConfig::default()
    });
    let mut events = vec![
        (KeyCode::KEY_CAPSLOCK.0, 1, Duration::ZERO),
        (KeyCode::KEY_CAPSLOCK.0, 0, Duration::ZERO),
    ];
    events.extend(scanner_keys(
        "$emp0042",
        Duration::from_millis(1),
        Duration::from_millis(3),
    ));
    let outputs = decode(&mut decoder, &events);
    assert!(
        matches!(&outputs[..], [WedgeOutput::Scan { code, .. }] if code == "EMP0042"),
        "{outputs:?}"
    );
    let outputs = decode(
        &mut decoder,
        &scanner_keys("$1", Duration::from_secs(1), Duration::from_millis(3)),
    );
    assert!(
        !outputs.is_empty() && outputs.iter().all(|o| matches!(o, WedgeOutput::Typed(_))),
        "too short to be a scan: {outputs:?}"
    );
}

#[test]
fn the_keypad_makes_digits_backspace_clear_and_enter() {
    assert_eq!(keypad_key(KeyCode::KEY_KP9.0), Some(KeypadKey::Digit(9)));
    assert_eq!(keypad_key(KeyCode::KEY_0.0), Some(KeypadKey::Digit(0)));
    assert_eq!(
        keypad_key(KeyCode::KEY_BACKSPACE.0),
        Some(KeypadKey::Backspace)
    );
    assert_eq!(keypad_key(KeyCode::KEY_ESC.0), Some(KeypadKey::Clear));
    assert_eq!(keypad_key(KeyCode::KEY_KPENTER.0), Some(KeypadKey::Enter));
    assert_eq!(keypad_key(KeyCode::KEY_A.0), None);
}

#[test]
fn hid_pos_reports_join_into_codes() {
    let mut decoder = HidPosDecoder::default();
    let scan = decoder
        .feed(&scanned_data_report(b"]E0", b"4006381333931", false, 64))
        .unwrap()
        .unwrap();
    assert_eq!(
        (scan.symbology, scan.data.as_slice()),
        (Symbology::Ean13, &b"4006381333931"[..])
    );

    let long: Vec<u8> = (0..150).map(|i| b'A' + (i % 26) as u8).collect();
    assert_eq!(
        decoder
            .feed(&scanned_data_report(b"]C0", &long[..58], true, 64))
            .unwrap(),
        None
    );
    assert_eq!(
        decoder
            .feed(&scanned_data_report(b"]C0", &long[58..116], true, 64))
            .unwrap(),
        None
    );
    let scan = decoder
        .feed(&scanned_data_report(b"]C0", &long[116..], false, 64))
        .unwrap()
        .unwrap();
    assert_eq!((scan.symbology, scan.data), (Symbology::Code128, long));

    assert_eq!(
        decoder.feed(&[0x01, 0, 0, 0]),
        Err(HidPosError::NotScannedData(1))
    );
    let mut broken = scanned_data_report(b"]E0", b"123", false, 16);
    broken[1] = 40;
    assert!(matches!(
        decoder.feed(&broken),
        Err(HidPosError::BadLength { declared: 40, .. })
    ));
    let scan = decoder
        .feed(&scanned_data_report(b"]E4", b"96385074", false, 16))
        .unwrap()
        .unwrap();
    assert_eq!(
        scan.symbology,
        Symbology::Ean8,
        "a broken report does not poison the next one"
    );
}

#[test]
fn a_misread_is_said_to_be_one() {
    let classifier = Classifier::new(&ClassifierConfig {
        badge_prefix: Some("EMP-".into()),
        ..Default::default()
    })
    .unwrap();
    let mut decoder = HidPosDecoder::default();
    let scan = decoder
        .feed(&scanned_data_report(b"]E0", b"4006381333932", false, 64))
        .unwrap()
        .unwrap();
    let class = classifier.classify(&String::from_utf8_lossy(&scan.data));
    assert!(
        matches!(&class, ScanClass::Misread { reason, .. } if reason.contains("check digit")),
        "{class:?}"
    );
    assert!(!class.is_ours());
}

#[test]
fn a_retyped_scan_releases_its_terminator_itself() {
    // The scan is complete at Enter's press; its release is swallowed with the scan, so a
    // re-typed copy must release Enter itself or the receiving program sees it held down.
    let mut decoder = WedgeDecoder::new(WedgeConfig::default());
    let events = scanner_keys("4006381333931", Duration::ZERO, Duration::from_millis(4));
    // Up to Enter's press: the scan is out, Enter is still down.
    let outputs = decode(&mut decoder, &events[..events.len() - 1]);
    let [WedgeOutput::Scan { keys, .. }] = outputs.as_slice() else {
        panic!("{outputs:?}");
    };
    let retyped = naparnik_input::wedge::released(keys);
    assert_eq!(
        retyped.last(),
        Some(&RawKey {
            code: KeyCode::KEY_ENTER.0,
            value: 0
        })
    );
    let presses = retyped.iter().filter(|k| k.value == 1).count();
    let releases = retyped.iter().filter(|k| k.value == 0).count();
    assert_eq!(presses, releases, "every key pressed is released");
}
