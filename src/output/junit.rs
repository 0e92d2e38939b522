//! `--format junit`: JUnit XML for CI systems that show test reports (GitLab, Jenkins). One
//! test suite per rule; one test case per rule × resource with a finding — `failure` for
//! `fail`, `error` for `unknown`, `skipped` for `waived` — plus one passing case per rule that
//! stands for the resources it checked and passed.

use super::RunInfo;
use crate::audit::AuditReport;
use crate::findings::{Finding, Status};
use crate::rules::RULES;
use std::fmt::Write;

pub fn render(report: &AuditReport, _info: &RunInfo<'_>) -> String {
    let total = report.total();
    let pass_cases = report.counts.values().filter(|c| c.pass > 0).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"drscan\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        report.findings.len() + pass_cases,
        total.fail,
        total.unknown,
        total.waived
    );
    for rule in RULES {
        let meta = rule.meta();
        let Some(counts) = report.counts.get(meta.name) else { continue };
        let findings: Vec<&Finding> = report.findings.iter().filter(|f| f.rule == meta.name).collect();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
            escape(&format!("{} ({})", meta.name, meta.code)),
            findings.len() + usize::from(counts.pass > 0),
            counts.fail,
            counts.unknown,
            counts.waived
        );
        let classname = escape(&format!("drscan.{}", meta.name));
        for finding in findings {
            let _ = writeln!(
                out,
                "    <testcase classname=\"{classname}\" name=\"{}\">",
                escape(&format!("{} {}", finding.resource.kind, finding.resource.arn))
            );
            let (element, kind) = match finding.status {
                Status::Fail => ("failure", finding.severity.as_str()),
                Status::Unknown => ("error", "unknown"),
                Status::Waived => ("skipped", "waived"),
            };
            let message = match finding.status {
                Status::Waived => format!(
                    "waived: {}",
                    finding.evidence.get("waiver_reason").and_then(|v| v.as_str()).unwrap_or("")
                ),
                _ => finding.message.clone(),
            };
            if finding.status == Status::Waived {
                let _ = writeln!(out, "      <skipped message=\"{}\"/>", escape(&message));
            } else {
                let body = format!(
                    "{}\nseverity: {}\nresource: {}\napp: {}\nfingerprint: {}\nevidence: {}",
                    finding.message,
                    finding.severity,
                    finding.resource.arn,
                    finding.app.as_deref().unwrap_or("-"),
                    finding.fingerprint,
                    serde_json::Value::Object(finding.evidence.clone())
                );
                let _ = writeln!(
                    out,
                    "      <{element} type=\"{kind}\" message=\"{}\">{}</{element}>",
                    escape(&message),
                    escape(&body)
                );
            }
            let _ = writeln!(out, "    </testcase>");
        }
        if counts.pass > 0 {
            let _ = writeln!(
                out,
                "    <testcase classname=\"{classname}\" name=\"{} resource{} pass\"/>",
                counts.pass,
                if counts.pass == 1 { "" } else { "s" }
            );
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

/// XML attribute and text escaping; control characters XML 1.0 forbids are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}
