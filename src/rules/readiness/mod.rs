//! Readiness rules: judged on the RTO/RPO estimate (SPEC §6) rather than one resource's
//! configuration — would the failover finish in time, and who has to start each step?

mod failover_step_manual;
mod rpo_target_exceeded;
mod rto_target_exceeded;
mod targets;

pub use failover_step_manual::FailoverStepManual;
pub use rpo_target_exceeded::RpoTargetExceeded;
pub use rto_target_exceeded::RtoTargetExceeded;
