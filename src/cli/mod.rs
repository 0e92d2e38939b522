//! The command line (SPEC §3): argument parsing, dispatch to one module per command, and the
//! mapping of every outcome to an exit code. Flag groups shared by several commands live in
//! [`args`]; [`overrides`] turns parsed flags and drscan.toml into what a command runs on;
//! [`terminal`] owns colour and the `-v` log. Diagnostics go to stderr; results go to stdout
//! or `-o FILE`.

pub mod args;
pub mod audit;
pub mod collect;
pub mod completions;
pub mod diff;
pub mod init;
pub mod merge;
pub mod org;
pub mod overrides;
pub mod report;
pub mod rules;
pub mod terminal;

pub use rules::explain_text;

use crate::error::{DrscanError, ExitStatus};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

const EXAMPLES: &str = "\
Examples:
  # Audit a snapshot offline (the bundled reference architecture; exits 1: the gate fails)
  drscan audit --snapshot fixtures/reference-architecture.json

  # Audit live, writing SARIF, JSON and JUnit from one run; a summary line goes to stderr
  drscan audit --primary ap-south-1 --dr us-east-1 -o drscan.sarif -o drscan.json -o junit.xml

  # Collect once, then audit and report from the snapshot
  drscan collect --profile prod-readonly --primary ap-south-1 --dr us-east-1 -o snapshot.json
  drscan report --snapshot snapshot.json -o readiness.html

  # Start a documented drscan.toml from what a snapshot holds
  drscan init --snapshot snapshot.json

Every flag can also be set as a DRSCAN_* environment variable (shown with each flag in
`drscan <COMMAND> --help`). Exit codes: 0 gate passed, 1 gate failed, 2 usage or input error,
3 collection impossible.";

#[derive(Debug, Parser)]
#[command(
    name = "drscan",
    version,
    about = "Audit an AWS multi-region disaster-recovery setup: would the application come back in the DR region, how fast, losing how much data?",
    after_help = EXAMPLES,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes, before or after its name.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global")]
pub struct GlobalArgs {
    /// Colour for text output, diagnostics and logs (auto: on a terminal, unless NO_COLOR is set).
    #[arg(long, value_enum, default_value = "auto", global = true, env = "DRSCAN_COLOR")]
    pub color: terminal::ColorChoice,
    /// Log what collection does to stderr: -v one line per AWS call attempt (service, region,
    /// operation, attempt, latency, outcome); -vv also the AWS SDK's own debug log.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// The same as -vv. DRSCAN_LOG takes tracing filter directives instead (e.g. drscan=debug).
    #[arg(long, global = true, env = "DRSCAN_DEBUG", value_parser = clap::builder::BoolishValueParser::new())]
    pub debug: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate the DR rules and print findings; the CI gate.
    #[command(after_help = audit::EXAMPLES)]
    Audit(Box<audit::AuditArgs>),
    /// Collect both regions live and write a snapshot.
    #[command(after_help = collect::EXAMPLES)]
    Collect(Box<collect::CollectArgs>),
    /// Nightly readiness report (HTML or Markdown), with drift against a previous snapshot.
    #[command(after_help = report::EXAMPLES)]
    Report(Box<report::ReportArgs>),
    /// What changed between two snapshots that matters for DR.
    Diff(diff::DiffArgs),
    /// Combine the roll-ups of an organization's shards (--shard K/N) into one.
    #[command(after_help = merge::EXAMPLES)]
    Merge(merge::MergeArgs),
    /// List the rule catalog.
    Rules(rules::RulesArgs),
    /// Print one rule's full documentation.
    Explain(rules::ExplainArgs),
    /// Write a documented drscan.toml, pre-filled from a snapshot or a live collection.
    #[command(after_help = init::EXAMPLES)]
    Init(Box<init::InitArgs>),
    /// List the AWS regions drscan accepts.
    Regions,
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = completions::COMPLETION_EXAMPLES)]
    Completions(completions::CompletionsArgs),
    /// Print drscan's man page, or a command's (roff), or write them all to a directory.
    #[command(after_help = completions::MAN_EXAMPLES)]
    Man(completions::ManArgs),
}

/// Entry point of the binary: parse, run, print diagnostics, return the exit code.
pub fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Colour is decided before parsing so that clap's own errors follow --color too.
    let color = terminal::color_before_parsing(&argv);
    terminal::apply_color(color);
    let matches = match Cli::command().color(color.clap()).try_get_matches_from(argv) {
        Ok(matches) => matches,
        Err(error) => return clap_exit(&error),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => return clap_exit(&error),
    };
    terminal::init_logging(terminal::Verbosity::from_flags(cli.global.verbose, cli.global.debug));
    match run(cli) {
        Ok(status) => ExitCode::from(status as u8),
        Err(error) => {
            let status = error.exit_status();
            let mut stderr = anstream::stderr();
            let _ = writeln!(stderr, "{:?}", miette::Report::new(error));
            ExitCode::from(status as u8)
        }
    }
}

fn clap_exit(error: &clap::Error) -> ExitCode {
    let code = if error.use_stderr() { ExitStatus::UsageError as u8 } else { 0 };
    let _ = error.print();
    ExitCode::from(code)
}

pub fn run(cli: Cli) -> Result<ExitStatus, DrscanError> {
    match cli.command {
        Command::Audit(args) => audit::run(*args),
        Command::Collect(args) => collect::run(*args),
        Command::Diff(args) => diff::run(args),
        Command::Report(args) => report::run(*args),
        Command::Merge(args) => merge::run(args),
        Command::Rules(args) => rules::run_rules(args),
        Command::Explain(args) => rules::run_explain(args),
        Command::Init(args) => init::run(*args),
        Command::Regions => rules::run_regions(),
        Command::Completions(args) => completions::run_completions(args),
        Command::Man(args) => completions::run_man(args),
    }
}

/// Where one output goes: a file, or stdout (`-o -`, or no `-o`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Stdout,
    File(PathBuf),
}

impl Destination {
    /// `-` is stdout; anything else a file path.
    pub fn parse(text: &str) -> Result<Destination, String> {
        match text {
            "" => Err("empty output path".to_string()),
            "-" => Ok(Destination::Stdout),
            path => Ok(Destination::File(PathBuf::from(path))),
        }
    }

    pub fn file(&self) -> Option<&std::path::Path> {
        match self {
            Destination::Stdout => None,
            Destination::File(path) => Some(path),
        }
    }

    /// How a summary line names it.
    pub fn label(&self) -> String {
        match self {
            Destination::Stdout => "stdout".to_string(),
            Destination::File(path) => path.display().to_string(),
        }
    }
}

/// Write a rendered output to its destination.
fn write_to(destination: &Destination, text: &str) -> Result<(), DrscanError> {
    match destination {
        Destination::File(path) => std::fs::write(path, text)
            .map_err(|source| DrscanError::WriteOutput { path: path.display().to_string(), source }),
        Destination::Stdout => write_stdout(text),
    }
}

/// Write to FILE, or to stdout without one.
fn write_output(path: Option<&Destination>, text: &str) -> Result<(), DrscanError> {
    write_to(path.unwrap_or(&Destination::Stdout), text)
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
