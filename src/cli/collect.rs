//! `drscan collect`: collect both regions live and write the snapshot; stderr says how much was
//! collected and names every read that failed, in the terms the audit uses for them.

use super::args::{AwsArgs, ConfigArgs, OrgArgs, RegionArgs, heading};
use super::overrides::{self, Flags};
use super::{Destination, write_to};
use crate::error::{DrscanError, ExitStatus};
use crate::inventory::Snapshot;
use clap::Args;
use std::fmt::Write;

pub const EXAMPLES: &str = "\
Examples:
  drscan collect --profile prod-readonly --primary ap-south-1 --dr us-east-1 -o snapshot.json
  drscan collect --role-arn arn:aws:iam::123456789012:role/drscan-audit --external-id drscan -o snapshot.json
  drscan collect -v -o snapshot.json        # log every AWS call (service, region, attempt, latency, outcome)";

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub regions: RegionArgs,
    /// Write the snapshot to FILE (`-`: stdout); in organization mode, the directory for one
    /// snapshot per account and rollup.json.
    #[arg(short = 'o', long = "output", value_name = "FILE", value_parser = Destination::parse, env = "DRSCAN_COLLECT_OUTPUT", help_heading = heading::OUTPUT)]
    pub output: Destination,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub org: OrgArgs,
}

pub fn run(args: CollectArgs) -> Result<ExitStatus, DrscanError> {
    let flags = Flags { regions: Some(&args.regions), aws: Some(&args.aws), ..Flags::default() };
    let run = overrides::resolve(&args.config, flags)?;
    if args.org.enabled() {
        let Some(dir) = args.output.file().map(std::path::Path::to_path_buf) else {
            return Err(DrscanError::usage("with --org or --accounts, -o names a directory, not stdout"));
        };
        if args.org.org_dir.is_some() {
            return Err(DrscanError::usage("`drscan collect` writes to its -o directory; drop --org-dir"));
        }
        let outcome = super::org::run(super::org::Mode::Collect, run, &args.aws, &args.org, dir)?;
        let first = crate::organization::report::text(&outcome.rollup);
        eprintln!("{}; wrote {}", first.lines().next().unwrap_or_default(), outcome.dir.display());
        return super::org::exit_status(&outcome.rollup, false);
    }
    let collection = run.collect_live(&args.aws)?;
    let json = snapshot_json(&collection.snapshot, std::path::Path::new(&args.output.label()))?;
    write_to(&args.output, &json)?;
    let snapshot = &collection.snapshot;
    let failed = crate::output::unread::of_snapshot(snapshot);
    let mut summary = format!(
        "collected {} resources in {:.1} s with {} AWS requests; {}; wrote {}",
        snapshot.resources.regional.values().map(|r| r.len()).sum::<usize>()
            + snapshot.resources.global.hosted_zones.len()
            + snapshot.resources.global.health_checks.len(),
        collection.wall.as_secs_f64(),
        collection.total_requests(),
        match failed.len() {
            0 => "every read succeeded".to_string(),
            1 => "1 read failed (its data is unknown to the audit)".to_string(),
            n => format!("{n} reads failed (their data is unknown to the audit)"),
        },
        args.output.label()
    );
    for read in &failed {
        let _ = write!(summary, "\n  {} — {}", read.headline(), read.effect());
        if !read.reason.message.is_empty() {
            let _ = write!(summary, ": {}", read.reason.message);
        }
    }
    eprintln!("{summary}");
    Ok(ExitStatus::GatePassed)
}

/// A snapshot as the file `drscan audit --snapshot` reads.
pub fn snapshot_json(snapshot: &Snapshot, path: &std::path::Path) -> Result<String, DrscanError> {
    let mut json = serde_json::to_string_pretty(snapshot).map_err(|e| DrscanError::WriteOutput {
        path: path.display().to_string(),
        source: std::io::Error::other(e),
    })?;
    json.push('\n');
    Ok(json)
}
