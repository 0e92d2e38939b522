use crate::findings::resource;
use crate::inventory::ResourceKind;
use crate::inventory::dns::RecordSet;
use crate::inventory::dr::LbTarget;
use crate::rules::{
    Context, Rule, RuleOutput, Side, declare_rule, readable_failover_groups, report_listing_gaps,
};
use std::collections::BTreeSet;

declare_rule! {
    /// ## What it does
    /// For every failover record pair whose PRIMARY points at a load balancer in the primary
    /// region and whose SECONDARY points at one in the DR region (an alias, or a plain CNAME
    /// to the load balancer's DNS name), checks that the DR load balancer has a listener for
    /// every port and protocol the primary's has. When either load balancer's listeners could
    /// not be read, the pair is `unknown`.
    ///
    /// ## Why is this bad?
    /// Clients keep using the same URLs after failover. If the DR load balancer lacks the HTTPS
    /// listener (or the port-80 redirect, or a gRPC port), those requests are refused even
    /// though DNS failed over correctly.
    ///
    /// ## Example
    /// The primary load balancer listens on HTTP:80 (redirect) and HTTPS:443; the DR one was
    /// created with HTTP:80 only, because its certificate was never requested in us-east-1.
    ///
    /// ## How to fix
    /// Create the missing listeners on the DR load balancer, with DR-region certificates for
    /// HTTPS, and keep both regions' listeners in the same infrastructure module.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html
    /// - https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-listeners.html
    pub struct DrListenerMismatch {
        name: "dr-listener-mismatch",
        code: "DR209",
        severity: High,
        group: LoadBalancingAndDns,
        summary: "The DR load balancer lacks a listener port/protocol that the primary load balancer has",
    }
}

impl Rule for DrListenerMismatch {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        check(ctx, out)
    }
}

/// A free function so the record lifetime `'s` can be named in the closure below.
fn check<'s>(ctx: &Context<'_, 's>, out: &mut RuleOutput) {
    let (primary_region, dr_region) = (ctx.inventory.primary.name, ctx.inventory.dr.name);
    let mut judged: BTreeSet<(&str, &str)> = BTreeSet::new();
    let relations = ctx.inventory.relations();
    // The pairs come from the failover records and the load balancers they alias: when either
    // listing is incomplete, pairs may be missing.
    report_listing_gaps(ctx, out, Side::Both, &[ResourceKind::LoadBalancer], "listener parity");
    for group in readable_failover_groups(ctx, out, "DR listeners") {
        let lb_in = |records: &[&'s RecordSet], region: &str| {
            records.iter().find_map(|record| {
                relations.record_load_balancer(group.zone, record).filter(|lb| lb.view.name == region)
            })
        };
        let (Some(primary), Some(dr)) =
            (lb_in(&group.primaries, primary_region), lb_in(&group.secondaries, dr_region))
        else {
            continue;
        };
        if !judged.insert((primary.load_balancer.arn.as_str(), dr.load_balancer.arn.as_str())) {
            continue;
        }
        let target = resource::load_balancer(dr.load_balancer, dr_region);
        if let Some(reason) = primary.listeners_unknown().or(dr.listeners_unknown()) {
            out.unknown(
                target,
                reason,
                format!(
                    "cannot compare the listeners of {} and {}",
                    primary.load_balancer.name, dr.load_balancer.name
                ),
            );
            continue;
        }
        let listeners = |lb: &LbTarget<'_, '_>| -> BTreeSet<String> {
            lb.view
                .listeners_of(&lb.load_balancer.arn)
                .iter()
                .map(|l| format!("{}:{}", l.protocol, l.port))
                .collect()
        };
        let wanted = listeners(&primary);
        let present = listeners(&dr);
        let missing: Vec<&String> = wanted.difference(&present).collect();
        if missing.is_empty() {
            out.pass();
            continue;
        }
        out.fail(
            target,
            format!(
                "DR load balancer {} lacks listener(s) {} that primary load balancer {} has",
                dr.load_balancer.name,
                missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                primary.load_balancer.name
            ),
        )
        .with("missing_listeners", &missing)
        .with("primary_listeners", &wanted)
        .with("dr_listeners", &present);
    }
}
