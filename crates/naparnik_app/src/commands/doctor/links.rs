//! What the till talks to: the bridge port and 1C, and every upstream target.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use chrono::{DateTime, Utc};
use naparnik_sync::Connector;
use naparnik_upstream::DeliveryError;

use super::{Secrets, Verdict, age};
use crate::commands::serve::{TOKEN_ENV, TokenSource, bridge_token};
use crate::config::Config;

const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// Events waiting longer than this are more than a short outage.
const STALE_BACKLOG_HOURS: i64 = 24;

/// The token, the port (free, ours or taken), and when 1C last called.
pub fn bridge(config: &Config, secrets: Secrets) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    match bridge_token(config) {
        Ok((token, source)) => {
            let from = match source {
                TokenSource::Config => "from the configuration".to_owned(),
                TokenSource::Environment => format!("from {TOKEN_ENV}"),
                TokenSource::File(path) => format!("from {}", path.display()),
            };
            let token = match secrets {
                Secrets::Shown => token,
                Secrets::Hidden => "(hidden)".into(),
            };
            verdicts.push(Verdict::ok(
                "bridge token",
                format!(
                    "{token} ({from}), store `{}`, till `{}`; enter it in the 1C extension settings",
                    config.store_code, config.till_code
                ),
            ));
        }
        Err(error) => verdicts.push(Verdict::problem("bridge token", format!("{error:#}"))),
    }
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, config.bridge_port));
    let mut last_call: Option<Option<DateTime<Utc>>> = None;
    match TcpListener::bind(address) {
        Ok(listener) => {
            drop(listener);
            verdicts.push(Verdict::warning(
                "bridge port",
                format!(
                    "{address} is free: Naparnik is not running, so 1C cannot reach it; start the window or `systemctl start naparnik`"
                ),
            ));
        }
        Err(_) => match health(address) {
            Some(health) => {
                let version = health["version"].as_str().unwrap_or("?");
                verdicts.push(Verdict::ok(
                    "bridge port",
                    format!("{address}: Naparnik {version} is serving (GET /health answers)"),
                ));
                last_call = Some(
                    health["last_request_from_1c"]
                        .as_str()
                        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                        .map(|t| t.to_utc()),
                );
            }
            None => verdicts.push(Verdict::problem(
                "bridge port",
                format!(
                    "{address} is taken by another program: stop it, or change [bridge] port and the extension's setting to match"
                ),
            )),
        },
    }
    let last_receipt = naparnik_store::Store::open_in_dir(&config.data_dir)
        .and_then(|store| store.last_receipt_received_at_utc())
        .ok()
        .flatten();
    verdicts.push(match (last_call, last_receipt) {
        (Some(Some(at)), _) => Verdict::ok("1C", format!("last called {}", age(at))),
        (Some(None), Some(at)) => Verdict::warning(
            "1C",
            format!(
                "no call since Naparnik started; the last receipt came {}: check the extension's address and token if sales are being rung up",
                age(at)
            ),
        ),
        (_, Some(at)) => Verdict::ok("1C", format!("the last receipt came {}", age(at))),
        (_, None) => Verdict::warning(
            "1C",
            "no receipt from 1C yet: install the extension (/usr/share/naparnik/1c/) and enter the address and token in its settings",
        ),
    });
    verdicts
}

/// `GET /health` by hand: a blocking, short request, so no runtime is needed.
fn health(address: SocketAddr) -> Option<serde_json::Value> {
    let mut stream = TcpStream::connect_timeout(&address, PROBE_TIMEOUT).ok()?;
    stream.set_read_timeout(Some(PROBE_TIMEOUT)).ok()?;
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut response = Vec::new();
    stream.take(1 << 20).read_to_end(&mut response).ok()?;
    let text = String::from_utf8_lossy(&response);
    let body = text.split_once("\r\n\r\n")?.1;
    let value: serde_json::Value = serde_json::from_str(body.trim()).ok()?;
    value.get("database_ok")?;
    Some(value)
}

/// Per target: reachable and credentials accepted (asked now where that reads nothing
/// into the till), then backlog, oldest pending and parked events from the store.
pub fn upstream(config: &Config) -> Vec<Verdict> {
    let sync = match crate::commands::sync_config(config) {
        Ok(Some(sync)) => sync,
        Ok(None) => {
            return vec![Verdict::ok(
                "upstream",
                "no targets configured: sales stay at the till; add [[sync.targets]] for UT and the CRM",
            )];
        }
        Err(error) => return vec![Verdict::problem("upstream", format!("{error:#}"))],
    };
    let store = match naparnik_store::Store::open_in_dir(&config.data_dir) {
        Ok(store) => store,
        Err(error) => return vec![Verdict::problem("upstream", error.to_string())],
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            return vec![Verdict::problem(
                "upstream",
                format!("no async runtime: {error}"),
            )];
        }
    };
    let mut verdicts = Vec::new();
    for target in &sync.targets {
        let check = format!("upstream {}", target.name);
        verdicts.push(match runtime.block_on(probe(&target.connector)) {
            Probe::Answered(what) => Verdict::ok(check.clone(), what),
            Probe::NotAsked(what) => Verdict::ok(check.clone(), what),
            Probe::Refused(error) => Verdict::problem(
                check.clone(),
                format!("credentials refused ({error}): check user/password (or authorization) of this target"),
            ),
            Probe::Unreachable(error) => Verdict::warning(
                check.clone(),
                format!("not reachable now ({error}): sales keep queuing and go out once it is back; check the network and the url"),
            ),
        });
        let status = match store.target_status(&target.name, target.kinds()) {
            Ok(status) => status,
            Err(error) => {
                verdicts.push(Verdict::problem(check, error.to_string()));
                continue;
            }
        };
        let backlog = format!("backlog {} events", status.backlog);
        let last = status
            .last_success_at_utc
            .map_or("never delivered".into(), |at| {
                format!("last delivery {}", age(at))
            });
        verdicts.push(match status.oldest_pending_at_utc {
            Some(oldest) if (Utc::now() - oldest).num_hours() >= STALE_BACKLOG_HOURS => Verdict::problem(
                format!("{check} backlog"),
                format!(
                    "{backlog}, the oldest waiting since {}, {last}{}: the target has not taken events for a day; see `naparnik sync status`",
                    age(oldest),
                    status.last_error.as_ref().map_or(String::new(), |e| format!(", last error: {e}"))
                ),
            ),
            Some(oldest) => Verdict::ok(
                format!("{check} backlog"),
                format!("{backlog}, the oldest waiting since {}, {last}", age(oldest)),
            ),
            None => Verdict::ok(format!("{check} backlog"), format!("{backlog}, {last}")),
        });
        if !status.parked.is_empty() {
            let first = &status.parked[0];
            verdicts.push(Verdict::problem(
                format!("{check} parked"),
                format!(
                    "{} event(s) refused as wrong, first #{} {}: {}; fix the cause in the target, then `naparnik sync retry-parked`",
                    status.parked.len(),
                    first.seq,
                    first.kind,
                    first.reason
                ),
            ));
        }
    }
    verdicts
}

enum Probe {
    Answered(String),
    NotAsked(String),
    Refused(String),
    Unreachable(String),
}

fn classify(error: DeliveryError) -> Probe {
    let text = error.to_string();
    if text.contains("HTTP 401") || text.contains("HTTP 403") {
        Probe::Refused(text)
    } else {
        Probe::Unreachable(text)
    }
}

async fn probe(connector: &Connector) -> Probe {
    match connector {
        Connector::Ut(ut) => match ut.clone().with_timeout(PROBE_TIMEOUT) {
            Ok(ut) => match ut.sellers_since(None).await {
                Ok(sellers) => Probe::Answered(format!(
                    "UT answers and accepts the credentials ({} sellers listed)",
                    sellers.items.len()
                )),
                Err(error) => classify(error),
            },
            Err(error) => Probe::Unreachable(error.to_string()),
        },
        Connector::CrmFolder(folder) => {
            let probe = folder.sales_dir.join(".naparnik-doctor-probe");
            match std::fs::write(&probe, b"probe").and_then(|()| std::fs::remove_file(&probe)) {
                Ok(()) => Probe::Answered(format!("{} is writable", folder.sales_dir.display())),
                Err(error) => Probe::Unreachable(format!(
                    "{} is not writable: {error}; mount the share and give the service user write access",
                    folder.sales_dir.display()
                )),
            }
        }
        Connector::RetailCrm(_) | Connector::Bitrix24(_) => {
            Probe::NotAsked("checked in detail below (key, shop, mappings)".into())
        }
        Connector::CrmHttp(_) => Probe::NotAsked(
            "not asked now (a request would send or download data); its last answer is below"
                .into(),
        ),
    }
}
