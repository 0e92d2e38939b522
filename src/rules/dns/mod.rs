//! Load balancing and DNS rules: will Route 53 actually move traffic to a working DR entry?

mod dr_certificate_invalid;
mod dr_listener_mismatch;
mod failover_primary_unmonitored;
mod failover_secondary_missing;
mod failover_secondary_not_in_dr;
mod failover_secondary_unhealthy;
mod failover_target_missing;
mod failover_ttl_too_high;
mod health_check_ineffective;
mod health_check_slow_detection;

pub use dr_certificate_invalid::DrCertificateInvalid;
pub use dr_listener_mismatch::DrListenerMismatch;
pub use failover_primary_unmonitored::FailoverPrimaryUnmonitored;
pub use failover_secondary_missing::FailoverSecondaryMissing;
pub use failover_secondary_not_in_dr::FailoverSecondaryNotInDr;
pub use failover_secondary_unhealthy::FailoverSecondaryUnhealthy;
pub use failover_target_missing::FailoverTargetMissing;
pub use failover_ttl_too_high::FailoverTtlTooHigh;
pub use health_check_ineffective::HealthCheckIneffective;
pub use health_check_slow_detection::HealthCheckSlowDetection;

use crate::inventory::dns::HostedZone;
use crate::inventory::{Known, ResourceKind};
use crate::rules::{Context, RuleOutput, resource};

/// Report `unknown` for every zone whose records could not be read (and for all zones when the
/// zone listing itself failed): a failover record there cannot be judged. Returns the zones
/// whose records are known.
fn readable_zones<'s>(ctx: &Context<'_, 's>, out: &mut RuleOutput, what: &str) -> Vec<&'s HostedZone> {
    if let Some(reason) = ctx.inventory.global_gap(ResourceKind::HostedZone) {
        out.unknown(resource::all_zones(), &reason, format!("cannot list hosted zones to check {what}"));
    }
    let mut readable = Vec::new();
    for zone in &ctx.inventory.snapshot.resources.global.hosted_zones {
        match &zone.record_sets {
            Known::Value(_) => readable.push(zone),
            Known::Unknown(reason) => {
                out.unknown(
                    resource::zone(zone),
                    reason,
                    format!("cannot read the records of zone {} to check {what}", zone.name),
                );
            }
        }
    }
    readable
}
