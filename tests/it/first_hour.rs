//! The first hour with drscan (issue 12), as a new user meets it: completions and man pages,
//! every flag from a `DRSCAN_*` variable, grouped `--help` with examples, `drscan init`, errors
//! that point the right way (regions, endpoints, profiles, SSO, a server that is not AWS), and
//! output that concludes (which findings fail the gate, a stderr line when everything goes to
//! files, each unknown cause once, formats from file extensions, SARIF pointing at files that
//! exist, the per-call `-v` log).

use crate::support::offline::{REFERENCE, REPAIRED, drscan};
use crate::support::seed::{Setup, seed};
use crate::support::{DR, PRIMARY, emulator, fresh_account, runtime, set_faults};
use assert_cmd::Command;
use clap::CommandFactory;
use predicates::prelude::*;
use serde_json::{Value, json};
use std::path::Path;

fn stdout_of(cmd: &mut Command) -> String {
    String::from_utf8(cmd.output().expect("runs").stdout).expect("utf-8")
}

/// A diagnostic as one line of words: miette wraps and frames its text to the terminal width.
fn flat(text: &[u8]) -> String {
    let text = String::from_utf8_lossy(text);
    text.split(|c: char| c.is_whitespace() || "│╭╰─┬·×".contains(c))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn commands() -> Vec<String> {
    drscan::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .filter(|name| name != "help")
        .collect()
}

#[test]
fn completions_for_every_shell_name_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = stdout_of(drscan().args(["completions", shell]));
        assert!(script.len() > 1000, "{shell}: a real script ({} bytes)", script.len());
        for command in commands() {
            assert!(script.contains(&command), "{shell} completion lacks `{command}`");
        }
        assert!(script.contains("fail-on"), "{shell} completes flags too");
    }
    drscan().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn the_man_pages_name_every_command_and_flag() {
    let page = stdout_of(drscan().arg("man"));
    assert!(page.starts_with(".ie") || page.contains(".TH drscan"), "roff: {}", &page[..80.min(page.len())]);
    for command in commands() {
        assert!(page.contains(&format!("drscan\\-{command}")), "drscan(1) lists `{command}`");
    }
    let audit = stdout_of(drscan().args(["man", "audit"]));
    assert!(
        audit.contains("fail\\-on") && audit.contains("DRSCAN_FAIL_ON"),
        "drscan-audit(1) documents its flags"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    drscan().args(["man", "--dir"]).arg(dir.path()).assert().code(0);
    for command in commands() {
        assert!(dir.path().join(format!("drscan-{command}.1")).is_file(), "drscan-{command}.1 written");
    }
    drscan().args(["man", "frobnicate"]).assert().code(2);
}

/// Every flag of every command can come from a `DRSCAN_*` variable, and `--help` says which.
#[test]
fn every_flag_has_a_drscan_variable_shown_in_help() {
    let mut root = drscan::cli::Cli::command();
    root.build();
    let mut checked = 0;
    for command in root.get_subcommands() {
        let help = stdout_of(drscan().args([command.get_name(), "--help"]));
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            // Positional arguments (files, a rule, a shell) and clap's own flags are not flags.
            if arg.is_positional() || ["help", "version", "verbose"].contains(&id) {
                continue;
            }
            let env = arg.get_env().and_then(|e| e.to_str()).unwrap_or_else(|| {
                panic!("`drscan {} --{id}` has no environment variable", command.get_name())
            });
            assert!(env.starts_with("DRSCAN_"), "{env}");
            assert!(
                help.contains(&format!("[env: {env}")),
                "`drscan {} --help` shows {env}",
                command.get_name()
            );
            checked += 1;
        }
    }
    assert!(checked > 60, "{checked} flags checked");
}

#[test]
fn variables_set_flags_and_flags_win_over_them() {
    // The lagging replica is a `high` finding: DRSCAN_FAIL_ON=critical lets it pass.
    let text = std::fs::read_to_string(REPAIRED).expect("fixture");
    let mut snapshot: Value = serde_json::from_str(&text).expect("json");
    snapshot["resources"]["regional"]["us-east-1"]["replica_lag"][0]["datapoints"]["value"][0]["max_seconds"] =
        json!(1800.0);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("lagging.json");
    std::fs::write(&path, snapshot.to_string()).expect("write");
    drscan().env("DRSCAN_SNAPSHOT", &path).args(["audit"]).assert().code(1);
    drscan().env("DRSCAN_SNAPSHOT", &path).env("DRSCAN_FAIL_ON", "critical").arg("audit").assert().code(0);
    drscan()
        .env("DRSCAN_SNAPSHOT", &path)
        .env("DRSCAN_FAIL_ON", "critical")
        .args(["audit", "--fail-on", "high"])
        .assert()
        .code(1);
    let json = stdout_of(drscan().env("DRSCAN_FORMAT", "json").args(["audit", "--snapshot", REFERENCE]));
    let doc: Value = serde_json::from_str(&json).expect("DRSCAN_FORMAT=json gives JSON");
    assert_eq!(doc["summary"]["gate"], "failed");
    drscan().env("DRSCAN_ALLOW_UNKNOWN", "maybe").args(["audit", "--snapshot", REFERENCE]).assert().code(2);
}

#[test]
fn help_groups_flags_and_shows_worked_examples() {
    let help = stdout_of(drscan().args(["audit", "--help"]));
    for heading in [
        "Input:",
        "Collection (live only",
        "Gate:",
        "Output:",
        "Settings (override drscan.toml):",
        "Examples:",
    ] {
        assert!(help.contains(heading), "`drscan audit --help` has `{heading}`");
    }
    let gate = help.find("Gate:").expect("gate group");
    let output = help.find("Output:").expect("output group");
    let fail_on = help.find("--fail-on").expect("--fail-on");
    let format = help.find("--format").expect("--format");
    assert!(fail_on > gate && format > output, "flags sit under their heading");
    assert!(stdout_of(drscan().arg("--help")).contains("drscan audit --snapshot"), "top-level examples");
    for command in ["collect", "report", "init"] {
        assert!(
            stdout_of(drscan().args([command, "--help"])).contains("Examples:"),
            "{command} has examples"
        );
    }
}

/// Regression (issue 12): `ap-south1` audited an empty region and reported 24 unknowns;
/// `AP-SOUTH-1` was accepted.
#[test]
fn region_typos_are_usage_errors_with_the_region_meant() {
    for typo in ["ap-south1", "AP-SOUTH-1"] {
        drscan()
            .args(["audit", "--primary", typo, "--dr", "us-east-1"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("did you mean ap-south-1?"));
    }
    drscan()
        .args(["collect", "--primary", "ap-south-1", "--dr", "ap-south-1", "-o", "x.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("must differ from the primary region"));
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("drscan.toml");
    std::fs::write(&config, "[regions]\nprimary = \"ap-south1\"\ndr = \"us-east-1\"\n").expect("write");
    let output =
        drscan().args(["audit", "--snapshot", REFERENCE, "--config"]).arg(&config).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = flat(&output.stderr);
    assert!(stderr.contains("did you mean ap-south-1?") && stderr.contains("drscan.toml:2:11"), "{stderr}");
    let regions = stdout_of(drscan().arg("regions"));
    for region in ["ap-south-1", "us-gov-west-1", "cn-northwest-1", "eusc-de-east-1"] {
        assert!(regions.contains(region), "`drscan regions` lists {region}");
    }
}

/// Regression (issue 12): an endpoint without a scheme was reported as "region unreachable".
#[test]
fn an_endpoint_without_a_scheme_is_a_usage_error() {
    drscan()
        .args(["audit", "--primary", "ap-south-1", "--dr", "us-east-1", "--endpoint-url", "localhost:4566"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("http://localhost:4566"));
    drscan()
        .args(["audit", "--snapshot", REFERENCE, "--external-id", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--role-arn"));
}

#[test]
fn formats_come_from_extensions_and_a_summary_line_reaches_stderr() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = |name: &str| dir.path().join(name);
    let output = drscan()
        .args(["audit", "--snapshot", REFERENCE])
        .args(["-o".as_ref(), file("out.sarif").as_os_str()])
        .args(["-o".as_ref(), file("out.json").as_os_str()])
        .args(["-o".as_ref(), file("junit.xml").as_os_str()])
        .args(["-o".as_ref(), file("readiness.html").as_os_str()])
        .args(["-o".as_ref(), file("readiness.md").as_os_str()])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "everything went to files");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "one summary line: {stderr}");
    assert!(stderr.contains("gate FAILED (fail-on high) on 16 findings"), "{stderr}");
    assert!(stderr.contains("out.sarif") && stderr.contains("readiness.md"), "{stderr}");
    let read = |name: &str| std::fs::read_to_string(file(name)).expect("written");
    let sarif: Value = serde_json::from_str(&read("out.sarif")).expect("sarif");
    assert_eq!(sarif["version"], "2.1.0");
    let json: Value = serde_json::from_str(&read("out.json")).expect("json");
    assert_eq!(json["schema_version"], 1);
    roxmltree::Document::parse(&read("junit.xml")).expect("junit xml");
    assert!(read("readiness.html").starts_with("<!DOCTYPE html>"));
    assert!(read("readiness.md").starts_with('#'));

    // Regression (issue 12): `-o xml=foo.xml` wrote a file named `xml=foo.xml`.
    drscan()
        .current_dir(dir.path())
        .args(["audit", "--snapshot"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(REFERENCE))
        .args(["-o", "xml=foo.xml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown format `xml`"));
    assert!(!dir.path().join("xml=foo.xml").exists());
    drscan()
        .args(["audit", "--snapshot", REFERENCE, "--format", "json"])
        .args(["-o".as_ref(), file("contradiction.sarif").as_os_str()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("json=").and(predicate::str::contains("contradicts")));
    let to_stdout =
        drscan().args(["audit", "--snapshot", REFERENCE, "-o", "sarif=-"]).output().expect("runs");
    let sarif: Value = serde_json::from_slice(&to_stdout.stdout).expect("`-` is stdout");
    assert_eq!(sarif["version"], "2.1.0");
    assert!(to_stdout.stderr.is_empty(), "stdout got the result: no summary line needed");
}

#[test]
fn the_text_conclusion_names_what_fails_the_gate() {
    let failing = stdout_of(drscan().args(["audit", "--snapshot", REFERENCE]));
    let conclusion = &failing[failing.find("— gate FAILED").expect("verdict")..];
    assert!(conclusion.contains("the gate fails on 16 findings:"), "{conclusion}");
    assert!(conclusion.contains("CRITICAL DR203 failover-secondary-unhealthy (1 fail)"), "{conclusion}");
    assert!(!conclusion.contains("rds-not-multi-az"), "medium findings do not fail it: {conclusion}");
    let passing = stdout_of(drscan().args(["audit", "--snapshot", REPAIRED]));
    assert!(passing.contains("gate PASSED"), "{passing}");
    assert!(
        passing.contains("no finding fails the gate (") && passing.contains("below the threshold"),
        "{passing}"
    );
}

/// Regression (issue 12): "INFO fail … RTO is unbounded (no target set)" read as a failure, and
/// the `*` of the estimate table was not explained.
#[test]
fn informational_findings_are_notes_and_the_estimate_table_explains_its_mark() {
    let text = stdout_of(drscan().args(["audit", "--snapshot", REFERENCE]));
    assert!(!text.contains("INFO     fail"), "{text}");
    assert!(text.contains("INFO     note    DR502 rto-target-exceeded"), "{text}");
    assert!(text.contains("5 notes"), "the summary counts them as notes");
    assert!(text.contains("* marks the terms that make up the total"), "{text}");
}

/// Regression (issue 12): one long parser error appeared once per finding it caused.
#[test]
fn one_unknown_cause_is_written_once_with_everything_it_affects() {
    let text = std::fs::read_to_string(REPAIRED).expect("fixture");
    let mut snapshot: Value = serde_json::from_str(&text).expect("json");
    let message = "User: arn:aws:sts::123456789012:assumed-role/drscan-audit/ci is not authorized to perform: ec2:DescribeImages because no identity-based policy allows the ec2:DescribeImages action";
    snapshot["collection_errors"] = json!([{
        "region": "us-east-1", "operation": "ec2:DescribeImages", "cause": "access_denied",
        "message": message, "kinds": ["ec2:image"]
    }]);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("denied.json");
    std::fs::write(&path, snapshot.to_string()).expect("write");
    let out = stdout_of(drscan().args(["audit", "--snapshot"]).arg(&path));
    // Written as redacted (issue 11: no principal ARN or account ID in outputs).
    let shown = drscan::inventory::redact(message);
    assert!(!out.contains(message), "the raw AWS text is not shown:\n{out}");
    assert_eq!(out.matches(&shown).count(), 1, "the cause is written once:\n{out}");
    let footer = &out[out.find("could not be read or resolved").expect("a footer of causes")..];
    let affected = footer.lines().filter(|l| l.trim_start().starts_with('·')).count();
    let unknown = out.lines().filter(|l| l.contains(" unknown DR")).count();
    assert!(unknown >= 2 && affected >= unknown, "every unknown finding is listed under its cause:\n{out}");
    assert!(out.lines().filter(|l| l.contains(" unknown DR")).count() >= 2);
    assert!(out.contains("[1]"), "findings point at the cause");
}

/// Regression (issue 12): waiver reasons were only in JSON, SARIF and JUnit.
#[test]
fn waiver_reasons_appear_in_text_and_both_reports() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("drscan.toml");
    std::fs::write(
        &config,
        "[[waiver]]\nrule = \"ami-missing-in-dr\"\nresource = \"arn:aws:ec2:ap-south-1:*:image/ami-0a7c*\"\n\
         reason = \"web v7 copy is scheduled with the next image release\"\nexpires = \"2099-03-31\"\n",
    )
    .expect("write");
    let reason = "waived: web v7 copy is scheduled with the next image release (until 2099-03-31)";
    let text = stdout_of(drscan().args(["audit", "--snapshot", REFERENCE, "--config"]).arg(&config));
    assert!(text.contains(reason), "{text}");
    for format in ["markdown", "html"] {
        let report = stdout_of(
            drscan().args(["report", "--snapshot", REFERENCE, "--format", format, "--config"]).arg(&config),
        );
        assert!(report.contains(reason), "the {format} report gives the reason");
    }
}

#[test]
fn init_writes_a_documented_config_prefilled_from_a_snapshot_and_never_overwrites_silently() {
    let dir = tempfile::tempdir().expect("temp dir");
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join(REFERENCE);
    drscan()
        .current_dir(dir.path())
        .args(["init", "--rto-target", "15m", "--snapshot"])
        .arg(&reference)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("wrote drscan.toml"));
    let written = std::fs::read_to_string(dir.path().join("drscan.toml")).expect("drscan.toml");
    assert!(
        written.contains("primary = \"ap-south-1\"") && written.contains("dr = \"us-east-1\""),
        "{written}"
    );
    assert!(written.contains("\"app.example.com\" = \"web\""), "the failover records: {written}");
    assert!(written.contains("rto = \"15m\""), "{written}");
    assert!(written.contains("lag_window = \"1h\""), "every key with its default: {written}");
    // The written file is a configuration drscan reads.
    drscan().current_dir(dir.path()).args(["audit", "--snapshot"]).arg(&reference).assert().code(1);
    drscan()
        .current_dir(dir.path())
        .args(["init", "--primary", "eu-west-1", "--dr", "eu-central-1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists").and(predicate::str::contains("--force")));
    assert_eq!(std::fs::read_to_string(dir.path().join("drscan.toml")).expect("kept"), written);
    drscan()
        .current_dir(dir.path())
        .args(["init", "--force", "--primary", "eu-west-1", "--dr", "eu-central-1"])
        .assert()
        .code(0);
    let replaced = std::fs::read_to_string(dir.path().join("drscan.toml")).expect("replaced");
    assert!(replaced.contains("primary = \"eu-west-1\""), "{replaced}");
    let printed = stdout_of(drscan().args(["init", "-o", "-"]));
    assert!(printed.contains("[thresholds]") && printed.contains("# primary = \"ap-south-1\""));
}

#[test]
fn one_color_choice_drives_results_and_errors() {
    let forced =
        drscan().args(["audit", "--snapshot", "missing.json", "--color", "always"]).output().expect("runs");
    assert!(String::from_utf8_lossy(&forced.stderr).contains("\u{1b}["), "a coloured diagnostic");
    let plain =
        drscan().args(["--color", "never", "audit", "--snapshot", "missing.json"]).output().expect("runs");
    assert!(!String::from_utf8_lossy(&plain.stderr).contains('\u{1b}'));
    let clap_error =
        drscan().args(["audit", "--fail-on", "severe", "--color=always"]).output().expect("runs");
    assert!(String::from_utf8_lossy(&clap_error.stderr).contains("\u{1b}["), "clap's errors follow it too");
    let results = drscan()
        .env("DRSCAN_COLOR", "always")
        .args(["audit", "--snapshot", REFERENCE])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&results.stdout).contains("\u{1b}["));
}

/// A profile and shared config files written for one test, nothing from the developer's own.
fn with_aws_files(config: &str) -> (tempfile::TempDir, Command) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("config"), config).expect("config");
    let mut command = live_audit_with_aws_files(&dir.path().join("config"), &dir.path().join("credentials"));
    command.env("HOME", dir.path()).args(["--endpoint-url", "http://127.0.0.1:9"]);
    (dir, command)
}

/// `drscan audit` live, with these shared AWS config files and nothing else of the environment.
fn live_audit_with_aws_files(config: &Path, credentials: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_drscan"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_CONFIG_FILE", config)
        .env("AWS_SHARED_CREDENTIALS_FILE", credentials)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .args(["audit", "--primary", "ap-south-1", "--dr", "us-east-1"]);
    command
}

/// Regression (issue 12): `--profile NAME` that does not exist was reported as a failure of the
/// instance metadata service, with a hint to set `--profile`.
#[test]
fn a_profile_that_does_not_exist_is_named_with_the_profiles_that_do() {
    let (_dir, mut command) = with_aws_files(
        "[profile prod-readonly]\nregion = ap-south-1\n\n[profile staging]\nregion = ap-south-1\n",
    );
    let output = command.args(["--profile", "prod-readonly2"]).output().expect("runs");
    let stderr = flat(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("profile `prod-readonly2` is not defined"), "{stderr}");
    assert!(stderr.contains("did you mean prod-readonly?"), "{stderr}");
    assert!(!stderr.to_lowercase().contains("imds") && !stderr.contains("metadata"), "{stderr}");
}

#[test]
fn an_sso_profile_without_a_session_is_told_to_log_in() {
    let (_dir, mut command) = with_aws_files(
        "[profile prod-sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\nregion = ap-south-1\n\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = ap-south-1\n",
    );
    let output = command.args(["--profile", "prod-sso"]).output().expect("runs");
    let stderr = flat(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("aws sso login --profile prod-sso"), "{stderr}");
}

/// A web server that is not an AWS API: every request gets an HTML 404.
fn not_aws() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        // Bounded: drscan asks a handful of times (two regions × attempts).
        for stream in listener.incoming().take(32) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(2)));
            let mut request = [0u8; 8192];
            let _ = stream.read(&mut request);
            let body = "<html><body><h1>404 Not Found</h1></body></html>";
            let _ = write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{address}")
}

/// Regression (issue 12): a non-AWS server behind the endpoint was "AWS rejected the credentials".
#[test]
fn a_server_that_is_not_aws_is_not_called_a_credential_problem() {
    let endpoint = not_aws();
    let output =
        live_audit_with_aws_files(Path::new("/nonexistent/config"), Path::new("/nonexistent/credentials"))
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "secret")
            .args(["--max-attempts", "1", "--endpoint-url"])
            .arg(&endpoint)
            .output()
            .expect("runs");
    let stderr = flat(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("does not answer as an AWS API does"), "{stderr}");
    assert!(!stderr.contains("rejected the credentials"), "{stderr}");
}

fn seeded() -> String {
    let account = fresh_account();
    runtime().block_on(seed(&account, &Setup::default()));
    account
}

/// Regression (issue 12): `drscan collect` said "0 collection errors" while the audit of the same
/// run had unknowns; both now name the same failed reads.
#[test]
fn collect_and_audit_name_the_same_failed_reads() {
    let account = seeded();
    set_faults(json!([{
        "account": account, "region": DR, "service": "elasticloadbalancing", "operation": "DescribeTargetHealth",
        "status": 403, "code": "AccessDenied", "message": "not authorized to perform: elasticloadbalancing:DescribeTargetHealth"
    }]));
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = dir.path().join("snapshot.json");
    let output = crate::support::drscan(&account)
        .args(["collect", "--primary", PRIMARY, "--dr", DR, "--max-attempts", "1", "--endpoint-url"])
        .arg(&emulator().front_url)
        .arg("-o")
        .arg(&snapshot)
        .output()
        .expect("collect");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let named = "elbv2:DescribeTargetHealth failed (access denied) in us-east-1";
    // moto lacks a few APIs (Backup selections, EFS replication): those are failed reads too.
    assert!(stderr.contains("reads failed") && stderr.contains(named), "{stderr}");
    assert!(stderr.contains(&format!("{named} — 1 value unknown")), "says what it left unknown: {stderr}");
    let audit = crate::support::drscan(&account)
        .args(["audit", "--snapshot"])
        .arg(&snapshot)
        .output()
        .expect("audit");
    let text = String::from_utf8_lossy(&audit.stdout);
    assert!(text.contains("elbv2:DescribeTargetHealth failed (access denied)"), "{text}");
}

/// Regression (issue 12): live SARIF without drscan.toml pointed every result at a
/// `drscan.toml` that does not exist.
#[test]
fn live_sarif_points_at_files_that_exist() {
    let account = seeded();
    let dir = tempfile::tempdir().expect("temp dir");
    let live = |extra: &[&str]| -> Value {
        let output = crate::support::drscan(&account)
            .current_dir(dir.path())
            .args(["audit", "--primary", PRIMARY, "--dr", DR, "--format", "sarif", "--endpoint-url"])
            .arg(&emulator().front_url)
            .args(extra)
            .output()
            .expect("audit");
        serde_json::from_slice(&output.stdout).expect("SARIF on stdout")
    };
    let results = |sarif: &Value| sarif["runs"][0]["results"].as_array().cloned().unwrap_or_default();
    let without = live(&[]);
    assert!(!results(&without).is_empty());
    for result in results(&without) {
        let location = &result["locations"][0];
        assert!(location["physicalLocation"].is_null(), "no file to point at: {location}");
        assert!(location["logicalLocations"][0]["fullyQualifiedName"].is_string());
    }
    let with_snapshot = live(&["--write-snapshot", "snapshot.json"]);
    assert!(dir.path().join("snapshot.json").is_file());
    for result in results(&with_snapshot) {
        let uri = &result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert_eq!(uri, "snapshot.json", "{result}");
    }
}

/// `-v`: one line per AWS call attempt, retries numbered, so a user sees what drscan waited on.
#[test]
fn verbose_logs_every_call_with_its_attempt_latency_and_outcome() {
    let account = seeded();
    set_faults(json!([{
        "account": account, "region": PRIMARY, "service": "autoscaling", "operation": "DescribeAutoScalingGroups",
        "status": 400, "code": "Throttling", "message": "Rate exceeded", "times": 1
    }]));
    let dir = tempfile::tempdir().expect("temp dir");
    let output = crate::support::drscan(&account)
        .args(["collect", "-v", "--primary", PRIMARY, "--dr", DR, "--endpoint-url"])
        .arg(&emulator().front_url)
        .arg("-o")
        .arg(dir.path().join("snapshot.json"))
        .output()
        .expect("collect");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let calls: Vec<&str> = stderr.lines().filter(|l| l.contains("aws call")).collect();
    assert!(calls.len() > 20, "a line per call: {stderr}");
    let identity = calls
        .iter()
        .find(|l| l.contains("operation=\"GetCallerIdentity\"") || l.contains("operation=GetCallerIdentity"));
    let identity = identity.unwrap_or_else(|| panic!("the first call is logged: {stderr}"));
    for field in ["service=sts", "region=ap-south-1", "attempt=1", "latency_ms=", "outcome=HTTP 200"] {
        assert!(identity.contains(field), "`{field}` in {identity}");
    }
    let retried = calls.iter().any(|l| {
        l.contains("DescribeAutoScalingGroups") && l.contains("attempt=2") && l.contains("outcome=HTTP 200")
    });
    let throttled =
        calls.iter().any(|l| l.contains("DescribeAutoScalingGroups") && l.contains("outcome=HTTP 400"));
    assert!(throttled && retried, "the throttled attempt and its retry are both logged: {calls:#?}");
    assert!(stderr.contains("collection scope done"), "each scope's wait is logged too");
}

/// `--role-session-name` reaches STS: the assumed identity carries it.
#[test]
fn the_role_session_name_reaches_sts() {
    let account = fresh_account();
    let settings = drscan::collection::sdk::SdkSettings {
        role_arn: Some(format!("arn:aws:iam::{account}:role/drscan-audit")),
        role_session_name: Some("ci-nightly".to_string()),
        external_id: Some("drscan-external".to_string()),
        endpoint_url: Some(emulator().front_url.clone()),
        credentials: Some(crate::support::credentials(&account)),
        ..Default::default()
    };
    let arn = runtime().block_on(async {
        let config = drscan::collection::sdk::base_config(&settings, PRIMARY).await;
        let sts = aws_sdk_sts::Client::new(&config);
        sts.get_caller_identity().send().await.expect("caller identity").arn().unwrap_or_default().to_string()
    });
    assert!(arn.ends_with("assumed-role/drscan-audit/ci-nightly"), "{arn}");
}

/// The README's install line installs this package from this repository, with the tested
/// dependency versions; and every drscan command line it prints uses flags that exist.
#[test]
fn the_readme_is_true_as_printed() {
    let readme = std::fs::read_to_string("README.md").expect("README");
    let install =
        format!("cargo install --locked --git {} {}", env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_NAME"));
    assert!(readme.contains(&install), "the README installs with `{install}`");
    let mut in_shell_block = false;
    let mut checked = 0;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_shell_block = line == "```sh";
            continue;
        }
        if !in_shell_block {
            continue;
        }
        // The words after `drscan` as a command word, up to a comment, redirection or `&&`.
        let all: Vec<&str> = line.split_whitespace().take_while(|w| !w.starts_with('#')).collect();
        let Some(at) = all.iter().position(|w| *w == "drscan") else { continue };
        let mut words = all[at + 1..].iter().copied().take_while(|w| !w.starts_with('>') && *w != "&&");
        let Some(command) = words.next() else { continue };
        let help = stdout_of(drscan().args([command, "--help"]));
        assert!(!help.is_empty(), "`drscan {command}` exists");
        for flag in words.filter(|w| w.starts_with('-') && *w != "-") {
            let flag = flag.split('=').next().unwrap_or(flag);
            assert!(help.contains(flag), "`drscan {command}` has no {flag} (README: {line})");
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked} README flags checked");
}
