use crate::findings::resource;
use crate::inventory::dns::normalize_dns_name;
use crate::inventory::graph::AliasResolution;
use crate::inventory::{ErrorCause, ResourceKind, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, declare_rule, readable_failover_groups};

declare_rule! {
    /// ## What it does
    /// For every health check attached to a PRIMARY failover record, checks that it can tell
    /// whether the primary is down: it is not disabled, not inverted, and — for HTTP, HTTPS,
    /// string-matching and TCP checks — it targets the primary endpoint: the DNS name of the
    /// load balancer the PRIMARY aliases, or one of the PRIMARY record's values. A check on the
    /// failover name itself is flagged: after failover it follows the record to the DR region.
    ///
    /// ## Why is this bad?
    /// A health check that watches something else than the primary — the failover name, a
    /// staging host, an old load balancer — stays healthy while the primary is down (no
    /// failover), or fails while the primary is fine (needless failover). A disabled check is
    /// always healthy; an inverted one is healthy when the endpoint is down.
    ///
    /// ## Example
    /// The PRIMARY aliases `web-primary-…ap-south-1.elb.amazonaws.com`, but its health check
    /// requests `https://app.example.com/healthz` — which, after failover, is the DR region.
    ///
    /// ## How to fix
    /// Point the health check at the primary load balancer's DNS name (or the primary's own
    /// endpoint), enable it and clear the inverted flag.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-types.html
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-complex-configs.html
    pub struct HealthCheckIneffective {
        name: "health-check-ineffective",
        code: "DR207",
        severity: High,
        group: LoadBalancingAndDns,
        summary: "The PRIMARY's health check is disabled, inverted, or does not target the primary endpoint",
    }
}

const ENDPOINT_CHECKS: [&str; 5] = ["HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP"];

impl Rule for HealthCheckIneffective {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        for group in readable_failover_groups(ctx, out, "PRIMARY health checks") {
            for primary in &group.primaries {
                let Some(id) = primary.health_check_id.as_deref() else { continue };
                let Some(check) = ctx.inventory.health_check(id) else {
                    // A check the record names that is not listed: unknown when the listing
                    // failed (a check that does not exist is failover-primary-unmonitored's).
                    if let Some(reason) = ctx.inventory.global_gap(ResourceKind::HealthCheck) {
                        out.unknown(
                            resource::health_check_id(id),
                            &reason,
                            format!(
                                "cannot read health check {id} of PRIMARY {} {}",
                                group.name, group.record_type
                            ),
                        );
                    }
                    continue;
                };
                let target = resource::health_check(check);
                let name = format!("PRIMARY {} {}", group.name, group.record_type);
                if check.disabled || check.inverted {
                    let what = if check.disabled { "disabled" } else { "inverted" };
                    out.fail(
                        target,
                        format!(
                            "health check {} of {name} is {what}: it cannot report the primary as down",
                            check.id
                        ),
                    )
                    .with("disabled", check.disabled)
                    .with("inverted", check.inverted);
                    continue;
                }
                if !ENDPOINT_CHECKS.contains(&check.check_type.as_str()) {
                    out.pass();
                    continue;
                }
                // What the primary endpoint is called: the aliased load balancer, or the values.
                let mut endpoints: Vec<String> =
                    primary.values.iter().map(|v| normalize_dns_name(v)).collect();
                let mut unresolved = None;
                if let Some(alias) = &primary.alias_target {
                    endpoints.push(normalize_dns_name(&alias.dns_name));
                    match ctx.inventory.resolve_alias(group.zone, group.record_type, alias) {
                        AliasResolution::LoadBalancer { load_balancer, .. } => {
                            endpoints.push(normalize_dns_name(&load_balancer.dns_name))
                        }
                        AliasResolution::Unknown(reason) => unresolved = Some(reason),
                        _ => {}
                    }
                }
                let checked =
                    check.fqdn.as_deref().map(normalize_dns_name).or_else(|| check.ip_address.clone());
                match checked {
                    Some(endpoint) if endpoint == group.name => {
                        out.fail(target, format!("health check {} of {name} checks the failover name {endpoint} itself, which follows the failover to the DR region", check.id))
                            .with("checked_endpoint", &endpoint)
                            .with("primary_endpoints", &endpoints);
                    }
                    Some(endpoint) if endpoints.contains(&endpoint) => out.pass(),
                    Some(endpoint) => {
                        if let Some(reason) = unresolved {
                            out.unknown(
                                target,
                                &reason,
                                format!("cannot resolve the primary endpoint of {name}"),
                            );
                        } else if check.fqdn.is_none() && primary.alias_target.is_some() {
                            let reason = UnknownReason::new(
                                "health check target",
                                ErrorCause::Unresolvable,
                                format!(
                                    "{endpoint} is an IP address; drscan does not resolve load balancer addresses"
                                ),
                            );
                            out.unknown(
                                target,
                                &reason,
                                format!(
                                    "cannot tell whether health check {} targets the primary of {name}",
                                    check.id
                                ),
                            );
                        } else {
                            out.fail(target, format!("health check {} of {name} checks {endpoint}, not the primary endpoint {}", check.id, endpoints.join(" / ")))
                                .with("checked_endpoint", &endpoint)
                                .with("primary_endpoints", &endpoints);
                        }
                    }
                    None => {
                        let reason = UnknownReason::new(
                            "route53:GetHealthCheck",
                            ErrorCause::NotFound,
                            format!(
                                "health check {} names neither a domain name nor an IP address",
                                check.id
                            ),
                        );
                        out.unknown(
                            target,
                            &reason,
                            format!("cannot tell what health check {} of {name} targets", check.id),
                        );
                    }
                }
            }
        }
    }
}
