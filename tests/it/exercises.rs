//! Evidence that failover was exercised (`dr-exercised`, DR505), end to end: an AWS FIS
//! experiment run to completion in moto server 5.2.5 (which serves FIS) that targeted the
//! application's database; AWS Backup restore tests answered as `ListRestoreJobs` answers them
//! (moto has none: recorded, shaped as the API reference's `RestoreJobsListMember`); game days
//! declared in drscan.toml. What passes, what fails, and what is unknown.

use crate::support::exercises::{RestoreTest, restore_jobs};
use crate::support::recorded::{everything_moto_lacks, primary_file_system};
use crate::support::seed::{Setup, seed};
use crate::support::{
    PRIMARY, assert_fails, audit_live, collect_live, findings, fresh_account, runtime, set_faults, summary,
};
use serde_json::{Value, json};

const RULE: &str = "dr-exercised";

fn seeded(setup: &Setup) -> String {
    let account = fresh_account();
    runtime().block_on(seed(&account, setup));
    account
}

/// What moto lacks, with `restores` as the DR region's restore tests instead of the default one.
fn answer_what_moto_lacks(account: &str, restores: &[RestoreTest<'_>]) {
    let mut rules: Vec<Value> = everything_moto_lacks(account)
        .into_iter()
        .filter(|r| r["path_regex"] != "^/restore-jobs/?$")
        .collect();
    rules.extend(restore_jobs(account, restores));
    set_faults(Value::Array(rules));
}

fn audit(account: &str, extra: &[&str]) -> Value {
    let (code, json, stderr, _) = audit_live(account, &[&["--max-attempts", "1"], extra].concat());
    assert!(json.is_object(), "drscan printed no JSON (exit {code}):\n{stderr}");
    json
}

fn of_web<'a>(json: &'a Value, status: &str) -> Vec<&'a Value> {
    findings(json, RULE, status).into_iter().filter(|f| f["app"] == "web").collect()
}

fn assert_quiet(json: &Value) {
    for status in ["fail", "unknown"] {
        assert!(of_web(json, status).is_empty(), "{RULE} reports {status} for web:\n{}", summary(json));
    }
}

/// A drscan.toml with `body`, kept for the audit.
fn config(body: &str) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".toml").tempfile().expect("temp config");
    std::fs::write(file.path(), body).expect("write config");
    file
}

fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days)).format("%Y-%m-%d").to_string()
}

#[test]
fn a_completed_fis_experiment_on_the_database_passes_and_an_unlistable_one_is_unknown() {
    let account = seeded(&Setup { fis_experiment: true, ..Setup::default() });
    answer_what_moto_lacks(&account, &[]);
    let snapshot = collect_live(&account, &["--max-attempts", "1"]);
    let collected: Value = serde_json::from_str(&snapshot.text).expect("snapshot JSON");
    let experiments = &collected["resources"]["regional"][PRIMARY]["experiments"];
    let db = format!("arn:aws:rds:{PRIMARY}:{account}:db:web-db");
    assert_eq!(experiments[0]["status"], "completed", "{experiments}");
    assert_eq!(experiments[0]["targets"]["value"][0]["resource_arns"], json!([db]), "{experiments}");
    assert_quiet(&audit(&account, &[]));

    let mut rules: Vec<Value> = everything_moto_lacks(&account)
        .into_iter()
        .filter(|r| r["path_regex"] != "^/restore-jobs/?$")
        .collect();
    rules.extend(restore_jobs(&account, &[]));
    rules.push(json!({"account": account, "service": "fis", "operation": "ListExperiments", "status": 403,
                      "code": "AccessDeniedException", "message": "not authorized to perform: fis:ListExperiments"}));
    set_faults(Value::Array(rules));
    let json = audit(&account, &[]);
    let unknown = of_web(&json, "unknown");
    assert!(
        unknown.iter().any(|f| f["message"].as_str().unwrap_or_default().contains("fis:ListExperiments")),
        "expected an unknown naming fis:ListExperiments:\n{}",
        summary(&json)
    );
    assert!(of_web(&json, "fail").is_empty(), "{}", summary(&json));
}

#[test]
fn no_evidence_fails_and_declared_game_days_count_only_when_recent_and_passed() {
    let account = seeded(&Setup::default());
    answer_what_moto_lacks(&account, &[]);
    assert_fails(
        &audit(&account, &[]),
        RULE,
        "no evidence that failover of web was exercised in the last 90d: no restore test into us-east-1, no FIS experiment",
    );

    let exercise = |date: &str, result: &str| {
        format!(
            "[[exercise]]\napp = \"web\"\ndate = \"{date}\"\nfailed_over = \"database promoted in us-east-1\"\nresult = \"{result}\"\n"
        )
    };
    let recent = config(&exercise(&days_ago(10), "passed"));
    assert_quiet(&audit(&account, &["--config", &recent.path().display().to_string()]));

    let old = days_ago(200);
    let stale = config(&exercise(&old, "passed"));
    assert_fails(
        &audit(&account, &["--config", &stale.path().display().to_string()]),
        RULE,
        &format!("declared game day on {old} (database promoted in us-east-1)"),
    );

    let failed = config(&exercise(&days_ago(5), "failed"));
    assert_fails(
        &audit(&account, &["--config", &failed.path().display().to_string()]),
        RULE,
        "failed (database promoted",
    );

    // A wider window takes the old game day in.
    let wider = config(&format!("[thresholds]\nexercise_window = \"365d\"\n\n{}", exercise(&old, "passed")));
    assert_quiet(&audit(&account, &["--config", &wider.path().display().to_string()]));
}

#[test]
fn restore_tests_into_dr_pass_unless_their_validation_failed() {
    let account = seeded(&Setup::default());
    let (_, fs_arn) = primary_file_system(&account);
    answer_what_moto_lacks(
        &account,
        &[RestoreTest { source_arn: &fs_arn, minutes_ago: 2 * 24 * 60, validation: "SUCCESSFUL" }],
    );
    assert_quiet(&audit(&account, &[]));

    answer_what_moto_lacks(
        &account,
        &[RestoreTest { source_arn: &fs_arn, minutes_ago: 2 * 24 * 60, validation: "FAILED" }],
    );
    assert_fails(&audit(&account, &[]), RULE, "validation FAILED");
}
