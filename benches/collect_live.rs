//! Benchmark of live collection against moto (not a test): seeds the reference setup — and,
//! with `--scale N`, N extra web tiers (launch template, ALB, listener, target group, ASG) per
//! region — then collects it repeatedly and prints API requests per operation, wall time, the
//! sum of call latencies (and their ratio: how much the calls overlap), and the peak RSS of a
//! live `drscan audit` process.
//!
//! `cargo bench --bench collect_live -- [--runs N] [--scale N]` (needs scripts/setup-moto.sh).

#[path = "../tests/support/mod.rs"]
mod support;

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
    let runs = flag("--runs", 5).max(1);
    let scale = flag("--scale", 0);

    let emulator = support::emulator();
    let account = support::fresh_account();
    let seeding = Instant::now();
    support::runtime().block_on(seed(&account, &Setup { scale, ..Setup::default() }));
    println!("seeded account {account} (scale {scale}) in {:.1} s", seeding.elapsed().as_secs_f64());

    // SAFETY: single-threaded at this point; nothing else reads the environment concurrently.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", support::access_key(&account));
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        std::env::set_var("AWS_CONFIG_FILE", "/nonexistent/drscan-bench-config");
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/drscan-bench-credentials");
    }
    let mut options = drscan::collection::CollectOptions::new(support::PRIMARY, support::DR);
    options.sdk.endpoint_url = Some(emulator.front_url.clone());
    options.sdk.max_attempts = 1;
    options.progress = false;

    let runtime = support::runtime();
    let mut walls = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let collection = runtime.block_on(drscan::collection::collect(&options)).expect("collection");
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
    let resources: usize = collection.snapshot.resources.regional.values().map(|r| r.len()).sum::<usize>()
        + collection.snapshot.resources.global.hosted_zones.len()
        + collection.snapshot.resources.global.health_checks.len();
    walls.sort();
    let median = walls[walls.len() / 2];
    let latency = collection.total_latency();
    println!("\nresources collected: {resources}");
    println!("collection errors:   {}", collection.snapshot.collection_errors.len());
    println!("API requests:        {}", collection.total_requests());
    println!(
        "collection wall:     median {:.0} ms, min {:.0} ms over {runs} runs (in-process)",
        median.as_secs_f64() * 1000.0,
        walls[0].as_secs_f64() * 1000.0
    );
    println!("sum of latencies:    {:.0} ms", latency.as_secs_f64() * 1000.0);
    println!("wall / sum:          {:.2}", median.as_secs_f64() / latency.as_secs_f64().max(1e-9));

    // The whole binary, as a user runs it: wall and peak RSS of `drscan audit`.
    let mut process_walls = Vec::new();
    let mut peak_kib = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let mut child = support::drscan(&account)
            .args(["audit", "--primary", support::PRIMARY, "--dr", support::DR, "--max-attempts", "1"])
            .args(["--endpoint-url", &emulator.front_url, "--format", "json", "--allow-unknown"])
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

fn vm_hwm_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
