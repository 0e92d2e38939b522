//! What the estimate and the rules run on: the drscan.toml sections they read, each in the type
//! of the code that reads it (matching in the inventory, targets and step times in the
//! estimate, rule thresholds and per-rule settings here), with their defaults. `config` fills
//! them from the file, the CLI's overrides step applies flags on top; rules read only this.
//!
//! A new threshold is one field of [`Thresholds`] (with its doc and, in `Default`, its
//! default) and its line in `drscan.example.toml`.

use crate::estimate::{DeclaredAutomation, EstimateConstants, EstimateSettings, Targets};
use crate::findings::Severity;
use crate::inventory::matching::Matching;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;

pub use crate::estimate::EFS_REPLICATION_RPO_FLOOR_SECONDS;

/// What a rule is set to in `[rules]`: `off`, or a severity replacing its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSetting {
    Off,
    Severity(Severity),
}

impl std::str::FromStr for RuleSetting {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.eq_ignore_ascii_case("off") {
            return Ok(RuleSetting::Off);
        }
        text.parse().map(RuleSetting::Severity).map_err(|e| format!("{e} (or `off` to disable the rule)"))
    }
}

impl<'de> Deserialize<'de> for RuleSetting {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::parse::from_str(deserializer)
    }
}

/// Replica lag tolerated when neither a threshold nor an RPO target is configured.
pub const DEFAULT_REPLICA_LAG_THRESHOLD_SECONDS: u64 = 300;
/// Share of the RTO target that detection (and, separately, a failover record's TTL) may use.
pub const RTO_BUDGET_SHARE_PERCENT: u64 = 25;
/// Detection budget without a target: a standard Route 53 check (30 s × 3) fits it exactly.
pub const DEFAULT_DETECTION_BUDGET_SECONDS: u64 = 90;
/// TTL budget for non-alias failover records without a target.
pub const DEFAULT_FAILOVER_TTL_BUDGET_SECONDS: u64 = 60;
/// Backup worst gap tolerated without an RPO target: a daily backup with the default 8 h start
/// window (32 h) fits; anything rarer than daily does not.
pub const DEFAULT_BACKUP_GAP_THRESHOLD_SECONDS: u64 = 36 * 3600;

/// [`RTO_BUDGET_SHARE_PERCENT`] of an RTO target, exact for any target (a share never exceeds it).
fn rto_budget_share(rto_seconds: u64) -> u64 {
    let share = u128::from(rto_seconds) * u128::from(RTO_BUDGET_SHARE_PERCENT) / 100;
    u64::try_from(share).unwrap_or(rto_seconds)
}

/// drscan.toml's `[thresholds]`: durations are written as strings (`"5m"`) under the key
/// without `_seconds`. An `Option` threshold derives from the targets when unset (see the
/// methods of [`Settings`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Replica lag above which `rds-replica-lag-high` fails; else the RPO target, else 5 min.
    #[serde(rename = "replica_lag", deserialize_with = "crate::parse::optional_seconds")]
    pub replica_lag_threshold_seconds: Option<u64>,
    /// How far back the collectors read lag metrics, and the age under which a replica may
    /// legitimately have no datapoints yet.
    #[serde(rename = "lag_window", deserialize_with = "crate::parse::seconds")]
    pub lag_window_seconds: u64,
    /// Health-check detection time allowed; else 25 % of the RTO target, else 90 s.
    #[serde(rename = "detection_budget", deserialize_with = "crate::parse::optional_seconds")]
    pub detection_budget_seconds: Option<u64>,
    /// TTL allowed on non-alias failover records; else 25 % of the RTO target, else 60 s.
    #[serde(rename = "failover_ttl_budget", deserialize_with = "crate::parse::optional_seconds")]
    pub failover_ttl_budget_seconds: Option<u64>,
    /// How long the DR AMI may lag the primary's before `dr-ami-stale` fires.
    #[serde(rename = "ami_stale_grace", deserialize_with = "crate::parse::seconds")]
    pub ami_stale_grace_seconds: u64,
    /// Age of the last EFS replication tolerated; else max(RPO target, 15 min).
    #[serde(rename = "efs_replication_lag", deserialize_with = "crate::parse::optional_seconds")]
    pub efs_replication_lag_threshold_seconds: Option<u64>,
    /// Backup worst gap tolerated; else the RPO target, else 36 h.
    #[serde(rename = "backup_gap", deserialize_with = "crate::parse::optional_seconds")]
    pub backup_gap_threshold_seconds: Option<u64>,
    /// S3 replication latency tolerated; else the RPO target, else 15 min (S3 RTC's bound).
    #[serde(rename = "s3_replication_lag", deserialize_with = "crate::parse::optional_seconds")]
    pub s3_replication_lag_threshold_seconds: Option<u64>,
    /// DynamoDB global-table replication latency tolerated; else the RPO target, else 5 min.
    #[serde(rename = "dynamodb_replication_lag", deserialize_with = "crate::parse::optional_seconds")]
    pub dynamodb_replication_lag_threshold_seconds: Option<u64>,
    /// How recent the evidence that an application's failover was exercised must be
    /// (`dr-exercised`); also how far back the collectors read restore jobs.
    #[serde(rename = "exercise_window", deserialize_with = "crate::parse::seconds")]
    pub exercise_window_seconds: u64,
    /// Automated-backup retention below which `rds-backup-retention-low` fires.
    pub min_backup_retention_days: u32,
    /// `dr-certificate-invalid` fires for certificates expiring within this many days.
    pub certificate_expiry_days: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            replica_lag_threshold_seconds: None,
            lag_window_seconds: 3600,
            detection_budget_seconds: None,
            failover_ttl_budget_seconds: None,
            ami_stale_grace_seconds: 24 * 3600,
            efs_replication_lag_threshold_seconds: None,
            backup_gap_threshold_seconds: None,
            s3_replication_lag_threshold_seconds: None,
            dynamodb_replication_lag_threshold_seconds: None,
            exercise_window_seconds: DEFAULT_EXERCISE_WINDOW_SECONDS,
            min_backup_retention_days: 7,
            certificate_expiry_days: 30,
        }
    }
}

/// What a setting asks of one S3 replication feature on the rules that copy a bucket to DR.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expectation {
    /// Either way.
    #[default]
    Any,
    Required,
    Forbidden,
}

/// drscan.toml's `[s3]`: what the replication rules that copy an application's buckets to the
/// DR region must do besides replicating new objects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct S3Settings {
    /// Delete markers: `required` (a delete in the primary is a delete in DR), `forbidden`
    /// (deleted objects stay recoverable in DR), or `any`.
    pub delete_marker_replication: Expectation,
    /// Objects that existed before the rule (`ExistingObjectReplication`): `required`,
    /// `forbidden` or `any`.
    pub existing_object_replication: Expectation,
}

pub use crate::inventory::exercises::DEFAULT_EXERCISE_WINDOW_SECONDS;

/// One `[[exercise]]`: a game day (or any failover exercise drscan cannot see in AWS) that
/// the team declares, with its outcome. Only a passed one is evidence for `dr-exercised`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclaredExercise {
    /// The application exercised, as drscan names it.
    #[serde(deserialize_with = "crate::parse::non_empty")]
    pub app: String,
    /// The day of the exercise (`YYYY-MM-DD`, quoted or a TOML date).
    #[serde(deserialize_with = "crate::parse::date")]
    pub date: NaiveDate,
    /// What was failed over (free text, named in the finding).
    #[serde(deserialize_with = "crate::parse::non_empty")]
    pub failed_over: String,
    pub result: ExerciseResult,
}

/// How a declared exercise ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExerciseResult {
    Passed,
    Failed,
}

/// Replication latency tolerated for DynamoDB global tables without a threshold or a target.
pub const DEFAULT_DYNAMODB_REPLICATION_LAG_SECONDS: u64 = 300;
/// S3 Replication Time Control replicates 99.99 % of objects within 15 minutes: the S3 lag
/// tolerated without a threshold or a target, and the RPO bound of a rule with RTC.
pub const S3_RTC_BOUND_SECONDS: u64 = 15 * 60;

/// Every setting the estimate and the rules read, by drscan.toml section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// `[applications]` and `[ami]`: how resources join applications and AMI copies pair with
    /// their sources.
    pub matching: Matching,
    /// `[targets]`.
    pub targets: Targets,
    /// `[thresholds]`.
    pub thresholds: Thresholds,
    /// `[estimate]`: the RTO/RPO estimate's step times (SPEC §6 defaults).
    pub estimate: EstimateConstants,
    /// `[[automation]]`: failover steps automated outside what drscan can see (a runbook
    /// automation, a Lambda…).
    pub declared_automation: Vec<DeclaredAutomation>,
    /// `[[exercise]]`: failover exercises declared by the team (game days).
    pub exercises: Vec<DeclaredExercise>,
    /// `[rules]`: canonical rule name → `off` or a severity override.
    pub rule_settings: BTreeMap<String, RuleSetting>,
    /// `[s3]`.
    pub s3: S3Settings,
}

impl Settings {
    /// The part of the settings the RTO/RPO estimate reads.
    pub fn estimate_settings(&self) -> EstimateSettings<'_> {
        EstimateSettings {
            targets: self.targets,
            constants: &self.estimate,
            declared_automation: &self.declared_automation,
        }
    }

    /// Lag above which a replica breaks the RPO: explicit, else the RPO target, else 5 minutes.
    pub fn replica_lag_threshold(&self) -> (u64, &'static str) {
        threshold(
            self.thresholds.replica_lag_threshold_seconds,
            "configured replica_lag threshold",
            self.rpo_target(),
            (DEFAULT_REPLICA_LAG_THRESHOLD_SECONDS, "default"),
        )
    }

    /// Time detection may take: explicit, else 25 % of the RTO target, else 90 s.
    pub fn detection_budget(&self) -> (u64, &'static str) {
        threshold(
            self.thresholds.detection_budget_seconds,
            "configured detection_budget",
            self.rto_target_share(),
            (DEFAULT_DETECTION_BUDGET_SECONDS, "default detection budget"),
        )
    }

    /// TTL a non-alias failover record may have: explicit, else 25 % of the RTO target, else 60 s.
    pub fn failover_ttl_budget(&self) -> (u64, &'static str) {
        threshold(
            self.thresholds.failover_ttl_budget_seconds,
            "configured failover_ttl_budget",
            self.rto_target_share(),
            (DEFAULT_FAILOVER_TTL_BUDGET_SECONDS, "default TTL budget"),
        )
    }

    /// Age of the last EFS replication tolerated: explicit, else max(RPO target, 15 min).
    pub fn efs_replication_lag_threshold(&self) -> (u64, &'static str) {
        let floored = self.targets.rpo_seconds.map(|rpo| {
            if rpo < EFS_REPLICATION_RPO_FLOOR_SECONDS {
                (
                    EFS_REPLICATION_RPO_FLOOR_SECONDS,
                    "EFS replication's 15 min floor (the RPO target is lower)",
                )
            } else {
                (rpo, "RPO target")
            }
        });
        threshold(
            self.thresholds.efs_replication_lag_threshold_seconds,
            "configured efs_replication_lag_threshold",
            floored,
            (EFS_REPLICATION_RPO_FLOOR_SECONDS, "EFS replication's 15 min floor"),
        )
    }

    /// S3 replication latency tolerated: explicit, else the RPO target, else S3 RTC's 15 min.
    pub fn s3_replication_lag_threshold(&self) -> (u64, &'static str) {
        threshold(
            self.thresholds.s3_replication_lag_threshold_seconds,
            "configured s3_replication_lag threshold",
            self.rpo_target(),
            (S3_RTC_BOUND_SECONDS, "S3 Replication Time Control's 15 min bound"),
        )
    }

    /// DynamoDB replication latency tolerated: explicit, else the RPO target, else 5 minutes.
    pub fn dynamodb_replication_lag_threshold(&self) -> (u64, &'static str) {
        threshold(
            self.thresholds.dynamodb_replication_lag_threshold_seconds,
            "configured dynamodb_replication_lag threshold",
            self.rpo_target(),
            (DEFAULT_DYNAMODB_REPLICATION_LAG_SECONDS, "default"),
        )
    }

    /// Backup worst gap tolerated: explicit, else the RPO target, else 36 h.
    pub fn backup_gap_threshold(&self) -> (u64, &'static str) {
        threshold(
            self.thresholds.backup_gap_threshold_seconds,
            "configured backup_gap_threshold",
            self.rpo_target(),
            (DEFAULT_BACKUP_GAP_THRESHOLD_SECONDS, "default backup gap threshold"),
        )
    }

    /// The RPO target as a threshold, when one is set.
    fn rpo_target(&self) -> Option<(u64, &'static str)> {
        self.targets.rpo_seconds.map(|rpo| (rpo, "RPO target"))
    }

    /// The share of the RTO target a budget gets, when a target is set.
    fn rto_target_share(&self) -> Option<(u64, &'static str)> {
        self.targets.rto_seconds.map(|rto| (rto_budget_share(rto), "25 % of the RTO target"))
    }
}

/// A threshold and where it came from: the configured value, else the one derived from a
/// target (when a target is set), else the default.
fn threshold(
    configured: Option<u64>,
    configured_source: &'static str,
    derived: Option<(u64, &'static str)>,
    default: (u64, &'static str),
) -> (u64, &'static str) {
    match configured {
        Some(value) => (value, configured_source),
        None => derived.unwrap_or(default),
    }
}
