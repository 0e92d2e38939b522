//! The readiness report as GitHub-flavoured Markdown, for issues and pull-request comments:
//! the same content as the HTML page, with failover paths as Mermaid flowcharts (GitHub renders
//! them) and findings in collapsible sections.

use super::{AppSection, EstimateView, NodeState, ReadinessReport, Verdict, human_duration, remediation};
use crate::findings::{Finding, Status};
use std::collections::BTreeSet;
use std::fmt::Write;

/// Table cells cannot hold `|` or line breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn verdict_icon(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Ready => "🟢 Ready",
        Verdict::AtRisk => "🟠 At risk",
        Verdict::NotReady => "🔴 Not ready",
    }
}

fn against(value: Option<u64>, target: Option<u64>) -> String {
    match (value, target) {
        (None, _) => "**unbounded or unknown**".to_string(),
        (Some(v), Some(t)) if v > t => format!("**{}** (target {}) ❌", human_duration(v), human_duration(t)),
        (Some(v), Some(t)) => format!("{} (target {}) ✅", human_duration(v), human_duration(t)),
        (Some(v), None) => format!("{} (no target)", human_duration(v)),
    }
}

pub fn render(report: &ReadinessReport<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Disaster-recovery readiness: {} → {}\n", report.primary, report.dr);
    let _ = writeln!(
        out,
        "**{}** · score **{}/100** · account `{}` · collected {} · drscan {}\n",
        verdict_icon(report.verdict),
        report.score,
        report.account,
        report.collected_at,
        report.drscan_version
    );
    let _ = writeln!(
        out,
        "{} failing · {} unknown · {} waived · {} checks passed · {} applications\n",
        report.counts.fail,
        report.counts.unknown,
        report.counts.waived,
        report.counts.pass,
        report.apps.len()
    );

    out.push_str("## Applications\n\n| Application | Verdict | Score | RTO | RPO | Open findings |\n|---|---|---|---|---|---|\n");
    for app in &report.apps {
        let (rto, rpo) = match &app.estimate {
            Some(e) => {
                (against(e.rto_seconds, e.rto_target_seconds), against(e.rpo_seconds, e.rpo_target_seconds))
            }
            None => ("not estimated".to_string(), "not estimated".to_string()),
        };
        let open = app.findings.iter().filter(|f| f.status != Status::Waived).count();
        let _ = writeln!(
            out,
            "| **{}** | {} | {} | {rto} | {rpo} | {open} |",
            cell(&app.name),
            verdict_icon(app.verdict),
            app.score
        );
    }
    out.push('\n');

    if let Some(drift) = &report.drift {
        let _ = writeln!(
            out,
            "## Since {}\n\n{} new finding(s), {} resolved, {} DR-relevant change(s).\n",
            drift.previous_collected_at,
            drift.new_findings.len(),
            drift.resolved_findings.len(),
            drift.resource_changes.len()
        );
        for f in &drift.new_findings {
            let _ = writeln!(
                out,
                "- 🆕 **{}** `{}` {}: {}",
                f.severity,
                f.rule,
                cell(&f.resource_id),
                cell(&f.message)
            );
        }
        for f in &drift.resolved_findings {
            let _ = writeln!(out, "- ✅ resolved `{}` {}", f.rule, cell(&f.resource_id));
        }
        if !drift.resource_changes.is_empty() {
            out.push_str(
                "\n| Change | Application | What | Resource | Before | After |\n|---|---|---|---|---|---|\n",
            );
            for c in &drift.resource_changes {
                let change = c.change.as_str();
                let _ = writeln!(
                    out,
                    "| {change} | {} | {} | `{}` | {} | {} |",
                    cell(c.app.as_deref().unwrap_or("-")),
                    c.what,
                    cell(&c.id),
                    cell(c.before.as_deref().unwrap_or("")),
                    cell(c.after.as_deref().unwrap_or(""))
                );
            }
        }
        out.push('\n');
    }

    for app in &report.apps {
        render_app(&mut out, app);
    }
    if !report.unassigned.is_empty() {
        out.push_str("## Findings outside any application\n\n");
        render_findings(&mut out, &report.unassigned);
    }

    out.push_str("## What drscan could not see\n\n");
    if report.unknowns.is_empty() {
        out.push_str("Nothing: every check had the data it needed.\n\n");
    } else {
        out.push_str("| Operation | Cause | Findings | What it needs |\n|---|---|---|---|\n");
        for need in &report.unknowns {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                need.operation,
                need.cause,
                need.findings,
                cell(&need.remedy)
            );
        }
        out.push('\n');
    }

    out.push_str("## Collection\n\n");
    let _ = writeln!(
        out,
        "- account `{}`, primary {} → DR {}, collected {}",
        report.account, report.primary, report.dr, report.collected_at
    );
    if report.collection_errors.is_empty() {
        out.push_str("- collection errors: none\n");
    }
    for error in &report.collection_errors {
        let _ = writeln!(out, "- collection error: {error}");
    }
    for note in &report.waiver_notes {
        let _ = writeln!(out, "- ⚠️ {note}");
    }
    out.push_str("\n<sub>Score: each application starts at 100 and loses 40 per failing critical finding, 15 per high, 5 per medium, 1 per low; unknown findings cost half, waived ones nothing. The overall score is the mean over applications.</sub>\n");
    out
}

fn render_app(out: &mut String, app: &AppSection<'_>) {
    let _ = writeln!(out, "## {} — {} ({}/100)\n", app.name, verdict_icon(app.verdict), app.score);
    if let Some(estimate) = &app.estimate {
        render_estimate(out, estimate);
    }
    if !app.paths.is_empty() {
        out.push_str("```mermaid\nflowchart LR\n");
        for (p, path) in app.paths.iter().enumerate() {
            for (n, node) in path.nodes.iter().enumerate() {
                let label = format!("{}: {}", node.kind, node.label).replace('"', "'");
                let _ = writeln!(out, "  p{p}n{n}[\"{label}\"]");
                if n > 0 {
                    let _ = writeln!(out, "  p{p}n{} --> p{p}n{n}", n - 1);
                }
                match node.state {
                    NodeState::Broken => {
                        let _ = writeln!(out, "  style p{p}n{n} fill:#ffebe9,stroke:#cf222e");
                    }
                    NodeState::Unknown => {
                        let _ = writeln!(out, "  style p{p}n{n} fill:#fff8c5,stroke:#9a6700");
                    }
                    NodeState::Ok => {}
                }
            }
        }
        out.push_str("```\n\n");
    }
    if app.findings.is_empty() {
        out.push_str("No findings.\n\n");
    } else {
        render_findings(out, &app.findings);
    }
}

fn render_estimate(out: &mut String, estimate: &EstimateView) {
    let _ = writeln!(
        out,
        "RTO {} · RPO {}\n",
        against(estimate.rto_seconds, estimate.rto_target_seconds),
        against(estimate.rpo_seconds, estimate.rpo_target_seconds)
    );
    out.push_str("| Term | Value | From |\n|---|---|---|\n");
    for (kind, terms) in [("RTO", &estimate.rto_terms), ("RPO", &estimate.rpo_terms)] {
        for term in terms {
            let value = term.seconds.map(human_duration).unwrap_or_else(|| "unbounded / unknown".into());
            let _ = writeln!(out, "| {kind}: {} | {value} | {} |", cell(&term.name), cell(&term.source));
        }
    }
    out.push('\n');
}

fn render_findings(out: &mut String, findings: &[&Finding]) {
    out.push_str("| Severity | Status | Rule | Resource | Finding |\n|---|---|---|---|---|\n");
    let mut rules = BTreeSet::new();
    for f in findings {
        rules.insert(f.rule.as_str());
        let _ = writeln!(
            out,
            "| {} | {} | `{}` {} | `{}` | {} |",
            f.severity,
            f.status.as_str(),
            f.code,
            f.rule,
            cell(&f.resource.id),
            cell(&crate::output::message_with_waiver(f))
        );
    }
    out.push('\n');
    let fixes: Vec<(&str, String)> =
        rules.into_iter().map(|r| (r, remediation(r))).filter(|(_, f)| !f.is_empty()).collect();
    if !fixes.is_empty() {
        out.push_str("<details><summary>How to fix</summary>\n\n");
        for (rule, fix) in fixes {
            let _ = writeln!(out, "- **{rule}**: {}", fix.replace('\n', " "));
        }
        out.push_str("\n</details>\n\n");
    }
}
