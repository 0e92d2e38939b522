//! Elastic Load Balancing resources of one region: load balancers (ELBv2's, and Classic Load
//! Balancers as type `classic`), listeners, target groups and the health of their registered
//! targets.

use super::Tags;
use super::known::{Known, UnknownReason};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    pub arn: String,
    pub name: String,
    pub dns_name: String,
    #[serde(default)]
    pub canonical_hosted_zone_id: String,
    #[serde(default = "default_lb_type")]
    pub lb_type: String,
    #[serde(default)]
    pub scheme: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub availability_zones: Vec<String>,
    #[serde(default)]
    pub tags: Tags,
    /// Why this load balancer's listeners could not be read (DescribeListeners failed for it):
    /// none of them is then in the region's listener list. `None`: read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listeners_unknown: Option<UnknownReason>,
    /// Why its tags could not be read (DescribeTags failed): `tags` is then empty. `None`: read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags_unknown: Option<UnknownReason>,
}

impl LoadBalancer {
    /// A Classic Load Balancer (the 2012 ELB API): listeners but no target groups; Auto
    /// Scaling groups attach to it by name, and its instance health is not read.
    pub fn is_classic(&self) -> bool {
        self.lb_type == "classic"
    }
}

fn default_lb_type() -> String {
    "application".to_string()
}

// By hand, for the load balancer type serde also defaults to.
impl Default for LoadBalancer {
    fn default() -> Self {
        LoadBalancer {
            arn: String::new(),
            name: String::new(),
            dns_name: String::new(),
            canonical_hosted_zone_id: String::new(),
            lb_type: default_lb_type(),
            scheme: String::new(),
            state: String::new(),
            availability_zones: Vec::new(),
            tags: Tags::new(),
            listeners_unknown: None,
            tags_unknown: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listener {
    pub arn: String,
    pub load_balancer_arn: String,
    pub port: u16,
    pub protocol: String,
    /// Every certificate the listener serves: the default one first, then the SNI certificate
    /// list (DescribeListenerCertificates) of HTTPS and TLS listeners.
    #[serde(default)]
    pub certificate_arns: Vec<String>,
    /// Why the SNI certificate list could not be read: `certificate_arns` then holds only the
    /// default certificate. `None`: read (or a listener without TLS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificates_unknown: Option<UnknownReason>,
    /// Target groups that the listener's default actions and rules forward to.
    #[serde(default)]
    pub target_group_arns: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetGroup {
    pub arn: String,
    pub name: String,
    #[serde(default)]
    pub protocol: String,
    #[serde(default)]
    pub port: u16,
    #[serde(default)]
    pub load_balancer_arns: Vec<String>,
    pub health_check: TargetGroupHealthCheck,
    /// `instance`, `ip`, `lambda` or `alb` (snapshots without it: `instance`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target_type: String,
    /// Health checks are off (`HealthCheckEnabled` false: Lambda target groups by default).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub health_check_disabled: bool,
    /// Registered targets and their health, unknown when DescribeTargetHealth failed.
    pub target_health: Known<Vec<TargetHealth>>,
    #[serde(default)]
    pub tags: Tags,
    /// Why its tags could not be read (DescribeTags failed): `tags` is then empty. `None`: read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags_unknown: Option<UnknownReason>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetGroupHealthCheck {
    pub interval_seconds: u32,
    pub unhealthy_threshold: u32,
    #[serde(default)]
    pub healthy_threshold: u32,
    #[serde(default)]
    pub path: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetHealth {
    pub target_id: String,
    #[serde(default)]
    pub port: Option<u16>,
    /// `healthy`, `unhealthy`, `initial`, `draining`, `unused`, `unavailable`.
    pub state: String,
    /// ELB's reason code (`Target.HealthCheckDisabled`, `Target.FailedHealthChecks`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl TargetHealth {
    pub fn is_healthy(&self) -> bool {
        self.state == "healthy"
    }

    /// ELB does not judge the target: health checks are off for its group (`unavailable`,
    /// `Target.HealthCheckDisabled`), so its health is not known either way.
    pub fn is_unjudged(&self) -> bool {
        self.state == "unavailable" && self.reason.as_deref() == Some("Target.HealthCheckDisabled")
    }
}

impl TargetGroup {
    /// The group's target type, `instance` for snapshots that do not say.
    pub fn target_type(&self) -> &str {
        if self.target_type.is_empty() { "instance" } else { &self.target_type }
    }
}
