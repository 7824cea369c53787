//! Finding candidate input devices, and whether this user may open them.

use std::path::Path;

/// Which source can read a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    /// A keyboard-like device (evdev on Linux, Raw Input on Windows): a wedge scanner or a keypad.
    Keyboard,
    /// A HID POS scanner (usage page 0x8C) through hidraw.
    HidPos,
    /// A serial or virtual COM port.
    Serial,
}

/// A device IT might configure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Which source reads it.
    pub kind: DeviceKind,
    /// The device node.
    pub path: String,
    /// The name the device gives.
    pub name: String,
    /// USB vendor id, when known.
    pub vendor_id: Option<u16>,
    /// USB product id, when known.
    pub product_id: Option<u16>,
    /// Whether this user may read (and for evdev, grab) it.
    pub accessible: bool,
}

impl Candidate {
    /// The udev rule that gives the `naparnik` group access to this device.
    pub fn udev_rule(&self) -> String {
        let ids = match (self.vendor_id, self.product_id) {
            (Some(vendor), Some(product)) => format!(
                r#"ATTRS{{idVendor}}=="{vendor:04x}", ATTRS{{idProduct}}=="{product:04x}", "#
            ),
            _ => String::new(),
        };
        let subsystem = match self.kind {
            DeviceKind::Keyboard => r#"SUBSYSTEM=="input", KERNEL=="event*""#,
            DeviceKind::HidPos => r#"SUBSYSTEM=="hidraw""#,
            DeviceKind::Serial => r#"SUBSYSTEM=="tty""#,
        };
        format!(r#"{subsystem}, {ids}GROUP="naparnik", MODE="0660""#)
    }
}

#[cfg(unix)]
fn accessible(path: &Path) -> bool {
    rustix::fs::access(
        path,
        rustix::fs::Access::READ_OK | rustix::fs::Access::WRITE_OK,
    )
    .is_ok()
}

/// Windows gives every user of the console session its keyboards, HID scanners and COM ports.
#[cfg(windows)]
fn accessible(_path: &Path) -> bool {
    true
}

/// Keyboard-like devices: wedge scanners and keypads (Raw Input keyboards on Windows).
#[cfg(windows)]
pub fn keyboard_candidates() -> Vec<Candidate> {
    crate::sources::keyboard_candidates()
}

/// Keyboard-like evdev devices (they have Enter and digit keys).
#[cfg(target_os = "linux")]
pub fn keyboard_candidates() -> Vec<Candidate> {
    let mut found: Vec<Candidate> = evdev::enumerate()
        .filter(|(_, device)| {
            device.supported_keys().is_some_and(|keys| {
                keys.contains(evdev::KeyCode::KEY_ENTER)
                    || keys.contains(evdev::KeyCode::KEY_KPENTER)
            })
        })
        .map(|(path, device)| {
            let id = device.input_id();
            Candidate {
                kind: DeviceKind::Keyboard,
                accessible: accessible(&path),
                path: path.display().to_string(),
                name: device.name().unwrap_or("").to_owned(),
                vendor_id: Some(id.vendor()),
                product_id: Some(id.product()),
            }
        })
        .collect();
    // Devices this user cannot open are not enumerated by evdev; list their nodes so IT sees them.
    if let Ok(entries) = std::fs::read_dir("/dev/input") {
        for entry in entries.flatten() {
            let path = entry.path();
            let shown = path.display().to_string();
            if shown.contains("/event")
                && !found.iter().any(|c| c.path == shown)
                && !accessible(&path)
            {
                found.push(Candidate {
                    kind: DeviceKind::Keyboard,
                    path: shown,
                    name: "(cannot open to read its name)".into(),
                    vendor_id: None,
                    product_id: None,
                    accessible: false,
                });
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

/// HID POS scanners through hidraw; an empty list with a reason when HID cannot be read at all.
pub fn hidpos_candidates() -> Result<Vec<Candidate>, String> {
    let api = hidapi::HidApi::new().map_err(|e| format!("HID devices cannot be listed: {e}"))?;
    Ok(api
        .device_list()
        .filter(|info| info.usage_page() == crate::hidpos::USAGE_PAGE_BARCODE_SCANNER)
        .map(|info| {
            let path = info.path().to_string_lossy().into_owned();
            Candidate {
                kind: DeviceKind::HidPos,
                accessible: accessible(Path::new(&path)),
                path,
                name: info.product_string().unwrap_or("").to_owned(),
                vendor_id: Some(info.vendor_id()),
                product_id: Some(info.product_id()),
            }
        })
        .collect())
}

/// Serial ports.
pub fn serial_candidates() -> Vec<Candidate> {
    serialport::available_ports()
        .unwrap_or_default()
        .into_iter()
        .map(|port| {
            let (vendor_id, product_id, name) = match &port.port_type {
                serialport::SerialPortType::UsbPort(usb) => (
                    Some(usb.vid),
                    Some(usb.pid),
                    usb.product.clone().unwrap_or_default(),
                ),
                _ => (None, None, String::new()),
            };
            Candidate {
                kind: DeviceKind::Serial,
                accessible: accessible(Path::new(&port.port_name)),
                path: port.port_name,
                name,
                vendor_id,
                product_id,
            }
        })
        .collect()
}
