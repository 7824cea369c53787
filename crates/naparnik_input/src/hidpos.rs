//! HID POS scanned-data reports (usage page 0x8C, report id 2).
//!
//! Each input report carries: the report id (2), the number of data bytes in
//! this report, a three-byte AIM symbology identifier (`]E0` EAN-13/UPC-A,
//! `]E4` EAN-8, `]C0` Code 128, …), the data, padding, and in its last byte a
//! "more data follows" flag. A long code spans several reports; they are
//! joined until a report without the flag arrives.

/// The report id of scanned data.
pub const SCANNED_DATA_REPORT: u8 = 0x02;
/// The HID usage page of POS bar code scanners.
pub const USAGE_PAGE_BARCODE_SCANNER: u16 = 0x8C;

/// The barcode type, from the AIM symbology identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Symbology {
    /// EAN-13, or UPC-A sent as EAN-13 (`]E0`).
    Ean13,
    /// EAN-8 (`]E4`).
    Ean8,
    /// Code 128 (`]C…`).
    Code128,
    /// Code 39 (`]A…`).
    Code39,
    /// QR (`]Q…`).
    Qr,
    /// Data Matrix (`]d…`).
    DataMatrix,
    /// Anything else, with its identifier.
    Other(String),
}

impl Symbology {
    /// From the three AIM bytes.
    pub fn from_aim(aim: [u8; 3]) -> Symbology {
        match (aim[0], aim[1], aim[2]) {
            (b']', b'E', b'0') => Symbology::Ean13,
            (b']', b'E', b'4') => Symbology::Ean8,
            (b']', b'C', _) => Symbology::Code128,
            (b']', b'A', _) => Symbology::Code39,
            (b']', b'Q', _) => Symbology::Qr,
            (b']', b'd', _) => Symbology::DataMatrix,
            _ => Symbology::Other(String::from_utf8_lossy(&aim).into_owned()),
        }
    }

    /// Whether the code carries an EAN/UPC check digit to verify.
    pub fn has_check_digit(&self) -> bool {
        matches!(self, Symbology::Ean13 | Symbology::Ean8)
    }
}

/// Why a report could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HidPosError {
    /// Another report (status, a keyboard report): not a scan.
    #[error("report {0:#04x} is not scanned data")]
    NotScannedData(u8),
    /// Too short to hold the header.
    #[error("a scanned-data report of {0} bytes is too short")]
    TooShort(usize),
    /// The length byte points past the report.
    #[error("the report says {declared} data bytes but holds only {room}")]
    BadLength {
        /// Declared data bytes.
        declared: usize,
        /// Room in the report.
        room: usize,
    },
}

/// A whole code from one or more reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HidPosScan {
    /// The barcode type.
    pub symbology: Symbology,
    /// The data bytes.
    pub data: Vec<u8>,
}

/// Joins scanned-data reports of one device into codes.
#[derive(Debug, Default)]
pub struct HidPosDecoder {
    pending: Vec<u8>,
    symbology: Option<[u8; 3]>,
}

impl HidPosDecoder {
    /// Feeds one input report as hidapi returns it (report id first); returns a code when one is complete.
    pub fn feed(&mut self, report: &[u8]) -> Result<Option<HidPosScan>, HidPosError> {
        let (&id, body) = report.split_first().ok_or(HidPosError::TooShort(0))?;
        if id != SCANNED_DATA_REPORT {
            return Err(HidPosError::NotScannedData(id));
        }
        if body.len() < 5 {
            return Err(HidPosError::TooShort(report.len()));
        }
        let declared = usize::from(body[0]);
        let room = body.len() - 5;
        if declared > room {
            self.pending.clear();
            self.symbology = None;
            return Err(HidPosError::BadLength { declared, room });
        }
        let aim = [body[1], body[2], body[3]];
        self.symbology.get_or_insert(aim);
        self.pending.extend_from_slice(&body[4..4 + declared]);
        let more_follows = body[body.len() - 1] & 0x01 == 0x01;
        if more_follows {
            return Ok(None);
        }
        let aim = self.symbology.take().unwrap_or(aim);
        Ok(Some(HidPosScan {
            symbology: Symbology::from_aim(aim),
            data: std::mem::take(&mut self.pending),
        }))
    }
}

/// Builds a scanned-data report (for tests and the benchmark): `size` bytes including the report id.
pub fn scanned_data_report(aim: &[u8; 3], data: &[u8], more_follows: bool, size: usize) -> Vec<u8> {
    let mut report = vec![0u8; size];
    report[0] = SCANNED_DATA_REPORT;
    report[1] = data.len() as u8;
    report[2..5].copy_from_slice(aim);
    report[5..5 + data.len()].copy_from_slice(data);
    report[size - 1] = u8::from(more_follows);
    report
}
