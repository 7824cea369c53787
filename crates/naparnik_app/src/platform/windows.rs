//! Windows implementations of [`super`]: `%ProgramData%\Naparnik`, `GetDiskFreeSpaceExW`,
//! a file created with an owner-only ACL, console and session events.
#![expect(
    unsafe_code,
    reason = "Win32 calls through windows-sys; each call site says what it relies on"
)]

use std::ffi::OsStr;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::io::FromRawHandle;
use std::path::{Path, PathBuf};

use windows_sys::Win32::Foundation::{GENERIC_WRITE, INVALID_HANDLE_VALUE, LocalFree};
use windows_sys::Win32::Security::Authorization::{
    ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1,
};
use windows_sys::Win32::Security::{PSECURITY_DESCRIPTOR, SECURITY_ATTRIBUTES};
use windows_sys::Win32::Storage::FileSystem::{
    CREATE_NEW, CreateFileW, FILE_ATTRIBUTE_NORMAL, GetDiskFreeSpaceExW,
};

/// Protected DACL: full access for SYSTEM, Administrators and the file's owner; nobody else.
const OWNER_ONLY_SDDL: &str = "D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FA;;;OW)";

/// A NUL-terminated UTF-16 copy, as Win32 takes paths.
fn wide(text: &OsStr) -> Vec<u16> {
    text.encode_wide().chain(std::iter::once(0)).collect()
}

fn program_data() -> Option<PathBuf> {
    std::env::var_os("ProgramData")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
}

pub fn system_config() -> Option<PathBuf> {
    Some(
        program_data()
            .unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"))
            .join("Naparnik")
            .join("config.toml"),
    )
}

pub fn default_data_dir() -> Option<PathBuf> {
    program_data().map(|dir| dir.join("Naparnik"))
}

pub fn available_bytes(dir: &Path) -> std::io::Result<u64> {
    if !dir.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} is not a directory", dir.display()),
        ));
    }
    let path = wide(dir.as_os_str());
    let mut free_to_caller: u64 = 0;
    // SAFETY: `path` is NUL-terminated and outlives the call; the two optional outputs may be null.
    let ok = unsafe {
        GetDiskFreeSpaceExW(
            path.as_ptr(),
            &mut free_to_caller,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    if ok == 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(free_to_caller)
}

pub fn may_read_and_write(path: &Path) -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .is_ok()
}

pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let sddl = wide(OsStr::new(OWNER_ONLY_SDDL));
    let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: `sddl` is NUL-terminated; on success the descriptor is allocated by the system and freed below with LocalFree.
    let converted = unsafe {
        ConvertStringSecurityDescriptorToSecurityDescriptorW(
            sddl.as_ptr(),
            SDDL_REVISION_1,
            &mut descriptor,
            std::ptr::null_mut(),
        )
    };
    if converted == 0 {
        return Err(std::io::Error::last_os_error());
    }
    let attributes = SECURITY_ATTRIBUTES {
        nLength: std::mem::size_of::<SECURITY_ATTRIBUTES>() as u32,
        lpSecurityDescriptor: descriptor,
        bInheritHandle: 0,
    };
    let wide_path = wide(path.as_os_str());
    // SAFETY: every pointer is valid for the call; CREATE_NEW fails rather than touch an existing file.
    let handle = unsafe {
        CreateFileW(
            wide_path.as_ptr(),
            GENERIC_WRITE,
            0,
            &attributes,
            CREATE_NEW,
            FILE_ATTRIBUTE_NORMAL,
            std::ptr::null_mut(),
        )
    };
    let created = if handle == INVALID_HANDLE_VALUE {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(handle)
    };
    // SAFETY: the descriptor came from ConvertStringSecurityDescriptorToSecurityDescriptorW and is freed once.
    unsafe { LocalFree(descriptor) };
    let handle = created?;
    // SAFETY: `handle` is a valid file handle owned by nobody else; the File closes it.
    let mut file = unsafe { std::fs::File::from_raw_handle(handle) };
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

pub fn detach_console_for_window() {
    use windows_sys::Win32::System::Console::{FreeConsole, GetConsoleProcessList};
    let mut processes = [0u32; 2];
    // SAFETY: the buffer holds the two entries passed.
    let attached = unsafe { GetConsoleProcessList(processes.as_mut_ptr(), 2) };
    if attached == 1 {
        // SAFETY: no preconditions; this process is the console's only one, so the console closes.
        unsafe { FreeConsole() };
    }
}

pub fn show_error(title: &str, message: &str) {
    use windows_sys::Win32::UI::WindowsAndMessaging::{MB_ICONERROR, MB_OK, MessageBoxW};
    let title = wide(OsStr::new(title));
    let text = wide(OsStr::new(message));
    // SAFETY: both strings are NUL-terminated and outlive the call; no owner window.
    unsafe {
        MessageBoxW(
            std::ptr::null_mut(),
            text.as_ptr(),
            title.as_ptr(),
            MB_OK | MB_ICONERROR,
        )
    };
}

pub fn has_display() -> bool {
    true
}

pub fn window_refused() -> Option<&'static str> {
    None
}

pub async fn shutdown_signal() {
    use tokio::signal::windows;
    let (Ok(mut c), Ok(mut brk), Ok(mut close), Ok(mut logoff), Ok(mut shutdown)) = (
        windows::ctrl_c(),
        windows::ctrl_break(),
        windows::ctrl_close(),
        windows::ctrl_logoff(),
        windows::ctrl_shutdown(),
    ) else {
        // Without console events only Ctrl-C can stop it; that is still a way.
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = c.recv() => {}
        _ = brk.recv() => {}
        _ = close.recv() => {}
        _ = logoff.recv() => {}
        _ = shutdown.recv() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use windows_sys::Win32::Security::Authorization::{
        ConvertSecurityDescriptorToStringSecurityDescriptorW, GetNamedSecurityInfoW, SE_FILE_OBJECT,
    };
    use windows_sys::Win32::Security::DACL_SECURITY_INFORMATION;

    fn dacl_of(path: &Path) -> String {
        let wide_path = wide(path.as_os_str());
        let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
        let status = unsafe {
            GetNamedSecurityInfoW(
                wide_path.as_ptr(),
                SE_FILE_OBJECT,
                DACL_SECURITY_INFORMATION,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &mut descriptor,
            )
        };
        assert_eq!(status, 0, "GetNamedSecurityInfoW");
        let mut text: *mut u16 = std::ptr::null_mut();
        let ok = unsafe {
            ConvertSecurityDescriptorToStringSecurityDescriptorW(
                descriptor,
                SDDL_REVISION_1,
                DACL_SECURITY_INFORMATION,
                &mut text,
                std::ptr::null_mut(),
            )
        };
        assert_ne!(
            ok, 0,
            "ConvertSecurityDescriptorToStringSecurityDescriptorW"
        );
        let len = (0..).take_while(|i| unsafe { *text.add(*i) } != 0).count();
        let sddl = String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(text, len) });
        unsafe {
            LocalFree(text.cast());
            LocalFree(descriptor);
        }
        sddl
    }

    /// Wine keeps no ACLs of its own on files: it shows one made from the Unix mode bits.
    fn under_wine() -> bool {
        use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleW, GetProcAddress};
        let ntdll = wide(OsStr::new("ntdll.dll"));
        let module = unsafe { GetModuleHandleW(ntdll.as_ptr()) };
        !module.is_null()
            && unsafe { GetProcAddress(module, c"wine_get_version".as_ptr().cast()) }.is_some()
    }

    #[test]
    fn a_private_file_has_a_protected_acl_without_users_or_everyone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        super::super::write_private(&path, "t").unwrap();
        let dacl = dacl_of(&path);
        if under_wine() {
            println!(
                "under Wine: the ACL read back is made from Unix mode bits ({dacl}); the protected flag is checked on Windows only"
            );
        } else {
            assert!(
                dacl.starts_with("D:P"),
                "not protected from inheritance: {dacl}"
            );
        }
        for group in [";BU)", ";WD)", ";AU)"] {
            assert!(!dacl.contains(group), "{group} may read it: {dacl}");
        }
    }
}
