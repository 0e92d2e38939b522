//! Route 53 (a global service): hosted zones, their record sets, and health checks with their
//! current status, plus the DNS-name normalisation every alias comparison goes through.

use super::Tags;
use super::known::{Known, UnknownReason};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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

    /// The host name a plain CNAME record answers with (its one value), if it is one.
    pub fn cname_target(&self) -> Option<&str> {
        (self.record_type == "CNAME" && self.alias_target.is_none())
            .then(|| self.values.first().map(String::as_str))
            .flatten()
    }

    /// The name the record sends traffic to — its alias target or CNAME value — with the verb
    /// messages use for it (`aliases`, `is a CNAME to`); what
    /// [`super::graph::Inventory::resolve_record`] follows.
    pub fn named_target(&self) -> Option<(&'static str, &str)> {
        match &self.alias_target {
            Some(alias) => Some(("aliases", alias.dns_name.as_str())),
            None => self.cname_target().map(|value| ("is a CNAME to", value)),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    /// What Route 53 reports now (from the metric, or the checkers where it has no data);
    /// unknown when it could not be read, and not read for checks no failover record uses.
    pub status: Known<HealthCheckStatus>,
    #[serde(default)]
    pub tags: Tags,
    /// Why its tags could not be read (ListTagsForResources failed): `tags` is then empty.
    /// `None`: read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags_unknown: Option<UnknownReason>,
}

fn default_request_interval() -> u32 {
    30
}
fn default_failure_threshold() -> u32 {
    3
}

// By hand, for Route 53's default interval and threshold, which serde also defaults to.
impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            id: String::new(),
            check_type: String::new(),
            fqdn: None,
            ip_address: None,
            port: None,
            resource_path: None,
            request_interval: default_request_interval(),
            failure_threshold: default_failure_threshold(),
            inverted: false,
            disabled: false,
            health_threshold: None,
            child_health_checks: Vec::new(),
            alarm_name: None,
            alarm_region: None,
            insufficient_data_health_status: None,
            status: Known::default(),
            tags: Tags::new(),
            tags_unknown: None,
        }
    }
}

impl HealthCheck {
    pub fn arn(&self) -> String {
        health_check_arn(&self.id)
    }
}

/// The synthetic ARN of health check `id` (Route 53 gives none).
pub fn health_check_arn(id: &str) -> String {
    format!("arn:aws:route53:::healthcheck/{id}")
}

/// A health check's status now, as Route 53 reports it, and where it was read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheckStatus {
    /// Where the status was read (snapshots without it: the checkers).
    #[serde(default)]
    pub source: HealthStatusSource,
    /// Checker observations (GetHealthCheckStatus): how many of the checkers report healthy.
    #[serde(default)]
    pub checkers_reporting_healthy: u32,
    #[serde(default)]
    pub checkers: u32,
    /// The metric's newest one-minute minimum (1 healthy, 0 unhealthy) and the minute it covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_minimum: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_at: Option<DateTime<Utc>>,
}

/// Where a health check's status was read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatusSource {
    /// GetHealthCheckStatus: the newest observation of each Route 53 checker.
    #[default]
    Checkers,
    /// The `AWS/Route53` `HealthCheckStatus` metric (published in us-east-1), which Route 53
    /// computes from the same checkers for every health check.
    Metric,
}

impl HealthCheckStatus {
    pub fn from_checkers(checkers_reporting_healthy: u32, checkers: u32) -> Self {
        HealthCheckStatus { checkers_reporting_healthy, checkers, ..HealthCheckStatus::default() }
    }

    pub fn from_metric(minimum: f64, at: DateTime<Utc>) -> Self {
        HealthCheckStatus {
            source: HealthStatusSource::Metric,
            metric_minimum: Some(minimum),
            metric_at: Some(at),
            ..HealthCheckStatus::default()
        }
    }

    /// Checkers: Route 53 considers an endpoint healthy when more than 18 % of checkers report
    /// it healthy. Metric: 1 is healthy, 0 unhealthy; a minute's minimum below 1 means the
    /// check was unhealthy during that minute.
    pub fn is_healthy(&self) -> bool {
        match self.source {
            HealthStatusSource::Checkers => {
                self.checkers > 0
                    && u64::from(self.checkers_reporting_healthy) * 100 > u64::from(self.checkers) * 18
            }
            HealthStatusSource::Metric => self.metric_minimum.is_some_and(|m| m >= 1.0),
        }
    }

    /// What the status rests on, for messages: `2 of 16 checkers healthy`, or
    /// `HealthCheckStatus metric 0 at 2026-01-05 10:41 UTC`.
    pub fn describe(&self) -> String {
        match self.source {
            HealthStatusSource::Checkers => {
                format!("{} of {} checkers healthy", self.checkers_reporting_healthy, self.checkers)
            }
            HealthStatusSource::Metric => format!(
                "HealthCheckStatus metric {} at {}",
                self.metric_minimum.map(|m| m.to_string()).unwrap_or_else(|| "missing".into()),
                self.metric_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default()
            ),
        }
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
        assert!(HealthCheckStatus::from_checkers(3, 16).is_healthy());
        assert!(!HealthCheckStatus::from_checkers(2, 16).is_healthy());
        assert!(!HealthCheckStatus::from_checkers(0, 0).is_healthy());
    }

    #[test]
    fn health_from_the_metric_is_its_minimum() {
        let at = DateTime::from_timestamp(1_767_609_660, 0).unwrap_or_default();
        assert!(HealthCheckStatus::from_metric(1.0, at).is_healthy());
        assert!(!HealthCheckStatus::from_metric(0.0, at).is_healthy());
        assert_eq!(
            HealthCheckStatus::from_metric(0.0, at).describe(),
            "HealthCheckStatus metric 0 at 2026-01-05 10:41 UTC"
        );
        assert_eq!(HealthCheckStatus::from_checkers(2, 16).describe(), "2 of 16 checkers healthy");
    }

    #[test]
    fn snapshots_without_a_status_source_read_as_checker_observations() {
        let status: HealthCheckStatus =
            serde_json::from_str(r#"{"checkers_reporting_healthy": 16, "checkers": 16}"#).unwrap_or_default();
        assert_eq!(status, HealthCheckStatus::from_checkers(16, 16));
        assert!(status.is_healthy());
    }
}
