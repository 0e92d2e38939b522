//! What reaches the terminal besides results: one `--color` choice for everything drscan
//! prints (text output, diagnostics, clap's own errors, log lines), and the `-v`/`--debug`
//! log of what collection did and waited on (`tracing`, to stderr).

use anstream::ColorChoice as StreamChoice;
use clap::ValueEnum;
use std::ffi::OsString;

/// `--color`: `auto` colours a terminal unless `NO_COLOR` is set (or `CLICOLOR_FORCE` forces it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// The choice as anstream (and so clap) takes it.
    fn stream(self) -> StreamChoice {
        match self {
            ColorChoice::Auto => StreamChoice::Auto,
            ColorChoice::Always => StreamChoice::Always,
            ColorChoice::Never => StreamChoice::Never,
        }
    }

    pub fn clap(self) -> clap::ColorChoice {
        match self {
            ColorChoice::Auto => clap::ColorChoice::Auto,
            ColorChoice::Always => clap::ColorChoice::Always,
            ColorChoice::Never => clap::ColorChoice::Never,
        }
    }
}

/// `--color` as given before clap has parsed anything, so that clap's own errors follow it
/// too: the last `--color VALUE` / `--color=VALUE`, else `DRSCAN_COLOR`, else `auto`.
pub fn color_before_parsing(args: &[OsString]) -> ColorChoice {
    let mut found = None;
    let mut words = args.iter().map(|a| a.to_string_lossy());
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        let value = match word.strip_prefix("--color") {
            Some("") => words.next().map(|v| v.to_string()),
            Some(rest) => rest.strip_prefix('=').map(str::to_string),
            None => None,
        };
        if let Some(choice) = value.and_then(|v| ColorChoice::from_str(&v, true).ok()) {
            found = Some(choice);
        }
    }
    found
        .or_else(|| std::env::var("DRSCAN_COLOR").ok().and_then(|v| ColorChoice::from_str(&v, true).ok()))
        .unwrap_or_default()
}

/// Make `choice` the one every stream and the diagnostics follow.
pub fn apply_color(choice: ColorChoice) {
    choice.stream().write_global();
    let diagnostics_in_color = stderr_in_color();
    // A hook set twice (tests calling `run` in one process) is refused; the first one stands.
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(miette::MietteHandlerOpts::new().color(diagnostics_in_color).build())
    }));
}

/// Whether text written to stdout now is coloured: `always`, or `auto` on a terminal.
pub fn stdout_in_color() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != StreamChoice::Never
}

pub fn stderr_in_color() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != StreamChoice::Never
}

/// Whether a file gets colour: only when asked for (`--color always`), never on `auto`.
pub fn files_in_color() -> bool {
    matches!(StreamChoice::global(), StreamChoice::Always | StreamChoice::AlwaysAnsi)
}

/// How much is logged to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Warnings only.
    Quiet,
    /// `-v`: one line per AWS call attempt (service, region, operation, attempt, latency,
    /// outcome) and per collection scope.
    Calls,
    /// `-vv` / `--debug`: also the AWS SDK's own debug log (credentials, endpoints, retries).
    Debug,
}

impl Verbosity {
    pub fn from_flags(verbose: u8, debug: bool) -> Self {
        match (verbose, debug) {
            (_, true) | (2.., _) => Verbosity::Debug,
            (1, _) => Verbosity::Calls,
            _ => Verbosity::Quiet,
        }
    }

    /// The tracing filter: drscan's events at the level asked for, the SDK's only with
    /// `--debug`. `DRSCAN_LOG` (tracing's directive syntax) replaces it entirely.
    fn filter(self) -> String {
        match self {
            // The SDK's own warnings (a missing ~/.aws/config, …) only with --debug: without a
            // flag, stderr carries drscan's diagnostics alone.
            Verbosity::Quiet => "drscan=warn".to_string(),
            Verbosity::Calls => "drscan=debug".to_string(),
            Verbosity::Debug => "info,drscan=trace,aws_config=debug,aws_smithy_runtime=debug".to_string(),
        }
    }
}

/// Install the stderr logger. Called once, before any command runs.
pub fn init_logging(verbosity: Verbosity) {
    use tracing_subscriber::EnvFilter;
    let filter = std::env::var("DRSCAN_LOG")
        .ok()
        .and_then(|directives| EnvFilter::try_new(directives).ok())
        .unwrap_or_else(|| EnvFilter::new(verbosity.filter()));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(stderr_in_color())
        .with_target(verbosity >= Verbosity::Debug)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    #[test]
    fn color_is_found_before_clap_parses() {
        assert_eq!(color_before_parsing(&args(&["drscan", "audit", "--color", "never"])), ColorChoice::Never);
        assert_eq!(color_before_parsing(&args(&["drscan", "--color=always", "rules"])), ColorChoice::Always);
        assert_eq!(
            color_before_parsing(&args(&["drscan", "diff", "--", "--color=always"])),
            ColorChoice::Auto,
            "after `--` it is a file name"
        );
    }

    #[test]
    fn debug_implies_everything_verbose_shows() {
        assert_eq!(Verbosity::from_flags(0, false), Verbosity::Quiet);
        assert_eq!(Verbosity::from_flags(1, false), Verbosity::Calls);
        assert_eq!(Verbosity::from_flags(0, true), Verbosity::Debug);
        assert_eq!(Verbosity::from_flags(3, false), Verbosity::Debug);
    }
}
