//! The DR copies of a primary data store: cross-region read replicas (following same-region
//! replica chains), Aurora global secondaries and replica clusters, EFS replication, and AWS
//! Backup rules that copy the store to a DR-region vault. Shared by the estimate and the rules.

use crate::inventory::Tags;
use crate::inventory::database::{DbCluster, DbInstance};
use crate::inventory::graph::{Inventory, RegionView};
use crate::inventory::storage::{BackupPlan, BackupRule, FileSystem, ReplicationDestination};
use crate::inventory::{Known, ResourceKind, UnknownReason};
use crate::rules::resource::arn_region;
use std::collections::HashSet;

/// A backup plan rule that protects a resource, and whether it copies to the DR region.
#[derive(Debug, Clone, Copy)]
pub struct BackupCoverage<'s> {
    pub plan: &'s BackupPlan,
    pub rule: &'s BackupRule,
    pub copies_to_dr: bool,
}

/// Backup plan rules of `view` whose selections pick the resource. `Err` carries the reason
/// when a plan's selections (or the plan listing) could not be read.
pub fn backup_coverage<'s>(
    view: &RegionView<'s>,
    dr_region: &str,
    arn: &str,
    tags: &Tags,
) -> (Vec<BackupCoverage<'s>>, Option<UnknownReason>) {
    let mut covered = Vec::new();
    let mut missing = view.gap(ResourceKind::BackupPlan).cloned();
    for plan in &view.resources.backup_plans {
        match &plan.selections {
            Known::Value(selections) => {
                if !selections.iter().any(|s| s.selects(arn, tags)) {
                    continue;
                }
                for rule in &plan.rules {
                    let copies_to_dr =
                        rule.copy_actions.iter().any(|c| c.destination_region() == Some(dr_region));
                    covered.push(BackupCoverage { plan, rule, copies_to_dr });
                }
            }
            Known::Unknown(reason) => missing = missing.or(Some(reason.clone())),
        }
    }
    (covered, missing)
}

/// DR-region read replicas of a primary instance, directly or through same-region replicas.
pub fn dr_replicas<'s>(
    db: &DbInstance,
    primary: &RegionView<'s>,
    dr: &RegionView<'s>,
) -> Vec<&'s DbInstance> {
    let mut chain: HashSet<&str> = HashSet::new();
    let mut found: Vec<&DbInstance> = Vec::new();
    let mut queue: Vec<&DbInstance> = vec![];
    chain.insert(db.arn.as_str());
    chain.insert(db.id.as_str());
    let visit = |current: &DbInstance, queue: &mut Vec<&'s DbInstance>, found: &mut Vec<&'s DbInstance>| {
        for replica in &current.read_replica_ids {
            match arn_region(replica) {
                Some(region) if region == dr.name => {
                    if let Some(r) = dr.db_instance(replica) {
                        found.push(r);
                    }
                }
                Some(region) if region != primary.name => {}
                _ => {
                    if let Some(next) = primary.db_instance(replica) {
                        queue.push(next);
                    }
                }
            }
        }
    };
    visit(db, &mut queue, &mut found);
    while let Some(current) = queue.pop() {
        if !chain.insert(current.arn.as_str()) {
            continue;
        }
        chain.insert(current.id.as_str());
        visit(current, &mut queue, &mut found);
    }
    for replica in &dr.resources.db_instances {
        if replica.read_replica_source.as_deref().is_some_and(|s| chain.contains(s))
            && !found.iter().any(|f| f.arn == replica.arn)
        {
            found.push(replica);
        }
    }
    found
}

/// The DR secondary cluster of a primary Aurora cluster's global database, with the DR
/// listing's view of it (`None` when the member is not in the DR cluster listing).
pub fn aurora_dr_secondary<'s>(
    inventory: &Inventory<'s>,
    cluster: &DbCluster,
) -> Option<(String, Option<&'s DbCluster>)> {
    let dr = &inventory.dr;
    let globals = inventory.primary.resources.global_clusters.iter().chain(&dr.resources.global_clusters);
    for global in globals {
        if !global.members.iter().any(|m| m.cluster_arn == cluster.arn) {
            continue;
        }
        if let Some(member) =
            global.members.iter().find(|m| !m.writer && arn_region(&m.cluster_arn) == Some(dr.name))
        {
            return Some((
                member.cluster_arn.clone(),
                dr.db_clusters_by_arn.get(member.cluster_arn.as_str()).copied(),
            ));
        }
    }
    None
}

/// A cross-region replica cluster of `cluster` in the DR region.
pub fn aurora_dr_replica_cluster<'s>(dr: &RegionView<'s>, cluster: &DbCluster) -> Option<&'s DbCluster> {
    dr.resources.db_clusters.iter().find(|c| c.replication_source.as_deref() == Some(cluster.arn.as_str()))
}

/// The enabled EFS replication destination in the DR region, or why replication is unknown.
pub fn efs_dr_replication<'s>(
    fs: &'s FileSystem,
    dr_region: &str,
) -> Result<Option<&'s ReplicationDestination>, UnknownReason> {
    match &fs.replication {
        Known::Value(destinations) => {
            Ok(destinations.iter().find(|d| d.region == dr_region && d.status == "ENABLED"))
        }
        Known::Unknown(reason) => Err(reason.clone()),
    }
}
