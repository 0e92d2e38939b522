//! `drscan audit`: collect live (or read `--snapshot`), evaluate the rules, apply waivers and a
//! baseline, write every requested output, and exit with the gate's verdict.

use super::args::{AwsArgs, ConfigArgs, GateArgs, RegionArgs, SettingsArgs};
use super::overrides::{self, Flags};
use super::{write_output, write_stdout};
use crate::audit::GateResult;
use crate::baseline::Baseline;
use crate::error::{DrscanError, ExitStatus};
use crate::inventory::Snapshot;
use crate::output::{self, Format, Origin, RunInfo};
use clap::{Args, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;

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
    #[command(flatten)]
    pub regions: RegionArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Output format for stdout and for plain `-o FILE`.
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the output to FILE instead of stdout; `FORMAT=FILE` (e.g. `sarif=drscan.sarif`)
    /// picks the format per file. Repeat to write several formats from one run.
    #[arg(short = 'o', long = "output", value_name = "[FORMAT=]FILE", value_parser = parse_output)]
    pub outputs: Vec<OutputTarget>,
    #[command(flatten)]
    pub gate: GateArgs,
    /// A previous `--format json` output: only findings not in it fail the gate.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Colour in text output (auto: only on a terminal and when NO_COLOR is unset).
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    #[command(flatten)]
    pub aws: AwsArgs,
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
        && let Ok(format) = Format::from_str(prefix, true)
    {
        if path.is_empty() {
            return Err(format!("`{s}` names no file after `=`"));
        }
        return Ok(OutputTarget { format: Some(format), path: PathBuf::from(path) });
    }
    if s.is_empty() {
        return Err("empty output path".to_string());
    }
    Ok(OutputTarget { format: None, path: PathBuf::from(s) })
}

pub fn run(args: AuditArgs) -> Result<ExitStatus, DrscanError> {
    let flags = Flags {
        regions: Some(&args.regions),
        settings: Some(&args.settings),
        gate: Some(&args.gate),
        aws: Some(&args.aws),
    };
    let run = overrides::resolve(&args.config, flags)?;
    let (snapshot, origin) = match &args.snapshot {
        Some(path) => {
            let text = crate::error::read_input(path)?;
            let display_path = path.display().to_string();
            let origin = Origin::of_snapshot(&display_path, &text);
            let snapshot = Snapshot::parse(&display_path, text)?;
            run.check_snapshot_regions(&snapshot)?;
            (snapshot, origin)
        }
        None => (run.collect_live(&args.aws)?.snapshot, Origin::default()),
    };
    let origin = run.origin(origin);
    let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
    let report = run.audit(&run.inventory(&snapshot), baseline.as_ref());

    let stdout_color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
        }
    };
    let mut info = RunInfo { snapshot: &snapshot, gate: run.gate, origin, color: false };
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
