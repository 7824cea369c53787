//! Why a configured device is not being read, and what to do about it.

use std::fmt;

/// What is wrong with a configured scanner or keypad.
///
/// `Display` is English, for logs and `naparnik devices watch`; [`DeviceProblem::ru`] is the
/// same for the cashier's status strip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceProblem {
    /// Nothing matching the device's selector is plugged in.
    NotConnected,
    /// The device is there but cannot be opened (usually permissions); `detail` is the system's reason.
    NoAccess {
        /// The system's reason, as it gave it.
        detail: String,
    },
    /// The device was being read and went away, or a read failed; it is looked for again.
    Unplugged {
        /// The system's reason, as it gave it.
        detail: String,
    },
    /// A serial scanner was chosen by something other than its port path.
    SerialNeedsPath,
    /// The scanner is read without an exclusive grab because no virtual keyboard is available
    /// to hand product scans back to 1C: badge digits also reach the 1C window.
    NoPassThrough {
        /// Why uinput could not be used.
        detail: String,
    },
}

impl fmt::Display for DeviceProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceProblem::NotConnected => {
                f.write_str("not connected: plug it in, it is picked up without a restart")
            }
            DeviceProblem::NoAccess { detail } => write!(
                f,
                "cannot open it ({detail}): check the udev rules and the service user's groups (naparnik devices)"
            ),
            DeviceProblem::Unplugged { detail } => write!(
                f,
                "unplugged or unreadable ({detail}): check the cable; it is picked up again when it returns"
            ),
            DeviceProblem::SerialNeedsPath => f.write_str(
                "a serial scanner is chosen by its port path: set path = \"/dev/ttyACM0\" (or the by-id link)",
            ),
            DeviceProblem::NoPassThrough { detail } => write!(
                f,
                "uinput is not available ({detail}): badge digits will also reach the 1C window; give the service user access to /dev/uinput (udev rules) or use a dedicated badge reader"
            ),
        }
    }
}

impl DeviceProblem {
    /// The same in Russian, for the cashier.
    pub fn ru(&self) -> String {
        match self {
            DeviceProblem::NotConnected => {
                "не подключён: подключите — подхватится без перезапуска".into()
            }
            DeviceProblem::NoAccess { detail } => format!(
                "не открывается ({detail}): нужны правила udev и группа службы — позовите ИТ («naparnik devices»)"
            ),
            DeviceProblem::Unplugged { detail } => format!(
                "отключён или не читается ({detail}): проверьте кабель — подхватится, когда вернётся"
            ),
            DeviceProblem::SerialNeedsPath => {
                "сканер на COM-порту задаётся путём к порту (path = \"/dev/ttyACM0\") — позовите ИТ"
                    .into()
            }
            DeviceProblem::NoPassThrough { detail } => format!(
                "нет доступа к uinput ({detail}): цифры бейджей попадут и в окно 1С; дайте службе доступ к /dev/uinput (правила udev) или поставьте отдельный считыватель бейджей"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_says_what_to_do_in_both_languages() {
        let detail = || "Permission denied (os error 13)".to_owned();
        for problem in [
            DeviceProblem::NotConnected,
            DeviceProblem::NoAccess { detail: detail() },
            DeviceProblem::Unplugged { detail: detail() },
            DeviceProblem::SerialNeedsPath,
            DeviceProblem::NoPassThrough { detail: detail() },
        ] {
            let (en, ru) = (problem.to_string(), problem.ru());
            assert!(en.is_ascii(), "{en}");
            assert!(ru.chars().any(|c| ('а'..='я').contains(&c)), "{ru}");
            assert!(
                ["подключите", "ИТ", "кабель", "udev"]
                    .iter()
                    .any(|what| ru.contains(what)),
                "says what to do: {ru}"
            );
        }
    }
}
