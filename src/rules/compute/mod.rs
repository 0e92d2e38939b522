//! Compute and capacity rules: can the DR region launch the application's instances, and do
//! they find the secrets and parameters they start with?

mod ami_missing_in_dr;
mod asg_ec2_health_check;
mod asg_single_az;
mod dr_ami_stale;
mod dr_asg_capacity_insufficient;
mod dr_asg_missing;
mod dr_asg_not_behind_alb;
mod dr_capacity_quota;
mod dr_kms_key_unusable;
mod dr_launch_dependencies_missing;
mod dr_launch_template_ami_missing;
mod dr_secrets_missing;

pub use ami_missing_in_dr::AmiMissingInDr;
pub use asg_ec2_health_check::AsgEc2HealthCheck;
pub use asg_single_az::AsgSingleAz;
pub use dr_ami_stale::DrAmiStale;
pub use dr_asg_capacity_insufficient::DrAsgCapacityInsufficient;
pub use dr_asg_missing::DrAsgMissing;
pub use dr_asg_not_behind_alb::DrAsgNotBehindAlb;
pub use dr_capacity_quota::DrCapacityQuota;
pub use dr_kms_key_unusable::DrKmsKeyUnusable;
pub(crate) use dr_kms_key_unusable::{KeyState, key_index, key_state};
pub use dr_launch_dependencies_missing::DrLaunchDependenciesMissing;
pub use dr_launch_template_ami_missing::DrLaunchTemplateAmiMissing;
pub use dr_secrets_missing::DrSecretsMissing;
