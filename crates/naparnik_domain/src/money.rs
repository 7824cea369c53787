//! Money in whole kopecks and quantities in thousandths: no floats anywhere.
//!
//! Amounts cross every boundary (1C, XML, JSON) as decimal text with two
//! places (`1234.50`); quantities with up to three (`0.250`).

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use serde::{Deserialize, Serialize};

/// Why a decimal text is not an amount or a quantity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Not a decimal number at all.
    #[error("`{text}` is not a decimal number: write it like 1234.50")]
    NotDecimal {
        /// The text as it came.
        text: String,
    },
    /// More fractional digits than the unit allows.
    #[error("`{text}` has more than {places} digits after the point")]
    TooPrecise {
        /// The text as it came.
        text: String,
        /// Digits allowed after the point.
        places: u32,
    },
    /// Larger than any till will ever see; refused rather than overflowed.
    #[error("`{text}` is too large")]
    TooLarge {
        /// The text as it came.
        text: String,
    },
}

/// Parses `[-]digits[.digits]` into an integer scaled by `10^places`.
fn parse_scaled(text: &str, places: u32) -> Result<i64, MoneyError> {
    let trimmed = text.trim();
    let not_decimal = || MoneyError::NotDecimal {
        text: text.to_owned(),
    };
    let (negative, unsigned) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let (whole, fraction) = match unsigned.split_once(['.', ',']) {
        Some((whole, fraction)) => (whole, fraction),
        None => (unsigned, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return Err(not_decimal());
    }
    if unsigned.contains(['.', ',']) && fraction.is_empty() {
        return Err(not_decimal());
    }
    if fraction.len() > places as usize {
        return Err(MoneyError::TooPrecise {
            text: text.to_owned(),
            places,
        });
    }
    let too_large = || MoneyError::TooLarge {
        text: text.to_owned(),
    };
    let scale = 10_i64.pow(places);
    let whole_value: i64 = whole.parse().map_err(|_| too_large())?;
    let mut fraction_value: i64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().map_err(|_| not_decimal())?
    };
    fraction_value *= 10_i64.pow(places - fraction.len() as u32);
    let value = whole_value
        .checked_mul(scale)
        .and_then(|v| v.checked_add(fraction_value))
        .filter(|v| *v < SCALED_LIMIT)
        .ok_or_else(too_large)?;
    Ok(if negative { -value } else { value })
}

/// A decimal as it arrives: text, or a JSON number taken by its literal digits.
struct DecimalText(String);

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DecimalText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal number as text, e.g. \"1234.50\"")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<DecimalText, E> {
                Ok(DecimalText(text.to_owned()))
            }
            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<DecimalText, E> {
                Ok(DecimalText(value.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<DecimalText, E> {
                Ok(DecimalText(value.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<DecimalText, E> {
                // Shortest round-trip text of the number: 577.8 stays "577.8", never 577.79999.
                Ok(DecimalText(value.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// Reads a count (a line number, a shift number) as JSON writers write it: `5`, or `5.0` from a
/// writer that knows only doubles (JSON Schema counts both as the integer 5).
pub(crate) fn deserialize_count<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<u32, D::Error> {
    struct Visitor;
    impl serde::de::Visitor<'_> for Visitor {
        type Value = u32;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number from 0 to 4294967295")
        }
        fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<u32, E> {
            u32::try_from(value)
                .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(value), &self))
        }
        fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<u32, E> {
            u32::try_from(value)
                .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(value), &self))
        }
        fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<u32, E> {
            let whole = value.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&value);
            if whole {
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "checked above: a whole number within u32"
                )]
                Ok(value as u32)
            } else {
                Err(E::invalid_value(serde::de::Unexpected::Float(value), &self))
            }
        }
    }
    deserializer.deserialize_any(Visitor)
}

/// The bounds a decimal schema states: the least value (none for signed amounts) and the step.
#[cfg(feature = "openapi")]
struct DecimalRule {
    example: &'static str,
    pattern: &'static str,
    /// `Some(0.0)` for "zero or more"; `None` for a signed value.
    minimum: Option<f64>,
    /// True when the minimum itself is refused (quantities: above zero).
    minimum_excluded: bool,
    /// The largest value the parser takes (`SCALED_LIMIT` less one, in units).
    maximum: f64,
    /// One unit of the last decimal place: 0.01 for money, 0.001 for quantities.
    step: f64,
    description: &'static str,
}

#[cfg(feature = "openapi")]
fn decimal_schema(rule: DecimalRule) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::Number;
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    let text = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(rule.pattern))
        .examples([serde_json::Value::from(rule.example)])
        .description(Some(
            "Decimal text, point (or comma) as separator (what Naparnik sends)",
        ));
    let lowest = rule.minimum.unwrap_or(-rule.maximum);
    let mut number = ObjectBuilder::new()
        .schema_type(Type::Number)
        .multiple_of(Some(Number::Float(rule.step)))
        .maximum(Some(Number::Float(rule.maximum)))
        .description(Some(
            "A JSON number, taken by its literal digits: no more decimals than the text form",
        ));
    number = if rule.minimum_excluded {
        number.exclusive_minimum(Some(Number::Float(lowest)))
    } else {
        number.minimum(Some(Number::Float(lowest)))
    };
    OneOfBuilder::new()
        .item(text)
        .item(number)
        .description(Some(rule.description))
        .into()
}

/// The largest amount in rubles and the largest quantity in units the parser takes (`SCALED_LIMIT` less one).
#[cfg(feature = "openapi")]
const MAX_RUBLES: f64 = 9_999_999_999_999.99;
#[cfg(feature = "openapi")]
const MAX_UNITS: f64 = 999_999_999_999.999;

/// Every scaled value stays below 10^15: far above any receipt, far below overflow, and exactly
/// the 13 whole digits of an amount (12 of a quantity) that the documented text pattern allows.
const SCALED_LIMIT: i64 = 1_000_000_000_000_000;

fn format_scaled(f: &mut fmt::Formatter<'_>, value: i64, places: u32) -> fmt::Result {
    let scale = 10_i64.pow(places);
    let sign = if value < 0 { "-" } else { "" };
    let magnitude = value.unsigned_abs();
    let scale = scale.unsigned_abs();
    write!(
        f,
        "{sign}{}.{:0width$}",
        magnitude / scale,
        magnitude % scale,
        width = places as usize
    )
}

/// An amount of money in kopecks (1/100 of a ruble).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Kopecks(pub i64);

impl Kopecks {
    /// Zero rubles.
    pub const ZERO: Kopecks = Kopecks(0);

    /// Parses rubles written with up to two decimals: `1234.50`, `1234,5`, `100`.
    pub fn parse(text: &str) -> Result<Kopecks, MoneyError> {
        parse_scaled(text, 2).map(Kopecks)
    }

    /// True when below zero.
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl fmt::Display for Kopecks {
    /// Rubles with two decimals and a point: `1234.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_scaled(f, self.0, 2)
    }
}

impl Add for Kopecks {
    type Output = Kopecks;
    fn add(self, other: Kopecks) -> Kopecks {
        Kopecks(self.0 + other.0)
    }
}

impl Sub for Kopecks {
    type Output = Kopecks;
    fn sub(self, other: Kopecks) -> Kopecks {
        Kopecks(self.0 - other.0)
    }
}

impl Neg for Kopecks {
    type Output = Kopecks;
    fn neg(self) -> Kopecks {
        Kopecks(-self.0)
    }
}

impl AddAssign for Kopecks {
    fn add_assign(&mut self, other: Kopecks) {
        self.0 += other.0;
    }
}

impl SubAssign for Kopecks {
    fn sub_assign(&mut self, other: Kopecks) {
        self.0 -= other.0;
    }
}

impl Sum for Kopecks {
    fn sum<I: Iterator<Item = Kopecks>>(iter: I) -> Kopecks {
        Kopecks(iter.map(|k| k.0).sum())
    }
}

/// A quantity of goods in thousandths of a unit (grams of a kilogram, pieces × 1000).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(pub i64);

impl Quantity {
    /// Parses up to three decimals: `1`, `0.250`, `1.5`.
    pub fn parse(text: &str) -> Result<Quantity, MoneyError> {
        parse_scaled(text, 3).map(Quantity)
    }

    /// A whole number of units.
    pub fn units(units: i64) -> Quantity {
        Quantity(units * 1000)
    }
}

impl fmt::Display for Quantity {
    /// Three decimals: `1.000`, `0.250`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_scaled(f, self.0, 3)
    }
}

impl Add for Quantity {
    type Output = Quantity;
    fn add(self, other: Quantity) -> Quantity {
        Quantity(self.0 + other.0)
    }
}

/// A percentage in hundredths of a percent (`5.5 %` is 550): discounts are given to two decimals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percent(pub i64);

impl Percent {
    /// Parses up to two decimals: `10`, `5.5`, `12.75`.
    pub fn parse(text: &str) -> Result<Percent, MoneyError> {
        parse_scaled(text, 2).map(Percent)
    }

    /// The value as a JSON number for APIs (`5.5`); exact for two decimals.
    pub fn to_json_number(self) -> serde_json::Number {
        let text = format!("{self}");
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        trimmed
            .parse::<u64>()
            .map(serde_json::Number::from)
            .ok()
            .or_else(|| {
                trimmed
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
            })
            .unwrap_or_else(|| serde_json::Number::from(0))
    }
}

impl fmt::Display for Percent {
    /// Two decimals: `5.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_scaled(f, self.0, 2)
    }
}

impl Serialize for Kopecks {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Kopecks {
    /// Accepts decimal text (`"577.80"`) or a JSON number (`577.8`), never rounding.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = DecimalText::deserialize(deserializer)?.0;
        parse_scaled(&text, 2)
            .map(Kopecks)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Kopecks {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        decimal_schema(DecimalRule {
            example: "577.80",
            pattern: r"^-?[0-9]{1,13}([.,][0-9]{1,2})?$",
            minimum: None,
            minimum_excluded: false,
            maximum: MAX_RUBLES,
            step: 0.01,
            description: "An amount in rubles, up to two decimals: text like the example, or a JSON number",
        })
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Kopecks {}

#[cfg(feature = "openapi")]
impl Kopecks {
    /// The schema of an amount that is never negative: prices, discounts, line amounts, totals.
    pub fn non_negative_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        decimal_schema(DecimalRule {
            example: "577.80",
            pattern: r"^[0-9]{1,13}([.,][0-9]{1,2})?$",
            minimum: Some(0.0),
            minimum_excluded: false,
            maximum: MAX_RUBLES,
            step: 0.01,
            description: "An amount in rubles, zero or more, up to two decimals: text like the example, or a JSON number; a negative amount is refused (422)",
        })
    }
}

impl Serialize for Quantity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    /// Accepts decimal text (`"1.000"`) or a JSON number (`1`), never rounding.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = DecimalText::deserialize(deserializer)?.0;
        parse_scaled(&text, 3)
            .map(Quantity)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Quantity {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        decimal_schema(DecimalRule {
            example: "1.000",
            pattern: r"^-?[0-9]{1,12}([.,][0-9]{1,3})?$",
            minimum: None,
            minimum_excluded: false,
            maximum: MAX_UNITS,
            step: 0.001,
            description: "A quantity, up to three decimals: text like the example, or a JSON number",
        })
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Quantity {}

#[cfg(feature = "openapi")]
impl Quantity {
    /// The schema of a quantity sold or returned: above zero.
    pub fn positive_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        decimal_schema(DecimalRule {
            example: "1.000",
            pattern: r"^([1-9][0-9]{0,11}([.,][0-9]{1,3})?|0[.,]([1-9][0-9]{0,2}|0[1-9][0-9]?|00[1-9]))$",
            minimum: Some(0.0),
            minimum_excluded: true,
            maximum: MAX_UNITS,
            step: 0.001,
            description: "A quantity above zero, up to three decimals (0.250 kg, 1.000 pcs): text like the example, or a JSON number; zero or less is refused (422)",
        })
    }
}

impl Serialize for Percent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Percent {
    /// Accepts decimal text (`"10.00"`) or a JSON number (`10`), never rounding.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = DecimalText::deserialize(deserializer)?.0;
        parse_scaled(&text, 2)
            .map(Percent)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Percent {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        decimal_schema(DecimalRule {
            example: "10.00",
            pattern: r"^-?[0-9]{1,13}([.,][0-9]{1,2})?$",
            minimum: None,
            minimum_excluded: false,
            maximum: MAX_RUBLES,
            step: 0.01,
            description: "A percentage, up to two decimals: text like the example, or a JSON number",
        })
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Percent {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_and_format() {
        let cases = [
            ("1234.50", 123_450, "1234.50"),
            ("1234.5", 123_450, "1234.50"),
            ("1234,5", 123_450, "1234.50"),
            ("100", 10_000, "100.00"),
            ("0.01", 1, "0.01"),
            ("-5.20", -520, "-5.20"),
            ("-0.05", -5, "-0.05"),
            (" 7.00 ", 700, "7.00"),
        ];
        for (text, kopecks, shown) in cases {
            let parsed = Kopecks::parse(text).unwrap();
            assert_eq!(parsed, Kopecks(kopecks), "{text}");
            assert_eq!(parsed.to_string(), shown);
        }
    }

    #[test]
    fn bad_amounts_say_why() {
        assert!(matches!(
            Kopecks::parse("12.345"),
            Err(MoneyError::TooPrecise { places: 2, .. })
        ));
        for text in ["", "abc", "1.2.3", "1.", ".5", "1e3", "+-1", "12 34"] {
            assert!(
                matches!(Kopecks::parse(text), Err(MoneyError::NotDecimal { .. })),
                "{text}"
            );
        }
        assert!(matches!(
            Kopecks::parse("99999999999999999999"),
            Err(MoneyError::TooLarge { .. })
        ));
    }

    #[test]
    fn counts_read_whole_numbers_written_as_doubles() {
        let read = |json: &str| {
            deserialize_count(&mut serde_json::Deserializer::from_str(json))
                .map_err(|_| json.to_owned())
        };
        assert_eq!(read("5"), Ok(5));
        assert_eq!(read("5.0"), Ok(5));
        assert_eq!(read("4294967295"), Ok(u32::MAX));
        for refused in ["5.5", "-1", "4294967296", "1e300", "\"5\""] {
            assert!(read(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn the_largest_values_are_the_documented_ones() {
        assert_eq!(
            Kopecks::parse("9999999999999.99").unwrap(),
            Kopecks(999_999_999_999_999)
        );
        assert_eq!(
            Quantity::parse("999999999999.999").unwrap(),
            Quantity(999_999_999_999_999)
        );
        for text in ["10000000000000", "10000000000000.00"] {
            assert!(
                matches!(Kopecks::parse(text), Err(MoneyError::TooLarge { .. })),
                "{text}"
            );
        }
        assert!(matches!(
            Quantity::parse("1000000000000"),
            Err(MoneyError::TooLarge { .. })
        ));
    }

    #[test]
    fn quantities_have_three_places() {
        assert_eq!(Quantity::parse("0.250").unwrap(), Quantity(250));
        assert_eq!(Quantity::parse("1").unwrap(), Quantity(1000));
        assert_eq!(Quantity(1500).to_string(), "1.500");
        assert!(Quantity::parse("0.2501").is_err());
    }

    #[test]
    fn json_carries_decimal_text_and_accepts_numbers() {
        assert_eq!(
            serde_json::to_string(&Kopecks(57_780)).unwrap(),
            "\"577.80\""
        );
        assert_eq!(
            serde_json::from_str::<Kopecks>("\"577.80\"").unwrap(),
            Kopecks(57_780)
        );
        assert_eq!(
            serde_json::from_str::<Kopecks>("577.8").unwrap(),
            Kopecks(57_780)
        );
        assert_eq!(serde_json::from_str::<Kopecks>("0.07").unwrap(), Kopecks(7));
        assert_eq!(
            serde_json::from_str::<Quantity>("0.25").unwrap(),
            Quantity(250)
        );
        assert!(serde_json::from_str::<Kopecks>("\"12.345\"").is_err());
        assert!(serde_json::from_str::<Kopecks>("true").is_err());
    }

    #[test]
    fn percents_have_two_places() {
        assert_eq!(Percent::parse("5.5").unwrap(), Percent(550));
        assert_eq!(Percent(550).to_string(), "5.50");
        assert_eq!(Percent(550).to_json_number().to_string(), "5.5");
        assert_eq!(Percent(1000).to_json_number().to_string(), "10");
        assert_eq!(Percent(0).to_json_number().to_string(), "0");
    }
}
