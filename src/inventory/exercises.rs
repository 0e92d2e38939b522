//! Evidence that failover was exercised: AWS Backup restore jobs that a restore testing plan
//! started (`ListRestoreJobs`), and AWS FIS experiments with the targets they were run on
//! (`ListExperiments` + `GetExperiment`). `dr-exercised` reads them, beside the game days
//! declared in drscan.toml (`[[exercise]]`, in `settings`).

/// How recent evidence of a failover exercise must be without `[thresholds] exercise_window`
/// (collection reads restore jobs and experiments this far back; the rule judges against it).
pub const DEFAULT_EXERCISE_WINDOW_SECONDS: u64 = 90 * 86_400;

use super::{Known, Tags};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A completed restore job (`ListRestoreJobs` by status `COMPLETED`, completed within the
/// exercise window), in the region it restored into.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreJob {
    pub id: String,
    /// The recovery point restored from.
    pub recovery_point_arn: String,
    /// The resource the recovery point was taken of (AWS's `SourceResourceArn`), when AWS says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_resource_arn: Option<String>,
    /// What the restore created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_resource_arn: Option<String>,
    #[serde(default)]
    pub resource_type: String,
    /// The restore testing plan that started the job (`CreatedBy.RestoreTestingPlanArn`);
    /// `None` for a restore someone started by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_testing_plan_arn: Option<String>,
    /// `COMPLETED` (the only status drscan lists).
    pub status: String,
    /// The restore test's validation: `SUCCESSFUL`, `FAILED`, `TIMED_OUT`, `VALIDATING`, or
    /// none when the plan validates nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_status: Option<String>,
    pub creation_date: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_date: Option<DateTime<Utc>>,
}

impl RestoreJob {
    /// A restore a restore testing plan ran, that completed and whose validation (if any)
    /// did not fail: evidence that the DR copy restores.
    pub fn is_passed_restore_test(&self) -> bool {
        self.restore_testing_plan_arn.is_some()
            && self.status == "COMPLETED"
            && !matches!(self.validation_status.as_deref(), Some("FAILED" | "TIMED_OUT"))
    }

    /// When the restore test finished (else when it started).
    pub fn finished_at(&self) -> DateTime<Utc> {
        self.completion_date.unwrap_or(self.creation_date)
    }
}

/// An AWS FIS experiment (`ListExperiments`), with its targets (`GetExperiment`) for those
/// drscan could judge: completed within the exercise window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    pub id: String,
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment_template_id: Option<String>,
    /// `pending`, `initiating`, `running`, `completed`, `stopping`, `stopped`, `failed` or
    /// `cancelled`.
    pub status: String,
    pub creation_time: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<DateTime<Utc>>,
    /// What the experiment acted on; unknown when GetExperiment failed. Empty for experiments
    /// drscan did not ask about (not completed, or older than the window).
    #[serde(default)]
    pub targets: Known<Vec<ExperimentTarget>>,
}

impl Experiment {
    pub fn is_completed(&self) -> bool {
        self.status == "completed"
    }

    /// When the experiment ran: its start, else its creation.
    pub fn ran_at(&self) -> DateTime<Utc> {
        self.start_time.unwrap_or(self.creation_time)
    }
}

/// One of an experiment's targets: resources named by ARN, or selected by tags.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentTarget {
    pub name: String,
    /// e.g. `aws:ec2:instance`, `aws:rds:db`.
    #[serde(default)]
    pub resource_type: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_arns: Vec<String>,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub resource_tags: Tags,
}
