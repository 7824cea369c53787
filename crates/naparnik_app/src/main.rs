//! `naparnik`: the till companion's one binary.
//!
//! Without a command it opens the till window; with one it does a single
//! job for IT or a script and exits: 0 on success, 1 on failure (with a
//! message on stderr), 2 on a usage error.

mod cli;
mod commands;
mod config;
mod demo;
mod logging;
mod platform;
mod till;
mod window;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let cli = cli::Cli::parse();
    let config = match config::Config::load(cli.config.as_deref(), cli.data_dir.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            // Doctor reports a broken configuration as its first problem and checks the rest.
            if let Some(cli::Command::Doctor { json, .. }) = cli.command
                && let Ok(defaults) = config::Config::defaults(cli.data_dir.as_deref())
            {
                return commands::doctor::run_without_config(&error, &defaults, json)
                    .unwrap_or(ExitCode::FAILURE);
            }
            eprintln!("naparnik: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    let _log_guard = logging::init(&config, cli.command.is_none());
    if cli.demo {
        if let Err(error) = demo::load_command(&config) {
            return failed(&error);
        }
        if cli.command.is_none() && !platform::has_display() {
            println!("no graphical session here: open the window later with `naparnik`");
            return ExitCode::SUCCESS;
        }
    }
    match commands::run(cli.command, &config, started) {
        Ok(code) => code,
        Err(error) => failed(&error),
    }
}

/// Says what went wrong, in the log file and on stderr.
fn failed(error: &anyhow::Error) -> ExitCode {
    tracing::error!(target: logging::EXIT_TARGET, "{error:#}");
    eprintln!("naparnik: {error:#}");
    ExitCode::FAILURE
}
