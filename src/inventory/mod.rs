//! The typed inventory: every resource kind drscan reads, per region (plus Route 53, which is
//! global), with no SDK type in sight. Collectors fill it; rules read it through [`graph`].

pub mod arn;
pub mod compute;
pub mod database;
pub mod dependencies;
pub mod dns;
pub mod dr;
pub mod graph;
pub mod known;
pub mod load_balancing;
pub mod matching;
pub mod members;
pub mod snapshot;
pub mod storage;

pub use known::{ErrorCause, Known, UnknownReason, iam_action};
pub use snapshot::{CollectionError, RegionPair, Snapshot};

use compute::*;
use database::*;
use dependencies::*;
use dns::*;
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

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlobalResources {
    #[serde(default)]
    pub hosted_zones: Vec<HostedZone>,
    #[serde(default)]
    pub health_checks: Vec<HealthCheck>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionResources {
    #[serde(default)]
    pub images: Vec<Image>,
    #[serde(default)]
    pub launch_templates: Vec<LaunchTemplate>,
    #[serde(default)]
    pub auto_scaling_groups: Vec<AutoScalingGroup>,
    #[serde(default)]
    pub scaling_policies: Vec<ScalingPolicy>,
    #[serde(default)]
    pub alarms: Vec<Alarm>,
    #[serde(default)]
    pub load_balancers: Vec<LoadBalancer>,
    #[serde(default)]
    pub listeners: Vec<Listener>,
    #[serde(default)]
    pub target_groups: Vec<TargetGroup>,
    #[serde(default)]
    pub db_instances: Vec<DbInstance>,
    #[serde(default)]
    pub db_clusters: Vec<DbCluster>,
    #[serde(default)]
    pub global_clusters: Vec<GlobalCluster>,
    #[serde(default)]
    pub replica_lag: Vec<ReplicaLagSeries>,
    #[serde(default)]
    pub file_systems: Vec<FileSystem>,
    #[serde(default)]
    pub backup_plans: Vec<BackupPlan>,
    #[serde(default)]
    pub backup_vaults: Vec<BackupVault>,
    #[serde(default)]
    pub subnets: Vec<Subnet>,
    #[serde(default)]
    pub security_groups: Vec<SecurityGroup>,
    #[serde(default)]
    pub key_pairs: Vec<KeyPair>,
    #[serde(default)]
    pub instance_type_offerings: Vec<InstanceTypeOffering>,
    #[serde(default)]
    pub kms_keys: Vec<KmsKey>,
    #[serde(default)]
    pub certificates: Vec<Certificate>,
}

impl RegionResources {
    /// Number of top-level resources, for summaries and benchmarks.
    pub fn len(&self) -> usize {
        self.images.len()
            + self.launch_templates.len()
            + self.auto_scaling_groups.len()
            + self.scaling_policies.len()
            + self.alarms.len()
            + self.load_balancers.len()
            + self.listeners.len()
            + self.target_groups.len()
            + self.db_instances.len()
            + self.db_clusters.len()
            + self.global_clusters.len()
            + self.replica_lag.len()
            + self.file_systems.len()
            + self.backup_plans.len()
            + self.backup_vaults.len()
            + self.subnets.len()
            + self.security_groups.len()
            + self.key_pairs.len()
            + self.instance_type_offerings.len()
            + self.kms_keys.len()
            + self.certificates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The kinds of resource drscan knows, named `service:kind` as in findings and SARIF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ResourceKind {
    #[serde(rename = "ec2:image")]
    Image,
    #[serde(rename = "ec2:launch-template")]
    LaunchTemplate,
    #[serde(rename = "ec2:launch-template-version")]
    LaunchTemplateVersion,
    #[serde(rename = "autoscaling:group")]
    AutoScalingGroup,
    #[serde(rename = "autoscaling:scaling-policy")]
    ScalingPolicy,
    #[serde(rename = "cloudwatch:alarm")]
    Alarm,
    #[serde(rename = "elbv2:load-balancer")]
    LoadBalancer,
    #[serde(rename = "elbv2:listener")]
    Listener,
    #[serde(rename = "elbv2:target-group")]
    TargetGroup,
    #[serde(rename = "route53:hosted-zone")]
    HostedZone,
    #[serde(rename = "route53:record-set")]
    RecordSet,
    #[serde(rename = "route53:health-check")]
    HealthCheck,
    #[serde(rename = "rds:db-instance")]
    DbInstance,
    #[serde(rename = "rds:db-cluster")]
    DbCluster,
    #[serde(rename = "rds:global-cluster")]
    GlobalCluster,
    #[serde(rename = "cloudwatch:metric-series")]
    MetricSeries,
    #[serde(rename = "efs:file-system")]
    FileSystem,
    #[serde(rename = "backup:plan")]
    BackupPlan,
    #[serde(rename = "backup:selection")]
    BackupSelection,
    #[serde(rename = "backup:vault")]
    BackupVault,
    #[serde(rename = "backup:recovery-point")]
    RecoveryPoint,
    #[serde(rename = "ec2:subnet")]
    Subnet,
    #[serde(rename = "ec2:security-group")]
    SecurityGroup,
    #[serde(rename = "ec2:key-pair")]
    KeyPair,
    #[serde(rename = "ec2:instance-type-offering")]
    InstanceTypeOffering,
    #[serde(rename = "kms:key")]
    KmsKey,
    #[serde(rename = "acm:certificate")]
    Certificate,
    /// An application as a whole (SPEC §2), for findings no single resource causes.
    #[serde(rename = "drscan:application")]
    Application,
}

impl ResourceKind {
    /// Every kind collected per region: what an unreachable region leaves unknown, and what a
    /// region view checks for listing gaps. (Route 53 kinds are global.)
    pub const REGIONAL: &'static [ResourceKind] = &[
        ResourceKind::Image,
        ResourceKind::LaunchTemplate,
        ResourceKind::LaunchTemplateVersion,
        ResourceKind::AutoScalingGroup,
        ResourceKind::ScalingPolicy,
        ResourceKind::Alarm,
        ResourceKind::LoadBalancer,
        ResourceKind::Listener,
        ResourceKind::TargetGroup,
        ResourceKind::DbInstance,
        ResourceKind::DbCluster,
        ResourceKind::GlobalCluster,
        ResourceKind::MetricSeries,
        ResourceKind::FileSystem,
        ResourceKind::BackupPlan,
        ResourceKind::BackupSelection,
        ResourceKind::BackupVault,
        ResourceKind::RecoveryPoint,
        ResourceKind::Subnet,
        ResourceKind::SecurityGroup,
        ResourceKind::KeyPair,
        ResourceKind::InstanceTypeOffering,
        ResourceKind::KmsKey,
        ResourceKind::Certificate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Image => "ec2:image",
            ResourceKind::LaunchTemplate => "ec2:launch-template",
            ResourceKind::LaunchTemplateVersion => "ec2:launch-template-version",
            ResourceKind::AutoScalingGroup => "autoscaling:group",
            ResourceKind::ScalingPolicy => "autoscaling:scaling-policy",
            ResourceKind::Alarm => "cloudwatch:alarm",
            ResourceKind::LoadBalancer => "elbv2:load-balancer",
            ResourceKind::Listener => "elbv2:listener",
            ResourceKind::TargetGroup => "elbv2:target-group",
            ResourceKind::HostedZone => "route53:hosted-zone",
            ResourceKind::RecordSet => "route53:record-set",
            ResourceKind::HealthCheck => "route53:health-check",
            ResourceKind::DbInstance => "rds:db-instance",
            ResourceKind::DbCluster => "rds:db-cluster",
            ResourceKind::GlobalCluster => "rds:global-cluster",
            ResourceKind::MetricSeries => "cloudwatch:metric-series",
            ResourceKind::FileSystem => "efs:file-system",
            ResourceKind::BackupPlan => "backup:plan",
            ResourceKind::BackupSelection => "backup:selection",
            ResourceKind::BackupVault => "backup:vault",
            ResourceKind::RecoveryPoint => "backup:recovery-point",
            ResourceKind::Subnet => "ec2:subnet",
            ResourceKind::SecurityGroup => "ec2:security-group",
            ResourceKind::KeyPair => "ec2:key-pair",
            ResourceKind::InstanceTypeOffering => "ec2:instance-type-offering",
            ResourceKind::KmsKey => "kms:key",
            ResourceKind::Certificate => "acm:certificate",
            ResourceKind::Application => "drscan:application",
        }
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
