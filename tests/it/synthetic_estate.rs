//! The synthetic estate generator (`tests/support/synthetic.rs`) behind the benchmarks: seeded,
//! deterministic, round-trips through JSON, and breaks each seeded rule for about a tenth of what
//! it judges.

use crate::synthetic::{generate, resource_count};
use drscan::audit::{self, GatePolicy};
use drscan::inventory::Snapshot;
use drscan::rules::RULES;
use drscan::settings::Settings;

#[test]
fn generation_is_deterministic_per_seed() {
    let a = generate(3_000, 7);
    assert_eq!(a, generate(3_000, 7));
    assert_ne!(a, generate(3_000, 8));
    let count = resource_count(&a);
    assert!((3_000..3_100).contains(&count), "asked for 3000 resources, got {count}");
}

#[test]
fn snapshot_round_trips_through_json() {
    let snapshot = generate(2_000, 11);
    let text = serde_json::to_string_pretty(&snapshot).expect("serialises");
    let parsed = Snapshot::parse("synthetic.json", text).expect("parses");
    assert_eq!(parsed, snapshot);
}

#[test]
fn every_rule_fails_on_about_a_tenth_of_what_it_judges() {
    // The rules the generator seeds a defect for; the rest of the catalog is only held to
    // the upper bound until the generator seeds theirs too.
    const SEEDED: [&str; 9] = [
        "ami-missing-in-dr",
        "dr-launch-template-ami-missing",
        "failover-secondary-missing",
        "failover-primary-unmonitored",
        "failover-target-missing",
        "failover-secondary-unhealthy",
        "rds-no-dr-replica",
        "rds-replica-lag-high",
        "efs-no-dr-copy",
    ];
    // An application breaks these when any of its parts does: every seeded defect counts.
    const AGGREGATES: [&str; 2] = ["rto-target-exceeded", "rpo-target-exceeded"];
    let snapshot = generate(2_000, 3);
    let report = audit::run(&snapshot, &exercised_every_app(&snapshot), GatePolicy::default());
    for rule in RULES {
        let name = rule.meta().name;
        let counts = &report.counts[name];
        let judged = counts.fail + counts.unknown + counts.pass;
        if SEEDED.contains(&name) {
            assert!(counts.fail > 0, "{name} never fails on the synthetic snapshot: {counts:?}");
        }
        if !AGGREGATES.contains(&name) {
            assert!(
                counts.fail * 100 <= judged * 20,
                "{name} fails on more than a fifth of what it judges: {counts:?}"
            );
        }
    }
}

/// Settings that declare a passed game day last week for every application of `snapshot`
/// (by its `app` tag): the generator seeds no failover-exercise evidence, and dr-exercised is
/// not one of the rules it seeds defects for.
fn exercised_every_app(snapshot: &Snapshot) -> Settings {
    use drscan::settings::{DeclaredExercise, ExerciseResult};
    let apps: std::collections::BTreeSet<&String> = snapshot
        .resources
        .regional
        .values()
        .flat_map(|region| &region.auto_scaling_groups)
        .filter_map(|group| group.tags.get("app"))
        .collect();
    let date = (snapshot.collected_at - chrono::Duration::days(7)).date_naive();
    let exercises = apps
        .into_iter()
        .map(|app| DeclaredExercise {
            app: app.clone(),
            date,
            failed_over: "synthetic game day".to_string(),
            result: ExerciseResult::Passed,
        })
        .collect();
    Settings { exercises, ..Settings::default() }
}
