//! `drscan report`: the readiness report (HTML or Markdown) of a snapshot or a live collection,
//! with drift against `--previous`.

use super::args::{AwsArgs, ConfigArgs, RegionArgs, SettingsArgs};
use super::overrides::{self, Flags};
use super::write_output;
use crate::error::{DrscanError, ExitStatus};
use crate::inventory::Snapshot;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

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
    /// Report format [default: markdown for a .md output file, else html].
    #[arg(long, value_enum, ignore_case = true)]
    pub format: Option<ReportFormat>,
    /// Write to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(flatten)]
    pub regions: RegionArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub fn run(args: ReportArgs) -> Result<ExitStatus, DrscanError> {
    let flags = Flags {
        regions: Some(&args.regions),
        settings: Some(&args.settings),
        aws: Some(&args.aws),
        ..Flags::default()
    };
    let run = overrides::resolve(&args.config, flags)?;
    let snapshot = match &args.snapshot {
        Some(path) => Snapshot::load(path)?,
        None => run.collect_live(&args.aws)?.snapshot,
    };
    let previous = args.previous.as_deref().map(Snapshot::load).transpose()?;
    if let Some(previous) = &previous
        && previous.regions != snapshot.regions
    {
        return Err(DrscanError::usage("--previous covers a different region pair than --snapshot"));
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
