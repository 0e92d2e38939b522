use crate::estimate::duration_text;
use crate::findings::resource;
use crate::rules::{Context, Rule, RuleOutput, declare_rule, readable_failover_groups};

declare_rule! {
    /// ## What it does
    /// Checks the TTL of every non-alias failover record (PRIMARY and SECONDARY) against the
    /// TTL budget: `failover_ttl_budget` if configured, else 25 % of the RTO target, else 60 s.
    /// Alias records are skipped: Route 53 answers them with the target's TTL (60 s for load
    /// balancers).
    ///
    /// ## Why is this bad?
    /// Resolvers and clients cache the PRIMARY's answer for its TTL. After Route 53 switches to
    /// the SECONDARY, users keep reaching the failed region until their cached answer expires:
    /// a 300 s TTL adds up to 5 minutes to every failover.
    ///
    /// ## Example
    /// `status.example.com CNAME` is a PRIMARY failover record with TTL 300 while the RTO target
    /// is 2 minutes.
    ///
    /// ## How to fix
    /// Lower the TTL of failover records to 60 s or less, or use alias records to load
    /// balancers.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-complex-configs.html
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/best-practices-dns.html
    pub struct FailoverTtlTooHigh {
        name: "failover-ttl-too-high",
        code: "DR208",
        severity: Medium,
        group: LoadBalancingAndDns,
        summary: "A non-alias failover record's TTL is above the TTL budget",
    }
}

impl Rule for FailoverTtlTooHigh {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let (budget, budget_source) = ctx.settings.failover_ttl_budget();
        for group in readable_failover_groups(ctx, out, "failover TTLs") {
            for (record, role) in group.records() {
                if record.alias_target.is_some() {
                    continue;
                }
                match record.ttl {
                    Some(ttl) if ttl > budget => {
                        out.fail(
                            resource::record(group.zone, record),
                            format!(
                                "{role} {} {} has TTL {}: clients keep the old answer that long after failover (budget {}, {budget_source})",
                                group.name,
                                group.record_type,
                                duration_text(ttl),
                                duration_text(budget)
                            ),
                        )
                        .with("ttl_seconds", ttl)
                        .with("budget_seconds", budget)
                        .with("budget_source", budget_source);
                    }
                    _ => out.pass(),
                }
            }
        }
    }
}
