//! AWS's rate limits, for real: the test front enforces the documented token buckets (per
//! account, region and API as AWS scopes them) and answers over-limit calls with each
//! protocol's own throttling error. A large account collected with default settings must come
//! back with no unknown caused by throttling; each protocol's throttling answer must read as
//! throttling; `max_rps` must hold each bucket to its cap.

use crate::support::recorded::everything_moto_lacks;
use crate::support::seed::{Setup, config, seed};
use crate::support::{
    DR, PRIMARY, collect_live, count_causes, drscan, enforce_rate_limits, fresh_account, front_log,
    requests_of, runtime, shrink_rate_limits, summary, throttled_requests,
};
use drscan::collection::errors::Failure;
use drscan::inventory::dns::HealthStatusSource;
use drscan::inventory::{ErrorCause, Known, Snapshot};
use std::collections::BTreeMap;

#[test]
fn a_large_account_under_aws_rate_limits_has_no_throttling_unknowns() {
    let account = fresh_account();
    let setup = Setup::large();
    runtime().block_on(seed(&account, &setup));
    enforce_rate_limits(&account);

    // Default settings: paced, standard retries, three attempts.
    let seeding_requests = requests_of(&account);
    let collected = collect_live(&account, &[]);
    let value: serde_json::Value = serde_json::from_str(&collected.text).expect("snapshot JSON");
    let snapshot_causes = count_causes(&value);
    let requests = requests_of(&account) - seeding_requests;
    let throttled = throttled_requests(&account);
    println!(
        "large account: {:.1} s, {requests} requests, {} throttled answers, causes {snapshot_causes:?}",
        collected.elapsed.as_secs_f64(),
        throttled.len()
    );
    for cause in ["throttled", "timeout"] {
        assert_eq!(snapshot_causes.get(cause), None, "no {cause} unknown may remain: {snapshot_causes:?}");
    }
    // Pacing keeps throttling rare; the few that network jitter may cause are retried away.
    assert!(
        throttled.len() <= 10,
        "pacing should avoid throttling, got {} throttled answers",
        throttled.len()
    );

    // The large account was collected in full.
    let snapshot = Snapshot::parse("snapshot.json", collected.text.clone()).expect("a readable snapshot");
    for region in [PRIMARY, DR] {
        let resources = &snapshot.resources.regional[region];
        let tiers = setup.scale + 1;
        assert_eq!(resources.load_balancers.len(), tiers, "{region} load balancers");
        assert_eq!(resources.listeners.len(), tiers, "{region} listeners");
        assert_eq!(resources.target_groups.len(), tiers, "{region} target groups");
        assert_eq!(resources.auto_scaling_groups.len(), tiers, "{region} ASGs");
        assert!(
            resources.target_groups.iter().all(|tg| tg.target_health.is_known()),
            "{region} target health"
        );
    }
    let checks = &snapshot.resources.global.health_checks;
    assert_eq!(checks.len(), 2 * setup.failover_pairs + 1);
    let sources: Vec<HealthStatusSource> = checks
        .iter()
        .map(|c| match &c.status {
            Known::Value(status) => status.source,
            Known::Unknown(reason) => panic!("health check {} status unknown: {reason}", c.id),
        })
        .collect();
    let from_metric = sources.iter().filter(|s| **s == HealthStatusSource::Metric).count();
    // The reference check and the seeded checks without metric data came from the checkers.
    assert_eq!(from_metric, 2 * setup.failover_pairs - setup.checks_without_metric);
    assert_eq!(sources.len() - from_metric, setup.checks_without_metric + 1);

    // And the audit of it names no throttling.
    let output = drscan(&account)
        .args(["audit", "--format", "json", "--allow-unknown", "--snapshot"])
        .arg(&collected.path)
        .output()
        .expect("run drscan audit");
    let audit: serde_json::Value = serde_json::from_slice(&output.stdout).expect("audit JSON");
    let audit_causes = count_causes(&audit);
    assert_eq!(audit_causes.get("throttled"), None, "{}", summary(&audit));
}

/// Call twice; the second must be throttled (the buckets are shrunk to one token).
macro_rules! second_call {
    ($request:expr, $operation:literal) => {{
        let first = $request.send().await;
        assert!(first.is_ok(), "{}: the first call has a token: {first:?}", $operation);
        $request.send().await.map(|_| ()).map_err(|e| Failure::from_sdk($operation, &e))
    }};
}

#[test]
fn each_protocols_throttling_answer_reads_as_throttling() {
    let account = fresh_account();
    // One token per bucket, and (for the test's length) no refill to speak of.
    shrink_rate_limits(&account, 1.0, 0.001);
    let results: Vec<(&str, Result<(), Failure>)> = runtime().block_on(async {
        let dr = config(&account, DR).await;
        let ec2 = aws_sdk_ec2::Client::new(&dr);
        let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&dr);
        let autoscaling = aws_sdk_autoscaling::Client::new(&dr);
        let rds = aws_sdk_rds::Client::new(&dr);
        let sts = aws_sdk_sts::Client::new(&dr);
        let route53 = aws_sdk_route53::Client::new(&dr);
        let kms = aws_sdk_kms::Client::new(&dr);
        let acm = aws_sdk_acm::Client::new(&dr);
        let ssm = aws_sdk_ssm::Client::new(&dr);
        let efs = aws_sdk_efs::Client::new(&dr);
        let backup = aws_sdk_backup::Client::new(&dr);
        let cloudwatch = aws_sdk_cloudwatch::Client::new(&dr);
        vec![
            ("RequestLimitExceeded", second_call!(ec2.describe_subnets(), "ec2:DescribeSubnets")),
            ("Throttling", second_call!(elbv2.describe_load_balancers(), "elbv2:DescribeLoadBalancers")),
            (
                "Throttling",
                second_call!(
                    autoscaling.describe_auto_scaling_groups(),
                    "autoscaling:DescribeAutoScalingGroups"
                ),
            ),
            ("Throttling", second_call!(rds.describe_db_instances(), "rds:DescribeDBInstances")),
            ("Throttling", second_call!(sts.get_caller_identity(), "sts:GetCallerIdentity")),
            ("Throttling", second_call!(route53.list_hosted_zones(), "route53:ListHostedZones")),
            ("ThrottlingException", second_call!(kms.list_keys(), "kms:ListKeys")),
            ("ThrottlingException", second_call!(acm.list_certificates(), "acm:ListCertificates")),
            ("ThrottlingException", second_call!(ssm.get_parameters().names("missing"), "ssm:GetParameters")),
            ("ThrottlingException", second_call!(efs.describe_file_systems(), "efs:DescribeFileSystems")),
            ("ThrottlingException", second_call!(backup.list_backup_vaults(), "backup:ListBackupVaults")),
            ("Throttling", second_call!(cloudwatch.describe_alarms(), "cloudwatch:DescribeAlarms")),
        ]
    });
    for (code, result) in &results {
        let failure = result.as_ref().expect_err("the second call is over the limit");
        assert_eq!(failure.cause, ErrorCause::Throttled, "{}: {}", failure.operation, failure.message);
        assert!(
            failure.message.starts_with(code),
            "{}: expected {code}, got {}",
            failure.operation,
            failure.message
        );
    }
    // EC2 answers 503, EFS 429, the others 400.
    let statuses: BTreeMap<String, u64> = throttled_requests(&account)
        .iter()
        .map(|e| (e["service"].as_str().unwrap_or_default().to_string(), e["status"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(statuses.len(), results.len(), "one throttled answer per service: {statuses:?}");
    for (service, status) in &statuses {
        let expected = match service.as_str() {
            "ec2" => 503,
            "elasticfilesystem" => 429,
            _ => 400,
        };
        assert_eq!(*status, expected, "{service} throttles with HTTP {expected}");
    }

    // The SDK retries a throttled attempt as a throttling error (CBOR being the least obvious
    // protocol to classify): three attempts, all answered with throttling.
    let attempts_before = throttled_requests(&account).len();
    let outcome = runtime().block_on(async {
        let retrying = config(&account, DR)
            .await
            .into_builder()
            .retry_config(
                aws_config::retry::RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(std::time::Duration::from_millis(10)),
            )
            .build();
        aws_sdk_cloudwatch::Client::new(&retrying).describe_alarms().send().await
    });
    assert!(outcome.is_err());
    assert_eq!(throttled_requests(&account).len() - attempts_before, 3, "a throttled CBOR call is retried");
}

#[test]
fn max_rps_holds_every_bucket_to_its_cap() {
    use drscan::collection::pacing::Pacing;
    let account = fresh_account();
    runtime().block_on(seed(&account, &Setup::default()));
    // What moto lacks answered (Backup copy jobs and region settings among them), so that the
    // collection has no listing error to report.
    crate::support::set_faults(serde_json::Value::Array(everything_moto_lacks(&account)));
    enforce_rate_limits(&account);
    let mut options = crate::support::live_options(&account);
    options.pacing = Pacing::Documented { max_rps: Some(2.0) };
    let collection = runtime().block_on(drscan::collection::collect(&options)).expect("collection");
    assert!(collection.snapshot.collection_errors.is_empty(), "{:?}", collection.snapshot.collection_errors);

    // Seen by the front: per region, the ELBv2 Describe calls (one bucket) at most 2 at once
    // and 2 per second after that.
    let log = front_log();
    for region in [PRIMARY, DR] {
        let mut times: Vec<f64> = log
            .iter()
            .filter(|e| {
                e["account"] == account.as_str()
                    && e["region"] == region
                    && e["service"] == "elasticloadbalancing"
                    && e["version"] != CLASSIC_ELB_VERSION
                    && e["operation"].as_str().is_some_and(|o| o.starts_with("Describe"))
            })
            .filter_map(|e| e["time"].as_f64())
            .collect();
        times.sort_by(f64::total_cmp);
        assert!(times.len() >= 5, "{region}: {times:?}");
        for (i, start) in times.iter().enumerate() {
            for (j, end) in times.iter().enumerate().skip(i) {
                let in_window = (j - i + 1) as f64;
                // Half a second of slack for the time between leaving drscan and reaching the
                // front, which varies by more than a quarter second for the first calls of a run
                // (new connections) on a loaded machine (CI saw 3 arrivals within 0.12 s after
                // two slow first connections). Unpaced, all of a region's Describe calls arrive
                // within a few hundredths of a second and still fail this.
                assert!(
                    in_window <= 2.0 + 2.0 * (end - start + 0.5),
                    "{region}: {in_window} ELBv2 requests within {:.2} s: {times:?}",
                    end - start
                );
            }
        }
    }
    let elb = collection.buckets.iter().find(|b| b.key.name == "elbv2 Describe*" && b.key.region == DR);
    assert!(elb.is_some_and(|b| b.requests >= 5 && !b.waited.is_zero()), "{elb:?}");
}

/// The Classic Load Balancer API's version: its calls share the `elasticloadbalancing` service
/// name with ELBv2's in the front's log, but draw on buckets of their own.
const CLASSIC_ELB_VERSION: &str = "2012-06-01";

/// Every HTTP attempt takes a token, SDK retries included: the pacer counts as many attempts
/// on the ELBv2 bucket as the front saw, two of them retries of failed calls.
#[test]
fn every_attempt_retries_included_draws_a_token() {
    let account = fresh_account();
    runtime().block_on(seed(&account, &Setup::default()));
    let mut rules = vec![serde_json::json!({
        "account": account, "region": DR, "service": "elasticloadbalancing", "operation": "DescribeTargetGroups",
        "status": 500, "code": "InternalFailure", "message": "injected", "times": 2
    })];
    // What moto lacks answered, so that the collection has no listing error to report.
    rules.extend(everything_moto_lacks(&account));
    crate::support::set_faults(serde_json::Value::Array(rules));
    let before = requests_of(&account);
    let mut options = crate::support::live_options(&account);
    options.sdk.max_attempts = 3;
    let collection = runtime().block_on(drscan::collection::collect(&options)).expect("collection");
    assert!(collection.snapshot.collection_errors.is_empty(), "the retries succeeded");

    // The front's log of this account, from the collection on (the seeding came before).
    let seen = front_log()
        .into_iter()
        .filter(|e| e["account"] == account.as_str())
        .skip(before)
        .filter(|e| e["region"] == DR && e["service"] == "elasticloadbalancing")
        .filter(|e| e["version"] != CLASSIC_ELB_VERSION)
        .count();
    let booked = collection
        .buckets
        .iter()
        .find(|b| b.key.name == "elbv2 Describe*" && b.key.region == DR)
        .map(|b| b.requests)
        .unwrap_or_default();
    let retried = collection.calls.get(&(DR.to_string(), "elbv2:DescribeTargetGroups".to_string()));
    assert_eq!(retried.map(|s| s.requests), Some(3), "one call, two retries: {retried:?}");
    assert_eq!(booked as usize, seen, "the pacer booked every attempt the front saw");
}
