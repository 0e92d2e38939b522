//! Recorded responses for the APIs moto 5.2.5 lacks — EFS replication configurations, Backup
//! selections and recovery points, RDS automated-backup replications. The test front answers
//! those operations with realistic wire bodies (shapes as AWS documents them) and forwards
//! everything else to moto, so the collectors' parsing and the rules' verdicts are checked on
//! the real protocol.

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

fn primary_file_system(account: &str) -> (String, String) {
    runtime().block_on(async {
        let efs = aws_sdk_efs::Client::new(&crate::support::seed::config(account, PRIMARY).await);
        let systems = efs.describe_file_systems().send().await.expect("DescribeFileSystems");
        let fs = systems.file_systems().first().expect("the seeded file system");
        (fs.file_system_id().to_string(), fs.file_system_arn().unwrap_or_default().to_string())
    })
}

fn backup_plan_id(account: &str) -> String {
    runtime().block_on(async {
        let backup = aws_sdk_backup::Client::new(&crate::support::seed::config(account, PRIMARY).await);
        let plans = backup.list_backup_plans().send().await.expect("ListBackupPlans");
        plans
            .backup_plans_list()
            .first()
            .and_then(|p| p.backup_plan_id())
            .expect("the seeded plan")
            .to_string()
    })
}

fn epoch_minutes_ago(minutes: i64) -> i64 {
    chrono::Utc::now().timestamp() - minutes * 60
}

#[test]
fn efs_replication_to_dr_is_read_and_satisfies_the_rule() {
    let account = fresh_account();
    runtime().block_on(seed(&account, &Setup::default()));
    let (fs_id, fs_arn) = primary_file_system(&account);
    // DescribeReplicationConfigurations (REST-JSON), as the EFS API reference shows it.
    let body = json!({"Replications": [{
        "SourceFileSystemId": fs_id,
        "SourceFileSystemRegion": PRIMARY,
        "SourceFileSystemArn": fs_arn,
        "OriginalSourceFileSystemArn": fs_arn,
        "CreationTime": epoch_minutes_ago(600),
        "Destinations": [{
            "Status": "ENABLED",
            "FileSystemId": "fs-0dr0000000000001",
            "Region": DR,
            "LastReplicatedTimestamp": epoch_minutes_ago(3)
        }]
    }]});
    set_faults(json!([{
        "account": account, "region": PRIMARY, "service": "elasticfilesystem", "method": "GET",
        "path_regex": "/file-systems/replication-configurations$",
        "action": "respond", "content_type": "application/json", "body": body.to_string()
    }]));
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
    // ListBackupSelections, GetBackupSelection, ListRecoveryPointsByBackupVault (REST-JSON).
    let list = json!({"BackupSelectionsList": [{
        "SelectionId": "sel-0001", "SelectionName": "web-files", "BackupPlanId": plan_id,
        "CreationDate": epoch_minutes_ago(6000),
        "IamRoleArn": format!("arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole")
    }]});
    let selection = json!({
        "SelectionId": "sel-0001", "BackupPlanId": plan_id, "CreationDate": epoch_minutes_ago(6000),
        "BackupSelection": {
            "SelectionName": "web-files",
            "IamRoleArn": format!("arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole"),
            "Resources": ["arn:aws:elasticfilesystem:*:*:file-system/*"],
            "NotResources": [],
            "ListOfTags": [],
            "Conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/app", "ConditionValue": "web"}],
                           "StringNotEquals": [], "StringLike": [], "StringNotLike": []}
        }
    });
    let points = json!({"RecoveryPoints": [{
        "RecoveryPointArn": format!("arn:aws:backup:{DR}:{account}:recovery-point:0b1f2c3d-4e5f-6789-abcd-ef0123456789"),
        "BackupVaultName": "web-dr",
        "BackupVaultArn": format!("arn:aws:backup:{DR}:{account}:backup-vault:web-dr"),
        "SourceBackupVaultArn": format!("arn:aws:backup:{PRIMARY}:{account}:backup-vault:web"),
        "ResourceArn": fs_arn, "ResourceType": "EFS", "Status": "COMPLETED",
        "CreationDate": epoch_minutes_ago(300), "CompletionDate": epoch_minutes_ago(280),
        "BackupSizeInBytes": 1048576, "IsEncrypted": true, "IsParent": false
    }]});
    set_faults(json!([
        {"account": account, "region": PRIMARY, "service": "backup", "method": "GET",
         "path_regex": "^/backup/plans/[^/]+/selections/?$", "action": "respond", "body": list.to_string()},
        {"account": account, "region": PRIMARY, "service": "backup", "method": "GET",
         "path_regex": "^/backup/plans/[^/]+/selections/sel-0001/?$", "action": "respond", "body": selection.to_string()},
        {"account": account, "region": DR, "service": "backup", "method": "GET",
         "path_regex": "^/backup-vaults/web-dr/recovery-points/?$", "action": "respond", "body": points.to_string()},
        {"account": account, "service": "backup", "method": "GET",
         "path_regex": "^/backup-vaults/[^/]+/recovery-points/?$", "action": "respond", "body": "{\"RecoveryPoints\": []}"}
    ]));
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
    // DescribeDBInstanceAutomatedBackups (awsQuery XML) with a replication to the DR region.
    let body = format!(
        r#"<DescribeDBInstanceAutomatedBackupsResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBInstanceAutomatedBackupsResult>
    <DBInstanceAutomatedBackups>
      <DBInstanceAutomatedBackup>
        <DBInstanceArn>arn:aws:rds:{PRIMARY}:{account}:db:web-db</DBInstanceArn>
        <DbiResourceId>db-ABCDEFGHIJKLMNOPQRSTUVWXY</DbiResourceId>
        <Region>{PRIMARY}</Region>
        <DBInstanceIdentifier>web-db</DBInstanceIdentifier>
        <Status>active</Status>
        <Engine>mysql</Engine>
        <BackupRetentionPeriod>7</BackupRetentionPeriod>
        <DBInstanceAutomatedBackupsArn>arn:aws:rds:{PRIMARY}:{account}:auto-backup:ab-primary0001</DBInstanceAutomatedBackupsArn>
        <DBInstanceAutomatedBackupsReplications>
          <DBInstanceAutomatedBackupsReplication>
            <DBInstanceAutomatedBackupsArn>arn:aws:rds:{DR}:{account}:auto-backup:ab-replica0001</DBInstanceAutomatedBackupsArn>
          </DBInstanceAutomatedBackupsReplication>
        </DBInstanceAutomatedBackupsReplications>
      </DBInstanceAutomatedBackup>
    </DBInstanceAutomatedBackups>
  </DescribeDBInstanceAutomatedBackupsResult>
  <ResponseMetadata><RequestId>5e9f1a2b-recorded</RequestId></ResponseMetadata>
</DescribeDBInstanceAutomatedBackupsResponse>"#
    );
    set_faults(json!([{
        "account": account, "region": PRIMARY, "service": "rds", "operation": "DescribeDBInstanceAutomatedBackups",
        "action": "respond", "content_type": "text/xml", "body": body
    }]));
    let snapshot = collect(&account);
    let db = snapshot["resources"]["regional"][PRIMARY]["db_instances"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["id"] == "web-db"))
        .expect("web-db");
    assert_eq!(db["automated_backup_replications"]["value"], json!([DR]), "{db}");
}
