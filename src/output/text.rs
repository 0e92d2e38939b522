//! `--format text`: findings for a person at a terminal, grouped by application and severity,
//! coloured only when writing to a terminal and `NO_COLOR` is unset.

use super::RunInfo;
use crate::audit::{AuditReport, GateResult};
use crate::estimate::{Amount, duration_text};
use crate::findings::{Finding, Severity, Status};
use crate::waivers::WaiverStatus;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Widest a column of the estimate table is padded to.
const MAX_COLUMN_WIDTH: usize = 48;

struct Palette {
    on: bool,
}

impl Palette {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
    fn severity(&self, severity: Severity) -> String {
        let label = format!("{:<8}", severity.as_str().to_uppercase());
        let code = match severity {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.paint(code, &label)
    }
    fn status(&self, status: Status) -> String {
        let label = format!("{:<7}", status.as_str());
        let code = match status {
            Status::Fail => "1",
            Status::Unknown => "35",
            Status::Waived => "2",
        };
        self.paint(code, &label)
    }
    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
}

pub fn render(report: &AuditReport, info: &RunInfo<'_>) -> String {
    let palette = Palette { on: info.color };
    let snapshot = info.snapshot;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "drscan {} — account {}, primary {} → DR {}, collected {}",
        env!("CARGO_PKG_VERSION"),
        snapshot.account,
        snapshot.regions.primary,
        snapshot.regions.dr,
        snapshot.collected_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );

    let mut by_app: BTreeMap<Option<&str>, Vec<&Finding>> = BTreeMap::new();
    for finding in &report.findings {
        by_app.entry(finding.app.as_deref()).or_default().push(finding);
    }
    // Named applications first, then findings outside any application.
    let mut groups: Vec<_> = by_app.into_iter().collect();
    groups.sort_by_key(|(app, _)| (app.is_none(), *app));

    if groups.is_empty() {
        let _ = writeln!(out, "\nNo findings.");
    }
    for (app, findings) in groups {
        let title = match app {
            Some(app) => format!("application {app}"),
            None => "outside any application".to_string(),
        };
        let _ = writeln!(
            out,
            "\n{} ({} finding{})",
            palette.bold(&title),
            findings.len(),
            plural(findings.len())
        );
        for finding in findings {
            let known = if finding.baseline_state == Some(crate::findings::BaselineState::Unchanged) {
                palette.paint("2", "  (in baseline)")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {} {} {} {}  {}{known}",
                palette.severity(finding.severity),
                palette.status(finding.status),
                finding.code,
                finding.rule,
                finding.resource.id
            );
            let _ = writeln!(out, "      {}", finding.message);
        }
    }

    let problems: Vec<_> = report.waivers.iter().filter(|w| w.status != WaiverStatus::Applied).collect();
    if !problems.is_empty() {
        let _ = writeln!(out, "\n{}", palette.bold("waivers needing attention"));
        for waiver in problems {
            let what = match waiver.status {
                WaiverStatus::Expired => format!(
                    "expired on {} and no longer applies ({} finding{} affected)",
                    waiver.expires,
                    waiver.matched,
                    plural(waiver.matched)
                ),
                _ => "matches no finding".to_string(),
            };
            let _ = writeln!(
                out,
                "  {} waiver for {} on {} (config line {}) {what}",
                palette.paint("33", "warning:"),
                waiver.rule,
                waiver.resource,
                waiver.line
            );
        }
    }

    render_estimates(&mut out, report, &palette);

    let total = report.total();
    let gate = match report.gate {
        GateResult::Passed => palette.paint("32", "PASSED"),
        GateResult::Failed => palette.paint("1;31", "FAILED"),
    };
    let _ = writeln!(
        out,
        "\n{} fail, {} unknown, {} waived, {} pass — gate {gate} (fail-on {}{})",
        total.fail,
        total.unknown,
        total.waived,
        total.pass,
        info.gate.fail_on,
        if info.gate.allow_unknown { ", unknown allowed" } else { "" }
    );
    if let Some(baseline) = report.baseline {
        let _ = writeln!(
            out,
            "baseline: {} finding{} known before, {} new",
            baseline.known_before,
            plural(baseline.known_before),
            baseline.new
        );
    }
    out
}

/// A compact table per application: totals, then every term with its value and source; `*`
/// marks the terms on the critical path.
fn render_estimates(out: &mut String, report: &AuditReport, palette: &Palette) {
    let Some(first) = report.estimates.first() else { return };
    let target = |t: Option<u64>| t.map(duration_text).unwrap_or_else(|| "none".to_string());
    let _ = writeln!(
        out,
        "\n{} (targets: RTO {}, RPO {})",
        palette.bold("RTO/RPO estimates"),
        target(first.targets.rto_seconds),
        target(first.targets.rpo_seconds)
    );
    for estimate in &report.estimates {
        let _ = writeln!(
            out,
            "  {}: RTO {}, RPO {}",
            palette.bold(&estimate.app),
            total_text(&estimate.rto),
            total_text(&estimate.rpo)
        );
        let rows: Vec<(&str, bool, &str, String, String)> = estimate
            .rto_terms
            .iter()
            .map(|t| {
                ("RTO", t.critical_path, t.step.as_str(), t.amount.text(), explain(&t.amount, &t.source))
            })
            .chain(estimate.rpo_terms.iter().map(|t| {
                ("RPO", t.critical_path, t.store.as_str(), t.amount.text(), explain(&t.amount, &t.source))
            }))
            .collect();
        // Columns align up to a width; a longer name (a resource ID can be anything) just runs
        // past it. An unbounded width would also panic: std caps format widths at 65,535.
        let name_width = rows.iter().map(|r| r.2.chars().count()).max().unwrap_or(0).min(MAX_COLUMN_WIDTH);
        let value_width = rows.iter().map(|r| r.3.chars().count()).max().unwrap_or(0).min(MAX_COLUMN_WIDTH);
        for (what, critical, name, value, source) in rows {
            let _ = writeln!(
                out,
                "    {what} {} {name:<name_width$}  {value:>value_width$}  {source}",
                if critical { "*" } else { " " }
            );
        }
    }
}

/// A term's source, or for an unbounded or unknown term the reason, which says more.
fn explain(amount: &Amount, source: &str) -> String {
    match amount {
        Amount::Seconds(_) => source.to_string(),
        Amount::Unbounded(why) => why.clone(),
        Amount::Unknown(reason) => reason.to_string(),
    }
}

fn total_text(amount: &Amount) -> String {
    match amount {
        Amount::Seconds(s) => duration_text(*s),
        Amount::Unbounded(why) => format!("unbounded ({why})"),
        Amount::Unknown(reason) => format!("unknown ({reason})"),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
