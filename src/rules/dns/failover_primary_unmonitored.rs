use crate::findings::resource;
use crate::inventory::ResourceKind;
use crate::inventory::dns::HealthCheck;
use crate::rules::{Context, Rule, RuleOutput, declare_rule, readable_failover_groups};

declare_rule! {
    /// ## What it does
    /// Checks that every PRIMARY failover record has a signal that can go unhealthy: either it
    /// is an alias with `EvaluateTargetHealth` true, or it has a health check that is enabled,
    /// not inverted, not a CALCULATED check with a health threshold of 0, and not a
    /// CLOUDWATCH_METRIC check that reports healthy on insufficient data.
    ///
    /// ## Why is this bad?
    /// Route 53 fails over only when the PRIMARY is unhealthy. A PRIMARY without a working
    /// health signal is always considered healthy, so DNS keeps sending users to the dead
    /// region however good the DR side is.
    ///
    /// ## Example
    /// The PRIMARY alias to the ap-south-1 ALB has `EvaluateTargetHealth: false` and no health
    /// check; or its health check was disabled during an incident and never re-enabled.
    ///
    /// ## How to fix
    /// Set `EvaluateTargetHealth: true` on the PRIMARY alias, or attach an enabled,
    /// non-inverted HTTP(S) health check on the primary endpoint. For CLOUDWATCH_METRIC checks
    /// set `InsufficientDataHealthStatus` to `Unhealthy` or `LastKnownStatus`.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html
    pub struct FailoverPrimaryUnmonitored {
        name: "failover-primary-unmonitored",
        code: "DR202",
        severity: Critical,
        group: LoadBalancingAndDns,
        summary: "A PRIMARY failover record has no health signal that can go unhealthy",
    }
}

/// Why a health check cannot report the primary as unhealthy, if it cannot.
pub(crate) fn health_check_defect(check: &HealthCheck) -> Option<String> {
    if check.disabled {
        return Some(format!("health check {} is disabled (Route 53 treats it as always healthy)", check.id));
    }
    if check.inverted {
        return Some(format!("health check {} is inverted", check.id));
    }
    if check.check_type == "CALCULATED" && check.health_threshold == Some(0) {
        return Some(format!("calculated health check {} has a health threshold of 0", check.id));
    }
    if check.check_type == "CLOUDWATCH_METRIC"
        && check.insufficient_data_health_status.as_deref().is_none_or(|s| s.eq_ignore_ascii_case("Healthy"))
    {
        return Some(format!("CloudWatch health check {} reports healthy on insufficient data", check.id));
    }
    None
}

impl Rule for FailoverPrimaryUnmonitored {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        for group in readable_failover_groups(ctx, out, "PRIMARY health signals") {
            for primary in &group.primaries {
                let target = resource::record(group.zone, primary);
                if primary.alias_target.as_ref().is_some_and(|a| a.evaluate_target_health) {
                    out.pass();
                    continue;
                }
                let Some(check_id) = primary.health_check_id.as_deref() else {
                    out.fail(target, format!("PRIMARY record {} {} has neither EvaluateTargetHealth nor a health check: it can never fail over", group.name, group.record_type))
                        .with("evaluate_target_health", false)
                        .with("health_check_id", None::<String>);
                    continue;
                };
                match ctx.inventory.health_check(check_id) {
                    Some(check) => match health_check_defect(check) {
                        None => out.pass(),
                        Some(defect) => {
                            out.fail(
                                target,
                                format!(
                                    "PRIMARY record {} {}: {defect}, so it can never fail over",
                                    group.name, group.record_type
                                ),
                            )
                            .with("health_check_id", check_id)
                            .with("health_check_type", &check.check_type);
                        }
                    },
                    None => match ctx.inventory.global_gap(ResourceKind::HealthCheck) {
                        Some(reason) => {
                            out.unknown(
                                target,
                                &reason,
                                format!(
                                    "cannot read health check {check_id} of PRIMARY record {}",
                                    group.name
                                ),
                            );
                        }
                        None => {
                            out.fail(target, format!("PRIMARY record {} {} names health check {check_id}, which does not exist", group.name, group.record_type))
                                .with("health_check_id", check_id);
                        }
                    },
                }
            }
        }
    }
}
