//! One DR setup over several accounts (issue 13 §1), end to end against moto: the primary
//! region's resources in one account, the DR region's in a recovery account, the hosted zone in
//! a network account and the DR vault in a central backup account, each read through a role of
//! its own (moto ties an assumed role's credentials to the role's account; the test front does
//! too, for its recorded answers and faults). The intact layout is matched across the accounts,
//! a break in each account is caught, and a role that cannot be assumed leaves only its
//! account's part unknown.

use crate::support::recorded::{
    backup_plan_id, backup_selection_and_copies, efs_replication_to, primary_file_system,
};
use crate::support::seed::{
    DataStores, Layout, Secondary, Setup, bucket_names, config, recorded_layout_data_stores, seed_layout,
};
use crate::support::{
    DR, PRIMARY, audit_live, collect_live, drscan, findings, fresh_account, runtime, set_faults, summary,
};
use serde_json::json;

/// The four side flags, each with the test role of its account.
fn side_roles(layout: &Layout) -> Vec<String> {
    [
        ("--primary-role-arn", &layout.primary),
        ("--dr-role-arn", &layout.dr),
        ("--dns-role-arn", &layout.dns),
        ("--backup-role-arn", &layout.backup),
    ]
    .into_iter()
    .flat_map(|(flag, account)| [flag.to_string(), Layout::role(account)])
    .collect()
}

/// A split layout seeded with `setup`, and the caller account whose credentials assume the roles.
fn seeded(setup: &Setup) -> (Layout, String) {
    let layout = Layout::split();
    runtime().block_on(seed_layout(&layout, setup));
    (layout, fresh_account())
}

fn audit(caller: &str, layout: &Layout) -> (i32, serde_json::Value, String) {
    let mut args = vec!["--max-attempts".to_string(), "1".to_string()];
    args.extend(side_roles(layout));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, json, stderr, _) = audit_live(caller, &args);
    assert!(json.is_object(), "drscan printed no JSON (exit {code}):\n{stderr}");
    (code, json, stderr)
}

/// What moto lacks, answered as AWS would for the split layout: the primary plan's selection
/// of the app's databases and file system, their recovery points in the central backup
/// account's DR vault, and the file system's replication into the recovery account.
fn recorded_answers(layout: &Layout) -> serde_json::Value {
    let (fs_id, fs_arn) = primary_file_system(&layout.primary);
    let plan_id = backup_plan_id(&layout.primary);
    let db = format!("arn:aws:rds:{PRIMARY}:{}:db:web-db", layout.primary);
    let cluster = format!("arn:aws:rds:{PRIMARY}:{}:cluster:web-aurora", layout.primary);
    let selected =
        ["arn:aws:elasticfilesystem:*:*:file-system/*", "arn:aws:rds:*:*:db:*", "arn:aws:rds:*:*:cluster:*"];
    let protected = [(fs_arn.as_str(), "EFS"), (db.as_str(), "RDS"), (cluster.as_str(), "Aurora")];
    let mut rules = Vec::new();
    for part in [
        backup_selection_and_copies(&layout.primary, &layout.backup, &plan_id, &selected, &protected),
        efs_replication_to(&layout.primary, Some(&layout.dr), &fs_id, &fs_arn),
    ] {
        rules.extend(part.as_array().cloned().unwrap_or_default());
    }
    serde_json::Value::Array(rules)
}

/// A front rule: the caller's AssumeRole of `account`'s role is denied, as STS denies it.
fn deny_assume_role(caller: &str, account: &str) -> serde_json::Value {
    json!({
        "account": caller, "service": "sts", "operation": "AssumeRole", "body_regex": format!("RoleArn=[^&]*{account}"),
        "status": 403, "code": "AccessDenied",
        "message": format!("User: arn:aws:iam::{caller}:user/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{account}:role/drscan-audit")
    })
}

/// Collect the layout with the side roles as `caller`, then audit the snapshot offline.
fn collect_and_audit(caller: &str, layout: &Layout) -> (serde_json::Value, serde_json::Value) {
    let mut args = vec!["--max-attempts".to_string(), "1".to_string()];
    args.extend(side_roles(layout));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let snapshot = collect_live(caller, &args);
    let output = drscan(caller)
        .args(["audit", "--format", "json", "--snapshot"])
        .arg(&snapshot.path)
        .output()
        .expect("run drscan audit --snapshot");
    let audit = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("no JSON: {}", String::from_utf8_lossy(&output.stderr)));
    (serde_json::from_str(&snapshot.text).expect("snapshot JSON"), audit)
}

fn none_of(json: &serde_json::Value, rule: &str) {
    for status in ["fail", "unknown"] {
        assert!(findings(json, rule, status).is_empty(), "{rule} is {status}:\n{}", summary(json));
    }
}

fn assert_finding(json: &serde_json::Value, rule: &str, status: &str, needle: &str) {
    let found = findings(json, rule, status);
    assert!(
        found.iter().any(|f| f.to_string().contains(needle)),
        "expected `{rule}` {status} mentioning {needle:?}; findings:\n{}",
        summary(json)
    );
}

#[test]
fn intact_split_layout_is_matched_across_its_accounts() {
    let (layout, caller) = seeded(&Setup::default());
    set_faults(recorded_answers(&layout));
    let (snapshot, json) = collect_and_audit(&caller, &layout);

    assert_eq!(snapshot["schema_version"], 2);
    assert_eq!(snapshot["account"], layout.primary.as_str());
    let sides: Vec<(String, serde_json::Value)> = snapshot["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|record| (record["account"].as_str().unwrap_or_default().to_string(), record["sides"].clone()))
        .collect();
    assert_eq!(
        sides,
        [
            (layout.primary.clone(), json!(["primary"])),
            (layout.dr.clone(), json!(["dr"])),
            (layout.dns.clone(), json!(["dns"])),
            (layout.backup.clone(), json!(["backup"])),
        ]
    );
    // The report names each account and its side.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("snapshot.json");
    std::fs::write(&path, snapshot.to_string()).expect("write snapshot");
    let report = drscan(&caller)
        .args(["report", "--format", "markdown", "--snapshot"])
        .arg(&path)
        .output()
        .expect("run drscan report");
    let markdown = String::from_utf8_lossy(&report.stdout);
    assert!(markdown.contains(&format!("- account {}: backup", layout.backup)), "{markdown}");
    // The central account's vault joins the DR region's, told apart by its ARN.
    let vaults = snapshot["resources"]["regional"][DR]["backup_vaults"].to_string();
    assert!(
        vaults.contains(&format!("arn:aws:backup:{DR}:{}:backup-vault:web-dr", layout.backup)),
        "{vaults}"
    );

    let critical: Vec<_> = json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["status"] == "fail" && matches!(f["severity"].as_str(), Some("critical" | "high")))
        .collect();
    assert!(critical.is_empty(), "the intact split layout has failures:\n{}", summary(&json));
    // The application joins across the accounts: the network account's failover pair reaches
    // the load balancers and groups of the two workload accounts, and the DR AMI is matched.
    for rule in [
        "failover-target-missing",
        "failover-secondary-missing",
        "failover-secondary-not-in-dr",
        "dr-asg-missing",
        "ami-missing-in-dr",
        "backup-copy-target-missing",
        "rds-no-dr-replica",
        "efs-no-dr-copy",
        "backup-no-recent-dr-recovery-point",
    ] {
        none_of(&json, rule);
    }
    assert!(!findings(&json, "no-application-found", "fail").iter().any(|_| true), "{}", summary(&json));
    // The recovery account's databases come back by restore, and the estimate says why.
    let estimate = json["estimates"].as_array().and_then(|e| e.iter().find(|e| e["app"] == "web")).cloned();
    let steps = estimate.map(|e| e["rto_breakdown"].to_string()).unwrap_or_default();
    assert!(steps.contains("restore, not promotion"), "{steps}");
    assert!(!steps.contains("replica-promotion"), "{steps}");
}

#[test]
fn a_break_in_each_account_is_caught() {
    // Recovery account: the golden AMI was never copied there.
    let (layout, caller) = seeded(&Setup { copy_ami: false, ..Setup::default() });
    let (_, json) = collect_and_audit(&caller, &layout);
    assert_finding(&json, "ami-missing-in-dr", "fail", "web-golden-v7");

    // Network account: the failover pair lost its SECONDARY.
    let (layout, caller) = seeded(&Setup { secondary: Secondary::Missing, ..Setup::default() });
    let (_, json) = collect_and_audit(&caller, &layout);
    assert_finding(&json, "failover-secondary-missing", "fail", "app.example.com");

    // Central backup account: the DR vault the plan copies to was deleted.
    let (layout, caller) = seeded(&Setup::default());
    runtime().block_on(async {
        let backup = aws_sdk_backup::Client::new(&config(&layout.backup, DR).await);
        backup.delete_backup_vault().backup_vault_name("web-dr").send().await.expect("DeleteBackupVault");
    });
    let (_, json) = collect_and_audit(&caller, &layout);
    let vault = format!("arn:aws:backup:{DR}:{}:backup-vault:web-dr", layout.backup);
    assert_finding(&json, "backup-copy-target-missing", "fail", &vault);

    // Central backup account: the DR vault's lock caps retention at a year, while the copy rule
    // keeps its copies forever, so AWS Backup fails every copy into it.
    let (layout, caller) = seeded(&Setup::default());
    set_faults(recorded_answers(&layout));
    lock_dr_vault(&layout, 7, Some(365));
    let (_, json) = collect_and_audit(&caller, &layout);
    assert_finding(&json, "backup-unhealthy", "fail", "the vault lock allows at most 365 days");
    // A lock with only a minimum takes copies kept forever.
    let (layout, caller) = seeded(&Setup::default());
    set_faults(recorded_answers(&layout));
    lock_dr_vault(&layout, 7, None);
    let (_, json) = collect_and_audit(&caller, &layout);
    let vault_lock = |f: &&serde_json::Value| f.to_string().contains("vault lock");
    assert!(!findings(&json, "backup-unhealthy", "fail").iter().any(vault_lock), "{}", summary(&json));
}

/// A split layout with the data stores of `stores` (see [`DataStores`] for how they lie across
/// the accounts), and what moto lacks for both the layout and the stores.
fn seeded_with_stores(stores: DataStores) -> (Layout, String) {
    let (layout, caller) = seeded(&Setup { data_stores: Some(stores.clone()), ..Setup::default() });
    set_faults(serde_json::Value::Array(recorded_with_stores(&layout, &stores)));
    (layout, caller)
}

/// The front rules [`seeded_with_stores`] sets.
fn recorded_with_stores(layout: &Layout, stores: &DataStores) -> Vec<serde_json::Value> {
    let mut rules = recorded_answers(layout).as_array().cloned().unwrap_or_default();
    rules.extend(recorded_layout_data_stores(layout, stores));
    rules
}

#[test]
fn data_stores_across_accounts_are_matched_and_recovery_account_breaks_are_caught() {
    // The intact twin: the bucket replicates into the recovery account's DR bucket, the table
    // is a multi-account global table, the recovery account holds its own copy of the secret.
    let (layout, caller) = seeded_with_stores(DataStores::default());
    let (snapshot, json) = collect_and_audit(&caller, &layout);
    for rule in crate::data_stores::RULES {
        none_of(&json, rule);
    }
    // S3 publishes the rule's metrics in the source bucket's account: drscan read them there
    // and put them on the recovery account's bucket, so the RPO has the measured 12 s.
    let (source, destination) = bucket_names(&layout.primary);
    let dr_buckets = snapshot["resources"]["regional"][DR]["buckets"].as_array().cloned().unwrap_or_default();
    let dr_bucket = dr_buckets.iter().find(|b| b["name"] == destination.as_str()).expect("the DR bucket");
    assert!(dr_bucket["incoming_replication"].to_string().contains(&source), "{dr_bucket}");
    let web = json["estimates"].as_array().into_iter().flatten().find(|e| e["app"] == "web").expect("web");
    let s3_term =
        web["rpo_breakdown"].as_array().into_iter().flatten().find(|t| t["store"] == format!("s3 {source}"));
    assert_eq!(s3_term.map(|t| t["seconds"].clone()), Some(json!(12)), "{web}");

    // Breaks in the recovery account: its replica table has no point-in-time recovery, its
    // own copy of the secret is gone (the primary account's replica is no copy drscan can
    // vouch for there), and the replication lags 40 minutes (read in the source account).
    let broken = DataStores {
        dynamodb_dr_pitr: false,
        recovery_account_secret: false,
        s3_latency_seconds: 2400.0,
        ..DataStores::default()
    };
    let (layout, caller) = seeded_with_stores(broken);
    let (_, json) = collect_and_audit(&caller, &layout);
    assert_finding(&json, "dynamodb-pitr-disabled", "fail", "orders in us-east-1 is DISABLED");
    let (_, destination) = bucket_names(&layout.primary);
    assert_finding(&json, "s3-replication-lag-high", "fail", &format!("{destination} up to 40m behind"));
    // (Unknown reasons redact account IDs.)
    let not_modeled = "while the DR side runs in recovery account (account), which holds no secret of that name there; whether (account) may read the replica (the secret's resource policy and its KMS key's policy) is not modeled";
    assert_finding(&json, "dr-secrets-missing", "unknown", not_modeled);
    for rule in ["s3-no-dr-replication", "dynamodb-no-dr-replica"] {
        none_of(&json, rule);
    }

    // The recovery account's DR bucket lost versioning, so S3 replicates nothing into it; and
    // the secret has neither a replica nor a copy of the recovery account's.
    let stores =
        DataStores { secret_replicated: false, recovery_account_secret: false, ..DataStores::default() };
    let (layout, caller) = seeded_with_stores(stores);
    let (_, destination) = bucket_names(&layout.primary);
    runtime().block_on(async {
        let c = config(&layout.dr, DR).await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&c).force_path_style(true).build(),
        );
        let suspended = aws_sdk_s3::types::VersioningConfiguration::builder()
            .status(aws_sdk_s3::types::BucketVersioningStatus::Suspended)
            .build();
        s3.put_bucket_versioning()
            .bucket(&destination)
            .versioning_configuration(suspended)
            .send()
            .await
            .expect("PutBucketVersioning");
    });
    let (_, json) = collect_and_audit(&caller, &layout);
    assert_finding(&json, "s3-no-dr-replication", "fail", &destination);
    let holds_none = format!(
        "has no replica in us-east-1, and recovery account {}, where the DR side runs, holds no secret of that name there",
        layout.dr
    );
    assert_finding(&json, "dr-secrets-missing", "fail", &holds_none);

    // The source account's metrics in the DR region cannot be listed: only the lag is unknown,
    // naming the call; the recovery account's side is judged as before.
    let (layout, caller) = seeded_with_stores(DataStores::default());
    let mut rules = recorded_with_stores(&layout, &DataStores::default());
    rules.push(json!({
        "account": layout.primary, "region": DR, "service": "monitoring", "operation": "ListMetrics",
        "status": 403, "code": "AccessDenied", "message": "not authorized to perform cloudwatch:ListMetrics"
    }));
    set_faults(serde_json::Value::Array(rules));
    let (_, json) = collect_and_audit(&caller, &layout);
    assert_finding(&json, "s3-replication-lag-high", "unknown", "cloudwatch:ListMetrics");
    for rule in
        ["s3-no-dr-replication", "dynamodb-no-dr-replica", "dynamodb-pitr-disabled", "dr-secrets-missing"]
    {
        none_of(&json, rule);
    }
}

/// Put a vault lock of at least `min` (and at most `max`) retention days on the backup
/// account's DR vault.
fn lock_dr_vault(layout: &Layout, min: i64, max: Option<i64>) {
    runtime().block_on(async {
        let backup = aws_sdk_backup::Client::new(&config(&layout.backup, DR).await);
        backup
            .put_backup_vault_lock_configuration()
            .backup_vault_name("web-dr")
            .min_retention_days(min)
            .set_max_retention_days(max)
            .send()
            .await
            .expect("PutBackupVaultLockConfiguration");
    });
}

#[test]
fn a_role_that_cannot_be_assumed_leaves_only_its_accounts_part_unknown() {
    let (layout, caller) = seeded(&Setup::default());
    set_faults(json!([deny_assume_role(&caller, &layout.backup)]));
    let (snapshot, json) = collect_and_audit(&caller, &layout);
    let backup =
        snapshot["accounts"].as_array().and_then(|a| a.iter().find(|r| r["sides"] == json!(["backup"])));
    let unreadable = backup.map(|r| r["unreadable"].to_string()).unwrap_or_default();
    assert!(unreadable.contains("sts:AssumeRole") && unreadable.contains(&layout.backup), "{unreadable}");
    // The copy destination is in the unreadable account: unknown, naming it, never "missing".
    // (Outputs redact account IDs from error texts: the reason names the side.)
    assert_finding(&json, "backup-copy-target-missing", "unknown", "of the backup side could not be read");
    assert!(findings(&json, "backup-copy-target-missing", "fail").is_empty(), "{}", summary(&json));
    // The other accounts still audit.
    none_of(&json, "ami-missing-in-dr");
    none_of(&json, "failover-secondary-missing");

    // The recovery account's role denied: the DR region is unknown, the primary still read.
    let (layout, caller) = seeded(&Setup::default());
    set_faults(json!([deny_assume_role(&caller, &layout.dr)]));
    let (code, json, stderr) = audit(&caller, &layout);
    assert_eq!(code, 1, "{stderr}");
    assert_finding(&json, "ami-missing-in-dr", "unknown", "the role of the dr side");
    // The DR region's listings are reported under the recovery account.
    let listings = json["findings"].as_array().into_iter().flatten().filter(|f| f["status"] == "unknown");
    let dr_listing = format!(":{}:", layout.dr);
    assert!(
        listings
            .into_iter()
            .any(|f| f["resource"]["arn"].as_str().is_some_and(|arn| arn.contains(&dr_listing))),
        "{}",
        summary(&json)
    );
    assert!(json["summary"]["pass"].as_u64().unwrap_or_default() > 0, "{}", summary(&json));

    // No role at all can be assumed: nothing can be read, exit 3.
    let denied: Vec<serde_json::Value> = [&layout.primary, &layout.dr, &layout.dns, &layout.backup]
        .iter()
        .map(|a| deny_assume_role(&caller, a))
        .collect();
    set_faults(serde_json::Value::Array(denied));
    let mut args = vec!["--max-attempts".to_string(), "1".to_string()];
    args.extend(side_roles(&layout));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, stderr, _) = audit_live(&caller, &args);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains(&layout.primary), "{stderr}");
}

#[test]
fn each_account_is_paced_under_buckets_of_its_own() {
    let (layout, caller) = seeded(&Setup::default());
    let mut options = crate::support::live_options(&caller);
    options.sdk.max_attempts = 1;
    options.sdk.side_roles = drscan::collection::sdk::SideRoles {
        primary: Some(Layout::role(&layout.primary)),
        dr: Some(Layout::role(&layout.dr)),
        dns: Some(Layout::role(&layout.dns)),
        backup: vec![Layout::role(&layout.backup)],
    };
    let collection = runtime().block_on(drscan::collection::collect(&options)).expect("collection");
    let bucket_regions = |account: &str| -> std::collections::BTreeSet<String> {
        collection.buckets.iter().filter(|b| b.key.account == account).map(|b| b.key.region.clone()).collect()
    };
    // AWS meters per account: each side's calls draw on its own account's buckets, where it
    // reads (the primary account also reads its own DR-region vaults).
    assert_eq!(bucket_regions(&layout.primary), [PRIMARY.to_string(), DR.to_string()].into());
    assert!(bucket_regions(&layout.dr).contains(DR), "{:?}", bucket_regions(&layout.dr));
    assert!(!bucket_regions(&layout.dr).contains(PRIMARY));
    // Route 53 (global), and its health-check metrics in us-east-1.
    assert_eq!(bucket_regions(&layout.dns), ["global".to_string(), "us-east-1".to_string()].into());
    assert_eq!(bucket_regions(&layout.backup), [DR.to_string()].into());
    assert!(bucket_regions(&caller).is_empty(), "the caller only assumes the roles");
    // The progress total counts what runs: the primary account's DR-region S3 metrics too.
    assert_eq!(collection.progress.ticked, collection.progress.total);

    // The recovery account's role cannot be assumed: its scopes (and the primary account's
    // metrics on its buckets) do not run, and the total does not count them.
    set_faults(json!([deny_assume_role(&caller, &layout.dr)]));
    let collection = runtime().block_on(drscan::collection::collect(&options)).expect("collection");
    assert!(!collection.snapshot.resources.regional.contains_key(DR), "the DR region is unread");
    assert_eq!(collection.progress.ticked, collection.progress.total);
}

#[test]
fn a_side_role_that_is_not_a_role_arn_is_a_usage_error() {
    let output = drscan(&fresh_account())
        .args(["audit", "--primary", PRIMARY, "--dr", DR, "--dr-role-arn", "drscan-audit"])
        .output()
        .expect("run drscan");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not an IAM role ARN"));
}

/// dr-kms-key-unusable's pass fixture as a split layout: the DR region's group, template and
/// keys in recovery account 210987654321, the AMI it launches shared from the primary account
/// 123456789012, its snapshots encrypted with `snapshot_key`; the audit's DR105 findings and
/// how many resources passed.
fn kms_split_findings(snapshot_key: &str) -> (Vec<drscan::findings::Finding>, usize) {
    const RECOVERY: &str = "210987654321";
    let text = std::fs::read_to_string("fixtures/rules/dr-kms-key-unusable/pass.json").expect("fixture");
    let mut fixture: serde_json::Value = serde_json::from_str(&text).expect("json");
    fixture["schema_version"] = 2.into();
    fixture["accounts"] = json!([
        { "account": "123456789012", "sides": ["primary", "dns", "backup"] },
        { "account": RECOVERY, "sides": ["dr"] },
    ]);
    let dr = &mut fixture["resources"]["regional"]["us-east-1"];
    for kind in ["auto_scaling_groups", "kms_keys"] {
        for resource in dr[kind].as_array_mut().expect("resources") {
            let arn =
                resource["arn"].as_str().expect("arn").replace(":123456789012:", &format!(":{RECOVERY}:"));
            resource["arn"] = arn.into();
        }
    }
    dr["images"][0]["kms_key_ids"] = json!([snapshot_key]);
    let snapshot = drscan::inventory::Snapshot::parse("split fixture", fixture.to_string())
        .expect("the split fixture loads");
    let report = drscan::audit::run(
        &snapshot,
        &drscan::settings::Settings::default(),
        drscan::audit::GatePolicy::default(),
    );
    let passed = report.counts.get("dr-kms-key-unusable").map_or(0, |c| c.pass);
    (report.findings.into_iter().filter(|f| f.rule == "dr-kms-key-unusable").collect(), passed)
}

#[test]
fn a_key_of_another_account_is_judged_for_the_account_that_uses_it() {
    use drscan::findings::Status;
    // The recovery account's own enabled key: usable.
    let (own, passed) =
        kms_split_findings("arn:aws:kms:us-east-1:210987654321:key/mrk-1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6");
    assert!(own.is_empty() && passed > 0, "{own:#?}");
    // The primary account's key: its policy decides, and drscan reads neither it nor the key.
    let (shared, _) =
        kms_split_findings("arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    assert!(
        shared.iter().any(|f| f.status == Status::Unknown && f.message.contains("web-dr-asg")),
        "{shared:#?}"
    );
    assert!(!shared.iter().any(|f| f.status == Status::Fail), "{shared:#?}");
    // The primary account's AWS managed key: never usable from another account.
    let (managed, _) = kms_split_findings("arn:aws:kms:us-east-1:123456789012:alias/aws/ebs");
    assert!(
        managed
            .iter()
            .any(|f| f.status == Status::Fail && f.message.contains("AWS managed keys cannot be shared")),
        "{managed:#?}"
    );
}
