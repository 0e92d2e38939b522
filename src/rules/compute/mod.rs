//! Compute and capacity rules: can the DR region launch the application's instances?

mod ami_missing_in_dr;
mod dr_launch_template_ami_missing;

pub use ami_missing_in_dr::AmiMissingInDr;
pub use dr_launch_template_ami_missing::DrLaunchTemplateAmiMissing;
