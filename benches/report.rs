//! Readiness report at scale: generate synthetic estates, audit them, render the HTML and
//! Markdown reports, and time a headless Chromium load of the HTML (when Chromium is present).
//! Run with `cargo bench --bench report`; prints applications, findings, sizes and times.

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use drscan::audit::{self, GatePolicy};
use drscan::inventory::graph::Inventory;
use drscan::report;
use drscan::settings::Settings;
use std::time::Instant;

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect::<Vec<_>>()
        .into_iter()
        .chain(std::iter::empty())
        .collect();
    let sizes = if sizes.is_empty() { vec![8_000, 60_000, 200_000] } else { sizes };
    println!("resources  apps  findings  model ms  html ms  html KB  md ms   md KB  chromium dump-dom ms");
    for size in sizes {
        let snapshot = synthetic::generate(size, 7);
        let settings = Settings::default();
        let report_data = audit::run(&snapshot, &settings, GatePolicy::default());
        let started = Instant::now();
        let inventory = Inventory::build(&snapshot, &settings.matching);
        let estimates = report::estimate_views(&report_data.estimates);
        let model = report::build(&snapshot, &inventory, &report_data, &estimates, None);
        let model_ms = started.elapsed().as_secs_f64() * 1000.0;
        let started = Instant::now();
        let html = report::html::render(&model);
        let html_ms = started.elapsed().as_secs_f64() * 1000.0;
        let started = Instant::now();
        let markdown = report::markdown::render(&model);
        let md_ms = started.elapsed().as_secs_f64() * 1000.0;
        let browser = chromium_ms(&html).map(|ms| format!("{ms:.0}")).unwrap_or_else(|| "n/a".into());
        println!(
            "{size:>9} {:>5} {:>9} {model_ms:>9.1} {html_ms:>8.1} {:>8} {md_ms:>6.1} {:>7} {browser:>21}",
            model.apps.len(),
            report_data.findings.len(),
            html.len() / 1024,
            markdown.len() / 1024
        );
    }
}

/// Wall time of a headless Chromium loading the page and dumping its DOM.
fn chromium_ms(html: &str) -> Option<f64> {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).is_file())?;
    let dir = tempfile::tempdir().ok()?;
    let page = dir.path().join("report.html");
    std::fs::write(&page, html).ok()?;
    let started = Instant::now();
    let output = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", dir.path().join("profile").display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .ok()?;
    output.status.success().then(|| started.elapsed().as_secs_f64() * 1000.0)
}
