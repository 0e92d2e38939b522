//! Benchmark of live collection against moto (not a test): seeds the reference setup — and,
//! with `--scale N`, N extra web tiers (launch template, ALB, listener, target group, ASG) per
//! region, or with `--large` the large account of the rate-limit test — then collects it
//! repeatedly and prints API requests per operation, wall time, the sum of call latencies (and
//! their ratio: how much the calls overlap), and the peak RSS of a live `drscan audit` process.
//!
//! With `--rate-limits` the test front enforces AWS's documented API rate limits and the bench
//! compares, on the same account, drscan's default (paced, standard retries, 3 attempts) with
//! unpaced standard retries (and, with `--adaptive`, unpaced adaptive retries with 8 attempts):
//! wall time, requests, throttled answers, unknowns by cause, and the floor — the least time any
//! client could take for the same requests under AWS's buckets. Per bucket that is
//! max(0, (requests − burst) / refill rate); the run's floor is the largest of them. It is a
//! lower bound: calls that must wait for others (record sets for the zone list, ACM for the
//! listeners, template versions for the ASGs) can only lengthen the critical path.
//!
//! `cargo bench --bench collect_live -- [--runs N] [--scale N | --large] [--rate-limits [--adaptive]]`
//! (needs scripts/setup-moto.sh).

// Test and benchmark code may panic on what it set up itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use drscan::collection::pacing::Pacing;
use drscan::collection::sdk::RetryMode;
use drscan::collection::{CollectOptions, Collection};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use support::seed::{Setup, seed};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let switch = |name: &str| args.iter().any(|a| a == name);
    let runs = flag("--runs", 5).max(1);
    let setup = if switch("--large") {
        Setup::large()
    } else {
        Setup { scale: flag("--scale", 0), ..Setup::default() }
    };

    let emulator = support::emulator();
    let account = support::fresh_account();
    let seeding = Instant::now();
    support::runtime().block_on(seed(&account, &setup));
    println!(
        "seeded account {account} (scale {}, {} failover pairs) in {:.1} s",
        setup.scale,
        setup.failover_pairs,
        seeding.elapsed().as_secs_f64()
    );

    let mut options = CollectOptions::new(support::PRIMARY, support::DR);
    options.sdk.endpoint_url = Some(emulator.front_url.clone());
    options.sdk.credentials = Some(aws_credential_types::provider::SharedCredentialsProvider::new(
        aws_credential_types::Credentials::new(support::access_key(&account), "testing", None, None, "bench"),
    ));
    options.progress = false;

    if switch("--rate-limits") {
        compare_under_rate_limits(&account, &options, runs, switch("--adaptive"));
        return;
    }
    options.sdk.max_attempts = 1;
    throughput(&account, &options, runs);
}

/// Requests per operation, wall and overlap of in-process collections, then wall and peak RSS
/// of the `drscan audit` process.
fn throughput(account: &str, options: &CollectOptions, runs: usize) {
    let runtime = support::runtime();
    let mut walls = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let collection = runtime.block_on(drscan::collection::collect(options)).expect("collection");
        walls.push(collection.wall);
        last = Some(collection);
    }
    let Some(collection) = last else { return };
    let mut per_operation: BTreeMap<&str, (u64, Duration)> = BTreeMap::new();
    for ((_, operation), stats) in &collection.calls {
        let entry = per_operation.entry(operation.as_str()).or_default();
        entry.0 += stats.requests;
        entry.1 += stats.latency;
    }
    println!("\nrequests per operation (one collection, both regions + Route 53):");
    for (operation, (requests, latency)) in &per_operation {
        println!("  {operation:<45} {requests:>6}  {:>8.1} ms", latency.as_secs_f64() * 1000.0);
    }
    walls.sort();
    let median = walls[walls.len() / 2];
    let latency = collection.total_latency();
    println!("\nresources collected: {}", resources(&collection));
    println!("collection errors:   {}", collection.snapshot.collection_errors.len());
    println!("API requests:        {}", collection.total_requests());
    println!(
        "collection wall:     median {:.0} ms, min {:.0} ms over {runs} runs (in-process)",
        median.as_secs_f64() * 1000.0,
        walls[0].as_secs_f64() * 1000.0
    );
    println!(
        "floor:               {:.1} s (AWS's buckets, these requests)",
        collection.floor().as_secs_f64()
    );
    println!("sum of latencies:    {:.0} ms", latency.as_secs_f64() * 1000.0);
    println!("wall / sum:          {:.2}", median.as_secs_f64() / latency.as_secs_f64().max(1e-9));

    // The whole binary, as a user runs it: wall and peak RSS of `drscan audit`.
    let front_url = options.sdk.endpoint_url.clone().unwrap_or_default();
    let mut process_walls = Vec::new();
    let mut peak_kib = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let mut child = support::drscan(account)
            .args(["audit", "--primary", support::PRIMARY, "--dr", support::DR, "--max-attempts", "1"])
            .args(["--endpoint-url", &front_url, "--format", "json", "--allow-unknown"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("run drscan audit");
        let status_path = format!("/proc/{}/status", child.id());
        loop {
            if let Ok(status) = std::fs::read_to_string(&status_path)
                && let Some(kib) = vm_hwm_kib(&status)
            {
                peak_kib = peak_kib.max(kib);
            }
            if child.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        process_walls.push(started.elapsed());
    }
    process_walls.sort();
    println!(
        "drscan audit wall:   median {:.0} ms over {runs} runs (process, incl. audit and output)",
        process_walls[process_walls.len() / 2].as_secs_f64() * 1000.0
    );
    println!("drscan audit peak:   {:.1} MiB (VmHWM)", peak_kib as f64 / 1024.0);
}

/// The same account collected under the front's rate limits, paced and unpaced.
fn compare_under_rate_limits(account: &str, base: &CollectOptions, runs: usize, adaptive: bool) {
    let mut variants = vec![
        ("paced (default), standard retry, 3 attempts", Pacing::default(), RetryMode::Standard, 3),
        ("unpaced, standard retry, 3 attempts", Pacing::Off, RetryMode::Standard, 3),
    ];
    if adaptive {
        variants.push(("unpaced, adaptive retry, 8 attempts", Pacing::Off, RetryMode::Adaptive, 8));
    }
    let runtime = support::runtime();
    for (name, pacing, retry_mode, max_attempts) in variants {
        let mut options = base.clone();
        options.pacing = pacing;
        options.sdk.retry_mode = retry_mode;
        options.sdk.max_attempts = max_attempts;
        println!("\n{name}:");
        for run in 1..=runs {
            // Every run starts with AWS's buckets full.
            support::enforce_rate_limits(account);
            let throttled_before = support::throttled_requests(account).len();
            let collection = runtime.block_on(drscan::collection::collect(&options)).expect("collection");
            let throttled = support::throttled_requests(account).len() - throttled_before;
            let snapshot = serde_json::to_value(&collection.snapshot).unwrap_or_default();
            let mut causes = support::count_causes(&snapshot);
            // Statuses of health checks no failover record uses are not read on purpose.
            causes.remove("not_read");
            println!(
                "  run {run}: wall {:.1} s, {} requests, {throttled} throttled answers, floor {:.1} s, unknowns by cause {causes:?}",
                collection.wall.as_secs_f64(),
                collection.total_requests(),
                collection.floor().as_secs_f64(),
            );
            if run == runs {
                print_slowest_buckets(&collection);
            }
        }
    }
}

/// The buckets whose floors bound the run, with their requests and waits.
fn print_slowest_buckets(collection: &Collection) {
    let mut buckets: Vec<_> = collection.buckets.iter().collect();
    buckets.sort_by_key(|b| std::cmp::Reverse(b.floor()));
    println!("  slowest buckets (requests, AWS burst/refill, floor, time spent waiting for tokens):");
    for bucket in buckets.iter().take(5) {
        println!(
            "    {:<12} {:<32} {:>5}  {:>4}/{:<5} floor {:>5.1} s  waited {:>7.1} s",
            bucket.key.region,
            bucket.key.name,
            bucket.requests,
            bucket.documented.burst,
            bucket.documented.per_second,
            bucket.floor().as_secs_f64(),
            bucket.waited.as_secs_f64()
        );
    }
}

fn resources(collection: &Collection) -> usize {
    collection.snapshot.resources.regional.values().map(|r| r.len()).sum::<usize>()
        + collection.snapshot.resources.global.hosted_zones.len()
        + collection.snapshot.resources.global.health_checks.len()
}

fn vm_hwm_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
