//! The audit: run every rule over the inventory graph in parallel, attach applications and
//! fingerprints, order the findings, and decide the gate (SPEC §3).

use crate::estimate::{self, AppEstimate};
use crate::findings::{Finding, Severity, Status, fingerprint};
use crate::inventory::Snapshot;
use crate::inventory::graph::Inventory;
use crate::rules::{Context, RULES, RuleOutput};
use crate::settings::Settings;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// When the gate fails.
#[derive(Debug, Clone, Copy)]
pub struct GatePolicy {
    pub fail_on: Severity,
    pub allow_unknown: bool,
}

impl Default for GatePolicy {
    fn default() -> Self {
        GatePolicy { fail_on: Severity::High, allow_unknown: false }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

#[derive(Debug, Clone)]
pub struct AuditReport {
    pub findings: Vec<Finding>,
    pub counts: BTreeMap<&'static str, RuleCounts>,
    pub gate: GateResult,
    /// Per-application RTO/RPO estimates (SPEC §6), in application name order.
    pub estimates: Vec<AppEstimate>,
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

/// Run all rules over a snapshot.
pub fn run(snapshot: &Snapshot, settings: &Settings, gate: GatePolicy) -> AuditReport {
    let inventory = Inventory::build(snapshot, settings);
    run_on(&inventory, settings, gate)
}

pub fn run_on(inventory: &Inventory<'_>, settings: &Settings, gate: GatePolicy) -> AuditReport {
    let now = inventory.snapshot.collected_at;
    let estimates = estimate::estimate(inventory, settings, now);
    let ctx = Context { inventory, settings, now, estimates: &estimates };
    let outputs: Vec<RuleOutput> = RULES
        .par_iter()
        .map(|rule| {
            let mut out = RuleOutput::new(rule.meta());
            rule.check(&ctx, &mut out);
            out
        })
        .collect();

    let mut counts = BTreeMap::new();
    let mut findings = Vec::new();
    for out in outputs {
        let mut seen = HashSet::new();
        let mut rule_counts = RuleCounts { pass: out.passes, ..RuleCounts::default() };
        for mut finding in out.findings {
            // One finding per rule and resource: a resource reached twice is reported once.
            if !seen.insert(finding.resource.arn.clone()) {
                continue;
            }
            if finding.app.is_none() {
                finding.app = inventory.applications().app_of(&finding.resource.arn).map(str::to_string);
            }
            finding.fingerprint = fingerprint(&finding.rule, &finding.resource.arn);
            match finding.status {
                Status::Fail => rule_counts.fail += 1,
                Status::Unknown => rule_counts.unknown += 1,
                Status::Waived => rule_counts.waived += 1,
            }
            findings.push(finding);
        }
        counts.insert(out.meta.name, rule_counts);
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
    let gate = decide_gate(&findings, gate);
    AuditReport { findings, counts, gate, estimates: estimates.apps }
}

pub fn decide_gate(findings: &[Finding], policy: GatePolicy) -> GateResult {
    let blocking = findings.iter().any(|f| {
        f.severity.at_least(policy.fail_on)
            && match f.status {
                Status::Fail => true,
                Status::Unknown => !policy.allow_unknown,
                Status::Waived => false,
            }
    });
    if blocking { GateResult::Failed } else { GateResult::Passed }
}
