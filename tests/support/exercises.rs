//! Evidence of failover exercises for the tests: an AWS FIS experiment run to completion in
//! moto (which serves FIS: an experiment moves pending → initiating → running → completed one
//! step per GetExperiment), and AWS Backup restore jobs as test-front rules answering
//! `ListRestoreJobs` with bodies shaped as the AWS Backup API reference's `RestoreJobsListMember`
//! (moto has no restore jobs).

use super::seed::config;
use super::{DR, PRIMARY};
use aws_sdk_fis::types::{
    CreateExperimentTemplateActionInput, CreateExperimentTemplateStopConditionInput,
    CreateExperimentTemplateTargetInput,
};
use serde_json::{Value, json};

/// Run an FIS experiment in the primary region of `account` that reboots the DB instance
/// `db_arn` (named by ARN), until it completes; its ID.
pub(crate) async fn completed_experiment(account: &str, db_arn: &str) -> String {
    let fis = aws_sdk_fis::Client::new(&config(account, PRIMARY).await);
    let selection = CreateExperimentTemplateTargetInput::builder()
        .resource_type("aws:rds:db")
        .selection_mode("ALL")
        .resource_arns(db_arn);
    let template = fis
        .create_experiment_template()
        .client_token(format!("drscan-{account}-reboot-db"))
        .description("game day: fail the primary")
        .role_arn(format!("arn:aws:iam::{account}:role/fis-experiments"))
        .stop_conditions(
            CreateExperimentTemplateStopConditionInput::builder().source("none").build().expect("stop"),
        )
        .targets("primary", selection.build().expect("target"))
        .actions(
            "fail",
            CreateExperimentTemplateActionInput::builder()
                .action_id("aws:rds:reboot-db-instances")
                .targets("DBInstances", "primary")
                .build()
                .expect("action"),
        )
        .send()
        .await
        .expect("CreateExperimentTemplate");
    let template_id = template.experiment_template().and_then(|t| t.id()).expect("template id").to_string();
    let started = fis
        .start_experiment()
        .client_token(format!("drscan-run-{template_id}"))
        .experiment_template_id(&template_id)
        .send()
        .await
        .expect("StartExperiment");
    let id = started.experiment().and_then(|e| e.id()).expect("experiment id").to_string();
    for _ in 0..10 {
        let state = fis.get_experiment().id(&id).send().await.expect("GetExperiment");
        let status = state
            .experiment()
            .and_then(|e| e.state())
            .and_then(|s| s.status())
            .map(|s| s.as_str().to_string());
        if status.as_deref() == Some("completed") {
            return id;
        }
    }
    panic!("experiment {id} never completed in moto");
}

/// A restore test in the DR region: restored what, how long ago (minutes), and how its
/// validation ended.
pub(crate) struct RestoreTest<'a> {
    pub source_arn: &'a str,
    pub minutes_ago: i64,
    pub validation: &'a str,
}

/// Test-front rules answering ListRestoreJobs: `tests` in the DR region, none in the primary.
pub(crate) fn restore_jobs(account: &str, tests: &[RestoreTest<'_>]) -> Vec<Value> {
    let plan = format!(
        "arn:aws:backup:{DR}:{account}:restore-testing-plan:weekly_dr-6e5f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
    );
    let jobs: Vec<Value> = tests
        .iter()
        .enumerate()
        .map(|(n, test)| {
            let finished = super::recorded::epoch_minutes_ago(test.minutes_ago);
            json!({
                "AccountId": account,
                "RestoreJobId": format!("7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c{n:02}"),
                "RecoveryPointArn": format!("arn:aws:backup:{DR}:{account}:recovery-point:2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d{n:02}"),
                "SourceResourceArn": test.source_arn,
                "BackupVaultArn": format!("arn:aws:backup:{DR}:{account}:backup-vault:web-dr"),
                "CreationDate": finished - 1800,
                "CompletionDate": finished,
                "Status": "COMPLETED",
                "StatusMessage": "",
                "PercentDone": "100.00%",
                "BackupSizeInBytes": 6144,
                "IamRoleArn": format!("arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole"),
                "ExpectedCompletionTimeMinutes": 30,
                "CreatedResourceArn": format!("arn:aws:elasticfilesystem:{DR}:{account}:file-system/fs-0restoretest{n:04}"),
                "ResourceType": "EFS",
                "RecoveryPointCreationDate": finished - 86_400,
                "CreatedBy": {"RestoreTestingPlanArn": plan},
                "ValidationStatus": test.validation,
                "ValidationStatusMessage": "",
                "DeletionStatus": "SUCCESSFUL",
                "DeletionStatusMessage": "",
                "IsParent": false
            })
        })
        .collect();
    vec![
        json!({"account": account, "region": DR, "service": "backup", "method": "GET",
               "path_regex": "^/restore-jobs/?$", "action": "respond", "body": json!({"RestoreJobs": jobs}).to_string()}),
        json!({"account": account, "region": PRIMARY, "service": "backup", "method": "GET",
               "path_regex": "^/restore-jobs/?$", "action": "respond", "body": "{\"RestoreJobs\": []}"}),
    ]
}
