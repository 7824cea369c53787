//! What differs between Linux and Windows tills, one function each: where
//! the configuration and data live, free disk space, a file only its owner
//! may read, and the signals that stop `serve`.
//!
//! Everything else in the binary is the same on both; the tests of the
//! callers run on both.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

use std::path::{Path, PathBuf};

/// The system-wide configuration file: `/etc/naparnik/config.toml`, `%ProgramData%\Naparnik\config.toml`.
pub fn system_config() -> Option<PathBuf> {
    imp::system_config()
}

/// The data directory when none is configured; `None` when the system names no place for it.
pub fn default_data_dir() -> Option<PathBuf> {
    imp::default_data_dir()
}

/// Bytes free for this user on the disk holding `dir`.
pub fn available_bytes(dir: &Path) -> std::io::Result<u64> {
    imp::available_bytes(dir)
}

/// Whether this user may open `path` (a device node or a port) for reading and writing.
pub fn may_read_and_write(path: &Path) -> bool {
    imp::may_read_and_write(path)
}

/// Creates `path` (it must not exist) readable and writable by its owner only, writes `text` and syncs it.
///
/// Linux: mode 0600. Windows: a protected ACL granting access to the owner,
/// SYSTEM and Administrators only (files under `%ProgramData%` are otherwise
/// readable by every user).
pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    imp::write_private(path, text)
}

/// The window is about to open: on Windows, close the console window that
/// was opened only for this process (started from the Start menu or at
/// logon); a console it was started from stays.
pub fn detach_console_for_window() {
    imp::detach_console_for_window()
}

/// Tells a person at the screen what went wrong when there may be no console to read
/// (a message box on Windows; stderr, which `main` writes anyway, on Linux).
pub fn show_error(title: &str, message: &str) {
    imp::show_error(title, message)
}

/// Whether a graphical session is there to open the window in (Linux: `DISPLAY` or
/// `WAYLAND_DISPLAY` is set; Windows: always).
pub fn has_display() -> bool {
    imp::has_display()
}

/// Why the window must not open for this user, if it must not: on Linux, root (the window
/// reads the scanners and runs the bridge as the cashier's user, in the `naparnik` group).
pub fn window_refused() -> Option<&'static str> {
    imp::window_refused()
}

/// Resolves when the process is asked to stop: Ctrl-C or SIGTERM on Linux;
/// Ctrl-C, Ctrl-Break, the console closing, logoff or shutdown on Windows.
pub async fn shutdown_signal() {
    imp::shutdown_signal().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_file_holds_its_text_and_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("secret");
        write_private(&path, "token-1").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "token-1");
        let again = write_private(&path, "token-2").unwrap_err();
        assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "token-1");
    }

    #[test]
    fn free_space_is_known_for_a_real_directory_and_refused_for_a_missing_one() {
        let dir = tempfile::tempdir().unwrap();
        assert!(available_bytes(dir.path()).unwrap() > 0);
        assert!(available_bytes(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn the_system_places_are_absolute() {
        assert!(system_config().is_some_and(|p| p.is_absolute()));
        if let Some(dir) = default_data_dir() {
            assert!(dir.is_absolute());
        }
    }
}
