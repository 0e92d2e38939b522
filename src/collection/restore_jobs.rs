//! AWS Backup restore jobs of one region that completed within the exercise window
//! (`ListRestoreJobs` by status `COMPLETED`, completed after the window's start, so the
//! listing is bounded by the window however long the account's history). `dr-exercised`
//! counts those a restore testing plan started in the DR region. Paced under the pacer's AWS
//! Backup bucket (see `pacing`), like the rest of AWS Backup.

use super::paging::all_pages;
use super::{Part, RegionCtx, smithy_time};
use crate::inventory::ResourceKind as K;
use crate::inventory::exercises::RestoreJob;
use aws_sdk_backup::types::RestoreJobStatus;

/// The kinds this collector lists; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] = &[K::RestoreJob];

/// ListRestoreJobs returns at most 1,000 jobs per page (`MaxResults`).
const RESTORE_JOBS_PER_PAGE: i32 = 1000;

pub(crate) async fn collect(ctx: &RegionCtx) -> Part {
    let mut part = Part::default();
    let since = crate::time::before(ctx.collected_at, ctx.exercise_window.as_secs());
    let listing = all_pages(
        "backup:ListRestoreJobs",
        ctx.backup()
            .list_restore_jobs()
            .by_status(RestoreJobStatus::Completed)
            .by_complete_after(aws_smithy_types::DateTime::from_secs(since.timestamp()))
            .max_results(RESTORE_JOBS_PER_PAGE)
            .into_paginator(),
        |o| o.next_token(),
    )
    .await;
    part.resources.restore_jobs = part
        .listed(ctx, listing, FILLS)
        .iter()
        .flat_map(|p| p.restore_jobs())
        .filter_map(|j| {
            Some(RestoreJob {
                id: j.restore_job_id()?.to_string(),
                recovery_point_arn: j.recovery_point_arn().unwrap_or_default().to_string(),
                source_resource_arn: j.source_resource_arn().map(str::to_string),
                created_resource_arn: j.created_resource_arn().map(str::to_string),
                resource_type: j.resource_type().unwrap_or_default().to_string(),
                restore_testing_plan_arn: j
                    .created_by()
                    .and_then(|c| c.restore_testing_plan_arn())
                    .filter(|arn| !arn.is_empty())
                    .map(str::to_string),
                status: j.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                validation_status: j.validation_status().map(|s| s.as_str().to_string()),
                creation_date: smithy_time(j.creation_date())?,
                completion_date: smithy_time(j.completion_date()),
            })
        })
        .collect();
    part
}
