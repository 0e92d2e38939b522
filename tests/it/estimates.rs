//! The RTO/RPO estimate (SPEC §6) on the reference architecture: every term carries its value
//! and source, a backup-only EFS sets the RPO whatever the replica lag says, and the reference
//! design's own targets (RTO 2 min, RPO 30 s) make both target rules fire with the terms that
//! break them.

use drscan::audit::{self, AuditReport, GatePolicy};
use drscan::estimate::{Amount, AppEstimate, DeclaredAutomation, FailoverStep, Targets};
use drscan::findings::{Finding, Severity, Status};
use drscan::inventory::Snapshot;
use drscan::output::{self, Format, Origin, RunInfo};
use drscan::settings::Settings;

const REFERENCE: &str = "fixtures/reference-architecture.json";

fn reference() -> Snapshot {
    Snapshot::load(std::path::Path::new(REFERENCE)).expect("the reference fixture loads")
}

fn with_targets() -> Settings {
    Settings { targets: Targets { rto_seconds: Some(120), rpo_seconds: Some(30) }, ..Settings::default() }
}

fn web(report: &AuditReport) -> &AppEstimate {
    report.estimates.iter().find(|e| e.app == "web").expect("an estimate for web")
}

fn finding<'r>(report: &'r AuditReport, rule: &str, app: &str) -> &'r Finding {
    report
        .findings
        .iter()
        .find(|f| f.rule == rule && f.app.as_deref() == Some(app))
        .unwrap_or_else(|| panic!("no {rule} finding for {app}"))
}

#[test]
fn backup_only_efs_sets_an_rpo_of_about_a_day_whatever_the_replica_lag() {
    let report = audit::run(&reference(), &Settings::default(), GatePolicy::default());
    let web = web(&report);
    let rpo = web.rpo.seconds().expect("a bounded RPO");
    // Daily cron in Asia/Kolkata (24 h) + 60 min start window + the observed copy time (31m 35s).
    assert_eq!(rpo, 86_400 + 3_600 + 1_895);
    let efs = web.rpo_terms.iter().find(|t| t.store == "efs fs-0a1b2c3d4e5f60718").expect("EFS term");
    assert!(efs.critical_path);
    assert!(efs.source.contains("web-daily-dr-copy"), "{}", efs.source);
    assert!(efs.source.contains("Asia/Kolkata"), "{}", efs.source);
    // The replica lag (21 min at its peak) is smaller and does not set the RPO.
    let rds = web.rpo_terms.iter().find(|t| t.store == "rds orders-db").expect("RDS term");
    assert_eq!(rds.amount, Amount::Seconds(1_260));
    assert!(!rds.critical_path);
}

#[test]
fn every_rto_term_has_a_value_and_a_source() {
    let report = audit::run(&reference(), &Settings::default(), GatePolicy::default());
    let web = web(&report);
    // detection 90 s (health check 30 s × 3) + restore from backup, started by hand
    // (15 min + 1 h) + alias TTL 60 s.
    assert_eq!(web.rto, Amount::Seconds(90 + 900 + 3_600 + 60));
    let steps: Vec<&str> = web.rto_terms.iter().map(|t| t.step.as_str()).collect();
    for step in ["detection", "dns-ttl", "dr-scale-out", "replica-promotion", "restore-from-backup"] {
        assert!(steps.contains(&step), "{step} missing from {steps:?}");
    }
    for term in &web.rto_terms {
        assert!(!term.source.is_empty(), "{} has no source", term.step);
    }
    let detection = web.rto_terms.iter().find(|t| t.step == "detection").expect("detection");
    assert_eq!(detection.amount, Amount::Seconds(90));
    assert!(detection.source.contains("RequestInterval 30 s × FailureThreshold 3"));
    // The pilot-light DR tier starts from zero: launch + one target-group interval + a manual decision.
    let scale = web.rto_terms.iter().find(|t| t.step == "dr-scale-out").expect("scale-out");
    assert_eq!(scale.amount, Amount::Seconds(900 + 180 + 15));
}

#[test]
fn the_reference_targets_make_both_target_rules_fire_with_the_breaking_terms() {
    let report = audit::run(&reference(), &with_targets(), GatePolicy::default());
    let rto = finding(&report, "rto-target-exceeded", "web");
    assert_eq!(rto.status, Status::Fail);
    assert_eq!(rto.severity, Severity::High);
    assert_eq!(rto.evidence["target_seconds"], 120);
    let breaking: Vec<&str> = rto.evidence["breaking_terms"]
        .as_array()
        .expect("terms")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(breaking, ["detection", "dns-ttl", "restore-from-backup"]);
    // 1 h 17 min 30 s, shown rounded up (issue 12: RTO/RPO are never shown smaller than they are).
    assert!(rto.message.contains("1h 18m"), "{}", rto.message);

    let rpo = finding(&report, "rpo-target-exceeded", "web");
    assert_eq!(rpo.status, Status::Fail);
    assert_eq!(rpo.resource.id, "fs-0a1b2c3d4e5f60718");
    let breaking: Vec<&str> = rpo.evidence["breaking_terms"]
        .as_array()
        .expect("terms")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    // Every store above a 30 s target is named with its value and source (the DynamoDB
    // table's 2 s replication latency is not).
    assert_eq!(breaking, ["rds orders-db", "efs fs-0a1b2c3d4e5f60718", "s3 web-uploads"]);
}

#[test]
fn without_targets_the_target_rules_only_inform() {
    let report = audit::run(&reference(), &Settings::default(), GatePolicy::default());
    for rule in ["rto-target-exceeded", "rpo-target-exceeded"] {
        for finding in report.findings.iter().filter(|f| f.rule == rule) {
            assert_eq!(finding.severity, Severity::Info, "{}", finding.message);
            assert!(finding.message.contains("unbounded"), "{}", finding.message);
        }
    }
    assert!(
        !report.findings.iter().any(|f| f.rule == "rto-target-exceeded" && f.app.as_deref() == Some("web"))
    );
}

#[test]
fn declared_automation_removes_the_manual_decision() {
    let settings = Settings {
        declared_automation: vec![
            DeclaredAutomation { app: Some("web".into()), step: FailoverStep::RestoreFromBackup },
            DeclaredAutomation { app: None, step: FailoverStep::ReplicaPromotion },
        ],
        ..Settings::default()
    };
    let report = audit::run(&reference(), &settings, GatePolicy::default());
    let web = web(&report);
    let restore = web.rto_terms.iter().find(|t| t.step == "restore-from-backup").expect("restore");
    assert_eq!(restore.amount, Amount::Seconds(3_600));
    assert!(restore.source.starts_with("automated (declared in configuration)"));
    let manual: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule == "failover-step-manual" && f.app.as_deref() == Some("web"))
        .map(|f| f.evidence["step"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(manual, ["dr-scale-out"]);
}

#[test]
fn constants_come_from_settings() {
    let mut settings = Settings::default();
    settings.estimate.manual_decision_seconds = 60;
    settings.estimate.backup_restore_seconds = 600;
    let report = audit::run(&reference(), &settings, GatePolicy::default());
    // detection 90 + max(replica promotion 60 + 600, restore 60 + 600, scale-out 60 + 195) + TTL 60.
    assert_eq!(web(&report).rto, Amount::Seconds(90 + 660 + 60));
}

#[test]
fn json_estimates_follow_the_spec_shape() {
    let snapshot = reference();
    let report = audit::run(&snapshot, &with_targets(), GatePolicy::default());
    let info =
        RunInfo { snapshot: &snapshot, gate: GatePolicy::default(), origin: Origin::default(), color: false };
    let doc: serde_json::Value =
        serde_json::from_str(&output::render(Format::Json, &report, &info)).expect("JSON");
    let estimates = doc["estimates"].as_array().expect("estimates");
    assert_eq!(estimates.len(), 4);
    let web = estimates.iter().find(|e| e["app"] == "web").expect("web");
    assert_eq!(web["rto_seconds"], 4_650);
    assert_eq!(web["rpo_seconds"], 91_895);
    assert_eq!(web["targets"], serde_json::json!({"rto_seconds": 120, "rpo_seconds": 30}));
    for term in web["rto_breakdown"].as_array().expect("rto_breakdown") {
        assert!(term["step"].is_string() && term["seconds"].is_u64() && term["source"].is_string(), "{term}");
    }
    for term in web["rpo_breakdown"].as_array().expect("rpo_breakdown") {
        assert!(
            term["store"].is_string() && term["seconds"].is_u64() && term["source"].is_string(),
            "{term}"
        );
    }
    // An unbounded estimate is null, with the reason.
    let api = estimates.iter().find(|e| e["app"] == "api").expect("api");
    assert!(api["rpo_seconds"].is_null());
    assert!(api["rpo_reason"].as_str().expect("reason").contains("fs-0b2c3d4e5f6071829"));
}

/// The reference snapshot with `change` applied to its JSON.
fn reference_with(change: impl FnOnce(&mut serde_json::Value)) -> Snapshot {
    let text = std::fs::read_to_string(REFERENCE).expect("the reference fixture");
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    change(&mut value);
    Snapshot::parse("reference-changed.json", value.to_string()).expect("still a snapshot")
}

fn denied(operation: &str, kinds: &[&str], region: Option<&str>) -> serde_json::Value {
    serde_json::json!({"region": region, "operation": operation, "cause": "access_denied",
                       "message": "not authorized", "kinds": kinds})
}

/// Every unbounded RTO term's source, whichever application it is in.
fn unbounded_terms(report: &AuditReport) -> Vec<String> {
    report
        .estimates
        .iter()
        .flat_map(|e| e.rto_terms.iter().filter(|t| matches!(t.amount, Amount::Unbounded(_))))
        .map(|t| t.source.clone())
        .collect()
}

fn pass_count(report: &AuditReport, rule: &str) -> usize {
    report.counts.get(rule).map(|c| c.pass).unwrap_or_default()
}

/// Regression (issue 11): when DescribeTags failed, load balancers and health checks lost
/// their `app` tags silently: a failover record's application took the record's name, split
/// from the tagged databases and file systems, and passed its RPO target with no data store
/// (RPO 0). Now membership honours `tags_unknown`: the record-named application's RPO and
/// RTO are unknown, and an application no record routes is not "unbounded".
#[test]
fn unreadable_tags_do_not_split_an_application_into_a_passing_half() {
    let clean = audit::run(&reference(), &with_targets(), GatePolicy::default());
    let reason =
        serde_json::json!({"operation": "elbv2:DescribeTags", "cause": "access_denied", "message": "no"});
    let snapshot = reference_with(|value| {
        for region in value["resources"]["regional"].as_object_mut().expect("regions").values_mut() {
            for lb in region["load_balancers"].as_array_mut().into_iter().flatten() {
                lb["tags"] = serde_json::json!({});
                lb["tags_unknown"] = reason.clone();
            }
        }
        for check in value["resources"]["global"]["health_checks"].as_array_mut().into_iter().flatten() {
            check["tags"] = serde_json::json!({});
            check["tags_unknown"] = reason.clone();
        }
    });
    let report = audit::run(&snapshot, &with_targets(), GatePolicy::default());
    let named_after_records: Vec<&AppEstimate> =
        report.estimates.iter().filter(|e| e.app.ends_with(".example.com")).collect();
    assert!(
        !named_after_records.is_empty(),
        "{:?}",
        report.estimates.iter().map(|e| &e.app).collect::<Vec<_>>()
    );
    for estimate in named_after_records {
        assert!(matches!(estimate.rpo, Amount::Unknown(_)), "{}: RPO {:?}", estimate.app, estimate.rpo);
    }
    // Unbounded terms come from the configuration, not from unread tags: the same ones.
    let new_unbounded: Vec<String> =
        unbounded_terms(&report).into_iter().filter(|t| !unbounded_terms(&clean).contains(t)).collect();
    assert!(new_unbounded.is_empty(), "unbounded from unread tags: {new_unbounded:?}");
    for rule in ["rpo-target-exceeded", "rto-target-exceeded"] {
        assert!(pass_count(&report, rule) <= pass_count(&clean, rule), "{rule} passes grew");
    }
}

/// Regression (issue 11): the estimate read failed listings as absent resources — no Auto
/// Scaling group behind the DR load balancer ("RTO is unbounded"), no failover record at all
/// ("no Route 53 failover record routes this application"), no file system (its restore step
/// dropped) — and `failover-step-manual` dropped the steps it could not evaluate.
#[test]
fn failed_listings_make_steps_unknown_not_unbounded_or_dropped() {
    let settings = Settings::default();
    let clean = audit::run(&reference(), &settings, GatePolicy::default());
    let cases: [(&str, serde_json::Value); 3] = [
        (
            "dr-scale-out",
            denied("autoscaling:DescribeAutoScalingGroups", &["autoscaling:group"], Some("us-east-1")),
        ),
        ("routing", denied("route53:ListHostedZones", &["route53:hosted-zone", "route53:record-set"], None)),
        (
            "break-efs-replication",
            denied("efs:DescribeFileSystems", &["efs:file-system"], Some("ap-south-1")),
        ),
    ];
    for (step, error) in cases {
        let snapshot = reference_with(|value| {
            let errors = value["collection_errors"].as_array_mut().expect("errors");
            errors.push(error.clone());
            let kinds: Vec<String> = error["kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect();
            // The listing failed: what it lists is absent from the snapshot.
            let (region, field) = match kinds[0].as_str() {
                "autoscaling:group" => (Some("us-east-1"), "auto_scaling_groups"),
                "efs:file-system" => (Some("ap-south-1"), "file_systems"),
                _ => (None, "hosted_zones"),
            };
            match region {
                Some(region) => value["resources"]["regional"][region][field] = serde_json::json!([]),
                None => value["resources"]["global"][field] = serde_json::json!([]),
            }
        });
        let report = audit::run(&snapshot, &settings, GatePolicy::default());
        let new_unbounded: Vec<String> =
            unbounded_terms(&report).into_iter().filter(|t| !unbounded_terms(&clean).contains(t)).collect();
        assert!(new_unbounded.is_empty(), "{step}: unbounded from a failed listing: {new_unbounded:?}");
        let unknown_step = report
            .estimates
            .iter()
            .any(|e| e.rto_terms.iter().any(|t| t.step == step && matches!(t.amount, Amount::Unknown(_))));
        assert!(unknown_step, "{step}: no unknown term for the step the listing leaves open");
        if step != "routing" {
            let manual_unknown = report.findings.iter().any(|f| {
                f.rule == "failover-step-manual" && f.status == Status::Unknown && f.evidence["step"] == step
            });
            assert!(
                manual_unknown,
                "{step}: failover-step-manual does not report the step it cannot evaluate"
            );
        }
    }
}
