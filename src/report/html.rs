//! The readiness report as one self-contained HTML page: inline CSS and SVG only, a
//! Content-Security-Policy of `default-src 'none'`, and no external URL anywhere, so it works
//! offline, as a CI artifact and as a mail attachment.

use super::{
    AppSection, EstimateView, FailoverPath, NodeState, ReadinessReport, Verdict, human_duration, remediation,
};
use crate::findings::{Finding, Status};
use std::collections::BTreeSet;
use std::fmt::Write;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE: &str = r#"
:root{--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;margin:0;background:#fff}
main{max-width:1200px;margin:0 auto;padding:24px}h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:16px;margin:0}.muted{color:var(--muted)}.hero{display:flex;gap:24px;align-items:center;background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:16px;margin-top:16px}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;color:#fff;font-size:13px}.ready{background:var(--ok)}.at_risk{background:var(--warn)}.not_ready{background:var(--bad)}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}th{background:var(--bg);font-weight:600}
.sev{font-weight:600;text-transform:uppercase;font-size:12px}.critical{color:var(--bad)}.high{color:#bc4c00}.medium{color:var(--warn)}.low{color:#0969da}.info{color:var(--muted)}
.status-unknown{color:#8250df}.status-waived{color:var(--muted);text-decoration:line-through}details.app{border:1px solid var(--line);border-radius:8px;margin:12px 0;padding:0 12px}
details.app>summary{cursor:pointer;padding:12px 0;display:flex;gap:12px;align-items:center;list-style:none}.fix{background:var(--bg);border-left:3px solid var(--line);padding:6px 10px;margin:4px 0;white-space:pre-wrap}
.over{color:var(--bad);font-weight:600}.under{color:var(--ok);font-weight:600}code{font-size:12px;background:var(--bg);padding:1px 4px;border-radius:4px;word-break:break-all}
svg text{font:12px -apple-system,"Segoe UI",Helvetica,Arial,sans-serif}.legend span{margin-right:16px}
"#;

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn verdict_badge(verdict: Verdict) -> String {
    let class = match verdict {
        Verdict::Ready => "ready",
        Verdict::AtRisk => "at_risk",
        Verdict::NotReady => "not_ready",
    };
    format!("<span class=\"badge {class}\" data-verdict=\"{class}\">{}</span>", verdict.label())
}

fn seconds_cell(value: Option<u64>, target: Option<u64>) -> String {
    match (value, target) {
        (None, _) => "<span class=\"over\">unbounded or unknown</span>".to_string(),
        (Some(v), Some(t)) if v > t => {
            format!(
                "<span class=\"over\">{}</span> <span class=\"muted\">target {}</span>",
                human_duration(v),
                human_duration(t)
            )
        }
        (Some(v), Some(t)) => {
            format!(
                "<span class=\"under\">{}</span> <span class=\"muted\">target {}</span>",
                human_duration(v),
                human_duration(t)
            )
        }
        (Some(v), None) => format!("{} <span class=\"muted\">no target</span>", human_duration(v)),
    }
}

pub fn render(report: &ReadinessReport<'_>) -> String {
    let mut out = String::with_capacity(64 * 1024 + report.apps.len() * 4096);
    let title = format!("DR readiness — {} → {} — account {}", report.primary, report.dr, report.account);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title><style>{STYLE}</style></head><body><main>\n",
        esc(&title)
    );
    let _ = writeln!(
        out,
        "<h1>Disaster-recovery readiness</h1><div class=\"muted\">account {} · primary <b>{}</b> → DR <b>{}</b> · collected {} · drscan {}</div>",
        esc(&report.account),
        esc(&report.primary),
        esc(&report.dr),
        esc(&report.collected_at),
        report.drscan_version
    );
    let _ = writeln!(
        out,
        "<section class=\"hero\" id=\"verdict\">{}<div><div style=\"font-size:20px\">{} <b data-score=\"{}\">score {}/100</b></div>\
         <div class=\"muted\">{} failing · {} unknown · {} waived · {} checks passed · {} applications</div>\
         <div class=\"muted\">If {} disappeared now: {}</div></div></section>",
        gauge(report.score, report.verdict),
        verdict_badge(report.verdict),
        report.score,
        report.score,
        report.counts.fail,
        report.counts.unknown,
        report.counts.waived,
        report.counts.pass,
        report.apps.len(),
        esc(&report.primary),
        match report.verdict {
            Verdict::Ready => "every application has a working path to the DR region.",
            Verdict::AtRisk =>
                "failover is likely to work but breaks a target or rests on data drscan could not read.",
            Verdict::NotReady => "at least one application would not come back in the DR region.",
        }
    );

    // Overview table: one row per application.
    out.push_str("<h2>Applications</h2><table id=\"applications\"><thead><tr><th>Application</th><th>Verdict</th><th>Score</th><th>RTO</th><th>RPO</th><th>Findings</th></tr></thead><tbody>\n");
    for app in &report.apps {
        let (rto, rpo) = match &app.estimate {
            Some(e) => (
                seconds_cell(e.rto_seconds, e.rto_target_seconds),
                seconds_cell(e.rpo_seconds, e.rpo_target_seconds),
            ),
            None => (
                "<span class=\"muted\">not estimated</span>".to_string(),
                "<span class=\"muted\">not estimated</span>".to_string(),
            ),
        };
        let open = app.findings.iter().filter(|f| f.status != Status::Waived).count();
        let _ = writeln!(
            out,
            "<tr data-app=\"{0}\"><td><b>{0}</b></td><td>{1}</td><td>{2}</td><td class=\"rto\">{3}</td><td class=\"rpo\">{4}</td><td>{5}</td></tr>",
            esc(&app.name),
            verdict_badge(app.verdict),
            app.score,
            rto,
            rpo,
            open
        );
    }
    out.push_str("</tbody></table>\n");

    if let Some(drift) = &report.drift {
        render_drift(&mut out, drift);
    }

    out.push_str("<h2>By application</h2>\n");
    for app in &report.apps {
        render_app(&mut out, app);
    }
    if !report.unassigned.is_empty() {
        out.push_str("<h2>Findings outside any application</h2>\n");
        render_findings(&mut out, &report.unassigned);
    }

    out.push_str("<h2 id=\"unknowns\">What drscan could not see</h2>\n");
    if report.unknowns.is_empty() {
        out.push_str("<p>Nothing: every check had the data it needed.</p>\n");
    } else {
        out.push_str("<table><thead><tr><th>Operation</th><th>Cause</th><th>Findings</th><th>What it needs</th></tr></thead><tbody>\n");
        for need in &report.unknowns {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}<div class=\"muted\">e.g. {}</div></td></tr>",
                esc(&need.operation),
                esc(&need.cause),
                need.findings,
                esc(&need.remedy),
                esc(&need.example)
            );
        }
        out.push_str("</tbody></table>\n");
    }

    out.push_str("<h2 id=\"metadata\">Collection</h2><table><tbody>\n");
    let _ = writeln!(out, "<tr><th>Account</th><td>{}</td></tr>", esc(&report.account));
    let _ = writeln!(
        out,
        "<tr><th>Regions</th><td>primary {} → DR {}</td></tr>",
        esc(&report.primary),
        esc(&report.dr)
    );
    let _ = writeln!(out, "<tr><th>Collected at</th><td>{}</td></tr>", esc(&report.collected_at));
    let _ = writeln!(out, "<tr><th>drscan</th><td>{}</td></tr>", report.drscan_version);
    let errors = if report.collection_errors.is_empty() {
        "none".to_string()
    } else {
        report.collection_errors.iter().map(|e| esc(e)).collect::<Vec<_>>().join("<br>")
    };
    let _ = writeln!(out, "<tr><th>Collection errors</th><td>{errors}</td></tr>");
    if !report.waiver_notes.is_empty() {
        let notes = report.waiver_notes.iter().map(|e| esc(e)).collect::<Vec<_>>().join("<br>");
        let _ = writeln!(out, "<tr><th>Waivers needing attention</th><td>{notes}</td></tr>");
    }
    out.push_str("</tbody></table>\n");
    out.push_str(
        "<p class=\"muted\">Score: each application starts at 100 and loses 40 per failing critical finding, 15 per high, 5 per medium, 1 per low; unknown findings cost half, waived ones nothing. The overall score is the mean over applications. Verdict: not ready when a critical finding fails; at risk when a high one fails or a critical or high one is unknown.</p>\n",
    );
    out.push_str("</main></body></html>\n");
    out
}

fn render_app(out: &mut String, app: &AppSection<'_>) {
    let open = if app.verdict == Verdict::Ready { "" } else { " open" };
    let _ = writeln!(
        out,
        "<details class=\"app\" id=\"app-{0}\" data-app=\"{0}\"{open}><summary><h3>{0}</h3>{1}<span class=\"muted\">score {2}/100 · {3} findings</span></summary>",
        esc(&app.name),
        verdict_badge(app.verdict),
        app.score,
        app.findings.len()
    );
    if let Some(estimate) = &app.estimate {
        render_estimate(out, estimate);
    }
    if !app.paths.is_empty() {
        out.push_str("<h4>Failover paths</h4><div class=\"legend muted\"><span>■ ok</span><span style=\"color:#cf222e\">■ broken</span><span style=\"color:#9a6700\">■ unknown</span></div>\n");
        for path in &app.paths {
            out.push_str(&path_svg(path));
        }
    }
    if app.findings.is_empty() {
        out.push_str("<p>No findings.</p>\n");
    } else {
        out.push_str("<h4>Findings</h4>\n");
        render_findings(out, &app.findings);
    }
    out.push_str("</details>\n");
}

fn render_findings(out: &mut String, findings: &[&Finding]) {
    out.push_str("<table class=\"findings\"><thead><tr><th>Severity</th><th>Status</th><th>Rule</th><th>Resource</th><th>Finding</th></tr></thead><tbody>\n");
    let mut rules_seen = BTreeSet::new();
    for f in findings {
        rules_seen.insert(f.rule.as_str());
        let _ = writeln!(
            out,
            "<tr class=\"finding\" data-rule=\"{0}\" data-status=\"{1}\"><td class=\"sev {2}\">{2}</td><td class=\"status-{1}\">{1}</td><td><b>{3}</b> {0}</td><td><code title=\"{4}\">{5}</code></td><td>{6}</td></tr>",
            esc(&f.rule),
            f.status.as_str(),
            f.severity.as_str(),
            esc(&f.code),
            esc(&f.resource.arn),
            esc(&f.resource.id),
            esc(&crate::output::message_with_waiver(f))
        );
    }
    out.push_str("</tbody></table>\n");
    for rule in rules_seen {
        let fix = remediation(rule);
        if !fix.is_empty() {
            let _ = writeln!(out, "<div class=\"fix\"><b>How to fix {}:</b> {}</div>", esc(rule), esc(&fix));
        }
    }
}

fn render_estimate(out: &mut String, estimate: &EstimateView) {
    out.push_str("<h4>Recovery estimate</h4>\n");
    out.push_str(&estimate_chart(estimate));
    for (title, terms) in [("RTO terms", &estimate.rto_terms), ("RPO terms", &estimate.rpo_terms)] {
        let _ = write!(
            out,
            "<table class=\"terms\"><thead><tr><th>{title}</th><th>Seconds</th><th>From</th></tr></thead><tbody>"
        );
        for term in terms {
            let value = term.seconds.map(human_duration).unwrap_or_else(|| "unbounded / unknown".into());
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&term.name),
                value,
                esc(&term.source)
            );
        }
        out.push_str("</tbody></table>\n");
    }
}

/// Two bars (RTO, RPO) on a log scale from 1 s to 30 days, with the target as a marker.
fn estimate_chart(estimate: &EstimateView) -> String {
    const WIDTH: f64 = 640.0;
    const LEFT: f64 = 60.0;
    let max = (30.0f64 * 86400.0).ln();
    let x = |seconds: u64| LEFT + (seconds.max(1) as f64).ln() / max * (WIDTH - LEFT - 10.0);
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} 96\" width=\"{WIDTH}\" height=\"96\" role=\"img\" aria-label=\"RTO and RPO against targets\">"
    );
    for (row, (label, value, target)) in [
        ("RTO", estimate.rto_seconds, estimate.rto_target_seconds),
        ("RPO", estimate.rpo_seconds, estimate.rpo_target_seconds),
    ]
    .into_iter()
    .enumerate()
    {
        let y = 10.0 + row as f64 * 36.0;
        let over = matches!((value, target), (Some(v), Some(t)) if v > t) || value.is_none();
        let colour = if over { "#cf222e" } else { "#1a7f37" };
        let end = value.map(x).unwrap_or(WIDTH - 10.0);
        let text = value.map(human_duration).unwrap_or_else(|| "unbounded".into());
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\">{label}</text><rect x=\"{LEFT}\" y=\"{y}\" width=\"{:.1}\" height=\"20\" fill=\"{colour}\" rx=\"3\"><title>{label} {text}</title></rect><text x=\"{:.1}\" y=\"{}\">{text}</text>",
            y + 15.0,
            (end - LEFT).max(2.0),
            (end + 4.0).min(WIDTH - 70.0),
            y + 15.0
        );
        if let Some(t) = target {
            let tx = x(t);
            let _ = write!(
                svg,
                "<line x1=\"{tx:.1}\" x2=\"{tx:.1}\" y1=\"{}\" y2=\"{}\" stroke=\"#1f2328\" stroke-width=\"2\" stroke-dasharray=\"3 2\"><title>target {}</title></line>",
                y - 4.0,
                y + 24.0,
                human_duration(t)
            );
        }
    }
    let _ = writeln!(
        svg,
        "<text x=\"{LEFT}\" y=\"92\" class=\"muted\">1 s</text><text x=\"{:.1}\" y=\"92\">1 min</text><text x=\"{:.1}\" y=\"92\">1 h</text><text x=\"{:.1}\" y=\"92\">1 d</text></svg>",
        x(60),
        x(3600),
        x(86400)
    );
    svg
}

/// A failover path as boxes and arrows; broken hops red, unknown ones amber.
fn path_svg(path: &FailoverPath) -> String {
    const BOX_W: f64 = 168.0;
    const GAP: f64 = 28.0;
    let width = path.nodes.len() as f64 * (BOX_W + GAP);
    let mut svg = format!(
        "<div class=\"path\"><div class=\"muted\">{}</div><svg viewBox=\"0 0 {width:.0} 58\" width=\"{width:.0}\" height=\"58\" style=\"max-width:100%\" role=\"img\" aria-label=\"{}\">",
        esc(&path.title),
        esc(&path.title)
    );
    for (i, node) in path.nodes.iter().enumerate() {
        let x = i as f64 * (BOX_W + GAP);
        let (stroke, fill, state) = match node.state {
            NodeState::Ok => ("#1a7f37", "#dafbe1", "ok"),
            NodeState::Unknown => ("#9a6700", "#fff8c5", "unknown"),
            NodeState::Broken => ("#cf222e", "#ffebe9", "broken"),
        };
        if i > 0 {
            let _ = write!(
                svg,
                "<line x1=\"{:.1}\" y1=\"29\" x2=\"{:.1}\" y2=\"29\" stroke=\"{stroke}\" stroke-width=\"2\"/><polygon points=\"{:.1},24 {:.1},29 {:.1},34\" fill=\"{stroke}\"/>",
                x - GAP,
                x - 6.0,
                x - 7.0,
                x - 1.0,
                x - 7.0
            );
        }
        let label: String = if node.label.chars().count() > 24 {
            node.label.chars().take(23).collect::<String>() + "…"
        } else {
            node.label.clone()
        };
        let _ = write!(
            svg,
            "<g class=\"node\" data-state=\"{state}\"><title>{} {}</title><rect x=\"{x:.1}\" y=\"6\" width=\"{BOX_W}\" height=\"46\" rx=\"6\" fill=\"{fill}\" stroke=\"{stroke}\"/><text x=\"{:.1}\" y=\"24\" fill=\"#57606a\">{}</text><text x=\"{:.1}\" y=\"42\">{}</text></g>",
            esc(node.kind),
            esc(&node.label),
            x + 8.0,
            esc(node.kind),
            x + 8.0,
            esc(&label)
        );
    }
    svg.push_str("</svg></div>\n");
    svg
}

fn render_drift(out: &mut String, drift: &crate::drift::Drift) {
    let _ = writeln!(
        out,
        "<h2 id=\"drift\">Since {}</h2><p>{} new finding(s), {} resolved, {} DR-relevant change(s).</p>",
        esc(&drift.previous_collected_at),
        drift.new_findings.len(),
        drift.resolved_findings.len(),
        drift.resource_changes.len()
    );
    if !drift.new_findings.is_empty() || !drift.resolved_findings.is_empty() {
        out.push_str("<table id=\"drift-findings\"><thead><tr><th></th><th>Severity</th><th>Rule</th><th>Resource</th><th>Finding</th></tr></thead><tbody>\n");
        for (sign, list) in [("new", &drift.new_findings), ("resolved", &drift.resolved_findings)] {
            for f in list {
                let _ = writeln!(
                    out,
                    "<tr data-drift=\"{sign}\"><td>{sign}</td><td class=\"sev {0}\">{0}</td><td>{1}</td><td><code>{2}</code></td><td>{3}</td></tr>",
                    f.severity.as_str(),
                    esc(&f.rule),
                    esc(&f.resource_id),
                    esc(&f.message)
                );
            }
        }
        out.push_str("</tbody></table>\n");
    }
    if !drift.resource_changes.is_empty() {
        out.push_str("<table id=\"drift-changes\"><thead><tr><th>Change</th><th>Application</th><th>What</th><th>Resource</th><th>Before</th><th>After</th></tr></thead><tbody>\n");
        for c in &drift.resource_changes {
            let change = c.change.as_str();
            let _ = writeln!(
                out,
                "<tr data-change=\"{change}\"><td>{change}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                esc(c.app.as_deref().unwrap_or("-")),
                esc(c.what),
                esc(&c.id),
                esc(c.before.as_deref().unwrap_or("")),
                esc(c.after.as_deref().unwrap_or(""))
            );
        }
        out.push_str("</tbody></table>\n");
    }
}

/// The overall score as a ring.
fn gauge(score: u32, verdict: Verdict) -> String {
    let colour = match verdict {
        Verdict::Ready => "#1a7f37",
        Verdict::AtRisk => "#9a6700",
        Verdict::NotReady => "#cf222e",
    };
    let circumference = 2.0 * std::f64::consts::PI * 34.0;
    let filled = circumference * f64::from(score.min(100)) / 100.0;
    format!(
        "<svg width=\"88\" height=\"88\" viewBox=\"0 0 88 88\" role=\"img\" aria-label=\"score {score} of 100\"><circle cx=\"44\" cy=\"44\" r=\"34\" fill=\"none\" stroke=\"#d0d7de\" stroke-width=\"10\"/><circle cx=\"44\" cy=\"44\" r=\"34\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"10\" stroke-dasharray=\"{filled:.1} {circumference:.1}\" transform=\"rotate(-90 44 44)\"/><text x=\"44\" y=\"50\" text-anchor=\"middle\" style=\"font-size:20px;font-weight:600\">{score}</text></svg>"
    )
}
