//! Output formats: text for people, JSON (the stable contract of SPEC §4), SARIF 2.1.0 for
//! code scanning and JUnit for CI test reports. Every format renders the same
//! [`AuditReport`] with the same [`RunInfo`].

pub mod json;
pub mod junit;
pub mod sarif;
pub mod text;
pub mod unread;

use crate::audit::{AuditReport, GatePolicy};
use crate::inventory::Snapshot;

/// The audit's output formats; their names (`--format`, `-o FORMAT=FILE`) come from the derive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: findings by application, then severity, and the RTO/RPO estimates.
    Text,
    /// For programs: the stable JSON contract (findings, summary, estimates, waivers).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// JUnit XML, for CI test reports.
    Junit,
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

/// Why a waived finding is waived, as every output words it: `waived: REASON (until DATE)`.
pub fn waiver_note(finding: &crate::findings::Finding) -> Option<String> {
    if finding.status != crate::findings::Status::Waived {
        return None;
    }
    let text = |key: &str| finding.evidence.get(key).and_then(|v| v.as_str());
    let until = text("waiver_expires").map(|d| format!(" (until {d})")).unwrap_or_default();
    Some(format!("waived: {}{until}", text("waiver_reason").unwrap_or("see drscan.toml")))
}

/// A finding's message, followed by its waiver's reason when it is waived (the reports' cells).
pub fn message_with_waiver(finding: &crate::findings::Finding) -> String {
    match waiver_note(finding) {
        Some(note) => format!("{} — {note}", finding.message),
        None => finding.message.clone(),
    }
}

/// Everything a renderer needs besides the findings.
pub struct RunInfo<'a> {
    pub snapshot: &'a Snapshot,
    pub gate: GatePolicy,
    pub origin: Origin,
    pub color: bool,
}

impl Format {
    /// The format a file's extension names: `.sarif` (and `.sarif.json`), `.json`, `.xml`
    /// (JUnit). `.txt` and other extensions name none.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".sarif.json") {
            return Some(Format::Sarif);
        }
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "sarif" => Some(Format::Sarif),
            "json" => Some(Format::Json),
            "xml" => Some(Format::Junit),
            _ => None,
        }
    }
}

pub fn render(format: Format, report: &AuditReport, info: &RunInfo<'_>) -> String {
    match format {
        Format::Text => text::render(report, info),
        Format::Json => json::render(report, info),
        Format::Sarif => sarif::render(report, info),
        Format::Junit => junit::render(report, info),
    }
}
