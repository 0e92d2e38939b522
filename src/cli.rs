//! The command line (SPEC §3): argument parsing, command dispatch, and the mapping of every
//! outcome to an exit code. Diagnostics go to stderr; results go to stdout or `-o FILE`.

use crate::audit::{self, GatePolicy, GateResult};
use crate::collection::sdk::{RetryMode, SdkSettings};
use crate::collection::{self, CollectOptions};
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
    Audit(AuditArgs),
    /// Collect both regions live and write a snapshot.
    Collect(CollectArgs),
    /// List the rule catalog.
    Rules(RulesArgs),
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
    /// Output format: text, json or sarif.
    #[arg(long, default_value = "text", value_parser = parse_format)]
    pub format: Format,
    /// Write the output to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity whose `fail` or `unknown` findings fail the gate.
    #[arg(long, default_value = "high", value_parser = parse_severity, value_name = "SEVERITY")]
    pub fail_on: Severity,
    /// Do not let `unknown` findings fail the gate.
    #[arg(long)]
    pub allow_unknown: bool,
    /// Tag key that joins resources to an application.
    #[arg(long, value_name = "KEY")]
    pub app_tag: Option<String>,
    /// Tag key that pairs a DR AMI copy with its primary AMI.
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
    /// How far back replica-lag metrics are read.
    #[arg(long, default_value = "1h", value_parser = parse_duration_seconds, value_name = "DURATION")]
    pub lag_window: u64,
}

impl AwsArgs {
    fn options(&self, primary: Option<&String>, dr: Option<&String>) -> Result<CollectOptions, DrscanError> {
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
        };
        options.run_timeout = std::time::Duration::from_secs(self.timeout.max(1));
        options.lag_window = std::time::Duration::from_secs(self.lag_window.max(60));
        Ok(options)
    }
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
        Command::Audit(args) => run_audit(args),
        Command::Collect(args) => run_collect(args),
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

fn run_collect(args: CollectArgs) -> Result<ExitStatus, DrscanError> {
    let options = args.aws.options(args.primary.as_ref(), args.dr.as_ref())?;
    let collection = collection::collect_blocking(&options)?;
    let mut json = serde_json::to_string_pretty(&collection.snapshot).map_err(|e| {
        DrscanError::WriteOutput { path: args.output.display().to_string(), source: std::io::Error::other(e) }
    })?;
    json.push('\n');
    std::fs::write(&args.output, json)
        .map_err(|source| DrscanError::WriteOutput { path: args.output.display().to_string(), source })?;
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
    let (snapshot, origin) = match &args.snapshot {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|source| DrscanError::ReadInput { path: path.display().to_string(), source })?;
            let display_path = path.display().to_string();
            let origin = Origin::of_snapshot(&display_path, &text);
            let snapshot = Snapshot::parse(&display_path, text)?;
            check_region_flags(&args, &snapshot)?;
            (snapshot, origin)
        }
        None => {
            let options = args.aws.options(args.primary.as_ref(), args.dr.as_ref())?;
            let collection = collection::collect_blocking(&options)?;
            (collection.snapshot, Origin { path: None, regions_line: None })
        }
    };

    let mut settings = Settings::default();
    if let Some(key) = args.app_tag.clone() {
        settings.app_tag_key = key;
    }
    if let Some(key) = args.ami_pairing_tag.clone() {
        settings.ami_pairing_tag = key;
    }
    settings.rto_target_seconds = args.rto_target;
    settings.rpo_target_seconds = args.rpo_target;

    let gate = GatePolicy { fail_on: args.fail_on, allow_unknown: args.allow_unknown };
    let report = audit::run(&snapshot, &settings, gate);
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    let info = RunInfo { snapshot: &snapshot, gate, origin, color };
    let rendered = output::render(args.format, &report, &info);
    match &args.output {
        Some(file) => std::fs::write(file, rendered)
            .map_err(|source| DrscanError::WriteOutput { path: file.display().to_string(), source })?,
        None => write_stdout(&rendered)?,
    }
    Ok(match report.gate {
        GateResult::Passed => ExitStatus::GatePassed,
        GateResult::Failed => ExitStatus::GateFailed,
    })
}

fn check_region_flags(args: &AuditArgs, snapshot: &Snapshot) -> Result<(), DrscanError> {
    for (flag, given, actual) in
        [("--primary", &args.primary, &snapshot.regions.primary), ("--dr", &args.dr, &snapshot.regions.dr)]
    {
        if let Some(given) = given
            && given != actual
        {
            return Err(DrscanError::Usage {
                message: format!(
                    "{flag} {given} does not match the snapshot, which was collected with {flag} {actual}"
                ),
                help: Some("drop the flag, or collect a new snapshot for that region pair".to_string()),
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

/// The text of `drscan explain`: the same Markdown as the rule's catalog page.
pub fn explain_text(meta: &rules::RuleMeta) -> String {
    format!(
        "# {} ({})\n\nSeverity: {} · Group: {}\n\n{}\n\n{}",
        meta.name,
        meta.code,
        meta.severity,
        meta.group.title(),
        meta.summary,
        meta.documentation()
    )
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
