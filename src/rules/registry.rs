//! Every rule drscan runs, one line each. Codes are never reused; a renamed rule keeps its
//! old name as an alias.

use super::Rule;
use super::compute::*;
use super::database::*;
use super::dns::*;
use super::files::*;
use super::readiness::*;

pub static RULES: &[&dyn Rule] = &[
    &AmiMissingInDr,                // DR101
    &DrLaunchTemplateAmiMissing,    // DR102
    &DrAmiStale,                    // DR103
    &DrLaunchDependenciesMissing,   // DR104
    &DrKmsKeyUnusable,              // DR105
    &DrAsgMissing,                  // DR106
    &DrAsgCapacityInsufficient,     // DR107
    &DrAsgNotBehindAlb,             // DR108
    &AsgSingleAz,                   // DR109
    &AsgEc2HealthCheck,             // DR110
    &DrSecretsMissing,              // DR111
    &DrCapacityQuota,               // DR112
    &FailoverSecondaryMissing,      // DR201
    &FailoverPrimaryUnmonitored,    // DR202
    &FailoverSecondaryUnhealthy,    // DR203
    &FailoverTargetMissing,         // DR204
    &FailoverSecondaryNotInDr,      // DR205
    &HealthCheckSlowDetection,      // DR206
    &HealthCheckIneffective,        // DR207
    &FailoverTtlTooHigh,            // DR208
    &DrListenerMismatch,            // DR209
    &DrCertificateInvalid,          // DR210
    &RdsNoDrReplica,                // DR301
    &RdsReplicaLagHigh,             // DR302
    &RdsReplicaNotReplicating,      // DR303
    &RdsReplicaUndersized,          // DR304
    &RdsBackupRetentionLow,         // DR305
    &RdsNotMultiAz,                 // DR306
    &RdsDeletionProtectionOff,      // DR307
    &RdsBackupsNotReplicated,       // DR308
    &AuroraSecondaryHeadless,       // DR309
    &DynamodbNoDrReplica,           // DR310
    &DynamodbReplicationLagHigh,    // DR311
    &DynamodbPitrDisabled,          // DR312
    &EfsNoDrCopy,                   // DR401
    &EfsReplicationLagHigh,         // DR402
    &EfsBackupDisabled,             // DR403
    &BackupCopyTargetMissing,       // DR404
    &BackupFrequencyExceedsRpo,     // DR405
    &BackupNoRecentDrRecoveryPoint, // DR406
    &S3NoDrReplication,             // DR407
    &S3ReplicationLagHigh,          // DR408
    &BackupUnhealthy,               // DR409
    &FailoverStepManual,            // DR501
    &RtoTargetExceeded,             // DR502
    &RpoTargetExceeded,             // DR503
    &NoApplicationFound,            // DR504
    &DrExercised,                   // DR505
];
