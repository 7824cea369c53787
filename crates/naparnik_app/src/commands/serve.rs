//! `naparnik serve`: the bridge for 1C:Розница, headless, until SIGTERM or Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use naparnik_bridge::{Bridge, BridgeConfig, DEFAULT_BODY_LIMIT_BYTES, DEFAULT_REQUEST_TIMEOUT};
use naparnik_store::receipts::TillIdentity;
use naparnik_ui::{Bilingual, StatusLine};

use crate::config::Config;

/// The environment variable that can carry the bridge token.
pub const TOKEN_ENV: &str = "NAPARNIK_BRIDGE_TOKEN";
/// The file in the data directory holding a generated token.
pub const TOKEN_FILE: &str = "bridge-token";

/// Where the token in force came from.
pub enum TokenSource {
    /// `[bridge] token` in the configuration.
    Config,
    /// The `NAPARNIK_BRIDGE_TOKEN` environment variable.
    Environment,
    /// The generated file in the data directory.
    File(PathBuf),
}

/// The bridge token: from the configuration, else the environment, else the data directory (generated on first use, readable by its owner only).
pub fn bridge_token(config: &Config) -> anyhow::Result<(String, TokenSource)> {
    if let Some(token) = &config.bridge_token {
        return Ok((token.clone(), TokenSource::Config));
    }
    if let Ok(token) = std::env::var(TOKEN_ENV)
        && !token.trim().is_empty()
    {
        return Ok((token.trim().to_owned(), TokenSource::Environment));
    }
    let path = config.data_dir.join(TOKEN_FILE);
    if let Ok(token) = std::fs::read_to_string(&path)
        && !token.trim().is_empty()
    {
        return Ok((token.trim().to_owned(), TokenSource::File(path)));
    }
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    crate::platform::write_private(&path, &token)
        .with_context(|| format!("cannot write the bridge token to {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a new bridge token");
    Ok((token, TokenSource::File(path)))
}

/// Builds the bridge over its own store connection, from the configuration.
fn build_bridge(config: &Config) -> anyhow::Result<std::sync::Arc<Bridge>> {
    let (token, _) = bridge_token(config)?;
    let store = super::open_store(config)?;
    Ok(Bridge::new(
        BridgeConfig {
            till: TillIdentity {
                store: config.store_code.clone(),
                till: config.till_code.clone(),
            },
            token,
            manager_pin: config.manager_pin.clone(),
            body_limit_bytes: DEFAULT_BODY_LIMIT_BYTES,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        },
        store,
    ))
}

fn loopback_address(config: &Config, address: Option<SocketAddr>) -> anyhow::Result<SocketAddr> {
    let address = address.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], config.bridge_port)));
    if !address.ip().is_loopback() {
        bail!(
            "the bridge listens on loopback only (127.0.0.1 or ::1), not {address}: 1C runs on this computer"
        );
    }
    Ok(address)
}

/// Serves the bridge on `address` until `shutdown` completes; `on_listening` hears the bound address.
fn run_bridge(
    config: &Config,
    address: SocketAddr,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    on_listening: impl FnOnce(SocketAddr, &std::sync::Arc<Bridge>),
) -> anyhow::Result<()> {
    let bridge = build_bridge(config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("naparnik-bridge")
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let worker = super::sync::sync_config(config)?.map(|sync| {
        naparnik_sync::Worker::new(
            config.data_dir.join(naparnik_store::DATABASE_FILE_NAME),
            sync,
        )
    });
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| {
                format!(
                    "cannot listen on {address}; is another Naparnik running? Change [bridge] port"
                )
            })?;
        let bound = listener.local_addr()?;
        tracing::info!(address = %bound, "bridge listening");
        on_listening(bound, &bridge);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let worker = worker.map(|worker| tokio::spawn(worker.run(stopped.clone())));
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        let mut bridge_stopped = stopped.clone();
        let (router, _) = naparnik_bridge::router(bridge);
        naparnik_bridge::serve(listener, router, async move {
            let _ = bridge_stopped.wait_for(|stop| *stop).await;
        })
        .await
        .context("the bridge stopped")?;
        if let Some(worker) = worker {
            worker
                .await
                .context("the sync worker failed")?
                .context("the sync worker failed")?;
        }
        tracing::info!("bridge and sync worker stopped");
        anyhow::Ok(())
    })
}

/// Runs the bridge on the configured address until `shutdown`; `on_listening` once it accepts requests.
#[cfg_attr(
    not(windows),
    expect(dead_code, reason = "only the Windows service uses it")
)]
pub fn run_until(
    config: &Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    on_listening: impl FnOnce(),
) -> anyhow::Result<()> {
    let address = loopback_address(config, None)?;
    run_bridge(config, address, shutdown, |_, _| on_listening())
}

/// Runs the bridge until SIGTERM or Ctrl-C.
pub fn run(config: &Config, address: Option<SocketAddr>) -> anyhow::Result<ExitCode> {
    let address = loopback_address(config, address)?;
    run_bridge(
        config,
        address,
        crate::platform::shutdown_signal(),
        |bound, _| {
            println!("naparnik bridge listening on http://{bound}");
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The bridge on a named background thread, for the window; its state is reported through `status`.
pub fn spawn_for_window(
    config: &Config,
    status: std::sync::Arc<std::sync::Mutex<StatusLine>>,
    bridge_slot: std::sync::Arc<std::sync::Mutex<Option<std::sync::Arc<Bridge>>>>,
    changed: impl Fn() + Send + 'static,
) -> anyhow::Result<()> {
    let config = config.clone();
    let address = loopback_address(&config, None)?;
    std::thread::Builder::new()
        .name("naparnik-bridge".into())
        .spawn(move || {
            let set = |line: StatusLine| {
                if let Ok(mut slot) = status.lock() {
                    *slot = line;
                }
                changed();
            };
            let result = run_bridge(&config, address, std::future::pending(), |bound, bridge| {
                if let Ok(mut slot) = bridge_slot.lock() {
                    *slot = Some(bridge.clone());
                }
                set(StatusLine {
                    ok: true,
                    text: Bilingual::new(
                        format!("Связь с 1С: мост на {bound}"),
                        format!("Link to 1C: bridge on {bound}"),
                    ),
                });
            });
            if let Err(error) = result {
                tracing::error!("bridge: {error:#}");
                set(StatusLine {
                    ok: false,
                    text: Bilingual::new(
                        format!("Связь с 1С не работает: {error:#}. Запустите «naparnik doctor»."),
                        format!("The link to 1C is down: {error:#}. Run `naparnik doctor`."),
                    ),
                });
            }
        })
        .context("cannot start the bridge thread")?;
    Ok(())
}
