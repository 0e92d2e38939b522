//! `drscan merge`: the roll-ups of an organization's shards (`--shard K/N`) into one roll-up,
//! written as JSON (or as the organization report, by the file's extension), with drift
//! against `--previous-rollup`. Exit 1 when the merged gate fails — an account failed, or a
//! shard is missing — so the merge job of a CI matrix is the organization's gate.

use super::audit::Rendering;
use super::report::ReportFormat;
use super::{Destination, write_output};
use crate::error::{DrscanError, ExitStatus};
use crate::organization::merge::{RollUpFile, merge};
use crate::output::Format;
use clap::Args;
use std::path::PathBuf;

pub const EXAMPLES: &str = "\
Examples:
  # After `drscan audit --org --shard K/4 --org-dir shard-K` on four runners
  drscan merge shard-1/rollup.json shard-2/rollup.json shard-3/rollup.json shard-4/rollup.json -o rollup.json
  drscan merge shard-*/rollup.json --previous-rollup last-night.json -o organization.html";

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' rollup.json files.
    #[arg(required = true, value_name = "ROLLUP")]
    pub rollups: Vec<PathBuf>,
    /// A previous roll-up, for the organization report's drift.
    #[arg(long, value_name = "FILE", env = "DRSCAN_PREVIOUS_ROLLUP")]
    pub previous_rollup: Option<PathBuf>,
    /// Write to FILE (`-`: stdout): .json the roll-up, .html or .md the organization report
    /// [default: the roll-up JSON on stdout].
    #[arg(short = 'o', long = "output", value_name = "FILE", value_parser = Destination::parse, env = "DRSCAN_MERGE_OUTPUT")]
    pub output: Option<Destination>,
}

pub fn run(args: MergeArgs) -> Result<ExitStatus, DrscanError> {
    let files = args.rollups.iter().map(|path| RollUpFile::load(path)).collect::<Result<Vec<_>, _>>()?;
    let previous = args.previous_rollup.as_deref().map(RollUpFile::load).transpose()?;
    let merged = merge(&files)?;
    let drift = previous.map(|previous| crate::organization::drift::compare(&previous.rollup, &merged));
    let rendering =
        match args.output.as_ref().and_then(Destination::file).and_then(ReportFormat::from_extension) {
            Some(format) => Rendering::Report(format),
            None => Rendering::Findings(Format::Json),
        };
    write_output(args.output.as_ref(), &super::org::render(&merged, drift.as_ref(), rendering)?)?;
    let missing = merged.shards.missing();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|k| format!("{k}/{}", merged.shards.count)).collect();
        eprintln!("drscan: warning: shards {} are missing from the merge: the gate fails", list.join(", "));
    }
    super::org::exit_status(&merged, true)
}
