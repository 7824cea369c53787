//! Fakes of retailCRM and Bitrix24 on loopback that answer with the vendors' own samples
//! (`tests/fixtures/`), keep what was created, and can cut, hang or refuse on demand.
#![expect(dead_code, reason = "each test binary uses part of the fakes")]
#![expect(
    clippy::unwrap_used,
    reason = "a fake that cannot set up has failed its test"
)]

pub mod bitrix24;
pub mod http;
pub mod receipts;
pub mod retailcrm;

/// A vendor sample from `tests/fixtures/`.
pub fn fixture(path: &str) -> String {
    // Through the crates directory, so the sync crate's tests and benchmark can use these fakes too.
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../naparnik_upstream/tests/fixtures")
        .join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// A vendor sample, parsed.
pub fn fixture_json(path: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(path)).unwrap()
}
