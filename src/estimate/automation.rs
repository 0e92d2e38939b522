//! Failover automation drscan can see: CloudWatch alarms on the primary's health (its Route 53
//! health checks, its load balancer or target groups) whose actions scale a DR Auto Scaling
//! group, invoke a Lambda function or start an SSM Automation; plus automation declared in
//! configuration. A step with neither starts with a manual decision (SPEC §6 `start(s)`).

use super::{Automation, FailoverStep};
use crate::inventory::ResourceKind;
use crate::inventory::compute::{Alarm, AutoScalingGroup};
use crate::inventory::graph::Inventory;
use crate::settings::Settings;

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

    pub fn watched_by(&self, alarm: &Alarm) -> bool {
        let dimension = |key: &str| alarm.dimensions.get(key).map(String::as_str);
        match alarm.namespace.as_str() {
            "AWS/Route53" => {
                dimension("HealthCheckId").is_some_and(|id| self.health_check_ids.iter().any(|h| h == id))
            }
            "AWS/ApplicationELB" | "AWS/NetworkELB" => {
                dimension("LoadBalancer").is_some_and(|lb| self.load_balancers.iter().any(|l| l == lb))
                    || dimension("TargetGroup").is_some_and(|tg| self.target_groups.iter().any(|t| t == tg))
            }
            _ => false,
        }
    }
}

/// A Lambda function or an SSM Automation runbook: code that can perform any step.
fn is_runbook_action(action: &str) -> bool {
    action.starts_with("arn:aws:lambda:")
        || (action.starts_with("arn:aws:ssm:") && action.contains("automation"))
}

/// How `step` starts for `app`: declared, seen, unknown (alarms or policies unreadable), or manual.
pub fn automation(
    inventory: &Inventory<'_>,
    settings: &Settings,
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
    let views = [&inventory.primary, &inventory.dr];
    let watching: Vec<(&Alarm, &str)> = views
        .iter()
        .flat_map(|v| v.resources.alarms.iter().map(move |a| (a, v.name)))
        .filter(|(a, _)| health.watched_by(a))
        .collect();

    if step == FailoverStep::DrScaleOut {
        let dr = &inventory.dr;
        for policy in &dr.resources.scaling_policies {
            if !dr_asgs.iter().any(|a| a.name == policy.auto_scaling_group_name) {
                continue;
            }
            let driver = watching.iter().find(|(alarm, _)| {
                policy.alarm_arns.contains(&alarm.arn) || alarm.alarm_actions.contains(&policy.arn)
            });
            if let Some((alarm, _)) = driver {
                return Automation::Seen(format!(
                    "scaling policy {} of {} runs on alarm {} (primary health)",
                    policy.name, policy.auto_scaling_group_name, alarm.name
                ));
            }
        }
    }
    // A Lambda or SSM Automation started by the primary's health: drscan cannot see inside it
    // and assumes it performs the step (declare a waiver if it does not).
    for (alarm, _) in &watching {
        if let Some(action) = alarm.alarm_actions.iter().find(|a| is_runbook_action(a)) {
            return Automation::Seen(format!("alarm {} (primary health) invokes {action}", alarm.name));
        }
    }
    for view in views {
        for kind in [ResourceKind::Alarm, ResourceKind::ScalingPolicy] {
            if let Some(reason) = view.gap(kind) {
                return Automation::Unknown(reason.clone());
            }
        }
    }
    Automation::Manual
}
