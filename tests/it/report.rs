//! `drscan report`: the HTML page rendered in a real headless Chromium (DOM asserted, a
//! screenshot taken), its Content-Security-Policy and the absence of any external URL, and the
//! Markdown form as an insta snapshot.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

const REFERENCE: &str = "fixtures/reference-architecture.json";
const REPAIRED: &str = "fixtures/reference-architecture-repaired.json";

fn report(args: &[&str]) -> String {
    let output =
        Command::cargo_bin("drscan").expect("binary").arg("report").args(args).output().expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf-8")
}

/// Debian's Chromium, which `.ci/run` and `scripts/test.sh` install.
fn chromium() -> PathBuf {
    let candidates = [
        std::env::var("DRSCAN_CHROMIUM").ok(),
        Some("/usr/bin/chromium".into()),
        Some("/usr/bin/chromium-browser".into()),
    ];
    candidates
        .into_iter()
        .flatten()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .expect("Chromium is needed for the browser test: run scripts/test.sh (installs Debian's chromium) or set DRSCAN_CHROMIUM")
}

fn headless(profile: &Path) -> Process {
    let mut cmd = Process::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
    ]);
    cmd.arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

#[test]
fn html_report_renders_in_chromium() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("report.html");
    Command::cargo_bin("drscan")
        .expect("binary")
        .args([
            "report",
            "--snapshot",
            REFERENCE,
            "--previous",
            REPAIRED,
            "--rto-target",
            "2m",
            "--rpo-target",
            "30s",
            "-o",
        ])
        .arg(&page)
        .assert()
        .code(0);
    let url = format!("file://{}", page.display());

    let dom = headless(&dir.path().join("profile-dom"))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(dom.status.success(), "chromium failed: {}", String::from_utf8_lossy(&dom.stderr));
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("Disaster-recovery readiness"), "page body rendered");
    for app in ["api", "reports", "status", "web"] {
        assert!(dom.contains(&format!("data-app=\"{app}\"")), "application {app} in the DOM");
    }
    assert!(dom.contains("data-verdict=\"not_ready\""));
    let settings = drscan::settings::Settings {
        targets: drscan::estimate::Targets { rto_seconds: Some(120), rpo_seconds: Some(30) },
        ..Default::default()
    };
    let snapshot = drscan::inventory::Snapshot::load(std::path::Path::new(REFERENCE)).expect("fixture");
    let findings = drscan::audit::run(&snapshot, &settings, Default::default()).findings.len();
    assert_eq!(dom.matches("class=\"finding\"").count(), findings, "every finding is a row");
    assert!(dom.contains("failover-secondary-unhealthy"));
    assert!(dom.contains("pilot light"));
    assert!(dom.contains("data-state=\"broken\""), "broken links are marked on the failover paths");
    assert!(dom.contains("id=\"drift\""), "drift against --previous is shown");
    assert!(dom.contains("data-drift=\"new\""));
    assert!(
        dom.contains("elasticfilesystem:DescribeReplicationConfigurations"),
        "unknowns name the API they need"
    );

    let screenshot = dir.path().join("report.png");
    let shot = headless(&dir.path().join("profile-shot"))
        .arg("--window-size=1280,2000")
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(shot.status.success(), "screenshot failed: {}", String::from_utf8_lossy(&shot.stderr));
    let png = std::fs::read(&screenshot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "a real screenshot, {} bytes", png.len());
}

#[test]
fn html_report_is_self_contained() {
    let html = report(&["--snapshot", REFERENCE, "--previous", REPAIRED, "--format", "html"]);
    assert!(html.contains("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
    let lower = html.to_ascii_lowercase();
    for needle in ["http://", "https://", "//cdn", "src=", "@import", "url(", "<script", "<link"] {
        assert!(!lower.contains(needle), "the page references `{needle}`");
    }
}

#[test]
fn markdown_report_of_the_reference_architecture() {
    let markdown = report(&["--snapshot", REFERENCE, "--previous", REPAIRED, "--format", "markdown"]);
    insta::assert_snapshot!("reference_report_markdown", markdown);
}

#[test]
fn report_format_follows_the_output_extension() {
    let dir = tempfile::tempdir().expect("temp dir");
    let md = dir.path().join("readiness.md");
    Command::cargo_bin("drscan")
        .expect("binary")
        .args(["report", "--snapshot", REFERENCE, "-o"])
        .arg(&md)
        .assert()
        .code(0);
    assert!(std::fs::read_to_string(&md).unwrap().starts_with("# Disaster-recovery readiness"));
    Command::cargo_bin("drscan")
        .expect("binary")
        .args(["report", "--snapshot", REFERENCE, "--previous", "no/such.json"])
        .assert()
        .code(2);
}

#[test]
fn unknowns_name_the_iam_action_to_grant_not_the_sdk_operation() {
    // The collectors name operations with the SDK's service names (`elbv2:`); IAM says
    // `elasticloadbalancing:`.
    let markdown = report(&[
        "--snapshot",
        "fixtures/rules/failover-secondary-unhealthy/unknown.json",
        "--format",
        "markdown",
    ]);
    assert!(
        markdown.contains("grant `elasticloadbalancing:DescribeTargetHealth` to the role drscan runs as"),
        "{markdown}"
    );
    assert!(!markdown.contains("grant `elbv2:"), "{markdown}");
}
