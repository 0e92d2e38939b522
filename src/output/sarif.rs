//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it (SPEC §4). Every rule is
//! described in `tool.driver.rules`; each finding becomes a result with a logical location
//! carrying the resource ARN, a physical location in the audited file (when there is one), and a partial
//! fingerprint from rule + ARN so findings that share a line stay distinct.

use super::RunInfo;
use crate::audit::AuditReport;
use crate::findings::{Finding, Severity, Status};
use crate::rules::{RULES, RuleMeta};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingDescriptor, Result as SarifResult, ResultLevel, Run,
    Sarif, Suppression, Tool, ToolComponent,
};
use std::collections::BTreeMap;

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where the generated rule pages live; `helpUri` points at them.
pub const RULE_DOCS_BASE: &str = "https://github.com/drscan/drscan/blob/main/rules";

pub fn render(report: &AuditReport, info: &RunInfo<'_>) -> String {
    let rules: Vec<ReportingDescriptor> = RULES.iter().map(|r| descriptor(r.meta())).collect();
    let index: BTreeMap<&str, i64> =
        RULES.iter().enumerate().map(|(i, r)| (r.meta().name, i as i64)).collect();
    let results: Vec<SarifResult> =
        report.findings.iter().map(|f| result(f, index.get(f.rule.as_str()).copied(), info)).collect();

    let driver = ToolComponent::builder()
        .name("drscan")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(env!("CARGO_PKG_REPOSITORY"))
        .rules(rules)
        .build();
    let mut run = Run::builder().tool(Tool::builder().driver(driver).build()).results(results).build();
    let notifications = waiver_notifications(report, info);
    if !notifications.is_empty() {
        run.invocations = Some(vec![
            Invocation::builder()
                .execution_successful(true)
                .tool_configuration_notifications(notifications)
                .build(),
        ]);
    }
    let sarif =
        Sarif::builder().schema(SARIF_SCHEMA).version(serde_json::json!("2.1.0")).runs(vec![run]).build();
    let mut text = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    text.push('\n');
    text
}

/// Expired and unused waivers, as configuration notifications pointing at their line.
fn waiver_notifications(report: &AuditReport, info: &RunInfo<'_>) -> Vec<Notification> {
    report
        .waivers
        .iter()
        .filter_map(|w| w.problem().map(|text| (w, text)))
        .map(|(w, text)| {
            let mut notification = Notification::builder()
                .message(Message::builder().text(text).build())
                .level(serde_json::json!("warning"))
                .build();
            if let Some(path) = &info.origin.config_path {
                notification.locations = Some(vec![
                    Location::builder()
                        .physical_location(
                            PhysicalLocation::builder()
                                .artifact_location(ArtifactLocation::builder().uri(path.clone()).build())
                                .region(Region::builder().start_line(w.line as i64).build())
                                .build(),
                        )
                        .build(),
                ]);
            }
            notification
        })
        .collect()
}

/// GitHub maps `security-severity` scores to its own critical/high/medium/low bands.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

fn level(finding: &Finding) -> ResultLevel {
    match (finding.status, finding.severity) {
        (Status::Unknown, _) => ResultLevel::Warning,
        (_, Severity::Critical | Severity::High) => ResultLevel::Error,
        (_, Severity::Medium) => ResultLevel::Warning,
        (_, Severity::Low | Severity::Info) => ResultLevel::Note,
    }
}

fn descriptor(meta: &RuleMeta) -> ReportingDescriptor {
    let doc = meta.documentation();
    let what = meta.section("What it does").unwrap_or_else(|| meta.summary.to_string());
    let mut properties = BTreeMap::new();
    properties.insert("security-severity".to_string(), serde_json::json!(security_severity(meta.severity)));
    properties.insert("precision".to_string(), serde_json::json!("high"));
    properties.insert(
        "problem.severity".to_string(),
        serde_json::json!(match meta.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "recommendation",
        }),
    );
    ReportingDescriptor::builder()
        .id(meta.name)
        .name(meta.code)
        .short_description(MultiformatMessageString::builder().text(meta.summary).build())
        .full_description(MultiformatMessageString::builder().text(what).build())
        .help(MultiformatMessageString::builder().text(doc.clone()).markdown(doc).build())
        .help_uri(format!("{RULE_DOCS_BASE}/{}.md", meta.name))
        .properties(
            PropertyBag::builder()
                .tags(vec![
                    "disaster-recovery".to_string(),
                    group_tag(meta).to_string(),
                    meta.severity.as_str().to_string(),
                ])
                .additional_properties(properties)
                .build(),
        )
        .build()
}

fn group_tag(meta: &RuleMeta) -> &'static str {
    match meta.group {
        crate::rules::RuleGroup::ComputeAndCapacity => "compute",
        crate::rules::RuleGroup::LoadBalancingAndDns => "dns",
        crate::rules::RuleGroup::Databases => "database",
        crate::rules::RuleGroup::FilesAndBackups => "files",
        crate::rules::RuleGroup::Readiness => "readiness",
    }
}

fn result(finding: &Finding, rule_index: Option<i64>, info: &RunInfo<'_>) -> SarifResult {
    let logical = LogicalLocation::builder()
        .kind("resource")
        .name(finding.resource.id.clone())
        .fully_qualified_name(finding.resource.arn.clone())
        .build();
    // A file that exists: drscan.toml, else the snapshot audited (or written with
    // --write-snapshot). A live audit with neither has no file to point at, and pointing at a
    // `drscan.toml` that does not exist would send code scanning to a missing file.
    let location = match &info.origin.path {
        Some(uri) => {
            let physical = PhysicalLocation::builder()
                .artifact_location(ArtifactLocation::builder().uri(uri.clone()).build())
                .region(Region::builder().start_line(info.origin.regions_line.unwrap_or(1) as i64).build())
                .build();
            Location::builder().logical_locations(vec![logical]).physical_location(physical).build()
        }
        None => Location::builder().logical_locations(vec![logical]).build(),
    };

    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("primaryLocationLineHash".to_string(), format!("{}:1", finding.fingerprint));
    let mut properties = BTreeMap::new();
    properties.insert("status".to_string(), serde_json::json!(finding.status.as_str()));
    properties.insert("severity".to_string(), serde_json::json!(finding.severity.as_str()));
    properties.insert("resourceType".to_string(), serde_json::json!(finding.resource.kind.as_str()));
    if let Some(app) = &finding.app {
        properties.insert("application".to_string(), serde_json::json!(app));
    }
    if let Some(region) = &finding.resource.region {
        properties.insert("region".to_string(), serde_json::json!(region));
    }
    properties.insert("evidence".to_string(), serde_json::Value::Object(finding.evidence.clone()));

    let message = match finding.status {
        Status::Unknown => format!("[unknown] {}", finding.message),
        _ => finding.message.clone(),
    };
    let builder = SarifResult::builder()
        .rule_id(finding.rule.clone())
        .level(level(finding))
        .message(Message::builder().text(message).build())
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .properties(PropertyBag::builder().additional_properties(properties).build());
    let mut result = match rule_index {
        Some(index) => builder.rule_index(index).build(),
        None => builder.build(),
    };
    result.baseline_state = finding.baseline_state.map(|state| {
        serde_json::json!(match state {
            crate::findings::BaselineState::New => "new",
            crate::findings::BaselineState::Unchanged => "unchanged",
        })
    });
    if finding.status == Status::Waived {
        let justification =
            finding.evidence.get("waiver_reason").and_then(|v| v.as_str()).unwrap_or("waived in drscan.toml");
        result.suppressions = Some(vec![
            Suppression::builder()
                .kind(serde_json::json!("external"))
                .justification(justification.to_string())
                .build(),
        ]);
    }
    result
}
