//! Failover automation drscan can see: CloudWatch alarms on the primary's health (its Route 53
//! health checks, its load balancer or target groups; metric-math alarms through the metrics
//! their expression reads), in the primary, DR and the partition's global region, whose actions
//! scale a DR Auto Scaling group, invoke a Lambda function or start an SSM Automation — directly
//! or through an SNS topic a Lambda function is subscribed to; plus automation declared in
//! configuration. A step with neither starts with a manual decision (SPEC §6 `start(s)`).

use super::{Automation, EstimateSettings, FailoverStep};
use crate::inventory::arn::{arn_name, arn_region, arn_service};
use crate::inventory::compute::{Alarm, AutoScalingGroup, ScalingPolicy};
use crate::inventory::graph::Inventory;
use crate::inventory::health::Monitoring;
use crate::inventory::{Known, ResourceKind, UnknownReason};
use std::collections::HashMap;

/// The metrics that go bad when the primary does.
#[derive(Debug, Default, Clone)]
pub struct PrimaryHealth {
    pub health_check_ids: Vec<String>,
    /// CloudWatch `LoadBalancer` dimension values (`app/name/id`).
    pub load_balancers: Vec<String>,
    /// CloudWatch `TargetGroup` dimension values (`targetgroup/name/id`).
    pub target_groups: Vec<String>,
}

impl PrimaryHealth {
    pub fn add_load_balancer(&mut self, arn: &str) {
        if let Some((_, dimension)) = arn.split_once(":loadbalancer/") {
            self.load_balancers.push(dimension.to_string());
        }
    }

    pub fn add_target_group(&mut self, arn: &str) {
        if let Some(dimension) = arn.rsplit(':').next().filter(|d| d.starts_with("targetgroup/")) {
            self.target_groups.push(dimension.to_string());
        }
    }
}

/// A Lambda function or an SSM Automation runbook: code that can perform any step.
fn is_runbook_action(action: &str) -> bool {
    match arn_service(action) {
        Some("lambda") => true,
        Some("ssm") => action.contains("automation"),
        _ => false,
    }
}

/// Alarms by the health dimension they watch, and DR scaling policies by group, indexed once
/// per audit.
pub struct AutomationIndex<'s> {
    by_health_check: HashMap<&'s str, Vec<&'s Alarm>>,
    by_load_balancer: HashMap<&'s str, Vec<&'s Alarm>>,
    by_target_group: HashMap<&'s str, Vec<&'s Alarm>>,
    policies_by_group: HashMap<&'s str, Vec<&'s ScalingPolicy>>,
    /// The regions whose alarms and SNS subscriptions were collected.
    monitoring: Vec<Monitoring<'s>>,
    /// Why alarms or scaling policies could not be listed, if so.
    missing: Option<UnknownReason>,
}

impl<'s> AutomationIndex<'s> {
    pub fn new(inventory: &Inventory<'s>) -> Self {
        let mut index = AutomationIndex {
            by_health_check: HashMap::new(),
            by_load_balancer: HashMap::new(),
            by_target_group: HashMap::new(),
            policies_by_group: HashMap::new(),
            monitoring: inventory.monitored_regions(),
            missing: None,
        };
        for monitoring in &index.monitoring {
            for alarm in monitoring.alarms {
                // A metric-math alarm watches every metric its expression reads.
                for (namespace, _, dimensions) in alarm.watched_metrics() {
                    let dimension = |key: &str| dimensions.get(key).map(String::as_str);
                    match namespace {
                        "AWS/Route53" => {
                            if let Some(id) = dimension("HealthCheckId") {
                                index.by_health_check.entry(id).or_default().push(alarm);
                            }
                        }
                        "AWS/ApplicationELB" | "AWS/NetworkELB" | "AWS/ELB" => {
                            if let Some(lb) = dimension("LoadBalancer").or(dimension("LoadBalancerName")) {
                                index.by_load_balancer.entry(lb).or_default().push(alarm);
                            }
                            if let Some(tg) = dimension("TargetGroup") {
                                index.by_target_group.entry(tg).or_default().push(alarm);
                            }
                        }
                        _ => {}
                    }
                }
            }
            if index.missing.is_none() {
                index.missing = monitoring.alarms_unknown.clone();
            }
        }
        for view in [&inventory.primary, &inventory.dr] {
            if index.missing.is_none() {
                index.missing = view.gap(ResourceKind::ScalingPolicy).cloned();
            }
        }
        for policy in &inventory.dr.resources.scaling_policies {
            index.policies_by_group.entry(policy.auto_scaling_group_name.as_str()).or_default().push(policy);
        }
        index
    }

    /// What an alarm action starts that can perform any step: a Lambda function or SSM
    /// Automation runbook directly, or a Lambda function subscribed to the SNS topic it
    /// notifies; or why the topic's subscriptions cannot be read.
    fn runbook(&self, action: &str) -> Option<Known<String>> {
        if is_runbook_action(action) {
            return Some(Known::Value(format!("invokes {action}")));
        }
        let topic_region = arn_region(action).filter(|_| arn_service(action) == Some("sns"))?;
        let monitoring = self.monitoring.iter().find(|m| m.region == topic_region)?;
        if let Some(function) = monitoring.lambda_subscribers(action).next() {
            return Some(Known::Value(format!(
                "notifies SNS topic {}, which invokes {}",
                arn_name(action),
                function.endpoint
            )));
        }
        monitoring.subscriptions_unknown.clone().map(Known::Unknown)
    }

    /// Alarms on the primary's health, deduplicated.
    fn watching(&self, health: &PrimaryHealth) -> Vec<&'s Alarm> {
        let mut alarms: Vec<&Alarm> = Vec::new();
        let found = health
            .health_check_ids
            .iter()
            .filter_map(|id| self.by_health_check.get(id.as_str()))
            .chain(health.load_balancers.iter().filter_map(|lb| self.by_load_balancer.get(lb.as_str())))
            .chain(health.target_groups.iter().filter_map(|tg| self.by_target_group.get(tg.as_str())))
            .flatten();
        for alarm in found {
            if !alarms.iter().any(|a| a.arn == alarm.arn) {
                alarms.push(alarm);
            }
        }
        alarms
    }

    /// How `step` starts for `app`: declared, seen, unknown (alarms or policies unreadable),
    /// or manual.
    pub fn automation(
        &self,
        settings: EstimateSettings<'_>,
        app: &str,
        step: FailoverStep,
        health: &PrimaryHealth,
        dr_asgs: &[&AutoScalingGroup],
    ) -> Automation {
        if settings
            .declared_automation
            .iter()
            .any(|d| d.step == step && d.app.as_deref().is_none_or(|a| a == app))
        {
            return Automation::Declared;
        }
        let watching = self.watching(health);
        if step == FailoverStep::DrScaleOut {
            let policies =
                dr_asgs.iter().filter_map(|a| self.policies_by_group.get(a.name.as_str())).flatten();
            for policy in policies {
                let driver = watching.iter().find(|alarm| {
                    policy.alarm_arns.contains(&alarm.arn) || alarm.alarm_actions.contains(&policy.arn)
                });
                if let Some(alarm) = driver {
                    return Automation::Seen(format!(
                        "scaling policy {} of {} runs on alarm {} (primary health)",
                        policy.name, policy.auto_scaling_group_name, alarm.name
                    ));
                }
            }
        }
        // A Lambda or SSM Automation started by the primary's health, directly or through an
        // SNS topic: drscan cannot see inside it and assumes it performs the step (declare a
        // waiver if it does not).
        let mut unreadable = None;
        for alarm in &watching {
            for action in &alarm.alarm_actions {
                match self.runbook(action) {
                    Some(Known::Value(how)) => {
                        return Automation::Seen(format!("alarm {} (primary health) {how}", alarm.name));
                    }
                    Some(Known::Unknown(reason)) => unreadable = unreadable.or(Some(reason)),
                    None => {}
                }
            }
        }
        match self.missing.clone().or(unreadable) {
            Some(reason) => Automation::Unknown(reason),
            None => Automation::Manual,
        }
    }
}
