//! The fuzzer's bounded run, as CI runs it: a fixed seed and a fixed number of cases (about
//! 25 s of CPU in a debug build), so a failure reproduces exactly. `DRSCAN_FUZZ_CASES=N` runs more
//! or fewer; `DRSCAN_FUZZ_CRASHES=DIR` keeps every defect's first case there. The long run is
//! `cargo bench --profile dev --bench fuzz -- --minutes 10`.

#[path = "../fuzz/mod.rs"]
mod engine;

use std::path::Path;
use std::time::{Duration, Instant};

/// The seed of the CI run; the bench defaults to another, so the two explore different cases.
const SEED: u64 = 11;
const CASES: u64 = 1_500;

#[test]
fn mutated_inputs_end_in_a_result_or_a_located_error_never_a_panic() {
    let cases = std::env::var("DRSCAN_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(CASES);
    let crashes = std::env::var_os("DRSCAN_FUZZ_CRASHES");
    let started = Instant::now();
    let tally = engine::campaign(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        SEED,
        cases,
        Duration::MAX,
        crashes.as_deref().map(Path::new),
    );
    let summary = tally.summary(started.elapsed());
    assert_eq!(tally.cases, cases, "{summary}");
    assert!(tally.defects.is_empty(), "{summary}");
    // The run must exercise both sides: inputs that audit and inputs that are refused.
    assert!(tally.audited > cases / 10 && tally.rejected > cases / 10, "{summary}");
}

#[test]
fn the_same_seed_generates_the_same_cases() {
    let seeds = engine::Seeds::load(Path::new(env!("CARGO_MANIFEST_DIR")));
    for number in [0, 1, 977] {
        let (a, b) = (engine::generate(&seeds, SEED, number), engine::generate(&seeds, SEED, number));
        assert_eq!(
            (a.snapshot, a.config, a.flags, a.mutations),
            (b.snapshot, b.config, b.flags, b.mutations)
        );
    }
}
