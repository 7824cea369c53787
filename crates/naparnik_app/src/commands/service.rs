//! `naparnik service`: `naparnik serve` as the Windows service "Naparnik".
//!
//! The installer's optional service feature registers `naparnik.exe service`
//! to start automatically as LocalSystem. The service manager starts it,
//! this module reports "running" once the bridge listens, and a stop (or the
//! machine shutting down) finishes the requests in flight and the sync round
//! exactly as Ctrl-C does for `serve`.

#[cfg(not(windows))]
pub fn run(_config: &crate::config::Config) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!(
        "`naparnik service` is for the Windows service manager; on Linux run `naparnik serve` (under systemd)"
    )
}

#[cfg(windows)]
pub use imp::run;

#[cfg(windows)]
mod imp {
    #![expect(
        unsafe_code,
        reason = "the service manager's API through windows-sys: dispatcher, control handler, status"
    )]

    use std::ffi::c_void;
    use std::process::ExitCode;
    use std::sync::OnceLock;

    use anyhow::Context;
    use windows_sys::Win32::Foundation::{
        ERROR_CALL_NOT_IMPLEMENTED, ERROR_FAILED_SERVICE_CONTROLLER_CONNECT,
        ERROR_SERVICE_SPECIFIC_ERROR, NO_ERROR,
    };
    use windows_sys::Win32::System::Services::{
        RegisterServiceCtrlHandlerExW, SERVICE_ACCEPT_SHUTDOWN, SERVICE_ACCEPT_STOP,
        SERVICE_CONTROL_INTERROGATE, SERVICE_CONTROL_SHUTDOWN, SERVICE_CONTROL_STOP,
        SERVICE_RUNNING, SERVICE_START_PENDING, SERVICE_STATUS, SERVICE_STOP_PENDING,
        SERVICE_STOPPED, SERVICE_TABLE_ENTRYW, SERVICE_WIN32_OWN_PROCESS, SetServiceStatus,
        StartServiceCtrlDispatcherW,
    };

    use crate::config::Config;

    const NAME: &str = "Naparnik";

    static CONFIG: OnceLock<Config> = OnceLock::new();
    static STOP: OnceLock<tokio::sync::watch::Sender<bool>> = OnceLock::new();
    /// The status handle, as a number (raw handles are not `Sync`).
    static STATUS: OnceLock<usize> = OnceLock::new();

    fn wide(text: &str) -> Vec<u16> {
        text.encode_utf16().chain(std::iter::once(0)).collect()
    }

    fn set_status(state: u32, failed: bool, wait_hint_millis: u32) {
        let Some(handle) = STATUS.get() else {
            return;
        };
        let status = SERVICE_STATUS {
            dwServiceType: SERVICE_WIN32_OWN_PROCESS,
            dwCurrentState: state,
            dwControlsAccepted: if state == SERVICE_RUNNING {
                SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN
            } else {
                0
            },
            dwWin32ExitCode: if failed {
                ERROR_SERVICE_SPECIFIC_ERROR
            } else {
                NO_ERROR
            },
            dwServiceSpecificExitCode: u32::from(failed),
            dwCheckPoint: 0,
            dwWaitHint: wait_hint_millis,
        };
        // SAFETY: the handle came from RegisterServiceCtrlHandlerExW; the status is a valid structure.
        unsafe { SetServiceStatus(*handle as *mut c_void, &status) };
    }

    unsafe extern "system" fn handler(
        control: u32,
        _event_type: u32,
        _event_data: *mut c_void,
        _context: *mut c_void,
    ) -> u32 {
        match control {
            SERVICE_CONTROL_STOP | SERVICE_CONTROL_SHUTDOWN => {
                set_status(SERVICE_STOP_PENDING, false, 15_000);
                if let Some(stop) = STOP.get() {
                    let _ = stop.send(true);
                }
                NO_ERROR
            }
            SERVICE_CONTROL_INTERROGATE => NO_ERROR,
            _ => ERROR_CALL_NOT_IMPLEMENTED,
        }
    }

    unsafe extern "system" fn service_main(_argc: u32, _argv: *mut *mut u16) {
        let name = wide(NAME);
        // SAFETY: the name is NUL-terminated; the handler is a plain function living as long as the process.
        let handle = unsafe {
            RegisterServiceCtrlHandlerExW(name.as_ptr(), Some(handler), std::ptr::null_mut())
        };
        if handle.is_null() {
            tracing::error!(
                "service: cannot register with the service manager: {}",
                std::io::Error::last_os_error()
            );
            return;
        }
        let _ = STATUS.set(handle as usize);
        set_status(SERVICE_START_PENDING, false, 15_000);
        let Some(config) = CONFIG.get() else {
            set_status(SERVICE_STOPPED, true, 0);
            return;
        };
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let _ = STOP.set(stop);
        let shutdown = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        match super::super::serve::run_until(config, shutdown, || {
            set_status(SERVICE_RUNNING, false, 0)
        }) {
            Ok(()) => set_status(SERVICE_STOPPED, false, 0),
            Err(error) => {
                tracing::error!("service: {error:#}");
                set_status(SERVICE_STOPPED, true, 0);
            }
        }
    }

    pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
        let _ = CONFIG.set(config.clone());
        let mut name = wide(NAME);
        let table = [
            SERVICE_TABLE_ENTRYW {
                lpServiceName: name.as_mut_ptr(),
                lpServiceProc: Some(service_main),
            },
            SERVICE_TABLE_ENTRYW {
                lpServiceName: std::ptr::null_mut(),
                lpServiceProc: None,
            },
        ];
        // SAFETY: the table ends with a null entry and outlives the call, which returns when the service stopped.
        if unsafe { StartServiceCtrlDispatcherW(table.as_ptr()) } == 0 {
            let error = std::io::Error::last_os_error();
            if error.raw_os_error() == Some(ERROR_FAILED_SERVICE_CONTROLLER_CONNECT as i32) {
                anyhow::bail!(
                    "`naparnik service` is started by the Windows service manager (the installer's optional service); to run the bridge in a console use `naparnik serve`"
                );
            }
            return Err(error).context("cannot connect to the Windows service manager");
        }
        Ok(ExitCode::SUCCESS)
    }
}
