//! Per-rule fixtures (`fixtures/rules/<rule>/{pass,fail,unknown}.json`) and the rule catalog's
//! invariants, checked generically over `drscan::rules::RULES` so that a rule added to the
//! registry is covered — and fails here until it has its three fixtures.

use drscan::audit::{self, AuditReport, GatePolicy, RuleCounts};
use drscan::findings::{Finding, Status};
use drscan::inventory::Snapshot;
use drscan::output::{Origin, RunInfo, text};
use drscan::rules::{DOC_SECTIONS, RULES, Rule, RuleGroup};
use drscan::settings::Settings;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

const CASES: [&str; 3] = ["pass", "fail", "unknown"];

fn fixture_path(rule: &str, case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules").join(rule).join(format!("{case}.json"))
}

fn load(rule: &str, case: &str) -> Snapshot {
    let path = fixture_path(rule, case);
    assert!(path.is_file(), "rule {rule} has no {case} fixture at {}", path.display());
    Snapshot::load(&path).unwrap_or_else(|e| panic!("{} does not load: {e:?}", path.display()))
}

fn audit(snapshot: &Snapshot) -> AuditReport {
    audit::run(snapshot, &Settings::default(), GatePolicy::default())
}

fn findings_of<'r>(report: &'r AuditReport, rule: &str) -> Vec<&'r Finding> {
    report.findings.iter().filter(|f| f.rule == rule).collect()
}

fn counts_of(report: &AuditReport, rule: &str) -> RuleCounts {
    report.counts.get(rule).cloned().unwrap_or_else(|| panic!("no counts for rule {rule}"))
}

/// Every rule of the registry, with one line per failure so that a broken fixture names itself.
fn for_each_rule(check: impl Fn(&dyn Rule) -> Result<(), String>) {
    let failures: Vec<String> = RULES.iter().filter_map(|rule| check(*rule).err()).collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn describe(findings: &[&Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("  {} {}: {}", f.status.as_str(), f.resource.id, f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_rule_has_pass_fail_and_unknown_fixtures_that_load() {
    for_each_rule(|rule| {
        let name = rule.meta().name;
        for case in CASES {
            let path = fixture_path(name, case);
            if !path.is_file() {
                return Err(format!("{name}: missing {}", path.display()));
            }
            Snapshot::load(&path).map_err(|e| format!("{name}: {} does not load: {e:?}", path.display()))?;
        }
        Ok(())
    });
}

#[test]
fn pass_fixtures_evaluate_resources_and_report_nothing() {
    for_each_rule(|rule| {
        let name = rule.meta().name;
        let report = audit(&load(name, "pass"));
        let findings = findings_of(&report, name);
        if !findings.is_empty() {
            return Err(format!("{name}/pass.json: expected no findings, got\n{}", describe(&findings)));
        }
        if counts_of(&report, name).pass == 0 {
            return Err(format!("{name}/pass.json: the rule evaluated no resource (pass count 0)"));
        }
        Ok(())
    });
}

#[test]
fn fail_fixtures_report_a_failure() {
    for_each_rule(|rule| {
        let name = rule.meta().name;
        let report = audit(&load(name, "fail"));
        let findings = findings_of(&report, name);
        if !findings.iter().any(|f| f.status == Status::Fail) {
            return Err(format!("{name}/fail.json: expected a fail finding, got\n{}", describe(&findings)));
        }
        Ok(())
    });
}

#[test]
fn unknown_fixtures_report_unknown_naming_the_missing_data() {
    for_each_rule(|rule| {
        let name = rule.meta().name;
        let report = audit(&load(name, "unknown"));
        let findings = findings_of(&report, name);
        let unknown: Vec<&&Finding> = findings.iter().filter(|f| f.status == Status::Unknown).collect();
        if unknown.is_empty() {
            return Err(format!(
                "{name}/unknown.json: expected an unknown finding, got\n{}",
                describe(&findings)
            ));
        }
        if let Some(f) = unknown.iter().find(|f| !f.evidence.contains_key("missing_data")) {
            return Err(format!(
                "{name}/unknown.json: unknown finding on {} has no missing_data",
                f.resource.id
            ));
        }
        Ok(())
    });
}

/// The CLI's text output (colour off) for one fixture, restricted to one rule's findings and counts.
fn render_rule(rule: &str, case: &str) -> String {
    let snapshot = load(rule, case);
    let gate = GatePolicy::default();
    let mut report = audit(&snapshot);
    report.findings.retain(|f| f.rule == rule);
    report.counts.retain(|name, _| *name == rule);
    // The estimate table belongs to the readiness rules' output only.
    if drscan::rules::find(rule).is_none_or(|r| r.meta().group != RuleGroup::Readiness) {
        report.estimates.clear();
    }
    report.gate = audit::decide_gate(&report.findings, gate);
    let origin = Origin::default();
    text::render(&report, &RunInfo { snapshot: &snapshot, gate, origin, color: false })
}

#[test]
fn fail_and_unknown_output_snapshots() {
    for rule in RULES {
        let name = rule.meta().name;
        for case in ["fail", "unknown"] {
            let output = render_rule(name, case);
            let description = format!("fixtures/rules/{name}/{case}.json");
            insta::with_settings!({ description => description, omit_expression => true }, {
                insta::assert_snapshot!(format!("{name}__{case}"), output);
            });
        }
    }
}

#[test]
fn rule_documentation_has_every_section_in_order() {
    for_each_rule(|rule| {
        let meta = rule.meta();
        let doc = meta.documentation();
        let mut from = 0;
        for section in DOC_SECTIONS {
            let heading = format!("## {section}\n");
            match doc[from..].find(&heading) {
                Some(at) => from += at + heading.len(),
                None => return Err(format!("{}: section `## {section}` missing or out of order", meta.name)),
            }
            if meta.section(section).is_none_or(|body| body.is_empty()) {
                return Err(format!("{}: section `## {section}` is empty", meta.name));
            }
        }
        Ok(())
    });
}

#[test]
fn rule_names_are_kebab_case_and_codes_unique() {
    let mut names = HashSet::new();
    let mut codes = HashSet::new();
    for_each_rule(|rule| {
        let meta = rule.meta();
        let kebab = !meta.name.is_empty()
            && meta.name.split('-').all(|word| {
                !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
        if !kebab {
            return Err(format!("{}: name is not kebab-case", meta.name));
        }
        let code = meta.code.as_bytes();
        if !(code.len() == 5 && code.starts_with(b"DR") && code[2..].iter().all(u8::is_ascii_digit)) {
            return Err(format!("{}: code {} does not match DR\\d{{3}}", meta.name, meta.code));
        }
        Ok(())
    });
    for rule in RULES {
        let meta = rule.meta();
        assert!(names.insert(meta.name), "rule name {} is registered twice", meta.name);
        assert!(codes.insert(meta.code), "rule code {} is used by two rules", meta.code);
    }
}

/// Regression (src/inventory/graph.rs, `elb_region`): in an NLB name such as
/// `web-dr-nlb-0a1b2c3d4e5f6789.elb.us-east-1.amazonaws.com` the label *before* `elb` also has
/// two hyphens; taking it for the region made the dangling alias `unknown` ("is in
/// web-dr-nlb-0a1b2c3d4e5f6789, which drscan did not collect") instead of `fail`. The label
/// after `elb` is preferred when it looks like a region.
#[test]
fn dangling_alias_to_an_nlb_fails_rather_than_unknown() {
    use drscan::inventory::Known;
    let mut snapshot = load("failover-target-missing", "fail");
    let zone = &mut snapshot.resources.global.hosted_zones[0];
    let Known::Value(records) = &mut zone.record_sets else { panic!("fixture zone records are known") };
    let hop = records.iter_mut().find(|r| r.name == "dr.app.example.com.").expect("the in-zone alias hop");
    let alias = hop.alias_target.as_mut().expect("an alias record");
    alias.dns_name = "web-dr-nlb-0a1b2c3d4e5f6789.elb.us-east-1.amazonaws.com.".to_string();
    alias.hosted_zone_id = "Z26RNL4JYFTOTI".to_string();

    let report = audit(&snapshot);
    let findings = findings_of(&report, "failover-target-missing");
    assert!(
        findings
            .iter()
            .any(|f| f.status == Status::Fail && f.message.contains("matches no load balancer in us-east-1")),
        "expected a fail naming us-east-1, got\n{}",
        describe(&findings)
    );
}

/// Regression (src/inventory/graph.rs, `Inventory::resolve_alias`): an in-zone alias hop was
/// looked up by name only, so a SECONDARY `AAAA` aliasing `dr.app.example.com.` followed the
/// `A` record of that name. Route 53 resolves an in-zone alias to the record of the same type;
/// here the `AAAA` record names a load balancer that does not exist, so the `AAAA` SECONDARY
/// fails.
#[test]
fn in_zone_alias_hop_follows_the_record_of_the_same_type() {
    use drscan::inventory::Known;
    let mut snapshot = load("failover-target-missing", "pass");
    let zone = &mut snapshot.resources.global.hosted_zones[0];
    let Known::Value(records) = &mut zone.record_sets else { panic!("fixture zone records are known") };
    let mut added = Vec::new();
    for record in records.iter() {
        let mut aaaa = record.clone();
        aaaa.record_type = "AAAA".to_string();
        if record.name == "dr.app.example.com." {
            let alias = aaaa.alias_target.as_mut().expect("an alias record");
            alias.dns_name = "dualstack.web-dr-9999999999.us-east-1.elb.amazonaws.com.".to_string();
            added.push(aaaa);
        } else if record.failover.is_some() {
            added.push(aaaa);
        }
    }
    records.extend(added);

    let report = audit(&snapshot);
    let findings = findings_of(&report, "failover-target-missing");
    assert!(
        findings.iter().any(|f| f.status == Status::Fail && f.resource.id.contains("AAAA")),
        "expected the AAAA SECONDARY to fail, got\n{}",
        describe(&findings)
    );
}
