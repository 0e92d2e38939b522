//! The DR copies of a primary data store: cross-region read replicas (following same-region
//! replica chains), Aurora global secondaries and replica clusters, EFS replication, and AWS
//! Backup rules that copy the store to a DR-region vault. Shared by the estimate and the rules.

use crate::inventory::Tags;
use crate::inventory::arn::arn_region;
use crate::inventory::database::{DbCluster, DbInstance};
use crate::inventory::graph::{Inventory, RegionView};
use crate::inventory::storage::{
    BackupPlan, BackupRule, BackupSelection, FileSystem, RecoveryPoint, ReplicationDestination, TagCondition,
};
use crate::inventory::{Known, ResourceKind, UnknownReason};
use std::collections::{HashMap, HashSet};

/// A backup plan rule that protects a resource, and whether it copies to the DR region.
#[derive(Debug, Clone, Copy)]
pub struct BackupCoverage<'s> {
    pub plan: &'s BackupPlan,
    pub rule: &'s BackupRule,
    pub copies_to_dr: bool,
}

/// The backup plans of one region, indexed once per audit so that finding the plans that
/// protect a resource costs a few hash lookups instead of a scan of every selection.
///
/// A selection picks a resource when (`Resources` match AND every `Conditions` entry holds) OR
/// any `ListOfTags` entry holds. Every way it can pick a resource needs a `StringEquals` tag
/// (a condition of the first branch, an entry of the second) unless the selection uses other
/// operators: selections are indexed under those tags, the others are checked in full.
pub struct BackupIndex<'s> {
    plans: &'s [BackupPlan],
    dr_region: String,
    by_tag: HashMap<(&'s str, &'s str), Vec<(usize, &'s BackupSelection)>>,
    general: Vec<(usize, &'s BackupSelection)>,
    /// Why some plan's selections (or the plan list) could not be read.
    pub missing: Option<UnknownReason>,
}

fn tag_key(key: &str) -> &str {
    key.strip_prefix("aws:ResourceTag/").unwrap_or(key)
}

/// The `StringEquals` tags one of which a resource must carry to be selected, or `None` when
/// the selection can pick resources without any.
fn required_tags(selection: &BackupSelection) -> Option<Vec<(&str, &str)>> {
    let equals = |c: &&TagCondition| c.operator.eq_ignore_ascii_case("StringEquals");
    let mut tags = Vec::new();
    if !selection.resources.is_empty() {
        let condition = selection.conditions.iter().find(equals)?;
        tags.push((tag_key(&condition.key), condition.value.as_str()));
    }
    for entry in &selection.list_of_tags {
        if !equals(&entry) {
            return None;
        }
        tags.push((tag_key(&entry.key), entry.value.as_str()));
    }
    Some(tags)
}

impl<'s> BackupIndex<'s> {
    pub fn new(view: &RegionView<'s>, dr_region: &str) -> Self {
        let mut index = BackupIndex {
            plans: &view.resources.backup_plans,
            dr_region: dr_region.to_string(),
            by_tag: HashMap::new(),
            general: Vec::new(),
            missing: view.gap(ResourceKind::BackupPlan).cloned(),
        };
        for (i, plan) in view.resources.backup_plans.iter().enumerate() {
            match &plan.selections {
                Known::Value(selections) => {
                    for selection in selections {
                        match required_tags(selection) {
                            Some(tags) => {
                                for tag in tags {
                                    index.by_tag.entry(tag).or_default().push((i, selection));
                                }
                            }
                            None => index.general.push((i, selection)),
                        }
                    }
                }
                Known::Unknown(reason) => index.missing = index.missing.take().or(Some(reason.clone())),
            }
        }
        index
    }

    /// Backup plan rules whose selections pick the resource, in plan order.
    pub fn coverage(&self, arn: &str, tags: &Tags) -> Vec<BackupCoverage<'s>> {
        let mut plans: Vec<usize> = Vec::new();
        let candidates = tags
            .iter()
            .filter_map(|(k, v)| self.by_tag.get(&(k.as_str(), v.as_str())))
            .flatten()
            .chain(self.general.iter());
        for (plan, selection) in candidates {
            if !plans.contains(plan) && selection.selects(arn, tags) {
                plans.push(*plan);
            }
        }
        plans.sort_unstable();
        let mut covered = Vec::new();
        for plan in plans.into_iter().filter_map(|i| self.plans.get(i)) {
            for rule in &plan.rules {
                let copies_to_dr =
                    rule.copy_actions.iter().any(|c| c.destination_region() == Some(self.dr_region.as_str()));
                covered.push(BackupCoverage { plan, rule, copies_to_dr });
            }
        }
        covered
    }
}

/// Completed recovery points in a region's vaults, by the resource they protect.
pub struct RecoveryPoints<'s> {
    by_resource: HashMap<&'s str, Vec<(&'s RecoveryPoint, &'s str)>>,
    /// Why some vault's recovery points (or the vault list) could not be read.
    pub missing: Option<UnknownReason>,
}

impl<'s> RecoveryPoints<'s> {
    pub fn new(view: &RegionView<'s>) -> Self {
        let mut index = RecoveryPoints {
            by_resource: HashMap::new(),
            missing: view.gap(ResourceKind::BackupVault).cloned(),
        };
        for vault in &view.resources.backup_vaults {
            match &vault.recovery_points {
                Known::Value(points) => {
                    for rp in points.iter().filter(|rp| rp.status == "COMPLETED") {
                        index
                            .by_resource
                            .entry(rp.resource_arn.as_str())
                            .or_default()
                            .push((rp, vault.name.as_str()));
                    }
                }
                Known::Unknown(reason) => index.missing = index.missing.take().or(Some(reason.clone())),
            }
        }
        index
    }

    /// The newest completed recovery point of a resource, with its vault's name.
    pub fn newest(&self, resource_arn: &str) -> Option<(&'s RecoveryPoint, &'s str)> {
        self.by_resource.get(resource_arn)?.iter().copied().max_by_key(|(rp, _)| rp.creation_date)
    }
}

/// DR-region read replicas of a primary instance, directly or through same-region replicas.
pub fn dr_replicas<'s>(
    db: &DbInstance,
    primary: &RegionView<'s>,
    dr: &RegionView<'s>,
    by_source: &HashMap<&str, Vec<&'s DbInstance>>,
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
    for replica in chain.iter().filter_map(|member| by_source.get(member)).flatten() {
        if !found.iter().any(|f| f.arn == replica.arn) {
            found.push(replica);
        }
    }
    found
}

/// DR-region DB instances by the source they replicate (identifier or ARN, as RDS reports it).
pub fn replicas_by_source<'s>(dr: &RegionView<'s>) -> HashMap<&'s str, Vec<&'s DbInstance>> {
    let mut index: HashMap<&str, Vec<&DbInstance>> = HashMap::new();
    for replica in &dr.resources.db_instances {
        if let Some(source) = replica.read_replica_source.as_deref() {
            index.entry(source).or_default().push(replica);
        }
    }
    index
}

/// The DR copies of primary Aurora clusters: global-database secondaries in the DR region, by
/// any member cluster's ARN, and cross-region replica clusters, by their source's ARN.
pub struct AuroraIndex<'s> {
    secondaries: HashMap<&'s str, (&'s str, Option<&'s DbCluster>)>,
    replica_clusters: HashMap<&'s str, &'s DbCluster>,
}

impl<'s> AuroraIndex<'s> {
    pub fn new(inventory: &Inventory<'s>) -> Self {
        let dr = &inventory.dr;
        let mut secondaries = HashMap::new();
        for global in inventory.primary.resources.global_clusters.iter().chain(&dr.resources.global_clusters)
        {
            let Some(member) =
                global.members.iter().find(|m| !m.writer && arn_region(&m.cluster_arn) == Some(dr.name))
            else {
                continue;
            };
            let cluster = dr.db_clusters_by_arn.get(member.cluster_arn.as_str()).copied();
            for other in &global.members {
                secondaries
                    .entry(other.cluster_arn.as_str())
                    .or_insert((member.cluster_arn.as_str(), cluster));
            }
        }
        let replica_clusters = dr
            .resources
            .db_clusters
            .iter()
            .filter_map(|c| c.replication_source.as_deref().map(|source| (source, c)))
            .collect();
        AuroraIndex { secondaries, replica_clusters }
    }

    /// The DR secondary of the global database `cluster` belongs to: its ARN, and the DR
    /// listing's view of it (`None` when it is not in the DR cluster listing).
    pub fn secondary(&self, cluster: &DbCluster) -> Option<(&'s str, Option<&'s DbCluster>)> {
        self.secondaries.get(cluster.arn.as_str()).copied()
    }

    pub fn replica_cluster(&self, cluster: &DbCluster) -> Option<&'s DbCluster> {
        self.replica_clusters.get(cluster.arn.as_str()).copied()
    }
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
