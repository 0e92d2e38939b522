//! Flag groups that several commands share, declared once: the configuration file, the region
//! pair, the settings a flag can override, the gate, and how live collection reaches AWS.
//! Commands flatten the groups they take; [`super::overrides`] applies them.
//!
//! Every flag can also come from a `DRSCAN_<FLAG>` environment variable (shown in `--help`);
//! a flag on the command line wins over its variable, and both win over drscan.toml. Flags
//! whose meaning differs by command (`--format`, `-o`) take the command's name in theirs
//! (`DRSCAN_REPORT_FORMAT`), so one CI environment can serve every command.

use crate::findings::Severity;
use clap::builder::BoolishValueParser;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Help headings, so that `--help` groups flags by what they decide (as Trivy's does).
pub mod heading {
    pub const INPUT: &str = "Input";
    pub const COLLECTION: &str = "Collection (live only; ignored with --snapshot)";
    pub const GATE: &str = "Gate";
    pub const SETTINGS: &str = "Settings (override drscan.toml)";
    pub const OUTPUT: &str = "Output";
    pub const ORGANIZATION: &str = "Organization (many accounts in one run)";
}

/// `--config FILE`.
#[derive(Debug, Args)]
#[command(next_help_heading = heading::INPUT)]
pub struct ConfigArgs {
    /// Configuration file (default: drscan.toml in the working directory, if present).
    #[arg(long, value_name = "FILE", env = "DRSCAN_CONFIG")]
    pub config: Option<PathBuf>,
}

/// The region pair; flags win over `[regions]` in drscan.toml.
#[derive(Debug, Args)]
#[command(next_help_heading = heading::INPUT)]
pub struct RegionArgs {
    /// Primary region [default: [regions] primary]; with --snapshot, must match the snapshot's.
    #[arg(long, value_name = "REGION", env = "DRSCAN_PRIMARY", value_parser = crate::regions::parse_flag)]
    pub primary: Option<String>,
    /// DR region [default: [regions] dr]; with --snapshot, must match the snapshot's.
    #[arg(long, value_name = "REGION", env = "DRSCAN_DR", value_parser = crate::regions::parse_flag)]
    pub dr: Option<String>,
}

/// Settings a flag overrides, for every command that audits.
#[derive(Debug, Args)]
#[command(next_help_heading = heading::SETTINGS)]
pub struct SettingsArgs {
    /// Tag key that joins resources to an application [default: app].
    #[arg(long, value_name = "KEY", env = "DRSCAN_APP_TAG", value_parser = crate::parse::non_blank)]
    pub app_tag: Option<String>,
    /// Tag key that pairs a DR AMI copy with its primary AMI [default: drscan:source-ami].
    #[arg(long, value_name = "KEY", env = "DRSCAN_AMI_PAIRING_TAG", value_parser = crate::parse::non_blank)]
    pub ami_pairing_tag: Option<String>,
    /// RTO target, as a duration (e.g. 2m, 90s, 1h).
    #[arg(long, value_parser = crate::parse::duration_seconds, value_name = "DURATION", env = "DRSCAN_RTO_TARGET")]
    pub rto_target: Option<u64>,
    /// RPO target, as a duration (e.g. 30s, 15m).
    #[arg(long, value_parser = crate::parse::duration_seconds, value_name = "DURATION", env = "DRSCAN_RPO_TARGET")]
    pub rpo_target: Option<u64>,
}

/// When the gate fails; flags win over `[gate]`.
#[derive(Debug, Args)]
#[command(next_help_heading = heading::GATE)]
pub struct GateArgs {
    /// Lowest severity whose `fail` or `unknown` findings fail the gate [default: high].
    #[arg(long, value_parser = parse_severity, value_name = "SEVERITY", env = "DRSCAN_FAIL_ON")]
    pub fail_on: Option<Severity>,
    /// Do not let `unknown` findings fail the gate.
    #[arg(long, env = "DRSCAN_ALLOW_UNKNOWN", value_parser = BoolishValueParser::new())]
    pub allow_unknown: bool,
    /// Do not let an audit that found no application fail the gate (`no-application-found`),
    /// for accounts meant to be empty.
    #[arg(long, env = "DRSCAN_ALLOW_EMPTY", value_parser = BoolishValueParser::new())]
    pub allow_empty: bool,
}

/// Organization mode: many accounts in one run, each through a role of its own, with
/// per-account outputs and one roll-up ([`super::org`]).
#[derive(Debug, Args)]
#[command(next_help_heading = heading::ORGANIZATION)]
pub struct OrgArgs {
    /// Audit every active account of the AWS Organization (Organizations ListAccounts, as the
    /// management account or a delegated administrator), each through --org-role-name.
    #[arg(long, env = "DRSCAN_ORG", value_parser = BoolishValueParser::new(), conflicts_with = "accounts")]
    pub org: bool,
    /// Audit these accounts (12-digit ids, comma-separated) instead of listing the organization.
    #[arg(long, value_name = "IDS", value_delimiter = ',', env = "DRSCAN_ACCOUNTS", value_parser = parse_account_id)]
    pub accounts: Vec<String>,
    /// Leave these accounts out (12-digit ids, comma-separated), e.g. a management account
    /// without the audit role [default: [organization] exclude].
    #[arg(long, value_name = "IDS", value_delimiter = ',', env = "DRSCAN_EXCLUDE_ACCOUNTS", value_parser = parse_account_id)]
    pub exclude_accounts: Vec<String>,
    /// With --org: only the accounts under this organizational unit, nested OUs included
    /// (repeatable) [default: [organization] ous].
    #[arg(long = "ou", value_name = "OU", value_delimiter = ',', env = "DRSCAN_OU", requires = "org")]
    pub ous: Vec<String>,
    /// The role drscan assumes in each account (a name, with an optional path), e.g.
    /// drscan-audit [default: [organization] role_name].
    #[arg(long, value_name = "NAME", env = "DRSCAN_ORG_ROLE_NAME", value_parser = crate::parse::non_blank)]
    pub org_role_name: Option<String>,
    /// External ID the accounts' role trust policies require [default: [organization] external_id].
    #[arg(long, value_name = "ID", env = "DRSCAN_ORG_EXTERNAL_ID", hide_env_values = true)]
    pub org_external_id: Option<String>,
    /// Accounts collected and audited at once, each with its own rate-limit buckets
    /// [default: [organization] accounts_in_flight, else 32].
    #[arg(long, value_name = "N", env = "DRSCAN_ACCOUNTS_IN_FLIGHT", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub accounts_in_flight: Option<u32>,
    /// Audit only shard K of N: accounts are partitioned by a hash of their id, so every
    /// runner of a CI matrix or an indexed Job computes the same partition; `drscan merge`
    /// combines the shards' roll-ups.
    #[arg(long, value_name = "K/N", env = "DRSCAN_SHARD", value_parser = crate::organization::shard::Shard::parse)]
    pub shard: Option<crate::organization::shard::Shard>,
    /// Directory for the per-account outputs and rollup.json [default: drscan-org].
    #[arg(long, value_name = "DIR", env = "DRSCAN_ORG_DIR")]
    pub org_dir: Option<PathBuf>,
    /// A previous rollup.json, to show the organization's drift in the organization report.
    #[arg(long, value_name = "FILE", env = "DRSCAN_PREVIOUS_ROLLUP")]
    pub previous_rollup: Option<PathBuf>,
}

impl OrgArgs {
    /// Whether the command runs in organization mode.
    pub fn enabled(&self) -> bool {
        self.org || !self.accounts.is_empty()
    }
}

/// A 12-digit AWS account id.
fn parse_account_id(text: &str) -> Result<String, String> {
    let id = text.trim();
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id.to_string())
    } else {
        Err(format!("`{id}` is not an AWS account id (12 digits)"))
    }
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
#[command(next_help_heading = heading::COLLECTION)]
#[command(group(
    clap::ArgGroup::new("any_role")
        .multiple(true)
        .args(["role_arn", "primary_role_arn", "dr_role_arn", "dns_role_arn", "backup_role_arn"])
))]
pub struct AwsArgs {
    /// Named profile from the shared AWS config (default: the standard credential chain).
    #[arg(long, value_name = "NAME", env = "DRSCAN_PROFILE")]
    pub profile: Option<String>,
    /// Assume this role (STS AssumeRole) for every call.
    #[arg(long, value_name = "ARN", env = "DRSCAN_ROLE_ARN")]
    pub role_arn: Option<String>,
    /// Assume this role for the primary region's resources (the primary account) [default:
    /// --role-arn, else the ambient credentials; or [accounts] primary_role_arn].
    #[arg(long, value_name = "ARN", env = "DRSCAN_PRIMARY_ROLE_ARN", value_parser = crate::parse::role_arn)]
    pub primary_role_arn: Option<String>,
    /// Assume this role for the DR region's resources (a recovery account) [default: as the
    /// primary side; or [accounts] dr_role_arn].
    #[arg(long, value_name = "ARN", env = "DRSCAN_DR_ROLE_ARN", value_parser = crate::parse::role_arn)]
    pub dr_role_arn: Option<String>,
    /// Assume this role for Route 53 (a network account holding the hosted zone and health
    /// checks) [default: as the primary side; or [accounts] dns_role_arn].
    #[arg(long, value_name = "ARN", env = "DRSCAN_DNS_ROLE_ARN", value_parser = crate::parse::role_arn)]
    pub dns_role_arn: Option<String>,
    /// Assume this role to read the DR-region AWS Backup vaults of another account (a central
    /// backup account); repeat for several [or [accounts] backup_role_arns].
    #[arg(long, value_name = "ARN", env = "DRSCAN_BACKUP_ROLE_ARN", value_delimiter = ',', value_parser = crate::parse::role_arn)]
    pub backup_role_arn: Vec<String>,
    /// External ID the roles' trust policies require (with --role-arn or a side's role).
    #[arg(
        long,
        value_name = "ID",
        env = "DRSCAN_EXTERNAL_ID",
        hide_env_values = true,
        requires = "any_role"
    )]
    pub external_id: Option<String>,
    /// Session name of the assumed roles, as CloudTrail shows it (with --role-arn or a side's
    /// role) [default: drscan].
    #[arg(long, value_name = "NAME", env = "DRSCAN_ROLE_SESSION_NAME", requires = "any_role", value_parser = parse_session_name)]
    pub role_session_name: Option<String>,
    /// Send every AWS call to this endpoint, e.g. http://localhost:4566 (AWS_ENDPOINT_URL and
    /// AWS_ENDPOINT_URL_<SERVICE> also work).
    #[arg(long, value_name = "URL", env = "DRSCAN_ENDPOINT_URL", value_parser = parse_endpoint_url)]
    pub endpoint_url: Option<String>,
    /// Attempts per AWS call, the first included.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20), value_name = "N", env = "DRSCAN_MAX_ATTEMPTS")]
    pub max_attempts: u32,
    /// SDK retry mode.
    #[arg(long, value_enum, default_value = "standard", env = "DRSCAN_RETRY_MODE")]
    pub retry_mode: RetryModeArg,
    /// Time allowed for one attempt of one AWS call.
    #[arg(long, default_value = "20s", value_parser = crate::parse::duration_seconds, value_name = "DURATION", env = "DRSCAN_CALL_TIMEOUT")]
    pub call_timeout: u64,
    /// Time allowed for the whole collection; what is unfinished then is reported unknown.
    #[arg(long, default_value = "5m", value_parser = crate::parse::duration_seconds, value_name = "DURATION", env = "DRSCAN_TIMEOUT")]
    pub timeout: u64,
    /// How far back replica-lag metrics are read [default: [thresholds] lag_window, else 1h].
    #[arg(long, value_parser = crate::parse::duration_seconds, value_name = "DURATION", env = "DRSCAN_LAG_WINDOW")]
    pub lag_window: Option<u64>,
    /// Cap every AWS rate-limit bucket (per account, region and API) at N requests per second,
    /// below the documented rates drscan paces at anyway [default: [collection] max_rps].
    #[arg(long, value_parser = crate::parse::requests_per_second, value_name = "N", env = "DRSCAN_MAX_RPS")]
    pub max_rps: Option<f64>,
}

/// An endpoint must name its scheme and host: `localhost:4566` alone would be taken as a
/// scheme `localhost` and fail later as an unreachable region.
pub fn parse_endpoint_url(text: &str) -> Result<String, String> {
    let url = text.trim();
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!("`{url}` has no scheme: write http://{url} or https://{url}"));
    };
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return Err(format!("`{url}`: the scheme must be http or https, not `{scheme}`"));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Err(format!("`{url}` names no host"));
    }
    Ok(url.to_string())
}

/// The warning an `http://` endpoint on another machine deserves: drscan's requests are
/// signed, not encrypted, so their headers (access key ID, session token), the account's
/// configuration in the answers and the signatures cross the network in clear. Loopback
/// endpoints (an emulator, a local proxy) are not warned about.
pub fn cleartext_warning(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        // [::1]:4566
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    (!loopback).then(|| {
        format!(
            "--endpoint-url {url} is plain http to another machine: signed requests, session tokens and the answers cross the network unencrypted; use https:// unless the network is yours"
        )
    })
}

/// STS's rule for RoleSessionName: 2–64 characters of `[\w+=,.@-]`.
fn parse_session_name(text: &str) -> Result<String, String> {
    let valid_char = |c: char| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c);
    if (2..=64).contains(&text.len()) && text.chars().all(valid_char) {
        Ok(text.to_string())
    } else {
        Err("a role session name is 2 to 64 letters, digits or any of _+=,.@-".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (issue 12): `--endpoint-url localhost:4566` was reported as "region
    /// unreachable" after the collection tried to reach it.
    #[test]
    fn an_endpoint_needs_a_scheme_and_a_host() {
        assert_eq!(parse_endpoint_url("http://127.0.0.1:5000"), Ok("http://127.0.0.1:5000".to_string()));
        assert_eq!(
            parse_endpoint_url("https://sts.example.com/"),
            Ok("https://sts.example.com/".to_string())
        );
        assert!(parse_endpoint_url("localhost:4566").unwrap_err().contains("http://localhost:4566"));
        assert!(parse_endpoint_url("ftp://host").unwrap_err().contains("http or https"));
        assert!(parse_endpoint_url("http://").unwrap_err().contains("no host"));
        assert!(parse_endpoint_url("http://:80").unwrap_err().contains("no host"));
    }

    #[test]
    fn plain_http_to_another_machine_is_warned_about_and_loopback_is_not() {
        for quiet in [
            "http://localhost:4566",
            "http://127.0.0.1:5000/",
            "http://[::1]:4566",
            "https://aws.example.com",
        ] {
            assert_eq!(cleartext_warning(quiet), None, "{quiet}");
        }
        for loud in ["http://10.0.0.5:4566", "http://proxy.example.com", "HTTP://[2001:db8::1]:80/"] {
            assert!(cleartext_warning(loud).is_some_and(|w| w.contains("unencrypted")), "{loud}");
        }
    }

    #[test]
    fn session_names_follow_sts() {
        assert!(parse_session_name("drscan-ci@example.com").is_ok());
        assert!(parse_session_name("a").is_err());
        assert!(parse_session_name("has space").is_err());
    }
}
