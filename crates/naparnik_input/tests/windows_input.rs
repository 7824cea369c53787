//! The Windows input decisions on recorded key sequences, run on every system.
//!
//! Hook records are `(scan code, extended, up, time ms)` as `KBDLLHOOKSTRUCT`
//! gives them; Raw Input records are `(device, MakeCode, Flags, time ms)` as
//! `RAWKEYBOARD` and `GetMessageTime` give them. The badge and product
//! sequences were typed by a wedge scanner at about 4 ms a key.
#![expect(
    clippy::unwrap_used,
    reason = "helpers shared by tests: a failed unwrap is a failed test"
)]

use std::time::Duration;

use naparnik_input::gate::{Gate, GateOutput, HookKey, Verdict};
use naparnik_input::keycode::KeyCode;
use naparnik_input::rawinput::{Decoded, Demux, RawKeyboardRecord, Role};
use naparnik_input::wedge::{RawKey, WedgeConfig};
use naparnik_input::{Classifier, ClassifierConfig, KeypadKey};

/// `EMP-0042⏎` from a wedge scanner: Shift+E, Shift+M, Shift+P, -, 0, 0, 4, 2, Enter.
const BADGE_HOOK: &[(u16, bool, bool, u32)] = &[
    (0x2A, false, false, 1000),
    (0x12, false, false, 1002),
    (0x12, false, true, 1004),
    (0x32, false, false, 1006),
    (0x32, false, true, 1008),
    (0x19, false, false, 1010),
    (0x19, false, true, 1012),
    (0x2A, false, true, 1013),
    (0x0C, false, false, 1016),
    (0x0C, false, true, 1018),
    (0x0B, false, false, 1020),
    (0x0B, false, true, 1022),
    (0x0B, false, false, 1024),
    (0x0B, false, true, 1026),
    (0x05, false, false, 1028),
    (0x05, false, true, 1030),
    (0x03, false, false, 1032),
    (0x03, false, true, 1034),
    (0x1C, false, false, 1036),
    (0x1C, false, true, 1038),
];

fn classifier() -> Classifier {
    Classifier::new(&ClassifierConfig {
        badge_prefix: Some("EMP-".into()),
        ..ClassifierConfig::default()
    })
    .unwrap()
}

fn hook_key((scan, extended, up, time): (u16, bool, bool, u32)) -> HookKey {
    HookKey {
        key: KeyCode::from_scan_code(scan, extended).unwrap(),
        pressed: !up,
        time_millis: time,
    }
}

/// What a sequence becomes as raw keys (Linux numbering), for comparing with what is re-typed.
fn raw(records: &[(u16, bool, bool, u32)]) -> Vec<RawKey> {
    records
        .iter()
        .map(|r| {
            let key = hook_key(*r);
            RawKey {
                code: key.key.0,
                value: i32::from(key.pressed),
            }
        })
        .collect()
}

/// Plays records through a gate as the reader loop does (it ticks whenever a deadline passes
/// between keys, and after the last one); returns verdicts, re-typed keys and scans.
fn play(
    gate: &mut Gate,
    records: &[(u16, bool, bool, u32)],
) -> (Vec<Verdict>, Vec<RawKey>, Vec<(String, bool)>) {
    let classifier = classifier();
    let is_ours = |code: &str| classifier.classify(code).is_ours();
    let (mut verdicts, mut retyped, mut scans) = (Vec::new(), Vec::new(), Vec::new());
    let mut collect = |outputs: Vec<GateOutput>, retyped: &mut Vec<RawKey>| {
        for output in outputs {
            match output {
                GateOutput::Retype(keys) => retyped.extend(keys),
                GateOutput::Scan { code, retyped } => scans.push((code, retyped)),
            }
        }
    };
    for record in records {
        collect(gate.tick(record.3), &mut retyped);
        let (verdict, outputs) = gate.key(hook_key(*record), &is_ours);
        verdicts.push(verdict);
        collect(outputs, &mut retyped);
    }
    let end = records.last().map_or(0, |r| r.3) + 1000;
    collect(gate.tick(end), &mut retyped);
    (verdicts, retyped, scans)
}

fn armed_gate() -> Gate {
    let mut gate = Gate::new(WedgeConfig::default());
    assert!(gate.set_armed(true).is_empty());
    gate
}

/// Typing on a keyboard: `text` as presses and releases `gap_millis` apart.
fn typed(text: &str, start: u32, gap_millis: u32) -> Vec<(u16, bool, bool, u32)> {
    let mut records = Vec::new();
    let mut at = start;
    for c in text.chars() {
        let (code, shift) = naparnik_input::keymap::us_key_for(c).unwrap();
        let (scan, extended) = KeyCode(code).scan_code().unwrap();
        if shift {
            records.push((0x2A, false, false, at));
        }
        records.push((scan, extended, false, at + 1));
        records.push((scan, extended, true, at + gap_millis / 2));
        if shift {
            records.push((0x2A, false, true, at + gap_millis / 2 + 1));
        }
        at += gap_millis;
    }
    records
}

#[test]
fn a_badge_scan_is_withheld_whole_and_reported() {
    let mut gate = armed_gate();
    let (verdicts, retyped, scans) = play(&mut gate, BADGE_HOOK);
    assert!(verdicts.iter().all(|v| *v == Verdict::Withhold));
    assert_eq!(retyped, Vec::new(), "no key of a badge may reach 1C");
    assert_eq!(scans, vec![("EMP-0042".to_owned(), false)]);
}

#[test]
fn a_product_scan_reaches_the_focused_program_exactly_as_typed() {
    let mut gate = armed_gate();
    let mut product = typed("4006381333931", 5000, 4);
    product.push((0x1C, false, false, 5060));
    product.push((0x1C, false, true, 5062));
    let (_, retyped, scans) = play(&mut gate, &product);
    assert_eq!(scans, vec![("4006381333931".to_owned(), true)]);
    assert_eq!(retyped, raw(&product));
}

#[test]
fn a_person_typing_on_the_same_keyboard_reaches_the_focused_program_untouched() {
    let mut gate = armed_gate();
    // Typing a name and a phone with Shift, at a brisk 120 ms a key, then Enter.
    let mut typing = typed("Ivanova 9513054436", 20_000, 120);
    typing.push((0x1C, false, false, 22_300));
    typing.push((0x1C, false, true, 22_380));
    let (_, retyped, scans) = play(&mut gate, &typing);
    assert_eq!(scans, Vec::new());
    assert_eq!(retyped, raw(&typing));
}

#[test]
fn typing_goes_out_when_the_next_key_is_slow_or_the_gap_passes_without_one() {
    let mut gate = armed_gate();
    let classifier = classifier();
    let is_ours = |code: &str| classifier.classify(code).is_ours();
    let (verdict, outputs) = gate.key(hook_key((0x1E, false, false, 100)), &is_ours);
    assert_eq!((verdict, outputs), (Verdict::Withhold, Vec::new()));
    assert_eq!(gate.wait_millis(100), Some(31));
    assert_eq!(gate.tick(120), Vec::new(), "still within a scanner's gap");
    assert_eq!(
        gate.tick(140),
        vec![GateOutput::Retype(vec![RawKey {
            code: KeyCode::KEY_A.0,
            value: 1
        }])]
    );
    assert_eq!(gate.wait_millis(140), None);
    // Its release follows at once: the press already went out.
    let (_, outputs) = gate.key(hook_key((0x1E, false, true, 190)), &is_ours);
    assert_eq!(
        outputs,
        vec![GateOutput::Retype(vec![RawKey {
            code: KeyCode::KEY_A.0,
            value: 0
        }])]
    );
}

#[test]
fn a_shortcut_is_not_held_back() {
    let mut gate = armed_gate();
    let classifier = classifier();
    let is_ours = |code: &str| classifier.classify(code).is_ours();
    // Ctrl makes no character: it goes out at once, and so does the C after it once the gap says "person".
    let (_, outputs) = gate.key(hook_key((0x1D, false, false, 500)), &is_ours);
    assert_eq!(
        outputs,
        vec![GateOutput::Retype(vec![RawKey {
            code: KeyCode::KEY_LEFTCTRL.0,
            value: 1
        }])]
    );
    let (_, outputs) = gate.key(hook_key((0x3F, false, false, 700)), &is_ours);
    assert_eq!(
        outputs,
        vec![GateOutput::Retype(vec![RawKey { code: 63, value: 1 }])],
        "F5 is re-typed at once"
    );
}

#[test]
fn a_badge_scan_interleaved_with_typing_loses_nothing() {
    let mut gate = armed_gate();
    // A person presses X while the scanner is half-way through the badge: the code is spoiled.
    let mut records = BADGE_HOOK.to_vec();
    records.insert(9, (0x2D, false, false, 1017));
    records.insert(12, (0x2D, false, true, 1021));
    let (_, retyped, scans) = play(&mut gate, &records);
    assert_eq!(
        scans,
        vec![("EMP-x0042".to_owned(), true)],
        "not a badge any more"
    );
    assert_eq!(retyped, raw(&records), "every key reaches 1C, in order");
    // And typing just before and after a badge does not spoil the badge.
    let mut gate = armed_gate();
    let mut records = typed("ok", 0, 200);
    records.extend_from_slice(BADGE_HOOK);
    records.extend(typed("ok", 1300, 200));
    let (_, retyped, scans) = play(&mut gate, &records);
    assert_eq!(scans, vec![("EMP-0042".to_owned(), false)]);
    let mut expected = raw(&typed("ok", 0, 200));
    expected.extend(raw(&typed("ok", 1300, 200)));
    assert_eq!(retyped, expected);
}

#[test]
fn a_disarmed_gate_passes_everything_and_disarming_releases_what_it_held() {
    let mut gate = Gate::new(WedgeConfig::default());
    let classifier = classifier();
    let is_ours = |code: &str| classifier.classify(code).is_ours();
    for record in BADGE_HOOK {
        assert_eq!(
            gate.key(hook_key(*record), &is_ours),
            (Verdict::Pass, Vec::new())
        );
    }
    let mut gate = armed_gate();
    let _ = gate.key(hook_key((0x1E, false, false, 10)), &is_ours);
    assert_eq!(
        gate.set_armed(false),
        vec![GateOutput::Retype(vec![RawKey {
            code: KeyCode::KEY_A.0,
            value: 1
        }])]
    );
}

#[test]
fn the_hook_clock_wrapping_around_is_one_more_millisecond() {
    let mut gate = armed_gate();
    let start = u32::MAX - 10;
    let records: Vec<_> = BADGE_HOOK
        .iter()
        .map(|(s, e, u, t)| (*s, *e, *u, start.wrapping_add(t - 1000)))
        .collect();
    let (_, retyped, scans) = play(&mut gate, &records);
    assert_eq!(retyped, Vec::new());
    assert_eq!(scans, vec![("EMP-0042".to_owned(), false)]);
}

// Raw Input: which device sent each key.

const SCANNER: usize = 0x1_0047;
const KEYBOARD: usize = 0x1_0049;
const KEYPAD: usize = 0x2_004B;

fn record(device: usize, make_code: u16, flags: u16, time_millis: u32) -> RawKeyboardRecord {
    RawKeyboardRecord {
        device,
        make_code,
        flags,
        time_millis,
    }
}

#[test]
fn raw_input_decodes_a_scan_per_device_while_a_person_types_on_another_keyboard() {
    let mut demux = Demux::new(vec![Role::Wedge(WedgeConfig::default()), Role::Keypad]);
    demux.attach(0, Some(SCANNER));
    demux.attach(1, Some(KEYPAD));
    let mut records = Vec::new();
    for (i, (scan, extended, up, time)) in BADGE_HOOK.iter().enumerate() {
        let flags = u16::from(*up) | if *extended { 2 } else { 0 };
        records.push(record(SCANNER, *scan, flags, *time));
        // The person's keyboard, interleaved key for key: X pressed and released.
        if i == 9 {
            records.push(record(KEYBOARD, 0x2D, 0, time + 1));
        }
        if i == 12 {
            records.push(record(KEYBOARD, 0x2D, 1, time + 1));
        }
    }
    // The keypad: 9, then keypad Enter (E0 1C).
    records.push(record(KEYPAD, 0x49, 0, 2000));
    records.push(record(KEYPAD, 0x49, 1, 2050));
    records.push(record(KEYPAD, 0x1C, 2, 2100));
    records.push(record(KEYPAD, 0x1C, 3, 2150));
    let decoded: Vec<Decoded> = records.into_iter().flat_map(|r| demux.feed(r)).collect();
    assert_eq!(
        decoded,
        vec![
            Decoded::Scan {
                device: 0,
                code: "EMP-0042".into()
            },
            Decoded::Key {
                device: 1,
                key: KeypadKey::Digit(9)
            },
            Decoded::Key {
                device: 1,
                key: KeypadKey::Enter
            },
        ]
    );
}

#[test]
fn raw_input_ignores_windows_fake_shifts_and_unplugged_devices() {
    let mut demux = Demux::new(vec![Role::Keypad]);
    demux.attach(0, Some(KEYPAD));
    // Windows wraps extended keys in a fake Shift (E0 2A … E0 AA) with Num Lock on.
    assert_eq!(demux.feed(record(KEYPAD, 0x2A, 2, 1)), Vec::new());
    demux.attach(0, None);
    assert_eq!(demux.feed(record(KEYPAD, 0x49, 0, 2)), Vec::new());
    assert_eq!(demux.handle(0), None);
}

#[test]
fn usb_ids_come_from_the_raw_input_device_name() {
    assert_eq!(
        naparnik_input::rawinput::usb_ids(
            r"\\?\HID#VID_0C2E&PID_0B61&MI_00#7&2a1f&0&0000#{884b96c3-56ef-11d1-bc8c-00a0c91405dd}"
        ),
        Some((0x0c2e, 0x0b61))
    );
    assert_eq!(
        naparnik_input::rawinput::usb_ids(r"\\?\ACPI#PNP0303#4&1d401fb5&0#{884b96c3}"),
        None
    );
}

#[test]
fn the_gate_timing_is_the_wedge_decoder_timing() {
    assert_eq!(WedgeConfig::default().max_gap, Duration::from_millis(30));
}

/// The real reader on Windows: its window, Raw Input registration and keyboard hook come up,
/// report a scanner that is not plugged in, and stop when the hub is dropped.
#[cfg(windows)]
#[test]
fn the_windows_keyboard_reader_starts_reports_a_missing_scanner_and_stops() {
    use naparnik_input::DeviceProblem;
    use naparnik_input::InputEvent;
    use naparnik_input::sources::{DeviceConfig, DeviceSource, Selector, start};
    let devices = vec![
        DeviceConfig {
            name: "scanner".into(),
            kind: DeviceSource::Wedge {
                wedge: WedgeConfig::default(),
                grab: true,
                badge_only: false,
            },
            selector: Selector::UsbIds {
                vendor: 0xffff,
                product: 0xfffe,
            },
        },
        DeviceConfig {
            name: "keypad".into(),
            kind: DeviceSource::Keypad,
            selector: Selector::Name("no such keypad".into()),
        },
    ];
    let hub = start(devices, classifier()).unwrap();
    let mut lost = Vec::new();
    while lost.len() < 2 {
        match hub.events.recv_timeout(Duration::from_secs(30)).unwrap() {
            InputEvent::Lost { device, problem } => {
                assert_eq!(problem, DeviceProblem::NotConnected, "{device}");
                lost.push(device);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    lost.sort();
    assert_eq!(lost, ["keypad", "scanner"]);
    drop(hub);
}
