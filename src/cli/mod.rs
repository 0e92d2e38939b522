//! The command line (SPEC §3): argument parsing, dispatch to one module per command, and the
//! mapping of every outcome to an exit code. Flag groups shared by several commands live in
//! [`args`]; [`overrides`] turns parsed flags and drscan.toml into what a command runs on.
//! Diagnostics go to stderr; results go to stdout or `-o FILE`.

pub mod args;
pub mod audit;
pub mod collect;
pub mod diff;
pub mod overrides;
pub mod report;
pub mod rules;

pub use rules::explain_text;

use crate::error::{DrscanError, ExitStatus};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::Path;
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
    Audit(Box<audit::AuditArgs>),
    /// Collect both regions live and write a snapshot.
    Collect(collect::CollectArgs),
    /// List the rule catalog.
    Rules(rules::RulesArgs),
    /// Nightly readiness report (HTML or Markdown), with drift against a previous snapshot.
    Report(Box<report::ReportArgs>),
    /// What changed between two snapshots that matters for DR.
    Diff(diff::DiffArgs),
    /// Print one rule's full documentation.
    Explain(rules::ExplainArgs),
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
        Command::Audit(args) => audit::run(*args),
        Command::Collect(args) => collect::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Report(args) => report::run(*args),
        Command::Rules(args) => rules::run_rules(args),
        Command::Explain(args) => rules::run_explain(args),
    }
}

/// Write a rendered output to FILE, or to stdout without one.
fn write_output(path: Option<&Path>, text: &str) -> Result<(), DrscanError> {
    match path {
        Some(path) => std::fs::write(path, text)
            .map_err(|source| DrscanError::WriteOutput { path: path.display().to_string(), source }),
        None => write_stdout(text),
    }
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
