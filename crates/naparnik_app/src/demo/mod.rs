//! Demo data, to try the whole flow at once: `naparnik --demo`, the window's first-run offer,
//! `naparnik demo remove`.
//!
//! The demo loads six sample sellers whose badges are printed on a sheet (PNG, A4) in the data
//! directory, and three thousand sample customers. Everything is marked in the store; while it
//! is loaded, the demo badges are recognised by the scanners and the status strip and doctor say
//! that this till holds demo data. It refuses a till that sends sales upstream, so demo receipts
//! never reach 1C:УТ or the CRM.

mod samples;
mod sheet;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use naparnik_store::Store;
use naparnik_store::demo::{DemoLoaded, DemoStatus};

pub use samples::NAMED_PHONE;

use crate::config::Config;

/// The badge sheet's file name in the data directory.
pub const SHEET_FILE_NAME: &str = "demo-badges.png";

/// What loading did, for the cashier or IT.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// What the store added.
    pub added: DemoLoaded,
    /// Where the badge sheet is.
    pub sheet: PathBuf,
}

/// Refuses the demo on a till with upstream targets: demo receipts must never reach them.
pub fn refusal(config: &Config) -> Option<String> {
    if config.targets.is_empty() {
        return None;
    }
    let names: Vec<&str> = config.targets.iter().map(|t| t.name()).collect();
    Some(format!(
        "demo data is for trying Naparnik on a till that sends nothing upstream, and this configuration \
         sends sales to {}: try the demo on a PC without [[sync.targets]] in its configuration \
         (e.g. `naparnik --config /dev/null --data-dir /tmp/naparnik-demo --demo`)",
        names.join(", ")
    ))
}

/// Loads the demo data into the store and writes the badge sheet into the data directory.
pub fn load(store: &mut Store, config: &Config) -> anyhow::Result<Loaded> {
    if let Some(refusal) = refusal(config) {
        bail!(refusal);
    }
    let sellers = samples::sellers();
    let added = store.load_demo(&sellers, &samples::customers()?)?;
    let sheet = config.data_dir.join(SHEET_FILE_NAME);
    write_sheet(&sellers, &sheet)?;
    Ok(Loaded { added, sheet })
}

/// Writes the badge sheet, whole or not at all.
fn write_sheet(sellers: &[naparnik_domain::Seller], path: &Path) -> anyhow::Result<()> {
    let png = sheet::render(sellers)?;
    let partial = path.with_extension("png.partial");
    std::fs::write(&partial, png)
        .and_then(|()| std::fs::rename(&partial, path))
        .with_context(|| format!("cannot write the badge sheet {}", path.display()))
}

/// `naparnik --demo`: loads the demo and says what it holds; the caller goes on with the command.
pub fn load_command(config: &Config) -> anyhow::Result<()> {
    // Refused before the store is opened: a refused demo creates no database.
    if let Some(refusal) = refusal(config) {
        bail!(refusal);
    }
    let mut store = crate::commands::open_store(config)?;
    let loaded = load(&mut store, config)?;
    let status = store
        .demo_status()?
        .context("the demo data is not in the store after loading")?;
    println!(
        "demo data: {} sellers and {} customers (added now: {} sellers, {} customers)",
        status.sellers, status.customers, loaded.added.sellers, loaded.added.customers
    );
    println!(
        "badges to scan (print it, or show it on a phone): {}",
        loaded.sheet.display()
    );
    println!(
        "try: type {} on the pad (or its last 4 digits), scan two badges; remove it all with `naparnik demo remove`",
        NAMED_PHONE
    );
    Ok(())
}

/// `naparnik demo remove`.
pub fn remove_command(config: &Config) -> anyhow::Result<ExitCode> {
    let mut store = crate::commands::open_store(config)?;
    match store.remove_demo()? {
        None => println!("no demo data here: nothing removed"),
        Some(removed) => {
            let sheet = config.data_dir.join(SHEET_FILE_NAME);
            if sheet.exists() {
                std::fs::remove_file(&sheet)
                    .with_context(|| format!("cannot remove {}", sheet.display()))?;
            }
            println!(
                "demo data removed: {} sellers, {} customers, {} receipts, {} shifts, {} queued events",
                removed.sellers,
                removed.customers,
                removed.receipts,
                removed.shifts,
                removed.events
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `naparnik demo badges`: the sheet again, where IT wants it.
pub fn badges_command(config: &Config, out: Option<&Path>) -> anyhow::Result<ExitCode> {
    let path = out.map_or_else(|| config.data_dir.join(SHEET_FILE_NAME), Path::to_owned);
    write_sheet(&samples::sellers(), &path)?;
    println!("{}", path.display());
    Ok(ExitCode::SUCCESS)
}

/// The demo in words, for doctor and the status strip; `None` when none is loaded.
pub fn describe(status: &DemoStatus) -> (String, String) {
    (
        format!(
            "Загружены демо-данные ({} продавцов, {} покупателей): не для работы. Бейджи — {}; убрать: naparnik demo remove",
            status.sellers, status.customers, SHEET_FILE_NAME
        ),
        format!(
            "demo data is loaded ({} sellers, {} customers): not for real sales. Badges: {}; remove it with `naparnik demo remove`",
            status.sellers, status.customers, SHEET_FILE_NAME
        ),
    )
}
