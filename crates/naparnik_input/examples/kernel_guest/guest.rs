//! The Linux side of the example (see `main.rs`).
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test program: any failure ends the run with a message"
)]

use std::io::Write;
use std::time::{Duration, Instant};

use naparnik_input::sources::{DeviceConfig, DeviceSource, InputHub, Selector, start};
use naparnik_input::wedge::{WedgeConfig, WedgeDecoder, WedgeOutput};
use naparnik_input::{Classifier, ClassifierConfig, InputEvent, ScanClass};

const USB_KEYBOARD: &str = "QEMU QEMU USB Keyboard";

fn say(line: &str) {
    println!("{line}");
    std::io::stdout().flush().unwrap();
}

fn fail(why: &str) -> ! {
    say(&format!("FAIL {why}"));
    std::process::exit(1);
}

fn next(hub: &InputHub, what: &str) -> InputEvent {
    match hub.events.recv_timeout(Duration::from_secs(20)) {
        Ok(event) => event,
        Err(_) => fail(&format!("no event while waiting for {what}")),
    }
}

fn expect_scan(hub: &InputHub, expected: ScanClass) {
    loop {
        match next(hub, &format!("{expected:?}")) {
            InputEvent::Scan { class, .. } if class == expected => return,
            InputEvent::Scan { class, .. } => {
                fail(&format!("expected {expected:?}, got {class:?}"))
            }
            other => say(&format!("(event {other:?})")),
        }
    }
}

/// Reads the pass-through keyboard like 1C's X server would, decoding what reaches it.
fn watch_pass_through() -> std::sync::mpsc::Receiver<String> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("pass-through-reader".into())
        .spawn(move || {
            let started = Instant::now();
            let (_, mut device) = loop {
                if let Some(found) = evdev::enumerate()
                    .find(|(_, d)| d.name() == Some("Naparnik pass-through keyboard"))
                {
                    break found;
                }
                if started.elapsed() > Duration::from_secs(10) {
                    fail("the pass-through keyboard never appeared");
                }
                std::thread::sleep(Duration::from_millis(50));
            };
            let mut decoder = WedgeDecoder::new(WedgeConfig {
                max_gap: Duration::from_secs(2),
                ..WedgeConfig::default()
            });
            loop {
                for event in device.fetch_events().unwrap().collect::<Vec<_>>() {
                    if event.event_type() != evdev::EventType::KEY {
                        continue;
                    }
                    let at = event
                        .timestamp()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap_or_default();
                    for output in decoder.feed(event.code(), event.value(), at) {
                        if let WedgeOutput::Scan { code, .. } = output {
                            let _ = sender.send(code);
                        }
                    }
                }
            }
        })
        .unwrap();
    receiver
}

/// A HID POS scanner made through /dev/uhid: usage page 0x8C, report 2 of 63 bytes.
struct UhidScanner {
    file: std::fs::File,
}

const UHID_EVENT_SIZE: usize = 4380;

impl UhidScanner {
    fn create() -> UhidScanner {
        let descriptor: [u8; 22] = [
            0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01, 0x85, 0x02, 0x15, 0x00, 0x26, 0xFF, 0x00, 0x75,
            0x08, 0x95, 0x3F, 0x09, 0xFE, 0x81, 0x02, 0xC0,
        ];
        let mut event = vec![0u8; UHID_EVENT_SIZE];
        event[0..4].copy_from_slice(&11u32.to_ne_bytes()); // UHID_CREATE2
        let name = b"Naparnik Test HID POS Scanner";
        event[4..4 + name.len()].copy_from_slice(name);
        let mut at = 4 + 128 + 64 + 64;
        event[at..at + 2].copy_from_slice(&(descriptor.len() as u16).to_ne_bytes());
        at += 2;
        event[at..at + 2].copy_from_slice(&3u16.to_ne_bytes()); // BUS_USB
        at += 2;
        event[at..at + 4].copy_from_slice(&0x0c2eu32.to_ne_bytes());
        at += 4;
        event[at..at + 4].copy_from_slice(&0x0b61u32.to_ne_bytes());
        at += 4 + 4 + 4; // product, version, country
        event[at..at + descriptor.len()].copy_from_slice(&descriptor);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/uhid")
            .expect("open /dev/uhid");
        file.write_all(&event).expect("UHID_CREATE2");
        UhidScanner { file }
    }

    fn report(&mut self, report: &[u8]) {
        let mut event = vec![0u8; UHID_EVENT_SIZE];
        event[0..4].copy_from_slice(&12u32.to_ne_bytes()); // UHID_INPUT2
        event[4..6].copy_from_slice(&(report.len() as u16).to_ne_bytes());
        event[6..6 + report.len()].copy_from_slice(report);
        self.file.write_all(&event).expect("UHID_INPUT2");
    }
}

pub fn main() {
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(150));
        fail("the guest timed out");
    });
    let classifier = Classifier::new(&ClassifierConfig {
        badge_prefix: Some("EMP-".into()),
        ..Default::default()
    })
    .unwrap();
    let scanner = DeviceConfig {
        name: "scanner".into(),
        // Key gaps here depend on the emulator, not on a scanner: the burst test lives in the decoder's tests.
        kind: DeviceSource::Wedge {
            wedge: WedgeConfig {
                max_gap: Duration::from_secs(2),
                ..WedgeConfig::default()
            },
            grab: true,
            badge_only: false,
        },
        selector: Selector::Name(USB_KEYBOARD.into()),
    };
    let hid = DeviceConfig {
        name: "hidpos".into(),
        kind: DeviceSource::HidPos { badge_only: false },
        selector: Selector::UsbIds {
            vendor: 0x0c2e,
            product: 0x0b61,
        },
    };
    let hub = start(vec![scanner, hid], classifier).unwrap();
    let mut connected = 0;
    while connected < 1 {
        match next(&hub, "the USB keyboard") {
            InputEvent::Connected { device, .. } if device == "scanner" => connected += 1,
            other => say(&format!("(event {other:?})")),
        }
    }
    let pass_through = watch_pass_through();
    std::thread::sleep(Duration::from_millis(500));
    say("READY");
    expect_scan(&hub, ScanClass::Badge("EMP-0042".into()));
    expect_scan(&hub, ScanClass::Other("4006381333931".into()));
    match pass_through.recv_timeout(Duration::from_secs(10)) {
        Ok(code) if code == "4006381333931" => {}
        Ok(code) => fail(&format!(
            "the pass-through keyboard typed {code}: a badge reached 1C"
        )),
        Err(_) => fail("the product scan never reached the pass-through keyboard"),
    }
    say("WEDGE OK");

    say("UNPLUG");
    loop {
        match next(&hub, "the unplug") {
            InputEvent::Lost { device, problem } if device == "scanner" => {
                say(&format!("(lost: {problem})"));
                break;
            }
            other => say(&format!("(event {other:?})")),
        }
    }
    say("REPLUG");
    loop {
        match next(&hub, "the replug") {
            InputEvent::Connected { device, .. } if device == "scanner" => break,
            other => say(&format!("(event {other:?})")),
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    say("TYPE2");
    expect_scan(&hub, ScanClass::Badge("EMP-0043".into()));
    say("HOTPLUG OK");

    let mut uhid = UhidScanner::create();
    loop {
        match next(&hub, "the HID POS scanner") {
            InputEvent::Connected { device, .. } if device == "hidpos" => break,
            other => say(&format!("(event {other:?})")),
        }
    }
    uhid.report(&naparnik_input::hidpos::scanned_data_report(
        b"]E0",
        b"4006381333931",
        false,
        64,
    ));
    expect_scan(&hub, ScanClass::Other("4006381333931".into()));
    let long: Vec<u8> = (0..100).map(|i| b'0' + (i % 10) as u8).collect();
    uhid.report(&naparnik_input::hidpos::scanned_data_report(
        b"]C0",
        &long[..58],
        true,
        64,
    ));
    uhid.report(&naparnik_input::hidpos::scanned_data_report(
        b"]C0",
        &long[58..],
        false,
        64,
    ));
    expect_scan(&hub, ScanClass::Other(String::from_utf8(long).unwrap()));
    uhid.report(&naparnik_input::hidpos::scanned_data_report(
        b"]E0",
        b"EMP-0044",
        false,
        64,
    ));
    expect_scan(&hub, ScanClass::Badge("EMP-0044".into()));
    say("HIDPOS OK");
    say("ALL OK");
    std::process::exit(0);
}
