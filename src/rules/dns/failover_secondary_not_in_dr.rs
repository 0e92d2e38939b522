use crate::findings::resource;
use crate::inventory::UnknownReason;
use crate::inventory::graph::{AliasResolution, elb_region};
use crate::rules::{Context, Rule, RuleOutput, declare_rule, readable_failover_groups};

declare_rule! {
    /// ## What it does
    /// Checks that every SECONDARY failover record points into the DR region: an alias must
    /// resolve to a load balancer in the DR region (following in-zone alias chains), and a
    /// non-alias record's values that are load balancer DNS names must name the DR region.
    /// Targets that carry no region (IP addresses, CloudFront, other host names) are not
    /// judged; an alias whose load balancers could not be listed is `unknown`.
    ///
    /// ## Why is this bad?
    /// A SECONDARY that points at the primary region — a copy-paste of the PRIMARY, or a load
    /// balancer that was moved — fails over from the broken region to the same broken region.
    ///
    /// ## Example
    /// The SECONDARY of `app.example.com` aliases `web-primary-…ap-south-1.elb.amazonaws.com`,
    /// left over from a migration test; the DR load balancer in us-east-1 receives nothing.
    ///
    /// ## How to fix
    /// Point the SECONDARY at the DR region's entry point (an alias to the DR load balancer).
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-configuring.html
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-to-elb-load-balancer.html
    pub struct FailoverSecondaryNotInDr {
        name: "failover-secondary-not-in-dr",
        code: "DR205",
        severity: High,
        group: LoadBalancingAndDns,
        summary: "A SECONDARY failover record points at a target outside the DR region",
    }
}

impl Rule for FailoverSecondaryNotInDr {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let dr = ctx.inventory.dr.name;
        for group in readable_failover_groups(ctx, out, "SECONDARY regions") {
            for secondary in &group.secondaries {
                let target = resource::record(group.zone, secondary);
                let name = format!("SECONDARY {} {}", group.name, group.record_type);
                let region: Result<Option<String>, UnknownReason> = match &secondary.alias_target {
                    Some(alias) => match ctx.inventory.resolve_alias(group.zone, group.record_type, alias) {
                        AliasResolution::LoadBalancer { region, .. } => Ok(Some(region.to_string())),
                        AliasResolution::MissingLoadBalancer { region, .. } => Ok(region),
                        // CloudFront, S3, API Gateway: no region to compare.
                        AliasResolution::OtherTarget { .. } => continue,
                        AliasResolution::Unknown(reason) => Err(reason),
                    },
                    None => {
                        let regions: Vec<String> = secondary
                            .values
                            .iter()
                            .filter_map(|v| elb_region(&v.to_ascii_lowercase()))
                            .collect();
                        match regions.iter().find(|r| *r != dr).or(regions.first()) {
                            Some(region) => Ok(Some(region.clone())),
                            // IP addresses and other host names carry no region to compare.
                            None => continue,
                        }
                    }
                };
                match region {
                    Ok(Some(region)) if region == dr => out.pass(),
                    Ok(Some(region)) => {
                        out.fail(
                            target,
                            format!("{name} points at a target in {region}, not in the DR region {dr}"),
                        )
                        .with("target_region", &region)
                        .with("dr_region", dr);
                    }
                    // A dangling alias without a region is failover-target-missing's finding.
                    Ok(None) => {}
                    Err(reason) => {
                        out.unknown(target, &reason, format!("cannot tell which region {name} points at"));
                    }
                }
            }
        }
    }
}
