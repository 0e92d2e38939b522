//! ACM of one region: the certificates that the region's HTTPS and TLS listeners present
//! (ACM certificates are regional, so the DR listener needs its own, valid one).

use super::errors::Failure;
use super::{Part, RegionCtx, bounded, smithy_time};
use crate::inventory::dependencies::Certificate;
use crate::inventory::load_balancing::Listener;
use crate::inventory::{ErrorCause, ResourceKind as K};
use std::collections::BTreeSet;

/// The kinds this collector reads; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] = &[K::Certificate];

/// The certificates of `listeners` (the region's, as ELBv2 listed them).
pub(crate) async fn collect(ctx: &RegionCtx, listeners: &[Listener]) -> Part {
    let mut part = Part::default();
    let arns: BTreeSet<String> = listeners
        .iter()
        .flat_map(|l| l.certificate_arns.iter())
        // IAM server certificates are not ACM's; only ACM ARNs can be described here.
        .filter(|arn| arn.starts_with("arn:aws:acm:") || arn.contains(":acm:"))
        .cloned()
        .collect();
    if arns.is_empty() {
        return part;
    }
    let client = ctx.acm();
    let results =
        bounded(arns.into_iter().collect(), ctx.concurrency, |arn| {
            let request = client.describe_certificate().certificate_arn(&arn);
            async move {
                (arn, request.send().await.map_err(|e| Failure::from_sdk("acm:DescribeCertificate", &e)))
            }
        })
        .await;
    for (arn, result) in results {
        match result {
            Ok(output) => {
                let Some(c) = output.certificate() else { continue };
                part.resources.certificates.push(Certificate {
                    arn: c.certificate_arn().unwrap_or_default().to_string(),
                    domain_name: c.domain_name().unwrap_or_default().to_string(),
                    subject_alternative_names: c.subject_alternative_names().to_vec(),
                    status: c.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                    not_after: smithy_time(c.not_after()),
                });
            }
            // A deleted certificate is simply absent, which is what the rules should see.
            Err(f) if f.cause == ErrorCause::NotFound => {}
            // Only this certificate is unknown.
            Err(f) => part.errors.push(f.reading(ctx.region_name(), &[K::Certificate], vec![arn])),
        }
    }
    part
}
