//! `naparnik sync status | run --once | retry-parked`: the upstream queue for IT.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use naparnik_sync::{Connector, SyncConfig, Target, Worker};
use naparnik_upstream::crm_dir::CrmDirectory;
use naparnik_upstream::crm_http::CrmHttp;
use naparnik_upstream::ut::UtClient;

use naparnik_sync::CustomerLookup;
use naparnik_upstream::bitrix24::{Bitrix24, Bitrix24Settings};
use naparnik_upstream::retailcrm::{RetailCrm, RetailCrmSettings};

use crate::config::{Bitrix24Target, Config, RetailCrmTarget, TargetSettings};

/// The longest a cashier waits for the CRM when the till does not know a phone.
pub const CRM_LOOKUP_BUDGET: Duration = Duration::from_millis(1500);

/// The connector settings of a retailCRM target.
pub fn retailcrm_settings(target: &RetailCrmTarget) -> RetailCrmSettings {
    let mut settings =
        RetailCrmSettings::new(&target.name, &target.url, &target.api_key.0, &target.site);
    let or = |value: &Option<String>, default: &mut String| {
        if let Some(value) = value {
            *default = value.clone();
        }
    };
    or(&target.order_type, &mut settings.order_type);
    or(&target.order_method, &mut settings.order_method);
    or(&target.order_status, &mut settings.order_status);
    or(&target.return_status, &mut settings.return_status);
    or(
        &target.partial_return_status,
        &mut settings.partial_return_status,
    );
    or(
        &target.returned_item_status,
        &mut settings.returned_item_status,
    );
    or(&target.payment_status, &mut settings.payment_status);
    let field = |value: &Option<String>, default: Option<String>| match value {
        Some(code) if code.trim().is_empty() => None,
        Some(code) => Some(code.clone()),
        None => default,
    };
    settings.receipt_number_field = field(
        &target.receipt_number_field,
        settings.receipt_number_field.clone(),
    );
    settings.sellers_field = field(&target.sellers_field, settings.sellers_field.clone());
    settings.payment_types = target.payment_types.clone();
    settings.managers = target.managers.clone();
    if let Some(rate) = target.requests_per_second {
        settings.requests_per_second = rate;
    }
    settings
}

/// The connector settings of a Bitrix24 target.
pub fn bitrix24_settings(target: &Bitrix24Target) -> Bitrix24Settings {
    let mut settings = Bitrix24Settings::new(&target.name, &target.webhook_url.0);
    settings.discount_field = target.discount_field.clone();
    settings.sellers_field = target.sellers_field.clone();
    settings.users = target.users.clone();
    settings.category_id = target.category_id;
    if let Some(stage) = &target.stage_id {
        settings.stage_id = stage.clone();
    }
    if let Some(stage) = &target.return_stage_id {
        settings.return_stage_id = stage.clone();
    }
    if let Some(currency) = &target.currency {
        settings.currency = currency.clone();
    }
    if let Some(rate) = target.requests_per_second {
        settings.requests_per_second = rate;
    }
    settings
}

/// The CRM targets that can answer a phone at the till, with clients that give up within the budget.
pub fn crm_lookup(config: &Config) -> anyhow::Result<Option<CustomerLookup>> {
    let mut connectors = Vec::new();
    for settings in &config.targets {
        let connector = match settings {
            TargetSettings::RetailCrm(target) => Connector::RetailCrm(
                RetailCrm::with_timeout(retailcrm_settings(target), CRM_LOOKUP_BUDGET)
                    .map_err(|e| anyhow::anyhow!("target {}: {e}", target.name))?,
            ),
            TargetSettings::Bitrix24(target) => Connector::Bitrix24(
                Bitrix24::with_timeout(bitrix24_settings(target), CRM_LOOKUP_BUDGET)
                    .map_err(|e| anyhow::anyhow!("target {}: {e}", target.name))?,
            ),
            _ => continue,
        };
        connectors.push((settings.name().to_owned(), connector));
    }
    Ok(CustomerLookup::new(connectors, CRM_LOOKUP_BUDGET))
}

/// The worker's configuration from the app's; `None` when no target is configured.
pub fn sync_config(config: &Config) -> anyhow::Result<Option<SyncConfig>> {
    if config.targets.is_empty() {
        return Ok(None);
    }
    let mut targets = Vec::with_capacity(config.targets.len());
    for settings in &config.targets {
        let (store, till) = (config.store_code.clone(), config.till_code.clone());
        let connector = match settings {
            TargetSettings::Ut {
                url,
                user,
                password,
                ..
            } => Connector::Ut(
                UtClient::new(url.clone(), user.clone(), password.0.clone(), store, till)
                    .map_err(|e| anyhow::anyhow!("target {}: {e}", settings.name()))?,
            ),
            TargetSettings::CrmFolder {
                sales_dir,
                customers_dir,
                ..
            } => Connector::CrmFolder(CrmDirectory {
                sales_dir: sales_dir.clone(),
                customers_dir: customers_dir.clone(),
                store,
                till,
            }),
            TargetSettings::CrmHttp {
                sales_url,
                customers_url,
                authorization,
                ..
            } => Connector::CrmHttp(
                CrmHttp::new(
                    sales_url.clone(),
                    customers_url.clone(),
                    authorization.as_ref().map(|a| a.0.clone()),
                    store,
                    till,
                )
                .map_err(|e| anyhow::anyhow!("target {}: {e}", settings.name()))?,
            ),
            TargetSettings::RetailCrm(target) => Connector::RetailCrm(
                RetailCrm::new(retailcrm_settings(target))
                    .map_err(|e| anyhow::anyhow!("target {}: {e}", target.name))?,
            ),
            TargetSettings::Bitrix24(target) => Connector::Bitrix24(
                Bitrix24::new(bitrix24_settings(target))
                    .map_err(|e| anyhow::anyhow!("target {}: {e}", target.name))?,
            ),
        };
        targets.push(Target {
            name: settings.name().to_owned(),
            connector,
        });
    }
    let mut sync = SyncConfig::new(targets, config.utc_offset);
    sync.pull_interval = Duration::from_secs(config.pull_interval_secs);
    sync.batch_size = config.batch_size;
    sync.backoff_cap = Duration::from_secs(config.backoff_cap_secs);
    Ok(Some(sync))
}

fn age(at: chrono::DateTime<Utc>) -> String {
    let seconds = (Utc::now() - at).num_seconds().max(0);
    match seconds {
        0..=119 => format!("{seconds} s ago"),
        120..=7199 => format!("{} min ago", seconds / 60),
        _ => format!("{} h ago", seconds / 3600),
    }
}

/// Prints backlog, oldest pending age, last success, last error and parked events per target.
pub fn status(config: &Config) -> anyhow::Result<ExitCode> {
    status_to(config, &mut std::io::stdout().lock())?;
    Ok(ExitCode::SUCCESS)
}

/// The same report into any writer (the support bundle keeps a copy).
pub fn status_to(config: &Config, out: &mut dyn Write) -> anyhow::Result<()> {
    let Some(sync) = sync_config(config)? else {
        writeln!(
            out,
            "No upstream targets configured: add [[sync.targets]] to the configuration."
        )?;
        return Ok(());
    };
    let store = super::open_store(config)?;
    for target in &sync.targets {
        let status = store.target_status(&target.name, target.kinds())?;
        writeln!(out, "{}:", target.name)?;
        writeln!(out, "  backlog: {} events", status.backlog)?;
        if let Some(oldest) = status.oldest_pending_at_utc {
            writeln!(out, "  oldest pending: {}", age(oldest))?;
        }
        writeln!(
            out,
            "  last success: {}",
            status.last_success_at_utc.map_or("never".into(), age)
        )?;
        if let Some(error) = &status.last_error {
            let at = status.last_error_at_utc.map(age).unwrap_or_default();
            writeln!(
                out,
                "  last error: {error} ({at}; {} failures in a row)",
                status.failures
            )?;
        }
        if let Some(next) = status.next_attempt_at_utc.filter(|n| *n > Utc::now()) {
            writeln!(
                out,
                "  next attempt in {} s",
                (next - Utc::now()).num_seconds()
            )?;
        }
        let pulled = store.sync_cursor(&target.name, naparnik_sync::LAST_PULL_AT)?;
        let pull_error = store
            .sync_cursor(&target.name, naparnik_sync::LAST_PULL_ERROR)?
            .filter(|e| !e.is_empty());
        match (
            pulled
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()),
            pull_error,
        ) {
            (Some(at), Some(error)) => {
                writeln!(out, "  last pull: failed {}: {error}", age(at.to_utc()))?
            }
            (Some(at), None) => writeln!(out, "  last pull: ok, {}", age(at.to_utc()))?,
            (None, _) => writeln!(out, "  last pull: never")?,
        }
        for parked in &status.parked {
            writeln!(
                out,
                "  parked #{} {} {}: {} [{}]",
                parked.seq, parked.kind, parked.business_key, parked.reason, parked.state
            )?;
        }
        if !status.parked.is_empty() {
            writeln!(out, "  fix the cause, then `naparnik sync retry-parked`")?;
        }
    }
    Ok(())
}

/// Pushes and pulls once; exit 1 if anything failed.
pub fn run_once(config: &Config) -> anyhow::Result<ExitCode> {
    let Some(sync) = sync_config(config)? else {
        println!("No upstream targets configured: nothing to do.");
        return Ok(ExitCode::SUCCESS);
    };
    let store_path = config.data_dir.join(naparnik_store::DATABASE_FILE_NAME);
    drop(super::open_store(config)?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let results = runtime.block_on(Worker::new(store_path, sync).run_once())?;
    let mut failed = false;
    for (name, push, pull) in results {
        let mut line = format!(
            "{name}: {} delivered, {} parked",
            push.delivered, push.parked
        );
        if let Some(error) = push.error {
            failed = true;
            line.push_str(&format!("; push failed: {error}"));
        }
        if let Some(error) = pull {
            failed = true;
            line.push_str(&format!("; pull failed: {error}"));
        }
        println!("{line}");
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Puts parked events back in line.
pub fn retry_parked(config: &Config, target: Option<&str>) -> anyhow::Result<ExitCode> {
    let mut store = super::open_store(config)?;
    let count = store.retry_parked(target)?;
    println!("{count} parked events will be sent again.");
    Ok(ExitCode::SUCCESS)
}
