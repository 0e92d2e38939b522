//! The audit: run every enabled rule over the inventory graph in parallel, attach applications
//! and fingerprints, order the findings; then apply waivers and the baseline and decide the
//! gate (SPEC §3, §7).

use crate::baseline::Baseline;
use crate::estimate::{self, AppEstimate};
use crate::findings::{BaselineState, Finding, Severity, Status, fingerprint};
use crate::inventory::Snapshot;
use crate::inventory::graph::Inventory;
use crate::rules::{Context, RULES, RuleOutput};
use crate::settings::{RuleSetting, Settings};
use crate::waivers::{self, Waiver, WaiverUse};
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// When the gate fails: drscan.toml's `[gate]`, then `--fail-on` / `--allow-unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GatePolicy {
    /// Lowest severity whose `fail` (or `unknown`) findings fail the gate.
    #[serde(deserialize_with = "crate::parse::from_str")]
    pub fail_on: Severity,
    /// `unknown` findings (missing data) do not fail the gate.
    pub allow_unknown: bool,
    /// An audit that found no application (`no-application-found`) does not fail the gate.
    pub allow_empty: bool,
}

impl Default for GatePolicy {
    fn default() -> Self {
        GatePolicy { fail_on: Severity::High, allow_unknown: false, allow_empty: false }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateResult {
    Passed,
    Failed,
}

/// Per-rule counts, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RuleCounts {
    pub fail: usize,
    pub unknown: usize,
    pub waived: usize,
    pub pass: usize,
}

/// How many findings the baseline already knew.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BaselineCounts {
    pub known_before: usize,
    pub new: usize,
}

#[derive(Debug, Clone)]
pub struct AuditReport {
    pub findings: Vec<Finding>,
    pub counts: BTreeMap<&'static str, RuleCounts>,
    pub gate: GateResult,
    /// Per-application RTO/RPO estimates (SPEC §6), in application name order.
    pub estimates: Vec<AppEstimate>,
    pub waivers: Vec<WaiverUse>,
    pub baseline: Option<BaselineCounts>,
}

impl AuditReport {
    pub fn total(&self) -> RuleCounts {
        self.counts.values().fold(RuleCounts::default(), |acc, c| RuleCounts {
            fail: acc.fail + c.fail,
            unknown: acc.unknown + c.unknown,
            waived: acc.waived + c.waived,
            pass: acc.pass + c.pass,
        })
    }
}

/// What turns raw findings into the gate's input: waivers (with the date that decides their
/// expiry) and a baseline of known findings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Adjustments<'a> {
    pub waivers: &'a [Waiver],
    pub today: Option<NaiveDate>,
    pub baseline: Option<&'a Baseline>,
}

/// Run all enabled rules over a snapshot and decide the gate.
pub fn run(snapshot: &Snapshot, settings: &Settings, gate: GatePolicy) -> AuditReport {
    let inventory = Inventory::build(snapshot, &settings.matching);
    run_on(&inventory, settings, gate)
}

pub fn run_on(inventory: &Inventory<'_>, settings: &Settings, gate: GatePolicy) -> AuditReport {
    let now = inventory.snapshot.collected_at;
    let estimates = estimate::estimate(inventory, settings.estimate_settings(), now);
    let ctx = Context { inventory, settings, now, estimates: &estimates };
    let outputs: Vec<RuleOutput> = RULES
        .par_iter()
        .filter(|rule| settings.rule_settings.get(rule.meta().name) != Some(&RuleSetting::Off))
        .map(|rule| {
            let mut out = RuleOutput::new(rule.meta());
            rule.check(&ctx, &mut out);
            out
        })
        .collect();

    let mut counts = BTreeMap::new();
    let mut findings = Vec::new();
    for out in outputs {
        let override_severity = match settings.rule_settings.get(out.meta.name) {
            Some(RuleSetting::Severity(severity)) => Some(*severity),
            _ => None,
        };
        let mut seen = HashSet::new();
        counts.insert(out.meta.name, RuleCounts { pass: out.passes, ..RuleCounts::default() });
        for mut finding in out.findings {
            // One finding per rule and resource: a resource reached twice is reported once.
            if !seen.insert(finding.resource.arn.clone()) {
                continue;
            }
            // An override replaces the rule's default severity; a finding the rule itself
            // graded differently (e.g. a deprecated-but-launchable AMI) keeps its grade.
            if let Some(severity) = override_severity
                && finding.severity == out.meta.severity
            {
                finding.severity = severity;
            }
            if finding.app.is_none() {
                finding.app = inventory.applications().app_of(&finding.resource.arn).map(str::to_string);
            }
            finding.fingerprint = fingerprint(&finding.rule, &finding.resource.arn);
            findings.push(finding);
        }
    }
    findings.sort_by(|a, b| {
        (a.severity, a.status, &a.app, &a.rule, &a.resource.arn).cmp(&(
            b.severity,
            b.status,
            &b.app,
            &b.rule,
            &b.resource.arn,
        ))
    });
    let mut report = AuditReport {
        findings,
        counts,
        gate: GateResult::Passed,
        waivers: Vec::new(),
        baseline: None,
        estimates: estimates.apps,
    };
    recount(&mut report);
    report.gate = decide_gate(&report.findings, gate);
    report
}

/// Apply waivers and the baseline, then recount and decide the gate again.
pub fn adjust(report: &mut AuditReport, adjustments: Adjustments<'_>, gate: GatePolicy) {
    if !adjustments.waivers.is_empty() {
        let today = adjustments.today.unwrap_or_else(|| chrono::Utc::now().date_naive());
        report.waivers = waivers::apply(&mut report.findings, adjustments.waivers, today);
    }
    if let Some(baseline) = adjustments.baseline {
        let mut counts = BaselineCounts::default();
        for finding in &mut report.findings {
            let known = baseline.contains(&finding.fingerprint);
            finding.baseline_state = Some(if known { BaselineState::Unchanged } else { BaselineState::New });
            if known {
                counts.known_before += 1;
            } else {
                counts.new += 1;
            }
        }
        report.baseline = Some(counts);
    }
    recount(report);
    report.gate = decide_gate(&report.findings, gate);
}

fn recount(report: &mut AuditReport) {
    for counts in report.counts.values_mut() {
        *counts = RuleCounts { pass: counts.pass, ..RuleCounts::default() };
    }
    for finding in &report.findings {
        let Some(counts) = report.counts.get_mut(finding.rule.as_str()) else { continue };
        match finding.status {
            Status::Fail => counts.fail += 1,
            Status::Unknown => counts.unknown += 1,
            Status::Waived => counts.waived += 1,
        }
    }
}

/// What a finding does to the gate, and why: the one place that decides it, for the verdict,
/// the text summary and JUnit alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateRole {
    /// A `fail` (or, unless allowed, `unknown`) finding at or above `fail_on`, not waived and
    /// not already in the baseline.
    Blocks,
    Waived,
    InBaseline,
    BelowThreshold,
    UnknownAllowed,
    /// `no-application-found` under `--allow-empty`.
    EmptyAllowed,
}

impl GateRole {
    pub fn of(finding: &Finding, policy: GatePolicy) -> GateRole {
        if finding.status == Status::Waived {
            GateRole::Waived
        } else if finding.baseline_state == Some(BaselineState::Unchanged) {
            GateRole::InBaseline
        } else if policy.allow_empty && finding.rule == crate::rules::readiness::NoApplicationFound::META.name
        {
            GateRole::EmptyAllowed
        } else if !finding.severity.at_least(policy.fail_on) {
            GateRole::BelowThreshold
        } else if finding.status == Status::Unknown && policy.allow_unknown {
            GateRole::UnknownAllowed
        } else {
            GateRole::Blocks
        }
    }

    /// Why a finding that does not block does not, in a few words.
    pub fn reason(self, policy: GatePolicy) -> Option<String> {
        match self {
            GateRole::Blocks => None,
            GateRole::Waived => Some("waived".to_string()),
            GateRole::InBaseline => Some("already in the baseline".to_string()),
            GateRole::BelowThreshold => Some(format!("below --fail-on {}", policy.fail_on)),
            GateRole::UnknownAllowed => Some("unknown allowed (--allow-unknown)".to_string()),
            GateRole::EmptyAllowed => Some("no application allowed (--allow-empty)".to_string()),
        }
    }
}

/// The findings that fail the gate, in report order.
pub fn blocking(findings: &[Finding], policy: GatePolicy) -> impl Iterator<Item = &Finding> {
    findings.iter().filter(move |f| GateRole::of(f, policy) == GateRole::Blocks)
}

/// The gate fails on a `fail` (or, unless allowed, `unknown`) finding at or above `fail_on`
/// that is neither waived nor already in the baseline.
pub fn decide_gate(findings: &[Finding], policy: GatePolicy) -> GateResult {
    if blocking(findings, policy).next().is_some() { GateResult::Failed } else { GateResult::Passed }
}
