//! The report's failover paths: each failover record of an application down to the AMI its
//! group launches (and, in the primary region, that AMI's DR copy), and each primary data store
//! to its DR copy. Every DR counterpart comes from the inventory's DR relations
//! ([`crate::inventory::dr`]), the layer the rules and the estimate read too, and each one the
//! report draws is also kept as a [`DrLink`] — present, missing or unknown — so that tests can
//! compare what the report draws with what the rules and the estimate concluded.

use crate::inventory::arn::arn_name;
use crate::inventory::dns::{HostedZone, RecordSet};
use crate::inventory::dr::{AuroraCopy, DrRelations, EfsCopy, LbTarget};
use crate::inventory::graph::{AliasResolution, EXTERNAL_HOST, Inventory, LaunchResolution};
use crate::inventory::{Known, ResourceKind, UnknownReason};
use serde::Serialize;
use std::collections::HashMap;

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

/// A chain such as record → ALB → target group → ASG → launch template → AMI, with the DR
/// links it draws.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailoverPath {
    pub title: String,
    pub nodes: Vec<PathNode>,
    pub links: Vec<DrLink>,
}

/// Which DR relation a link draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    /// Primary AMI → its DR copy (`ami-missing-in-dr`).
    AmiCopy,
    /// Primary DB instance → its DR read replicas (`rds-no-dr-replica`).
    DbReplica,
    /// Primary Aurora cluster → its global secondary or replica cluster (`rds-no-dr-replica`).
    AuroraCopy,
    /// Primary file system → its replication destination or backup copy (`efs-no-dr-copy`).
    EfsCopy,
    /// Backup plan copying a store → the DR vault it copies to (`backup-copy-target-missing`).
    BackupVault,
    /// Primary S3 bucket → the DR bucket a live replication rule copies it to
    /// (`s3-no-dr-replication`).
    BucketCopy,
    /// Primary DynamoDB table → its global table's DR replica (`dynamodb-no-dr-replica`).
    TableReplica,
    /// Primary secret → its DR replica (`dr-secrets-missing`).
    SecretReplica,
    /// Failover record → the load balancer its alias resolves to (`failover-target-missing`).
    RecordTarget,
    /// The load balancer of a failover record → its target groups.
    TargetGroup,
    /// The load balancer of a failover record → the Auto Scaling group behind its target
    /// groups (behind a SECONDARY, the one the estimate scales out).
    AutoScalingGroup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    Present,
    Missing,
    Unknown,
}

/// A DR link as the report draws it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrLink {
    pub relation: Relation,
    /// The ARN the link starts from: a primary AMI, database, cluster or file system, a backup
    /// plan, a failover record, a failover record's load balancer.
    pub from: String,
    pub state: LinkState,
    /// The counterparts drawn when present: ARNs, or file system IDs for EFS replication.
    pub to: Vec<String>,
}

/// A path under construction.
struct Path<'m> {
    nodes: Vec<PathNode>,
    links: Vec<DrLink>,
    states: &'m HashMap<&'m str, NodeState>,
}

impl<'m> Path<'m> {
    fn new(states: &'m HashMap<&'m str, NodeState>) -> Self {
        Path { nodes: Vec::new(), links: Vec::new(), states }
    }

    /// A path that starts at a primary resource: `name (region)`, as a `kind` node.
    fn from_primary(
        states: &'m HashMap<&'m str, NodeState>,
        kind: &'static str,
        name: &str,
        region: &str,
        arn: &str,
    ) -> Self {
        let mut path = Path::new(states);
        path.node(kind, format!("{name} ({region})"), Some(arn));
        path
    }

    /// A node whose state is the worst open finding on its ARN.
    fn node(&mut self, kind: &'static str, label: String, arn: Option<&str>) {
        let state = arn.and_then(|a| self.states.get(a).copied()).unwrap_or(NodeState::Ok);
        self.nodes.push(PathNode { kind, label, arn: arn.map(str::to_string), state });
    }

    fn fixed(&mut self, kind: &'static str, label: String, arn: Option<&str>, state: NodeState) {
        self.nodes.push(PathNode { kind, label, arn: arn.map(str::to_string), state });
    }

    fn missing(&mut self, kind: &'static str, label: String) {
        self.fixed(kind, label, None, NodeState::Broken);
    }

    fn unknown(&mut self, kind: &'static str, label: String) {
        self.fixed(kind, label, None, NodeState::Unknown);
    }

    fn link(&mut self, relation: Relation, from: &str, state: LinkState, to: Vec<String>) {
        self.links.push(DrLink { relation, from: from.to_string(), state, to });
    }

    /// A DR link that reached `to`, and the node it reached.
    fn reached(&mut self, relation: Relation, from: &str, kind: &'static str, label: String, to: &str) {
        self.link(relation, from, LinkState::Present, vec![to.to_string()]);
        self.node(kind, label, Some(to));
    }

    /// A DR link with no counterpart, and the missing node.
    fn broken(&mut self, relation: Relation, from: &str, kind: &'static str, label: String) {
        self.link(relation, from, LinkState::Missing, Vec::new());
        self.missing(kind, label);
    }

    /// A DR link whose far end could not be told, and the unknown node.
    fn unresolved(&mut self, relation: Relation, from: &str, kind: &'static str, label: String) {
        self.link(relation, from, LinkState::Unknown, Vec::new());
        self.unknown(kind, label);
    }

    /// A DR link that found no counterpart: missing, or unknown when what it depends on could
    /// not be read.
    fn not_found(
        &mut self,
        relation: Relation,
        from: &str,
        kind: &'static str,
        missing: String,
        unknown: Option<&UnknownReason>,
    ) {
        match unknown {
            None => self.broken(relation, from, kind, missing),
            Some(reason) => self.unresolved(relation, from, kind, unknown_label(reason)),
        }
    }

    fn finish(self, title: String) -> FailoverPath {
        FailoverPath { title, nodes: self.nodes, links: self.links }
    }
}

fn unknown_label(reason: &UnknownReason) -> String {
    format!("unknown: {} failed", reason.operation)
}

/// Failover paths of every application: its failover records, then its databases, clusters,
/// file systems, buckets, tables and secrets, each to its DR copy.
pub(super) fn failover_paths<'m>(
    inventory: &Inventory<'_>,
    states: &'m HashMap<&'m str, NodeState>,
) -> HashMap<String, Vec<FailoverPath>> {
    let relations = inventory.relations();
    let dr = inventory.dr.name;
    let mut by_app: HashMap<String, Vec<FailoverPath>> = HashMap::new();
    for (app, members) in &inventory.members().by_app {
        let mut paths = Vec::new();
        for group in members.failover_groups.iter().filter_map(|i| inventory.failover_groups.get(*i)) {
            for (record, role) in group.records() {
                let title = format!("{role} {} {}", group.name, group.record_type);
                let mut path = Path::new(states);
                record_path(inventory, relations, group.zone, record, &title, &mut path);
                paths.push(path.finish(title));
            }
        }
        for db in &members.primary_db_instances {
            let mut path = Path::from_primary(states, "database", &db.id, inventory.primary.name, &db.arn);
            match relations.db_replicas(db) {
                Known::Value(replicas) if !replicas.is_empty() => {
                    let to = replicas.iter().map(|r| r.arn.to_string()).collect();
                    path.link(Relation::DbReplica, &db.arn, LinkState::Present, to);
                    for replica in &replicas {
                        let via = match replica.via.as_slice() {
                            [] => String::new(),
                            chain => format!(", via {}", chain.join(" → ")),
                        };
                        path.node("replica", format!("{} ({dr}{via})", replica.id()), Some(replica.arn));
                    }
                }
                found => {
                    let missing = format!("no replica in {dr}");
                    path.not_found(Relation::DbReplica, &db.arn, "replica", missing, found.get().err());
                }
            }
            paths.push(path.finish(format!("database {}", db.id)));
        }
        for cluster in &members.primary_db_clusters {
            let mut path =
                Path::from_primary(states, "cluster", &cluster.id, inventory.primary.name, &cluster.arn);
            match relations.aurora_copy(cluster) {
                Known::Value(Some(copy)) => {
                    let kind = match copy {
                        AuroraCopy::GlobalSecondary { .. } => "global secondary",
                        AuroraCopy::ReplicaCluster(_) => "replica cluster",
                    };
                    let headless = if copy.headless() && cluster.is_aurora() { ", headless" } else { "" };
                    let label = format!("{} ({dr}{headless})", copy.id());
                    path.reached(Relation::AuroraCopy, &cluster.arn, kind, label, copy.arn());
                }
                found => {
                    let missing = format!("no secondary in {dr}");
                    let unknown = found.get().err();
                    path.not_found(Relation::AuroraCopy, &cluster.arn, "global secondary", missing, unknown);
                }
            }
            paths.push(path.finish(format!("{} {}", cluster.family().label(), cluster.id)));
        }
        for fs in &members.primary_file_systems {
            let name = fs.name.as_deref().unwrap_or(&fs.id);
            let mut path = Path::from_primary(states, "file system", name, inventory.primary.name, &fs.arn);
            let protection = relations.efs_protection(fs);
            let destinations = protection.replication.value().cloned().unwrap_or_default();
            for d in &destinations {
                let state = if d.status == "ENABLED" { NodeState::Ok } else { NodeState::Broken };
                path.fixed(
                    "replica",
                    match &d.owner_id {
                        Some(account) => {
                            format!("{} ({}, account {account}, {})", d.file_system_id, d.region, d.status)
                        }
                        None => format!("{} ({}, {})", d.file_system_id, d.region, d.status),
                    },
                    None,
                    state,
                );
            }
            match protection.copy() {
                Known::Value(Some(EfsCopy::Replication(d))) => {
                    path.link(Relation::EfsCopy, &fs.arn, LinkState::Present, vec![d.file_system_id.clone()]);
                }
                Known::Value(Some(EfsCopy::Backup(copy))) => {
                    path.link(Relation::EfsCopy, &fs.arn, LinkState::Present, vec![copy.plan.arn.clone()]);
                    path.fixed("backup plan", copy.plan.name.clone(), Some(&copy.plan.arn), NodeState::Ok);
                    let vault_arn = copy.action.destination_vault_arn.as_str();
                    let (state, link) = match copy.vault {
                        Known::Value(Some(_)) => (NodeState::Ok, LinkState::Present),
                        Known::Value(None) => (NodeState::Broken, LinkState::Missing),
                        Known::Unknown(_) => (NodeState::Unknown, LinkState::Unknown),
                    };
                    path.link(Relation::BackupVault, &copy.plan.arn, link, vec![vault_arn.to_string()]);
                    path.fixed("DR vault", format!("{} ({dr})", arn_name(vault_arn)), Some(vault_arn), state);
                }
                Known::Value(None) => {
                    path.link(Relation::EfsCopy, &fs.arn, LinkState::Missing, Vec::new());
                    if destinations.is_empty() {
                        path.missing("copy", format!("no copy in {dr}"));
                    }
                }
                Known::Unknown(reason) => {
                    path.link(Relation::EfsCopy, &fs.arn, LinkState::Unknown, Vec::new());
                    let label = match protection.replication {
                        Known::Unknown(_) => "replication unknown".to_string(),
                        Known::Value(_) => unknown_label(&reason),
                    };
                    path.unknown("replica", label);
                }
            }
            paths.push(path.finish(format!("file system {}", fs.id)));
        }
        for bucket in &members.primary_buckets {
            let mut path =
                Path::from_primary(states, "bucket", &bucket.name, inventory.primary.name, &bucket.arn);
            match relations.bucket_dr_copy(bucket) {
                Known::Value(Some(copy)) => {
                    let destination = copy.dr_bucket().map(|b| b.arn.clone()).unwrap_or_default();
                    let label = format!("{} ({dr}, rule {})", copy.rule.destination_bucket(), copy.rule.id);
                    path.reached(Relation::BucketCopy, &bucket.arn, "replica", label, &destination);
                }
                found => {
                    let missing = format!("no replication to {dr}");
                    path.not_found(Relation::BucketCopy, &bucket.arn, "replica", missing, found.get().err());
                }
            }
            paths.push(path.finish(format!("bucket {}", bucket.name)));
        }
        for table in &members.primary_tables {
            let mut path =
                Path::from_primary(states, "table", &table.name, inventory.primary.name, &table.arn);
            match relations.table_copy(table) {
                Known::Value(Some(copy)) if copy.replica.active() => {
                    let arn = copy.table.map(|t| t.arn.clone()).unwrap_or_default();
                    let label = format!("{} ({dr}, {})", table.name, copy.replica.status);
                    path.reached(Relation::TableReplica, &table.arn, "replica", label, &arn);
                }
                Known::Value(Some(copy)) => {
                    let label = format!("{} ({dr}, {})", table.name, copy.replica.status);
                    path.broken(Relation::TableReplica, &table.arn, "replica", label);
                }
                found => {
                    let missing = format!("no replica in {dr}");
                    path.not_found(Relation::TableReplica, &table.arn, "replica", missing, found.get().err());
                }
            }
            paths.push(path.finish(format!("DynamoDB table {}", table.name)));
        }
        for secret in &members.primary_secrets {
            let mut path =
                Path::from_primary(states, "secret", &secret.name, inventory.primary.name, &secret.arn);
            match relations.secret_copy(secret) {
                Known::Value(Some(copy)) if copy.in_sync() => {
                    let arn = copy.replica.map(|s| s.arn.clone()).unwrap_or_default();
                    let label = format!("{} ({dr}, {})", secret.name, copy.state());
                    path.reached(Relation::SecretReplica, &secret.arn, "replica", label, &arn);
                }
                Known::Value(Some(copy)) => {
                    let label = format!("{} ({dr}, {})", secret.name, copy.state());
                    path.broken(Relation::SecretReplica, &secret.arn, "replica", label);
                }
                found => {
                    let missing = format!("no replica in {dr}");
                    path.not_found(
                        Relation::SecretReplica,
                        &secret.arn,
                        "replica",
                        missing,
                        found.get().err(),
                    );
                }
            }
            paths.push(path.finish(format!("secret {}", secret.name)));
        }
        by_app.insert(app.clone(), paths);
    }
    by_app
}

/// A failover record, its alias or CNAME target and, for a load balancer, the tier behind it.
fn record_path<'s>(
    inventory: &Inventory<'s>,
    relations: DrRelations<'_, 's>,
    zone: &'s HostedZone,
    record: &'s RecordSet,
    title: &str,
    path: &mut Path<'_>,
) {
    let record_arn = record.arn(&zone.id);
    path.node("record", title.to_string(), Some(&record_arn));
    let Some(resolution) = inventory.resolve_record(zone, record) else {
        path.node("value", record.values.join(", "), None);
        return;
    };
    match resolution {
        AliasResolution::LoadBalancer { region, load_balancer } => {
            let label = format!("{} ({region})", load_balancer.name);
            path.reached(Relation::RecordTarget, &record_arn, "load balancer", label, &load_balancer.arn);
            if let Some(view) = inventory.region(region) {
                web_tier(inventory, relations, LbTarget { view, load_balancer }, path);
            }
        }
        AliasResolution::MissingLoadBalancer { dns_name, .. } => {
            path.broken(
                Relation::RecordTarget,
                &record_arn,
                "load balancer",
                format!("{dns_name} (does not exist)"),
            );
        }
        // A CNAME to a host of the owner's own: drawn as the value it is.
        AliasResolution::OtherTarget { kind: EXTERNAL_HOST, .. } if record.alias_target.is_none() => {
            path.node("value", record.values.join(", "), None);
        }
        AliasResolution::OtherTarget { dns_name, kind } => {
            path.unresolved(Relation::RecordTarget, &record_arn, "target", format!("{kind} {dns_name}"));
        }
        AliasResolution::Unknown(reason) => {
            path.unresolved(Relation::RecordTarget, &record_arn, "target", format!("unknown: {reason}"));
        }
    }
}

/// Load balancer → target group → ASG → launch template → AMI (→ DR copy): the first ASG behind
/// the load balancer, which is what a person follows and what the estimate scales; every other
/// broken one is flagged by the rules anyway.
fn web_tier<'s>(
    inventory: &Inventory<'s>,
    relations: DrRelations<'_, 's>,
    target: LbTarget<'_, 's>,
    path: &mut Path<'_>,
) {
    let view = target.view;
    let lb_arn = target.load_balancer.arn.as_str();
    let groups = match target.target_groups() {
        Known::Value(groups) => groups,
        Known::Unknown(reason) => {
            path.not_found(Relation::TargetGroup, lb_arn, "target group", String::new(), Some(&reason));
            return;
        }
    };
    let asgs = target.asgs();
    // The target group the first ASG is behind, else the first target group.
    let tg = groups.iter().find(|tg| !view.asgs_behind(&tg.arn).is_empty()).or(groups.first()).copied();
    let Some(tg) = tg else {
        path.not_found(Relation::TargetGroup, lb_arn, "target group", "no target group".into(), None);
        return;
    };
    let health = match &tg.target_health {
        Known::Value(t) => format!("{}/{} healthy", t.iter().filter(|t| t.is_healthy()).count(), t.len()),
        Known::Unknown(_) => "health unknown".into(),
    };
    path.reached(Relation::TargetGroup, lb_arn, "target group", format!("{} ({health})", tg.name), &tg.arn);
    let Some(asg) = asgs.first() else {
        let unknown = view.gap(ResourceKind::AutoScalingGroup);
        path.not_found(
            Relation::AutoScalingGroup,
            lb_arn,
            "auto scaling group",
            "no ASG registered".into(),
            unknown,
        );
        return;
    };
    let label = format!("{} ({}/{}/{})", asg.name, asg.min_size, asg.desired_capacity, asg.max_size);
    path.reached(Relation::AutoScalingGroup, lb_arn, "auto scaling group", label, &asg.arn);
    let Some(reference) = asg.launch_template_refs().into_iter().next() else { return };
    let image_id = match view.resolve_launch(reference) {
        LaunchResolution::Resolved { template, version, image_id } => {
            path.node(
                "launch template",
                format!("{} v{}", template.name, version.version),
                Some(&template.arn),
            );
            image_id
        }
        LaunchResolution::Unknown(_) => {
            path.unknown("launch template", "unknown".into());
            return;
        }
        _ => {
            path.missing("launch template", "cannot launch".into());
            return;
        }
    };
    let Some(image) = view.images.get(image_id).copied() else {
        match view.unread(ResourceKind::Image, image_id) {
            Some(reason) => path.unknown("AMI", format!("{image_id} ({})", unknown_label(reason))),
            None => path.missing("AMI", format!("{image_id} (not in {})", view.name)),
        }
        return;
    };
    path.node("AMI", format!("{} {}", image.id, image.name), Some(&image.arn));
    if view.name != inventory.primary.name || !relations.copy_expected(image) {
        return;
    }
    let dr = inventory.dr.name;
    let copies = relations.ami_copies(image);
    let candidates = copies.value().map(Vec::as_slice).unwrap_or_default();
    match candidates.iter().find(|c| c.usable()) {
        Some(copy) => {
            let label = format!("{} ({dr}, matched by {})", copy.image.id, copy.matched_by.as_str());
            path.reached(Relation::AmiCopy, &image.arn, "DR copy", label, &copy.image.arn);
        }
        None => {
            let usable = if candidates.is_empty() { "" } else { "usable " };
            let missing = format!("no {usable}copy in {dr}");
            path.not_found(Relation::AmiCopy, &image.arn, "DR copy", missing, copies.get().err());
        }
    }
}
