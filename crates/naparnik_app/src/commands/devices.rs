//! `naparnik devices` and `naparnik devices watch`: the first thing IT runs at a new till.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use naparnik_input::devices::{
    Candidate, DeviceKind, hidpos_candidates, keyboard_candidates, serial_candidates,
};
use naparnik_input::serial::LineEnd;
use naparnik_input::sources::{DeviceConfig, DeviceSource, Selector};
use naparnik_input::wedge::{Terminator, WedgeConfig};
use naparnik_input::{Classifier, ClassifierConfig, InputEvent, KeypadKey, ScanClass};

use crate::config::{Config, DeviceSettings};

/// Lists candidate devices: name, ids, path, source, access, and the udev rule that would give access.
pub fn list() -> anyhow::Result<ExitCode> {
    list_to(&mut std::io::stdout().lock())?;
    Ok(ExitCode::SUCCESS)
}

/// The same list into any writer (the support bundle keeps a copy).
pub fn list_to(out: &mut dyn Write) -> anyhow::Result<()> {
    let mut candidates: Vec<Candidate> = keyboard_candidates();
    let hid_problem = match hidpos_candidates() {
        Ok(found) => {
            candidates.extend(found);
            None
        }
        Err(problem) => Some(problem),
    };
    candidates.extend(serial_candidates());
    if candidates.is_empty() {
        writeln!(
            out,
            "No scanners, keypads or serial ports found. Plug the device in and run this again."
        )?;
    }
    for candidate in &candidates {
        let source = match candidate.kind {
            DeviceKind::Keyboard if cfg!(windows) => "wedge/keypad (Raw Input)",
            DeviceKind::Keyboard => "wedge/keypad (evdev)",
            DeviceKind::HidPos => "HID POS (hidraw)",
            DeviceKind::Serial => "serial",
        };
        let ids = match (candidate.vendor_id, candidate.product_id) {
            (Some(vendor), Some(product)) => format!("{vendor:04x}:{product:04x}"),
            _ => "—".into(),
        };
        let access = if candidate.accessible {
            "readable"
        } else {
            "NO ACCESS"
        };
        writeln!(
            out,
            "{:<22} {:<40} {ids:<10} {source:<22} {access}",
            candidate.path, candidate.name
        )?;
        if !candidate.accessible {
            writeln!(
                out,
                "    fix: add to /etc/udev/rules.d/70-naparnik.rules: {}",
                candidate.udev_rule()
            )?;
        }
    }
    if let Some(problem) = hid_problem {
        writeln!(out, "HID POS scanners: {problem}")?;
    }
    Ok(())
}

fn hex(text: &Option<String>, what: &str, device: &str) -> anyhow::Result<Option<u16>> {
    text.as_deref()
        .map(|t| {
            u16::from_str_radix(t.trim_start_matches("0x"), 16)
                .with_context(|| format!("device {device}: {what} `{t}` is not a hex id like 0c2e"))
        })
        .transpose()
}

/// The configured devices as the input layer takes them.
pub fn device_configs(settings: &[DeviceSettings]) -> anyhow::Result<Vec<DeviceConfig>> {
    settings.iter().map(device_config).collect()
}

fn device_config(settings: &DeviceSettings) -> anyhow::Result<DeviceConfig> {
    let name = settings.name.clone();
    let selector = match (
        &settings.path,
        &settings.device_name,
        hex(&settings.vendor_id, "vendor_id", &name)?,
        hex(&settings.product_id, "product_id", &name)?,
    ) {
        (Some(path), _, _, _) => Selector::Path(path.clone()),
        (None, Some(device_name), _, _) => Selector::Name(device_name.clone()),
        (None, None, Some(vendor), Some(product)) => Selector::UsbIds { vendor, product },
        _ => bail!("device {name}: give a path, a device_name, or vendor_id and product_id"),
    };
    let kind = match settings.kind.as_str() {
        "wedge" => DeviceSource::Wedge {
            wedge: WedgeConfig {
                prefix: settings.prefix.clone().unwrap_or_default(),
                terminator: match settings.terminator.as_deref() {
                    None | Some("enter") => Terminator::Enter,
                    Some("tab") => Terminator::Tab,
                    Some(other) => {
                        bail!("device {name}: terminator `{other}` must be enter or tab")
                    }
                },
                max_gap: Duration::from_millis(settings.max_gap_ms.unwrap_or(30)),
                min_length: 3,
            },
            grab: settings.grab.unwrap_or(true),
            badge_only: settings.badge_only,
        },
        "keypad" => DeviceSource::Keypad,
        "hidpos" => DeviceSource::HidPos {
            badge_only: settings.badge_only,
        },
        "serial" => DeviceSource::Serial {
            baud: settings.baud.unwrap_or(9600),
            framing: settings
                .framing
                .as_deref()
                .unwrap_or("8N1")
                .parse()
                .map_err(|e: String| anyhow::anyhow!("device {name}: {e}"))?,
            line_end: match settings.line_end.as_deref() {
                Some("cr") => LineEnd::Cr,
                Some("lf") => LineEnd::Lf,
                None | Some("crlf") => LineEnd::Crlf,
                Some(other) => bail!("device {name}: line_end `{other}` must be cr, lf or crlf"),
            },
            badge_only: settings.badge_only,
        },
        other => bail!("device {name}: kind `{other}` must be wedge, keypad, hidpos or serial"),
    };
    Ok(DeviceConfig {
        name,
        kind,
        selector,
    })
}

/// The classifier from `[input]`.
pub fn classifier(config: &Config) -> anyhow::Result<Classifier> {
    Ok(Classifier::new(&ClassifierConfig {
        badge_prefix: config.input.badge_prefix.clone(),
        badge_pattern: config.input.badge_pattern.clone(),
        badge_ean13_range: config.input.badge_ean13_range.clone(),
        card_pattern: config.input.card_pattern.clone(),
    })?)
}

/// Extra devices named on the command line for `watch`.
pub struct WatchArgs {
    /// Serial ports.
    pub serial: Vec<String>,
    /// Wedge scanners by evdev path (read without a grab).
    pub wedge: Vec<String>,
    /// Keypads by evdev path.
    pub keypad: Vec<String>,
    /// HID POS scanners by hidraw path.
    pub hidraw: Vec<String>,
}

/// Prints decoded, classified scans and keys until Ctrl-C.
pub fn watch(config: &Config, args: WatchArgs) -> anyhow::Result<ExitCode> {
    let mut devices = device_configs(&config.input.devices)?;
    let extra = |kind: &str, paths: &[String]| -> Vec<DeviceSettings> {
        paths
            .iter()
            .enumerate()
            .map(|(i, path)| DeviceSettings {
                name: format!("{kind}{}", i + 1),
                kind: kind.into(),
                path: Some(path.clone()),
                device_name: None,
                vendor_id: None,
                product_id: None,
                grab: Some(false),
                badge_only: false,
                prefix: None,
                terminator: None,
                max_gap_ms: None,
                baud: None,
                framing: None,
                line_end: None,
            })
            .collect()
    };
    let mut named = extra("serial", &args.serial);
    named.extend(extra("wedge", &args.wedge));
    named.extend(extra("keypad", &args.keypad));
    named.extend(extra("hidpos", &args.hidraw));
    devices.extend(device_configs(&named)?);
    if devices.is_empty() {
        bail!(
            "no devices to watch: configure [[input.devices]] or name one, e.g. --serial /dev/ttyACM0 (see `naparnik devices`)"
        );
    }
    let classifier = classifier(config)?;
    // The demo badges are badges here too while the demo is loaded.
    if let Ok(store) = super::open_store(config) {
        classifier
            .demo_badges()
            .set(store.demo_status().ok().flatten().is_some());
    }
    let hub = naparnik_input::sources::start(devices, classifier)
        .context("cannot start the device readers")?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Watching; scan a badge, a card or a product, or press keypad keys. Ctrl-C stops."
    )?;
    out.flush()?;
    while let Ok(event) = hub.events.recv() {
        let line = match event {
            InputEvent::Scan {
                device,
                class,
                badge_only,
                ..
            } => match class {
                ScanClass::Badge(code) => format!("{device}: badge {code}"),
                ScanClass::Card(code) => format!("{device}: loyalty card {code}"),
                ScanClass::Misread { code, reason } => {
                    format!("{device}: MISREAD {code}: {reason}")
                }
                ScanClass::Other(code) if badge_only => format!("{device}: not a badge: {code}"),
                ScanClass::Other(code) => format!("{device}: other (for 1C) {code}"),
            },
            InputEvent::Key { device, key } => match key {
                KeypadKey::Digit(d) => format!("{device}: key {d}"),
                KeypadKey::Backspace => format!("{device}: key backspace"),
                KeypadKey::Clear => format!("{device}: key clear"),
                KeypadKey::Enter => format!("{device}: key enter"),
            },
            InputEvent::Connected { device, path } => format!("{device}: connected ({path})"),
            InputEvent::Lost { device, problem } => format!("{device}: {problem}"),
        };
        writeln!(out, "{line}")?;
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}
