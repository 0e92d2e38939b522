use crate::findings::resource;
use crate::inventory::compute::AutoScalingGroup;
use crate::inventory::{Known, ResourceKind};
use crate::rules::{Context, Rule, RuleOutput, Side, declare_rule, report_listing_gaps};

declare_rule! {
    /// ## What it does
    /// For every tier of an application — a primary Auto Scaling group and the DR groups that
    /// stand in for it, as `dr-asg-missing` pairs them (tiers that share a DR group are one) —
    /// compares the sum of the DR groups' `MaxSize` with the sum of the primary groups'
    /// `DesiredCapacity`. A worker fleet is compared with its own DR group, not with the web
    /// tier's. Where a mixed instances policy sets weights, both numbers are in capacity
    /// units, as AWS counts them.
    ///
    /// ## Why is this bad?
    /// On failover the DR tier must carry the primary's load. If its maximum size is below what
    /// the primary runs now, scaling stops short: the application fails over into an overload
    /// and may be as unavailable as before.
    ///
    /// ## Example
    /// `web-asg` runs at desired 8 in ap-south-1; `web-dr-asg` has max size 2, copied from a
    /// staging template.
    ///
    /// ## How to fix
    /// Raise the DR group's `MaxSize` to at least the primary's desired capacity (and check the
    /// DR region's EC2 service quotas for the instance types), or use the same capacity
    /// settings in both regions' infrastructure code.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-capacity-limits.html
    /// - https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-mixed-instances-groups-instance-weighting.html
    /// - https://docs.aws.amazon.com/servicequotas/latest/userguide/intro.html
    pub struct DrAsgCapacityInsufficient {
        name: "dr-asg-capacity-insufficient",
        code: "DR107",
        severity: High,
        group: ComputeAndCapacity,
        summary: "The DR Auto Scaling groups' maximum size is below the primary's desired capacity",
    }
}

fn weighted(asg: &AutoScalingGroup) -> bool {
    asg.mixed_instances_policy
        .as_ref()
        .is_some_and(|m| m.overrides.iter().any(|o| o.weighted_capacity.is_some()))
}

/// One tier: primary groups and the DR groups that stand in for them.
#[derive(Default)]
struct Tier<'s> {
    primaries: Vec<&'s AutoScalingGroup>,
    drs: Vec<&'s AutoScalingGroup>,
}

/// The application's tiers: each primary group with its DR counterparts, merged where they
/// share a DR group. Primary groups without counterparts are `dr-asg-missing`'s finding.
fn tiers<'s>(ctx: &Context<'_, 's>, primaries: &[&'s AutoScalingGroup]) -> Vec<Tier<'s>> {
    let relations = ctx.inventory.relations();
    let mut tiers: Vec<Tier<'s>> = Vec::new();
    for primary in primaries {
        let Known::Value(counterparts) = relations.dr_asgs(primary) else { continue };
        if counterparts.groups.is_empty() {
            continue;
        }
        let mut tier = Tier { primaries: vec![primary], drs: counterparts.groups.to_vec() };
        let (sharing, rest): (Vec<Tier<'s>>, Vec<Tier<'s>>) =
            tiers.into_iter().partition(|t| t.drs.iter().any(|d| tier.drs.iter().any(|g| g.arn == d.arn)));
        for other in sharing {
            tier.primaries.extend(other.primaries);
            tier.drs.extend(
                other.drs.into_iter().filter(|d| !counterparts.groups.iter().any(|g| g.arn == d.arn)),
            );
        }
        tiers = rest;
        tiers.push(tier);
    }
    tiers
}

impl Rule for DrAsgCapacityInsufficient {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        report_listing_gaps(ctx, out, Side::Both, &[ResourceKind::AutoScalingGroup], "DR capacity");
        let dr = ctx.inventory.dr.name;
        for (app, members) in &ctx.inventory.members().by_app {
            for tier in tiers(ctx, &members.primary_asgs) {
                let required: u32 = tier.primaries.iter().map(|a| a.desired_capacity).sum();
                let available: u32 = tier.drs.iter().map(|a| a.max_size).sum();
                if available >= required {
                    out.pass();
                    continue;
                }
                let Some(largest) = tier.drs.iter().max_by_key(|a| a.max_size) else { continue };
                let units = if tier.primaries.iter().chain(&tier.drs).any(|a| weighted(a)) {
                    " capacity units"
                } else {
                    ""
                };
                out.fail(
                    resource::asg(largest, dr),
                    format!(
                        "application {app}: DR max size {available}{units} ({}) is below the primary's desired capacity {required}{units} ({})",
                        tier.drs.iter().map(|a| format!("{} max {}", a.name, a.max_size)).collect::<Vec<_>>().join(", "),
                        tier.primaries.iter().map(|a| format!("{} desired {}", a.name, a.desired_capacity)).collect::<Vec<_>>().join(", ")
                    ),
                )
                .with("dr_max_size", available)
                .with("primary_desired_capacity", required)
                .with("weighted", !units.is_empty());
            }
        }
    }
}
