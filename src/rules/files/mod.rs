//! File and backup rules: does a usable, recent copy of the application's files and data
//! exist outside the primary region?

mod backup_copy_target_missing;
mod backup_frequency_exceeds_rpo;
mod backup_no_recent_dr_recovery_point;
mod backup_unhealthy;
mod efs_backup_disabled;
mod efs_no_dr_copy;
mod efs_replication_lag_high;
mod s3_no_dr_replication;
mod s3_replication_lag_high;

pub use backup_copy_target_missing::BackupCopyTargetMissing;
pub use backup_frequency_exceeds_rpo::BackupFrequencyExceedsRpo;
pub use backup_no_recent_dr_recovery_point::BackupNoRecentDrRecoveryPoint;
pub use backup_unhealthy::BackupUnhealthy;
pub use efs_backup_disabled::EfsBackupDisabled;
pub use efs_no_dr_copy::EfsNoDrCopy;
pub use efs_replication_lag_high::EfsReplicationLagHigh;
pub use s3_no_dr_replication::S3NoDrReplication;
pub use s3_replication_lag_high::S3ReplicationLagHigh;
