//! The committed UT contract (`assets/1c/ut/openapi.json`) is the one generated from the client's types.
//! `UPDATE_OPENAPI=1 cargo test -p naparnik_upstream` rewrites it.

#[test]
fn the_committed_ut_contract_is_the_generated_one() {
    let generated: serde_json::Value =
        serde_json::to_value(naparnik_upstream::ut::contract::document()).unwrap();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/1c/ut/openapi.json"
    );
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::create_dir_all(std::path::Path::new(path).parent().unwrap()).unwrap();
        std::fs::write(
            path,
            serde_json::to_string_pretty(&generated).unwrap() + "\n",
        )
        .unwrap();
    }
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(
        committed == generated,
        "assets/1c/ut/openapi.json differs: run UPDATE_OPENAPI=1 cargo test -p naparnik_upstream"
    );
}
