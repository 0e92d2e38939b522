use crate::findings::resource;
use crate::inventory::{Known, ResourceKind, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every application whose SECONDARY failover record points at a load balancer in the
    /// DR region (an alias, or a plain CNAME to its DNS name), checks that each of the
    /// application's DR Auto Scaling groups is attached (through `TargetGroupARNs` or traffic
    /// sources) to a target group of that load balancer — or, for a Classic Load Balancer, to
    /// the load balancer itself (`LoadBalancerNames`). When the load balancer forwards only to
    /// target groups of another type (`ip`, `lambda`, `alb`: ECS tasks, functions, another load
    /// balancer), the group is `unknown`: drscan does not model what feeds those.
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
        let dr = ctx.dr_listed(out, &[ResourceKind::AutoScalingGroup], "their load balancer attachment");
        let relations = ctx.inventory.relations();
        for (app, members) in &ctx.inventory.members().by_app {
            let mut target_groups: Vec<&str> = Vec::new();
            let mut load_balancers: Vec<&str> = Vec::new();
            // Classic Load Balancers, which groups attach to by name.
            let mut classic: Vec<&str> = Vec::new();
            // Target groups no Auto Scaling group feeds (IP addresses, Lambda functions, load balancers).
            let mut other_kinds: Vec<String> = Vec::new();
            let mut instance_groups = 0usize;
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
                    let lb = match relations.record_load_balancer_or_why(group.zone, secondary) {
                        Ok(lb) => lb,
                        Err(reason) => {
                            unresolved = unresolved.or(reason);
                            continue;
                        }
                    };
                    if lb.view.name != dr.name {
                        continue;
                    }
                    load_balancers.push(&lb.load_balancer.name);
                    if lb.load_balancer.is_classic() {
                        classic.push(&lb.load_balancer.name);
                        continue;
                    }
                    match lb.target_groups() {
                        Known::Value(groups) => {
                            target_groups.extend(groups.iter().map(|tg| tg.arn.as_str()));
                            other_kinds.extend(
                                groups
                                    .iter()
                                    .filter(|tg| tg.target_type() != "instance")
                                    .map(|tg| format!("{} ({})", tg.name, tg.target_type())),
                            );
                            instance_groups +=
                                groups.iter().filter(|tg| tg.target_type() == "instance").count();
                        }
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
                if asg.attached_target_groups().any(|tg| target_groups.contains(&tg))
                    || asg.attached_classic_load_balancers().any(|name| classic.contains(&name))
                {
                    out.pass();
                    continue;
                }
                let target = resource::asg(asg, dr.name);
                if instance_groups == 0 && classic.is_empty() && !other_kinds.is_empty() {
                    let reason = UnknownReason::new(
                        "target group type",
                        crate::inventory::ErrorCause::Unresolvable,
                        format!(
                            "{} forward to {}, which Auto Scaling groups do not feed and drscan does not model",
                            load_balancers.join(", "),
                            other_kinds.join(", ")
                        ),
                    );
                    out.unknown(
                        target,
                        &reason,
                        format!(
                            "cannot tell whether DR ASG {} serves behind {}",
                            asg.name,
                            load_balancers.join(", ")
                        ),
                    );
                    continue;
                }
                if target_groups.is_empty()
                    && classic.is_empty()
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
