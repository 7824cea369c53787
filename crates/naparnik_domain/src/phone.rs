//! Phone numbers: any human spelling in, E.164 out.
//!
//! Parsing and validation are Google's libphonenumber rules (through the
//! `rlibphonenumber` port) with Russia as the default region, so
//! `8 (951) 305-44-36`, `9513054436`, `79513054436` and `+7 951 305 44 36`
//! are one number, extensions (`доб. 12`, `ext. 5`) are dropped and foreign
//! numbers written with `+` keep their own country code.

use std::fmt;

use rlibphonenumber::{PHONE_NUMBER_UTIL, PhoneNumberFormat, enums::Region};
use serde::{Deserialize, Serialize};

/// Why a text is not a phone number we can keep.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing that looks like a number was found.
    #[error("no phone number in the text: type the digits, e.g. 8 951 305-44-36")]
    NotANumber,
    /// Too few digits for any number of that country.
    #[error("the phone number is too short ({digits} digits): check that no digit is missing")]
    TooShort {
        /// Digits of the national number that were found.
        digits: usize,
    },
    /// Between the shortest and longest numbers of that country, but no number has this length.
    #[error(
        "the phone number has a wrong number of digits ({digits}): check that no digit is missing or extra"
    )]
    WrongLength {
        /// Digits of the national number that were found.
        digits: usize,
    },
    /// Too many digits for any number of that country.
    #[error("the phone number is too long ({digits} digits): check for an extra digit")]
    TooLong {
        /// Digits of the national number that were found.
        digits: usize,
    },
    /// The country calling code does not exist.
    #[error("unknown country code: a foreign number must start with + and its country code")]
    UnknownCountry,
    /// Right length, but no such numbering range exists.
    #[error("there is no such phone number in the numbering plan: check the area or operator code")]
    NotAssigned,
}

impl PhoneError {
    /// The same reason in Russian, for the cashier (the English `Display` is for logs).
    pub fn ru(&self) -> String {
        match self {
            PhoneError::NotANumber => {
                "в тексте нет номера телефона: наберите цифры, например 8 951 305-44-36".into()
            }
            PhoneError::TooShort { digits } => {
                format!("номер слишком короткий ({digits} цифр): проверьте, не пропущена ли цифра")
            }
            PhoneError::WrongLength { digits } => format!(
                "в номере неверное число цифр ({digits}): проверьте, нет ли пропущенной или лишней"
            ),
            PhoneError::TooLong { digits } => {
                format!("номер слишком длинный ({digits} цифр): проверьте, нет ли лишней цифры")
            }
            PhoneError::UnknownCountry => {
                "неизвестный код страны: иностранный номер набирают с + и кодом страны".into()
            }
            PhoneError::NotAssigned => {
                "такого номера нет в плане нумерации: проверьте код города или оператора".into()
            }
        }
    }
}

/// A log filter directive that every subscriber of the product must carry.
///
/// The phone library logs the numbers it parses at its debug and trace levels;
/// this keeps it at info and above, where it names only country and region codes,
/// so a till logging at trace still writes no phone number.
pub const LOG_DIRECTIVE_HIDING_PHONES: &str = "rlibphonenumber=info";

/// A valid phone number in E.164 form (`+79513054436`).
///
/// It has no `Display`: logs take [`Phone::masked`], screens take
/// [`Phone::display`], files and APIs take [`Phone::as_e164`].
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Parses a phone written the way people write them; Russia is the default region.
    pub fn parse(text: &str) -> Result<Phone, PhoneError> {
        if !text.chars().any(|c| c.is_ascii_digit()) {
            return Err(PhoneError::NotANumber);
        }
        let number = PHONE_NUMBER_UTIL
            .parse(text, Some(Region::RU))
            .map_err(|_| PhoneError::NotANumber)?;
        let digits = number.get_national_significant_number().len();
        if let Err(reason) = number.is_possible_with_reason() {
            use rlibphonenumber::ValidationError as V;
            return Err(match reason {
                V::TooShort => PhoneError::TooShort { digits },
                V::InvalidLength => PhoneError::WrongLength { digits },
                V::TooLong => PhoneError::TooLong { digits },
                V::InvalidCountryCode => PhoneError::UnknownCountry,
            });
        }
        if !number.is_valid() {
            return Err(PhoneError::NotAssigned);
        }
        Ok(Phone(
            number.format_as(PhoneNumberFormat::E164).into_owned(),
        ))
    }

    /// The E.164 text, e.g. `+79513054436`.
    pub fn as_e164(&self) -> &str {
        &self.0
    }

    /// The digits without the `+`, e.g. `79513054436`.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    /// How a cashier reads it: `+7 (951) 305-44-36` for +7 numbers, the
    /// international format (`+44 20 7946 0958`) for the rest.
    pub fn display(&self) -> String {
        let Ok(number) = PHONE_NUMBER_UTIL.parse(&self.0, None) else {
            return self.0.clone();
        };
        if self.0.starts_with("+7") {
            let national = number.format_as(PhoneNumberFormat::National);
            if let Some(rest) = national.strip_prefix("8 ") {
                return format!("+7 {rest}");
            }
        }
        number
            .format_as(PhoneNumberFormat::International)
            .into_owned()
    }

    /// A form safe for logs: only the last four digits are shown.
    pub fn masked(&self) -> MaskedPhone<'_> {
        MaskedPhone(&self.0)
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl TryFrom<String> for Phone {
    type Error = PhoneError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Phone::parse(&text)
    }
}

impl From<Phone> for String {
    fn from(phone: Phone) -> String {
        phone.0
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Phone {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^\+[1-9][0-9]{6,14}$"))
            .examples([serde_json::Value::from("+79513054436")])
            .description(Some("Phone in E.164"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Phone {}

/// Formats the digits typed after a prefilled `+7` as they grow: `951` → `+7 (951`, `9513054436` → `+7 (951) 305-44-36`.
pub fn format_partial_ru(digits: &str) -> String {
    let digits: String = digits
        .chars()
        .filter(char::is_ascii_digit)
        .take(10)
        .collect();
    let part = |from: usize, to: usize| digits.get(from..to.min(digits.len())).unwrap_or("");
    let mut text = String::from("+7");
    if digits.is_empty() {
        return text;
    }
    text.push_str(" (");
    text.push_str(part(0, 3));
    if digits.len() > 3 {
        text.push_str(") ");
        text.push_str(part(3, 6));
    }
    if digits.len() > 6 {
        text.push('-');
        text.push_str(part(6, 8));
    }
    if digits.len() > 8 {
        text.push('-');
        text.push_str(part(8, 10));
    }
    text
}

/// A phone shown by its last four digits only (`+7…4436`), for logs.
pub struct MaskedPhone<'a>(&'a str);

impl fmt::Display for MaskedPhone<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keep = self.0.len().saturating_sub(4);
        let prefix = if self.0.starts_with("+7") { "+7" } else { "+" };
        write!(f, "{prefix}…{}", &self.0[keep..])
    }
}

/// The last digits of a phone (at least four), for "find by the end of the number".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrailingDigits(String);

impl TrailingDigits {
    /// Fewest digits a trailing search accepts: fewer would match half the base.
    pub const MIN_LEN: usize = 4;

    /// Accepts only digits (spaces and dashes ignored), at least [`Self::MIN_LEN`] of them.
    pub fn parse(text: &str) -> Option<TrailingDigits> {
        let digits: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let valid = digits.len() >= Self::MIN_LEN && digits.chars().all(|c| c.is_ascii_digit());
        valid.then_some(TrailingDigits(digits))
    }

    /// The digits, e.g. `4436`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a cashier or a script types to find a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneQuery {
    /// A complete, valid number.
    Full(Phone),
    /// The end of a number: four or more digits that are not a whole number.
    Trailing(TrailingDigits),
}

impl PhoneQuery {
    /// A whole valid number wins; otherwise 4–9 bare digits are a trailing search.
    pub fn parse(text: &str) -> Result<PhoneQuery, PhoneError> {
        let bare = text.trim();
        if let Some(trailing) = TrailingDigits::parse(bare)
            && trailing.as_str().len() < 10
        {
            return Ok(PhoneQuery::Trailing(trailing));
        }
        Phone::parse(bare).map(PhoneQuery::Full)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_reads_in_russian_too() {
        for text in [
            "",
            "123",
            "8 951 305-44-3",
            "8 951 305-44-366",
            "+999 123 456 789",
            "8 (000) 000-00-00",
        ] {
            let error = Phone::parse(text).unwrap_err();
            let ru = error.ru();
            assert!(
                ru.chars().any(|c| ('а'..='я').contains(&c)) && !ru.contains("the "),
                "{text}: {ru}"
            );
        }
    }

    #[test]
    fn human_spellings_normalize_to_e164() {
        let cases = [
            ("8 (951) 305-44-36", "+79513054436"),
            ("9513054436", "+79513054436"),
            ("79513054436", "+79513054436"),
            ("89513054436", "+79513054436"),
            ("+7 951 305 44 36", "+79513054436"),
            ("+7-951-305-44-36", "+79513054436"),
            ("8(495)123-45-67", "+74951234567"),
            ("8 (951) 305-44-36 доб. 12", "+79513054436"),
            ("+7 951 305 44 36 доб 12", "+79513054436"),
            ("+7 951 305 44 36 ext. 5", "+79513054436"),
            ("+7 (812) 123-45-67", "+78121234567"),
            ("8 800 555-35-35", "+78005553535"),
            ("+7 950 132 25 90", "+79501322590"),
            ("9161204589", "+79161204589"),
            ("+44 20 7946 0958", "+442079460958"),
            ("+380 44 123 4567", "+380441234567"),
            ("+7 701 123 4567", "+77011234567"),
            ("tel:+7-951-305-44-36", "+79513054436"),
        ];
        for (text, e164) in cases {
            let phone = Phone::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(phone.as_e164(), e164, "{text}");
        }
    }

    #[test]
    fn invalid_numbers_are_rejected_with_a_reason() {
        assert_eq!(
            Phone::parse("+7-916-120-45-8"),
            Err(PhoneError::TooShort { digits: 9 })
        );
        assert_eq!(
            Phone::parse("12345"),
            Err(PhoneError::TooShort { digits: 5 })
        );
        assert_eq!(Phone::parse("позвонить"), Err(PhoneError::NotANumber));
        assert_eq!(Phone::parse(""), Err(PhoneError::NotANumber));
        assert!(matches!(
            Phone::parse("8 951 305 44 36 12 34"),
            Err(PhoneError::TooLong { .. }) | Err(PhoneError::NotAssigned)
        ));
    }

    #[test]
    fn normalization_is_idempotent() {
        for text in [
            "8 (951) 305-44-36",
            "+44 20 7946 0958",
            "+7 (812) 123-45-67",
        ] {
            let once = Phone::parse(text).unwrap();
            let twice = Phone::parse(once.as_e164()).unwrap();
            assert_eq!(once, twice);
            assert_eq!(Phone::parse(&once.display()).unwrap(), once);
        }
    }

    #[test]
    fn display_format_is_what_cashiers_read() {
        assert_eq!(
            Phone::parse("89513054436").unwrap().display(),
            "+7 (951) 305-44-36"
        );
        assert_eq!(
            Phone::parse("+442079460958").unwrap().display(),
            "+44 20 7946 0958"
        );
    }

    #[test]
    fn partial_numbers_format_as_they_are_typed() {
        assert_eq!(format_partial_ru(""), "+7");
        assert_eq!(format_partial_ru("9"), "+7 (9");
        assert_eq!(format_partial_ru("9513"), "+7 (951) 3");
        assert_eq!(format_partial_ru("9513054"), "+7 (951) 305-4");
        assert_eq!(format_partial_ru("951305443"), "+7 (951) 305-44-3");
        assert_eq!(format_partial_ru("9513054436"), "+7 (951) 305-44-36");
        assert_eq!(
            format_partial_ru("95130544361"),
            "+7 (951) 305-44-36",
            "an eleventh digit is ignored"
        );
    }

    #[test]
    fn logs_see_only_the_last_digits() {
        let phone = Phone::parse("89513054436").unwrap();
        assert_eq!(phone.masked().to_string(), "+7…4436");
        assert_eq!(format!("{phone:?}"), "Phone(+7…4436)");
    }

    #[test]
    fn queries_tell_trailing_digits_from_full_numbers() {
        assert_eq!(
            PhoneQuery::parse("4436"),
            Ok(PhoneQuery::Trailing(TrailingDigits("4436".into())))
        );
        assert_eq!(
            PhoneQuery::parse("44-36"),
            Ok(PhoneQuery::Trailing(TrailingDigits("4436".into())))
        );
        assert!(matches!(
            PhoneQuery::parse("8 951 305 44 36"),
            Ok(PhoneQuery::Full(_))
        ));
        assert!(PhoneQuery::parse("436").is_err());
    }
}
