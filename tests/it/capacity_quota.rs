//! The DR region's vCPU quota against the scale-out, end to end: moto serves the groups, the
//! launch templates and DescribeInstanceTypes (t3.micro: 2 vCPUs); Service Quotas' EC2 quotas
//! are the front's recorded answers (moto's servicequotas knows only `vpc`), shaped as the API
//! reference's `ServiceQuota`; the `AWS/Usage` vCPU series is published by the seeding, as EC2
//! publishes it. The primary runs 2 instances; the DR group runs 0 or 1.

use crate::support::recorded::no_applied_quota_value;
use crate::support::seed::{Setup, seed};
use crate::support::{
    DR, assert_fails, audit_live, collect_live, findings, fresh_account, runtime, set_faults, summary,
};
use serde_json::{Value, json};

const RULE: &str = "dr-capacity-quota";
const STANDARD: &str = "L-1216C47A";

fn seeded(setup: Setup) -> String {
    let account = fresh_account();
    runtime().block_on(seed(&account, &setup));
    account
}

fn audit(account: &str) -> Value {
    let (code, json, stderr, _) = audit_live(account, &["--max-attempts", "1"]);
    assert!(json.is_object(), "drscan printed no JSON (exit {code}):\n{stderr}");
    json
}

/// A pilot-light DR group (0 running) that must add the primary's 2 instances: 4 vCPUs.
fn pilot_light() -> Setup {
    Setup { dr_capacity: (0, 6, 0), ..Setup::default() }
}

/// The Standard On-Demand quota of the DR region as `operation` answers it, with `value`.
fn quota_answer(account: &str, operation: &str, value: f64) -> Value {
    let body = json!({"Quota": {
        "ServiceCode": "ec2", "ServiceName": "Amazon Elastic Compute Cloud (Amazon EC2)",
        "QuotaArn": format!("arn:aws:servicequotas:{DR}:{account}:ec2/{STANDARD}"),
        "QuotaCode": STANDARD,
        "QuotaName": "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
        "Value": value, "Unit": "None", "Adjustable": true, "GlobalQuota": false,
        "UsageMetric": {
            "MetricNamespace": "AWS/Usage", "MetricName": "ResourceCount",
            "MetricDimensions": {"Class": "Standard/OnDemand", "Resource": "vCPU", "Service": "EC2", "Type": "Resource"},
            "MetricStatisticRecommendation": "Maximum"
        },
        "QuotaAppliedAtLevel": "ACCOUNT"
    }});
    json!({
        "account": account, "region": DR, "service": "servicequotas", "operation": operation,
        "action": "respond", "status": 200, "content_type": "application/x-amz-json-1.1", "body": body.to_string()
    })
}

fn quiet(json: &Value) {
    for status in ["fail", "unknown"] {
        assert!(findings(json, RULE, status).is_empty(), "{RULE} reports {status}:\n{}", summary(json));
    }
}

#[test]
fn a_quota_too_small_for_the_scale_out_fails() {
    // 6 vCPUs, 2 in use: 4 free would fit; 5 with 2 in use leaves 3 for the 4 needed.
    let account = seeded(pilot_light());
    set_faults(json!([quota_answer(&account, "GetServiceQuota", 5.0)]));
    let json = audit(&account);
    assert_fails(
        &json,
        RULE,
        "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances (L-1216C47A) is 5 vCPUs with 2 in use: 3 free, but scaling out to the primary's capacity needs 4 (web-dr: 2 × t3.micro (2 vCPUs each))",
    );
}

#[test]
fn enough_quota_passes_and_the_snapshot_holds_quota_usage_and_sizes() {
    let account = seeded(pilot_light());
    set_faults(json!([quota_answer(&account, "GetServiceQuota", 6.0)]));
    quiet(&audit(&account));
    let snapshot = collect_live(&account, &["--max-attempts", "1"]);
    let parsed: Value = serde_json::from_str(&snapshot.text).expect("snapshot JSON");
    let dr = &parsed["resources"]["regional"][DR];
    let quota = dr["service_quotas"].as_array().and_then(|q| q.first()).cloned().unwrap_or_default();
    assert_eq!(quota["quota_code"], STANDARD, "{dr}");
    assert_eq!(quota["usage"]["value"]["value"], 2.0, "{quota}");
    assert_eq!(quota["aws_default"], false, "{quota}");
    let types = dr["instance_types"].to_string();
    assert!(types.contains(r#""instance_type":"t3.micro","default_vcpus":2"#), "{types}");
}

#[test]
fn without_an_applied_value_the_aws_default_counts() {
    let account = seeded(pilot_light());
    set_faults(json!([
        no_applied_quota_value(&account, DR),
        quota_answer(&account, "GetAWSDefaultServiceQuota", 5.0)
    ]));
    let json = audit(&account);
    assert_fails(&json, RULE, "is 5 vCPUs (AWS's default) with 2 in use: 3 free");
}

#[test]
fn a_quota_that_cannot_be_read_is_unknown_naming_the_call() {
    let account = seeded(pilot_light());
    set_faults(json!([{
        "account": account, "region": DR, "service": "servicequotas", "operation": "GetServiceQuota",
        "status": 403, "code": "AccessDeniedException",
        "message": "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: servicequotas:GetServiceQuota"
    }]));
    let json = audit(&account);
    let unknown = findings(&json, RULE, "unknown");
    assert!(
        unknown
            .iter()
            .any(|f| f["message"].as_str().unwrap_or_default().contains("servicequotas:GetServiceQuota")),
        "{}",
        summary(&json)
    );
    assert!(findings(&json, RULE, "fail").is_empty(), "{}", summary(&json));
}

#[test]
fn a_usage_metric_without_datapoints_counts_none_in_use() {
    // AWS/Usage has a datapoint each minute while vCPUs of the class run: none is 0 in use.
    let account = seeded(Setup { dr_vcpus_in_use: None, ..pilot_light() });
    set_faults(json!([quota_answer(&account, "GetServiceQuota", 4.0)]));
    quiet(&audit(&account));
    set_faults(json!([quota_answer(&account, "GetServiceQuota", 3.0)]));
    assert_fails(
        &audit(&account),
        RULE,
        "is 3 vCPUs with 0 in use: 3 free, but scaling out to the primary's capacity needs 4",
    );
}

#[test]
fn a_quota_below_the_need_fails_even_when_its_usage_cannot_be_read() {
    let account = seeded(pilot_light());
    let denied = |operation: &str| {
        json!({"account": account, "region": DR, "service": "monitoring", "operation": operation,
            "status": 403, "code": "AccessDenied",
            "message": format!("User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudwatch:{operation}")})
    };
    // 6 vCPUs would fit if little were in use: unknown. 3 cannot hold 4, whatever runs.
    set_faults(json!([quota_answer(&account, "GetServiceQuota", 6.0), denied("GetMetricData")]));
    let json = audit(&account);
    assert!(findings(&json, RULE, "fail").is_empty(), "{}", summary(&json));
    assert!(!findings(&json, RULE, "unknown").is_empty(), "{}", summary(&json));
    set_faults(json!([quota_answer(&account, "GetServiceQuota", 3.0), denied("GetMetricData")]));
    assert_fails(
        &audit(&account),
        RULE,
        "is 3 vCPUs, below the 4 that scaling out to the primary's capacity needs whatever its usage",
    );
}

#[test]
fn no_scale_out_asks_nothing_of_the_quota() {
    // The DR group already runs what the primary runs: no demand, no finding either way.
    let json = audit(&seeded(Setup { dr_capacity: (2, 6, 2), dr_vcpus_in_use: None, ..Setup::default() }));
    quiet(&json);
}
