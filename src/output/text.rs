//! `--format text`: findings for a person at a terminal, grouped by application and severity,
//! and a conclusion: which findings fail the gate (or that none does and why the rest do not).
//!
//! A cause that left several things unknown (one failed read behind twenty findings) is written
//! once, in a footer that lists what it affects; each finding points at it as `[n]`. `info`
//! findings are notes, not failures. Colour (anstyle) only when the caller says so — `--color`
//! decides, through the CLI.

use super::RunInfo;
use crate::audit::{AuditReport, GatePolicy, GateResult, GateRole};
use crate::estimate::{Amount, AppEstimate, duration_text};
use crate::findings::{BaselineState, Finding, Severity, Status};
use crate::inventory::UnknownReason;
use crate::waivers::WaiverStatus;
use anstyle::{AnsiColor, Style};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Widest a column of the estimate table is padded to.
const MAX_COLUMN_WIDTH: usize = 48;

struct Palette {
    on: bool,
}

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const RED: Style = AnsiColor::Red.on_default();
const GREEN: Style = AnsiColor::Green.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const CYAN: Style = AnsiColor::Cyan.on_default();
const MAGENTA: Style = AnsiColor::Magenta.on_default();

impl Palette {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.on { format!("{style}{text}{style:#}") } else { text.to_string() }
    }
    fn severity(&self, severity: Severity) -> String {
        let label = format!("{:<8}", severity.as_str().to_uppercase());
        let style = match severity {
            Severity::Critical => RED.bold(),
            Severity::High => RED,
            Severity::Medium => YELLOW,
            Severity::Low => CYAN,
            Severity::Info => DIM,
        };
        self.paint(style, &label)
    }
    fn status(&self, finding: &Finding) -> String {
        let label = format!("{:<7}", status_label(finding));
        let style = match (finding.status, finding.severity) {
            (Status::Fail, Severity::Info) => DIM,
            (Status::Fail, _) => BOLD,
            (Status::Unknown, _) => MAGENTA,
            (Status::Waived, _) => DIM,
        };
        self.paint(style, &label)
    }
    fn bold(&self, text: &str) -> String {
        self.paint(BOLD, text)
    }
    fn gate(&self, gate: GateResult) -> String {
        match gate {
            GateResult::Passed => self.paint(GREEN, "PASSED"),
            GateResult::Failed => self.paint(RED.bold(), "FAILED"),
        }
    }
}

/// `info` findings inform: they are shown as notes, not as failures (SARIF's `note` level).
fn status_label(finding: &Finding) -> &'static str {
    match (finding.status, finding.severity) {
        (Status::Fail, Severity::Info) => "note",
        (status, _) => status.as_str(),
    }
}

/// The causes of unknown findings and estimate terms, numbered in the order they are printed.
#[derive(Default)]
struct Causes {
    causes: Vec<Cause>,
}

struct Cause {
    reason: UnknownReason,
    findings: Vec<String>,
    /// Per application, the estimate terms it left unknown.
    terms: BTreeMap<String, Vec<String>>,
}

impl Causes {
    fn number(&mut self, reason: &UnknownReason) -> usize {
        match self.causes.iter().position(|c| c.reason == *reason) {
            Some(index) => index + 1,
            None => {
                self.causes.push(Cause {
                    reason: reason.clone(),
                    findings: Vec::new(),
                    terms: BTreeMap::new(),
                });
                self.causes.len()
            }
        }
    }

    fn of_finding(&mut self, finding: &Finding) -> Option<usize> {
        let reason: UnknownReason =
            serde_json::from_value(finding.evidence.get("missing_data")?.clone()).ok()?;
        let number = self.number(&reason);
        self.causes[number - 1]
            .findings
            .push(format!("{} {} {}", finding.code, finding.rule, finding.resource.id));
        Some(number)
    }

    fn of_term(&mut self, app: &str, term: String, reason: &UnknownReason) -> usize {
        let number = self.number(reason);
        self.causes[number - 1].terms.entry(app.to_string()).or_default().push(term);
        number
    }
}

/// An unknown finding's message with its cause replaced by the footer's `[n]`.
fn with_cause_reference(message: &str, reason: &str, number: usize) -> String {
    let reference = format!("[{number}]");
    if let Some(before) = message.strip_suffix(reason) {
        format!("{} {reference}", before.trim_end().trim_end_matches([':', '—', '-', ',']).trim_end())
    } else if message.contains(reason) {
        message.replace(reason, &reference)
    } else {
        format!("{message} {reference}")
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

    let mut causes = Causes::default();
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
            render_finding(&mut out, finding, &palette, &mut causes);
        }
    }

    render_waiver_problems(&mut out, report, &palette);
    render_estimates(&mut out, report, &palette, &mut causes);
    render_causes(&mut out, &causes, &palette);
    render_conclusion(&mut out, report, info.gate, &palette);
    out
}

fn render_finding(out: &mut String, finding: &Finding, palette: &Palette, causes: &mut Causes) {
    let known = if finding.baseline_state == Some(BaselineState::Unchanged) {
        palette.paint(DIM, "  (in baseline)")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "  {} {} {} {}  {}{known}",
        palette.severity(finding.severity),
        palette.status(finding),
        finding.code,
        finding.rule,
        finding.resource.id
    );
    let message = match (finding.status, causes.of_finding(finding)) {
        (Status::Unknown, Some(number)) => {
            let reason = &causes.causes[number - 1].reason;
            with_cause_reference(&finding.message, &reason.to_string(), number)
        }
        _ => finding.message.clone(),
    };
    let _ = writeln!(out, "      {message}");
    if let Some(note) = super::waiver_note(finding) {
        let _ = writeln!(out, "      {}", palette.paint(DIM, &note));
    } else if let Some(expired) = finding.evidence.get("expired_waiver").and_then(|v| v.as_str()) {
        let _ = writeln!(out, "      {} {expired}", palette.paint(YELLOW, "waiver no longer applies:"));
    }
}

fn render_waiver_problems(out: &mut String, report: &AuditReport, palette: &Palette) {
    let problems: Vec<_> = report.waivers.iter().filter(|w| w.status != WaiverStatus::Applied).collect();
    if problems.is_empty() {
        return;
    }
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
            "  {} waiver for {} on {} (config line {}) {what}; its reason: {}",
            palette.paint(YELLOW, "warning:"),
            waiver.rule,
            waiver.resource,
            waiver.line,
            waiver.reason
        );
    }
}

/// A compact table per application: totals, then every term with its value and source.
fn render_estimates(out: &mut String, report: &AuditReport, palette: &Palette, causes: &mut Causes) {
    let Some(first) = report.estimates.first() else { return };
    let target = |t: Option<u64>| t.map(duration_text).unwrap_or_else(|| "none".to_string());
    let _ = writeln!(
        out,
        "\n{} (targets: RTO {}, RPO {})",
        palette.bold("RTO/RPO estimates"),
        target(first.targets.rto_seconds),
        target(first.targets.rpo_seconds)
    );
    let _ = writeln!(
        out,
        "  {}",
        palette.paint(
            DIM,
            "* marks the terms that make up the total: the slowest detection, routing, step and DNS term (RTO), the worst store (RPO)"
        )
    );
    for estimate in &report.estimates {
        render_estimate(out, estimate, palette, causes);
    }
}

fn render_estimate(out: &mut String, estimate: &AppEstimate, palette: &Palette, causes: &mut Causes) {
    let mut explain = |what: &str, name: &str, amount: &Amount, source: &str| match amount {
        Amount::Seconds(_) => source.to_string(),
        Amount::Unbounded(why) => why.clone(),
        Amount::Unknown(reason) => {
            format!("[{}]", causes.of_term(&estimate.app, format!("{what} {name}"), reason))
        }
    };
    let rto =
        estimate.rto_terms.iter().map(|t| ("RTO", t.critical_path, t.step.as_str(), &t.amount, &t.source));
    let rpo =
        estimate.rpo_terms.iter().map(|t| ("RPO", t.critical_path, t.store.as_str(), &t.amount, &t.source));
    let rows: Vec<(&str, bool, &str, String, String)> = rto
        .chain(rpo)
        .map(|(what, critical, name, amount, source)| {
            (what, critical, name, amount.text(), explain(what, name, amount, source))
        })
        .collect();
    let total = |amount: &Amount| match amount {
        Amount::Seconds(s) => duration_text(*s),
        Amount::Unbounded(why) => format!("unbounded ({why})"),
        // The unknown term below names the cause.
        Amount::Unknown(_) => "unknown".to_string(),
    };
    let _ = writeln!(
        out,
        "  {}: RTO {}, RPO {}",
        palette.bold(&estimate.app),
        total(&estimate.rto),
        total(&estimate.rpo)
    );
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

/// Each cause once, with everything it left unknown.
fn render_causes(out: &mut String, causes: &Causes, palette: &Palette) {
    if causes.causes.is_empty() {
        return;
    }
    let findings: usize = causes.causes.iter().map(|c| c.findings.len()).sum();
    let terms: usize = causes.causes.iter().flat_map(|c| c.terms.values()).map(Vec::len).sum();
    let mut effects = Vec::new();
    if findings > 0 {
        effects.push(format!("{findings} unknown finding{}", plural(findings)));
    }
    if terms > 0 {
        effects.push(format!("{terms} unknown estimate term{}", plural(terms)));
    }
    let _ = writeln!(
        out,
        "\n{} ({} cause{} of {})",
        palette.bold("could not be read or resolved"),
        causes.causes.len(),
        plural(causes.causes.len()),
        effects.join(" and ")
    );
    for (index, cause) in causes.causes.iter().enumerate() {
        let _ = writeln!(out, "  [{}] {}", index + 1, cause.reason);
        let mut affected = cause.findings.clone();
        affected.extend(
            cause.terms.iter().map(|(app, terms)| format!("estimate of {app}: {}", terms.join(", "))),
        );
        for item in affected {
            let _ = writeln!(out, "      {} {item}", palette.paint(DIM, "·"));
        }
    }
}

/// The verdict, which findings decide it, and what the rest are.
fn render_conclusion(out: &mut String, report: &AuditReport, gate: GatePolicy, palette: &Palette) {
    let _ = writeln!(out, "\n{}", summary_line(report, gate, palette.on, false));
    let blocking: Vec<&Finding> = crate::audit::blocking(&report.findings, gate).collect();
    if blocking.is_empty() {
        let mut others: BTreeMap<&'static str, usize> = BTreeMap::new();
        for finding in &report.findings {
            let role = GateRole::of(finding, gate);
            let label = match role {
                GateRole::Blocks => continue,
                GateRole::BelowThreshold => "below the threshold",
                GateRole::Waived => "waived",
                GateRole::InBaseline => "in the baseline",
                GateRole::UnknownAllowed => "unknown (allowed)",
                GateRole::EmptyAllowed => "no application (allowed)",
            };
            *others.entry(label).or_default() += 1;
        }
        let rest = others.iter().map(|(label, n)| format!("{n} {label}")).collect::<Vec<_>>().join(", ");
        let _ = writeln!(
            out,
            "no finding fails the gate{}",
            if rest.is_empty() { String::new() } else { format!(" ({rest})") }
        );
        return;
    }
    let _ = writeln!(out, "the gate fails on {} finding{}:", blocking.len(), plural(blocking.len()));
    // One line per rule, most severe first (the findings are sorted that way).
    let mut rules: Vec<(Severity, &str, &str, usize, usize)> = Vec::new();
    for finding in blocking {
        let unknown = usize::from(finding.status == Status::Unknown);
        match rules.iter_mut().find(|r| r.2 == finding.rule && r.0 == finding.severity) {
            Some(rule) => {
                rule.3 += 1 - unknown;
                rule.4 += unknown;
            }
            None => rules.push((finding.severity, &finding.code, &finding.rule, 1 - unknown, unknown)),
        }
    }
    for (severity, code, rule, fail, unknown) in rules {
        let counts = match (fail, unknown) {
            (n, 0) => format!("{n} fail"),
            (0, n) => format!("{n} unknown"),
            (f, u) => format!("{f} fail, {u} unknown"),
        };
        let _ = writeln!(out, "  {} {code} {rule} ({counts})", palette.severity(severity));
    }
}

/// One line that concludes the run: the counts and the verdict with its threshold; with
/// `blocking`, how many findings fail the gate. Also what `drscan audit` prints to stderr when
/// every output goes to a file.
pub fn summary_line(report: &AuditReport, gate: GatePolicy, color: bool, blocking: bool) -> String {
    let palette = Palette { on: color };
    let notes = report.findings.iter().filter(|f| status_label(f) == "note").count();
    let total = report.total();
    let failing = crate::audit::blocking(&report.findings, gate).count();
    format!(
        "{} fail, {} unknown, {} waived, {} pass{} — gate {} (fail-on {}{}){}",
        total.fail - notes,
        total.unknown,
        total.waived,
        total.pass,
        if notes > 0 { format!(", {notes} note{}", plural(notes)) } else { String::new() },
        palette.gate(report.gate),
        gate.fail_on,
        if gate.allow_unknown { ", unknown allowed" } else { "" },
        if blocking && failing > 0 {
            format!(" on {failing} finding{}", plural(failing))
        } else {
            String::new()
        }
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_at_the_end_of_a_message_becomes_a_reference() {
        let reason = "efs:DescribeReplicationConfigurations failed (access denied): not authorized";
        assert_eq!(
            with_cause_reference(
                &format!("cannot tell whether EFS fs-1 reaches us-east-1: {reason}"),
                reason,
                2
            ),
            "cannot tell whether EFS fs-1 reaches us-east-1 [2]"
        );
        assert_eq!(with_cause_reference(&format!("{reason}, so x"), reason, 1), "[1], so x");
        assert_eq!(with_cause_reference("no lag datapoints", reason, 3), "no lag datapoints [3]");
    }
}
