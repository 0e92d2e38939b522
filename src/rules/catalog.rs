//! The rule catalog as Markdown: one page per rule (also what `drscan explain RULE` prints)
//! and an index, generated from the rule definitions into the repository's `rules/` folder.
//! `tests/catalog.rs` fails when the checked-in pages are stale.

use super::{RULES, RuleGroup, RuleMeta};
use std::fmt::Write;

/// How to regenerate the checked-in catalog.
pub const REGENERATE: &str = "DRSCAN_UPDATE_CATALOG=1 cargo test --test it catalog";

/// One rule's page.
pub fn page(meta: &RuleMeta) -> String {
    format!(
        "# {} ({})\n\nSeverity: {} · Group: {}\n\n{}\n\n{}",
        meta.name,
        meta.code,
        meta.severity,
        meta.group.title(),
        meta.summary,
        meta.documentation()
    )
}

/// File name of a rule's page inside `rules/`.
pub fn page_file(meta: &RuleMeta) -> String {
    format!("{}.md", meta.name)
}

/// `rules/README.md`: every rule by group, with code, severity and summary.
pub fn index() -> String {
    let mut out = String::from("# drscan rule catalog\n\n");
    out.push_str(
        "Every rule drscan runs, by group. Each page says what the rule checks, why it matters for \
         failover, an example, how to fix it and references; `drscan explain RULE` prints the same \
         page.\n\n",
    );
    let _ = writeln!(
        out,
        "These pages are generated from the rule definitions in `src/rules/`; regenerate them with `{REGENERATE}`.\n"
    );
    let groups = [
        RuleGroup::ComputeAndCapacity,
        RuleGroup::LoadBalancingAndDns,
        RuleGroup::Databases,
        RuleGroup::FilesAndBackups,
        RuleGroup::Readiness,
    ];
    for group in groups {
        let mut rules: Vec<&RuleMeta> = RULES.iter().map(|r| r.meta()).filter(|m| m.group == group).collect();
        if rules.is_empty() {
            continue;
        }
        rules.sort_by_key(|m| m.code);
        let _ = writeln!(out, "## {}\n", group.title());
        out.push_str("| code | rule | severity | summary |\n|---|---|---|---|\n");
        for meta in rules {
            let _ = writeln!(
                out,
                "| {} | [{}]({}) | {} | {} |",
                meta.code,
                meta.name,
                page_file(meta),
                meta.severity,
                meta.summary.replace('|', "\\|")
            );
        }
        out.push('\n');
    }
    out.trim_end().to_string() + "\n"
}
