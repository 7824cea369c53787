//! Reading the CRM customers file (`<customers xmlns="urn:naparnik:crm-customers:1" full="…">`).
//!
//! A file that is not well-formed XML, or not of this shape, is an error
//! naming the line and what was expected; the caller then applies nothing.
//! A record with a bad value (a phone that is not a number, a discount
//! outside 0–100 %) is reported with its line and skipped; the rest applies.
//! Unknown elements and attributes are ignored and listed in the report.

use std::collections::BTreeMap;
use std::io::BufRead;

use naparnik_domain::{CustomerUpdate, DiscountPercent, Phone};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::{NsReader, XmlVersion};

use crate::CUSTOMERS_NAMESPACE;
use crate::line_reader::LineCountingReader;

/// Most skipped records kept with their details; the rest are only counted.
pub const MAX_DETAILED_SKIPS: usize = 1000;

/// One thing the file asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Create or update this customer.
    Customer(CustomerUpdate),
    /// The CRM no longer has the customer with this id.
    Removed {
        /// The CRM id.
        crm_id: String,
    },
}

/// What applying one entry did, as the caller reports it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// A new customer.
    Created,
    /// Changed data.
    Updated,
    /// Same data as before.
    Unchanged,
    /// Marked removed.
    Removed,
    /// Nothing to remove.
    NotFound,
    /// Refused by the store for this reason; the record is reported as skipped.
    Skipped(String),
}

/// A record that was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRecord {
    /// Line in the file.
    pub line: u64,
    /// The record's CRM id, if it had one.
    pub crm_id: Option<String>,
    /// Why, in plain words.
    pub reason: String,
}

/// What an import found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomersReport {
    /// `full="true"`: the file is the whole list.
    pub full: bool,
    /// `generated` as the CRM wrote it.
    pub generated: Option<String>,
    /// Customers created.
    pub created: u64,
    /// Customers updated.
    pub updated: u64,
    /// Customers listed with unchanged data.
    pub unchanged: u64,
    /// Customers marked removed by `<removed>`.
    pub removed: u64,
    /// `<removed>` entries naming customers we do not have.
    pub removed_not_found: u64,
    /// All records skipped.
    pub skipped_count: u64,
    /// The first [`MAX_DETAILED_SKIPS`] skipped records.
    pub skipped: Vec<SkippedRecord>,
    /// Unknown elements and attributes: name → (first line, count).
    pub ignored: BTreeMap<String, (u64, u64)>,
}

impl CustomersReport {
    fn skip(&mut self, line: u64, crm_id: Option<String>, reason: String) {
        self.skipped_count += 1;
        if self.skipped.len() < MAX_DETAILED_SKIPS {
            self.skipped.push(SkippedRecord {
                line,
                crm_id,
                reason,
            });
        }
    }

    fn ignore(&mut self, name: String, line: u64) {
        self.ignored.entry(name).or_insert((line, 0)).1 += 1;
    }
}

/// Why a file cannot be applied at all.
#[derive(Debug, thiserror::Error)]
pub enum CustomersFileError<E: std::error::Error + 'static> {
    /// Not well-formed XML.
    #[error("line {line}: the file is not well-formed XML: {message}")]
    Malformed {
        /// Line of the problem.
        line: u64,
        /// What the parser said.
        message: String,
    },
    /// Well-formed, but not the agreed shape.
    #[error("line {line}: {expected}")]
    Shape {
        /// Line of the problem.
        line: u64,
        /// What was expected there.
        expected: String,
    },
    /// Applying an entry failed (the store, the disk).
    #[error("line {line}: {source}")]
    Apply {
        /// Line of the entry.
        line: u64,
        /// The caller's error.
        #[source]
        source: E,
    },
}

const CUSTOMER_ATTRIBUTES: [&str; 7] = [
    "crm-id",
    "phone",
    "name",
    "discount-percent",
    "card",
    "email",
    "birthday",
];

fn local_name(element: &BytesStart<'_>) -> String {
    element.local_name().as_ref().to_owned()
}

fn in_our_namespace(resolved: &ResolveResult<'_>) -> bool {
    matches!(resolved, ResolveResult::Bound(Namespace(ns)) if *ns == CUSTOMERS_NAMESPACE)
}

/// Attributes by name; duplicates and broken values are shape errors.
fn attributes(element: &BytesStart<'_>) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|e| e.to_string())?;
        let key = attribute.key.as_ref().to_owned();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?
            .into_owned();
        map.insert(key, value);
    }
    Ok(map)
}

fn non_empty(value: Option<&String>) -> Option<String> {
    value
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Checks one `<customer>`'s values; an `Err` is the reason to skip it.
fn customer_record(attrs: &BTreeMap<String, String>) -> Result<CustomerUpdate, String> {
    let crm_id = non_empty(attrs.get("crm-id")).ok_or("crm-id is empty")?;
    let phone_text = attrs.get("phone").map(String::as_str).unwrap_or_default();
    let phone = Phone::parse(phone_text).map_err(|e| format!("phone `{phone_text}`: {e}"))?;
    let discount = match non_empty(attrs.get("discount-percent")) {
        Some(text) => {
            DiscountPercent::parse(&text).map_err(|e| format!("discount-percent `{text}`: {e}"))?
        }
        None => DiscountPercent::NONE,
    };
    let birthday = non_empty(attrs.get("birthday"));
    if let Some(day) = &birthday {
        chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map_err(|_| format!("birthday `{day}` is not a date like 1988-03-15"))?;
    }
    Ok(CustomerUpdate {
        crm_id: Some(crm_id),
        phone,
        name: non_empty(attrs.get("name")),
        discount,
        card: non_empty(attrs.get("card")),
        email: non_empty(attrs.get("email")),
        birthday,
        onec_ref: None,
    })
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// Reads a customers file and hands each entry to `apply` as soon as it is parsed.
///
/// On `Err` the caller must discard what it applied (roll back its
/// transaction): the file as a whole is refused. `full="true"` is reported in
/// [`CustomersReport::full`]; removing the absent customers is the caller's
/// last step.
pub fn read_customers<R, E, F>(
    input: R,
    mut apply: F,
) -> Result<CustomersReport, CustomersFileError<E>>
where
    R: BufRead,
    E: std::error::Error + 'static,
    F: FnMut(&Entry) -> Result<Applied, E>,
{
    let (input, lines) = LineCountingReader::new(input);
    let mut reader = NsReader::from_reader(input);
    reader.config_mut().trim_text(true);
    reader.config_mut().check_end_names = true;
    let mut buffer = Vec::new();
    let mut report = CustomersReport::default();
    let mut root_seen = false;
    let mut root_closed = false;
    let mut depth = 0usize;
    loop {
        buffer.clear();
        let event = reader.read_resolved_event_into(&mut buffer);
        let line = lines.line();
        let shape = |expected: String| CustomersFileError::Shape { line, expected };
        let (resolved, event) = event.map_err(|e| CustomersFileError::Malformed {
            line,
            message: e.to_string(),
        })?;
        match event {
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Text(text) if !root_seen || root_closed => {
                if !text.trim().is_empty() {
                    return Err(shape("text outside the <customers> element".into()));
                }
            }
            Event::Start(element) if !root_seen => {
                open_root(&resolved, &element, &mut report).map_err(shape)?;
                root_seen = true;
                depth = 1;
            }
            Event::Empty(element) if !root_seen => {
                open_root(&resolved, &element, &mut report).map_err(shape)?;
                root_seen = true;
                root_closed = true;
            }
            Event::Start(_) | Event::Empty(_) if root_closed => {
                return Err(shape("a second root element after </customers>".into()));
            }
            Event::Start(element) => {
                visit_child(depth, &resolved, &element, line, &mut report, &mut apply)?;
                depth += 1;
            }
            Event::Empty(element) => {
                visit_child(depth, &resolved, &element, line, &mut report, &mut apply)?;
            }
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    root_closed = true;
                }
            }
            Event::Text(text) => {
                if !text.trim().is_empty() && depth == 1 {
                    return Err(shape("text directly inside <customers>: only <customer> and <removed> belong there".into()));
                }
            }
            Event::CData(_) | Event::GeneralRef(_) => {
                if depth == 1 {
                    return Err(shape("text directly inside <customers>: only <customer> and <removed> belong there".into()));
                }
            }
        }
    }
    if !root_seen {
        return Err(CustomersFileError::Shape {
            line: lines.line(),
            expected: format!(
                "the file is empty: expected <customers xmlns=\"{CUSTOMERS_NAMESPACE}\">"
            ),
        });
    }
    if !root_closed {
        return Err(CustomersFileError::Malformed {
            line: lines.line(),
            message: "the file ends before </customers>: it was cut off".into(),
        });
    }
    Ok(report)
}

/// Checks the root element and reads its attributes into the report.
fn open_root(
    resolved: &ResolveResult<'_>,
    element: &BytesStart<'_>,
    report: &mut CustomersReport,
) -> Result<(), String> {
    if local_name(element) != "customers" || !in_our_namespace(resolved) {
        return Err(format!(
            "expected the root element <customers xmlns=\"{CUSTOMERS_NAMESPACE}\">, found <{}>",
            element.name().as_ref()
        ));
    }
    let attrs = attributes(element)?;
    if let Some(full) = attrs.get("full") {
        report.full =
            parse_bool(full).ok_or_else(|| format!("full=\"{full}\" must be true or false"))?;
    }
    report.generated = attrs.get("generated").cloned();
    Ok(())
}

/// An element inside the root: a record of ours is applied, anything else is listed as ignored.
fn visit_child<E, F>(
    depth: usize,
    resolved: &ResolveResult<'_>,
    element: &BytesStart<'_>,
    line: u64,
    report: &mut CustomersReport,
    apply: &mut F,
) -> Result<(), CustomersFileError<E>>
where
    E: std::error::Error + 'static,
    F: FnMut(&Entry) -> Result<Applied, E>,
{
    let name = local_name(element);
    if depth == 1 && in_our_namespace(resolved) && (name == "customer" || name == "removed") {
        apply_entry(&name, element, line, report, apply)
    } else {
        report.ignore(format!("<{name}>"), line);
        Ok(())
    }
}

fn apply_entry<E, F>(
    name: &str,
    element: &BytesStart<'_>,
    line: u64,
    report: &mut CustomersReport,
    apply: &mut F,
) -> Result<(), CustomersFileError<E>>
where
    E: std::error::Error + 'static,
    F: FnMut(&Entry) -> Result<Applied, E>,
{
    let attrs =
        attributes(element).map_err(|expected| CustomersFileError::Shape { line, expected })?;
    let required: &[&str] = if name == "customer" {
        &["crm-id", "phone"]
    } else {
        &["crm-id"]
    };
    if let Some(missing) = required.iter().find(|key| !attrs.contains_key(**key)) {
        return Err(CustomersFileError::Shape {
            line,
            expected: format!("<{name}> must have the attribute {missing}"),
        });
    }
    let known: &[&str] = if name == "customer" {
        &CUSTOMER_ATTRIBUTES
    } else {
        &["crm-id"]
    };
    for key in attrs.keys().filter(|key| !known.contains(&key.as_str())) {
        report.ignore(format!("<{name} {key}=…>"), line);
    }
    let crm_id = attrs.get("crm-id").cloned();
    let entry = if name == "customer" {
        match customer_record(&attrs) {
            Ok(record) => Entry::Customer(record),
            Err(reason) => {
                report.skip(line, crm_id, reason);
                return Ok(());
            }
        }
    } else {
        match non_empty(attrs.get("crm-id")) {
            Some(crm_id) => Entry::Removed { crm_id },
            None => {
                report.skip(line, None, "crm-id is empty".into());
                return Ok(());
            }
        }
    };
    match apply(&entry).map_err(|source| CustomersFileError::Apply { line, source })? {
        Applied::Created => report.created += 1,
        Applied::Updated => report.updated += 1,
        Applied::Unchanged => report.unchanged += 1,
        Applied::Removed => report.removed += 1,
        Applied::NotFound => report.removed_not_found += 1,
        Applied::Skipped(reason) => report.skip(line, crm_id, reason),
    }
    Ok(())
}
