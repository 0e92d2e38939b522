//! Audit settings: targets, thresholds and matching keys, with the documented defaults. The
//! CLI fills them from flags (and, later, drscan.toml); rules read only this, never flags.

use crate::findings::Severity;
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

#[derive(Debug, Clone)]
pub struct Settings {
    /// Tag key that joins resources to an application.
    pub app_tag_key: String,
    /// Tag key whose value pairs a DR AMI copy with its primary AMI (same value on both, or
    /// the primary AMI's ID on the copy).
    pub ami_pairing_tag: String,
    pub rto_target_seconds: Option<u64>,
    pub rpo_target_seconds: Option<u64>,
    /// Explicit replica-lag threshold; otherwise derived from the RPO target.
    pub replica_lag_threshold_seconds: Option<u64>,
    pub lag_window_seconds: u64,
    /// Normalised failover record name → application name, for records whose targets carry no tag.
    pub record_applications: BTreeMap<String, String>,
    /// Rule name → `off` or a severity override.
    pub rule_settings: BTreeMap<String, RuleSetting>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            app_tag_key: "app".to_string(),
            ami_pairing_tag: "drscan:source-ami".to_string(),
            rto_target_seconds: None,
            rpo_target_seconds: None,
            replica_lag_threshold_seconds: None,
            lag_window_seconds: DEFAULT_LAG_WINDOW_SECONDS,
            record_applications: BTreeMap::new(),
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
}
