//! `drscan diff`: drift between the reference architecture and its repaired version names the
//! resolved findings and every DR-relevant resource change, and nothing else.

use assert_cmd::Command;
use serde_json::Value;

fn diff(old: &str, new: &str) -> Value {
    let output = Command::cargo_bin("drscan")
        .expect("binary")
        .args(["diff", old, new, "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("json")
}

fn change<'a>(drift: &'a Value, what: &str, id: &str) -> &'a Value {
    drift["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["what"] == what && c["id"] == id)
        .unwrap_or_else(|| panic!("no `{what}` change for {id} in {drift:#}"))
}

#[test]
fn repairs_show_as_resolved_findings_and_resource_changes() {
    let drift = diff("fixtures/reference-architecture.json", "fixtures/reference-architecture-repaired.json");
    // The repairs add resources and make steps possible that the broken design never reached:
    // the only new findings are about those (manual steps, the new replica, the new SECONDARY).
    for finding in drift["new_findings"].as_array().unwrap() {
        let rule = finding["rule"].as_str().unwrap();
        assert!(
            ["failover-step-manual", "rds-deletion-protection-off", "failover-ttl-too-high"].contains(&rule),
            "unexpected new finding {finding}"
        );
    }
    let resolved: Vec<&str> =
        drift["resolved_findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    for rule in
        ["ami-missing-in-dr", "failover-secondary-unhealthy", "failover-target-missing", "rds-no-dr-replica"]
    {
        assert!(resolved.contains(&rule), "{rule} resolved");
    }

    let copied = change(&drift, "DR AMI", "ami-0f7a8b9c0d1e2f3a7");
    assert_eq!(copied["change"], "added");
    assert_eq!(copied["app"], "web");

    let capacity = change(&drift, "ASG capacity", "web-dr-asg");
    assert_eq!(capacity["change"], "changed");
    assert_eq!(capacity["before"], "min 0 / desired 0 / max 12");
    assert_eq!(capacity["after"], "min 1 / desired 1 / max 12");

    let launches = change(&drift, "ASG launches", "web-dr-asg");
    assert_eq!(launches["before"], "web-dr-lt v3 (ami-0d5e6f7a8b9c0d1e6)");
    assert_eq!(launches["after"], "web-dr-lt v4 (ami-0f7a8b9c0d1e2f3a7)");

    let retargeted = change(&drift, "failover record target", "api.example.com. A");
    assert_eq!(retargeted["change"], "changed");
    let replica = change(&drift, "replica", "reports-db-dr");
    assert_eq!(replica["change"], "added");
    assert_eq!(change(&drift, "EFS replication", "fs-0b2c3d4e5f6071829")["change"], "changed");

    // The DR copies as the DR relations (and so the rules) see them.
    let ami_copy = change(&drift, "DR copy", "ami-0a7c3e9f21b4d5e07");
    assert_eq!(ami_copy["before"], "none");
    assert_eq!(ami_copy["after"], "ami-0f7a8b9c0d1e2f3a7 (matched by name)");
    assert_eq!(change(&drift, "DR copy", "reports-db")["after"], "replica reports-db-dr");

    // Nothing unrelated moved: the primary web tier and the orders replica are unchanged.
    let changes = drift["resource_changes"].as_array().unwrap();
    assert!(!changes.iter().any(|c| c["id"] == "web-asg" || c["id"] == "orders-db-dr"));
}

#[test]
fn drift_is_symmetric_and_empty_against_itself() {
    let same = diff("fixtures/reference-architecture.json", "fixtures/reference-architecture.json");
    assert!(same["new_findings"].as_array().unwrap().is_empty());
    assert!(same["resolved_findings"].as_array().unwrap().is_empty());
    assert!(same["resource_changes"].as_array().unwrap().is_empty());

    let backwards =
        diff("fixtures/reference-architecture-repaired.json", "fixtures/reference-architecture.json");
    let forward =
        diff("fixtures/reference-architecture.json", "fixtures/reference-architecture-repaired.json");
    assert_eq!(
        backwards["resolved_findings"].as_array().unwrap().len(),
        forward["new_findings"].as_array().unwrap().len()
    );
    assert_eq!(
        backwards["new_findings"].as_array().unwrap().len(),
        forward["resolved_findings"].as_array().unwrap().len()
    );
    assert_eq!(change(&backwards, "DR AMI", "ami-0f7a8b9c0d1e2f3a7")["change"], "removed");
    assert_eq!(change(&backwards, "replica", "reports-db-dr")["change"], "removed");
}

#[test]
fn diff_text_and_bad_input() {
    Command::cargo_bin("drscan")
        .expect("binary")
        .env("NO_COLOR", "1")
        .args([
            "diff",
            "fixtures/reference-architecture.json",
            "fixtures/reference-architecture-repaired.json",
        ])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "~ [web] ASG capacity web-dr-asg: min 0 / desired 0 / max 12 → min 1 / desired 1 / max 12",
        ));
    Command::cargo_bin("drscan")
        .expect("binary")
        .args(["diff", "fixtures/reference-architecture.json", "no/such.json"])
        .assert()
        .code(2);
}

/// The reference snapshot as schema 2, its DR side played by `dr_account` through `dr_role`
/// (unreadable when `unreadable` says why), every other side by the primary account.
fn split_reference(dir: &std::path::Path, name: &str, dr_role: &str, unreadable: Option<&str>) -> String {
    let text = std::fs::read_to_string("fixtures/reference-architecture.json").expect("reference");
    let mut snapshot: Value = serde_json::from_str(&text).expect("json");
    snapshot["schema_version"] = 2.into();
    let mut dr = serde_json::json!({ "account": "210987654321", "sides": ["dr"], "role_arn": dr_role });
    if let Some(why) = unreadable {
        dr["unreadable"] = why.into();
    }
    snapshot["accounts"] =
        serde_json::json!([{ "account": "123456789012", "sides": ["primary", "dns", "backup"] }, dr]);
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&snapshot).expect("serialize")).expect("write");
    path.display().to_string()
}

#[test]
fn a_side_that_changes_account_role_or_readability_is_drift() {
    let dir = tempfile::tempdir().expect("temp dir");
    let before =
        split_reference(dir.path(), "before.json", "arn:aws:iam::210987654321:role/drscan-audit", None);
    let after = split_reference(
        dir.path(),
        "after.json",
        "arn:aws:iam::210987654321:role/drscan-readonly",
        Some("AccessDenied: not authorized to perform sts:AssumeRole"),
    );
    let drift = diff(&before, &after);
    let account = change(&drift, "account", "210987654321");
    assert_eq!(account["change"], "changed");
    assert_eq!(account["arn"], "arn:aws:iam::210987654321:root");
    assert_eq!(account["before"], "sides dr; role arn:aws:iam::210987654321:role/drscan-audit");
    assert_eq!(
        account["after"],
        "sides dr; role arn:aws:iam::210987654321:role/drscan-readonly; unreadable: AccessDenied: not authorized to perform sts:AssumeRole"
    );
    // The primary account's record did not move.
    let changes = drift["resource_changes"].as_array().expect("changes");
    assert!(!changes.iter().any(|c| c["what"] == "account" && c["id"] == "123456789012"), "{drift:#}");

    // A version 1 snapshot reads as one account playing every side: against the split one, the
    // primary account gave up the DR side and a recovery account took it.
    let drift = diff("fixtures/reference-architecture.json", &before);
    assert_eq!(
        change(&drift, "account", "123456789012")["after"],
        "sides primary, dns, backup; ambient credentials"
    );
    assert_eq!(change(&drift, "account", "210987654321")["change"], "added");
}
