//! Logs: warnings and errors to stderr, everything at the configured level to daily files in the data directory.

use std::io::IsTerminal;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, fmt};

use crate::config::Config;

/// The target of the final error `main` logs: kept in the file, not repeated on stderr.
pub const EXIT_TARGET: &str = "naparnik::exit";

/// How many daily log files are kept.
const KEPT_LOG_FILES: usize = 14;

/// The filter with the phone library held at a level where it logs no numbers, whatever IT asked for.
fn hiding_phones(filter: EnvFilter) -> EnvFilter {
    match naparnik_domain::phone::LOG_DIRECTIVE_HIDING_PHONES.parse() {
        Ok(directive) => filter.add_directive(directive),
        Err(_) => filter,
    }
}

/// Starts logging; the guard flushes the file on drop. A log directory that cannot be made only disables the file.
pub fn init(config: &Config, interactive: bool) -> Option<WorkerGuard> {
    let stderr_level = if interactive { "info" } else { "warn" };
    // The final error is printed by `main` itself; the stderr log would only repeat it.
    let stderr_level = format!("{stderr_level},{EXIT_TARGET}=off");
    let stderr = fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .with_filter(hiding_phones(
            EnvFilter::try_from_env("NAPARNIK_LOG")
                .unwrap_or_else(|_| EnvFilter::new(&stderr_level)),
        ));
    let log_dir = config.data_dir.join("logs");
    let appender = std::fs::create_dir_all(&log_dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            RollingFileAppender::builder()
                .rotation(Rotation::DAILY)
                .filename_prefix("naparnik")
                .filename_suffix("log")
                .max_log_files(KEPT_LOG_FILES)
                .build(&log_dir)
                .map_err(|e| e.to_string())
        });
    match appender {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file_filter = hiding_phones(
                EnvFilter::try_new(&config.log_level).unwrap_or_else(|_| EnvFilter::new("info")),
            );
            let file = fmt::layer()
                .with_writer(writer)
                .with_ansi(false)
                .with_filter(file_filter);
            tracing_subscriber::registry()
                .with(stderr)
                .with(file)
                .init();
            Some(guard)
        }
        Err(error) => {
            tracing_subscriber::registry().with(stderr).init();
            tracing::warn!(
                "cannot write logs to {}: {error}; logging to stderr only",
                log_dir.display()
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directive_hiding_phones_is_a_valid_filter_directive() {
        let parsed: Result<tracing_subscriber::filter::Directive, _> =
            naparnik_domain::phone::LOG_DIRECTIVE_HIDING_PHONES.parse();
        assert!(parsed.is_ok(), "{parsed:?}");
        assert!(
            hiding_phones(EnvFilter::new("trace"))
                .to_string()
                .contains("rlibphonenumber=info")
        );
    }
}
