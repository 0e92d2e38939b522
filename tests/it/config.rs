//! drscan.toml: the shipped example parses, values reach the audit, flags override the file,
//! and every kind of configuration error points at its line and column with exit code 2 —
//! all of a file's errors in one run.

use crate::support::offline::{REFERENCE, drscan, temp_file};
use drscan::audit::GatePolicy;
use drscan::config::{Regions, ValidConfig};
use drscan::findings::Severity;
use drscan::settings::{RuleSetting, Settings};
use predicates::prelude::*;
use std::path::Path;

fn write_config(contents: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    temp_file("drscan.toml", contents)
}

/// Run an audit of the reference fixture with this config and expect exit 2 and a diagnostic
/// that names `message` at `location` (`drscan.toml:LINE:COLUMN`).
fn assert_config_error(contents: &str, message: &str, location: &str) {
    let (_dir, path) = write_config(contents);
    drscan()
        .args(["audit", "--snapshot", REFERENCE, "--config"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(message))
        .stderr(predicate::str::contains(location));
}

#[test]
fn the_example_config_parses_with_its_defaults() {
    let config = ValidConfig::load(Path::new("drscan.example.toml")).expect("example parses");
    let settings = &config.settings;
    assert_eq!(settings.matching.app_tag_key, "app");
    assert_eq!(settings.matching.ami_pairing_tag, "drscan:source-ami");
    assert_eq!(config.gate.fail_on, Severity::High);
    assert!(!config.gate.allow_unknown);
    assert_eq!(settings.thresholds.lag_window_seconds, 3600);
    assert_eq!(config.collection.max_rps, None, "pacing at AWS's documented rates by default");
    assert!(config.waivers.is_empty());
    // Every value the example sets is the default: whole sections compare equal.
    let defaults = Settings::default();
    assert_eq!(settings.matching, defaults.matching);
    assert_eq!(settings.targets, defaults.targets);
    assert_eq!(settings.thresholds, defaults.thresholds);
    assert_eq!(settings.estimate, defaults.estimate, "every [estimate] value in the example is the default");
    assert!(settings.declared_automation.is_empty());
    assert_eq!(*settings, defaults);
    assert_eq!(config.gate, GatePolicy::default());
    assert_eq!(config.regions, Regions::default());
}

#[test]
fn unknown_automation_step_is_located() {
    assert_config_error(
        "[[automation]]\nstep = \"promote\"\n",
        "unknown failover step `promote`",
        "drscan.toml:2:8",
    );
}

#[test]
fn estimate_constants_and_declared_automation_reach_the_estimate() {
    let run = |config: &str| -> serde_json::Value {
        let (_dir, path) = write_config(config);
        let output = drscan()
            .args(["audit", "--format", "json", "--snapshot", REFERENCE, "--config"])
            .arg(&path)
            .output()
            .expect("runs");
        serde_json::from_slice(&output.stdout).expect("json")
    };
    let manual = |doc: &serde_json::Value, id: &str| {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "failover-step-manual" && f["resource"]["id"] == id)
    };
    let web_rto = |doc: &serde_json::Value| {
        doc["estimates"].as_array().unwrap().iter().find(|e| e["app"] == "web").expect("web estimate")["rto_seconds"].as_u64()
    };
    let base = run("");
    assert!(manual(&base, "orders-db-dr"), "replica promotion is manual by default");
    let automated = run("[[automation]]\nstep = \"replica-promotion\"\napp = \"web\"\nhow = \"runbook\"\n");
    assert!(!manual(&automated, "orders-db-dr"), "declared automation removes the manual step");
    // The web RTO is dominated by the EFS restore (15 min decision + 1 h restore): a faster
    // restore constant moves it.
    let faster = run("[estimate]\nbackup_restore = \"30m\"\n");
    assert_eq!(web_rto(&base).unwrap() - web_rto(&faster).unwrap(), 1800);
}

#[test]
fn the_example_config_with_every_commented_key_enabled_parses() {
    let text = std::fs::read_to_string("drscan.example.toml").expect("example");
    let uncommented: String = text
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest) if rest.contains(" = ") || rest.starts_with("[[") => rest.to_string(),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let config = ValidConfig::parse("drscan.toml", uncommented).expect("uncommented example parses");
    assert_eq!(config.regions.primary.as_deref(), Some("ap-south-1"));
    let settings = &config.settings;
    assert_eq!(settings.targets.rto_seconds, Some(120));
    assert_eq!(settings.targets.rpo_seconds, Some(30));
    let rules = &settings.rule_settings;
    assert_eq!(rules.get("rds-replica-lag-high"), Some(&RuleSetting::Severity(Severity::Critical)));
    assert_eq!(rules.get("efs-no-dr-copy"), Some(&RuleSetting::Off));
    let records = &settings.matching.record_applications;
    assert_eq!(records.get("app.example.com").map(String::as_str), Some("web"));
    assert_eq!(config.collection.max_rps, Some(5.0));
    assert_eq!(config.waivers.len(), 1);
}

#[test]
fn unknown_key_is_located() {
    assert_config_error(
        "[gate]\nfail_on = \"high\"\nfial_fast = true\n",
        "unknown field `fial_fast`",
        "drscan.toml:3:1",
    );
}

#[test]
fn a_rate_that_is_not_positive_is_located() {
    assert_config_error(
        "[collection]\nmax_rps = 0\n",
        "the rate must be a positive number",
        "drscan.toml:2:11",
    );
    drscan()
        .args(["audit", "--snapshot", REFERENCE, "--max-rps", "fast"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid rate `fast`"));
}

#[test]
fn unknown_table_is_located() {
    assert_config_error(
        "[targets]\nrto = \"2m\"\n\n[target]\nrpo = \"1m\"\n",
        "unknown field `target`",
        "drscan.toml:4",
    );
}

#[test]
fn bad_duration_is_located() {
    assert_config_error(
        "[targets]\nrto = \"2m\"\nrpo = \"half a minute\"\n",
        "invalid duration",
        "drscan.toml:3:7",
    );
}

#[test]
fn unknown_rule_name_is_located() {
    assert_config_error(
        "[rules]\nami-missing-in-dr = \"high\"\nami-missing-in-rd = \"off\"\n",
        "unknown rule `ami-missing-in-rd`",
        "drscan.toml:3:1",
    );
}

#[test]
fn bad_severity_is_located() {
    assert_config_error("[rules]\nDR101 = \"severe\"\n", "unknown severity `severe`", "drscan.toml:2:9");
}

#[test]
fn waiver_without_reason_is_an_error() {
    assert_config_error(
        "[[waiver]]\nrule = \"ami-missing-in-dr\"\nresource = \"arn:aws:ec2:*\"\nexpires = \"2027-01-01\"\n",
        "missing field `reason`",
        "drscan.toml:1:1",
    );
}

#[test]
fn waiver_with_bad_date_is_located() {
    assert_config_error(
        "[[waiver]]\nrule = \"ami-missing-in-dr\"\nresource = \"arn:aws:ec2:*\"\nreason = \"x\"\nexpires = \"31/03/2027\"\n",
        "invalid expiry date",
        "drscan.toml:5:11",
    );
}

#[test]
fn waiver_for_an_unknown_rule_is_located() {
    assert_config_error(
        "[[waiver]]\nrule = \"no-such-rule\"\nresource = \"*\"\nreason = \"x\"\nexpires = \"2027-01-01\"\n",
        "unknown rule `no-such-rule`",
        "drscan.toml:2:8",
    );
}

#[test]
fn waiver_with_invalid_glob_is_located() {
    assert_config_error(
        "[[waiver]]\nrule = \"DR101\"\nresource = \"arn:aws:ec2:[\"\nreason = \"x\"\nexpires = \"2027-01-01\"\n",
        "invalid resource glob",
        "drscan.toml:3:12",
    );
}

#[test]
fn bad_region_is_located() {
    assert_config_error(
        "[regions]\nprimary = \"ap-south-1\"\ndr = \"Virginia\"\n",
        "not an AWS region name",
        "drscan.toml:3:6",
    );
}

#[test]
fn invalid_toml_is_located() {
    assert_config_error("[targets\nrto = \"2m\"\n", "drscan.toml", "drscan.toml:1:");
}

/// Every problem of a file is reported in one run, each at its own line and column, instead of
/// the first one only.
#[test]
fn three_independent_mistakes_are_reported_together() {
    let config = "[regions]\nprimary = \"ap-south-1\"\ndr = \"us-east-1\"\n\n\
                  [targets]\nrto = \"2m\"\nrpo = \"half a minute\"\n\n\
                  [rules]\nami-missing-in-dr = \"high\"\nami-missing-in-rd = \"off\"\n\n\
                  [[waiver]]\nrule = \"ami-missing-in-dr\"\nresource = \"arn:aws:ec2:*\"\nexpires = \"2027-01-01\"\n";
    let (_dir, path) = write_config(config);
    let output =
        drscan().args(["audit", "--snapshot", REFERENCE, "--config"]).arg(&path).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("3 problems in"), "one diagnostic counts them:\n{stderr}");
    let expected = [
        ("invalid duration `half a minute`", "drscan.toml:7:7"),
        ("unknown rule `ami-missing-in-rd`", "drscan.toml:11:1"),
        ("missing field `reason`", "drscan.toml:13:1"),
    ];
    let mut last = 0;
    for (message, location) in expected {
        let at = stderr.find(message).unwrap_or_else(|| panic!("`{message}` missing from\n{stderr}"));
        let located =
            stderr[at..].find(location).unwrap_or_else(|| panic!("{location} missing after `{message}`"));
        assert!(at >= last, "problems are listed in file order:\n{stderr}");
        last = at + located;
    }
}

/// Cutting a bad value to look for more problems must not report its key as missing too.
#[test]
fn a_bad_required_value_is_one_problem_not_two() {
    let (_dir, path) = write_config(
        "[[waiver]]\nrule = \"no-such-rule\"\nresource = \"*\"\nreason = \"x\"\nexpires = \"2027-01-01\"\n\n\
         [[waiver]]\nrule = \"DR101\"\nresource = \"*\"\nreason = \"\"\nexpires = \"someday\"\n",
    );
    let output =
        drscan().args(["audit", "--snapshot", REFERENCE, "--config"]).arg(&path).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("3 problems in"), "{stderr}");
    assert!(stderr.contains("unknown rule `no-such-rule`") && stderr.contains("drscan.toml:2:8"), "{stderr}");
    assert!(stderr.contains("must not be empty") && stderr.contains("drscan.toml:10:10"), "{stderr}");
    assert!(
        stderr.contains("invalid expiry date `someday`") && stderr.contains("drscan.toml:11:11"),
        "{stderr}"
    );
    assert!(!stderr.contains("missing field"), "a cut key is not reported missing:\n{stderr}");
}

#[test]
fn missing_config_file_is_exit_2() {
    drscan()
        .args(["audit", "--snapshot", REFERENCE, "--config", "no/such/drscan.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read no/such/drscan.toml"));
}

#[test]
fn config_regions_must_match_the_snapshot() {
    let (_dir, path) = write_config("[regions]\nprimary = \"eu-west-1\"\ndr = \"us-east-1\"\n");
    drscan()
        .args(["audit", "--snapshot", REFERENCE, "--config"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--primary eu-west-1 does not match the snapshot"));
}

#[test]
fn config_values_reach_the_audit_and_flags_override_them() {
    // The reference architecture's only high finding is the replica lag (1260 s): a 30 min
    // threshold silences it, --fail-on in the file makes only critical gate.
    let (_dir, path) = write_config(
        "[thresholds]\nreplica_lag = \"30m\"\n\n[rules]\nfailover-secondary-unhealthy = \"low\"\nefs-no-dr-copy = \"off\"\n",
    );
    let output = drscan()
        .args(["audit", "--format", "json", "--snapshot", REFERENCE, "--config"])
        .arg(&path)
        .output()
        .expect("runs");
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let findings = doc["findings"].as_array().expect("findings");
    assert!(!findings.iter().any(|f| f["rule"] == "rds-replica-lag-high"), "threshold from config applies");
    assert!(!findings.iter().any(|f| f["rule"] == "efs-no-dr-copy"), "rule turned off");
    assert!(doc["summary"]["rules"].get("efs-no-dr-copy").is_none());
    let unhealthy =
        findings.iter().find(|f| f["rule"] == "failover-secondary-unhealthy").expect("still reported");
    assert_eq!(unhealthy["severity"], "low");

    // Flag beats file: the file says fail_on critical, the flag says low.
    let (_dir2, path2) = write_config(
        "[gate]\nfail_on = \"critical\"\n\n[rules]\nDR101 = \"off\"\nDR111 = \"off\"\nDR201 = \"off\"\nDR202 = \"off\"\nDR203 = \"off\"\nDR204 = \"off\"\nDR301 = \"off\"\nDR401 = \"off\"\nDR407 = \"off\"\n",
    );
    drscan().args(["audit", "--snapshot", REFERENCE, "--config"]).arg(&path2).assert().code(0);
    drscan()
        .args(["audit", "--snapshot", REFERENCE, "--fail-on", "high", "--config"])
        .arg(&path2)
        .assert()
        .code(1);
}

#[test]
fn drscan_toml_in_the_working_directory_is_found() {
    let (dir, _path) = write_config("[rules]\nfailover-secondary-unhealthy = \"off\"\n");
    let snapshot = std::fs::canonicalize(REFERENCE).expect("fixture path");
    let output = drscan()
        .current_dir(dir.path())
        .args(["audit", "--format", "json", "--snapshot"])
        .arg(&snapshot)
        .output()
        .expect("runs");
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert!(
        !doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["rule"] == "failover-secondary-unhealthy")
    );
}
