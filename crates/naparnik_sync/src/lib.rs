//! The sync worker: drains the outbox to every configured target and pulls
//! customers and sellers back into the till's store.
//!
//! Each target has its own loop. A batch is taken from the store (journaled
//! there before it is sent), delivered, and recorded; so progress lives in
//! the store, never in memory, and a restart or a `kill -9` resumes with the
//! very batch that was in flight. Retryable failures back off exponentially
//! with full jitter up to a cap; a batch the receiver refuses as wrong is cut
//! down to its first event until the bad event is found and parked, and the
//! others go on. When idle the worker checks the outbox a few times a second,
//! so a receipt reaches an online receiver within a second.

mod import;
mod lookup;
mod pull;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{FixedOffset, Utc};
use naparnik_domain::EventKind;
use naparnik_store::sync::Batch;
use naparnik_store::{Store, StoreError};
use naparnik_upstream::bitrix24::Bitrix24;
use naparnik_upstream::crm_dir::CrmDirectory;
use naparnik_upstream::crm_http::CrmHttp;
use naparnik_upstream::retailcrm::RetailCrm;
use naparnik_upstream::ut::UtClient;
use naparnik_upstream::{BatchEvent, CRM_API_KINDS, CRM_KINDS, DeliveryError, Refused, UT_KINDS};
use tokio::sync::watch;

pub use import::{ImportError, import_customers};
pub use lookup::{CustomerLookup, LookupOutcome, save_crm_customer};

/// How a target is reached.
#[derive(Debug, Clone)]
pub enum Connector {
    /// 1C:УТ through its HTTP service.
    Ut(UtClient),
    /// The CRM through a shared folder.
    CrmFolder(CrmDirectory),
    /// The CRM over HTTP.
    CrmHttp(CrmHttp),
    /// retailCRM through its API v5.
    RetailCrm(RetailCrm),
    /// Bitrix24 through an inbound webhook.
    Bitrix24(Bitrix24),
}

/// A named upstream target.
#[derive(Debug, Clone)]
pub struct Target {
    /// Name used in the store and in `naparnik sync status`.
    pub name: String,
    /// How it is reached.
    pub connector: Connector,
}

impl Target {
    /// The event kinds the target takes.
    pub fn kinds(&self) -> &'static [EventKind] {
        match self.connector {
            Connector::Ut(_) => UT_KINDS,
            Connector::CrmFolder(_) | Connector::CrmHttp(_) => CRM_KINDS,
            Connector::RetailCrm(_) | Connector::Bitrix24(_) => CRM_API_KINDS,
        }
    }

    async fn deliver(&self, batch: &Batch, offset: FixedOffset) -> Result<Refused, DeliveryError> {
        let events: Vec<BatchEvent<'_>> = batch
            .events
            .iter()
            .map(|e| BatchEvent {
                seq: e.seq,
                event: &e.event,
            })
            .collect();
        let generated = Utc::now().with_timezone(&offset);
        match &self.connector {
            Connector::Ut(ut) => ut.deliver(&batch.id, &events).await,
            Connector::CrmFolder(folder) => {
                let folder = folder.clone();
                let id = batch.id.clone();
                let owned: Vec<(i64, naparnik_domain::OutboxEvent)> = batch
                    .events
                    .iter()
                    .map(|e| (e.seq, e.event.clone()))
                    .collect();
                tokio::task::spawn_blocking(move || {
                    let events: Vec<BatchEvent<'_>> = owned
                        .iter()
                        .map(|(seq, event)| BatchEvent { seq: *seq, event })
                        .collect();
                    folder.deliver(&id, &events, generated)
                })
                .await
                .map_err(|e| DeliveryError::Retryable(format!("the writer task failed: {e}")))?
            }
            Connector::CrmHttp(http) => http.deliver(&batch.id, &events, generated).await,
            Connector::RetailCrm(crm) => crm.deliver(&events).await,
            Connector::Bitrix24(portal) => portal.deliver(&events).await,
        }
    }
}

/// How the worker behaves; defaults: push at once, pull every 60 s, back off up to 5 minutes.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// The targets.
    pub targets: Vec<Target>,
    /// Most events in one batch.
    pub batch_size: usize,
    /// How often customers and sellers are pulled.
    pub pull_interval: Duration,
    /// How often an idle target looks for new events.
    pub idle_poll: Duration,
    /// First backoff step.
    pub backoff_base: Duration,
    /// Longest backoff.
    pub backoff_cap: Duration,
    /// The store's UTC offset, for the times written in files.
    pub utc_offset: FixedOffset,
}

impl SyncConfig {
    /// Defaults for these targets.
    pub fn new(targets: Vec<Target>, utc_offset: FixedOffset) -> SyncConfig {
        SyncConfig {
            targets,
            batch_size: 100,
            pull_interval: Duration::from_secs(60),
            idle_poll: Duration::from_millis(200),
            backoff_base: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(300),
            utc_offset,
        }
    }
}

/// Why the worker could not run a step.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A target failed; the batch stays queued.
    #[error("{target}: {error}")]
    Delivery {
        /// Target name.
        target: String,
        /// What went wrong.
        error: DeliveryError,
    },
    /// A background task died.
    #[error("a sync task failed: {0}")]
    Task(String),
}

type SharedStore = Arc<Mutex<Store>>;

async fn with_store<T: Send + 'static>(
    store: &SharedStore,
    work: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, SyncError> {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || {
        let mut guard = store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        work(&mut guard)
    })
    .await
    .map_err(|e| SyncError::Task(e.to_string()))?
    .map_err(SyncError::from)
}

/// The backoff before attempt `failures + 1`: uniform in `[0, min(cap, base·2^(failures-1))]` (full jitter).
pub fn backoff(failures: u32, base: Duration, cap: Duration) -> Duration {
    let exponent = failures.saturating_sub(1).min(20);
    let ceiling = base.saturating_mul(1u32 << exponent).min(cap);
    Duration::from_millis(fastrand::u64(0..=ceiling.as_millis() as u64))
}

/// What one push round did for a target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushReport {
    /// Events delivered (accepted or, for refused ones, parked).
    pub delivered: u64,
    /// Events parked in this round.
    pub parked: u64,
    /// The error that stopped the round, if any; the batch stays queued.
    pub error: Option<String>,
    /// How long to wait before the next attempt after an error.
    pub retry_after: Option<Duration>,
}

/// Delivers everything queued for one target until the queue is empty or the target fails.
pub async fn push_target(
    store: &SharedStore,
    target: &Target,
    config: &SyncConfig,
) -> Result<PushReport, SyncError> {
    let mut report = PushReport::default();
    loop {
        let (name, kinds, limit) = (target.name.clone(), target.kinds(), config.batch_size);
        let Some(mut batch) = with_store(store, move |s| s.next_batch(&name, kinds, limit)).await?
        else {
            return Ok(report);
        };
        loop {
            match target.deliver(&batch, config.utc_offset).await {
                Ok(refused) => {
                    report.delivered += batch.events.len() as u64;
                    report.parked += refused.len() as u64;
                    with_store(store, move |s| s.complete_batch(&batch, &refused)).await?;
                    break;
                }
                Err(DeliveryError::Permanent(reason)) if batch.events.len() > 1 => {
                    tracing::warn!(target = %target.name, %reason, "batch refused; sending its events one by one");
                    let whole = batch.clone();
                    match with_store(store, move |s| s.shrink_batch(&whole)).await? {
                        Some(single) => batch = single,
                        None => break,
                    }
                }
                Err(DeliveryError::Permanent(reason)) => {
                    let refused = vec![(batch.events[0].seq, reason)];
                    report.delivered += 1;
                    report.parked += 1;
                    with_store(store, move |s| s.complete_batch(&batch, &refused)).await?;
                    break;
                }
                Err(error @ (DeliveryError::Retryable(_) | DeliveryError::Configuration(_))) => {
                    // A configuration error parks nothing: the batch waits until the setting is fixed.
                    let reason = match error {
                        DeliveryError::Configuration(reason) => format!("configuration: {reason}"),
                        DeliveryError::Retryable(reason) | DeliveryError::Permanent(reason) => {
                            reason
                        }
                    };
                    let name = target.name.clone();
                    let failures = with_store(store, {
                        let name = name.clone();
                        move |s| s.target_status(&name, kinds).map(|status| status.failures)
                    })
                    .await?;
                    let delay = backoff(failures + 1, config.backoff_base, config.backoff_cap);
                    let next = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
                    let logged = reason.clone();
                    with_store(store, move |s| s.record_failure(&name, &logged, next)).await?;
                    tracing::warn!(target = %target.name, %reason, retry_in_ms = delay.as_millis() as u64, "delivery failed");
                    report.error = Some(reason);
                    report.retry_after = Some(delay);
                    return Ok(report);
                }
            }
        }
    }
}

/// The worker: one push loop per target and one pull loop, until shutdown.
pub struct Worker {
    store_path: PathBuf,
    config: SyncConfig,
}

impl Worker {
    /// A worker over the store file at `store_path`; it opens its own connections.
    pub fn new(store_path: PathBuf, config: SyncConfig) -> Worker {
        Worker { store_path, config }
    }

    fn open(&self) -> Result<SharedStore, SyncError> {
        Ok(Arc::new(Mutex::new(Store::open(&self.store_path)?)))
    }

    /// Pushes and pulls once for every target; the reports say what failed.
    pub async fn run_once(&self) -> Result<Vec<(String, PushReport, Option<String>)>, SyncError> {
        let store = self.open()?;
        let mut results = Vec::new();
        for target in &self.config.targets {
            let push = push_target(&store, target, &self.config).await?;
            let pull = pull_and_record(&store, target).await?;
            results.push((target.name.clone(), push, pull));
        }
        Ok(results)
    }

    /// Runs until `shutdown` turns true.
    pub async fn run(self, shutdown: watch::Receiver<bool>) -> Result<(), SyncError> {
        let worker = Arc::new(self);
        let mut tasks = Vec::new();
        for index in 0..worker.config.targets.len() {
            let worker = Arc::clone(&worker);
            let shutdown = shutdown.clone();
            tasks.push(tokio::spawn(async move {
                worker.push_loop(index, shutdown).await
            }));
        }
        let puller = Arc::clone(&worker);
        let pull_shutdown = shutdown.clone();
        tasks.push(tokio::spawn(async move {
            puller.pull_loop(pull_shutdown).await
        }));
        for task in tasks {
            task.await.map_err(|e| SyncError::Task(e.to_string()))??;
        }
        Ok(())
    }

    async fn push_loop(
        &self,
        index: usize,
        mut shutdown: watch::Receiver<bool>,
    ) -> Result<(), SyncError> {
        let store = self.open()?;
        let target = &self.config.targets[index];
        let (name, kinds) = (target.name.clone(), target.kinds());
        // After a restart, honour the backoff the store remembers.
        let status = with_store(&store, move |s| s.target_status(&name, kinds)).await?;
        if let Some(next) = status.next_attempt_at_utc {
            let wait = (next - Utc::now())
                .to_std()
                .unwrap_or_default()
                .min(self.config.backoff_cap);
            if sleep_or_shutdown(wait, &mut shutdown).await {
                return Ok(());
            }
        }
        loop {
            let wait = match push_target(&store, target, &self.config).await {
                Ok(report) => report.retry_after.unwrap_or(self.config.idle_poll),
                Err(error) => {
                    tracing::error!(target = %target.name, "sync step failed: {error}");
                    self.config.backoff_cap.min(Duration::from_secs(5))
                }
            };
            if sleep_or_shutdown(wait, &mut shutdown).await {
                return Ok(());
            }
        }
    }

    async fn pull_loop(&self, mut shutdown: watch::Receiver<bool>) -> Result<(), SyncError> {
        let store = self.open()?;
        loop {
            for target in &self.config.targets {
                if let Err(error) = pull_and_record(&store, target).await {
                    tracing::error!(target = %target.name, "cannot record the pull: {error}");
                }
            }
            if sleep_or_shutdown(self.config.pull_interval, &mut shutdown).await {
                return Ok(());
            }
        }
    }
}

/// The sync cursor holding when the last pull finished (RFC 3339, UTC).
pub const LAST_PULL_AT: &str = "last_pull_at";
/// The sync cursor holding the last pull's error; empty after a successful pull.
pub const LAST_PULL_ERROR: &str = "last_pull_error";

/// Pulls once and records the outcome in the store for `sync status` and the window; returns the error text.
async fn pull_and_record(
    store: &SharedStore,
    target: &Target,
) -> Result<Option<String>, SyncError> {
    let error = pull::pull_target(store, target)
        .await
        .err()
        .map(|e| e.to_string());
    if let Some(error) = &error {
        tracing::warn!(target = %target.name, "pull failed: {error}");
    }
    let (name, text) = (target.name.clone(), error.clone().unwrap_or_default());
    with_store(store, move |s| {
        s.set_sync_cursor(&name, LAST_PULL_AT, &Utc::now().to_rfc3339())?;
        s.set_sync_cursor(&name, LAST_PULL_ERROR, &text)
    })
    .await?;
    Ok(error)
}

/// Sleeps; true when shutdown was asked for meanwhile.
async fn sleep_or_shutdown(duration: Duration, shutdown: &mut watch::Receiver<bool>) -> bool {
    if *shutdown.borrow() {
        return true;
    }
    tokio::select! {
        () = tokio::time::sleep(duration) => *shutdown.borrow(),
        changed = shutdown.changed() => changed.is_err() || *shutdown.borrow(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_within_the_cap_with_full_jitter() {
        let base = Duration::from_secs(1);
        let cap = Duration::from_secs(300);
        for failures in 1..30 {
            let ceiling = base.saturating_mul(1 << (failures - 1).min(20)).min(cap);
            for _ in 0..50 {
                assert!(backoff(failures, base, cap) <= ceiling);
            }
        }
        let samples: Vec<Duration> = (0..200).map(|_| backoff(10, base, cap)).collect();
        assert!(
            samples.iter().any(|d| *d < Duration::from_secs(100)),
            "jitter spreads retries"
        );
        assert!(samples.iter().any(|d| *d > Duration::from_secs(200)));
    }
}
