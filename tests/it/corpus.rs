//! The bad-input corpus (`tests/corpus/`, described in its README): every case runs the real
//! binary and must end with its expected exit code (2 unless the case says otherwise), never a
//! panic, and — for a malformed file — with a diagnostic naming the file at the expected
//! line:column. Cases are data: adding one is adding files, not code.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const CORPUS: &str = "tests/corpus";
/// Input file extensions; a case without one (flags, commands) is its `.args` alone.
const INPUTS: [&str; 2] = ["json", "toml"];

/// One case: its files, and what it expects.
#[derive(Debug)]
struct Case {
    area: String,
    name: String,
    input: Option<PathBuf>,
    args: Vec<String>,
    expect: Expect,
}

#[derive(Debug, Default)]
struct Expect {
    exit: i32,
    /// `line:column` of the input file the diagnostic must point at.
    at: Option<String>,
    /// The case documents why its diagnostic has no location (`at -` in the file).
    unlocated: bool,
    messages: Vec<String>,
    stdout: Vec<String>,
    /// Grow the input to this many bytes (a sparse file) before running.
    sparse_size: Option<u64>,
}

fn parse_expect(path: &Path) -> Expect {
    let mut expect = Expect { exit: 2, ..Expect::default() };
    let Ok(text) = std::fs::read_to_string(path) else { return expect };
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (key, value) = line.split_once(' ').unwrap_or((line, ""));
        let value = value.trim().to_string();
        match key {
            "exit" => {
                expect.exit =
                    value.parse().unwrap_or_else(|_| panic!("{}: bad exit `{value}`", path.display()))
            }
            "at" if value == "-" => expect.unlocated = true,
            "at" => expect.at = Some(value),
            "message" => expect.messages.push(value),
            "stdout" => expect.stdout.push(value),
            "sparse-size" => expect.sparse_size = value.parse().ok(),
            other => panic!("{}: unknown expectation `{other}`", path.display()),
        }
    }
    expect
}

/// The arguments of a case without an `.args` file, from its area and input.
fn default_args(area: &str, extension: Option<&str>) -> Option<Vec<&'static str>> {
    Some(match (area, extension) {
        ("baseline", Some("json")) => vec!["audit", "--snapshot", "{reference}", "--baseline", "{input}"],
        (_, Some("json")) => vec!["audit", "--snapshot", "{input}"],
        (_, Some("toml")) => vec!["audit", "--snapshot", "{reference}", "--config", "{input}"],
        _ => return None,
    })
}

fn load_cases() -> Vec<Case> {
    let mut by_name: BTreeMap<(String, String), Vec<PathBuf>> = BTreeMap::new();
    for area in std::fs::read_dir(CORPUS).expect("tests/corpus") {
        let area = area.expect("entry").path();
        if !area.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&area).expect("area dir") {
            let file = file.expect("entry").path();
            let (Some(stem), Some(area_name)) = (file.file_stem(), area.file_name()) else { continue };
            by_name
                .entry((area_name.to_string_lossy().into_owned(), stem.to_string_lossy().into_owned()))
                .or_default()
                .push(file);
        }
    }
    by_name
        .into_iter()
        .map(|((area, name), files)| {
            let with = |ext: &str| files.iter().find(|f| f.extension().is_some_and(|e| e == ext)).cloned();
            let input = INPUTS.iter().find_map(|ext| with(ext));
            let args = match with("args") {
                // One argument per line, verbatim (an empty line is an empty argument).
                Some(path) => {
                    let text = std::fs::read_to_string(&path).expect("args file");
                    let text = text.strip_suffix('\n').unwrap_or(&text);
                    if text.is_empty() {
                        Vec::new()
                    } else {
                        text.split('\n').filter(|l| !l.starts_with('#')).map(str::to_string).collect()
                    }
                }
                None => {
                    default_args(&area, input.as_ref().and_then(|i| i.extension()).and_then(|e| e.to_str()))
                        .unwrap_or_else(|| {
                            panic!("{area}/{name} has neither an input file nor an .args file")
                        })
                        .into_iter()
                        .map(str::to_string)
                        .collect()
                }
            };
            let expect =
                with("expect").map(|p| parse_expect(&p)).unwrap_or(Expect { exit: 2, ..Expect::default() });
            Case { area, name, input, args, expect }
        })
        .collect()
}

/// Run one case; the reasons it failed, if any.
fn run(case: &Case, scratch: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    // An input holding `{{repeat:N:TEXT}}` (a line too long to keep in the repository) or
    // grown to a size is run from a copy.
    let input = case.input.as_ref().map(|path| {
        let bytes = std::fs::read(path).expect("corpus input");
        let expanded = expand_repeats(&bytes);
        if expanded == bytes && case.expect.sparse_size.is_none() {
            return path.display().to_string();
        }
        let copy =
            scratch.join(format!("{}-{}", case.area, path.file_name().expect("name").to_string_lossy()));
        std::fs::write(&copy, &expanded).expect("scratch copy");
        if let Some(size) = case.expect.sparse_size {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&copy)
                .and_then(|f| f.set_len(size))
                .expect("sparse file");
        }
        copy.display().to_string()
    });
    let args: Vec<String> = case
        .args
        .iter()
        .map(|arg| {
            arg.replace("{input}", input.as_deref().unwrap_or("{input}"))
                .replace("{reference}", "fixtures/reference-architecture.json")
                .replace("{repaired}", "fixtures/reference-architecture-repaired.json")
                .replace("{example-config}", "drscan.example.toml")
                .replace("{scratch}", &scratch.display().to_string())
        })
        .collect();
    let output = Command::cargo_bin("drscan")
        .expect("binary is built")
        .args(&args)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("drscan runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    // miette wraps long messages onto `│ ` continuation lines; messages are matched unwrapped.
    let unwrapped = stderr.lines().fold(String::new(), |mut text, line| {
        match line.trim_start().strip_prefix("│ ") {
            Some(rest) if !text.is_empty() => {
                text.push(' ');
                text.push_str(rest);
            }
            _ => {
                text.push('\n');
                text.push_str(line);
            }
        }
        text
    });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let code = output.status.code();
    if code == Some(101) || stderr.contains("panicked") {
        problems.push("panicked".to_string());
    }
    if code != Some(case.expect.exit) {
        problems.push(format!("exit {code:?}, expected {}", case.expect.exit));
    }
    if let (Some(at), Some(input)) = (&case.expect.at, &input) {
        let location = format!("{input}:{at}");
        if !stderr.contains(&location) {
            problems.push(format!("no `{location}` in the diagnostic"));
        }
    } else if case.expect.exit == 2 && input.is_some() && !case.expect.unlocated {
        problems.push("an input error without an `at LINE:COLUMN` (or `at -`) expectation".to_string());
    }
    for message in &case.expect.messages {
        if !unwrapped.contains(message.as_str()) {
            problems.push(format!("no `{message}` in stderr"));
        }
    }
    for text in &case.expect.stdout {
        if !stdout.contains(text.as_str()) {
            problems.push(format!("no `{text}` in stdout"));
        }
    }
    if !problems.is_empty() {
        let shown: String = stderr.lines().take(12).collect::<Vec<_>>().join("\n      ");
        problems.push(format!("args {args:?}\n      stderr:\n      {shown}"));
    }
    problems
}

/// `{{repeat:N:TEXT}}` → TEXT N times.
fn expand_repeats(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some(start) = find(rest, b"{{repeat:") {
        out.extend_from_slice(&rest[..start]);
        let after = &rest[start + 9..];
        let Some(end) = find(after, b"}}") else { break };
        let spec = String::from_utf8_lossy(&after[..end]);
        let (count, text) = spec.split_once(':').expect("{{repeat:N:TEXT}}");
        let count: usize = count.parse().expect("repeat count");
        out.extend(std::iter::repeat_n(text.as_bytes(), count).flatten());
        rest = &after[end + 2..];
    }
    out.extend_from_slice(rest);
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn every_corpus_case_ends_as_it_expects_never_in_a_panic() {
    let cases = load_cases();
    let scratch = tempfile::tempdir().expect("scratch dir");
    let mut failures = Vec::new();
    let mut per_area: BTreeMap<&str, usize> = BTreeMap::new();
    for case in &cases {
        *per_area.entry(case.area.as_str()).or_default() += 1;
        let problems = run(case, scratch.path());
        if !problems.is_empty() {
            failures.push(format!("{}/{}:\n    {}", case.area, case.name, problems.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    let bad_input = cases.iter().filter(|c| c.expect.exit == 2).count();
    assert!(bad_input >= 100, "the corpus holds {bad_input} bad-input cases, fewer than 100: {per_area:?}");
}
