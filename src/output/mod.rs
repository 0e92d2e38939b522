//! Output formats: text for people, JSON (the stable contract of SPEC §4) and SARIF 2.1.0 for
//! code scanning. Every format renders the same [`AuditReport`] with the same [`RunInfo`].

pub mod json;
pub mod junit;
pub mod sarif;
pub mod text;

use crate::audit::{AuditReport, GatePolicy};
use crate::inventory::Snapshot;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
}

impl Format {
    pub const NAMES: [&'static str; 4] = ["text", "json", "sarif", "junit"];
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "junit" => Ok(Format::Junit),
            other => Err(format!("unknown format `{other}` (expected text, json, sarif or junit)")),
        }
    }
}

/// Where the audited data came from, for SARIF locations and report headers.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The snapshot (or config) file to point findings at, as given on the command line.
    pub path: Option<String>,
    /// 1-based line of that file that declares the region pair.
    pub regions_line: Option<usize>,
    /// The configuration file, where waivers live.
    pub config_path: Option<String>,
}

impl Origin {
    /// Point at the configuration file's `[regions]` table (SPEC §4: the line that declares
    /// the region pair) when there is one, else at the snapshot.
    pub fn prefer_config(self, config_path: Option<&str>, config_regions_line: Option<usize>) -> Self {
        match (config_path, config_regions_line) {
            (Some(path), Some(line)) => Origin {
                path: Some(path.to_string()),
                regions_line: Some(line),
                config_path: Some(path.to_string()),
            },
            _ => Origin { config_path: config_path.map(str::to_string), ..self },
        }
    }

    /// Locate the `"regions"` key in a snapshot text.
    pub fn of_snapshot(path: &str, text: &str) -> Self {
        let regions_line = text.lines().position(|l| l.contains("\"regions\"")).map(|i| i + 1);
        Origin { path: Some(path.to_string()), regions_line, config_path: None }
    }
}

/// Everything a renderer needs besides the findings.
pub struct RunInfo<'a> {
    pub snapshot: &'a Snapshot,
    pub gate: GatePolicy,
    pub origin: Origin,
    pub color: bool,
}

pub fn render(format: Format, report: &AuditReport, info: &RunInfo<'_>) -> String {
    match format {
        Format::Text => text::render(report, info),
        Format::Json => json::render(report, info),
        Format::Sarif => sarif::render(report, info),
        Format::Junit => junit::render(report, info),
    }
}
