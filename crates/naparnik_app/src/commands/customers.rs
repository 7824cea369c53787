//! `naparnik customers import|find`.

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use naparnik_crm_xml::customers::CustomersReport;
use naparnik_domain::{Customer, PhoneQuery};
use naparnik_store::customers::DEFAULT_MATCH_LIMIT;
use serde_json::json;

use crate::config::Config;

/// Applies a CRM customers file in one transaction and prints the report.
pub fn import(config: &Config, file: &Path) -> anyhow::Result<ExitCode> {
    let input = File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let mut store = super::open_store(config)?;
    let report =
        naparnik_sync::import_customers(&mut store, BufReader::with_capacity(1 << 16, input))
            .with_context(|| format!("{}: nothing was imported", file.display()))?;
    tracing::info!(
        file = %file.display(),
        created = report.created,
        updated = report.updated,
        removed = report.removed,
        skipped = report.skipped_count,
        "customers imported"
    );
    print_report(&mut std::io::stdout().lock(), file, &report)?;
    Ok(ExitCode::SUCCESS)
}

fn print_report(
    out: &mut impl Write,
    file: &Path,
    report: &CustomersReport,
) -> std::io::Result<()> {
    let kind = if report.full { "full list" } else { "changes" };
    writeln!(
        out,
        "{} ({kind}): {} created, {} updated, {} unchanged, {} removed, {} skipped.",
        file.display(),
        report.created,
        report.updated,
        report.unchanged,
        report.removed,
        report.skipped_count
    )?;
    if report.removed_not_found > 0 {
        writeln!(
            out,
            "{} <removed> entries named customers this till does not have.",
            report.removed_not_found
        )?;
    }
    for skipped in &report.skipped {
        let id = skipped
            .crm_id
            .as_deref()
            .map(|id| format!(" (crm-id {id})"))
            .unwrap_or_default();
        writeln!(
            out,
            "  skipped line {}{id}: {}",
            skipped.line, skipped.reason
        )?;
    }
    let hidden = report.skipped_count - report.skipped.len() as u64;
    if hidden > 0 {
        writeln!(out, "  … and {hidden} more skipped records")?;
    }
    for (name, (line, count)) in &report.ignored {
        writeln!(
            out,
            "  ignored unknown {name}: first on line {line}, {count} times"
        )?;
    }
    Ok(())
}

/// Prints the customers matching a phone or its last digits.
pub fn find(config: &Config, query: &PhoneQuery, as_json: bool) -> anyhow::Result<ExitCode> {
    let store = super::open_store(config)?;
    let customers = store.find_customers(query, DEFAULT_MATCH_LIMIT)?;
    let mut out = std::io::stdout().lock();
    if as_json {
        let rows: Vec<_> = customers.iter().map(customer_json).collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
    } else if customers.is_empty() {
        writeln!(out, "No customer found.")?;
    } else {
        for customer in &customers {
            writeln!(
                out,
                "{:<20} {:<40} {:>6} %  card {:<14} crm-id {}",
                customer.phone.display(),
                customer.name.as_deref().unwrap_or("—"),
                customer.discount.percent(),
                customer.card.as_deref().unwrap_or("—"),
                customer.crm_id.as_deref().unwrap_or("—"),
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn customer_json(customer: &Customer) -> serde_json::Value {
    json!({
        "phone": customer.phone.as_e164(),
        "phone_display": customer.phone.display(),
        "name": customer.name,
        "discount_percent": customer.discount.percent().to_json_number(),
        "card": customer.card,
        "crm_id": customer.crm_id,
        "onec_ref": customer.onec_ref,
        "bonus": customer.bonus_kopecks.map(|k| naparnik_domain::Kopecks(k).to_string()),
        "updated_at": customer.updated_at_utc.to_rfc3339(),
    })
}
