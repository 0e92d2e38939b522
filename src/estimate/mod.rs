//! RTO/RPO estimates per application (SPEC §6), computed once per audit from the collected
//! configuration, before the rules run: the readiness rules judge them, the outputs show them.
//!
//! Every term keeps its value and where it came from (a field of a resource, or one of the
//! [`EstimateConstants`]), so a reader can check the arithmetic:
//!
//! ```text
//! RTO = max(detection) + routing + max over steps (start + time) + DNS TTL
//! RPO = max over data stores of the best DR copy's data-loss window
//! ```
//!
//! A term is a number of seconds, unbounded (the failover can never complete, or data loss has
//! no bound: no DR copy, replication stopped), or unknown (data missing; the reason is kept).

pub mod automation;
mod build;
pub mod detection;
pub mod schedule;

pub use build::estimate;

use crate::findings::ResourceRef;
use crate::inventory::UnknownReason;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// Step times of SPEC §6, drscan.toml's `[estimate]` section (durations; the keys drop the
/// `_seconds`). Defaults are SPEC §6's, plus three that drscan adds (marked below) because a
/// restore, a copy and an application's boot have no constant in the SPEC.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EstimateConstants {
    /// Promoting a cross-region RDS read replica to a standalone instance: 10 min.
    #[serde(rename = "rds_replica_promotion", deserialize_with = "crate::parse::seconds")]
    pub rds_replica_promotion_seconds: u64,
    /// Aurora global database managed failover / switchover to the DR secondary: 2 min.
    #[serde(rename = "aurora_global_failover", deserialize_with = "crate::parse::seconds")]
    pub aurora_global_failover_seconds: u64,
    /// Adding a writer instance to a headless Aurora secondary cluster: 10 min.
    #[serde(rename = "aurora_instance_creation", deserialize_with = "crate::parse::seconds")]
    pub aurora_instance_creation_seconds: u64,
    /// Deleting the EFS replication configuration so the DR copy becomes writable: 5 min.
    #[serde(rename = "efs_replication_break", deserialize_with = "crate::parse::seconds")]
    pub efs_replication_break_seconds: u64,
    /// An EC2 instance from launch to `InService` in its Auto Scaling group: 3 min.
    #[serde(rename = "ec2_launch", deserialize_with = "crate::parse::seconds")]
    pub ec2_launch_seconds: u64,
    /// The application's own boot after `InService` (drscan addition): 0, as a baked AMI is
    /// usually serving by then; set it from your launch logs.
    #[serde(rename = "app_boot", deserialize_with = "crate::parse::seconds")]
    pub app_boot_seconds: u64,
    /// A person noticing, deciding and acting on a step nothing automates: 15 min.
    #[serde(rename = "manual_decision", deserialize_with = "crate::parse::seconds")]
    pub manual_decision_seconds: u64,
    /// Restoring a data store from a recovery point in the DR vault (drscan addition): 1 h;
    /// restore time grows with data size, so set it from a restore test.
    #[serde(rename = "backup_restore", deserialize_with = "crate::parse::seconds")]
    pub backup_restore_seconds: u64,
    /// Cross-region backup copy duration when no completed DR recovery point shows it
    /// (drscan addition): 1 h.
    #[serde(rename = "backup_copy", deserialize_with = "crate::parse::seconds")]
    pub backup_copy_seconds: u64,
    /// Effective TTL of an alias record (Route 53 uses the target's, 60 s for ELB).
    #[serde(rename = "alias_ttl", deserialize_with = "crate::parse::seconds")]
    pub alias_ttl_seconds: u64,
}

impl Default for EstimateConstants {
    fn default() -> Self {
        EstimateConstants {
            rds_replica_promotion_seconds: 600,
            aurora_global_failover_seconds: 120,
            aurora_instance_creation_seconds: 600,
            efs_replication_break_seconds: 300,
            ec2_launch_seconds: 180,
            app_boot_seconds: 0,
            manual_decision_seconds: 900,
            backup_restore_seconds: 3600,
            backup_copy_seconds: 3600,
            alias_ttl_seconds: 60,
        }
    }
}

/// The steps a failover needs besides DNS (SPEC §1: Route 53 does none of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailoverStep {
    DrScaleOut,
    ReplicaPromotion,
    AuroraGlobalFailover,
    BreakEfsReplication,
    RestoreFromBackup,
}

impl FailoverStep {
    pub const ALL: [FailoverStep; 5] = [
        FailoverStep::DrScaleOut,
        FailoverStep::ReplicaPromotion,
        FailoverStep::AuroraGlobalFailover,
        FailoverStep::BreakEfsReplication,
        FailoverStep::RestoreFromBackup,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FailoverStep::DrScaleOut => "dr-scale-out",
            FailoverStep::ReplicaPromotion => "replica-promotion",
            FailoverStep::AuroraGlobalFailover => "aurora-global-failover",
            FailoverStep::BreakEfsReplication => "break-efs-replication",
            FailoverStep::RestoreFromBackup => "restore-from-backup",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            FailoverStep::DrScaleOut => "scaling the DR Auto Scaling group out",
            FailoverStep::ReplicaPromotion => "promoting the DR read replica",
            FailoverStep::AuroraGlobalFailover => "failing the Aurora global database over",
            FailoverStep::BreakEfsReplication => "breaking EFS replication",
            FailoverStep::RestoreFromBackup => "restoring from the DR backup copy",
        }
    }
}

impl fmt::Display for FailoverStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failover step that configuration declares automated (for one application, or all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclaredAutomation {
    #[serde(default)]
    pub app: Option<String>,
    pub step: FailoverStep,
}

/// A duration that may have no bound or be unknown.
#[derive(Debug, Clone, PartialEq)]
pub enum Amount {
    Seconds(u64),
    /// The failover can never complete, or data loss has no bound; the reason says why.
    Unbounded(String),
    Unknown(UnknownReason),
}

impl Amount {
    pub fn seconds(&self) -> Option<u64> {
        match self {
            Amount::Seconds(s) => Some(*s),
            _ => None,
        }
    }

    /// Sum: unbounded dominates, then unknown.
    pub fn plus(&self, other: &Amount) -> Amount {
        match (self, other) {
            (Amount::Unbounded(r), _) | (_, Amount::Unbounded(r)) => Amount::Unbounded(r.clone()),
            (Amount::Unknown(r), _) | (_, Amount::Unknown(r)) => Amount::Unknown(r.clone()),
            (Amount::Seconds(a), Amount::Seconds(b)) => Amount::Seconds(a + b),
        }
    }

    /// Maximum: unbounded dominates; an unknown term may be the largest, so it wins over numbers.
    pub fn max(&self, other: &Amount) -> Amount {
        match (self, other) {
            (Amount::Unbounded(r), _) | (_, Amount::Unbounded(r)) => Amount::Unbounded(r.clone()),
            (Amount::Unknown(r), _) | (_, Amount::Unknown(r)) => Amount::Unknown(r.clone()),
            (Amount::Seconds(a), Amount::Seconds(b)) => Amount::Seconds(*a.max(b)),
        }
    }

    /// How this amount orders for "which term is worst": unbounded, unknown, then by size.
    fn rank(&self) -> (u8, u64) {
        match self {
            Amount::Unbounded(_) => (2, 0),
            Amount::Unknown(_) => (1, 0),
            Amount::Seconds(s) => (0, *s),
        }
    }

    pub fn text(&self) -> String {
        match self {
            Amount::Seconds(s) => duration_text(*s),
            Amount::Unbounded(_) => "unbounded".to_string(),
            Amount::Unknown(_) => "unknown".to_string(),
        }
    }
}

/// Durations as drscan writes them everywhere (two units, rounded up).
pub use crate::duration::text as duration_text;

/// What a term of the RTO is, which decides how it combines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    /// How long until Route 53 sees the primary as unhealthy (the slowest record counts).
    Detection,
    /// Whether Route 53 has somewhere to fail over to at all (0 or unbounded).
    Routing,
    /// A failover step; steps run in parallel, the slowest counts.
    Step(FailoverStep),
    /// How long resolvers keep answering with the old record.
    Dns,
}

/// How a step gets started.
#[derive(Debug, Clone, PartialEq)]
pub enum Automation {
    /// Automation drscan sees, described.
    Seen(String),
    /// Declared in configuration.
    Declared,
    /// Nothing drscan can see or the configuration declares.
    Manual,
    /// Scaling policies or alarms could not be read.
    Unknown(UnknownReason),
}

#[derive(Debug, Clone)]
pub struct RtoTerm {
    pub kind: TermKind,
    /// `detection`, `routing`, `dns-ttl`, or the step name.
    pub step: String,
    pub amount: Amount,
    /// Where every part of the value came from.
    pub source: String,
    /// The resource whose attribute sets this term.
    pub resource: Option<ResourceRef>,
    /// For steps: how the step starts (a manual start is already included in `amount`).
    pub automation: Option<Automation>,
    /// True for the terms that make up the total: the slowest of each kind.
    pub critical_path: bool,
}

#[derive(Debug, Clone)]
pub struct RpoTerm {
    /// `rds orders-db`, `aurora api-aurora`, `efs fs-…`.
    pub store: String,
    pub amount: Amount,
    pub source: String,
    pub resource: ResourceRef,
    /// True for the store that sets the application's RPO.
    pub critical_path: bool,
}

/// Recovery objectives: drscan.toml's `[targets]` (`rto`, `rpo` as durations), or the flags.
/// Serialized (JSON `targets`) with the unit in the name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Targets {
    #[serde(rename(deserialize = "rto"), deserialize_with = "crate::parse::optional_seconds")]
    pub rto_seconds: Option<u64>,
    #[serde(rename(deserialize = "rpo"), deserialize_with = "crate::parse::optional_seconds")]
    pub rpo_seconds: Option<u64>,
}

/// What the estimate reads from configuration: the targets, the step times, and the steps
/// declared automated.
#[derive(Debug, Clone, Copy)]
pub struct EstimateSettings<'a> {
    pub targets: Targets,
    pub constants: &'a EstimateConstants,
    pub declared_automation: &'a [DeclaredAutomation],
}

/// EFS replication's own RPO: AWS states most changes replicate within 15 minutes.
pub const EFS_REPLICATION_RPO_FLOOR_SECONDS: u64 = 15 * 60;

#[derive(Debug, Clone)]
pub struct AppEstimate {
    pub app: String,
    pub rto: Amount,
    pub rpo: Amount,
    pub rto_terms: Vec<RtoTerm>,
    pub rpo_terms: Vec<RpoTerm>,
    pub targets: Targets,
}

impl AppEstimate {
    /// Combine the terms as SPEC §6 says, and mark the ones on the critical path.
    fn new(app: String, mut rto_terms: Vec<RtoTerm>, mut rpo_terms: Vec<RpoTerm>, targets: Targets) -> Self {
        let mut rto = Amount::Seconds(0);
        let kinds: [fn(TermKind) -> bool; 4] = [
            |k| k == TermKind::Detection,
            |k| k == TermKind::Routing,
            |k| matches!(k, TermKind::Step(_)),
            |k| k == TermKind::Dns,
        ];
        for is_kind in kinds {
            let worst = rto_terms.iter_mut().filter(|t| is_kind(t.kind)).max_by_key(|t| t.amount.rank());
            if let Some(term) = worst {
                term.critical_path = true;
                rto = rto.plus(&term.amount);
            }
        }
        let mut rpo = Amount::Seconds(0);
        if let Some(worst) = rpo_terms.iter_mut().max_by_key(|t| t.amount.rank()) {
            worst.critical_path = true;
            rpo = worst.amount.clone();
        }
        AppEstimate { app, rto, rpo, rto_terms, rpo_terms, targets }
    }
}

/// The worst gap of one backup plan rule, evaluated once per audit.
#[derive(Debug, Clone)]
pub struct BackupGap {
    pub expression: String,
    pub timezone: String,
    /// Largest gap between consecutive runs, or why it has no bound or cannot be computed.
    pub schedule: Amount,
    pub start_window_seconds: u64,
    /// `StartWindowMinutes` as configured, or AWS Backup's default of 8 h when absent.
    pub start_window_defaulted: bool,
}

/// AWS Backup's default `StartWindowMinutes` (8 hours) and `CompletionWindowMinutes` (7 days):
/// https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRule.html
pub const DEFAULT_START_WINDOW_MINUTES: u32 = 480;
pub const DEFAULT_COMPLETION_WINDOW_MINUTES: u32 = 10_080;

impl BackupGap {
    /// Schedule gap plus start window: the longest time between two backups' start.
    pub fn worst(&self) -> Amount {
        self.schedule.plus(&Amount::Seconds(self.start_window_seconds))
    }

    pub fn describe(&self) -> String {
        let window = if self.start_window_defaulted {
            format!("start window {} (AWS Backup default)", duration_text(self.start_window_seconds))
        } else {
            format!("StartWindowMinutes {}", duration_text(self.start_window_seconds))
        };
        match &self.schedule {
            Amount::Seconds(s) => format!(
                "{} in {}: longest gap between runs {} + {window}",
                self.expression,
                self.timezone,
                duration_text(*s)
            ),
            Amount::Unbounded(why) => format!("{} in {}: {why}", self.expression, self.timezone),
            Amount::Unknown(reason) => {
                format!("{} in {}: {}", self.expression, self.timezone, reason.message)
            }
        }
    }
}

/// Everything estimated in one audit.
#[derive(Debug, Default)]
pub struct Estimates {
    pub apps: Vec<AppEstimate>,
    /// (plan ARN, rule name) → worst gap, for every backup plan rule of both regions.
    pub backup_gaps: HashMap<(String, String), BackupGap>,
}

impl Estimates {
    pub fn app(&self, name: &str) -> Option<&AppEstimate> {
        self.apps.iter().find(|a| a.app == name)
    }

    pub fn backup_gap(&self, plan_arn: &str, rule_name: &str) -> Option<&BackupGap> {
        self.backup_gaps.get(&(plan_arn.to_string(), rule_name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(90), "1m 30s");
        assert_eq!(duration_text(93_600), "1d 2h");
        assert_eq!(duration_text(0), "0s");
    }

    #[test]
    fn amounts_combine_with_unbounded_then_unknown_dominating() {
        let unknown = Amount::Unknown(UnknownReason::new("x", crate::inventory::ErrorCause::Other, ""));
        assert_eq!(Amount::Seconds(1).plus(&Amount::Seconds(2)), Amount::Seconds(3));
        assert_eq!(Amount::Seconds(1).max(&Amount::Seconds(2)), Amount::Seconds(2));
        assert!(matches!(Amount::Seconds(1).max(&unknown), Amount::Unknown(_)));
        assert!(matches!(unknown.plus(&Amount::Unbounded("no".into())), Amount::Unbounded(_)));
    }
}
