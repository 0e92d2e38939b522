//! Benchmark of organization mode against moto (not a test): for each size, creates an AWS
//! Organization of that many member accounts, seeds the reference DR setup into every
//! `--seed-every`-th one (the others stay empty, as many accounts of a real organization are),
//! then runs `drscan audit --org` as a user does and reports its wall time, its peak resident
//! memory (VmHWM, sampled every 5 ms), the AWS requests it made (from the roll-up), and the
//! throughput, with a projection to 1,000 accounts. Peak memory must not grow with the number
//! of accounts: compare the sizes.
//!
//! `cargo bench --bench organization -- [--sizes 50,200] [--seed-every 10] [--in-flight N]`
//! (needs scripts/setup-moto.sh).

// Test and benchmark code may panic on what it set up itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};
use support::organization::create_organization;
use support::seed::{Setup, seed};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let sizes: Vec<usize> = value("--sizes")
        .unwrap_or_else(|| "50,200".to_string())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let seed_every: usize = value("--seed-every").and_then(|v| v.parse().ok()).unwrap_or(10).max(1);
    let in_flight = value("--in-flight");

    let emulator = support::emulator();
    let mut rows = Vec::new();
    for size in sizes {
        let started = Instant::now();
        let organization = support::runtime().block_on(async {
            let organization = create_organization(size).await;
            for (id, _) in organization.members.iter().step_by(seed_every) {
                seed(id, &Setup::default()).await;
            }
            organization
        });
        let seeded = size.div_ceil(seed_every);
        println!(
            "organization of {size} members ({seeded} seeded) created in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let mut command = support::drscan(&organization.management);
        command
            .args(["audit", "--org", "--org-role-name", "drscan-audit"])
            .args(["--primary", support::PRIMARY, "--dr", support::DR, "--allow-empty"])
            .args(["--endpoint-url", &emulator.front_url])
            .arg("--org-dir")
            .arg(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        if let Some(n) = &in_flight {
            command.args(["--accounts-in-flight", n]);
        }
        let started = Instant::now();
        let mut child = command.spawn().expect("run drscan audit --org");
        let status_path = format!("/proc/{}/status", child.id());
        let mut peak_kib = 0;
        let code = loop {
            if let Ok(status) = std::fs::read_to_string(&status_path)
                && let Some(kib) = vm_hwm_kib(&status)
            {
                peak_kib = peak_kib.max(kib);
            }
            if let Ok(Some(status)) = child.try_wait() {
                break status.code().unwrap_or(-1);
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let wall = started.elapsed();
        let rollup: serde_json::Value = std::fs::read_to_string(dir.path().join("rollup.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        let accounts = rollup["summary"]["accounts"].as_u64().unwrap_or(0);
        let requests = rollup["summary"]["requests"].as_u64().unwrap_or(0)
            + rollup["listing_requests"].as_u64().unwrap_or(0);
        println!(
            "  drscan audit --org: exit {code}, {accounts} accounts ({} unreadable), {:.1} s, peak {:.1} MiB, {requests} requests",
            rollup["summary"]["unreadable"],
            wall.as_secs_f64(),
            peak_kib as f64 / 1024.0
        );
        rows.push((accounts, wall, peak_kib, requests));
    }
    println!(
        "\n| accounts | wall | peak RSS | requests | accounts/s | requests/s |\n|---|---|---|---|---|---|"
    );
    for (accounts, wall, peak_kib, requests) in &rows {
        println!(
            "| {accounts} | {:.1} s | {:.1} MiB | {requests} | {:.2} | {:.0} |",
            wall.as_secs_f64(),
            *peak_kib as f64 / 1024.0,
            *accounts as f64 / wall.as_secs_f64(),
            *requests as f64 / wall.as_secs_f64()
        );
    }
    if let Some((accounts, wall, peak_kib, requests)) = rows.iter().max_by_key(|r| r.0)
        && *accounts > 0
    {
        let scale = 1000.0 / *accounts as f64;
        println!(
            "\nprojection to 1,000 accounts (same mix, same machine; wall and requests scale with accounts, memory does not): {:.0} s, {:.0} requests, peak ≈ {:.1} MiB",
            wall.as_secs_f64() * scale,
            *requests as f64 * scale,
            *peak_kib as f64 / 1024.0
        );
    }
}

fn vm_hwm_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
