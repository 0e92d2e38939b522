//! The shipped GitHub Actions workflow (`examples/github-actions.yml`), linted as far as a test
//! can without GitHub: it parses; actions are pinned to commits and current majors; the audit
//! job has the permissions it uses and skips fork pull requests; the account is collected once
//! and everything else reads that snapshot; every file an upload step keeps was written before
//! it; every run script is valid bash; and every drscan flag it uses exists.

use std::collections::BTreeSet;
use yaml_rust2::{Yaml, YamlLoader};

const WORKFLOW: &str = "examples/github-actions.yml";

fn text() -> String {
    std::fs::read_to_string(WORKFLOW).expect("example workflow")
}

fn workflow() -> Yaml {
    let docs = YamlLoader::load_from_str(&text()).expect("the workflow is valid YAML");
    assert_eq!(docs.len(), 1, "one YAML document");
    docs.into_iter().next().unwrap_or(Yaml::Null)
}

fn jobs(workflow: &Yaml) -> Vec<(String, &Yaml)> {
    let jobs = workflow["jobs"].as_hash().expect("jobs is a mapping");
    jobs.iter().map(|(name, job)| (name.as_str().unwrap_or_default().to_string(), job)).collect()
}

fn steps(job: &Yaml) -> &[Yaml] {
    job["steps"].as_vec().map(Vec::as_slice).unwrap_or(&[])
}

/// Every run script of the workflow, with its job's name.
fn run_scripts(workflow: &Yaml) -> Vec<(String, String)> {
    jobs(workflow)
        .into_iter()
        .flat_map(|(name, job)| {
            steps(job).iter().filter_map(move |s| s["run"].as_str().map(|r| (name.clone(), r.to_string())))
        })
        .collect()
}

#[test]
fn actions_are_pinned_to_commits_of_current_majors() {
    let mut pinned = 0;
    for line in text().lines().map(str::trim) {
        let Some(uses) = line.strip_prefix("- uses: ").or_else(|| line.strip_prefix("uses: ")) else {
            continue;
        };
        let (action, rest) = uses.split_once('@').expect("uses names a ref");
        let (sha, comment) = rest.split_once(" # ").unwrap_or((rest, ""));
        assert!(
            sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
            "{action} is pinned to `{sha}`, not a commit"
        );
        assert!(comment.starts_with('v'), "{action}@{sha} says which release it is (`# vN.N.N`)");
        let major: u32 =
            comment[1..].split('.').next().and_then(|m| m.parse().ok()).expect("a version in the comment");
        if action.starts_with("github/codeql-action/") {
            assert!(major >= 4, "{action} v3 is deprecated; use v4 or later");
        }
        pinned += 1;
    }
    assert!(pinned >= 6, "the workflow uses its actions ({pinned} seen)");
}

#[test]
fn the_audit_job_has_the_permissions_it_uses_and_skips_forks() {
    let workflow = workflow();
    assert_eq!(workflow["permissions"]["contents"].as_str(), Some("read"), "read-only by default");
    let (_, audit) = jobs(&workflow)
        .into_iter()
        .find(|(_, job)| {
            steps(job).iter().any(|s| s["run"].as_str().is_some_and(|r| r.contains("drscan audit")))
        })
        .expect("a job runs drscan audit");
    let permissions = &audit["permissions"];
    for (scope, level) in
        [("contents", "read"), ("id-token", "write"), ("security-events", "write"), ("actions", "read")]
    {
        assert_eq!(permissions[scope].as_str(), Some(level), "the audit job needs {scope}: {level}");
    }
    let condition = audit["if"].as_str().expect("the audit job has a condition");
    assert!(
        condition.contains("github.event.pull_request.head.repo.full_name == github.repository"),
        "fork pull requests get no OIDC token: the job must skip them ({condition})"
    );
    for (name, job) in jobs(&workflow) {
        assert!(job["timeout-minutes"].as_i64().is_some(), "job {name} has a timeout");
    }
}

#[test]
fn the_account_is_collected_once_and_everything_reads_the_snapshot() {
    let scripts = run_scripts(&workflow());
    let all: String = scripts.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>().join("\n");
    assert_eq!(all.matches("drscan collect").count(), 1, "one live collection per run");
    for command in ["drscan audit", "drscan report"] {
        let uses = all.lines().filter(|l| l.contains(command)).collect::<Vec<_>>();
        assert!(!uses.is_empty(), "the workflow runs {command}");
        for line in uses {
            assert!(line.contains("--snapshot"), "`{}` reads the collected snapshot", line.trim());
        }
    }
    assert!(all.contains("$GITHUB_STEP_SUMMARY"), "the Markdown report goes to the job summary");
    assert!(all.contains("--previous"), "the nightly report shows drift against the previous night");
    assert!(
        all.contains("--branch \"${{ github.event.repository.default_branch }}\""),
        "the baseline comes from the default branch only"
    );
}

#[test]
fn every_kept_file_is_written_before_the_step_that_keeps_it() {
    let workflow = workflow();
    for (name, job) in jobs(&workflow) {
        let mut written: BTreeSet<String> = BTreeSet::new();
        for step in steps(job) {
            if let Some(script) = step["run"].as_str() {
                for word in script.split_whitespace() {
                    let word = word.trim_matches(|c| c == '"' || c == '\'');
                    let file = word.split_once('=').map_or(word, |(_, f)| f);
                    if file.contains('.') && !file.starts_with('-') && !file.starts_with('$') {
                        written.insert(file.to_string());
                    }
                }
            }
            let uses = step["uses"].as_str().unwrap_or_default();
            if !uses.starts_with("actions/upload-artifact") {
                continue;
            }
            let paths = step["with"]["path"].as_str().expect("upload step lists its paths");
            for path in paths.lines().map(str::trim).filter(|p| !p.is_empty()) {
                assert!(
                    written.contains(path),
                    "job {name} uploads {path} before any step writes it (written so far: {written:?})"
                );
            }
        }
    }
}

/// The files a drscan command line writes: the values of its `-o` options (`FILE` or `FORMAT=FILE`).
fn drscan_outputs(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in script.lines().filter(|l| l.contains("drscan ")) {
        let words: Vec<&str> = line.split_whitespace().collect();
        for pair in words.windows(2) {
            if pair[0] == "-o" || pair[0] == "--output" {
                let value = pair[1].trim_matches('"');
                out.push(value.split_once('=').map_or(value, |(_, f)| f).to_string());
            }
        }
    }
    out
}

#[test]
fn every_file_drscan_writes_is_kept_by_a_later_upload() {
    let workflow = workflow();
    for (name, job) in jobs(&workflow) {
        let steps = steps(job);
        for (index, step) in steps.iter().enumerate() {
            for file in drscan_outputs(step["run"].as_str().unwrap_or_default()) {
                let kept = steps[index + 1..].iter().any(|later| {
                    later["uses"].as_str().is_some_and(|u| u.starts_with("actions/upload-artifact"))
                        && later["with"]["path"].as_str().is_some_and(|p| p.lines().any(|l| l.trim() == file))
                });
                assert!(
                    kept,
                    "job {name} writes {file} but no later step uploads it: it is lost with the runner"
                );
            }
        }
    }
}

#[test]
fn every_run_script_is_valid_bash() {
    for (job, script) in run_scripts(&workflow()) {
        // GitHub substitutes `${{ … }}` before bash sees the script.
        let mut plain = String::new();
        let mut rest = script.as_str();
        while let Some(start) = rest.find("${{") {
            plain.push_str(&rest[..start]);
            let end = rest[start..].find("}}").map(|e| start + e + 2).expect("closed expression");
            plain.push_str("EXPR");
            rest = &rest[end..];
        }
        plain.push_str(rest);
        let status =
            std::process::Command::new("bash").args(["-n", "-c", &plain]).status().expect("bash runs");
        assert!(status.success(), "a run script of job {job} is not valid bash:\n{script}");
    }
}

#[test]
fn every_drscan_flag_the_workflow_uses_exists() {
    let mut checked = 0;
    for (_, script) in run_scripts(&workflow()) {
        for line in script.lines() {
            for command in ["collect", "audit", "report"] {
                let Some((_, rest)) = line.split_once(&format!("drscan {command} ")) else { continue };
                let help = assert_cmd::Command::cargo_bin("drscan")
                    .expect("binary")
                    .args([command, "--help"])
                    .output()
                    .expect("help");
                let help = String::from_utf8_lossy(&help.stdout).to_string();
                for flag in rest.split_whitespace().filter(|w| w.starts_with('-') && *w != "-") {
                    let flag = flag.split('=').next().unwrap_or(flag);
                    assert!(help.contains(flag), "`drscan {command}` has no {flag}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 10, "the workflow runs drscan with its flags ({checked} checked)");
}
