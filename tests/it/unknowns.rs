//! Unknown is not pass: when a region or a listing is missing from the snapshot, every rule
//! that needed it says `unknown` with the cause, and none claims a DR gap it cannot see.

use drscan::audit::{self, GatePolicy, GateResult};
use drscan::estimate::Amount;
use drscan::findings::Status;
use drscan::inventory::Snapshot;
use drscan::settings::Settings;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn repaired() -> Value {
    serde_json::from_str(&std::fs::read_to_string("fixtures/reference-architecture-repaired.json").unwrap())
        .unwrap()
}

fn audit(value: &Value, allow_unknown: bool) -> audit::AuditReport {
    let snapshot = Snapshot::parse("test.json", value.to_string()).expect("parses");
    audit::run(&snapshot, &Settings::default(), GatePolicy { allow_unknown, ..GatePolicy::default() })
}

#[test]
fn unreachable_dr_region_yields_unknowns_not_failures() {
    let mut value = repaired();
    value["resources"]["regional"].as_object_mut().unwrap().remove("us-east-1");
    value["collection_errors"] = json!([{
        "region": "us-east-1", "operation": "ec2:DescribeImages", "cause": "connectivity",
        "message": "dispatch failure: connection timed out", "kinds": []
    }]);
    let report = audit(&value, false);
    // Failures may only come from rules that judge the primary region's or Route 53's own
    // configuration, about resources outside the unseen region.
    let primary_only = [
        "efs-backup-disabled",
        "rds-not-multi-az",
        "rds-backup-retention-low",
        "rds-deletion-protection-off",
        "rds-backups-not-replicated",
        "failover-ttl-too-high",
        "health-check-slow-detection",
        "rto-target-exceeded",
    ];
    let claimed: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.status != Status::Unknown)
        .filter(|f| {
            f.resource.region.as_deref() == Some("us-east-1") || !primary_only.contains(&f.rule.as_str())
        })
        .collect();
    assert!(claimed.is_empty(), "no failure claimed about an unseen region: {claimed:#?}");
    let rules: BTreeSet<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    for rule in [
        "ami-missing-in-dr",
        "dr-launch-template-ami-missing",
        "failover-secondary-unhealthy",
        "failover-target-missing",
        "rds-replica-lag-high",
    ] {
        // efs-no-dr-copy and rds-no-dr-replica still pass: the primary side of a replication
        // (its replication configuration, its replica list) is readable without the DR region.
        assert!(rules.contains(rule), "{rule} reports unknown; got {rules:?}");
    }
    for finding in report.findings.iter().filter(|f| f.status == Status::Unknown) {
        assert_eq!(finding.evidence["missing_data"]["cause"], "connectivity", "{}", finding.message);
    }
    assert_eq!(report.gate, GateResult::Failed);
    assert_eq!(audit(&value, true).gate, GateResult::Passed);
}

#[test]
fn failed_listing_of_primary_groups_is_unknown() {
    let mut value = repaired();
    value["collection_errors"] = json!([{
        "region": "ap-south-1", "operation": "autoscaling:DescribeAutoScalingGroups", "cause": "throttled",
        "message": "Rate exceeded", "kinds": ["autoscaling:group"]
    }]);
    let report = audit(&value, false);
    let unknown = report
        .findings
        .iter()
        .find(|f| f.rule == "ami-missing-in-dr" && f.status == Status::Unknown)
        .expect("the AMI rule cannot know which AMIs are launched");
    assert_eq!(unknown.resource.arn, "arn:aws:autoscaling:ap-south-1:123456789012:group/*");
    assert!(unknown.message.contains("throttled past retries"));
}

#[test]
fn unreadable_zone_makes_every_dns_rule_unknown() {
    let mut value = repaired();
    value["resources"]["global"]["hosted_zones"][0]["record_sets"] = json!({"unknown": {
        "operation": "route53:ListResourceRecordSets", "cause": "access_denied", "message": "not authorized"
    }});
    let report = audit(&value, false);
    let dns: BTreeSet<&str> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Unknown && f.resource.kind.as_str() == "route53:hosted-zone")
        .map(|f| f.rule.as_str())
        .collect();
    for rule in [
        "failover-secondary-missing",
        "failover-primary-unmonitored",
        "failover-secondary-unhealthy",
        "failover-target-missing",
    ] {
        assert!(dns.contains(rule), "{rule}");
    }
}

fn reference() -> Value {
    serde_json::from_str(&std::fs::read_to_string("fixtures/reference-architecture.json").unwrap()).unwrap()
}

/// Lists `kinds` of the DR region as failed (timed out) with nothing listed, as collection
/// records a listing that could not be read.
fn dr_listings_timed_out(value: &mut Value, failed: &[(&str, &str, &str)]) {
    let dr = value["regions"]["dr"].as_str().unwrap().to_string();
    let mut errors = Vec::new();
    for (operation, kind, field) in failed {
        value["resources"]["regional"][&dr][field] = json!([]);
        errors.push(json!({
            "region": dr, "operation": operation, "cause": "timeout",
            "message": "no complete answer within the call timeout of 3 s", "kinds": [kind]
        }));
    }
    value["collection_errors"] = Value::Array(errors);
}

/// The applications whose DR group's scale-out step the audit fails.
fn failed_scale_outs(report: &audit::AuditReport) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == "failover-step-manual" && f.status == Status::Fail)
        .filter(|f| f.resource.kind.as_str() == "autoscaling:group")
        .map(|f| f.app.clone().unwrap_or_default())
        .collect()
}

/// The fault matrix's `elbv2:DescribeLoadBalancers × timeout` cell on a loaded runner, where
/// the DR groups' listing timed out too: the SECONDARY's load balancer cannot be resolved and
/// no DR group is known, yet the scale-out step the clean audit fails stays in the audit as an
/// unknown — about every DR group when they could not be listed, about the SECONDARY record
/// when they were listed but none is known to belong to the application — never dropped.
#[test]
fn unresolvable_secondary_keeps_the_scale_out_step_unknown_not_dropped() {
    let clean = failed_scale_outs(&audit(&reference(), false));
    assert!(!clean.is_empty(), "the reference architecture fails a DR scale-out step");
    // Each application's estimate keeps the step, unknown, about `about`; and the rule reports
    // an unknown finding standing for it (one per resource, so one for the whole listing).
    let kept_unknown = |value: &Value, about: &dyn Fn(&str) -> bool| {
        let report = audit(value, false);
        for app in &clean {
            let estimate = report.estimates.iter().find(|e| e.app == *app).expect("the app is estimated");
            let step =
                estimate.rto_terms.iter().find(|t| t.step == "dr-scale-out").unwrap_or_else(|| {
                    panic!("{app}: the scale-out step is dropped: {:#?}", estimate.rto_terms)
                });
            let target = step.resource.as_ref().map(|r| r.arn.as_str()).unwrap_or_default();
            assert!(matches!(step.amount, Amount::Unknown(_)), "{app}: {step:?}");
            assert!(about(target), "{app}: the step is about {target}");
            assert!(
                report.findings.iter().any(|f| f.rule == "failover-step-manual"
                    && f.status == Status::Unknown
                    && f.resource.arn == target),
                "{app}: failover-step-manual reports the unknown step about {target}"
            );
        }
    };

    let mut both = reference();
    dr_listings_timed_out(
        &mut both,
        &[
            ("elbv2:DescribeLoadBalancers", "elbv2:load-balancer", "load_balancers"),
            ("autoscaling:DescribeAutoScalingGroups", "autoscaling:group", "auto_scaling_groups"),
        ],
    );
    let dr = both["regions"]["dr"].as_str().unwrap().to_string();
    let listing = format!("arn:aws:autoscaling:{dr}:123456789012:group/*");
    kept_unknown(&both, &|target| target == listing);

    let mut untagged = reference();
    dr_listings_timed_out(
        &mut untagged,
        &[("elbv2:DescribeLoadBalancers", "elbv2:load-balancer", "load_balancers")],
    );
    for asg in untagged["resources"]["regional"][&dr]["auto_scaling_groups"].as_array_mut().unwrap() {
        asg["tags"] = json!({});
    }
    kept_unknown(&untagged, &|target| target.contains("/recordset/") && target.ends_with("-secondary"));
}
