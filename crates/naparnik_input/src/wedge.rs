//! Keyboard-wedge decoding: key events in, whole scans (or human typing to pass on) out.
//!
//! A scanner types a code as a burst of keys a few milliseconds apart,
//! ended by Enter (or Tab); a person types far slower. Keys are buffered
//! while they come in a burst; a key that arrives after a longer gap turns
//! what was buffered into typing, which is passed on untouched. Shift and
//! Caps Lock are tracked here; characters come from the fixed US table.

use std::time::Duration;

use crate::keycode::KeyCode;

use crate::KeypadKey;
use crate::keymap::us_character;

/// What ends a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Terminator {
    /// Enter (or keypad Enter).
    Enter,
    /// Tab.
    Tab,
}

/// How a wedge scanner is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WedgeConfig {
    /// A prefix the scanner is programmed to send first; stripped from codes.
    pub prefix: String,
    /// The key that ends a code.
    pub terminator: Terminator,
    /// The longest gap between two keys of one scan; a longer one means a person is typing.
    pub max_gap: Duration,
    /// Shorter codes are typing, not scans.
    pub min_length: usize,
}

impl Default for WedgeConfig {
    fn default() -> Self {
        WedgeConfig {
            prefix: String::new(),
            terminator: Terminator::Enter,
            max_gap: Duration::from_millis(30),
            min_length: 3,
        }
    }
}

/// A raw key event, kept to pass typing on unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawKey {
    /// Linux key code.
    pub code: u16,
    /// 1 press, 0 release, 2 autorepeat.
    pub value: i32,
}

/// What the decoder makes of the keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WedgeOutput {
    /// A whole scanned code (prefix stripped). `keys` are its raw events, to pass on if the code is not ours.
    Scan {
        /// The code.
        code: String,
        /// Its key events, terminator included.
        keys: Vec<RawKey>,
    },
    /// Keys a person typed: to pass on as they are.
    Typed(Vec<RawKey>),
}

/// Turns key events of one device into scans and typing.
#[derive(Debug, Default)]
pub struct WedgeDecoder {
    config: WedgeConfig,
    left_shift: bool,
    right_shift: bool,
    caps_lock: bool,
    text: String,
    keys: Vec<RawKey>,
    last_press: Option<Duration>,
    /// Keys whose press went out as typing: their release must follow it.
    passed_down: Vec<u16>,
    /// Keys whose press was part of a scan: their release is swallowed with it.
    swallowed_down: Vec<u16>,
}

/// `keys` followed by the release of every key they press and do not release.
///
/// A scan that is not for Naparnik is re-typed as soon as its terminator is
/// pressed; the terminator's own release comes later and is swallowed with
/// the scan, so the re-typed copy must release it itself or the key would
/// stay down for the program that receives it.
pub fn released(keys: &[RawKey]) -> Vec<RawKey> {
    let mut out = keys.to_vec();
    out.extend(
        still_down(keys)
            .into_iter()
            .map(|code| RawKey { code, value: 0 }),
    );
    out
}

/// The keys pressed in `keys` and not released there.
fn still_down(keys: &[RawKey]) -> Vec<u16> {
    let mut down: Vec<u16> = Vec::new();
    for key in keys {
        match key.value {
            1 => down.push(key.code),
            0 => down.retain(|code| *code != key.code),
            _ => {}
        }
    }
    down
}

impl WedgeDecoder {
    /// A decoder for one device.
    pub fn new(config: WedgeConfig) -> WedgeDecoder {
        WedgeDecoder {
            config,
            ..WedgeDecoder::default()
        }
    }

    fn flush_typed(&mut self, out: &mut Vec<WedgeOutput>) {
        if !self.keys.is_empty() {
            self.passed_down.extend(still_down(&self.keys));
            out.push(WedgeOutput::Typed(std::mem::take(&mut self.keys)));
        }
        self.text.clear();
    }

    /// Feeds one key event (`at`: the event's timestamp); returns what it completed.
    pub fn feed(&mut self, code: u16, value: i32, at: Duration) -> Vec<WedgeOutput> {
        let mut out = Vec::new();
        let key = KeyCode(code);
        let pressed = value != 0;
        match key {
            KeyCode::KEY_LEFTSHIFT => self.left_shift = pressed,
            KeyCode::KEY_RIGHTSHIFT => self.right_shift = pressed,
            KeyCode::KEY_CAPSLOCK if value == 1 => self.caps_lock = !self.caps_lock,
            _ => {}
        }
        let is_modifier = matches!(
            key,
            KeyCode::KEY_LEFTSHIFT | KeyCode::KEY_RIGHTSHIFT | KeyCode::KEY_CAPSLOCK
        );
        if value == 0 {
            if let Some(index) = self.passed_down.iter().position(|c| *c == code) {
                self.passed_down.remove(index);
                return vec![WedgeOutput::Typed(vec![RawKey { code, value }])];
            }
            if let Some(index) = self.swallowed_down.iter().position(|c| *c == code) {
                self.swallowed_down.remove(index);
                return Vec::new();
            }
        }
        if value == 1 && !is_modifier {
            let slow = self
                .last_press
                .is_some_and(|last| at.saturating_sub(last) > self.config.max_gap);
            if slow && !self.text.is_empty() {
                self.flush_typed(&mut out);
            }
            self.last_press = Some(at);
        }
        self.keys.push(RawKey { code, value });
        if value != 1 || is_modifier {
            return out;
        }
        let terminates = match self.config.terminator {
            Terminator::Enter => matches!(key, KeyCode::KEY_ENTER | KeyCode::KEY_KPENTER),
            Terminator::Tab => key == KeyCode::KEY_TAB,
        };
        if terminates {
            let code = self
                .text
                .strip_prefix(self.config.prefix.as_str())
                .map(str::to_owned);
            match code {
                Some(code) if code.chars().count() >= self.config.min_length => {
                    // The terminator's release still comes; it belongs to the scan and goes where the scan goes.
                    self.swallowed_down.extend(still_down(&self.keys));
                    out.push(WedgeOutput::Scan {
                        code,
                        keys: std::mem::take(&mut self.keys),
                    });
                    self.text.clear();
                }
                _ => self.flush_typed(&mut out),
            }
            return out;
        }
        match us_character(code) {
            Some((plain, shifted)) => {
                let shift = self.left_shift || self.right_shift;
                let upper = if plain.is_ascii_alphabetic() {
                    shift ^ self.caps_lock
                } else {
                    shift
                };
                self.text.push(if upper { shifted } else { plain });
            }
            None => self.flush_typed(&mut out),
        }
        out
    }

    /// Whether keys are buffered, waiting to be told scan or typing.
    pub fn holding(&self) -> bool {
        !self.keys.is_empty()
    }

    /// Whatever is buffered, as typing (the device went quiet or away).
    pub fn flush(&mut self) -> Vec<WedgeOutput> {
        let mut out = Vec::new();
        self.flush_typed(&mut out);
        out
    }
}

/// The keypad key of a key code, for phone entry on a numeric keypad.
pub fn keypad_key(code: u16) -> Option<KeypadKey> {
    let key = KeyCode(code);
    let digit = |d: u8| Some(KeypadKey::Digit(d));
    match key {
        KeyCode::KEY_KP0 | KeyCode::KEY_0 => digit(0),
        KeyCode::KEY_KP1 | KeyCode::KEY_1 => digit(1),
        KeyCode::KEY_KP2 | KeyCode::KEY_2 => digit(2),
        KeyCode::KEY_KP3 | KeyCode::KEY_3 => digit(3),
        KeyCode::KEY_KP4 | KeyCode::KEY_4 => digit(4),
        KeyCode::KEY_KP5 | KeyCode::KEY_5 => digit(5),
        KeyCode::KEY_KP6 | KeyCode::KEY_6 => digit(6),
        KeyCode::KEY_KP7 | KeyCode::KEY_7 => digit(7),
        KeyCode::KEY_KP8 | KeyCode::KEY_8 => digit(8),
        KeyCode::KEY_KP9 | KeyCode::KEY_9 => digit(9),
        KeyCode::KEY_BACKSPACE => Some(KeypadKey::Backspace),
        KeyCode::KEY_ESC | KeyCode::KEY_DELETE | KeyCode::KEY_KPDOT | KeyCode::KEY_NUMLOCK => {
            Some(KeypadKey::Clear)
        }
        KeyCode::KEY_ENTER | KeyCode::KEY_KPENTER => Some(KeypadKey::Enter),
        _ => None,
    }
}
