//! The nightly readiness report (SPEC §3 `drscan report`): one model built from a snapshot and
//! its audit — verdict and score, per-application RTO/RPO against targets, failover paths with
//! broken links marked, findings with remediation, unknowns with the permission or API they
//! need, collection metadata, and drift since a previous snapshot (applications worst first) —
//! rendered as a self-contained HTML page ([`html`]) or GitHub-flavoured Markdown
//! ([`markdown`]).
//!
//! **Score.** Each application starts at 100 and loses, per open finding, 40 (critical), 15
//! (high), 5 (medium), 1 (low) or 0 (info); an `unknown` finding costs half, a waived one
//! nothing; the floor is 0. The overall score is the mean over applications (findings outside
//! any application count as one more application). **Verdict**: *not ready* when any critical
//! finding fails, *at risk* when any high one fails or any critical/high one is unknown, else
//! *ready*.

pub mod html;
pub mod markdown;
pub mod paths;

pub use paths::{DrLink, FailoverPath, LinkState, NodeState, PathNode, Relation};

use crate::audit::AuditReport;
use crate::drift::Drift;
use crate::findings::{Finding, Severity, Status};
use crate::inventory::graph::Inventory;
use crate::inventory::{ErrorCause, Snapshot, iam_action};
use crate::rules;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ready,
    AtRisk,
    NotReady,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ready => "Ready",
            Verdict::AtRisk => "At risk",
            Verdict::NotReady => "Not ready",
        }
    }

    fn of<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> Verdict {
        let mut verdict = Verdict::Ready;
        for f in findings {
            let this = match (f.status, f.severity) {
                (Status::Fail, Severity::Critical) => Verdict::NotReady,
                (Status::Fail, Severity::High) | (Status::Unknown, Severity::Critical | Severity::High) => {
                    Verdict::AtRisk
                }
                _ => Verdict::Ready,
            };
            verdict = verdict.max(this);
        }
        verdict
    }
}

fn score<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> u32 {
    let lost: f64 = findings
        .into_iter()
        .map(|f| {
            let weight = match f.severity {
                Severity::Critical => 40.0,
                Severity::High => 15.0,
                Severity::Medium => 5.0,
                Severity::Low => 1.0,
                Severity::Info => 0.0,
            };
            match f.status {
                Status::Fail => weight,
                Status::Unknown => weight / 2.0,
                Status::Waived => 0.0,
            }
        })
        .sum();
    (100.0 - lost).max(0.0).round() as u32
}

/// An estimate or one of its terms as the report shows it. Unbounded and unknown are different
/// answers: an unbounded RTO means the failover can never complete (or data loss has no bound);
/// an unknown one means drscan could not read what it needs to tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    Seconds(u64),
    Unbounded,
    Unknown,
}

impl Value {
    fn of(amount: &crate::estimate::Amount) -> Value {
        use crate::estimate::Amount;
        match amount {
            Amount::Seconds(s) => Value::Seconds(*s),
            Amount::Unbounded(_) => Value::Unbounded,
            Amount::Unknown(_) => Value::Unknown,
        }
    }

    pub fn seconds(self) -> Option<u64> {
        match self {
            Value::Seconds(s) => Some(s),
            _ => None,
        }
    }

    /// The duration as drscan writes it, or `unbounded` / `unknown`.
    pub fn text(self) -> String {
        match self {
            Value::Seconds(s) => human_duration(s),
            Value::Unbounded => "unbounded".into(),
            Value::Unknown => "unknown".into(),
        }
    }

    /// Where the value stands against a target: over (an unbounded value is over any target),
    /// within, or neither (no target, or the value is unknown).
    pub fn against(self, target: Option<u64>) -> Standing {
        match (self, target) {
            (Value::Unknown, _) => Standing::Unknown,
            (_, None) => Standing::NoTarget,
            (Value::Unbounded, Some(_)) => Standing::Over,
            (Value::Seconds(v), Some(t)) if v > t => Standing::Over,
            (Value::Seconds(_), Some(_)) => Standing::Within,
        }
    }
}

/// A value against its target (see [`Value::against`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Over,
    Within,
    NoTarget,
    Unknown,
}

/// One term of an estimate, as shown in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    pub name: String,
    pub value: Value,
    /// Where the value came from; for an unbounded or unknown term, why.
    pub source: String,
}

/// An application's RTO/RPO estimate against its targets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimateView {
    pub rto: Value,
    pub rpo: Value,
    pub rto_target_seconds: Option<u64>,
    pub rpo_target_seconds: Option<u64>,
    pub rto_terms: Vec<Term>,
    pub rpo_terms: Vec<Term>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AppSection<'r> {
    pub name: String,
    pub verdict: Verdict,
    pub score: u32,
    pub estimate: Option<EstimateView>,
    pub paths: Vec<FailoverPath>,
    pub findings: Vec<&'r Finding>,
}

/// Missing data grouped by what is needed to read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownNeed {
    pub operation: String,
    pub cause: String,
    /// What to grant or enable, in words.
    pub remedy: String,
    pub findings: usize,
    pub example: String,
}

/// The report's line per account of a setup that spans several.
fn account_lines(snapshot: &crate::inventory::Snapshot) -> Vec<String> {
    if snapshot.accounts.len() <= 1 {
        return Vec::new();
    }
    snapshot
        .accounts
        .iter()
        .map(|record| {
            let sides = record.sides.iter().map(|side| side.as_str()).collect::<Vec<_>>().join(", ");
            match &record.unreadable {
                None => format!("account {}: {sides}", record.account),
                Some(_) => {
                    format!("account {}: {sides} — could not be read (its part is unknown)", record.account)
                }
            }
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadinessReport<'r> {
    pub account: String,
    /// When the setup spans several accounts, one line per account: its sides, and whether it
    /// could be read. Empty for one account playing every side.
    pub accounts: Vec<String>,
    pub primary: String,
    pub dr: String,
    pub collected_at: String,
    pub drscan_version: &'static str,
    pub verdict: Verdict,
    pub score: u32,
    pub counts: crate::audit::RuleCounts,
    pub apps: Vec<AppSection<'r>>,
    pub unassigned: Vec<&'r Finding>,
    pub unknowns: Vec<UnknownNeed>,
    pub collection_errors: Vec<String>,
    pub waiver_notes: Vec<String>,
    pub drift: Option<Drift>,
}

/// Build the report model. `estimates` maps application name to its estimate, if computed.
pub fn build<'r>(
    snapshot: &Snapshot,
    inventory: &Inventory<'_>,
    report: &'r AuditReport,
    estimates: &HashMap<String, EstimateView>,
    drift: Option<Drift>,
) -> ReadinessReport<'r> {
    let mut by_app: BTreeMap<&str, Vec<&'r Finding>> = BTreeMap::new();
    let mut unassigned = Vec::new();
    for finding in &report.findings {
        match &finding.app {
            Some(app) => by_app.entry(app.as_str()).or_default().push(finding),
            None => unassigned.push(finding),
        }
    }
    let states = node_states(report);
    let mut paths = paths::failover_paths(inventory, &states);
    let mut apps: Vec<AppSection<'r>> = inventory
        .applications()
        .names
        .iter()
        .map(|name| {
            let findings = by_app.remove(name.as_str()).unwrap_or_default();
            AppSection {
                name: name.clone(),
                verdict: Verdict::of(findings.iter().copied()),
                score: score(findings.iter().copied()),
                estimate: estimates.get(name).cloned(),
                paths: paths.remove(name).unwrap_or_default(),
                findings,
            }
        })
        .collect();
    // Worst first, so that a long report (and a Markdown one cut to fit a comment) starts with
    // what needs attention: by verdict, then score, then name.
    apps.sort_by(|a, b| {
        b.verdict.cmp(&a.verdict).then(a.score.cmp(&b.score)).then_with(|| a.name.cmp(&b.name))
    });
    // Findings of applications the graph does not name (e.g. config-mapped) stay visible.
    unassigned.extend(by_app.into_values().flatten());

    let overall = overall_score(apps.iter().map(|a| a.score), &unassigned);

    ReadinessReport {
        account: snapshot.account.clone(),
        accounts: account_lines(snapshot),
        primary: snapshot.regions.primary.clone(),
        dr: snapshot.regions.dr.clone(),
        collected_at: snapshot.collected_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        drscan_version: env!("CARGO_PKG_VERSION"),
        verdict: Verdict::of(&report.findings),
        score: overall,
        counts: report.total(),
        apps,
        unassigned,
        unknowns: unknown_needs(report),
        collection_errors: snapshot
            .collection_errors
            .iter()
            .map(|e| {
                format!(
                    "{} in {}: {} ({})",
                    e.operation,
                    e.region.as_deref().unwrap_or("global"),
                    e.message,
                    e.cause
                )
            })
            .collect(),
        waiver_notes: report.waivers.iter().filter_map(|w| w.problem()).collect(),
        drift,
    }
}

/// The mean of the applications' scores, with the findings outside any application counted as
/// one more application.
fn overall_score(app_scores: impl Iterator<Item = u32>, unassigned: &[&Finding]) -> u32 {
    let mut scores: Vec<u32> = app_scores.collect();
    if !unassigned.is_empty() {
        scores.push(score(unassigned.iter().copied()));
    }
    if scores.is_empty() { 100 } else { scores.iter().sum::<u32>() / scores.len() as u32 }
}

/// The verdict and overall score of one audit, as the report's headline shows them, without
/// building the report (organization mode rolls up many accounts).
pub fn standing(inventory: &Inventory<'_>, report: &AuditReport) -> (Verdict, u32) {
    let names = &inventory.applications().names;
    let mut by_app: BTreeMap<&str, Vec<&Finding>> = names.iter().map(|n| (n.as_str(), Vec::new())).collect();
    let mut unassigned = Vec::new();
    for finding in &report.findings {
        match finding.app.as_deref().and_then(|app| by_app.get_mut(app)) {
            Some(findings) => findings.push(finding),
            None => unassigned.push(finding),
        }
    }
    let app_scores = by_app.values().map(|findings| score(findings.iter().copied()));
    (Verdict::of(&report.findings), overall_score(app_scores, &unassigned))
}

/// Per-application estimates for the report (SPEC §6), each term with its value and source (for
/// an unbounded or unknown term, the reason).
pub fn estimate_views(estimates: &[crate::estimate::AppEstimate]) -> HashMap<String, EstimateView> {
    use crate::estimate::Amount;
    let term = |name: &str, amount: &Amount, source: &str| Term {
        name: name.to_string(),
        value: Value::of(amount),
        source: match amount {
            Amount::Seconds(_) => source.to_string(),
            Amount::Unbounded(why) => why.clone(),
            Amount::Unknown(reason) => reason.to_string(),
        },
    };
    estimates
        .iter()
        .map(|e| {
            let view = EstimateView {
                rto: Value::of(&e.rto),
                rpo: Value::of(&e.rpo),
                rto_target_seconds: e.targets.rto_seconds,
                rpo_target_seconds: e.targets.rpo_seconds,
                rto_terms: e.rto_terms.iter().map(|t| term(&t.step, &t.amount, &t.source)).collect(),
                rpo_terms: e.rpo_terms.iter().map(|t| term(&t.store, &t.amount, &t.source)).collect(),
            };
            (e.app.clone(), view)
        })
        .collect()
}

/// The "How to fix" section of a rule's documentation (Markdown, as written), for remediation
/// next to its findings.
pub fn remediation(rule: &str) -> String {
    rules::find(rule).and_then(|r| r.meta().section("How to fix")).unwrap_or_default()
}

fn node_states(report: &AuditReport) -> HashMap<&str, NodeState> {
    let mut states: HashMap<&str, NodeState> = HashMap::new();
    for f in &report.findings {
        let state = match f.status {
            Status::Fail => NodeState::Broken,
            Status::Unknown => NodeState::Unknown,
            Status::Waived => continue,
        };
        let entry = states.entry(f.resource.arn.as_str()).or_insert(state);
        *entry = (*entry).max(state);
    }
    states
}

/// Unknown findings grouped by the operation that failed, with what would fix it.
fn unknown_needs(report: &AuditReport) -> Vec<UnknownNeed> {
    let mut needs: BTreeMap<(String, String), UnknownNeed> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| f.status == Status::Unknown) {
        let missing = f.evidence.get("missing_data");
        let operation =
            missing.and_then(|m| m["operation"].as_str()).unwrap_or("unknown operation").to_string();
        let cause: Option<ErrorCause> = missing.and_then(|m| serde_json::from_value(m["cause"].clone()).ok());
        let cause_text = cause.map(|c| c.to_string()).unwrap_or_else(|| "unknown".into());
        let remedy = match cause {
            Some(ErrorCause::AccessDenied) => {
                let action = iam_action(&operation).unwrap_or_else(|| operation.clone());
                format!("grant `{action}` to the role drscan runs as (see iam-policy.json)")
            }
            Some(ErrorCause::Throttled) => {
                "retry later or raise --max-attempts; the API throttled past retries".into()
            }
            Some(ErrorCause::NotImplemented) => "the API is not available in this region or endpoint".into(),
            Some(ErrorCause::ServerError) => {
                "a server error past retries, usually transient: re-run, or raise --max-attempts".into()
            }
            Some(ErrorCause::Connectivity) => "the region was unreachable during collection".into(),
            Some(ErrorCause::Unresolvable) => "drscan cannot resolve this from the collected data".into(),
            _ => "re-run the collection; see the message".into(),
        };
        let entry = needs.entry((operation.clone(), cause_text.clone())).or_insert_with(|| UnknownNeed {
            operation,
            cause: cause_text,
            remedy,
            findings: 0,
            example: f.message.clone(),
        });
        entry.findings += 1;
    }
    needs.into_values().collect()
}

/// Durations as drscan writes them everywhere (two units, rounded up).
pub use crate::duration::text as human_duration;
