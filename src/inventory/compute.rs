//! Compute resources of one region: AMIs, launch templates and their versions, Auto Scaling
//! groups, and the scaling policies, alarms and SNS subscriptions that could scale a DR group
//! up (or start a runbook) on failover.

use super::Tags;
use super::known::Known;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// An AMI owned by (or visible to) the account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    pub arn: String,
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub owner_id: String,
    pub state: ImageState,
    #[serde(default)]
    pub creation_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub deprecation_time: Option<DateTime<Utc>>,
    /// Set by AWS on copies made with CopyImage (moto omits it, hence the name and tag fallbacks).
    #[serde(default)]
    pub source_image_id: Option<String>,
    #[serde(default)]
    pub source_image_region: Option<String>,
    #[serde(default)]
    pub public: bool,
    /// KMS keys that encrypt the AMI's EBS snapshots; a launch in DR needs them usable there.
    /// DescribeImages never returns them: they come from DescribeSnapshots.
    #[serde(default)]
    pub kms_key_ids: Vec<String>,
    /// The AMI's EBS snapshots (its block device mappings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snapshot_ids: Vec<String>,
    /// Why the snapshots' keys could not be read (DescribeSnapshots failed), if they could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_keys_unknown: Option<super::UnknownReason>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageState {
    #[default]
    Available,
    Pending,
    Failed,
    Deregistered,
    Disabled,
    Invalid,
    Transient,
    Error,
}

impl ImageState {
    pub fn as_str(self) -> &'static str {
        match self {
            ImageState::Available => "available",
            ImageState::Pending => "pending",
            ImageState::Failed => "failed",
            ImageState::Deregistered => "deregistered",
            ImageState::Disabled => "disabled",
            ImageState::Invalid => "invalid",
            ImageState::Transient => "transient",
            ImageState::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaunchTemplate {
    pub arn: String,
    pub id: String,
    pub name: String,
    pub default_version: u64,
    pub latest_version: u64,
    /// The versions the region's ASGs can launch; unknown when DescribeLaunchTemplateVersions failed.
    pub versions: Known<Vec<LaunchTemplateVersion>>,
    #[serde(default)]
    pub tags: Tags,
}

/// The launch-relevant fields of one launch template version (never UserData).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaunchTemplateVersion {
    pub version: u64,
    /// An AMI ID, or a `resolve:ssm:<parameter>` reference.
    #[serde(default)]
    pub image_id: Option<String>,
    /// For `resolve:ssm:` image IDs: the AMI the parameter pointed at when collected.
    #[serde(default)]
    pub resolved_image_id: Option<Known<String>>,
    #[serde(default)]
    pub instance_type: Option<String>,
    #[serde(default)]
    pub key_name: Option<String>,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub kms_key_ids: Vec<String>,
}

impl LaunchTemplateVersion {
    /// The SSM parameter named by a `resolve:ssm:` image reference, if that is what this is.
    pub fn ssm_parameter(&self) -> Option<&str> {
        self.image_id.as_deref()?.strip_prefix("resolve:ssm:")
    }

    /// The AMI this version launches: the literal ID, or the SSM parameter's collected value.
    pub fn effective_image_id(&self) -> Option<Known<&str>> {
        let image_id = self.image_id.as_deref()?;
        if self.ssm_parameter().is_none() {
            return Some(Known::Value(image_id));
        }
        Some(match &self.resolved_image_id {
            Some(Known::Value(id)) => Known::Value(id.as_str()),
            Some(Known::Unknown(reason)) => Known::Unknown(reason.clone()),
            None => Known::Unknown(super::UnknownReason::new(
                "ssm:GetParameter",
                super::ErrorCause::Unresolvable,
                format!("image ID {image_id} was not resolved at collection time"),
            )),
        })
    }
}

/// How an ASG names its launch template: by ID or name, and a version (`$Latest`, `$Default` or a number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaunchTemplateRef {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default = "default_version_alias")]
    pub version: String,
}

fn default_version_alias() -> String {
    "$Default".to_string()
}

// By hand, for the version alias serde also defaults to.
impl Default for LaunchTemplateRef {
    fn default() -> Self {
        LaunchTemplateRef { id: None, name: None, version: default_version_alias() }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixedInstancesPolicy {
    pub launch_template: LaunchTemplateRef,
    #[serde(default)]
    pub overrides: Vec<InstanceOverride>,
    /// `InstancesDistribution.OnDemandBaseCapacity` (AWS's default: 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_demand_base_capacity: Option<u32>,
    /// `InstancesDistribution.OnDemandPercentageAboveBaseCapacity` (AWS's default: 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_demand_percentage_above_base_capacity: Option<u32>,
}

impl MixedInstancesPolicy {
    /// Whether some of the group's capacity above the On-Demand base is Spot.
    pub fn launches_spot(&self) -> bool {
        self.on_demand_percentage_above_base_capacity.is_some_and(|p| p < 100)
    }

    /// The On-Demand part of `capacity` units: the base, then the percentage of the rest
    /// (rounded up, as Auto Scaling favours On-Demand); the remainder is Spot.
    pub fn on_demand_units(&self, capacity: u32) -> u32 {
        let base = self.on_demand_base_capacity.unwrap_or(0).min(capacity);
        let percentage = u64::from(self.on_demand_percentage_above_base_capacity.unwrap_or(100).min(100));
        let above = u64::from(capacity - base);
        base + u32::try_from((above * percentage).div_ceil(100)).unwrap_or(u32::MAX)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceOverride {
    #[serde(default)]
    pub instance_type: Option<String>,
    #[serde(default)]
    pub weighted_capacity: Option<u32>,
    /// An override may name its own launch template (e.g. an ARM image for Graviton types).
    #[serde(default)]
    pub launch_template: Option<LaunchTemplateRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoScalingGroup {
    pub arn: String,
    pub name: String,
    #[serde(default)]
    pub launch_template: Option<LaunchTemplateRef>,
    #[serde(default)]
    pub mixed_instances_policy: Option<MixedInstancesPolicy>,
    /// Legacy launch configurations are not resolved; rules report such groups as unknown.
    #[serde(default)]
    pub launch_configuration_name: Option<String>,
    pub min_size: u32,
    pub max_size: u32,
    pub desired_capacity: u32,
    #[serde(default)]
    pub availability_zones: Vec<String>,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub target_group_arns: Vec<String>,
    /// Traffic sources (the newer attachment API); ELB target groups appear here by ARN,
    /// Classic Load Balancers by name.
    #[serde(default)]
    pub traffic_sources: Vec<String>,
    /// Classic Load Balancers the group registers its instances with (`LoadBalancerNames`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancer_names: Vec<String>,
    /// As AWS returns it: one or more comma-separated types (`ELB`, `ELB,EBS`,
    /// `EC2,VPC_LATTICE`); read it through [`AutoScalingGroup::health_check_types`].
    #[serde(default = "default_health_check_type")]
    pub health_check_type: String,
    #[serde(default)]
    pub health_check_grace_period: u32,
    #[serde(default)]
    pub tags: Tags,
}

fn default_health_check_type() -> String {
    "EC2".to_string()
}

// By hand, for the health check type serde also defaults to.
impl Default for AutoScalingGroup {
    fn default() -> Self {
        AutoScalingGroup {
            arn: String::new(),
            name: String::new(),
            launch_template: None,
            mixed_instances_policy: None,
            launch_configuration_name: None,
            min_size: 0,
            max_size: 0,
            desired_capacity: 0,
            availability_zones: Vec::new(),
            subnet_ids: Vec::new(),
            target_group_arns: Vec::new(),
            traffic_sources: Vec::new(),
            load_balancer_names: Vec::new(),
            health_check_type: default_health_check_type(),
            health_check_grace_period: 0,
            tags: Tags::new(),
        }
    }
}

impl AutoScalingGroup {
    /// Every launch template this group can launch from: the group's own, or the mixed
    /// instances policy's plus any per-override templates.
    pub fn launch_template_refs(&self) -> Vec<&LaunchTemplateRef> {
        let mut refs = Vec::new();
        if let Some(lt) = &self.launch_template {
            refs.push(lt);
        }
        if let Some(mip) = &self.mixed_instances_policy {
            refs.push(&mip.launch_template);
            refs.extend(mip.overrides.iter().filter_map(|o| o.launch_template.as_ref()));
        }
        refs
    }

    /// Why the launch templates of this group cannot be judged, when it has none.
    pub fn unresolvable_launch(&self) -> Option<super::UnknownReason> {
        if !self.launch_template_refs().is_empty() {
            return None;
        }
        let message = match &self.launch_configuration_name {
            Some(name) => format!(
                "ASG {} launches from launch configuration {name}; drscan resolves launch templates only",
                self.name
            ),
            None => format!("ASG {} names no launch template", self.name),
        };
        Some(super::UnknownReason::new(
            "autoscaling:DescribeAutoScalingGroups",
            super::ErrorCause::Unresolvable,
            message,
        ))
    }

    /// The health check types the group uses, upper-cased: `HealthCheckType` is a
    /// comma-separated list (EC2, EBS, ELB, VPC_LATTICE), and EC2's status checks always
    /// apply, whether the list names them or not.
    pub fn health_check_types(&self) -> BTreeSet<String> {
        let mut types: BTreeSet<String> = self
            .health_check_type
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_ascii_uppercase)
            .collect();
        types.insert("EC2".to_string());
        types
    }

    /// Whether the group replaces instances that `kind` (e.g. `ELB`) reports unhealthy.
    pub fn uses_health_check(&self, kind: &str) -> bool {
        self.health_check_types().contains(&kind.to_ascii_uppercase())
    }

    /// Target groups attached through either attachment API.
    pub fn attached_target_groups(&self) -> impl Iterator<Item = &str> {
        self.target_group_arns
            .iter()
            .chain(self.traffic_sources.iter().filter(|s| s.contains(":targetgroup/")))
            .map(String::as_str)
    }

    /// The Classic Load Balancers the group is attached to, by name: `LoadBalancerNames` and
    /// traffic sources that are not ARNs (a Classic Load Balancer's identifier is its name).
    pub fn attached_classic_load_balancers(&self) -> impl Iterator<Item = &str> {
        self.load_balancer_names
            .iter()
            .chain(self.traffic_sources.iter().filter(|s| !s.starts_with("arn:")))
            .map(String::as_str)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalingPolicy {
    pub arn: String,
    pub name: String,
    pub auto_scaling_group_name: String,
    pub policy_type: String,
    #[serde(default)]
    pub alarm_arns: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alarm {
    pub arn: String,
    pub name: String,
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub metric_name: String,
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
    #[serde(default)]
    pub period_seconds: u32,
    #[serde(default)]
    pub evaluation_periods: u32,
    #[serde(default)]
    pub alarm_actions: Vec<String>,
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`, when collected.
    #[serde(default)]
    pub state: String,
    /// A metric-math alarm's queries (`Metrics[]`): the metrics its expression reads, each
    /// with its period. The alarm's own namespace, metric and dimensions are then empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<AlarmMetric>,
}

/// One metric a metric-math alarm reads (a `Metrics[]` entry with a `MetricStat`), or its
/// expression (`expression` set, no metric).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmMetric {
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub metric_name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dimensions: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// The query's period (the `MetricStat`'s, or the expression's own); 0 when not set.
    #[serde(default)]
    pub period_seconds: u32,
    /// Whether the alarm evaluates this query (the expression's result).
    #[serde(default)]
    pub return_data: bool,
}

/// What a metric is: namespace, name and dimensions.
pub type MetricRef<'a> = (&'a str, &'a str, &'a BTreeMap<String, String>);

impl Alarm {
    /// Every metric the alarm reads: its own, or each metric of its metric-math expression.
    pub fn watched_metrics(&self) -> Vec<MetricRef<'_>> {
        let own = (!self.metric_name.is_empty()).then_some((
            self.namespace.as_str(),
            self.metric_name.as_str(),
            &self.dimensions,
        ));
        let math = self
            .metrics
            .iter()
            .filter(|m| !m.metric_name.is_empty())
            .map(|m| (m.namespace.as_str(), m.metric_name.as_str(), &m.dimensions));
        own.into_iter().chain(math).collect()
    }

    /// One evaluation period in seconds: the alarm's `Period`, or for a metric-math alarm the
    /// period of the query it evaluates, else the longest period among its metrics.
    pub fn evaluation_period_seconds(&self) -> u32 {
        if self.period_seconds > 0 || self.metrics.is_empty() {
            return self.period_seconds;
        }
        let evaluated = self.metrics.iter().find(|m| m.return_data && m.period_seconds > 0);
        evaluated
            .map(|m| m.period_seconds)
            .or_else(|| self.metrics.iter().map(|m| m.period_seconds).max())
            .unwrap_or(0)
    }
}

/// An SNS subscription (ListSubscriptions): the endpoint a topic delivers to — for failover
/// automation, a Lambda function an alarm's topic invokes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    /// `PendingConfirmation` (or `Deleted`) for a subscription that delivers nothing yet.
    pub arn: String,
    pub topic_arn: String,
    /// `lambda`, `sqs`, `https`, `email`, …
    pub protocol: String,
    pub endpoint: String,
}

impl Subscription {
    /// Confirmed: SNS delivers to it (a pending or deleted one has no ARN of its own).
    pub fn is_confirmed(&self) -> bool {
        self.arn.starts_with("arn:")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(health_check_type: &str) -> AutoScalingGroup {
        AutoScalingGroup { health_check_type: health_check_type.to_string(), ..AutoScalingGroup::default() }
    }

    #[test]
    fn the_on_demand_share_is_the_base_then_the_percentage_rounded_up() {
        let policy = |base, percentage| MixedInstancesPolicy {
            on_demand_base_capacity: base,
            on_demand_percentage_above_base_capacity: percentage,
            ..MixedInstancesPolicy::default()
        };
        // AWS's defaults: everything On-Demand.
        assert_eq!(policy(None, None).on_demand_units(7), 7);
        assert!(!policy(None, None).launches_spot());
        // Base 2, then 25 % of the other 8 (2): 4 On-Demand, 6 Spot.
        assert_eq!(policy(Some(2), Some(25)).on_demand_units(10), 4);
        assert_eq!(policy(Some(0), Some(30)).on_demand_units(5), 2);
        assert_eq!(policy(Some(4), Some(0)).on_demand_units(3), 3);
        assert!(policy(Some(4), Some(0)).launches_spot());
    }

    #[test]
    fn health_check_type_is_a_comma_separated_set() {
        // As the Auto Scaling API reference describes `HealthCheckType`: "one or more
        // comma-separated health check types"; EC2 always applies.
        assert!(group("ELB,EBS").uses_health_check("ELB"));
        assert!(group("EBS, elb").uses_health_check("ELB"));
        assert!(group("ELB").uses_health_check("EC2"));
        assert!(!group("EBS,VPC_LATTICE").uses_health_check("ELB"));
        assert!(!group("EC2").uses_health_check("ELB"));
        let types: Vec<String> = group("VPC_LATTICE,EBS").health_check_types().into_iter().collect();
        assert_eq!(types, ["EBS", "EC2", "VPC_LATTICE"]);
    }
}
