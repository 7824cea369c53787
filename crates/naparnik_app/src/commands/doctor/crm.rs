//! Each CRM reached through its API (retailCRM, Bitrix24): reachable, key or webhook valid,
//! every mapping present, every active seller mapped to a CRM user.

use naparnik_store::Store;

use super::Verdict;
use crate::config::{Config, TargetSettings};

/// Each CRM reached through its API: reachable, key or webhook valid, every mapping present;
/// and every active seller mapped to a CRM user.
pub fn check(config: &Config) -> Vec<Verdict> {
    let crm_targets: Vec<&TargetSettings> = config
        .targets
        .iter()
        .filter(|t| {
            matches!(
                t,
                TargetSettings::RetailCrm(_) | TargetSettings::Bitrix24(_)
            )
        })
        .collect();
    if crm_targets.is_empty() {
        return Vec::new();
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            return vec![Verdict::problem(
                "crm",
                format!("cannot start the checks ({error})"),
            )];
        }
    };
    let sellers: Vec<String> = Store::open_in_dir(&config.data_dir)
        .and_then(|store| store.sellers())
        .map(|sellers| {
            sellers
                .into_iter()
                .filter(|s| s.active)
                .map(|s| s.code.0)
                .collect()
        })
        .unwrap_or_default();
    let mut verdicts = Vec::new();
    for target in crm_targets {
        let name = target.name().to_owned();
        let (checks, mapped, map_key, kind) = match target {
            TargetSettings::RetailCrm(settings) => {
                let checks = naparnik_upstream::retailcrm::RetailCrm::with_timeout(
                    crate::commands::sync::retailcrm_settings(settings),
                    std::time::Duration::from_secs(10),
                )
                .map(|crm| runtime.block_on(crm.check()));
                (
                    checks,
                    settings.managers.keys().cloned().collect::<Vec<_>>(),
                    "managers",
                    "retailCRM manager",
                )
            }
            TargetSettings::Bitrix24(settings) => {
                let checks = naparnik_upstream::bitrix24::Bitrix24::with_timeout(
                    crate::commands::sync::bitrix24_settings(settings),
                    std::time::Duration::from_secs(10),
                )
                .map(|portal| runtime.block_on(portal.check()));
                (
                    checks,
                    settings.users.keys().cloned().collect(),
                    "users",
                    "Bitrix24 user",
                )
            }
            _ => continue,
        };
        match checks {
            Ok(checks) => {
                for check in checks {
                    verdicts.push(match check.fix {
                        None => Verdict::ok(format!("crm {name}"), check.what),
                        Some(fix) => Verdict::problem(
                            format!("crm {name}"),
                            format!("{}; {fix}", check.what),
                        ),
                    });
                }
            }
            Err(error) => verdicts.push(Verdict::problem(format!("crm {name}"), error.to_string())),
        }
        let unmapped: Vec<&String> = sellers.iter().filter(|s| !mapped.contains(s)).collect();
        if !unmapped.is_empty() {
            verdicts.push(Verdict::warning(format!("crm {name}"), format!(
                "sellers without a {kind}: {}; add them to `{map_key}` (seller code = user id), or their sales carry them only in the sellers field",
                unmapped.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            )));
        }
    }
    verdicts
}
