//! The report, the rules and the estimate agree on every DR link (issue 9): over every fixture
//! in `fixtures/` (the reference snapshots, each rule's pass, fail and unknown cases, and the
//! DR-relation cases), each
//! link a report failover path draws as present, missing or unknown is what the rule that
//! judges that link concluded for the same resource, and every DR counterpart the estimate
//! recovers through is one the report draws as present.

use drscan::audit::{self, AuditReport};
use drscan::estimate::{Amount, AppEstimate, FailoverStep, TermKind};
use drscan::findings::{Finding, Status};
use drscan::inventory::graph::Inventory;
use drscan::inventory::{ResourceKind, Snapshot};
use drscan::report::{self, DrLink, FailoverPath, LinkState, Relation};
use drscan::settings::Settings;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every snapshot under `fixtures/`: the reference architectures, each rule's cases, and the
/// DR-relation cases in `fixtures/dr-relations/` that no rule fixture reaches through a path.
fn fixtures() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable fixtures directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"), &mut files);
    files.sort();
    files
}

/// The one open finding of `rule` on `arn`, if any (the audit keeps one per rule and resource).
fn finding<'r>(audit: &'r AuditReport, rule: &str, arn: &str) -> Option<&'r Finding> {
    audit.findings.iter().find(|f| f.rule == rule && f.resource.arn == arn && f.status != Status::Waived)
}

/// What a rule concluded for a resource, as a link state: no finding is a pass.
fn verdict(audit: &AuditReport, rule: &str, arn: &str) -> LinkState {
    match finding(audit, rule, arn).map(|f| f.status) {
        None => LinkState::Present,
        Some(Status::Fail) => LinkState::Missing,
        Some(_) => LinkState::Unknown,
    }
}

/// Every disagreement of one fixture, one line each.
struct Check<'a> {
    name: String,
    audit: &'a AuditReport,
    problems: Vec<String>,
}

impl Check<'_> {
    fn expect(&mut self, ok: bool, link: &DrLink, what: impl FnOnce() -> String) {
        if !ok {
            self.problems.push(format!(
                "{}: {:?} {} is {:?}: {}",
                self.name,
                link.relation,
                link.from,
                link.state,
                what()
            ));
        }
    }

    /// The link's state is the rule's verdict on the link's source resource.
    fn rule_agrees(&mut self, link: &DrLink, rule: &str) {
        let concluded = verdict(self.audit, rule, &link.from);
        self.expect(concluded == link.state, link, || format!("{rule} concluded {concluded:?}"));
    }
}

fn rpo_resource<'e>(estimate: &'e AppEstimate, arns: &[&str]) -> Option<&'e str> {
    estimate.rpo_terms.iter().map(|t| t.resource.arn.as_str()).find(|arn| arns.contains(arn))
}

fn step<'e>(estimate: &'e AppEstimate, step: FailoverStep, arn: &str) -> Option<&'e Amount> {
    estimate
        .rto_terms
        .iter()
        .find(|t| t.kind == TermKind::Step(step) && t.resource.as_ref().is_some_and(|r| r.arn == arn))
        .map(|t| &t.amount)
}

/// The links of one application against the rules and its estimate.
fn check_app(
    check: &mut Check<'_>,
    inventory: &Inventory<'_>,
    paths: &[FailoverPath],
    estimate: Option<&AppEstimate>,
) {
    let links: Vec<(&FailoverPath, &DrLink)> =
        paths.iter().flat_map(|p| p.links.iter().map(move |l| (p, l))).collect();
    for (path, link) in &links {
        let first = link.to.first().map(String::as_str).unwrap_or("");
        match link.relation {
            Relation::AmiCopy => check.rule_agrees(link, "ami-missing-in-dr"),
            Relation::BucketCopy => check.rule_agrees(link, "s3-no-dr-replication"),
            Relation::TableReplica => check.rule_agrees(link, "dynamodb-no-dr-replica"),
            Relation::SecretReplica => check.rule_agrees(link, "dr-secrets-missing"),
            Relation::DbReplica | Relation::AuroraCopy => {
                check.rule_agrees(link, "rds-no-dr-replica");
                let Some(estimate) = estimate else { continue };
                let promoted = rpo_resource(estimate, &[link.from.as_str(), first]);
                let expected = if link.state == LinkState::Present { first } else { link.from.as_str() };
                check.expect(promoted == Some(expected), link, || {
                    format!("the estimate recovers it through {promoted:?}, the report draws {:?}", link.to)
                });
            }
            Relation::EfsCopy => {
                check.rule_agrees(link, "efs-no-dr-copy");
                let Some(estimate) = estimate else { continue };
                let replication = step(estimate, FailoverStep::BreakEfsReplication, &link.from);
                let restore = step(estimate, FailoverStep::RestoreFromBackup, &link.from);
                let agrees = match link.state {
                    // A backup copy is drawn by its plan's ARN, a replica by its file system ID.
                    LinkState::Present if first.starts_with("arn:") => {
                        replication.is_none() && matches!(restore, Some(Amount::Seconds(_)))
                    }
                    LinkState::Present => replication.is_some(),
                    LinkState::Missing => matches!(restore, Some(Amount::Unbounded(_))),
                    LinkState::Unknown => matches!(restore, Some(Amount::Unknown(_))),
                };
                check.expect(agrees, link, || {
                    format!("the estimate breaks replication {replication:?}, restores {restore:?}")
                });
            }
            Relation::BackupVault => {
                let found = finding(check.audit, "backup-copy-target-missing", &link.from);
                let names_vault = found.is_some_and(|f| {
                    f.evidence.get("missing_vaults").and_then(|v| v.as_array()).is_some_and(|vaults| {
                        vaults.iter().filter_map(|v| v.as_str()).any(|v| v.starts_with(first))
                    })
                });
                let agrees = match link.state {
                    LinkState::Present => !names_vault,
                    LinkState::Missing => names_vault,
                    LinkState::Unknown => found.is_some(),
                };
                check.expect(agrees, link, || format!("backup-copy-target-missing says {found:?}"));
            }
            Relation::RecordTarget => {
                check.rule_agrees(link, "failover-target-missing");
                let Some(estimate) = estimate else { continue };
                // The estimate routes through each group's first SECONDARY.
                let first_secondary = inventory
                    .failover_groups
                    .iter()
                    .any(|g| g.secondaries.first().is_some_and(|r| r.arn(&g.zone.id) == link.from));
                let routing = estimate.rto_terms.iter().find(|t| {
                    t.kind == TermKind::Routing && t.resource.as_ref().is_some_and(|r| r.arn == link.from)
                });
                let unbounded = routing.is_some_and(|t| matches!(t.amount, Amount::Unbounded(_)));
                let agrees = !first_secondary || unbounded == (link.state == LinkState::Missing);
                check.expect(agrees, link, || format!("the estimate's routing term is {routing:?}"));
            }
            Relation::TargetGroup => {
                // A SECONDARY evaluating target health through this load balancer fails
                // `failover-secondary-unhealthy` for want of target groups exactly when none is drawn.
                let record = &path
                    .links
                    .iter()
                    .find(|l| l.relation == Relation::RecordTarget)
                    .expect("record link")
                    .from;
                let evaluates = inventory
                    .failover_groups
                    .iter()
                    .flat_map(|g| g.secondaries.iter().map(move |r| (g, r)))
                    .any(|(g, r)| {
                        r.arn(&g.zone.id) == *record
                            && r.alias_target.as_ref().is_some_and(|a| a.evaluate_target_health)
                    });
                let found = finding(check.audit, "failover-secondary-unhealthy", record);
                // A failing health check decides the record before its targets are looked at.
                if !evaluates || found.is_some_and(|f| f.evidence.contains_key("health_check_id")) {
                    continue;
                }
                let no_groups = found.is_some_and(|f| {
                    f.status == Status::Fail
                        && f.evidence.contains_key("load_balancer")
                        && !f.evidence.contains_key("target_group")
                });
                let agrees = match link.state {
                    LinkState::Present => !no_groups,
                    LinkState::Missing => no_groups,
                    LinkState::Unknown => found.is_some_and(|f| f.status == Status::Unknown),
                };
                check.expect(agrees, link, || format!("failover-secondary-unhealthy says {found:?}"));
            }
            Relation::AutoScalingGroup => {
                if link.state == LinkState::Present {
                    let concluded = verdict(check.audit, "dr-asg-not-behind-alb", first);
                    check.expect(concluded == LinkState::Present, link, || {
                        format!("dr-asg-not-behind-alb concluded {concluded:?} for {first}")
                    });
                }
            }
        }
    }

    // Every DR counterpart the estimate recovers through is drawn as present.
    let Some(estimate) = estimate else { return };
    let drawn = |relation: Relation, arn: &str| {
        links.iter().any(|(_, l)| {
            l.relation == relation && l.state == LinkState::Present && l.to.first().is_some_and(|t| t == arn)
        })
    };
    let drawn_from = |relation: Relation, arn: &str| {
        links.iter().any(|(_, l)| l.relation == relation && l.state == LinkState::Present && l.from == arn)
    };
    for term in &estimate.rto_terms {
        let (TermKind::Step(step), Some(resource)) = (term.kind, &term.resource) else { continue };
        // A step the estimate could not evaluate recovers through nothing: it names what it is
        // about (a group, a listing that failed), not a counterpart it found.
        if matches!(term.amount, Amount::Unknown(_)) {
            continue;
        }
        let arn = resource.arn.as_str();
        let agrees = match (step, resource.kind) {
            (FailoverStep::ReplicaPromotion, ResourceKind::DbInstance) => drawn(Relation::DbReplica, arn),
            (FailoverStep::ReplicaPromotion, _) | (FailoverStep::AuroraGlobalFailover, _) => {
                drawn(Relation::AuroraCopy, arn)
            }
            (FailoverStep::BreakEfsReplication, _) => drawn_from(Relation::EfsCopy, arn),
            (FailoverStep::DrScaleOut, ResourceKind::AutoScalingGroup) => {
                drawn(Relation::AutoScalingGroup, arn)
            }
            _ => true,
        };
        if !agrees {
            check.problems.push(format!(
                "{}: the estimate of {} {} through {arn}, which no failover path draws as present",
                check.name, estimate.app, step
            ));
        }
    }
}

#[test]
fn report_rules_and_estimate_agree_on_every_dr_link() {
    let mut problems = Vec::new();
    let mut seen: BTreeMap<(Relation, &'static str), usize> = BTreeMap::new();
    for path in fixtures() {
        let snapshot = Snapshot::load(&path).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let settings = Settings::default();
        let inventory = Inventory::build(&snapshot, &settings.matching);
        let audit = audit::run_on(&inventory, &settings, Default::default());
        let views = report::estimate_views(&audit.estimates);
        let model = report::build(&snapshot, &inventory, &audit, &views, None);
        let name = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(&path).display().to_string();
        let mut check = Check { name, audit: &audit, problems: Vec::new() };
        for app in &model.apps {
            let estimate = audit.estimates.iter().find(|e| e.app == app.name);
            check_app(&mut check, &inventory, &app.paths, estimate);
            for link in app.paths.iter().flat_map(|p| &p.links) {
                let state = match link.state {
                    LinkState::Present => "present",
                    LinkState::Missing => "missing",
                    LinkState::Unknown => "unknown",
                };
                *seen.entry((link.relation, state)).or_default() += 1;
            }
        }
        problems.extend(check.problems);
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    // The fixtures exercise every judged relation in every state, so the agreement is not vacuous.
    for relation in [
        Relation::AmiCopy,
        Relation::DbReplica,
        Relation::AuroraCopy,
        Relation::EfsCopy,
        Relation::RecordTarget,
        Relation::BucketCopy,
        Relation::TableReplica,
        Relation::SecretReplica,
    ] {
        for state in ["present", "missing", "unknown"] {
            assert!(
                seen.contains_key(&(relation, state)),
                "no fixture draws a {state} {relation:?} link: {seen:?}"
            );
        }
    }
}

#[test]
fn the_report_draws_the_replica_the_estimate_promotes_through_a_replica_chain() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules/rds-no-dr-replica/pass.json");
    let snapshot = Snapshot::load(&path).expect("fixture");
    let settings = Settings::default();
    let inventory = Inventory::build(&snapshot, &settings.matching);
    let audit = audit::run_on(&inventory, &settings, Default::default());
    let views = report::estimate_views(&audit.estimates);
    let model = report::build(&snapshot, &inventory, &audit, &views, None);
    let replica = "arn:aws:rds:us-east-1:123456789012:db:orders-db-dr";
    let database = model
        .apps
        .iter()
        .flat_map(|a| &a.paths)
        .find(|p| p.title == "database orders-db")
        .expect("a path for orders-db");
    assert_eq!(database.links[0].state, LinkState::Present);
    assert_eq!(database.links[0].to, [replica]);
    let node = database.nodes.iter().find(|n| n.kind == "replica").expect("a replica node");
    assert_eq!(node.label, "orders-db-dr (us-east-1, via orders-db-reporting)");
    assert!(!audit.findings.iter().any(|f| f.rule == "rds-no-dr-replica"), "{:?}", audit.findings);
    let markdown = report::markdown::render(&model);
    assert!(!markdown.contains("no replica in us-east-1"), "{markdown}");
}
