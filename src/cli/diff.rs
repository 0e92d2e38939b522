//! `drscan diff OLD NEW`: audit two snapshots with the same settings and show what changed
//! that matters for DR.

use super::args::{ConfigArgs, SettingsArgs, heading};
use super::overrides::{self, Flags};
use super::{Destination, write_output};
use crate::error::{DrscanError, ExitStatus};
use crate::inventory::{Incomparable, Snapshot};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier snapshot.
    pub old: PathBuf,
    /// The later snapshot.
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text, env = "DRSCAN_DIFF_FORMAT", help_heading = heading::OUTPUT)]
    pub format: DiffFormat,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Write to FILE instead of stdout (`-`: stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE", value_parser = Destination::parse, env = "DRSCAN_DIFF_OUTPUT", help_heading = heading::OUTPUT)]
    pub output: Option<Destination>,
}

pub fn run(args: DiffArgs) -> Result<ExitStatus, DrscanError> {
    let run = overrides::resolve(&args.config, Flags { settings: Some(&args.settings), ..Flags::default() })?;
    let old = Snapshot::load(&args.old)?;
    let new = Snapshot::load(&args.new)?;
    match old.not_comparable_with(&new) {
        Some(Incomparable::RegionPairs) => {
            return Err(DrscanError::usage(format!(
                "the snapshots cover different region pairs ({} → {} and {} → {})",
                old.regions.primary, old.regions.dr, new.regions.primary, new.regions.dr
            )));
        }
        Some(Incomparable::PrimaryAccounts) => {
            return Err(DrscanError::usage(format!(
                "the snapshots are of different primary accounts ({} and {})",
                old.account, new.account
            )));
        }
        None => {}
    }
    let old_inventory = run.inventory(&old);
    let new_inventory = run.inventory(&new);
    let old_report = run.audit(&old_inventory, None);
    let new_report = run.audit(&new_inventory, None);
    let drift = crate::drift::compare((&old_inventory, &old_report), (&new_inventory, &new_report));
    let rendered = match args.format {
        DiffFormat::Json => serde_json::to_string_pretty(&drift).unwrap_or_default() + "\n",
        DiffFormat::Text => crate::drift::render_text(&drift),
    };
    write_output(args.output.as_ref(), &rendered)?;
    Ok(ExitStatus::GatePassed)
}
