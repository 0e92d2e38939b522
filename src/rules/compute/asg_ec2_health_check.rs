use crate::findings::resource;
use crate::inventory::ResourceKind;
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every Auto Scaling group in the primary and DR regions that is attached to a load
    /// balancer target group, checks that its health check types include `ELB`, so that
    /// instances the load balancer sees as unhealthy are replaced. `HealthCheckType` is a
    /// comma-separated list: `ELB,EBS` uses ELB health checks, `EBS` or `VPC_LATTICE` alone
    /// does not.
    ///
    /// ## Why is this bad?
    /// With `EC2` health checks the group replaces an instance only when EC2 says it is
    /// impaired. An instance whose application never started (a bad AMI, a missing secret in
    /// the DR region) stays `InService` forever while the target group reports it unhealthy:
    /// the DR tier looks scaled out and serves nothing.
    ///
    /// ## Example
    /// `web-dr-asg` uses `HealthCheckType: EC2`; after failover its instances fail the
    /// `/healthz` check because a DR-region parameter is missing, and nothing replaces them.
    ///
    /// ## How to fix
    /// Add `ELB` to `HealthCheckType` (`ELB`, or `ELB,EBS` to keep EBS checks) with a grace
    /// period that covers the application's boot.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-health-checks.html
    /// - https://docs.aws.amazon.com/autoscaling/ec2/userguide/health-check-grace-period.html
    pub struct AsgEc2HealthCheck {
        name: "asg-ec2-health-check",
        code: "DR110",
        severity: Low,
        group: ComputeAndCapacity,
        summary: "An Auto Scaling group behind a load balancer does not use ELB health checks",
    }
}

impl Rule for AsgEc2HealthCheck {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        for view in ctx.regions_listed(out, &[ResourceKind::AutoScalingGroup], "their health check type") {
            for asg in &view.resources.auto_scaling_groups {
                if asg.attached_target_groups().next().is_none() {
                    continue;
                }
                if asg.uses_health_check("ELB") {
                    out.pass();
                    continue;
                }
                let types: Vec<String> = asg.health_check_types().into_iter().collect();
                out.fail(
                    resource::asg(asg, view.name),
                    format!(
                        "ASG {} is behind a load balancer but uses {} health checks: instances the target group finds unhealthy are never replaced",
                        asg.name,
                        types.join(" and ")
                    ),
                )
                .with("health_check_type", &asg.health_check_type)
                .with("target_groups", asg.attached_target_groups().collect::<Vec<_>>());
            }
        }
    }
}
