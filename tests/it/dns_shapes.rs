//! The DNS, load-balancer and alarm setups people build, as AWS answers for them (issue 10 §2,
//! DNS half, and §3): plain CNAME failover records, Classic Load Balancers, SNI certificates,
//! CALCULATED and CLOUDWATCH_METRIC health checks, alarms in the partition's global region with
//! SNS-to-Lambda automation, per-region health-check names, Lambda target groups. Against moto
//! where it serves the shape; on recorded AWS-shaped responses (the test front) where it does
//! not; offline, on a fixture changed as the live collection would have read it, for the rules'
//! reading of a shape the collection tests already cover.

use crate::support::seed::{RecordStyle, Secondary, Setup, seed};
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
