//! Device readers: one named thread per configured device, feeding one bounded channel.
//!
//! Each reader finds its device (by path, name or USB ids), reads it, and when
//! it disappears reports that and looks for it again every second, so
//! devices plugged in or out are picked up without a restart. Polling was
//! chosen over a udev monitor: it needs no libudev, works the same for evdev,
//! hidraw and serial, and a second of delay is nothing at a till.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, UNIX_EPOCH};

use evdev::{AttributeSet, EventType, KeyCode};

use crate::hidpos::HidPosDecoder;
use crate::serial::{Framing, LineEnd, SerialConfig, SerialEvent, read_serial};
use crate::wedge::{RawKey, WedgeConfig, WedgeDecoder, WedgeOutput, keypad_key};
use crate::{Classifier, DeviceProblem, InputEvent, ScanClass, SourceKind};

/// How often a missing device is looked for.
const RESCAN_EVERY: Duration = Duration::from_secs(1);
/// Events waiting for the consumer; a reader blocks rather than drop a scan.
const CHANNEL_CAPACITY: usize = 256;

/// How a device is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// A device node or a stable link (`/dev/input/by-id/…`, `/dev/serial/by-id/…`, `/dev/hidraw3`).
    Path(String),
    /// The name the device reports (evdev, HID).
    Name(String),
    /// USB vendor and product id (evdev, HID).
    UsbIds {
        /// Vendor id.
        vendor: u16,
        /// Product id.
        product: u16,
    },
}

/// A configured device.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceConfig {
    /// The name in events and in the window.
    pub name: String,
    /// What it is and how to read it.
    pub kind: DeviceSource,
    /// How to find it.
    pub selector: Selector,
}

/// The kind of device and its settings.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceSource {
    /// A keyboard-wedge scanner.
    Wedge {
        /// Decoder settings.
        wedge: WedgeConfig,
        /// Take the device exclusively; codes not for Naparnik are re-typed through uinput.
        grab: bool,
        /// A reader only for badges and cards: other codes are flagged "not a badge".
        badge_only: bool,
    },
    /// A numeric keypad for phone entry (grabbed so its keys do not type into 1C).
    Keypad,
    /// A HID POS scanner.
    HidPos {
        /// A reader only for badges and cards.
        badge_only: bool,
    },
    /// A serial scanner.
    Serial {
        /// Baud rate.
        baud: u32,
        /// Data bits, parity, stop bits.
        framing: Framing,
        /// What ends a code.
        line_end: LineEnd,
        /// A reader only for badges and cards.
        badge_only: bool,
    },
}

/// The running readers; dropping it stops them.
pub struct InputHub {
    /// Where events arrive.
    pub events: Receiver<InputEvent>,
    running: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Drop for InputHub {
    fn drop(&mut self) {
        self.running.store(false, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Starts a reader thread per device.
pub fn start(devices: Vec<DeviceConfig>, classifier: Classifier) -> std::io::Result<InputHub> {
    let (sender, events) = sync_channel(CHANNEL_CAPACITY);
    let running = Arc::new(AtomicBool::new(true));
    let mut threads = Vec::new();
    for device in devices {
        let sender = sender.clone();
        let running = running.clone();
        let classifier = classifier.clone();
        let name = format!("input-{}", device.name);
        threads.push(std::thread::Builder::new().name(name).spawn(move || {
            let keep_running = || running.load(Ordering::Relaxed);
            match &device.kind {
                DeviceSource::Wedge { .. } | DeviceSource::Keypad => {
                    run_evdev(&device, &classifier, &sender, &keep_running)
                }
                DeviceSource::HidPos { badge_only } => {
                    run_hidpos(&device, *badge_only, &classifier, &sender, &keep_running)
                }
                DeviceSource::Serial {
                    baud,
                    framing,
                    line_end,
                    badge_only,
                } => {
                    let port = PortSettings {
                        baud: *baud,
                        framing: *framing,
                        line_end: *line_end,
                    };
                    run_serial(
                        &device,
                        port,
                        *badge_only,
                        &classifier,
                        &sender,
                        &keep_running,
                    )
                }
            }
        })?);
    }
    Ok(InputHub {
        events,
        running,
        threads,
    })
}

fn scan_event(device: &str, source: SourceKind, class: ScanClass, badge_only: bool) -> InputEvent {
    InputEvent::Scan {
        device: device.to_owned(),
        source,
        class,
        badge_only,
        at: Instant::now(),
    }
}

/// A serial port's line settings.
struct PortSettings {
    baud: u32,
    framing: Framing,
    line_end: LineEnd,
}

fn run_serial(
    device: &DeviceConfig,
    port: PortSettings,
    badge_only: bool,
    classifier: &Classifier,
    sender: &SyncSender<InputEvent>,
    keep_running: &(dyn Fn() -> bool + Sync),
) {
    let Selector::Path(path) = &device.selector else {
        let _ = sender.send(InputEvent::Lost {
            device: device.name.clone(),
            problem: DeviceProblem::SerialNeedsPath,
        });
        return;
    };
    let config = SerialConfig {
        name: device.name.clone(),
        path: path.clone(),
        baud: port.baud,
        framing: port.framing,
        line_end: port.line_end,
        reconnect_every: RESCAN_EVERY,
    };
    let (serial_sender, serial_events) = sync_channel(CHANNEL_CAPACITY);
    std::thread::scope(|scope| {
        scope.spawn(move || read_serial(&config, &serial_sender, keep_running));
        while let Ok(event) = serial_events.recv() {
            let event = match event {
                SerialEvent::Opened => InputEvent::Connected {
                    device: device.name.clone(),
                    path: path.clone(),
                },
                SerialEvent::Code(code) => scan_event(
                    &device.name,
                    SourceKind::Serial,
                    classifier.classify(&code),
                    badge_only,
                ),
                SerialEvent::Lost(problem) => InputEvent::Lost {
                    device: device.name.clone(),
                    problem,
                },
            };
            if sender.send(event).is_err() {
                return;
            }
        }
    });
}

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
    let mut keys = AttributeSet::<KeyCode>::new();
    for code in 1..=248u16 {
        keys.insert(KeyCode(code));
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

fn run_evdev(
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
                    if value == 1 {
                        if let Some(key) = keypad_key(code) {
                            if sender
                                .send(InputEvent::Key {
                                    device: device.name.clone(),
                                    key,
                                })
                                .is_err()
                            {
                                return;
                            }
                        }
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
                                emit(&mut keyboard, &keys);
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

fn run_hidpos(
    device: &DeviceConfig,
    badge_only: bool,
    classifier: &Classifier,
    sender: &SyncSender<InputEvent>,
    keep_running: &(dyn Fn() -> bool + Sync),
) {
    let lost = |problem: DeviceProblem| InputEvent::Lost {
        device: device.name.clone(),
        problem,
    };
    let mut reported = None;
    while keep_running() {
        let opened = hidapi::HidApi::new()
            .map_err(|e| DeviceProblem::NoAccess {
                detail: e.to_string(),
            })
            .and_then(|api| {
                let found = api.device_list().find(|info| match &device.selector {
                    Selector::Path(path) => info.path().to_string_lossy() == path.as_str(),
                    Selector::Name(name) => info.product_string() == Some(name.as_str()),
                    Selector::UsbIds { vendor, product } => {
                        info.vendor_id() == *vendor && info.product_id() == *product
                    }
                });
                let info = found.ok_or(DeviceProblem::NotConnected)?;
                let path = info.path().to_string_lossy().into_owned();
                info.open_device(&api)
                    .map(|d| (d, path))
                    .map_err(|e| DeviceProblem::NoAccess {
                        detail: e.to_string(),
                    })
            });
        let (hid, path) = match opened {
            Ok(opened) => opened,
            Err(problem) => {
                if reported.as_ref() != Some(&problem)
                    && sender.send(lost(problem.clone())).is_err()
                {
                    return;
                }
                reported = Some(problem);
                std::thread::sleep(RESCAN_EVERY);
                continue;
            }
        };
        reported = None;
        if sender
            .send(InputEvent::Connected {
                device: device.name.clone(),
                path,
            })
            .is_err()
        {
            return;
        }
        let mut decoder = HidPosDecoder::default();
        let mut report = [0u8; 256];
        while keep_running() {
            match hid.read_timeout(&mut report, 200) {
                Ok(0) => {}
                Ok(n) => match decoder.feed(&report[..n]) {
                    Ok(Some(scan)) => {
                        let code = String::from_utf8_lossy(&scan.data).into_owned();
                        if sender
                            .send(scan_event(
                                &device.name,
                                SourceKind::HidPos,
                                classifier.classify(&code),
                                badge_only,
                            ))
                            .is_err()
                        {
                            return;
                        }
                    }
                    Ok(None) => {}
                    Err(error) => {
                        tracing::debug!(device = %device.name, "HID report skipped: {error}")
                    }
                },
                Err(error) => {
                    let _ = sender.send(lost(DeviceProblem::Unplugged {
                        detail: error.to_string(),
                    }));
                    break;
                }
            }
        }
        std::thread::sleep(RESCAN_EVERY);
    }
}
