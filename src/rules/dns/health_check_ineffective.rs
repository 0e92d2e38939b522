use crate::findings::resource;
use crate::inventory::dns::{HealthCheck, HostedZone, normalize_dns_name};
use crate::inventory::graph::AliasResolution;
use crate::inventory::{ErrorCause, ResourceKind, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, declare_rule, readable_failover_groups};
use std::net::IpAddr;

declare_rule! {
    /// ## What it does
    /// For every health check attached to a PRIMARY failover record, checks that it can tell
    /// whether the primary is down: it is not disabled, not inverted, and — for HTTP, HTTPS,
    /// string-matching and TCP checks — it targets the primary endpoint: the DNS name of the
    /// load balancer the PRIMARY aliases or is a CNAME to, one of the PRIMARY record's values,
    /// or a per-region name (`app-primary.example.com`) whose own record resolves, through the
    /// collected zones, to that load balancer. A check on the failover name itself is flagged:
    /// after failover it follows the record to the DR region. So is an endpoint check that
    /// Route 53's checkers cannot reach: a private address, a name only a private hosted zone
    /// answers for, or an internal load balancer. A check that a Route 53 ARC routing control
    /// decides (`RECOVERY_CONTROL`) is `unknown`: drscan does not model routing controls.
    ///
    /// ## Why is this bad?
    /// A health check that watches something else than the primary — the failover name, a
    /// staging host, an old load balancer — stays healthy while the primary is down (no
    /// failover), or fails while the primary is fine (needless failover). A disabled check is
    /// always healthy; an inverted one is healthy when the endpoint is down. Route 53's
    /// checkers probe from the internet: for a record in a private hosted zone they cannot
    /// reach the private endpoint, so the check never reports healthy and the record never
    /// serves.
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
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-private-hosted-zones.html
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
                if check.check_type == "RECOVERY_CONTROL" {
                    let reason = UnknownReason::new(
                        "health check type",
                        ErrorCause::Unresolvable,
                        "a Route 53 ARC routing control decides this check, and drscan does not model routing controls or who flips them",
                    );
                    out.unknown(
                        target,
                        &reason,
                        format!(
                            "cannot tell whether health check {} of {name} reports the primary as down",
                            check.id
                        ),
                    );
                    continue;
                }
                if !ENDPOINT_CHECKS.contains(&check.check_type.as_str()) {
                    out.pass();
                    continue;
                }
                // What the primary endpoint is called: its values, the name it aliases or is a
                // CNAME to, and the load balancer that resolves to.
                let mut endpoints: Vec<String> =
                    primary.values.iter().map(|v| normalize_dns_name(v)).collect();
                let mut unresolved = None;
                let mut primary_lb = None;
                if let Some((_, named)) = primary.named_target() {
                    endpoints.push(normalize_dns_name(named));
                }
                match ctx.inventory.resolve_record(group.zone, primary) {
                    Some(AliasResolution::LoadBalancer { load_balancer, .. }) => {
                        endpoints.push(normalize_dns_name(&load_balancer.dns_name));
                        primary_lb = Some(load_balancer);
                    }
                    Some(AliasResolution::Unknown(reason)) => unresolved = Some(reason),
                    _ => {}
                }
                endpoints.dedup();
                if let Some(why) = unreachable_by_checkers(ctx, group.zone, check) {
                    out.fail(target, format!("health check {} of {name} {why}: Route 53's health checkers run on the internet, outside the VPC, so it can never report healthy", check.id))
                        .with("checked_endpoint", check.fqdn.as_deref().or(check.ip_address.as_deref()))
                        .with("private_zone", group.zone.private);
                    continue;
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
                        // A per-region name (app-primary.example.com) that itself resolves, through
                        // the collected zones, to the primary's load balancer.
                        let through_zones = check
                            .fqdn
                            .is_some()
                            .then(|| ctx.inventory.resolve_name(&endpoint, group.zone.private));
                        match (&through_zones, primary_lb) {
                            (Some(AliasResolution::LoadBalancer { load_balancer, .. }), Some(lb))
                                if load_balancer.arn == lb.arn =>
                            {
                                out.pass();
                                continue;
                            }
                            (Some(AliasResolution::Unknown(reason)), _) => {
                                out.unknown(
                                    target,
                                    reason,
                                    format!(
                                        "cannot resolve {endpoint}, which health check {} of {name} checks",
                                        check.id
                                    ),
                                );
                                continue;
                            }
                            _ => {}
                        }
                        if let Some(reason) = unresolved {
                            out.unknown(
                                target,
                                &reason,
                                format!("cannot resolve the primary endpoint of {name}"),
                            );
                        } else if check.fqdn.is_none() && primary.named_target().is_some() {
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
                            let resolved = match &through_zones {
                                Some(AliasResolution::LoadBalancer { load_balancer, .. }) => {
                                    format!(" (load balancer {})", load_balancer.name)
                                }
                                _ => String::new(),
                            };
                            out.fail(target, format!("health check {} of {name} checks {endpoint}{resolved}, not the primary endpoint {}", check.id, endpoints.join(" / ")))
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

/// Why Route 53's checkers (on the internet) cannot reach what an endpoint check targets, if
/// they cannot: a private, loopback or link-local address; a name that only a private hosted
/// zone answers for (in the record's own private zone); an internal load balancer.
fn unreachable_by_checkers(ctx: &Context<'_, '_>, zone: &HostedZone, check: &HealthCheck) -> Option<String> {
    if let Some(ip) = check.ip_address.as_deref().and_then(|ip| ip.parse::<IpAddr>().ok())
        && !is_public(ip)
    {
        return Some(format!("targets the private address {ip}"));
    }
    let fqdn = normalize_dns_name(check.fqdn.as_deref()?);
    let records = ctx.inventory.records_named(&fqdn);
    if zone.private && !records.is_empty() && records.iter().all(|r| r.zone.private) {
        let private_zone = records.first().map(|r| r.zone.name.trim_end_matches('.')).unwrap_or_default();
        return Some(format!(
            "targets {fqdn}, which only the private hosted zone {private_zone} answers for"
        ));
    }
    let resolution = ctx.inventory.resolve_name(&fqdn, zone.private);
    match resolution {
        AliasResolution::LoadBalancer { load_balancer, .. } if load_balancer.scheme == "internal" => {
            Some(format!("targets {fqdn}, the internal load balancer {}", load_balancer.name))
        }
        _ => None,
    }
}

/// Whether Route 53's checkers on the internet can reach an address.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let shared = v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1]);
            !(v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified() || shared)
        }
        IpAddr::V6(v6) => {
            !(v6.is_loopback() || v6.is_unspecified() || v6.is_unique_local() || v6.is_unicast_link_local())
        }
    }
}
