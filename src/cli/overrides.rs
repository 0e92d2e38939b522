//! Parsed flags + drscan.toml → what a command runs on, in one step (as ripgrep's `hiargs.rs`
//! does): the settings, the gate, the region pair and the waivers. Flags win over the file;
//! past this step nothing looks at either again, so a flag that overrides a setting is one
//! line here.

use super::args::{AwsArgs, ConfigArgs, GateArgs, RegionArgs, RetryModeArg, SettingsArgs};
use crate::audit::{self, Adjustments, AuditReport, GatePolicy};
use crate::baseline::Baseline;
use crate::collection::pacing::CollectionSettings;
use crate::collection::sdk::{AccountSettings, RetryMode, SdkSettings, SideRoles};
use crate::collection::{self, CollectOptions, Collection};
use crate::config::{Regions, ValidConfig};
use crate::error::DrscanError;
use crate::inventory::Snapshot;
use crate::inventory::graph::Inventory;
use crate::output::Origin;
use crate::settings::Settings;
use crate::waivers::Waiver;
use std::time::Duration;

/// The flag groups a command has; those it lacks leave the file's values alone.
#[derive(Debug, Default, Clone, Copy)]
pub struct Flags<'a> {
    pub regions: Option<&'a RegionArgs>,
    pub settings: Option<&'a SettingsArgs>,
    pub gate: Option<&'a GateArgs>,
    pub aws: Option<&'a AwsArgs>,
}

/// What a command runs on.
#[derive(Debug)]
pub struct Resolved {
    pub settings: Settings,
    pub gate: GatePolicy,
    pub regions: Regions,
    pub collection: CollectionSettings,
    /// `[accounts]`: the sides' roles; the flags are applied when collecting.
    pub accounts: AccountSettings,
    pub waivers: Vec<Waiver>,
    /// The configuration file read, if any, and the line of its `[regions]` table.
    pub config_path: Option<String>,
    pub regions_line: Option<usize>,
    /// `[organization]`, for organization mode (its flags are applied by [`super::org`]).
    pub organization: crate::organization::OrgSettings,
}

/// Read the configuration (`--config`, else ./drscan.toml, else defaults) and apply the flags.
pub fn resolve(config: &ConfigArgs, flags: Flags<'_>) -> Result<Resolved, DrscanError> {
    let config = ValidConfig::discover(config.config.as_deref())?;
    checked(apply(config, flags))
}

/// The defaults with the flags applied, reading no configuration file (`drscan init`).
pub fn from_flags(flags: Flags<'_>) -> Result<Resolved, DrscanError> {
    checked(apply(ValidConfig::default(), flags))
}

/// A region pair from flags and file together must still be two regions.
fn checked(resolved: Resolved) -> Result<Resolved, DrscanError> {
    if let (Some(primary), Some(dr)) = (&resolved.regions.primary, &resolved.regions.dr)
        && primary == dr
    {
        return Err(DrscanError::Usage {
            message: format!("the DR region must differ from the primary region (both are {primary})"),
            help: Some("--primary and --dr (or [regions] in drscan.toml) name the same region".to_string()),
        });
    }
    Ok(resolved)
}

fn apply(config: ValidConfig, flags: Flags<'_>) -> Resolved {
    let ValidConfig {
        path,
        regions_line,
        mut regions,
        mut settings,
        mut gate,
        mut collection,
        accounts,
        waivers,
        organization,
    } = config;
    if let Some(flags) = flags.regions {
        regions.primary = flags.primary.clone().or(regions.primary);
        regions.dr = flags.dr.clone().or(regions.dr);
    }
    if let Some(flags) = flags.settings {
        if let Some(key) = &flags.app_tag {
            settings.matching.app_tag_key = key.clone();
        }
        if let Some(key) = &flags.ami_pairing_tag {
            settings.matching.ami_pairing_tag = key.clone();
        }
        settings.targets.rto_seconds = flags.rto_target.or(settings.targets.rto_seconds);
        settings.targets.rpo_seconds = flags.rpo_target.or(settings.targets.rpo_seconds);
    }
    if let Some(window) = flags.aws.and_then(|aws| aws.lag_window) {
        settings.thresholds.lag_window_seconds = window;
    }
    if let Some(rate) = flags.aws.and_then(|aws| aws.max_rps) {
        collection.max_rps = Some(rate);
    }
    if let Some(flags) = flags.gate {
        gate.fail_on = flags.fail_on.unwrap_or(gate.fail_on);
        gate.allow_unknown |= flags.allow_unknown;
        gate.allow_empty |= flags.allow_empty;
    }
    Resolved {
        settings,
        gate,
        regions,
        collection,
        accounts,
        waivers,
        config_path: path,
        regions_line,
        organization,
    }
}

impl Resolved {
    /// Collect both regions live with the resolved region pair.
    pub fn collect_live(&self, aws: &AwsArgs) -> Result<Collection, DrscanError> {
        collection::collect_blocking(&self.collect_options(aws)?)
    }

    fn collect_options(&self, aws: &AwsArgs) -> Result<CollectOptions, DrscanError> {
        let (Some(primary), Some(dr)) = (&self.regions.primary, &self.regions.dr) else {
            return Err(DrscanError::Usage {
                message: "live collection needs both --primary REGION and --dr REGION".to_string(),
                help: Some(
                    "e.g. --primary ap-south-1 --dr us-east-1, or audit a snapshot with --snapshot FILE"
                        .to_string(),
                ),
            });
        };
        if let Some(warning) = aws.endpoint_url.as_deref().and_then(super::args::cleartext_warning) {
            eprintln!("drscan: warning: {warning}");
        }
        Ok(self.collect_options_for(aws, primary, dr))
    }

    /// The collection options of the region pair `primary`/`dr` (organization mode gives each
    /// account its own pair).
    pub(crate) fn collect_options_for(&self, aws: &AwsArgs, primary: &str, dr: &str) -> CollectOptions {
        let mut options = CollectOptions::new(primary, dr);
        let accounts = &self.accounts;
        let backup =
            if aws.backup_role_arn.is_empty() { &accounts.backup_role_arns } else { &aws.backup_role_arn };
        options.sdk = SdkSettings {
            profile: aws.profile.clone(),
            role_arn: aws.role_arn.clone(),
            side_roles: SideRoles {
                primary: aws.primary_role_arn.clone().or_else(|| accounts.primary_role_arn.clone()),
                dr: aws.dr_role_arn.clone().or_else(|| accounts.dr_role_arn.clone()),
                dns: aws.dns_role_arn.clone().or_else(|| accounts.dns_role_arn.clone()),
                backup: backup.clone(),
            },
            external_id: aws.external_id.clone().or_else(|| accounts.external_id.clone()),
            role_session_name: aws.role_session_name.clone().or_else(|| accounts.role_session_name.clone()),
            endpoint_url: aws.endpoint_url.clone(),
            retry_mode: match aws.retry_mode {
                RetryModeArg::Standard => RetryMode::Standard,
                RetryModeArg::Adaptive => RetryMode::Adaptive,
            },
            max_attempts: aws.max_attempts,
            call_timeout: Duration::from_secs(aws.call_timeout.max(1)),
            credentials: None,
        };
        options.run_timeout = Duration::from_secs(aws.timeout.max(1));
        // With -v the per-call log lines would tear a progress bar apart.
        options.progress = !tracing::enabled!(tracing::Level::DEBUG);
        options.lag_window = Duration::from_secs(self.settings.thresholds.lag_window_seconds.max(60));
        options.exercise_window = Duration::from_secs(self.settings.thresholds.exercise_window_seconds);
        options.pacing = self.collection.pacing();
        options
    }

    /// A snapshot must be of the region pair that flags (or else the configuration) ask for.
    pub fn check_snapshot_regions(&self, snapshot: &Snapshot) -> Result<(), DrscanError> {
        let wanted = [
            ("--primary", &self.regions.primary, &snapshot.regions.primary),
            ("--dr", &self.regions.dr, &snapshot.regions.dr),
        ];
        for (flag, given, actual) in wanted {
            if let Some(given) = given
                && given != actual
            {
                return Err(DrscanError::Usage {
                    message: format!(
                        "{flag} {given} does not match the snapshot, which was collected with {flag} {actual}"
                    ),
                    help: Some(
                        "drop the flag (or the [regions] entry), or collect a new snapshot for that region pair"
                            .to_string(),
                    ),
                });
            }
        }
        Ok(())
    }

    pub fn inventory<'s>(&self, snapshot: &'s Snapshot) -> Inventory<'s> {
        Inventory::build(snapshot, &self.settings.matching)
    }

    /// Audit, then apply the waivers (and a baseline, if any) before the gate.
    pub fn audit(&self, inventory: &Inventory<'_>, baseline: Option<&Baseline>) -> AuditReport {
        let mut report = audit::run_on(inventory, &self.settings, self.gate);
        let adjustments = Adjustments { waivers: &self.waivers, today: None, baseline };
        audit::adjust(&mut report, adjustments, self.gate);
        report
    }

    /// Where findings point: the configuration's `[regions]` table when there is one.
    pub fn origin(&self, origin: Origin) -> Origin {
        origin.prefer_config(self.config_path.as_deref(), self.regions_line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use crate::findings::Severity;
    use clap::Parser;

    const FILE: &str = "[regions]\nprimary = \"ap-south-1\"\ndr = \"us-east-1\"\n\n\
                        [targets]\nrto = \"10m\"\nrpo = \"5m\"\n\n[thresholds]\nlag_window = \"2h\"\n\n\
                        [applications]\ntag_key = \"service\"\n\n[gate]\nfail_on = \"critical\"\n\n\
                        [collection]\nmax_rps = 4\n";

    fn audit_with(flags: &[&str]) -> (Resolved, Box<crate::cli::audit::AuditArgs>) {
        let config = ValidConfig::parse("drscan.toml", FILE.to_string()).expect("config parses");
        let argv = ["drscan", "audit"].iter().chain(flags);
        let Command::Audit(args) = Cli::try_parse_from(argv).expect("flags parse").command else {
            unreachable!("an audit command line")
        };
        let flags = Flags {
            regions: Some(&args.regions),
            settings: Some(&args.settings),
            gate: Some(&args.gate),
            aws: Some(&args.aws),
        };
        (apply(config, flags), args)
    }

    #[test]
    fn without_flags_the_file_decides() {
        let (run, _) = audit_with(&[]);
        assert_eq!(run.regions.primary.as_deref(), Some("ap-south-1"));
        assert_eq!(run.settings.targets.rto_seconds, Some(600));
        assert_eq!(run.settings.thresholds.lag_window_seconds, 7200);
        assert_eq!(run.settings.matching.app_tag_key, "service");
        assert_eq!(
            run.gate,
            GatePolicy { fail_on: Severity::Critical, allow_unknown: false, allow_empty: false }
        );
        assert_eq!(run.collection.max_rps, Some(4.0));
    }

    #[test]
    fn each_flag_wins_over_its_key_and_leaves_the_others() {
        let (run, args) = audit_with(&[
            "--dr",
            "eu-west-1",
            "--rpo-target",
            "30s",
            "--lag-window",
            "15m",
            "--app-tag",
            "app",
            "--fail-on",
            "low",
            "--allow-unknown",
            "--max-rps",
            "0.5",
        ]);
        assert_eq!(run.regions.primary.as_deref(), Some("ap-south-1"));
        assert_eq!(run.regions.dr.as_deref(), Some("eu-west-1"));
        assert_eq!(run.settings.targets.rto_seconds, Some(600));
        assert_eq!(run.settings.targets.rpo_seconds, Some(30));
        assert_eq!(run.settings.thresholds.lag_window_seconds, 900);
        assert_eq!(run.settings.matching.app_tag_key, "app");
        assert_eq!(run.gate, GatePolicy { fail_on: Severity::Low, allow_unknown: true, allow_empty: false });
        let options = run.collect_options(&args.aws).expect("a complete region pair");
        assert_eq!(
            options.lag_window,
            Duration::from_secs(900),
            "collection reads metrics over the same window"
        );
        assert_eq!(options.pacing, crate::collection::pacing::Pacing::Documented { max_rps: Some(0.5) });
    }
}
