//! File and backup rules: does a usable copy of the application's files exist outside the
//! primary region?

mod efs_no_dr_copy;

pub use efs_no_dr_copy::EfsNoDrCopy;
