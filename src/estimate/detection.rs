//! Detection time of a PRIMARY failover record (SPEC §6 `detect`): how long until Route 53
//! considers it unhealthy. Shared by the estimate and `health-check-slow-detection`.
//!
//! Preference follows what survives a regional outage: an attached health check (Route 53's
//! checkers run outside the region) first, then target-group health for an alias evaluating
//! target health.

use super::Amount;
use crate::findings::ResourceRef;
use crate::findings::resource;
use crate::inventory::dns::{HealthCheck, HostedZone, RecordSet};
use crate::inventory::graph::Inventory;
use crate::inventory::{ErrorCause, ResourceKind, UnknownReason};

#[derive(Debug, Clone)]
pub struct Detection {
    pub amount: Amount,
    pub source: String,
    /// The health check, target group or alarm whose settings give the time; else the record.
    pub resource: ResourceRef,
}

/// Why a health check can never report the primary unhealthy, if it cannot.
pub fn check_defect(check: &HealthCheck) -> Option<&'static str> {
    if check.disabled {
        Some("disabled")
    } else if check.inverted {
        Some("inverted")
    } else if check.check_type == "CALCULATED" && check.health_threshold == Some(0) {
        Some("a CALCULATED check with health threshold 0")
    } else if check.check_type == "CLOUDWATCH_METRIC"
        && check.insufficient_data_health_status.as_deref().is_none_or(|s| s.eq_ignore_ascii_case("Healthy"))
    {
        Some("healthy on insufficient data")
    } else {
        None
    }
}

pub fn detection(inventory: &Inventory<'_>, zone: &HostedZone, record: &RecordSet) -> Detection {
    let record_ref = resource::record(zone, record);
    let mut from_check: Option<Detection> = None;
    if let Some(check_id) = record.health_check_id.as_deref() {
        match inventory.health_check(check_id) {
            Some(check) if check_defect(check).is_none() => {
                from_check = Some(check_detection(inventory, check, 0));
            }
            Some(_) => {}
            None => {
                if let Some(reason) = inventory.global_gap(ResourceKind::HealthCheck) {
                    return Detection {
                        amount: Amount::Unknown(reason),
                        source: format!("health check {check_id} could not be read"),
                        resource: record_ref,
                    };
                }
            }
        }
    }
    if let Some(found) = from_check {
        return found;
    }
    if let Some(alias) = record.alias_target.as_ref().filter(|a| a.evaluate_target_health) {
        if let Some(lb) = inventory.relations().alias_load_balancer(zone, &record.record_type, alias) {
            let slowest = lb
                .view
                .target_groups_of(&lb.load_balancer.arn)
                .into_iter()
                .max_by_key(|tg| tg.health_check.interval_seconds * tg.health_check.unhealthy_threshold);
            if let Some(tg) = slowest {
                let hc = &tg.health_check;
                return Detection {
                    amount: Amount::Seconds(u64::from(hc.interval_seconds * hc.unhealthy_threshold)),
                    source: format!(
                        "target group {}: HealthCheckIntervalSeconds {} s × UnhealthyThresholdCount {}",
                        tg.name, hc.interval_seconds, hc.unhealthy_threshold
                    ),
                    resource: resource::target_group(tg, lb.view.name),
                };
            }
        }
        return Detection {
            amount: Amount::Unknown(UnknownReason::new(
                "target health evaluation",
                ErrorCause::Unresolvable,
                format!("the alias target {} has no target group drscan can read", alias.dns_name),
            )),
            source: "EvaluateTargetHealth on an alias whose target groups are unknown".to_string(),
            resource: record_ref,
        };
    }
    Detection {
        amount: Amount::Unbounded(format!(
            "PRIMARY {} {} has no health signal that can go unhealthy, so Route 53 never fails over",
            record.name, record.record_type
        )),
        source: "no usable health check and EvaluateTargetHealth off".to_string(),
        resource: record_ref,
    }
}

fn check_detection(inventory: &Inventory<'_>, check: &HealthCheck, depth: u8) -> Detection {
    let check_ref = resource::health_check(check);
    match check.check_type.as_str() {
        "CLOUDWATCH_METRIC" => {
            let name = check.alarm_name.as_deref().unwrap_or("");
            let region = check.alarm_region.as_deref().and_then(|r| inventory.region(r));
            let Some(view) = region else {
                return Detection {
                    amount: Amount::Unknown(UnknownReason::new(
                        "cloudwatch:DescribeAlarms",
                        ErrorCause::Unresolvable,
                        format!(
                            "alarm {name} is in {}, which drscan did not collect",
                            check.alarm_region.as_deref().unwrap_or("an unnamed region")
                        ),
                    )),
                    source: format!("health check {} watches alarm {name}", check.id),
                    resource: check_ref,
                };
            };
            match view.resources.alarms.iter().find(|a| a.name == name) {
                Some(alarm) => Detection {
                    amount: Amount::Seconds(
                        u64::from(alarm.period_seconds) * u64::from(alarm.evaluation_periods),
                    ),
                    source: format!(
                        "alarm {}: Period {} s × EvaluationPeriods {}",
                        alarm.name, alarm.period_seconds, alarm.evaluation_periods
                    ),
                    resource: ResourceRef::new(ResourceKind::Alarm, &alarm.arn, &alarm.name, Some(view.name)),
                },
                None => Detection {
                    amount: match view.gap(ResourceKind::Alarm) {
                        Some(reason) => Amount::Unknown(reason.clone()),
                        None => Amount::Unbounded(format!(
                            "health check {} watches alarm {name}, which does not exist",
                            check.id
                        )),
                    },
                    source: format!("health check {} watches alarm {name}", check.id),
                    resource: check_ref,
                },
            }
        }
        "CALCULATED" if depth < 4 => {
            // Unhealthy once enough children are: the slowest child bounds it.
            let children: Vec<Detection> = check
                .child_health_checks
                .iter()
                .filter_map(|id| inventory.health_check(id))
                .map(|child| check_detection(inventory, child, depth + 1))
                .collect();
            let slowest = children.into_iter().max_by_key(|d| d.amount.rank());
            match slowest {
                Some(child) => Detection {
                    source: format!("calculated health check {}: slowest child {}", check.id, child.source),
                    ..child
                },
                None => Detection {
                    amount: Amount::Unbounded(format!(
                        "calculated health check {} has no children",
                        check.id
                    )),
                    source: format!("calculated health check {}", check.id),
                    resource: check_ref,
                },
            }
        }
        _ => Detection {
            amount: Amount::Seconds(u64::from(check.request_interval) * u64::from(check.failure_threshold)),
            source: format!(
                "health check {}: RequestInterval {} s × FailureThreshold {}",
                check.id, check.request_interval, check.failure_threshold
            ),
            resource: check_ref,
        },
    }
}
