//! Readiness rules: judged on the RTO/RPO estimate (SPEC §6) rather than one resource's
//! configuration — would the failover finish in time, and who has to start each step? — and
//! whether the audit found an application to judge at all, and whether its failover was
//! exercised recently.

mod dr_exercised;
mod failover_step_manual;
mod no_application_found;
mod rpo_target_exceeded;
mod rto_target_exceeded;
mod targets;

pub use dr_exercised::DrExercised;
pub use failover_step_manual::FailoverStepManual;
pub use no_application_found::NoApplicationFound;
pub use rpo_target_exceeded::RpoTargetExceeded;
pub use rto_target_exceeded::RtoTargetExceeded;
