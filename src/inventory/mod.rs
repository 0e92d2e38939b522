//! The typed inventory: every resource kind drscan reads, per region (plus Route 53, which is
//! global), with no SDK type in sight. Collectors fill it; rules read it through [`graph`].

pub mod arn;
pub mod capacity;
pub mod compute;
pub mod database;
pub mod dependencies;
pub mod dns;
pub mod dr;
pub mod exercises;
pub mod graph;
pub mod health;
mod kinds;
pub mod known;
pub mod load_balancing;
pub mod matching;
pub mod members;
pub mod scale_out;
pub mod snapshot;
pub mod storage;

pub use known::{ErrorCause, Known, UnknownReason, aws_service_prefix, iam_action, redact};
pub use snapshot::{AccountRecord, CollectionError, Incomparable, RegionPair, Side, Snapshot};

use capacity::{InstanceType, ServiceQuota};
use compute::*;
use database::*;
use dependencies::*;
use dns::*;
use exercises::*;
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
    Subscription = "sns:subscription", regional subscriptions: Subscription by [topic_arn, protocol, endpoint, arn];
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
    CopyJob = "backup:copy-job", regional copy_jobs: CopyJob by [id] dedup;
    ResourceTypeOptIn = "backup:resource-type-opt-in",
        regional backup_opt_ins: ResourceTypeOptIn by [resource_type] dedup;
    Subnet = "ec2:subnet", regional subnets: Subnet by [id];
    SecurityGroup = "ec2:security-group", regional security_groups: SecurityGroup by [id];
    KeyPair = "ec2:key-pair", regional key_pairs: KeyPair by [name];
    InstanceTypeOffering = "ec2:instance-type-offering",
        regional instance_type_offerings: InstanceTypeOffering by [instance_type, availability_zone];
    KmsKey = "kms:key", regional kms_keys: KmsKey by [arn];
    Certificate = "acm:certificate", regional certificates: Certificate by [arn];
    Bucket = "s3:bucket", regional buckets: Bucket by [name];
    Table = "dynamodb:table", regional tables: Table by [name];
    Secret = "secretsmanager:secret", regional secrets: Secret by [arn];
    Parameter = "ssm:parameter", regional parameters: Parameter by [reference];
    RestoreJob = "backup:restore-job", regional restore_jobs: RestoreJob by [id] dedup;
    Experiment = "fis:experiment", regional experiments: Experiment by [id] dedup;
    InstanceType = "ec2:instance-type", regional instance_types: InstanceType by [instance_type] dedup;
    ServiceQuota = "servicequotas:quota",
        regional service_quotas: ServiceQuota by [service_code, quota_code] dedup;
    /// An application as a whole (SPEC §2), for findings no single resource causes.
    Application = "drscan:application", not collected;
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    #[test]
    fn kinds_serialize_as_their_service_kind_name() {
        let mut seen = std::collections::BTreeSet::new();
        for &kind in ResourceKind::ALL {
            let name = kind.as_str();
            assert_eq!(serde_json::to_value(kind).ok(), Some(Value::from(name)));
            assert_eq!(serde_json::from_value::<ResourceKind>(Value::from(name)).ok(), Some(kind));
            let (service, noun) =
                name.split_once(':').unwrap_or_else(|| panic!("{name} is not service:kind"));
            assert!(!service.is_empty() && !noun.contains(':'), "{name} is not service:kind");
            assert!(seen.insert(name), "{name} names two kinds");
        }
    }

    /// The resource lists of schema_version 1, in its order; a new kind may add a list, but
    /// these keep their names and order.
    #[test]
    fn resource_sets_serialize_the_schema_1_lists_in_order() {
        let in_order = |text: String, keys: &[&str]| {
            let positions: Vec<Option<usize>> =
                keys.iter().map(|key| text.find(&format!("\"{key}\":"))).collect();
            assert!(positions.iter().all(Option::is_some), "a schema 1 list is missing: {text}");
            assert!(positions.windows(2).all(|w| w[0] < w[1]), "schema 1 lists out of order: {text}");
        };
        let regional = serde_json::to_string(&RegionResources::default()).unwrap_or_default();
        in_order(
            regional,
            &[
                "images",
                "launch_templates",
                "auto_scaling_groups",
                "scaling_policies",
                "alarms",
                "load_balancers",
                "listeners",
                "target_groups",
                "db_instances",
                "db_clusters",
                "global_clusters",
                "replica_lag",
                "file_systems",
                "backup_plans",
                "backup_vaults",
                "subnets",
                "security_groups",
                "key_pairs",
                "instance_type_offerings",
                "kms_keys",
                "certificates",
            ],
        );
        let global = serde_json::to_string(&GlobalResources::default()).unwrap_or_default();
        in_order(global, &["hosted_zones", "health_checks"]);
    }

    #[test]
    fn canonical_order_sorts_by_the_declared_key_and_drops_repeated_images() {
        let image = |id: &str| Image { id: id.to_string(), ..Image::default() };
        let offering = |instance_type: &str, zone: &str| InstanceTypeOffering {
            instance_type: instance_type.to_string(),
            availability_zone: zone.to_string(),
        };
        let series = |subject: &str, metric| ReplicaLagSeries {
            subject_id: subject.to_string(),
            metric,
            ..ReplicaLagSeries::default()
        };
        let mut resources = RegionResources {
            images: vec![image("ami-2"), image("ami-1"), image("ami-2")],
            instance_type_offerings: vec![offering("m5", "b"), offering("m5", "a"), offering("c5", "z")],
            replica_lag: vec![
                series("orders", LagMetric::AuroraGlobalDBReplicationLag),
                series("billing", LagMetric::ReplicaLag),
                series("orders", LagMetric::ReplicaLag),
            ],
            ..RegionResources::default()
        };
        resources.sort_canonically();
        let ids: Vec<&str> = resources.images.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["ami-1", "ami-2"]);
        assert_eq!(
            resources.instance_type_offerings,
            [offering("c5", "z"), offering("m5", "a"), offering("m5", "b")]
        );
        let lag: Vec<(&str, LagMetric)> =
            resources.replica_lag.iter().map(|s| (s.subject_id.as_str(), s.metric)).collect();
        assert_eq!(
            lag,
            [
                ("billing", LagMetric::ReplicaLag),
                ("orders", LagMetric::ReplicaLag),
                ("orders", LagMetric::AuroraGlobalDBReplicationLag)
            ]
        );
    }

    #[test]
    fn append_keeps_every_resource_and_len_counts_them() {
        let mut resources =
            RegionResources { subnets: vec![Subnet::default()], ..RegionResources::default() };
        resources.append(RegionResources {
            subnets: vec![Subnet::default()],
            key_pairs: vec![KeyPair::default()],
            ..RegionResources::default()
        });
        assert_eq!((resources.subnets.len(), resources.key_pairs.len(), resources.len()), (2, 1, 3));
        assert!(RegionResources::default().is_empty());
    }

    /// Every field that serde may leave out of a snapshot must default to what `Default` says,
    /// so that a value built with `..Default::default()` is what a snapshot omitting it reads as.
    fn serde_defaults_agree_with_default<T>()
    where
        T: Default + Serialize + DeserializeOwned + PartialEq + fmt::Debug,
    {
        let name = std::any::type_name::<T>();
        let Ok(Value::Object(full)) = serde_json::to_value(T::default()) else {
            panic!("{name} does not serialize as an object")
        };
        let mut optional = Vec::new();
        for key in full.keys() {
            let mut without = full.clone();
            without.remove(key);
            if let Ok(read) = serde_json::from_value::<T>(Value::Object(without)) {
                assert_eq!(read, T::default(), "{name}: serde's default for `{key}` is not Default's");
                optional.push(key.clone());
            }
        }
        let mut minimal = full.clone();
        minimal.retain(|key, _| !optional.contains(key));
        assert_eq!(serde_json::from_value::<T>(Value::Object(minimal)).ok(), Some(T::default()), "{name}");
    }

    #[test]
    fn model_defaults_are_the_snapshot_defaults() {
        serde_defaults_agree_with_default::<Image>();
        serde_defaults_agree_with_default::<LaunchTemplate>();
        serde_defaults_agree_with_default::<LaunchTemplateVersion>();
        serde_defaults_agree_with_default::<LaunchTemplateRef>();
        serde_defaults_agree_with_default::<MixedInstancesPolicy>();
        serde_defaults_agree_with_default::<InstanceOverride>();
        serde_defaults_agree_with_default::<AutoScalingGroup>();
        serde_defaults_agree_with_default::<ScalingPolicy>();
        serde_defaults_agree_with_default::<Alarm>();
        serde_defaults_agree_with_default::<LoadBalancer>();
        serde_defaults_agree_with_default::<Listener>();
        serde_defaults_agree_with_default::<TargetGroup>();
        serde_defaults_agree_with_default::<TargetGroupHealthCheck>();
        serde_defaults_agree_with_default::<TargetHealth>();
        serde_defaults_agree_with_default::<HostedZone>();
        serde_defaults_agree_with_default::<RecordSet>();
        serde_defaults_agree_with_default::<AliasTarget>();
        serde_defaults_agree_with_default::<HealthCheck>();
        serde_defaults_agree_with_default::<HealthCheckStatus>();
        serde_defaults_agree_with_default::<DbInstance>();
        serde_defaults_agree_with_default::<ReplicaStatusInfo>();
        serde_defaults_agree_with_default::<DbCluster>();
        serde_defaults_agree_with_default::<DbClusterMember>();
        serde_defaults_agree_with_default::<GlobalCluster>();
        serde_defaults_agree_with_default::<GlobalClusterMember>();
        serde_defaults_agree_with_default::<ReplicaLagSeries>();
        serde_defaults_agree_with_default::<LagDatapoint>();
        serde_defaults_agree_with_default::<FileSystem>();
        serde_defaults_agree_with_default::<ReplicationDestination>();
        serde_defaults_agree_with_default::<BackupPlan>();
        serde_defaults_agree_with_default::<BackupRule>();
        serde_defaults_agree_with_default::<CopyAction>();
        serde_defaults_agree_with_default::<BackupSelection>();
        serde_defaults_agree_with_default::<TagCondition>();
        serde_defaults_agree_with_default::<BackupVault>();
        serde_defaults_agree_with_default::<RecoveryPoint>();
        serde_defaults_agree_with_default::<Subnet>();
        serde_defaults_agree_with_default::<SecurityGroup>();
        serde_defaults_agree_with_default::<KeyPair>();
        serde_defaults_agree_with_default::<InstanceTypeOffering>();
        serde_defaults_agree_with_default::<KmsKey>();
        serde_defaults_agree_with_default::<Certificate>();
        serde_defaults_agree_with_default::<Bucket>();
        serde_defaults_agree_with_default::<BucketReplication>();
        serde_defaults_agree_with_default::<BucketReplicationRule>();
        serde_defaults_agree_with_default::<IncomingReplication>();
        serde_defaults_agree_with_default::<Table>();
        serde_defaults_agree_with_default::<TableReplica>();
        serde_defaults_agree_with_default::<MetricWindow>();
        serde_defaults_agree_with_default::<Secret>();
        serde_defaults_agree_with_default::<SecretReplica>();
        serde_defaults_agree_with_default::<Parameter>();
        serde_defaults_agree_with_default::<RestoreJob>();
        serde_defaults_agree_with_default::<Experiment>();
        serde_defaults_agree_with_default::<ExperimentTarget>();
        serde_defaults_agree_with_default::<InstanceType>();
        serde_defaults_agree_with_default::<ServiceQuota>();
        serde_defaults_agree_with_default::<capacity::UsageMetric>();
        serde_defaults_agree_with_default::<capacity::UsageReading>();
        serde_defaults_agree_with_default::<RegionResources>();
        serde_defaults_agree_with_default::<GlobalResources>();
        serde_defaults_agree_with_default::<Resources>();
    }
}
