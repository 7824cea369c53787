//! The customers reader on the contract's example and on broken files.

use std::convert::Infallible;

use naparnik_crm_xml::customers::{Applied, CustomersFileError, Entry, read_customers};

const EXAMPLE: &str = include_str!("../../../tests/fixtures/crm/crm-customers.example.xml");

fn read_all(
    xml: &str,
) -> (
    Result<naparnik_crm_xml::customers::CustomersReport, CustomersFileError<Infallible>>,
    Vec<Entry>,
) {
    let mut entries = Vec::new();
    let result = read_customers(xml.as_bytes(), |entry| {
        entries.push(entry.clone());
        Ok::<_, Infallible>(match entry {
            Entry::Customer(_) => Applied::Created,
            Entry::Removed { .. } => Applied::Removed,
        })
    });
    (result, entries)
}

#[test]
fn the_contract_example_applies_three_customers_and_skips_the_bad_phone() {
    let (report, entries) = read_all(EXAMPLE);
    let report = report.unwrap();
    assert!(!report.full);
    assert_eq!(report.created, 3);
    assert_eq!(report.removed, 1);
    assert_eq!(report.skipped_count, 1);
    assert_eq!(report.skipped[0].line, 6);
    assert_eq!(report.skipped[0].crm_id.as_deref(), Some("2041"));
    assert!(
        report.skipped[0].reason.contains("too short"),
        "{}",
        report.skipped[0].reason
    );
    let Entry::Customer(first) = &entries[0] else {
        panic!("{entries:?}")
    };
    assert_eq!(first.phone.as_e164(), "+79513054436");
    assert_eq!(first.discount.hundredths(), 1000);
    assert_eq!(first.card.as_deref(), Some("12345678"));
    let Entry::Customer(second) = &entries[1] else {
        panic!()
    };
    assert_eq!(second.discount.hundredths(), 550);
    assert_eq!(
        entries[3],
        Entry::Removed {
            crm_id: "118".into()
        }
    );
}

#[test]
fn a_cut_off_file_is_refused_with_its_line() {
    let cut = &EXAMPLE[..EXAMPLE.find("<removed").unwrap()];
    let (result, _) = read_all(cut);
    let error = result.unwrap_err();
    assert!(
        matches!(error, CustomersFileError::Malformed { .. }),
        "{error}"
    );
}

#[test]
fn broken_xml_names_the_line() {
    let xml = "<customers xmlns=\"urn:naparnik:crm-customers:1\">\n<customer crm-id=\"1\" phone=\"9513054436\">\n</customerx>\n</customers>";
    let (result, _) = read_all(xml);
    let error = result.unwrap_err();
    assert!(
        matches!(error, CustomersFileError::Malformed { line: 3, .. }),
        "{error}"
    );
}

#[test]
fn another_root_or_namespace_is_not_our_file() {
    for xml in [
        "<sales xmlns=\"urn:naparnik:crm-sales:1\"/>",
        "<customers/>",
        "<customers xmlns=\"urn:other\"><customer crm-id=\"1\" phone=\"9513054436\"/></customers>",
        "",
        "   ",
    ] {
        let (result, entries) = read_all(xml);
        assert!(
            matches!(result, Err(CustomersFileError::Shape { .. })),
            "{xml}: {result:?}"
        );
        assert!(entries.is_empty());
    }
}

#[test]
fn a_prefixed_namespace_is_the_same_file() {
    let xml = "<c:customers xmlns:c=\"urn:naparnik:crm-customers:1\" full=\"true\"><c:customer crm-id=\"1\" phone=\"9513054436\"/></c:customers>";
    let (report, entries) = read_all(xml);
    assert!(report.unwrap().full);
    assert_eq!(entries.len(), 1);
}

#[test]
fn a_missing_required_attribute_refuses_the_file() {
    let xml = "<customers xmlns=\"urn:naparnik:crm-customers:1\">\n<customer crm-id=\"1\" name=\"Без телефона\"/>\n</customers>";
    let (result, _) = read_all(xml);
    let error = result.unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("line 2: <customer> must have the attribute phone"),
        "{error}"
    );
}

#[test]
fn unknown_elements_and_attributes_are_ignored_and_listed() {
    let xml = r#"<customers xmlns="urn:naparnik:crm-customers:1">
  <note>from the CRM</note>
  <customer crm-id="1" phone="9513054436" vip="yes"><extra/></customer>
</customers>"#;
    let (report, entries) = read_all(xml);
    let report = report.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(report.ignored.get("<note>"), Some(&(2, 1)));
    assert_eq!(report.ignored.get("<customer vip=…>"), Some(&(3, 1)));
    assert_eq!(report.ignored.get("<extra>"), Some(&(3, 1)));
}

#[test]
fn bad_values_skip_the_record_with_a_reason() {
    let xml = r#"<customers xmlns="urn:naparnik:crm-customers:1">
<customer crm-id="1" phone="9513054436" discount-percent="101"/>
<customer crm-id="2" phone="9513054437" discount-percent="abc"/>
<customer crm-id="" phone="9513054438"/>
<customer crm-id="4" phone="9513054439" birthday="15.03.1988"/>
<customer crm-id="5" phone="+7 951 305 44 40" discount-percent="12.5"/>
</customers>"#;
    let (report, entries) = read_all(xml);
    let report = report.unwrap();
    assert_eq!(entries.len(), 1);
    let lines: Vec<u64> = report.skipped.iter().map(|s| s.line).collect();
    assert_eq!(lines, [2, 3, 4, 5]);
    assert!(report.skipped[0].reason.contains("outside 0–100"));
}
