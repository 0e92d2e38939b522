//! The command line (SPEC §3): argument parsing, command dispatch, and the mapping of every
//! outcome to an exit code. Diagnostics go to stderr; results go to stdout or `-o FILE`.

use crate::audit::{self, Adjustments, GatePolicy, GateResult};
use crate::baseline::Baseline;
use crate::collection::sdk::{RetryMode, SdkSettings};
use crate::collection::{self, CollectOptions};
use crate::config::ValidConfig;
use crate::error::{DrscanError, ExitStatus};
use crate::findings::Severity;
use crate::inventory::Snapshot;
use crate::output::{self, Format, Origin, RunInfo};
use crate::rules::{self, RULES};
use crate::settings::Settings;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "drscan",
    version,
    about = "Audit an AWS multi-region disaster-recovery setup: would the application come back in the DR region, how fast, losing how much data?"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate the DR rules and print findings; the CI gate.
    Audit(Box<AuditArgs>),
    /// Collect both regions live and write a snapshot.
    Collect(CollectArgs),
    /// List the rule catalog.
    Rules(RulesArgs),
    /// Nightly readiness report (HTML or Markdown), with drift against a previous snapshot.
    Report(ReportArgs),
    /// What changed between two snapshots that matters for DR.
    Diff(DiffArgs),
    /// Print one rule's full documentation.
    Explain {
        /// Rule name (e.g. ami-missing-in-dr) or code (e.g. DR101).
        rule: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Audit this snapshot file instead of collecting live.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Primary region (must match the snapshot's when auditing one).
    #[arg(long, value_name = "REGION")]
    pub primary: Option<String>,
    /// DR region (must match the snapshot's when auditing one).
    #[arg(long, value_name = "REGION")]
    pub dr: Option<String>,
    /// Configuration file (default: drscan.toml in the working directory, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format for stdout and for plain `-o FILE`: text, json, sarif or junit.
    #[arg(long, default_value = "text", value_parser = parse_format)]
    pub format: Format,
    /// Write the output to FILE instead of stdout; `FORMAT=FILE` (e.g. `sarif=drscan.sarif`)
    /// picks the format per file. Repeat to write several formats from one run.
    #[arg(short = 'o', long = "output", value_name = "[FORMAT=]FILE", value_parser = parse_output)]
    pub outputs: Vec<OutputTarget>,
    /// Lowest severity whose `fail` or `unknown` findings fail the gate [default: high].
    #[arg(long, value_parser = parse_severity, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Do not let `unknown` findings fail the gate.
    #[arg(long)]
    pub allow_unknown: bool,
    /// A previous `--format json` output: only findings not in it fail the gate.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Tag key that joins resources to an application [default: app].
    #[arg(long, value_name = "KEY")]
    pub app_tag: Option<String>,
    /// Tag key that pairs a DR AMI copy with its primary AMI [default: drscan:source-ami].
    #[arg(long, value_name = "KEY")]
    pub ami_pairing_tag: Option<String>,
    /// RTO target, as a duration (e.g. 2m, 90s, 1h).
    #[arg(long, value_parser = parse_duration_seconds, value_name = "DURATION")]
    pub rto_target: Option<u64>,
    /// RPO target, as a duration (e.g. 30s, 15m).
    #[arg(long, value_parser = parse_duration_seconds, value_name = "DURATION")]
    pub rpo_target: Option<u64>,
    /// Colour in text output (auto: only on a terminal and when NO_COLOR is unset).
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Primary region.
    #[arg(long, value_name = "REGION")]
    pub primary: Option<String>,
    /// DR region.
    #[arg(long, value_name = "REGION")]
    pub dr: Option<String>,
    /// Write the snapshot to FILE.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// Configuration file (default: drscan.toml in the working directory, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
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
    #[arg(long, default_value = "20s", value_parser = parse_duration_seconds, value_name = "DURATION")]
    pub call_timeout: u64,
    /// Time allowed for the whole collection; what is unfinished then is reported unknown.
    #[arg(long, default_value = "5m", value_parser = parse_duration_seconds, value_name = "DURATION")]
    pub timeout: u64,
    /// How far back replica-lag metrics are read [default: [thresholds] lag_window, else 1h].
    #[arg(long, value_parser = parse_duration_seconds, value_name = "DURATION")]
    pub lag_window: Option<u64>,
}

impl Default for AwsArgs {
    /// The same defaults as the flags.
    fn default() -> Self {
        AwsArgs {
            profile: None,
            role_arn: None,
            endpoint_url: None,
            max_attempts: 3,
            retry_mode: RetryModeArg::Standard,
            call_timeout: 20,
            timeout: 300,
            lag_window: None,
        }
    }
}

impl AwsArgs {
    fn options(
        &self,
        primary: Option<&String>,
        dr: Option<&String>,
        configured_lag_window: Option<u64>,
    ) -> Result<CollectOptions, DrscanError> {
        let (Some(primary), Some(dr)) = (primary, dr) else {
            return Err(DrscanError::Usage {
                message: "live collection needs both --primary REGION and --dr REGION".to_string(),
                help: Some(
                    "e.g. --primary ap-south-1 --dr us-east-1, or audit a snapshot with --snapshot FILE"
                        .to_string(),
                ),
            });
        };
        if primary.trim().is_empty() || dr.trim().is_empty() {
            return Err(DrscanError::usage("--primary and --dr must not be empty"));
        }
        for (flag, region) in [("--primary", primary), ("--dr", dr)] {
            if !crate::inventory::RegionPair::is_region_name(region) {
                return Err(DrscanError::usage(format!(
                    "{flag} `{region}` is not an AWS region name (e.g. ap-south-1)"
                )));
            }
        }
        if primary == dr {
            return Err(DrscanError::usage("the DR region must differ from the primary region"));
        }
        let mut options = CollectOptions::new(primary.clone(), dr.clone());
        options.sdk = SdkSettings {
            profile: self.profile.clone(),
            role_arn: self.role_arn.clone(),
            endpoint_url: self.endpoint_url.clone(),
            retry_mode: match self.retry_mode {
                RetryModeArg::Standard => RetryMode::Standard,
                RetryModeArg::Adaptive => RetryMode::Adaptive,
            },
            max_attempts: self.max_attempts,
            call_timeout: std::time::Duration::from_secs(self.call_timeout.max(1)),
            credentials: None,
        };
        options.run_timeout = std::time::Duration::from_secs(self.timeout.max(1));
        let lag_window =
            self.lag_window.or(configured_lag_window).unwrap_or(crate::settings::DEFAULT_LAG_WINDOW_SECONDS);
        options.lag_window = std::time::Duration::from_secs(lag_window.max(60));
        Ok(options)
    }
}

/// One `-o` destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputTarget {
    /// `None`: use `--format`.
    pub format: Option<Format>,
    pub path: PathBuf,
}

fn parse_output(s: &str) -> Result<OutputTarget, String> {
    if let Some((prefix, path)) = s.split_once('=')
        && Format::NAMES.contains(&prefix.to_ascii_lowercase().as_str())
    {
        if path.is_empty() {
            return Err(format!("`{s}` names no file after `=`"));
        }
        return Ok(OutputTarget { format: Some(prefix.parse()?), path: PathBuf::from(path) });
    }
    if s.is_empty() {
        return Err("empty output path".to_string());
    }
    Ok(OutputTarget { format: None, path: PathBuf::from(s) })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Markdown,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report on this snapshot instead of collecting live.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// The previous snapshot (e.g. last night's), to show drift.
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,
    /// html or markdown [default: markdown for a .md output file, else html].
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Write to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Configuration file (default: drscan.toml in the working directory, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// RTO target, as a duration (e.g. 2m).
    #[arg(long, value_parser = parse_duration_seconds, value_name = "DURATION")]
    pub rto_target: Option<u64>,
    /// RPO target, as a duration (e.g. 30s).
    #[arg(long, value_parser = parse_duration_seconds, value_name = "DURATION")]
    pub rpo_target: Option<u64>,
    /// Primary region, for live collection.
    #[arg(long, value_name = "REGION")]
    pub primary: Option<String>,
    /// DR region, for live collection.
    #[arg(long, value_name = "REGION")]
    pub dr: Option<String>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier snapshot.
    pub old: PathBuf,
    /// The later snapshot.
    pub new: PathBuf,
    /// Output format: text or json.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
    /// Configuration file (default: drscan.toml in the working directory, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Print the catalog as JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

pub fn parse_duration_seconds(s: &str) -> Result<u64, String> {
    humantime::parse_duration(s.trim())
        .map(|d| d.as_secs())
        .map_err(|e| format!("invalid duration `{s}`: {e} (examples: 90s, 5m, 1h)"))
}

/// Entry point of the binary: parse, run, print diagnostics, return the exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { ExitStatus::UsageError as u8 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(status) => ExitCode::from(status as u8),
        Err(error) => {
            let status = error.exit_status();
            eprintln!("{:?}", miette::Report::new(error));
            ExitCode::from(status as u8)
        }
    }
}

pub fn run(cli: Cli) -> Result<ExitStatus, DrscanError> {
    match cli.command {
        Command::Audit(args) => run_audit(*args),
        Command::Collect(args) => run_collect(args),
        Command::Diff(args) => run_diff(args),
        Command::Report(args) => run_report(args),
        Command::Rules(args) => {
            print_rules(args.json)?;
            Ok(ExitStatus::GatePassed)
        }
        Command::Explain { rule } => {
            let Some(found) = rules::find(&rule) else {
                return Err(DrscanError::Usage {
                    message: format!("unknown rule `{rule}`"),
                    help: Some("`drscan rules` lists every rule name and code".to_string()),
                });
            };
            write_stdout(&explain_text(found.meta()))?;
            Ok(ExitStatus::GatePassed)
        }
    }
}

/// Collect live, with the region pair from the flags or else the configuration.
fn collect_live(
    aws: &AwsArgs,
    primary: Option<&String>,
    dr: Option<&String>,
    config: &ValidConfig,
) -> Result<collection::Collection, DrscanError> {
    let primary = primary.or(config.primary.as_ref());
    let dr = dr.or(config.dr.as_ref());
    collection::collect_blocking(&aws.options(primary, dr, config.lag_window_seconds)?)
}

/// Audit, then apply the configuration's waivers (and a baseline, if any) before the gate.
fn audit_adjusted(
    inventory: &crate::inventory::graph::Inventory<'_>,
    settings: &Settings,
    gate: GatePolicy,
    config: &ValidConfig,
    baseline: Option<&Baseline>,
) -> audit::AuditReport {
    let mut report = audit::run_on(inventory, settings, gate);
    audit::adjust(&mut report, Adjustments { waivers: &config.waivers, today: None, baseline }, gate);
    report
}

/// Write a rendered output to FILE, or to stdout without one.
fn write_output(path: Option<&std::path::Path>, text: &str) -> Result<(), DrscanError> {
    match path {
        Some(path) => std::fs::write(path, text)
            .map_err(|source| DrscanError::WriteOutput { path: path.display().to_string(), source }),
        None => write_stdout(text),
    }
}

fn run_collect(args: CollectArgs) -> Result<ExitStatus, DrscanError> {
    let config = ValidConfig::discover(args.config.as_deref())?;
    let collection = collect_live(&args.aws, args.primary.as_ref(), args.dr.as_ref(), &config)?;
    let mut json = serde_json::to_string_pretty(&collection.snapshot).map_err(|e| {
        DrscanError::WriteOutput { path: args.output.display().to_string(), source: std::io::Error::other(e) }
    })?;
    json.push('\n');
    write_output(Some(&args.output), &json)?;
    let snapshot = &collection.snapshot;
    eprintln!(
        "collected {} resources in {:.1} s with {} AWS requests; {} collection errors; wrote {}",
        snapshot.resources.regional.values().map(|r| r.len()).sum::<usize>()
            + snapshot.resources.global.hosted_zones.len()
            + snapshot.resources.global.health_checks.len(),
        collection.wall.as_secs_f64(),
        collection.total_requests(),
        snapshot.collection_errors.len(),
        args.output.display()
    );
    Ok(ExitStatus::GatePassed)
}

fn run_audit(args: AuditArgs) -> Result<ExitStatus, DrscanError> {
    let config = ValidConfig::discover(args.config.as_deref())?;
    let (snapshot, origin) = match &args.snapshot {
        Some(path) => {
            let text = crate::input::read_text("snapshot", path)?;
            let display_path = path.display().to_string();
            let origin = Origin::of_snapshot(&display_path, &text);
            let snapshot = Snapshot::parse(&display_path, text)?;
            check_regions(&args, &config, &snapshot)?;
            (snapshot, origin)
        }
        None => {
            let collection = collect_live(&args.aws, args.primary.as_ref(), args.dr.as_ref(), &config)?;
            (collection.snapshot, Origin::default())
        }
    };
    let origin = origin.prefer_config(config.path.as_deref(), config.regions_line);
    let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;

    let settings = settings_from(&args, &config);
    let gate = GatePolicy {
        fail_on: args.fail_on.or(config.fail_on).unwrap_or(Severity::High),
        allow_unknown: args.allow_unknown || config.allow_unknown.unwrap_or(false),
    };
    let report = audit_adjusted(
        &crate::inventory::graph::Inventory::build(&snapshot, &settings.matching),
        &settings,
        gate,
        &config,
        baseline.as_ref(),
    );

    let stdout_color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
        }
    };
    let mut info = RunInfo { snapshot: &snapshot, gate, origin, color: false };
    if args.outputs.is_empty() {
        info.color = stdout_color;
        write_stdout(&output::render(args.format, &report, &info))?;
    }
    for target in &args.outputs {
        let format = target.format.unwrap_or(args.format);
        info.color = args.color == ColorChoice::Always;
        write_output(Some(&target.path), &output::render(format, &report, &info))?;
    }
    let status = match report.gate {
        GateResult::Passed => ExitStatus::GatePassed,
        GateResult::Failed => ExitStatus::GateFailed,
    };
    // The process ends right after this: freeing a large snapshot and report piece by piece
    // would cost ~15 % of a 200k-resource audit for nothing the OS does not do at exit anyway.
    drop(info);
    std::mem::forget(report);
    std::mem::forget(snapshot);
    Ok(status)
}

fn run_report(args: ReportArgs) -> Result<ExitStatus, DrscanError> {
    let config = ValidConfig::discover(args.config.as_deref())?;
    let snapshot = match &args.snapshot {
        Some(path) => Snapshot::load(path)?,
        None => collect_live(&args.aws, args.primary.as_ref(), args.dr.as_ref(), &config)?.snapshot,
    };
    let previous = args.previous.as_deref().map(Snapshot::load).transpose()?;
    if let Some(previous) = &previous
        && previous.regions != snapshot.regions
    {
        return Err(DrscanError::usage("--previous covers a different region pair than --snapshot"));
    }
    let mut audit_args = AuditArgs::for_config();
    audit_args.rto_target = args.rto_target;
    audit_args.rpo_target = args.rpo_target;
    let settings = settings_from(&audit_args, &config);
    let gate = GatePolicy {
        fail_on: config.fail_on.unwrap_or(Severity::High),
        allow_unknown: config.allow_unknown.unwrap_or(false),
    };
    // One inventory serves the audit and the report's failover paths; the report shows the
    // estimates the audit computed.
    let inventory = crate::inventory::graph::Inventory::build(&snapshot, &settings.matching);
    let report = audit_adjusted(&inventory, &settings, gate, &config, None);
    let drift = previous.as_ref().map(|previous| {
        let old_inventory = crate::inventory::graph::Inventory::build(previous, &settings.matching);
        let old_report = audit_adjusted(&old_inventory, &settings, gate, &config, None);
        crate::drift::compare((&old_inventory, &old_report), (&inventory, &report))
    });
    let estimates = crate::report::estimate_views(&report.estimates);
    let model = crate::report::build(&snapshot, &inventory, &report, &estimates, drift);
    let markdown_file = args.output.as_ref().is_some_and(|p| p.extension().is_some_and(|e| e == "md"));
    let format =
        args.format.unwrap_or(if markdown_file { ReportFormat::Markdown } else { ReportFormat::Html });
    let rendered = match format {
        ReportFormat::Html => crate::report::html::render(&model),
        ReportFormat::Markdown => crate::report::markdown::render(&model),
    };
    write_output(args.output.as_deref(), &rendered)?;
    Ok(ExitStatus::GatePassed)
}

fn run_diff(args: DiffArgs) -> Result<ExitStatus, DrscanError> {
    let config = ValidConfig::discover(args.config.as_deref())?;
    let old = Snapshot::load(&args.old)?;
    let new = Snapshot::load(&args.new)?;
    if old.regions != new.regions {
        return Err(DrscanError::usage(format!(
            "the snapshots cover different region pairs ({} → {} and {} → {})",
            old.regions.primary, old.regions.dr, new.regions.primary, new.regions.dr
        )));
    }
    let settings = settings_from(&AuditArgs::for_config(), &config);
    let gate = GatePolicy::default();
    let old_inventory = crate::inventory::graph::Inventory::build(&old, &settings.matching);
    let new_inventory = crate::inventory::graph::Inventory::build(&new, &settings.matching);
    let old_report = audit_adjusted(&old_inventory, &settings, gate, &config, None);
    let new_report = audit_adjusted(&new_inventory, &settings, gate, &config, None);
    let drift = crate::drift::compare((&old_inventory, &old_report), (&new_inventory, &new_report));
    let rendered = if args.format == "json" {
        serde_json::to_string_pretty(&drift).unwrap_or_default() + "\n"
    } else {
        crate::drift::render_text(&drift)
    };
    write_output(args.output.as_deref(), &rendered)?;
    Ok(ExitStatus::GatePassed)
}

impl AuditArgs {
    /// Arguments with no flags set: settings then come from the configuration alone.
    fn for_config() -> AuditArgs {
        AuditArgs {
            snapshot: None,
            primary: None,
            dr: None,
            config: None,
            format: Format::Text,
            outputs: Vec::new(),
            fail_on: None,
            allow_unknown: false,
            baseline: None,
            app_tag: None,
            ami_pairing_tag: None,
            rto_target: None,
            rpo_target: None,
            color: ColorChoice::Never,
            aws: AwsArgs::default(),
        }
    }
}

/// Settings from defaults, then the configuration file, then flags (flags win).
pub fn settings_from(args: &AuditArgs, config: &ValidConfig) -> Settings {
    let mut settings = Settings::default();
    if let Some(key) = args.app_tag.clone().or_else(|| config.app_tag_key.clone()) {
        settings.matching.app_tag_key = key;
    }
    if let Some(key) = args.ami_pairing_tag.clone().or_else(|| config.ami_pairing_tag.clone()) {
        settings.matching.ami_pairing_tag = key;
    }
    settings.rto_target_seconds = args.rto_target.or(config.rto_target_seconds);
    settings.rpo_target_seconds = args.rpo_target.or(config.rpo_target_seconds);
    settings.replica_lag_threshold_seconds = config.replica_lag_threshold_seconds;
    if let Some(window) = args.aws.lag_window.or(config.lag_window_seconds) {
        settings.lag_window_seconds = window;
    }
    settings.matching.record_applications = config.record_applications.clone();
    settings.detection_budget_seconds = config.detection_budget_seconds;
    settings.failover_ttl_budget_seconds = config.failover_ttl_budget_seconds;
    settings.efs_replication_lag_threshold_seconds = config.efs_replication_lag_threshold_seconds;
    settings.backup_gap_threshold_seconds = config.backup_gap_threshold_seconds;
    if let Some(grace) = config.ami_stale_grace_seconds {
        settings.ami_stale_grace_seconds = grace;
    }
    if let Some(days) = config.min_backup_retention_days {
        settings.min_backup_retention_days = days;
    }
    if let Some(days) = config.certificate_expiry_days {
        settings.certificate_expiry_days = days;
    }
    settings.estimate = config.estimate.clone();
    settings.declared_automation = config.declared_automation.clone();
    settings.rule_settings = config.rules.clone();
    settings
}

/// The snapshot must be of the region pair that flags (or else the configuration) ask for.
fn check_regions(args: &AuditArgs, config: &ValidConfig, snapshot: &Snapshot) -> Result<(), DrscanError> {
    let wanted = [
        ("--primary", args.primary.as_ref().or(config.primary.as_ref()), &snapshot.regions.primary),
        ("--dr", args.dr.as_ref().or(config.dr.as_ref()), &snapshot.regions.dr),
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

fn print_rules(json: bool) -> Result<(), DrscanError> {
    let mut out = String::new();
    if json {
        let catalog: Vec<serde_json::Value> = RULES
            .iter()
            .map(|r| {
                let m = r.meta();
                serde_json::json!({"name": m.name, "code": m.code, "severity": m.severity, "group": m.group, "summary": m.summary})
            })
            .collect();
        out = serde_json::to_string_pretty(&catalog).unwrap_or_default();
        out.push('\n');
    } else {
        for rule in RULES {
            let m = rule.meta();
            out.push_str(&format!("{:<6} {:<9} {:<34} {}\n", m.code, m.severity.as_str(), m.name, m.summary));
        }
    }
    write_stdout(&out)
}

/// The text of `drscan explain`: the rule's catalog page (`rules/<name>.md`).
pub fn explain_text(meta: &rules::RuleMeta) -> String {
    rules::catalog::page(meta)
}

/// Write to stdout, treating a closed pipe (`drscan … | head`) as success.
fn write_stdout(text: &str) -> Result<(), DrscanError> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(source) => Err(DrscanError::WriteOutput { path: "stdout".to_string(), source }),
    }
}
