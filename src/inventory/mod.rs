//! The typed inventory: every resource kind drscan reads, per region (plus Route 53, which is
//! global), with no SDK type in sight. Collectors fill it; rules read it through [`graph`].

pub mod compute;
pub mod database;
pub mod dependencies;
pub mod dns;
pub mod graph;
mod kinds;
pub mod known;
pub mod load_balancing;
pub mod matching;
pub mod members;
pub mod snapshot;
pub mod storage;

pub use known::{ErrorCause, Known, UnknownReason};
pub use snapshot::{CollectionError, RegionPair, Snapshot};

use compute::*;
use database::*;
use dependencies::*;
use dns::*;
use kinds::resource_kinds;
use load_balancing::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use storage::*;

pub type Tags = BTreeMap<String, String>;

/// Everything collected: Route 53 once, and every other kind per region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    #[serde(default)]
    pub global: GlobalResources,
    #[serde(default)]
    pub regional: BTreeMap<String, RegionResources>,
}

// The resource kinds, each declared once (see `kinds` for the forms). The order is the
// snapshot's field order and `ResourceKind`'s `Ord`; a new kind goes here, gets its model
// type, and is added to the `FILLS` of the collector that lists it — a regional or global
// kind no collector scope fills does not compile.
resource_kinds! {
    Image = "ec2:image", regional images: Image by [id] dedup;
    LaunchTemplate = "ec2:launch-template", regional launch_templates: LaunchTemplate by [id];
    LaunchTemplateVersion = "ec2:launch-template-version", regional inside launch_templates;
    AutoScalingGroup = "autoscaling:group", regional auto_scaling_groups: AutoScalingGroup by [name];
    ScalingPolicy = "autoscaling:scaling-policy", regional scaling_policies: ScalingPolicy by [arn];
    Alarm = "cloudwatch:alarm", regional alarms: Alarm by [arn];
    LoadBalancer = "elbv2:load-balancer", regional load_balancers: LoadBalancer by [arn];
    Listener = "elbv2:listener", regional listeners: Listener by [arn];
    TargetGroup = "elbv2:target-group", regional target_groups: TargetGroup by [arn];
    HostedZone = "route53:hosted-zone", global hosted_zones: HostedZone by [id];
    RecordSet = "route53:record-set", global inside hosted_zones;
    HealthCheck = "route53:health-check", global health_checks: HealthCheck by [id];
    DbInstance = "rds:db-instance", regional db_instances: DbInstance by [id];
    DbCluster = "rds:db-cluster", regional db_clusters: DbCluster by [id];
    GlobalCluster = "rds:global-cluster", regional global_clusters: GlobalCluster by [id];
    MetricSeries = "cloudwatch:metric-series", regional replica_lag: ReplicaLagSeries by [subject_id, metric];
    FileSystem = "efs:file-system", regional file_systems: FileSystem by [id];
    BackupPlan = "backup:plan", regional backup_plans: BackupPlan by [id];
    BackupSelection = "backup:selection", regional inside backup_plans;
    BackupVault = "backup:vault", regional backup_vaults: BackupVault by [name];
    RecoveryPoint = "backup:recovery-point", regional inside backup_vaults;
    Subnet = "ec2:subnet", regional subnets: Subnet by [id];
    SecurityGroup = "ec2:security-group", regional security_groups: SecurityGroup by [id];
    KeyPair = "ec2:key-pair", regional key_pairs: KeyPair by [name];
    InstanceTypeOffering = "ec2:instance-type-offering",
        regional instance_type_offerings: InstanceTypeOffering by [instance_type, availability_zone];
    KmsKey = "kms:key", regional kms_keys: KmsKey by [arn];
    Certificate = "acm:certificate", regional certificates: Certificate by [arn];
    /// An application as a whole (SPEC §2), for findings no single resource causes.
    Application = "drscan:application", not collected;
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
