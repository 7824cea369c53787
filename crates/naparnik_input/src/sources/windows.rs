//! Windows keyboard-like devices: one Raw Input window and one keyboard hook for all of them.
//!
//! A hidden message-only window receives Raw Input (`RIDEV_INPUTSINK`, so
//! also while 1C has the focus) and device arrival and removal
//! (`RIDEV_DEVNOTIFY`). Keypads and wedge scanners read without `grab` are
//! decoded per device from it ([`crate::rawinput`]). When a wedge scanner with
//! `grab = true` is plugged in, a low-level keyboard hook arms the
//! [`Gate`](crate::gate::Gate), which withholds badges and loyalty cards and
//! re-types everything else with `SendInput` (scan codes, so the layout of the
//! program receiving them applies, as if typed). The decisions are all in the
//! pure modules; this file only moves records in and out of Win32.
#![expect(
    unsafe_code,
    reason = "Win32 calls through windows-sys: window, Raw Input, the keyboard hook, SendInput"
)]

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

use windows_sys::Win32::Devices::HumanInterfaceDevice::HidD_GetProductString;
use windows_sys::Win32::Foundation::{
    CloseHandle, HWND, INVALID_HANDLE_VALUE, LPARAM, LRESULT, WPARAM,
};
use windows_sys::Win32::Storage::FileSystem::{
    CreateFileW, FILE_SHARE_READ, FILE_SHARE_WRITE, OPEN_EXISTING,
};
use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
use windows_sys::Win32::System::SystemInformation::GetTickCount;
use windows_sys::Win32::UI::Input::KeyboardAndMouse::{
    INPUT, INPUT_0, INPUT_KEYBOARD, KEYBDINPUT, KEYEVENTF_EXTENDEDKEY, KEYEVENTF_KEYUP,
    KEYEVENTF_SCANCODE, SendInput,
};
use windows_sys::Win32::UI::Input::{
    GetRawInputData, GetRawInputDeviceInfoW, GetRawInputDeviceList, HRAWINPUT, RAWINPUT,
    RAWINPUTDEVICE, RAWINPUTDEVICELIST, RAWINPUTHEADER, RID_INPUT, RIDEV_DEVNOTIFY,
    RIDEV_INPUTSINK, RIDI_DEVICENAME, RIM_TYPEKEYBOARD, RegisterRawInputDevices,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    CallNextHookEx, CreateWindowExW, DefWindowProcW, DestroyWindow, DispatchMessageW,
    GetMessageTime, HC_ACTION, HHOOK, HWND_MESSAGE, KBDLLHOOKSTRUCT, LLKHF_EXTENDED,
    LLKHF_INJECTED, LLKHF_UP, MSG, MWMO_INPUTAVAILABLE, MsgWaitForMultipleObjectsEx, PM_REMOVE,
    PeekMessageW, QS_ALLINPUT, RegisterClassExW, SetWindowsHookExW, UnhookWindowsHookEx,
    WH_KEYBOARD_LL, WM_INPUT, WM_INPUT_DEVICE_CHANGE, WNDCLASSEXW,
};

use super::{DeviceConfig, DeviceSource, RESCAN_EVERY, Selector, scan_event};
use crate::devices::{Candidate, DeviceKind};
use crate::gate::{Gate, GateOutput, HookKey, Verdict};
use crate::keycode::KeyCode;
use crate::rawinput::{Decoded, Demux, RawKeyboardRecord, Role, usb_ids};
use crate::wedge::RawKey;
use crate::{Classifier, DeviceProblem, InputEvent, SourceKind};

/// `dwExtraInfo` of the keys Naparnik re-types ("NPRK"), so its own hook lets them through.
const RETYPED_MARK: usize = 0x4E50_524B;
/// The longest the loop sleeps: how soon it sees that it must stop.
const LONGEST_WAIT: Duration = Duration::from_millis(200);

/// A keyboard Raw Input knows: its handle and interface name, and what the HID driver calls it.
struct Keyboard {
    handle: usize,
    path: String,
    product: Option<String>,
}

fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(std::iter::once(0)).collect()
}

/// The product string of a HID device, opened without read or write access (allowed even for keyboards).
fn product_string(path: &str) -> Option<String> {
    let wide_path = wide(path);
    // SAFETY: the path is NUL-terminated; access 0 only queries attributes; the handle is closed below.
    let handle = unsafe {
        CreateFileW(
            wide_path.as_ptr(),
            0,
            FILE_SHARE_READ | FILE_SHARE_WRITE,
            std::ptr::null(),
            OPEN_EXISTING,
            0,
            std::ptr::null_mut(),
        )
    };
    if handle == INVALID_HANDLE_VALUE {
        return None;
    }
    let mut buffer = [0u16; 127];
    // SAFETY: the buffer's size in bytes is passed with it.
    let ok = unsafe {
        HidD_GetProductString(
            handle,
            buffer.as_mut_ptr().cast(),
            (buffer.len() * 2) as u32,
        )
    };
    // SAFETY: the handle came from CreateFileW above and is closed once.
    unsafe { CloseHandle(handle) };
    if !ok {
        return None;
    }
    let len = buffer.iter().position(|c| *c == 0).unwrap_or(buffer.len());
    Some(String::from_utf16_lossy(&buffer[..len])).filter(|s| !s.trim().is_empty())
}

fn keyboards() -> Vec<Keyboard> {
    let size = std::mem::size_of::<RAWINPUTDEVICELIST>() as u32;
    let mut count = 0u32;
    // SAFETY: a null list asks only for the count.
    if unsafe { GetRawInputDeviceList(std::ptr::null_mut(), &mut count, size) } == u32::MAX {
        return Vec::new();
    }
    let mut list = vec![
        RAWINPUTDEVICELIST {
            hDevice: std::ptr::null_mut(),
            dwType: 0,
        };
        count as usize
    ];
    // SAFETY: the list holds `count` entries of `size` bytes.
    let got = unsafe { GetRawInputDeviceList(list.as_mut_ptr(), &mut count, size) };
    if got == u32::MAX {
        return Vec::new();
    }
    list.truncate(got as usize);
    list.into_iter()
        .filter(|d| d.dwType == RIM_TYPEKEYBOARD)
        .map(|d| {
            let mut name = [0u16; 512];
            let mut len = name.len() as u32;
            // SAFETY: `len` is the buffer's size in characters, as RIDI_DEVICENAME takes it.
            let got = unsafe {
                GetRawInputDeviceInfoW(
                    d.hDevice,
                    RIDI_DEVICENAME,
                    name.as_mut_ptr().cast(),
                    &mut len,
                )
            };
            let path = if got == u32::MAX || got == 0 {
                String::new()
            } else {
                let end = name.iter().position(|c| *c == 0).unwrap_or(got as usize);
                String::from_utf16_lossy(&name[..end])
            };
            let product = if path.is_empty() {
                None
            } else {
                product_string(&path)
            };
            Keyboard {
                handle: d.hDevice as usize,
                path,
                product,
            }
        })
        .collect()
}

/// Keyboards Raw Input knows (wedge scanners and keypads look like keyboards), for `naparnik devices`.
pub(crate) fn keyboard_candidates() -> Vec<Candidate> {
    keyboards()
        .into_iter()
        .filter(|k| !k.path.is_empty())
        .map(|k| {
            let ids = usb_ids(&k.path);
            Candidate {
                kind: DeviceKind::Keyboard,
                name: k.product.unwrap_or_default(),
                vendor_id: ids.map(|(v, _)| v),
                product_id: ids.map(|(_, p)| p),
                path: k.path,
                accessible: true,
            }
        })
        .collect()
}

fn matches(selector: &Selector, keyboard: &Keyboard) -> bool {
    match selector {
        Selector::Path(path) => keyboard.path.eq_ignore_ascii_case(path),
        Selector::Name(name) => keyboard.product.as_deref() == Some(name.as_str()),
        Selector::UsbIds { vendor, product } => {
            usb_ids(&keyboard.path) == Some((*vendor, *product))
        }
    }
}

/// Everything the window procedure and the hook work on; lives in the reader thread only.
struct State {
    devices: Vec<DeviceConfig>,
    classifier: Classifier,
    demux: Demux,
    gate: Gate,
    /// The device whose scans the gate reports (the first wedge with `grab = true`).
    gated: Option<usize>,
    /// Re-typing and events waiting for the loop (the hook must return at once).
    retype: Vec<RawKey>,
    events: Vec<InputEvent>,
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> Option<R> {
    STATE.with(|state| state.try_borrow_mut().ok()?.as_mut().map(f))
}

impl State {
    fn scan(&self, index: usize, code: &str) -> InputEvent {
        let device = &self.devices[index];
        let badge_only = matches!(
            device.kind,
            DeviceSource::Wedge {
                badge_only: true,
                ..
            }
        );
        scan_event(
            &device.name,
            SourceKind::Wedge,
            self.classifier.classify(code),
            badge_only,
        )
    }

    fn gate_outputs(&mut self, outputs: Vec<GateOutput>) {
        for output in outputs {
            match output {
                GateOutput::Retype(keys) => self.retype.extend(keys),
                GateOutput::Scan { code, .. } => {
                    if let Some(index) = self.gated {
                        let event = self.scan(index, &code);
                        self.events.push(event);
                    }
                }
            }
        }
    }

    fn raw_input(&mut self, record: RawKeyboardRecord) {
        for decoded in self.demux.feed(record) {
            match decoded {
                // The gate reports the grabbed scanner's scans; Raw Input would say them twice.
                Decoded::Scan { device, .. } if Some(device) == self.gated && self.gate.armed() => {
                }
                Decoded::Scan { device, code } => {
                    let event = self.scan(device, &code);
                    self.events.push(event);
                }
                Decoded::Key { device, key } => self.events.push(InputEvent::Key {
                    device: self.devices[device].name.clone(),
                    key,
                }),
            }
        }
    }

    /// Looks the configured devices up again: connects, loses, arms or disarms the gate.
    fn rescan(&mut self, first: bool) {
        let present = keyboards();
        for (index, device) in self.devices.iter().enumerate() {
            let found = present.iter().find(|k| matches(&device.selector, k));
            let before = self.demux.handle(index);
            let now = found.map(|k| k.handle);
            if before == now && !first {
                continue;
            }
            self.demux.attach(index, now);
            self.events.push(match found {
                Some(keyboard) => InputEvent::Connected {
                    device: device.name.clone(),
                    path: keyboard.path.clone(),
                },
                None => InputEvent::Lost {
                    device: device.name.clone(),
                    problem: DeviceProblem::NotConnected,
                },
            });
        }
        let armed = self
            .gated
            .is_some_and(|index| self.demux.handle(index).is_some());
        if armed != self.gate.armed() {
            let outputs = self.gate.set_armed(armed);
            self.gate_outputs(outputs);
        }
    }
}

unsafe extern "system" fn hook_proc(code: i32, wparam: WPARAM, lparam: LPARAM) -> LRESULT {
    if code == HC_ACTION as i32 {
        // SAFETY: for HC_ACTION, lParam points to a KBDLLHOOKSTRUCT valid during this call.
        let info = unsafe { &*(lparam as *const KBDLLHOOKSTRUCT) };
        let injected = info.flags & LLKHF_INJECTED != 0;
        let key = KeyCode::from_scan_code(info.scanCode as u16, info.flags & LLKHF_EXTENDED != 0);
        if let (false, Some(key)) = (injected, key) {
            let hook_key = HookKey {
                key,
                pressed: info.flags & LLKHF_UP == 0,
                time_millis: info.time,
            };
            let verdict = with_state(|state| {
                let classifier = state.classifier.clone();
                let (verdict, outputs) = state
                    .gate
                    .key(hook_key, &|code| classifier.classify(code).is_ours());
                state.gate_outputs(outputs);
                verdict
            });
            if verdict == Some(Verdict::Withhold) {
                return 1;
            }
        }
    }
    // SAFETY: passing the call on, as every hook must when it does not swallow it.
    unsafe { CallNextHookEx(std::ptr::null_mut(), code, wparam, lparam) }
}

unsafe extern "system" fn window_proc(
    hwnd: HWND,
    message: u32,
    wparam: WPARAM,
    lparam: LPARAM,
) -> LRESULT {
    match message {
        WM_INPUT => {
            if let Some(record) = read_raw_input(lparam) {
                with_state(|state| state.raw_input(record));
            }
        }
        WM_INPUT_DEVICE_CHANGE => {
            with_state(|state| state.rescan(false));
        }
        _ => {}
    }
    // SAFETY: default handling (WM_INPUT needs it to free the input).
    unsafe { DefWindowProcW(hwnd, message, wparam, lparam) }
}

fn read_raw_input(lparam: LPARAM) -> Option<RawKeyboardRecord> {
    let mut raw = std::mem::MaybeUninit::<RAWINPUT>::zeroed();
    let mut size = std::mem::size_of::<RAWINPUT>() as u32;
    // SAFETY: the buffer is a RAWINPUT of `size` bytes; a keyboard record fits in it.
    let got = unsafe {
        GetRawInputData(
            lparam as HRAWINPUT,
            RID_INPUT,
            raw.as_mut_ptr().cast(),
            &mut size,
            std::mem::size_of::<RAWINPUTHEADER>() as u32,
        )
    };
    if got == u32::MAX || got == 0 {
        return None;
    }
    // SAFETY: GetRawInputData filled it (zeroed before, so every byte is initialised).
    let raw = unsafe { raw.assume_init() };
    if raw.header.dwType != RIM_TYPEKEYBOARD {
        return None;
    }
    // SAFETY: dwType says the union holds a keyboard record.
    let keyboard = unsafe { raw.data.keyboard };
    Some(RawKeyboardRecord {
        device: raw.header.hDevice as usize,
        make_code: keyboard.MakeCode,
        flags: keyboard.Flags,
        // SAFETY: no preconditions; the time of the message being handled.
        time_millis: unsafe { GetMessageTime() } as u32,
    })
}

fn retype(keys: &[RawKey]) {
    let inputs: Vec<INPUT> = keys
        .iter()
        .filter_map(|key| {
            let (scan, extended) = KeyCode(key.code).scan_code()?;
            let mut flags = KEYEVENTF_SCANCODE;
            if extended {
                flags |= KEYEVENTF_EXTENDEDKEY;
            }
            if key.value == 0 {
                flags |= KEYEVENTF_KEYUP;
            }
            Some(INPUT {
                r#type: INPUT_KEYBOARD,
                Anonymous: INPUT_0 {
                    ki: KEYBDINPUT {
                        wVk: 0,
                        wScan: scan,
                        dwFlags: flags,
                        time: 0,
                        dwExtraInfo: RETYPED_MARK,
                    },
                },
            })
        })
        .collect();
    if inputs.is_empty() {
        return;
    }
    // SAFETY: the slice holds `len` INPUT structures of the size passed.
    let sent = unsafe {
        SendInput(
            inputs.len() as u32,
            inputs.as_ptr(),
            std::mem::size_of::<INPUT>() as i32,
        )
    };
    if sent as usize != inputs.len() {
        tracing::error!(
            "could re-type only {sent} of {} keys for the focused program: {}",
            inputs.len(),
            std::io::Error::last_os_error()
        );
    }
}

/// A message-only window registered for keyboard Raw Input.
fn create_window() -> std::io::Result<HWND> {
    let class_name = wide("NaparnikRawInput");
    // SAFETY: a null name asks for this executable's module.
    let instance = unsafe { GetModuleHandleW(std::ptr::null()) };
    let class = WNDCLASSEXW {
        cbSize: std::mem::size_of::<WNDCLASSEXW>() as u32,
        lpfnWndProc: Some(window_proc),
        hInstance: instance,
        lpszClassName: class_name.as_ptr(),
        // SAFETY: WNDCLASSEXW is plain data; zero is "none" for the other fields.
        ..unsafe { std::mem::zeroed() }
    };
    // SAFETY: the class structure and its name outlive the call. A second registration fails harmlessly.
    unsafe { RegisterClassExW(&class) };
    // SAFETY: HWND_MESSAGE makes a message-only window of the class registered above.
    let hwnd = unsafe {
        CreateWindowExW(
            0,
            class_name.as_ptr(),
            class_name.as_ptr(),
            0,
            0,
            0,
            0,
            0,
            HWND_MESSAGE,
            std::ptr::null_mut(),
            instance,
            std::ptr::null(),
        )
    };
    if hwnd.is_null() {
        return Err(std::io::Error::last_os_error());
    }
    let device = RAWINPUTDEVICE {
        usUsagePage: 0x01,
        usUsage: 0x06,
        dwFlags: RIDEV_INPUTSINK | RIDEV_DEVNOTIFY,
        hwndTarget: hwnd,
    };
    // SAFETY: one RAWINPUTDEVICE of the size passed.
    let ok = unsafe {
        RegisterRawInputDevices(&device, 1, std::mem::size_of::<RAWINPUTDEVICE>() as u32)
    };
    if ok == 0 {
        let error = std::io::Error::last_os_error();
        // SAFETY: the window was created above on this thread.
        unsafe { DestroyWindow(hwnd) };
        return Err(error);
    }
    Ok(hwnd)
}

/// The reader thread: reads every configured keyboard-like device until `running` turns false.
pub(super) fn run_keyboards(
    devices: &[DeviceConfig],
    classifier: &Classifier,
    sender: &SyncSender<InputEvent>,
    running: &Arc<AtomicBool>,
) {
    let lose_all = |problem: DeviceProblem| {
        for device in devices {
            let _ = sender.send(InputEvent::Lost {
                device: device.name.clone(),
                problem: problem.clone(),
            });
        }
    };
    let hwnd = match create_window() {
        Ok(hwnd) => hwnd,
        Err(error) => {
            lose_all(DeviceProblem::NoAccess {
                detail: format!("Raw Input is not available: {error}"),
            });
            return;
        }
    };
    let roles = devices
        .iter()
        .map(|d| match &d.kind {
            DeviceSource::Wedge { wedge, .. } => Role::Wedge(wedge.clone()),
            _ => Role::Keypad,
        })
        .collect();
    let gated = devices
        .iter()
        .position(|d| matches!(d.kind, DeviceSource::Wedge { grab: true, .. }));
    let gate_config = match gated.map(|i| &devices[i].kind) {
        Some(DeviceSource::Wedge { wedge, .. }) => wedge.clone(),
        _ => Default::default(),
    };
    STATE.with(|state| {
        *state.borrow_mut() = Some(State {
            devices: devices.to_vec(),
            classifier: classifier.clone(),
            demux: Demux::new(roles),
            gate: Gate::new(gate_config),
            gated,
            retype: Vec::new(),
            events: Vec::new(),
        })
    });
    let mut hook: HHOOK = std::ptr::null_mut();
    if gated.is_some() {
        // SAFETY: a low-level hook needs no DLL: this module and thread 0 (all desktops' keys).
        hook = unsafe {
            SetWindowsHookExW(
                WH_KEYBOARD_LL,
                Some(hook_proc),
                GetModuleHandleW(std::ptr::null()),
                0,
            )
        };
        if hook.is_null() {
            let detail = std::io::Error::last_os_error().to_string();
            if let Some(index) = gated {
                let _ = sender.send(InputEvent::Lost {
                    device: devices[index].name.clone(),
                    problem: DeviceProblem::NoPassThrough { detail },
                });
            }
            // Without the hook nothing can be withheld: read the scanner through Raw Input only.
            with_state(|state| state.gated = None);
        }
    }
    with_state(|state| state.rescan(true));
    let mut last_rescan = Instant::now();
    'running: while running.load(Ordering::Relaxed) {
        // SAFETY: no preconditions; the hook's `time` is this clock.
        let now = unsafe { GetTickCount() };
        let wait = with_state(|state| state.gate.wait_millis(now).map(Duration::from_millis))
            .flatten()
            .unwrap_or(LONGEST_WAIT)
            .min(LONGEST_WAIT);
        // SAFETY: no handles; wakes on any message or input, or after `wait`.
        unsafe {
            MsgWaitForMultipleObjectsEx(
                0,
                std::ptr::null(),
                wait.as_millis() as u32,
                QS_ALLINPUT,
                MWMO_INPUTAVAILABLE,
            )
        };
        let mut message = std::mem::MaybeUninit::<MSG>::zeroed();
        // SAFETY: `message` is a MSG buffer; messages of every window of this thread are taken.
        while unsafe { PeekMessageW(message.as_mut_ptr(), std::ptr::null_mut(), 0, 0, PM_REMOVE) }
            != 0
        {
            // SAFETY: PeekMessageW filled it.
            unsafe { DispatchMessageW(message.as_ptr()) };
        }
        if last_rescan.elapsed() >= RESCAN_EVERY {
            last_rescan = Instant::now();
            with_state(|state| state.rescan(false));
        }
        let (keys, events) = with_state(|state| {
            // The hook's clock is the tick count; a quiet moment lets held typing go.
            // SAFETY: no preconditions.
            let now = unsafe { GetTickCount() };
            let outputs = state.gate.tick(now);
            state.gate_outputs(outputs);
            (
                std::mem::take(&mut state.retype),
                std::mem::take(&mut state.events),
            )
        })
        .unwrap_or_default();
        retype(&keys);
        for event in events {
            if sender.send(event).is_err() {
                break 'running;
            }
        }
    }
    let leftover = with_state(|state| {
        let outputs = state.gate.set_armed(false);
        state.gate_outputs(outputs);
        std::mem::take(&mut state.retype)
    })
    .unwrap_or_default();
    retype(&leftover);
    if !hook.is_null() {
        // SAFETY: the hook was installed above by this thread.
        unsafe { UnhookWindowsHookEx(hook) };
    }
    // SAFETY: the window was created by this thread.
    unsafe { DestroyWindow(hwnd) };
    STATE.with(|state| state.borrow_mut().take());
}
