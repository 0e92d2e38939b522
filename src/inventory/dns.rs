//! Route 53 (a global service): hosted zones, their record sets, and health checks with their
//! current status, plus the DNS-name normalisation every alias comparison goes through.

use super::Tags;
use super::known::Known;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostedZone {
    /// The bare zone ID (`Z123…`, without the `/hostedzone/` prefix).
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub private: bool,
    /// Record sets of the zone, unknown when ListResourceRecordSets failed.
    pub record_sets: Known<Vec<RecordSet>>,
}

impl HostedZone {
    pub fn arn(&self) -> String {
        format!("arn:aws:route53:::hostedzone/{}", self.id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FailoverRole {
    Primary,
    Secondary,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSet {
    pub name: String,
    #[serde(rename = "type")]
    pub record_type: String,
    #[serde(default)]
    pub set_identifier: Option<String>,
    #[serde(default)]
    pub failover: Option<FailoverRole>,
    #[serde(default)]
    pub ttl: Option<u64>,
    #[serde(default)]
    pub alias_target: Option<AliasTarget>,
    #[serde(default)]
    pub health_check_id: Option<String>,
    #[serde(default)]
    pub values: Vec<String>,
}

impl RecordSet {
    /// The synthetic identity of SPEC §2: record sets have no ARN of their own.
    pub fn arn(&self, zone_id: &str) -> String {
        format!(
            "arn:aws:route53:::hostedzone/{zone_id}/recordset/{}/{}/{}",
            normalize_dns_name(&self.name),
            self.record_type,
            self.set_identifier.as_deref().unwrap_or("")
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AliasTarget {
    pub dns_name: String,
    pub hosted_zone_id: String,
    #[serde(default)]
    pub evaluate_target_health: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    pub id: String,
    /// `HTTP`, `HTTPS`, `HTTP_STR_MATCH`, `HTTPS_STR_MATCH`, `TCP`, `CALCULATED`,
    /// `CLOUDWATCH_METRIC` or `RECOVERY_CONTROL`.
    #[serde(rename = "type")]
    pub check_type: String,
    #[serde(default)]
    pub fqdn: Option<String>,
    #[serde(default)]
    pub ip_address: Option<String>,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub resource_path: Option<String>,
    #[serde(default = "default_request_interval")]
    pub request_interval: u32,
    #[serde(default = "default_failure_threshold")]
    pub failure_threshold: u32,
    #[serde(default)]
    pub inverted: bool,
    #[serde(default)]
    pub disabled: bool,
    /// CALCULATED checks: how many children must be healthy.
    #[serde(default)]
    pub health_threshold: Option<u32>,
    #[serde(default)]
    pub child_health_checks: Vec<String>,
    /// CLOUDWATCH_METRIC checks: the alarm, and what the check reports on insufficient data
    /// (`Healthy`, `Unhealthy` or `LastKnownStatus`).
    #[serde(default)]
    pub alarm_name: Option<String>,
    #[serde(default)]
    pub alarm_region: Option<String>,
    #[serde(default)]
    pub insufficient_data_health_status: Option<String>,
    /// What the Route 53 checkers report now; unknown when GetHealthCheckStatus failed.
    pub status: Known<HealthCheckStatus>,
    #[serde(default)]
    pub tags: Tags,
}

fn default_request_interval() -> u32 {
    30
}
fn default_failure_threshold() -> u32 {
    3
}

impl HealthCheck {
    pub fn arn(&self) -> String {
        format!("arn:aws:route53:::healthcheck/{}", self.id)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheckStatus {
    pub checkers_reporting_healthy: u32,
    pub checkers: u32,
}

impl HealthCheckStatus {
    /// Route 53 considers an endpoint healthy when more than 18 % of checkers report it healthy.
    pub fn is_healthy(&self) -> bool {
        self.checkers > 0 && u64::from(self.checkers_reporting_healthy) * 100 > u64::from(self.checkers) * 18
    }
}

/// Canonical form for comparing DNS names: lower case, no trailing dot, no `dualstack.` prefix.
pub fn normalize_dns_name(name: &str) -> String {
    let trimmed = name.trim().trim_end_matches('.');
    let lower = trimmed.to_ascii_lowercase();
    match lower.strip_prefix("dualstack.") {
        Some(rest) => rest.to_string(),
        None => lower,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names_compare_without_case_trailing_dot_or_dualstack() {
        assert_eq!(
            normalize_dns_name("dualstack.Web-DR-123.us-east-1.ELB.amazonaws.com."),
            "web-dr-123.us-east-1.elb.amazonaws.com"
        );
        assert_eq!(normalize_dns_name("app.example.com"), "app.example.com");
        // Only a leading label is stripped, not one in the middle.
        assert_eq!(normalize_dns_name("a.dualstack.example.com"), "a.dualstack.example.com");
    }

    #[test]
    fn health_follows_the_route53_checker_share() {
        assert!(HealthCheckStatus { checkers_reporting_healthy: 3, checkers: 16 }.is_healthy());
        assert!(!HealthCheckStatus { checkers_reporting_healthy: 2, checkers: 16 }.is_healthy());
        assert!(!HealthCheckStatus { checkers_reporting_healthy: 0, checkers: 0 }.is_healthy());
    }
}
