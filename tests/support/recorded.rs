//! Recorded responses for the APIs moto 5.2.5 lacks — EFS replication configurations, Backup
//! selections, recovery points, copy jobs, region settings and vault access policies, RDS
//! automated-backup replications — as test-front rules
//! (`action: respond`) with wire bodies shaped as AWS documents them. Shared by the tests of
//! those collectors and by the fault matrix, whose clean run must call every operation.

use super::seed::config;
use super::{DR, PRIMARY, runtime};
use serde_json::{Value, json};

pub(crate) fn primary_file_system(account: &str) -> (String, String) {
    runtime().block_on(async {
        let efs = aws_sdk_efs::Client::new(&config(account, PRIMARY).await);
        let systems = efs.describe_file_systems().send().await.expect("DescribeFileSystems");
        let fs = systems.file_systems().first().expect("the seeded file system");
        (fs.file_system_id().to_string(), fs.file_system_arn().unwrap_or_default().to_string())
    })
}

pub(crate) fn backup_plan_id(account: &str) -> String {
    runtime().block_on(async {
        let backup = aws_sdk_backup::Client::new(&config(account, PRIMARY).await);
        let plans = backup.list_backup_plans().send().await.expect("ListBackupPlans");
        plans
            .backup_plans_list()
            .first()
            .and_then(|p| p.backup_plan_id())
            .expect("the seeded plan")
            .to_string()
    })
}

pub(crate) fn epoch_minutes_ago(minutes: i64) -> i64 {
    chrono::Utc::now().timestamp() - minutes * 60
}

/// The primary file system replicates to DR (ENABLED, three minutes behind).
pub(crate) fn efs_replication_to_dr(account: &str, fs_id: &str, fs_arn: &str) -> Value {
    efs_replication_to(account, None, fs_id, fs_arn)
}

/// The primary file system replicates to DR, into `owner`'s account when given (`OwnerId`,
/// as AWS names a cross-account destination).
pub(crate) fn efs_replication_to(account: &str, owner: Option<&str>, fs_id: &str, fs_arn: &str) -> Value {
    // DescribeReplicationConfigurations (REST-JSON), as the EFS API reference shows it.
    let mut destination = json!({
        "Status": "ENABLED",
        "FileSystemId": "fs-0dr0000000000001",
        "Region": DR,
        "LastReplicatedTimestamp": epoch_minutes_ago(3)
    });
    if let Some(owner) = owner {
        destination["OwnerId"] = json!(owner);
    }
    let body = json!({"Replications": [{
        "SourceFileSystemId": fs_id,
        "SourceFileSystemRegion": PRIMARY,
        "SourceFileSystemArn": fs_arn,
        "OriginalSourceFileSystemArn": fs_arn,
        "CreationTime": epoch_minutes_ago(600),
        "Destinations": [destination]
    }]});
    json!([{
        "account": account, "region": PRIMARY, "service": "elasticfilesystem", "method": "GET",
        "path_regex": "/file-systems/replication-configurations$",
        "action": "respond", "content_type": "application/json", "body": body.to_string()
    }])
}

/// The plan selects the app's file systems by tag; the DR vault holds a recent recovery
/// point of the primary file system; other vaults hold none.
pub(crate) fn backup_selection_and_recovery_points(account: &str, plan_id: &str, fs_arn: &str) -> Value {
    let selected = ["arn:aws:elasticfilesystem:*:*:file-system/*"];
    backup_selection_and_copies(account, account, plan_id, &selected, &[(fs_arn, "EFS")])
}

/// [`backup_selection_and_recovery_points`] with the selection's `Resources`, `NotResources`,
/// `ListOfTags` and `Conditions` as given, and the DR recovery point in `status`.
pub(crate) fn backup_selection_and_recovery_point_as(
    account: &str,
    plan_id: &str,
    fs_arn: &str,
    members: Value,
    status: &str,
) -> Value {
    backup_selection_and_copies_as(account, account, plan_id, members, &[(fs_arn, "EFS")], status)
}

/// The primary account's plan selects the app's `selected` resources (ARN patterns) by tag; the
/// DR vault `web-dr` of `vault_account` holds a recent recovery point of each `protected`
/// (ARN, resource type); other vaults hold none.
pub(crate) fn backup_selection_and_copies(
    account: &str,
    vault_account: &str,
    plan_id: &str,
    selected: &[&str],
    protected: &[(&str, &str)],
) -> Value {
    let members = json!({
        "Resources": selected,
        "NotResources": [],
        "ListOfTags": [],
        "Conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/app", "ConditionValue": "web"}],
                       "StringNotEquals": [], "StringLike": [], "StringNotLike": []}
    });
    backup_selection_and_copies_as(account, vault_account, plan_id, members, protected, "COMPLETED")
}

/// The selection `members` (its `Resources`, `NotResources`, `ListOfTags` and `Conditions`) of
/// the primary account's plan, and in the DR vault `web-dr` of `vault_account` a recent
/// recovery point in `status` of each `protected` (ARN, resource type); other vaults hold none.
fn backup_selection_and_copies_as(
    account: &str,
    vault_account: &str,
    plan_id: &str,
    members: Value,
    protected: &[(&str, &str)],
    status: &str,
) -> Value {
    // ListBackupSelections, GetBackupSelection, ListRecoveryPointsByBackupVault (REST-JSON).
    let mut body = json!({
        "SelectionName": "web-files",
        "IamRoleArn": format!("arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole"),
    });
    if let (Some(body), Some(members)) = (body.as_object_mut(), members.as_object()) {
        body.extend(members.clone());
    }
    let list = json!({"BackupSelectionsList": [{
        "SelectionId": "sel-0001", "SelectionName": "web-files", "BackupPlanId": plan_id,
        "CreationDate": epoch_minutes_ago(6000),
        "IamRoleArn": format!("arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole")
    }]});
    let selection = json!({
        "SelectionId": "sel-0001", "BackupPlanId": plan_id, "CreationDate": epoch_minutes_ago(6000),
        "BackupSelection": body
    });
    let points: Vec<Value> = protected.iter().enumerate().map(|(n, (arn, resource_type))| json!({
        "RecoveryPointArn": format!("arn:aws:backup:{DR}:{vault_account}:recovery-point:0b1f2c3d-4e5f-6789-abcd-ef012345678{n}"),
        "BackupVaultName": "web-dr",
        "BackupVaultArn": format!("arn:aws:backup:{DR}:{vault_account}:backup-vault:web-dr"),
        "SourceBackupVaultArn": format!("arn:aws:backup:{PRIMARY}:{account}:backup-vault:web"),
        "ResourceArn": arn, "ResourceType": resource_type, "Status": status,
        "CreationDate": epoch_minutes_ago(300), "CompletionDate": epoch_minutes_ago(280),
        "BackupSizeInBytes": 1048576, "IsEncrypted": true, "IsParent": false
    })).collect();
    let points = json!({"RecoveryPoints": points});
    json!([
        {"account": account, "region": PRIMARY, "service": "backup", "method": "GET",
         "path_regex": "^/backup/plans/[^/]+/selections/?$", "action": "respond", "body": list.to_string()},
        {"account": account, "region": PRIMARY, "service": "backup", "method": "GET",
         "path_regex": "^/backup/plans/[^/]+/selections/sel-0001/?$", "action": "respond", "body": selection.to_string()},
        {"account": vault_account, "region": DR, "service": "backup", "method": "GET",
         "path_regex": "^/backup-vaults/web-dr/recovery-points/?$", "action": "respond", "body": points.to_string()},
        {"account": account, "service": "backup", "method": "GET",
         "path_regex": "^/backup-vaults/[^/]+/recovery-points/?$", "action": "respond", "body": "{\"RecoveryPoints\": []}"},
        {"account": vault_account, "service": "backup", "method": "GET",
         "path_regex": "^/backup-vaults/[^/]+/recovery-points/?$", "action": "respond", "body": "{\"RecoveryPoints\": []}"}
    ])
}

/// The Backup health of a seeded account whose plan copies the primary file system to the DR
/// vault `web-dr`: every resource type opted in (DescribeRegionSettings, both regions), the DR
/// vault's access policy denying only deletions, other vaults without a policy
/// (ResourceNotFoundException), and `failed_copy_minutes_ago` — a failed copy job of the file
/// system to `web-dr` that long ago (ListCopyJobs, primary region), or none.
pub(crate) fn backup_health(account: &str, fs_arn: &str, failed_copy_minutes_ago: Option<i64>) -> Value {
    backup_health_with_efs_opt_in(account, fs_arn, failed_copy_minutes_ago, true)
}

/// [`backup_health`] with EFS opted in to AWS Backup in the primary region or not.
pub(crate) fn backup_health_with_efs_opt_in(
    account: &str,
    fs_arn: &str,
    failed_copy_minutes_ago: Option<i64>,
    efs_opted_in: bool,
) -> Value {
    // ListCopyJobs (REST-JSON), shaped as the AWS Backup API reference's CopyJob.
    let jobs: Vec<Value> = failed_copy_minutes_ago
        .map(|minutes| {
            json!({
                "AccountId": account,
                "CopyJobId": "5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c",
                "SourceBackupVaultArn": format!("arn:aws:backup:{PRIMARY}:{account}:backup-vault:web"),
                "SourceRecoveryPointArn": format!("arn:aws:backup:{PRIMARY}:{account}:recovery-point:1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"),
                "DestinationBackupVaultArn": format!("arn:aws:backup:{DR}:{account}:backup-vault:web-dr"),
                "ResourceArn": fs_arn,
                "CreationDate": epoch_minutes_ago(minutes),
                "CompletionDate": epoch_minutes_ago(minutes - 2),
                "State": "FAILED",
                "StatusMessage": "Access denied to KMS key of the destination backup vault",
                "BackupSizeInBytes": 0,
                "IamRoleArn": format!("arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole"),
                "ResourceType": "EFS",
                "IsParent": false
            })
        })
        .into_iter()
        .collect();
    let copy_jobs = json!({"CopyJobs": jobs});
    let settings = json!({
        "ResourceTypeOptInPreference": {
            "Aurora": true, "DocumentDB": true, "DynamoDB": true, "EBS": true, "EC2": true, "EFS": efs_opted_in,
            "FSx": true, "Neptune": true, "RDS": true, "S3": true, "Storage Gateway": true, "VirtualMachine": false
        },
        "ResourceTypeManagementPreference": {"DynamoDB": true, "EFS": true}
    });
    let policy = json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "NoDeletes", "Effect": "Deny", "Principal": {"AWS": "*"},
        "Action": ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"], "Resource": "*"
    }]});
    let dr_policy = json!({
        "BackupVaultName": "web-dr",
        "BackupVaultArn": format!("arn:aws:backup:{DR}:{account}:backup-vault:web-dr"),
        "Policy": policy.to_string()
    });
    json!([
        {"account": account, "region": PRIMARY, "service": "backup", "method": "GET",
         "path_regex": "^/copy-jobs/?$", "action": "respond", "body": copy_jobs.to_string()},
        {"account": account, "region": DR, "service": "backup", "method": "GET",
         "path_regex": "^/copy-jobs/?$", "action": "respond", "body": "{\"CopyJobs\": []}"},
        {"account": account, "service": "backup", "method": "GET",
         "path_regex": "^/account-settings/?$", "action": "respond", "body": settings.to_string()},
        {"account": account, "region": DR, "service": "backup", "method": "GET",
         "path_regex": "^/backup-vaults/web-dr/access-policy/?$", "action": "respond", "body": dr_policy.to_string()},
        {"account": account, "service": "backup", "method": "GET",
         "path_regex": "^/backup-vaults/[^/]+/access-policy/?$", "status": 404, "code": "ResourceNotFoundException",
         "message": "Backup vault has no access policy"}
    ])
}

/// web-db's automated backups replicate to the DR region.
pub(crate) fn rds_automated_backup_replication(account: &str) -> Value {
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
    json!([{
        "account": account, "region": PRIMARY, "service": "rds", "operation": "DescribeDBInstanceAutomatedBackups",
        "action": "respond", "content_type": "text/xml", "body": body
    }])
}

/// GetServiceQuota in `region` as AWS answers a quota with no applied value
/// (`NoSuchResourceException`), so that drscan reads AWS's default (which the front answers).
pub(crate) fn no_applied_quota_value(account: &str, region: &str) -> Value {
    let body = json!({"__type": "NoSuchResourceException", "Message": "The request failed because the specified service quota does not exist."});
    json!({
        "account": account, "region": region, "service": "servicequotas", "operation": "GetServiceQuota",
        "action": "respond", "status": 400, "content_type": "application/x-amz-json-1.1", "body": body.to_string()
    })
}

/// Every recorded answer above for a seeded account: what moto cannot answer, answered.
pub(crate) fn everything_moto_lacks(account: &str) -> Vec<Value> {
    let (fs_id, fs_arn) = primary_file_system(account);
    let plan_id = backup_plan_id(account);
    [
        efs_replication_to_dr(account, &fs_id, &fs_arn),
        backup_selection_and_recovery_points(account, &plan_id, &fs_arn),
        backup_health(account, &fs_arn, None),
        rds_automated_backup_replication(account),
    ]
    .into_iter()
    .flat_map(|rules| rules.as_array().cloned().unwrap_or_default())
    // A restore test of the file system in the DR region three days ago.
    .chain(super::exercises::restore_jobs(
        account,
        &[super::exercises::RestoreTest {
            source_arn: &fs_arn,
            minutes_ago: 3 * 24 * 60,
            validation: "SUCCESSFUL",
        }],
    ))
    .collect()
}
