//! DB clusters that are not Aurora: `DescribeDBClusters` also lists Multi-AZ DB clusters
//! (`Engine` `mysql` / `postgres`), DocumentDB (`docdb`) and Neptune (`neptune`) clusters. Their
//! DR copies, lag metrics and failover are not Aurora's, so the Aurora judgements (headless
//! secondary, `AuroraGlobalDBReplicationLag`, global failover time) must not apply to them, and
//! what drscan does not model about them is `unknown` with a sentence saying so.

use drscan::audit::{self, AuditReport, GatePolicy};
use drscan::estimate::Amount;
use drscan::findings::{Finding, Status};
use drscan::inventory::Snapshot;
use drscan::settings::Settings;
use std::path::Path;

fn load(rule: &str, case: &str) -> Snapshot {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules").join(rule).join(format!("{case}.json"));
    Snapshot::load(&path).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
}

/// The headless-secondary fixture (an Aurora global database with a DR secondary that has no
/// instance), with every cluster's engine set to `engine`; without its global database when
/// `global` is false (then the primary cluster has no DR copy at all).
fn clusters(engine: &str, global: bool) -> AuditReport {
    let mut snapshot = load("aurora-secondary-headless", "fail");
    for region in snapshot.resources.regional.values_mut() {
        for cluster in &mut region.db_clusters {
            cluster.engine = engine.to_string();
        }
        if !global {
            region.global_clusters.clear();
        }
    }
    audit::run(&snapshot, &Settings::default(), GatePolicy::default())
}

fn findings<'r>(report: &'r AuditReport, rule: &str, status: Status) -> Vec<&'r Finding> {
    report.findings.iter().filter(|f| f.rule == rule && f.status == status).collect()
}

#[test]
fn the_aurora_control_case_fails_as_aurora() {
    let report = clusters("aurora-postgresql", true);
    assert_eq!(findings(&report, "aurora-secondary-headless", Status::Fail).len(), 1);
    let report = clusters("aurora-postgresql", false);
    let fails = findings(&report, "rds-no-dr-replica", Status::Fail);
    assert_eq!(fails.len(), 1, "{:?}", report.findings);
    assert!(fails[0].message.contains("Aurora cluster api-aurora"), "{}", fails[0].message);
}

#[test]
fn a_documentdb_global_cluster_is_not_judged_as_aurora() {
    let report = clusters("docdb", true);
    // Headless is an Aurora judgement (the instance-creation allowance is Aurora's).
    assert!(findings(&report, "aurora-secondary-headless", Status::Fail).is_empty(), "{:?}", report.findings);
    // Global-cluster membership is engine-neutral: the DR secondary is a DR copy.
    assert!(findings(&report, "rds-no-dr-replica", Status::Fail).is_empty());
    assert!(findings(&report, "rds-no-dr-replica", Status::Unknown).is_empty());
    assert!(report.counts["rds-no-dr-replica"].pass >= 1);
    // Its lag is not AuroraGlobalDBReplicationLag: unknown, saying why.
    let lag = findings(&report, "rds-replica-lag-high", Status::Unknown);
    assert_eq!(lag.len(), 1, "{:?}", report.findings);
    assert!(lag[0].message.contains("DocumentDB cluster api-aurora-dr"), "{}", lag[0].message);
    assert!(
        lag[0].message.contains("models the DR copies, replication lag and failover of Aurora clusters only"),
        "{}",
        lag[0].message
    );
    // The estimate: no Aurora global failover time, no Aurora lag; unknown terms that say so.
    let estimate = report.estimates.iter().find(|e| e.app == "api").expect("the api estimate");
    assert!(
        estimate.rto_terms.iter().all(|t| !t.source.contains("aurora_global_failover")),
        "{:?}",
        estimate.rto_terms
    );
    let step =
        estimate.rto_terms.iter().find(|t| t.step == "global cluster failover").expect("the failover step");
    assert!(
        matches!(&step.amount, Amount::Unknown(r) if r.message.contains("DocumentDB cluster")),
        "{step:?}"
    );
    let rpo =
        estimate.rpo_terms.iter().find(|t| t.store == "documentdb cluster api-aurora").expect("the store");
    assert!(matches!(rpo.amount, Amount::Unknown(_)), "{rpo:?}");
}

#[test]
fn a_multi_az_db_cluster_without_a_dr_copy_is_unknown_not_an_aurora_failure() {
    for (engine, label) in [("postgres", "Multi-AZ DB cluster"), ("neptune", "Neptune cluster")] {
        let report = clusters(engine, false);
        assert!(
            findings(&report, "rds-no-dr-replica", Status::Fail).is_empty(),
            "{engine}: {:?}",
            report.findings
        );
        let unknown = findings(&report, "rds-no-dr-replica", Status::Unknown);
        assert_eq!(unknown.len(), 1, "{engine}: {:?}", report.findings);
        assert!(unknown[0].message.contains(&format!("{label} api-aurora")), "{}", unknown[0].message);
        assert!(unknown[0].message.contains("does not model"), "{}", unknown[0].message);
        let estimate = report.estimates.iter().find(|e| e.app == "api").expect("the api estimate");
        let rpo = estimate.rpo_terms.iter().find(|t| t.store.ends_with("api-aurora")).expect("the store");
        assert!(matches!(&rpo.amount, Amount::Unknown(r) if r.message.contains(label)), "{rpo:?}");
        assert!(rpo.source.contains("Aurora clusters only"), "{}", rpo.source);
    }
}
