//! PHP-style query strings for the commands of a `batch`: `fields[PHONE][0][VALUE]=%2B7…`.
//!
//! Inside `batch`, each command is `method?query`; the outer body is JSON, so
//! the query is encoded once (`+` → `%2B`, `&` → `%26`), and keys of nested
//! objects and arrays use brackets, as PHP's `http_build_query` writes them.

use serde_json::Value;

/// `value` (an object) as `key=value&key[sub]=value…`.
pub(super) fn php_query(value: &Value) -> String {
    let mut pairs = Vec::new();
    if let Value::Object(map) = value {
        for (key, item) in map {
            flatten(&encode(key), item, &mut pairs);
        }
    }
    pairs.join("&")
}

fn flatten(prefix: &str, value: &Value, pairs: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                flatten(&format!("{prefix}%5B{}%5D", encode(key)), item, pairs);
            }
        }
        Value::Array(list) => {
            for (index, item) in list.iter().enumerate() {
                flatten(&format!("{prefix}%5B{index}%5D"), item, pairs);
            }
        }
        Value::Null => pairs.push(format!("{prefix}=")),
        Value::String(text) => pairs.push(format!("{prefix}={}", encode(text))),
        Value::Bool(flag) => pairs.push(format!("{prefix}={}", if *flag { "Y" } else { "N" })),
        Value::Number(number) => pairs.push(format!("{prefix}={number}")),
    }
}

/// Percent-encodes everything but `A–Z a–z 0–9 - _ . ~`.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_fields_use_brackets_and_plus_is_encoded() {
        let query = php_query(&serde_json::json!({
            "fields": {"PHONE": [{"VALUE": "+79513054436", "VALUE_TYPE": "MOBILE"}], "OPENED": true},
        }));
        assert_eq!(
            query,
            "fields%5BOPENED%5D=Y&fields%5BPHONE%5D%5B0%5D%5BVALUE%5D=%2B79513054436&fields%5BPHONE%5D%5B0%5D%5BVALUE_TYPE%5D=MOBILE"
        );
    }
}
