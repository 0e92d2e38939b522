use crate::findings::resource;
use crate::rules::{Context, Rule, RuleOutput, declare_rule, readable_failover_groups};

declare_rule! {
    /// ## What it does
    /// Checks that every PRIMARY failover record has a SECONDARY record with the same hosted
    /// zone, name and type. A and AAAA records are separate pairs; a public and a private zone
    /// of the same name are separate zones.
    ///
    /// ## Why is this bad?
    /// A PRIMARY failover record without a SECONDARY has nowhere to fail over to: when the
    /// primary becomes unhealthy, Route 53 keeps answering with it (or with nothing), and the
    /// DR region never receives traffic.
    ///
    /// ## Example
    /// `app.example.com A` has a PRIMARY alias to the ap-south-1 ALB; the SECONDARY was created
    /// only for `app.example.com AAAA`, so IPv4 clients never fail over.
    ///
    /// ## How to fix
    /// Create the SECONDARY record (same name, type and zone, `Failover: SECONDARY`) pointing
    /// at the DR entry point, usually an alias to the DR load balancer.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-types.html
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-failover.html
    pub struct FailoverSecondaryMissing {
        name: "failover-secondary-missing",
        code: "DR201",
        severity: Critical,
        group: LoadBalancingAndDns,
        summary: "A PRIMARY failover record has no SECONDARY record with the same zone, name and type",
    }
}

impl Rule for FailoverSecondaryMissing {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        for group in readable_failover_groups(ctx, out, "failover pairs") {
            for primary in &group.primaries {
                if group.secondaries.is_empty() {
                    out.fail(
                        resource::record(group.zone, primary),
                        format!(
                            "PRIMARY failover record {} {} in zone {}{} has no SECONDARY record",
                            group.name,
                            group.record_type,
                            group.zone.name,
                            if group.zone.private { " (private)" } else { "" }
                        ),
                    )
                    .with("zone_id", &group.zone.id)
                    .with("record_type", group.record_type);
                } else {
                    out.pass();
                }
            }
        }
    }
}
