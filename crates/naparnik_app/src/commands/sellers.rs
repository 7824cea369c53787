//! `naparnik sellers import|list`.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use naparnik_domain::{Seller, SellerCode};
use naparnik_store::sellers::SellerOutcome;
use serde_json::json;

use crate::config::Config;

/// Columns the sellers CSV must have.
const REQUIRED_COLUMNS: [&str; 3] = ["code", "name", "badge"];

/// A row that was not applied.
struct Skipped {
    line: u64,
    reason: String,
}

/// Creates or updates sellers from a CSV file, in one transaction.
pub fn import(config: &Config, file: &Path) -> anyhow::Result<ExitCode> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_path(file)
        .with_context(|| format!("cannot open {}", file.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: cannot read the header line", file.display()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
    };
    let missing: Vec<_> = REQUIRED_COLUMNS
        .iter()
        .filter(|c| column(c).is_none())
        .collect();
    if !missing.is_empty() {
        bail!(
            "{}: line 1 must be the header code,name,badge; missing {missing:?}; nothing was imported",
            file.display()
        );
    }
    let (code_at, name_at, badge_at) = (column("code"), column("name"), column("badge"));
    let active_at = column("active");
    let mut sellers = Vec::new();
    let mut lines = Vec::new();
    let mut skipped = Vec::new();
    let mut codes = HashSet::new();
    let mut badges = HashSet::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("{}: nothing was imported", file.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |at: Option<usize>| {
            at.and_then(|i| record.get(i))
                .unwrap_or("")
                .trim()
                .to_owned()
        };
        let Some(code) = SellerCode::parse(&field(code_at)) else {
            skipped.push(Skipped {
                line,
                reason: "the code is empty".into(),
            });
            continue;
        };
        let name = field(name_at);
        if name.is_empty() {
            skipped.push(Skipped {
                line,
                reason: format!("seller {code}: the name is empty"),
            });
            continue;
        }
        let badge = Some(field(badge_at)).filter(|b| !b.is_empty());
        let active = match field(active_at).to_lowercase().as_str() {
            "" | "1" | "true" | "yes" | "да" => true,
            "0" | "false" | "no" | "нет" => false,
            other => {
                skipped.push(Skipped {
                    line,
                    reason: format!("seller {code}: active `{other}` is not yes/no"),
                });
                continue;
            }
        };
        if !codes.insert(code.clone()) {
            skipped.push(Skipped {
                line,
                reason: format!("seller {code} appears earlier in this file"),
            });
            continue;
        }
        if let Some(badge) = &badge
            && !badges.insert(badge.clone())
        {
            skipped.push(Skipped {
                line,
                reason: format!("badge {badge} appears earlier in this file"),
            });
            continue;
        }
        sellers.push(Seller {
            code,
            name,
            badge,
            active,
            onec_ref: None,
        });
        lines.push(line);
    }
    let mut store = super::open_store(config)?;
    let outcomes = store.upsert_sellers(&sellers)?;
    let mut counts = [0u64; 3];
    for ((seller, outcome), line) in sellers.iter().zip(&outcomes).zip(&lines) {
        match outcome {
            SellerOutcome::Created => counts[0] += 1,
            SellerOutcome::Updated => counts[1] += 1,
            SellerOutcome::Unchanged => counts[2] += 1,
            SellerOutcome::BadgeTaken => skipped.push(Skipped {
                line: *line,
                reason: format!(
                    "seller {}: the badge is already another seller's",
                    seller.code
                ),
            }),
        }
    }
    skipped.sort_by_key(|s| s.line);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: {} created, {} updated, {} unchanged, {} skipped.",
        file.display(),
        counts[0],
        counts[1],
        counts[2],
        skipped.len()
    )?;
    for skip in &skipped {
        writeln!(out, "  skipped line {}: {}", skip.line, skip.reason)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints every seller.
pub fn list(config: &Config, as_json: bool) -> anyhow::Result<ExitCode> {
    let store = super::open_store(config)?;
    let sellers = store.sellers()?;
    let mut out = std::io::stdout().lock();
    if as_json {
        let rows: Vec<_> = sellers
            .iter()
            .map(|s| json!({ "code": s.code, "name": s.name, "badge": s.badge, "active": s.active, "onec_ref": s.onec_ref }))
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
    } else if sellers.is_empty() {
        writeln!(
            out,
            "No sellers yet: import them with `naparnik sellers import FILE`."
        )?;
    } else {
        for s in &sellers {
            let state = if s.active { "" } else { "  (inactive)" };
            writeln!(
                out,
                "{:<12} {:<40} {}{state}",
                s.code,
                s.name,
                s.badge.as_deref().unwrap_or("—")
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
