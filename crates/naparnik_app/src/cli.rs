//! The command line: stable, because IT and tests script it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use naparnik_domain::PhoneQuery;

/// Cashier-side companion for 1C:Розница: the customer by phone and the sellers by badge for
/// every receipt, handed to the 1C cashier workplace over a local bridge and carried on to
/// 1C:УТ and the CRM.
///
/// Without a command the till window opens. Start with `naparnik doctor`: it checks this till
/// and says what to fix. Configuration: /etc/naparnik/config.toml (every key documented there).
#[derive(Debug, Parser)]
#[command(name = "naparnik", version)]
pub struct Cli {
    /// Data directory (database, logs). Default: from the config, else the user's data directory.
    #[arg(long, global = true, env = "NAPARNIK_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Configuration file. Default: /etc/naparnik/config.toml (Windows: %ProgramData%\Naparnik\config.toml) when it exists.
    #[arg(long, global = true, env = "NAPARNIK_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Load demo data first: six sample sellers with a printable sheet of their badges
    /// (demo-badges.png in the data directory) and 3000 sample customers, all marked and removed
    /// by `naparnik demo remove`. Then the window opens (or the command runs). Refused when
    /// sales go upstream ([[sync.targets]]).
    #[arg(long)]
    pub demo: bool,
    /// What to do; without a command the till window opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Customers: import the CRM file, find by phone.
    #[command(subcommand)]
    Customers(CustomersCommand),
    /// Sellers: import the list, show it.
    #[command(subcommand)]
    Sellers(SellersCommand),
    /// Check this till: configuration, data and database, disk, devices, the bridge and 1C,
    /// every upstream target. One line each: ok, warning or PROBLEM with what to do;
    /// exit 1 when anything is a problem.
    Doctor {
        /// Print `{"ok", "checks": [{"check", "level", "message"}]}` for scripts.
        #[arg(long)]
        json: bool,
        /// Write a support archive (tar.gz) instead: doctor's report, the configuration without
        /// secrets, devices, sync status and recent logs, phones masked.
        #[arg(long, value_name = "FILE")]
        bundle: Option<PathBuf>,
    },
    /// Run the bridge for 1C:Розница without a window, until SIGTERM or Ctrl-C.
    Serve {
        /// Address to listen on (loopback only). Default: 127.0.0.1 and the configured port.
        #[arg(long, value_name = "ADDR")]
        bridge_addr: Option<std::net::SocketAddr>,
    },
    /// Run the bridge as the Windows service "Naparnik" (started by the service manager, not by hand).
    #[command(hide = true)]
    Service,
    /// Print the bridge's OpenAPI document.
    Openapi,
    /// Bring the database to this version's schema and exit (the package runs it on upgrade).
    Migrate,
    /// Input devices: list candidates (no subcommand) or watch scans and keys live.
    Devices {
        /// `watch` to print decoded scans and keys live.
        #[command(subcommand)]
        action: Option<DevicesCommand>,
    },
    /// The upstream queue: status, one round, retry of parked events.
    #[command(subcommand)]
    Sync(SyncCommand),
    /// Demo data (loaded with `naparnik --demo`): remove it, or write its badge sheet again.
    #[command(subcommand)]
    Demo(DemoCommand),
}

/// `naparnik demo …`
#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Remove the demo sellers and customers, the receipts and shifts made with them and their
    /// queued events; real data stays.
    Remove,
    /// Write the demo badge sheet (PNG, A4) again.
    Badges {
        /// Where to write it. Default: demo-badges.png in the data directory.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// `naparnik customers …`
#[derive(Debug, Subcommand)]
pub enum CustomersCommand {
    /// Apply a CRM customers XML file (urn:naparnik:crm-customers:1).
    Import {
        /// The XML file.
        file: PathBuf,
    },
    /// Find customers by a phone in any format or by its last 4+ digits.
    Find {
        /// `8 (951) 305-44-36`, `+79513054436`, `4436`, …
        #[arg(value_parser = parse_query)]
        query: PhoneQuery,
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// `naparnik devices …`
#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// Print decoded, classified scans and keypad keys live, from the configured devices and those named here.
    Watch {
        /// A serial scanner port (repeatable).
        #[arg(long)]
        serial: Vec<String>,
        /// A keyboard-wedge scanner's evdev node, read without a grab (repeatable).
        #[arg(long)]
        wedge: Vec<String>,
        /// A numeric keypad's evdev node (repeatable).
        #[arg(long)]
        keypad: Vec<String>,
        /// A HID POS scanner's hidraw node (repeatable).
        #[arg(long)]
        hidraw: Vec<String>,
    },
}

/// `naparnik sync …`
#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Per target: backlog, oldest pending age, last success, last error, parked events.
    Status,
    /// Push everything queued and pull customers and sellers, once; exit 1 if anything failed.
    Run {
        /// Run one round and exit (the worker inside `serve` runs continuously).
        #[arg(long, required = true)]
        once: bool,
    },
    /// Send parked events again after the cause was fixed.
    RetryParked {
        /// Only this target.
        #[arg(long)]
        target: Option<String>,
    },
}

/// `naparnik sellers …`
#[derive(Debug, Subcommand)]
pub enum SellersCommand {
    /// Create or update sellers from a CSV file with the header `code,name,badge` (optional `active`).
    Import {
        /// The CSV file.
        file: PathBuf,
    },
    /// Show all sellers.
    List {
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
}

fn parse_query(text: &str) -> Result<PhoneQuery, String> {
    PhoneQuery::parse(text).map_err(|e| format!("{e}; or give at least 4 last digits"))
}
