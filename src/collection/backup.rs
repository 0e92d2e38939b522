//! AWS Backup of one region: plans with their rules and copy actions, the selections that say
//! what each plan protects, vaults, and each vault's recent recovery points — those created in
//! the last [`RECOVERY_POINT_DAYS`] days. The rules need only the newest completed point of each
//! resource: `backup-no-recent-dr-recovery-point` passes a point newer than its plan's worst gap
//! plus completion window (for every schedule up to monthly with AWS's default windows:
//! 31 days + 8 hours + 7 days, under 39), and the RPO estimate reads the newest point's copy
//! time. The vault records the bound, so that an older point is "not read", never "absent".

use super::errors::Failure;
use super::{Part, RegionCtx, bounded, pages, smithy_time};
use crate::inventory::storage::{
    BackupPlan, BackupRule, BackupSelection, BackupVault, CopyAction, RecoveryPoint, TagCondition,
};
use crate::inventory::{Known, ResourceKind as K};

/// How far back recovery points are listed (see the module documentation).
pub(crate) const RECOVERY_POINT_DAYS: i64 = 45;

/// ListRecoveryPointsByBackupVault returns at most 1,000 points per page.
const RECOVERY_POINTS_PER_PAGE: i32 = 1000;

/// The kinds this collector lists; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] = &[K::BackupPlan, K::BackupSelection, K::BackupVault, K::RecoveryPoint];

pub(crate) async fn collect(ctx: &RegionCtx) -> Part {
    let client = ctx.backup();
    let mut part = Part::default();
    let (plans, vaults) = tokio::join!(
        pages(
            "backup:ListBackupPlans",
            client.list_backup_plans().into_paginator().stop_on_duplicate_token(false).send(),
            |o| o.next_token(),
        ),
        pages(
            "backup:ListBackupVaults",
            client.list_backup_vaults().into_paginator().stop_on_duplicate_token(false).send(),
            |o| o.next_token(),
        ),
    );

    let listed_plans: Vec<ListedPlan> = match &plans {
        Ok(pages) => pages
            .iter()
            .flat_map(|p| p.backup_plans_list())
            .filter_map(|p| {
                Some(ListedPlan {
                    id: p.backup_plan_id()?.to_string(),
                    arn: p.backup_plan_arn().unwrap_or_default().to_string(),
                    name: p.backup_plan_name().unwrap_or_default().to_string(),
                })
            })
            .collect(),
        Err(f) => {
            part.fail(ctx, f, &[K::BackupPlan, K::BackupSelection]);
            Vec::new()
        }
    };
    let vault_list: Vec<(String, String, Option<String>)> = match &vaults {
        Ok(pages) => pages
            .iter()
            .flat_map(|p| p.backup_vault_list())
            .map(|v| {
                (
                    v.backup_vault_name().unwrap_or_default().to_string(),
                    v.backup_vault_arn().unwrap_or_default().to_string(),
                    v.encryption_key_arn().map(str::to_string),
                )
            })
            .collect(),
        Err(f) => {
            part.fail(ctx, f, &[K::BackupVault, K::RecoveryPoint]);
            Vec::new()
        }
    };

    let since = ctx.collected_at - chrono::Duration::days(RECOVERY_POINT_DAYS);
    let (plan_details, recovery_points) = tokio::join!(
        bounded(listed_plans, ctx.concurrency, |listed| plan(ctx, &client, listed)),
        bounded(vault_list.iter().map(|v| v.0.clone()).collect(), ctx.concurrency, |name| {
            let request = client
                .list_recovery_points_by_backup_vault()
                .backup_vault_name(name)
                .by_created_after(aws_smithy_types::DateTime::from_secs(since.timestamp()))
                .max_results(RECOVERY_POINTS_PER_PAGE);
            async move {
                pages(
                    "backup:ListRecoveryPointsByBackupVault",
                    request.into_paginator().stop_on_duplicate_token(false).send(),
                    |o| o.next_token(),
                )
                .await
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
    for ((name, arn, kms_key_arn), points) in vault_list.into_iter().zip(recovery_points) {
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
        });
    }
    part
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
    let listed = match pages(
        "backup:ListBackupSelections",
        client
            .list_backup_selections()
            .backup_plan_id(plan_id)
            .into_paginator()
            .stop_on_duplicate_token(false)
            .send(),
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
