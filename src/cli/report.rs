//! `drscan report`: the readiness report (HTML or Markdown) of a snapshot or a live collection,
//! with drift against `--previous`.

use super::args::{AwsArgs, ConfigArgs, OrgArgs, RegionArgs, SettingsArgs, heading};
use super::overrides::{self, Flags};
use super::{Destination, write_output};
use crate::audit::AuditReport;
use crate::drift::Drift;
use crate::error::{DrscanError, ExitStatus};
use crate::inventory::graph::Inventory;
use crate::inventory::{Incomparable, Snapshot};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

pub const EXAMPLES: &str = "\
Examples:
  # Tonight's report with drift against last night's snapshot (format from the extension)
  drscan report --snapshot tonight.json --previous last-night.json -o readiness.html

  # Markdown for a pull-request comment or a CI job summary
  drscan report --snapshot snapshot.json -o readiness.md
  drscan report --snapshot snapshot.json --format markdown >> \"$GITHUB_STEP_SUMMARY\"";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Markdown,
}

impl ReportFormat {
    /// `.html`/`.htm` and `.md`/`.markdown`.
    pub fn from_extension(path: &Path) -> Option<ReportFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "html" | "htm" => Some(ReportFormat::Html),
            "md" | "markdown" => Some(ReportFormat::Markdown),
            _ => None,
        }
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report on this snapshot instead of collecting live.
    #[arg(long, value_name = "FILE", env = "DRSCAN_SNAPSHOT", help_heading = heading::INPUT)]
    pub snapshot: Option<PathBuf>,
    /// The previous snapshot (e.g. last night's), to show drift.
    #[arg(long, value_name = "FILE", env = "DRSCAN_PREVIOUS", help_heading = heading::INPUT)]
    pub previous: Option<PathBuf>,
    /// Report format [default: from the output file's extension (.html, .md), else html].
    #[arg(long, value_enum, ignore_case = true, env = "DRSCAN_REPORT_FORMAT", help_heading = heading::OUTPUT)]
    pub format: Option<ReportFormat>,
    /// Write to FILE instead of stdout (`-`: stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE", value_parser = Destination::parse, env = "DRSCAN_REPORT_OUTPUT", help_heading = heading::OUTPUT)]
    pub output: Option<Destination>,
    /// Where the full report is kept (e.g. the CI run that uploads the HTML report): the
    /// Markdown report links to it when it is summarised to fit a GitHub comment.
    #[arg(long, value_name = "URL", env = "DRSCAN_FULL_REPORT_URL", help_heading = heading::OUTPUT)]
    pub full_report_url: Option<String>,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(flatten)]
    pub regions: RegionArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub org: OrgArgs,
}

pub fn run(args: ReportArgs) -> Result<ExitStatus, DrscanError> {
    let flags = Flags {
        regions: Some(&args.regions),
        settings: Some(&args.settings),
        aws: Some(&args.aws),
        ..Flags::default()
    };
    let run = overrides::resolve(&args.config, flags)?;
    let by_extension =
        args.output.as_ref().and_then(Destination::file).and_then(ReportFormat::from_extension);
    let format = args.format.or(by_extension).unwrap_or(ReportFormat::Html);
    if args.org.enabled() {
        // Each account's report in the output directory; the organization report to -o.
        super::org::refuse_single_account_flags(args.snapshot.as_deref(), None)?;
        if args.previous.is_some() {
            return Err(DrscanError::usage(
                "--previous is one account's snapshot; in organization mode give --previous-rollup",
            ));
        }
        let dir = super::org::output_dir(&args.org);
        let outcome = super::org::run(super::org::Mode::Report(format), run, &args.aws, &args.org, dir)?;
        let rendering = super::audit::Rendering::Report(format);
        let text = super::org::render(&outcome.rollup, outcome.drift.as_ref(), rendering)?;
        write_output(args.output.as_ref(), &text)?;
        return super::org::exit_status(&outcome.rollup, false);
    }
    let snapshot = match &args.snapshot {
        Some(path) => Snapshot::load(path)?,
        None => run.collect_live(&args.aws)?.snapshot,
    };
    let previous = args.previous.as_deref().map(Snapshot::load).transpose()?;
    if let Some(previous) = &previous {
        match previous.not_comparable_with(&snapshot) {
            Some(Incomparable::RegionPairs) => {
                return Err(DrscanError::usage("--previous covers a different region pair than --snapshot"));
            }
            Some(Incomparable::PrimaryAccounts) => {
                return Err(DrscanError::usage(format!(
                    "--previous is of another primary account ({}) than --snapshot ({})",
                    previous.account, snapshot.account
                )));
            }
            None => {}
        }
    }
    // One inventory serves the audit and the report's failover paths; the report shows the
    // estimates the audit computed.
    let inventory = run.inventory(&snapshot);
    let report = run.audit(&inventory, None);
    let drift = previous.as_ref().map(|previous| {
        let old_inventory = run.inventory(previous);
        let old_report = run.audit(&old_inventory, None);
        crate::drift::compare((&old_inventory, &old_report), (&inventory, &report))
    });
    let full_report = args.full_report_url.as_deref();
    write_output(args.output.as_ref(), &render(format, &snapshot, &inventory, &report, drift, full_report))?;
    Ok(ExitStatus::GatePassed)
}

/// The readiness report of one audit (also what `drscan audit -o readiness.html` writes);
/// `full_report` is where a summarised Markdown report points.
pub fn render(
    format: ReportFormat,
    snapshot: &Snapshot,
    inventory: &Inventory<'_>,
    report: &AuditReport,
    drift: Option<Drift>,
    full_report: Option<&str>,
) -> String {
    use crate::report::markdown;
    let estimates = crate::report::estimate_views(&report.estimates);
    let model = crate::report::build(snapshot, inventory, report, &estimates, drift);
    match format {
        ReportFormat::Html => crate::report::html::render(&model),
        ReportFormat::Markdown => {
            markdown::render_with(&model, &markdown::Options { full_report, ..markdown::Options::default() })
        }
    }
}
