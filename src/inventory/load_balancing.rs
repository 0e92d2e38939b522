//! Elastic Load Balancing v2 resources of one region: load balancers, listeners, target groups
//! and the health of their registered targets.

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
    #[serde(default)]
    pub certificate_arns: Vec<String>,
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
}

impl TargetHealth {
    pub fn is_healthy(&self) -> bool {
        self.state == "healthy"
    }
}
