//! DR drift between two snapshots (SPEC §3 `drscan diff`, and the report's "since last night"):
//! findings that appeared or were resolved, and changes to the facts failover depends on —
//! DR AMIs, what each Auto Scaling group launches and its capacity, where failover records
//! point, replicas and global clusters, EFS replication, backup copy targets, DR target health,
//! and the DR copy of each primary AMI in use, database, cluster, file system, bucket, table
//! and secret as the inventory's DR relations ([`crate::inventory::dr`]) see it — the answer
//! the rules judge; and which account plays which side of the setup (schema 2 snapshots).
//!
//! Each snapshot is reduced to a map of DR facts keyed by (fact kind, resource ARN) with a
//! human-readable value; drift is the set difference of the two maps. New fact kinds need only
//! a line in [`facts`].

use crate::audit::AuditReport;
use crate::findings::{Finding, Severity, Status};
use crate::inventory::Known;
use crate::inventory::dr::{AuroraCopy, EfsCopy, SecretCopy};
use crate::inventory::graph::{Inventory, LaunchResolution};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One DR-relevant fact about one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fact {
    resource_id: String,
    region: Option<String>,
    value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceChange {
    pub change: ChangeKind,
    /// What kind of fact changed, e.g. "DR AMI", "ASG capacity", "failover record target".
    pub what: &'static str,
    pub arn: String,
    pub id: String,
    pub region: Option<String>,
    pub app: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A finding in a drift listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRef {
    pub rule: String,
    pub code: String,
    pub severity: Severity,
    pub status: Status,
    pub app: Option<String>,
    pub resource_id: String,
    pub arn: String,
    pub message: String,
    pub fingerprint: String,
}

impl From<&Finding> for FindingRef {
    fn from(f: &Finding) -> Self {
        FindingRef {
            rule: f.rule.clone(),
            code: f.code.clone(),
            severity: f.severity,
            status: f.status,
            app: f.app.clone(),
            resource_id: f.resource.id.clone(),
            arn: f.resource.arn.clone(),
            message: f.message.clone(),
            fingerprint: f.fingerprint.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Drift {
    pub previous_collected_at: String,
    pub current_collected_at: String,
    pub new_findings: Vec<FindingRef>,
    pub resolved_findings: Vec<FindingRef>,
    pub resource_changes: Vec<ResourceChange>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.new_findings.is_empty() && self.resolved_findings.is_empty() && self.resource_changes.is_empty()
    }
}

/// Compare two snapshots (as the inventories their audits ran on, built with the same
/// settings) and their audits.
pub(crate) fn compare(
    previous: (&Inventory<'_>, &AuditReport),
    current: (&Inventory<'_>, &AuditReport),
) -> Drift {
    let (old_inventory, old_report) = previous;
    let (new_inventory, new_report) = current;
    let (old_snapshot, new_snapshot) = (old_inventory.snapshot, new_inventory.snapshot);
    let active = |r: &AuditReport| -> HashMap<String, FindingRef> {
        r.findings
            .iter()
            .filter(|f| f.status != Status::Waived)
            .map(|f| (f.fingerprint.clone(), FindingRef::from(f)))
            .collect()
    };
    let old_findings = active(old_report);
    let new_findings = active(new_report);
    let mut appeared: Vec<FindingRef> =
        new_findings.iter().filter(|(k, _)| !old_findings.contains_key(*k)).map(|(_, f)| f.clone()).collect();
    let mut resolved: Vec<FindingRef> =
        old_findings.iter().filter(|(k, _)| !new_findings.contains_key(*k)).map(|(_, f)| f.clone()).collect();
    let order =
        |a: &FindingRef, b: &FindingRef| (a.severity, &a.rule, &a.arn).cmp(&(b.severity, &b.rule, &b.arn));
    appeared.sort_by(order);
    resolved.sort_by(order);

    let old_facts = facts(old_inventory);
    let new_facts = facts(new_inventory);
    let app_of = |arn: &str| {
        new_inventory
            .applications()
            .app_of(arn)
            .or_else(|| old_inventory.applications().app_of(arn))
            .map(str::to_string)
    };
    let mut changes = Vec::new();
    for ((what, arn), fact) in &new_facts {
        let before = old_facts.get(&(*what, arn.clone()));
        let change = match before {
            None => ChangeKind::Added,
            Some(old) if old.value != fact.value => ChangeKind::Changed,
            Some(_) => continue,
        };
        changes.push(ResourceChange {
            change,
            what,
            arn: arn.clone(),
            id: fact.resource_id.clone(),
            region: fact.region.clone(),
            app: app_of(arn),
            before: before.map(|f| f.value.clone()),
            after: Some(fact.value.clone()),
        });
    }
    for ((what, arn), fact) in &old_facts {
        if !new_facts.contains_key(&(*what, arn.clone())) {
            changes.push(ResourceChange {
                change: ChangeKind::Removed,
                what,
                arn: arn.clone(),
                id: fact.resource_id.clone(),
                region: fact.region.clone(),
                app: app_of(arn),
                before: Some(fact.value.clone()),
                after: None,
            });
        }
    }
    changes.sort_by(|a, b| (&a.app, a.what, &a.arn, a.change).cmp(&(&b.app, b.what, &b.arn, b.change)));

    Drift {
        previous_collected_at: old_snapshot.collected_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        current_collected_at: new_snapshot.collected_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        new_findings: appeared,
        resolved_findings: resolved,
        resource_changes: changes,
    }
}

type FactMap = BTreeMap<(&'static str, String), Fact>;

/// The DR facts of one snapshot.
fn facts(inventory: &Inventory<'_>) -> FactMap {
    let mut out = FactMap::new();
    let mut put = |what: &'static str, arn: &str, id: &str, region: Option<&str>, value: String| {
        out.insert(
            (what, arn.to_string()),
            Fact { resource_id: id.to_string(), region: region.map(str::to_string), value },
        );
    };
    let dr_name = inventory.dr.name;
    for view in [&inventory.primary, &inventory.dr] {
        let region = Some(view.name);
        let r = view.resources;
        for image in &r.images {
            let what = if view.name == dr_name { "DR AMI" } else { "primary AMI" };
            put(
                what,
                &image.arn,
                &image.id,
                region,
                format!("{} ({})", display(&image.name), image.state.as_str()),
            );
        }
        for asg in &r.auto_scaling_groups {
            put(
                "ASG capacity",
                &asg.arn,
                &asg.name,
                region,
                format!("min {} / desired {} / max {}", asg.min_size, asg.desired_capacity, asg.max_size),
            );
            let launches: Vec<String> = asg
                .launch_template_refs()
                .into_iter()
                .map(|reference| match view.resolve_launch(reference) {
                    LaunchResolution::Resolved { template, version, image_id } => {
                        format!("{} v{} ({image_id})", template.name, version.version)
                    }
                    LaunchResolution::TemplateMissing => "missing launch template".to_string(),
                    LaunchResolution::VersionMissing { template } => {
                        format!("{}: missing version", template.name)
                    }
                    LaunchResolution::NoImage { template, .. } => format!("{}: no AMI", template.name),
                    LaunchResolution::Unknown(_) => "unknown".to_string(),
                })
                .collect();
            if !launches.is_empty() {
                put("ASG launches", &asg.arn, &asg.name, region, launches.join(", "));
            }
        }
        for lb in &r.load_balancers {
            put("load balancer", &lb.arn, &lb.name, region, lb.dns_name.to_ascii_lowercase());
        }
        if view.name == dr_name {
            for tg in &r.target_groups {
                let value = match &tg.target_health {
                    Known::Value(targets) => format!(
                        "{} healthy of {} registered",
                        targets.iter().filter(|t| t.is_healthy()).count(),
                        targets.len()
                    ),
                    Known::Unknown(_) => "unknown".to_string(),
                };
                put("DR target health", &tg.arn, &tg.name, region, value);
            }
        }
        for db in &r.db_instances {
            if let Some(source) = &db.read_replica_source {
                put(
                    "replica",
                    &db.arn,
                    &db.id,
                    region,
                    format!("replica of {source} ({})", display(&db.status)),
                );
            }
        }
        for cluster in &r.global_clusters {
            let mut members: Vec<String> = cluster
                .members
                .iter()
                .map(|m| format!("{}{}", m.cluster_arn, if m.writer { " (writer)" } else { "" }))
                .collect();
            members.sort();
            put("global cluster members", &cluster.arn, &cluster.id, None, members.join(", "));
        }
        for fs in &r.file_systems {
            let value = match &fs.replication {
                Known::Value(destinations) if destinations.is_empty() => "none".to_string(),
                Known::Value(destinations) => destinations
                    .iter()
                    .map(|d| format!("{} in {} ({})", d.file_system_id, d.region, d.status))
                    .collect::<Vec<_>>()
                    .join(", "),
                Known::Unknown(_) => "unknown".to_string(),
            };
            put("EFS replication", &fs.arn, &fs.id, region, value);
        }
        for plan in &r.backup_plans {
            let mut copies: Vec<&str> = plan
                .rules
                .iter()
                .flat_map(|rule| rule.copy_actions.iter().map(|c| c.destination_vault_arn.as_str()))
                .collect();
            copies.sort_unstable();
            copies.dedup();
            let value = if copies.is_empty() { "no copy".to_string() } else { copies.join(", ") };
            put("backup copy targets", &plan.arn, &plan.name, region, value);
        }
    }
    for zone in &inventory.snapshot.resources.global.hosted_zones {
        let Known::Value(records) = &zone.record_sets else { continue };
        for record in records.iter().filter(|r| r.failover.is_some()) {
            let target = match &record.alias_target {
                Some(alias) => format!(
                    "alias {}{}",
                    crate::inventory::dns::normalize_dns_name(&alias.dns_name),
                    if alias.evaluate_target_health { " (evaluates target health)" } else { "" }
                ),
                None => record.values.join(", "),
            };
            let check =
                record.health_check_id.as_deref().map(|h| format!(", health check {h}")).unwrap_or_default();
            let id = format!("{} {}", record.name, record.record_type);
            put("failover record target", &record.arn(&zone.id), &id, None, format!("{target}{check}"));
        }
    }
    dr_copies(inventory, &mut put);
    accounts(inventory.snapshot, &mut put);
    out
}

/// Which account plays which side of the setup, with the role drscan assumed there, or why
/// nothing of it could be read: a recovery account swapped, a role changed or no longer
/// assumable is drift the resource facts alone do not show. Keyed by the account's root ARN.
fn accounts(
    snapshot: &crate::inventory::Snapshot,
    put: &mut impl FnMut(&'static str, &str, &str, Option<&str>, String),
) {
    let partition = crate::regions::find(&snapshot.regions.primary).map_or("aws", |r| r.partition);
    for record in &snapshot.accounts {
        let sides: Vec<&str> = record.sides.iter().map(|s| s.as_str()).collect();
        let mut value = format!("sides {}", sides.join(", "));
        match &record.role_arn {
            Some(role) => value.push_str(&format!("; role {role}")),
            None => value.push_str("; ambient credentials"),
        }
        if let Some(why) = &record.unreadable {
            value.push_str(&format!("; unreadable: {why}"));
        }
        let arn = format!("arn:{partition}:iam::{}:root", record.account);
        put("account", &arn, &record.account, None, value);
    }
}

/// The DR copy of each primary AMI a primary group launches, and of each application's primary
/// databases, clusters, file systems, buckets, tables and secrets.
fn dr_copies(
    inventory: &Inventory<'_>,
    put: &mut impl FnMut(&'static str, &str, &str, Option<&str>, String),
) {
    const WHAT: &str = "DR copy";
    let relations = inventory.relations();
    let primary = &inventory.primary;
    let region = Some(primary.name);
    let unknown = || "unknown".to_string();
    let none = || "none".to_string();
    let launched: BTreeSet<&str> = primary
        .resources
        .auto_scaling_groups
        .iter()
        .flat_map(|asg| asg.launch_template_refs())
        .filter_map(|reference| match primary.resolve_launch(reference) {
            LaunchResolution::Resolved { image_id, .. } => Some(image_id),
            _ => None,
        })
        .collect();
    for image in launched.into_iter().filter_map(|id| primary.images.get(id).copied()) {
        if !relations.copy_expected(image) {
            continue;
        }
        let value = match relations.ami_copies(image) {
            Known::Value(copies) => match copies.iter().find(|c| c.usable()) {
                Some(copy) => format!("{} (matched by {})", copy.image.id, copy.matched_by.as_str()),
                None => none(),
            },
            Known::Unknown(_) => unknown(),
        };
        put(WHAT, &image.arn, &image.id, region, value);
    }
    for members in inventory.members().by_app.values() {
        for db in &members.primary_db_instances {
            let value = match relations.db_replicas(db) {
                Known::Value(replicas) if replicas.is_empty() => none(),
                Known::Value(replicas) => replicas
                    .iter()
                    .map(|r| match r.via.as_slice() {
                        [] => format!("replica {}", r.id()),
                        via => format!("replica {} via {}", r.id(), via.join(" → ")),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                Known::Unknown(_) => unknown(),
            };
            put(WHAT, &db.arn, &db.id, region, value);
        }
        for cluster in &members.primary_db_clusters {
            let value = match relations.aurora_copy(cluster) {
                Known::Value(Some(copy @ AuroraCopy::GlobalSecondary { .. })) => {
                    let headless = if copy.headless() { " (headless)" } else { "" };
                    format!("global secondary {}{headless}", copy.id())
                }
                Known::Value(Some(AuroraCopy::ReplicaCluster(replica))) => {
                    format!("replica cluster {}", replica.id)
                }
                Known::Value(None) => none(),
                Known::Unknown(_) => unknown(),
            };
            put(WHAT, &cluster.arn, &cluster.id, region, value);
        }
        for fs in &members.primary_file_systems {
            let value = match relations.efs_protection(fs).copy() {
                Known::Value(Some(EfsCopy::Replication(d))) => format!("replication to {}", d.file_system_id),
                Known::Value(Some(EfsCopy::Backup(copy))) => format!(
                    "backup plan {} rule {} → vault {}",
                    copy.plan.name,
                    copy.rule.name,
                    crate::inventory::arn::arn_name(&copy.action.destination_vault_arn)
                ),
                Known::Value(None) => none(),
                Known::Unknown(_) => unknown(),
            };
            put(WHAT, &fs.arn, &fs.id, region, value);
        }
        for bucket in &members.primary_buckets {
            let value = match relations.bucket_copies(bucket) {
                Known::Value(copies) => match copies.iter().find(|c| c.live() == Known::Value(true)) {
                    Some(copy) => {
                        format!("replication rule {} to {}", copy.rule.id, copy.rule.destination_bucket())
                    }
                    None if copies.iter().any(|c| c.live().get().is_err()) => unknown(),
                    None => none(),
                },
                Known::Unknown(_) => unknown(),
            };
            put(WHAT, &bucket.arn, &bucket.name, region, value);
        }
        for table in &members.primary_tables {
            let value = match relations.table_copy(table) {
                Known::Value(Some(copy)) => {
                    format!("replica in {} ({})", copy.replica.region, copy.replica.status)
                }
                Known::Value(None) => none(),
                Known::Unknown(_) => unknown(),
            };
            put(WHAT, &table.arn, &table.name, region, value);
        }
        for secret in &members.primary_secrets {
            let value = match relations.secret_copy(secret) {
                Known::Value(Some(SecretCopy { status: Some(status), .. })) => {
                    format!("replica in {} ({})", status.region, status.status)
                }
                Known::Value(Some(SecretCopy { replica, .. })) => {
                    format!("own secret {}", replica.map_or(secret.name.as_str(), |s| s.arn.as_str()))
                }
                Known::Value(None) => none(),
                Known::Unknown(_) => unknown(),
            };
            put(WHAT, &secret.arn, &secret.name, region, value);
        }
    }
}

fn display(text: &str) -> &str {
    if text.is_empty() { "-" } else { text }
}

/// `drscan diff` as text.
pub(crate) fn render_text(drift: &Drift) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "DR drift from {} to {}", drift.previous_collected_at, drift.current_collected_at);
    if drift.is_empty() {
        let _ = writeln!(out, "\nNo DR-relevant change.");
        return out;
    }
    let _ = writeln!(out, "\nNew findings ({}):", drift.new_findings.len());
    for f in &drift.new_findings {
        let _ = writeln!(
            out,
            "  + {:<8} {} {}  {}",
            f.severity.as_str().to_uppercase(),
            f.code,
            f.rule,
            f.resource_id
        );
        let _ = writeln!(out, "      {}", f.message);
    }
    let _ = writeln!(out, "\nResolved findings ({}):", drift.resolved_findings.len());
    for f in &drift.resolved_findings {
        let _ = writeln!(
            out,
            "  - {:<8} {} {}  {}",
            f.severity.as_str().to_uppercase(),
            f.code,
            f.rule,
            f.resource_id
        );
    }
    let _ = writeln!(out, "\nResource changes ({}):", drift.resource_changes.len());
    for c in &drift.resource_changes {
        let app = c.app.as_deref().map(|a| format!("[{a}] ")).unwrap_or_default();
        let line = match c.change {
            ChangeKind::Added => {
                format!("+ {app}{} {} added: {}", c.what, c.id, c.after.as_deref().unwrap_or(""))
            }
            ChangeKind::Removed => {
                format!("- {app}{} {} removed (was {})", c.what, c.id, c.before.as_deref().unwrap_or(""))
            }
            ChangeKind::Changed => format!(
                "~ {app}{} {}: {} → {}",
                c.what,
                c.id,
                c.before.as_deref().unwrap_or(""),
                c.after.as_deref().unwrap_or("")
            ),
        };
        let _ = writeln!(out, "  {line}");
    }
    out
}
