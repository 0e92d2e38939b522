//! Flag groups that several commands share, declared once: the configuration file, the region
//! pair, the settings a flag can override, the gate, and how live collection reaches AWS.
//! Commands flatten the groups they take; [`super::overrides`] applies them.

use crate::findings::Severity;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// `--config FILE`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Configuration file (default: drscan.toml in the working directory, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// The region pair; flags win over `[regions]` in drscan.toml.
#[derive(Debug, Args)]
pub struct RegionArgs {
    /// Primary region [default: [regions] primary]; with --snapshot, must match the snapshot's.
    #[arg(long, value_name = "REGION")]
    pub primary: Option<String>,
    /// DR region [default: [regions] dr]; with --snapshot, must match the snapshot's.
    #[arg(long, value_name = "REGION")]
    pub dr: Option<String>,
}

/// Settings a flag overrides, for every command that audits.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// Tag key that joins resources to an application [default: app].
    #[arg(long, value_name = "KEY")]
    pub app_tag: Option<String>,
    /// Tag key that pairs a DR AMI copy with its primary AMI [default: drscan:source-ami].
    #[arg(long, value_name = "KEY")]
    pub ami_pairing_tag: Option<String>,
    /// RTO target, as a duration (e.g. 2m, 90s, 1h).
    #[arg(long, value_parser = crate::parse::duration_seconds, value_name = "DURATION")]
    pub rto_target: Option<u64>,
    /// RPO target, as a duration (e.g. 30s, 15m).
    #[arg(long, value_parser = crate::parse::duration_seconds, value_name = "DURATION")]
    pub rpo_target: Option<u64>,
}

/// When the gate fails; flags win over `[gate]`.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// Lowest severity whose `fail` or `unknown` findings fail the gate [default: high].
    #[arg(long, value_parser = parse_severity, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Do not let `unknown` findings fail the gate.
    #[arg(long)]
    pub allow_unknown: bool,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RetryModeArg {
    Standard,
    Adaptive,
}

/// How live collection reaches AWS (ignored with --snapshot).
#[derive(Debug, Args)]
pub struct AwsArgs {
    /// Named profile from the shared AWS config (default: the standard credential chain).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Assume this role (STS AssumeRole) for every call.
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// Send every AWS call to this endpoint (AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> also work).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Attempts per AWS call, the first included.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20), value_name = "N")]
    pub max_attempts: u32,
    /// SDK retry mode.
    #[arg(long, value_enum, default_value = "standard")]
    pub retry_mode: RetryModeArg,
    /// Time allowed for one attempt of one AWS call.
    #[arg(long, default_value = "20s", value_parser = crate::parse::duration_seconds, value_name = "DURATION")]
    pub call_timeout: u64,
    /// Time allowed for the whole collection; what is unfinished then is reported unknown.
    #[arg(long, default_value = "5m", value_parser = crate::parse::duration_seconds, value_name = "DURATION")]
    pub timeout: u64,
    /// How far back replica-lag metrics are read [default: [thresholds] lag_window, else 1h].
    #[arg(long, value_parser = crate::parse::duration_seconds, value_name = "DURATION")]
    pub lag_window: Option<u64>,
    /// Cap every AWS rate-limit bucket (per account, region and API) at N requests per second,
    /// below the documented rates drscan paces at anyway [default: [collection] max_rps].
    #[arg(long, value_parser = crate::parse::requests_per_second, value_name = "N")]
    pub max_rps: Option<f64>,
}
