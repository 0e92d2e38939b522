//! Seeds the reference DR architecture into one moto account through the Rust SDK: primary
//! ap-south-1, DR us-east-1, joined by the `app=web` tag. [`Setup`] carries the variations the
//! break scenarios need; `Setup::default()` is the intact setup.

use super::{DR, PRIMARY, access_key, emulator};
use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use aws_types::SdkConfig;
use aws_types::region::Region;
use futures_util::StreamExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Secondary {
    /// SECONDARY alias to the DR ALB (as `dualstack.` name), evaluating target health.
    DrAlb,
    /// SECONDARY alias to a load balancer that does not exist.
    Dangling,
    /// No SECONDARY record at all.
    Missing,
    /// SECONDARY alias to a Classic Load Balancer in DR (`web-dr-classic`, HTTP:80) that the DR
    /// ASG is attached to by name, not evaluating target health.
    DrClassic,
}

/// How the failover records of `app.example.com` name their targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum RecordStyle {
    /// Alias A records (the load balancers' `dualstack.` names).
    #[default]
    Alias,
    /// Plain CNAME records whose value is the load balancer's DNS name (TTL 60).
    Cname,
}

#[derive(Debug, Clone)]
pub(crate) struct Setup {
    /// DR ASG min / max / desired.
    pub dr_capacity: (i32, i32, i32),
    /// vCPUs in use in the DR region (`AWS/Usage` `ResourceCount`, Standard On-Demand), as
    /// AWS publishes it and moto does not; `None` publishes nothing.
    pub dr_vcpus_in_use: Option<f64>,
    /// Copy the primary AMI to DR (else DR holds only an older image of another name).
    pub copy_ami: bool,
    /// The DR launch template uses this image ID instead of the DR copy.
    pub dr_image_override: Option<&'static str>,
    pub secondary: Secondary,
    pub record_style: RecordStyle,
    /// PRIMARY record has a health check and evaluates target health.
    pub primary_monitored: bool,
    pub dr_replica: bool,
    pub replica_lag_seconds: f64,
    pub aurora_lag_milliseconds: f64,
    /// Extra web tiers per region (launch template, ALB, listener, target group, ASG), for the
    /// large-account test and benchmark.
    pub scale: usize,
    /// How many of the extra tiers are joined by a failover pair (PRIMARY to the primary tier,
    /// SECONDARY to the DR tier), each record with a health check of its own.
    pub failover_pairs: usize,
    /// How many of those health checks get no `HealthCheckStatus` metric data (Route 53
    /// publishes it for every check; moto does not, so the seeding does), so that drscan falls
    /// back to GetHealthCheckStatus for them.
    pub checks_without_metric: usize,
    /// The extra tiers' DR launch templates name their image as `resolve:ssm:` of a DR
    /// parameter holding the DR image's ID, as image pipelines publish it.
    pub dr_image_from_ssm: bool,
    /// The DR ALB also serves HTTPS with an ACM certificate, and a second DR backup vault is
    /// encrypted with a customer-managed KMS key: what the certificate and key follow-ups read.
    pub dr_certificate_and_key: bool,
    /// The DR group also behind a Classic Load Balancer (that no failover record uses): what
    /// the Classic follow-up calls (DescribeTags) read.
    pub classic_load_balancer: bool,
    /// The application's S3 bucket, DynamoDB table and secret, with their DR copies (see
    /// [`DataStores`]); `None`: none of them.
    pub data_stores: Option<DataStores>,
    /// A completed AWS FIS experiment in the primary region that targeted `web-db` by ARN.
    pub fis_experiment: bool,
}

/// The data stores beside the database, each with what a break scenario changes.
#[derive(Debug, Clone)]
pub(crate) struct DataStores {
    /// The bucket's replication rule to the DR bucket is enabled.
    pub s3_rule_enabled: bool,
    /// `ReplicationLatency` S3 publishes (in the DR region) for the rule, in seconds.
    pub s3_latency_seconds: f64,
    /// The table's global table has a replica in the DR region (recorded DescribeTable).
    pub dynamodb_dr_replica: bool,
    /// `ReplicationLatency` to the DR replica, in milliseconds.
    pub dynamodb_latency_milliseconds: f64,
    /// Point-in-time recovery on the DR replica.
    pub dynamodb_dr_pitr: bool,
    /// The secret is replicated to the DR region.
    pub secret_replicated: bool,
    /// The DR launch template resolves its AMI through an SSM parameter; it exists in DR.
    pub dr_ami_parameter_exists: bool,
    /// With a recovery account: it holds a secret of the secret's name in DR of its own.
    pub recovery_account_secret: bool,
}

/// The secret's value: a snapshot must never hold it.
pub(crate) const SECRET_VALUE: &str = "drscan-e2e-secret-value-never-in-a-snapshot";
/// The application's bucket in `account`, and its DR copy: bucket names are global, in moto
/// as in AWS, so each scenario's account has its own.
pub(crate) fn bucket_names(account: &str) -> (String, String) {
    (format!("web-uploads-{account}"), format!("web-uploads-dr-{account}"))
}

/// The SSM parameter the DR launch template resolves its image ID through.
pub(crate) const DR_AMI_PARAMETER: &str = "/web/golden-ami";

impl Default for DataStores {
    fn default() -> Self {
        DataStores {
            s3_rule_enabled: true,
            s3_latency_seconds: 12.0,
            dynamodb_dr_replica: true,
            dynamodb_latency_milliseconds: 900.0,
            dynamodb_dr_pitr: true,
            secret_replicated: true,
            dr_ami_parameter_exists: true,
            recovery_account_secret: true,
        }
    }
}

impl Setup {
    /// The large account of the rate-limit test and benchmark: 80 extra load balancers with
    /// listeners, target groups and ASGs per region, 20 failover pairs with 40 health checks.
    pub(crate) fn large() -> Self {
        Setup { scale: 80, failover_pairs: 20, checks_without_metric: 4, ..Setup::default() }
    }

    /// The intact setup plus what makes drscan send every operation it can: an extra tier in a
    /// failover pair whose health check has no metric data (GetHealthCheckStatus), and whose
    /// DR image is a `resolve:ssm:` reference (GetParameters); an HTTPS DR listener
    /// (DescribeCertificate) and a KMS-encrypted DR vault (DescribeKey).
    pub(crate) fn exercising_every_operation() -> Self {
        Setup {
            scale: 1,
            failover_pairs: 1,
            checks_without_metric: 1,
            dr_image_from_ssm: true,
            dr_certificate_and_key: true,
            classic_load_balancer: true,
            data_stores: Some(DataStores::default()),
            fis_experiment: true,
            ..Setup::default()
        }
    }
}

/// The DR parameter that names the extra tiers' DR image with `dr_image_from_ssm`.
pub(crate) const DR_IMAGE_PARAMETER: &str = "/drscan/web-dr-image";

/// Calls in flight at once while seeding: moto has no rate limits, and the seeding of the
/// large account runs in CI.
const SEEDING_CONCURRENCY: usize = 16;

impl Default for Setup {
    fn default() -> Self {
        Setup {
            dr_capacity: (1, 6, 1),
            dr_vcpus_in_use: Some(2.0),
            copy_ami: true,
            dr_image_override: None,
            secondary: Secondary::DrAlb,
            record_style: RecordStyle::Alias,
            primary_monitored: true,
            dr_replica: true,
            replica_lag_seconds: 4.0,
            aurora_lag_milliseconds: 250.0,
            scale: 0,
            failover_pairs: 0,
            checks_without_metric: 0,
            dr_image_from_ssm: false,
            dr_certificate_and_key: false,
            classic_load_balancer: false,
            data_stores: None,
            fis_experiment: false,
        }
    }
}

/// SDK configuration for `account` in `region`, through the front.
pub(crate) async fn config(account: &str, region: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(&emulator().front_url)
        .credentials_provider(Credentials::new(access_key(account), "testing", None, None, "drscan-tests"))
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1))
        .load()
        .await
}

struct Region2 {
    ec2: aws_sdk_ec2::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    asg: aws_sdk_autoscaling::Client,
    rds: aws_sdk_rds::Client,
    cw: aws_sdk_cloudwatch::Client,
    efs: aws_sdk_efs::Client,
    backup: aws_sdk_backup::Client,
    s3: aws_sdk_s3::Client,
    dynamodb: aws_sdk_dynamodb::Client,
    secrets: aws_sdk_secretsmanager::Client,
}

impl Region2 {
    async fn new(account: &str, region: &str) -> Self {
        // Under the seeding's concurrency a create now and then dies inside moto with a bare
        // HTML 500 (seen once on CreateTargetGroup in a full run; moto's error output is not
        // kept, so its cause is not known). The standard retry strategy retries it; a create
        // that did land before the error would answer a duplicate error, loudly.
        let c = config(account, region)
            .await
            .into_builder()
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(3))
            .build();
        Region2 {
            ec2: aws_sdk_ec2::Client::new(&c),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(&c),
            asg: aws_sdk_autoscaling::Client::new(&c),
            rds: aws_sdk_rds::Client::new(&c),
            cw: aws_sdk_cloudwatch::Client::new(&c),
            efs: aws_sdk_efs::Client::new(&c),
            backup: aws_sdk_backup::Client::new(&c),
            // The emulator answers one host: no bucket-named hosts.
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(&c).force_path_style(true).build(),
            ),
            dynamodb: aws_sdk_dynamodb::Client::new(&c),
            secrets: aws_sdk_secretsmanager::Client::new(&c),
        }
    }
}

struct WebTier {
    lb_arn: String,
    lb_dns: String,
    lb_zone: String,
}

/// Which account holds each side of the seeded setup (SPEC §9's layouts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    pub primary: String,
    /// The recovery account: the DR region's resources.
    pub dr: String,
    /// The network account: the hosted zone and health checks.
    pub dns: String,
    /// The central backup account: the DR vault the primary plan copies to.
    pub backup: String,
}

impl Layout {
    /// One account playing every side.
    pub(crate) fn single(account: &str) -> Self {
        Layout { primary: account.into(), dr: account.into(), dns: account.into(), backup: account.into() }
    }

    /// Four fresh accounts: primary, recovery, network and central backup.
    pub(crate) fn split() -> Self {
        use super::fresh_account;
        Layout {
            primary: fresh_account(),
            dr: fresh_account(),
            dns: fresh_account(),
            backup: fresh_account(),
        }
    }

    /// Whether the DR region's resources live in an account of their own, where no
    /// cross-region read replica or global-database secondary of the primary's can be.
    pub(crate) fn recovery_account(&self) -> bool {
        self.dr != self.primary
    }

    /// The role drscan assumes in `account` in the tests.
    pub(crate) fn role(account: &str) -> String {
        format!("arn:aws:iam::{account}:role/drscan-audit")
    }
}

/// Seed the setup into `account`; panics with the failing call on any error.
pub(crate) async fn seed(account: &str, setup: &Setup) {
    seed_layout(&Layout::single(account), setup).await;
}

/// Seed the setup with each side in the account `layout` names.
pub(crate) async fn seed_layout(layout: &Layout, setup: &Setup) {
    let dr_account = layout.dr.as_str();
    let primary = Region2::new(&layout.primary, PRIMARY).await;
    let dr = Region2::new(&layout.dr, DR).await;

    // AMIs: the golden image in the primary; its copy (same name) or an older image in DR.
    // moto's CopyImage reads the source from the caller's own account only: a recovery account's
    // copy is registered under the same name, which is how moto's copies match anyway (it
    // records no source image).
    let primary_image = register_image(&primary.ec2, "web-golden-v7").await;
    let dr_image = if setup.copy_ami && layout.recovery_account() {
        register_image(&dr.ec2, "web-golden-v7").await
    } else if setup.copy_ami {
        dr.ec2
            .copy_image()
            .name("web-golden-v7")
            .source_image_id(&primary_image)
            .source_region(PRIMARY)
            .send()
            .await
            .expect("CopyImage")
            .image_id()
            .unwrap_or_default()
            .to_string()
    } else {
        register_image(&dr.ec2, "web-golden-v6").await
    };
    let mut dr_template_image = setup.dr_image_override.map(str::to_string).unwrap_or(dr_image);
    let extra_dr_image = if setup.dr_image_from_ssm && setup.scale > 0 {
        let ssm = aws_sdk_ssm::Client::new(&config(dr_account, DR).await);
        ssm.put_parameter()
            .name(DR_IMAGE_PARAMETER)
            .value(&dr_template_image)
            .r#type(aws_sdk_ssm::types::ParameterType::String)
            .data_type("aws:ec2:image")
            .send()
            .await
            .expect("PutParameter");
        format!("resolve:ssm:{DR_IMAGE_PARAMETER}")
    } else {
        dr_template_image.clone()
    };
    if let Some(stores) = &setup.data_stores {
        // The DR template names its AMI through Parameter Store, as AMI pipelines publish it.
        if stores.dr_ami_parameter_exists {
            let ssm = aws_sdk_ssm::Client::new(&config(dr_account, DR).await);
            ssm.put_parameter()
                .name(DR_AMI_PARAMETER)
                .value(&dr_template_image)
                .r#type(aws_sdk_ssm::types::ParameterType::String)
                .data_type("aws:ec2:image")
                .send()
                .await
                .expect("PutParameter (DR)");
        }
        dr_template_image = format!("resolve:ssm:{DR_AMI_PARAMETER}");
    }

    let (primary_network, dr_network) = tokio::join!(network(&primary.ec2), network(&dr.ec2));
    let (primary_tier, dr_tier) = tokio::join!(
        web_tier(&primary, &primary_network, "web", &primary_image, (2, 6, 2), 0),
        web_tier(&dr, &dr_network, "web-dr", &dr_template_image, setup.dr_capacity, 0),
    );
    let extra_tiers: Vec<(WebTier, WebTier)> = futures_util::stream::iter(0..setup.scale)
        .map(|n| {
            let name = format!("scale-{n}");
            let (primary, dr, image, dr_image) = (&primary, &dr, &primary_image, &extra_dr_image);
            let (primary_network, dr_network) = (&primary_network, &dr_network);
            async move {
                tokio::join!(
                    web_tier(primary, primary_network, &name, image, (0, 1, 0), n + 1),
                    web_tier(dr, dr_network, &name, dr_image, (0, 1, 0), n + 1),
                )
            }
        })
        .buffered(SEEDING_CONCURRENCY / 2)
        .collect()
        .await;

    if setup.secondary == Secondary::DrClassic || setup.classic_load_balancer {
        classic_load_balancer(dr_account, &dr_network, "web-dr-classic", "web-dr").await;
    }
    let route53 = aws_sdk_route53::Client::new(&config(&layout.dns, DR).await);
    let us_east_1 = aws_sdk_cloudwatch::Client::new(&config(&layout.dns, "us-east-1").await);
    let vaults = aws_sdk_backup::Client::new(&config(&layout.backup, DR).await);
    let zone_id = dns(&route53, setup, &primary_tier, &dr_tier).await;
    let pairs = &extra_tiers[..setup.failover_pairs.min(extra_tiers.len())];
    tokio::join!(
        failover_pairs(&route53, &us_east_1, &zone_id, pairs, setup.checks_without_metric),
        databases(&primary, &dr, layout, setup),
        files_and_backups(&primary, &vaults, &layout.backup),
    );
    if let Some(vcpus) = setup.dr_vcpus_in_use {
        publish_vcpu_usage(&dr.cw, "Standard/OnDemand", vcpus).await;
    }
    if setup.dr_certificate_and_key {
        dr_certificate_and_key(&dr, dr_account, &dr_tier).await;
    }
    if setup.fis_experiment {
        let db = format!("arn:aws:rds:{PRIMARY}:{}:db:web-db", layout.primary);
        super::exercises::completed_experiment(&layout.primary, &db).await;
    }
    if let Some(stores) = &setup.data_stores {
        data_stores(&primary, &dr, layout, stores).await;
    }
}

/// The bucket replicating to its DR copy (see [`bucket_names`]; versioned, RTC, metrics) with its
/// `ReplicationLatency` in DR; the `orders` table in both regions with point-in-time recovery,
/// its global-table description recorded (moto has no replicas) and its `ReplicationLatency`
/// in the primary region; the `web/db-credentials` secret with its DR replica.
///
/// With a recovery account, as AWS does it: the DR bucket is the recovery account's (the rule
/// names that account and hands it the replicas), while S3 publishes the rule's metrics in the
/// DR region of the source bucket's account; the table is a multi-account global table whose
/// DR replica is the recovery account's own table; the secret's replica stays in the primary
/// account (Secrets Manager replicates within an account), and the recovery account holds a
/// secret of the same name of its own.
async fn data_stores(primary: &Region2, dr: &Region2, layout: &Layout, stores: &DataStores) {
    use aws_sdk_cloudwatch::primitives::DateTime;
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
    use aws_sdk_s3::types as s3;
    let account = layout.primary.as_str();
    let (primary_s3, dr_s3) = (&primary.s3, &dr.s3);
    let (source, destination) = bucket_names(account);
    let destination_arn = format!("arn:aws:s3:::{destination}");
    primary_s3
        .create_bucket()
        .bucket(&source)
        .create_bucket_configuration(
            s3::CreateBucketConfiguration::builder()
                .location_constraint(s3::BucketLocationConstraint::from(PRIMARY))
                .build(),
        )
        .send()
        .await
        .expect("CreateBucket (primary)");
    dr_s3.create_bucket().bucket(&destination).send().await.expect("CreateBucket (DR)");
    for (client, bucket) in [(primary_s3, &source), (dr_s3, &destination)] {
        client
            .put_bucket_versioning()
            .bucket(bucket)
            .versioning_configuration(
                s3::VersioningConfiguration::builder().status(s3::BucketVersioningStatus::Enabled).build(),
            )
            .send()
            .await
            .expect("PutBucketVersioning");
        client
            .put_bucket_tagging()
            .bucket(bucket)
            .tagging(
                s3::Tagging::builder()
                    .tag_set(s3::Tag::builder().key("app").value("web").build().expect("tag"))
                    .build()
                    .expect("tagging"),
            )
            .send()
            .await
            .expect("PutBucketTagging");
    }
    let minutes = || s3::ReplicationTimeValue::builder().minutes(15).build();
    let status = if stores.s3_rule_enabled {
        s3::ReplicationRuleStatus::Enabled
    } else {
        s3::ReplicationRuleStatus::Disabled
    };
    let rule = s3::ReplicationRule::builder()
        .id("to-dr")
        .priority(1)
        .status(status)
        .filter(s3::ReplicationRuleFilter::builder().prefix("").build())
        .delete_marker_replication(
            s3::DeleteMarkerReplication::builder().status(s3::DeleteMarkerReplicationStatus::Enabled).build(),
        )
        .destination(
            s3::Destination::builder()
                .bucket(&destination_arn)
                .set_account(layout.recovery_account().then(|| layout.dr.clone()))
                .set_access_control_translation(layout.recovery_account().then(|| {
                    s3::AccessControlTranslation::builder()
                        .owner(s3::OwnerOverride::Destination)
                        .build()
                        .expect("access control translation")
                }))
                .replication_time(
                    s3::ReplicationTime::builder()
                        .status(s3::ReplicationTimeStatus::Enabled)
                        .time(minutes())
                        .build()
                        .expect("replication time"),
                )
                .metrics(
                    s3::Metrics::builder()
                        .status(s3::MetricsStatus::Enabled)
                        .event_threshold(minutes())
                        .build()
                        .expect("metrics"),
                )
                .build()
                .expect("destination"),
        )
        .build()
        .expect("replication rule");
    primary_s3
        .put_bucket_replication()
        .bucket(&source)
        .replication_configuration(
            s3::ReplicationConfiguration::builder()
                .role(format!("arn:aws:iam::{account}:role/s3-replication"))
                .rules(rule)
                .build()
                .expect("replication configuration"),
        )
        .send()
        .await
        .expect("PutBucketReplication");

    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let datum = |metric: &str, dimensions: &[(&str, &str)], value: f64, unit: StandardUnit, ago: u64| {
        MetricDatum::builder()
            .metric_name(metric)
            .set_dimensions(Some(
                dimensions.iter().map(|(n, v)| Dimension::builder().name(*n).value(*v).build()).collect(),
            ))
            .value(value)
            .unit(unit)
            .timestamp(DateTime::from_secs((now - ago) as i64))
            .build()
    };
    // Published in the destination's region, in the source bucket's account.
    let rule_dimensions =
        [("SourceBucket", source.as_str()), ("DestinationBucket", destination.as_str()), ("RuleId", "to-dr")];
    aws_sdk_cloudwatch::Client::new(&config(account, DR).await)
        .put_metric_data()
        .namespace("AWS/S3")
        .metric_data(datum(
            "ReplicationLatency",
            &rule_dimensions,
            stores.s3_latency_seconds,
            StandardUnit::Seconds,
            240,
        ))
        .metric_data(datum(
            "ReplicationLatency",
            &rule_dimensions,
            stores.s3_latency_seconds / 3.0,
            StandardUnit::Seconds,
            120,
        ))
        .metric_data(datum("OperationsPendingReplication", &rule_dimensions, 3.0, StandardUnit::Count, 120))
        .send()
        .await
        .expect("PutMetricData AWS/S3 (DR)");

    // DynamoDB: the table in both regions (moto keeps regions apart and has no replicas).
    use aws_sdk_dynamodb::types as ddb;
    for (client, region, pitr) in
        [(&primary.dynamodb, PRIMARY, true), (&dr.dynamodb, DR, stores.dynamodb_dr_pitr)]
    {
        if region == DR && !stores.dynamodb_dr_replica {
            continue;
        }
        client
            .create_table()
            .table_name("orders")
            .attribute_definitions(
                ddb::AttributeDefinition::builder()
                    .attribute_name("id")
                    .attribute_type(ddb::ScalarAttributeType::S)
                    .build()
                    .expect("attribute"),
            )
            .key_schema(
                ddb::KeySchemaElement::builder()
                    .attribute_name("id")
                    .key_type(ddb::KeyType::Hash)
                    .build()
                    .expect("key"),
            )
            .billing_mode(ddb::BillingMode::PayPerRequest)
            .tags(ddb::Tag::builder().key("app").value("web").build().expect("tag"))
            .send()
            .await
            .expect("CreateTable");
        if pitr {
            client
                .update_continuous_backups()
                .table_name("orders")
                .point_in_time_recovery_specification(
                    ddb::PointInTimeRecoverySpecification::builder()
                        .point_in_time_recovery_enabled(true)
                        .build()
                        .expect("pitr"),
                )
                .send()
                .await
                .expect("UpdateContinuousBackups");
        }
    }
    super::set_faults(serde_json::Value::Array(recorded_layout_data_stores(layout, stores)));
    // Published in the sending table's region, per receiving region.
    let table_dimensions = [("TableName", "orders"), ("ReceivingRegion", DR)];
    primary
        .cw
        .put_metric_data()
        .namespace("AWS/DynamoDB")
        .metric_data(datum(
            "ReplicationLatency",
            &table_dimensions,
            stores.dynamodb_latency_milliseconds,
            StandardUnit::Milliseconds,
            180,
        ))
        .send()
        .await
        .expect("PutMetricData AWS/DynamoDB (primary)");

    let secret = primary
        .secrets
        .create_secret()
        .name("web/db-credentials")
        .secret_string(SECRET_VALUE)
        .tags(aws_sdk_secretsmanager::types::Tag::builder().key("app").value("web").build());
    let secret = if stores.secret_replicated {
        secret.add_replica_regions(
            aws_sdk_secretsmanager::types::ReplicaRegionType::builder().region(DR).build(),
        )
    } else {
        secret
    };
    secret.send().await.expect("CreateSecret");
    if layout.recovery_account() && stores.recovery_account_secret {
        dr.secrets
            .create_secret()
            .name("web/db-credentials")
            .secret_string(SECRET_VALUE)
            .tags(aws_sdk_secretsmanager::types::Tag::builder().key("app").value("web").build())
            .send()
            .await
            .expect("CreateSecret (recovery account)");
    }
}

/// DescribeTable of `orders` in `region` as AWS answers for a global table (version
/// 2019.11.21): moto serves the table but not its `Replicas`.
/// The recorded answers the data stores of `stores` need (moto has no global-table replicas):
/// the table's DescribeTable in each region it is in.
pub(crate) fn recorded_data_stores(account: &str, stores: &DataStores) -> Vec<serde_json::Value> {
    recorded_layout_data_stores(&Layout::single(account), stores)
}

/// [`recorded_data_stores`] with each region's table in the account `layout` puts it in: with a
/// recovery account, a multi-account global table (its replicas name their accounts' ARNs).
pub(crate) fn recorded_layout_data_stores(layout: &Layout, stores: &DataStores) -> Vec<serde_json::Value> {
    let split = layout.recovery_account();
    let replica = |region: &str, account: &str| {
        let mut replica = serde_json::json!({"RegionName": region, "ReplicaStatus": "ACTIVE"});
        if split {
            replica["ReplicaArn"] = format!("arn:aws:dynamodb:{region}:{account}:table/orders").into();
        }
        serde_json::json!([replica])
    };
    let primary_replicas = if stores.dynamodb_dr_replica {
        replica(DR, &layout.dr)
    } else {
        replica("eu-west-1", &layout.primary)
    };
    let mut recorded = vec![recorded_table(&layout.primary, PRIMARY, primary_replicas)];
    if stores.dynamodb_dr_replica {
        recorded.push(recorded_table(&layout.dr, DR, replica(PRIMARY, &layout.primary)));
    }
    if split {
        for rule in &mut recorded {
            let Some(body) = rule["body"].as_str() else { continue };
            let mut table: serde_json::Value = serde_json::from_str(body).expect("recorded table JSON");
            table["Table"]["GlobalTableSettingsReplicationMode"] = "ENABLED".into();
            rule["body"] = table.to_string().into();
        }
    }
    recorded
}

pub(crate) fn recorded_table(account: &str, region: &str, replicas: serde_json::Value) -> serde_json::Value {
    let table = serde_json::json!({"Table": {
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "TableName": "orders",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "TableStatus": "ACTIVE",
        "CreationDateTime": 1_764_000_000.0,
        "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
        "TableSizeBytes": 0,
        "ItemCount": 0,
        "TableArn": format!("arn:aws:dynamodb:{region}:{account}:table/orders"),
        "TableId": "2a3b4c5d-6e7f-8091-a2b3-c4d5e6f70819",
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
        "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "LatestStreamLabel": "2026-11-24T10:00:00.000",
        "LatestStreamArn": format!("arn:aws:dynamodb:{region}:{account}:table/orders/stream/2026-11-24T10:00:00.000"),
        "GlobalTableVersion": "2019.11.21",
        "Replicas": replicas,
        "DeletionProtectionEnabled": false
    }});
    serde_json::json!({
        "account": account,
        "region": region,
        "service": "dynamodb",
        "operation": "DescribeTable",
        "body_regex": "\"TableName\":\\s*\"orders\"",
        "action": "respond",
        "status": 200,
        "content_type": "application/x-amz-json-1.0",
        "body": table.to_string()
    })
}

/// An HTTPS:443 listener on the DR ALB with an ACM certificate for the failover name, and a
/// DR vault encrypted with a customer-managed KMS key.
async fn dr_certificate_and_key(dr: &Region2, account: &str, dr_tier: &WebTier) {
    use aws_sdk_elasticloadbalancingv2::types::{Action, ActionTypeEnum, Certificate, ProtocolEnum};
    let c = config(account, DR).await;
    let acm = aws_sdk_acm::Client::new(&c);
    let certificate = acm
        .request_certificate()
        .domain_name("app.example.com")
        .send()
        .await
        .expect("RequestCertificate")
        .certificate_arn()
        .unwrap_or_default()
        .to_string();
    dr.elb
        .create_listener()
        .load_balancer_arn(&dr_tier.lb_arn)
        .protocol(ProtocolEnum::Https)
        .port(443)
        .certificates(Certificate::builder().certificate_arn(&certificate).build())
        .default_actions(
            Action::builder()
                .r#type(ActionTypeEnum::FixedResponse)
                .fixed_response_config(
                    aws_sdk_elasticloadbalancingv2::types::FixedResponseActionConfig::builder()
                        .status_code("200")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("CreateListener (HTTPS)");
    let kms = aws_sdk_kms::Client::new(&c);
    let key = kms.create_key().description("web-dr backups").send().await.expect("CreateKey");
    let key_arn = key.key_metadata().and_then(|k| k.arn()).unwrap_or_default().to_string();
    dr.backup
        .create_backup_vault()
        .backup_vault_name("web-dr-keyed")
        .encryption_key_arn(key_arn)
        .send()
        .await
        .expect("CreateBackupVault (DR, KMS key)");
}

/// Two subnets of the default VPC, and the VPC.
async fn network(ec2: &aws_sdk_ec2::Client) -> (Vec<String>, String) {
    let subnets = ec2.describe_subnets().send().await.expect("DescribeSubnets");
    let subnet_ids: Vec<String> =
        subnets.subnets().iter().filter_map(|s| s.subnet_id()).take(2).map(str::to_string).collect();
    let vpc_id = subnets.subnets().first().and_then(|s| s.vpc_id()).unwrap_or_default().to_string();
    (subnet_ids, vpc_id)
}

async fn register_image(ec2: &aws_sdk_ec2::Client, name: &str) -> String {
    use aws_sdk_ec2::types::{BlockDeviceMapping, EbsBlockDevice};
    ec2.register_image()
        .name(name)
        .root_device_name("/dev/xvda")
        .block_device_mappings(
            BlockDeviceMapping::builder()
                .device_name("/dev/xvda")
                .ebs(EbsBlockDevice::builder().volume_size(8).build())
                .build(),
        )
        .send()
        .await
        .expect("RegisterImage")
        .image_id()
        .unwrap_or_default()
        .to_string()
}

/// Launch template → ASG → target group ← listener ← ALB, all named after `name`.
async fn web_tier(
    r: &Region2,
    (subnet_ids, vpc_id): &(Vec<String>, String),
    name: &str,
    image: &str,
    capacity: (i32, i32, i32),
    index: usize,
) -> WebTier {
    use aws_sdk_autoscaling::types::{LaunchTemplateSpecification, Tag};
    use aws_sdk_ec2::types::{InstanceType, RequestLaunchTemplateData};
    use aws_sdk_elasticloadbalancingv2::types::{Action, ActionTypeEnum, ProtocolEnum};

    let template = r
        .ec2
        .create_launch_template()
        .launch_template_name(name)
        .launch_template_data(
            RequestLaunchTemplateData::builder().image_id(image).instance_type(InstanceType::T3Micro).build(),
        )
        .send()
        .await
        .expect("CreateLaunchTemplate");
    let template_id =
        template.launch_template().and_then(|t| t.launch_template_id()).unwrap_or_default().to_string();

    let lb = r
        .elb
        .create_load_balancer()
        .name(name)
        .set_subnets(Some(subnet_ids.clone()))
        .send()
        .await
        .expect("CreateLoadBalancer");
    let lb = lb.load_balancers().first().expect("a load balancer").clone();
    let tg = r
        .elb
        .create_target_group()
        .name(name)
        .protocol(ProtocolEnum::Http)
        .port(80)
        .vpc_id(vpc_id)
        .health_check_interval_seconds(10)
        .unhealthy_threshold_count(2)
        .send()
        .await
        .expect("CreateTargetGroup");
    let tg_arn =
        tg.target_groups().first().and_then(|t| t.target_group_arn()).unwrap_or_default().to_string();
    r.elb
        .create_listener()
        .load_balancer_arn(lb.load_balancer_arn().unwrap_or_default())
        .protocol(ProtocolEnum::Http)
        .port(80)
        .default_actions(Action::builder().r#type(ActionTypeEnum::Forward).target_group_arn(&tg_arn).build())
        .send()
        .await
        .expect("CreateListener");
    r.elb
        .add_tags()
        .resource_arns(lb.load_balancer_arn().unwrap_or_default())
        .resource_arns(&tg_arn)
        .tags(aws_sdk_elasticloadbalancingv2::types::Tag::builder().key("app").value(app(index)).build())
        .send()
        .await
        .expect("AddTags");

    let (min, max, desired) = capacity;
    r.asg
        .create_auto_scaling_group()
        .auto_scaling_group_name(name)
        .launch_template(
            LaunchTemplateSpecification::builder()
                .launch_template_id(&template_id)
                .version("$Latest")
                .build(),
        )
        .min_size(min)
        .max_size(max)
        .desired_capacity(desired)
        .target_group_arns(&tg_arn)
        .vpc_zone_identifier(subnet_ids.join(","))
        .health_check_type("ELB")
        .health_check_grace_period(120)
        .tags(
            Tag::builder()
                .key("app")
                .value(app(index))
                .resource_id(name)
                .resource_type("auto-scaling-group")
                .propagate_at_launch(true)
                .build(),
        )
        .send()
        .await
        .expect("CreateAutoScalingGroup");
    WebTier {
        lb_arn: lb.load_balancer_arn().unwrap_or_default().to_string(),
        lb_dns: lb.dns_name().unwrap_or_default().to_string(),
        lb_zone: lb.canonical_hosted_zone_id().unwrap_or_default().to_string(),
    }
}

fn app(index: usize) -> String {
    if index == 0 { "web".to_string() } else { format!("scale-{index}") }
}

/// The reference zone with `app.example.com`'s failover pair; returns the zone's ID.
async fn dns(route53: &aws_sdk_route53::Client, setup: &Setup, primary: &WebTier, dr: &WebTier) -> String {
    use aws_sdk_route53::types::{ResourceRecordSetFailover as Role, Tag, TagResourceType};
    let zone = route53
        .create_hosted_zone()
        .name("example.com")
        .caller_reference("drscan-tests")
        .send()
        .await
        .expect("CreateHostedZone");
    let zone_id = zone.hosted_zone().map(|z| z.id().to_string()).unwrap_or_default();
    let check_id = https_health_check(route53, "primary-check", &primary.lb_dns).await;
    route53
        .change_tags_for_resource()
        .resource_type(TagResourceType::Healthcheck)
        .resource_id(&check_id)
        .add_tags(Tag::builder().key("app").value("web").build())
        .send()
        .await
        .expect("ChangeTagsForResource");

    let monitored = setup.primary_monitored;
    let record = |role: Role, (dns_name, zone): (&str, &str), check: Option<&str>, evaluate: bool| match setup
        .record_style
    {
        RecordStyle::Alias => {
            failover_alias("app.example.com", role, &format!("dualstack.{dns_name}"), zone, check, evaluate)
        }
        RecordStyle::Cname => failover_cname("app.example.com", role, dns_name, check),
    };
    let primary_target = (primary.lb_dns.as_str(), primary.lb_zone.as_str());
    let mut records =
        vec![record(Role::Primary, primary_target, monitored.then_some(check_id.as_str()), monitored)];
    let dr_zone = dr.lb_zone.as_str();
    match setup.secondary {
        Secondary::DrAlb => records.push(record(Role::Secondary, (&dr.lb_dns, dr_zone), None, true)),
        Secondary::Dangling => records.push(record(
            Role::Secondary,
            ("web-dr-deleted-1234567890.us-east-1.elb.amazonaws.com", dr_zone),
            None,
            true,
        )),
        // moto names every Classic Load Balancer `<name>.us-east-1.elb.amazonaws.com`.
        Secondary::DrClassic => records.push(record(
            Role::Secondary,
            ("web-dr-classic.us-east-1.elb.amazonaws.com", dr_zone),
            None,
            false,
        )),
        Secondary::Missing => {}
    }
    create_records(route53, &zone_id, records).await;
    zone_id
}

/// An HTTPS health check on `fqdn:443/health` every 30 s, failing after 3; returns its ID.
pub(crate) async fn https_health_check(
    route53: &aws_sdk_route53::Client,
    reference: &str,
    fqdn: &str,
) -> String {
    use aws_sdk_route53::types::{HealthCheckConfig, HealthCheckType};
    let check = route53
        .create_health_check()
        .caller_reference(reference)
        .health_check_config(
            HealthCheckConfig::builder()
                .r#type(HealthCheckType::Https)
                .fully_qualified_domain_name(fqdn)
                .port(443)
                .resource_path("/health")
                .request_interval(30)
                .failure_threshold(3)
                .build()
                .expect("health check config"),
        )
        .send()
        .await
        .expect("CreateHealthCheck");
    check.health_check().map(|c| c.id().to_string()).unwrap_or_default()
}

/// A failover alias record (A) of `name` to `dns_name`, set identifier `primary` or `dr`.
pub(crate) fn failover_alias(
    name: &str,
    role: aws_sdk_route53::types::ResourceRecordSetFailover,
    dns_name: &str,
    zone: &str,
    check: Option<&str>,
    evaluate_target_health: bool,
) -> aws_sdk_route53::types::ResourceRecordSet {
    use aws_sdk_route53::types::{AliasTarget, ResourceRecordSet, ResourceRecordSetFailover, RrType};
    let set_identifier = if role == ResourceRecordSetFailover::Primary { "primary" } else { "dr" };
    ResourceRecordSet::builder()
        .name(name)
        .r#type(RrType::A)
        .set_identifier(set_identifier)
        .failover(role)
        .alias_target(
            AliasTarget::builder()
                .hosted_zone_id(zone)
                .dns_name(dns_name)
                .evaluate_target_health(evaluate_target_health)
                .build()
                .expect("alias target"),
        )
        .set_health_check_id(check.map(str::to_string))
        .build()
        .expect("record set")
}

/// A plain failover CNAME record of `name` whose value is `value`, TTL 60.
fn failover_cname(
    name: &str,
    role: aws_sdk_route53::types::ResourceRecordSetFailover,
    value: &str,
    check: Option<&str>,
) -> aws_sdk_route53::types::ResourceRecordSet {
    use aws_sdk_route53::types::{ResourceRecord, ResourceRecordSet, ResourceRecordSetFailover, RrType};
    let set_identifier = if role == ResourceRecordSetFailover::Primary { "primary" } else { "dr" };
    ResourceRecordSet::builder()
        .name(name)
        .r#type(RrType::Cname)
        .set_identifier(set_identifier)
        .failover(role)
        .ttl(60)
        .resource_records(ResourceRecord::builder().value(value).build().expect("record value"))
        .set_health_check_id(check.map(str::to_string))
        .build()
        .expect("record set")
}

/// A Classic Load Balancer `name` (HTTP:80 → 80) in DR, with the Auto Scaling group `asg`
/// attached to it by name.
async fn classic_load_balancer(
    account: &str,
    (subnet_ids, _): &(Vec<String>, String),
    name: &str,
    asg: &str,
) {
    use aws_sdk_elasticloadbalancing::types::Listener;
    let c = config(account, DR).await;
    let elb = aws_sdk_elasticloadbalancing::Client::new(&c);
    elb.create_load_balancer()
        .load_balancer_name(name)
        .listeners(
            Listener::builder()
                .protocol("HTTP")
                .load_balancer_port(80)
                .instance_protocol("HTTP")
                .instance_port(80)
                .build()
                .expect("listener"),
        )
        .set_subnets(Some(subnet_ids.clone()))
        .send()
        .await
        .expect("CreateLoadBalancer (Classic)");
    aws_sdk_autoscaling::Client::new(&c)
        .attach_load_balancers()
        .auto_scaling_group_name(asg)
        .load_balancer_names(name)
        .send()
        .await
        .expect("AttachLoadBalancers");
}

pub(crate) async fn create_records(
    route53: &aws_sdk_route53::Client,
    zone_id: &str,
    records: Vec<aws_sdk_route53::types::ResourceRecordSet>,
) {
    change_records(route53, zone_id, aws_sdk_route53::types::ChangeAction::Create, records).await;
}

/// Apply one change `action` to each of `records` in one batch.
pub(crate) async fn change_records(
    route53: &aws_sdk_route53::Client,
    zone_id: &str,
    action: aws_sdk_route53::types::ChangeAction,
    records: Vec<aws_sdk_route53::types::ResourceRecordSet>,
) {
    use aws_sdk_route53::types::{Change, ChangeBatch};
    let changes = records
        .into_iter()
        .map(|r| Change::builder().action(action.clone()).resource_record_set(r).build().expect("change"))
        .collect();
    route53
        .change_resource_record_sets()
        .hosted_zone_id(zone_id)
        .change_batch(ChangeBatch::builder().set_changes(Some(changes)).build().expect("change batch"))
        .send()
        .await
        .expect("ChangeResourceRecordSets");
}

/// `app-N.example.com` PRIMARY → primary tier N, SECONDARY → DR tier N, evaluating target
/// health, each record with an HTTPS health check of its own on its load balancer; and the
/// `HealthCheckStatus` metric (1, healthy, a minute ago) in us-east-1 — where Route 53
/// publishes it — for all checks but the last `without_metric`.
async fn failover_pairs(
    route53: &aws_sdk_route53::Client,
    us_east_1: &aws_sdk_cloudwatch::Client,
    zone_id: &str,
    pairs: &[(WebTier, WebTier)],
    without_metric: usize,
) {
    use aws_sdk_cloudwatch::primitives::DateTime;
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
    use aws_sdk_route53::types::ResourceRecordSetFailover as Role;
    if pairs.is_empty() {
        return;
    }
    let endpoints: Vec<(String, Role, &WebTier)> = pairs
        .iter()
        .enumerate()
        .flat_map(|(n, (primary, dr))| {
            let name = format!("app-{n}.example.com");
            [(name.clone(), Role::Primary, primary), (name, Role::Secondary, dr)]
        })
        .collect();
    let check_ids: Vec<String> = futures_util::stream::iter(endpoints.iter())
        .map(|(name, role, tier)| async move {
            https_health_check(route53, &format!("{name}-{}", role.as_str()), &tier.lb_dns).await
        })
        .buffered(SEEDING_CONCURRENCY)
        .collect()
        .await;
    let records = endpoints
        .iter()
        .zip(&check_ids)
        .map(|((name, role, tier), check_id)| {
            let dns_name = format!("dualstack.{}", tier.lb_dns);
            failover_alias(name, role.clone(), &dns_name, &tier.lb_zone, Some(check_id), true)
        })
        .collect();
    create_records(route53, zone_id, records).await;

    let a_minute_ago = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64 - 60)
        .unwrap_or(0);
    let published = check_ids.len().saturating_sub(without_metric);
    let data: Vec<MetricDatum> = check_ids[..published]
        .iter()
        .map(|id| {
            MetricDatum::builder()
                .metric_name("HealthCheckStatus")
                .dimensions(Dimension::builder().name("HealthCheckId").value(id).build())
                .value(1.0)
                .timestamp(DateTime::from_secs(a_minute_ago))
                .build()
        })
        .collect();
    us_east_1
        .put_metric_data()
        .namespace("AWS/Route53")
        .set_metric_data(Some(data))
        .send()
        .await
        .expect("PutMetricData AWS/Route53 (through the CBOR front)");
}

async fn databases(primary: &Region2, dr: &Region2, layout: &Layout, setup: &Setup) {
    let account = layout.primary.as_str();
    // Neither a cross-region read replica nor a global-database secondary can be in another
    // account: a recovery account's DR databases come from backup copies.
    let dr_copies = !layout.recovery_account();
    use aws_sdk_cloudwatch::primitives::DateTime;
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
    use aws_sdk_rds::types::Tag;
    let tag = Tag::builder().key("app").value("web").build();
    primary
        .rds
        .create_db_instance()
        .db_instance_identifier("web-db")
        .engine("mysql")
        .db_instance_class("db.t3.medium")
        .master_username("admin")
        .master_user_password("password123")
        .allocated_storage(20)
        .backup_retention_period(7)
        .multi_az(true)
        .tags(tag.clone())
        .send()
        .await
        .expect("CreateDBInstance");
    if setup.dr_replica && dr_copies {
        dr.rds
            .create_db_instance_read_replica()
            .db_instance_identifier("web-db-dr")
            .source_db_instance_identifier(format!("arn:aws:rds:{PRIMARY}:{account}:db:web-db"))
            .db_instance_class("db.t3.medium")
            .tags(tag.clone())
            .send()
            .await
            .expect("CreateDBInstanceReadReplica");
    }
    primary
        .rds
        .create_global_cluster()
        .global_cluster_identifier("web-global")
        .engine("aurora-mysql")
        .send()
        .await
        .expect("CreateGlobalCluster");
    primary
        .rds
        .create_db_cluster()
        .db_cluster_identifier("web-aurora")
        .engine("aurora-mysql")
        .master_username("admin")
        .master_user_password("password123")
        .backup_retention_period(7)
        .global_cluster_identifier("web-global")
        .tags(tag.clone())
        .send()
        .await
        .expect("CreateDBCluster (primary)");
    if !dr_copies {
        return;
    }
    dr.rds
        .create_db_cluster()
        .db_cluster_identifier("web-aurora-dr")
        .engine("aurora-mysql")
        .global_cluster_identifier("web-global")
        .tags(tag)
        .send()
        .await
        .expect("CreateDBCluster (secondary)");

    // Lag datapoints a few minutes old, inside the audit's one-hour window.
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let datum = |metric: &str, dimension: &str, id: &str, value: f64, unit: StandardUnit, ago: u64| {
        MetricDatum::builder()
            .metric_name(metric)
            .dimensions(Dimension::builder().name(dimension).value(id).build())
            .value(value)
            .unit(unit)
            .timestamp(DateTime::from_secs((now - ago) as i64))
            .build()
    };
    let mut data = vec![
        datum(
            "AuroraGlobalDBReplicationLag",
            "DBClusterIdentifier",
            "web-aurora-dr",
            setup.aurora_lag_milliseconds,
            StandardUnit::Milliseconds,
            300,
        ),
        datum(
            "AuroraGlobalDBReplicationLag",
            "DBClusterIdentifier",
            "web-aurora-dr",
            setup.aurora_lag_milliseconds / 2.0,
            StandardUnit::Milliseconds,
            120,
        ),
    ];
    if setup.dr_replica {
        data.push(datum(
            "ReplicaLag",
            "DBInstanceIdentifier",
            "web-db-dr",
            setup.replica_lag_seconds,
            StandardUnit::Seconds,
            300,
        ));
        data.push(datum(
            "ReplicaLag",
            "DBInstanceIdentifier",
            "web-db-dr",
            setup.replica_lag_seconds / 2.0,
            StandardUnit::Seconds,
            120,
        ));
    }
    dr.cw
        .put_metric_data()
        .namespace("AWS/RDS")
        .set_metric_data(Some(data))
        .send()
        .await
        .expect("PutMetricData (through the CBOR front)");
}

/// The primary file system and vault, and a daily plan that copies to `web-dr`, a DR-region
/// vault of `vault_account` (`vaults` is its DR-region client).
async fn files_and_backups(primary: &Region2, vaults: &aws_sdk_backup::Client, vault_account: &str) {
    use aws_sdk_backup::types::{BackupPlanInput, BackupRuleInput, CopyAction};
    primary
        .efs
        .create_file_system()
        .creation_token("web-files")
        .tags(aws_sdk_efs::types::Tag::builder().key("app").value("web").build().expect("tag"))
        .send()
        .await
        .expect("CreateFileSystem");
    primary
        .backup
        .create_backup_vault()
        .backup_vault_name("web")
        .send()
        .await
        .expect("CreateBackupVault (primary)");
    vaults.create_backup_vault().backup_vault_name("web-dr").send().await.expect("CreateBackupVault (DR)");
    primary
        .backup
        .create_backup_plan()
        .backup_plan(
            BackupPlanInput::builder()
                .backup_plan_name("web-daily")
                .rules(
                    BackupRuleInput::builder()
                        .rule_name("daily")
                        .target_backup_vault_name("web")
                        .schedule_expression("cron(0 5 * * ? *)")
                        .copy_actions(
                            CopyAction::builder()
                                .destination_backup_vault_arn(format!(
                                    "arn:aws:backup:{DR}:{vault_account}:backup-vault:web-dr"
                                ))
                                .build()
                                .expect("copy action"),
                        )
                        .build()
                        .expect("rule"),
                )
                .build()
                .expect("plan"),
        )
        .send()
        .await
        .expect("CreateBackupPlan");
}

/// Publish `HealthCheckStatus` `value` a minute ago for a check, in us-east-1 where Route 53
/// publishes it.
pub(crate) async fn publish_health_status(account: &str, check: &str, value: f64) {
    use aws_sdk_cloudwatch::primitives::DateTime;
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&config(account, "us-east-1").await);
    let a_minute_ago = chrono::Utc::now().timestamp() - 60;
    let datum = MetricDatum::builder()
        .metric_name("HealthCheckStatus")
        .dimensions(Dimension::builder().name("HealthCheckId").value(check).build())
        .value(value)
        .timestamp(DateTime::from_secs(a_minute_ago))
        .build();
    cloudwatch
        .put_metric_data()
        .namespace("AWS/Route53")
        .metric_data(datum)
        .send()
        .await
        .expect("PutMetricData AWS/Route53");
}

/// Publish the vCPUs in use of one usage class (`Standard/OnDemand`, `G/Spot`, …) a minute ago,
/// as EC2 publishes them to `AWS/Usage` (moto publishes nothing).
pub(crate) async fn publish_vcpu_usage(cloudwatch: &aws_sdk_cloudwatch::Client, class: &str, vcpus: f64) {
    use aws_sdk_cloudwatch::primitives::DateTime;
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
    let dimension = |name: &str, value: &str| Dimension::builder().name(name).value(value).build();
    let datum = MetricDatum::builder()
        .metric_name("ResourceCount")
        .dimensions(dimension("Class", class))
        .dimensions(dimension("Resource", "vCPU"))
        .dimensions(dimension("Service", "EC2"))
        .dimensions(dimension("Type", "Resource"))
        .value(vcpus)
        .timestamp(DateTime::from_secs(chrono::Utc::now().timestamp() - 60))
        .build();
    cloudwatch
        .put_metric_data()
        .namespace("AWS/Usage")
        .metric_data(datum)
        .send()
        .await
        .expect("PutMetricData AWS/Usage");
}
