//! Unknown is not pass: when a region or a listing is missing from the snapshot, every rule
//! that needed it says `unknown` with the cause, and none claims a DR gap it cannot see.

use drscan::audit::{self, GatePolicy, GateResult};
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
