//! Linux keyboard-like devices through evdev: an exclusive grab, and a uinput
//! keyboard that re-types for 1C whatever is not for Naparnik.

use std::sync::mpsc::SyncSender;
use std::time::UNIX_EPOCH;

use evdev::{AttributeSet, EventType};

use super::{DeviceConfig, DeviceSource, RESCAN_EVERY, Selector, scan_event};
use crate::wedge::{RawKey, WedgeConfig, WedgeDecoder, WedgeOutput, keypad_key, released};
use crate::{Classifier, DeviceProblem, InputEvent, SourceKind};

fn find_evdev(selector: &Selector) -> Option<(std::path::PathBuf, evdev::Device)> {
    match selector {
        Selector::Path(path) => evdev::Device::open(path)
            .ok()
            .map(|d| (std::path::PathBuf::from(path), d)),
        Selector::Name(name) => evdev::enumerate().find(|(_, d)| d.name() == Some(name.as_str())),
        Selector::UsbIds { vendor, product } => evdev::enumerate()
            .find(|(_, d)| d.input_id().vendor() == *vendor && d.input_id().product() == *product),
    }
}

/// A virtual keyboard to re-type what is not for Naparnik, so 1C still gets it.
fn pass_through_keyboard() -> std::io::Result<evdev::uinput::VirtualDevice> {
    let mut keys = AttributeSet::<evdev::KeyCode>::new();
    for code in 1..=248u16 {
        keys.insert(evdev::KeyCode(code));
    }
    evdev::uinput::VirtualDevice::builder()?
        .name("Naparnik pass-through keyboard")
        .with_keys(&keys)?
        .build()
}

fn emit(keyboard: &mut Option<evdev::uinput::VirtualDevice>, keys: &[RawKey]) {
    if let Some(keyboard) = keyboard {
        let events: Vec<evdev::InputEvent> = keys
            .iter()
            .map(|k| evdev::InputEvent::new(EventType::KEY.0, k.code, k.value))
            .collect();
        if let Err(error) = keyboard.emit(&events) {
            tracing::error!("cannot re-type keys for 1C: {error}");
        }
    }
}

pub(super) fn run_evdev(
    device: &DeviceConfig,
    classifier: &Classifier,
    sender: &SyncSender<InputEvent>,
    keep_running: &(dyn Fn() -> bool + Sync),
) {
    let lost = |problem: DeviceProblem| InputEvent::Lost {
        device: device.name.clone(),
        problem,
    };
    let mut reported_missing = false;
    while keep_running() {
        let Some((path, mut input)) = find_evdev(&device.selector) else {
            if !reported_missing && sender.send(lost(DeviceProblem::NotConnected)).is_err() {
                return;
            }
            reported_missing = true;
            std::thread::sleep(RESCAN_EVERY);
            continue;
        };
        reported_missing = false;
        let (wedge, wants_grab, badge_only) = match &device.kind {
            DeviceSource::Wedge {
                wedge,
                grab,
                badge_only,
            } => (wedge.clone(), *grab, *badge_only),
            _ => (WedgeConfig::default(), true, false),
        };
        let keypad = device.kind == DeviceSource::Keypad;
        let mut keyboard = None;
        let mut grabbed = false;
        let mut no_pass_through = None;
        if wants_grab {
            match (keypad, pass_through_keyboard()) {
                (true, _) => grabbed = input.grab().is_ok(),
                (false, Ok(virtual_keyboard)) => {
                    keyboard = Some(virtual_keyboard);
                    grabbed = input.grab().is_ok();
                }
                (false, Err(error)) => {
                    // Without a way to re-type product scans for 1C, grabbing would swallow them: read without a grab.
                    no_pass_through = Some(DeviceProblem::NoPassThrough {
                        detail: error.to_string(),
                    });
                }
            }
        }
        let connected = InputEvent::Connected {
            device: device.name.clone(),
            path: path.display().to_string(),
        };
        // The warning goes after "connected", so it is what the status strip keeps showing.
        if sender.send(connected).is_err()
            || no_pass_through.is_some_and(|problem| sender.send(lost(problem)).is_err())
        {
            return;
        }
        let mut decoder = WedgeDecoder::new(wedge);
        'reading: while keep_running() {
            let events = match input.fetch_events() {
                Ok(events) => events.collect::<Vec<_>>(),
                Err(error) => {
                    let _ = sender.send(lost(DeviceProblem::Unplugged {
                        detail: error.to_string(),
                    }));
                    break 'reading;
                }
            };
            for event in events {
                if event.event_type() != EventType::KEY {
                    continue;
                }
                let (code, value) = (event.code(), event.value());
                if keypad {
                    if value == 1
                        && let Some(key) = keypad_key(code)
                        && sender
                            .send(InputEvent::Key {
                                device: device.name.clone(),
                                key,
                            })
                            .is_err()
                    {
                        return;
                    }
                    continue;
                }
                let at = event
                    .timestamp()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default();
                for output in decoder.feed(code, value, at) {
                    match output {
                        WedgeOutput::Scan { code, keys } => {
                            let class = classifier.classify(&code);
                            if grabbed && !class.is_ours() {
                                emit(&mut keyboard, &released(&keys));
                            }
                            if sender
                                .send(scan_event(
                                    &device.name,
                                    SourceKind::Wedge,
                                    class,
                                    badge_only,
                                ))
                                .is_err()
                            {
                                return;
                            }
                        }
                        WedgeOutput::Typed(keys) if grabbed => emit(&mut keyboard, &keys),
                        WedgeOutput::Typed(_) => {}
                    }
                }
            }
        }
        std::thread::sleep(RESCAN_EVERY);
    }
}
