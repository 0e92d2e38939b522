//! The data stores beside the database, end to end against moto server 5.2.5: the
//! application's S3 bucket (replication, versioning and the replication metrics S3 publishes in
//! the DR region), its DynamoDB table (moto serves the table and its point-in-time recovery,
//! not global-table replicas: DescribeTable is recorded as AWS answers it), its Secrets Manager
//! secret (moto serves replica regions, always `InSync`: other statuses are recorded) and the
//! SSM parameter the DR launch template resolves. Each break is caught, the intact setup is
//! quiet, and no secret value ever reaches a snapshot.

use crate::support::seed::{DataStores, SECRET_VALUE, Setup, bucket_names, seed};
use crate::support::{
    PRIMARY, assert_fails, audit_live, collect_live, findings, fresh_account, front_log, runtime, set_faults,
    summary,
};
use serde_json::{Value, json};

/// The rules of the data stores beside the database.
pub(crate) const RULES: [&str; 6] = [
    "s3-no-dr-replication",
    "s3-replication-lag-high",
    "dynamodb-no-dr-replica",
    "dynamodb-replication-lag-high",
    "dynamodb-pitr-disabled",
    "dr-secrets-missing",
];

fn seeded(stores: DataStores) -> String {
    let account = fresh_account();
    runtime().block_on(seed(&account, &Setup { data_stores: Some(stores), ..Setup::default() }));
    account
}

fn audit(account: &str) -> Value {
    let (code, json, stderr, _) = audit_live(account, &["--max-attempts", "1"]);
    assert!(json.is_object(), "drscan printed no JSON (exit {code}):\n{stderr}");
    json
}

#[test]
fn intact_data_stores_are_quiet_and_feed_the_rpo() {
    let account = seeded(DataStores::default());
    let (source, _) = bucket_names(&account);
    let json = audit(&account);
    for rule in RULES {
        for status in ["fail", "unknown"] {
            assert!(findings(&json, rule, status).is_empty(), "{rule} reports {status}:\n{}", summary(&json));
        }
    }
    let web = json["estimates"].as_array().into_iter().flatten().find(|e| e["app"] == "web").expect("web");
    let term = |store: &str| {
        web["rpo_breakdown"].as_array().into_iter().flatten().find(|t| t["store"] == store).cloned()
    };
    // The measured latencies: 12 s for S3, 900 ms (one second, rounded up) for DynamoDB.
    let s3 = term(&format!("s3 {source}")).unwrap_or_else(|| panic!("an S3 term: {web}"));
    assert_eq!(s3["seconds"], 12, "{s3}");
    let table = term("dynamodb orders").unwrap_or_else(|| panic!("a DynamoDB term: {web}"));
    assert_eq!(table["seconds"], 1, "{table}");
}

#[test]
fn a_disabled_replication_rule_leaves_the_bucket_without_a_dr_copy() {
    let account = seeded(DataStores { s3_rule_enabled: false, ..DataStores::default() });
    let (_, destination) = bucket_names(&account);
    let json = audit(&account);
    assert_fails(
        &json,
        "s3-no-dr-replication",
        &format!("rule to-dr to {destination} in us-east-1 is Disabled"),
    );
}

#[test]
fn s3_replication_behind_the_rtc_bound() {
    let account = seeded(DataStores { s3_latency_seconds: 2400.0, ..DataStores::default() });
    let (_, destination) = bucket_names(&account);
    let json = audit(&account);
    assert_fails(&json, "s3-replication-lag-high", &format!("{destination} up to 40m behind"));
}

#[test]
fn a_table_without_a_replica_in_dr() {
    let json = audit(&seeded(DataStores { dynamodb_dr_replica: false, ..DataStores::default() }));
    assert_fails(&json, "dynamodb-no-dr-replica", "has no replica in us-east-1 (its replicas: eu-west-1)");
}

#[test]
fn dynamodb_replication_lag_in_milliseconds_is_normalised() {
    // 540 s in milliseconds: above the 5-minute default only if converted correctly.
    let json =
        audit(&seeded(DataStores { dynamodb_latency_milliseconds: 540_000.0, ..DataStores::default() }));
    assert_fails(&json, "dynamodb-replication-lag-high", "up to 9m behind");
}

#[test]
fn the_dr_replica_without_point_in_time_recovery() {
    let json = audit(&seeded(DataStores { dynamodb_dr_pitr: false, ..DataStores::default() }));
    assert_fails(&json, "dynamodb-pitr-disabled", "orders in us-east-1 is DISABLED");
}

#[test]
fn a_secret_without_a_dr_replica() {
    let json = audit(&seeded(DataStores { secret_replicated: false, ..DataStores::default() }));
    assert_fails(&json, "dr-secrets-missing", "secret web/db-credentials has no replica in us-east-1");
}

#[test]
fn a_dr_launch_parameter_missing_in_dr() {
    let json = audit(&seeded(DataStores { dr_ami_parameter_exists: false, ..DataStores::default() }));
    assert_fails(
        &json,
        "dr-secrets-missing",
        "SSM parameter /web/golden-ami, which does not exist in us-east-1",
    );
}

/// moto's replicas are always `InSync`; AWS also answers `Failed` with the reason (recorded
/// DescribeSecret, shaped as the API reference's `ReplicationStatusType`).
#[test]
fn a_failed_secret_replica_fails() {
    let account = seeded(DataStores::default());
    let arn_prefix = format!("arn:aws:secretsmanager:{PRIMARY}:{account}:secret:web/db-credentials");
    let body = json!({
        "ARN": format!("{arn_prefix}-AbCdEf"),
        "Name": "web/db-credentials",
        "LastChangedDate": 1_764_100_000.0,
        "CreatedDate": 1_764_000_000.0,
        "Tags": [{"Key": "app", "Value": "web"}],
        "VersionIdsToStages": {"c0ffee00-0000-4000-8000-000000000001": ["AWSCURRENT"]},
        "ReplicationStatus": [{
            "Region": "us-east-1",
            "KmsKeyId": "alias/aws/secretsmanager",
            "Status": "Failed",
            "StatusMessage": "Replication failed: the KMS key alias/web-dr is disabled in us-east-1"
        }]
    });
    let mut rules: Vec<Value> = front_rules_of(&account);
    rules.push(json!({
        "account": account, "region": PRIMARY, "service": "secretsmanager", "operation": "DescribeSecret",
        "action": "respond", "status": 200, "content_type": "application/x-amz-json-1.1", "body": body.to_string()
    }));
    set_faults(Value::Array(rules));
    let json = audit(&account);
    assert_fails(
        &json,
        "dr-secrets-missing",
        "replica of secret web/db-credentials is Failed: Replication failed",
    );
}

/// The recorded DescribeTable answers of a seeded account (set by the seeding), so that a test
/// adding its own rules keeps them: the front replaces every rule of the accounts it is given.
fn front_rules_of(account: &str) -> Vec<Value> {
    let mut rules = Vec::new();
    for region in [PRIMARY, crate::support::DR] {
        let replica = if region == PRIMARY { crate::support::DR } else { PRIMARY };
        rules.push(crate::support::seed::recorded_table(
            account,
            region,
            json!([{"RegionName": replica, "ReplicaStatus": "ACTIVE"}]),
        ));
    }
    rules
}

#[test]
fn no_secret_value_reaches_the_snapshot_and_none_is_asked_for() {
    let account = seeded(DataStores::default());
    // The seeding's own calls (CreateSecret with the value) are not drscan's.
    let seeding_calls = front_log().len();
    let snapshot = collect_live(&account, &["--max-attempts", "1"]);
    assert!(!snapshot.text.contains(SECRET_VALUE), "the snapshot holds the secret's value");
    let parsed: Value = serde_json::from_str(&snapshot.text).expect("snapshot JSON");
    let secrets = &parsed["resources"]["regional"][PRIMARY]["secrets"];
    assert!(
        secrets.as_array().is_some_and(|s| s.iter().any(|s| s["name"] == "web/db-credentials")),
        "the secret's metadata is collected: {secrets}"
    );
    let asked: Vec<String> = front_log()
        .into_iter()
        .skip(seeding_calls)
        .filter(|e| e["account"] == account.as_str() && e["service"] == "secretsmanager")
        .map(|e| e["operation"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(asked.iter().any(|op| op == "DescribeSecret"), "{asked:?}");
    assert!(
        asked.iter().all(|op| op == "ListSecrets" || op == "DescribeSecret"),
        "drscan asked Secrets Manager for more than metadata: {asked:?}"
    );
}
