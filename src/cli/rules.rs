//! The catalogs drscan carries: `drscan rules` (the rule catalog), `drscan explain RULE` (one
//! rule's documentation) and `drscan regions` (the AWS regions it accepts).

use super::write_stdout;
use crate::error::{DrscanError, ExitStatus};
use crate::rules::{self, RULES};
use clap::Args;

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Print the catalog as JSON.
    #[arg(long, env = "DRSCAN_RULES_JSON", value_parser = clap::builder::BoolishValueParser::new())]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule name (e.g. ami-missing-in-dr) or code (e.g. DR101).
    pub rule: String,
}

pub fn run_rules(args: RulesArgs) -> Result<ExitStatus, DrscanError> {
    let mut out = String::new();
    if args.json {
        let catalog: Vec<serde_json::Value> = RULES
            .iter()
            .map(|r| {
                let m = r.meta();
                serde_json::json!({"name": m.name, "code": m.code, "severity": m.severity, "group": m.group, "summary": m.summary})
            })
            .collect();
        out = serde_json::to_string_pretty(&catalog).unwrap_or_default();
        out.push('\n');
    } else {
        for rule in RULES {
            let m = rule.meta();
            out.push_str(&format!("{:<6} {:<9} {:<34} {}\n", m.code, m.severity.as_str(), m.name, m.summary));
        }
    }
    write_stdout(&out)?;
    Ok(ExitStatus::GatePassed)
}

pub fn run_explain(args: ExplainArgs) -> Result<ExitStatus, DrscanError> {
    let Some(found) = rules::find(&args.rule) else {
        return Err(DrscanError::Usage {
            message: format!("unknown rule `{}`", args.rule),
            help: Some("`drscan rules` lists every rule name and code".to_string()),
        });
    };
    write_stdout(&explain_text(found.meta()))?;
    Ok(ExitStatus::GatePassed)
}

/// The text of `drscan explain`: the rule's catalog page (`rules/<name>.md`).
pub fn explain_text(meta: &rules::RuleMeta) -> String {
    rules::catalog::page(meta)
}

/// `drscan regions`: name, partition and location of every region `--primary`/`--dr` accept.
pub fn run_regions() -> Result<ExitStatus, DrscanError> {
    let width = crate::regions::REGIONS.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for region in crate::regions::REGIONS {
        out.push_str(&format!("{:<width$}  {:<10}  {}\n", region.name, region.partition, region.description));
    }
    write_stdout(&out)?;
    Ok(ExitStatus::GatePassed)
}
