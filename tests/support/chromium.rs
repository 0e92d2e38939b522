//! Headless Chromium for the report's browser test and the report benchmark: finding the
//! binary, running it on a page at a given window width, and reading back what a probe script
//! measured in the page.
//!
//! A probe is JavaScript appended to a copy of the report and run on the load event; it writes
//! its result as JSON into a `<pre id="probe">` that `--dump-dom` prints once the page loaded.
//! Pages are measured in a frame of the exact width asked for (see [`Headless::probe`]). The
//! report's Content-Security-Policy runs no script but its own (allowed by its hash), so the
//! copy carries a policy that also allows inline scripts; nothing else changes.
//!
//! Test scaffolding, not library: included with `#[path]` by `tests/it` and `benches/report.rs`.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Debian's Chromium (what `.ci/run` and `scripts/test.sh` install), or `DRSCAN_CHROMIUM`.
pub(crate) fn binary() -> Option<PathBuf> {
    [
        std::env::var("DRSCAN_CHROMIUM").ok(),
        Some("/usr/bin/chromium".into()),
        Some("/usr/bin/chromium-browser".into()),
    ]
    .into_iter()
    .flatten()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// Whether a missing Chromium is a failure rather than a skip: in CI (`CI` is set, as GitHub
/// Actions and `.ci/run` do) or when `DRSCAN_REQUIRE_CHROMIUM` asks for it.
pub(crate) fn required() -> bool {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    set("CI") || set("DRSCAN_REQUIRE_CHROMIUM")
}

/// One headless browser profile; each run gets a fresh profile directory below it.
pub(crate) struct Headless {
    binary: PathBuf,
    dir: tempfile::TempDir,
    runs: std::cell::Cell<u32>,
    single_process: bool,
}

/// What one run printed and how long it took, process start to exit: wall time, and the CPU
/// time of the browser's reaped processes (Linux) — which leaves out the renderer's work
/// unless the browser runs [`Headless::single_process`].
pub(crate) struct Run {
    pub stdout: String,
    pub wall: Duration,
    pub cpu: Option<Duration>,
}

/// User + system time of this process's reaped children, from `/proc/self/stat`.
fn children_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses: cutime and cstime are the 14th
    // and 15th of them, in clock ticks (100 per second on Linux).
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    let ticks: u64 = fields.get(13)?.parse::<u64>().ok()? + fields.get(14)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

impl Headless {
    pub(crate) fn new() -> Option<Headless> {
        let binary = binary()?;
        let dir = tempfile::tempdir().ok()?;
        Some(Headless { binary, dir, runs: std::cell::Cell::new(0), single_process: false })
    }

    /// Render in the browser's own process (`--single-process`), so that [`Run::cpu`] counts
    /// the renderer's work too: timing runs only.
    pub(crate) fn single_process(self) -> Headless {
        Headless { single_process: true, ..self }
    }

    /// A directory for the pages a caller writes.
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, width: u32, height: u32) -> Command {
        let run = self.runs.get() + 1;
        self.runs.set(run);
        let mut cmd = Command::new(&self.binary);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--hide-scrollbars",
        ]);
        if self.single_process {
            cmd.arg("--single-process");
        }
        cmd.arg(format!("--window-size={width},{height}"));
        cmd.arg(format!("--user-data-dir={}", self.dir.path().join(format!("profile-{run}")).display()));
        cmd
    }

    fn run(&self, mut cmd: Command) -> Result<Run, String> {
        let started = Instant::now();
        let cpu_before = children_cpu();
        let output = cmd.output().map_err(|e| format!("chromium did not start: {e}"))?;
        let wall = started.elapsed();
        let cpu = children_cpu().zip(cpu_before).map(|(after, before)| after.saturating_sub(before));
        if !output.status.success() {
            return Err(format!(
                "chromium failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(Run { stdout: String::from_utf8_lossy(&output.stdout).into_owned(), wall, cpu })
    }

    /// The DOM after load of `url` (a `file://` URL, with a fragment if wanted).
    pub(crate) fn dump_dom(&self, url: &str, width: u32) -> Result<Run, String> {
        let mut cmd = self.command(width, 900);
        cmd.arg("--dump-dom").arg(url);
        self.run(cmd)
    }

    /// A screenshot of the top `height` pixels of `url`.
    pub(crate) fn screenshot(&self, url: &str, width: u32, height: u32, png: &Path) -> Result<Run, String> {
        let mut cmd = self.command(width, height);
        cmd.arg(format!("--screenshot={}", png.display())).arg(url);
        self.run(cmd)
    }

    /// Load `html` at exactly `width` CSS pixels, go to `fragment` (e.g. `#page-2`, or empty)
    /// and return what `script` (a function body) returned, as JSON.
    ///
    /// Headless Chromium will not make its window narrower than 500 px, so the page is shown in
    /// an `<iframe srcdoc>` of that width inside a wider window: the frame is its own viewport
    /// (its media queries and layout see `width`), and as a same-origin frame its probe can
    /// write the result into the parent page, which `--dump-dom` prints.
    pub(crate) fn probe(
        &self,
        html: &str,
        script: &str,
        fragment: &str,
        width: u32,
    ) -> Result<Value, String> {
        let height = 900;
        let framed = format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"margin:0\"><pre id=\"probe\"></pre>\
             <iframe style=\"display:block;border:0;width:{width}px;height:{height}px\" srcdoc=\"{}\"></iframe></body></html>",
            attribute(&with_probe(html, script, fragment))
        );
        Ok(self.probe_page(&framed, width.max(500) + 20)?.0)
    }

    /// Load `page` (already carrying a probe, see [`with_probe`]) at the window's `width` and
    /// return what the probe wrote, with the run's wall time.
    pub(crate) fn probe_page(&self, page: &str, width: u32) -> Result<(Value, Run), String> {
        let run = self.runs.get() + 1;
        let file = self.dir.path().join(format!("probe-{run}.html"));
        std::fs::write(&file, page).map_err(|e| e.to_string())?;
        let result = self.dump_dom(&format!("file://{}", file.display()), width);
        let _ = std::fs::remove_file(&file);
        let run = result?;
        let json = probe_result(&run.stdout)?;
        Ok((json, run))
    }
}

/// `html` with a probe before `</body>`: on the load event it goes to `fragment` (if any),
/// runs `script` (a function body) and writes its JSON result into `<pre id="probe">` — the
/// parent page's when framed — and a Content-Security-Policy that lets it run.
pub(crate) fn with_probe(html: &str, script: &str, fragment: &str) -> String {
    let relaxed = html.replacen(
        "content=\"default-src 'none';",
        "content=\"default-src 'none'; script-src 'unsafe-inline';",
        1,
    );
    let fragment = serde_json::to_string(fragment).unwrap_or_else(|_| "\"\"".into());
    let tag = format!(
        "<pre id=\"probe\"></pre><script>addEventListener('load',function(){{\
         var out=(window.frameElement?parent.document:document).getElementById('probe');\
         try{{if({fragment})location.hash={fragment};out.textContent=JSON.stringify((function(){{{script}}})())}}\
         catch(e){{out.textContent=JSON.stringify({{error:String(e)}})}}}})</script></body>"
    );
    match relaxed.rfind("</body>") {
        Some(at) => format!("{}{}{}", &relaxed[..at], tag, &relaxed[at + "</body>".len()..]),
        None => relaxed + &tag,
    }
}

/// Text as an HTML attribute value.
fn attribute(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;")
}

/// The JSON a probe wrote, from a dumped DOM.
fn probe_result(dom: &str) -> Result<Value, String> {
    let start =
        dom.find("<pre id=\"probe\">").ok_or("no probe element in the DOM")? + "<pre id=\"probe\">".len();
    let end = dom[start..].find("</pre>").ok_or("probe element not closed")? + start;
    let text = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("probe wrote no JSON ({e}): {text}"))?;
    match value.get("error") {
        Some(error) => Err(format!("probe script failed: {error}")),
        None => Ok(value),
    }
}
