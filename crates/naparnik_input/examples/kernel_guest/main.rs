//! The guest side of the real-kernel test (`tests/kernel/run.py`): runs inside a QEMU VM with a
//! Debian kernel and drives the real readers against real kernel devices. It prints its steps on
//! the console; the host answers READY, UNPLUG and REPLUG through QMP; `ALL OK` ends a good run.
//!
//! It reads evdev and uinput, so it exists only on Linux.

#[cfg(target_os = "linux")]
mod guest;

#[cfg(target_os = "linux")]
fn main() {
    guest::main();
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("kernel_guest runs only inside the Linux test VM (tests/kernel/run.py)");
    std::process::exit(2);
}
