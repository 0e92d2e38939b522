//! The machine-readable outputs as contracts: JSON shaped as SPEC §4, SARIF valid against the
//! official SARIF 2.1.0 schema (vendored in tests/schemas) with what GitHub code scanning needs,
//! and insta snapshots of text and JSON for the reference architecture.

use drscan::audit::{self, GatePolicy};
use drscan::inventory::Snapshot;
use drscan::output::{self, Format, Origin, RunInfo};
use drscan::settings::Settings;
use serde_json::Value;

const REFERENCE: &str = "fixtures/reference-architecture.json";

fn render(format: Format) -> String {
    let text = std::fs::read_to_string(REFERENCE).expect("fixture");
    let origin = Origin::of_snapshot(REFERENCE, &text);
    let snapshot = Snapshot::parse(REFERENCE, text).expect("fixture parses");
    let gate = GatePolicy::default();
    let report = audit::run(&snapshot, &Settings::default(), gate);
    let info = RunInfo { snapshot: &snapshot, gate, origin, color: false };
    output::render(format, &report, &info)
}

#[test]
fn json_follows_the_spec_contract() {
    let doc: Value = serde_json::from_str(&render(Format::Json)).expect("valid JSON");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["drscan_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["regions"], serde_json::json!({"primary": "ap-south-1", "dr": "us-east-1"}));
    assert_eq!(doc["account"], "123456789012");
    let summary = &doc["summary"];
    for key in ["fail", "unknown", "waived", "pass"] {
        assert!(summary[key].is_u64(), "summary.{key} is a count");
    }
    assert_eq!(summary["gate"], "failed");
    assert!(doc["estimates"].is_array());
    let findings = doc["findings"].as_array().expect("findings array");
    assert_eq!(
        findings.len() as u64,
        summary["fail"].as_u64().unwrap() + summary["unknown"].as_u64().unwrap()
    );
    for finding in findings {
        for key in ["rule", "code", "severity", "status", "message", "fingerprint"] {
            assert!(finding[key].is_string(), "finding.{key} is a string in {finding}");
        }
        for key in ["arn", "id", "type"] {
            assert!(finding["resource"][key].is_string(), "resource.{key} in {finding}");
        }
        assert!(finding["evidence"].is_object());
        assert!(finding["app"].is_string() || finding["app"].is_null());
        assert!(
            ["critical", "high", "medium", "low", "info"].contains(&finding["severity"].as_str().unwrap())
        );
        assert!(["fail", "unknown", "waived"].contains(&finding["status"].as_str().unwrap()));
    }
    let ami = findings.iter().find(|f| f["rule"] == "ami-missing-in-dr").expect("AMI finding");
    assert_eq!(ami["code"], "DR101");
    assert_eq!(ami["resource"]["type"], "ec2:image");
    assert_eq!(ami["resource"]["region"], "ap-south-1");
    assert_eq!(ami["app"], "web");
    assert_eq!(
        ami["evidence"]["matched_by"],
        serde_json::json!(["source-image-id", "tag:drscan:source-ami", "name"])
    );
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let vendored = std::fs::read_to_string("tests/schemas/sarif-schema-2.1.0.json").expect("schema");
    // The published 2.1.0 schema has a malformed `run.language` pattern (a stray `]`) that strict
    // regex engines refuse; OASIS errata 01 corrects it to this. drscan never emits `language`.
    let vendored = vendored.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}$|^[a-zA-Z]{2}-[a-zA-Z]{2}$""#,
    );
    let schema: Value = serde_json::from_str(&vendored).expect("schema JSON");
    let validator = jsonschema::draft7::new(&schema).expect("schema compiles");
    let sarif: Value = serde_json::from_str(&render(Format::Sarif)).expect("valid JSON");
    let errors: Vec<String> =
        validator.iter_errors(&sarif).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF schema violations:\n{}", errors.join("\n"));

    // What GitHub code scanning relies on beyond the schema.
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].is_string());
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), drscan::rules::RULES.len());
    for rule in rules {
        for key in ["shortDescription", "fullDescription", "help"] {
            assert!(rule[key]["text"].is_string(), "{key} on {}", rule["id"]);
        }
        assert!(rule["help"]["markdown"].is_string());
        assert!(
            rule["helpUri"]
                .as_str()
                .unwrap()
                .ends_with(&format!("rules/{}.md", rule["id"].as_str().unwrap()))
        );
        let score: f64 = rule["properties"]["security-severity"].as_str().unwrap().parse().unwrap();
        assert!((0.0..=10.0).contains(&score));
        assert!(rule["properties"]["tags"].is_array());
    }
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    let mut hashes = std::collections::HashSet::new();
    for result in results {
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        let location = &result["locations"][0];
        assert_eq!(location["logicalLocations"][0]["kind"], "resource");
        assert!(
            location["logicalLocations"][0]["fullyQualifiedName"].as_str().unwrap().starts_with("arn:aws:")
        );
        assert_eq!(location["physicalLocation"]["artifactLocation"]["uri"], REFERENCE);
        assert_eq!(location["physicalLocation"]["region"]["startLine"], 5);
        let hash = result["partialFingerprints"]["primaryLocationLineHash"].as_str().unwrap().to_string();
        assert!(hashes.insert(hash), "findings sharing a line must keep distinct fingerprints");
    }
}

#[test]
fn text_output_of_the_reference_architecture() {
    insta::assert_snapshot!("reference_text", render(Format::Text));
}

#[test]
fn json_output_of_the_reference_architecture() {
    insta::assert_snapshot!("reference_json", render(Format::Json));
}
