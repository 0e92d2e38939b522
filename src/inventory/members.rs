//! Application members: for each application (SPEC §2), its failover record groups and the
//! resources of each tier in each region — what the DR counterpart rules (`dr-asg-missing`,
//! `dr-asg-capacity-insufficient`, …) and the RTO/RPO estimate compare side by side.

use super::compute::AutoScalingGroup;
use super::database::{DbCluster, DbInstance};
use super::graph::{AliasResolution, Inventory, RegionView};
use super::load_balancing::LoadBalancer;
use super::storage::FileSystem;
use std::collections::BTreeMap;

/// One application's resources, by region and kind.
#[derive(Debug, Default)]
pub struct Members<'s> {
    /// Indexes into [`Inventory::failover_groups`] of the groups whose name maps to this app.
    pub failover_groups: Vec<usize>,
    pub primary_asgs: Vec<&'s AutoScalingGroup>,
    pub dr_asgs: Vec<&'s AutoScalingGroup>,
    /// Primary-region DB instances that are neither replicas nor Aurora cluster members.
    pub primary_db_instances: Vec<&'s DbInstance>,
    /// Primary-region Aurora clusters that are not themselves replicas or global secondaries.
    pub primary_db_clusters: Vec<&'s DbCluster>,
    pub primary_file_systems: Vec<&'s FileSystem>,
}

/// Every application's members, keyed by application name.
#[derive(Debug, Default)]
pub struct AppMembers<'s> {
    pub by_app: BTreeMap<String, Members<'s>>,
}

impl<'s> AppMembers<'s> {
    pub fn build(inventory: &Inventory<'s>) -> Self {
        let apps = inventory.applications();
        let mut by_app: BTreeMap<String, Members<'s>> =
            apps.names.iter().map(|n| (n.clone(), Members::default())).collect();
        for (index, group) in inventory.failover_groups.iter().enumerate() {
            if let Some(app) = apps.app_of_record(&group.name)
                && let Some(members) = by_app.get_mut(app)
            {
                members.failover_groups.push(index);
            }
        }
        let primary = &inventory.primary;
        let dr = &inventory.dr;
        for asg in &primary.resources.auto_scaling_groups {
            if let Some(m) = apps.app_of(&asg.arn).and_then(|a| by_app.get_mut(a)) {
                m.primary_asgs.push(asg);
            }
        }
        for asg in &dr.resources.auto_scaling_groups {
            if let Some(m) = apps.app_of(&asg.arn).and_then(|a| by_app.get_mut(a)) {
                m.dr_asgs.push(asg);
            }
        }
        for db in &primary.resources.db_instances {
            if db.is_replica() || db.cluster_id.is_some() {
                continue;
            }
            if let Some(m) = apps.app_of(&db.arn).and_then(|a| by_app.get_mut(a)) {
                m.primary_db_instances.push(db);
            }
        }
        // Clusters that are the secondary member of some global database.
        let secondaries: std::collections::HashSet<&str> = primary
            .resources
            .global_clusters
            .iter()
            .chain(&dr.resources.global_clusters)
            .flat_map(|g| g.members.iter().filter(|m| !m.writer).map(|m| m.cluster_arn.as_str()))
            .collect();
        for cluster in &primary.resources.db_clusters {
            if cluster.replication_source.is_some() || secondaries.contains(cluster.arn.as_str()) {
                continue;
            }
            if let Some(m) = apps.app_of(&cluster.arn).and_then(|a| by_app.get_mut(a)) {
                m.primary_db_clusters.push(cluster);
            }
        }
        for fs in &primary.resources.file_systems {
            if let Some(m) = apps.app_of(&fs.arn).and_then(|a| by_app.get_mut(a)) {
                m.primary_file_systems.push(fs);
            }
        }
        AppMembers { by_app }
    }
}

/// The load balancer an alias record resolves to, with its region's view.
pub struct ResolvedLb<'a, 's> {
    pub view: &'a RegionView<'s>,
    pub load_balancer: &'s LoadBalancer,
}

/// Resolve an alias to a load balancer in a collected region, or `None` for any other outcome
/// (dangling, non-LB target, unknown: those are other rules' findings).
pub fn alias_load_balancer<'a, 's>(
    inventory: &'a Inventory<'s>,
    zone: &'s super::dns::HostedZone,
    record_type: &str,
    alias: &'s super::dns::AliasTarget,
) -> Option<ResolvedLb<'a, 's>> {
    match inventory.resolve_alias(zone, record_type, alias) {
        AliasResolution::LoadBalancer { region, load_balancer } => {
            inventory.region(region).map(|view| ResolvedLb { view, load_balancer })
        }
        _ => None,
    }
}

/// Auto Scaling groups feeding a load balancer's target groups, deduplicated by ARN.
pub fn asgs_behind_lb<'s>(view: &RegionView<'s>, lb: &LoadBalancer) -> Vec<&'s AutoScalingGroup> {
    let mut out: Vec<&AutoScalingGroup> = Vec::new();
    for tg in view.target_groups_of(&lb.arn) {
        for asg in view.asgs_behind(&tg.arn) {
            if !out.iter().any(|a| a.arn == asg.arn) {
                out.push(asg);
            }
        }
    }
    out
}

/// How `copy` (in the DR region) is recognised as a copy of `source` (in `source_region`):
/// `SourceImageId` + `SourceImageRegion`, else the pairing tag (same value on both, or the
/// source's ID on the copy), else an identical name — as `ami-missing-in-dr` matches.
pub fn copy_match(
    copy: &super::compute::Image,
    source: &super::compute::Image,
    source_region: &str,
    pairing_tag: &str,
) -> Option<&'static str> {
    if copy.source_image_id.as_deref() == Some(source.id.as_str())
        && copy.source_image_region.as_deref() == Some(source_region)
    {
        return Some("source-image-id");
    }
    if let Some(value) = copy.tags.get(pairing_tag)
        && (*value == source.id || source.tags.get(pairing_tag) == Some(value))
    {
        return Some("tag");
    }
    (!source.name.is_empty() && copy.name == source.name).then_some("name")
}

/// A primary data store of an application: an RDS instance, an Aurora cluster or an EFS file
/// system, as backup selections see it.
#[derive(Debug, Clone, Copy)]
pub struct DataStore<'s> {
    pub kind: super::ResourceKind,
    pub arn: &'s str,
    pub id: &'s str,
    pub tags: &'s super::Tags,
}

impl<'s> Members<'s> {
    pub fn primary_data_stores(&self) -> Vec<DataStore<'s>> {
        use super::ResourceKind;
        let dbs = self.primary_db_instances.iter().map(|d| DataStore {
            kind: ResourceKind::DbInstance,
            arn: &d.arn,
            id: &d.id,
            tags: &d.tags,
        });
        let clusters = self.primary_db_clusters.iter().map(|c| DataStore {
            kind: ResourceKind::DbCluster,
            arn: &c.arn,
            id: &c.id,
            tags: &c.tags,
        });
        let file_systems = self.primary_file_systems.iter().map(|f| DataStore {
            kind: ResourceKind::FileSystem,
            arn: &f.arn,
            id: &f.id,
            tags: &f.tags,
        });
        dbs.chain(clusters).chain(file_systems).collect()
    }
}
