//! Test support for live collection: one moto server per test binary behind a small front
//! (tests/support/front.py) that isolates scenarios by account, answers CloudWatch's CBOR
//! protocol and injects faults; and the seeding of a two-region DR setup through the Rust SDK.
#![allow(dead_code)]

pub(crate) mod exercises;
pub(crate) mod offline;
pub(crate) mod operations;
pub(crate) mod organization;
pub(crate) mod recorded;
pub(crate) mod seed;

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub(crate) const PRIMARY: &str = "ap-south-1";
pub(crate) const DR: &str = "us-east-1";

/// The moto venv, or a failing test that says how to get it: these tests never pass silently.
pub(crate) fn moto_venv() -> PathBuf {
    let venv = std::env::var_os("DRSCAN_MOTO_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-moto"));
    assert!(
        venv.join("bin/moto_server").exists(),
        "moto server not found at {}: run scripts/test.sh (it creates .venv-moto with moto[server]==5.2.5 and sets DRSCAN_MOTO_VENV)",
        venv.display()
    );
    venv
}

pub(crate) struct Emulator {
    pub moto_url: String,
    pub front_url: String,
    // Their stdin pipes stay open for the life of the test binary; the wrappers kill the
    // servers when it closes, so nothing outlives the tests.
    _moto: Child,
    _front: Child,
}

/// The binary's one emulator, started on first use.
pub(crate) fn emulator() -> &'static Emulator {
    static EMULATOR: OnceLock<Emulator> = OnceLock::new();
    EMULATOR.get_or_init(start)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Run `program args…` in the background, killed when our end of its stdin pipe closes.
fn supervised(program: &std::path::Path, args: &[String], env: &[(&str, &str)]) -> Child {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(r#""$0" "$@" >/dev/null 2>&1 </dev/null & pid=$!; cat >/dev/null; kill $pid 2>/dev/null"#)
        .arg(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    command.spawn().expect("start a supervised test server")
}

fn wait_for(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not start listening on port {port} within 30 s");
}

fn start() -> Emulator {
    let venv = moto_venv();
    let moto_port = free_port();
    let moto = supervised(
        &venv.join("bin/moto_server"),
        &["-p".into(), moto_port.to_string(), "-H".into(), "127.0.0.1".into()],
        &[("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")],
    );
    wait_for(moto_port, "moto_server");
    let moto_url = format!("http://127.0.0.1:{moto_port}");
    let front_port = free_port();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/front.py");
    let front = supervised(
        &venv.join("bin/python"),
        &[script.display().to_string(), moto_url.clone(), front_port.to_string()],
        &[],
    );
    wait_for(front_port, "the test front");
    Emulator { moto_url, front_url: format!("http://127.0.0.1:{front_port}"), _moto: moto, _front: front }
}

/// A fresh moto account for one scenario: state is isolated per account id.
pub(crate) fn fresh_account() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    // Distinct per process too, so re-runs against a long-lived server do not collide.
    format!("{:06}{:06}", std::process::id() % 1_000_000, n + 100_000)
}

/// The access key the front maps to `account`.
pub(crate) fn access_key(account: &str) -> String {
    format!("TEST{account}")
}

/// Static credentials of `account` (its [`access_key`]), for SDK settings built in the test
/// process rather than read from the environment that the tests of one binary share.
pub(crate) fn credentials(account: &str) -> aws_credential_types::provider::SharedCredentialsProvider {
    aws_credential_types::provider::SharedCredentialsProvider::new(aws_credential_types::Credentials::new(
        access_key(account),
        "testing",
        None,
        None,
        "test",
    ))
}

/// Options for an in-process collection of `account` against the emulator: its
/// [`credentials`] passed in, no progress bar, everything else as drscan's defaults.
pub(crate) fn live_options(account: &str) -> drscan::collection::CollectOptions {
    let mut options = drscan::collection::CollectOptions::new(PRIMARY, DR);
    options.sdk.endpoint_url = Some(emulator().front_url.clone());
    options.sdk.credentials = Some(credentials(account));
    options.progress = false;
    options
}

/// `drscan` with credentials for `account` and nothing from the developer's own AWS setup.
pub(crate) fn drscan(account: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_drscan"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ACCESS_KEY_ID", access_key(account))
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/drscan-test-config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/drscan-test-credentials")
        .env("NO_COLOR", "1");
    command
}

/// `drscan audit` live against the emulator, as JSON.
pub(crate) fn audit_live(account: &str, extra: &[&str]) -> (i32, serde_json::Value, String, Duration) {
    let started = Instant::now();
    let output = drscan(account)
        .args(["audit", "--primary", PRIMARY, "--dr", DR, "--endpoint-url", &emulator().front_url])
        .args(["--format", "json"])
        .args(extra)
        .output()
        .expect("run drscan");
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    let json = serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
    (output.status.code().unwrap_or(-1), json, stderr, elapsed)
}

/// A snapshot that `drscan collect` wrote, live against the emulator.
pub(crate) struct LiveSnapshot {
    pub path: std::path::PathBuf,
    pub text: String,
    pub elapsed: Duration,
    _dir: tempfile::TempDir,
}

/// `drscan collect` both regions with `extra` flags; the run must succeed.
pub(crate) fn collect_live(account: &str, extra: &[&str]) -> LiveSnapshot {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("snapshot.json");
    let started = Instant::now();
    let output = drscan(account)
        .args(["collect", "--primary", PRIMARY, "--dr", DR, "--endpoint-url", &emulator().front_url])
        .args(extra)
        .arg("-o")
        .arg(&path)
        .output()
        .expect("run drscan collect");
    let elapsed = started.elapsed();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = std::fs::read_to_string(&path).expect("snapshot");
    LiveSnapshot { path, text, elapsed, _dir: dir }
}

/// Findings of `rule` with `status` in an audit's JSON.
pub(crate) fn findings<'a>(
    json: &'a serde_json::Value,
    rule: &str,
    status: &str,
) -> Vec<&'a serde_json::Value> {
    json["findings"]
        .as_array()
        .map(|all| all.iter().filter(|f| f["rule"] == rule && f["status"] == status).collect())
        .unwrap_or_default()
}

/// Fails unless the audit JSON has a `rule` failure whose message contains `needle`.
pub(crate) fn assert_fails(json: &serde_json::Value, rule: &str, needle: &str) {
    let found = findings(json, rule, "fail");
    assert!(
        found.iter().any(|f| f["message"].as_str().unwrap_or_default().contains(needle)),
        "expected a `{rule}` failure mentioning {needle:?}; findings:\n{}",
        summary(json)
    );
}

pub(crate) fn summary(json: &serde_json::Value) -> String {
    json["findings"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|f| format!("{} {} {} {}", f["status"], f["severity"], f["rule"], f["message"]))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_else(|| format!("no findings array in {json}"))
}

/// Replace the front's fault rules (a JSON list; see front.py).
pub(crate) fn set_faults(rules: serde_json::Value) {
    control("POST", "/_front/faults", &rules.to_string());
}

/// Make the front cache moto's `200` answers to `account` (see front.py): for a seeded account
/// that many read-only runs collect.
pub(crate) fn cache_answers(account: &str) {
    control("POST", "/_front/cache", &serde_json::json!({"account": account}).to_string());
}

/// Make the front enforce AWS's documented API rate limits for `account` (see front.py).
pub(crate) fn enforce_rate_limits(account: &str) {
    control("POST", "/_front/limits", &serde_json::json!({"account": account}).to_string());
}

/// Shrink every rate-limit bucket of `account` to `burst` tokens refilled at `per_second`.
pub(crate) fn shrink_rate_limits(account: &str, burst: f64, per_second: f64) {
    let settings =
        serde_json::json!({"account": account, "override": {"burst": burst, "per_second": per_second}});
    control("POST", "/_front/limits", &settings.to_string());
}

/// Requests of `account` that the front answered with a throttling error.
pub(crate) fn throttled_requests(account: &str) -> Vec<serde_json::Value> {
    front_log()
        .into_iter()
        .filter(|entry| entry["account"] == account && entry["throttled"] == true)
        .collect()
}

/// How many requests of `account` the front has seen.
pub(crate) fn requests_of(account: &str) -> usize {
    front_log().iter().filter(|entry| entry["account"] == account).count()
}

/// Every `cause` in a snapshot's or an audit's JSON (collection errors, per-resource unknowns,
/// findings' missing data), counted by cause.
pub(crate) fn count_causes(value: &serde_json::Value) -> std::collections::BTreeMap<String, usize> {
    fn walk(value: &serde_json::Value, counts: &mut std::collections::BTreeMap<String, usize>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, inner) in map {
                    if key == "cause"
                        && let Some(cause) = inner.as_str()
                    {
                        *counts.entry(cause.to_string()).or_default() += 1;
                    }
                    walk(inner, counts);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|item| walk(item, counts)),
            _ => {}
        }
    }
    let mut counts = std::collections::BTreeMap::new();
    walk(value, &mut counts);
    counts
}

pub(crate) fn clear_faults() {
    control("DELETE", "/_front/faults", "");
}

/// Every request the front has seen, as (account, region, service, operation, method, path).
pub(crate) fn front_log() -> Vec<serde_json::Value> {
    control("GET", "/_front/log", "").lines().filter_map(|line| serde_json::from_str(line).ok()).collect()
}

fn control(method: &str, path: &str, body: &str) -> String {
    use std::io::Write;
    let port = emulator().front_url.rsplit(':').next().unwrap_or_default().to_string();
    let mut stream = TcpStream::connect(format!("127.0.0.1:{port}")).expect("connect to the front");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write to the front");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read from the front");
    response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default()
}

/// A tokio runtime for seeding.
pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime")
}
