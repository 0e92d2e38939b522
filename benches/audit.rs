//! Benchmark of the full offline audit — parse + inventory graph + every rule + JSON output —
//! on synthetic snapshots of 2,000, 20,000 and 200,000 resources (issue 2, "Performance").
//!
//! `cargo bench --bench audit [-- SIZE...]` (or `-- --write FILE SIZE` to keep a synthetic
//! snapshot for profiling the CLI by hand). For each size the parent generates a snapshot,
//! writes it as pretty JSON to a temporary file, and re-executes itself as a child process that
//! audits the file the way `drscan audit --snapshot FILE --format json` does, several times.
//! A child per size keeps one size's allocations from inflating the next size's peak memory,
//! read from `VmHWM` after the child's first run (which, like the CLI, holds one copy of the
//! text). The real `drscan` binary is timed end to end on the same file as a cross-check.
//!
//! Targets: 200,000 resources in under 1 s wall and under 1 GiB peak, with time growing no
//! faster than linearly.

// Test and benchmark code may panic on what it set up itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use drscan::audit::{self, GatePolicy};
use drscan::findings::Status;
use drscan::inventory::Snapshot;
use drscan::inventory::graph::Inventory;
use drscan::output::{Origin, RunInfo, json};
use drscan::rules::{Context, RULES, RuleOutput};
use drscan::settings::Settings;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SIZES: [usize; 3] = [2_000, 20_000, 200_000];
const SEED: u64 = 42;
const TARGET_WALL: Duration = Duration::from_secs(1);
const TARGET_PEAK_KIB: u64 = 1024 * 1024;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--child") => return child(&args[1..]),
        // `--write FILE SIZE`: keep a synthetic snapshot to profile the CLI on.
        Some("--write") => {
            let size = args.get(2).and_then(|s| s.replace('_', "").parse().ok()).unwrap_or(SIZES[2]);
            let text = serde_json::to_string_pretty(&synthetic::generate(size, SEED)).expect("serialises");
            std::fs::write(&args[1], text).expect("the snapshot is written");
            return;
        }
        _ => {}
    }
    // `cargo bench` passes `--bench`; any numbers are sizes to run instead of the defaults.
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.replace('_', "").parse().ok()).collect();
    parent(if sizes.is_empty() { &SIZES } else { &sizes });
}

/// One timed run of the CLI path.
#[derive(Debug, Clone, Copy, Default)]
struct Sample {
    parse: Duration,
    audit: Duration,
    render: Duration,
    drop: Duration,
    /// User + system CPU time of parse, audit and render, all threads (10 ms resolution).
    cpu: Duration,
    findings: usize,
    output_bytes: usize,
}

impl Sample {
    fn total(&self) -> Duration {
        self.parse + self.audit + self.render
    }
}

/// What a child reports for one size.
#[derive(Debug, Default)]
struct SizeResult {
    resources: usize,
    json_bytes: usize,
    generate: Duration,
    samples: Vec<Sample>,
    baseline_kib: u64,
    peak_kib: u64,
    graph: Duration,
    estimate: Duration,
    rules_parallel: Duration,
    rules: Vec<(String, Duration, usize)>,
    cli_wall: Option<Duration>,
}

fn parent(sizes: &[usize]) {
    let exe = std::env::current_exe().expect("the benchmark knows its own path");
    let mut results = Vec::new();
    for &size in sizes {
        eprintln!("generating {size} resources…");
        let started = Instant::now();
        let snapshot = synthetic::generate(size, SEED);
        let generate = started.elapsed();
        let resources = synthetic::resource_count(&snapshot);
        let text = serde_json::to_string_pretty(&snapshot).expect("a snapshot serialises");
        drop(snapshot);
        let mut file = tempfile::Builder::new()
            .prefix("drscan-bench-")
            .suffix(".json")
            .tempfile()
            .expect("a temporary file");
        file.write_all(text.as_bytes()).expect("the snapshot is written");
        let json_bytes = text.len();
        drop(text);

        let reps = match resources {
            0..=5_000 => 15,
            5_001..=50_000 => 7,
            _ => 5,
        };
        eprintln!("auditing {resources} resources ({:.1} MB of JSON), {reps} runs…", mb(json_bytes));
        let output = Command::new(&exe)
            .arg("--child")
            .arg(file.path())
            .arg(reps.to_string())
            .stderr(Stdio::inherit())
            .output()
            .expect("the child runs");
        assert!(output.status.success(), "the child failed: {}", output.status);
        let mut result = parse_child(&String::from_utf8_lossy(&output.stdout));
        result.resources = resources;
        result.json_bytes = json_bytes;
        result.generate = generate;
        result.cli_wall = time_cli(file.path());
        results.push(result);
    }
    report(&results);
}

/// Best of three wall-clock runs of the real binary, from process start to exit.
fn time_cli(snapshot: &Path) -> Option<Duration> {
    let dir = tempfile::tempdir().ok()?;
    let mut best: Option<Duration> = None;
    for _ in 0..3 {
        let started = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_drscan"))
            .current_dir(dir.path())
            .args(["audit", "--color", "never", "--format", "json", "--snapshot"])
            .arg(snapshot)
            .arg("--output")
            .arg(dir.path().join("report.json"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()?;
        let wall = started.elapsed();
        // 0: gate passed, 1: gate failed; anything else is an error, not a measurement.
        if !matches!(status.code(), Some(0 | 1)) {
            return None;
        }
        best = Some(best.map_or(wall, |b| b.min(wall)));
    }
    best
}

fn child(args: &[String]) {
    let path = Path::new(&args[0]);
    let reps: usize = args[1].parse().expect("a repetition count");
    let name = path.display().to_string();
    let baseline_kib = vm_status_kib("VmHWM");
    let mut out = String::new();
    out.push_str(&format!("baseline_kib {baseline_kib}\n"));
    for rep in 0..reps {
        // Reading the file is I/O, not the audit: untimed, but its String counts towards the peak.
        let text = std::fs::read_to_string(path).expect("the snapshot file reads");
        let sample = audit_like_the_cli(&name, text);
        if rep == 0 {
            out.push_str(&format!("peak_kib {}\n", vm_status_kib("VmHWM")));
        }
        out.push_str(&format!(
            "sample {} {} {} {} {} {} {}\n",
            sample.parse.as_nanos(),
            sample.audit.as_nanos(),
            sample.render.as_nanos(),
            sample.drop.as_nanos(),
            sample.cpu.as_nanos(),
            sample.findings,
            sample.output_bytes
        ));
    }

    // Where the graph+rules time goes (not the CLI path): the graph alone, every rule alone on
    // one thread, and the parallel rules with their post-processing; each the best of three.
    let text = std::fs::read_to_string(path).expect("the snapshot file reads");
    let snapshot = Snapshot::parse(&name, text).expect("the synthetic snapshot parses");
    let settings = Settings::default();
    let best_of_three = |f: &mut dyn FnMut()| {
        (0..3)
            .map(|_| {
                let started = Instant::now();
                f();
                started.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    let graph = best_of_three(&mut || drop(black_box(Inventory::build(&snapshot, &settings.matching))));
    out.push_str(&format!("graph {}\n", graph.as_nanos()));
    let inventory = Inventory::build(&snapshot, &settings.matching);
    let now = snapshot.collected_at;
    let estimate = best_of_three(&mut || {
        drop(black_box(drscan::estimate::estimate(&inventory, settings.estimate_settings(), now)))
    });
    out.push_str(&format!("estimate {}\n", estimate.as_nanos()));
    let estimates = drscan::estimate::estimate(&inventory, settings.estimate_settings(), now);
    let ctx = Context { inventory: &inventory, settings: &settings, now, estimates: &estimates };
    for rule in RULES {
        let mut fails = 0;
        let elapsed = best_of_three(&mut || {
            let mut rule_out = RuleOutput::new(rule.meta());
            rule.check(&ctx, &mut rule_out);
            fails = rule_out.findings.iter().filter(|f| f.status == Status::Fail).count();
        });
        out.push_str(&format!("rule {} {} {fails}\n", rule.meta().name, elapsed.as_nanos()));
    }
    let parallel =
        best_of_three(&mut || drop(black_box(audit::run_on(&inventory, &settings, GatePolicy::default()))));
    out.push_str(&format!("rules_parallel {}\n", parallel.as_nanos()));
    print!("{out}");
}

/// `Snapshot::parse` + `audit::run` + `output::json::render`, as `drscan audit --format json`.
fn audit_like_the_cli(name: &str, text: String) -> Sample {
    let cpu_before = process_cpu_time();
    let started = Instant::now();
    let origin = Origin::of_snapshot(name, &text);
    let snapshot = Snapshot::parse(name, text).expect("the synthetic snapshot parses");
    let parsed = Instant::now();
    let settings = Settings::default();
    let gate = GatePolicy::default();
    let report = audit::run(&snapshot, &settings, gate);
    let audited = Instant::now();
    let info = RunInfo { snapshot: &snapshot, gate, origin, color: false };
    let rendered = black_box(json::render(&report, &info));
    let rendered_at = Instant::now();
    let cpu = process_cpu_time().saturating_sub(cpu_before);
    let (findings, output_bytes) = (report.findings.len(), rendered.len());
    drop(rendered);
    drop(info);
    drop(report);
    drop(snapshot);
    Sample {
        parse: parsed - started,
        audit: audited - parsed,
        render: rendered_at - audited,
        drop: rendered_at.elapsed(),
        cpu,
        findings,
        output_bytes,
    }
}

/// CPU time of this process so far, from /proc/self/stat (Linux; clock ticks of 10 ms).
fn process_cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 (utime) and 15 (stime) of proc(5), counted here from field 3.
    let ticks: u64 = [11, 12].iter().filter_map(|i| fields.get(*i)?.parse::<u64>().ok()).sum();
    Duration::from_millis(ticks * 10)
}

/// A `kB` field of /proc/self/status (Linux), or 0 elsewhere.
fn vm_status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn parse_child(stdout: &str) -> SizeResult {
    let mut result = SizeResult::default();
    let nanos = |s: &str| Duration::from_nanos(s.parse().unwrap_or(0));
    for line in stdout.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["baseline_kib", v] => result.baseline_kib = v.parse().unwrap_or(0),
            ["peak_kib", v] => result.peak_kib = v.parse().unwrap_or(0),
            ["sample", parse, audit, render, drop, cpu, findings, bytes] => result.samples.push(Sample {
                parse: nanos(parse),
                audit: nanos(audit),
                render: nanos(render),
                drop: nanos(drop),
                cpu: nanos(cpu),
                findings: findings.parse().unwrap_or(0),
                output_bytes: bytes.parse().unwrap_or(0),
            }),
            ["graph", v] => result.graph = nanos(v),
            ["estimate", v] => result.estimate = nanos(v),
            ["rule", name, v, fails] => {
                result.rules.push((name.to_string(), nanos(v), fails.parse().unwrap_or(0)))
            }
            ["rules_parallel", v] => result.rules_parallel = nanos(v),
            _ => {}
        }
    }
    result
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

fn best(values: impl Iterator<Item = Duration>) -> Duration {
    values.min().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn report(results: &[SizeResult]) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!();
    println!("drscan offline audit (parse + graph + rules + JSON output), seed {SEED}, {threads} CPUs");
    println!("phase columns are medians; total = parse + graph+rules + JSON output (drop not included);");
    println!(
        "CPU = user+system time of those phases over all threads; CLI e2e = best of 3 runs of the binary"
    );
    println!();
    println!(
        "{:>9} {:>8} {:>9} {:>11} {:>8} {:>10} {:>10} {:>7} {:>7} {:>8} {:>7} {:>8} {:>10}",
        "resources",
        "JSON MB",
        "parse ms",
        "graph+rules",
        "JSON out",
        "total best",
        "total med",
        "CPU ms",
        "drop ms",
        "findings",
        "ns/res",
        "peak MiB",
        "CLI e2e ms"
    );
    let mut per_resource = Vec::new();
    for r in results {
        let column = |f: fn(&Sample) -> Duration| median(r.samples.iter().map(f).collect());
        let total_median = column(Sample::total);
        let ns_per_resource = total_median.as_nanos() as f64 / r.resources.max(1) as f64;
        per_resource.push((r.resources, ns_per_resource, column(|s| s.parse), column(|s| s.audit)));
        println!(
            "{:>9} {:>8.1} {:>9.1} {:>11.1} {:>8.1} {:>10.1} {:>10.1} {:>7.0} {:>7.1} {:>8} {:>7.0} {:>8.1} {:>10}",
            r.resources,
            mb(r.json_bytes),
            ms(column(|s| s.parse)),
            ms(column(|s| s.audit)),
            ms(column(|s| s.render)),
            ms(best(r.samples.iter().map(Sample::total))),
            ms(total_median),
            ms(column(|s| s.cpu)),
            ms(column(|s| s.drop)),
            r.samples.first().map_or(0, |s| s.findings),
            ns_per_resource,
            mib(r.peak_kib),
            r.cli_wall.map_or("n/a".to_string(), |d| format!("{:.1}", ms(d))),
        );
    }

    println!();
    println!("runs, generation and memory per size");
    for r in results {
        let output_mb = mb(r.samples.first().map_or(0, |s| s.output_bytes));
        println!(
            "  {:>7} resources: {} runs; generated in {:.0} ms; peak RSS {:.1} MiB (process baseline {:.1} MiB, \
             {:.1}× the JSON text); JSON report {output_mb:.1} MB",
            r.resources,
            r.samples.len(),
            ms(r.generate),
            mib(r.peak_kib),
            mib(r.baseline_kib),
            (r.peak_kib * 1024) as f64 / r.json_bytes.max(1) as f64,
        );
    }

    println!();
    println!(
        "graph+rules breakdown (ms, best of 3): graph build, then each rule alone on one thread (fails)"
    );
    let names: Vec<&str> =
        results.first().map_or(Vec::new(), |r| r.rules.iter().map(|(n, ..)| n.as_str()).collect());
    let mut by_rule: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for r in results {
        for (name, elapsed, fails) in &r.rules {
            by_rule.entry(name).or_default().push(format!("{:>9.2} ({fails:>4})", ms(*elapsed)));
        }
    }
    let sizes: Vec<String> = results.iter().map(|r| format!("{:>16}", r.resources)).collect();
    println!("  {:<32} {}", "", sizes.join(" "));
    let graph: Vec<String> = results.iter().map(|r| format!("{:>16.2}", ms(r.graph))).collect();
    println!("  {:<32} {}", "inventory graph build", graph.join(" "));
    let estimate: Vec<String> = results.iter().map(|r| format!("{:>16.2}", ms(r.estimate))).collect();
    println!("  {:<32} {}", "RTO/RPO estimates", estimate.join(" "));
    for name in names {
        println!("  {name:<32} {}", by_rule.get(name).map_or(String::new(), |v| v.join(" ")));
    }
    let parallel: Vec<String> = results.iter().map(|r| format!("{:>16.2}", ms(r.rules_parallel))).collect();
    println!("  {:<32} {}", "rules in parallel + post-process", parallel.join(" "));

    if let (Some(first), Some(last)) = (per_resource.first(), per_resource.last())
        && per_resource.len() > 1
    {
        let ratio = |a: Duration, b: Duration| {
            (a.as_secs_f64() / last.0 as f64) / (b.as_secs_f64() / first.0 as f64).max(f64::MIN_POSITIVE)
        };
        println!();
        println!(
            "linearity: time per resource at {} is {:.2}× that at {} (1.00 = linear; parse {:.2}×, graph+rules {:.2}×)",
            last.0,
            last.1 / first.1,
            first.0,
            ratio(last.2, first.2),
            ratio(last.3, first.3),
        );
    }

    if let Some(largest) = results.iter().max_by_key(|r| r.resources) {
        let wall = median(largest.samples.iter().map(Sample::total).collect());
        let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
        println!(
            "targets at {} resources: wall {:.0} ms (median, in process) vs 1000 ms: {}; CLI end to end {}; \
             peak {:.0} MiB vs 1024 MiB: {}",
            largest.resources,
            ms(wall),
            verdict(wall < TARGET_WALL),
            largest.cli_wall.map_or("n/a".to_string(), |d| format!(
                "{:.0} ms: {}",
                ms(d),
                verdict(d < TARGET_WALL)
            )),
            mib(largest.peak_kib),
            verdict(largest.peak_kib < TARGET_PEAK_KIB),
        );
    }
}
