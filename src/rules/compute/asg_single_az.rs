use crate::findings::resource;
use crate::inventory::{ErrorCause, ResourceKind, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, declare_rule};
use std::collections::{BTreeSet, HashMap};

declare_rule! {
    /// ## What it does
    /// For every Auto Scaling group in the primary and DR regions, counts the Availability
    /// Zones it can launch in (its `AvailabilityZones`, and the zones of its subnets) and fails
    /// when there is only one.
    ///
    /// ## Why is this bad?
    /// A group in a single zone goes down with that zone, and in the DR region it cannot scale
    /// out when that zone lacks capacity for its instance types — which happens exactly when a
    /// neighbouring region fails over into it.
    ///
    /// ## Example
    /// `web-dr-asg` lists only `us-east-1a` because its launch subnets were copied from a
    /// single-subnet test stack.
    ///
    /// ## How to fix
    /// Give the group subnets in at least two (better three) Availability Zones of its VPC.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-availability-zone-balanced.html
    /// - https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/use-fault-isolation-to-protect-your-workload.html
    pub struct AsgSingleAz {
        name: "asg-single-az",
        code: "DR109",
        severity: Medium,
        group: ComputeAndCapacity,
        summary: "An Auto Scaling group can launch in only one Availability Zone",
    }
}

impl Rule for AsgSingleAz {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        for view in ctx.regions_listed(out, &[ResourceKind::AutoScalingGroup], "their Availability Zones") {
            let subnets: HashMap<&str, &str> = view
                .resources
                .subnets
                .iter()
                .map(|s| (s.id.as_str(), s.availability_zone.as_str()))
                .collect();
            for asg in &view.resources.auto_scaling_groups {
                let mut zones: BTreeSet<&str> = asg.availability_zones.iter().map(String::as_str).collect();
                let mut unresolved = Vec::new();
                for subnet_id in &asg.subnet_ids {
                    match subnets.get(subnet_id.as_str()) {
                        Some(zone) => {
                            zones.insert(zone);
                        }
                        None => unresolved.push(subnet_id.as_str()),
                    }
                }
                if zones.len() > 1 {
                    out.pass();
                    continue;
                }
                let target = resource::asg(asg, view.name);
                if !unresolved.is_empty()
                    && let Some(reason) = view.gap(ResourceKind::Subnet)
                {
                    out.unknown(
                        target,
                        reason,
                        format!("cannot tell the Availability Zones of ASG {}", asg.name),
                    );
                    continue;
                }
                if zones.is_empty() {
                    let reason = UnknownReason::new(
                        "autoscaling:DescribeAutoScalingGroups",
                        ErrorCause::Unresolvable,
                        format!("ASG {} lists no Availability Zone and no known subnet", asg.name),
                    );
                    out.unknown(
                        target,
                        &reason,
                        format!("cannot tell the Availability Zones of ASG {}", asg.name),
                    );
                    continue;
                }
                out.fail(
                    target,
                    format!(
                        "ASG {} launches only in {}",
                        asg.name,
                        zones.iter().next().copied().unwrap_or("?")
                    ),
                )
                .with("availability_zones", &zones)
                .with("subnet_ids", &asg.subnet_ids);
            }
        }
    }
}
