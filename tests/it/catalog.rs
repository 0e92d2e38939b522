//! The checked-in rule catalog (`rules/`) matches the rule definitions: one page per rule, the
//! index, and nothing else. Regenerate with `DRSCAN_UPDATE_CATALOG=1 cargo test --test it catalog`.

use drscan::rules::RULES;
use drscan::rules::catalog::{REGENERATE, index, page, page_file};
use std::collections::BTreeMap;
use std::path::Path;

fn expected() -> BTreeMap<String, String> {
    let mut files: BTreeMap<String, String> =
        RULES.iter().map(|r| (page_file(r.meta()), page(r.meta()))).collect();
    files.insert("README.md".to_string(), index());
    files
}

#[test]
fn the_checked_in_catalog_is_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let expected = expected();
    if std::env::var_os("DRSCAN_UPDATE_CATALOG").is_some() {
        std::fs::create_dir_all(&dir).expect("create rules/");
        for entry in std::fs::read_dir(&dir).expect("read rules/").flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.ends_with(".md") && !expected.contains_key(&name) {
                std::fs::remove_file(entry.path()).expect("remove a stale page");
            }
        }
        for (name, text) in &expected {
            std::fs::write(dir.join(name), text).expect("write a page");
        }
        return;
    }
    let mut stale = Vec::new();
    for (name, text) in &expected {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(found) if found == *text => {}
            Ok(_) => stale.push(format!("rules/{name} is out of date")),
            Err(_) => stale.push(format!("rules/{name} is missing")),
        }
    }
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.ends_with(".md") && !expected.contains_key(&name) {
                stale.push(format!("rules/{name} belongs to no rule"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "the rule catalog is stale:\n  {}\nregenerate it with: {REGENERATE}",
        stale.join("\n  ")
    );
}

#[test]
fn explain_prints_the_catalog_page() {
    for rule in RULES {
        assert_eq!(drscan::cli::explain_text(rule.meta()), page(rule.meta()));
    }
}
