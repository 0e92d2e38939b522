//! Recorded responses for the APIs moto 5.2.5 lacks — EFS replication configurations, Backup
//! selections and recovery points, RDS automated-backup replications. The test front answers
//! those operations with realistic wire bodies (shapes as AWS documents them) and forwards
//! everything else to moto, so the collectors' parsing and the rules' verdicts are checked on
//! the real protocol.

use crate::support::recorded::{
    backup_health, backup_health_with_efs_opt_in, backup_plan_id, backup_selection_and_recovery_point_as,
    backup_selection_and_recovery_points, efs_replication_to_dr, primary_file_system,
    rds_automated_backup_replication,
};
use crate::support::seed::{Setup, seed};
use crate::support::{DR, PRIMARY, drscan, emulator, findings, fresh_account, runtime, set_faults, summary};
use serde_json::json;

fn collect(account: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("snapshot.json");
    let output = drscan(account)
        .args(["collect", "--primary", PRIMARY, "--dr", DR, "--max-attempts", "1"])
        .args(["--endpoint-url", &emulator().front_url, "-o"])
        .arg(&path)
        .output()
        .expect("run drscan collect");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("snapshot")).expect("JSON")
}

fn audit_snapshot(account: &str, snapshot: &serde_json::Value) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("snapshot.json");
    std::fs::write(&path, snapshot.to_string()).expect("write snapshot");
    let output = drscan(account)
        .args(["audit", "--format", "json", "--snapshot"])
        .arg(&path)
        .output()
        .expect("run drscan audit");
    serde_json::from_slice(&output.stdout).expect("audit JSON")
}

#[test]
fn efs_replication_to_dr_is_read_and_satisfies_the_rule() {
    let account = fresh_account();
    runtime().block_on(seed(&account, &Setup::default()));
    let (fs_id, fs_arn) = primary_file_system(&account);
    set_faults(efs_replication_to_dr(&account, &fs_id, &fs_arn));
    let snapshot = collect(&account);
    let fs = &snapshot["resources"]["regional"][PRIMARY]["file_systems"][0];
    let destination = &fs["replication"]["value"][0];
    assert_eq!(destination["region"], DR, "{fs}");
    assert_eq!(destination["status"], "ENABLED");
    assert_eq!(destination["file_system_id"], "fs-0dr0000000000001");
    assert!(destination["last_replicated_timestamp"].is_string());
    // PolicyNotFound from moto is an answer: automatic backups are off.
    assert_eq!(fs["backup_policy"]["value"], "DISABLED");

    let json = audit_snapshot(&account, &snapshot);
    assert!(findings(&json, "efs-no-dr-copy", "fail").is_empty(), "{}", summary(&json));
    assert!(findings(&json, "efs-no-dr-copy", "unknown").is_empty(), "{}", summary(&json));
}

#[test]
fn backup_selections_and_recovery_points_are_read() {
    let account = fresh_account();
    runtime().block_on(seed(&account, &Setup::default()));
    let (_, fs_arn) = primary_file_system(&account);
    let plan_id = backup_plan_id(&account);
    set_faults(backup_selection_and_recovery_points(&account, &plan_id, &fs_arn));
    let snapshot = collect(&account);
    let plan = &snapshot["resources"]["regional"][PRIMARY]["backup_plans"][0];
    let selection = &plan["selections"]["value"][0];
    assert_eq!(selection["name"], "web-files", "{plan}");
    assert_eq!(selection["resources"][0], "arn:aws:elasticfilesystem:*:*:file-system/*");
    assert_eq!(selection["conditions"][0]["operator"], "StringEquals");
    assert_eq!(selection["conditions"][0]["key"], "aws:ResourceTag/app");
    assert_eq!(
        plan["rules"][0]["copy_actions"][0]["destination_vault_arn"],
        format!("arn:aws:backup:{DR}:{account}:backup-vault:web-dr")
    );
    let vault = snapshot["resources"]["regional"][DR]["backup_vaults"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["name"] == "web-dr"))
        .expect("the DR vault");
    let point = &vault["recovery_points"]["value"][0];
    assert_eq!(point["resource_arn"], fs_arn.as_str());
    assert_eq!(point["status"], "COMPLETED");

    // The file system is covered by a plan that copies to DR: a DR copy exists.
    let json = audit_snapshot(&account, &snapshot);
    assert!(findings(&json, "efs-no-dr-copy", "fail").is_empty(), "{}", summary(&json));
}

#[test]
fn rds_automated_backup_replication_is_read() {
    let account = fresh_account();
    runtime().block_on(seed(&account, &Setup::default()));
    set_faults(rds_automated_backup_replication(&account));
    let snapshot = collect(&account);
    let db = snapshot["resources"]["regional"][PRIMARY]["db_instances"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["id"] == "web-db"))
        .expect("web-db");
    assert_eq!(db["automated_backup_replications"]["value"], json!([DR]), "{db}");
}

/// The recorded selection and recovery point (a point 5 h old in `web-dr`) plus the Backup
/// health answers, with a failed copy of the file system `failed_copy_minutes_ago`, or none.
fn backup_health_setup(account: &str, failed_copy_minutes_ago: Option<i64>) -> (String, serde_json::Value) {
    runtime().block_on(seed(account, &Setup::default()));
    let (_, fs_arn) = primary_file_system(account);
    let plan_id = backup_plan_id(account);
    let rules: Vec<serde_json::Value> = [
        backup_health(account, &fs_arn, failed_copy_minutes_ago),
        backup_selection_and_recovery_points(account, &plan_id, &fs_arn),
    ]
    .into_iter()
    .flat_map(|rules| rules.as_array().cloned().unwrap_or_default())
    .collect();
    set_faults(serde_json::Value::Array(rules));
    (fs_arn, collect(account))
}

#[test]
fn backup_health_is_read_and_a_failed_copy_newer_than_the_dr_point_is_caught() {
    let account = fresh_account();
    let (fs_arn, snapshot) = backup_health_setup(&account, Some(60));
    let primary = &snapshot["resources"]["regional"][PRIMARY];
    let job = &primary["copy_jobs"][0];
    assert_eq!(job["state"], "FAILED", "{primary}");
    assert_eq!(job["resource_arn"], fs_arn.as_str());
    assert_eq!(job["destination_vault_arn"], format!("arn:aws:backup:{DR}:{account}:backup-vault:web-dr"));
    let opt_ins = primary["backup_opt_ins"].as_array().expect("opt-ins");
    assert!(opt_ins.iter().any(|o| o["resource_type"] == "EFS" && o["opted_in"] == true), "{opt_ins:?}");
    assert!(opt_ins.iter().any(|o| o["resource_type"] == "VirtualMachine" && o["opted_in"] == false));
    let vaults = snapshot["resources"]["regional"][DR]["backup_vaults"].as_array().expect("DR vaults");
    let dr_vault = vaults.iter().find(|v| v["name"] == "web-dr").expect("the DR vault");
    assert_eq!(dr_vault["access_policy"]["value"][0]["effect"], "Deny", "{dr_vault}");
    assert_eq!(dr_vault["access_policy"]["value"][0]["principals"][0], "*");
    // Vaults without a policy answer ResourceNotFoundException: no policy, not unknown.
    for vault in vaults.iter().filter(|v| v["name"] != "web-dr") {
        assert_eq!(vault["access_policy"]["value"], json!([]), "{vault}");
    }

    let json = audit_snapshot(&account, &snapshot);
    // The DR point (5 h old) is within the daily plan's allowance: only the failed copy says so.
    assert!(findings(&json, "backup-no-recent-dr-recovery-point", "fail").is_empty(), "{}", summary(&json));
    let failing = findings(&json, "backup-unhealthy", "fail");
    assert_eq!(failing.len(), 1, "{}", summary(&json));
    assert_eq!(failing[0]["resource"]["arn"], fs_arn.as_str());
    let message = failing[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("copy job 5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c to web-dr failed"), "{message}");
    assert!(findings(&json, "backup-unhealthy", "unknown").is_empty(), "{}", summary(&json));
}

#[test]
fn backup_health_is_quiet_on_the_intact_setup() {
    let account = fresh_account();
    let (_, snapshot) = backup_health_setup(&account, None);
    assert_eq!(snapshot["resources"]["regional"][PRIMARY]["copy_jobs"], json!([]));
    let json = audit_snapshot(&account, &snapshot);
    assert!(findings(&json, "backup-unhealthy", "fail").is_empty(), "{}", summary(&json));
    assert!(findings(&json, "backup-unhealthy", "unknown").is_empty(), "{}", summary(&json));
    let passes = json["summary"]["rules"]["backup-unhealthy"]["pass"].as_u64().unwrap_or_default();
    assert!(passes >= 2, "the file system and the DR vault are judged: {}", summary(&json));
}

/// A seeded account whose plan has one selection with `members` (Resources, NotResources,
/// ListOfTags, Conditions as GetBackupSelection returns them), a DR recovery point of the file
/// system in `status`, and EFS opted in or not: the audit.
fn audit_selection(
    members: serde_json::Value,
    status: &str,
    efs_opted_in: bool,
) -> (String, serde_json::Value) {
    let account = fresh_account();
    runtime().block_on(seed(&account, &Setup::default()));
    let (_, fs_arn) = primary_file_system(&account);
    let plan_id = backup_plan_id(&account);
    // The file system does not replicate: ReplicationNotFound, as AWS answers (REST-JSON).
    let no_replication = json!([{
        "account": account, "region": PRIMARY, "service": "elasticfilesystem", "method": "GET",
        "path_regex": "/file-systems/replication-configurations$",
        "status": 404, "code": "ReplicationNotFound", "message": "Replication configuration not found"
    }]);
    let rules: Vec<serde_json::Value> = [
        no_replication,
        backup_health_with_efs_opt_in(&account, &fs_arn, None, efs_opted_in),
        backup_selection_and_recovery_point_as(&account, &plan_id, &fs_arn, members, status),
    ]
    .into_iter()
    .flat_map(|rules| rules.as_array().cloned().unwrap_or_default())
    .collect();
    set_faults(serde_json::Value::Array(rules));
    let snapshot = collect(&account);
    (fs_arn, audit_snapshot(&account, &snapshot))
}

fn covered(json: &serde_json::Value) -> bool {
    findings(json, "efs-no-dr-copy", "fail").is_empty()
        && findings(json, "efs-no-dr-copy", "unknown").is_empty()
}

#[test]
fn selection_semantics_on_recorded_selections() {
    let conditions = |value: &str| {
        json!({"StringEquals": [{"ConditionKey": "aws:ResourceTag/app", "ConditionValue": value}],
               "StringNotEquals": [], "StringLike": [], "StringNotLike": []})
    };
    // Conditions only (no Resources, no ListOfTags): every opted-in resource the conditions allow.
    let (_, json) = audit_selection(json!({"Conditions": conditions("web")}), "COMPLETED", true);
    assert!(covered(&json), "{}", summary(&json));
    let (_, json) = audit_selection(json!({"Conditions": conditions("other")}), "COMPLETED", true);
    assert!(!findings(&json, "efs-no-dr-copy", "fail").is_empty(), "{}", summary(&json));
    // Nothing at all: AWS "attempts to select all supported and opted-in storage resources".
    let (_, json) = audit_selection(json!({}), "COMPLETED", true);
    assert!(covered(&json), "{}", summary(&json));
    // NotResources excludes (wildcards as in Resources).
    let all_but_files =
        json!({"Resources": ["*"], "NotResources": ["arn:aws:elasticfilesystem:*:*:file-system/*"]});
    let (_, json) = audit_selection(all_but_files, "COMPLETED", true);
    assert!(!findings(&json, "efs-no-dr-copy", "fail").is_empty(), "{}", summary(&json));
}

#[test]
fn a_tag_selection_of_a_type_not_opted_in_covers_nothing_and_says_why() {
    let by_tags = json!({"ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "app", "ConditionValue": "web"}]});
    let (fs_arn, json) = audit_selection(by_tags.clone(), "COMPLETED", false);
    assert!(!findings(&json, "efs-no-dr-copy", "fail").is_empty(), "{}", summary(&json));
    let unhealthy = findings(&json, "backup-unhealthy", "fail");
    assert_eq!(unhealthy.len(), 1, "{}", summary(&json));
    assert_eq!(unhealthy[0]["resource"]["arn"], fs_arn.as_str());
    assert!(
        unhealthy[0]["message"].as_str().unwrap_or_default().contains("EFS is not opted in"),
        "{}",
        summary(&json)
    );
    // Naming the service assigns it whatever the opt-in says.
    let by_type = json!({"Resources": ["arn:aws:elasticfilesystem:*:*:file-system/*"]});
    let (_, json) = audit_selection(by_type, "COMPLETED", false);
    assert!(covered(&json), "{}", summary(&json));
    assert!(findings(&json, "backup-unhealthy", "fail").is_empty(), "{}", summary(&json));
}

#[test]
fn recovery_point_statuses_as_the_current_model_names_them() {
    let by_tags = json!({"ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "app", "ConditionValue": "web"}]});
    for (status, usable) in [
        ("AVAILABLE", true),
        ("COMPLETED", true),
        ("PARTIAL", false),
        ("CREATING", false),
        ("STOPPED", false),
    ] {
        let (fs_arn, json) = audit_selection(by_tags.clone(), status, true);
        let fails = findings(&json, "backup-no-recent-dr-recovery-point", "fail");
        let fs_fails = fails.iter().any(|f| f["resource"]["arn"] == fs_arn.as_str());
        assert_eq!(!fs_fails, usable, "{status}: {}", summary(&json));
    }
}
