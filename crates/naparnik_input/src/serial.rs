//! Serial (virtual COM) scanners: bytes in, one code per terminated line out.

use std::io::Read;
use std::sync::mpsc::SyncSender;
use std::time::Duration;

use crate::DeviceProblem;

/// What ends a code on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineEnd {
    /// `\r`
    Cr,
    /// `\n`
    Lf,
    /// `\r\n`
    Crlf,
}

/// Splits a byte stream into codes.
#[derive(Debug)]
pub struct LineDecoder {
    end: LineEnd,
    buffer: Vec<u8>,
}

/// Longest code kept; a longer run without a terminator is noise and is dropped.
const MAX_CODE_BYTES: usize = 4096;

impl LineDecoder {
    /// A decoder for codes ended by `end`.
    pub fn new(end: LineEnd) -> LineDecoder {
        LineDecoder {
            end,
            buffer: Vec::new(),
        }
    }

    /// Feeds bytes; returns the codes they completed. Empty lines are skipped; a stray `\r` or `\n` of a CRLF pair is tolerated.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<String> {
        let mut codes = Vec::new();
        for &byte in bytes {
            let ends = match self.end {
                LineEnd::Cr => byte == b'\r',
                LineEnd::Lf => byte == b'\n',
                LineEnd::Crlf => byte == b'\n',
            };
            if ends {
                let mut line = std::mem::take(&mut self.buffer);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                let text = String::from_utf8_lossy(&line)
                    .trim_matches(|c: char| c.is_whitespace())
                    .to_owned();
                if !text.is_empty() {
                    codes.push(text);
                }
            } else if !(self.end == LineEnd::Cr && byte == b'\n') {
                if self.buffer.len() >= MAX_CODE_BYTES {
                    self.buffer.clear();
                }
                self.buffer.push(byte);
            }
        }
        codes
    }
}

/// Data bits, parity and stop bits, written the usual way: `8N1`, `7E1`, `8N2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framing {
    /// Data bits.
    pub data_bits: serialport::DataBits,
    /// Parity.
    pub parity: serialport::Parity,
    /// Stop bits.
    pub stop_bits: serialport::StopBits,
}

impl Default for Framing {
    fn default() -> Self {
        Framing {
            data_bits: serialport::DataBits::Eight,
            parity: serialport::Parity::None,
            stop_bits: serialport::StopBits::One,
        }
    }
}

impl std::str::FromStr for Framing {
    type Err = String;

    fn from_str(text: &str) -> Result<Framing, String> {
        let bad = || format!("framing `{text}` must look like 8N1, 7E1 or 8N2");
        let mut chars = text.trim().chars();
        let data_bits = match chars.next() {
            Some('5') => serialport::DataBits::Five,
            Some('6') => serialport::DataBits::Six,
            Some('7') => serialport::DataBits::Seven,
            Some('8') => serialport::DataBits::Eight,
            _ => return Err(bad()),
        };
        let parity = match chars.next().map(|c| c.to_ascii_uppercase()) {
            Some('N') => serialport::Parity::None,
            Some('E') => serialport::Parity::Even,
            Some('O') => serialport::Parity::Odd,
            _ => return Err(bad()),
        };
        let stop_bits = match (chars.next(), chars.next()) {
            (Some('1'), None) => serialport::StopBits::One,
            (Some('2'), None) => serialport::StopBits::Two,
            _ => return Err(bad()),
        };
        Ok(Framing {
            data_bits,
            parity,
            stop_bits,
        })
    }
}

/// How a serial scanner is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialConfig {
    /// The device name in events.
    pub name: String,
    /// The port path (`/dev/ttyACM0`, a `/dev/serial/by-id/…` link).
    pub path: String,
    /// Baud rate.
    pub baud: u32,
    /// Data bits, parity, stop bits.
    pub framing: Framing,
    /// What ends a code.
    pub line_end: LineEnd,
    /// How long to wait before trying a lost port again.
    pub reconnect_every: Duration,
}

/// What the serial reader reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SerialEvent {
    /// The port is open.
    Opened,
    /// A code arrived.
    Code(String),
    /// The port is gone or cannot be opened; it is tried again.
    Lost(DeviceProblem),
}

/// Reads a serial scanner until `keep_running` turns false, reopening the port whenever it disappears.
///
/// Blocking: run it on its own named thread. Sends into a bounded channel; stops when the receiver is gone.
pub fn read_serial(
    config: &SerialConfig,
    events: &SyncSender<SerialEvent>,
    keep_running: &(dyn Fn() -> bool + Sync),
) {
    let mut last_problem = None;
    while keep_running() {
        let opened = serialport::new(&config.path, config.baud)
            .timeout(Duration::from_millis(200))
            .open();
        let mut port = match opened {
            Ok(port) => port,
            Err(error) => {
                let problem = match error.kind() {
                    serialport::ErrorKind::NoDevice
                    | serialport::ErrorKind::Io(std::io::ErrorKind::NotFound) => {
                        DeviceProblem::NotConnected
                    }
                    _ => DeviceProblem::NoAccess {
                        detail: format!("{}: {error}", config.path),
                    },
                };
                if last_problem.as_ref() != Some(&problem)
                    && events.send(SerialEvent::Lost(problem.clone())).is_err()
                {
                    return;
                }
                last_problem = Some(problem);
                std::thread::sleep(config.reconnect_every);
                continue;
            }
        };
        last_problem = None;
        if events.send(SerialEvent::Opened).is_err() {
            return;
        }
        let mut decoder = LineDecoder::new(config.line_end);
        let mut buffer = [0u8; 256];
        while keep_running() {
            match port.read(&mut buffer) {
                Ok(0) => {
                    let _ = events.send(SerialEvent::Lost(DeviceProblem::Unplugged {
                        detail: format!("{} closed", config.path),
                    }));
                    break;
                }
                Ok(n) => {
                    for code in decoder.feed(&buffer[..n]) {
                        if events.send(SerialEvent::Code(code)).is_err() {
                            return;
                        }
                    }
                }
                Err(error) if error.kind() == std::io::ErrorKind::TimedOut => {}
                Err(error) => {
                    let _ = events.send(SerialEvent::Lost(DeviceProblem::Unplugged {
                        detail: format!("{}: {error}", config.path),
                    }));
                    break;
                }
            }
        }
        std::thread::sleep(config.reconnect_every);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_reads_the_usual_notation() {
        let framing: Framing = "7E1".parse().unwrap();
        assert_eq!(
            (framing.data_bits, framing.parity, framing.stop_bits),
            (
                serialport::DataBits::Seven,
                serialport::Parity::Even,
                serialport::StopBits::One
            )
        );
        assert_eq!(
            "8n2".parse::<Framing>().unwrap().stop_bits,
            serialport::StopBits::Two
        );
        assert!("9N1".parse::<Framing>().is_err());
        assert!("8N1x".parse::<Framing>().is_err());
    }

    #[test]
    fn lines_split_on_each_terminator() {
        let mut cr = LineDecoder::new(LineEnd::Cr);
        assert_eq!(
            cr.feed(b"4006381333931\rEMP-0042\r"),
            ["4006381333931", "EMP-0042"]
        );
        let mut crlf = LineDecoder::new(LineEnd::Crlf);
        assert_eq!(crlf.feed(b"40063813"), Vec::<String>::new());
        assert_eq!(
            crlf.feed(b"33931\r\n\r\nEMP-0042\r\n"),
            ["4006381333931", "EMP-0042"]
        );
        let mut lf = LineDecoder::new(LineEnd::Lf);
        assert_eq!(lf.feed(b"A\nB\n"), ["A", "B"]);
    }
}
