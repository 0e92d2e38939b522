//! `drscan.toml`: parsed with spans, then validated into a [`ValidConfig`] so that every error
//! (unknown key, bad duration, unknown rule, malformed waiver) points at its line and column.
//! Flags override what the file says; the CLI does that merge.

use crate::error::DrscanError;
use crate::estimate::{DeclaredAutomation, EstimateConstants, FailoverStep};
use crate::findings::Severity;
use crate::rules;
use crate::waivers::Waiver;
use chrono::NaiveDate;
use miette::{NamedSource, SourceSpan};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// The file the CLI looks for in the working directory when `--config` is not given.
pub const DEFAULT_CONFIG_FILE: &str = "drscan.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    regions: RawRegions,
    #[serde(default)]
    targets: RawTargets,
    #[serde(default)]
    thresholds: RawThresholds,
    #[serde(default)]
    applications: RawApplications,
    #[serde(default)]
    ami: RawAmi,
    #[serde(default)]
    gate: RawGate,
    #[serde(default)]
    estimate: RawEstimate,
    #[serde(default)]
    automation: Vec<RawAutomation>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    waiver: Vec<RawWaiver>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEstimate {
    rds_replica_promotion: Option<Spanned<String>>,
    aurora_global_failover: Option<Spanned<String>>,
    aurora_instance_creation: Option<Spanned<String>>,
    efs_replication_break: Option<Spanned<String>>,
    ec2_launch: Option<Spanned<String>>,
    app_boot: Option<Spanned<String>>,
    manual_decision: Option<Spanned<String>>,
    backup_restore: Option<Spanned<String>>,
    backup_copy: Option<Spanned<String>>,
    alias_ttl: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAutomation {
    step: Spanned<String>,
    app: Option<String>,
    /// What performs the step (a runbook, a Lambda); for people, not checked.
    #[allow(dead_code)]
    how: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegions {
    primary: Option<Spanned<String>>,
    dr: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTargets {
    rto: Option<Spanned<String>>,
    rpo: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThresholds {
    replica_lag: Option<Spanned<String>>,
    lag_window: Option<Spanned<String>>,
    detection_budget: Option<Spanned<String>>,
    failover_ttl_budget: Option<Spanned<String>>,
    ami_stale_grace: Option<Spanned<String>>,
    efs_replication_lag: Option<Spanned<String>>,
    backup_gap: Option<Spanned<String>>,
    min_backup_retention_days: Option<u32>,
    certificate_expiry_days: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApplications {
    tag_key: Option<Spanned<String>>,
    #[serde(default)]
    records: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAmi {
    pairing_tag: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGate {
    fail_on: Option<Spanned<String>>,
    allow_unknown: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    rule: Spanned<String>,
    resource: Spanned<String>,
    reason: Spanned<String>,
    expires: Spanned<String>,
}

pub use crate::settings::RuleSetting;

/// A configuration whose every value has been checked.
#[derive(Debug, Clone, Default)]
pub struct ValidConfig {
    pub path: Option<String>,
    /// 1-based line of the `[regions]` table, for SARIF locations.
    pub regions_line: Option<usize>,
    pub primary: Option<String>,
    pub dr: Option<String>,
    pub rto_target_seconds: Option<u64>,
    pub rpo_target_seconds: Option<u64>,
    pub replica_lag_threshold_seconds: Option<u64>,
    pub lag_window_seconds: Option<u64>,
    pub detection_budget_seconds: Option<u64>,
    pub failover_ttl_budget_seconds: Option<u64>,
    pub ami_stale_grace_seconds: Option<u64>,
    pub efs_replication_lag_threshold_seconds: Option<u64>,
    pub backup_gap_threshold_seconds: Option<u64>,
    pub min_backup_retention_days: Option<u32>,
    pub certificate_expiry_days: Option<u32>,
    /// Estimate constants, starting from the documented defaults.
    pub estimate: EstimateConstants,
    pub declared_automation: Vec<DeclaredAutomation>,
    pub app_tag_key: Option<String>,
    pub record_applications: BTreeMap<String, String>,
    pub ami_pairing_tag: Option<String>,
    pub fail_on: Option<Severity>,
    pub allow_unknown: Option<bool>,
    /// Rule name → setting; keys are canonical rule names (codes are accepted in the file).
    pub rules: BTreeMap<String, RuleSetting>,
    pub waivers: Vec<Waiver>,
}

impl ValidConfig {
    /// `--config FILE`, else `drscan.toml` in the working directory if present, else defaults.
    pub fn discover(explicit: Option<&Path>) -> Result<ValidConfig, DrscanError> {
        match explicit {
            Some(path) => Self::load(path),
            None if Path::new(DEFAULT_CONFIG_FILE).is_file() => Self::load(Path::new(DEFAULT_CONFIG_FILE)),
            None => Ok(ValidConfig::default()),
        }
    }

    pub fn load(path: &Path) -> Result<ValidConfig, DrscanError> {
        let text = crate::input::read_text("configuration", path)?;
        Self::parse(&path.display().to_string(), text)
    }

    pub fn parse(name: &str, text: String) -> Result<ValidConfig, DrscanError> {
        let raw: RawConfig = match toml::from_str(&text) {
            Ok(raw) => raw,
            Err(error) => {
                let span = error.span().unwrap_or(0..0);
                let message = error.message().trim().to_string();
                return Err(config_error(name, text, span, message, "here"));
            }
        };
        Validator { name, text: &text }.validate(raw).map_err(|e| e.into_error(name, text.clone()))
    }
}

/// A validation problem before it is turned into a diagnostic.
struct Problem {
    span: Range<usize>,
    message: String,
    label: &'static str,
}

impl Problem {
    fn into_error(self, name: &str, text: String) -> DrscanError {
        config_error(name, text, self.span, self.message, self.label)
    }
}

struct Validator<'a> {
    #[allow(dead_code)]
    name: &'a str,
    text: &'a str,
}

impl Validator<'_> {
    fn validate(&self, raw: RawConfig) -> Result<ValidConfig, Problem> {
        let mut config = ValidConfig { path: Some(self.name.to_string()), ..ValidConfig::default() };
        config.regions_line = self.text.lines().position(|l| l.trim() == "[regions]").map(|i| i + 1);
        config.primary = raw.regions.primary.map(|r| self.region(r)).transpose()?;
        config.dr = raw.regions.dr.map(|r| self.region(r)).transpose()?;
        if let (Some(p), Some(d)) = (&config.primary, &config.dr)
            && p == d
        {
            let span = self.span_of_line_containing("dr").unwrap_or(0..0);
            return Err(Problem {
                span,
                message: "the DR region must differ from the primary region".into(),
                label: "same as primary",
            });
        }
        config.rto_target_seconds = raw.targets.rto.map(|v| duration(&v)).transpose()?;
        config.rpo_target_seconds = raw.targets.rpo.map(|v| duration(&v)).transpose()?;
        config.replica_lag_threshold_seconds =
            raw.thresholds.replica_lag.as_ref().map(duration).transpose()?;
        config.lag_window_seconds = raw.thresholds.lag_window.as_ref().map(duration).transpose()?;
        let t = &raw.thresholds;
        config.detection_budget_seconds = t.detection_budget.as_ref().map(duration).transpose()?;
        config.failover_ttl_budget_seconds = t.failover_ttl_budget.as_ref().map(duration).transpose()?;
        config.ami_stale_grace_seconds = t.ami_stale_grace.as_ref().map(duration).transpose()?;
        config.efs_replication_lag_threshold_seconds =
            t.efs_replication_lag.as_ref().map(duration).transpose()?;
        config.backup_gap_threshold_seconds = t.backup_gap.as_ref().map(duration).transpose()?;
        config.min_backup_retention_days = t.min_backup_retention_days;
        config.certificate_expiry_days = t.certificate_expiry_days;
        let e = &raw.estimate;
        let constants = &mut config.estimate;
        for (value, slot) in [
            (&e.rds_replica_promotion, &mut constants.rds_replica_promotion_seconds),
            (&e.aurora_global_failover, &mut constants.aurora_global_failover_seconds),
            (&e.aurora_instance_creation, &mut constants.aurora_instance_creation_seconds),
            (&e.efs_replication_break, &mut constants.efs_replication_break_seconds),
            (&e.ec2_launch, &mut constants.ec2_launch_seconds),
            (&e.app_boot, &mut constants.app_boot_seconds),
            (&e.manual_decision, &mut constants.manual_decision_seconds),
            (&e.backup_restore, &mut constants.backup_restore_seconds),
            (&e.backup_copy, &mut constants.backup_copy_seconds),
            (&e.alias_ttl, &mut constants.alias_ttl_seconds),
        ] {
            if let Some(value) = value {
                *slot = duration(value)?;
            }
        }
        for automation in raw.automation {
            let step = FailoverStep::ALL
                .into_iter()
                .find(|s| s.as_str() == automation.step.get_ref().trim())
                .ok_or_else(|| {
                    let names: Vec<&str> = FailoverStep::ALL.iter().map(|s| s.as_str()).collect();
                    Problem {
                        span: automation.step.span(),
                        message: format!(
                            "unknown failover step `{}` (expected one of {})",
                            automation.step.get_ref(),
                            names.join(", ")
                        ),
                        label: "this step",
                    }
                })?;
            config.declared_automation.push(DeclaredAutomation { app: automation.app, step });
        }
        config.app_tag_key = raw.applications.tag_key.map(|v| non_empty(v, "tag_key")).transpose()?;
        config.record_applications = raw
            .applications
            .records
            .into_iter()
            .map(|(name, app)| (crate::inventory::dns::normalize_dns_name(&name), app))
            .collect();
        config.ami_pairing_tag = raw.ami.pairing_tag.map(|v| non_empty(v, "pairing_tag")).transpose()?;
        config.fail_on = raw.gate.fail_on.map(|v| severity(&v)).transpose()?;
        config.allow_unknown = raw.gate.allow_unknown;
        for (rule, setting) in raw.rules {
            let name = rule_name(&rule)?;
            let value = if setting.get_ref().eq_ignore_ascii_case("off") {
                RuleSetting::Off
            } else {
                RuleSetting::Severity(severity(&setting).map_err(|mut p| {
                    p.message = format!("{} (or `off` to disable the rule)", p.message);
                    p
                })?)
            };
            config.rules.insert(name, value);
        }
        for waiver in raw.waiver {
            config.waivers.push(self.waiver(waiver)?);
        }
        Ok(config)
    }

    fn region(&self, value: Spanned<String>) -> Result<String, Problem> {
        let region = value.get_ref().trim();
        if crate::inventory::RegionPair::is_region_name(region) {
            Ok(region.to_string())
        } else {
            Err(Problem {
                span: value.span(),
                message: format!("`{region}` is not an AWS region name (e.g. ap-south-1)"),
                label: "not a region",
            })
        }
    }

    fn waiver(&self, raw: RawWaiver) -> Result<Waiver, Problem> {
        let rule = rule_name(&raw.rule)?;
        let reason = non_empty(raw.reason, "reason")?;
        let pattern = raw.resource.get_ref().trim().to_string();
        let matcher = globset::GlobBuilder::new(&pattern)
            .literal_separator(false)
            .build()
            .map_err(|e| Problem {
                span: raw.resource.span(),
                message: format!("invalid resource glob: {e}"),
                label: "this glob",
            })?
            .compile_matcher();
        let expires =
            NaiveDate::parse_from_str(raw.expires.get_ref().trim(), "%Y-%m-%d").map_err(|e| Problem {
                span: raw.expires.span(),
                message: format!(
                    "invalid expiry date `{}`: {e} (expected YYYY-MM-DD)",
                    raw.expires.get_ref()
                ),
                label: "this date",
            })?;
        let line = self.text[..raw.rule.span().start.min(self.text.len())].lines().count().max(1);
        Ok(Waiver { rule, resource: pattern, matcher, reason, expires, line })
    }

    fn span_of_line_containing(&self, key: &str) -> Option<Range<usize>> {
        let mut offset = 0;
        for line in self.text.split_inclusive('\n') {
            if line.trim_start().starts_with(key) {
                return Some(offset..offset + line.trim_end().len());
            }
            offset += line.len();
        }
        None
    }
}

fn duration(value: &Spanned<String>) -> Result<u64, Problem> {
    crate::cli::parse_duration_seconds(value.get_ref()).map_err(|message| Problem {
        span: value.span(),
        message,
        label: "this duration",
    })
}

fn severity(value: &Spanned<String>) -> Result<Severity, Problem> {
    value.get_ref().parse().map_err(|message| Problem { span: value.span(), message, label: "this severity" })
}

fn non_empty(value: Spanned<String>, key: &str) -> Result<String, Problem> {
    let span = value.span();
    let text = value.into_inner();
    if text.trim().is_empty() {
        Err(Problem { span, message: format!("`{key}` must not be empty"), label: "empty" })
    } else {
        Ok(text)
    }
}

/// Canonical name of a rule given by name or code; unknown names are errors.
fn rule_name(value: &Spanned<String>) -> Result<String, Problem> {
    match rules::find(value.get_ref()) {
        Some(rule) => Ok(rule.meta().name.to_string()),
        None => Err(Problem {
            span: value.span(),
            message: format!("unknown rule `{}` (`drscan rules` lists them)", value.get_ref()),
            label: "no such rule",
        }),
    }
}

fn config_error(name: &str, text: String, span: Range<usize>, message: String, label: &str) -> DrscanError {
    let len = text.len();
    let start = span.start.min(len);
    let end = span.end.clamp(start, len);
    DrscanError::malformed(
        "configuration",
        message,
        label,
        NamedSource::new(name, text),
        SourceSpan::from(start..end),
    )
}
