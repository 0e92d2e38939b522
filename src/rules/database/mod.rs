//! Database rules: is there a DR copy of each database, and how far behind is it?

mod rds_no_dr_replica;
mod rds_replica_lag_high;

pub use rds_no_dr_replica::RdsNoDrReplica;
pub use rds_replica_lag_high::RdsReplicaLagHigh;
