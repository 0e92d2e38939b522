//! The organization report, from a [`RollUp`] (and its drift against the previous one): the
//! headline counts, the accounts worst first, the rules that fail in the most accounts, and
//! what changed since the previous roll-up — as a self-contained HTML page, as Markdown (for a
//! CI job summary), and as the text `drscan audit --org` prints.

use super::drift::OrgDrift;
use super::{AccountEntry, AccountVerdict, BySeverity, RollUp};
use crate::audit::GateResult;
use crate::report::html::esc;
use crate::report::markdown::cell;
use std::fmt::Write;

/// The Markdown report lists this many accounts (worst first) and says how many it left out:
/// a job summary or comment of a thousand rows is read by nobody and cut by GitHub.
pub const MARKDOWN_ACCOUNTS: usize = 100;
/// Rules listed in the "fail most often" table.
const TOP_RULES: usize = 15;

fn severities(counts: &BySeverity) -> String {
    let parts: Vec<String> = [
        ("critical", counts.critical),
        ("high", counts.high),
        ("medium", counts.medium),
        ("low", counts.low),
        ("info", counts.info),
    ]
    .iter()
    .filter(|(_, n)| *n > 0)
    .map(|(name, n)| format!("{n} {name}"))
    .collect();
    if parts.is_empty() { "none".to_string() } else { parts.join(", ") }
}

fn score(entry: &AccountEntry) -> String {
    entry.score.map_or_else(|| "–".to_string(), |s| s.to_string())
}

/// What the account's row says beyond its counts: why it is unreadable, or its worst rules.
fn detail(entry: &AccountEntry) -> String {
    if let Some(error) = &entry.error {
        return format!("{}: {}", error.cause, error.message);
    }
    let mut rules: Vec<(&String, &usize)> = entry.failing_rules.iter().collect();
    rules.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    rules.iter().take(3).map(|(rule, n)| format!("{rule} ×{n}")).collect::<Vec<_>>().join(", ")
}

fn headline(rollup: &RollUp) -> String {
    let s = &rollup.summary;
    let gate = match rollup.gate.result {
        GateResult::Passed => "gate passed",
        GateResult::Failed => "gate failed",
    };
    let mut line = format!(
        "{} accounts: {} not ready, {} unreadable, {} at risk, {} ready; {gate} ({} accounts failed it)",
        s.accounts, s.not_ready, s.unreadable, s.at_risk, s.ready, s.gate_failed
    );
    let missing = rollup.shards.missing();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|k| format!("{k}/{}", rollup.shards.count)).collect();
        let _ = write!(line, "; shards missing: {}", list.join(", "));
    }
    line
}

/// The text summary: the headline, then every account that is not ready, one per line.
pub fn text(rollup: &RollUp) -> String {
    let mut out = format!("drscan organization: {}\n", headline(rollup));
    for entry in rollup.worst_first() {
        if entry.verdict == AccountVerdict::Ready && entry.gate == GateResult::Passed {
            continue;
        }
        let _ = writeln!(
            out,
            "  {:<10} {} {} ({}/{}) score {} — fail: {}; unknown: {}{}",
            entry.verdict.label(),
            entry.account,
            if entry.name.is_empty() { "-" } else { &entry.name },
            entry.regions.primary,
            entry.regions.dr,
            score(entry),
            severities(&entry.fail),
            severities(&entry.unknown),
            match detail(entry) {
                d if d.is_empty() => String::new(),
                d => format!(" — {d}"),
            }
        );
    }
    out
}

pub fn markdown(rollup: &RollUp, drift: Option<&OrgDrift>) -> String {
    let mut out = String::from("# DR readiness of the organization\n\n");
    let _ = writeln!(out, "**{}**\n", cell(&headline(rollup)));
    let _ = writeln!(
        out,
        "Findings across the organization — fail: {}; unknown: {}. Generated {} by drscan {}.\n",
        severities(&rollup.summary.fail),
        severities(&rollup.summary.unknown),
        rollup.generated_at,
        rollup.drscan_version
    );
    out.push_str("## Accounts, worst first\n\n| Account | Name | Regions | Verdict | Score | Fail | Unknown | Detail |\n|---|---|---|---|---|---|---|---|\n");
    let accounts = rollup.worst_first();
    for entry in accounts.iter().take(MARKDOWN_ACCOUNTS) {
        let _ = writeln!(
            out,
            "| {} | {} | {} → {} | {} | {} | {} | {} | {} |",
            entry.account,
            cell(&entry.name),
            entry.regions.primary,
            entry.regions.dr,
            entry.verdict.label(),
            score(entry),
            severities(&entry.fail),
            severities(&entry.unknown),
            cell(&detail(entry))
        );
    }
    if accounts.len() > MARKDOWN_ACCOUNTS {
        let _ = writeln!(
            out,
            "\n{} more accounts (the best ones) are in the roll-up JSON and the HTML report.",
            accounts.len() - MARKDOWN_ACCOUNTS
        );
    }
    out.push_str("\n## Rules that fail most often\n\n");
    let rules = rollup.most_failing_rules();
    if rules.is_empty() {
        out.push_str("No rule fails in any account.\n");
    } else {
        out.push_str("| Rule | Accounts | Findings |\n|---|---|---|\n");
        for (rule, accounts, findings) in rules.iter().take(TOP_RULES) {
            let _ = writeln!(out, "| `{rule}` | {accounts} | {findings} |");
        }
    }
    if let Some(drift) = drift {
        out.push_str("\n## Since the previous roll-up\n\n");
        if drift.is_empty() {
            let _ = writeln!(out, "Nothing changed since {}.", drift.since);
        }
        for (label, list) in [("Accounts added", &drift.added), ("Accounts removed", &drift.removed)] {
            if !list.is_empty() {
                let _ = writeln!(out, "- {label}: {}", list.join(", "));
            }
        }
        for change in &drift.changed {
            let _ = writeln!(out, "- {}", cell(&change_line(change)));
        }
    }
    out
}

fn change_line(change: &super::drift::AccountChange) -> String {
    let score = |s: Option<u32>| s.map_or_else(|| "–".to_string(), |s| s.to_string());
    let mut line = format!(
        "{} {}: {} → {} (score {} → {})",
        if change.worse() { "worse" } else { "better" },
        change.account,
        change.verdict_before.label(),
        change.verdict_now.label(),
        score(change.score_before),
        score(change.score_now)
    );
    if !change.newly_failing.is_empty() {
        let _ = write!(line, "; now failing: {}", change.newly_failing.join(", "));
    }
    if !change.fixed.is_empty() {
        let _ = write!(line, "; fixed: {}", change.fixed.join(", "));
    }
    line
}

const STYLE: &str = "body{font:14px/1.45 -apple-system,\"Segoe UI\",Helvetica,Arial,sans-serif;color:#1f2328;margin:0}\
main{max-width:1200px;margin:0 auto;padding:16px}h1{font-size:24px}h2{font-size:19px;margin-top:28px;border-bottom:1px solid #d0d7de}\
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:top}\
th{background:#f6f8fa}td{overflow-wrap:anywhere}.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600;white-space:nowrap}\
.ready{background:#1a7f37}.at_risk{background:#9a6700}.not_ready{background:#cf222e}.unreadable{background:#8250df}.muted{color:#57606a}";

fn badge(verdict: AccountVerdict) -> String {
    let class = match verdict {
        AccountVerdict::Ready => "ready",
        AccountVerdict::AtRisk => "at_risk",
        AccountVerdict::Unreadable => "unreadable",
        AccountVerdict::NotReady => "not_ready",
    };
    format!("<span class=\"badge {class}\">{}</span>", verdict.label())
}

pub fn html(rollup: &RollUp, drift: Option<&OrgDrift>) -> String {
    let mut out = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>DR readiness of the organization</title><style>{STYLE}</style></head><body><main>\n\
         <h1>DR readiness of the organization</h1><p><b>{}</b></p><p class=\"muted\">Findings — fail: {}; unknown: {}. Generated {} by drscan {}.</p>\n",
        esc(&headline(rollup)),
        esc(&severities(&rollup.summary.fail)),
        esc(&severities(&rollup.summary.unknown)),
        esc(&rollup.generated_at),
        esc(&rollup.drscan_version)
    );
    out.push_str("<h2>Accounts, worst first</h2><table><thead><tr><th>Account</th><th>Name</th><th>Regions</th><th>Verdict</th><th>Score</th><th>Fail</th><th>Unknown</th><th>Detail</th></tr></thead><tbody>\n");
    for entry in rollup.worst_first() {
        let account = match &entry.output {
            Some(file) => format!("<a href=\"{}\">{}</a>", esc(file), esc(&entry.account)),
            None => esc(&entry.account),
        };
        let _ = writeln!(
            out,
            "<tr data-verdict=\"{:?}\"><td>{account}</td><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            entry.verdict,
            esc(&entry.name),
            esc(&entry.regions.primary),
            esc(&entry.regions.dr),
            badge(entry.verdict),
            score(entry),
            esc(&severities(&entry.fail)),
            esc(&severities(&entry.unknown)),
            esc(&detail(entry))
        );
    }
    out.push_str("</tbody></table>\n<h2>Rules that fail most often</h2>\n");
    let rules = rollup.most_failing_rules();
    if rules.is_empty() {
        out.push_str("<p>No rule fails in any account.</p>\n");
    } else {
        out.push_str(
            "<table><thead><tr><th>Rule</th><th>Accounts</th><th>Findings</th></tr></thead><tbody>\n",
        );
        for (rule, accounts, findings) in rules.iter().take(TOP_RULES) {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{accounts}</td><td>{findings}</td></tr>",
                esc(rule)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    if let Some(drift) = drift {
        out.push_str("<h2>Since the previous roll-up</h2><ul>\n");
        if drift.is_empty() {
            let _ = writeln!(out, "<li>Nothing changed since {}.</li>", esc(&drift.since));
        }
        for (label, list) in [("Accounts added", &drift.added), ("Accounts removed", &drift.removed)] {
            if !list.is_empty() {
                let _ = writeln!(out, "<li>{label}: {}</li>", esc(&list.join(", ")));
            }
        }
        for change in &drift.changed {
            let _ = writeln!(out, "<li>{}</li>", esc(&change_line(change)));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</main></body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::GatePolicy;
    use crate::inventory::RegionPair;
    use crate::organization::tests::{entry, whole};
    use crate::organization::{AccountError, AccountRef};

    fn rollup() -> RollUp {
        let unreadable = AccountEntry::unreadable(
            &AccountRef {
                id: "222222222222".into(),
                name: "payments <prod>".into(),
                regions: RegionPair { primary: "ap-south-1".into(), dr: "us-east-1".into() },
            },
            AccountError { cause: "role-not-assumable".into(), message: "AccessDenied".into() },
            GatePolicy::default(),
            1,
        );
        RollUp::new(
            vec![
                entry("111111111111", AccountVerdict::Ready, Some(100), None),
                unreadable,
                entry("333333333333", AccountVerdict::NotReady, Some(40), Some("ami-missing-in-dr")),
            ],
            GatePolicy::default(),
            whole(),
            1,
        )
    }

    #[test]
    fn every_rendering_puts_the_worst_account_first_and_names_the_unreadable_one() {
        let rollup = rollup();
        for rendered in [text(&rollup), markdown(&rollup, None), html(&rollup, None)] {
            let worst = rendered.find("333333333333").expect("the failing account");
            let unreadable = rendered.find("222222222222").expect("the unreadable account");
            assert!(worst < unreadable, "{rendered}");
            assert!(rendered.contains("role-not-assumable: AccessDenied"), "{rendered}");
        }
        assert!(!text(&rollup).contains("111111111111"), "the text lists only accounts needing attention");
        assert!(html(&rollup, None).contains("payments &lt;prod&gt;"), "names are escaped");
        assert!(markdown(&rollup, None).contains("| `ami-missing-in-dr` | 1 | 1 |"));
    }

    #[test]
    fn drift_is_shown_when_there_is_a_previous_roll_up() {
        let previous = RollUp::new(
            vec![entry("333333333333", AccountVerdict::Ready, Some(100), None)],
            GatePolicy::default(),
            whole(),
            1,
        );
        let current = rollup();
        let drift = crate::organization::drift::compare(&previous, &current);
        let rendered = markdown(&current, Some(&drift));
        assert!(
            rendered.contains(
                "worse 333333333333: Ready → Not ready (score 100 → 40); now failing: ami-missing-in-dr"
            ),
            "{rendered}"
        );
        assert!(rendered.contains("Accounts added: 111111111111, 222222222222"), "{rendered}");
    }
}
