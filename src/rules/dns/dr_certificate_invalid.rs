use crate::findings::resource;
use crate::inventory::dr::LbTarget;
use crate::inventory::{ErrorCause, ResourceKind, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, declare_rule, readable_failover_groups};
use std::collections::{BTreeMap, BTreeSet, HashMap};

declare_rule! {
    /// ## What it does
    /// For every DR-region load balancer that a SECONDARY failover record points at (an alias,
    /// or a plain CNAME to its DNS name), checks each certificate of its HTTPS and TLS
    /// listeners — the default certificate and the SNI certificate list
    /// (DescribeListenerCertificates): it must exist in the DR region's ACM, be `ISSUED`, not
    /// expire within 30 days (`certificate_expiry_days`), and together they must cover every
    /// record name that fails over to the load balancer (exactly, or by a one-label `*.`
    /// wildcard). An IAM server certificate is not missing: drscan does not read its names or
    /// expiry, so such a listener is `unknown` unless another problem fails it; so is one
    /// whose SNI list or listeners could not be read.
    ///
    /// ## Why is this bad?
    /// ACM certificates are regional and renew only while in use and validated. A DR listener
    /// whose certificate expired, is still pending validation, or does not include the
    /// application's name makes every client fail the TLS handshake right after failover.
    ///
    /// ## Example
    /// `app.example.com` fails over to the us-east-1 load balancer, whose listener serves a
    /// certificate for `dr.example.com` only.
    ///
    /// ## How to fix
    /// Request (or import) a certificate in the DR region for every failover name, validate it
    /// by DNS so it renews automatically, and attach it to the DR listener.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html
    /// - https://docs.aws.amazon.com/acm/latest/userguide/managed-renewal.html
    /// - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/https-listener-certificates.html
    pub struct DrCertificateInvalid {
        name: "dr-certificate-invalid",
        code: "DR210",
        severity: High,
        group: LoadBalancingAndDns,
        summary: "A DR HTTPS listener's certificate is missing, not issued, expiring, or does not cover the failover names",
    }
}

/// Whether a certificate name covers a host name (`*.` covers exactly one label).
fn covers(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    if let Some(suffix) = pattern.strip_prefix("*.") {
        return host.split_once('.').is_some_and(|(label, rest)| !label.is_empty() && rest == suffix);
    }
    pattern == host
}

/// An IAM server certificate (`arn:aws:iam::…:server-certificate/…`), which a listener can
/// serve instead of an ACM one: global, not in ACM, and not read by drscan.
fn is_iam_server_certificate(arn: &str) -> bool {
    arn.starts_with("arn:") && arn.contains(":iam::") && arn.contains(":server-certificate/")
}

impl Rule for DrCertificateInvalid {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let dr = ctx.dr_listed(
            out,
            &[ResourceKind::LoadBalancer, ResourceKind::Listener],
            "the certificates of DR listeners",
        );
        if let Some(reason) = ctx.inventory.failover_records_gap() {
            // Which DR listeners fail over, for which names, is not known: every DR TLS
            // listener is unknown rather than judged (or skipped) on a guess.
            for listener in dr
                .resources
                .listeners
                .iter()
                .filter(|l| matches!(l.protocol.as_str(), "HTTPS" | "TLS" | "SSL"))
            {
                out.unknown(
                    resource::listener(listener, dr.name),
                    &reason,
                    format!(
                        "cannot tell which failover names DR listener {}:{} serves",
                        listener.protocol, listener.port
                    ),
                );
            }
            return;
        }
        // DR load balancer → the failover names pointing at it.
        let mut names: BTreeMap<&str, (LbTarget<'_, '_>, BTreeSet<&str>)> = BTreeMap::new();
        let relations = ctx.inventory.relations();
        for group in readable_failover_groups(ctx, out, "DR certificates") {
            for secondary in &group.secondaries {
                if let Some(lb) =
                    relations.record_load_balancer(group.zone, secondary).filter(|lb| lb.view.name == dr.name)
                {
                    let entry = names.entry(lb.load_balancer.arn.as_str()).or_insert((lb, BTreeSet::new()));
                    entry.1.insert(group.name.as_str());
                }
            }
        }
        let certificates: HashMap<&str, &crate::inventory::dependencies::Certificate> =
            dr.resources.certificates.iter().map(|c| (c.arn.as_str(), c)).collect();
        let expiry_horizon =
            crate::time::after(ctx.now, crate::time::days(ctx.settings.thresholds.certificate_expiry_days));
        for (lb_arn, (lb, hosts)) in names {
            if let Some(reason) = lb.listeners_unknown() {
                out.unknown(
                    resource::load_balancer(lb.load_balancer, dr.name),
                    reason,
                    format!("cannot read the listeners of DR load balancer {}", lb.load_balancer.name),
                );
                continue;
            }
            for listener in dr.listeners_of(lb_arn) {
                if !matches!(listener.protocol.as_str(), "HTTPS" | "TLS" | "SSL") {
                    continue;
                }
                let target = resource::listener(listener, dr.name);
                if listener.certificate_arns.is_empty() {
                    out.fail(
                        target,
                        format!("DR listener {}:{} has no certificate", listener.protocol, listener.port),
                    );
                    continue;
                }
                let mut problems = Vec::new();
                let mut covered: BTreeSet<&str> = BTreeSet::new();
                let mut unknown = None;
                let mut not_read = Vec::new();
                for arn in &listener.certificate_arns {
                    if is_iam_server_certificate(arn) {
                        not_read.push(arn.as_str());
                        continue;
                    }
                    let Some(cert) = certificates.get(arn.as_str()).copied() else {
                        match dr.unread(ResourceKind::Certificate, arn) {
                            Some(reason) => unknown = unknown.or(Some(reason.clone())),
                            None => problems.push(format!("certificate {arn} does not exist in {}", dr.name)),
                        }
                        continue;
                    };
                    if cert.status != "ISSUED" {
                        problems.push(format!("certificate for {} is {}", cert.domain_name, cert.status));
                        continue;
                    }
                    match cert.not_after {
                        Some(end) if end <= ctx.now => problems.push(format!(
                            "certificate for {} expired on {}",
                            cert.domain_name,
                            end.format("%Y-%m-%d")
                        )),
                        Some(end) if end <= expiry_horizon => problems.push(format!(
                            "certificate for {} expires on {}",
                            cert.domain_name,
                            end.format("%Y-%m-%d")
                        )),
                        _ => {}
                    }
                    let cert_names: Vec<&str> = std::iter::once(cert.domain_name.as_str())
                        .chain(cert.subject_alternative_names.iter().map(String::as_str))
                        .collect();
                    covered.extend(hosts.iter().copied().filter(|h| cert_names.iter().any(|n| covers(n, h))));
                }
                let uncovered: Vec<&str> = hosts.iter().copied().filter(|h| !covered.contains(h)).collect();
                let iam = (!not_read.is_empty()).then(|| {
                    UnknownReason::new(
                        "iam server certificate",
                        ErrorCause::Unresolvable,
                        format!(
                            "{} is an IAM server certificate, whose names and expiry drscan does not read",
                            not_read.join(", ")
                        ),
                    )
                });
                // The SNI list matters only for names the certificates read do not cover.
                let sni = listener.certificates_unknown.clone().filter(|_| !uncovered.is_empty());
                // Names no certificate drscan read covers may be covered by one it could not read.
                if !uncovered.is_empty() && unknown.is_none() && iam.is_none() && sni.is_none() {
                    problems.push(format!("no certificate covers {}", uncovered.join(", ")));
                }
                if !problems.is_empty() {
                    out.fail(
                        target,
                        format!(
                            "DR listener {}:{}: {}",
                            listener.protocol,
                            listener.port,
                            problems.join("; ")
                        ),
                    )
                    .with("certificates", &listener.certificate_arns)
                    .with("failover_names", &hosts)
                    .with("problems", &problems);
                } else if let Some(reason) = unknown.or(iam).or(sni) {
                    out.unknown(
                        target,
                        &reason,
                        format!(
                            "cannot read the certificate of DR listener {}:{}",
                            listener.protocol, listener.port
                        ),
                    );
                } else {
                    out.pass();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(covers("*.example.com", "app.example.com"));
        assert!(!covers("*.example.com", "a.b.example.com"));
        assert!(!covers("*.example.com", "example.com"));
        assert!(covers("app.example.com.", "app.example.com"));
    }
}
