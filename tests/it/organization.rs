//! Organization mode end to end against moto: an organization of 50 member accounts (and its
//! management account), three with the intact DR setup, three with a DR break each, one whose
//! audit role cannot be assumed, the rest empty. `drscan audit --org` lists them through
//! Organizations, assumes the role in each, and rolls them up; three shards merged give the
//! same roll-up; bad roll-ups given to `drscan merge` exit 2.

use crate::support::organization::create_organization;
use crate::support::seed::{Secondary, Setup, seed};
use crate::support::{DR, PRIMARY, drscan, emulator, runtime, set_faults};
use std::path::Path;

pub(crate) const ROLE: &str = "drscan-audit";

/// `drscan audit --org` as the management account, writing to `dir`.
fn audit_org(management: &str, dir: &Path, extra: &[&str]) -> (i32, String) {
    audit_org_with_key(management, &crate::support::access_key(management), dir, extra)
}

/// `drscan audit --org` as the management account signing with `access_key` (which the front
/// maps to the account by its last twelve digits, and can scope faults to), writing to `dir`.
pub(crate) fn audit_org_with_key(
    management: &str,
    access_key: &str,
    dir: &Path,
    extra: &[&str],
) -> (i32, String) {
    let output = drscan(management)
        .env("AWS_ACCESS_KEY_ID", access_key)
        .args(["audit", "--org", "--org-role-name", ROLE, "--primary", PRIMARY, "--dr", DR])
        .args(["--endpoint-url", &emulator().front_url, "--allow-empty", "--accounts-in-flight", "16"])
        .arg("--org-dir")
        .arg(dir)
        .args(extra)
        .output()
        .expect("run drscan audit --org");
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    (output.status.code().unwrap_or(-1), stderr)
}

pub(crate) fn rollup(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("rollup.json")).expect("rollup.json is written");
    serde_json::from_str(&text).expect("rollup.json is JSON")
}

pub(crate) fn entry<'a>(rollup: &'a serde_json::Value, account: &str) -> &'a serde_json::Value {
    rollup["accounts"]
        .as_array()
        .and_then(|all| all.iter().find(|a| a["account"] == account))
        .unwrap_or_else(|| panic!("account {account} is not in the roll-up"))
}

fn fails(entry: &serde_json::Value, rule: &str) -> bool {
    entry["failing_rules"].get(rule).is_some()
}

/// The roll-up without what differs between two runs of the same organization: when it was
/// made, and the request counts (and the shard coverage, which sharding changes on purpose).
pub(crate) fn comparable(mut rollup: serde_json::Value) -> serde_json::Value {
    for key in ["generated_at", "listing_requests", "shards"] {
        rollup.as_object_mut().map(|o| o.remove(key));
    }
    rollup["summary"].as_object_mut().map(|o| o.remove("requests"));
    for account in rollup["accounts"].as_array_mut().into_iter().flatten() {
        account.as_object_mut().map(|o| o.remove("requests"));
    }
    rollup
}

#[test]
fn an_organization_audits_in_one_run_and_its_shards_merge_to_the_same_roll_up() {
    let organization = runtime().block_on(async {
        let organization = create_organization(50).await;
        let members = &organization.members;
        let setups = [
            Setup::default(),
            Setup::default(),
            Setup::default(),
            Setup { copy_ami: false, ..Setup::default() },
            Setup { dr_replica: false, ..Setup::default() },
            Setup { secondary: Secondary::Missing, ..Setup::default() },
        ];
        for ((id, _), setup) in members.iter().zip(setups) {
            seed(id, &setup).await;
        }
        organization
    });
    let members: Vec<&str> = organization.members.iter().map(|(id, _)| id.as_str()).collect();
    let management = organization.management.as_str();
    let unassumable = members[6];
    set_faults(serde_json::json!([{
        "account": management, "service": "sts", "operation": "AssumeRole",
        "body_regex": format!("{unassumable}%3Arole"), "status": 403, "code": "AccessDenied",
        "message": "User is not authorized to perform: sts:AssumeRole",
    }]));

    let whole = tempfile::tempdir().expect("temp dir");
    let report = whole.path().join("organization.md");
    let (code, stderr) = audit_org(management, whole.path(), &["-o", &report.display().to_string()]);
    assert_eq!(code, 1, "broken accounts fail the organization's gate:\n{stderr}");
    let all = rollup(whole.path());
    assert_eq!(all["summary"]["accounts"], 51, "50 members and the management account:\n{stderr}");
    assert_eq!(all["gate"]["result"], "failed");

    let unreadable = entry(&all, unassumable);
    assert_eq!(unreadable["verdict"], "unreadable");
    assert_eq!(unreadable["gate"], "failed", "unknown is not pass");
    assert_eq!(unreadable["error"]["cause"], "role-not-assumable");
    let message = unreadable["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(&format!("arn:aws:iam::{unassumable}:role/{ROLE}")), "{message}");
    assert!(!whole.path().join(format!("{unassumable}.json")).exists());
    assert_eq!(all["summary"]["unreadable"], 1, "only that account is unreadable");

    for (account, rule) in [
        (members[3], "ami-missing-in-dr"),
        (members[4], "rds-no-dr-replica"),
        (members[5], "failover-secondary-missing"),
    ] {
        let broken = entry(&all, account);
        assert_eq!(broken["verdict"], "not_ready", "{account}: {broken}");
        assert!(fails(broken, rule), "{account} should fail {rule}: {broken}");
        for intact in &members[..3] {
            assert!(!fails(entry(&all, intact), rule), "intact {intact} fails {rule}");
        }
    }
    for intact in &members[..3] {
        let intact = entry(&all, intact);
        assert_eq!(intact["fail"]["critical"], 0, "{intact}");
        assert!(intact["estimates"].as_array().is_some_and(|e| !e.is_empty()), "{intact}");
        let file = whole.path().join(intact["output"].as_str().unwrap_or_default());
        let own: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("the account's JSON")).expect("JSON");
        assert_eq!(own["account"], intact["account"], "each account's file is its own audit");
    }
    // Empty accounts pass under --allow-empty (their readiness report still says no
    // application was found, which is not "ready").
    for empty in &members[7..] {
        let empty = entry(&all, empty);
        let own = std::fs::read_to_string(whole.path().join(empty["output"].as_str().unwrap_or_default()))
            .unwrap_or_default();
        assert_eq!(empty["gate"], "passed", "{empty}\n{own}");
        assert_eq!(
            empty["fail"],
            serde_json::json!({"critical": 0, "high": 0, "medium": 0, "low": 0, "info": 0})
        );
    }

    // The organization report: worst first, the unreadable account named with its cause.
    let markdown = std::fs::read_to_string(&report).expect("the organization report");
    let first_row = markdown.lines().skip_while(|l| !l.starts_with("|---")).nth(1).unwrap_or_default();
    assert!(first_row.contains("Not ready"), "worst account first:\n{markdown}");
    assert!(markdown.contains("role-not-assumable"), "{markdown}");
    assert!(markdown.contains("## Rules that fail most often"), "{markdown}");

    // Three shards, merged, are the whole organization.
    let mut shard_files = Vec::new();
    let shards = tempfile::tempdir().expect("temp dir");
    for k in 1..=3 {
        let dir = shards.path().join(format!("shard-{k}"));
        let (code, stderr) = audit_org(management, &dir, &["--shard", &format!("{k}/3")]);
        assert!(matches!(code, 0 | 1), "shard {k}/3 exit {code}:\n{stderr}");
        shard_files.push(dir.join("rollup.json"));
    }
    let shard_sizes: Vec<u64> = shard_files
        .iter()
        .map(|f| rollup(f.parent().expect("dir"))["summary"]["accounts"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(shard_sizes.iter().sum::<u64>(), 51, "{shard_sizes:?}");
    assert!(shard_sizes.iter().all(|n| *n > 0), "{shard_sizes:?}");
    let merged_path = shards.path().join("merged.json");
    let output = drscan(management)
        .arg("merge")
        .args(&shard_files)
        .arg("-o")
        .arg(&merged_path)
        .output()
        .expect("run drscan merge");
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let merged: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&merged_path).expect("merged")).expect("JSON");
    assert_eq!(merged["shards"], serde_json::json!({"count": 3, "included": [1, 2, 3]}));
    assert_eq!(comparable(merged), comparable(all.clone()), "shards merged = the unsharded roll-up");

    // Drift against the whole run's roll-up: nothing changed.
    let output = drscan(management)
        .arg("merge")
        .args(&shard_files)
        .arg("--previous-rollup")
        .arg(whole.path().join("rollup.json"))
        .arg("-o")
        .arg(shards.path().join("drift.md"))
        .output()
        .expect("run drscan merge");
    assert_ne!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    let drift = std::fs::read_to_string(shards.path().join("drift.md")).unwrap_or_default();
    assert!(drift.contains("Nothing changed since"), "{drift}");

    // Every account unreadable: nothing at all could be read, exit 3.
    set_faults(serde_json::json!([{
        "account": management, "service": "sts", "operation": "AssumeRole",
        "status": 403, "code": "AccessDenied", "message": "not authorized",
    }]));
    let nothing = tempfile::tempdir().expect("temp dir");
    let output = drscan(management)
        .args(["audit", "--accounts", &format!("{},{}", members[0], members[1]), "--org-role-name", ROLE])
        .args([
            "--primary",
            PRIMARY,
            "--dr",
            DR,
            "--endpoint-url",
            &emulator().front_url,
            "--max-attempts",
            "1",
        ])
        .arg("--org-dir")
        .arg(nothing.path())
        .output()
        .expect("run drscan audit --accounts");
    // Replace this account's rules by one that matches nothing (clearing all would clear
    // other tests' rules too).
    set_faults(
        serde_json::json!([{"account": management, "service": "sts", "operation": "NoSuchOperation"}]),
    );
    assert_eq!(output.status.code(), Some(3), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(rollup(nothing.path())["summary"]["unreadable"], 2, "the roll-up is still written");
}

#[test]
fn bad_roll_ups_given_to_merge_are_diagnostics_with_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"kind\": \"drscan-organization-rollup\",\n \"schema_version\": 1,\n")
        .expect("write");
    let snapshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/reference-architecture.json");
    for (file, needle) in [(broken.as_path(), "malformed roll-up"), (snapshot.as_path(), "malformed roll-up")]
    {
        let output = drscan("000000000000").arg("merge").arg(file).output().expect("run drscan merge");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(needle), "{stderr}");
    }
    let output = drscan("000000000000").args(["merge", "/nonexistent/rollup.json"]).output().expect("run");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn organization_mode_needs_a_role_and_refuses_per_account_formats() {
    let output = drscan("000000000000")
        .args(["audit", "--accounts", "111122223333", "--primary", PRIMARY, "--dr", DR])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--org-role-name"), "{stderr}");
    let output = drscan("000000000000")
        .args(["audit", "--accounts", "111122223333", "--org-role-name", ROLE, "-o", "x.sarif"])
        .args(["--primary", PRIMARY, "--dr", DR])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    let output = drscan("000000000000")
        .args(["audit", "--accounts", "12345", "--org-role-name", ROLE])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn an_ou_filter_keeps_its_accounts_and_nested_ones_and_pairs_come_from_the_config() {
    let (organization, ou) = runtime().block_on(async {
        let organization = create_organization(4).await;
        let config = crate::support::seed::config(&organization.management, "us-east-1").await;
        let client = aws_sdk_organizations::Client::new(&config);
        let roots = client.list_roots().send().await.expect("list roots");
        let root = roots.roots()[0].id().unwrap_or_default().to_string();
        let create = |parent: String, name: &'static str| {
            let client = client.clone();
            async move {
                let ou = client.create_organizational_unit().parent_id(parent).name(name).send().await;
                ou.expect("create an OU")
                    .organizational_unit()
                    .and_then(|u| u.id())
                    .unwrap_or_default()
                    .to_string()
            }
        };
        let workloads = create(root.clone(), "workloads").await;
        let nested = create(workloads.clone(), "nested").await;
        for ((id, _), ou) in organization.members.iter().zip([&workloads, &nested]) {
            let moved =
                client.move_account().account_id(id).source_parent_id(&root).destination_parent_id(ou);
            moved.send().await.expect("move an account");
        }
        let tag =
            aws_sdk_organizations::types::Tag::builder().key("dr-pair").value("us").build().expect("tag");
        let tagged = client.tag_resource().resource_id(&organization.members[1].0).tags(tag);
        tagged.send().await.expect("tag an account");
        (organization, workloads)
    });
    let (first, second) = (&organization.members[0].0, &organization.members[1].0);
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("drscan.toml");
    std::fs::write(
        &config,
        format!(
            "[organization]\nrole_name = \"{ROLE}\"\n\n[[organization.regions]]\naccounts = [\"{first}\"]\nprimary = \"eu-west-1\"\ndr = \"eu-central-1\"\n\n[[organization.regions]]\ntag = \"dr-pair=us\"\nprimary = \"us-east-1\"\ndr = \"us-west-2\"\n"
        ),
    )
    .expect("write drscan.toml");
    let out = dir.path().join("out");
    let output = drscan(&organization.management)
        .args([
            "audit",
            "--org",
            "--ou",
            &ou,
            "--primary",
            PRIMARY,
            "--dr",
            DR,
            "--allow-empty",
            "--allow-unknown",
        ])
        .args(["--endpoint-url", &emulator().front_url])
        .arg("--config")
        .arg(&config)
        .arg("--org-dir")
        .arg(&out)
        .output()
        .expect("run drscan audit --org --ou");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let all = rollup(&out);
    let accounts: Vec<&str> =
        all["accounts"].as_array().into_iter().flatten().filter_map(|a| a["account"].as_str()).collect();
    let mut expected = vec![first.as_str(), second.as_str()];
    expected.sort();
    assert_eq!(accounts, expected, "the OU's account and its nested OU's, no other:\n{stderr}");
    assert_eq!(
        entry(&all, first)["regions"],
        serde_json::json!({"primary": "eu-west-1", "dr": "eu-central-1"})
    );
    assert_eq!(
        entry(&all, second)["regions"],
        serde_json::json!({"primary": "us-east-1", "dr": "us-west-2"})
    );
}

#[test]
fn report_and_collect_write_one_file_per_account_for_a_list_of_accounts() {
    let caller = crate::support::fresh_account();
    let accounts = [crate::support::fresh_account(), crate::support::fresh_account()];
    let list = accounts.join(",");
    let dir = tempfile::tempdir().expect("temp dir");
    let reports = dir.path().join("reports");
    let organization_report = dir.path().join("organization.html");
    let output = drscan(&caller)
        .args(["report", "--accounts", &list, "--org-role-name", ROLE, "--primary", PRIMARY, "--dr", DR])
        .args(["--endpoint-url", &emulator().front_url])
        .arg("--org-dir")
        .arg(&reports)
        .arg("-o")
        .arg(&organization_report)
        .output()
        .expect("run drscan report --accounts");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let html = std::fs::read_to_string(&organization_report).expect("the organization report");
    for account in &accounts {
        let own =
            std::fs::read_to_string(reports.join(format!("{account}.html"))).expect("the account's report");
        assert!(own.contains(account.as_str()), "the account's own readiness report");
        assert!(html.contains(&format!("href=\"{account}.html\"")), "the organization report links it");
    }

    let snapshots = dir.path().join("snapshots");
    let output = drscan(&caller)
        .args(["collect", "--accounts", &list, "--org-role-name", ROLE, "--primary", PRIMARY, "--dr", DR])
        .args(["--endpoint-url", &emulator().front_url, "--exclude-accounts", &accounts[1]])
        .arg("-o")
        .arg(&snapshots)
        .output()
        .expect("run drscan collect --accounts");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!snapshots.join(format!("{}.snapshot.json", accounts[1])).exists(), "excluded");
    assert_eq!(rollup(&snapshots)["summary"]["accounts"], 1);
    for account in &accounts[..1] {
        let snapshot = snapshots.join(format!("{account}.snapshot.json"));
        let audit = drscan(&caller).arg("audit").arg("--snapshot").arg(&snapshot).output().expect("audit it");
        assert!(matches!(audit.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&audit.stderr));
        let text = std::fs::read_to_string(&snapshot).expect("snapshot");
        assert!(text.contains(&format!("\"account\": \"{account}\"")), "the account's own snapshot");
    }
}
