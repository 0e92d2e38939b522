//! The DNS, load-balancer and alarm setups people build, as AWS answers for them (issue 10 §2,
//! DNS half, and §3): plain CNAME failover records, Classic Load Balancers, SNI certificates,
//! CALCULATED and CLOUDWATCH_METRIC health checks, alarms in the partition's global region with
//! SNS-to-Lambda automation, per-region health-check names, Lambda target groups. Against moto
//! where it serves the shape; on recorded AWS-shaped responses (the test front) where it does
//! not; offline, on a fixture changed as the live collection would have read it, for the rules'
//! reading of a shape the collection tests already cover.

use crate::support::seed::{
    RecordStyle, Secondary, Setup, change_records, config, failover_alias, https_health_check,
    publish_health_status, seed,
};
use crate::support::{DR, PRIMARY, audit_live, findings, fresh_account, runtime, set_faults, summary};
use serde_json::json;

/// Seed `setup` into a fresh account and audit it live: (exit code, JSON).
fn audit_seeded(setup: &Setup, extra: &[&str]) -> (i32, serde_json::Value) {
    let account = fresh_account();
    runtime().block_on(seed(&account, setup));
    let mut args = vec!["--max-attempts", "1"];
    args.extend_from_slice(extra);
    let (code, json, stderr, _) = audit_live(&account, &args);
    assert!(json.is_object(), "drscan printed no JSON (exit {code}):\n{stderr}");
    (code, json)
}

fn messages(json: &serde_json::Value, rule: &str, status: &str) -> String {
    findings(json, rule, status).iter().map(|f| f["message"].to_string()).collect::<Vec<_>>().join("\n")
}

/// What moto 5.2.5 lacks for the intact setup to be DR-ready, answered as AWS would: the primary
/// file system replicates to DR (DescribeReplicationConfigurations, REST-JSON), and no backup
/// plan has selections (ListBackupSelections); and a waiver for the replica status moto never
/// reports (DescribeDBInstances StatusInfos).
fn dr_ready(account: &str) -> tempfile::TempDir {
    let (fs_id, fs_arn) = runtime().block_on(async {
        let efs = aws_sdk_efs::Client::new(&crate::support::seed::config(account, PRIMARY).await);
        let systems = efs.describe_file_systems().send().await.expect("DescribeFileSystems");
        let fs = systems.file_systems().first().expect("the seeded file system");
        (fs.file_system_id().to_string(), fs.file_system_arn().unwrap_or_default().to_string())
    });
    let now = chrono::Utc::now().timestamp();
    let replication = json!({"Replications": [{
        "SourceFileSystemId": fs_id, "SourceFileSystemRegion": PRIMARY, "SourceFileSystemArn": fs_arn,
        "OriginalSourceFileSystemArn": fs_arn, "CreationTime": now - 36_000,
        "Destinations": [{"Status": "ENABLED", "FileSystemId": "fs-0dr0000000000001", "Region": DR,
                          "LastReplicatedTimestamp": now - 180}]
    }]});
    set_faults(json!([
        {"account": account, "region": PRIMARY, "service": "elasticfilesystem", "method": "GET",
         "path_regex": "/file-systems/replication-configurations$", "action": "respond",
         "content_type": "application/json", "body": replication.to_string()},
        {"account": account, "service": "backup", "method": "GET", "path_regex": "^/backup/plans/[^/]+/selections/?$",
         "action": "respond", "body": "{\"BackupSelectionsList\": []}"}
    ]));
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("drscan.toml"),
        "[[waiver]]\nrule = \"rds-replica-not-replicating\"\nresource = \"*\"\n\
         reason = \"moto 5.2.5 never reports a replica's StatusInfos\"\nexpires = \"2099-12-31\"\n",
    )
    .expect("write drscan.toml");
    dir
}

/// Seed, make DR-ready, audit with `--rto-target 30m`: (exit code, JSON).
fn audit_dr_ready(setup: &Setup) -> (i32, serde_json::Value) {
    let account = fresh_account();
    runtime().block_on(seed(&account, setup));
    let config = dr_ready(&account);
    let config_path = config.path().join("drscan.toml");
    let config_arg = config_path.to_string_lossy().to_string();
    let args = ["--max-attempts", "1", "--rto-target", "30m", "--config", config_arg.as_str()];
    let (code, json, stderr, _) = audit_live(&account, &args);
    assert!(json.is_object(), "drscan printed no JSON (exit {code}):\n{stderr}");
    (code, json)
}

/// Rule, status and severity of every finding, for comparing two audits.
fn verdicts(json: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| format!("{} {} {} {}", f["rule"], f["status"], f["severity"], f["app"]))
        .collect();
    out.sort();
    out
}

/// The done-when of issue 10: a DR-ready setup whose failover records are plain CNAMEs to the
/// load balancers' DNS names is one application, judged like the alias setup, and passes the
/// gate with an RTO target.
#[test]
fn a_dr_ready_setup_on_plain_cname_records_passes_the_gate_with_an_rto_target() {
    let (code, json) = audit_dr_ready(&Setup { record_style: RecordStyle::Cname, ..Setup::default() });
    assert_eq!(code, 0, "the gate must pass:\n{}", summary(&json));
    let estimates = json["estimates"].as_array().expect("estimates");
    let apps: Vec<&str> = estimates.iter().filter_map(|e| e["app"].as_str()).collect();
    assert!(
        !apps.contains(&"app.example.com"),
        "the CNAME records joined the web tier rather than becoming an application of their own: {apps:?}"
    );
    let web = estimates.iter().find(|e| e["app"] == "web").expect("the web estimate");
    let rto = web["rto_seconds"].as_u64().expect("a known RTO");
    assert!(rto <= 1800, "web's RTO {rto} s is within the target: {web}");
    // The estimate followed the CNAME to the DR tier: the DR load balancer's group scales.
    let breakdown = web["rto_breakdown"].to_string();
    assert!(breakdown.contains("web-dr"), "{breakdown}");

    // The same setup on alias records reaches the same verdicts.
    let (alias_code, alias) = audit_dr_ready(&Setup::default());
    assert_eq!(alias_code, 0, "{}", summary(&alias));
    assert_eq!(verdicts(&json), verdicts(&alias), "CNAME:\n{}\nalias:\n{}", summary(&json), summary(&alias));
}

#[test]
fn a_cname_to_a_deleted_load_balancer_is_a_missing_target() {
    let setup =
        Setup { record_style: RecordStyle::Cname, secondary: Secondary::Dangling, ..Setup::default() };
    let (_, json) = audit_seeded(&setup, &[]);
    let failed = messages(&json, "failover-target-missing", "fail");
    assert!(
        failed.contains("is a CNAME to web-dr-deleted-1234567890.us-east-1.elb.amazonaws.com"),
        "{}",
        summary(&json)
    );
}

#[test]
fn a_secondary_on_a_classic_load_balancer_resolves_and_is_judged() {
    let (_, json) = audit_seeded(&Setup { secondary: Secondary::DrClassic, ..Setup::default() }, &[]);
    assert!(findings(&json, "failover-target-missing", "fail").is_empty(), "{}", summary(&json));
    assert!(findings(&json, "failover-secondary-not-in-dr", "fail").is_empty(), "{}", summary(&json));
    // Its listeners are read (HTTP:80, as the primary ALB has) and the DR group is attached by name.
    assert!(findings(&json, "dr-listener-mismatch", "fail").is_empty(), "{}", summary(&json));
    assert!(findings(&json, "dr-asg-not-behind-alb", "fail").is_empty(), "{}", summary(&json));
    assert!(findings(&json, "dr-asg-not-behind-alb", "unknown").is_empty(), "{}", summary(&json));
}

/// The seeded zone's ID, and the DNS name and canonical hosted zone of the load balancer `name`
/// in `region`.
async fn zone_and_load_balancer(account: &str, region: &str, name: &str) -> (String, String, String) {
    let route53 = aws_sdk_route53::Client::new(&config(account, DR).await);
    let zones = route53.list_hosted_zones().send().await.expect("ListHostedZones");
    let zone = zones.hosted_zones().first().map(|z| z.id().to_string()).expect("the seeded zone");
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config(account, region).await);
    let lbs = elb.describe_load_balancers().names(name).send().await.expect("DescribeLoadBalancers");
    let lb = lbs.load_balancers().first().expect("the load balancer");
    let dns = lb.dns_name().unwrap_or_default().to_string();
    (zone, dns, lb.canonical_hosted_zone_id().unwrap_or_default().to_string())
}

/// Replace the SECONDARY of `app.example.com` by an alias to the DR ALB that does not evaluate
/// target health, judged by `check` alone.
async fn secondary_judged_by(account: &str, check: &str) {
    use aws_sdk_route53::types::{ChangeAction, ResourceRecordSetFailover as Role};
    let route53 = aws_sdk_route53::Client::new(&config(account, DR).await);
    let (zone, dr_dns, dr_zone) = zone_and_load_balancer(account, DR, "web-dr").await;
    let secondary = failover_alias("app.example.com", Role::Secondary, &dr_dns, &dr_zone, Some(check), false);
    change_records(&route53, &zone, ChangeAction::Upsert, vec![secondary]).await;
}

#[test]
fn a_calculated_secondary_check_is_judged_from_its_children_and_threshold() {
    use aws_sdk_route53::types::{HealthCheckConfig, HealthCheckType};
    for (threshold, unhealthy) in [(1, false), (2, true)] {
        let account = fresh_account();
        runtime().block_on(async {
            seed(&account, &Setup::default()).await;
            let route53 = aws_sdk_route53::Client::new(&config(&account, DR).await);
            let (_, dr_dns, _) = zone_and_load_balancer(&account, DR, "web-dr").await;
            let up = https_health_check(&route53, "child-up", &dr_dns).await;
            let down = https_health_check(&route53, "child-down", &dr_dns).await;
            // One child healthy, one unhealthy, as Route 53's metric reports them.
            publish_health_status(&account, &up, 1.0).await;
            publish_health_status(&account, &down, 0.0).await;
            let calculated = route53
                .create_health_check()
                .caller_reference("calculated")
                .health_check_config(
                    HealthCheckConfig::builder()
                        .r#type(HealthCheckType::Calculated)
                        .child_health_checks(&up)
                        .child_health_checks(&down)
                        .health_threshold(threshold)
                        .build()
                        .expect("calculated config"),
                )
                .send()
                .await
                .expect("CreateHealthCheck CALCULATED");
            let id = calculated.health_check().map(|c| c.id().to_string()).unwrap_or_default();
            secondary_judged_by(&account, &id).await;
        });
        let (_, json, _, _) = audit_live(&account, &["--max-attempts", "1"]);
        assert!(findings(&json, "failover-secondary-unhealthy", "unknown").is_empty(), "{}", summary(&json));
        let failed = messages(&json, "failover-secondary-unhealthy", "fail");
        if unhealthy {
            assert!(
                failed.contains("1 of 2 child health checks healthy, HealthThreshold 2"),
                "threshold {threshold}:\n{}",
                summary(&json)
            );
        } else {
            assert!(failed.is_empty(), "threshold {threshold}:\n{}", summary(&json));
        }
    }
}

/// A CLOUDWATCH_METRIC health check as ListHealthChecks returns it (moto drops
/// `AlarmIdentifier` and `InsufficientDataHealthStatus`), next to the seeded HTTPS check.
fn list_health_checks_with_metric_check(
    primary: &aws_sdk_route53::types::HealthCheck,
    metric_check: &str,
) -> String {
    let config = primary.health_check_config().expect("config");
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ListHealthChecksResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
  <HealthChecks>
    <HealthCheck>
      <Id>{primary_id}</Id>
      <CallerReference>primary-check</CallerReference>
      <HealthCheckConfig>
        <Port>443</Port>
        <Type>HTTPS</Type>
        <ResourcePath>/health</ResourcePath>
        <FullyQualifiedDomainName>{fqdn}</FullyQualifiedDomainName>
        <RequestInterval>30</RequestInterval>
        <FailureThreshold>3</FailureThreshold>
      </HealthCheckConfig>
      <HealthCheckVersion>1</HealthCheckVersion>
    </HealthCheck>
    <HealthCheck>
      <Id>{metric_check}</Id>
      <CallerReference>dr-alarm-check</CallerReference>
      <HealthCheckConfig>
        <Type>CLOUDWATCH_METRIC</Type>
        <Inverted>false</Inverted>
        <Disabled>false</Disabled>
        <AlarmIdentifier>
          <Region>{DR}</Region>
          <Name>web-dr-5xx</Name>
        </AlarmIdentifier>
        <InsufficientDataHealthStatus>Unhealthy</InsufficientDataHealthStatus>
      </HealthCheckConfig>
      <HealthCheckVersion>1</HealthCheckVersion>
      <CloudWatchAlarmConfiguration>
        <EvaluationPeriods>3</EvaluationPeriods>
        <Threshold>10.0</Threshold>
        <ComparisonOperator>GreaterThanThreshold</ComparisonOperator>
        <Period>60</Period>
        <MetricName>HTTPCode_Target_5XX_Count</MetricName>
        <Namespace>AWS/ApplicationELB</Namespace>
        <Statistic>Sum</Statistic>
      </CloudWatchAlarmConfiguration>
    </HealthCheck>
  </HealthChecks>
  <Marker></Marker>
  <IsTruncated>false</IsTruncated>
  <MaxItems>100</MaxItems>
</ListHealthChecksResponse>"#,
        primary_id = primary.id(),
        fqdn = config.fully_qualified_domain_name().unwrap_or_default(),
    )
}

#[test]
fn a_cloudwatch_metric_secondary_check_follows_its_alarm_state() {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, StateValue, Statistic};
    const METRIC_CHECK: &str = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
    for (state, unhealthy) in
        [(StateValue::Ok, false), (StateValue::Alarm, true), (StateValue::InsufficientData, true)]
    {
        let account = fresh_account();
        let body = runtime().block_on(async {
            seed(&account, &Setup::default()).await;
            let cloudwatch = aws_sdk_cloudwatch::Client::new(&config(&account, DR).await);
            cloudwatch
                .put_metric_alarm()
                .alarm_name("web-dr-5xx")
                .namespace("AWS/ApplicationELB")
                .metric_name("HTTPCode_Target_5XX_Count")
                .statistic(Statistic::Sum)
                .period(60)
                .evaluation_periods(3)
                .threshold(10.0)
                .comparison_operator(ComparisonOperator::GreaterThanThreshold)
                .send()
                .await
                .expect("PutMetricAlarm");
            cloudwatch
                .set_alarm_state()
                .alarm_name("web-dr-5xx")
                .state_value(state.clone())
                .state_reason("test")
                .send()
                .await
                .expect("SetAlarmState");
            secondary_judged_by(&account, METRIC_CHECK).await;
            let route53 = aws_sdk_route53::Client::new(&config(&account, DR).await);
            let checks = route53.list_health_checks().send().await.expect("ListHealthChecks");
            let primary = checks.health_checks().first().expect("the seeded check").clone();
            list_health_checks_with_metric_check(&primary, METRIC_CHECK)
        });
        set_faults(json!([{
            "account": account, "service": "route53", "method": "GET", "path_regex": "^/2013-04-01/healthcheck/?$",
            "action": "respond", "content_type": "text/xml", "body": body
        }]));
        let (_, json, _, _) = audit_live(&account, &["--max-attempts", "1"]);
        let failed = messages(&json, "failover-secondary-unhealthy", "fail");
        assert!(findings(&json, "failover-secondary-unhealthy", "unknown").is_empty(), "{}", summary(&json));
        if unhealthy {
            assert!(
                failed.contains(&format!("alarm web-dr-5xx is {}", state.as_str())),
                "{state:?}:\n{}",
                summary(&json)
            );
        } else {
            assert!(failed.is_empty(), "{state:?}:\n{}", summary(&json));
        }
    }
}

/// Route 53's alarms live in the partition's global region: with a pair that does not include
/// us-east-1, its alarms (a metric-math one on a health check's `HealthCheckStatus`) and the
/// SNS subscriptions they notify (a Lambda function in the DR region) are collected too, and
/// nothing else of that region.
#[test]
fn the_global_regions_alarms_and_subscriptions_are_collected_whatever_the_pair() {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Metric, MetricDataQuery, MetricStat};
    const OTHER_DR: &str = "eu-west-1";
    let account = fresh_account();
    let function = format!("arn:aws:lambda:{OTHER_DR}:{account}:function:fail-over-web");
    runtime().block_on(async {
        let c = config(&account, "us-east-1").await;
        let sns = aws_sdk_sns::Client::new(&c);
        let topic = sns.create_topic().name("web-primary-down").send().await.expect("CreateTopic");
        let topic = topic.topic_arn().unwrap_or_default().to_string();
        sns.subscribe()
            .topic_arn(&topic)
            .protocol("lambda")
            .endpoint(&function)
            .send()
            .await
            .expect("Subscribe");
        let metric = Metric::builder()
            .namespace("AWS/Route53")
            .metric_name("HealthCheckStatus")
            .dimensions(Dimension::builder().name("HealthCheckId").value("hc-web-primary").build())
            .build();
        aws_sdk_cloudwatch::Client::new(&c)
            .put_metric_alarm()
            .alarm_name("web-primary-down")
            .metrics(
                MetricDataQuery::builder()
                    .id("m1")
                    .metric_stat(MetricStat::builder().metric(metric).period(60).stat("Minimum").build())
                    .return_data(false)
                    .build(),
            )
            .metrics(
                MetricDataQuery::builder()
                    .id("e1")
                    .expression("MIN(m1)")
                    .label("healthy")
                    .return_data(true)
                    .build(),
            )
            .evaluation_periods(2)
            .threshold(1.0)
            .comparison_operator(ComparisonOperator::LessThanThreshold)
            .alarm_actions(&topic)
            .send()
            .await
            .expect("PutMetricAlarm (metric math)");
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("snapshot.json");
    let output = crate::support::drscan(&account)
        .args(["collect", "--primary", PRIMARY, "--dr", OTHER_DR, "--max-attempts", "1"])
        .args(["--endpoint-url", &crate::support::emulator().front_url, "-o"])
        .arg(&path)
        .output()
        .expect("run drscan collect");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("snapshot")).expect("JSON");
    let global = &snapshot["resources"]["regional"]["us-east-1"];
    let alarm = &global["alarms"][0];
    assert_eq!(alarm["name"], "web-primary-down", "{global}");
    let queries = alarm["metrics"].as_array().expect("the metric-math queries");
    assert!(
        queries.iter().any(|q| q["metric_name"] == "HealthCheckStatus"
            && q["dimensions"]["HealthCheckId"] == "hc-web-primary"
            && q["period_seconds"] == 60),
        "{alarm}"
    );
    assert!(queries.iter().any(|q| q["expression"] == "MIN(m1)" && q["return_data"] == true), "{alarm}");
    let subscription = &global["subscriptions"][0];
    assert_eq!(subscription["protocol"], "lambda", "{global}");
    assert_eq!(subscription["endpoint"], function.as_str());
    // Only what Route 53's alarms need is read there.
    let listed: Vec<&String> = global
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, v)| v.as_array().is_some_and(|a| !a.is_empty()))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(listed, ["alarms", "subscriptions"], "{global}");
    let errors = snapshot["collection_errors"].to_string();
    assert!(!errors.contains("us-east-1"), "{errors}");
}

/// A self-signed certificate for `name` and its key (PEM), made with the `cryptography` package
/// moto's venv ships, so that no key is kept in the repository.
fn self_signed(name: &str) -> (String, String) {
    let script = r#"
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
name = sys.argv[1]
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256()))
sys.stdout.write(cert.public_bytes(serialization.Encoding.PEM).decode())
sys.stdout.write("\n--KEY--\n")
sys.stdout.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()).decode())
"#;
    let output = std::process::Command::new(crate::support::moto_venv().join("bin/python"))
        .args(["-c", script, name])
        .output()
        .expect("run the venv's python");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    let (cert, key) = text.split_once("\n--KEY--\n").expect("certificate and key");
    (cert.to_string(), key.to_string())
}

/// An HTTPS:443 listener on the DR load balancer serving an imported `dr.example.com`
/// certificate by default, and `app.example.com`'s in its SNI list when `with_sni`; returns
/// the listener's ARN.
async fn dr_https_listener(account: &str, with_sni: bool) -> String {
    use aws_sdk_elasticloadbalancingv2::types::{Action, ActionTypeEnum, Certificate, ProtocolEnum};
    let c = config(account, DR).await;
    let acm = aws_sdk_acm::Client::new(&c);
    let mut arns = Vec::new();
    for name in ["dr.example.com", "app.example.com"] {
        let (cert, key) = self_signed(name);
        let imported = acm
            .import_certificate()
            .certificate(aws_smithy_types::Blob::new(cert))
            .private_key(aws_smithy_types::Blob::new(key))
            .send()
            .await
            .expect("ImportCertificate");
        arns.push(imported.certificate_arn().unwrap_or_default().to_string());
    }
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&c);
    let lb = elb.describe_load_balancers().names("web-dr").send().await.expect("DescribeLoadBalancers");
    let lb_arn = lb.load_balancers().first().and_then(|l| l.load_balancer_arn()).unwrap_or_default();
    let groups = elb.describe_target_groups().names("web-dr").send().await.expect("DescribeTargetGroups");
    let tg = groups.target_groups().first().and_then(|t| t.target_group_arn()).unwrap_or_default();
    let listener = elb
        .create_listener()
        .load_balancer_arn(lb_arn)
        .protocol(ProtocolEnum::Https)
        .port(443)
        .certificates(Certificate::builder().certificate_arn(&arns[0]).build())
        .default_actions(Action::builder().r#type(ActionTypeEnum::Forward).target_group_arn(tg).build())
        .send()
        .await
        .expect("CreateListener HTTPS");
    let listener =
        listener.listeners().first().and_then(|l| l.listener_arn()).unwrap_or_default().to_string();
    if with_sni {
        elb.add_listener_certificates()
            .listener_arn(&listener)
            .certificates(Certificate::builder().certificate_arn(&arns[1]).build())
            .send()
            .await
            .expect("AddListenerCertificates");
    }
    listener
}

/// The DR load balancer's HTTPS listener serves `dr.example.com` by default; the failover
/// name `app.example.com` is covered only by its SNI certificate list
/// (DescribeListenerCertificates), which DescribeListeners does not show.
#[test]
fn sni_certificates_cover_the_failover_name() {
    for with_sni in [true, false] {
        let account = fresh_account();
        runtime().block_on(async {
            seed(&account, &Setup::default()).await;
            dr_https_listener(&account, with_sni).await;
        });
        let (_, json, _, _) = audit_live(&account, &["--max-attempts", "1"]);
        let failed = messages(&json, "dr-certificate-invalid", "fail");
        assert!(findings(&json, "dr-certificate-invalid", "unknown").is_empty(), "{}", summary(&json));
        if with_sni {
            assert!(failed.is_empty(), "{}", summary(&json));
        } else {
            assert!(failed.contains("no certificate covers app.example.com"), "{}", summary(&json));
        }
    }
}

/// DescribeListenerCertificates as AWS answers it: the default certificate listed twice (once
/// with `IsDefault` true), and an IAM server certificate in the SNI list. The IAM certificate
/// is not "missing": drscan does not read its names, so the listener is unknown, saying why.
#[test]
fn an_iam_server_certificate_is_unknown_not_missing() {
    let account = fresh_account();
    let listener = runtime().block_on(async {
        seed(&account, &Setup::default()).await;
        dr_https_listener(&account, false).await
    });
    let default = runtime().block_on(async {
        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config(&account, DR).await);
        let listeners =
            elb.describe_listeners().listener_arns(&listener).send().await.expect("DescribeListeners");
        let listener = listeners.listeners().first().expect("the listener");
        listener.certificates().first().and_then(|c| c.certificate_arn()).unwrap_or_default().to_string()
    });
    let iam = format!("arn:aws:iam::{account}:server-certificate/app-example-com");
    let body = format!(
        r#"<DescribeListenerCertificatesResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <DescribeListenerCertificatesResult>
    <Certificates>
      <member><CertificateArn>{default}</CertificateArn><IsDefault>true</IsDefault></member>
      <member><CertificateArn>{default}</CertificateArn><IsDefault>false</IsDefault></member>
      <member><CertificateArn>{iam}</CertificateArn><IsDefault>false</IsDefault></member>
    </Certificates>
  </DescribeListenerCertificatesResult>
  <ResponseMetadata><RequestId>0f1e2d3c-recorded</RequestId></ResponseMetadata>
</DescribeListenerCertificatesResponse>"#
    );
    set_faults(json!([{
        "account": account, "region": DR, "service": "elasticloadbalancing",
        "operation": "DescribeListenerCertificates", "action": "respond", "content_type": "text/xml", "body": body
    }]));
    let (_, json, _, _) = audit_live(&account, &["--max-attempts", "1"]);
    assert!(findings(&json, "dr-certificate-invalid", "fail").is_empty(), "{}", summary(&json));
    let unknown = messages(&json, "dr-certificate-invalid", "unknown");
    // Unknown messages carry no ARNs (they are redacted as AWS's error text is): the sentence
    // still says what the listener serves.
    assert!(!unknown.contains(&iam), "{}", summary(&json));
    assert!(unknown.contains("arn:(redacted) is an IAM server certificate"), "{}", summary(&json));
}

/// A Lambda target group (health checks off by default) behind the DR load balancer: ELB
/// reports its function `unavailable` with `Target.HealthCheckDisabled` (DescribeTargetHealth as
/// AWS answers it; moto says `healthy`). That is no verdict: unknown, not unhealthy, and the
/// reason is kept in the snapshot.
#[test]
fn a_lambda_target_group_with_health_checks_off_is_unknown_not_unhealthy() {
    use aws_sdk_elasticloadbalancingv2::types::{Action, ActionTypeEnum, TargetTypeEnum};
    let account = fresh_account();
    let function = format!("arn:aws:lambda:{DR}:{account}:function:web-dr");
    runtime().block_on(async {
        seed(&account, &Setup::default()).await;
        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config(&account, DR).await);
        let group = elb
            .create_target_group()
            .name("web-dr-fn")
            .target_type(TargetTypeEnum::Lambda)
            .send()
            .await
            .expect("CreateTargetGroup lambda");
        let group =
            group.target_groups().first().and_then(|t| t.target_group_arn()).unwrap_or_default().to_string();
        let lb = elb.describe_load_balancers().names("web-dr").send().await.expect("DescribeLoadBalancers");
        let lb_arn = lb.load_balancers().first().and_then(|l| l.load_balancer_arn()).unwrap_or_default();
        let listeners =
            elb.describe_listeners().load_balancer_arn(lb_arn).send().await.expect("DescribeListeners");
        let listener = listeners.listeners().first().and_then(|l| l.listener_arn()).unwrap_or_default();
        elb.modify_listener()
            .listener_arn(listener)
            .default_actions(
                Action::builder().r#type(ActionTypeEnum::Forward).target_group_arn(&group).build(),
            )
            .send()
            .await
            .expect("ModifyListener");
    });
    let body = format!(
        r#"<DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <DescribeTargetHealthResult>
    <TargetHealthDescriptions>
      <member>
        <Target><Id>{function}</Id><AvailabilityZone>all</AvailabilityZone></Target>
        <TargetHealth>
          <State>unavailable</State>
          <Reason>Target.HealthCheckDisabled</Reason>
          <Description>Health checks are disabled for the target group</Description>
        </TargetHealth>
      </member>
    </TargetHealthDescriptions>
  </DescribeTargetHealthResult>
  <ResponseMetadata><RequestId>4a5b6c7d-recorded</RequestId></ResponseMetadata>
</DescribeTargetHealthResponse>"#
    );
    set_faults(json!([{
        "account": account, "region": DR, "service": "elasticloadbalancing", "operation": "DescribeTargetHealth",
        "action": "respond", "content_type": "text/xml", "body": body
    }]));
    let snapshot = crate::support::collect_live(&account, &["--max-attempts", "1"]);
    let snapshot_json: serde_json::Value = serde_json::from_str(&snapshot.text).expect("JSON");
    let groups =
        snapshot_json["resources"]["regional"][DR]["target_groups"].as_array().expect("DR target groups");
    let lambda = groups.iter().find(|g| g["name"] == "web-dr-fn").expect("the Lambda group");
    assert_eq!(lambda["target_type"], "lambda", "{lambda}");
    assert_eq!(lambda["health_check_disabled"], true, "{lambda}");
    assert_eq!(lambda["target_health"]["value"][0]["reason"], "Target.HealthCheckDisabled", "{lambda}");
    let (_, json, _, _) = audit_live(&account, &["--max-attempts", "1"]);
    assert!(findings(&json, "failover-secondary-unhealthy", "fail").is_empty(), "{}", summary(&json));
    let unknown = messages(&json, "failover-secondary-unhealthy", "unknown");
    assert!(unknown.contains("web-dr-fn (lambda targets) has health checks off"), "{}", summary(&json));
}

// ---- Offline: a rule fixture changed as the live collection would have read the setup.

mod offline {
    use drscan::audit::{self, AuditReport, GatePolicy};
    use drscan::findings::Status;
    use drscan::inventory::Snapshot;
    use drscan::settings::Settings;
    use serde_json::{Value, json};

    fn fixture(rule_case: &str) -> Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/rules")
            .join(format!("{rule_case}.json"));
        serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("fixture JSON")
    }

    fn audit(snapshot: &Value) -> AuditReport {
        let snapshot: Snapshot = serde_json::from_value(snapshot.clone()).expect("a snapshot");
        audit::run(&snapshot, &Settings::default(), GatePolicy::default())
    }

    /// (status, message) of every finding of `rule`, and how many resources it passed.
    fn verdicts(report: &AuditReport, rule: &str) -> (Vec<(Status, String)>, usize) {
        let found = report
            .findings
            .iter()
            .filter(|f| f.rule == rule)
            .map(|f| (f.status, f.message.clone()))
            .collect();
        (found, report.counts.get(rule).map_or(0, |c| c.pass))
    }

    fn records(snapshot: &mut Value) -> &mut Vec<Value> {
        snapshot["resources"]["global"]["hosted_zones"][0]["record_sets"]["value"]
            .as_array_mut()
            .expect("records")
    }

    /// The health check targets a per-region name, itself an alias record: resolved through
    /// the zone, it passes when it leads to the primary load balancer and fails otherwise.
    #[test]
    fn a_health_check_on_a_per_region_name_is_resolved_through_the_zone() {
        for (target, passes) in [
            ("dualstack.web-primary-1534726921.ap-south-1.elb.amazonaws.com.", true),
            ("dualstack.web-dr-1873465520.us-east-1.elb.amazonaws.com.", false),
        ] {
            let mut snapshot = fixture("health-check-ineffective/pass");
            snapshot["resources"]["global"]["health_checks"][0]["fqdn"] = json!("app-primary.example.com");
            records(&mut snapshot).push(json!({
                "name": "app-primary.example.com.", "type": "A",
                "alias_target": {"dns_name": target, "hosted_zone_id": "ZP97RAFLXTNZK", "evaluate_target_health": false}
            }));
            let (found, passed) = verdicts(&audit(&snapshot), "health-check-ineffective");
            if passes {
                assert!(found.is_empty() && passed == 1, "{found:?}");
            } else {
                assert!(
                    matches!(found.as_slice(), [(Status::Fail, m)] if m.contains("app-primary.example.com (load balancer web-dr)")),
                    "{found:?}"
                );
            }
        }
    }

    /// A record of a private hosted zone whose health check aims at a private address (or a
    /// name only the private zone answers for): Route 53's checkers, on the internet, can
    /// never reach it.
    #[test]
    fn an_endpoint_check_on_a_private_address_fails() {
        for (fqdn, ip) in [(None, Some("10.0.12.7")), (Some("app-internal.example.com"), None)] {
            let mut snapshot = fixture("health-check-ineffective/pass");
            snapshot["resources"]["global"]["hosted_zones"][0]["private"] = json!(true);
            let check = &mut snapshot["resources"]["global"]["health_checks"][0];
            check["fqdn"] = json!(fqdn);
            check["ip_address"] = json!(ip);
            records(&mut snapshot).push(json!({
                "name": "app-internal.example.com.", "type": "A", "ttl": 60, "values": ["10.0.12.7"]
            }));
            let (found, _) = verdicts(&audit(&snapshot), "health-check-ineffective");
            assert!(
                matches!(found.as_slice(), [(Status::Fail, m)] if m.contains("outside the VPC")),
                "{fqdn:?} {ip:?}: {found:?}"
            );
        }
    }

    #[test]
    fn a_routing_control_check_is_unknown_naming_what_is_not_modeled() {
        let mut snapshot = fixture("health-check-ineffective/pass");
        let check = &mut snapshot["resources"]["global"]["health_checks"][0];
        check["type"] = json!("RECOVERY_CONTROL");
        check["fqdn"] = Value::Null;
        let (found, _) = verdicts(&audit(&snapshot), "health-check-ineffective");
        assert!(
            matches!(found.as_slice(), [(Status::Unknown, m)] if m.contains("reports the primary as down")),
            "{found:?}"
        );
        let report = audit(&snapshot);
        let finding =
            report.findings.iter().find(|f| f.rule == "health-check-ineffective").expect("the finding");
        let evidence = serde_json::to_string(&finding.evidence).unwrap_or_default();
        assert!(evidence.contains("does not model routing controls"), "{evidence}");
    }

    /// An SNS topic that a Lambda function subscribes to, as an alarm's action, on the primary's
    /// health check through a metric-math expression: the step is automated.
    fn automation_through_sns(snapshot: &mut Value, region: &str) {
        let topic = format!("arn:aws:sns:{region}:123456789012:web-primary-down");
        let resources = &mut snapshot["resources"]["regional"][region];
        resources["alarms"] = json!([{
            "arn": format!("arn:aws:cloudwatch:{region}:123456789012:alarm:web-primary-down"),
            "name": "web-primary-down", "period_seconds": 0, "evaluation_periods": 2,
            "alarm_actions": [topic], "state": "OK",
            "metrics": [
                {"id": "m1", "namespace": "AWS/Route53", "metric_name": "HealthCheckStatus",
                 "dimensions": {"HealthCheckId": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"}, "period_seconds": 60, "return_data": false},
                {"id": "e1", "expression": "MIN(m1)", "period_seconds": 0, "return_data": true}
            ]
        }]);
        resources["subscriptions"] = json!([{
            "arn": format!("{topic}:0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"), "topic_arn": topic, "protocol": "lambda",
            "endpoint": "arn:aws:lambda:us-east-1:123456789012:function:promote-orders-db"
        }]);
    }

    #[test]
    fn a_metric_math_alarm_notifying_a_lambda_through_sns_automates_the_step() {
        let mut snapshot = fixture("failover-step-manual/fail");
        automation_through_sns(&mut snapshot, "us-east-1");
        let (found, passed) = verdicts(&audit(&snapshot), "failover-step-manual");
        assert!(found.is_empty() && passed > 0, "{found:?}");
        // A subscription still pending confirmation delivers nothing.
        snapshot["resources"]["regional"]["us-east-1"]["subscriptions"][0]["arn"] =
            json!("PendingConfirmation");
        let (found, _) = verdicts(&audit(&snapshot), "failover-step-manual");
        assert!(matches!(found.as_slice(), [(Status::Fail, _)]), "{found:?}");
    }

    /// The same with a pair whose DR region is not us-east-1: the alarm and its topic are in
    /// us-east-1, the partition's global region, collected for Route 53's alarms.
    #[test]
    fn alarms_in_the_global_region_count_whatever_the_pair() {
        let text = serde_json::to_string(&fixture("failover-step-manual/fail")).unwrap_or_default();
        let mut snapshot: Value =
            serde_json::from_str(&text.replace("us-east-1", "eu-west-1")).expect("JSON");
        snapshot["resources"]["regional"]["us-east-1"] = json!({});
        automation_through_sns(&mut snapshot, "us-east-1");
        let (found, passed) = verdicts(&audit(&snapshot), "failover-step-manual");
        assert!(found.is_empty() && passed > 0, "{found:?}");
        // Not collected there (a snapshot of an older drscan): unknown, not manual.
        snapshot["resources"]["regional"].as_object_mut().map(|r| r.remove("us-east-1"));
        let (found, _) = verdicts(&audit(&snapshot), "failover-step-manual");
        assert!(matches!(found.as_slice(), [(Status::Unknown, _)]), "{found:?}");
    }

    #[test]
    fn listener_rules_read_a_load_balancers_own_unknown_listeners() {
        let mut snapshot = fixture("dr-listener-mismatch/pass");
        snapshot["resources"]["regional"]["us-east-1"]["load_balancers"][0]["listeners_unknown"] = json!({
            "operation": "elbv2:DescribeListeners", "cause": "throttled", "message": "Rate exceeded"
        });
        let (found, _) = verdicts(&audit(&snapshot), "dr-listener-mismatch");
        assert!(
            matches!(found.as_slice(), [(Status::Unknown, m)] if m.contains("cannot compare the listeners")),
            "{found:?}"
        );
    }

    #[test]
    fn listener_rules_report_unreadable_zones() {
        for rule in ["dr-listener-mismatch", "dr-certificate-invalid"] {
            let mut snapshot = fixture(&format!("{rule}/pass"));
            let zones = snapshot["resources"]["global"]["hosted_zones"].as_array_mut().expect("zones");
            zones.push(json!({
                "id": "Z0999999UNREADABLE", "name": "other.example.com.",
                "record_sets": {"unknown": {"operation": "route53:ListResourceRecordSets", "cause": "throttled", "message": "Rate exceeded"}}
            }));
            let (found, _) = verdicts(&audit(&snapshot), rule);
            // dr-certificate-invalid cannot tell which names a DR listener serves while any
            // zone's records are unread, so it names the listener rather than the zone.
            let expected = match rule {
                "dr-certificate-invalid" => "cannot tell which failover names DR listener HTTPS:443 serves",
                _ => "cannot read the records of zone other.example.com.",
            };
            assert!(
                matches!(found.as_slice(), [(Status::Unknown, m)] if m.contains(expected)),
                "{rule}: {found:?}"
            );
        }
    }

    /// A follow-up call that failed for named resources leaves those unknown, not the kind.
    #[test]
    fn an_error_naming_one_resource_is_not_a_gap_in_the_whole_kind() {
        let listed = fixture("dr-certificate-invalid/unknown");
        let certificate =
            listed["resources"]["regional"]["us-east-1"]["listeners"][0]["certificate_arns"][0].clone();
        for (named, expected) in [
            (json!("arn:aws:acm:us-east-1:123456789012:certificate/00000000-other"), Status::Fail),
            (certificate, Status::Unknown),
        ] {
            let mut snapshot = listed.clone();
            snapshot["collection_errors"][0]["operation"] = json!("acm:DescribeCertificate");
            snapshot["collection_errors"][0]["resources"] = json!([named]);
            let (found, _) = verdicts(&audit(&snapshot), "dr-certificate-invalid");
            assert!(matches!(found.as_slice(), [(status, _)] if *status == expected), "{named}: {found:?}");
        }
    }

    /// An unhealthy SECONDARY read from the `HealthCheckStatus` metric says what it read.
    #[test]
    fn a_metric_status_is_described_as_the_metric() {
        let mut snapshot = fixture("failover-secondary-unhealthy/pass");
        let secondary =
            records(&mut snapshot).iter_mut().find(|r| r["failover"] == "SECONDARY").expect("SECONDARY");
        secondary["health_check_id"] = json!("3b9f6a2e-7c41-4d85-9e02-b6a1f4c8d357");
        snapshot["resources"]["global"]["health_checks"][0]["status"] = json!({"value": {
            "source": "metric", "metric_minimum": 0.0, "metric_at": "2026-11-26T01:58:00Z"
        }});
        let (found, _) = verdicts(&audit(&snapshot), "failover-secondary-unhealthy");
        assert!(
            found.iter().any(|(s, m)| *s == Status::Fail
                && m.contains("(HealthCheckStatus metric 0 at 2026-11-26 01:58 UTC)")),
            "{found:?}"
        );
        assert!(!found.iter().any(|(_, m)| m.contains("0 of 0 checkers")), "{found:?}");
    }

    /// A DR load balancer that forwards only to IP targets: what feeds them is not modeled.
    #[test]
    fn a_dr_group_behind_ip_targets_is_unknown() {
        let mut snapshot = fixture("dr-asg-not-behind-alb/pass");
        let dr = &mut snapshot["resources"]["regional"]["us-east-1"];
        dr["target_groups"][0]["target_type"] = json!("ip");
        dr["auto_scaling_groups"][0]["target_group_arns"] = json!([]);
        let (found, _) = verdicts(&audit(&snapshot), "dr-asg-not-behind-alb");
        assert!(matches!(found.as_slice(), [(Status::Unknown, _)]), "{found:?}");
        let report = audit(&snapshot);
        let finding =
            report.findings.iter().find(|f| f.rule == "dr-asg-not-behind-alb").expect("the finding");
        let evidence = serde_json::to_string(&finding.evidence).unwrap_or_default();
        assert!(evidence.contains("web-dr-tg (ip)"), "{evidence}");
    }
}

/// Route 53's API and its metrics live in the partition's global region: for a pair in the
/// China partition, cn-northwest-1, not us-east-1.
#[test]
fn route53_is_asked_in_the_partitions_global_region() {
    let account = fresh_account();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("snapshot.json");
    let output = crate::support::drscan(&account)
        .args(["collect", "--primary", "cn-north-1", "--dr", "cn-northwest-1", "--max-attempts", "1"])
        .args(["--endpoint-url", &crate::support::emulator().front_url, "-o"])
        .arg(&path)
        .output()
        .expect("run drscan collect");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let regions: std::collections::BTreeSet<String> = crate::support::front_log()
        .into_iter()
        .filter(|e| e["account"] == account.as_str() && e["service"] == "route53")
        .filter_map(|e| e["region"].as_str().map(str::to_string))
        .collect();
    assert_eq!(regions.into_iter().collect::<Vec<_>>(), ["cn-northwest-1"]);
    let snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("snapshot")).expect("JSON");
    // The global region is one of the pair: nothing else is collected for it.
    let regional: Vec<&String> =
        snapshot["resources"]["regional"].as_object().expect("regions").keys().collect();
    assert_eq!(regional, ["cn-north-1", "cn-northwest-1"]);
}
