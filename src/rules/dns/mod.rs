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
