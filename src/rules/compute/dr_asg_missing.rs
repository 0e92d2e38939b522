use crate::findings::resource;
use crate::inventory::{Known, ResourceKind};
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every Auto Scaling group an application runs in the primary region, checks that a
    /// DR-region group of the application stands in for it — each tier on its own, so a
    /// second tier (a worker fleet) needs a DR group of its own. Groups join an application
    /// through its failover record (SECONDARY → DR load balancer → target group ← group) or
    /// the application tag; within it, a DR group is a primary group's counterpart by, in
    /// order: the ASG pairing tag (`[asg] pairing_tag`, default `drscan:dr-pair`: the same
    /// value on both groups, or the primary group's name on the DR group); the same name once
    /// region names and role words (`dr`, `primary`, `secondary`, `standby`, …) are left out
    /// (`worker-asg` and `worker-dr-asg`); the same launch-template lineage (template names
    /// compared the same way, or the DR template launching a copy of the primary's AMI); else,
    /// when each is its application's only group in its region, the two are paired. A DR
    /// group that stronger evidence gives to one tier is not paired with another by weaker
    /// evidence.
    ///
    /// ## Why is this bad?
    /// Without a DR Auto Scaling group there is nothing to scale out on failover: the DR load
    /// balancer has no instances to send traffic to, and someone has to build the web tier
    /// from scratch during the outage.
    ///
    /// ## Example
    /// `web-asg` runs in ap-south-1; the us-east-1 stack has the load balancer and target group
    /// but its Auto Scaling group was never created (or was deleted to save cost). Or the
    /// application also runs `worker-asg` in ap-south-1, and us-east-1 has only `web-dr-asg`:
    /// the worker fleet has no DR tier.
    ///
    /// ## How to fix
    /// Create the DR group from the copied AMI's launch template — min/desired 0 for a pilot
    /// light, with a scaling policy driven by the primary's health — and attach it to the DR
    /// target group. Tag it with the application tag if it is not reachable from the record,
    /// and with the ASG pairing tag (the primary group's name) if its name does not show the
    /// tier.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/whitepapers/latest/disaster-recovery-workloads-on-aws/disaster-recovery-options-in-the-cloud.html
    /// - https://docs.aws.amazon.com/autoscaling/ec2/userguide/create-asg-launch-template.html
    pub struct DrAsgMissing {
        name: "dr-asg-missing",
        code: "DR106",
        severity: Critical,
        group: ComputeAndCapacity,
        summary: "An application's primary Auto Scaling group has no counterpart group in the DR region",
    }
}

impl Rule for DrAsgMissing {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let primary = ctx.primary_listed(out, &[ResourceKind::AutoScalingGroup], "for DR counterparts").name;
        let dr = &ctx.inventory.dr;
        let relations = ctx.inventory.relations();
        for (app, members) in &ctx.inventory.members().by_app {
            for asg in &members.primary_asgs {
                let target = resource::asg(asg, primary);
                match relations.dr_asgs(asg) {
                    Known::Value(counterparts) if !counterparts.groups.is_empty() => out.pass(),
                    Known::Unknown(reason) => {
                        out.unknown(
                            target,
                            &reason,
                            format!(
                                "cannot list Auto Scaling groups in {} to find the DR counterpart of {}",
                                dr.name, asg.name
                            ),
                        );
                    }
                    Known::Value(_) if members.dr_asgs.is_empty() => {
                        out.fail(target, format!("application {app} runs ASG {} in {primary} but has no Auto Scaling group in {}", asg.name, dr.name))
                            .with("primary_desired_capacity", asg.desired_capacity)
                            .with("app_tag", &ctx.settings.matching.app_tag_key);
                    }
                    Known::Value(_) => {
                        let others: Vec<&str> = members.dr_asgs.iter().map(|g| g.name.as_str()).collect();
                        out.fail(
                            target,
                            format!(
                                "application {app} runs ASG {} in {primary} but no Auto Scaling group in {} stands in for it: {} serve other tiers (none shares its pairing tag {}, its name or its launch template lineage)",
                                asg.name,
                                dr.name,
                                others.join(", "),
                                relations.asg_pairing_tag()
                            ),
                        )
                        .with("primary_desired_capacity", asg.desired_capacity)
                        .with("dr_asgs_of_other_tiers", others)
                        .with("asg_pairing_tag", relations.asg_pairing_tag());
                    }
                }
            }
        }
    }
}
