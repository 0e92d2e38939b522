//! Output formats: text for people, JSON (the stable contract of SPEC §4) and SARIF 2.1.0 for
//! code scanning. Every format renders the same [`AuditReport`] with the same [`RunInfo`].

pub mod json;
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
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            other => Err(format!("unknown format `{other}` (expected text, json or sarif)")),
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
}

impl Origin {
    /// Locate the `"regions"` key in a snapshot text.
    pub fn of_snapshot(path: &str, text: &str) -> Self {
        let regions_line = text.lines().position(|l| l.contains("\"regions\"")).map(|i| i + 1);
        Origin { path: Some(path.to_string()), regions_line }
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
    }
}
