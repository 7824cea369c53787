//! Scanners and the numeric keypad.
//!
//! Three kinds of sources feed one stream of [`InputEvent`]s: HID POS
//! scanners (USB HID usage page 0x8C) read with hidapi, keyboard-wedge
//! scanners and keypads read from evdev, and serial (virtual COM) scanners.
//! Every source hands its raw bytes to a pure decoder ([`hidpos`], [`wedge`],
//! [`serial`]); decoders never depend on the active keyboard layout: wedge
//! key codes are mapped through a fixed US table, so a Russian layout on the
//! desktop cannot turn `EMP-0042` into Cyrillic. Each decoded code is then
//! classified ([`classify`]): a seller badge, a loyalty card, or anything
//! else — which, on a shared scanner, is handed back to 1C.
//!
//! The readers are blocking loops on named threads sending into a bounded
//! channel. Linux uses evdev with an optional exclusive grab and a uinput
//! virtual keyboard for pass-through; Windows pairs Raw Input (which device
//! sent a key, [`rawinput`]) with a low-level keyboard hook that withholds
//! badges and re-types the rest ([`gate`]), behind the same [`InputEvent`]
//! stream. Key codes are Linux's numbers on both ([`keycode`]).

pub mod classify;
pub mod devices;
pub mod gate;
pub mod hidpos;
pub mod keycode;
pub mod keymap;
pub mod problem;
pub mod rawinput;
pub mod serial;
pub mod sources;
pub mod wedge;

use std::time::Instant;

pub use classify::{Classifier, ClassifierConfig, DEMO_BADGES, DemoBadges, ScanClass, ean_check};
pub use problem::DeviceProblem;

/// Where a code came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A USB HID POS scanner.
    HidPos,
    /// A keyboard-wedge scanner or keypad (evdev on Linux, Raw Input on Windows).
    Wedge,
    /// A serial or virtual COM scanner.
    Serial,
    /// A test source.
    Test,
}

/// A key of the numeric keypad, for phone entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeypadKey {
    /// A digit 0–9.
    Digit(u8),
    /// Erase the last digit.
    Backspace,
    /// Erase everything.
    Clear,
    /// Done.
    Enter,
}

/// One thing that happened at an input device.
#[derive(Debug, Clone, PartialEq)]
pub enum InputEvent {
    /// A whole code was scanned and classified.
    Scan {
        /// The device's configured name.
        device: String,
        /// How it was read.
        source: SourceKind,
        /// The code and what it is.
        class: ScanClass,
        /// The device reads only badges and cards: anything else is shown as "not a badge".
        badge_only: bool,
        /// When the last byte of it arrived.
        at: Instant,
    },
    /// A keypad key.
    Key {
        /// The device's configured name.
        device: String,
        /// The key.
        key: KeypadKey,
    },
    /// A configured device appeared (or came back).
    Connected {
        /// The device's configured name.
        device: String,
        /// Where it was found.
        path: String,
    },
    /// A configured device is gone or cannot be read; what to do is in `problem`.
    Lost {
        /// The device's configured name.
        device: String,
        /// What happened, and so what to do.
        problem: DeviceProblem,
    },
}
