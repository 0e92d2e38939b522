use crate::findings::resource;
use crate::inventory::graph::{AliasResolution, EXTERNAL_HOST};
use crate::inventory::{ErrorCause, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, declare_rule, readable_failover_groups};

declare_rule! {
    /// ## What it does
    /// Follows the alias target of every PRIMARY and SECONDARY failover record, and the value of
    /// every plain CNAME one — through alias and CNAME chains across the collected zones first
    /// — and checks that a target that is a load balancer matches an existing load balancer
    /// (ELBv2, or Classic) in the primary or DR region. DNS names are compared
    /// case-insensitively, without a trailing dot and without the `dualstack.` prefix. AWS
    /// targets drscan does not model (CloudFront, S3 websites, API Gateway, Elastic Beanstalk)
    /// are reported as unknown, naming the kind, not as failures; a CNAME to a host outside AWS
    /// and outside the collected zones is not a load balancer and is left alone.
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
                let (Some(resolution), Some((verb, named))) =
                    (ctx.inventory.resolve_record(group.zone, record), record.named_target())
                else {
                    continue;
                };
                let target = resource::record(group.zone, record);
                let name = format!("{role} {} {}", group.name, group.record_type);
                let what = if record.alias_target.is_some() { "alias target" } else { "CNAME target" };
                match resolution {
                    AliasResolution::LoadBalancer { .. } => out.pass(),
                    AliasResolution::MissingLoadBalancer { dns_name, region, via } => {
                        let chain = match via.first() {
                            Some(first) => format!("{verb} {first}, which leads to {dns_name}"),
                            None => format!("{verb} {dns_name}"),
                        };
                        out.fail(
                            target,
                            format!(
                                "{name} {chain}, which matches no load balancer{}",
                                region.as_deref().map(|r| format!(" in {r}")).unwrap_or_default()
                            ),
                        )
                        .with("alias_dns_name", named)
                        .with("resolved_dns_name", dns_name)
                        .with("via_records", via)
                        .with("region", region);
                    }
                    // A CNAME to a host of the owner's own is no load balancer question.
                    AliasResolution::OtherTarget { kind: EXTERNAL_HOST, .. }
                        if record.alias_target.is_none() => {}
                    AliasResolution::OtherTarget { dns_name, kind } => {
                        let reason = UnknownReason::new(
                            "alias resolution",
                            ErrorCause::Unresolvable,
                            format!("{dns_name} is a {kind}, which drscan does not collect"),
                        );
                        out.unknown(target, &reason, format!("cannot verify the {what} of {name}"));
                    }
                    AliasResolution::Unknown(reason) => {
                        out.unknown(target, &reason, format!("cannot verify the {what} of {name}"));
                    }
                }
            }
        }
    }
}
