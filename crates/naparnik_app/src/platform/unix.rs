//! Linux (and other Unix) implementations of [`super`].

use std::path::{Path, PathBuf};

pub fn system_config() -> Option<PathBuf> {
    Some(PathBuf::from("/etc/naparnik/config.toml"))
}

pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("ru", "Naparnik", "naparnik").map(|d| d.data_dir().to_owned())
}

pub fn available_bytes(dir: &Path) -> std::io::Result<u64> {
    let stats = rustix::fs::statvfs(dir)?;
    Ok(stats.f_bavail.saturating_mul(stats.f_frsize))
}

pub fn may_read_and_write(path: &Path) -> bool {
    rustix::fs::access(
        path,
        rustix::fs::Access::READ_OK | rustix::fs::Access::WRITE_OK,
    )
    .is_ok()
}

pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    // The umask can only take bits away, but say it outright.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

pub fn detach_console_for_window() {}

pub fn show_error(_title: &str, _message: &str) {}

pub fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()))
}

pub fn window_refused() -> Option<&'static str> {
    rustix::process::geteuid().is_root().then_some(
        "the till window must not run as root: start it as the cashier's user (a member of the \
         `naparnik` group); for a till without a window run the service: `systemctl start naparnik`",
    )
}

pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = ctrl_c => {}
                _ = terminate.recv() => {}
            }
        }
        Err(_) => {
            let _ = ctrl_c.await;
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_private_file_is_mode_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        super::super::write_private(&path, "t").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
