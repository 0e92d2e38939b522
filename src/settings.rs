//! Audit settings: targets, thresholds and matching keys, with the documented defaults. The
//! CLI fills them from flags (and, later, drscan.toml); rules read only this, never flags.

use crate::estimate::{DeclaredAutomation, EstimateConstants};
use crate::findings::Severity;
use crate::inventory::matching::Matching;
use std::collections::BTreeMap;

/// What a rule is set to in configuration: off, or a severity replacing its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSetting {
    Off,
    Severity(Severity),
}

/// Replica lag tolerated when neither a threshold nor an RPO target is configured.
pub const DEFAULT_REPLICA_LAG_THRESHOLD_SECONDS: u64 = 300;
/// How far back the collectors read lag metrics, and the age under which a replica may
/// legitimately have no datapoints yet.
pub const DEFAULT_LAG_WINDOW_SECONDS: u64 = 3600;
/// Share of the RTO target that detection (and, separately, a failover record's TTL) may use.
pub const RTO_BUDGET_SHARE_PERCENT: u64 = 25;
/// Detection budget without a target: a standard Route 53 check (30 s × 3) fits it exactly.
pub const DEFAULT_DETECTION_BUDGET_SECONDS: u64 = 90;
/// TTL budget for non-alias failover records without a target.
pub const DEFAULT_FAILOVER_TTL_BUDGET_SECONDS: u64 = 60;
/// How long the DR AMI may lag the primary's before `dr-ami-stale` fires.
pub const DEFAULT_AMI_STALE_GRACE_SECONDS: u64 = 24 * 3600;
pub const DEFAULT_MIN_BACKUP_RETENTION_DAYS: u32 = 7;
pub const DEFAULT_CERTIFICATE_EXPIRY_DAYS: u32 = 30;
/// EFS replication's own RPO: AWS states most changes replicate within 15 minutes.
pub const EFS_REPLICATION_RPO_FLOOR_SECONDS: u64 = 15 * 60;
/// Backup worst gap tolerated without an RPO target: a daily backup with the default 8 h start
/// window (32 h) fits; anything rarer than daily does not.
pub const DEFAULT_BACKUP_GAP_THRESHOLD_SECONDS: u64 = 36 * 3600;

/// [`RTO_BUDGET_SHARE_PERCENT`] of an RTO target, exact for any target (a share never exceeds it).
fn rto_budget_share(rto_seconds: u64) -> u64 {
    let share = u128::from(rto_seconds) * u128::from(RTO_BUDGET_SHARE_PERCENT) / 100;
    u64::try_from(share).unwrap_or(rto_seconds)
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// How resources join applications and AMI copies pair with their sources.
    pub matching: Matching,
    pub rto_target_seconds: Option<u64>,
    pub rpo_target_seconds: Option<u64>,
    /// Explicit replica-lag threshold; otherwise derived from the RPO target.
    pub replica_lag_threshold_seconds: Option<u64>,
    pub lag_window_seconds: u64,
    /// The RTO/RPO estimate's step times (SPEC §6 defaults).
    pub estimate: EstimateConstants,
    /// Failover steps automated outside what drscan can see (a runbook automation, a Lambda…).
    pub declared_automation: Vec<DeclaredAutomation>,
    /// Explicit detection budget; otherwise a share of the RTO target.
    pub detection_budget_seconds: Option<u64>,
    /// Explicit TTL budget for non-alias failover records; otherwise a share of the RTO target.
    pub failover_ttl_budget_seconds: Option<u64>,
    pub ami_stale_grace_seconds: u64,
    pub min_backup_retention_days: u32,
    /// `dr-certificate-invalid` fires for certificates expiring within this many days.
    pub certificate_expiry_days: u32,
    /// Explicit EFS replication age threshold; otherwise max(RPO target, 15 min).
    pub efs_replication_lag_threshold_seconds: Option<u64>,
    /// Explicit backup worst-gap threshold; otherwise the RPO target.
    pub backup_gap_threshold_seconds: Option<u64>,
    /// Rule name → `off` or a severity override.
    pub rule_settings: BTreeMap<String, RuleSetting>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            matching: Matching::default(),
            rto_target_seconds: None,
            rpo_target_seconds: None,
            replica_lag_threshold_seconds: None,
            lag_window_seconds: DEFAULT_LAG_WINDOW_SECONDS,
            estimate: EstimateConstants::default(),
            declared_automation: Vec::new(),
            detection_budget_seconds: None,
            failover_ttl_budget_seconds: None,
            ami_stale_grace_seconds: DEFAULT_AMI_STALE_GRACE_SECONDS,
            min_backup_retention_days: DEFAULT_MIN_BACKUP_RETENTION_DAYS,
            certificate_expiry_days: DEFAULT_CERTIFICATE_EXPIRY_DAYS,
            efs_replication_lag_threshold_seconds: None,
            backup_gap_threshold_seconds: None,
            rule_settings: BTreeMap::new(),
        }
    }
}

impl Settings {
    /// Lag above which a replica breaks the RPO: explicit, else the RPO target, else 5 minutes.
    pub fn replica_lag_threshold(&self) -> (u64, &'static str) {
        if let Some(explicit) = self.replica_lag_threshold_seconds {
            (explicit, "configured replica_lag threshold")
        } else if let Some(rpo) = self.rpo_target_seconds {
            (rpo, "RPO target")
        } else {
            (DEFAULT_REPLICA_LAG_THRESHOLD_SECONDS, "default")
        }
    }

    /// Time detection may take: explicit, else 25 % of the RTO target, else 90 s.
    pub fn detection_budget(&self) -> (u64, &'static str) {
        if let Some(explicit) = self.detection_budget_seconds {
            (explicit, "configured detection_budget")
        } else if let Some(rto) = self.rto_target_seconds {
            (rto_budget_share(rto), "25 % of the RTO target")
        } else {
            (DEFAULT_DETECTION_BUDGET_SECONDS, "default detection budget")
        }
    }

    /// TTL a non-alias failover record may have: explicit, else 25 % of the RTO target, else 60 s.
    pub fn failover_ttl_budget(&self) -> (u64, &'static str) {
        if let Some(explicit) = self.failover_ttl_budget_seconds {
            (explicit, "configured failover_ttl_budget")
        } else if let Some(rto) = self.rto_target_seconds {
            (rto_budget_share(rto), "25 % of the RTO target")
        } else {
            (DEFAULT_FAILOVER_TTL_BUDGET_SECONDS, "default TTL budget")
        }
    }

    /// Age of the last EFS replication tolerated: explicit, else max(RPO target, 15 min).
    pub fn efs_replication_lag_threshold(&self) -> (u64, &'static str) {
        if let Some(explicit) = self.efs_replication_lag_threshold_seconds {
            (explicit, "configured efs_replication_lag_threshold")
        } else if let Some(rpo) = self.rpo_target_seconds {
            if rpo < EFS_REPLICATION_RPO_FLOOR_SECONDS {
                (
                    EFS_REPLICATION_RPO_FLOOR_SECONDS,
                    "EFS replication's 15 min floor (the RPO target is lower)",
                )
            } else {
                (rpo, "RPO target")
            }
        } else {
            (EFS_REPLICATION_RPO_FLOOR_SECONDS, "EFS replication's 15 min floor")
        }
    }

    /// Backup worst gap tolerated: explicit, else the RPO target, else 36 h.
    pub fn backup_gap_threshold(&self) -> (u64, &'static str) {
        if let Some(explicit) = self.backup_gap_threshold_seconds {
            (explicit, "configured backup_gap_threshold")
        } else if let Some(rpo) = self.rpo_target_seconds {
            (rpo, "RPO target")
        } else {
            (DEFAULT_BACKUP_GAP_THRESHOLD_SECONDS, "default backup gap threshold")
        }
    }
}
