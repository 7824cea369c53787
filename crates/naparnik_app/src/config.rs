//! One typed configuration, read and checked once at start.
//!
//! Precedence: built-in defaults < the config file < environment < command line.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// Where the system-wide configuration lives.
pub const SYSTEM_CONFIG: &str = "/etc/naparnik/config.toml";

/// The configuration file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    #[serde(default)]
    log: LogSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogSection {
    level: Option<String>,
}

/// The configuration in force.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the database and logs live.
    pub data_dir: PathBuf,
    /// `tracing` filter for the log file (`info`, `naparnik=debug`, …).
    pub log_level: String,
    /// The file the configuration came from, if any.
    pub source: Option<PathBuf>,
}

impl Config {
    /// Reads the config file (the given one, else the system one if present) and applies overrides.
    pub fn load(config_file: Option<&Path>, data_dir: Option<&Path>) -> anyhow::Result<Config> {
        let source = match config_file {
            Some(path) => Some(path.to_owned()),
            None => Some(PathBuf::from(SYSTEM_CONFIG)).filter(|p| p.exists()),
        };
        let file = match &source {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let data_dir = match data_dir.map(Path::to_owned).or(file.data_dir) {
            Some(dir) => dir,
            None => default_data_dir()?,
        };
        Ok(Config {
            data_dir,
            log_level: file.log.level.unwrap_or_else(|| "info".into()),
            source,
        })
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    toml::from_str(&text).with_context(|| {
        format!(
            "the configuration file {} is invalid; fix the line named above",
            path.display()
        )
    })
}

fn default_data_dir() -> anyhow::Result<PathBuf> {
    match directories::ProjectDirs::from("ru", "Naparnik", "naparnik") {
        Some(dirs) => Ok(dirs.data_dir().to_owned()),
        None => bail!(
            "no home directory to keep data in: pass --data-dir or set data_dir in the configuration"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(
            &file,
            "data_dir = \"/srv/naparnik\"\n[log]\nlevel = \"debug\"\n",
        )
        .unwrap();
        let config = Config::load(Some(&file), None).unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/srv/naparnik"));
        assert_eq!(config.log_level, "debug");
        let config = Config::load(Some(&file), Some(Path::new("/tmp/x"))).unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/tmp/x"));
    }

    #[test]
    fn unknown_keys_are_an_error_that_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(&file, "data_dri = \"/srv\"\n").unwrap();
        let error = format!("{:#}", Config::load(Some(&file), None).unwrap_err());
        assert!(
            error.contains("config.toml is invalid") && error.contains("data_dri"),
            "{error}"
        );
    }
}
