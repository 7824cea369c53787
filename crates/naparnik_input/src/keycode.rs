//! Key codes: the Linux input-event numbers, used on every platform.
//!
//! Linux hands these numbers over as they are (evdev). On Windows, Raw Input
//! and the keyboard hook give PC/AT "set 1" scan codes, which for the main
//! block of a keyboard are the very same numbers; the few extended (E0)
//! keys are mapped by [`KeyCode::from_scan_code`]. So one decoder and one US
//! table serve both systems, and neither ever sees the desktop's layout.

/// A key, numbered as Linux numbers it (`linux/input-event-codes.h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyCode(pub u16);

macro_rules! codes {
    ($($name:ident = $value:expr),* $(,)?) => {
        impl KeyCode {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                pub const $name: KeyCode = KeyCode($value);
            )*
        }
    };
}

codes! {
    KEY_ESC = 1, KEY_1 = 2, KEY_2 = 3, KEY_3 = 4, KEY_4 = 5, KEY_5 = 6, KEY_6 = 7, KEY_7 = 8,
    KEY_8 = 9, KEY_9 = 10, KEY_0 = 11, KEY_MINUS = 12, KEY_EQUAL = 13, KEY_BACKSPACE = 14,
    KEY_TAB = 15, KEY_Q = 16, KEY_W = 17, KEY_E = 18, KEY_R = 19, KEY_T = 20, KEY_Y = 21,
    KEY_U = 22, KEY_I = 23, KEY_O = 24, KEY_P = 25, KEY_LEFTBRACE = 26, KEY_RIGHTBRACE = 27,
    KEY_ENTER = 28, KEY_LEFTCTRL = 29, KEY_A = 30, KEY_S = 31, KEY_D = 32, KEY_F = 33,
    KEY_G = 34, KEY_H = 35, KEY_J = 36, KEY_K = 37, KEY_L = 38, KEY_SEMICOLON = 39,
    KEY_APOSTROPHE = 40, KEY_GRAVE = 41, KEY_LEFTSHIFT = 42, KEY_BACKSLASH = 43, KEY_Z = 44,
    KEY_X = 45, KEY_C = 46, KEY_V = 47, KEY_B = 48, KEY_N = 49, KEY_M = 50, KEY_COMMA = 51,
    KEY_DOT = 52, KEY_SLASH = 53, KEY_RIGHTSHIFT = 54, KEY_KPASTERISK = 55, KEY_LEFTALT = 56,
    KEY_SPACE = 57, KEY_CAPSLOCK = 58, KEY_NUMLOCK = 69, KEY_SCROLLLOCK = 70, KEY_KP7 = 71,
    KEY_KP8 = 72, KEY_KP9 = 73, KEY_KPMINUS = 74, KEY_KP4 = 75, KEY_KP5 = 76, KEY_KP6 = 77,
    KEY_KPPLUS = 78, KEY_KP1 = 79, KEY_KP2 = 80, KEY_KP3 = 81, KEY_KP0 = 82, KEY_KPDOT = 83,
    KEY_KPENTER = 96, KEY_RIGHTCTRL = 97, KEY_KPSLASH = 98, KEY_RIGHTALT = 100, KEY_HOME = 102,
    KEY_UP = 103, KEY_PAGEUP = 104, KEY_LEFT = 105, KEY_RIGHT = 106, KEY_END = 107,
    KEY_DOWN = 108, KEY_PAGEDOWN = 109, KEY_INSERT = 110, KEY_DELETE = 111, KEY_LEFTMETA = 125,
    KEY_RIGHTMETA = 126, KEY_COMPOSE = 127,
}

/// Extended (E0-prefixed) set-1 scan codes and their keys.
const EXTENDED: [(u16, KeyCode); 17] = [
    (0x1C, KeyCode::KEY_KPENTER),
    (0x1D, KeyCode::KEY_RIGHTCTRL),
    (0x35, KeyCode::KEY_KPSLASH),
    (0x38, KeyCode::KEY_RIGHTALT),
    (0x47, KeyCode::KEY_HOME),
    (0x48, KeyCode::KEY_UP),
    (0x49, KeyCode::KEY_PAGEUP),
    (0x4B, KeyCode::KEY_LEFT),
    (0x4D, KeyCode::KEY_RIGHT),
    (0x4F, KeyCode::KEY_END),
    (0x50, KeyCode::KEY_DOWN),
    (0x51, KeyCode::KEY_PAGEDOWN),
    (0x52, KeyCode::KEY_INSERT),
    (0x53, KeyCode::KEY_DELETE),
    (0x5B, KeyCode::KEY_LEFTMETA),
    (0x5C, KeyCode::KEY_RIGHTMETA),
    (0x5D, KeyCode::KEY_COMPOSE),
];

impl KeyCode {
    /// The key of a PC/AT set-1 scan code as Windows reports it (Raw Input
    /// `MakeCode` with `RI_KEY_E0`, or the hook's `scanCode` with
    /// `LLKHF_EXTENDED`); `None` for codes that are no key of their own, such
    /// as the fake Shift Windows wraps around some extended keys.
    pub fn from_scan_code(scan_code: u16, extended: bool) -> Option<KeyCode> {
        if extended {
            return EXTENDED
                .iter()
                .find(|(code, _)| *code == scan_code)
                .map(|(_, key)| *key);
        }
        // The main block, keypad and F1–F12: set-1 numbers are Linux's numbers.
        (1..=0x58)
            .contains(&scan_code)
            .then_some(KeyCode(scan_code))
    }

    /// The set-1 scan code and its extended flag: the inverse of [`KeyCode::from_scan_code`], to re-type a key.
    pub fn scan_code(self) -> Option<(u16, bool)> {
        if (1..=0x58).contains(&self.0) {
            return Some((self.0, false));
        }
        EXTENDED
            .iter()
            .find(|(_, key)| *key == self)
            .map(|(code, _)| (*code, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_block_keeps_its_numbers_and_extended_keys_are_mapped() {
        assert_eq!(KeyCode::from_scan_code(0x1E, false), Some(KeyCode::KEY_A));
        assert_eq!(
            KeyCode::from_scan_code(0x1C, false),
            Some(KeyCode::KEY_ENTER)
        );
        assert_eq!(
            KeyCode::from_scan_code(0x1C, true),
            Some(KeyCode::KEY_KPENTER)
        );
        assert_eq!(KeyCode::from_scan_code(0x52, false), Some(KeyCode::KEY_KP0));
        assert_eq!(
            KeyCode::from_scan_code(0x52, true),
            Some(KeyCode::KEY_INSERT)
        );
        // Windows' fake shift around Insert with Num Lock on, and the overrun code.
        assert_eq!(KeyCode::from_scan_code(0x2A, true), None);
        assert_eq!(KeyCode::from_scan_code(0xFF, false), None);
    }

    #[test]
    fn every_scan_code_round_trips() {
        for extended in [false, true] {
            for scan in 0..=0xFFu16 {
                if let Some(key) = KeyCode::from_scan_code(scan, extended) {
                    assert_eq!(key.scan_code(), Some((scan, extended)), "{key:?}");
                }
            }
        }
    }
}
