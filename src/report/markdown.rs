//! The readiness report as GitHub-flavoured Markdown, for issues, pull-request comments and job
//! summaries: the same content as the HTML page, with failover paths as Mermaid flowcharts
//! (GitHub renders them) and "How to fix" once per rule, collapsed.
//!
//! **Fits a comment.** GitHub refuses a comment longer than [`GITHUB_COMMENT_LIMIT`]
//! characters. A report that would be longer is summarised: the verdict, the counts, what
//! drscan could not see and the collection stay whole; the applications table, the drift and
//! the per-application sections (worst first) are kept while they fit, and a note at the top
//! says what was left out and where the full report is.
//!
//! **Names are data.** Resource names reach the page as text: in table cells `|`, line breaks
//! and `<`/`>` are escaped, code spans are fenced so that backticks inside cannot close them,
//! and Mermaid labels carry Mermaid's `#code;` entities for every character its parser or
//! renderer would read as syntax.

use super::{
    AppSection, EstimateView, NodeState, ReadinessReport, Standing, Value, Verdict, human_duration,
    remediation,
};
use crate::findings::{Finding, Status};
use std::collections::BTreeSet;
use std::fmt::Write;

/// The longest comment body GitHub accepts, in characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// How to render: the length to fit and where the full report is.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// The longest document to write, in characters as GitHub counts them (UTF-16 code units,
    /// which is never fewer than Unicode characters).
    pub limit: usize,
    /// Where the full report is (a URL, e.g. the CI run that keeps the HTML report), named when
    /// the report is summarised.
    pub full_report: Option<&'a str>,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options { limit: GITHUB_COMMENT_LIMIT, full_report: None }
    }
}

/// The length GitHub measures.
pub fn length(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Text on one line with `<` and `>` kept text (never HTML) and each of `backslashed`
/// escaped with a backslash.
fn escape(text: &str, backslashed: &[char]) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            c if backslashed.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => {}
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Table cells cannot hold `|` or line breaks.
pub(crate) fn cell(text: &str) -> String {
    escape(text, &['|'])
}

/// A code span that holds any text: fenced with more backticks than the text's longest run,
/// padded when the text starts or ends with one; `|` escaped for table cells.
fn code(text: &str) -> String {
    let text = text.replace(['\r', '\n'], " ");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{}{pad}{fence}", text.replace('|', "\\|"))
}

/// A name in running text or a heading: Markdown's punctuation escaped, one line.
fn name(text: &str) -> String {
    escape(text, &['\\', '`', '*', '_', '[', ']', '#', '|', '~'])
}

/// A Mermaid node label, for inside `["…"]`: Mermaid ends the label at `"`, reads `#…;` as an
/// entity and renders the text as HTML (and Markdown within backticks), so each of those
/// characters is written as its decimal `#code;` entity; line breaks become spaces.
pub fn mermaid_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '"' | '#' | ';' | '<' | '>' | '&' | '`' | '|' | '[' | ']' | '{' | '}' | '\\' => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn verdict_icon(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Ready => "🟢 Ready",
        Verdict::AtRisk => "🟠 At risk",
        Verdict::NotReady => "🔴 Not ready",
    }
}

fn against(value: Value, target: Option<u64>) -> String {
    let target_text =
        target.map(|t| format!("target {}", human_duration(t))).unwrap_or_else(|| "no target".into());
    match value.against(target) {
        Standing::Over => format!("**{}** ({target_text}) ❌", value.text()),
        Standing::Within => format!("{} ({target_text}) ✅", value.text()),
        Standing::NoTarget if value == Value::Unbounded => format!("**unbounded** ({target_text})"),
        Standing::NoTarget => format!("{} ({target_text})", value.text()),
        Standing::Unknown => format!("**unknown** ({target_text}) ❔"),
    }
}

pub fn render(report: &ReadinessReport<'_>) -> String {
    render_with(report, &Options::default())
}

/// The whole report, or, when that is longer than `options.limit`, a summary that fits.
pub fn render_with(report: &ReadinessReport<'_>, options: &Options<'_>) -> String {
    let parts = Parts::of(report);
    let whole = parts.whole();
    if length(&whole) <= options.limit {
        return whole;
    }
    parts.summary(report, options)
}

/// The report in the pieces a summary chooses from.
struct Parts {
    head: String,
    table_head: &'static str,
    rows: Vec<String>,
    drift_head: String,
    drift_items: Vec<String>,
    drift_changes: Vec<String>,
    sections: Vec<String>,
    /// The rules with findings in each section, and in the findings outside any application.
    section_rules: Vec<Vec<String>>,
    unassigned: String,
    unassigned_rules: Vec<String>,
    /// Each rule's "How to fix" item.
    fixes: std::collections::BTreeMap<String, String>,
    unknowns: String,
    collection_head: String,
    collection_errors: Vec<String>,
    collection_tail: String,
}

const TABLE_HEAD: &str = "## Applications\n\n| Application | Verdict | Score | RTO | RPO | Open findings |\n|---|---|---|---|---|---|\n";
const CHANGES_HEAD: &str =
    "\n| Change | Application | What | Resource | Before | After |\n|---|---|---|---|---|---|\n";

impl Parts {
    fn of(report: &ReadinessReport<'_>) -> Parts {
        let mut head = String::new();
        let _ = writeln!(head, "# Disaster-recovery readiness: {} → {}\n", report.primary, report.dr);
        let _ = writeln!(
            head,
            "**{}** · score **{}/100** · account `{}` · collected {} · drscan {}\n",
            verdict_icon(report.verdict),
            report.score,
            report.account,
            report.collected_at,
            report.drscan_version
        );
        let _ = writeln!(
            head,
            "{} failing · {} unknown · {} waived · {} checks passed · {} applications\n",
            report.counts.fail,
            report.counts.unknown,
            report.counts.waived,
            report.counts.pass,
            report.apps.len()
        );

        let rows = report
            .apps
            .iter()
            .map(|app| {
                let (rto, rpo) = match &app.estimate {
                    Some(e) => (against(e.rto, e.rto_target_seconds), against(e.rpo, e.rpo_target_seconds)),
                    None => ("not estimated".to_string(), "not estimated".to_string()),
                };
                let open = app.findings.iter().filter(|f| f.status != Status::Waived).count();
                format!(
                    "| **{}** | {} | {} | {rto} | {rpo} | {open} |\n",
                    name(&app.name),
                    verdict_icon(app.verdict),
                    app.score
                )
            })
            .collect();

        let (mut drift_head, mut drift_items, mut drift_changes) = (String::new(), Vec::new(), Vec::new());
        if let Some(drift) = &report.drift {
            let _ = writeln!(
                drift_head,
                "## Since {}\n\n{} new finding(s), {} resolved, {} DR-relevant change(s).\n",
                drift.previous_collected_at,
                drift.new_findings.len(),
                drift.resolved_findings.len(),
                drift.resource_changes.len()
            );
            for f in &drift.new_findings {
                drift_items.push(format!(
                    "- 🆕 **{}** `{}` {}: {}\n",
                    f.severity,
                    f.rule,
                    cell(&f.resource_id),
                    cell(&f.message)
                ));
            }
            for f in &drift.resolved_findings {
                drift_items.push(format!("- ✅ resolved `{}` {}\n", f.rule, cell(&f.resource_id)));
            }
            for c in &drift.resource_changes {
                drift_changes.push(format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    c.change.as_str(),
                    cell(c.app.as_deref().unwrap_or("-")),
                    c.what,
                    code(&c.id),
                    cell(c.before.as_deref().unwrap_or("")),
                    cell(c.after.as_deref().unwrap_or(""))
                ));
            }
        }

        let sections = report
            .apps
            .iter()
            .map(|app| {
                let mut section = String::new();
                render_app(&mut section, app);
                section
            })
            .collect();
        let section_rules: Vec<Vec<String>> = report
            .apps
            .iter()
            .map(|app| rules_of(&app.findings).into_iter().map(str::to_string).collect())
            .collect();
        let mut unassigned = String::new();
        if !report.unassigned.is_empty() {
            unassigned.push_str("## Findings outside any application\n\n");
            render_findings(&mut unassigned, &report.unassigned);
        }
        let unassigned_rules: Vec<String> =
            rules_of(&report.unassigned).into_iter().map(str::to_string).collect();
        let fixes = section_rules
            .iter()
            .flatten()
            .chain(&unassigned_rules)
            .map(|rule| (rule.clone(), fix_item(rule)))
            .collect();

        let mut unknowns = String::from("## What drscan could not see\n\n");
        if report.unknowns.is_empty() {
            unknowns.push_str("Nothing: every check had the data it needed.\n\n");
        } else {
            unknowns.push_str("| Operation | Cause | Findings | What it needs |\n|---|---|---|---|\n");
            for need in &report.unknowns {
                let _ = writeln!(
                    unknowns,
                    "| {} | {} | {} | {} |",
                    code(&need.operation),
                    cell(&need.cause),
                    need.findings,
                    cell(&need.remedy)
                );
            }
            unknowns.push('\n');
        }

        let mut collection_head = String::from("## Collection\n\n");
        let _ = writeln!(
            collection_head,
            "- account `{}`, primary {} → DR {}, collected {}",
            report.account, report.primary, report.dr, report.collected_at
        );
        for line in &report.accounts {
            let _ = writeln!(collection_head, "- {}", cell(line));
        }
        if report.collection_errors.is_empty() {
            collection_head.push_str("- collection errors: none\n");
        }
        let collection_errors =
            report.collection_errors.iter().map(|e| format!("- collection error: {}\n", cell(e))).collect();
        let mut collection_tail = String::new();
        for note in &report.waiver_notes {
            let _ = writeln!(collection_tail, "- ⚠️ {}", cell(note));
        }
        collection_tail.push_str("\n<sub>Score: each application starts at 100 and loses 40 per failing critical finding, 15 per high, 5 per medium, 1 per low; unknown findings cost half, waived ones nothing. The overall score is the mean over applications.</sub>\n");

        Parts {
            head,
            table_head: TABLE_HEAD,
            rows,
            drift_head,
            drift_items,
            drift_changes,
            sections,
            section_rules,
            unassigned,
            unassigned_rules,
            fixes,
            unknowns,
            collection_head,
            collection_errors,
            collection_tail,
        }
    }

    fn whole(&self) -> String {
        let mut out = self.head.clone();
        out.push_str(self.table_head);
        self.rows.iter().for_each(|r| out.push_str(r));
        out.push('\n');
        if !self.drift_head.is_empty() {
            out.push_str(&self.drift_head);
            self.drift_items.iter().for_each(|i| out.push_str(i));
            if !self.drift_changes.is_empty() {
                out.push_str(CHANGES_HEAD);
                self.drift_changes.iter().for_each(|c| out.push_str(c));
            }
            out.push('\n');
        }
        self.sections.iter().for_each(|s| out.push_str(s));
        out.push_str(&self.unassigned);
        out.push_str(&fixes_section(&self.fixes.values().map(String::as_str).collect::<Vec<_>>()));
        out.push_str(&self.unknowns);
        out.push_str(&self.collection_head);
        self.collection_errors.iter().for_each(|e| out.push_str(e));
        out.push_str(&self.collection_tail);
        out
    }

    /// What fits in `options.limit`: the head, a note on what was cut, and as much of each list
    /// as its share of the room allows, worst applications first.
    fn summary(&self, report: &ReadinessReport<'_>, options: &Options<'_>) -> String {
        // Room for the note at the top, with every count at its widest.
        const NOTE_ROOM: usize = 700;
        let pointer = match options.full_report {
            Some(url) => {
                format!("The full report: [{}]({})", name(url), url.replace(' ', "%20").replace(')', "%29"))
            }
            None => "For the full report run `drscan report --format html` on the same snapshot.".to_string(),
        };
        let fixed = [&self.head, &self.unknowns, &self.collection_head, &self.collection_tail]
            .iter()
            .map(|s| length(s))
            .sum::<usize>()
            + length(&pointer)
            + NOTE_ROOM;
        let mut room = options.limit.saturating_sub(fixed);

        // Collection errors are part of the verdict's evidence; a few suffice here.
        let errors = take_fitting(&self.collection_errors, room / 10);
        room -= errors.1;

        let rows = take_fitting(&self.rows, room * 2 / 5);
        room -= rows.1 + length(self.table_head);
        let more_rows = self.rows.len() - rows.0.len();

        let mut drift = String::new();
        if !self.drift_head.is_empty() {
            let items = take_fitting(&self.drift_items, room / 5);
            let changes = take_fitting(&self.drift_changes, room / 5);
            drift.push_str(&self.drift_head);
            items.0.iter().for_each(|i| drift.push_str(i));
            if !changes.0.is_empty() {
                drift.push_str(CHANGES_HEAD);
                changes.0.iter().for_each(|c| drift.push_str(c));
            }
            let left =
                (self.drift_items.len() - items.0.len()) + (self.drift_changes.len() - changes.0.len());
            if left > 0 {
                let _ = writeln!(drift, "\n*… and {left} more drift entries in the full report.*");
            }
            drift.push('\n');
            room = room.saturating_sub(length(&drift));
        }

        // Sections in order, stopping at the first that does not fit: the ones shown are the
        // worst, never a later, smaller one in place of an earlier. Each costs its text and the
        // "How to fix" items of rules not shown yet.
        room = room.saturating_sub(length(&fixes_section(&["-"])));
        let mut shown_rules: BTreeSet<&str> = BTreeSet::new();
        let cost = |rules: &[String], shown: &BTreeSet<&str>| -> usize {
            rules
                .iter()
                .filter(|r| !shown.contains(r.as_str()))
                .filter_map(|r| self.fixes.get(r))
                .map(|f| length(f))
                .sum()
        };
        let mut shown_sections = 0;
        let mut sections = String::new();
        for (section, rules) in self.sections.iter().zip(&self.section_rules) {
            let size = length(section) + cost(rules, &shown_rules);
            if size > room {
                break;
            }
            room -= size;
            sections.push_str(section);
            shown_rules.extend(rules.iter().map(String::as_str));
            shown_sections += 1;
        }
        let unassigned_size = length(&self.unassigned) + cost(&self.unassigned_rules, &shown_rules);
        let unassigned = if unassigned_size <= room {
            shown_rules.extend(self.unassigned_rules.iter().map(String::as_str));
            self.unassigned.clone()
        } else if report.unassigned.is_empty() {
            String::new()
        } else {
            format!(
                "## Findings outside any application\n\n{} finding(s), listed in the full report.\n\n",
                report.unassigned.len()
            )
        };
        let fixes: Vec<&str> =
            shown_rules.iter().filter_map(|r| self.fixes.get(*r)).map(String::as_str).collect();

        let apps = report.apps.len();
        let mut out = self.head.clone();
        let _ = writeln!(
            out,
            "> [!NOTE]\n> This report is cut to fit a GitHub comment ({} characters): it lists {} of {apps} applications and shows {shown_sections} in detail, worst first. {pointer}\n",
            options.limit,
            rows.0.len(),
        );
        out.push_str(self.table_head);
        rows.0.iter().for_each(|r| out.push_str(r));
        out.push('\n');
        if more_rows > 0 {
            let left = &report.apps[rows.0.len()..];
            let count = |v: Verdict| left.iter().filter(|a| a.verdict == v).count();
            let _ = writeln!(
                out,
                "*… and {more_rows} more applications ({} not ready, {} at risk, {} ready) in the full report.*\n",
                count(Verdict::NotReady),
                count(Verdict::AtRisk),
                count(Verdict::Ready)
            );
        }
        out.push_str(&drift);
        out.push_str(&sections);
        if shown_sections < apps {
            let _ = writeln!(
                out,
                "*Details of {} more applications are in the full report.*\n",
                apps - shown_sections
            );
        }
        out.push_str(&unassigned);
        out.push_str(&fixes_section(&fixes));
        out.push_str(&self.unknowns);
        out.push_str(&self.collection_head);
        errors.0.iter().for_each(|e| out.push_str(e));
        let more_errors = self.collection_errors.len() - errors.0.len();
        if more_errors > 0 {
            let _ = writeln!(out, "- … and {more_errors} more collection errors in the full report");
        }
        out.push_str(&self.collection_tail);
        if length(&out) > options.limit {
            // Only when the parts always kept are longer than the limit by themselves.
            return cut(&out, options.limit, &pointer);
        }
        out
    }
}

/// The leading items that fit in `room`, and their length.
fn take_fitting(items: &[String], room: usize) -> (&[String], usize) {
    let mut used = 0;
    let mut count = 0;
    for item in items {
        let size = length(item);
        if used + size > room {
            break;
        }
        used += size;
        count += 1;
    }
    (&items[..count], used)
}

/// `text` cut at a line boundary so that it and a closing pointer fit in `limit`.
fn cut(text: &str, limit: usize, pointer: &str) -> String {
    let closing = format!("\n\n*… cut to fit {limit} characters. {pointer}*\n");
    let room = limit.saturating_sub(length(&closing));
    let mut out = String::new();
    let mut used = 0;
    for line in text.split_inclusive('\n') {
        let size = length(line);
        if used + size > room {
            break;
        }
        used += size;
        out.push_str(line);
    }
    out.push_str(&closing);
    out
}

fn render_app(out: &mut String, app: &AppSection<'_>) {
    let _ = writeln!(out, "## {} — {} ({}/100)\n", name(&app.name), verdict_icon(app.verdict), app.score);
    if let Some(estimate) = &app.estimate {
        render_estimate(out, estimate);
    }
    if !app.paths.is_empty() {
        out.push_str("```mermaid\nflowchart LR\n");
        for (p, path) in app.paths.iter().enumerate() {
            for (n, node) in path.nodes.iter().enumerate() {
                let label = mermaid_label(&format!("{}: {}", node.kind, node.label));
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
        against(estimate.rto, estimate.rto_target_seconds),
        against(estimate.rpo, estimate.rpo_target_seconds)
    );
    out.push_str("| Term | Value | From |\n|---|---|---|\n");
    for (kind, terms) in [("RTO", &estimate.rto_terms), ("RPO", &estimate.rpo_terms)] {
        for term in terms {
            let value = match term.value {
                Value::Seconds(_) => term.value.text(),
                Value::Unbounded | Value::Unknown => format!("**{}**", term.value.text()),
            };
            let _ = writeln!(out, "| {kind}: {} | {value} | {} |", cell(&term.name), cell(&term.source));
        }
    }
    out.push('\n');
}

fn render_findings(out: &mut String, findings: &[&Finding]) {
    out.push_str("| Severity | Status | Rule | Resource | Finding |\n|---|---|---|---|---|\n");
    for f in findings {
        let _ = writeln!(
            out,
            "| {} | {} | `{}` {} | {} | {} |",
            f.severity,
            f.status.as_str(),
            f.code,
            f.rule,
            code(&f.resource.id),
            cell(&crate::output::message_with_waiver(f))
        );
    }
    out.push('\n');
}

/// One rule's "How to fix" as a list item: the rule's Markdown as written, each line indented
/// under the item so that wrapped lines and later paragraphs stay inside it. Empty when the
/// rule documents no fix.
fn fix_item(rule: &str) -> String {
    let fix = remediation(rule);
    if fix.is_empty() {
        return String::new();
    }
    format!("- **{rule}**: {}\n", fix.replace('\n', "\n  ").replace("\n  \n", "\n\n"))
}

/// "How to fix" once for every rule with a finding shown, collapsed.
fn fixes_section(items: &[&str]) -> String {
    let items: Vec<&str> = items.iter().copied().filter(|i| !i.is_empty()).collect();
    if items.is_empty() {
        return String::new();
    }
    let mut out =
        String::from("## How to fix\n\n<details><summary>Each rule with a finding above</summary>\n\n");
    items.iter().for_each(|i| out.push_str(i));
    out.push_str("\n</details>\n\n");
    out
}

/// The rules of some findings, in order.
fn rules_of<'f>(findings: impl IntoIterator<Item = &'f &'f Finding>) -> BTreeSet<&'f str> {
    findings.into_iter().map(|f| f.rule.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mermaid's `#code;` entities back to characters.
    fn decode(label: &str) -> String {
        let mut out = String::new();
        let mut rest = label;
        while let Some(at) = rest.find('#') {
            out.push_str(&rest[..at]);
            let end = rest[at..].find(';').expect("entity closed") + at;
            let code: u32 = rest[at + 1..end].parse().expect("decimal entity");
            out.push(char::from_u32(code).expect("a character"));
            rest = &rest[end + 1..];
        }
        out + rest
    }

    #[test]
    fn mermaid_labels_hold_any_name() {
        let name = "web \"prod\" [blue] <b>#1; `x` a|b {c} \\ & é\nnext";
        let label = mermaid_label(name);
        for syntax in ['"', '<', '>', '`', '|', '[', ']', '{', '}', '\\', '&', '\n'] {
            assert!(!label.contains(syntax), "{syntax:?} left in {label}");
        }
        assert_eq!(decode(&label), name.replace('\n', " "));
    }

    #[test]
    fn code_spans_and_cells_hold_any_text() {
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(cell("a|b\n<c>"), "a\\|b &lt;c&gt;");
        assert_eq!(name("*web*_[1]#"), "\\*web\\*\\_\\[1\\]\\#");
    }

    #[test]
    fn the_cut_keeps_whole_lines_and_the_pointer() {
        let text = "line one\nline two\nline three\n";
        let out = cut(text, 60, "see x");
        assert!(length(&out) <= 60, "{out}");
        assert!(out.starts_with("line one\n"), "{out}");
        assert!(out.ends_with("see x*\n"), "{out}");
    }
}
