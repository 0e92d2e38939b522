//! `drscan collect`: collect both regions live and write the snapshot.

use super::args::{AwsArgs, ConfigArgs, RegionArgs};
use super::overrides::{self, Flags};
use super::write_output;
use crate::error::{DrscanError, ExitStatus};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub regions: RegionArgs,
    /// Write the snapshot to FILE.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub fn run(args: CollectArgs) -> Result<ExitStatus, DrscanError> {
    let flags = Flags { regions: Some(&args.regions), aws: Some(&args.aws), ..Flags::default() };
    let run = overrides::resolve(&args.config, flags)?;
    let collection = run.collect_live(&args.aws)?;
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
