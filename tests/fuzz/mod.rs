//! A seeded, structure-aware mutation fuzzer for drscan's inputs, on stable Rust: it mutates
//! the bundled snapshots (the reference architecture and every per-rule fixture), the example
//! configuration, a baseline and the audit's flags — deleting, duplicating and retyping nodes,
//! writing extreme numbers, dates, durations and schedules, long strings, bad encodings and
//! truncations — and drives the library in-process the way the CLI does: snapshot parse →
//! audit → every output format → readiness report → diff → `drscan init`.
//!
//! A case passes when it ends in a result or an error; a panic fails it, and so does a case
//! that must be rejected (a duplicate key, a truncated file, an object turned into an array,
//! bad UTF-8) but was audited, an input error whose diagnostic does not name its file, and a
//! drscan.toml from `drscan init` that does not read back.
//!
//! Used by `tests/it/fuzz.rs` (a bounded, deterministic run in CI) and `benches/fuzz.rs` (the
//! long run: `cargo bench --profile dev --bench fuzz -- --minutes 10`).

#![allow(dead_code)]

use clap::Parser;
use drscan::audit::{self, GatePolicy};
use drscan::baseline::Baseline;
use drscan::cli::overrides::{self, Flags};
use drscan::cli::{self, Cli, Command};
use drscan::error::{DrscanError, ExitStatus};
use drscan::inventory::Snapshot;
use drscan::output::{self, Format, Origin, RunInfo};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

pub(crate) const REFERENCE: &str = "fixtures/reference-architecture.json";
pub(crate) const EXAMPLE_CONFIG: &str = "drscan.example.toml";

/// SplitMix64: small, seedable, and the same sequence on every platform.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A JSON tree that keeps member order and may hold duplicate keys and any number text —
/// what serde_json's `Value` cannot express but a hostile file can.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// The number as written (`1e999`, `-0`, `18446744073709551616` …).
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub(crate) fn from_value(value: &serde_json::Value) -> Json {
        match value {
            serde_json::Value::Null => Json::Null,
            serde_json::Value::Bool(b) => Json::Bool(*b),
            serde_json::Value::Number(n) => Json::Number(n.to_string()),
            serde_json::Value::String(s) => Json::String(s.clone()),
            serde_json::Value::Array(items) => Json::Array(items.iter().map(Json::from_value).collect()),
            serde_json::Value::Object(members) => {
                Json::Object(members.iter().map(|(k, v)| (k.clone(), Json::from_value(v))).collect())
            }
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Json> {
        serde_json::from_str::<serde_json::Value>(text).ok().map(|v| Json::from_value(&v))
    }

    pub(crate) fn write(&self, pretty: bool) -> String {
        let mut out = String::new();
        self.write_into(&mut out, pretty, 0);
        if pretty {
            out.push('\n');
        }
        out
    }

    fn write_into(&self, out: &mut String, pretty: bool, depth: usize) {
        let newline = |out: &mut String, depth: usize| {
            if pretty {
                out.push('\n');
                out.push_str(&"  ".repeat(depth));
            }
        };
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::String(s) => out.push_str(&serde_json::to_string(s).unwrap_or_default()),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    item.write_into(out, pretty, depth + 1);
                }
                if !items.is_empty() {
                    newline(out, depth);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    out.push_str(&serde_json::to_string(key).unwrap_or_default());
                    out.push_str(if pretty { ": " } else { ":" });
                    value.write_into(out, pretty, depth + 1);
                }
                if !members.is_empty() {
                    newline(out, depth);
                }
                out.push('}');
            }
        }
    }

    /// Paths (child indexes from the root) of every node, the root first.
    fn paths(&self) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        let mut stack = vec![(Vec::new(), self)];
        while let Some((path, node)) = stack.pop() {
            match node {
                Json::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let mut child = path.clone();
                        child.push(i);
                        stack.push((child, item));
                    }
                }
                Json::Object(members) => {
                    for (i, (_, value)) in members.iter().enumerate() {
                        let mut child = path.clone();
                        child.push(i);
                        stack.push((child, value));
                    }
                }
                _ => {}
            }
            out.push(path);
        }
        out
    }

    fn at(&self, path: &[usize]) -> &Json {
        let mut node = self;
        for &i in path {
            node = match node {
                Json::Array(items) => &items[i],
                Json::Object(members) => &members[i].1,
                _ => unreachable!("paths only lead through containers"),
            };
        }
        node
    }

    fn at_mut(&mut self, path: &[usize]) -> &mut Json {
        let mut node = self;
        for &i in path {
            node = match node {
                Json::Array(items) => &mut items[i],
                Json::Object(members) => &mut members[i].1,
                _ => unreachable!("paths only lead through containers"),
            };
        }
        node
    }

    /// Remove the node at `path` (not the root) from its container.
    fn remove(&mut self, path: &[usize]) {
        let Some((&last, parent)) = path.split_last() else { return };
        match self.at_mut(parent) {
            Json::Array(items) => {
                items.remove(last);
            }
            Json::Object(members) => {
                members.remove(last);
            }
            _ => {}
        }
    }

    /// Every string in the tree, keys included: the pool splices draw from.
    fn strings(&self, out: &mut Vec<String>) {
        match self {
            Json::String(s) => out.push(s.clone()),
            Json::Array(items) => items.iter().for_each(|i| i.strings(out)),
            Json::Object(members) => {
                for (k, v) in members {
                    out.push(k.clone());
                    v.strings(out);
                }
            }
            _ => {}
        }
    }

    fn node_count(&self) -> usize {
        match self {
            Json::Array(items) => 1 + items.iter().map(Json::node_count).sum::<usize>(),
            Json::Object(members) => 1 + members.iter().map(|(_, v)| v.node_count()).sum::<usize>(),
            _ => 1,
        }
    }
}

const EXTREME_NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "-0",
    "0.5",
    "-0.0",
    "2147483647",
    "2147483648",
    "4294967295",
    "4294967296",
    "9007199254740993",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "1e308",
    "-1e308",
    "1e-308",
    "1e999",
    "123456789012345678901234567890",
];

const EXTREME_DATES: &[&str] = &[
    "1970-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "+262142-12-31T23:59:59Z",
    "-262143-01-01T00:00:00Z",
    "+275760-09-13T00:00:00Z",
    "2026-11-26T02:00:00+14:00",
    "2026-11-26T02:00:00-12:00",
    "2026-11-26T01:59:59.999999999Z",
    "2026-11-26T02:00:00.000000001Z",
    "2026-02-30T00:00:00Z",
    "2026-11-26T24:00:00Z",
    "2026-11-26T23:59:60Z",
    "2026-11-26",
    "",
];

const NASTY_SCHEDULES: &[&str] = &[
    "cron(0 0 30 2 ? *)",
    "cron(0 0 31 4,6,9,11 ? *)",
    "cron(0 0 1 1 ? 2199)",
    "cron(0 0 1 1 ? 1970)",
    "cron(0 0 29 2 ? 2100)",
    "cron(* * * * ? *)",
    "cron(0/1 0/1 * * ? *)",
    "cron(0 0 L-30 * ? *)",
    "cron(0 0 L-0 * ? *)",
    "cron(0 0 31W * ? *)",
    "cron(0 0 1W * ? *)",
    "cron(0 0 LW * ? *)",
    "cron(0 0 ? * 6#5 *)",
    "cron(0 0 ? * 7L *)",
    "cron(0 0 ? * SUN-SAT *)",
    "cron(59 23 31 12 ? 2199)",
    "cron(0 0 ? * 1#5 2199)",
    "cron(0 0 * * ? 1970-2199)",
    "cron(0 0 */31 */12 ? *)",
    "cron(0 0 1-31/30 * ? *)",
    "cron()",
    "cron(0 0 * * ? * *)",
    "cron(0 0 ? * 0 *)",
    "cron(4294967296 0 * * ? *)",
    "rate(1 minute)",
    "rate(18446744073709551615 days)",
    "rate(307445734561825860 minutes)",
    "rate(213503982334601 days)",
    "rate(5124095576030431 hours)",
    "rate(0 days)",
    "rate(-1 days)",
    "rate(1 fortnight)",
    "rate()",
    "rate(1)",
];

const NASTY_TIMEZONES: &[&str] = &[
    "UTC",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Mars/Olympus",
    "",
];

const NASTY_STRINGS: &[&str] = &[
    "",
    " ",
    "\u{0}",
    "\n",
    "a\r\nb",
    "\u{202e}evil",
    "💥",
    "é",
    "<script>alert(1)</script>",
    "]]>",
    "&amp;",
    "*",
    "**",
    "[",
    "{",
    "\\",
    "arn:aws:ec2:ap-south-1::image/*",
    "arn:aws:::",
    "ap-south-1",
    "us-east-1",
    "mars-1",
    "PRIMARY",
    "SECONDARY",
    "$Latest",
    "$Default",
    "resolve:ssm:/x",
    "-1",
    "18446744073709551616",
    "dualstack.",
    ".",
    "..",
];

/// Durations for configuration values and flags.
pub(crate) const NASTY_DURATIONS: &[&str] = &[
    "0s",
    "1ns",
    "59s",
    "1s",
    "1000000y",
    "584942417355y",
    "584942417356y",
    "18446744073709551615s",
    "18446744073709551616s",
    "9223372036854775807s",
    "10000000000000h",
    "1y 1ns",
    "-5m",
    "5",
    "",
    " 1h ",
    "1 fortnight",
    "1h1h1h1h",
    "∞",
];

const NASTY_INTEGERS: &[i64] =
    &[0, -1, 1, 4_294_967_295, 4_294_967_296, i64::MAX, i64::MIN, 36_500, 1_000_000];

/// What a case feeds the audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Snapshot,
    Config,
    Baseline,
    Flags,
}

/// One generated input: a snapshot (the seed's, or a mutant), maybe a configuration and a
/// baseline, extra audit flags, and why it must be rejected, if it must.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    pub number: u64,
    pub target: Target,
    pub seed: String,
    pub mutations: Vec<String>,
    pub snapshot: Vec<u8>,
    pub config: Option<Vec<u8>>,
    pub baseline: Option<Vec<u8>>,
    pub flags: Vec<String>,
    pub must_reject: Option<String>,
}

/// The inputs mutants start from.
pub(crate) struct Seeds {
    pub root: PathBuf,
    pub snapshots: Vec<(String, Json)>,
    pub config: String,
    pub baseline: Json,
    pub strings: Vec<String>,
}

impl Seeds {
    /// Load the bundled snapshots and configuration from the crate root, and a baseline made by
    /// auditing the reference architecture.
    pub(crate) fn load(root: &Path) -> Seeds {
        let mut files =
            vec![root.join(REFERENCE), root.join("fixtures/reference-architecture-repaired.json")];
        let mut rule_dirs: Vec<PathBuf> = std::fs::read_dir(root.join("fixtures/rules"))
            .expect("fixtures/rules")
            .map(|e| e.expect("dir entry").path())
            .collect();
        rule_dirs.sort();
        for dir in rule_dirs {
            let mut fixtures: Vec<PathBuf> =
                std::fs::read_dir(&dir).expect("rule fixtures").map(|e| e.expect("entry").path()).collect();
            fixtures.sort();
            files.extend(fixtures.into_iter().filter(|p| p.extension().is_some_and(|e| e == "json")));
        }
        let mut snapshots = Vec::new();
        let mut strings = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("fixture reads");
            let json = Json::parse(&text).expect("fixture is JSON");
            json.strings(&mut strings);
            let name = file.strip_prefix(root).unwrap_or(&file).display().to_string();
            snapshots.push((name, json));
        }
        strings.sort();
        strings.dedup();
        let config = std::fs::read_to_string(root.join(EXAMPLE_CONFIG)).expect("example config");
        let reference = Snapshot::load(&root.join(REFERENCE)).expect("reference parses");
        let report = audit::run(&reference, &drscan::settings::Settings::default(), GatePolicy::default());
        let info = RunInfo {
            snapshot: &reference,
            gate: GatePolicy::default(),
            origin: Origin::default(),
            color: false,
        };
        let baseline = Json::parse(&output::render(Format::Json, &report, &info)).expect("JSON output");
        Seeds { root: root.to_path_buf(), snapshots, config, baseline, strings }
    }
}

/// Generate case `number` of the run seeded with `seed`: the same pair gives the same case.
pub(crate) fn generate(seeds: &Seeds, seed: u64, number: u64) -> Case {
    let mut rng = Rng::new(seed ^ number.wrapping_mul(0xA076_1D64_78BD_642F));
    let (seed_name, seed_json) =
        if rng.chance(30) { &seeds.snapshots[0] } else { rng.pick(&seeds.snapshots) };
    let mut case = Case {
        number,
        target: Target::Snapshot,
        seed: seed_name.clone(),
        mutations: Vec::new(),
        snapshot: Vec::new(),
        config: None,
        baseline: None,
        flags: Vec::new(),
        must_reject: None,
    };
    let roll = rng.below(100);
    case.target = match roll {
        0..=59 => Target::Snapshot,
        60..=79 => Target::Config,
        80..=87 => Target::Baseline,
        _ => Target::Flags,
    };
    match case.target {
        Target::Snapshot => {
            let mut json = seed_json.clone();
            let pretty = rng.chance(50);
            case.snapshot = mutate_json(&mut rng, &mut json, &seeds.strings, pretty, true, &mut case);
        }
        Target::Baseline => {
            case.snapshot = seeds.snapshots[0].1.write(true).into_bytes();
            case.seed = seeds.snapshots[0].0.clone();
            let mut json = seeds.baseline.clone();
            let pretty = rng.chance(50);
            case.baseline = Some(mutate_json(&mut rng, &mut json, &seeds.strings, pretty, false, &mut case));
        }
        Target::Config => {
            case.snapshot = seed_json.write(true).into_bytes();
            case.config = Some(mutate_config(&mut rng, &seeds.config, &mut case));
        }
        Target::Flags => {
            case.snapshot = seed_json.write(true).into_bytes();
            if rng.chance(30) {
                case.config = Some(mutate_config(&mut rng, &seeds.config, &mut case));
            }
            case.flags = mutate_flags(&mut rng, &mut case);
        }
    }
    case
}

fn reject(case: &mut Case, why: &str) {
    case.must_reject.get_or_insert_with(|| why.to_string());
}

/// Mutate a JSON document in place, then serialize it and mutate the text.
/// `typed`: every part of the document is read into a type (a snapshot), so a shape the
/// schema has no place for must be refused; a baseline ignores all but its fingerprints.
fn mutate_json(
    rng: &mut Rng,
    json: &mut Json,
    pool: &[String],
    pretty: bool,
    typed: bool,
    case: &mut Case,
) -> Vec<u8> {
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        // A mutation that makes the document invalid is the last one: a later one could undo it.
        if case.must_reject.is_some() {
            break;
        }
        let paths = json.paths();
        let path = rng.pick(&paths).clone();
        // Mostly mutations a well-formed snapshot can hold (they reach the rules), the rest
        // structural ones the parser must refuse.
        const KEEPS_SHAPE: [usize; 15] = [1, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 15, 15, 15];
        const BREAKS_SHAPE: [usize; 5] = [0, 2, 12, 13, 14];
        let operator = if rng.chance(75) { *rng.pick(&KEEPS_SHAPE) } else { *rng.pick(&BREAKS_SHAPE) };
        match operator {
            0 if !path.is_empty() => {
                json.remove(&path);
                case.mutations.push(format!("delete {path:?}"));
            }
            1 => {
                if let Json::Array(items) = json.at_mut(&path)
                    && !items.is_empty()
                {
                    let i = rng.below(items.len());
                    let copy = items[i].clone();
                    items.insert(i, copy);
                    case.mutations.push(format!("duplicate element {path:?}[{i}]"));
                }
            }
            2 => {
                let node = json.at_mut(&path);
                let was_object = matches!(node, Json::Object(_));
                let replacement = match rng.below(7) {
                    0 => Json::Null,
                    1 => Json::Bool(rng.chance(50)),
                    2 => Json::Number(rng.pick(EXTREME_NUMBERS).to_string()),
                    3 => Json::String(rng.pick(NASTY_STRINGS).to_string()),
                    4 => Json::Array(Vec::new()),
                    5 => Json::Object(Vec::new()),
                    _ => Json::Array(vec![node.clone()]),
                };
                if typed && was_object && matches!(replacement, Json::Array(_)) {
                    reject(case, "an object became an array");
                }
                case.mutations.push(format!("retype {path:?} to {}", kind(&replacement)));
                *node = replacement;
            }
            3 | 4 => {
                // Numbers get extremes; strings that are numbers too.
                let node = json.at_mut(&path);
                if matches!(node, Json::Number(_)) || rng.chance(20) {
                    let value = rng.pick(EXTREME_NUMBERS).to_string();
                    case.mutations.push(format!("number {path:?} = {value}"));
                    *node = Json::Number(value);
                }
            }
            5 => {
                if let Some(path) = find_string(rng, json, &paths, looks_like_date) {
                    let value = rng.pick(EXTREME_DATES).to_string();
                    case.mutations.push(format!("date {path:?} = {value}"));
                    *json.at_mut(&path) = Json::String(value);
                }
            }
            6 => {
                let node = json.at_mut(&path);
                if matches!(node, Json::String(_)) {
                    let unit = rng.pick(&["x", "é", "💥", "a-b.", "\\"]).to_string();
                    let long = unit.repeat(1 + rng.below(80_000) / unit.len());
                    case.mutations.push(format!("long string {path:?} ({} bytes)", long.len()));
                    *node = Json::String(long);
                }
            }
            7 => {
                let node = json.at_mut(&path);
                if matches!(node, Json::String(_)) {
                    let value = rng.pick(NASTY_STRINGS).to_string();
                    case.mutations.push(format!("string {path:?} = {value:?}"));
                    *node = Json::String(value);
                }
            }
            8 | 9 => {
                // Cross-wire: one resource's identifier in another's place.
                let node = json.at_mut(&path);
                if matches!(node, Json::String(_)) && !pool.is_empty() {
                    let value = rng.pick(pool).clone();
                    case.mutations.push(format!("splice {path:?} = {value:?}"));
                    *node = Json::String(value);
                }
            }
            10 => {
                let source = rng.pick(&paths).clone();
                if !path.starts_with(&source) {
                    let copy = json.at(&source).clone();
                    if copy.node_count() < 5_000 {
                        case.mutations.push(format!("transplant {source:?} to {path:?}"));
                        *json.at_mut(&path) = copy;
                    }
                }
            }
            11 => {
                if let Some(path) =
                    find_string(rng, json, &paths, |s| s.starts_with("cron(") || s.starts_with("rate("))
                {
                    let value = rng.pick(NASTY_SCHEDULES).to_string();
                    case.mutations.push(format!("schedule {path:?} = {value}"));
                    *json.at_mut(&path) = Json::String(value);
                } else if let Some(path) = find_string(rng, json, &paths, |s| s.contains('/') && s.len() < 30)
                {
                    let value = rng.pick(NASTY_TIMEZONES).to_string();
                    case.mutations.push(format!("timezone-ish {path:?} = {value}"));
                    *json.at_mut(&path) = Json::String(value);
                }
            }
            12 => {
                if let Json::Object(members) = json.at_mut(&path)
                    && !members.is_empty()
                {
                    let i = rng.below(members.len());
                    let (key, value) = members[i].clone();
                    let value = if rng.chance(50) { value } else { Json::Object(Vec::new()) };
                    let at = rng.below(members.len() + 1);
                    members.insert(at, (key.clone(), value));
                    case.mutations.push(format!("duplicate key {key:?} in {path:?}"));
                    reject(case, "a duplicate key");
                }
            }
            13 => {
                if let Json::Object(members) = json.at_mut(&path)
                    && !members.is_empty()
                {
                    let i = rng.below(members.len());
                    let key =
                        if rng.chance(50) { rng.pick(pool).clone() } else { format!("{}_", members[i].0) };
                    case.mutations.push(format!("rename key {:?} to {key:?}", members[i].0));
                    members[i].0 = key;
                }
            }
            15 => {
                // A field the model reads, set to a value from the edge of its domain.
                let keyed: Vec<(Vec<usize>, &'static [&'static str])> = paths
                    .iter()
                    .filter_map(|p| {
                        let (&last, parent) = p.split_last()?;
                        let Json::Object(members) = json.at(parent) else { return None };
                        Some((p.clone(), domain_of(&members[last].0)?))
                    })
                    .collect();
                if !keyed.is_empty() {
                    let (path, domain) = rng.pick(&keyed).clone();
                    let value = *rng.pick(domain);
                    let node = json.at_mut(&path);
                    *node = match node {
                        Json::String(_) => Json::String(value.to_string()),
                        _ if value.parse::<f64>().is_ok() => Json::Number(value.to_string()),
                        _ => Json::String(value.to_string()),
                    };
                    case.mutations.push(format!("field {path:?} = {value:?}"));
                }
            }
            _ => {
                let node = json.at_mut(&path);
                let depth = 1 + rng.below(300);
                let mut wrapped = node.clone();
                for _ in 0..depth {
                    wrapped = Json::Array(vec![wrapped]);
                }
                case.mutations.push(format!("nest {path:?} in {depth} arrays"));
                if typed {
                    reject(case, "an array where the schema has none");
                }
                *node = wrapped;
            }
        }
    }
    let text = json.write(pretty && !rng.chance(10));
    mutate_text(rng, text.into_bytes(), case, true)
}

const REGIONS: &[&str] =
    &["ap-south-1", "us-east-1", "eu-west-1", "mars-1", "", "AP-SOUTH-1", "us-gov-west-1"];
const VERSIONS: &[&str] = &["$Latest", "$Default", "0", "1", "-1", "4294967296", "18446744073709551616", ""];
const DNS_NAMES: &[&str] = &[
    "*.example.com",
    "EXAMPLE.COM.",
    "app.example.com",
    "dualstack.x.elb.amazonaws.com",
    ".",
    "",
    "*",
    "a..b",
];

/// The values worth trying for a field, by its name: dates, counts and durations at their
/// extremes, schedules, timezones, regions, versions, names.
fn domain_of(key: &str) -> Option<&'static [&'static str]> {
    Some(match key {
        "collected_at"
        | "completion_date"
        | "created_at"
        | "creation_date"
        | "last_replicated_timestamp"
        | "not_after"
        | "timestamp"
        | "window_end"
        | "window_start"
        | "deprecation_time" => EXTREME_DATES,
        "backup_retention_days"
        | "checkers"
        | "checkers_reporting_healthy"
        | "completion_window_minutes"
        | "default_version"
        | "delete_after_days"
        | "desired_capacity"
        | "evaluation_periods"
        | "failure_threshold"
        | "health_check_grace_period"
        | "healthy_threshold"
        | "interval_seconds"
        | "latest_version"
        | "max_size"
        | "min_size"
        | "period_seconds"
        | "port"
        | "request_interval"
        | "start_window_minutes"
        | "ttl"
        | "unhealthy_threshold"
        | "weighted_capacity"
        | "max_seconds" => EXTREME_NUMBERS,
        "schedule_expression" => NASTY_SCHEDULES,
        "schedule_timezone" => NASTY_TIMEZONES,
        "region" | "primary" | "dr" | "alarm_region" | "source_image_region" => REGIONS,
        "version" => VERSIONS,
        "dns_name" | "fqdn" | "name" | "domain_name" | "subject_alternative_names" => DNS_NAMES,
        "state"
        | "status"
        | "failover"
        | "type"
        | "lb_type"
        | "protocol"
        | "health_check_type"
        | "engine"
        | "life_cycle_state"
        | "scheme"
        | "insufficient_data_health_status"
        | "operator"
        | "cause" => NASTY_STRINGS,
        _ => return None,
    })
}

fn kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn looks_like_date(s: &str) -> bool {
    s.len() >= 20 && s.as_bytes().get(4) == Some(&b'-') && s.contains('T')
}

fn find_string(
    rng: &mut Rng,
    json: &Json,
    paths: &[Vec<usize>],
    wanted: impl Fn(&str) -> bool,
) -> Option<Vec<usize>> {
    let matching: Vec<&Vec<usize>> =
        paths.iter().filter(|p| matches!(json.at(p), Json::String(s) if wanted(s))).collect();
    if matching.is_empty() { None } else { Some(rng.pick(&matching).to_vec()) }
}

/// Byte-level mutations of a serialized input. `whole_document`: truncation leaves it invalid.
fn mutate_text(rng: &mut Rng, mut bytes: Vec<u8>, case: &mut Case, whole_document: bool) -> Vec<u8> {
    if !rng.chance(15) || bytes.is_empty() {
        return bytes;
    }
    // On a document that must be refused, only what keeps it so: the other edits could
    // land inside the key that repeats and make it valid again.
    const KEEPS_REFUSAL: [usize; 5] = [0, 2, 3, 4, 5];
    let operator = if case.must_reject.is_some() { *rng.pick(&KEEPS_REFUSAL) } else { rng.below(8) };
    match operator {
        0 => {
            let at = rng.below(bytes.len());
            if whole_document && !bytes[at..].iter().all(u8::is_ascii_whitespace) {
                reject(case, "a truncated document");
            }
            bytes.truncate(at);
            case.mutations.push(format!("truncate at {at}"));
        }
        1 => {
            let at = rng.below(bytes.len());
            bytes[at] = rng.next_u64() as u8;
            case.mutations.push(format!("corrupt byte {at}"));
        }
        2 => {
            let at = rng.below(bytes.len());
            const INVALID: [&[u8]; 5] = [b"\xE9", b"\xFF", b"\xC3", b"\xED\xA0\x80", b"\xF4\x90\x80\x80"];
            let bad = *rng.pick(&INVALID);
            bytes.splice(at..at, bad.iter().copied());
            case.mutations.push(format!("invalid UTF-8 at {at}"));
            reject(case, "invalid UTF-8");
        }
        3 => {
            bytes.splice(0..0, [0xEF, 0xBB, 0xBF]);
            case.mutations.push("UTF-8 byte-order mark".into());
        }
        4 => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let mut wide = vec![0xFF, 0xFE];
            if rng.chance(50) {
                wide.clear();
            }
            for unit in text.encode_utf16() {
                wide.extend_from_slice(&unit.to_le_bytes());
            }
            bytes = wide;
            case.mutations.push("UTF-16LE".into());
            reject(case, "UTF-16");
        }
        5 => {
            let at = rng.below(bytes.len());
            bytes.insert(at, 0);
            case.mutations.push(format!("NUL byte at {at}"));
            reject(case, "a NUL byte");
        }
        6 => {
            // A long line before whatever follows.
            let at = rng.below(bytes.len());
            let pad = vec![b' '; 70_000 + rng.below(10_000)];
            bytes.splice(at..at, pad);
            case.mutations.push(format!("70 KB of spaces at {at}"));
        }
        _ => {
            let at = rng.below(bytes.len());
            let end = (at + 1 + rng.below(64)).min(bytes.len());
            let chunk = bytes[at..end].to_vec();
            bytes.splice(at..at, chunk);
            case.mutations.push(format!("repeat bytes {at}..{end}"));
        }
    }
    bytes
}

const DURATION_KEYS: &[&str] = &[
    "rto",
    "rpo",
    "replica_lag",
    "lag_window",
    "detection_budget",
    "failover_ttl_budget",
    "ami_stale_grace",
    "efs_replication_lag",
    "backup_gap",
    "rds_replica_promotion",
    "aurora_global_failover",
    "aurora_instance_creation",
    "efs_replication_break",
    "ec2_launch",
    "app_boot",
    "manual_decision",
    "backup_restore",
    "backup_copy",
    "alias_ttl",
];

/// Mutate the example configuration: uncomment some of its examples, then change values in
/// the TOML tree, then the text.
fn mutate_config(rng: &mut Rng, example: &str, case: &mut Case) -> Vec<u8> {
    let mut text = String::new();
    for line in example.lines() {
        let uncommented = line.strip_prefix("# ").filter(|l| {
            l.starts_with('[') || l.split_once(" = ").is_some_and(|(k, _)| !k.contains(' ') && !k.is_empty())
        });
        match uncommented {
            Some(l) if rng.chance(60) => text.push_str(l),
            _ => text.push_str(line),
        }
        text.push('\n');
    }
    if rng.chance(40) {
        text.push_str(&format!(
            "\n[[waiver]]\nrule = {:?}\nresource = {:?}\nreason = {:?}\nexpires = {:?}\n",
            rng.pick(&["ami-missing-in-dr", "DR101", "no-such-rule", "", "dr-ami-stale"]),
            rng.pick(&["arn:aws:ec2:ap-south-1:*:image/*", "*", "[", "{a,b", "**/**", ""]),
            rng.pick(&["out of scope", "", " "]),
            rng.pick(&[
                "2027-03-31",
                "9999-12-31",
                "0000-01-01",
                "2027-02-29",
                "262143-12-31",
                "+10000-01-01",
                "2026-13-01",
                ""
            ]),
        ));
    }
    let mut table: toml::Table = match toml::from_str(&text) {
        Ok(table) => table,
        Err(_) => return mutate_text(rng, text.into_bytes(), case, false),
    };
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let sections: Vec<String> = table.keys().cloned().collect();
        let section = rng.pick(&sections).clone();
        match rng.below(8) {
            0..=2 => {
                let key = rng.pick(DURATION_KEYS).to_string();
                let value = rng.pick(NASTY_DURATIONS).to_string();
                let home = match key.as_str() {
                    "rto" | "rpo" => "targets",
                    k if DURATION_KEYS[2..9].contains(&k) => "thresholds",
                    _ => "estimate",
                };
                if let Some(toml::Value::Table(t)) = table.get_mut(home) {
                    case.mutations.push(format!("[{home}] {key} = {value:?}"));
                    t.insert(key, toml::Value::String(value));
                }
            }
            3 => {
                let key = rng.pick(&["min_backup_retention_days", "certificate_expiry_days"]).to_string();
                let value = *rng.pick(NASTY_INTEGERS);
                if let Some(toml::Value::Table(t)) = table.get_mut("thresholds") {
                    case.mutations.push(format!("[thresholds] {key} = {value}"));
                    t.insert(key, toml::Value::Integer(value));
                }
            }
            4 => {
                if let Some(toml::Value::Table(t)) = table.get_mut(&section) {
                    let keys: Vec<String> = t.keys().cloned().collect();
                    if !keys.is_empty() {
                        let key = rng.pick(&keys).clone();
                        let value = match rng.below(6) {
                            0 => toml::Value::Integer(*rng.pick(NASTY_INTEGERS)),
                            1 => toml::Value::Boolean(rng.chance(50)),
                            2 => toml::Value::Array(Vec::new()),
                            3 => toml::Value::Table(toml::Table::new()),
                            4 => toml::Value::String("x".repeat(70_000)),
                            _ => toml::Value::String(rng.pick(NASTY_STRINGS).to_string()),
                        };
                        case.mutations.push(format!("[{section}] {key} = {}", value.type_str()));
                        t.insert(key, value);
                    }
                }
            }
            5 => {
                case.mutations.push(format!("delete [{section}]"));
                table.remove(&section);
            }
            6 => {
                let rules = table.entry("rules").or_insert_with(|| toml::Value::Table(toml::Table::new()));
                if let toml::Value::Table(t) = rules {
                    let rule =
                        rng.pick(&["ami-missing-in-dr", "DR101", "dr101", "rto-target-exceeded", "nope", ""]);
                    let value = rng.pick(&["off", "OFF", "critical", "info", "none", ""]);
                    case.mutations.push(format!("[rules] {rule:?} = {value:?}"));
                    t.insert(rule.to_string(), toml::Value::String(value.to_string()));
                }
            }
            _ => {
                if let Some(toml::Value::Table(t)) = table.get_mut("regions") {
                    let key = rng.pick(&["primary", "dr"]).to_string();
                    let value =
                        rng.pick(&["ap-south-1", "us-east-1", "mars-1", "", "AP-SOUTH-1", "eu-west-1"]);
                    case.mutations.push(format!("[regions] {key} = {value:?}"));
                    t.insert(key, toml::Value::String(value.to_string()));
                }
            }
        }
    }
    let text = toml::to_string(&table).unwrap_or(text);
    let mut bytes = text.into_bytes();
    if rng.chance(15) {
        // A repeated line: a duplicate key, or a repeated table header.
        let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
        let i = rng.below(lines.len());
        let mut out = Vec::new();
        for (n, line) in lines.iter().enumerate() {
            out.extend_from_slice(line);
            out.push(b'\n');
            if n == i {
                out.extend_from_slice(line);
                out.push(b'\n');
            }
        }
        case.mutations.push(format!("repeat config line {i}"));
        bytes = out;
    }
    mutate_text(rng, bytes, case, false)
}

/// Extra flags for `drscan audit --snapshot FILE`.
fn mutate_flags(rng: &mut Rng, case: &mut Case) -> Vec<String> {
    let mut flags = Vec::new();
    let count = 1 + rng.below(4);
    for _ in 0..count {
        let (flag, values): (&str, &[&str]) = match rng.below(12) {
            0 => ("--lag-window", NASTY_DURATIONS),
            1 => ("--rto-target", NASTY_DURATIONS),
            2 => ("--rpo-target", NASTY_DURATIONS),
            3 => ("--timeout", NASTY_DURATIONS),
            4 => ("--call-timeout", NASTY_DURATIONS),
            5 => ("--fail-on", &["critical", "info", "HIGH", "none", ""]),
            6 => ("--primary", &["ap-south-1", "us-east-1", "mars-1", ""]),
            7 => ("--dr", &["us-east-1", "ap-south-1", "eu-west-1", ""]),
            8 => ("--app-tag", &["", "app", "Name", "💥"]),
            9 => ("--ami-pairing-tag", &["", "drscan:source-ami", "x"]),
            10 => ("--max-attempts", &["0", "1", "20", "21", "-1", "99999999999"]),
            _ => ("--format", &["text", "json", "sarif", "junit", "xml", ""]),
        };
        let value = rng.pick(values).to_string();
        case.mutations.push(format!("{flag} {value:?}"));
        flags.push(flag.to_string());
        flags.push(value);
    }
    if rng.chance(20) {
        flags.push("--allow-unknown".to_string());
    }
    flags
}

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Audited (and reported and diffed) without error.
    Audited,
    /// Refused with an input error, as it should be.
    Rejected,
    /// A defect: a panic (its signature), or a broken promise.
    Defect(String),
}

thread_local! {
    static FUZZING: Cell<bool> = const { Cell::new(false) };
}
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);
static CASE_RUNNING: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// Record every panic's location and message (the signature), printing those of the fuzzing
/// thread nowhere: a fuzz run would otherwise flood stderr with the panics it is looking for.
fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let first_line = message.lines().next().unwrap_or("").chars().take(120).collect::<String>();
            // A panic inside a dependency (chrono, std) is told apart by drscan's frame that called it.
            let caller = if location.starts_with("src/") {
                String::new()
            } else {
                let trace = std::backtrace::Backtrace::force_capture().to_string();
                trace
                    .lines()
                    .map(str::trim)
                    .filter_map(|l| l.strip_prefix("at "))
                    .find(|l| l.contains("/src/") && !l.contains("/.cargo/") && !l.contains("/rustc/"))
                    .map(|l| {
                        format!(" via {}", l.rsplit_once(":").map_or(l, |(file_line, _column)| file_line))
                    })
                    .unwrap_or_default()
            };
            if let Ok(mut last) = LAST_PANIC.lock() {
                *last = Some(format!("panic at {location}{caller}: {first_line}"));
            }
            // Rayon's workers, which run the rules, are the unnamed threads.
            let rule_worker = CASE_RUNNING.load(Ordering::Relaxed) && std::thread::current().name().is_none();
            if !FUZZING.with(Cell::get) && !rule_worker {
                previous(info);
            }
        }));
    });
}

/// Run one case in `dir` (a scratch directory it may overwrite).
pub(crate) fn run(case: &Case, root: &Path, dir: &Path) -> Outcome {
    install_panic_hook();
    FUZZING.with(|f| f.set(true));
    CASE_RUNNING.store(true, Ordering::Relaxed);
    if let Ok(mut last) = LAST_PANIC.lock() {
        *last = None;
    }
    let result = panic::catch_unwind(AssertUnwindSafe(|| drive(case, root, dir)));
    FUZZING.with(|f| f.set(false));
    CASE_RUNNING.store(false, Ordering::Relaxed);
    match result {
        Ok(outcome) => outcome,
        Err(payload) => {
            let recorded = LAST_PANIC.lock().ok().and_then(|mut l| l.take());
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Outcome::Defect(recorded.unwrap_or_else(|| format!("panic: {message}")))
        }
    }
}

fn drive(case: &Case, root: &Path, dir: &Path) -> Outcome {
    let snapshot_path = dir.join("mutant.json");
    std::fs::write(&snapshot_path, &case.snapshot).expect("scratch file");
    let mut args: Vec<String> =
        vec!["drscan".into(), "audit".into(), "--snapshot".into(), path(&snapshot_path)];
    let mut config_args = Vec::new();
    if let Some(config) = &case.config {
        let config_path = dir.join("mutant.toml");
        std::fs::write(&config_path, config).expect("scratch file");
        config_args = vec!["--config".to_string(), path(&config_path)];
    }
    args.extend(config_args.iter().cloned());
    if let Some(baseline) = &case.baseline {
        let baseline_path = dir.join("mutant-baseline.json");
        std::fs::write(&baseline_path, baseline).expect("scratch file");
        args.extend(["--baseline".to_string(), path(&baseline_path)]);
    }
    args.extend(case.flags.iter().cloned());

    let audited = match audit_in_process(&args) {
        Ok(()) => true,
        Err(Refusal::Flags) => return judge_rejection(case, None),
        Err(Refusal::Input(error)) => return judge_rejection(case, Some(*error)),
    };
    if let Some(why) = &case.must_reject
        && audited
    {
        return Outcome::Defect(format!("accepted {why}"));
    }
    // The same inputs through the report and the diff, as the CLI runs them.
    let reference = path(&root.join(REFERENCE));
    let snapshot = path(&snapshot_path);
    let null = "/dev/null".to_string();
    let commands: Vec<Vec<String>> = vec![
        vec!["report".into(), "--snapshot".into(), snapshot.clone(), "--previous".into(), reference.clone()],
        vec![
            "report".into(),
            "--snapshot".into(),
            reference.clone(),
            "--previous".into(),
            snapshot.clone(),
            "--format".into(),
            "markdown".into(),
        ],
        vec!["diff".into(), reference.clone(), snapshot.clone()],
        vec!["diff".into(), snapshot.clone(), reference, "--format".into(), "json".into()],
    ];
    for mut command in commands {
        command.insert(0, "drscan".into());
        command.extend(["-o".to_string(), null.clone()]);
        command.extend(config_args.iter().cloned());
        match Cli::try_parse_from(&command) {
            Ok(cli) => {
                if let Err(error) = cli::run(cli) {
                    // Region-pair mismatches and the like are fine; a crash is not.
                    if let Some(defect) = diagnostic_defect(&error) {
                        return Outcome::Defect(defect);
                    }
                }
            }
            Err(error) => return Outcome::Defect(format!("flags the fuzzer built do not parse: {error}")),
        }
    }
    init_reads_back(case, &snapshot)
}

/// `drscan init --snapshot FILE` with the case's flags that init takes: what it would write
/// must read back as a configuration, whatever names, tags and records the snapshot holds.
fn init_reads_back(case: &Case, snapshot: &str) -> Outcome {
    const INIT_FLAGS: &[&str] =
        &["--rto-target", "--rpo-target", "--app-tag", "--ami-pairing-tag", "--primary", "--dr"];
    let mut command: Vec<String> = vec![
        "drscan".into(),
        "init".into(),
        "--snapshot".into(),
        snapshot.to_string(),
        "-o".into(),
        "-".into(),
    ];
    for pair in case.flags.chunks(2) {
        if let [flag, value] = pair
            && INIT_FLAGS.contains(&flag.as_str())
        {
            command.extend([flag.clone(), value.clone()]);
        }
    }
    // A flag value init refuses, as audit did: the audit's verdict stands.
    let Ok(Cli { command: Command::Init(args), .. }) = Cli::try_parse_from(&command) else {
        return Outcome::Audited;
    };
    match cli::init::written(&args) {
        Ok((text, _)) => match drscan::config::ValidConfig::parse("drscan.toml", text) {
            Ok(_) => Outcome::Audited,
            Err(error) => {
                let mut rendered = String::new();
                let _ = miette::NarratableReportHandler::new().render_report(&mut rendered, &error);
                let first = rendered.lines().next().unwrap_or("").chars().take(160).collect::<String>();
                Outcome::Defect(format!("drscan init writes a drscan.toml that does not read back: {first}"))
            }
        },
        Err(error) => diagnostic_defect(&error).map_or(Outcome::Audited, Outcome::Defect),
    }
}

enum Refusal {
    Flags,
    Input(Box<DrscanError>),
}

/// `drscan audit --snapshot FILE …` as the CLI runs it, except that every format is rendered
/// and nothing is written. (`cli::run` would do the same but leaks the report on purpose.)
fn audit_in_process(args: &[String]) -> Result<(), Refusal> {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            // Render it as the binary would.
            let _ = error.render().to_string();
            return Err(Refusal::Flags);
        }
    };
    let Command::Audit(audit_args) = cli.command else { unreachable!("the fuzzer only audits") };
    let input = |e: DrscanError| Refusal::Input(Box::new(e));
    let flags = Flags {
        regions: Some(&audit_args.regions),
        settings: Some(&audit_args.settings),
        gate: Some(&audit_args.gate),
        aws: Some(&audit_args.aws),
    };
    let run = overrides::resolve(&audit_args.config, flags).map_err(input)?;
    let snapshot_path = audit_args.snapshot.as_deref().expect("the fuzzer always passes --snapshot");
    let text = drscan::input::read_text("snapshot", snapshot_path).map_err(input)?;
    let display_path = snapshot_path.display().to_string();
    let origin = Origin::of_snapshot(&display_path, &text);
    let snapshot = Snapshot::parse(&display_path, text).map_err(input)?;
    run.check_snapshot_regions(&snapshot).map_err(input)?;
    let origin = run.origin(origin);
    let baseline = audit_args.baseline.as_deref().map(Baseline::load).transpose().map_err(input)?;
    let inventory = run.inventory(&snapshot);
    let report = run.audit(&inventory, baseline.as_ref());
    let gate = run.gate;
    for color in [false, true] {
        let info = RunInfo { snapshot: &snapshot, gate, origin: origin.clone(), color };
        for format in [Format::Text, Format::Json, Format::Sarif, Format::Junit] {
            std::hint::black_box(output::render(format, &report, &info));
        }
    }
    Ok(())
}

fn judge_rejection(case: &Case, error: Option<DrscanError>) -> Outcome {
    let Some(error) = error else { return Outcome::Rejected };
    match diagnostic_defect(&error) {
        Some(defect) => Outcome::Defect(format!("{defect} ({:?})", case.target)),
        None => Outcome::Rejected,
    }
}

/// What is wrong with how an input error is reported, if anything: it must be an exit-2 error,
/// and a malformed file's diagnostic must name the file with a line and column.
fn diagnostic_defect(error: &DrscanError) -> Option<String> {
    if error.exit_status() != ExitStatus::UsageError {
        return Some(format!("offline input error with exit status {:?}", error.exit_status()));
    }
    // Both of miette's renderers: graphical (the default) and narrated (NO_GRAPHICS).
    let mut rendered = String::new();
    let graphical = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    if graphical.render_report(&mut rendered, error).is_err() {
        return Some("the graphical diagnostic failed to render".to_string());
    }
    let mut narrated = String::new();
    if miette::NarratableReportHandler::new().render_report(&mut narrated, error).is_err() {
        return Some("the narrated diagnostic failed to render".to_string());
    }
    let name = match error {
        DrscanError::MalformedInput(malformed) => Some(malformed.src.name()),
        DrscanError::MalformedInputs(malformed) => Some(malformed.src.name()),
        _ => None,
    };
    if let Some(name) = name {
        let located = rendered
            .find(&format!("{name}:"))
            .map(|at| &rendered[at + name.len() + 1..])
            .is_some_and(|rest| {
                let mut parts = rest.splitn(3, ':');
                let line =
                    parts.next().is_some_and(|l| l.chars().all(|c| c.is_ascii_digit()) && !l.is_empty());
                let column =
                    parts.next().is_some_and(|c| c.chars().take_while(char::is_ascii_digit).count() > 0);
                line && column
            });
        if !located {
            return Some(format!(
                "diagnostic without {name}:line:column: {}",
                rendered.lines().take(3).collect::<Vec<_>>().join(" | ")
            ));
        }
    }
    None
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

/// A fuzz run's tally.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub cases: u64,
    pub audited: u64,
    pub rejected: u64,
    /// Signature → (count, first case number).
    pub defects: BTreeMap<String, (u64, u64)>,
    pub slowest: (Duration, u64),
}

impl Tally {
    pub(crate) fn record(&mut self, number: u64, outcome: &Outcome, took: Duration) {
        self.cases += 1;
        match outcome {
            Outcome::Audited => self.audited += 1,
            Outcome::Rejected => self.rejected += 1,
            Outcome::Defect(signature) => {
                let entry = self.defects.entry(signature.clone()).or_insert((0, number));
                entry.0 += 1;
            }
        }
        if took > self.slowest.0 {
            self.slowest = (took, number);
        }
    }

    pub(crate) fn summary(&self, elapsed: Duration) -> String {
        let mut out = format!(
            "{} cases in {:.1} s ({:.0}/s): {} audited, {} rejected, {} defects ({} distinct); slowest case {} took {:.2} s\n",
            self.cases,
            elapsed.as_secs_f64(),
            self.cases as f64 / elapsed.as_secs_f64().max(1e-9),
            self.audited,
            self.rejected,
            self.defects.values().map(|(n, _)| n).sum::<u64>(),
            self.defects.len(),
            self.slowest.1,
            self.slowest.0.as_secs_f64()
        );
        for (signature, (count, first)) in &self.defects {
            out.push_str(&format!("  {count} × {signature} (first: case {first})\n"));
        }
        out
    }
}

/// Run cases `0..` of `seed` until `cases` have run or `budget` has passed, writing each
/// defect's first case into `crashes` (if given) for the corpus.
pub(crate) fn campaign(
    root: &Path,
    seed: u64,
    cases: u64,
    budget: Duration,
    crashes: Option<&Path>,
) -> Tally {
    let seeds = Seeds::load(root);
    let scratch = tempfile::tempdir().expect("scratch dir");
    let started = Instant::now();
    let mut tally = Tally::default();
    for number in 0..cases {
        if started.elapsed() >= budget {
            break;
        }
        let case = generate(&seeds, seed, number);
        let began = Instant::now();
        let outcome = run(&case, root, scratch.path());
        let took = began.elapsed();
        if let (Outcome::Defect(signature), Some(dir)) = (&outcome, crashes)
            && !tally.defects.contains_key(signature)
        {
            let smallest = minimize(&case, root, scratch.path(), signature, 300);
            save_case(dir, &smallest, signature);
        }
        tally.record(number, &outcome, took);
    }
    tally
}

/// The smallest case derived from `case` (by deleting JSON nodes, configuration lines and
/// flags) that still ends in the defect `signature`, in at most `attempts` runs.
pub(crate) fn minimize(case: &Case, root: &Path, dir: &Path, signature: &str, attempts: usize) -> Case {
    let runs = Cell::new(0usize);
    let reproduces = |candidate: &Case| {
        runs.set(runs.get() + 1);
        matches!(run(candidate, root, dir), Outcome::Defect(s) if s == signature)
    };
    let mut best = case.clone();
    // Flags come in pairs (flag, value) but for `--allow-unknown`; try dropping each.
    let mut i = 0;
    while i < best.flags.len() {
        let width = if best.flags.get(i + 1).is_some_and(|v| !v.starts_with("--")) { 2 } else { 1 };
        let mut candidate = best.clone();
        candidate.flags.drain(i..i + width);
        if reproduces(&candidate) { best = candidate } else { i += width }
    }
    if let Some(config) = best.config.clone() {
        let lines: Vec<&[u8]> = config.split(|b| *b == b'\n').collect();
        let kept = |keep: &[bool]| -> Vec<u8> {
            lines
                .iter()
                .zip(keep)
                .filter(|(_, k)| **k)
                .flat_map(|(l, _)| l.iter().copied().chain([b'\n']))
                .collect()
        };
        let mut keep = vec![true; lines.len()];
        for n in 0..lines.len() {
            if runs.get() >= attempts {
                break;
            }
            keep[n] = false;
            let mut candidate = best.clone();
            candidate.config = Some(kept(&keep));
            if !reproduces(&candidate) {
                keep[n] = true;
            }
        }
        best.config = Some(kept(&keep));
    }
    // Snapshot and baseline: delete the largest subtrees first, restarting after each success.
    for baseline in [false, true] {
        let bytes = if baseline { best.baseline.clone() } else { Some(best.snapshot.clone()) };
        let Some(mut json) = bytes.and_then(|b| String::from_utf8(b).ok()).and_then(|t| Json::parse(&t))
        else {
            continue;
        };
        let with = |case: &Case, json: &Json| {
            let mut candidate = case.clone();
            let text = json.write(true).into_bytes();
            if baseline {
                candidate.baseline = Some(text)
            } else {
                candidate.snapshot = text
            }
            candidate
        };
        // Only a document that, rewritten, still reproduces can be reduced as a tree.
        if !reproduces(&with(&best, &json)) {
            continue;
        }
        'reduce: while runs.get() < attempts {
            let mut paths = json.paths();
            paths.retain(|p| !p.is_empty());
            paths.sort_by_key(|p| std::cmp::Reverse(json.at(p).node_count()));
            for path in paths {
                if runs.get() >= attempts {
                    break 'reduce;
                }
                let mut smaller = json.clone();
                smaller.remove(&path);
                if reproduces(&with(&best, &smaller)) {
                    json = smaller;
                    continue 'reduce;
                }
            }
            break;
        }
        // Then long strings, halved while the defect stays.
        for path in json.paths() {
            while runs.get() < attempts {
                let Json::String(text) = json.at(&path) else { break };
                if text.len() < 16 {
                    break;
                }
                let half: String = text.chars().take(text.chars().count() / 2).collect();
                let mut shorter = json.clone();
                *shorter.at_mut(&path) = Json::String(half);
                if !reproduces(&with(&best, &shorter)) {
                    break;
                }
                json = shorter;
            }
        }
        best = with(&best, &json);
    }
    best.mutations.push(format!("minimized in {} runs", runs.get()));
    best
}

/// A case kept by [`save_case`], to minimize it further.
pub(crate) fn load_case(dir: &Path) -> Option<(Case, String)> {
    let about = std::fs::read_to_string(dir.join("about.txt")).ok()?;
    let signature = about.lines().next()?.to_string();
    let flags_line = about.lines().find_map(|l| l.strip_prefix("flags: "))?;
    let flags: Vec<String> = serde_json::from_str(flags_line).ok()?;
    let target = match about.lines().find_map(|l| l.strip_prefix("target: "))? {
        "Config" => Target::Config,
        "Baseline" => Target::Baseline,
        "Flags" => Target::Flags,
        _ => Target::Snapshot,
    };
    let case = Case {
        number: 0,
        target,
        seed: about.lines().find_map(|l| l.strip_prefix("seed file: ")).unwrap_or("").to_string(),
        mutations: Vec::new(),
        snapshot: std::fs::read(dir.join("snapshot.json")).ok()?,
        config: std::fs::read(dir.join("config.toml")).ok(),
        baseline: std::fs::read(dir.join("baseline.json")).ok(),
        flags,
        must_reject: None,
    };
    Some((case, signature))
}

/// Keep a defect's case: its inputs, and what it was.
pub(crate) fn save_case(dir: &Path, case: &Case, signature: &str) {
    let dir = dir.join(format!("case-{}", case.number));
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("snapshot.json"), &case.snapshot);
    if let Some(config) = &case.config {
        let _ = std::fs::write(dir.join("config.toml"), config);
    }
    if let Some(baseline) = &case.baseline {
        let _ = std::fs::write(dir.join("baseline.json"), baseline);
    }
    let about = format!(
        "{signature}\nseed file: {}\ntarget: {:?}\nflags: {:?}\nmutations:\n  {}\n",
        case.seed,
        case.target,
        case.flags,
        case.mutations.join("\n  ")
    );
    let _ = std::fs::write(dir.join("about.txt"), about);
}
