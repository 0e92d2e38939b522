//! `--format junit`: JUnit XML (quick-junit) for CI systems that show test reports (GitLab,
//! Jenkins). One test suite per rule; one test case per rule × resource with a finding, plus one
//! passing case per rule that stands for the resources it checked and passed.
//!
//! The report agrees with the gate: only findings that fail it are failed tests — `failure` for
//! `fail`, `error` for `unknown` — so a passing gate shows `failures="0" errors="0"`. Findings
//! that do not gate (below `--fail-on`, waived, in the baseline, unknown with
//! `--allow-unknown`) are `skipped`, with a message saying why, so they stay visible.

use super::RunInfo;
use crate::audit::{AuditReport, GateRole};
use crate::findings::{Finding, Status};
use crate::rules::RULES;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

pub fn render(report: &AuditReport, info: &RunInfo<'_>) -> String {
    let mut junit = Report::new("drscan");
    for rule in RULES {
        let meta = rule.meta();
        let Some(counts) = report.counts.get(meta.name) else { continue };
        let mut suite = TestSuite::new(format!("{} ({})", meta.name, meta.code));
        let classname = format!("drscan.{}", meta.name);
        for finding in report.findings.iter().filter(|f| f.rule == meta.name) {
            let mut case = TestCase::new(
                format!("{} {}", finding.resource.kind, finding.resource.arn),
                status(finding, info),
            );
            case.set_classname(classname.as_str());
            suite.add_test_case(case);
        }
        if counts.pass > 0 {
            let name = format!("{} resource{} pass", counts.pass, if counts.pass == 1 { "" } else { "s" });
            let mut case = TestCase::new(name, TestCaseStatus::success());
            case.set_classname(classname.as_str());
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    // Serialising owned strings to memory cannot fail.
    let mut text = junit.to_string().unwrap_or_default();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

fn status(finding: &Finding, info: &RunInfo<'_>) -> TestCaseStatus {
    let role = GateRole::of(finding, info.gate);
    let mut status = match (role, finding.status) {
        (GateRole::Blocks, Status::Unknown) => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_type("unknown").set_message(finding.message.as_str());
            status
        }
        (GateRole::Blocks, _) => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_type(finding.severity.as_str()).set_message(finding.message.as_str());
            status
        }
        (GateRole::Waived, _) => {
            let mut status = TestCaseStatus::skipped();
            status.set_type("waived").set_message(super::waiver_note(finding).unwrap_or_default());
            status
        }
        (role, _) => {
            let mut status = TestCaseStatus::skipped();
            let why = role.reason(info.gate).unwrap_or_default();
            status.set_type("not-gating").set_message(format!(
                "does not fail the gate ({why}): {} {}: {}",
                finding.severity,
                finding.status.as_str(),
                finding.message
            ));
            status
        }
    };
    status.set_description(format!(
        "{}\nseverity: {}\nstatus: {}\nresource: {}\napp: {}\nfingerprint: {}\nevidence: {}",
        finding.message,
        finding.severity,
        finding.status.as_str(),
        finding.resource.arn,
        finding.app.as_deref().unwrap_or("-"),
        finding.fingerprint,
        serde_json::Value::Object(finding.evidence.clone())
    ));
    status
}
