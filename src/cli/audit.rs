//! `drscan audit`: collect live (or read `--snapshot`), evaluate the rules, apply waivers and a
//! baseline, write every requested output, and exit with the gate's verdict. When every output
//! goes to a file, one summary line still reaches stderr.

use super::args::{AwsArgs, ConfigArgs, GateArgs, OrgArgs, RegionArgs, SettingsArgs, heading};
use super::overrides::{self, Flags};
use super::report::ReportFormat;
use super::{Destination, terminal, write_to};
use crate::audit::GateResult;
use crate::baseline::Baseline;
use crate::error::{DrscanError, ExitStatus};
use crate::inventory::Snapshot;
use crate::output::{self, Format, Origin, RunInfo};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

pub const EXAMPLES: &str = "\
Examples:
  # Offline, from a snapshot; the text output ends with what broke the gate
  drscan audit --snapshot snapshot.json

  # Live, with a named profile (or --role-arn ARN [--external-id ID])
  drscan audit --profile prod-readonly --primary ap-south-1 --dr us-east-1

  # Several formats from one run, each from its file's extension; a summary line goes to stderr
  drscan audit --snapshot snapshot.json -o drscan.sarif -o drscan.json -o drscan-junit.xml

  # FORMAT=FILE when the extension says nothing; `-` is stdout
  drscan audit --snapshot snapshot.json -o sarif=results.txt -o text=-

  # Only findings new since last night fail the gate; medium and low never do
  drscan audit --snapshot tonight.json --baseline last-night.json --fail-on high

  # A whole AWS Organization, shard 2 of 8, through a read-only role in every account
  drscan audit --org --org-role-name drscan-audit --primary ap-south-1 --dr us-east-1 \\
    --shard 2/8 --org-dir out/ -o out/organization.html

Output formats by extension: .sarif → sarif, .json → json, .xml → junit, .html → html report,
.md → markdown report; other files take --format (default text).";

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Audit this snapshot file instead of collecting live.
    #[arg(long, value_name = "FILE", env = "DRSCAN_SNAPSHOT", help_heading = heading::INPUT)]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub regions: RegionArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Live only: also write the collected snapshot to FILE (to report on or re-audit later);
    /// SARIF results then point at it when there is no drscan.toml.
    #[arg(long, value_name = "FILE", env = "DRSCAN_WRITE_SNAPSHOT", conflicts_with = "snapshot", help_heading = heading::OUTPUT)]
    pub write_snapshot: Option<PathBuf>,
    /// A previous `--format json` output: only findings not in it fail the gate.
    #[arg(long, value_name = "FILE", env = "DRSCAN_BASELINE", help_heading = heading::GATE)]
    pub baseline: Option<PathBuf>,
    #[command(flatten)]
    pub gate: GateArgs,
    /// Output format for stdout, and for `-o FILE` whose extension names none [default: text].
    #[arg(long, value_enum, ignore_case = true, env = "DRSCAN_FORMAT", help_heading = heading::OUTPUT)]
    pub format: Option<Format>,
    /// Write to FILE (`-`: stdout); repeat to write several formats from one run. The format
    /// comes from `FORMAT=` if given (text, json, sarif, junit, html, markdown), else from the
    /// extension (.sarif, .json, .xml → junit, .html, .md), else --format.
    #[arg(short = 'o', long = "output", value_name = "[FORMAT=]FILE", value_parser = parse_output, env = "DRSCAN_OUTPUT", help_heading = heading::OUTPUT)]
    pub outputs: Vec<OutputTarget>,
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub org: OrgArgs,
}

/// What one `-o` writes: the findings in one of the audit's formats, or the readiness report
/// of the same run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    Findings(Format),
    Report(ReportFormat),
}

impl Rendering {
    fn from_name(name: &str) -> Option<Rendering> {
        Format::from_str(name, true)
            .map(Rendering::Findings)
            .or_else(|_| ReportFormat::from_str(name, true).map(Rendering::Report))
            .ok()
    }

    /// The format a file's extension names, if it names one.
    pub fn from_extension(path: &Path) -> Option<Rendering> {
        Format::from_extension(path)
            .map(Rendering::Findings)
            .or_else(|| ReportFormat::from_extension(path).map(Rendering::Report))
    }

    fn name(self) -> String {
        let value = match self {
            Rendering::Findings(format) => format.to_possible_value(),
            Rendering::Report(format) => format.to_possible_value(),
        };
        value.map(|v| v.get_name().to_string()).unwrap_or_default()
    }
}

/// One `-o` destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputTarget {
    /// `None`: use `--format`.
    pub rendering: Option<Rendering>,
    /// The rendering came from the file's extension, not from `FORMAT=`.
    pub by_extension: bool,
    pub destination: Destination,
}

/// A prefix before `=` that is a bare word is meant as a format: an unknown one is an error,
/// not part of a file name (`-o xml=foo.xml` once wrote a file named `xml=foo.xml`).
fn parse_output(text: &str) -> Result<OutputTarget, String> {
    if let Some((prefix, rest)) = text.split_once('=')
        && !prefix.is_empty()
        && prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        let Some(rendering) = Rendering::from_name(prefix) else {
            return Err(format!(
                "unknown format `{prefix}` in `{text}`: the formats are {} (for a file whose name contains `=`, write ./{text})",
                format_names().join(", ")
            ));
        };
        if rest.is_empty() {
            return Err(format!("`{text}` names no file after `=`"));
        }
        return Ok(OutputTarget {
            rendering: Some(rendering),
            by_extension: false,
            destination: Destination::parse(rest)?,
        });
    }
    let destination = Destination::parse(text)?;
    let rendering = destination.file().and_then(Rendering::from_extension);
    Ok(OutputTarget { rendering, by_extension: rendering.is_some(), destination })
}

fn format_names() -> Vec<String> {
    Format::value_variants()
        .iter()
        .map(|f| Rendering::Findings(*f).name())
        .chain(ReportFormat::value_variants().iter().map(|f| Rendering::Report(*f).name()))
        .collect()
}

/// Each output's rendering and destination, checked: a `--format` that contradicts a file's
/// extension is an error (say `FORMAT=FILE` to mean it), and only one output can be stdout.
fn plan(
    format: Option<Format>,
    outputs: &[OutputTarget],
) -> Result<Vec<(Rendering, Destination)>, DrscanError> {
    let default = Rendering::Findings(format.unwrap_or(Format::Text));
    if outputs.is_empty() {
        return Ok(vec![(default, Destination::Stdout)]);
    }
    let mut planned = Vec::new();
    for target in outputs {
        let rendering = match (target.rendering, format) {
            (Some(by_extension), Some(format))
                if target.by_extension && by_extension != Rendering::Findings(format) =>
            {
                let file = target.destination.label();
                let format = Rendering::Findings(format).name();
                return Err(DrscanError::Usage {
                    message: format!(
                        "--format {format} contradicts the extension of {file}, which means {}",
                        by_extension.name()
                    ),
                    help: Some(format!("drop --format, or write -o {format}={file} to mean it")),
                });
            }
            (Some(rendering), _) => rendering,
            (None, _) => default,
        };
        planned.push((rendering, target.destination.clone()));
    }
    if planned.iter().filter(|(_, d)| *d == Destination::Stdout).count() > 1 {
        return Err(DrscanError::usage("only one output can go to stdout (`-o -`)"));
    }
    Ok(planned)
}

pub fn run(args: AuditArgs) -> Result<ExitStatus, DrscanError> {
    let planned = plan(args.format, &args.outputs)?;
    let flags = Flags {
        regions: Some(&args.regions),
        settings: Some(&args.settings),
        gate: Some(&args.gate),
        aws: Some(&args.aws),
    };
    let run = overrides::resolve(&args.config, flags)?;
    if args.org.enabled() {
        return run_org(args, run, &planned);
    }
    // Read before collecting, so that a malformed baseline costs no collection.
    let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
    let (snapshot, origin) = match &args.snapshot {
        Some(path) => {
            let text = crate::input::read_text("snapshot", path)?;
            let display_path = path.display().to_string();
            let origin = Origin::of_snapshot(&display_path, &text);
            let snapshot = Snapshot::parse(&display_path, text)?;
            run.check_snapshot_regions(&snapshot)?;
            (snapshot, origin)
        }
        None => {
            let snapshot = run.collect_live(&args.aws)?.snapshot;
            let origin = match &args.write_snapshot {
                Some(path) => {
                    let text = super::collect::snapshot_json(&snapshot, path)?;
                    write_to(&Destination::File(path.clone()), &text)?;
                    Origin::of_snapshot(&path.display().to_string(), &text)
                }
                None => Origin::default(),
            };
            (snapshot, origin)
        }
    };
    let origin = run.origin(origin);
    if let Some(baseline) = &baseline {
        baseline.check_matches(&snapshot.account, &snapshot.regions)?;
    }
    let inventory = run.inventory(&snapshot);
    let report = run.audit(&inventory, baseline.as_ref());

    let mut info = RunInfo { snapshot: &snapshot, gate: run.gate, origin, color: false };
    for (rendering, destination) in &planned {
        let text = match rendering {
            Rendering::Findings(format) => {
                info.color = *format == Format::Text
                    && match destination {
                        Destination::Stdout => terminal::stdout_in_color(),
                        Destination::File(_) => terminal::files_in_color(),
                    };
                output::render(*format, &report, &info)
            }
            Rendering::Report(format) => {
                super::report::render(*format, &snapshot, &inventory, &report, None, None)
            }
        };
        write_to(destination, &text)?;
    }
    if !planned.iter().any(|(_, d)| *d == Destination::Stdout) {
        // Every output went to a file: the verdict still reaches whoever ran the command.
        let written: Vec<String> = planned.iter().map(|(_, d)| d.label()).collect();
        let line = output::text::summary_line(&report, info.gate, terminal::stderr_in_color(), true);
        eprintln!("drscan: {line}; wrote {}", written.join(", "));
    }
    let status = match report.gate {
        GateResult::Passed => ExitStatus::GatePassed,
        GateResult::Failed => ExitStatus::GateFailed,
    };
    // The process ends right after this: freeing a large snapshot and report piece by piece
    // would cost ~15 % of a 200k-resource audit for nothing the OS does not do at exit anyway.
    drop(info);
    std::mem::forget(report);
    std::mem::forget(inventory);
    std::mem::forget(snapshot);
    Ok(status)
}

/// `drscan audit --org`: every account's JSON in the output directory, the roll-up as `-o`
/// asks (the text summary on stdout by default), the gate over all accounts.
fn run_org(
    args: AuditArgs,
    run: overrides::Resolved,
    planned: &[(Rendering, Destination)],
) -> Result<ExitStatus, DrscanError> {
    super::org::refuse_single_account_flags(args.snapshot.as_deref(), args.baseline.as_deref())?;
    if args.write_snapshot.is_some() {
        return Err(DrscanError::usage(
            "--write-snapshot is one account's; use `drscan collect --org -o DIR`",
        ));
    }
    // Refuse a rendering the roll-up has not before any account is collected.
    super::org::check_renderings(planned)?;
    let dir = super::org::output_dir(&args.org);
    let outcome = super::org::run(super::org::Mode::Audit, run, &args.aws, &args.org, dir)?;
    super::org::write_outputs(&outcome.rollup, outcome.drift.as_ref(), planned)?;
    if !planned.iter().any(|(_, d)| *d == Destination::Stdout) {
        let first = crate::organization::report::text(&outcome.rollup);
        let headline = first.lines().next().unwrap_or_default();
        eprintln!("{headline}; wrote {}", outcome.dir.join("rollup.json").display());
    }
    super::org::exit_status(&outcome.rollup, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(text: &str) -> OutputTarget {
        parse_output(text).expect("a valid -o")
    }

    #[test]
    fn the_extension_names_the_format() {
        assert_eq!(target("out.sarif").rendering, Some(Rendering::Findings(Format::Sarif)));
        assert_eq!(target("out.json").rendering, Some(Rendering::Findings(Format::Json)));
        assert_eq!(target("junit.xml").rendering, Some(Rendering::Findings(Format::Junit)));
        assert_eq!(target("readiness.html").rendering, Some(Rendering::Report(ReportFormat::Html)));
        assert_eq!(target("readiness.md").rendering, Some(Rendering::Report(ReportFormat::Markdown)));
        assert_eq!(target("findings.txt").rendering, None);
        assert_eq!(target("-").destination, Destination::Stdout);
    }

    /// Regression (issue 12): `-o xml=foo.xml` wrote a file named `xml=foo.xml`.
    #[test]
    fn an_unknown_format_prefix_is_an_error() {
        let error = parse_output("xml=foo.xml").unwrap_err();
        assert!(error.contains("unknown format `xml`") && error.contains("junit"), "{error}");
        assert_eq!(target("./a=b.json").destination, Destination::File(PathBuf::from("./a=b.json")));
        assert_eq!(target("sarif=-").destination, Destination::Stdout);
        assert!(parse_output("json=").is_err());
    }

    #[test]
    fn a_prefix_wins_and_a_contradicting_format_is_refused() {
        let planned =
            plan(Some(Format::Json), &[target("sarif=out.txt"), target("plain.log")]).expect("plan");
        assert_eq!(planned[0].0, Rendering::Findings(Format::Sarif));
        assert_eq!(planned[1].0, Rendering::Findings(Format::Json));
        assert!(plan(Some(Format::Json), &[target("out.sarif")]).is_err());
        assert!(plan(Some(Format::Json), &[target("out.json")]).is_ok());
        assert!(plan(None, &[target("-"), target("json=-")]).is_err(), "two outputs on stdout");
    }
}
