//! AWS Backup of one region: plans with their rules and copy actions, the selections that say
//! what each plan protects, vaults, and each vault's recent recovery points — those created in
//! the last [`RECOVERY_POINT_DAYS`] days. The rules need only the newest completed point of each
//! resource: `backup-no-recent-dr-recovery-point` passes a point newer than its plan's worst gap
//! plus completion window (for every schedule up to monthly with AWS's default windows:
//! 31 days + 8 hours + 7 days, under 39), and the RPO estimate reads the newest point's copy
//! time. The vault records the bound, so that an older point is "not read", never "absent".
//!
//! For Backup health (`backup-unhealthy`): the copy jobs that failed in the last
//! [`COPY_JOB_DAYS`] days (`ListCopyJobs` by state `FAILED`, created after the bound), the
//! region's resource-type opt-in settings (`DescribeRegionSettings`), and each vault's access
//! policy (`GetBackupVaultAccessPolicy`; `ResourceNotFoundException` means it has none). All
//! calls go through the pacer's AWS Backup bucket (see `pacing`).

use super::errors::Failure;
use super::{Part, RegionCtx, bounded, paging::all_pages, smithy_time};
use crate::inventory::storage::{
    BackupPlan, BackupRule, BackupSelection, BackupVault, CopyAction, CopyJob, PolicyStatement,
    RecoveryPoint, ResourceTypeOptIn, TagCondition, VaultLock,
};
use crate::inventory::{ErrorCause, Known, ResourceKind as K};
use aws_sdk_backup::types::CopyJobState;
use serde_json::Value;

/// How far back recovery points are listed (see the module documentation).
pub(crate) const RECOVERY_POINT_DAYS: i64 = 45;

/// ListRecoveryPointsByBackupVault returns at most 1,000 points per page.
const RECOVERY_POINTS_PER_PAGE: i32 = 1000;

/// How far back failed copy jobs are listed: long enough that a copy failing on every run of
/// a weekly plan shows, short enough that a failure long since superseded by a completed copy
/// is not read. The rule compares each failure with the newest DR recovery point.
pub(crate) const COPY_JOB_DAYS: i64 = 14;

/// ListCopyJobs returns at most 1,000 jobs per page (`MaxResults`).
const COPY_JOBS_PER_PAGE: i32 = 1000;

/// The kinds this collector lists; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] =
    &[K::BackupPlan, K::BackupSelection, K::BackupVault, K::RecoveryPoint, K::CopyJob, K::ResourceTypeOptIn];

pub(crate) async fn collect(ctx: &RegionCtx) -> Part {
    let client = ctx.backup();
    let mut part = Part::default();
    let (plans, vaults) = tokio::join!(
        all_pages("backup:ListBackupPlans", client.list_backup_plans().into_paginator(), |o| o.next_token(),),
        all_pages("backup:ListBackupVaults", client.list_backup_vaults().into_paginator(), |o| o
            .next_token(),),
    );

    let listed_plans: Vec<ListedPlan> = part
        .listed(ctx, plans, &[K::BackupPlan, K::BackupSelection])
        .iter()
        .flat_map(|p| p.backup_plans_list())
        .filter_map(|p| {
            Some(ListedPlan {
                id: p.backup_plan_id()?.to_string(),
                arn: p.backup_plan_arn().unwrap_or_default().to_string(),
                name: p.backup_plan_name().unwrap_or_default().to_string(),
            })
        })
        .collect();
    let vault_list: Vec<(String, String, Option<String>, Option<VaultLock>)> = part
        .listed(ctx, vaults, &[K::BackupVault, K::RecoveryPoint])
        .iter()
        .flat_map(|p| p.backup_vault_list())
        .map(|v| {
            (
                v.backup_vault_name().unwrap_or_default().to_string(),
                v.backup_vault_arn().unwrap_or_default().to_string(),
                v.encryption_key_arn().map(str::to_string),
                vault_lock(v),
            )
        })
        .collect();

    let copy_jobs_since = ctx.collected_at - chrono::Duration::days(COPY_JOB_DAYS);
    let (copy_jobs, settings) = tokio::join!(
        all_pages(
            "backup:ListCopyJobs",
            client
                .list_copy_jobs()
                .by_state(CopyJobState::Failed)
                .by_created_after(aws_smithy_types::DateTime::from_secs(copy_jobs_since.timestamp()))
                .max_results(COPY_JOBS_PER_PAGE)
                .into_paginator(),
            |o| o.next_token(),
        ),
        client.describe_region_settings().send(),
    );
    part.resources.copy_jobs = part
        .listed(ctx, copy_jobs, &[K::CopyJob])
        .iter()
        .flat_map(|p| p.copy_jobs())
        .filter_map(|j| {
            Some(CopyJob {
                id: j.copy_job_id()?.to_string(),
                resource_arn: j.resource_arn().unwrap_or_default().to_string(),
                resource_type: j.resource_type().unwrap_or_default().to_string(),
                destination_vault_arn: j.destination_backup_vault_arn().unwrap_or_default().to_string(),
                state: j.state().map(|s| s.as_str().to_string()).unwrap_or_default(),
                status_message: j.status_message().map(str::to_string),
                creation_date: smithy_time(j.creation_date())?,
                completion_date: smithy_time(j.completion_date()),
            })
        })
        .collect();
    match settings {
        Ok(settings) => {
            part.resources.backup_opt_ins = settings
                .resource_type_opt_in_preference()
                .into_iter()
                .flatten()
                .map(|(resource_type, opted_in)| ResourceTypeOptIn {
                    resource_type: resource_type.clone(),
                    opted_in: *opted_in,
                })
                .collect();
        }
        Err(e) => {
            part.fail(ctx, &Failure::from_sdk("backup:DescribeRegionSettings", &e), &[K::ResourceTypeOptIn])
        }
    }

    let since = ctx.collected_at - chrono::Duration::days(RECOVERY_POINT_DAYS);
    let (plan_details, recovery_points, policies) = tokio::join!(
        bounded(listed_plans, ctx.concurrency, |listed| plan(ctx, &client, listed)),
        bounded(vault_list.iter().map(|v| v.0.clone()).collect(), ctx.concurrency, |name| {
            let request = client
                .list_recovery_points_by_backup_vault()
                .backup_vault_name(name)
                .by_created_after(aws_smithy_types::DateTime::from_secs(since.timestamp()))
                .max_results(RECOVERY_POINTS_PER_PAGE);
            async move {
                all_pages("backup:ListRecoveryPointsByBackupVault", request.into_paginator(), |o| {
                    o.next_token()
                })
                .await
            }
        }),
        bounded(vault_list.iter().map(|v| v.0.clone()).collect(), ctx.concurrency, |name| {
            let request = client.get_backup_vault_access_policy().backup_vault_name(name);
            async move {
                match request.send().await {
                    Ok(output) => match output.policy() {
                        Some(document) => policy_statements(document).map_err(|message| {
                            Failure::new("backup:GetBackupVaultAccessPolicy", ErrorCause::Other, message)
                        }),
                        None => Ok(Vec::new()),
                    },
                    // A vault without an access policy answers ResourceNotFoundException (that
                    // code, not any 404: an emulator's "not implemented" is no answer).
                    Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => {
                        Ok(Vec::new())
                    }
                    Err(e) => Err(Failure::from_sdk("backup:GetBackupVaultAccessPolicy", &e)),
                }
            }
        }),
    );
    for (plan, failure) in plan_details {
        if let Some(failure) = failure {
            // The plan's own unknown; also named as a collection error of that plan.
            part.errors.push(failure.reading(ctx.region_name(), &[K::BackupPlan], vec![plan.arn.clone()]));
        }
        part.resources.backup_plans.push(plan);
    }
    for (((name, arn, kms_key_arn, lock), points), policy) in
        vault_list.into_iter().zip(recovery_points).zip(policies)
    {
        part.resources.backup_vaults.push(BackupVault {
            arn,
            name,
            kms_key_arn,
            recovery_points: match points {
                Ok(pages) => Known::Value(
                    pages
                        .iter()
                        .flat_map(|p| p.recovery_points())
                        .filter_map(|r| {
                            Some(RecoveryPoint {
                                arn: r.recovery_point_arn()?.to_string(),
                                resource_arn: r.resource_arn().unwrap_or_default().to_string(),
                                resource_type: r.resource_type().unwrap_or_default().to_string(),
                                status: r.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                                creation_date: smithy_time(r.creation_date())?,
                                completion_date: smithy_time(r.completion_date()),
                            })
                        })
                        .collect(),
                ),
                Err(f) => Known::Unknown(f.reason()),
            },
            recovery_points_since: Some(since),
            access_policy: Some(match policy {
                Ok(statements) => Known::Value(statements),
                Err(f) => Known::Unknown(f.reason()),
            }),
            lock,
        });
    }
    part
}

/// The vault's lock as ListBackupVaults reports it (`Locked`, `MinRetentionDays`,
/// `MaxRetentionDays`, `LockDate`); `None` when no lock is configured. A retention outside
/// `u32` (AWS caps it at 36,500 days) is no bound drscan could compare, so it is left out.
fn vault_lock(vault: &aws_sdk_backup::types::BackupVaultListMember) -> Option<VaultLock> {
    let days = |d: Option<i64>| d.and_then(|d| u32::try_from(d).ok());
    let lock = VaultLock {
        locked: vault.locked().unwrap_or(false),
        min_retention_days: days(vault.min_retention_days()),
        max_retention_days: days(vault.max_retention_days()),
        lock_date: smithy_time(vault.lock_date()),
    };
    (lock != VaultLock::default()).then_some(lock)
}

/// The statements of an IAM policy document (JSON; `Statement` an object or a list, `Action`,
/// `NotAction` and principals a string or a list), or why it cannot be read.
fn policy_statements(document: &str) -> Result<Vec<PolicyStatement>, String> {
    let policy: Value =
        serde_json::from_str(document).map_err(|e| format!("the access policy is not JSON: {e}"))?;
    let statements = match policy.get("Statement") {
        Some(Value::Array(list)) => list.clone(),
        Some(statement @ Value::Object(_)) => vec![statement.clone()],
        None => Vec::new(),
        Some(_) => return Err("the access policy's Statement is neither an object nor a list".into()),
    };
    let strings = |value: Option<&Value>| -> Vec<String> {
        match value {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(list)) => list.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        }
    };
    let principals = |value: Option<&Value>| -> Vec<String> {
        match value {
            Some(Value::Object(by_kind)) => by_kind.values().flat_map(|v| strings(Some(v))).collect(),
            other => strings(other),
        }
    };
    Ok(statements
        .iter()
        .map(|s| PolicyStatement {
            sid: s.get("Sid").and_then(Value::as_str).map(str::to_string),
            effect: s.get("Effect").and_then(Value::as_str).unwrap_or_default().to_string(),
            actions: strings(s.get("Action")),
            not_actions: strings(s.get("NotAction")),
            principals: principals(s.get("Principal").or(s.get("NotPrincipal"))),
            not_principal: s.get("NotPrincipal").is_some(),
            conditional: s.get("Condition").is_some_and(|c| c.as_object().is_none_or(|c| !c.is_empty())),
        })
        .collect())
}

/// A plan as ListBackupPlans names it.
struct ListedPlan {
    id: String,
    arn: String,
    name: String,
}

/// One plan: its rules (GetBackupPlan) and its selections (List + GetBackupSelection); each
/// of the two unknown on its own when its calls fail (and the GetBackupPlan failure, if any).
async fn plan(
    ctx: &RegionCtx,
    client: &aws_sdk_backup::Client,
    listed: ListedPlan,
) -> (BackupPlan, Option<Failure>) {
    let (details, selections) = tokio::join!(
        client.get_backup_plan().backup_plan_id(&listed.id).send(),
        selections(ctx, client, &listed.id)
    );
    let details = match details {
        Ok(details) => details,
        Err(e) => {
            let failure = Failure::from_sdk("backup:GetBackupPlan", &e);
            let plan = BackupPlan {
                arn: listed.arn,
                id: listed.id,
                name: listed.name,
                rules: Vec::new(),
                rules_unknown: Some(failure.reason()),
                selections,
            };
            return (plan, Some(failure));
        }
    };
    let body = details.backup_plan();
    let plan = BackupPlan {
        arn: details.backup_plan_arn().map(str::to_string).unwrap_or(listed.arn),
        name: body.map(|b| b.backup_plan_name().to_string()).unwrap_or(listed.name),
        rules: body
            .map(|b| {
                b.rules()
                    .iter()
                    .map(|r| BackupRule {
                        name: r.rule_name().to_string(),
                        schedule_expression: r.schedule_expression().unwrap_or_default().to_string(),
                        schedule_timezone: r.schedule_expression_timezone().map(str::to_string),
                        start_window_minutes: r.start_window_minutes().and_then(|m| u32::try_from(m).ok()),
                        completion_window_minutes: r
                            .completion_window_minutes()
                            .and_then(|m| u32::try_from(m).ok()),
                        target_vault_name: r.target_backup_vault_name().to_string(),
                        copy_actions: r
                            .copy_actions()
                            .iter()
                            .map(|c| CopyAction {
                                destination_vault_arn: c.destination_backup_vault_arn().to_string(),
                                delete_after_days: c
                                    .lifecycle()
                                    .and_then(|l| l.delete_after_days())
                                    .and_then(|d| u32::try_from(d).ok()),
                            })
                            .collect(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        rules_unknown: None,
        selections,
        id: listed.id,
    };
    (plan, None)
}

async fn selections(
    ctx: &RegionCtx,
    client: &aws_sdk_backup::Client,
    plan_id: &str,
) -> Known<Vec<BackupSelection>> {
    let listed = match all_pages(
        "backup:ListBackupSelections",
        client.list_backup_selections().backup_plan_id(plan_id).into_paginator(),
        |o| o.next_token(),
    )
    .await
    {
        Ok(pages) => pages,
        Err(f) => return Known::Unknown(f.reason()),
    };
    let ids: Vec<String> = listed
        .iter()
        .flat_map(|p| p.backup_selections_list())
        .filter_map(|s| s.selection_id())
        .map(str::to_string)
        .collect();
    let details = bounded(ids, ctx.concurrency, |selection_id| {
        let request = client.get_backup_selection().backup_plan_id(plan_id).selection_id(&selection_id);
        async move {
            let output =
                request.send().await.map_err(|e| Failure::from_sdk("backup:GetBackupSelection", &e))?;
            let Some(s) = output.backup_selection() else {
                return Ok(BackupSelection {
                    id: selection_id,
                    name: String::new(),
                    resources: vec![],
                    not_resources: vec![],
                    list_of_tags: vec![],
                    conditions: vec![],
                });
            };
            let mut conditions = Vec::new();
            if let Some(c) = s.conditions() {
                for (operator, parameters) in [
                    ("StringEquals", c.string_equals()),
                    ("StringNotEquals", c.string_not_equals()),
                    ("StringLike", c.string_like()),
                    ("StringNotLike", c.string_not_like()),
                ] {
                    conditions.extend(parameters.iter().map(|p| TagCondition {
                        operator: operator.to_string(),
                        key: p.condition_key().unwrap_or_default().to_string(),
                        value: p.condition_value().unwrap_or_default().to_string(),
                    }));
                }
            }
            Ok(BackupSelection {
                id: selection_id,
                name: s.selection_name().to_string(),
                resources: s.resources().to_vec(),
                not_resources: s.not_resources().to_vec(),
                list_of_tags: s
                    .list_of_tags()
                    .iter()
                    .map(|t| TagCondition {
                        operator: t.condition_type().as_str().to_string(),
                        key: t.condition_key().to_string(),
                        value: t.condition_value().to_string(),
                    })
                    .collect(),
                conditions,
            })
        }
    })
    .await;
    match details.into_iter().collect::<Result<Vec<_>, Failure>>() {
        Ok(selections) => Known::Value(selections),
        Err(f) => Known::Unknown(f.reason()),
    }
}

#[cfg(test)]
mod tests {
    use super::policy_statements;

    #[test]
    fn access_policies_are_read_in_every_shape_iam_allows() {
        // The shape of the AWS Backup Developer Guide's vault access policy examples. (Actions
        // here are wildcards or another service's: a quoted backup:Operation literal in this
        // folder counts as a call drscan makes, for the IAM policy test.)
        let document = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Deny","Principal":{"AWS":"*"},"Action":["backup:Delete*","backup:Start*"],"Resource":"*"},
            {"Sid":"OnlyOps","Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::123456789012:role/ops"]},"Action":"backup:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"123456789012"}}}]}"#;
        let statements = policy_statements(document).expect("a policy");
        assert_eq!(statements.len(), 2);
        assert_eq!(statements[0].effect, "Deny");
        assert_eq!(statements[0].principals, ["*"]);
        assert_eq!(statements[0].actions, ["backup:Delete*", "backup:Start*"]);
        assert!(!statements[0].conditional && !statements[0].not_principal);
        assert_eq!(statements[1].sid.as_deref(), Some("OnlyOps"));
        assert!(statements[1].not_principal && statements[1].conditional);
        assert_eq!(statements[1].actions, ["backup:*"]);
        let single =
            policy_statements(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}}"#)
                .expect("a policy");
        assert_eq!(single[0].principals, ["*"]);
        assert!(policy_statements("not json").is_err());
    }
}
