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

/// End to end on moto: a Multi-AZ DB cluster (`postgres` with a `DBClusterInstanceClass`) and
/// a Neptune cluster (moto 5.2.5 refuses `docdb` on the RDS API) in the application, without DR copies, are collected with their
/// engines and reported `unknown` (not modeled), not failed as Aurora clusters.
#[test]
fn non_aurora_clusters_collected_from_moto_are_not_judged_as_aurora() {
    use crate::support::seed::{Setup, config, seed};
    use crate::support::{PRIMARY, collect_live, fresh_account, runtime};
    let account = fresh_account();
    runtime().block_on(async {
        seed(&account, &Setup::default()).await;
        let rds = aws_sdk_rds::Client::new(&config(&account, PRIMARY).await);
        let tag = aws_sdk_rds::types::Tag::builder().key("app").value("web").build();
        rds.create_db_cluster()
            .db_cluster_identifier("web-pg")
            .engine("postgres")
            .db_cluster_instance_class("db.m6gd.large")
            .storage_type("io1")
            .allocated_storage(100)
            .iops(1000)
            .master_username("admin")
            .master_user_password("password123")
            .tags(tag.clone())
            .send()
            .await
            .expect("CreateDBCluster (Multi-AZ DB cluster)");
        rds.create_db_cluster()
            .db_cluster_identifier("web-graph")
            .engine("neptune")
            .master_username("admin")
            .master_user_password("password123")
            .tags(tag)
            .send()
            .await
            .expect("CreateDBCluster (Neptune)");
    });
    let live = collect_live(&account, &["--max-attempts", "1"]);
    let snapshot = Snapshot::load(&live.path).expect("snapshot");
    let clusters = &snapshot.resources.regional[PRIMARY].db_clusters;
    let engine = |id: &str| clusters.iter().find(|c| c.id == id).map(|c| c.engine.clone());
    assert_eq!(engine("web-pg").as_deref(), Some("postgres"));
    assert_eq!(engine("web-graph").as_deref(), Some("neptune"));
    let report = audit::run(&snapshot, &Settings::default(), GatePolicy::default());
    for (id, label) in [("web-pg", "Multi-AZ DB cluster"), ("web-graph", "Neptune cluster")] {
        let about: Vec<&Finding> =
            report.findings.iter().filter(|f| f.rule == "rds-no-dr-replica" && f.resource.id == id).collect();
        assert_eq!(about.len(), 1, "{id}: {:?}", report.findings);
        assert_eq!(about[0].status, Status::Unknown, "{id}: {}", about[0].message);
        assert!(about[0].message.contains(&format!("{label} {id}")), "{}", about[0].message);
    }
    // The Aurora cluster of the seed is still judged as Aurora (its global secondary passes).
    assert!(
        !report.findings.iter().any(|f| f.rule == "rds-no-dr-replica" && f.resource.id == "web-aurora"),
        "{:?}",
        report.findings
    );
}
