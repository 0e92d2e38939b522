//! The fault-matrix invariant (issue 11): for every AWS operation drscan calls — the list the
//! IAM policy is checked against, so a new call is covered without touching this file — and
//! every fault class the network or AWS can produce, a live audit through the test front must
//! only ever *narrow* the clean audit into `unknown`s:
//!
//! - each finding of the clean run is still there, or replaced by an `unknown` for the same
//!   rule and resource;
//! - no new `fail`;
//! - no rule's pass count grows, and a rule that loses passes reports more unknowns than it did.
//!
//! Each class applies in every region; access denied also in each region of the pair alone.
//!
//! Work is shared so that the whole matrix runs on two cores: one seeded account (the audits
//! are read-only, so no reset between cells), moto's answers cached by the front, each cell's
//! faults scoped to an access key of its own so that cells run at once, in-process.

use crate::support::operations::{api_version, called_by_drscan, signing_name};
use crate::support::recorded::everything_moto_lacks;
use crate::support::seed::{DataStores, Setup, recorded_data_stores, seed};
use crate::support::{cache_answers, emulator, fresh_account, front_log, runtime, set_faults};
use drscan::audit::{self, GatePolicy};
use drscan::collection::{CollectOptions, collect};
use drscan::findings::Status;
use drscan::settings::Settings;
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// How a fault shows itself to drscan; each becomes one front rule (see front.py).
struct FaultClass {
    name: &'static str,
    /// The per-call timeout of the cell's run: short only where the fault is a slow answer, so
    /// that a busy emulator cannot time out the other cells' calls.
    call_timeout: Duration,
    /// The rule's fields beyond its scope (account, access key, service, operation).
    rule: fn(service: &str) -> Value,
}

/// The delay of the timeout class, against that class's call timeout of [`SHORT_CALL_TIMEOUT`].
/// The call timeout leaves room for the cell's other calls (its identity check first) on a
/// machine that also runs the rest of the suite: at 1 s, a loaded CI runner timed out
/// `sts:GetCallerIdentity` itself and the cell's collection was impossible.
const SLOW_ANSWER_SECONDS: f64 = 6.0;
const SHORT_CALL_TIMEOUT: Duration = Duration::from_secs(3);
const CALL_TIMEOUT: Duration = Duration::from_secs(20);

const CLASSES: &[FaultClass] = &[
    FaultClass {
        name: "access denied",
        call_timeout: CALL_TIMEOUT,
        rule: |service| {
            // Each protocol's own code for a missing permission.
            let code = match service {
                "ec2" => "UnauthorizedOperation",
                "kms" | "acm" | "ssm" | "elasticfilesystem" | "backup" | "monitoring" | "dynamodb"
                | "secretsmanager" | "servicequotas" | "organizations" => "AccessDeniedException",
                _ => "AccessDenied",
            };
            json!({"status": 403, "code": code,
                   "message": "User: arn:aws:iam::123456789012:user/ci is not authorized to perform this operation"})
        },
    },
    FaultClass {
        name: "500 InternalFailure",
        call_timeout: CALL_TIMEOUT,
        rule: |_| json!({"status": 500, "code": "InternalFailure", "message": "We encountered an internal error."}),
    },
    FaultClass {
        name: "500 without an AWS error",
        call_timeout: CALL_TIMEOUT,
        rule: |_| json!({"action": "bare", "status": 500}),
    },
    FaultClass {
        name: "501 without an AWS error",
        call_timeout: CALL_TIMEOUT,
        rule: |_| json!({"action": "bare", "status": 501}),
    },
    FaultClass {
        name: "truncated 200 body",
        call_timeout: CALL_TIMEOUT,
        rule: |_| json!({"action": "truncate"}),
    },
    FaultClass {
        name: "garbage 200 body",
        call_timeout: CALL_TIMEOUT,
        rule: |_| json!({"action": "garbage"}),
    },
    FaultClass {
        name: "throttled past retries",
        call_timeout: CALL_TIMEOUT,
        rule: |_| json!({"action": "throttle"}),
    },
    FaultClass { name: "connection reset", call_timeout: CALL_TIMEOUT, rule: |_| json!({"action": "reset"}) },
    FaultClass {
        name: "timeout",
        call_timeout: SHORT_CALL_TIMEOUT,
        rule: |_| json!({"action": "delay", "seconds": SLOW_ANSWER_SECONDS}),
    },
];

/// The operation drscan asks before anything else (who am I?): without its answer there is
/// nothing to audit, and the run ends as "collection impossible" (exit 3) — never a verdict.
const IDENTITY: &str = "sts:GetCallerIdentity";

/// Where a cell's fault applies: every region (each class), or one region of the pair (the
/// first class, access denied), so that a rule reading one side cannot hide behind the other
/// side's unknown. Route 53 is global (signed for us-east-1): its operations have no one-region
/// cells, nor do operations drscan sends in one region only (their cells are already that).
const ONE_REGION: &[&str] = &[crate::support::PRIMARY, crate::support::DR];

/// Cells in flight at once: most of a cell's time is spent waiting (retry backoff, timeouts).
const CELLS_AT_ONCE: usize = 8;

/// What the invariant compares: every finding's status by (rule, resource), and per rule the
/// passes and unknowns.
#[derive(Debug, Clone, Default)]
struct Verdicts {
    findings: BTreeMap<(String, String), Status>,
    passes: BTreeMap<String, usize>,
    unknowns: BTreeMap<String, usize>,
    /// Every listing that failed (region, operation, cause): what a broken cell's report
    /// shows, so that a fault beside the cell's own (a call timed out on a loaded runner) is
    /// told from a rule's mistake.
    failed: Vec<String>,
    progress: drscan::collection::ProgressCount,
}

enum Outcome {
    Audited(Verdicts),
    Impossible(String),
}

async fn audit_in_process(key: &str, call_timeout: Duration) -> Outcome {
    let mut options = CollectOptions::new(crate::support::PRIMARY, crate::support::DR);
    options.sdk.endpoint_url = Some(emulator().front_url.clone());
    options.sdk.max_attempts = 2;
    options.sdk.call_timeout = call_timeout;
    options.run_timeout = Duration::from_secs(60);
    options.progress = false;
    options.sdk.credentials = Some(aws_credential_types::provider::SharedCredentialsProvider::new(
        aws_credential_types::Credentials::new(key, "testing", None, None, "fault-matrix"),
    ));
    let collection = match collect(&options).await {
        Ok(collection) => collection,
        Err(error) => return Outcome::Impossible(error.to_string()),
    };
    let report = audit::run(&collection.snapshot, &Settings::default(), GatePolicy::default());
    // Whatever failed, every scope the progress bar was sized for ran (or timed out) and ticked.
    let mut verdicts = Verdicts { progress: collection.progress, ..Verdicts::default() };
    for error in &collection.snapshot.collection_errors {
        let region = error.region.as_deref().unwrap_or("global");
        verdicts.failed.push(format!("{region} {} ({})", error.operation, error.cause));
    }
    for finding in &report.findings {
        verdicts.findings.insert((finding.rule.clone(), finding.resource.arn.clone()), finding.status);
    }
    for (rule, counts) in &report.counts {
        verdicts.passes.insert(rule.to_string(), counts.pass);
        verdicts.unknowns.insert(rule.to_string(), counts.unknown);
    }
    Outcome::Audited(verdicts)
}

/// Whether an `unknown` on `unknown_arn` stands for the resource `arn`: the same resource; the
/// whole listing of its kind in its region (`…:<region>:<account>:<kind>/*`, what a rule
/// reports when the resources could not be listed, so it has none to name); or, for a record
/// set, its zone (whose records could not be read); for a listener, its load balancer.
fn stands_for(unknown_arn: &str, arn: &str) -> bool {
    fn service_and_region(arn: &str) -> Vec<&str> {
        arn.split(':').skip(2).take(2).collect()
    }
    unknown_arn == arn
        || (unknown_arn.ends_with("/*") && service_and_region(unknown_arn) == service_and_region(arn))
        || arn.strip_prefix(unknown_arn).is_some_and(|rest| rest.starts_with("/recordset/"))
        || listener_of(arn).is_some_and(|load_balancer| load_balancer == unknown_arn)
}

/// The load balancer ARN a listener ARN belongs to (`…:listener/app/NAME/LB/ID` →
/// `…:loadbalancer/app/NAME/LB`): a load balancer whose listeners could not be read stands for
/// each of them.
fn listener_of(arn: &str) -> Option<String> {
    let (prefix, path) = arn.split_once(":listener/")?;
    let (load_balancer, _listener_id) = path.rsplit_once('/')?;
    Some(format!("{prefix}:loadbalancer/{load_balancer}"))
}

/// Where a cell's audit breaks the invariant against the clean one.
fn violations(clean: &Verdicts, cell: &Verdicts) -> Vec<String> {
    let mut out = Vec::new();
    let unknown_for = |rule: &str, arn: &str| {
        cell.findings
            .iter()
            .any(|((r, a), status)| r == rule && *status == Status::Unknown && stands_for(a, arn))
    };
    for ((rule, arn), status) in &clean.findings {
        match cell.findings.get(&(rule.clone(), arn.clone())) {
            Some(now) if now == status || *now == Status::Unknown => {}
            Some(now) => out.push(format!("{rule} {arn}: {} became {}", status.as_str(), now.as_str())),
            None if unknown_for(rule, arn) => {}
            None => out.push(format!("{rule} {arn}: {} vanished without an unknown", status.as_str())),
        }
    }
    for ((rule, arn), status) in &cell.findings {
        if *status == Status::Fail && clean.findings.get(&(rule.clone(), arn.clone())) != Some(&Status::Fail)
        {
            out.push(format!("{rule} {arn}: a new fail"));
        }
    }
    for (rule, passes) in &cell.passes {
        let before = clean.passes.get(rule).copied().unwrap_or_default();
        let unknowns_before = clean.unknowns.get(rule).copied().unwrap_or_default();
        let unknowns_now = cell.unknowns.get(rule).copied().unwrap_or_default();
        if *passes > before {
            out.push(format!("{rule}: passes grew from {before} to {passes}"));
        } else if *passes < before && unknowns_now <= unknowns_before {
            out.push(format!("{rule}: passes fell from {before} to {passes} without a new unknown"));
        }
    }
    out
}

/// Every (region or `global`, operation) a run with `key` sent, from the front's log.
fn operations_sent(log: &[Value], key: &str) -> BTreeSet<String> {
    log.iter()
        .filter(|entry| entry["access_key"] == key)
        .filter_map(|entry| Some(format!("{}:{}", entry["service"].as_str()?, entry["operation"].as_str()?)))
        .collect()
}

#[test]
fn every_fault_on_every_operation_only_narrows_the_audit_to_unknowns() {
    let started = Instant::now();
    let account = fresh_account();
    let rt = runtime();
    rt.block_on(seed(&account, &Setup::exercising_every_operation()));
    cache_answers(&account);
    let mut recorded = everything_moto_lacks(&account);
    recorded.extend(recorded_data_stores(&account, &DataStores::default()));
    // The DR region's quota has no applied value: drscan then asks for AWS's default.
    recorded.push(crate::support::recorded::no_applied_quota_value(&account, crate::support::DR));
    set_faults(Value::Array(recorded));
    let seeded = started.elapsed();

    let operations: Vec<String> = called_by_drscan().into_iter().collect();
    // Not the seeding's key: the log must show what drscan sent, not what the seeding did.
    let clean_key = format!("CLEANX{account}");
    let clean_run = || match rt.block_on(audit_in_process(&clean_key, CALL_TIMEOUT)) {
        Outcome::Audited(verdicts) => verdicts,
        Outcome::Impossible(error) => panic!("the clean audit must succeed: {error}"),
    };
    let clean = clean_run();
    // The reference must be stable, or every comparison with it is noise.
    let again = clean_run();
    assert!(
        again.findings == clean.findings && again.passes == clean.passes,
        "two clean audits disagree: {:?}",
        violations(&clean, &again)
    );
    // A cell whose operation the clean run never sends tests nothing: the seeding must make
    // drscan call every operation it can call.
    let log = front_log();
    let sent = operations_sent(&log, &clean_key);
    let unsent: Vec<&String> = operations
        .iter()
        .filter(|op| {
            let (service, name) = op.split_once(':').unwrap_or_default();
            !sent.contains(&format!("{}:{name}", signing_name(service)))
        })
        .collect();
    assert!(
        unsent.is_empty(),
        "the clean run never called {unsent:?}: extend Setup::exercising_every_operation"
    );

    let everywhere = operations.iter().flat_map(|op| CLASSES.iter().map(move |class| (op, class, None)));
    // For operations the clean run sends in both regions (some follow-ups run in one region
    // only — certificates of DR listeners, the primary's backup plans — where the cell of
    // every region is already the one-region cell).
    let sent_in = |op: &str, region: &str| {
        let (service, name) = op.split_once(':').unwrap_or_default();
        log.iter().any(|e| {
            e["access_key"] == clean_key.as_str()
                && e["region"] == region
                && e["service"] == signing_name(service)
                && e["operation"] == name
                && api_version(service).is_none_or(|version| e["version"] == version)
        })
    };
    let one_region: Vec<_> = operations
        .iter()
        .filter(|op| !op.starts_with("route53:") && ONE_REGION.iter().all(|r| sent_in(op, r)))
        .flat_map(|op| ONE_REGION.iter().map(move |r| (op, &CLASSES[0], Some(*r))))
        .collect();
    let cells: Vec<(usize, &String, &FaultClass, Option<&str>)> = everywhere
        .chain(one_region)
        .enumerate()
        .map(|(index, (op, class, region))| (index, op, class, region))
        .collect();
    let rules: Vec<Value> = cells
        .iter()
        .map(|(index, op, class, region)| {
            let (service, name) = op.split_once(':').unwrap_or_default();
            let mut rule = (class.rule)(signing_name(service));
            if let Some(region) = region {
                rule["region"] = json!(region);
            }
            rule["account"] = json!(account);
            rule["access_key"] = json!(cell_key(*index, &account));
            rule["service"] = json!(signing_name(service));
            rule["operation"] = json!(name);
            if let Some(version) = api_version(service) {
                rule["version"] = json!(version);
            }
            rule
        })
        .collect();
    set_faults(Value::Array(rules));

    let matrix_started = Instant::now();
    let outcomes: Vec<(usize, Outcome, Duration)> = rt.block_on(
        futures_util::stream::iter(cells.iter().map(|(index, _, class, _)| {
            let key = cell_key(*index, &account);
            async move {
                let cell_started = Instant::now();
                let outcome = audit_in_process(&key, class.call_timeout).await;
                (*index, outcome, cell_started.elapsed())
            }
        }))
        .buffer_unordered(CELLS_AT_ONCE)
        .collect(),
    );
    let matrix_wall = matrix_started.elapsed();

    let log = front_log();
    let mut broken = BTreeMap::new();
    let mut slowest = Duration::ZERO;
    for (index, outcome, elapsed) in &outcomes {
        slowest = slowest.max(*elapsed);
        let (_, op, class, region) = cells[*index];
        let (service, name) = op.split_once(':').unwrap_or_default();
        let key = cell_key(*index, &account);
        let mut problems = Vec::new();
        if !fault_hit(&log, &key, signing_name(service), name) {
            problems.push("the fault never hit: the operation was not called".to_string());
        }
        match outcome {
            Outcome::Audited(verdicts) => {
                let mut broken = violations(&clean, verdicts);
                let count = verdicts.progress;
                if count.ticked != count.total {
                    broken.push(format!(
                        "{} scopes ticked of a progress total of {}",
                        count.ticked, count.total
                    ));
                }
                if !broken.is_empty() {
                    problems.extend(broken);
                    problems.push(format!("failed listings in the cell: {}", verdicts.failed.join(", ")));
                }
            }
            // Denied in the primary only, STS is asked in DR and answers.
            Outcome::Impossible(_) if op.as_str() == IDENTITY && region.is_none() => {}
            Outcome::Impossible(error) => problems.push(format!("collection impossible: {error}")),
        }
        if !problems.is_empty() {
            let scope = region.map(|r| format!(" in {r} only")).unwrap_or_default();
            broken.insert(format!("{op} × {}{scope}", class.name), problems);
        }
    }
    set_faults(json!([{ "account": account, "times": 0 }]));
    println!(
        "fault matrix: {} operations × {} classes everywhere, and {} one-region cells = {} cells in {:.1} s (seeding {:.1} s, slowest cell {:.1} s, {} at once)",
        operations.len(),
        CLASSES.len(),
        cells.iter().filter(|c| c.3.is_some()).count(),
        cells.len(),
        matrix_wall.as_secs_f64(),
        seeded.as_secs_f64(),
        slowest.as_secs_f64(),
        CELLS_AT_ONCE
    );
    let report: Vec<String> =
        broken.iter().map(|(cell, problems)| format!("{cell}:\n    {}", problems.join("\n    "))).collect();
    assert!(
        broken.is_empty(),
        "{} of {} cells break the invariant:\n{}",
        broken.len(),
        cells.len(),
        report.join("\n")
    );
}

/// Whether the front answered an `operation` of `service` signed with `key` with a fault.
fn fault_hit(log: &[Value], key: &str, service: &str, operation: &str) -> bool {
    log.iter().any(|entry| {
        entry["access_key"] == key
            && entry["operation"] == operation
            && entry["service"] == service
            && entry["fault"].is_string()
    })
}

/// The access key of one cell: the front scopes the cell's fault to it, and maps it to the
/// seeded account by its last twelve digits.
fn cell_key(index: usize, account: &str) -> String {
    format!("CELL{index:04}X{account}")
}

/// The operations organization mode adds to a run, both sent with the caller's (management
/// account's) credentials: listing the members, then assuming the audit role in each. A fault
/// on the listing leaves nothing to audit; a fault on one member's AssumeRole makes that member
/// unreadable, named, and the others audit as in the clean run.
const ORG_OPERATIONS: &[(&str, &str)] = &[("organizations", "ListAccounts"), ("sts", "AssumeRole")];

/// Organization mode under every fault class: a clean `drscan audit --org` of a small moto
/// organization (one member with the intact DR setup, one empty — the one whose AssumeRole is
/// faulted — and the management account), then each class on each operation of
/// [`ORG_OPERATIONS`], each cell a drscan process signing with a key of its own.
#[test]
fn every_fault_on_organization_operations_is_named_and_spares_the_other_accounts() {
    use crate::organization::{ROLE, audit_org_with_key, comparable, entry, rollup};
    let rt = runtime();
    let organization = rt.block_on(async {
        let organization = crate::support::organization::create_organization(2).await;
        seed(&organization.members[0].0, &Setup::default()).await;
        organization
    });
    let management = organization.management.as_str();
    let faulted_member = organization.members[1].0.as_str();
    let role = format!("arn:aws:iam::{faulted_member}:role/{ROLE}");
    let run = |key: &str, call_timeout: Duration| {
        let dir = tempfile::tempdir().expect("temp dir");
        let timeout = format!("{}s", call_timeout.as_secs());
        let (code, stderr) = audit_org_with_key(
            management,
            key,
            dir.path(),
            &["--max-attempts", "2", "--call-timeout", &timeout],
        );
        let written = dir.path().join("rollup.json").exists().then(|| rollup(dir.path()));
        (code, stderr, written)
    };
    let (clean_code, clean_stderr, clean) = run(&format!("CLEANX{management}"), CALL_TIMEOUT);
    let clean = clean.unwrap_or_else(|| panic!("the clean run writes its roll-up:\n{clean_stderr}"));
    assert_eq!(clean["summary"]["accounts"], 3, "{clean_stderr}");
    assert_eq!(clean["summary"]["unreadable"], 0, "{clean_stderr}");
    assert!(matches!(clean_code, 0 | 1), "{clean_stderr}");
    let spared = |rollup: &Value| -> Vec<Value> {
        let rollup = comparable(rollup.clone());
        [management, organization.members[0].0.as_str()].iter().map(|a| entry(&rollup, a).clone()).collect()
    };

    let cells: Vec<(usize, &(&str, &str), &FaultClass)> = ORG_OPERATIONS
        .iter()
        .flat_map(|op| CLASSES.iter().map(move |class| (op, class)))
        .enumerate()
        .map(|(index, (op, class))| (index, op, class))
        .collect();
    let key = |index: usize| format!("ORG{index:04}X{management}");
    let rules: Vec<Value> = cells
        .iter()
        .map(|(index, (service, operation), class)| {
            let mut rule = (class.rule)(service);
            rule["account"] = json!(management);
            rule["access_key"] = json!(key(*index));
            rule["service"] = json!(service);
            rule["operation"] = json!(operation);
            if *service == "sts" {
                rule["body_regex"] = json!(format!("{faulted_member}%3Arole"));
            }
            rule
        })
        .collect();
    set_faults(Value::Array(rules));

    let started = Instant::now();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let outcomes = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..CELLS_AT_ONCE.min(cells.len()) {
            scope.spawn(|| {
                while let Some(cell) = cells.get(next.fetch_add(1, std::sync::atomic::Ordering::SeqCst)) {
                    let outcome = run(&key(cell.0), cell.2.call_timeout);
                    outcomes.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push((cell.0, outcome));
                }
            });
        }
    });
    let wall = started.elapsed();
    let log = front_log();
    let mut broken = BTreeMap::new();
    for (index, (code, stderr, written)) in
        outcomes.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner())
    {
        let (_, (service, operation), class) = cells[index];
        let mut problems = Vec::new();
        if !fault_hit(&log, &key(index), service, operation) {
            problems.push("the fault never hit".to_string());
        }
        match (*service, written) {
            // Nothing to audit: collection impossible, naming the listing, and no roll-up
            // that could read as an empty, all-pass organization.
            ("organizations", written) => {
                if code != 3 {
                    problems.push(format!("exit {code}, not 3 (collection impossible)"));
                }
                if !stderr.contains("organizations:ListAccounts") {
                    problems.push("the error does not name organizations:ListAccounts".to_string());
                }
                if written.is_some() {
                    problems.push("a roll-up was written without the account listing".to_string());
                }
            }
            (_, None) => problems.push(format!("no roll-up (exit {code})")),
            (_, Some(rollup)) => {
                let member = entry(&rollup, faulted_member);
                let message = member["error"]["message"].as_str().unwrap_or_default();
                if member["verdict"] != "unreadable" || member["gate"] != "failed" {
                    problems.push(format!("the faulted member is not unreadable and failed: {member}"));
                }
                if !message.contains(&role) {
                    problems.push(format!("the cause does not name {role}: {message}"));
                }
                if code != 1 {
                    problems.push(format!("exit {code}, not 1 (an unreadable account fails the gate)"));
                }
                if spared(&rollup) != spared(&clean) {
                    problems.push("the other accounts' audits changed".to_string());
                }
            }
        }
        if !problems.is_empty() {
            broken.insert(format!("{service}:{operation} × {}", class.name), (problems, stderr));
        }
    }
    set_faults(json!([{ "account": management, "times": 0 }]));
    println!(
        "organization fault matrix: {} cells in {:.1} s, {} at once",
        cells.len(),
        wall.as_secs_f64(),
        CELLS_AT_ONCE
    );
    let report: Vec<String> = broken
        .iter()
        .map(|(cell, (problems, stderr))| format!("{cell}:\n    {}\n{stderr}", problems.join("\n    ")))
        .collect();
    assert!(broken.is_empty(), "{} of {} cells:\n{}", broken.len(), cells.len(), report.join("\n"));
}
