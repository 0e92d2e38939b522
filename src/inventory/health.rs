//! Route 53 health as Route 53 decides it, and the CloudWatch alarms it (and failover
//! automation) can name. A health check's status is what Route 53 reported (the
//! `HealthCheckStatus` metric or the checkers) where it was read; a CALCULATED check without a
//! reading is derived from its children and `HealthThreshold`, a CLOUDWATCH_METRIC one from its
//! alarm's state and `InsufficientDataHealthStatus`. Alarms are read in the primary and DR
//! regions and in the partition's global region, where Route 53 publishes its metrics (and so
//! where alarms on health checks must be).

use super::compute::{Alarm, Subscription};
use super::dns::{HealthCheck, HealthCheckStatus};
use super::graph::{EMPTY_REGION, Inventory};
use super::{ErrorCause, Known, ResourceKind, UnknownReason};

/// The alarms and SNS subscriptions of one collected region, and why either list may be
/// incomplete.
#[derive(Debug, Clone)]
pub struct Monitoring<'s> {
    pub region: &'s str,
    pub alarms: &'s [Alarm],
    pub subscriptions: &'s [Subscription],
    pub alarms_unknown: Option<UnknownReason>,
    pub subscriptions_unknown: Option<UnknownReason>,
}

impl<'s> Monitoring<'s> {
    pub fn alarm(&self, name: &str) -> Option<&'s Alarm> {
        self.alarms.iter().find(|a| a.name == name)
    }

    /// Confirmed Lambda subscriptions of a topic: the functions an alarm notifying it invokes.
    pub fn lambda_subscribers(&self, topic_arn: &str) -> impl Iterator<Item = &'s Subscription> + '_ {
        let topic_arn = topic_arn.to_string();
        self.subscriptions
            .iter()
            .filter(move |s| s.topic_arn == topic_arn && s.protocol == "lambda" && s.is_confirmed())
    }
}

/// A health check's status: read from Route 53, or derived where Route 53 gave none.
#[derive(Debug, Clone, PartialEq)]
pub enum HealthVerdict<'s> {
    /// What Route 53 reported: the metric, or the checkers.
    Read(&'s HealthCheckStatus),
    /// A CALCULATED check: healthy when at least `threshold` of its children are.
    Calculated { healthy_children: u32, children: u32, threshold: u32 },
    /// A CLOUDWATCH_METRIC check, from its alarm's state (and, in INSUFFICIENT_DATA, the
    /// check's `InsufficientDataHealthStatus`).
    Alarm { name: &'s str, state: &'s str, healthy: bool },
}

impl HealthVerdict<'_> {
    /// Whether Route 53 considers the check healthy (before `Inverted`).
    pub fn is_healthy(&self) -> bool {
        match self {
            HealthVerdict::Read(status) => status.is_healthy(),
            HealthVerdict::Calculated { healthy_children, threshold, .. } => healthy_children >= threshold,
            HealthVerdict::Alarm { healthy, .. } => *healthy,
        }
    }

    /// What the verdict rests on, for messages.
    pub fn describe(&self) -> String {
        match self {
            HealthVerdict::Read(status) => status.describe(),
            HealthVerdict::Calculated { healthy_children, children, threshold } => format!(
                "{healthy_children} of {children} child health checks healthy, HealthThreshold {threshold}"
            ),
            HealthVerdict::Alarm { name, state, .. } => format!("alarm {name} is {state}"),
        }
    }
}

/// How deep CALCULATED checks may nest before drscan stops following them (Route 53 allows
/// calculated children, not cycles; the bound only guards against malformed snapshots).
const MAX_CALCULATED_DEPTH: u8 = 4;

impl<'s> Inventory<'s> {
    /// The alarms and subscriptions of `region`, when drscan collected them there: the pair's
    /// two regions and the partition's global region.
    pub fn monitoring(&self, region: &str) -> Option<Monitoring<'s>> {
        if let Some(view) = self.region(region) {
            return Some(Monitoring {
                region: view.name,
                alarms: &view.resources.alarms,
                subscriptions: &view.resources.subscriptions,
                alarms_unknown: view.gap(ResourceKind::Alarm).cloned(),
                subscriptions_unknown: view.gap(ResourceKind::Subscription).cloned(),
            });
        }
        let global = self.snapshot.regions.extra_global_region().filter(|g| *g == region)?;
        let resources = self.snapshot.resources.regional.get(global).unwrap_or(&EMPTY_REGION);
        Some(Monitoring {
            region: global,
            alarms: &resources.alarms,
            subscriptions: &resources.subscriptions,
            alarms_unknown: self.snapshot.listing_gap(Some(global), ResourceKind::Alarm),
            subscriptions_unknown: self.snapshot.listing_gap(Some(global), ResourceKind::Subscription),
        })
    }

    /// Every region whose alarms drscan collected: primary, DR, and the global region when it
    /// is neither.
    pub fn monitored_regions(&self) -> Vec<Monitoring<'s>> {
        let mut names = vec![self.primary.name, self.dr.name];
        names.extend(self.snapshot.regions.extra_global_region());
        names.into_iter().filter_map(|r| self.monitoring(r)).collect()
    }

    /// The status Route 53 gives a health check now: as read, else derived for CALCULATED
    /// and CLOUDWATCH_METRIC checks, else why it is unknown.
    pub fn health_status(&self, check: &'s HealthCheck) -> Known<HealthVerdict<'s>> {
        self.health_status_at(check, 0)
    }

    fn health_status_at(&self, check: &'s HealthCheck, depth: u8) -> Known<HealthVerdict<'s>> {
        let reason = match &check.status {
            Known::Value(status) => return Known::Value(HealthVerdict::Read(status)),
            Known::Unknown(reason) => reason,
        };
        match check.check_type.as_str() {
            "CALCULATED" if depth < MAX_CALCULATED_DEPTH => {
                self.calculated(check, depth).unwrap_or_else(|| Known::Unknown(reason.clone()))
            }
            "CLOUDWATCH_METRIC" => self.alarm_verdict(check),
            _ => Known::Unknown(reason.clone()),
        }
    }

    /// A CALCULATED check from its children: known once enough of them are known either way.
    fn calculated(&self, check: &'s HealthCheck, depth: u8) -> Option<Known<HealthVerdict<'s>>> {
        let children = u32::try_from(check.child_health_checks.len()).unwrap_or(u32::MAX);
        let threshold = check.health_threshold.unwrap_or(children);
        let (mut healthy, mut unknown) = (0u32, None);
        let mut undecided = 0u32;
        for id in &check.child_health_checks {
            let Some(child) = self.health_check(id) else {
                // Route 53 counts a deleted child as unhealthy.
                if let Some(reason) = self.global_gap(ResourceKind::HealthCheck) {
                    undecided += 1;
                    unknown = unknown.or(Some(reason));
                }
                continue;
            };
            if child.disabled {
                // Route 53 considers a disabled check healthy.
                healthy += 1;
                continue;
            }
            match self.health_status_at(child, depth + 1) {
                Known::Value(verdict) if verdict.is_healthy() != child.inverted => healthy += 1,
                Known::Value(_) => {}
                Known::Unknown(reason) => {
                    undecided += 1;
                    unknown = unknown.or(Some(reason));
                }
            }
        }
        let decided = healthy >= threshold || healthy + undecided < threshold;
        Some(match (decided, unknown) {
            (false, Some(reason)) => Known::Unknown(reason),
            _ => Known::Value(HealthVerdict::Calculated { healthy_children: healthy, children, threshold }),
        })
    }

    /// A CLOUDWATCH_METRIC check from its alarm's state.
    fn alarm_verdict(&self, check: &'s HealthCheck) -> Known<HealthVerdict<'s>> {
        let name = check.alarm_name.as_deref().unwrap_or_default();
        let region = check.alarm_region.as_deref().unwrap_or_default();
        let unknown = |operation: &str, message: String| {
            Known::Unknown(UnknownReason::new(operation, ErrorCause::Unresolvable, message))
        };
        let Some(monitoring) = self.monitoring(region) else {
            return unknown(
                "cloudwatch:DescribeAlarms",
                format!(
                    "alarm {name} of health check {} is in {region}, which drscan did not collect",
                    check.id
                ),
            );
        };
        let Some(alarm) = monitoring.alarm(name) else {
            return match monitoring.alarms_unknown {
                Some(reason) => Known::Unknown(reason),
                // Route 53 reports a check whose alarm is gone per its insufficient-data setting;
                // drscan does not guess.
                None => unknown(
                    "health check alarm",
                    format!(
                        "health check {} watches alarm {name}, which does not exist in {region}",
                        check.id
                    ),
                ),
            };
        };
        let healthy = match alarm.state.as_str() {
            "OK" => true,
            "ALARM" => false,
            "INSUFFICIENT_DATA" => match check.insufficient_data_health_status.as_deref() {
                Some("Unhealthy") => false,
                Some("LastKnownStatus") => {
                    return unknown(
                        "health check alarm",
                        format!(
                            "alarm {name} has insufficient data and health check {} keeps its last known status, which Route 53 does not report",
                            check.id
                        ),
                    );
                }
                // `Healthy`, and Route 53's default for checks without a last known status.
                _ => true,
            },
            other => {
                return unknown(
                    "cloudwatch:DescribeAlarms",
                    format!("alarm {name} has no state drscan can read ({other:?})"),
                );
            }
        };
        Known::Value(HealthVerdict::Alarm { name: &alarm.name, state: &alarm.state, healthy })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Snapshot;
    use crate::inventory::compute::AlarmMetric;
    use crate::inventory::matching::Matching;

    fn check(id: &str, check_type: &str) -> HealthCheck {
        HealthCheck {
            id: id.into(),
            check_type: check_type.into(),
            status: Known::Unknown(UnknownReason::new(
                "cloudwatch:GetMetricData",
                ErrorCause::Unresolvable,
                "no data",
            )),
            ..HealthCheck::default()
        }
    }

    fn read(healthy: bool) -> Known<HealthCheckStatus> {
        Known::Value(HealthCheckStatus::from_checkers(u32::from(healthy) * 16, 16))
    }

    fn snapshot(checks: Vec<HealthCheck>, alarms: Vec<Alarm>) -> Snapshot {
        let mut snapshot = Snapshot {
            schema_version: crate::inventory::snapshot::SCHEMA_VERSION,
            drscan_version: String::new(),
            account: "123456789012".into(),
            accounts: vec![crate::inventory::AccountRecord::every_side("123456789012")],
            regions: crate::inventory::RegionPair { primary: "ap-south-1".into(), dr: "us-east-1".into() },
            collected_at: chrono::DateTime::default(),
            resources: crate::inventory::Resources::default(),
            collection_errors: Vec::new(),
        };
        snapshot.resources.global.health_checks = checks;
        snapshot.resources.regional.entry("us-east-1".into()).or_default().alarms = alarms;
        snapshot.resources.regional.entry("ap-south-1".into()).or_default();
        snapshot
    }

    fn verdict<'s>(inventory: &Inventory<'s>, id: &str) -> Known<HealthVerdict<'s>> {
        inventory.health_status(inventory.health_check(id).expect("the check"))
    }

    #[test]
    fn a_calculated_check_is_known_once_enough_children_are() {
        let mut parent = check("parent", "CALCULATED");
        parent.child_health_checks = vec!["a".into(), "b".into(), "c".into()];
        parent.health_threshold = Some(2);
        let children = |b: Known<HealthCheckStatus>, c_disabled: bool| {
            let mut a = check("a", "HTTPS");
            a.status = read(true);
            let mut b_check = check("b", "HTTPS");
            b_check.status = b;
            let mut c = check("c", "HTTPS");
            c.disabled = c_disabled;
            vec![a, b_check, c]
        };
        // a healthy, b unread, c unread: 1 known healthy, 2 undecided — unknown.
        let s =
            snapshot([vec![parent.clone()], children(check("b", "HTTPS").status, false)].concat(), vec![]);
        let inventory = Inventory::build(&s, &Matching::default());
        assert!(matches!(verdict(&inventory, "parent"), Known::Unknown(_)));
        // A disabled child counts as healthy, as Route 53 counts it: 2 of 3.
        let s = snapshot([vec![parent.clone()], children(check("b", "HTTPS").status, true)].concat(), vec![]);
        let inventory = Inventory::build(&s, &Matching::default());
        let Known::Value(v) = verdict(&inventory, "parent") else { panic!("known") };
        assert!(v.is_healthy(), "{}", v.describe());
        // b and c unhealthy: 1 of 3, below the threshold.
        let mut with_c_down = children(read(false), false);
        with_c_down[2].status = read(false);
        let s = snapshot([vec![parent], with_c_down].concat(), vec![]);
        let inventory = Inventory::build(&s, &Matching::default());
        let Known::Value(v) = verdict(&inventory, "parent") else { panic!("known") };
        assert!(!v.is_healthy());
        assert_eq!(v.describe(), "1 of 3 child health checks healthy, HealthThreshold 2");
    }

    #[test]
    fn a_metric_check_follows_its_alarm_and_its_insufficient_data_setting() {
        let alarm = |state: &str| Alarm {
            arn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx".into(),
            name: "web-5xx".into(),
            state: state.into(),
            ..Alarm::default()
        };
        let cases = [
            ("OK", None, Some(true)),
            ("ALARM", None, Some(false)),
            ("INSUFFICIENT_DATA", Some("Unhealthy"), Some(false)),
            ("INSUFFICIENT_DATA", Some("Healthy"), Some(true)),
            ("INSUFFICIENT_DATA", Some("LastKnownStatus"), None),
        ];
        for (state, insufficient, healthy) in cases {
            let mut metric = check("m", "CLOUDWATCH_METRIC");
            metric.alarm_name = Some("web-5xx".into());
            metric.alarm_region = Some("us-east-1".into());
            metric.insufficient_data_health_status = insufficient.map(str::to_string);
            let s = snapshot(vec![metric], vec![alarm(state)]);
            let inventory = Inventory::build(&s, &Matching::default());
            let got = match verdict(&inventory, "m") {
                Known::Value(v) => Some(v.is_healthy()),
                Known::Unknown(_) => None,
            };
            assert_eq!(got, healthy, "{state} {insufficient:?}");
        }
        // An alarm in a region drscan did not collect is unknown, not healthy.
        let mut elsewhere = check("m", "CLOUDWATCH_METRIC");
        elsewhere.alarm_name = Some("web-5xx".into());
        elsewhere.alarm_region = Some("eu-west-3".into());
        let s = snapshot(vec![elsewhere], vec![alarm("OK")]);
        let inventory = Inventory::build(&s, &Matching::default());
        assert!(matches!(verdict(&inventory, "m"), Known::Unknown(r) if r.message.contains("eu-west-3")));
    }

    #[test]
    fn a_metric_math_alarm_watches_its_queries_and_evaluates_at_their_period() {
        let query = |id: &str, name: &str, period: u32, return_data: bool| AlarmMetric {
            id: id.into(),
            namespace: if name.is_empty() { String::new() } else { "AWS/Route53".into() },
            metric_name: name.into(),
            expression: name.is_empty().then(|| "MIN(m1)".to_string()),
            period_seconds: period,
            return_data,
            ..AlarmMetric::default()
        };
        let alarm = Alarm {
            metrics: vec![query("m1", "HealthCheckStatus", 60, false), query("e1", "", 0, true)],
            evaluation_periods: 3,
            ..Alarm::default()
        };
        assert_eq!(alarm.evaluation_period_seconds(), 60);
        let watched: Vec<&str> = alarm.watched_metrics().iter().map(|(_, name, _)| *name).collect();
        assert_eq!(watched, ["HealthCheckStatus"]);
        let plain = Alarm { metric_name: "ReplicaLag".into(), period_seconds: 300, ..Alarm::default() };
        assert_eq!(plain.evaluation_period_seconds(), 300);
    }
}
