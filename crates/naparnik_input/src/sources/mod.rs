//! Device readers: one named thread per configured device, feeding one bounded channel.
//!
//! Each reader finds its device (by path, name or USB ids), reads it, and when
//! it disappears reports that and looks for it again every second, so
//! devices plugged in or out are picked up without a restart. Polling was
//! chosen over a udev monitor: it needs no libudev, works the same for evdev,
//! hidraw and serial, and a second of delay is nothing at a till.
//!
//! Keyboard-like devices (wedge scanners, keypads) are the one part that
//! differs by system: [`evdev`](self) readers with a grab and a uinput
//! keyboard on Linux, one Raw Input window with a keyboard hook on Windows.
//! HID POS (hidapi) and serial readers are the same code on both.

#[cfg(target_os = "linux")]
mod evdev;
#[cfg(windows)]
mod windows;

#[cfg(windows)]
pub(crate) use windows::keyboard_candidates;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::hidpos::HidPosDecoder;
use crate::serial::{Framing, LineEnd, SerialConfig, SerialEvent, read_serial};
use crate::wedge::WedgeConfig;
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

/// Starts a reader thread per device (on Windows, one thread for all keyboard-like devices).
pub fn start(devices: Vec<DeviceConfig>, classifier: Classifier) -> std::io::Result<InputHub> {
    let (sender, events) = sync_channel(CHANNEL_CAPACITY);
    let running = Arc::new(AtomicBool::new(true));
    let mut threads = Vec::new();
    let (keyboards, devices): (Vec<DeviceConfig>, Vec<DeviceConfig>) = devices
        .into_iter()
        .partition(|d| matches!(d.kind, DeviceSource::Wedge { .. } | DeviceSource::Keypad));
    start_keyboards(keyboards, &classifier, &sender, &running, &mut threads)?;
    for device in devices {
        threads.push(spawn_reader(
            device,
            &classifier,
            &sender,
            &running,
            read_device,
        )?);
    }
    Ok(InputHub {
        events,
        running,
        threads,
    })
}

/// How a reader thread reads its device until `keep_running` says stop.
type ReadDevice =
    fn(&DeviceConfig, &Classifier, &SyncSender<InputEvent>, &(dyn Fn() -> bool + Sync));

/// A reader thread named after its device, with its own handles on the channel, the classifier
/// and the stop flag.
fn spawn_reader(
    device: DeviceConfig,
    classifier: &Classifier,
    sender: &SyncSender<InputEvent>,
    running: &Arc<AtomicBool>,
    read: ReadDevice,
) -> std::io::Result<JoinHandle<()>> {
    let sender = sender.clone();
    let running = running.clone();
    let classifier = classifier.clone();
    std::thread::Builder::new()
        .name(format!("input-{}", device.name))
        .spawn(move || {
            let keep_running = || running.load(Ordering::Relaxed);
            read(&device, &classifier, &sender, &keep_running)
        })
}

/// Reads a HID POS or a serial device; keyboard-like ones are read by `start_keyboards`.
fn read_device(
    device: &DeviceConfig,
    classifier: &Classifier,
    sender: &SyncSender<InputEvent>,
    keep_running: &(dyn Fn() -> bool + Sync),
) {
    match &device.kind {
        DeviceSource::Wedge { .. } | DeviceSource::Keypad => {}
        DeviceSource::HidPos { badge_only } => {
            run_hidpos(device, *badge_only, classifier, sender, keep_running)
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
            run_serial(device, port, *badge_only, classifier, sender, keep_running)
        }
    }
}

#[cfg(target_os = "linux")]
fn start_keyboards(
    keyboards: Vec<DeviceConfig>,
    classifier: &Classifier,
    sender: &SyncSender<InputEvent>,
    running: &Arc<AtomicBool>,
    threads: &mut Vec<JoinHandle<()>>,
) -> std::io::Result<()> {
    for device in keyboards {
        threads.push(spawn_reader(
            device,
            classifier,
            sender,
            running,
            evdev::run_evdev,
        )?);
    }
    Ok(())
}

#[cfg(windows)]
fn start_keyboards(
    keyboards: Vec<DeviceConfig>,
    classifier: &Classifier,
    sender: &SyncSender<InputEvent>,
    running: &Arc<AtomicBool>,
    threads: &mut Vec<JoinHandle<()>>,
) -> std::io::Result<()> {
    if keyboards.is_empty() {
        return Ok(());
    }
    let sender = sender.clone();
    let running = running.clone();
    let classifier = classifier.clone();
    threads.push(
        std::thread::Builder::new()
            .name("input-keyboards".into())
            .spawn(move || windows::run_keyboards(&keyboards, &classifier, &sender, &running))?,
    );
    Ok(())
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
