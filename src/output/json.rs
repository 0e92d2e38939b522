//! `--format json`: the stable machine contract of SPEC §4. Field names here are an interface:
//! add, never rename.

use super::RunInfo;
use crate::audit::{AuditReport, BaselineCounts, GateResult, RuleCounts};
use crate::estimate::{Amount, AppEstimate, Targets};
use crate::findings::Finding;
use crate::inventory::{AccountRecord, RegionPair, UnknownReason};
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
    /// The primary side's account.
    pub account: &'a str,
    /// When the setup spans several accounts: each, with the sides it plays (and why it could
    /// not be read, if it could not). Left out for one account playing every side.
    #[serde(skip_serializing_if = "one_account")]
    pub accounts: &'a [AccountRecord],
    pub collected_at: String,
    pub summary: Summary<'a>,
    pub findings: &'a [Finding],
    pub estimates: Vec<EstimateJson<'a>>,
    /// What became of each configured waiver (applied, expired, unused).
    pub waivers: &'a [WaiverUse],
}

/// One application's estimate, as SPEC §4 shapes it. A total is `null` when unbounded or
/// unknown, with `rto_reason`/`rpo_reason` saying why.
#[derive(Serialize)]
pub struct EstimateJson<'a> {
    pub app: &'a str,
    pub rto_seconds: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rto_reason: Option<String>,
    pub rpo_seconds: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rpo_reason: Option<String>,
    pub rto_breakdown: Vec<TermJson<'a>>,
    pub rpo_breakdown: Vec<TermJson<'a>>,
    pub targets: Targets,
}

#[derive(Serialize)]
pub struct TermJson<'a> {
    /// `step` for RTO terms, `store` for RPO terms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<&'a str>,
    pub seconds: Option<u64>,
    pub source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_data: Option<&'a UnknownReason>,
    /// The terms that add up to the total (the slowest of each kind; the worst store).
    pub critical_path: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<&'a str>,
}

fn reason(amount: &Amount) -> Option<String> {
    match amount {
        Amount::Seconds(_) => None,
        Amount::Unbounded(why) => Some(format!("unbounded: {why}")),
        Amount::Unknown(r) => Some(format!("unknown: {r}")),
    }
}

fn missing(amount: &Amount) -> Option<&UnknownReason> {
    match amount {
        Amount::Unknown(r) => Some(r),
        _ => None,
    }
}

pub fn estimate_json(estimate: &AppEstimate) -> EstimateJson<'_> {
    EstimateJson {
        app: &estimate.app,
        rto_seconds: estimate.rto.seconds(),
        rto_reason: reason(&estimate.rto),
        rpo_seconds: estimate.rpo.seconds(),
        rpo_reason: reason(&estimate.rpo),
        rto_breakdown: estimate
            .rto_terms
            .iter()
            .map(|t| TermJson {
                step: Some(&t.step),
                store: None,
                seconds: t.amount.seconds(),
                source: &t.source,
                reason: reason(&t.amount),
                missing_data: missing(&t.amount),
                critical_path: t.critical_path,
                resource: t.resource.as_ref().map(|r| r.arn.as_str()),
            })
            .collect(),
        rpo_breakdown: estimate
            .rpo_terms
            .iter()
            .map(|t| TermJson {
                step: None,
                store: Some(&t.store),
                seconds: t.amount.seconds(),
                source: &t.source,
                reason: reason(&t.amount),
                missing_data: missing(&t.amount),
                critical_path: t.critical_path,
                resource: Some(&t.resource.arn),
            })
            .collect(),
        targets: estimate.targets,
    }
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

fn one_account(accounts: &&[AccountRecord]) -> bool {
    accounts.len() <= 1
}

pub fn document<'a>(report: &'a AuditReport, info: &'a RunInfo<'_>) -> JsonReport<'a> {
    let total = report.total();
    JsonReport {
        schema_version: OUTPUT_SCHEMA_VERSION,
        drscan_version: env!("CARGO_PKG_VERSION"),
        regions: &info.snapshot.regions,
        account: &info.snapshot.account,
        accounts: &info.snapshot.accounts,
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
        estimates: report.estimates.iter().map(estimate_json).collect(),
        waivers: &report.waivers,
    }
}

pub fn render(report: &AuditReport, info: &RunInfo<'_>) -> String {
    // Serialising plain data structures cannot fail.
    let mut text = serde_json::to_string_pretty(&document(report, info)).unwrap_or_default();
    text.push('\n');
    text
}
