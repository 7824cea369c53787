//! Raw Input records of Windows, decoded per device: which keyboard sent which key.
//!
//! Raw Input (`WM_INPUT`, `RAWKEYBOARD`) tags every key with the device it
//! came from, so a dedicated badge reader or numeric keypad is decoded on its
//! own even while a person types on the main keyboard. This is the pure part:
//! records in, per-device scans and keypad keys out; `sources::windows` only
//! copies the records out of Win32.

use std::time::Duration;

use crate::KeypadKey;
use crate::keycode::KeyCode;
use crate::wedge::{WedgeConfig, WedgeDecoder, WedgeOutput, keypad_key};

/// `RI_KEY_BREAK`: the key went up.
pub const RI_KEY_BREAK: u16 = 1;
/// `RI_KEY_E0`: an extended key.
pub const RI_KEY_E0: u16 = 2;

/// One `RAWKEYBOARD` as delivered, with the message time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawKeyboardRecord {
    /// `RAWINPUTHEADER.hDevice`, as a number; 0 for injected keys.
    pub device: usize,
    /// `MakeCode`: the set-1 scan code.
    pub make_code: u16,
    /// `Flags`: `RI_KEY_BREAK`, `RI_KEY_E0`, …
    pub flags: u16,
    /// `GetMessageTime()` of the `WM_INPUT`, milliseconds.
    pub time_millis: u32,
}

impl RawKeyboardRecord {
    /// The key and whether it went down; `None` for records that are no key (fake shifts, overruns).
    pub fn key(&self) -> Option<(KeyCode, bool)> {
        KeyCode::from_scan_code(self.make_code, self.flags & RI_KEY_E0 != 0)
            .map(|key| (key, self.flags & RI_KEY_BREAK == 0))
    }
}

/// What one configured device is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// A wedge scanner read without withholding anything (its keys also reach the focused program).
    Wedge(WedgeConfig),
    /// A numeric keypad for phone entry.
    Keypad,
}

/// Something decoded from one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// A whole code from a wedge device (index into the devices given to [`Demux::new`]).
    Scan {
        /// Which configured device.
        device: usize,
        /// The code.
        code: String,
    },
    /// A keypad key.
    Key {
        /// Which configured device.
        device: usize,
        /// The key.
        key: KeypadKey,
    },
}

struct Attached {
    handle: usize,
    decoder: WedgeDecoder,
    down: Vec<KeyCode>,
}

/// Routes Raw Input records to the decoder of the configured device that sent them.
pub struct Demux {
    roles: Vec<Role>,
    attached: Vec<Option<Attached>>,
}

impl Demux {
    /// One slot per configured device, none attached yet.
    pub fn new(roles: Vec<Role>) -> Demux {
        let attached = roles.iter().map(|_| None).collect();
        Demux { roles, attached }
    }

    /// Device `index` is the Raw Input device `handle` (found, or plugged in); `None`: it is gone.
    pub fn attach(&mut self, index: usize, handle: Option<usize>) {
        let Some(role) = self.roles.get(index) else {
            return;
        };
        let config = match role {
            Role::Wedge(config) => config.clone(),
            Role::Keypad => WedgeConfig::default(),
        };
        self.attached[index] = handle.map(|handle| Attached {
            handle,
            decoder: WedgeDecoder::new(config),
            down: Vec::new(),
        });
    }

    /// The Raw Input handle device `index` is attached to.
    pub fn handle(&self, index: usize) -> Option<usize> {
        self.attached.get(index)?.as_ref().map(|a| a.handle)
    }

    /// One record; keys of devices not configured are ignored.
    pub fn feed(&mut self, record: RawKeyboardRecord) -> Vec<Decoded> {
        let Some((key, pressed)) = record.key() else {
            return Vec::new();
        };
        let Some(index) = self
            .attached
            .iter()
            .position(|a| a.as_ref().is_some_and(|a| a.handle == record.device))
        else {
            return Vec::new();
        };
        let keypad = self.roles[index] == Role::Keypad;
        let Some(attached) = self.attached[index].as_mut() else {
            return Vec::new();
        };
        let value = match (pressed, attached.down.contains(&key)) {
            (true, true) => 2,
            (true, false) => {
                attached.down.push(key);
                1
            }
            (false, _) => {
                attached.down.retain(|k| *k != key);
                0
            }
        };
        if keypad {
            return match (value, keypad_key(key.0)) {
                (1, Some(key)) => vec![Decoded::Key { device: index, key }],
                _ => Vec::new(),
            };
        }
        attached
            .decoder
            .feed(
                key.0,
                value,
                Duration::from_millis(u64::from(record.time_millis)),
            )
            .into_iter()
            .filter_map(|output| match output {
                WedgeOutput::Scan { code, .. } => Some(Decoded::Scan {
                    device: index,
                    code,
                }),
                WedgeOutput::Typed(_) => None,
            })
            .collect()
    }
}

/// USB vendor and product ids from a Raw Input device name (`\\?\HID#VID_0C2E&PID_0B61&…`).
pub fn usb_ids(device_name: &str) -> Option<(u16, u16)> {
    let upper = device_name.to_ascii_uppercase();
    let hex_after = |tag: &str| {
        let start = upper.find(tag)? + tag.len();
        u16::from_str_radix(upper.get(start..start + 4)?, 16).ok()
    };
    Some((hex_after("VID_")?, hex_after("PID_")?))
}
