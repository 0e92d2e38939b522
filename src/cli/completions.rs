//! `drscan completions SHELL` and `drscan man [COMMAND]`: generated from the same clap definition the
//! parser uses, so they cannot drift from the flags.

use super::write_stdout;
use crate::error::{DrscanError, ExitStatus};
use clap::{Args, CommandFactory};
use clap_complete::Shell;

pub const COMPLETION_EXAMPLES: &str = "\
Examples:
  drscan completions bash > ~/.local/share/bash-completion/completions/drscan
  drscan completions zsh > \"${fpath[1]}/_drscan\"
  drscan completions fish > ~/.config/fish/completions/drscan.fish
  drscan completions powershell >> $PROFILE";

pub const MAN_EXAMPLES: &str = "\
Examples:
  drscan man | man -l -
  drscan man audit | man -l -
  drscan man --dir /usr/local/share/man/man1 && man drscan-audit";

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The page of this command (drscan-COMMAND(1)) instead of drscan(1).
    pub command: Option<String>,
    /// Write every page (drscan.1 and one per command) into DIR instead of printing one.
    #[arg(long, value_name = "DIR", conflicts_with = "command", env = "DRSCAN_MAN_DIR")]
    pub dir: Option<std::path::PathBuf>,
}

/// The completion script for `shell`.
pub fn completion_script(shell: Shell) -> String {
    let mut command = super::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "drscan", &mut script);
    String::from_utf8_lossy(&script).into_owned()
}

/// A man page, as roff: drscan(1), or with `command` its page drscan-COMMAND(1).
pub fn man_page(command: Option<&str>) -> Result<String, DrscanError> {
    let mut root = super::Cli::command().disable_help_subcommand(true);
    root.build();
    let page_of = match command {
        None => root,
        Some(name) => root.find_subcommand(name).cloned().ok_or_else(|| DrscanError::Usage {
            message: format!("drscan has no command `{name}`"),
            help: Some("`drscan --help` lists the commands".to_string()),
        })?,
    };
    let mut page = Vec::new();
    clap_mangen::Man::new(page_of)
        .render(&mut page)
        .map_err(|source| DrscanError::WriteOutput { path: "stdout".to_string(), source })?;
    Ok(String::from_utf8_lossy(&page).into_owned())
}

/// Every page, drscan.1 and drscan-COMMAND.1 for each command, into `dir`.
pub fn write_man_pages(dir: &std::path::Path) -> Result<(), DrscanError> {
    let write_error = |source| DrscanError::WriteOutput { path: dir.display().to_string(), source };
    std::fs::create_dir_all(dir).map_err(write_error)?;
    clap_mangen::generate_to(super::Cli::command(), dir).map_err(write_error)
}

pub fn run_completions(args: CompletionsArgs) -> Result<ExitStatus, DrscanError> {
    write_stdout(&completion_script(args.shell))?;
    Ok(ExitStatus::GatePassed)
}

pub fn run_man(args: ManArgs) -> Result<ExitStatus, DrscanError> {
    match &args.dir {
        Some(dir) => write_man_pages(dir)?,
        None => write_stdout(&man_page(args.command.as_deref())?)?,
    }
    Ok(ExitStatus::GatePassed)
}
