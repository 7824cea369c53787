//! What a scanned code is: a seller badge, a loyalty card, a misread, or something else (for 1C).

use std::ops::RangeInclusive;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use regex::Regex;

/// The badges of the demo sellers (`naparnik --demo`): internal EAN-13 codes, recognised only
/// while the demo is loaded, because stores print codes starting with 2 on weighed goods.
pub const DEMO_BADGES: RangeInclusive<u64> = 2_990_000_000_000..=2_990_000_000_999;

/// Whether the demo badges are recognised now; shared by every clone of a [`Classifier`], so
/// loading or removing the demo takes effect at once, without restarting the scanners.
#[derive(Debug, Clone, Default)]
pub struct DemoBadges(Arc<AtomicBool>);

impl DemoBadges {
    /// Recognise the demo badges, or stop.
    pub fn set(&self, on: bool) {
        self.0.store(on, Ordering::Relaxed);
    }

    /// Whether they are recognised.
    pub fn is_on(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// How badges and cards are recognized; from the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassifierConfig {
    /// Badges start with this prefix followed by digits only (e.g. `EMP` → `EMP0042`, `EMP-0042` with `EMP-`).
    pub badge_prefix: Option<String>,
    /// Badges match this regular expression (whole code).
    pub badge_pattern: Option<String>,
    /// Badges are internal EAN-13 codes in this range, inclusive (e.g. `2000000000000`–`2000009999999`).
    pub badge_ean13_range: Option<(String, String)>,
    /// Loyalty cards match this regular expression (whole code).
    pub card_pattern: Option<String>,
}

/// The class of a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanClass {
    /// A seller's badge.
    Badge(String),
    /// A customer's loyalty card.
    Card(String),
    /// A code whose check digit is wrong: scan again.
    Misread {
        /// The code as read.
        code: String,
        /// What is wrong.
        reason: String,
    },
    /// Anything else: a product, a coupon. Belongs to 1C.
    Other(String),
}

impl ScanClass {
    /// The code as read.
    pub fn code(&self) -> &str {
        match self {
            ScanClass::Badge(code) | ScanClass::Card(code) | ScanClass::Other(code) => code,
            ScanClass::Misread { code, .. } => code,
        }
    }

    /// Whether the code is for Naparnik (and must not reach 1C).
    pub fn is_ours(&self) -> bool {
        matches!(self, ScanClass::Badge(_) | ScanClass::Card(_))
    }
}

/// A pattern in the configuration that does not compile.
#[derive(Debug, thiserror::Error)]
#[error("the {what} pattern `{pattern}` is not a valid regular expression: {source}")]
pub struct PatternError {
    what: &'static str,
    pattern: String,
    #[source]
    source: regex::Error,
}

/// Classifies codes by the configured rules.
#[derive(Debug, Clone)]
pub struct Classifier {
    badge_prefix: Option<String>,
    badge_pattern: Option<Regex>,
    badge_range: Option<(u64, u64)>,
    card_pattern: Option<Regex>,
    demo: DemoBadges,
}

fn whole(what: &'static str, pattern: &Option<String>) -> Result<Option<Regex>, PatternError> {
    pattern
        .as_ref()
        .map(|p| {
            Regex::new(&format!("^(?:{p})$")).map_err(|source| PatternError {
                what,
                pattern: p.clone(),
                source,
            })
        })
        .transpose()
}

/// The EAN/UPC check digit of `digits` (without it): weights 3 and 1 from the right.
fn check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// For an EAN-8, UPC-A or EAN-13 code, whether its check digit is right; `None` for other lengths.
pub fn ean_check(code: &str) -> Option<bool> {
    if !matches!(code.len(), 8 | 12 | 13) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: Vec<u8> = code.bytes().map(|b| b - b'0').collect();
    let (body, last) = digits.split_at(digits.len() - 1);
    Some(check_digit(body) == last[0])
}

impl Classifier {
    /// Compiles the rules.
    pub fn new(config: &ClassifierConfig) -> Result<Classifier, PatternError> {
        let badge_range = config
            .badge_ean13_range
            .as_ref()
            .and_then(|(low, high)| Some((low.parse().ok()?, high.parse().ok()?)));
        Ok(Classifier {
            badge_prefix: config.badge_prefix.clone().filter(|p| !p.is_empty()),
            badge_pattern: whole("badge", &config.badge_pattern)?,
            badge_range,
            card_pattern: whole("card", &config.card_pattern)?,
            demo: DemoBadges::default(),
        })
    }

    /// The switch for the demo badges of this classifier and all its clones (off at first).
    pub fn demo_badges(&self) -> DemoBadges {
        self.demo.clone()
    }

    /// Classifies a code. EAN-8, UPC-A and EAN-13 lengths of digits have their check digit verified
    /// (unless the code is a configured loyalty card of that length).
    pub fn classify(&self, raw: &str) -> ScanClass {
        let code = raw
            .trim_matches(|c: char| c.is_control() && c != '\u{1d}')
            .to_owned();
        let is_badge = self.badge_prefix.as_ref().is_some_and(|prefix| {
            code.strip_prefix(prefix.as_str())
                .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
        }) || self
            .badge_pattern
            .as_ref()
            .is_some_and(|p| p.is_match(&code))
            || self.badge_range.is_some_and(|(low, high)| {
                code.len() == 13 && code.parse::<u64>().is_ok_and(|n| (low..=high).contains(&n))
            })
            || (self.demo.is_on()
                && code.len() == 13
                && code.parse::<u64>().is_ok_and(|n| DEMO_BADGES.contains(&n)));
        if let Some(false) = ean_check(&code)
            && (!self
                .card_pattern
                .as_ref()
                .is_some_and(|p| p.is_match(&code))
                || is_badge)
        {
            return ScanClass::Misread {
                reason: "the check digit is wrong: scan again".into(),
                code,
            };
        }
        if is_badge {
            ScanClass::Badge(code)
        } else if self
            .card_pattern
            .as_ref()
            .is_some_and(|p| p.is_match(&code))
        {
            ScanClass::Card(code)
        } else {
            ScanClass::Other(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classifier() -> Classifier {
        Classifier::new(&ClassifierConfig {
            badge_prefix: Some("EMP-".into()),
            badge_pattern: Some(r"B\d{4}".into()),
            badge_ean13_range: Some(("2000000000000".into(), "2000009999999".into())),
            card_pattern: Some(r"\d{8}".into()),
        })
        .unwrap()
    }

    #[test]
    fn badges_cards_and_the_rest() {
        let c = classifier();
        assert_eq!(c.classify("EMP-0042"), ScanClass::Badge("EMP-0042".into()));
        assert_eq!(c.classify("B1234\r"), ScanClass::Badge("B1234".into()));
        assert_eq!(
            c.classify("2000000000015"),
            ScanClass::Badge("2000000000015".into())
        );
        assert_eq!(
            c.classify("12345678"),
            ScanClass::Card("12345678".into()),
            "a card number need not be an EAN-8"
        );
        assert_eq!(
            c.classify("4006381333931"),
            ScanClass::Other("4006381333931".into())
        );
        assert_eq!(c.classify("EMP-00A2"), ScanClass::Other("EMP-00A2".into()));
    }

    #[test]
    fn demo_badges_are_badges_only_while_the_demo_is_loaded() {
        let c = Classifier::new(&ClassifierConfig::default()).unwrap();
        let weighed = "2990000000019";
        assert_eq!(c.classify(weighed), ScanClass::Other(weighed.into()));
        let scanners_copy = c.clone();
        c.demo_badges().set(true);
        assert_eq!(
            scanners_copy.classify(weighed),
            ScanClass::Badge(weighed.into())
        );
        assert!(matches!(
            scanners_copy.classify("2990000000017"),
            ScanClass::Misread { .. }
        ));
        c.demo_badges().set(false);
        assert_eq!(
            scanners_copy.classify(weighed),
            ScanClass::Other(weighed.into())
        );
    }

    #[test]
    fn a_wrong_check_digit_is_a_misread() {
        let c = classifier();
        assert!(matches!(
            c.classify("4006381333932"),
            ScanClass::Misread { .. }
        ));
        assert!(
            matches!(c.classify("2000000000016"), ScanClass::Misread { .. }),
            "badges in the EAN range are checked too"
        );
        assert!(
            matches!(c.classify("036000291453"), ScanClass::Misread { .. }),
            "UPC-A"
        );
        assert_eq!(
            c.classify("036000291452"),
            ScanClass::Other("036000291452".into())
        );
        assert_eq!(ean_check("96385074"), Some(true));
        assert_eq!(ean_check("96385075"), Some(false));
    }

    #[test]
    fn a_broken_pattern_is_reported() {
        let error = Classifier::new(&ClassifierConfig {
            badge_pattern: Some("(".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(error.to_string().contains("badge pattern"));
    }
}
