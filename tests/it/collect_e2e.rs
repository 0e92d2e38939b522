//! End to end against moto server 5.2.5: seed the two-region DR setup through the Rust SDK,
//! break one thing per scenario (each in its own moto account), and check that a live
//! `drscan audit` finds the break — and finds nothing critical on the intact setup.

use crate::support::seed::{Secondary, Setup, seed};
use crate::support::{
    assert_fails, audit_live, collect_live, drscan, emulator, findings, fresh_account, runtime, summary,
};
use std::time::Duration;

/// Seed `setup` into a fresh account and audit it live.
fn audit_scenario(setup: Setup, extra: &[&str]) -> serde_json::Value {
    let account = fresh_account();
    runtime().block_on(seed(&account, &setup));
    let mut args = vec!["--max-attempts", "1"];
    args.extend_from_slice(extra);
    let (code, json, stderr, elapsed) = audit_live(&account, &args);
    assert!(json.is_object(), "drscan printed no JSON (exit {code}):\n{stderr}");
    assert!(elapsed < Duration::from_secs(30), "a live audit against moto took {elapsed:?}");
    json
}

#[test]
fn intact_setup_is_quiet_and_names_what_moto_lacks() {
    let json = audit_scenario(Setup::default(), &[]);
    let critical_failures: Vec<_> = json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["status"] == "fail" && matches!(f["severity"].as_str(), Some("critical" | "high")))
        .collect();
    assert!(critical_failures.is_empty(), "the intact setup has failures:\n{}", summary(&json));
    // moto has no EFS replication and no backup selections: that is unknown, never a pass.
    let efs = findings(&json, "efs-no-dr-copy", "unknown");
    assert!(!efs.is_empty(), "efs-no-dr-copy should be unknown under moto:\n{}", summary(&json));
    let text = serde_json::to_string(&efs).unwrap_or_default();
    assert!(
        text.contains("efs:DescribeReplicationConfigurations")
            || text.contains("backup:ListBackupSelections"),
        "the unknown must name the operation moto lacks: {text}"
    );
    // The replica lag was read through CloudWatch's CBOR protocol and is low: the rule passes.
    assert!(findings(&json, "rds-replica-lag-high", "fail").is_empty(), "{}", summary(&json));
    assert!(findings(&json, "rds-replica-lag-high", "unknown").is_empty(), "{}", summary(&json));
}

/// One broken setup per test: `name: setup, extra flags => rule, text its failure names;`. Each
/// seeds its own account, audits it live and expects `rule` to fail mentioning that text.
macro_rules! broken_setups {
    ($($name:ident: $setup:expr, $extra:expr => $rule:literal, $needle:literal;)+) => {$(
        #[test]
        fn $name() {
            let json = audit_scenario($setup, $extra);
            assert_fails(&json, $rule, $needle);
        }
    )+};
}

broken_setups! {
    pilot_light_behind_an_evaluating_secondary_is_unhealthy:
        Setup { dr_capacity: (0, 6, 0), ..Setup::default() }, &[]
        => "failover-secondary-unhealthy", "SECONDARY";
    primary_ami_without_a_dr_copy:
        Setup { copy_ami: false, ..Setup::default() }, &[]
        => "ami-missing-in-dr", "web-golden-v7";
    dr_launch_template_names_a_missing_ami:
        Setup { dr_image_override: Some("ami-0deadbeef0000000"), ..Setup::default() }, &[]
        => "dr-launch-template-ami-missing", "ami-0deadbeef0000000";
    secondary_alias_to_a_deleted_load_balancer:
        Setup { secondary: Secondary::Dangling, ..Setup::default() }, &[]
        => "failover-target-missing", "web-dr-deleted";
    primary_without_a_secondary:
        Setup { secondary: Secondary::Missing, ..Setup::default() }, &[]
        => "failover-secondary-missing", "app.example.com";
    primary_that_cannot_go_unhealthy:
        Setup { primary_monitored: false, ..Setup::default() }, &[]
        => "failover-primary-unmonitored", "app.example.com";
    database_without_a_dr_replica:
        Setup { dr_replica: false, ..Setup::default() }, &[]
        => "rds-no-dr-replica", "web-db";
    replica_lag_above_the_rpo:
        Setup { replica_lag_seconds: 900.0, ..Setup::default() }, &["--rpo-target", "5m"]
        => "rds-replica-lag-high", "web-db-dr";
    // 400 s expressed in milliseconds: above a 5-minute RPO only if converted correctly.
    aurora_lag_in_milliseconds_is_normalised:
        Setup { aurora_lag_milliseconds: 400_000.0, ..Setup::default() }, &["--rpo-target", "5m"]
        => "rds-replica-lag-high", "web-aurora-dr";
}

#[test]
fn collected_snapshot_audits_the_same_offline() {
    let account = fresh_account();
    runtime().block_on(seed(&account, &Setup { dr_capacity: (0, 6, 0), ..Setup::default() }));
    let collected = collect_live(&account, &["--max-attempts", "1"]);
    let (path, text) = (&collected.path, &collected.text);
    assert!(!text.contains("UserData") && !text.contains("user_data"), "a snapshot must never hold UserData");
    let snapshot: serde_json::Value = serde_json::from_str(text).expect("snapshot JSON");
    assert_eq!(snapshot["account"], account.as_str());
    for region in [crate::support::PRIMARY, crate::support::DR] {
        let resources = &snapshot["resources"]["regional"][region];
        for kind in ["images", "launch_templates", "auto_scaling_groups", "load_balancers", "target_groups"] {
            assert!(
                resources[kind].as_array().is_some_and(|a| !a.is_empty()),
                "{region} has no {kind} in the snapshot"
            );
        }
    }
    let offline = drscan(&account)
        .args(["audit", "--format", "json", "--snapshot"])
        .arg(path)
        .output()
        .expect("run drscan audit --snapshot");
    let offline: serde_json::Value = serde_json::from_slice(&offline.stdout).expect("offline JSON");
    assert_fails(&offline, "failover-secondary-unhealthy", "SECONDARY");
}

#[test]
fn role_arn_assumes_the_role_and_collects_its_account() {
    // Seed account A; call with credentials of account B that assume a role in A. moto ties
    // the temporary credentials to A, so a correct assume-role shows A's resources.
    let target = fresh_account();
    runtime().block_on(seed(&target, &Setup::default()));
    let caller = fresh_account();
    let role = format!("arn:aws:iam::{target}:role/drscan-audit");
    let output = drscan(&caller)
        .args([
            "audit",
            "--primary",
            crate::support::PRIMARY,
            "--dr",
            crate::support::DR,
            "--max-attempts",
            "1",
        ])
        .args(["--endpoint-url", &emulator().front_url, "--format", "json", "--role-arn", &role])
        .output()
        .expect("run drscan");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("no JSON: {}", String::from_utf8_lossy(&output.stderr)));
    assert_eq!(json["account"], target.as_str(), "{}", summary(&json));
}

/// Regression: `drscan report` without `--snapshot` collects live, as the nightly job does.
#[test]
fn live_report_collects_both_regions() {
    let account = fresh_account();
    runtime().block_on(seed(&account, &Setup { dr_capacity: (0, 6, 0), ..Setup::default() }));
    let output = drscan(&account)
        .args(["report", "--primary", "ap-south-1", "--dr", "us-east-1", "--max-attempts", "1"])
        .args(["--endpoint-url", &emulator().front_url, "--format", "markdown"])
        .output()
        .expect("run drscan report");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.starts_with("# Disaster-recovery readiness: ap-south-1 → us-east-1"), "{stdout}");
    assert!(
        stdout.contains("failover-secondary-unhealthy"),
        "the pilot-light break is in the report:\n{stdout}"
    );
}
