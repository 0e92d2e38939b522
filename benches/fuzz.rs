//! The fuzzer's long run (issue 11): `cargo bench --profile dev --bench fuzz -- --minutes 10`
//! [`--seed N`] [`--cases N`] [`--crashes DIR`]. Prints the number of cases run and every
//! distinct defect; exits non-zero when it found one. Each defect's first case is written to
//! DIR (default `target/fuzz-crashes`) to be minimized into `tests/corpus/`.

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
    let crashes = value("--crashes").map(PathBuf::from).unwrap_or_else(|| root.join("target/fuzz-crashes"));
    println!("fuzzing for {minutes} min with seed {seed}; defects go to {}", crashes.display());
    let started = Instant::now();
    let tally = engine::campaign(root, seed, cases, Duration::from_secs_f64(minutes * 60.0), Some(&crashes));
    print!("{}", tally.summary(started.elapsed()));
    if !tally.defects.is_empty() {
        std::process::exit(1);
    }
}
