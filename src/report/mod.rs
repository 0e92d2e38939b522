//! The nightly readiness report (SPEC §3 `drscan report`): one model built from a snapshot and
//! its audit — verdict and score, per-application RTO/RPO against targets, failover paths with
//! broken links marked, findings with remediation, unknowns with the permission or API they
//! need, collection metadata, and drift since a previous snapshot — rendered as a
//! self-contained HTML page ([`html`]) or GitHub-flavoured Markdown ([`markdown`]).
//!
//! **Score.** Each application starts at 100 and loses, per open finding, 40 (critical), 15
//! (high), 5 (medium), 1 (low) or 0 (info); an `unknown` finding costs half, a waived one
//! nothing; the floor is 0. The overall score is the mean over applications (findings outside
//! any application count as one more application). **Verdict**: *not ready* when any critical
//! finding fails, *at risk* when any high one fails or any critical/high one is unknown, else
//! *ready*.

pub mod html;
pub mod markdown;

use crate::audit::AuditReport;
use crate::drift::Drift;
use crate::findings::{Finding, Severity, Status};
use crate::inventory::graph::{AliasResolution, Inventory, LaunchResolution};
use crate::inventory::{ErrorCause, Known, Snapshot};
use crate::rules;
use crate::rules::resource::arn_region;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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

/// One term of an estimate, as shown in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    pub name: String,
    /// `None`: unbounded or unknown (see `source`).
    pub seconds: Option<u64>,
    pub source: String,
}

/// An application's RTO/RPO estimate against its targets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimateView {
    pub rto_seconds: Option<u64>,
    pub rpo_seconds: Option<u64>,
    pub rto_target_seconds: Option<u64>,
    pub rpo_target_seconds: Option<u64>,
    pub rto_terms: Vec<Term>,
    pub rpo_terms: Vec<Term>,
}

/// One hop of a failover path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathNode {
    pub kind: &'static str,
    pub label: String,
    pub arn: Option<String>,
    pub state: NodeState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeState {
    Ok,
    Unknown,
    Broken,
}

/// A chain such as record → ALB → target group → ASG → launch template → AMI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailoverPath {
    pub title: String,
    pub nodes: Vec<PathNode>,
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

#[derive(Debug, Clone, Serialize)]
pub struct ReadinessReport<'r> {
    pub account: String,
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
    let mut paths = failover_paths(inventory, &states);
    let apps: Vec<AppSection<'r>> = inventory
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
    // Findings of applications the graph does not name (e.g. config-mapped) stay visible.
    unassigned.extend(by_app.into_values().flatten());

    let mut scores: Vec<u32> = apps.iter().map(|a| a.score).collect();
    if !unassigned.is_empty() {
        scores.push(score(unassigned.iter().copied()));
    }
    let overall = if scores.is_empty() { 100 } else { scores.iter().sum::<u32>() / scores.len() as u32 };

    ReadinessReport {
        account: snapshot.account.clone(),
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

/// Per-application estimates for the report (SPEC §6), each term with its value and source (for
/// an unbounded or unknown term, the reason).
pub fn estimate_views(estimates: &[crate::estimate::AppEstimate]) -> HashMap<String, EstimateView> {
    use crate::estimate::Amount;
    let source = |amount: &Amount, source: &str| match amount {
        Amount::Seconds(_) => source.to_string(),
        Amount::Unbounded(why) => format!("unbounded: {why}"),
        Amount::Unknown(reason) => format!("unknown: {reason}"),
    };
    estimates
        .iter()
        .map(|e| {
            let view = EstimateView {
                rto_seconds: e.rto.seconds(),
                rpo_seconds: e.rpo.seconds(),
                rto_target_seconds: e.targets.rto_seconds,
                rpo_target_seconds: e.targets.rpo_seconds,
                rto_terms: e
                    .rto_terms
                    .iter()
                    .map(|t| Term {
                        name: t.step.clone(),
                        seconds: t.amount.seconds(),
                        source: source(&t.amount, &t.source),
                    })
                    .collect(),
                rpo_terms: e
                    .rpo_terms
                    .iter()
                    .map(|t| Term {
                        name: t.store.clone(),
                        seconds: t.amount.seconds(),
                        source: source(&t.amount, &t.source),
                    })
                    .collect(),
            };
            (e.app.clone(), view)
        })
        .collect()
}

/// The "How to fix" text of a rule, for remediation next to its findings.
pub fn remediation(rule: &str) -> String {
    let text = rules::find(rule).and_then(|r| r.meta().section("How to fix")).unwrap_or_default();
    // Doc comments wrap at ~100 columns; the report reflows paragraphs itself.
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
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

fn node(kind: &'static str, label: String, arn: Option<&str>, states: &HashMap<&str, NodeState>) -> PathNode {
    let state = arn.and_then(|a| states.get(a).copied()).unwrap_or(NodeState::Ok);
    PathNode { kind, label, arn: arn.map(str::to_string), state }
}

fn missing(kind: &'static str, label: String) -> PathNode {
    PathNode { kind, label, arn: None, state: NodeState::Broken }
}

/// Failover paths of one application: each failover record down to the AMI, each database
/// to its DR copy, each file system to its DR copy.
fn failover_paths(
    inventory: &Inventory<'_>,
    states: &HashMap<&str, NodeState>,
) -> HashMap<String, Vec<FailoverPath>> {
    let apps = inventory.applications();
    let mut by_app: HashMap<String, Vec<FailoverPath>> = HashMap::new();
    for group in &inventory.failover_groups {
        let Some(app) = apps.app_of_record(&group.name) else { continue };
        let paths = by_app.entry(app.to_string()).or_default();
        let roles = group
            .primaries
            .iter()
            .map(|r| (r, "PRIMARY"))
            .chain(group.secondaries.iter().map(|r| (r, "SECONDARY")));
        for (record, role) in roles {
            let record_arn = record.arn(&group.zone.id);
            let mut nodes = vec![node(
                "record",
                format!("{role} {} {}", group.name, group.record_type),
                Some(&record_arn),
                states,
            )];
            match &record.alias_target {
                None => nodes.push(node("value", record.values.join(", "), None, states)),
                Some(alias) => match inventory.resolve_alias(group.zone, group.record_type, alias) {
                    AliasResolution::LoadBalancer { region, load_balancer } => {
                        nodes.push(node(
                            "load balancer",
                            format!("{} ({region})", load_balancer.name),
                            Some(&load_balancer.arn),
                            states,
                        ));
                        if let Some(view) = inventory.region(region) {
                            web_tier(view, &load_balancer.arn, states, &mut nodes);
                        }
                    }
                    AliasResolution::MissingLoadBalancer { dns_name, .. } => {
                        nodes.push(missing("load balancer", format!("{dns_name} (does not exist)")));
                    }
                    AliasResolution::OtherTarget { dns_name, kind } => {
                        nodes.push(PathNode {
                            kind: "target",
                            label: format!("{kind} {dns_name}"),
                            arn: None,
                            state: NodeState::Unknown,
                        });
                    }
                    AliasResolution::Unknown(reason) => {
                        nodes.push(PathNode {
                            kind: "target",
                            label: format!("unknown: {reason}"),
                            arn: None,
                            state: NodeState::Unknown,
                        });
                    }
                },
            }
            paths.push(FailoverPath { title: format!("{role} {} {}", group.name, group.record_type), nodes });
        }
    }

    let primary = &inventory.primary;
    let dr = &inventory.dr;
    for db in &primary.resources.db_instances {
        let Some(app) = apps.app_of(&db.arn) else { continue };
        if db.is_replica() || db.cluster_id.is_some() {
            continue;
        }
        let paths = by_app.entry(app.to_string()).or_default();
        let mut nodes =
            vec![node("database", format!("{} ({})", db.id, primary.name), Some(&db.arn), states)];
        let replicas: Vec<&str> = db
            .read_replica_ids
            .iter()
            .map(String::as_str)
            .filter(|r| arn_region(r) == Some(dr.name))
            .collect();
        if replicas.is_empty() {
            nodes.push(missing("replica", format!("no replica in {}", dr.name)));
        }
        for replica in replicas {
            let id = replica.rsplit(':').next().unwrap_or(replica).to_string();
            nodes.push(node("replica", format!("{id} ({})", dr.name), Some(replica), states));
        }
        paths.push(FailoverPath { title: format!("database {}", db.id), nodes });
    }
    for cluster in &primary.resources.db_clusters {
        let Some(app) = apps.app_of(&cluster.arn) else { continue };
        if cluster.replication_source.is_some() {
            continue;
        }
        let paths = by_app.entry(app.to_string()).or_default();
        let mut nodes =
            vec![node("cluster", format!("{} ({})", cluster.id, primary.name), Some(&cluster.arn), states)];
        let secondary = primary
            .resources
            .global_clusters
            .iter()
            .chain(&dr.resources.global_clusters)
            .filter(|g| g.members.iter().any(|m| m.cluster_arn == cluster.arn))
            .flat_map(|g| g.members.iter())
            .find(|m| !m.writer && arn_region(&m.cluster_arn) == Some(dr.name));
        match secondary {
            Some(member) => {
                let id = member.cluster_arn.rsplit(':').next().unwrap_or(&member.cluster_arn).to_string();
                nodes.push(node(
                    "global secondary",
                    format!("{id} ({})", dr.name),
                    Some(&member.cluster_arn),
                    states,
                ));
            }
            None => nodes.push(missing("global secondary", format!("no secondary in {}", dr.name))),
        }
        paths.push(FailoverPath { title: format!("Aurora cluster {}", cluster.id), nodes });
    }
    for fs in &primary.resources.file_systems {
        let Some(app) = apps.app_of(&fs.arn) else { continue };
        let paths = by_app.entry(app.to_string()).or_default();
        let mut nodes = vec![node(
            "file system",
            format!("{} ({})", fs.name.as_deref().unwrap_or(&fs.id), primary.name),
            Some(&fs.arn),
            states,
        )];
        match &fs.replication {
            Known::Value(destinations) if destinations.iter().any(|d| d.region == dr.name) => {
                for d in destinations.iter().filter(|d| d.region == dr.name) {
                    let state = if d.status == "ENABLED" { NodeState::Ok } else { NodeState::Broken };
                    nodes.push(PathNode {
                        kind: "replica",
                        label: format!("{} ({}, {})", d.file_system_id, d.region, d.status),
                        arn: None,
                        state,
                    });
                }
            }
            Known::Unknown(_) => nodes.push(PathNode {
                kind: "replica",
                label: "replication unknown".into(),
                arn: None,
                state: NodeState::Unknown,
            }),
            Known::Value(_) => {
                let copy = primary.resources.backup_plans.iter().find_map(|plan| {
                    let selected = plan
                        .selections
                        .value()
                        .is_some_and(|s| s.iter().any(|s| s.selects(&fs.arn, &fs.tags)));
                    let destination = plan
                        .rules
                        .iter()
                        .flat_map(|r| &r.copy_actions)
                        .find(|c| c.destination_region() == Some(dr.name));
                    destination.filter(|_| selected).map(|c| (plan, c))
                });
                match copy {
                    Some((plan, action)) => {
                        nodes.push(PathNode {
                            kind: "backup plan",
                            label: plan.name.clone(),
                            arn: Some(plan.arn.clone()),
                            state: NodeState::Ok,
                        });
                        let vault = action.destination_vault_arn.rsplit(':').next().unwrap_or("").to_string();
                        let exists =
                            dr.backup_vaults_by_arn.contains_key(action.destination_vault_arn.as_str());
                        nodes.push(PathNode {
                            kind: "DR vault",
                            label: format!("{vault} ({})", dr.name),
                            arn: Some(action.destination_vault_arn.clone()),
                            state: if exists { NodeState::Ok } else { NodeState::Broken },
                        });
                    }
                    None => nodes.push(missing("copy", format!("no copy in {}", dr.name))),
                }
            }
        }
        paths.push(FailoverPath { title: format!("file system {}", fs.id), nodes });
    }
    by_app
}

/// Load balancer → target groups → ASGs → launch template → AMI (the first of each, which is
/// what a person follows; every broken one is flagged by the rules anyway).
fn web_tier(
    view: &crate::inventory::graph::RegionView<'_>,
    lb_arn: &str,
    states: &HashMap<&str, NodeState>,
    nodes: &mut Vec<PathNode>,
) {
    let groups = view.target_groups_of(lb_arn);
    let Some(tg) = groups.first() else {
        nodes.push(missing("target group", "no target group".into()));
        return;
    };
    let health = match &tg.target_health {
        Known::Value(t) => format!("{}/{} healthy", t.iter().filter(|t| t.is_healthy()).count(), t.len()),
        Known::Unknown(_) => "health unknown".into(),
    };
    nodes.push(node("target group", format!("{} ({health})", tg.name), Some(&tg.arn), states));
    let Some(asg) = view.asgs_behind(&tg.arn).first() else {
        nodes.push(missing("auto scaling group", "no ASG registered".into()));
        return;
    };
    nodes.push(node(
        "auto scaling group",
        format!("{} ({}/{}/{})", asg.name, asg.min_size, asg.desired_capacity, asg.max_size),
        Some(&asg.arn),
        states,
    ));
    let Some(reference) = asg.launch_template_refs().into_iter().next() else { return };
    match view.resolve_launch(reference) {
        LaunchResolution::Resolved { template, version, image_id } => {
            nodes.push(node(
                "launch template",
                format!("{} v{}", template.name, version.version),
                Some(&template.arn),
                states,
            ));
            match view.images.get(image_id) {
                Some(image) => {
                    nodes.push(node("AMI", format!("{} {}", image.id, image.name), Some(&image.arn), states))
                }
                None => nodes.push(missing("AMI", format!("{image_id} (not in {})", view.name))),
            }
        }
        LaunchResolution::Unknown(_) => nodes.push(PathNode {
            kind: "launch template",
            label: "unknown".into(),
            arn: None,
            state: NodeState::Unknown,
        }),
        _ => nodes.push(missing("launch template", "cannot launch".into())),
    }
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
                format!("grant `{operation}` to the role drscan runs as (see iam-policy.json)")
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
