use crate::findings::resource;
use crate::inventory::graph::AliasResolution;
use crate::inventory::{ErrorCause, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, declare_rule, readable_failover_groups};

declare_rule! {
    /// ## What it does
    /// Follows the alias target of every PRIMARY and SECONDARY failover record — through
    /// alias-to-record chains inside the zone first — and checks that a target that is a load
    /// balancer matches an existing load balancer in the primary or DR region. DNS names are
    /// compared case-insensitively, without a trailing dot and without the `dualstack.` prefix.
    /// Targets that are not load balancers (CloudFront, S3 websites, API Gateway) are reported
    /// as unknown, not as failures.
    ///
    /// ## Why is this bad?
    /// A dangling alias answers nothing useful: when the load balancer was deleted and
    /// recreated (with a new DNS name) the record still names the old one. For a SECONDARY this
    /// means failover sends users into a void; for a PRIMARY the outage has already started.
    ///
    /// ## Example
    /// The SECONDARY aliases `dualstack.web-dr-1234.us-east-1.elb.amazonaws.com.`, but the DR
    /// ALB was replaced by `web-dr-5678` during a Terraform refactor.
    ///
    /// ## How to fix
    /// Point the alias at the current load balancer, ideally by referencing the load balancer
    /// resource (not a copied DNS name) in your infrastructure code.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-alias.html
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-to-elb-load-balancer.html
    pub struct FailoverTargetMissing {
        name: "failover-target-missing",
        code: "DR204",
        severity: Critical,
        group: LoadBalancingAndDns,
        summary: "A failover alias record points at a load balancer that does not exist",
    }
}

impl Rule for FailoverTargetMissing {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        for group in readable_failover_groups(ctx, out, "alias targets") {
            for (record, role) in group.records() {
                let Some(alias) = &record.alias_target else { continue };
                let target = resource::record(group.zone, record);
                let name = format!("{role} {} {}", group.name, group.record_type);
                match ctx.inventory.resolve_alias(group.zone, group.record_type, alias) {
                    AliasResolution::LoadBalancer { .. } => out.pass(),
                    AliasResolution::MissingLoadBalancer { dns_name, region, via } => {
                        let chain = match via.first() {
                            Some(first) => format!("aliases {first}, which leads to {dns_name}"),
                            None => format!("aliases {dns_name}"),
                        };
                        out.fail(
                            target,
                            format!(
                                "{name} {chain}, which matches no load balancer{}",
                                region.as_deref().map(|r| format!(" in {r}")).unwrap_or_default()
                            ),
                        )
                        .with("alias_dns_name", &alias.dns_name)
                        .with("resolved_dns_name", dns_name)
                        .with("via_records", via)
                        .with("region", region);
                    }
                    AliasResolution::OtherTarget { dns_name, kind } => {
                        let reason = UnknownReason::new(
                            "alias resolution",
                            ErrorCause::Unresolvable,
                            format!("{dns_name} is a {kind}, which drscan does not collect"),
                        );
                        out.unknown(target, &reason, format!("cannot verify the alias target of {name}"));
                    }
                    AliasResolution::Unknown(reason) => {
                        out.unknown(target, &reason, format!("cannot verify the alias target of {name}"));
                    }
                }
            }
        }
    }
}
