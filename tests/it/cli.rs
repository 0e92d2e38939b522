//! The command line as a user meets it: exit codes of SPEC §3, located diagnostics for bad
//! input, and the catalog commands.

use crate::support::offline::{REFERENCE, REPAIRED, drscan, temp_file};
use predicates::prelude::*;

/// Audit the snapshot `contents`, saved as `name` in a fresh directory.
fn audit_text(name: &str, contents: &str) -> assert_cmd::assert::Assert {
    let (_dir, path) = temp_file(name, contents);
    drscan().args(["audit", "--snapshot"]).arg(&path).assert()
}

/// The reference fixture's text with the first `from` replaced by `to`.
fn reference_with(from: &str, to: &str) -> String {
    std::fs::read_to_string(REFERENCE).expect("fixture").replacen(from, to, 1)
}

#[test]
fn exit_1_when_the_reference_architecture_has_gaps() {
    drscan()
        .args(["audit", "--snapshot", REFERENCE])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("failover-secondary-unhealthy"))
        .stdout(predicate::str::contains("pilot light"))
        .stdout(predicate::str::contains("ami-missing-in-dr"))
        .stdout(predicate::str::contains("gate FAILED"));
}

#[test]
fn exit_0_when_the_repaired_architecture_passes() {
    drscan()
        .args(["audit", "--snapshot", REPAIRED])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("gate PASSED"));
}

#[test]
fn fail_on_threshold_decides_which_findings_gate() {
    // The only findings left after removing the critical ones are `high`: with --fail-on
    // critical they are reported but do not fail the gate.
    let text = std::fs::read_to_string(REPAIRED).expect("fixture");
    let mut snapshot: serde_json::Value = serde_json::from_str(&text).expect("json");
    let lag = &mut snapshot["resources"]["regional"]["us-east-1"]["replica_lag"][0]["datapoints"]["value"][0];
    lag["max_seconds"] = serde_json::json!(1800.0);
    let (_dir, path) = temp_file("lagging.json", &snapshot.to_string());
    drscan().args(["audit", "--snapshot"]).arg(&path).assert().code(1);
    drscan()
        .args(["audit", "--fail-on", "critical", "--snapshot"])
        .arg(&path)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("rds-replica-lag-high"));
}

#[test]
fn unknown_findings_fail_the_gate_unless_allowed() {
    let text = std::fs::read_to_string(REPAIRED).expect("fixture");
    let mut snapshot: serde_json::Value = serde_json::from_str(&text).expect("json");
    snapshot["collection_errors"] = serde_json::json!([{
        "region": "us-east-1",
        "operation": "ec2:DescribeImages",
        "cause": "access_denied",
        "message": "not authorized",
        "kinds": ["ec2:image"]
    }]);
    let (_dir, path) = temp_file("denied.json", &snapshot.to_string());
    drscan()
        .args(["audit", "--snapshot"])
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("unknown"))
        .stdout(predicate::str::contains("ec2:DescribeImages failed (access denied)"));
    drscan().args(["audit", "--allow-unknown", "--snapshot"]).arg(&path).assert().code(0);
}

#[test]
fn exit_2_with_location_for_malformed_json() {
    audit_text("bad.json", "{\n  \"schema_version\": 1,\n  \"account\": \"1\"\n  \"x\": 2\n}\n")
        .code(2)
        .stderr(predicate::str::contains("malformed snapshot"))
        .stderr(predicate::str::contains("bad.json:4:3"));
}

#[test]
fn exit_2_for_a_truncated_snapshot() {
    let text = std::fs::read_to_string(REFERENCE).expect("fixture");
    audit_text("truncated.json", &text[..text.len() / 2])
        .code(2)
        .stderr(predicate::str::contains("truncated JSON"));
}

#[test]
fn exit_2_for_a_wrong_schema_version() {
    audit_text("v7.json", &reference_with("\"schema_version\": 1", "\"schema_version\": 7"))
        .code(2)
        .stderr(predicate::str::contains("unsupported schema_version 7"))
        .stderr(predicate::str::contains("v7.json:2:21"));
}

#[test]
fn exit_2_for_a_misspelt_field_points_at_it() {
    audit_text("typo.json", &reference_with("\"desired_capacity\"", "\"desired_capacty\""))
        .code(2)
        .stderr(predicate::str::contains("unknown field `desired_capacty`"));
}

#[test]
fn exit_2_for_a_missing_snapshot_file() {
    drscan()
        .args(["audit", "--snapshot", "does/not/exist.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read does/not/exist.json"));
}

#[test]
fn exit_2_for_bad_flags() {
    drscan().args(["audit", "--snapshot", REFERENCE, "--fail-on", "severe"]).assert().code(2);
    drscan().args(["audit", "--snapshot", REFERENCE, "--format", "yaml"]).assert().code(2);
    drscan().args(["audit", "--snapshot", REFERENCE, "--rpo-target", "soon"]).assert().code(2);
    drscan().args(["frobnicate"]).assert().code(2);
}

#[test]
fn exit_2_when_region_flags_contradict_the_snapshot() {
    drscan()
        .args(["audit", "--snapshot", REFERENCE, "--dr", "eu-west-1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--dr eu-west-1 does not match the snapshot"));
    drscan()
        .args(["audit", "--snapshot", REFERENCE, "--primary", "ap-south-1", "--dr", "us-east-1"])
        .assert()
        .code(1);
}

#[test]
fn exit_2_when_primary_and_dr_are_the_same_region() {
    audit_text("same.json", &reference_with("\"dr\": \"us-east-1\"", "\"dr\": \"ap-south-1\""))
        .code(2)
        .stderr(predicate::str::contains("must differ from the primary region"));
}

#[test]
fn help_and_version_exit_0() {
    drscan().arg("--help").assert().code(0).stdout(predicate::str::contains("audit"));
    drscan().arg("--version").assert().code(0).stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn output_file_receives_the_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("findings.json");
    drscan()
        .args(["audit", "--snapshot", REFERENCE, "--format", "json", "-o"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("valid json");
    assert_eq!(written["summary"]["gate"], "failed");
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let plain = drscan().args(["audit", "--snapshot", REFERENCE]).output().expect("runs");
    assert!(!String::from_utf8_lossy(&plain.stdout).contains('\u{1b}'));
    let forced =
        drscan().args(["audit", "--snapshot", REFERENCE, "--color", "always"]).output().expect("runs");
    assert!(String::from_utf8_lossy(&forced.stdout).contains("\u{1b}["));
}

#[test]
fn rules_lists_the_catalog_and_explain_prints_documentation() {
    let listing = drscan().arg("rules").assert().code(0).get_output().stdout.clone();
    let listing = String::from_utf8_lossy(&listing);
    for rule in drscan::rules::RULES {
        assert!(listing.contains(rule.meta().name), "{} missing from `drscan rules`", rule.meta().name);
    }
    drscan()
        .args(["explain", "ami-missing-in-dr"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("## Why is this bad?"))
        .stdout(predicate::str::contains("DR101"));
    drscan()
        .args(["explain", "dr101"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ami-missing-in-dr"));
    drscan()
        .args(["explain", "no-such-rule"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule `no-such-rule`"));
}

/// The shipped GitHub Actions example only uses flags drscan has.
#[test]
fn github_actions_example_uses_real_flags() {
    let workflow = std::fs::read_to_string("examples/github-actions.yml").expect("example workflow");
    let mut checked = 0;
    for line in workflow.lines().map(str::trim) {
        for (command, rest) in
            [("audit", line.split_once("drscan audit ")), ("report", line.split_once("drscan report "))]
        {
            let Some((_, rest)) = rest else { continue };
            let help = drscan().args([command, "--help"]).output().expect("help");
            let help = String::from_utf8_lossy(&help.stdout).to_string();
            for flag in rest.split_whitespace().filter(|w| w.starts_with('-')) {
                let flag = flag.split('=').next().unwrap_or(flag);
                assert!(help.contains(flag), "`drscan {command}` has no {flag}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 5, "the example runs drscan with its flags ({checked} checked)");
}
