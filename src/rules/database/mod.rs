//! Database rules: is there a DR copy of each database, how far behind is it, and will it
//! survive and carry the load once promoted?

mod aurora_secondary_headless;
mod dynamodb_no_dr_replica;
mod dynamodb_pitr_disabled;
mod dynamodb_replication_lag_high;
mod rds_backup_retention_low;
mod rds_backups_not_replicated;
mod rds_deletion_protection_off;
mod rds_no_dr_replica;
mod rds_not_multi_az;
mod rds_replica_lag_high;
mod rds_replica_not_replicating;
mod rds_replica_undersized;

pub use aurora_secondary_headless::AuroraSecondaryHeadless;
pub use dynamodb_no_dr_replica::DynamodbNoDrReplica;
pub use dynamodb_pitr_disabled::DynamodbPitrDisabled;
pub use dynamodb_replication_lag_high::DynamodbReplicationLagHigh;
pub use rds_backup_retention_low::RdsBackupRetentionLow;
pub use rds_backups_not_replicated::RdsBackupsNotReplicated;
pub use rds_deletion_protection_off::RdsDeletionProtectionOff;
pub use rds_no_dr_replica::RdsNoDrReplica;
pub use rds_not_multi_az::RdsNotMultiAz;
pub use rds_replica_lag_high::RdsReplicaLagHigh;
pub use rds_replica_not_replicating::RdsReplicaNotReplicating;
pub use rds_replica_undersized::RdsReplicaUndersized;
