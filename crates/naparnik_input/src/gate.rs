//! The keyboard gate of Windows: which keys a low-level keyboard hook holds back, and what it re-types.
//!
//! Windows calls a low-level keyboard hook (`WH_KEYBOARD_LL`) for every key
//! before any program sees it, and before Raw Input can say which device sent
//! it; a key the hook swallows never reaches Raw Input at all. So the hook
//! cannot ask "is this the scanner?"; it asks "is this a scanner burst?" on
//! the combined key stream, with the same timing rule as the wedge decoder.
//! While the gate is armed (a grabbed wedge scanner is plugged in) every
//! physical key is held for a moment:
//!
//! - keys of a burst ended by Enter make a scan; a badge or loyalty card is
//!   kept for Naparnik, anything else (a product) is re-typed at once, whole;
//! - anything else is a person typing: it is re-typed as soon as it is clear
//!   it is not a burst (the next key comes slowly, or no key comes within
//!   `max_gap`, or it is a key that makes no character, such as Ctrl or F5).
//!
//! Nothing is ever dropped except a code classified as ours; a scan garbled by
//! a person typing into the middle of it is not ours and is re-typed as it
//! came. Re-typed keys are injected with a mark the hook lets through.
//!
//! This module is the whole decision, free of Win32, so it is tested on
//! recorded hook sequences on every system (`tests/windows_input.rs`).

use std::time::Duration;

use crate::keycode::KeyCode;
use crate::wedge::{RawKey, WedgeConfig, WedgeDecoder, WedgeOutput, released};

/// One key as the hook sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HookKey {
    /// The key (from the hook's scan code and extended flag).
    pub key: KeyCode,
    /// Pressed (`WM_KEYDOWN`, `WM_SYSKEYDOWN`) or released.
    pub pressed: bool,
    /// The hook's `time` field: milliseconds since the system started, wrapping at 2^32.
    pub time_millis: u32,
}

/// What the hook does with the key it was called for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Let it go on to the focused program.
    Pass,
    /// Swallow it: the gate keeps it and re-types it later if it is not ours.
    Withhold,
}

/// What the gate completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateOutput {
    /// Keys to re-type for the focused program, in this order.
    Retype(Vec<RawKey>),
    /// A whole scan; `retyped` says whether its keys went on to the focused program.
    Scan {
        /// The code, prefix stripped.
        code: String,
        /// Re-typed (not ours) or kept for Naparnik.
        retyped: bool,
    },
}

/// The gate's state: the decoder over the combined stream and what it holds.
#[derive(Debug)]
pub struct Gate {
    config: WedgeConfig,
    decoder: WedgeDecoder,
    armed: bool,
    /// Keys down now, to tell an autorepeat from a press.
    down: Vec<KeyCode>,
    /// Milliseconds of the hook's clock, unwrapped.
    clock: Option<(u32, u64)>,
    /// Time of the last key the decoder holds, when it holds any.
    holding_since: Option<u64>,
}

impl Gate {
    /// A disarmed gate: it passes everything until [`Gate::set_armed`].
    pub fn new(config: WedgeConfig) -> Gate {
        Gate {
            decoder: WedgeDecoder::new(config.clone()),
            config,
            armed: false,
            down: Vec::new(),
            clock: None,
            holding_since: None,
        }
    }

    /// Arms the gate (a grabbed scanner is present) or disarms it (gone), re-typing whatever it held.
    pub fn set_armed(&mut self, armed: bool) -> Vec<GateOutput> {
        self.armed = armed;
        if armed {
            return Vec::new();
        }
        self.holding_since = None;
        convert(self.decoder.flush(), &|_| false)
    }

    /// Whether keys are being withheld.
    pub fn armed(&self) -> bool {
        self.armed
    }

    fn unwrap_time(&mut self, time_millis: u32) -> u64 {
        let now = match self.clock {
            None => u64::from(time_millis),
            Some((last_raw, last)) => last + u64::from(time_millis.wrapping_sub(last_raw)),
        };
        self.clock = Some((time_millis, now));
        now
    }

    /// The hook's key: the verdict for it, and what it completed. `is_ours` classifies a code.
    pub fn key(
        &mut self,
        key: HookKey,
        is_ours: &dyn Fn(&str) -> bool,
    ) -> (Verdict, Vec<GateOutput>) {
        let now = self.unwrap_time(key.time_millis);
        let value = match (key.pressed, self.down.contains(&key.key)) {
            (true, true) => 2,
            (true, false) => {
                self.down.push(key.key);
                1
            }
            (false, _) => {
                self.down.retain(|k| *k != key.key);
                0
            }
        };
        if !self.armed {
            return (Verdict::Pass, Vec::new());
        }
        let outputs = self
            .decoder
            .feed(key.key.0, value, Duration::from_millis(now));
        let outputs = convert(outputs, is_ours);
        self.holding_since = self.decoder.holding().then_some(now);
        (Verdict::Withhold, outputs)
    }

    /// When [`Gate::tick`] must be called if no key comes first (hook clock, milliseconds).
    pub fn deadline_millis(&self) -> Option<u64> {
        let gap = u64::try_from(self.config.max_gap.as_millis()).unwrap_or(u64::MAX);
        self.holding_since
            .map(|t| t.saturating_add(gap).saturating_add(1))
    }

    /// Milliseconds from `now_millis` (the hook's clock) until [`Gate::tick`] is due; `None` when nothing is held.
    pub fn wait_millis(&self, now_millis: u32) -> Option<u64> {
        let (last_raw, last) = self.clock?;
        let now = last + u64::from(now_millis.wrapping_sub(last_raw));
        Some(self.deadline_millis()?.saturating_sub(now))
    }

    /// Time has passed without a key: what is held and older than `max_gap` is typing.
    pub fn tick(&mut self, now_millis: u32) -> Vec<GateOutput> {
        let now = match self.clock {
            Some((last_raw, last)) => last + u64::from(now_millis.wrapping_sub(last_raw)),
            None => return Vec::new(),
        };
        match self.deadline_millis() {
            Some(deadline) if now >= deadline => {
                self.holding_since = None;
                convert(self.decoder.flush(), &|_| false)
            }
            _ => Vec::new(),
        }
    }
}

fn convert(outputs: Vec<WedgeOutput>, is_ours: &dyn Fn(&str) -> bool) -> Vec<GateOutput> {
    let mut converted = Vec::new();
    for output in outputs {
        match output {
            WedgeOutput::Typed(keys) => converted.push(GateOutput::Retype(keys)),
            WedgeOutput::Scan { code, keys } => {
                let ours = is_ours(&code);
                if !ours {
                    converted.push(GateOutput::Retype(released(&keys)));
                }
                converted.push(GateOutput::Scan {
                    code,
                    retyped: !ours,
                });
            }
        }
    }
    converted
}
