//! Every configured scanner and keypad: present, readable by this user, and uinput for a grabbed wedge.

use std::path::Path;

use naparnik_input::devices::{
    Candidate, hidpos_candidates, keyboard_candidates, serial_candidates,
};
use naparnik_input::sources::{DeviceConfig, DeviceSource, Selector};

use super::Verdict;
use crate::commands::devices::{classifier, device_configs};
use crate::config::Config;

const UINPUT: &str = "/dev/uinput";
const RULES: &str = "/lib/udev/rules.d/70-naparnik.rules";

fn grant_access(rule: Option<String>) -> String {
    let rule = rule.map_or(String::new(), |rule| {
        format!(" add `{rule}` to /etc/udev/rules.d/70-naparnik-local.rules,")
    });
    format!(
        "{RULES} gives the `naparnik` group the common scanners;{rule} put the user Naparnik runs as in that group (usermod -aG naparnik USER, then log in again) and run udevadm control --reload && udevadm trigger"
    )
}

fn readable(path: &Path) -> bool {
    crate::platform::may_read_and_write(path)
}

/// The configured devices; none configured is fine (the window works with the mouse and keyboard).
pub fn check(config: &Config) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    if let Err(error) = classifier(config) {
        verdicts.push(Verdict::problem(
            "scan rules",
            format!("[input]: {error:#}; fix the pattern (a regular expression) or the range"),
        ));
    }
    let devices = match device_configs(&config.input.devices) {
        Ok(devices) => devices,
        Err(error) => {
            verdicts.push(Verdict::problem(
                "devices",
                format!("[[input.devices]]: {error:#}"),
            ));
            return verdicts;
        }
    };
    if devices.is_empty() {
        verdicts.push(Verdict::ok(
            "devices",
            "none configured: scanners and keypads are optional; `naparnik devices` lists what is plugged in",
        ));
        return verdicts;
    }
    let evdev = keyboard_candidates();
    let hidpos = hidpos_candidates().unwrap_or_default();
    let serial = serial_candidates();
    for device in &devices {
        let candidates = match device.kind {
            DeviceSource::Wedge { .. } | DeviceSource::Keypad => &evdev,
            DeviceSource::HidPos { .. } => &hidpos,
            DeviceSource::Serial { .. } => &serial,
        };
        verdicts.push(one(device, candidates));
        if let DeviceSource::Wedge { grab: true, .. } = device.kind {
            let check = format!("device {} pass-through", device.name);
            verdicts.push(if readable(Path::new(UINPUT)) {
                Verdict::ok(check, format!("{UINPUT} writable: codes not for Naparnik are re-typed for 1C"))
            } else {
                Verdict::warning(
                    check,
                    format!(
                        "{UINPUT} is not writable, so the scanner is read without a grab and badge digits also reach the 1C window: {}",
                        grant_access(None)
                    ),
                )
            });
        }
    }
    verdicts
}

fn one(device: &DeviceConfig, candidates: &[Candidate]) -> Verdict {
    let check = format!("device {}", device.name);
    let found = match &device.selector {
        Selector::Path(path) => {
            let Ok(real) = std::fs::canonicalize(path) else {
                return Verdict::problem(
                    check,
                    format!(
                        "{path} is not there: plug the device in (it is picked up without a restart) or fix `path` (`naparnik devices` lists what is plugged in)"
                    ),
                );
            };
            let shown = real.display().to_string();
            let rule = candidates
                .iter()
                .find(|c| c.path == shown)
                .map(Candidate::udev_rule);
            return if readable(&real) {
                Verdict::ok(check, format!("{path} present and readable"))
            } else {
                Verdict::problem(
                    check,
                    format!(
                        "{path} is there but this user cannot open it: {}",
                        grant_access(rule)
                    ),
                )
            };
        }
        Selector::Name(name) => candidates.iter().find(|c| c.name == *name),
        Selector::UsbIds { vendor, product } => candidates
            .iter()
            .find(|c| c.vendor_id == Some(*vendor) && c.product_id == Some(*product)),
    };
    match found {
        Some(candidate) if candidate.accessible => Verdict::ok(
            check,
            format!("found at {} ({}), readable", candidate.path, candidate.name),
        ),
        Some(candidate) => Verdict::problem(
            check,
            format!(
                "found at {} but this user cannot open it: {}",
                candidate.path,
                grant_access(Some(candidate.udev_rule()))
            ),
        ),
        None => Verdict::problem(
            check,
            "not connected (or not readable, so its name and ids are hidden): plug it in; if it is plugged in, check access with `naparnik devices`".to_owned(),
        ),
    }
}
