//! Fault tests: the test front between drscan and moto denies, fails, throttles or drops
//! requests picked by SigV4 region, service and operation. Each scenario runs in its own
//! moto account with faults scoped to it, and checks the unknowns, the exit code and that the
//! run stays short.

use crate::support::seed::{Setup, seed};
use crate::support::{
    DR, PRIMARY, audit_live, collect_live, drscan, findings, fresh_account, runtime, set_faults, summary,
};
use serde_json::{Value, json};
use std::time::Duration;

fn seeded() -> String {
    let account = fresh_account();
    runtime().block_on(seed(&account, &Setup::default()));
    account
}

/// A live collection of `account` under `faults`, with `flags`: its snapshot (as JSON), the
/// snapshot's collection errors and how long the run took.
fn collected_under(account: &str, faults: Value, flags: &[&str]) -> (Value, Vec<Value>, Duration) {
    set_faults(faults);
    let collected = collect_live(account, flags);
    let snapshot: Value = serde_json::from_str(&collected.text).expect("JSON");
    let errors = snapshot["collection_errors"].as_array().cloned().expect("collection errors");
    (snapshot, errors, collected.elapsed)
}

fn unknown_mentions(json: &serde_json::Value, rule: &str, needles: &[&str]) -> bool {
    findings(json, rule, "unknown").iter().any(|f| {
        let text = f.to_string();
        needles.iter().all(|n| text.contains(n))
    })
}

#[test]
fn access_denied_on_one_operation_is_unknown_naming_it() {
    let account = seeded();
    set_faults(json!([{
        "account": account, "region": DR, "service": "elasticloadbalancing", "operation": "DescribeTargetHealth",
        "status": 403, "code": "AccessDenied",
        "message": "User is not authorized to perform: elasticloadbalancing:DescribeTargetHealth"
    }]));
    let (code, json, stderr, elapsed) = audit_live(&account, &["--max-attempts", "2"]);
    assert_eq!(code, 1, "an unknown critical finding fails the gate:\n{stderr}\n{}", summary(&json));
    assert!(
        unknown_mentions(
            &json,
            "failover-secondary-unhealthy",
            &["elbv2:DescribeTargetHealth", "access denied"]
        ),
        "expected the SECONDARY health to be unknown for lack of permission:\n{}",
        summary(&json)
    );
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
}

#[test]
fn a_failing_service_leaves_its_kinds_unknown_and_the_rest_audited() {
    let account = seeded();
    set_faults(json!([{
        "account": account, "region": DR, "service": "ec2", "status": 500, "code": "InternalFailure",
        "message": "We encountered an internal error. Please try again."
    }]));
    let (code, json, stderr, elapsed) = audit_live(&account, &["--max-attempts", "2"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        unknown_mentions(&json, "ami-missing-in-dr", &["ec2:DescribeImages", "InternalFailure"]),
        "without DR images the AMI copy check is unknown:\n{}",
        summary(&json)
    );
    // Route 53 and the load balancers still answered: the SECONDARY is judged, and healthy.
    assert!(findings(&json, "failover-secondary-unhealthy", "unknown").is_empty(), "{}", summary(&json));
    assert!(elapsed < Duration::from_secs(20), "retries of a 500 must stay bounded, took {elapsed:?}");
}

#[test]
fn throttling_that_clears_within_the_retries_loses_nothing() {
    let account = seeded();
    set_faults(json!([{
        "account": account, "service": "ec2", "operation": "DescribeLaunchTemplates",
        "status": 400, "code": "RequestLimitExceeded", "message": "Request limit exceeded.", "times": 2
    }]));
    let (_, json, stderr, elapsed) = audit_live(&account, &["--max-attempts", "3"]);
    let text = json.to_string();
    assert!(json.is_object(), "{stderr}");
    assert!(
        !text.contains("DescribeLaunchTemplates"),
        "throttling that clears must leave no unknown:\n{}",
        summary(&json)
    );
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");

    // Throttled past the retries: unknown, said so.
    set_faults(json!([{
        "account": account, "service": "ec2", "operation": "DescribeLaunchTemplates",
        "status": 400, "code": "RequestLimitExceeded", "message": "Request limit exceeded."
    }]));
    let (code, json, _, _) = audit_live(&account, &["--max-attempts", "2"]);
    assert_eq!(code, 1);
    assert!(json.to_string().contains("throttled past retries"), "{}", summary(&json));
}

#[test]
fn one_region_unreachable_still_yields_the_other() {
    let account = seeded();
    let faults = json!([{ "account": account, "region": PRIMARY, "action": "drop" }]);
    let (snapshot, errors, elapsed) = collected_under(&account, faults, &["--max-attempts", "2"]);
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
    assert!(snapshot["resources"]["regional"][PRIMARY].is_null(), "the unreachable region holds no data");
    assert!(
        snapshot["resources"]["regional"][DR]["load_balancers"].as_array().is_some_and(|a| !a.is_empty()),
        "the reachable region is collected"
    );
    assert!(
        errors.iter().any(|e| e["region"] == PRIMARY && e["cause"] == "connectivity"),
        "the snapshot says why the primary is missing: {errors:?}"
    );

    let (code, json, _, _) = audit_live(&account, &["--max-attempts", "2"]);
    assert_eq!(code, 1, "missing a region fails the gate through unknowns:\n{}", summary(&json));
    assert!(json.to_string().contains("region unreachable"), "{}", summary(&json));
}

#[test]
fn dr_region_unreachable_is_recorded_once_for_the_whole_region() {
    let account = seeded();
    let faults = json!([{ "account": account, "region": DR, "action": "drop" }]);
    let (snapshot, errors, elapsed) = collected_under(&account, faults, &["--max-attempts", "1"]);
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
    assert!(snapshot["resources"]["regional"][DR].is_null(), "the unreachable region holds no data");
    assert!(!snapshot["resources"]["regional"][PRIMARY].is_null(), "the primary is collected");
    let regional: Vec<_> = errors.iter().filter(|e| e["region"] == DR).collect();
    assert_eq!(regional.len(), 1, "one error stands for the whole region: {regional:?}");
    assert_eq!(regional[0]["cause"], "connectivity");
    // Regression (issue 11): it used to name whichever listing failed first (every DR unknown
    // said ec2:DescribeImages). It names the region and every operation that failed.
    assert_eq!(regional[0]["operation"], format!("every call to {DR}"));
    let message = regional[0]["message"].as_str().unwrap_or_default();
    for operation in ["ec2:DescribeImages", "elbv2:DescribeLoadBalancers", "rds:DescribeDBInstances"] {
        assert!(message.contains(operation), "{message}");
    }
}

#[test]
fn no_region_reachable_is_exit_3() {
    let account = seeded();
    set_faults(json!([{ "account": account, "action": "drop" }]));
    let (code, _, stderr, elapsed) = audit_live(&account, &["--max-attempts", "1"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("no region is reachable"), "{stderr}");
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
}

#[test]
fn no_credentials_at_all_is_exit_3() {
    let output = drscan("000000000000")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args(["audit", "--primary", PRIMARY, "--dr", DR, "--endpoint-url", "http://127.0.0.1:9"])
        .output()
        .expect("run drscan");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("no AWS credentials"), "{stderr}");
}

#[test]
fn missing_regions_are_a_usage_error() {
    let output = drscan("000000000000").args(["audit", "--primary", PRIMARY]).output().expect("run drscan");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--dr"));
}

#[test]
fn a_page_token_that_does_not_advance_stops_with_an_error() {
    let account = seeded();
    // A recorded page whose NextToken never changes: moto does this with small page sizes.
    let page = r#"<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">
  <DescribeAutoScalingGroupsResult><AutoScalingGroups/><NextToken>stuck-token</NextToken></DescribeAutoScalingGroupsResult>
  <ResponseMetadata><RequestId>recorded</RequestId></ResponseMetadata>
</DescribeAutoScalingGroupsResponse>"#;
    let faults = json!([{
        "account": account, "region": DR, "service": "autoscaling", "operation": "DescribeAutoScalingGroups",
        "action": "respond", "status": 200, "content_type": "text/xml", "body": page
    }]);
    let (_, errors, elapsed) = collected_under(&account, faults, &["--max-attempts", "1"]);
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
    assert!(
        errors.iter().any(|e| e["region"] == DR
            && e["operation"] == "autoscaling:DescribeAutoScalingGroups"
            && e["message"].as_str().unwrap_or_default().contains("did not advance")
            && e["kinds"].as_array().is_some_and(|k| k.iter().any(|k| k == "autoscaling:group"))),
        "{errors:?}"
    );
}

#[test]
fn a_slow_call_times_out_as_unknown_and_the_run_stays_bounded() {
    let account = seeded();
    set_faults(json!([{
        "account": account, "region": DR, "service": "elasticloadbalancing", "operation": "DescribeTargetHealth",
        "action": "delay", "seconds": 8
    }]));
    let (code, json, stderr, elapsed) =
        audit_live(&account, &["--max-attempts", "1", "--call-timeout", "1s"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        unknown_mentions(&json, "failover-secondary-unhealthy", &["elbv2:DescribeTargetHealth", "timed out"]),
        "{}",
        summary(&json)
    );
    assert!(elapsed < Duration::from_secs(6), "the per-call timeout must cut the wait, took {elapsed:?}");
}

#[test]
fn the_whole_run_timeout_reports_unfinished_services_as_unknown() {
    let account = seeded();
    set_faults(json!([{
        "account": account, "region": DR, "service": "elasticloadbalancing", "operation": "DescribeTargetHealth",
        "action": "delay", "seconds": 8
    }]));
    let (code, json, stderr, elapsed) = audit_live(&account, &["--max-attempts", "1", "--timeout", "2s"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(json.to_string().contains("whole-run timeout"), "{}", summary(&json));
    assert!(elapsed < Duration::from_secs(6), "the run must end at its deadline, took {elapsed:?}");
}

/// Regression: the compute scope's whole-run timeout used to name only the AMI, launch
/// template and Auto Scaling kinds, so the DR subnets, security groups, key pairs and
/// instance-type offerings it also lists landed empty and *fully listed* — "the subnet does
/// not exist in DR" — with no collection error. Now each service and stage is a scope of its
/// own: what EC2 listed before the template versions ran late is kept, and every kind the late
/// stages fill (or add to) is unknown, naming the timeout.
#[test]
fn a_whole_run_timeout_in_the_template_versions_keeps_what_ec2_listed() {
    use drscan::inventory::{ErrorCause, Known, ResourceKind, Snapshot};
    let account = seeded();
    // The template versions are read after every other EC2 listing, so the run is cut off
    // when those have answered.
    set_faults(json!([{
        "account": account, "region": DR, "service": "ec2", "operation": "DescribeLaunchTemplateVersions",
        "action": "delay", "seconds": 8
    }]));
    let collected = collect_live(&account, &["--max-attempts", "1", "--timeout", "3s"]);
    assert!(collected.elapsed < Duration::from_secs(7), "the run must end at its deadline");
    let snapshot = Snapshot::parse("snapshot.json", collected.text).expect("a readable snapshot");
    let dr = snapshot.resources.regional.get(DR).expect("the DR region answered and is collected");
    // Listed before the deadline: kept, and complete.
    for kind in [
        ResourceKind::Subnet,
        ResourceKind::SecurityGroup,
        ResourceKind::KeyPair,
        ResourceKind::LaunchTemplate,
    ] {
        assert_eq!(snapshot.listing_gap(Some(DR), kind), None, "{kind} in {DR} was listed in time");
    }
    assert!(!dr.subnets.is_empty() && !dr.security_groups.is_empty(), "EC2's listings survive");
    // Cut off: the versions stage and everything after it.
    for (scope, kind) in [
        ("ec2 launch template versions", ResourceKind::LaunchTemplateVersion),
        ("ec2 launch dependencies", ResourceKind::InstanceTypeOffering),
        ("ec2 launch dependencies", ResourceKind::Image),
    ] {
        let timeout = snapshot
            .collection_errors
            .iter()
            .find(|e| e.region.as_deref() == Some(DR) && e.operation == scope && e.kinds.contains(&kind))
            .unwrap_or_else(|| panic!("no {scope} timeout naming {kind}: {:#?}", snapshot.collection_errors));
        assert_eq!(timeout.cause, ErrorCause::Timeout);
        let gap = snapshot.listing_gap(Some(DR), kind);
        assert_eq!(gap.map(|g| g.cause), Some(ErrorCause::Timeout), "{kind} in {DR} must be a listing gap");
    }
    let template = dr.launch_templates.iter().find(|t| t.name == "web-dr").expect("the DR template");
    assert!(
        matches!(&template.versions, Known::Unknown(reason) if reason.cause == ErrorCause::Timeout),
        "the versions of the template the DR group launches are unknown: {:?}",
        template.versions
    );

    let output = drscan(&account)
        .args(["audit", "--snapshot"])
        .arg(&collected.path)
        .args(["--format", "json"])
        .output()
        .expect("run drscan audit");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let counts = &json["summary"]["rules"]["dr-launch-dependencies-missing"];
    assert_eq!((counts["pass"].as_u64(), counts["fail"].as_u64()), (Some(0), Some(0)), "{}", summary(&json));
    assert!(
        unknown_mentions(&json, "dr-launch-dependencies-missing", &["whole-run timeout"]),
        "the DR launch dependencies are unknown, naming the timeout:\n{}",
        summary(&json)
    );
}

/// A failed follow-up leaves only the resource it was about unknown: one load balancer's
/// listeners, the tags one DescribeTags call asked for — not the region's listeners or tags.
#[test]
fn a_failed_follow_up_marks_only_its_resource_unknown() {
    use drscan::inventory::{ErrorCause, ResourceKind, Snapshot};
    let account = fresh_account();
    runtime().block_on(seed(&account, &Setup { scale: 3, ..Setup::default() }));
    set_faults(json!([
        {
            "account": account, "region": DR, "service": "elasticloadbalancing", "operation": "DescribeListeners",
            "status": 500, "code": "InternalFailure", "message": "injected", "times": 1
        },
        {
            "account": account, "region": PRIMARY, "service": "elasticloadbalancing", "operation": "DescribeTags",
            "status": 500, "code": "InternalFailure", "message": "injected", "times": 1
        }
    ]));
    let collected = collect_live(&account, &["--max-attempts", "1"]);
    let snapshot = Snapshot::parse("snapshot.json", collected.text).expect("a readable snapshot");

    let dr = &snapshot.resources.regional[DR];
    let unread: Vec<&str> = dr
        .load_balancers
        .iter()
        .filter(|lb| lb.listeners_unknown.is_some())
        .map(|lb| lb.arn.as_str())
        .collect();
    assert_eq!(unread.len(), 1, "exactly one load balancer's listeners are unknown: {unread:?}");
    let read = dr.load_balancers.iter().filter(|lb| lb.listeners_unknown.is_none());
    for lb in read {
        assert!(
            dr.listeners.iter().any(|l| l.load_balancer_arn == lb.arn),
            "{} keeps its listeners",
            lb.name
        );
    }
    let error = snapshot
        .collection_errors
        .iter()
        .find(|e| e.operation == "elbv2:DescribeListeners")
        .expect("the failure is recorded");
    assert_eq!(
        (error.kinds.as_slice(), error.resources.as_slice()),
        (&[ResourceKind::Listener][..], &[unread[0].to_string()][..])
    );
    assert_eq!(error.cause, ErrorCause::ServerError);

    // One DescribeTags call (20 ARNs) failed in the primary: its resources' tags are unknown,
    // and the DR region's are read.
    let primary = &snapshot.resources.regional[PRIMARY];
    assert!(primary.load_balancers.iter().all(|lb| lb.tags_unknown.is_some() && lb.tags.is_empty()));
    assert!(primary.target_groups.iter().all(|tg| tg.tags_unknown.is_some()));
    assert!(dr.load_balancers.iter().all(|lb| lb.tags_unknown.is_none() && lb.tags.contains_key("app")));
}

/// Health-check status: the HealthCheckStatus metric first; when it cannot be read, the
/// checkers (GetHealthCheckStatus) — and never for a check that no failover record uses.
#[test]
fn when_the_health_check_metric_cannot_be_read_the_checkers_answer() {
    use drscan::inventory::dns::HealthStatusSource;
    use drscan::inventory::{ErrorCause, Known, Snapshot};
    let account = seeded();
    let unused = runtime().block_on(async {
        let route53 = aws_sdk_route53::Client::new(&crate::support::seed::config(&account, DR).await);
        // The metric has data for every check, as on AWS: without the fault below, it answers.
        let listed = route53.list_health_checks().send().await.expect("ListHealthChecks");
        for check in listed.health_checks() {
            crate::support::seed::publish_health_status(&account, check.id(), 1.0).await;
        }
        let config = aws_sdk_route53::types::HealthCheckConfig::builder()
            .r#type(aws_sdk_route53::types::HealthCheckType::Tcp)
            .ip_address("192.0.2.10")
            .port(22)
            .build()
            .expect("health check config");
        let check = route53
            .create_health_check()
            .caller_reference("unused")
            .health_check_config(config)
            .send()
            .await
            .expect("CreateHealthCheck");
        check.health_check().map(|c| c.id().to_string()).unwrap_or_default()
    });
    set_faults(json!([{
        "account": account, "region": "us-east-1", "service": "monitoring", "operation": "GetMetricData",
        "status": 400, "code": "AccessDenied", "message": "not authorized to perform cloudwatch:GetMetricData"
    }]));
    let collected = collect_live(&account, &["--max-attempts", "1"]);
    let snapshot = Snapshot::parse("snapshot.json", collected.text).expect("a readable snapshot");
    let checks = &snapshot.resources.global.health_checks;
    let used = checks.iter().find(|c| c.id != unused).expect("the PRIMARY's check");
    match &used.status {
        Known::Value(status) => assert_eq!(status.source, HealthStatusSource::Checkers),
        Known::Unknown(reason) => panic!("the checkers answer when the metric cannot be read: {reason}"),
    }
    let unused_check = checks.iter().find(|c| c.id == unused).expect("the unused check is listed");
    assert!(
        matches!(&unused_check.status, Known::Unknown(reason) if reason.cause == ErrorCause::NotRead),
        "{:?}",
        unused_check.status
    );
    let log = crate::support::front_log();
    let asked_for_unused = log
        .iter()
        .any(|e| e["account"] == account.as_str() && e["path"].as_str().is_some_and(|p| p.contains(&unused)));
    assert!(!asked_for_unused, "no GetHealthCheckStatus for a check that no failover record uses");
    assert!(
        log.iter().any(|e| e["account"] == account.as_str()
            && e["operation"] == "GetMetricData"
            && e["region"] == "us-east-1"),
        "the metric was asked first"
    );

    // Without the fault, the metric answers. (An inert rule replaces this account's rules and
    // leaves the other tests' alone.)
    set_faults(json!([{ "account": account, "times": 0 }]));
    let collected = collect_live(&account, &["--max-attempts", "1"]);
    let snapshot = Snapshot::parse("snapshot.json", collected.text).expect("a readable snapshot");
    let used = snapshot.resources.global.health_checks.iter().find(|c| c.id != unused).expect("the check");
    assert!(
        matches!(&used.status, Known::Value(s) if s.source == HealthStatusSource::Metric && s.is_healthy()),
        "{:?}",
        used.status
    );
}

/// `--timeout T` bounds the whole run — credential resolution, the STS identity check, Route 53,
/// every retry and every pacing wait — whatever the network does: each scenario below, with
/// the default call timeout (20 s) and attempts, ends within T and a small grace. The
/// scenarios run at once, each with an access key of its own that scopes its faults.
#[test]
fn every_run_ends_within_its_timeout_whatever_the_network_does() {
    const TIMEOUT_SECONDS: u64 = 4;
    // Process start, the audit and its output after the deadline.
    const GRACE: Duration = Duration::from_secs(2);
    let account = seeded();
    let regional =
        ["ec2", "autoscaling", "elasticloadbalancing", "rds", "monitoring", "elasticfilesystem", "backup"];
    let slow = |service: &str| json!({"service": service, "action": "delay", "seconds": 60});
    let scenarios: Vec<(&str, Vec<serde_json::Value>, &[&str])> = vec![
        ("a slow STS", vec![slow("sts")], &[]),
        ("a slow Route 53", vec![slow("route53")], &[]),
        ("every service slow but STS", regional.iter().chain(&["route53"]).map(|s| slow(s)).collect(), &[]),
        (
            "every service throttling, adaptive retries",
            regional
                .iter()
                .chain(&["route53"])
                .map(|s| json!({"service": s, "action": "throttle"}))
                .collect(),
            &["--retry-mode", "adaptive", "--max-attempts", "20"],
        ),
        ("every connection reset", vec![json!({"action": "reset"})], &["--max-attempts", "20"]),
    ];
    let mut rules = Vec::new();
    for (index, (_, faults, _)) in scenarios.iter().enumerate() {
        for fault in faults {
            let mut rule = fault.clone();
            rule["account"] = json!(account);
            rule["access_key"] = json!(format!("SLOW{index}X{account}"));
            rules.push(rule);
        }
    }
    set_faults(serde_json::Value::Array(rules));
    let runs: Vec<_> = scenarios
        .iter()
        .enumerate()
        .map(|(index, (_, _, extra))| {
            let key = format!("SLOW{index}X{account}");
            let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
            std::thread::spawn(move || {
                let started = std::time::Instant::now();
                let output = drscan("")
                    .env("AWS_ACCESS_KEY_ID", key)
                    .args(["audit", "--primary", PRIMARY, "--dr", DR, "--format", "json"])
                    .args(["--endpoint-url", &crate::support::emulator().front_url])
                    .args(["--timeout", &format!("{TIMEOUT_SECONDS}s")])
                    .args(&extra)
                    .output()
                    .expect("run drscan");
                (output, started.elapsed())
            })
        })
        .collect();
    let mut report = Vec::new();
    for ((what, _, _), run) in scenarios.iter().zip(runs) {
        let (output, elapsed) = run.join().expect("the scenario's thread");
        let code = output.status.code();
        report.push(format!("{what}: exit {code:?} in {:.1} s", elapsed.as_secs_f64()));
        assert!(
            elapsed < Duration::from_secs(TIMEOUT_SECONDS) + GRACE,
            "{what}: --timeout {TIMEOUT_SECONDS}s took {elapsed:?}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            matches!(code, Some(1 | 3)),
            "{what}: exit {code:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    println!("--timeout {TIMEOUT_SECONDS}s: {}", report.join("; "));
}

/// Regression (issue 11): a `200 OK` XML body cut short was read as real, partial data — the
/// groups before the cut kept, the fields after it defaulted (no tags, no subnets, a grace
/// period of 0). Now an answer that is not a whole document is unreadable: retried, then the
/// listing is unknown, naming the operation. And when every answer is an HTML page under
/// `200 OK` (a captive portal), nothing is audited: exit 3, not a plausible report.
#[test]
fn a_cut_or_foreign_200_answer_is_unreadable_not_partial_data() {
    let account = seeded();
    let faults = json!([{
        "account": account, "region": DR, "service": "autoscaling", "operation": "DescribeAutoScalingGroups",
        "action": "truncate"
    }]);
    let (snapshot, errors, _) = collected_under(&account, faults, &["--max-attempts", "2"]);
    assert_eq!(snapshot["resources"]["regional"][DR]["auto_scaling_groups"], json!([]), "no partial groups");
    assert!(
        errors.iter().any(|e| e["region"] == DR
            && e["operation"] == "autoscaling:DescribeAutoScalingGroups"
            && e["message"].as_str().is_some_and(|m| m.contains("incomplete response"))),
        "{errors:#?}"
    );
    let attempts = crate::support::front_log()
        .iter()
        .filter(|e| e["account"] == account.as_str() && e["fault"] == "truncate")
        .count();
    assert_eq!(attempts, 2, "a cut answer is retried like a broken connection");

    set_faults(json!([{ "account": account, "action": "garbage" }]));
    let (code, _, stderr, _) = audit_live(&account, &["--max-attempts", "1"]);
    assert_eq!(code, 3, "{stderr}");
    let said: String = stderr.replace('│', " ").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(said.contains("does not answer as an AWS API does"), "{stderr}");
}
