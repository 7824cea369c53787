//! A serial scanner on a real pseudo-terminal: Unix only (Windows COM ports need a device or a driver).
#![cfg(unix)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::sync_channel;
use std::time::Duration;

use naparnik_input::serial::{LineEnd, SerialConfig, SerialEvent, read_serial};

#[test]
fn a_serial_scanner_through_a_pty_including_unplug_and_replug() {
    use serialport::SerialPort;
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("scanner");
    let (mut master, slave) = serialport::TTYPort::pair().unwrap();
    std::os::unix::fs::symlink(slave.name().unwrap(), &link).unwrap();
    let config = SerialConfig {
        name: "serial-scanner".into(),
        path: link.display().to_string(),
        baud: 9600,
        framing: "8N1".parse().unwrap(),
        line_end: LineEnd::Crlf,
        reconnect_every: Duration::from_millis(50),
    };
    let (sender, events) = sync_channel(64);
    let running = Arc::new(AtomicBool::new(true));
    let reader = {
        let running = running.clone();
        std::thread::Builder::new()
            .name("test-serial".into())
            .spawn(move || read_serial(&config, &sender, &|| running.load(Ordering::Relaxed)))
            .unwrap()
    };
    let next = || events.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(next(), SerialEvent::Opened);
    master.write_all(b"4006381333931\r\nEMP-00").unwrap();
    master.write_all(b"42\r\n").unwrap();
    assert_eq!(next(), SerialEvent::Code("4006381333931".into()));
    assert_eq!(next(), SerialEvent::Code("EMP-0042".into()));

    // Unplug: the port goes away.
    drop(master);
    drop(slave);
    std::fs::remove_file(&link).unwrap();
    assert!(matches!(next(), SerialEvent::Lost(_)));
    // Replug: the device comes back under the same name.
    let (mut master, slave) = serialport::TTYPort::pair().unwrap();
    std::os::unix::fs::symlink(slave.name().unwrap(), &link).unwrap();
    let mut event = next();
    while matches!(event, SerialEvent::Lost(_)) {
        event = next();
    }
    assert_eq!(event, SerialEvent::Opened);
    master.write_all(b"B1234\r\n").unwrap();
    assert_eq!(next(), SerialEvent::Code("B1234".into()));
    running.store(false, Ordering::Relaxed);
    drop(events);
    reader.join().unwrap();
    drop(slave);
}
