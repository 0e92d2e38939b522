//! `drscan init`: write a documented drscan.toml — every key with its default, as cargo-deny's
//! `init` does — from the one template there is, `drscan.example.toml`. With `--snapshot FILE`
//! (or `--live`) it pre-fills what the snapshot knows: the region pair, the applications found
//! and the failover records that lead to them; flags pre-fill targets and tag keys. An existing
//! file is only replaced with `--force`.

use super::args::{AwsArgs, RegionArgs, SettingsArgs, heading};
use super::overrides::{self, Flags};
use super::{Destination, write_to};
use crate::error::{DrscanError, ExitStatus};
use crate::inventory::Snapshot;
use clap::Args;
use std::path::PathBuf;

/// The template: the shipped example, which a test checks lists every key drscan reads.
pub const TEMPLATE: &str = include_str!("../../drscan.example.toml");

pub const EXAMPLES: &str = "\
Examples:
  # Every key with its default, the region pair filled in
  drscan init --primary ap-south-1 --dr us-east-1

  # Also the applications a snapshot holds and their failover records, and the targets
  drscan init --snapshot snapshot.json --rto-target 15m --rpo-target 5m

  # From a live collection; replace an existing drscan.toml
  drscan init --live --profile prod-readonly --primary ap-south-1 --dr us-east-1 --force";

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Pre-fill from this snapshot: region pair, applications, failover records.
    #[arg(long, value_name = "FILE", env = "DRSCAN_SNAPSHOT", conflicts_with = "live", help_heading = heading::INPUT)]
    pub snapshot: Option<PathBuf>,
    /// Pre-fill from a live collection of --primary and --dr instead of a snapshot.
    #[arg(long, env = "DRSCAN_INIT_LIVE", value_parser = clap::builder::BoolishValueParser::new(), help_heading = heading::INPUT)]
    pub live: bool,
    #[command(flatten)]
    pub regions: RegionArgs,
    /// Where to write (`-`: stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE", default_value = "drscan.toml", value_parser = Destination::parse, env = "DRSCAN_INIT_OUTPUT", help_heading = heading::OUTPUT)]
    pub output: Destination,
    /// Replace the file if it exists.
    #[arg(long, env = "DRSCAN_INIT_FORCE", value_parser = clap::builder::BoolishValueParser::new(), help_heading = heading::OUTPUT)]
    pub force: bool,
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// What `init` fills in; everything else keeps the template's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefill {
    /// Where the values came from, for the header.
    pub source: Option<String>,
    pub primary: Option<String>,
    pub dr: Option<String>,
    pub rto_seconds: Option<u64>,
    pub rpo_seconds: Option<u64>,
    pub app_tag: Option<String>,
    pub ami_pairing_tag: Option<String>,
    /// Failover record name → application.
    pub records: Vec<(String, String)>,
    /// Applications no failover record leads to (joined by tag only).
    pub untracked_apps: Vec<String>,
}

pub fn run(args: InitArgs) -> Result<ExitStatus, DrscanError> {
    // Refuse before collecting anything: a live collection is not worth losing to this.
    if let Destination::File(path) = &args.output
        && path.exists()
        && !args.force
    {
        return Err(DrscanError::Usage {
            message: format!("{} already exists", path.display()),
            help: Some("pass --force to replace it, or -o OTHER.toml to write elsewhere".to_string()),
        });
    }
    let (text, prefill) = written(&args)?;
    match &args.output {
        Destination::File(path) if !args.force => write_new(path, &text)?,
        destination => write_to(destination, &text)?,
    }
    if let Destination::File(path) = &args.output {
        eprintln!(
            "wrote {}{}: every key with its default; edit it, then `drscan audit`",
            path.display(),
            match prefill.records.len() + prefill.untracked_apps.len() {
                0 => String::new(),
                n => format!(" with {n} application{}", if n == 1 { "" } else { "s" }),
            }
        );
    }
    Ok(ExitStatus::GatePassed)
}

/// The drscan.toml `args` ask for, and what was filled in (collecting live for `--live`).
pub fn written(args: &InitArgs) -> Result<(String, Prefill), DrscanError> {
    // The existing drscan.toml is what init replaces, so it is not read: flags only.
    let flags = Flags { regions: Some(&args.regions), aws: Some(&args.aws), ..Flags::default() };
    let run = overrides::from_flags(flags)?;
    let mut prefill = Prefill {
        primary: run.regions.primary.clone(),
        dr: run.regions.dr.clone(),
        rto_seconds: args.settings.rto_target,
        rpo_seconds: args.settings.rpo_target,
        app_tag: args.settings.app_tag.clone(),
        ami_pairing_tag: args.settings.ami_pairing_tag.clone(),
        ..Prefill::default()
    };
    let snapshot = match (&args.snapshot, args.live) {
        (Some(path), _) => {
            let snapshot = Snapshot::load(path)?;
            run.check_snapshot_regions(&snapshot)?;
            prefill.source = Some(format!("snapshot {}", path.display()));
            Some(snapshot)
        }
        (None, true) => {
            let snapshot = run.collect_live(&args.aws)?.snapshot;
            prefill.source = Some(format!("a live collection of account {}", snapshot.account));
            Some(snapshot)
        }
        (None, false) => None,
    };
    if let Some(snapshot) = &snapshot {
        let mut settings = run.settings.clone();
        if let Some(key) = &args.settings.app_tag {
            settings.matching.app_tag_key = key.clone();
        }
        prefill_from(snapshot, &settings.matching, &mut prefill);
    }
    Ok((render(TEMPLATE, &prefill)?, prefill))
}

/// Create `path`, failing if it appeared since the check above.
fn write_new(path: &std::path::Path, text: &str) -> Result<(), DrscanError> {
    use std::io::Write;
    let error = |source| DrscanError::WriteOutput { path: path.display().to_string(), source };
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(error)?;
    file.write_all(text.as_bytes()).map_err(error)
}

/// The region pair, and the applications the inventory finds with their failover records.
pub fn prefill_from(
    snapshot: &Snapshot,
    matching: &crate::inventory::matching::Matching,
    prefill: &mut Prefill,
) {
    prefill.primary = Some(snapshot.regions.primary.clone());
    prefill.dr = Some(snapshot.regions.dr.clone());
    let inventory = crate::inventory::graph::Inventory::build(snapshot, matching);
    let applications = inventory.applications();
    let mut records: Vec<(String, String)> = inventory
        .failover_groups
        .iter()
        .filter_map(|group| {
            applications.app_of_record(&group.name).map(|app| (group.name.clone(), app.to_string()))
        })
        .collect();
    records.sort();
    records.dedup();
    prefill.untracked_apps =
        applications.names.iter().filter(|app| !records.iter().any(|(_, a)| a == *app)).cloned().collect();
    prefill.records = records;
}

/// The template with `prefill` applied. Each edit replaces a line the template is known to
/// have; one that is missing is an error (a test renders every edit), never a silent skip.
pub fn render(template: &str, prefill: &Prefill) -> Result<String, DrscanError> {
    let mut text = template.to_string();
    let mut replace = |old: &str, new: &str| -> Result<(), DrscanError> {
        if text.matches(old).count() != 1 {
            return Err(DrscanError::usage(format!("the drscan.toml template has no single line `{old}`")));
        }
        text = text.replacen(old, new, 1);
        Ok(())
    };
    replace("# drscan.example.toml — ", "# drscan.toml — ")?;
    let origin = match &prefill.source {
        Some(source) => format!("Written by `drscan init` from {source}."),
        None => "Written by `drscan init`.".to_string(),
    };
    replace("Copy to drscan.toml and edit.", &origin)?;
    let string = basic_string;
    let duration = |seconds: u64| {
        string(&humantime::format_duration(std::time::Duration::from_secs(seconds)).to_string())
    };
    if let Some(primary) = &prefill.primary {
        replace("# primary = \"ap-south-1\"", &format!("primary = {}", string(primary)))?;
    }
    if let Some(dr) = &prefill.dr {
        replace("# dr = \"us-east-1\"", &format!("dr = {}", string(dr)))?;
    }
    if let Some(rto) = prefill.rto_seconds {
        replace("# rto = \"2m\"", &format!("rto = {}", duration(rto)))?;
    }
    if let Some(rpo) = prefill.rpo_seconds {
        replace("# rpo = \"30s\"", &format!("rpo = {}", duration(rpo)))?;
    }
    if let Some(key) = &prefill.app_tag {
        replace("tag_key = \"app\"", &format!("tag_key = {}", string(key)))?;
    }
    if let Some(key) = &prefill.ami_pairing_tag {
        replace("pairing_tag = \"drscan:source-ami\"", &format!("pairing_tag = {}", string(key)))?;
    }
    if !prefill.records.is_empty() || !prefill.untracked_apps.is_empty() {
        let mut lines = String::from("[applications.records]\n");
        for (record, app) in &prefill.records {
            lines.push_str(&format!("{} = {}\n", string(record), string(app)));
        }
        for app in &prefill.untracked_apps {
            lines.push_str(&format!(
                "# application {}: no failover record leads to it (it joins by tag)\n",
                string(app)
            ));
        }
        replace("[applications.records]\n", &lines)?;
    }
    Ok(text)
}

/// `value` as a TOML basic string on one line: `"…"` with quotes, backslashes and control
/// characters escaped. (toml's own formatting picks a multi-line string for a value with a
/// newline, which a key cannot be and a comment line cannot hold; names come from snapshots.)
fn basic_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ValidConfig;

    #[test]
    fn without_prefill_the_template_is_the_example() {
        let text = render(TEMPLATE, &Prefill::default()).expect("renders");
        let config = ValidConfig::parse("drscan.toml", text.clone()).expect("parses");
        assert_eq!(config.regions.primary, None);
        assert!(text.starts_with("# drscan.toml — "), "{}", &text[..80]);
        assert!(text.contains("Written by `drscan init`."));
    }

    #[test]
    fn every_prefilled_value_reaches_the_configuration() {
        let prefill = Prefill {
            source: Some("snapshot s.json".to_string()),
            primary: Some("ap-south-1".to_string()),
            dr: Some("us-east-1".to_string()),
            rto_seconds: Some(5430),
            rpo_seconds: Some(30),
            app_tag: Some("service".to_string()),
            ami_pairing_tag: Some("golden \"source\"".to_string()),
            records: vec![("app.example.com".to_string(), "web".to_string())],
            untracked_apps: vec!["reports".to_string()],
        };
        let text = render(TEMPLATE, &prefill).expect("renders");
        let config = ValidConfig::parse("drscan.toml", text.clone()).expect("the written file parses");
        assert_eq!(config.regions.primary.as_deref(), Some("ap-south-1"));
        assert_eq!(config.regions.dr.as_deref(), Some("us-east-1"));
        assert_eq!(config.settings.targets.rto_seconds, Some(5430), "written exactly, not rounded");
        assert_eq!(config.settings.targets.rpo_seconds, Some(30));
        assert_eq!(config.settings.matching.app_tag_key, "service");
        assert_eq!(config.settings.matching.ami_pairing_tag, "golden \"source\"");
        assert_eq!(
            config.settings.matching.record_applications.get("app.example.com").map(String::as_str),
            Some("web")
        );
        assert!(text.contains("# application \"reports\": no failover record"), "{text}");
        assert!(text.contains("from snapshot s.json"));
    }

    /// Regression (fuzzer): a record or application name with a newline was written as a
    /// multi-line string, which TOML refuses as a key, and broke the comment line it was on.
    #[test]
    fn any_name_is_written_as_a_string_that_reads_back() {
        let nasty = "a\nb'''\"c\\d\t\u{7f}\u{0}é\u{2028}";
        let prefill = Prefill {
            records: vec![(nasty.to_string(), nasty.to_string())],
            untracked_apps: vec![nasty.to_string()],
            app_tag: Some(nasty.to_string()),
            ..Prefill::default()
        };
        let text = render(TEMPLATE, &prefill).expect("renders");
        let config = ValidConfig::parse("drscan.toml", text.clone()).expect("the written file parses");
        assert_eq!(config.settings.matching.app_tag_key, nasty);
        assert_eq!(
            config
                .settings
                .matching
                .record_applications
                .get(&crate::inventory::dns::normalize_dns_name(nasty))
                .map(String::as_str),
            Some(nasty),
            "{text}"
        );
    }

    #[test]
    fn the_reference_snapshot_prefills_its_applications_and_records() {
        let snapshot =
            Snapshot::load(std::path::Path::new("fixtures/reference-architecture.json")).expect("fixture");
        let mut prefill = Prefill::default();
        prefill_from(&snapshot, &crate::inventory::matching::Matching::default(), &mut prefill);
        assert_eq!(prefill.primary.as_deref(), Some("ap-south-1"));
        assert!(prefill.records.contains(&("app.example.com".to_string(), "web".to_string())), "{prefill:?}");
        assert!(prefill.untracked_apps.contains(&"reports".to_string()), "{prefill:?}");
    }
}
