//! One module per command; each returns the exit code or an error for `main` to print.

mod customers;
pub mod devices;
pub mod doctor;
mod sellers;
pub mod serve;
mod service;
pub mod sync;

pub use sync::{crm_lookup, sync_config};

use std::process::ExitCode;

use anyhow::Context;
use naparnik_store::Store;

use crate::cli::{
    Command, CustomersCommand, DemoCommand, DevicesCommand, SellersCommand, SyncCommand,
};
use crate::config::Config;

/// Runs a command, or the window when there is none.
pub fn run(
    command: Option<Command>,
    config: &Config,
    started: std::time::Instant,
) -> anyhow::Result<ExitCode> {
    match command {
        None => crate::window::run(config, started),
        Some(Command::Customers(CustomersCommand::Import { file })) => {
            customers::import(config, &file)
        }
        Some(Command::Customers(CustomersCommand::Find { query, json })) => {
            customers::find(config, &query, json)
        }
        Some(Command::Sellers(SellersCommand::Import { file })) => sellers::import(config, &file),
        Some(Command::Sellers(SellersCommand::List { json })) => sellers::list(config, json),
        Some(Command::Doctor {
            bundle: Some(file), ..
        }) => {
            let files = doctor::bundle::write(config, &file)?;
            println!(
                "{}: {files} files (doctor's report, configuration without secrets, devices, sync status, logs); send it to support",
                file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Doctor { json, bundle: None }) => doctor::run(config, json),
        Some(Command::Serve { bridge_addr }) => serve::run(config, bridge_addr),
        Some(Command::Service) => service::run(config),
        Some(Command::Devices { action: None }) => devices::list(),
        Some(Command::Devices {
            action:
                Some(DevicesCommand::Watch {
                    serial,
                    wedge,
                    keypad,
                    hidraw,
                }),
        }) => devices::watch(
            config,
            devices::WatchArgs {
                serial,
                wedge,
                keypad,
                hidraw,
            },
        ),
        Some(Command::Sync(SyncCommand::Status)) => sync::status(config),
        Some(Command::Sync(SyncCommand::Run { .. })) => sync::run_once(config),
        Some(Command::Sync(SyncCommand::RetryParked { target })) => {
            sync::retry_parked(config, target.as_deref())
        }
        Some(Command::Migrate) => {
            let store = open_store(config)?;
            println!(
                "{}: schema {}",
                store.path().display(),
                store.schema_version()?
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Demo(DemoCommand::Remove)) => crate::demo::remove_command(config),
        Some(Command::Demo(DemoCommand::Badges { out })) => {
            crate::demo::badges_command(config, out.as_deref())
        }
        Some(Command::Openapi) => {
            println!("{}", naparnik_bridge::openapi().to_pretty_json()?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Opens the store in the configured data directory.
pub fn open_store(config: &Config) -> anyhow::Result<Store> {
    Store::open_in_dir(&config.data_dir)
        .with_context(|| format!("cannot open the store in {}", config.data_dir.display()))
}
