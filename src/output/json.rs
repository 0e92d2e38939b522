//! `--format json`: the stable machine contract of SPEC §4. Field names here are an interface:
//! add, never rename.

use super::RunInfo;
use crate::audit::{AuditReport, BaselineCounts, GateResult, RuleCounts};
use crate::findings::Finding;
use crate::inventory::RegionPair;
use crate::waivers::WaiverUse;
use serde::Serialize;
use std::collections::BTreeMap;

/// The JSON document's own version, independent of the snapshot's.
pub const OUTPUT_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
pub struct JsonReport<'a> {
    pub schema_version: u32,
    pub drscan_version: &'static str,
    pub regions: &'a RegionPair,
    pub account: &'a str,
    pub collected_at: String,
    pub summary: Summary<'a>,
    pub findings: &'a [Finding],
    pub estimates: Vec<serde_json::Value>,
    /// What became of each configured waiver (applied, expired, unused).
    pub waivers: &'a [WaiverUse],
}

#[derive(Serialize)]
pub struct Summary<'a> {
    pub fail: usize,
    pub unknown: usize,
    pub waived: usize,
    pub pass: usize,
    pub gate: GateResult,
    pub fail_on: &'static str,
    pub allow_unknown: bool,
    /// Per-rule counts, passes included (SPEC §4: passes are counted per rule).
    pub rules: &'a BTreeMap<&'static str, RuleCounts>,
    /// With `--baseline`: how many findings were known before and how many are new.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineCounts>,
}

pub fn document<'a>(report: &'a AuditReport, info: &'a RunInfo<'_>) -> JsonReport<'a> {
    let total = report.total();
    JsonReport {
        schema_version: OUTPUT_SCHEMA_VERSION,
        drscan_version: env!("CARGO_PKG_VERSION"),
        regions: &info.snapshot.regions,
        account: &info.snapshot.account,
        collected_at: info.snapshot.collected_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        summary: Summary {
            fail: total.fail,
            unknown: total.unknown,
            waived: total.waived,
            pass: total.pass,
            gate: report.gate,
            fail_on: info.gate.fail_on.as_str(),
            allow_unknown: info.gate.allow_unknown,
            rules: &report.counts,
            baseline: report.baseline,
        },
        findings: &report.findings,
        estimates: Vec::new(),
        waivers: &report.waivers,
    }
}

pub fn render(report: &AuditReport, info: &RunInfo<'_>) -> String {
    // Serialising plain data structures cannot fail.
    let mut text = serde_json::to_string_pretty(&document(report, info)).unwrap_or_default();
    text.push('\n');
    text
}
