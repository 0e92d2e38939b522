//! Readiness report at scale: generate synthetic estates, audit them, render the HTML and
//! Markdown reports, and time headless Chromium opening the HTML (when Chromium is present).
//!
//! `cargo bench --bench report [-- SIZE...]` sizes estates by resources (default 8,000, 60,000
//! and 200,000); `cargo bench --bench report -- --apps 5000` sizes them by applications, the
//! issue's "5,000 applications open in a few seconds". `--keep DIR` also writes each page there;
//! `--page FILE` (repeatable) only times Chromium opening pages written before, e.g. by another
//! commit's `--keep`.
//!
//! Chromium columns: `open ms` is the wall time of `chromium --headless --screenshot` at
//! 1400×1000 (process start to exit: parse, style, layout and paint of the first screen) and
//! `cpu ms` its CPU time (the steadier number on a loaded machine; the browser runs
//! `--single-process` so that the renderer's work is counted), `empty ms`
//! the same for an empty page (the browser's own start-up, to subtract), and `layout ms` the
//! page's own `performance.now()` once the whole document is parsed and laid out, read by a
//! probe script in a copy of the page.

// Test and benchmark code may panic on what it set up itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/chromium.rs"]
mod chromium;
#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use drscan::audit::{self, GatePolicy};
use drscan::inventory::graph::Inventory;
use drscan::report;
use drscan::settings::Settings;
use std::path::PathBuf;
use std::time::Instant;

/// On the load event, force a layout of the whole document; report the page's clock.
const LAYOUT_PROBE: &str = "var loaded=performance.now(); document.body.getBoundingClientRect(); \
    var h=document.documentElement.scrollHeight; return {loaded_ms:loaded, laid_out_ms:performance.now(), height:h};";

fn main() {
    let mut by_apps = false;
    let mut keep: Option<PathBuf> = None;
    let mut sizes = Vec::new();
    let mut pages = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--apps" => by_apps = true,
            "--keep" => keep = args.next().map(PathBuf::from),
            "--page" => pages.extend(args.next().map(PathBuf::from)),
            other => sizes.extend(other.parse::<usize>().ok()),
        }
    }
    let browser = chromium::Headless::new().map(chromium::Headless::single_process);
    let empty = browser.as_ref().and_then(|b| open_ms(b, "<!DOCTYPE html><title>empty</title>"));
    if !pages.is_empty() {
        time_pages(browser.as_ref(), &pages, empty);
        return;
    }
    if sizes.is_empty() {
        sizes = if by_apps { vec![5_000] } else { vec![8_000, 60_000, 200_000] };
    }
    println!(
        "resources   apps  findings  model ms  html ms   html KB  md ms   md KB  open ms  cpu ms empty ms  cpu ms  layout ms"
    );
    for size in sizes {
        let snapshot =
            if by_apps { synthetic::generate_units(size, 7) } else { synthetic::generate(size, 7) };
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
        if let Some(dir) = &keep {
            let _ = std::fs::create_dir_all(dir);
            let _ = std::fs::write(dir.join(format!("report-{size}.html")), &html);
            let _ = std::fs::write(dir.join(format!("report-{size}.md")), &markdown);
        }
        let open = browser.as_ref().and_then(|b| open_ms(b, &html));
        let layout = browser.as_ref().and_then(|b| {
            match b.probe_page(&chromium::with_probe(&html, LAYOUT_PROBE, ""), 1400) {
                Ok((probe, _)) => probe["laid_out_ms"].as_f64(),
                Err(error) => {
                    eprintln!("layout probe: {error}");
                    None
                }
            }
        });
        let ms = |v: Option<f64>| v.map(|v| format!("{v:.0}")).unwrap_or_else(|| "n/a".into());
        println!(
            "{:>9} {:>6} {:>9} {model_ms:>9.1} {html_ms:>8.1} {:>9} {md_ms:>6.1} {:>7} {:>8} {:>7} {:>8} {:>7} {:>10}",
            synthetic::resource_count(&snapshot),
            model.apps.len(),
            report_data.findings.len(),
            html.len() / 1024,
            markdown.len() / 1024,
            ms(open.map(|o| o.0)),
            ms(open.and_then(|o| o.1)),
            ms(empty.map(|o| o.0)),
            ms(empty.and_then(|o| o.1)),
            ms(layout),
        );
    }
    if browser.is_none() {
        eprintln!(
            "no Chromium found (set DRSCAN_CHROMIUM or apt-get install chromium): browser columns are n/a"
        );
    }
}

/// `--page FILE`: the browser columns for pages written earlier (e.g. by `--keep` at another
/// commit), to compare renderings of the same estate.
fn time_pages(browser: Option<&chromium::Headless>, pages: &[PathBuf], empty: Option<(f64, Option<f64>)>) {
    let Some(browser) = browser else {
        eprintln!("no Chromium found (set DRSCAN_CHROMIUM or apt-get install chromium)");
        return;
    };
    let ms = |v: Option<f64>| v.map(|v| format!("{v:.0}")).unwrap_or_else(|| "n/a".into());
    println!("  html KB  open ms  cpu ms empty ms  cpu ms  layout ms  page");
    for page in pages {
        let Ok(html) = std::fs::read_to_string(page) else {
            eprintln!("cannot read {}", page.display());
            continue;
        };
        let open = open_ms(browser, &html);
        let layout = browser.probe_page(&chromium::with_probe(&html, LAYOUT_PROBE, ""), 1400).ok();
        println!(
            "{:>9} {:>8} {:>7} {:>8} {:>7} {:>10}  {}",
            html.len() / 1024,
            ms(open.map(|o| o.0)),
            ms(open.and_then(|o| o.1)),
            ms(empty.map(|o| o.0)),
            ms(empty.and_then(|o| o.1)),
            ms(layout.and_then(|(probe, _)| probe["laid_out_ms"].as_f64())),
            page.display()
        );
    }
}

/// Wall and CPU time of a headless Chromium opening the page and taking a screenshot of the
/// first screen.
fn open_ms(browser: &chromium::Headless, html: &str) -> Option<(f64, Option<f64>)> {
    let page = browser.dir().join("open.html");
    let png = browser.dir().join("open.png");
    std::fs::write(&page, html).ok()?;
    let run = browser.screenshot(&format!("file://{}", page.display()), 1400, 1000, &png);
    let _ = std::fs::remove_file(&page);
    let _ = std::fs::remove_file(&png);
    match run {
        Ok(run) => Some((run.wall.as_secs_f64() * 1000.0, run.cpu.map(|c| c.as_secs_f64() * 1000.0))),
        Err(error) => {
            eprintln!("chromium: {error}");
            None
        }
    }
}
