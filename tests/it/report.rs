//! `drscan report`: the HTML page rendered in a real headless Chromium — DOM asserted, a
//! screenshot taken; at phone (360 and 400 px) and desktop (1400 px) widths nothing wider than
//! the window, no label cut or shrunk, the legend in the boxes' colours; a large estate paged —
//! its Content-Security-Policy and the absence of any external URL; the Markdown form as an
//! insta snapshot, summarised to fit a GitHub comment for a large estate, and with hostile
//! resource names escaped inside Mermaid.
//!
//! Without Chromium the browser tests are skipped with a message, except in CI (`CI` or
//! `DRSCAN_REQUIRE_CHROMIUM` set), where they fail.

use crate::chromium::{self, Headless};
use crate::synthetic;
use assert_cmd::Command;
use drscan::report;
use drscan::settings::Settings;
use serde_json::Value;
use std::path::Path;

const REFERENCE: &str = "fixtures/reference-architecture.json";
const REPAIRED: &str = "fixtures/reference-architecture-repaired.json";

fn report(args: &[&str]) -> String {
    let output =
        Command::cargo_bin("drscan").expect("binary").arg("report").args(args).output().expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf-8")
}

/// The browser, or `None` (the test returns) where a missing Chromium is allowed.
fn browser(test: &str) -> Option<Headless> {
    if let Some(browser) = Headless::new() {
        return Some(browser);
    }
    assert!(
        !chromium::required(),
        "{test}: Chromium is required here (CI or DRSCAN_REQUIRE_CHROMIUM is set) but none was found: \
         apt-get install chromium (scripts/test.sh does it as root), or set DRSCAN_CHROMIUM"
    );
    eprintln!(
        "SKIPPED {test}: no Chromium found (apt-get install chromium, or set DRSCAN_CHROMIUM); \
         the report was not checked in a browser"
    );
    None
}

/// The reference architecture's HTML report with drift and targets, as the CLI writes it.
fn reference_html(dir: &Path) -> std::path::PathBuf {
    let page = dir.join("report.html");
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
    page
}

#[test]
fn html_report_renders_in_chromium() {
    let Some(browser) = browser("html_report_renders_in_chromium") else { return };
    let page = reference_html(browser.dir());
    let url = format!("file://{}", page.display());

    let dom = browser.dump_dom(&url, 1280).expect("chromium runs").stdout;
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
    // "How to fix" is rendered from the rules' Markdown: code spans are code, no raw backticks.
    let fixes = &dom[dom.find("id=\"how-to-fix\"").expect("a How to fix section")..];
    let fixes = &fixes[..fixes.find("id=\"unknowns\"").expect("followed by the unknowns")];
    assert!(fixes.contains("<code>"), "{fixes}");
    assert!(!fixes.contains('`'), "raw Markdown backticks in How to fix: {fixes}");
    // Unbounded and unknown are different answers and carry different labels.
    assert!(dom.contains("<td class=\"v-unbounded\">unbounded</td>"));
    assert!(dom.contains("<td class=\"v-unknown\">unknown</td>"));

    let screenshot = browser.dir().join("report.png");
    browser.screenshot(&url, 1280, 2000, &screenshot).expect("screenshot");
    let png = std::fs::read(&screenshot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "a real screenshot, {} bytes", png.len());
}

/// Measures, in the page at the window's width: the document's and every element's scroll
/// width against its box (content that sticks out), boxes reaching past the window, text under
/// 11 px, labels of path boxes clipped, and the legend's colours against the boxes'. Every
/// collapsed section is opened first, so that all of it is measured.
const LAYOUT_PROBE: &str = r#"
document.querySelectorAll('details').forEach(function (d) { d.open = true; });
var doc = document.documentElement, width = doc.clientWidth;
function describe(el) {
  var name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined ? '.' + el.className.split(' ').join('.') : '');
  return name + ' "' + (el.textContent || '').trim().slice(0, 60) + '"';
}
var out = { width: width, doc_scroll: doc.scrollWidth, overflowing: [], outside: [], small: [], clipped: [], legend: {}, nodes: 0, labels: [] };
document.body.querySelectorAll('*').forEach(function (el) {
  if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') return;
  var style = getComputedStyle(el), rect = el.getBoundingClientRect();
  if (style.display === 'none' || rect.width === 0) return;
  if (style.display !== 'inline' && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) out.overflowing.push(describe(el) + ' ' + el.scrollWidth + '>' + el.clientWidth);
  if (rect.right > width + 1 || rect.left < -1) out.outside.push(describe(el) + ' ' + Math.round(rect.left) + '..' + Math.round(rect.right));
  var ownText = Array.prototype.some.call(el.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim() !== ''; });
  if (ownText && parseFloat(style.fontSize) < 11) out.small.push(describe(el) + ' ' + style.fontSize);
});
document.querySelectorAll('.hops > li > *').forEach(function (el) {
  if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) out.clipped.push(describe(el));
  if (el.tagName === 'SPAN') out.labels.push(el.textContent);
});
['ok', 'broken', 'unknown'].forEach(function (state) {
  var swatch = document.querySelector('.legend i[data-state=' + state + ']'), node = document.querySelector('.hops > li[data-state=' + state + ']');
  if (!swatch || !node) return;
  var s = getComputedStyle(swatch), n = getComputedStyle(node);
  out.legend[state] = { swatch: [s.borderTopColor, s.backgroundColor], node: [n.borderTopColor, n.backgroundColor] };
});
out.nodes = document.querySelectorAll('.hops > li').length;
return out;
"#;

/// The layout probe's complaints about `html` at `width`, and its raw result.
fn layout_problems(browser: &Headless, html: &str, width: u32) -> (Vec<String>, Value) {
    let probe = browser.probe(html, LAYOUT_PROBE, "", width).expect("probe runs");
    assert_eq!(probe["width"].as_u64(), Some(u64::from(width)), "laid out at the width asked for");
    let mut problems = Vec::new();
    let at = |what: &str| format!("at {width} px: {what}");
    if probe["doc_scroll"].as_u64() > probe["width"].as_u64() {
        problems
            .push(at(&format!("the page scrolls sideways ({} > {})", probe["doc_scroll"], probe["width"])));
    }
    for (key, what) in [
        ("overflowing", "content wider than its box"),
        ("outside", "box past the window's edge"),
        ("small", "text under 11 px"),
        ("clipped", "path label clipped"),
    ] {
        for item in probe[key].as_array().into_iter().flatten() {
            problems.push(at(&format!("{what}: {}", item.as_str().unwrap_or_default())));
        }
    }
    for (state, colours) in probe["legend"].as_object().into_iter().flatten() {
        if colours["swatch"] != colours["node"] {
            problems.push(at(&format!(
                "legend `{state}` is {} but its boxes are {}",
                colours["swatch"], colours["node"]
            )));
        }
    }
    (problems, probe)
}

#[test]
fn html_report_fits_phone_and_desktop_widths() {
    let Some(browser) = browser("html_report_fits_phone_and_desktop_widths") else { return };
    let html = std::fs::read_to_string(reference_html(browser.dir())).expect("report written");
    // Every failover path label the model has, in full (with the targets the page was written
    // with, which order the applications).
    let snapshot = drscan::inventory::Snapshot::load(Path::new(REFERENCE)).expect("fixture");
    let settings = Settings {
        targets: drscan::estimate::Targets { rto_seconds: Some(120), rpo_seconds: Some(30) },
        ..Settings::default()
    };
    let inventory = drscan::inventory::graph::Inventory::build(&snapshot, &settings.matching);
    let audit = drscan::audit::run_on(&inventory, &settings, Default::default());
    let model = report::build(&snapshot, &inventory, &audit, &report::estimate_views(&audit.estimates), None);
    let labels: Vec<&str> =
        model.apps.iter().flat_map(|a| &a.paths).flat_map(|p| &p.nodes).map(|n| n.label.as_str()).collect();
    assert!(labels.iter().any(|l| l.contains("api-primary-tg (2/2 healthy)")), "{labels:?}");

    let mut problems = Vec::new();
    for width in [360, 400, 1400] {
        let (found, probe) = layout_problems(&browser, &html, width);
        problems.extend(found);
        assert_eq!(probe["nodes"].as_u64(), Some(labels.len() as u64), "every path node drawn at {width} px");
        let shown: Vec<&str> =
            probe["labels"].as_array().expect("labels").iter().filter_map(Value::as_str).collect();
        assert_eq!(shown, labels, "path labels in full at {width} px");
        assert_eq!(probe["legend"].as_object().map(|l| l.len()), Some(3), "all three states drawn: {probe}");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The report model and HTML of a synthetic estate of `units` applications.
fn synthetic_html(units: usize) -> (String, Vec<(String, drscan::report::Verdict)>) {
    let snapshot = synthetic::generate_units(units, 7);
    let settings = Settings::default();
    let inventory = drscan::inventory::graph::Inventory::build(&snapshot, &settings.matching);
    let audit = drscan::audit::run_on(&inventory, &settings, Default::default());
    let model = report::build(&snapshot, &inventory, &audit, &report::estimate_views(&audit.estimates), None);
    let apps = model.apps.iter().map(|a| (a.name.clone(), a.verdict)).collect();
    (report::html::render(&model), apps)
}

/// Which pages and application sections the browser displays, which sections are drawn and
/// which of them are open.
const PAGES_PROBE: &str = r#"
var shown = function (el) { return getComputedStyle(el).display !== 'none'; };
return {
  pages: Array.prototype.filter.call(document.querySelectorAll('.page'), shown).map(function (p) { return p.id; }),
  drawn: Array.prototype.map.call(document.querySelectorAll('details.app'), function (d) { return d.dataset.app; }),
  open: Array.prototype.filter.call(document.querySelectorAll('details.app'), function (d) { return d.open; }).map(function (d) { return d.dataset.app; }),
  total: document.querySelectorAll('.page').length
};
"#;

#[test]
fn html_report_of_a_large_estate_shows_one_page_at_a_time() {
    let Some(browser) = browser("html_report_of_a_large_estate_shows_one_page_at_a_time") else { return };
    let units = report::html::PAGE_SIZE * 2 + 20;
    let (html, apps) = synthetic_html(units);
    let verdicts: std::collections::BTreeSet<_> = apps.iter().map(|(_, v)| *v).collect();
    assert!(verdicts.len() > 1, "the estate mixes verdicts: {verdicts:?}");
    assert!(apps.windows(2).all(|w| w[0].1 >= w[1].1), "worst first");

    let probe = browser.probe(&html, PAGES_PROBE, "", 1400).expect("probe runs");
    assert_eq!(probe["total"], 3, "{probe}");
    assert_eq!(probe["pages"], serde_json::json!(["page-1"]), "the first page by default");
    let probe = browser.probe(&html, PAGES_PROBE, "#page-3", 1400).expect("probe runs");
    assert_eq!(probe["pages"], serde_json::json!(["page-3"]), "the page the link names");
    // A link to an application shows the page it is on.
    let (second_page_app, _) = &apps[report::html::PAGE_SIZE + 3];
    let fragment = format!("#app-{second_page_app}");
    let probe = browser.probe(&html, PAGES_PROBE, &fragment, 1400).expect("probe runs");
    assert_eq!(probe["pages"], serde_json::json!(["page-2"]), "{fragment}");
    // Only the first page is markup: the probe moved to the fragment after load, before the
    // page's script could draw the second page (which the next test follows).
    let drawn: Vec<&str> =
        probe["drawn"].as_array().expect("drawn").iter().filter_map(Value::as_str).collect();
    let first_page: Vec<&str> =
        apps[..report::html::PAGE_SIZE].iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(drawn, first_page);
    // Ready applications are collapsed, the others open.
    let open: Vec<&str> = probe["open"].as_array().expect("open").iter().filter_map(Value::as_str).collect();
    let expected: Vec<&str> = apps[..report::html::PAGE_SIZE]
        .iter()
        .filter(|(_, v)| *v != drscan::report::Verdict::Ready)
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(open, expected);

    let mut problems = Vec::new();
    for width in [400, 1400] {
        problems.extend(layout_problems(&browser, &html, width).0);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Pages 2 and later are drawn by the report's script when they are visited. The probe does
/// what a reader does — follows the pager's link to page 3, then searches for the estate's
/// last application and follows the hit — and reports what is displayed at each step.
const DEFERRED_PROBE: &str = r##"
var shown = function (el) { return getComputedStyle(el).display !== 'none'; };
var displayed = function () { return Array.prototype.filter.call(document.querySelectorAll('.page'), shown).map(function (p) { return p.id; }); };
var apps = function (page) { return Array.prototype.map.call(page.querySelectorAll('details.app'), function (d) { return [d.dataset.app, d.open]; }); };
var out = {};
document.querySelector('.pager a[href="#page-3"]').click();
var page = document.getElementById('page-3');
out.paged = { displayed: displayed(), apps: apps(page), rows: page.querySelectorAll('tr[data-app]').length, height: page.getBoundingClientRect().height };
var input = document.getElementById('find');
input.value = LAST.slice(2).toUpperCase();
input.dispatchEvent(new Event('input'));
var hits = document.querySelectorAll('#found a');
out.hits = Array.prototype.map.call(hits, function (a) { return a.textContent; });
out.count = document.getElementById('found-count').textContent;
Array.prototype.filter.call(hits, function (a) { return a.textContent === LAST; })[0].click();
var target = document.querySelector(':target'), rect = target.getBoundingClientRect();
out.found = { target: target.id, app: target.dataset.app, tag: target.tagName, displayed: displayed(), top: rect.top, height: rect.height, viewport: innerHeight };
return out;
"##;

#[test]
fn html_report_of_a_large_estate_draws_later_pages_when_visited() {
    let Some(browser) = browser("html_report_of_a_large_estate_draws_later_pages_when_visited") else {
        return;
    };
    let page_size = report::html::PAGE_SIZE;
    let (html, apps) = synthetic_html(page_size * 2 + 20);
    let (last, _) = apps.last().expect("applications");
    let script = DEFERRED_PROBE.replace("LAST", &serde_json::to_string(last).expect("a JSON string"));
    // Not framed: in an `<iframe srcdoc>` a link to `#fragment` points at the parent's URL.
    let (probe, _) = browser.probe_page(&chromium::with_probe(&html, &script, ""), 1400).expect("probe runs");

    // Page 3 after its link: applications 101 to 120, drawn, ready ones collapsed.
    let paged = &probe["paged"];
    assert_eq!(paged["displayed"], serde_json::json!(["page-3"]), "{probe}");
    let expected: Vec<Value> = apps[page_size * 2..]
        .iter()
        .map(|(name, verdict)| serde_json::json!([name, *verdict != drscan::report::Verdict::Ready]))
        .collect();
    assert_eq!(paged["apps"], Value::Array(expected), "{probe}");
    assert!(
        apps[page_size * 2..].iter().any(|(_, v)| *v == drscan::report::Verdict::Ready),
        "page 3 has ready ones"
    );
    assert_eq!(paged["rows"], 20, "the page's overview table: {probe}");
    assert!(paged["height"].as_f64() > Some(1000.0), "laid out: {probe}");

    // A search for part of the last application's name, in another case, finds it; its hit
    // leads to its section, displayed on its page and scrolled into the window.
    let hits = probe["hits"].as_array().expect("hits");
    assert!(hits.contains(&Value::from(last.as_str())), "{probe}");
    assert!(probe["count"].as_str().is_some_and(|c| c.contains("match")), "{probe}");
    let found = &probe["found"];
    assert_eq!(found["target"], format!("app-{last}"), "{probe}");
    assert_eq!(found["app"], last.as_str(), "{probe}");
    assert_eq!(found["tag"], "DETAILS", "{probe}");
    assert_eq!(found["displayed"], serde_json::json!(["page-3"]), "{probe}");
    let (top, height, viewport) = (
        found["top"].as_f64().unwrap_or(-1.0),
        found["height"].as_f64().unwrap_or(0.0),
        found["viewport"].as_f64(),
    );
    assert!(height > 0.0 && top >= 0.0 && Some(top) < viewport, "in the window: {probe}");

    // Opened with a fragment naming an application of a later page, under the report's own
    // Content-Security-Policy (its script allowed by hash): that page is drawn at load.
    let file = browser.dir().join("large.html");
    std::fs::write(&file, &html).expect("page written");
    let url = format!("file://{}#app-{last}", file.display());
    let dom = browser.dump_dom(&url, 1400).expect("chromium runs").stdout;
    assert!(dom.contains(&format!("<details class=\"app\" id=\"app-{last}\"")), "drawn at load");
    // (The script's own text, which the DOM shows too, has no `class="finder"`.)
    assert!(dom.contains("<div class=\"finder\">"), "the search box is there");
}

/// The Content-Security-Policy of an HTML page.
fn policy(html: &str) -> &str {
    let policy = html.split("http-equiv=\"Content-Security-Policy\" content=\"").nth(1).expect("a policy");
    &policy[..policy.find('"').expect("quoted")]
}

#[test]
fn html_report_of_a_large_estate_without_script_shows_the_summary_and_first_page() {
    let Some(browser) =
        browser("html_report_of_a_large_estate_without_script_shows_the_summary_and_first_page")
    else {
        return;
    };
    let page_size = report::html::PAGE_SIZE;
    let (html, apps) = synthetic_html(page_size * 2 + 20);
    // A browser that runs no script, as the page sees it: a policy without the script's hash.
    let policy = policy(&html);
    let without_script = policy[..policy.find("; script-src").expect("a script's hash")].to_string();
    let html = html.replacen(policy, &without_script, 1);
    let file = browser.dir().join("large.html");
    std::fs::write(&file, &html).expect("page written");
    let dom =
        browser.dump_dom(&format!("file://{}#page-2", file.display()), 1400).expect("chromium runs").stdout;
    assert!(dom.contains("id=\"verdict\""), "the summary");
    for (name, _) in &apps[..page_size] {
        assert!(
            dom.contains(&format!("<details class=\"app\" id=\"app-{name}\"")),
            "{name} on the first page"
        );
    }
    let (later, _) = &apps[page_size];
    assert!(!dom.contains(&format!("<details class=\"app\" id=\"app-{later}\"")), "page 2 is not drawn");
    assert!(dom.contains("class=\"muted deferred\""), "it says why");
    assert!(!dom.contains("<div class=\"finder\">"), "no search box without script");
}

#[test]
fn html_report_is_self_contained() {
    let html = report(&["--snapshot", REFERENCE, "--previous", REPAIRED, "--format", "html"]);
    assert!(html.contains("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
    let lower = html.to_ascii_lowercase();
    for needle in ["http://", "https://", "//cdn", "src=", "@import", "url(", "<script", "<link"] {
        assert!(!lower.contains(needle), "the page references `{needle}`");
    }
    // More than one page of applications brings one inline script, allowed by its hash alone,
    // and the later pages as data blocks.
    let (html, _) = synthetic_html(report::html::PAGE_SIZE + 1);
    let policy = policy(&html);
    assert!(
        policy.starts_with("default-src 'none';") && policy.contains("; script-src 'sha256-"),
        "{policy}"
    );
    assert!(
        !policy.contains("unsafe-eval") && policy.matches("unsafe-inline").count() == 1,
        "styles only: {policy}"
    );
    let lower = html.to_ascii_lowercase();
    for needle in ["http://", "https://", "//cdn", "src=", "@import", "url(", "<link"] {
        assert!(!lower.contains(needle), "the page references `{needle}`");
    }
    let data = lower.matches("<script type=\"application/json\"").count();
    assert_eq!(data, 2, "page 2 and the search index");
    assert_eq!(lower.matches("<script").count(), data + 1, "one script runs");
}

#[test]
fn markdown_report_of_the_reference_architecture() {
    let markdown = report(&["--snapshot", REFERENCE, "--previous", REPAIRED, "--format", "markdown"]);
    insta::assert_snapshot!("reference_report_markdown", markdown);
}

#[test]
fn markdown_report_of_a_large_estate_fits_a_github_comment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = synthetic::generate_units(400, 7);
    let file = dir.path().join("estate.json");
    std::fs::write(&file, serde_json::to_vec(&snapshot).expect("serialises")).expect("written");
    let file = file.to_str().expect("utf-8 path");
    let url = "https://github.com/acme/infra/actions/runs/42";
    let markdown = report(&["--snapshot", file, "--format", "markdown", "--full-report-url", url]);
    let limit = drscan::report::markdown::GITHUB_COMMENT_LIMIT;
    let length = drscan::report::markdown::length(&markdown);
    assert!(length <= limit, "{length} characters");
    assert!(length > limit * 9 / 10, "the room is used: {length} characters");
    assert!(markdown.starts_with("# Disaster-recovery readiness"), "{markdown}");
    assert!(
        markdown.contains("> This report is cut to fit a GitHub comment (65536 characters)"),
        "{markdown}"
    );
    assert!(markdown.contains(&format!("The full report: [{url}]({url})")), "{markdown}");
    assert!(markdown.contains("400 applications"), "the counts cover the whole estate");
    assert!(markdown.contains("more applications ("), "what the table leaves out is counted");
    assert!(markdown.contains("## What drscan could not see"), "kept whole");
    assert!(markdown.contains("## Collection"), "kept whole");
    // Worst first: the first detailed section is of a not-ready application.
    let first = markdown.lines().find(|l| l.starts_with("## app-")).expect("an application's section");
    assert!(first.contains("Not ready"), "{first}");
    // Every Mermaid block (and every other fenced block, such as a How-to-fix example) and
    // details element that was opened is closed.
    let fences = markdown.lines().filter(|l| l.trim_start().starts_with("```")).count();
    assert_eq!(fences % 2, 0, "an unclosed fence");
    assert!(markdown.matches("```mermaid").count() * 2 <= fences);
    assert!(markdown.matches("```mermaid").count() > 0);
    assert_eq!(markdown.matches("<details>").count(), markdown.matches("</details>").count());

    // A small report is not touched.
    let reference = report(&["--snapshot", REFERENCE, "--format", "markdown", "--full-report-url", url]);
    assert!(!reference.contains("cut to fit"), "{reference}");
}

#[test]
fn mermaid_labels_escape_hostile_resource_names() {
    let hostile = "web \"golden\" [v7] <b>#1; `x` a|b\nnext";
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(REFERENCE).expect("fixture")).expect("json");
    let primary = &mut doc["resources"]["regional"]["ap-south-1"];
    let image =
        primary["images"].as_array_mut().expect("images").iter_mut().find(|i| i["name"] == "web-golden-v7");
    image.expect("the web AMI")["name"] = hostile.into();
    for fs in primary["file_systems"].as_array_mut().expect("file systems") {
        fs["name"] = format!("{hostile} {}", fs["id"].as_str().unwrap_or_default()).into();
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("hostile.json");
    std::fs::write(&file, serde_json::to_vec(&doc).expect("json")).expect("written");
    let markdown = report(&["--snapshot", file.to_str().expect("utf-8"), "--format", "markdown"]);

    let mut labels = Vec::new();
    let mut blocks = markdown.split("```mermaid\n").skip(1);
    for block in blocks.by_ref() {
        let block = &block[..block.find("```").expect("block closed")];
        for line in block.lines() {
            let line = line.trim();
            if line == "flowchart LR" || line.starts_with("style ") || line.contains(" --> ") {
                assert!(!line.contains('"'), "{line}");
                continue;
            }
            // A node: id["label"], the label free of anything Mermaid would read as syntax.
            let (id, rest) = line.split_once("[\"").unwrap_or_else(|| panic!("not a node: {line}"));
            assert!(id.chars().all(|c| c.is_ascii_alphanumeric()), "{line}");
            let label = rest.strip_suffix("\"]").unwrap_or_else(|| panic!("label not closed: {line}"));
            for syntax in ['"', '<', '>', '`', '|', '[', ']'] {
                assert!(!label.contains(syntax), "{syntax:?} in {line}");
            }
            labels.push(decode_entities(label));
        }
    }
    let flat = hostile.replace('\n', " ");
    assert!(labels.iter().any(|l| l == &format!("AMI: ami-0a7c3e9f21b4d5e07 {flat}")), "{labels:#?}");
    assert!(labels.iter().any(|l| l.starts_with(&format!("file system: {flat} fs-"))), "{labels:#?}");
}

/// Mermaid's `#code;` entities back to characters; panics on a `#` or `;` outside one.
fn decode_entities(label: &str) -> String {
    let mut out = String::new();
    let mut rest = label;
    while let Some(at) = rest.find(['#', ';']) {
        assert_eq!(&rest[at..at + 1], "#", "a bare `;` in {label}");
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';').unwrap_or_else(|| panic!("a bare `#` in {label}")) + at;
        let code: u32 = rest[at + 1..end].parse().unwrap_or_else(|_| panic!("not an entity in {label}"));
        out.push(char::from_u32(code).expect("a character"));
        rest = &rest[end + 1..];
    }
    out + rest
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
