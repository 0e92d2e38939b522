//! Application members: for each application (SPEC §2), its failover record groups and the
//! resources of each tier in each region (web tier, databases, files, buckets, tables,
//! secrets) — the primary resources whose DR counterparts ([`super::dr`]) the rules, the
//! RTO/RPO estimate and the report judge, and the DR groups that stand in for the primary ones.

use super::compute::AutoScalingGroup;
use super::database::{DbCluster, DbInstance, Table};
use super::dependencies::Secret;
use super::graph::Inventory;
use super::storage::{Bucket, FileSystem};
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
    pub primary_buckets: Vec<&'s Bucket>,
    pub primary_tables: Vec<&'s Table>,
    /// Primary-region secrets that originate there (not replicas of another region's):
    /// tagged with the application, or managed by RDS for an application database.
    pub primary_secrets: Vec<&'s Secret>,
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
        let relations = inventory.relations();
        for cluster in &primary.resources.db_clusters {
            if cluster.replication_source.is_some() || relations.is_global_secondary(cluster) {
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
        for bucket in &primary.resources.buckets {
            if let Some(m) = apps.app_of(&bucket.arn).and_then(|a| by_app.get_mut(a)) {
                m.primary_buckets.push(bucket);
            }
        }
        for table in &primary.resources.tables {
            if let Some(m) = apps.app_of(&table.arn).and_then(|a| by_app.get_mut(a)) {
                m.primary_tables.push(table);
            }
        }
        for secret in primary.resources.secrets.iter().filter(|s| s.is_primary()) {
            if let Some(m) = apps.app_of(&secret.arn).and_then(|a| by_app.get_mut(a)) {
                m.primary_secrets.push(secret);
            }
        }
        AppMembers { by_app }
    }
}

/// A primary data store of an application: an RDS instance, an Aurora cluster, an EFS file
/// system, an S3 bucket or a DynamoDB table, as backup selections see it.
#[derive(Debug, Clone, Copy)]
pub struct DataStore<'s> {
    pub kind: super::ResourceKind,
    pub arn: &'s str,
    pub id: &'s str,
    pub tags: &'s super::Tags,
}

/// The kinds [`Members::primary_data_stores`] holds: a rule that judges data stores reports
/// their listing gaps.
pub const DATA_STORE_KINDS: &[super::ResourceKind] =
    &[super::ResourceKind::DbInstance, super::ResourceKind::DbCluster, super::ResourceKind::FileSystem];

impl<'s> Members<'s> {
    pub fn primary_data_stores(&self) -> Vec<DataStore<'s>> {
        use super::ResourceKind as K;
        let store = |kind, arn: &'s String, id: &'s String, tags| DataStore { kind, arn, id, tags };
        let dbs = self.primary_db_instances.iter().map(|d| store(K::DbInstance, &d.arn, &d.id, &d.tags));
        let clusters = self.primary_db_clusters.iter().map(|c| store(K::DbCluster, &c.arn, &c.id, &c.tags));
        let files = self.primary_file_systems.iter().map(|f| store(K::FileSystem, &f.arn, &f.id, &f.tags));
        let buckets = self.primary_buckets.iter().map(|b| store(K::Bucket, &b.arn, &b.name, &b.tags));
        let tables = self.primary_tables.iter().map(|t| store(K::Table, &t.arn, &t.name, &t.tags));
        dbs.chain(clusters).chain(files).chain(buckets).chain(tables).collect()
    }
}
