//! The CI gate: waivers (matching, expiry, unused), baseline gating, fingerprint stability,
//! JUnit output that parses back, and several outputs from one run.

use crate::support::offline::{REFERENCE, drscan};
use chrono::NaiveDate;
use drscan::audit::{self, Adjustments, GatePolicy, GateResult};
use drscan::baseline::Baseline;
use drscan::config::ValidConfig;
use drscan::findings::Status;
use drscan::inventory::Snapshot;
use drscan::settings::Settings;
use drscan::waivers::WaiverStatus;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

fn reference() -> Snapshot {
    Snapshot::load(Path::new(REFERENCE)).expect("fixture parses")
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

const WAIVERS: &str = r#"
[[waiver]]
rule = "ami-missing-in-dr"
resource = "arn:aws:ec2:ap-south-1:*:image/ami-0a7c*"
reason = "web v7 copy is scheduled with the next image release"
expires = "2027-03-31"

[[waiver]]
rule = "failover-target-missing"
resource = "arn:aws:route53:::hostedzone/*/recordset/api.example.com/A/*"
reason = "api DR cut-over in progress"
expires = "2026-11-01"

[[waiver]]
rule = "rds-no-dr-replica"
resource = "arn:aws:rds:*:*:db:billing-*"
reason = "billing is not in DR scope"
expires = "2027-12-31"
"#;

#[test]
fn waivers_apply_expire_and_report_unused() {
    let config = ValidConfig::parse("drscan.toml", WAIVERS.to_string()).expect("config");
    let snapshot = reference();
    let gate = GatePolicy::default();
    // The audit as it stands on `today`, its waivers applied.
    let audit_on = |today: &str| {
        let mut report = audit::run(&snapshot, &Settings::default(), gate);
        let before = report.findings.len();
        audit::adjust(
            &mut report,
            Adjustments { waivers: &config.waivers, today: Some(date(today)), baseline: None },
            gate,
        );
        assert_eq!(report.findings.len(), before, "waived findings stay visible");
        report
    };
    let report = audit_on("2026-11-27");

    let ami = report.findings.iter().find(|f| f.rule == "ami-missing-in-dr").expect("ami finding");
    assert_eq!(ami.status, Status::Waived);
    assert_eq!(ami.evidence["waiver_reason"], "web v7 copy is scheduled with the next image release");

    let dangling =
        report.findings.iter().find(|f| f.rule == "failover-target-missing").expect("dangling alias");
    assert_eq!(dangling.status, Status::Fail, "an expired waiver stops applying");
    assert!(dangling.evidence.contains_key("expired_waiver"));

    let statuses: Vec<WaiverStatus> = report.waivers.iter().map(|w| w.status).collect();
    assert_eq!(statuses, vec![WaiverStatus::Applied, WaiverStatus::Expired, WaiverStatus::Unused]);
    assert_eq!(report.waivers[0].matched, 1);
    assert_eq!(report.total().waived, 1);
    assert_eq!(report.gate, GateResult::Failed);

    // On the last valid day the waiver still applies; the day after it does not.
    assert_eq!(audit_on("2027-03-31").waivers[0].status, WaiverStatus::Applied);
    assert_eq!(audit_on("2027-04-01").waivers[0].status, WaiverStatus::Expired);
}

#[test]
fn waiving_every_blocking_finding_passes_the_gate_and_outputs_show_waivers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("drscan.toml");
    std::fs::write(
        &config,
        "[[waiver]]\nrule = \"*\"\nresource = \"*\"\nreason = \"x\"\nexpires = \"2099-01-01\"\n",
    )
    .expect("write");
    // `*` is not a rule name: that is a configuration error, located.
    drscan()
        .args(["audit", "--snapshot", REFERENCE, "--config"])
        .arg(&config)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule `*`"));

    let mut waivers = String::new();
    for rule in drscan::rules::RULES {
        waivers.push_str(&format!(
            "[[waiver]]\nrule = \"{}\"\nresource = \"*\"\nreason = \"accepted risk\"\nexpires = \"2099-01-01\"\n\n",
            rule.meta().name
        ));
    }
    std::fs::write(&config, waivers).expect("write");
    let output = drscan()
        .args(["audit", "--snapshot", REFERENCE, "--format", "json", "--config"])
        .arg(&config)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(doc["summary"]["fail"], 0);
    assert!(doc["summary"]["waived"].as_u64().unwrap() >= 8);
    assert!(doc["findings"].as_array().unwrap().iter().all(|f| f["status"] == "waived"));
    assert!(doc["waivers"].as_array().unwrap().iter().any(|w| w["status"] == "unused"));

    drscan()
        .args(["audit", "--snapshot", REFERENCE, "--config"])
        .arg(&config)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("waived"))
        .stdout(predicate::str::contains("matches no finding"));
}

#[test]
fn baseline_makes_only_new_findings_fail_the_gate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let baseline = dir.path().join("baseline.json");
    drscan()
        .args(["audit", "--snapshot", REFERENCE, "--format", "json", "-o"])
        .arg(&baseline)
        .assert()
        .code(1);

    // Same account, same gaps: everything is known, the gate passes.
    let output = drscan()
        .args(["audit", "--snapshot", REFERENCE, "--format", "json", "--baseline"])
        .arg(&baseline)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&output.stdout).expect("json");
    let total = doc["findings"].as_array().unwrap().len() as u64;
    assert_eq!(doc["summary"]["baseline"]["known_before"], total);
    assert_eq!(doc["summary"]["baseline"]["new"], 0);

    // A new gap appears: the DR launch template now points at a deregistered AMI.
    let mut snapshot: Value = serde_json::from_str(&std::fs::read_to_string(REFERENCE).unwrap()).unwrap();
    snapshot["resources"]["regional"]["us-east-1"]["launch_templates"][1]["versions"]["value"][0]["image_id"] =
        Value::from("ami-0deadbeef0000000");
    let changed = dir.path().join("changed.json");
    std::fs::write(&changed, snapshot.to_string()).unwrap();
    let output = drscan()
        .args(["audit", "--format", "json", "--baseline"])
        .arg(&baseline)
        .arg("--snapshot")
        .arg(&changed)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&output.stdout).expect("json");
    let new: Vec<&Value> =
        doc["findings"].as_array().unwrap().iter().filter(|f| f["baseline_state"] == "new").collect();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["rule"], "dr-launch-template-ami-missing");
    assert_eq!(doc["summary"]["baseline"]["new"], 1);
}

#[test]
fn malformed_baseline_is_exit_2_with_location() {
    let dir = tempfile::tempdir().expect("temp dir");
    let baseline = dir.path().join("baseline.json");
    std::fs::write(&baseline, "{\"findings\": [{\"rule\": \"x\"}]}").unwrap();
    drscan()
        .args(["audit", "--snapshot", REFERENCE, "--baseline"])
        .arg(&baseline)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing field `fingerprint`"))
        .stderr(predicate::str::contains("baseline.json:1:"));
    let _ = Baseline::default();
}

/// Regression (issue 11): a baseline of another account or region pair was accepted and, with
/// nothing of the audit's in it, let every finding pass as "known"... or fail as "new" — and a
/// baseline from the DR account suppressed the primary's. It must match: exit 2, pointing at
/// the field that differs.
#[test]
fn a_baseline_of_another_account_or_region_pair_is_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output =
        drscan().args(["audit", "--snapshot", REFERENCE, "--format", "json"]).output().expect("runs");
    let own: Value = serde_json::from_slice(&output.stdout).expect("json");
    for (key, value, said) in [
        ("account", Value::from("999988887777"), "the baseline is of account 999988887777"),
        (
            "regions",
            serde_json::json!({"primary": "eu-west-1", "dr": "us-east-1"}),
            "the baseline is of the region pair eu-west-1",
        ),
    ] {
        let mut other = own.clone();
        other[key] = value;
        let path = dir.path().join(format!("{key}.json"));
        std::fs::write(&path, serde_json::to_string_pretty(&other).unwrap()).unwrap();
        drscan()
            .args(["audit", "--snapshot", REFERENCE, "--baseline"])
            .arg(&path)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(said))
            .stderr(predicate::str::contains(format!("{key}.json:")));
    }
}

/// Regression (issue 11): an audit that found no application — a wrong profile, role or
/// account — passed the gate with nothing judged. Now it is `unknown` (no resource at all) or
/// `fail` (resources no record or tag joins), and fails the gate unless `--allow-empty`
/// (`DRSCAN_ALLOW_EMPTY`, `[gate] allow_empty`) says the emptiness is meant.
#[test]
fn an_audit_that_found_no_application_fails_the_gate_unless_empty_is_allowed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("empty.json");
    std::fs::write(
        &empty,
        r#"{"schema_version": 1, "drscan_version": "0.1.0", "account": "123456789012",
            "regions": {"primary": "ap-south-1", "dr": "us-east-1"}, "collected_at": "2026-11-26T02:00:00Z",
            "resources": {"global": {}, "regional": {"ap-south-1": {}, "us-east-1": {}}}}"#,
    )
    .unwrap();
    let output =
        drscan().args(["audit", "--format", "json", "--snapshot"]).arg(&empty).output().expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&output.stdout).expect("json");
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(
        (&findings[0]["rule"], &findings[0]["status"]),
        (&Value::from("no-application-found"), &Value::from("unknown"))
    );

    drscan().args(["audit", "--allow-empty", "--snapshot"]).arg(&empty).assert().code(0);
    drscan().env("DRSCAN_ALLOW_EMPTY", "1").args(["audit", "--snapshot"]).arg(&empty).assert().code(0);
    let config = dir.path().join("drscan.toml");
    std::fs::write(&config, "[gate]\nallow_empty = true\n").unwrap();
    drscan()
        .args(["audit", "--config"])
        .arg(&config)
        .arg("--snapshot")
        .arg(&empty)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no application (allowed)"));
    // --allow-empty is about this one rule: other unknowns still fail the gate.
    drscan().args(["audit", "--allow-empty", "--snapshot", REFERENCE]).assert().code(1);
}

#[test]
fn fingerprints_are_stable_across_runs_and_unrelated_changes() {
    let snapshot = reference();
    let gate = GatePolicy::default();
    let first = audit::run(&snapshot, &Settings::default(), gate);
    let second = audit::run(&snapshot, &Settings::default(), gate);
    let prints = |r: &audit::AuditReport| {
        let mut p: Vec<(String, String)> =
            r.findings.iter().map(|f| (f.rule.clone(), f.fingerprint.clone())).collect();
        p.sort();
        p
    };
    assert_eq!(prints(&first), prints(&second));

    // Unrelated changes: a new unrelated AMI, reordered resources, new lag datapoints with a
    // different peak, a slightly later collection time.
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(REFERENCE).unwrap()).unwrap();
    let primary = &mut value["resources"]["regional"]["ap-south-1"];
    primary["images"].as_array_mut().unwrap().reverse();
    primary["images"].as_array_mut().unwrap().push(serde_json::json!({
        "arn": "arn:aws:ec2:ap-south-1::image/ami-0fffffffffffffff1", "id": "ami-0fffffffffffffff1",
        "name": "batch-worker", "owner_id": "123456789012", "state": "available"
    }));
    primary["db_instances"].as_array_mut().unwrap().reverse();
    value["resources"]["regional"]["us-east-1"]["replica_lag"][0]["datapoints"]["value"][6]["max_seconds"] =
        Value::from(2000.0);
    // An hour later: a day later would rightly age the DR recovery point past its allowance
    // (backup-no-recent-dr-recovery-point judges age against collected_at).
    value["collected_at"] = Value::from("2026-11-26T03:00:00Z");
    let changed = Snapshot::parse("changed.json", value.to_string()).expect("parses");
    let third = audit::run(&changed, &Settings::default(), gate);
    assert_eq!(prints(&first), prints(&third));
}

#[test]
fn junit_parses_back_with_one_case_per_rule_and_resource() {
    let output =
        drscan().args(["audit", "--snapshot", REFERENCE, "--format", "junit"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let xml = String::from_utf8(output.stdout).expect("utf-8");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(suites.len(), drscan::rules::RULES.len());
    let failures = doc.descendants().filter(|n| n.has_tag_name("failure")).count();
    let errors = doc.descendants().filter(|n| n.has_tag_name("error")).count();
    assert_eq!(root.attribute("failures").unwrap().parse::<usize>().unwrap(), failures);
    assert_eq!(root.attribute("errors").unwrap().parse::<usize>().unwrap(), errors);
    // Only the findings that fail the gate are failed tests (issue 12: JUnit agrees with the gate).
    let report = audit::run(&reference(), &Settings::default(), GatePolicy::default());
    let blocking: Vec<_> = audit::blocking(&report.findings, GatePolicy::default()).collect();
    assert_eq!(failures, blocking.iter().filter(|f| f.status == Status::Fail).count());
    assert_eq!(errors, blocking.iter().filter(|f| f.status == Status::Unknown).count());
    assert!(failures > 0 && errors > 0);
    let skipped = doc.descendants().filter(|n| n.has_tag_name("skipped")).count();
    assert_eq!(
        failures + errors + skipped,
        report.findings.len(),
        "every other finding is skipped, not lost"
    );
    for suite in &suites {
        let cases = suite.children().filter(|n| n.has_tag_name("testcase")).count();
        assert_eq!(suite.attribute("tests").unwrap().parse::<usize>().unwrap(), cases);
    }
    let pilot_light = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .find(|n| {
            n.attribute("classname") == Some("drscan.failover-secondary-unhealthy")
                && n.children().any(|c| c.has_tag_name("failure"))
        })
        .expect("pilot-light case");
    assert!(pilot_light.attribute("name").unwrap().contains("recordset/app.example.com/A/app-secondary"));
}

#[test]
fn junit_marks_waived_findings_skipped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("drscan.toml");
    std::fs::write(&config, WAIVERS).unwrap();
    let output = drscan()
        .args(["audit", "--snapshot", REFERENCE, "--format", "junit", "--config"])
        .arg(&config)
        .output()
        .expect("runs");
    let xml = String::from_utf8(output.stdout).expect("utf-8");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    // Findings below --fail-on are skipped too, each saying why; the waived one gives its reason.
    let waived: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped") && n.attribute("type") == Some("waived"))
        .collect();
    assert_eq!(waived.len(), 1);
    assert!(waived[0].attribute("message").unwrap().contains("next image release"));
}

/// Regression (issue 12): a passing gate still showed `failures="20"` in Jenkins and GitLab.
#[test]
fn junit_of_a_passing_gate_has_no_failures() {
    let output = drscan()
        .args(["audit", "--snapshot", "fixtures/reference-architecture-repaired.json", "--format", "junit"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "the repaired architecture passes the gate");
    let xml = String::from_utf8(output.stdout).expect("utf-8");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.attribute("failures"), Some("0"));
    assert_eq!(root.attribute("errors"), Some("0"));
    let below: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped") && n.attribute("type") == Some("not-gating"))
        .collect();
    assert!(!below.is_empty(), "the medium and low findings stay visible");
    for skipped in below {
        assert!(skipped.attribute("message").unwrap().contains("below --fail-on high"), "{skipped:?}");
    }
}

#[test]
fn several_outputs_from_one_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sarif = dir.path().join("drscan.sarif");
    let json = dir.path().join("drscan.json");
    let junit = dir.path().join("drscan.xml");
    drscan()
        .args(["audit", "--snapshot", REFERENCE])
        .arg("-o")
        .arg(format!("sarif={}", sarif.display()))
        .arg("--output")
        .arg(format!("json={}", json.display()))
        .arg("-o")
        .arg(format!("junit={}", junit.display()))
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).expect("sarif json");
    assert_eq!(sarif["version"], "2.1.0");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).expect("json");
    assert_eq!(json["summary"]["gate"], "failed");
    roxmltree::Document::parse(&std::fs::read_to_string(&junit).unwrap()).expect("junit xml");
    drscan().args(["audit", "--snapshot", REFERENCE, "-o", "sarif="]).assert().code(2);
}
