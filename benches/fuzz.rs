//! The fuzzer's long run (issue 11): `cargo bench --profile dev --bench fuzz -- --minutes 10`
//! [`--seed N`] [`--cases N`] [`--crashes DIR`]. Prints the number of cases run and every
//! distinct defect; exits non-zero when it found one. Each defect's first case is written to
//! DIR (default `target/fuzz-crashes`) to be minimized into `tests/corpus/`.

// Test and benchmark code may panic on what it set up itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/fuzz/mod.rs"]
mod engine;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1));
    let minutes: f64 = value("--minutes").and_then(|v| v.parse().ok()).unwrap_or(1.0);
    let seed: u64 = value("--seed").and_then(|v| v.parse().ok()).unwrap_or(2026);
    let cases: u64 = value("--cases").and_then(|v| v.parse().ok()).unwrap_or(u64::MAX);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // `--minimize DIR`: shrink the cases a run kept (in DIR/case-*) further, in place.
    if let Some(dir) = value("--minimize") {
        let attempts = value("--attempts").and_then(|v| v.parse().ok()).unwrap_or(3_000);
        return minimize_kept(root, Path::new(dir), attempts);
    }
    let crashes = value("--crashes").map(PathBuf::from).unwrap_or_else(|| root.join("target/fuzz-crashes"));
    println!("fuzzing for {minutes} min with seed {seed}; defects go to {}", crashes.display());
    let started = Instant::now();
    let tally = engine::campaign(root, seed, cases, Duration::from_secs_f64(minutes * 60.0), Some(&crashes));
    print!("{}", tally.summary(started.elapsed()));
    if !tally.defects.is_empty() {
        std::process::exit(1);
    }
}

fn minimize_kept(root: &Path, dir: &Path, attempts: usize) {
    let scratch = tempfile::tempdir().expect("scratch dir");
    let mut kept: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("crash dir").map(|e| e.expect("entry").path()).collect();
    kept.sort();
    for case_dir in kept {
        let Some((case, signature)) = engine::load_case(&case_dir) else { continue };
        let before = case.snapshot.len();
        let smallest = engine::minimize(&case, root, scratch.path(), &signature, attempts);
        println!("{}: snapshot {before} → {} bytes", case_dir.display(), smallest.snapshot.len());
        let number = case_dir.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_prefix("case-"));
        let smallest = engine::Case { number: number.and_then(|n| n.parse().ok()).unwrap_or(0), ..smallest };
        engine::save_case(dir, &smallest, &signature);
    }
}
