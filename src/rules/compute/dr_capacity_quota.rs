use crate::findings::resource;
use crate::inventory::ResourceKind;
use crate::rules::{Context, Rule, RuleOutput, Side, declare_rule, report_listing_gaps};
use std::collections::BTreeSet;

declare_rule! {
    /// ## What it does
    /// For every DR Auto Scaling group that stands in for primary groups, takes the capacity
    /// the primary runs today (its groups' desired capacity, in capacity units where weights
    /// are set) and the units the DR group must add to reach it, splits them into On-Demand
    /// and Spot as the group's instances distribution does, and counts the vCPUs they take
    /// (`DescribeInstanceTypes` `DefaultVCpus`; with weights, `ceil(units / weight)`
    /// instances) at the group's instance type that needs the fewest. Per EC2 vCPU quota of
    /// the DR region (Service Quotas: `Running On-Demand Standard (A, C, D, H, I, M, R, T, Z)
    /// instances` L-1216C47A, `G and VT` L-DB2E81BA, `P` L-417A185B, …, and the `All …
    /// Spot Instance Requests` quotas for groups that launch Spot), the sum is compared with
    /// the quota's value minus its current usage (the `AWS/Usage` metric the quota names).
    /// The applied value counts; where none exists, AWS's default. `AWS/Usage` has a datapoint
    /// each minute while vCPUs of the class run, so a window without one counts none in use. A
    /// quota that cannot be read is `unknown`, never a pass; so is a usage that cannot be read,
    /// unless the quota's value alone is below the need.
    ///
    /// ## Why is this bad?
    /// A pilot-light or warm-standby tier scales out in the DR region when the primary is
    /// gone. vCPU quotas are per region, and a DR region that normally runs little often has
    /// a small one: the launches fail with `VcpuLimitExceeded` (or `MaxSpotInstanceCountExceeded`)
    /// and the group stays short, while every launch template and AMI check is green. A quota
    /// increase takes hours to days — too late during an outage.
    ///
    /// ## Example
    /// `web-asg` runs 8 `m5.xlarge` (4 vCPUs each) in ap-south-1; `web-dr-asg` in us-east-1
    /// is at 0. The DR region's Standard On-Demand quota is 32 vCPUs with 24 in use: 8 free,
    /// 32 needed.
    ///
    /// ## How to fix
    /// Request an increase of the quota in the DR region (Service Quotas console or
    /// `RequestServiceQuotaIncrease`) to at least the usage plus the scale-out's vCPUs, with
    /// headroom for a rolling replacement; keep it in step with the primary's growth (a
    /// CloudWatch alarm on `SERVICE_QUOTA(m1)` helps).
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-quotas.html
    /// - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-spot-limits.html
    /// - https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_GetServiceQuota.html
    /// - https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_GetAWSDefaultServiceQuota.html
    /// - https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Service-Quota-Integration.html
    /// - https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-mixed-instances-groups-instance-weighting.html
    pub struct DrCapacityQuota {
        name: "dr-capacity-quota",
        code: "DR112",
        severity: Critical,
        group: ComputeAndCapacity,
        summary: "The DR region's vCPU quota minus usage is below what the DR groups need to reach the primary's capacity",
    }
}

impl Rule for DrCapacityQuota {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        report_listing_gaps(ctx, out, Side::Both, &[ResourceKind::AutoScalingGroup], "the DR capacity quota");
        let dr = ctx.inventory.dr.name;
        let account = ctx.inventory.account_of_region(dr);
        let scale_out = ctx.inventory.scale_out();
        for (app, asg, reason) in &scale_out.unknown_groups {
            out.unknown(
                resource::asg(asg, dr),
                reason,
                format!(
                    "cannot tell how many vCPUs DR ASG {} needs to reach the primary's capacity",
                    asg.name
                ),
            )
            .app(app);
        }
        for need in &scale_out.quotas {
            let target = resource::service_quota("ec2", need.code, dr, account);
            let apps: BTreeSet<&str> = need.groups.iter().map(|g| g.app.as_str()).collect();
            let groups: Vec<String> = need.groups.iter().map(|g| g.describe()).collect();
            let needed = need.vcpus();
            let finding = match (&need.free, need.quota) {
                (_, Some(quota)) if need.short() => {
                    let default = if quota.aws_default { " (AWS's default)" } else { "" };
                    let value = quota.value;
                    let name = need.name();
                    let groups = groups.join("; ");
                    let message = match &need.free {
                        Ok((free, in_use)) => format!(
                            "{dr}'s {name} is {value} vCPUs{default} with {in_use} in use: {free} free, but scaling out to the primary's capacity needs {needed} ({groups})"
                        ),
                        Err(_) => format!(
                            "{dr}'s {name} is {value} vCPUs{default}, below the {needed} that scaling out to the primary's capacity needs whatever its usage ({groups})"
                        ),
                    };
                    let finding = out.fail(target, message);
                    finding.with("quota_value", value);
                    if let Ok((free, in_use)) = &need.free {
                        finding.with("in_use", in_use).with("free", free);
                    }
                    finding
                }
                (Ok(_), _) => {
                    out.pass();
                    continue;
                }
                (Err(reason), _) => out.unknown(
                    target,
                    reason,
                    format!(
                        "cannot tell whether {dr}'s {} leaves the {needed} vCPUs the scale-out needs",
                        need.name()
                    ),
                ),
            };
            finding
                .with("needed_vcpus", needed)
                .with("purchase", need.purchase.as_str())
                .with("groups", &groups);
            if let [app] = apps.into_iter().collect::<Vec<_>>().as_slice() {
                finding.app(*app);
            }
        }
    }
}
