use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use naparnik_store::Store;
use naparnik_store::receipts::TillIdentity;
use naparnik_store::wal::DEFAULT_LOG_LIMIT_BYTES;

use crate::error::ApiError;

/// What the bridge needs to know; the app fills it from its configuration.
#[derive(Debug, Clone)]
pub struct BridgeConfig {
    /// Store and till codes this Naparnik serves; documents for others are refused.
    pub till: TillIdentity,
    /// The bearer token 1C must send.
    pub token: String,
    /// The store manager's PIN for seller edits; `None` disables them.
    pub manager_pin: Option<String>,
    /// Largest accepted request body.
    pub body_limit_bytes: usize,
    /// Longest time one request may take.
    pub request_timeout: Duration,
}

/// Wrong PINs in a row before edits lock.
pub(crate) const PIN_ATTEMPTS: u32 = 5;
/// How long edits stay locked after too many wrong PINs.
pub(crate) const PIN_LOCKOUT: Duration = Duration::from_secs(300);

#[derive(Default)]
pub(crate) struct PinGuard {
    pub(crate) failures: u32,
    pub(crate) locked_until: Option<Instant>,
}

/// The bridge's shared state: the store and what it has seen.
pub struct Bridge {
    config: BridgeConfig,
    store: Mutex<Store>,
    last_request_utc: Mutex<Option<DateTime<Utc>>>,
    devices: Mutex<Vec<String>>,
    pub(crate) pin_guard: Mutex<PinGuard>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// How often the write-ahead log is copied into the database file, off the request path.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

impl Bridge {
    /// A bridge over an open store.
    ///
    /// Its commits only append to the write-ahead log; a background thread with its
    /// own connection copies the log into the database file every second, so no
    /// request waits for that copy and its fsync, and truncates the log once it
    /// passes 64 MiB, so it stays bounded however long 1C posts without pause.
    pub fn new(config: BridgeConfig, store: Store) -> Arc<Bridge> {
        let checkpoints = Store::open(store.path());
        let bridge = Arc::new(Bridge {
            config,
            store: Mutex::new(store),
            last_request_utc: Mutex::new(None),
            devices: Mutex::new(Vec::new()),
            pin_guard: Mutex::new(PinGuard::default()),
        });
        let deferred = checkpoints
            .map_err(|error| error.to_string())
            .and_then(|checkpoints| spawn_checkpoints(Arc::downgrade(&bridge), checkpoints))
            .and_then(|()| {
                lock(&bridge.store)
                    .defer_checkpoints()
                    .map_err(|error| error.to_string())
            });
        if let Err(error) = deferred {
            tracing::warn!(
                "bridge: no background checkpoints ({error}); its commits checkpoint as usual"
            );
        }
        bridge
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &BridgeConfig {
        &self.config
    }

    /// When 1C last made an authorized request: the window shows it as "1C seen".
    pub fn last_request_utc(&self) -> Option<DateTime<Utc>> {
        *lock(&self.last_request_utc)
    }

    /// Input devices and their state, one line each, as the window's reader reports them (for `/health`).
    pub fn set_devices(&self, devices: Vec<String>) {
        *lock(&self.devices) = devices;
    }

    pub(crate) fn devices(&self) -> Vec<String> {
        lock(&self.devices).clone()
    }

    pub(crate) fn saw_request(&self) {
        *lock(&self.last_request_utc) = Some(Utc::now());
    }

    pub(crate) fn pin_guard(&self) -> MutexGuard<'_, PinGuard> {
        lock(&self.pin_guard)
    }

    /// Runs `work` on the store off the async threads.
    pub(crate) async fn with_store<T, F>(self: &Arc<Self>, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
    {
        let bridge = Arc::clone(self);
        tokio::task::spawn_blocking(move || work(&mut lock(&bridge.store)))
            .await
            .map_err(|error| ApiError::internal(format!("store task failed: {error}")))?
    }
}

/// Checkpoints every [`CHECKPOINT_EVERY`] on its own thread until the bridge is gone,
/// truncating the log once it passes [`DEFAULT_LOG_LIMIT_BYTES`] (`naparnik_store::wal`).
fn spawn_checkpoints(bridge: std::sync::Weak<Bridge>, checkpoints: Store) -> Result<(), String> {
    std::thread::Builder::new()
        .name("naparnik-checkpoint".into())
        .spawn(move || {
            loop {
                std::thread::sleep(CHECKPOINT_EVERY);
                let Some(strong) = bridge.upgrade() else {
                    break;
                };
                // Held only while the log is truncated: the bridge's requests wait those
                // few milliseconds rather than keep the truncation from ever finding a gap.
                let round =
                    checkpoints.checkpoint_bounded(DEFAULT_LOG_LIMIT_BYTES, || lock(&strong.store));
                drop(strong);
                match round {
                    Ok(round) if round.log_bytes > DEFAULT_LOG_LIMIT_BYTES && !round.truncated => {
                        tracing::warn!(
                            "bridge: the write-ahead log is {} MiB and could not be truncated (another connection held it); trying again",
                            round.log_bytes >> 20
                        );
                    }
                    Ok(_) => {}
                    Err(error) => tracing::warn!("bridge: checkpoint failed: {error}"),
                }
            }
            // The last copy, so a stopped bridge leaves a short log behind.
            let _ = checkpoints.checkpoint();
        })
        .map(drop)
        .map_err(|error| format!("cannot start the checkpoint thread: {error}"))
}
