use crate::findings::resource;
use crate::inventory::{Known, ResourceKind};
use crate::rules::{Context, Rule, RuleOutput, Side, declare_rule, report_listing_gaps};

declare_rule! {
    /// ## What it does
    /// For every application with an Auto Scaling group in the primary region, checks that the
    /// application has at least one Auto Scaling group in the DR region. Groups join an
    /// application through its failover record (SECONDARY → DR load balancer → target group
    /// ← group) or the application tag.
    ///
    /// ## Why is this bad?
    /// Without a DR Auto Scaling group there is nothing to scale out on failover: the DR load
    /// balancer has no instances to send traffic to, and someone has to build the web tier
    /// from scratch during the outage.
    ///
    /// ## Example
    /// `web-asg` runs in ap-south-1; the us-east-1 stack has the load balancer and target group
    /// but its Auto Scaling group was never created (or was deleted to save cost).
    ///
    /// ## How to fix
    /// Create the DR group from the copied AMI's launch template — min/desired 0 for a pilot
    /// light, with a scaling policy driven by the primary's health — and attach it to the DR
    /// target group. Tag it with the application tag if it is not reachable from the record.
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
        report_listing_gaps(
            ctx,
            out,
            Side::Primary,
            &[ResourceKind::AutoScalingGroup],
            "for DR counterparts",
        );
        let primary = ctx.inventory.primary.name;
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
                    Known::Value(_) => {
                        out.fail(target, format!("application {app} runs ASG {} in {primary} but has no Auto Scaling group in {}", asg.name, dr.name))
                            .with("primary_desired_capacity", asg.desired_capacity)
                            .with("app_tag", &ctx.settings.matching.app_tag_key);
                    }
                }
            }
        }
    }
}
