use crate::findings::resource;
use crate::inventory::graph::AliasResolution;
use crate::inventory::{Known, ResourceKind, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, Side, declare_rule, report_listing_gaps};

declare_rule! {
    /// ## What it does
    /// For every application whose SECONDARY failover record aliases a load balancer in the DR
    /// region, checks that each of the application's DR Auto Scaling groups is attached
    /// (through `TargetGroupARNs` or traffic sources) to a target group of that load balancer.
    ///
    /// ## Why is this bad?
    /// Instances of a group that no target group of the DR load balancer knows never receive
    /// traffic: the DR tier can scale out perfectly and the SECONDARY still answers with an
    /// empty target group — unhealthy, or serving 503s.
    ///
    /// ## Example
    /// `web-dr-asg` is attached to `web-dr-tg-old`, which belonged to a load balancer that was
    /// replaced; the SECONDARY aliases the new `web-dr` load balancer, whose target group has
    /// no group behind it.
    ///
    /// ## How to fix
    /// Attach the DR group to the target group the DR load balancer's listener forwards to
    /// (`aws autoscaling attach-traffic-sources`), and reference that target group from the
    /// group in your infrastructure code.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/autoscaling/ec2/userguide/attach-load-balancer-asg.html
    /// - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html
    pub struct DrAsgNotBehindAlb {
        name: "dr-asg-not-behind-alb",
        code: "DR108",
        severity: Critical,
        group: ComputeAndCapacity,
        summary: "A DR Auto Scaling group is not attached to the DR load balancer the SECONDARY record points to",
    }
}

impl Rule for DrAsgNotBehindAlb {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        report_listing_gaps(
            ctx,
            out,
            Side::Dr,
            &[ResourceKind::AutoScalingGroup],
            "their load balancer attachment",
        );
        let dr = &ctx.inventory.dr;
        let relations = ctx.inventory.relations();
        for (app, members) in &ctx.inventory.members().by_app {
            let mut target_groups: Vec<&str> = Vec::new();
            let mut load_balancers: Vec<&str> = Vec::new();
            let mut unreadable: Option<UnknownReason> = None;
            // Why the load balancer the SECONDARY points to is not known, if it is not: the
            // records could not be read (or not tied to this application), or the alias
            // target could not be resolved.
            let mut unresolved: Option<UnknownReason> = None;
            if members.failover_groups.is_empty() {
                unresolved = ctx.inventory.unrouted_app_unknown();
            }
            for group in members.failover_groups.iter().filter_map(|i| ctx.inventory.failover_groups.get(*i))
            {
                for secondary in &group.secondaries {
                    let Some(alias) = &secondary.alias_target else { continue };
                    let Some(lb) = relations.alias_load_balancer(group.zone, group.record_type, alias) else {
                        if let AliasResolution::Unknown(reason) =
                            ctx.inventory.resolve_alias(group.zone, group.record_type, alias)
                        {
                            unresolved = unresolved.or(Some(reason));
                        }
                        continue;
                    };
                    if lb.view.name != dr.name {
                        continue;
                    }
                    load_balancers.push(&lb.load_balancer.name);
                    match lb.target_groups() {
                        Known::Value(groups) => target_groups.extend(groups.iter().map(|tg| tg.arn.as_str())),
                        Known::Unknown(reason) => unreadable = unreadable.or(Some(reason)),
                    }
                }
            }
            if load_balancers.is_empty() {
                if let Some(reason) = &unresolved {
                    for asg in &members.dr_asgs {
                        out.unknown(
                            resource::asg(asg, dr.name),
                            reason,
                            format!("cannot tell which DR load balancer application {app} fails over to"),
                        );
                    }
                }
                continue;
            }
            for asg in &members.dr_asgs {
                if asg.attached_target_groups().any(|tg| target_groups.contains(&tg)) {
                    out.pass();
                    continue;
                }
                let target = resource::asg(asg, dr.name);
                if target_groups.is_empty()
                    && let Some(reason) = &unreadable
                {
                    out.unknown(
                        target,
                        reason,
                        format!("cannot read the target groups of {}", load_balancers.join(", ")),
                    );
                    continue;
                }
                out.fail(
                    target,
                    format!(
                        "DR ASG {} of application {app} is attached to no target group of {}, which the SECONDARY record points to",
                        asg.name,
                        load_balancers.join(", ")
                    ),
                )
                .with("attached_target_groups", asg.attached_target_groups().collect::<Vec<_>>())
                .with("load_balancer_target_groups", &target_groups);
            }
        }
    }
}
