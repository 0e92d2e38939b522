//! The readiness report as one self-contained HTML page: inline CSS (and one inline SVG
//! gauge), a Content-Security-Policy of `default-src 'none'`, no external URL anywhere, so it
//! works offline, from `file://`, as a CI artifact and as a mail attachment. A report of one
//! page of applications has no script; a longer one has one inline script, allowed by its
//! hash in the policy.
//!
//! **Every screen.** The layout is fluid from 360 px up: on narrow screens data tables stack
//! each row into labelled lines, failover paths are boxes that wrap (or stack, with arrows
//! down), and the RTO/RPO chart is CSS bars sized in percent; text wraps, it is never cut.
//!
//! **Thousands of applications.** Applications are listed worst first in pages of
//! [`PAGE_SIZE`]; the page shown is the one the URL's fragment names (CSS `:target`), the
//! first by default. Only the first page is markup: the others are written as JSON data
//! blocks, which the browser's parser skips over cheaply, and the script draws a page when it
//! is visited (by a link, the address or the search box it adds). Without script the summary,
//! the first page and everything after the applications are there, and later pages say why
//! they are empty. Ready applications are collapsed, offscreen sections are skipped by
//! `content-visibility`, and each rule's "How to fix" is written once, in its own section
//! that findings link to.

use super::{
    AppSection, EstimateView, FailoverPath, NodeState, ReadinessReport, Standing, Term, Value,
    human_duration, remediation,
};
use crate::findings::{Finding, Status};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fmt::Write;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Applications per page.
pub const PAGE_SIZE: usize = 50;

/// Below this width tables stack and failover paths run top to bottom.
const NARROW: &str = "(max-width: 720px)";

const STYLE: &str = r#"
:root{--ok:#1a7f37;--ok-bg:#dafbe1;--warn:#9a6700;--warn-bg:#fff8c5;--bad:#cf222e;--bad-bg:#ffebe9;--unknown:#8250df;--unknown-bg:#fbefff;--info:#0969da;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--text:#1f2328}
*{box-sizing:border-box}
body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--text);margin:0;background:#fff;overflow-wrap:break-word}
td,.hops>li{overflow-wrap:anywhere}th,.sev,.st-fail,.st-unknown,.st-waived,.v-over,.v-unbounded,.v-within,.v-unknown,.v-info{overflow-wrap:normal;white-space:nowrap}
main{max-width:1200px;margin:0 auto;padding:16px}
h1{font-size:24px;margin:0 0 4px;line-height:1.2}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:16px;margin:0}h4{font-size:14px;margin:16px 0 6px}
.muted{color:var(--muted)}a{color:var(--info)}
.hero{display:flex;flex-wrap:wrap;gap:16px 24px;align-items:center;background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:16px;margin-top:16px}
.hero>div{flex:1 1 16em;min-width:0}.hero .headline{font-size:20px}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;color:#fff;font-size:13px;white-space:nowrap}
.ready{background:var(--ok)}.at_risk{background:var(--warn)}.not_ready{background:var(--bad)}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}th{background:var(--bg);font-weight:600}
.sev{font-weight:600;text-transform:uppercase;font-size:12px}.critical{color:var(--bad)}.high{color:#bc4c00}.medium{color:var(--warn)}.low{color:var(--info)}.info{color:var(--muted)}
.st-unknown{color:var(--unknown)}.st-waived{color:var(--muted);text-decoration:line-through}
code{font-size:12px;background:var(--bg);padding:1px 4px;border-radius:4px;word-break:break-all}
.v-over,.v-unbounded{color:var(--bad);font-weight:600}.v-within{color:var(--ok);font-weight:600}.v-unknown{color:var(--unknown);font-weight:600}.v-info{font-weight:600}
details.app{border:1px solid var(--line);border-radius:8px;margin:12px 0;padding:0 12px;content-visibility:auto;contain-intrinsic-size:auto 480px}
details.app>summary{cursor:pointer;padding:12px 0;display:flex;flex-wrap:wrap;gap:4px 12px;align-items:center;list-style:none}
details.app>summary::-webkit-details-marker{display:none}
details.app>summary::before{content:"▸";color:var(--muted)}details.app[open]>summary::before{content:"▾"}
.pager{display:flex;flex-wrap:wrap;gap:4px 12px;margin:8px 0}
.pages>.page{display:none}.pages>.page:first-of-type{display:block}
.pages:has(>.page:target,>.page :target)>.page{display:none}
.pages:has(>.page:target,>.page :target)>.page:target,.pages:has(>.page:target,>.page :target)>.page:has(:target){display:block}
[data-state=ok]{--state:var(--ok);--state-bg:var(--ok-bg)}[data-state=unknown]{--state:var(--warn);--state-bg:var(--warn-bg)}[data-state=broken]{--state:var(--bad);--state-bg:var(--bad-bg)}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;margin:4px 0}
.legend i{display:inline-block;width:1em;height:1em;vertical-align:-2px;margin-right:4px;border:1px solid var(--state);background:var(--state-bg);border-radius:3px}
.path{margin:6px 0 14px}.path>p{color:var(--muted);margin:0}
.hops{display:flex;flex-wrap:wrap;gap:8px 0;list-style:none;margin:4px 0 0;padding:0}
.hops>li{position:relative;flex:0 1 13em;min-width:0;border:1px solid var(--state);background:var(--state-bg);border-radius:6px;padding:4px 8px}
.hops>li+li{margin-left:28px}
.hops>li+li::before{content:"→";position:absolute;left:-23px;top:50%;transform:translateY(-50%);color:var(--state);font-weight:600}
.hops i{display:block;font-style:normal;font-size:12px;color:var(--muted)}.hops span{display:block}
.chart{display:grid;grid-template-columns:3em minmax(0,1fr);gap:4px 8px;align-items:center;max-width:960px;margin:4px 0 8px}
.bar-name{font-weight:600}.bar-value{grid-column:2}
.track{position:relative;height:20px;background:var(--bg);border:1px solid var(--line);border-radius:3px}
.bar{position:absolute;left:0;top:0;bottom:0;border-radius:2px;min-width:3px}
.bar.over{background:var(--bad)}.bar.within{background:var(--ok)}.bar.info{background:var(--info)}
.bar.unbounded{background:repeating-linear-gradient(135deg,var(--bad) 0 8px,#a40e26 8px 16px)}
.bar.unknown{background:repeating-linear-gradient(135deg,var(--unknown-bg) 0 8px,#fff 8px 16px);border:1px dashed var(--unknown)}
.target{position:absolute;top:-5px;bottom:-5px;width:0;border-left:2px dashed var(--text)}
.axis{grid-column:2;position:relative;height:1.4em;font-size:12px;color:var(--muted)}
.axis i{position:absolute;top:0;font-style:normal;transform:translateX(-50%);white-space:nowrap}.axis i:first-child{transform:none}.axis i:last-child{transform:translateX(-100%)}
.fix{background:var(--bg);border-left:3px solid var(--line);padding:6px 12px;margin:8px 0}.fix p{margin:6px 0}.fix pre{white-space:pre-wrap;overflow-wrap:anywhere}
@media (min-width: 721px){main{padding:24px}.chart{grid-template-columns:3em minmax(0,1fr) minmax(10em,18em)}.bar-value{grid-column:auto}.axis{grid-column:2}}
@media (max-width: 720px){
.hops{flex-direction:column;gap:0}.hops>li{flex:none}.hops>li+li{margin:22px 0 0}
.hops>li+li::before{content:"↓";left:14px;top:-21px;transform:none}
table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}
table.stack thead{display:none}table.stack tr{border-bottom:1px solid var(--line);padding:6px 0}
table.stack td{border:0;position:relative;padding:2px 0 2px 8.5em;min-height:1.6em}
table.stack td::before{position:absolute;left:0;top:2px;width:8em;font-weight:600;color:var(--muted);overflow-wrap:anywhere}
}
"#;

/// What a report of more than one page adds to [`STYLE`]: the search box of [`SCRIPT`].
const DEFERRED_STYLE: &str = ".finder{margin:8px 0}.finder input{font:inherit;width:min(100%,24em);padding:2px 6px}\
.found{display:flex;flex-wrap:wrap;gap:4px 12px;list-style:none;margin:4px 0;padding:0}";

/// The one script of a report of more than one page (allowed by its hash in the page's
/// Content-Security-Policy, nothing else runs): it draws a deferred page from its data block
/// when a link into it is followed, before the browser goes there, or when the address's
/// fragment points into it (opened with one, typed, back and forward) — then it goes there
/// again, so that the drawn element is the `:target` that shows its page — and it adds a
/// search box over every application's name.
const SCRIPT: &str = r##"(function(){
var index=JSON.parse(document.getElementById('app-index').textContent);
function pageOf(id){var el=id&&document.getElementById(id);return el&&el.closest('.page');}
function draw(page){
var data=page&&page.querySelector('script.page-data');
if(!data)return false;
page.innerHTML=JSON.parse(data.textContent);
return true;
}
document.addEventListener('click',function(e){
var link=e.target.closest&&e.target.closest('a[href^="#"]');
if(link)draw(pageOf(link.getAttribute('href').slice(1)));
});
function follow(){if(draw(pageOf(location.hash.slice(1))))location.replace(location.href);}
addEventListener('hashchange',follow);
follow();
var finder=document.createElement('div');
finder.className='finder';
finder.innerHTML='<label>Find an application <input type="search" id="find" autocomplete="off"></label> <span class="muted" id="found-count" aria-live="polite"></span><ul class="found" id="found"></ul>';
var pager=document.querySelector('.pager');
pager.parentNode.insertBefore(finder,pager.nextSibling);
var input=document.getElementById('find'),count=document.getElementById('found-count'),found=document.getElementById('found');
var SHOWN=20;
input.addEventListener('input',function(){
var query=input.value.trim().toLowerCase(),hits=[];
found.textContent='';count.textContent='';
if(!query)return;
for(var i=0;i<index.length;i++)if(index[i][0].toLowerCase().indexOf(query)>=0)hits.push(index[i]);
count.textContent=hits.length+(hits.length===1?' match':' matches')+(hits.length>SHOWN?', the first '+SHOWN+' shown':'');
hits.slice(0,SHOWN).forEach(function(hit){
var item=document.createElement('li'),link=document.createElement('a');
link.href='#'+hit[1];link.textContent=hit[0];
item.appendChild(link);found.appendChild(item);
});
});
input.addEventListener('keydown',function(e){
var first=found.querySelector('a');
if(e.key==='Enter'&&first){e.preventDefault();first.click();}
});
})();"##;

/// A data table: its class and column headings — the `<thead>` on wide screens, the label in
/// front of each cell where rows stack.
struct Columns {
    class: &'static str,
    headings: &'static [&'static str],
}

const APPLICATIONS: Columns =
    Columns { class: "apps", headings: &["Application", "Verdict", "Score", "RTO", "RPO", "Open findings"] };
const FINDINGS: Columns =
    Columns { class: "findings", headings: &["Severity", "Status", "Rule", "Resource", "Finding"] };
const RTO_TERMS: Columns = Columns { class: "rto-terms", headings: &["RTO term", "Value", "From"] };
const RPO_TERMS: Columns = Columns { class: "rpo-terms", headings: &["RPO term", "Value", "From"] };
const UNKNOWNS: Columns =
    Columns { class: "unknowns", headings: &["Operation", "Cause", "Findings", "What it needs"] };
const DRIFT_FINDINGS: Columns =
    Columns { class: "drift-findings", headings: &["Drift", "Severity", "Rule", "Resource", "Finding"] };
const DRIFT_CHANGES: Columns = Columns {
    class: "drift-changes",
    headings: &["Change", "Application", "What", "Resource", "Before", "After"],
};
const TABLES: [&Columns; 7] =
    [&APPLICATIONS, &FINDINGS, &RTO_TERMS, &RPO_TERMS, &UNKNOWNS, &DRIFT_FINDINGS, &DRIFT_CHANGES];

impl Columns {
    fn open(&self, out: &mut String, id: Option<&str>) {
        let id = id.map(|id| format!(" id=\"{id}\"")).unwrap_or_default();
        let _ = write!(out, "<table class=\"{} stack\"{id}><thead><tr>", self.class);
        for heading in self.headings {
            let _ = write!(out, "<th>{heading}</th>");
        }
        out.push_str("</tr></thead><tbody>\n");
    }
}

/// The CSS written from data: the chart's tick positions and, on narrow screens, the cell
/// labels of stacked rows from the tables' headings.
fn stylesheet() -> String {
    let mut css = String::new();
    for (i, (seconds, _)) in TICKS.iter().enumerate() {
        let _ = write!(css, ".axis i:nth-child({}){{left:{:.1}%}}", i + 1, scale(*seconds));
    }
    let _ = write!(css, "\n@media {NARROW}{{");
    for table in TABLES {
        for (i, heading) in table.headings.iter().enumerate() {
            let _ =
                write!(css, "table.{} td:nth-child({})::before{{content:\"{heading}\"}}", table.class, i + 1);
        }
    }
    css.push_str("}\n");
    css
}

pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A fragment identifier for a name: letters, digits, `-`, `_` and `.` kept, anything else as
/// `~` and its code point, so that every name has one id and the link to it needs no escaping.
fn anchor(prefix: &str, name: &str) -> String {
    let mut id = String::from(prefix);
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
            id.push(c);
        } else {
            let _ = write!(id, "~{:x}", u32::from(c));
        }
    }
    id
}

/// A rule's "How to fix" Markdown as HTML. Raw HTML in it is shown as text, and links keep their
/// text only: the page links nowhere outside itself.
fn markdown_html(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let events = Parser::new(markdown).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Link { .. } | Tag::Image { .. }) | Event::End(TagEnd::Link | TagEnd::Image) => None,
        other => Some(other),
    });
    let mut html = String::with_capacity(markdown.len() * 5 / 4);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

fn verdict_badge(verdict: super::Verdict) -> String {
    let class = verdict_class(verdict);
    format!("<span class=\"badge {class}\" data-verdict=\"{class}\">{}</span>", verdict.label())
}

fn verdict_class(verdict: super::Verdict) -> &'static str {
    match verdict {
        super::Verdict::Ready => "ready",
        super::Verdict::AtRisk => "at_risk",
        super::Verdict::NotReady => "not_ready",
    }
}

/// The class a value is shown with: over or within its target, unbounded, unknown, or plain
/// information (no target).
fn value_class(value: Value, target: Option<u64>) -> &'static str {
    match (value, value.against(target)) {
        (_, Standing::Unknown) => "unknown",
        (Value::Unbounded, _) => "unbounded",
        (_, Standing::Over) => "over",
        (_, Standing::Within) => "within",
        (_, Standing::NoTarget) => "info",
    }
}

pub fn render(report: &ReadinessReport<'_>) -> String {
    let mut out = String::with_capacity(64 * 1024 + report.apps.len() * 4096);
    let title = format!("DR readiness — {} → {} — account {}", report.primary, report.dr, report.account);
    // One page of applications needs no script; more pages bring SCRIPT, and its hash.
    let deferred = report.apps.len() > PAGE_SIZE;
    let (policy, deferred_style) = if deferred {
        let hash = base64(&Sha256::digest(SCRIPT.as_bytes()));
        (format!("{CONTENT_SECURITY_POLICY}; script-src 'sha256-{hash}'"), DEFERRED_STYLE)
    } else {
        (CONTENT_SECURITY_POLICY.to_string(), "")
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title><style>{STYLE}{}{deferred_style}</style></head><body><main>\n",
        esc(&title),
        stylesheet()
    );
    let _ = writeln!(
        out,
        "<h1>Disaster-recovery readiness</h1><div class=\"muted\">account {} · primary <b>{}</b> → DR <b>{}</b> · collected {} · drscan {}</div>",
        esc(&report.account),
        esc(&report.primary),
        esc(&report.dr),
        esc(&report.collected_at),
        report.drscan_version
    );
    let _ = writeln!(
        out,
        "<section class=\"hero\" id=\"verdict\">{}<div><div class=\"headline\">{} <b data-score=\"{}\">score {}/100</b></div>\
         <div class=\"muted\">{} failing · {} unknown · {} waived · {} checks passed · {} applications</div>\
         <div class=\"muted\">If {} disappeared now: {}</div></div></section>",
        gauge(report.score, report.verdict),
        verdict_badge(report.verdict),
        report.score,
        report.score,
        report.counts.fail,
        report.counts.unknown,
        report.counts.waived,
        report.counts.pass,
        report.apps.len(),
        esc(&report.primary),
        match report.verdict {
            super::Verdict::Ready => "every application has a working path to the DR region.",
            super::Verdict::AtRisk =>
                "failover is likely to work but breaks a target or rests on data drscan could not read.",
            super::Verdict::NotReady => "at least one application would not come back in the DR region.",
        }
    );

    if let Some(drift) = &report.drift {
        render_drift(&mut out, drift);
    }
    render_applications(&mut out, &report.apps);
    if !report.unassigned.is_empty() {
        out.push_str("<h2 id=\"unassigned\">Findings outside any application</h2>\n");
        render_findings(&mut out, &report.unassigned);
    }
    render_fixes(&mut out, report);

    out.push_str("<h2 id=\"unknowns\">What drscan could not see</h2>\n");
    if report.unknowns.is_empty() {
        out.push_str("<p>Nothing: every check had the data it needed.</p>\n");
    } else {
        UNKNOWNS.open(&mut out, None);
        for need in &report.unknowns {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}<div class=\"muted\">e.g. {}</div></td></tr>",
                esc(&need.operation),
                esc(&need.cause),
                need.findings,
                esc(&need.remedy),
                esc(&need.example)
            );
        }
        out.push_str("</tbody></table>\n");
    }

    out.push_str("<h2 id=\"metadata\">Collection</h2><table><tbody>\n");
    let _ = writeln!(out, "<tr><th>Account</th><td>{}</td></tr>", esc(&report.account));
    for line in &report.accounts {
        let _ = writeln!(out, "<tr><th>Accounts</th><td>{}</td></tr>", esc(line));
    }
    let _ = writeln!(
        out,
        "<tr><th>Regions</th><td>primary {} → DR {}</td></tr>",
        esc(&report.primary),
        esc(&report.dr)
    );
    let _ = writeln!(out, "<tr><th>Collected at</th><td>{}</td></tr>", esc(&report.collected_at));
    let _ = writeln!(out, "<tr><th>drscan</th><td>{}</td></tr>", report.drscan_version);
    let errors = if report.collection_errors.is_empty() {
        "none".to_string()
    } else {
        report.collection_errors.iter().map(|e| esc(e)).collect::<Vec<_>>().join("<br>")
    };
    let _ = writeln!(out, "<tr><th>Collection errors</th><td>{errors}</td></tr>");
    if !report.waiver_notes.is_empty() {
        let notes = report.waiver_notes.iter().map(|e| esc(e)).collect::<Vec<_>>().join("<br>");
        let _ = writeln!(out, "<tr><th>Waivers needing attention</th><td>{notes}</td></tr>");
    }
    out.push_str("</tbody></table>\n");
    out.push_str(
        "<p class=\"muted\">Score: each application starts at 100 and loses 40 per failing critical finding, 15 per high, 5 per medium, 1 per low; unknown findings cost half, waived ones nothing. The overall score is the mean over applications. Verdict: not ready when a critical finding fails; at risk when a high one fails or a critical or high one is unknown.</p>\n",
    );
    out.push_str("</main>");
    if deferred {
        let _ = write!(out, "<script>{SCRIPT}</script>");
    }
    out.push_str("</body></html>\n");
    out
}

/// Standard base64 with padding (RFC 4648 §4), for the script's hash in the policy.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let group =
            chunk.iter().enumerate().fold(0u32, |group, (i, byte)| group | u32::from(*byte) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(group >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The applications in pages of [`PAGE_SIZE`]: each page its overview table, then each
/// application's section. The first page is markup; the others are deferred (see
/// [`render_deferred_page`]), so that the browser parses one page of markup, not the estate's.
fn render_applications(out: &mut String, apps: &[AppSection<'_>]) {
    out.push_str("<h2 id=\"applications\">Applications</h2>\n");
    let ready = apps.iter().filter(|a| a.verdict == super::Verdict::Ready).count();
    let pages: Vec<&[AppSection<'_>]> = apps.chunks(PAGE_SIZE).collect();
    let _ = write!(
        out,
        "<p class=\"muted\">{} applications, worst first: {} need attention, {ready} ready (collapsed).",
        apps.len(),
        apps.len() - ready
    );
    if pages.len() > 1 {
        let _ =
            write!(out, " {PAGE_SIZE} per page.</p>\n<nav class=\"pager\" aria-label=\"Application pages\">");
        for (number, page) in pages.iter().enumerate() {
            let first = number * PAGE_SIZE + 1;
            let _ = write!(out, "<a href=\"#page-{}\">{first}–{}</a>", number + 1, first + page.len() - 1);
        }
        out.push_str("</nav>\n");
    } else {
        out.push_str("</p>\n");
    }
    out.push_str("<div class=\"pages\">\n");
    for (number, page) in pages.iter().enumerate() {
        if number == 0 {
            let _ = writeln!(out, "<section class=\"page\" id=\"page-1\">");
            render_page(out, 0, page, apps.len());
            out.push_str("</section>\n");
        } else {
            render_deferred_page(out, number, page, apps.len());
        }
    }
    out.push_str("</div>\n");
    if pages.len() > 1 {
        render_app_index(out, apps);
    }
}

/// One page's heading (when there are several), overview table and application sections.
fn render_page(out: &mut String, number: usize, page: &[AppSection<'_>], total: usize) {
    let first = number * PAGE_SIZE + 1;
    if total > PAGE_SIZE {
        let _ = writeln!(out, "<h3>Applications {first}–{} of {total}</h3>", first + page.len() - 1);
    }
    APPLICATIONS.open(out, (number == 0).then_some("applications-table"));
    for app in page.iter() {
        let (rto, rpo) = match &app.estimate {
            Some(e) => (
                value_cell(e.rto, e.rto_target_seconds, "rto"),
                value_cell(e.rpo, e.rpo_target_seconds, "rpo"),
            ),
            None => (
                "<td class=\"rto muted\">not estimated</td>".to_string(),
                "<td class=\"rpo muted\">not estimated</td>".to_string(),
            ),
        };
        let open = app.findings.iter().filter(|f| f.status != Status::Waived).count();
        let _ = writeln!(
            out,
            "<tr data-app=\"{0}\"><td><a href=\"#{1}\"><b>{0}</b></a></td><td>{2}</td><td>{3}</td>{rto}{rpo}<td>{open}</td></tr>",
            esc(&app.name),
            anchor("app-", &app.name),
            verdict_badge(app.verdict),
            app.score,
        );
    }
    out.push_str("</tbody></table>\n");
    for app in page.iter() {
        render_app(out, app);
    }
}

/// A page after the first: its heading, a note for browsers without script, an empty element
/// per application carrying its id (so that a link to it still shows this page, by CSS
/// `:target`), and the page's markup as a JSON string in a data block, which [`SCRIPT`] draws
/// when the page is visited. Raw text in a `<script type="application/json">` costs the parser
/// a scan for its end tag, where markup costs a DOM; each page has its own block, so a visit
/// decodes one page.
fn render_deferred_page(out: &mut String, number: usize, page: &[AppSection<'_>], total: usize) {
    let first = number * PAGE_SIZE + 1;
    let _ = write!(
        out,
        "<section class=\"page\" id=\"page-{}\"><h3>Applications {first}–{} of {total}</h3>\
         <p class=\"muted deferred\">This page is drawn by the report's script, which this browser does not run: \
         only the first page of applications is shown without it. The JSON and Markdown outputs list every application.</p>",
        number + 1,
        first + page.len() - 1
    );
    for app in page {
        let _ = write!(out, "<i id=\"{}\"></i>", anchor("app-", &app.name));
    }
    let mut markup = String::with_capacity(page.len() * 8192);
    render_page(&mut markup, number, page, total);
    let _ = writeln!(
        out,
        "<script type=\"application/json\" class=\"page-data\">{}</script></section>",
        json_in_script(&serde_json::Value::String(markup).to_string())
    );
}

/// Every application's name and id, in page order, for the search box [`SCRIPT`] adds.
fn render_app_index(out: &mut String, apps: &[AppSection<'_>]) {
    let index: Vec<(&str, String)> =
        apps.iter().map(|a| (a.name.as_str(), anchor("app-", &a.name))).collect();
    let json = serde_json::to_string(&index).unwrap_or_else(|_| "[]".into());
    let _ = writeln!(
        out,
        "<script type=\"application/json\" id=\"app-index\">{}</script>",
        json_in_script(&json)
    );
}

/// JSON text made safe as the content of a `<script>` element: `</` becomes `<\/` (so that no
/// `</script` can end the element early) and `<!` becomes `\u003c!` (so that no `<!--` can
/// switch the parser into the script-data-escaped states), and U+2028/U+2029 are escaped (raw
/// line separators are JSON but were not JavaScript before ES2019). Outside its strings, JSON
/// has neither `<` nor those separators, so every replacement lands inside a string, where it
/// decodes to the same characters.
fn json_in_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 64);
    let mut rest = json;
    // Searching for one character is a memchr, fast even in a debug build.
    while let Some(at) = rest.find('<') {
        let (before, after) = rest.split_at(at + 1);
        match after.as_bytes().first() {
            Some(b'/') => {
                out.push_str(before);
                out.push('\\');
            }
            Some(b'!') => {
                out.push_str(&before[..at]);
                out.push_str("\\u003c");
            }
            _ => out.push_str(before),
        }
        rest = after;
    }
    out.push_str(rest);
    for (separator, escaped) in [('\u{2028}', "\\u2028"), ('\u{2029}', "\\u2029")] {
        if out.contains(separator) {
            out = out.replace(separator, escaped);
        }
    }
    out
}

fn value_cell(value: Value, target: Option<u64>, class: &str) -> String {
    let kind = match value {
        Value::Seconds(_) => "seconds",
        Value::Unbounded => "unbounded",
        Value::Unknown => "unknown",
    };
    format!("<td class=\"{class}\" data-value=\"{kind}\">{}</td>", shown_with_target(value, target))
}

/// A value and its target, e.g. `1 h 18 m target 2 m` (coloured by where it stands).
fn shown_with_target(value: Value, target: Option<u64>) -> String {
    let target_text = match target {
        Some(t) => format!("target {}", human_duration(t)),
        None => "no target".into(),
    };
    format!(
        "<b class=\"v-{}\">{}</b> <span class=\"muted\">{target_text}</span>",
        value_class(value, target),
        value.text()
    )
}

fn render_app(out: &mut String, app: &AppSection<'_>) {
    let open = if app.verdict == super::Verdict::Ready { "" } else { " open" };
    let _ = writeln!(
        out,
        "<details class=\"app\" id=\"{1}\" data-app=\"{0}\"{open}><summary><h3>{0}</h3>{2}<span class=\"muted\">score {3}/100 · {4} findings</span></summary>",
        esc(&app.name),
        anchor("app-", &app.name),
        verdict_badge(app.verdict),
        app.score,
        app.findings.len()
    );
    if let Some(estimate) = &app.estimate {
        render_estimate(out, estimate);
    }
    if !app.paths.is_empty() {
        out.push_str(
            "<h4>Failover paths</h4><p class=\"legend\"><span><i data-state=\"ok\"></i>ok</span><span><i data-state=\"broken\"></i>broken</span><span><i data-state=\"unknown\"></i>unknown</span></p>\n",
        );
        for path in &app.paths {
            render_path(out, path);
        }
    }
    if app.findings.is_empty() {
        out.push_str("<p>No findings.</p>\n");
    } else {
        out.push_str("<h4>Findings</h4>\n");
        render_findings(out, &app.findings);
    }
    out.push_str("</details>\n");
}

fn render_findings(out: &mut String, findings: &[&Finding]) {
    FINDINGS.open(out, None);
    for f in findings {
        let _ = writeln!(
            out,
            "<tr class=\"finding\"><td class=\"sev {0}\">{0}</td><td class=\"st-{1}\">{1}</td><td><b>{2}</b> <a href=\"#{3}\">{4}</a></td><td><code title=\"{5}\">{6}</code></td><td>{7}</td></tr>",
            f.severity.as_str(),
            f.status.as_str(),
            esc(&f.code),
            anchor("fix-", &f.rule),
            esc(&f.rule),
            esc(&f.resource.arn),
            esc(&f.resource.id),
            esc(&crate::output::message_with_waiver(f))
        );
    }
    out.push_str("</tbody></table>\n");
}

/// "How to fix" once per rule that has a finding, rendered from the rule's documentation.
fn render_fixes(out: &mut String, report: &ReadinessReport<'_>) {
    let rules: BTreeSet<&str> = report
        .apps
        .iter()
        .flat_map(|a| &a.findings)
        .chain(&report.unassigned)
        .map(|f| f.rule.as_str())
        .collect();
    let fixes: Vec<(&str, String)> =
        rules.into_iter().map(|r| (r, remediation(r))).filter(|(_, fix)| !fix.is_empty()).collect();
    if fixes.is_empty() {
        return;
    }
    out.push_str("<h2 id=\"how-to-fix\">How to fix</h2>\n");
    for (rule, fix) in fixes {
        let _ = writeln!(
            out,
            "<section class=\"fix\" id=\"{}\"><h3>{}</h3>{}</section>",
            anchor("fix-", rule),
            esc(rule),
            markdown_html(&fix)
        );
    }
}

fn render_estimate(out: &mut String, estimate: &EstimateView) {
    out.push_str("<h4>Recovery estimate</h4>\n");
    render_chart(out, estimate);
    for (columns, terms) in [(&RTO_TERMS, &estimate.rto_terms), (&RPO_TERMS, &estimate.rpo_terms)] {
        columns.open(out, None);
        for Term { name, value, source } in terms {
            let class = match value {
                Value::Seconds(_) => "",
                Value::Unbounded => " class=\"v-unbounded\"",
                Value::Unknown => " class=\"v-unknown\"",
            };
            let _ = write!(
                out,
                "<tr><td>{}</td><td{class}>{}</td><td>{}</td></tr>",
                esc(name),
                value.text(),
                esc(source)
            );
        }
        out.push_str("</tbody></table>\n");
    }
}

/// Where `seconds` falls on the chart's log scale from 1 s to 30 days, in percent.
fn scale(seconds: u64) -> f64 {
    let max = (30.0f64 * 86400.0).ln();
    ((seconds.max(1) as f64).ln() / max * 100.0).min(100.0)
}

/// Two bars (RTO, RPO) on a log scale from 1 s to 30 days, with the target as a dashed mark:
/// CSS bars sized in percent, so the chart fits any width and its text stays text.
fn render_chart(out: &mut String, estimate: &EstimateView) {
    out.push_str("<div class=\"chart\" role=\"img\" aria-label=\"RTO and RPO, log scale\">");
    for (label, value, target) in [
        ("RTO", estimate.rto, estimate.rto_target_seconds),
        ("RPO", estimate.rpo, estimate.rpo_target_seconds),
    ] {
        let class = value_class(value, target);
        let width = match value {
            Value::Seconds(s) => scale(s),
            Value::Unbounded | Value::Unknown => 100.0,
        };
        let _ = write!(
            out,
            "<span class=\"bar-name\">{label}</span><span class=\"track\" data-measure=\"{}\"><span class=\"bar {class}\" style=\"width:{width:.1}%\"></span>",
            label.to_ascii_lowercase()
        );
        if let Some(t) = target {
            // Kept inside the track, so a 30-day target does not stick out of it.
            let _ = write!(
                out,
                "<span class=\"target\" style=\"left:{:.1}%\" title=\"target {}\"></span>",
                scale(t).min(99.5),
                human_duration(t)
            );
        }
        let _ = write!(out, "</span><span class=\"bar-value\">{}</span>", shown_with_target(value, target));
    }
    out.push_str("<span class=\"axis\" aria-hidden=\"true\">");
    for (_, tick) in TICKS {
        let _ = write!(out, "<i>{tick}</i>");
    }
    out.push_str("</span></div>\n");
}

/// The chart's axis labels; [`stylesheet`] places them.
const TICKS: [(u64, &str); 5] =
    [(1, "1 s"), (60, "1 min"), (3600, "1 h"), (86400, "1 d"), (30 * 86400, "30 d")];

/// A failover path as boxes and arrows, broken hops red, unknown ones amber; each box holds its
/// full label and wraps.
fn render_path(out: &mut String, path: &FailoverPath) {
    let _ = write!(out, "<div class=\"path\"><p>{}</p><ol class=\"hops\">", esc(&path.title));
    for node in &path.nodes {
        let state = match node.state {
            NodeState::Ok => "ok",
            NodeState::Unknown => "unknown",
            NodeState::Broken => "broken",
        };
        let _ = write!(
            out,
            "<li data-state=\"{state}\"><i>{}</i><span>{}</span></li>",
            esc(node.kind),
            esc(&node.label)
        );
    }
    out.push_str("</ol></div>\n");
}

fn render_drift(out: &mut String, drift: &crate::drift::Drift) {
    let _ = writeln!(
        out,
        "<h2 id=\"drift\">Since {}</h2><p>{} new finding(s), {} resolved, {} DR-relevant change(s).</p>",
        esc(&drift.previous_collected_at),
        drift.new_findings.len(),
        drift.resolved_findings.len(),
        drift.resource_changes.len()
    );
    if !drift.new_findings.is_empty() || !drift.resolved_findings.is_empty() {
        DRIFT_FINDINGS.open(out, Some("drift-findings"));
        for (sign, list) in [("new", &drift.new_findings), ("resolved", &drift.resolved_findings)] {
            for f in list {
                let _ = writeln!(
                    out,
                    "<tr data-drift=\"{sign}\"><td>{sign}</td><td class=\"sev {0}\">{0}</td><td>{1}</td><td><code>{2}</code></td><td>{3}</td></tr>",
                    f.severity.as_str(),
                    esc(&f.rule),
                    esc(&f.resource_id),
                    esc(&f.message)
                );
            }
        }
        out.push_str("</tbody></table>\n");
    }
    if !drift.resource_changes.is_empty() {
        DRIFT_CHANGES.open(out, Some("drift-changes"));
        for c in &drift.resource_changes {
            let change = c.change.as_str();
            let _ = writeln!(
                out,
                "<tr data-change=\"{change}\"><td>{change}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                esc(c.app.as_deref().unwrap_or("-")),
                esc(c.what),
                esc(&c.id),
                esc(c.before.as_deref().unwrap_or("")),
                esc(c.after.as_deref().unwrap_or(""))
            );
        }
        out.push_str("</tbody></table>\n");
    }
}

/// The overall score as a ring.
fn gauge(score: u32, verdict: super::Verdict) -> String {
    let colour = match verdict {
        super::Verdict::Ready => "#1a7f37",
        super::Verdict::AtRisk => "#9a6700",
        super::Verdict::NotReady => "#cf222e",
    };
    let circumference = 2.0 * std::f64::consts::PI * 34.0;
    let filled = circumference * f64::from(score.min(100)) / 100.0;
    format!(
        "<svg width=\"88\" height=\"88\" viewBox=\"0 0 88 88\" role=\"img\" aria-label=\"score {score} of 100\"><circle cx=\"44\" cy=\"44\" r=\"34\" fill=\"none\" stroke=\"#d0d7de\" stroke-width=\"10\"/><circle cx=\"44\" cy=\"44\" r=\"34\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"10\" stroke-dasharray=\"{filled:.1} {circumference:.1}\" transform=\"rotate(-90 44 44)\"/><text x=\"44\" y=\"50\" text-anchor=\"middle\" style=\"font-size:20px;font-weight:600\">{score}</text></svg>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn how_to_fix_markdown_becomes_html_with_raw_html_escaped_and_no_links() {
        let html = markdown_html(
            "Run `aws ec2 copy-image --region <dr>` *now*, see\n[the guide](https://example.com/x).\n\n<script>alert(1)</script>\n\nAn <b>inline</b> tag.",
        );
        assert!(html.contains("<code>aws ec2 copy-image --region &lt;dr&gt;</code>"), "{html}");
        assert!(html.contains("the guide"), "{html}");
        assert!(!html.contains("href"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("<em>now</em>"), "{html}");
        assert!(html.contains("An &lt;b&gt;inline&lt;/b&gt; tag."), "{html}");
    }

    #[test]
    fn anchors_are_unique_and_need_no_escaping() {
        assert_eq!(anchor("app-", "web-1.prod_a"), "app-web-1.prod_a");
        assert_eq!(anchor("app-", "a b"), "app-a~20b");
        assert_ne!(anchor("app-", "a b"), anchor("app-", "a_b"));
        assert!(
            anchor("app-", "\"><script>").chars().all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c))
        );
    }

    #[test]
    fn json_in_a_script_element_cannot_end_it_or_open_a_comment() {
        let text = "</script><script>alert(1)</script> <!-- x --> \u{2028}\u{2029} </SCRIPT";
        let json = json_in_script(&serde_json::Value::String(text.into()).to_string());
        let lower = json.to_ascii_lowercase();
        assert!(!lower.contains("</") && !lower.contains("<!"), "{json}");
        assert!(!json.contains('\u{2028}') && !json.contains('\u{2029}'), "{json}");
        let back: String = serde_json::from_str(&json).expect("still JSON");
        assert_eq!(back, text, "decodes to the same text");
    }

    #[test]
    fn base64_follows_rfc_4648() {
        for (bytes, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(bytes.as_bytes()), encoded);
        }
        assert_eq!(base64(&Sha256::digest(b"")), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    }

    #[test]
    fn the_chart_scale_is_logarithmic_from_one_second_to_thirty_days() {
        assert_eq!(scale(0), 0.0);
        assert_eq!(scale(1), 0.0);
        assert!((scale(30 * 86400) - 100.0).abs() < 1e-9);
        assert_eq!(scale(365 * 86400), 100.0);
        assert!(scale(60) < scale(3600) && scale(3600) < scale(86400));
    }
}
