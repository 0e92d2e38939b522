//! Findings: what a rule reports about one resource, with severity, status, evidence and a
//! stable fingerprint; and the summary and gate decision over a set of them (SPEC §3–§4).

pub mod resource;

use crate::inventory::{ResourceKind, UnknownReason};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    // Declared most severe first, so sorting puts critical findings on top.
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    pub const ALL: [Severity; 5] =
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    /// True when `self` is as severe as `threshold` or more.
    pub fn at_least(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown severity `{s}` (expected critical, high, medium, low or info)"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Fail,
    Unknown,
    Waived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::Waived => "waived",
        }
    }
}

/// The resource a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRef {
    pub arn: String,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: ResourceKind,
    /// `None` for global resources (Route 53).
    pub region: Option<String>,
}

impl ResourceRef {
    pub fn new(
        kind: ResourceKind,
        arn: impl Into<String>,
        id: impl Into<String>,
        region: Option<&str>,
    ) -> Self {
        ResourceRef { arn: arn.into(), id: id.into(), kind, region: region.map(str::to_string) }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub code: String,
    pub severity: Severity,
    pub status: Status,
    pub resource: ResourceRef,
    pub app: Option<String>,
    pub message: String,
    pub evidence: Map<String, Value>,
    pub fingerprint: String,
    /// Against `--baseline`: whether the finding is new. Absent without a baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<BaselineState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineState {
    New,
    Unchanged,
}

impl Finding {
    /// Attach one piece of evidence; values that fail to serialise are recorded as null.
    pub fn with(&mut self, key: &str, value: impl Serialize) -> &mut Self {
        self.evidence.insert(key.to_string(), serde_json::to_value(value).unwrap_or(Value::Null));
        self
    }

    pub fn severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = severity;
        self
    }

    pub fn app(&mut self, app: impl Into<String>) -> &mut Self {
        self.app = Some(app.into());
        self
    }

    /// Record which data was missing, for unknown findings.
    pub fn missing(&mut self, reason: &UnknownReason) -> &mut Self {
        self.with("missing_data", reason)
    }
}

/// Stable identity of a finding: rule name and resource ARN only, so it survives unrelated
/// changes in the account, message rewording and evidence changes.
pub fn fingerprint(rule: &str, arn: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(rule.as_bytes());
    hasher.update([0u8]);
    hasher.update(arn.as_bytes());
    let digest = hasher.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_order_and_threshold() {
        assert!(Severity::Critical.at_least(Severity::High));
        assert!(Severity::High.at_least(Severity::High));
        assert!(!Severity::Medium.at_least(Severity::High));
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("severe".parse::<Severity>().is_err());
    }

    #[test]
    fn fingerprint_depends_on_rule_and_arn_only() {
        let a = fingerprint("ami-missing-in-dr", "arn:aws:ec2:ap-south-1:1:image/ami-1");
        assert_eq!(a, fingerprint("ami-missing-in-dr", "arn:aws:ec2:ap-south-1:1:image/ami-1"));
        assert_ne!(a, fingerprint("ami-missing-in-dr", "arn:aws:ec2:ap-south-1:1:image/ami-2"));
        assert_ne!(a, fingerprint("dr-ami-stale", "arn:aws:ec2:ap-south-1:1:image/ami-1"));
        assert_eq!(a.len(), 32);
    }
}
