use crate::findings::resource;
use crate::inventory::dr::LbTarget;
use crate::inventory::graph::AliasResolution;
use crate::inventory::{Known, ResourceKind};
use crate::rules::{Context, Rule, RuleOutput, declare_rule, readable_failover_groups};

declare_rule! {
    /// ## What it does
    /// For every SECONDARY failover record that Route 53 health-evaluates, checks that it is
    /// healthy now: its health check reports healthy, and, when it is an alias with
    /// `EvaluateTargetHealth` true, every target group of the load balancer it points to has
    /// at least one healthy target (a target group with no registered targets is unhealthy).
    ///
    /// ## Why is this bad?
    /// When both records of a failover pair are unhealthy, Route 53 keeps answering with the
    /// PRIMARY. The classic case is a pilot-light DR tier: the DR Auto Scaling group sits at
    /// zero instances, its target group is empty and therefore unhealthy, so the failover
    /// never happens unless something scales DR up first — and nothing does, because traffic
    /// never arrives.
    ///
    /// ## Example
    /// The SECONDARY alias to the us-east-1 ALB evaluates target health; the ALB's target group
    /// is fed by `web-dr-asg` at min 0 / desired 0, so it has no registered targets.
    ///
    /// ## How to fix
    /// Keep at least one healthy instance behind the DR load balancer (a warm standby at
    /// min/desired 1), or set `EvaluateTargetHealth: false` on the SECONDARY and scale DR up
    /// from an alarm on the primary's health check, or fail over with Route 53 ARC.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-complex-configs.html
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-alias.html#rrsets-values-alias-evaluate-target-health
    /// - https://docs.aws.amazon.com/whitepapers/latest/disaster-recovery-workloads-on-aws/disaster-recovery-options-in-the-cloud.html
    pub struct FailoverSecondaryUnhealthy {
        name: "failover-secondary-unhealthy",
        code: "DR203",
        severity: Critical,
        group: LoadBalancingAndDns,
        summary: "A health-evaluated SECONDARY failover record is unhealthy now, so Route 53 keeps answering with the PRIMARY",
    }
}

impl Rule for FailoverSecondaryUnhealthy {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        for group in readable_failover_groups(ctx, out, "SECONDARY health") {
            for secondary in &group.secondaries {
                let target = resource::record(group.zone, secondary);
                let name = format!("{} {}", group.name, group.record_type);

                if let Some(check_id) = secondary.health_check_id.as_deref() {
                    match ctx.inventory.health_check(check_id) {
                        None => {
                            if let Some(reason) = ctx.inventory.global_gap(ResourceKind::HealthCheck) {
                                out.unknown(
                                    target,
                                    &reason,
                                    format!("cannot read health check {check_id} of SECONDARY {name}"),
                                );
                            } else {
                                // Route 53 treats a record whose health check is gone as unhealthy.
                                out.fail(
                                    target,
                                    format!(
                                        "SECONDARY {name} names health check {check_id}, which does not exist"
                                    ),
                                )
                                .with("health_check_id", check_id);
                            }
                            continue;
                        }
                        Some(check) if !check.disabled => match &check.status {
                            Known::Unknown(reason) => {
                                out.unknown(target, reason, format!("cannot read the status of health check {check_id} of SECONDARY {name}"));
                                continue;
                            }
                            Known::Value(status) if status.is_healthy() == check.inverted => {
                                out.fail(target, format!("SECONDARY {name} is unhealthy now: health check {check_id} reports failure ({} of {} checkers healthy)", status.checkers_reporting_healthy, status.checkers))
                                    .with("health_check_id", check_id)
                                    .with("checkers_reporting_healthy", status.checkers_reporting_healthy)
                                    .with("checkers", status.checkers);
                                continue;
                            }
                            Known::Value(_) => {}
                        },
                        Some(_) => {}
                    }
                }

                let Some(alias) = secondary.alias_target.as_ref().filter(|a| a.evaluate_target_health) else {
                    out.pass();
                    continue;
                };
                match ctx.inventory.resolve_alias(group.zone, group.record_type, alias) {
                    // A dangling alias is failover-target-missing's finding.
                    AliasResolution::MissingLoadBalancer { .. } => {}
                    AliasResolution::OtherTarget { dns_name, kind } => {
                        let reason = crate::inventory::UnknownReason::new(
                            "target health evaluation",
                            crate::inventory::ErrorCause::Unresolvable,
                            format!("{dns_name} is a {kind}, whose health drscan cannot evaluate"),
                        );
                        out.unknown(
                            target,
                            &reason,
                            format!("cannot tell whether SECONDARY {name} is healthy"),
                        );
                    }
                    AliasResolution::Unknown(reason) => {
                        out.unknown(
                            target,
                            &reason,
                            format!("cannot resolve the alias target of SECONDARY {name}"),
                        );
                    }
                    AliasResolution::LoadBalancer { region, load_balancer } => {
                        let Some(view) = ctx.inventory.region(region) else { continue };
                        let target_groups = match (LbTarget { view, load_balancer }).target_groups() {
                            Known::Value(groups) if !groups.is_empty() => groups,
                            Known::Unknown(reason) => {
                                out.unknown(
                                    target,
                                    &reason,
                                    format!("cannot read the target groups of {}", load_balancer.name),
                                );
                                continue;
                            }
                            Known::Value(_) => {
                                out.fail(target, format!("SECONDARY {name} evaluates target health, but load balancer {} has no target groups", load_balancer.name))
                                    .with("load_balancer", &load_balancer.arn);
                                continue;
                            }
                        };
                        let mut unknown = None;
                        let mut unhealthy = Vec::new();
                        for tg in &target_groups {
                            match &tg.target_health {
                                Known::Unknown(reason) => unknown = unknown.or(Some((tg, reason))),
                                Known::Value(targets) => {
                                    let healthy = targets.iter().filter(|t| t.is_healthy()).count();
                                    if healthy == 0 {
                                        unhealthy.push((tg, targets.len()));
                                    }
                                }
                            }
                        }
                        if let Some((tg, registered)) = unhealthy.first() {
                            let scaled_to_zero: Vec<&str> = view
                                .asgs_behind(&tg.arn)
                                .iter()
                                .filter(|a| a.desired_capacity == 0)
                                .map(|a| a.name.as_str())
                                .collect();
                            let why = if *registered == 0 {
                                "has no registered targets"
                            } else {
                                "has no healthy targets"
                            };
                            let mut message = format!(
                                "SECONDARY {name} evaluates target health and target group {} of {} {why}: Route 53 will keep answering with the failed PRIMARY",
                                tg.name, load_balancer.name
                            );
                            if !scaled_to_zero.is_empty() {
                                message.push_str(&format!(
                                    " (pilot light: ASG {} is at desired capacity 0)",
                                    scaled_to_zero.join(", ")
                                ));
                            }
                            out.fail(target, message)
                                .with("load_balancer", &load_balancer.arn)
                                .with("target_group", &tg.arn)
                                .with("registered_targets", registered)
                                .with("healthy_targets", 0)
                                .with("asgs_at_zero", scaled_to_zero);
                        } else if let Some((tg, reason)) = unknown {
                            out.unknown(target, reason, format!("cannot read target health of {}", tg.name));
                        } else {
                            out.pass();
                        }
                    }
                }
            }
        }
    }
}
