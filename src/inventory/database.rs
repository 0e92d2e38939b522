//! Databases of one region: RDS DB instances with their replica links, DB clusters (Aurora,
//! Multi-AZ DB clusters, DocumentDB and Neptune: the RDS API lists them all), global clusters,
//! the replica-lag metric series read from CloudWatch (normalised to seconds), and DynamoDB
//! tables with their global-table replicas, replication latency and point-in-time recovery.

use super::Tags;
use super::known::{ErrorCause, Known, UnknownReason};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbInstance {
    pub arn: String,
    pub id: String,
    pub engine: String,
    pub instance_class: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub multi_az: bool,
    #[serde(default)]
    pub backup_retention_days: u32,
    #[serde(default)]
    pub deletion_protection: bool,
    #[serde(default)]
    pub storage_encrypted: bool,
    #[serde(default)]
    pub kms_key_id: Option<String>,
    /// Aurora member instances name their cluster; they are judged through it.
    #[serde(default)]
    pub cluster_id: Option<String>,
    /// The source of a read replica: an identifier (same region) or an ARN (cross-region).
    #[serde(default)]
    pub read_replica_source: Option<String>,
    /// Replicas of this instance: identifiers (same region) or ARNs (cross-region).
    #[serde(default)]
    pub read_replica_ids: Vec<String>,
    /// Replication status of a replica (`StatusInfos` of type `read replication`).
    #[serde(default)]
    pub replica_status: Vec<ReplicaStatusInfo>,
    /// Regions this instance's automated backups are replicated to.
    #[serde(default)]
    pub automated_backup_replications: Option<Known<Vec<String>>>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// The Secrets Manager secret RDS manages for the master user password (`MasterUserSecret`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master_user_secret_arn: Option<String>,
    #[serde(default)]
    pub tags: Tags,
}

impl DbInstance {
    pub fn is_replica(&self) -> bool {
        self.read_replica_source.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicaStatusInfo {
    /// `replicating`, `replication degraded`, `error`, `stopped`, `terminated`.
    pub status: String,
    #[serde(default = "default_true")]
    pub normal: bool,
    #[serde(default)]
    pub message: Option<String>,
}

fn default_true() -> bool {
    true
}

// By hand: a status info is normal unless it says otherwise, as serde reads it.
impl Default for ReplicaStatusInfo {
    fn default() -> Self {
        ReplicaStatusInfo { status: String::new(), normal: default_true(), message: None }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbCluster {
    pub arn: String,
    pub id: String,
    pub engine: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub members: Vec<DbClusterMember>,
    /// ARN of the source cluster when this cluster is a cross-region replica cluster.
    #[serde(default)]
    pub replication_source: Option<String>,
    #[serde(default)]
    pub multi_az: bool,
    #[serde(default)]
    pub backup_retention_days: u32,
    #[serde(default)]
    pub deletion_protection: bool,
    #[serde(default)]
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// The Secrets Manager secret RDS manages for the master user password (`MasterUserSecret`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master_user_secret_arn: Option<String>,
    #[serde(default)]
    pub tags: Tags,
}

/// What a DB cluster is, told by its `Engine`: `DescribeDBClusters` also returns Multi-AZ DB
/// clusters (`mysql`, `postgres`), DocumentDB (`docdb`) and Neptune (`neptune`) clusters, whose
/// DR copies, lag metrics and failover are not Aurora's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterFamily {
    /// `aurora`, `aurora-mysql`, `aurora-postgresql`.
    Aurora,
    /// A non-Aurora Multi-AZ DB cluster (`mysql`, `postgres`).
    MultiAzDbCluster,
    DocumentDb,
    Neptune,
    /// An engine drscan does not know.
    Other,
}

impl ClusterFamily {
    pub fn of(engine: &str) -> Self {
        match engine {
            e if e == "aurora" || e.starts_with("aurora-") => ClusterFamily::Aurora,
            "mysql" | "postgres" => ClusterFamily::MultiAzDbCluster,
            "docdb" => ClusterFamily::DocumentDb,
            "neptune" => ClusterFamily::Neptune,
            _ => ClusterFamily::Other,
        }
    }

    /// What the cluster is called in messages.
    pub fn label(self) -> &'static str {
        match self {
            ClusterFamily::Aurora => "Aurora cluster",
            ClusterFamily::MultiAzDbCluster => "Multi-AZ DB cluster",
            ClusterFamily::DocumentDb => "DocumentDB cluster",
            ClusterFamily::Neptune => "Neptune cluster",
            ClusterFamily::Other => "DB cluster",
        }
    }
}

impl DbCluster {
    pub fn family(&self) -> ClusterFamily {
        ClusterFamily::of(&self.engine)
    }

    pub fn is_aurora(&self) -> bool {
        self.family() == ClusterFamily::Aurora
    }

    /// Why drscan cannot judge the cluster's DR copy, lag or failover the way it judges
    /// Aurora's, or `None` for an Aurora cluster.
    pub fn not_modeled(&self) -> Option<UnknownReason> {
        let family = self.family();
        (family != ClusterFamily::Aurora).then(|| {
            UnknownReason::new(
                "DB cluster engine",
                ErrorCause::Unresolvable,
                format!(
                    "{} is a {} (engine {}): drscan models the DR copies, replication lag and failover of Aurora clusters only",
                    self.id,
                    family.label(),
                    if self.engine.is_empty() { "not reported" } else { &self.engine }
                ),
            )
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbClusterMember {
    pub instance_id: String,
    #[serde(default)]
    pub writer: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlobalCluster {
    pub arn: String,
    pub id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub members: Vec<GlobalClusterMember>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlobalClusterMember {
    pub cluster_arn: String,
    #[serde(default)]
    pub writer: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum LagMetric {
    /// RDS `ReplicaLag`, published in seconds by the replica's region.
    #[default]
    ReplicaLag,
    /// `AuroraGlobalDBReplicationLag`, published in milliseconds by the secondary's region.
    AuroraGlobalDBReplicationLag,
}

/// One lag metric of one replica (instance) or secondary cluster over the collection window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicaLagSeries {
    pub metric: LagMetric,
    /// The DB instance or cluster identifier the series is dimensioned by.
    pub subject_id: String,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    /// Per-period maximum lag in seconds (already normalised from milliseconds where needed).
    pub datapoints: Known<Vec<LagDatapoint>>,
}

impl ReplicaLagSeries {
    pub fn arn(&self, region: &str, account: &str) -> String {
        let (metric, dimension) = match self.metric {
            LagMetric::ReplicaLag => ("ReplicaLag", "DBInstanceIdentifier"),
            LagMetric::AuroraGlobalDBReplicationLag => {
                ("AuroraGlobalDBReplicationLag", "DBClusterIdentifier")
            }
        };
        format!(
            "arn:aws:cloudwatch:{region}:{account}:metric/AWS/RDS/{metric}/{dimension}={}",
            self.subject_id
        )
    }

    /// The largest lag in the window, or `None` when there are no datapoints.
    pub fn max_seconds(&self) -> Option<Result<f64, &super::UnknownReason>> {
        max_of(&self.datapoints)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LagDatapoint {
    pub timestamp: DateTime<Utc>,
    pub max_seconds: f64,
}

/// A DynamoDB table of the region, with the replicas of its global table (version 2019.11.21).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub arn: String,
    pub name: String,
    /// `ACTIVE`, `CREATING`, `UPDATING`, `DELETING`, `INACCESSIBLE_ENCRYPTION_CREDENTIALS`, …;
    /// empty when DescribeTable failed.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// `GlobalTableVersion` (`2019.11.21`); `None` for a table that is no global table (or a
    /// legacy 2017.11.29 one, which DescribeTable does not describe).
    #[serde(default)]
    pub global_table_version: Option<String>,
    /// The other replicas of its global table (DescribeTable `Replicas`, without this table's
    /// own region); unknown when DescribeTable failed.
    pub replicas: Known<Vec<TableReplica>>,
    /// Point-in-time recovery: `ENABLED` or `DISABLED`; unknown when
    /// DescribeContinuousBackups failed.
    pub point_in_time_recovery: Known<String>,
    #[serde(default)]
    pub tags: Tags,
    /// Why its tags could not be read (ListTagsOfResource failed): `tags` is then empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags_unknown: Option<UnknownReason>,
}

/// One replica of a global table, as the table's own region describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableReplica {
    pub region: String,
    /// `ACTIVE`, `CREATING`, `CREATION_FAILED`, `UPDATING`, `DELETING`, `REGION_DISABLED`,
    /// `INACCESSIBLE_ENCRYPTION_CREDENTIALS`, …
    pub status: String,
    #[serde(default)]
    pub status_description: Option<String>,
    #[serde(default)]
    pub kms_key_id: Option<String>,
    /// `ReplicationLatency` from this table to the replica (dimension `ReceivingRegion`),
    /// per-period maxima in seconds (published in milliseconds, normalised here); `None` when
    /// not read (the replica is not `ACTIVE`).
    #[serde(default)]
    pub replication_latency: Option<MetricWindow>,
}

impl TableReplica {
    pub fn active(&self) -> bool {
        self.status == "ACTIVE"
    }
}

/// Per-period maxima of one metric over the collection window, in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricWindow {
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub datapoints: Known<Vec<LagDatapoint>>,
}

impl MetricWindow {
    /// The largest value in the window, or `None` when there are no datapoints.
    pub fn max_seconds(&self) -> Option<Result<f64, &super::UnknownReason>> {
        max_of(&self.datapoints)
    }
}

/// The largest `max_seconds` of a datapoint list, `None` when it is empty.
pub fn max_of(datapoints: &Known<Vec<LagDatapoint>>) -> Option<Result<f64, &super::UnknownReason>> {
    match datapoints {
        Known::Unknown(r) => Some(Err(r)),
        Known::Value(points) => points
            .iter()
            .map(|p| p.max_seconds)
            .fold(None, |acc: Option<f64>, v| Some(acc.map_or(v, |a| a.max(v))))
            .map(Ok),
    }
}
