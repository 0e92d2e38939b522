//! Organization mode of `audit`, `report` and `collect` (`--org`, `--accounts`): list the
//! accounts (or take them from the flag), keep this shard's, give each its region pair, then
//! run the accounts concurrently — at most `--accounts-in-flight` at once, each assuming its
//! role once and collecting with rate-limit buckets of its own — and for each, collect → audit
//! → write its file → keep only its roll-up entry, so memory stays flat in the number of
//! accounts. Then the roll-up (`rollup.json` in the output directory), the organization
//! report, and the exit code: 1 when any account fails its gate, 3 only when no account at all
//! could be read.

use super::args::{AwsArgs, OrgArgs};
use super::audit::Rendering;
use super::overrides::Resolved;
use super::report::ReportFormat;
use super::{Destination, write_to};
use crate::audit::GateResult;
use crate::collection::organizations::{self, OrgAccount};
use crate::collection::pacing::Pacer;
use crate::collection::{self, CollectOptions, sdk};
use crate::error::{DrscanError, ExitStatus};
use crate::inventory::RegionPair;
use crate::organization::drift::OrgDrift;
use crate::organization::merge::RollUpFile;
use crate::organization::shard::Shard;
use crate::organization::{AccountEntry, AccountError, AccountRef, RollUp, ShardCoverage, report};
use crate::output::{self, Format, Origin, RunInfo};
use aws_credential_types::provider::SharedCredentialsProvider;
use futures_util::StreamExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Accounts in flight by default: each holds its own services' calls in flight (a dozen
/// scopes per region, follow-ups eight at a time), so 32 accounts keep a few hundred calls
/// outstanding while their snapshots (a few MB each for a typical account) stay small.
pub const DEFAULT_ACCOUNTS_IN_FLIGHT: usize = 32;

/// The role assumed when neither `--org-role-name` nor `[organization] role_name` names one:
/// none — drscan never guesses a role (OrganizationAccountAccessRole is an administrator).
const ROLE_HELP: &str = "name the read-only audit role that exists in every member account: --org-role-name drscan-audit (or [organization] role_name); its policy is iam-policy.json";

/// What each account produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `audit`: the account's JSON findings.
    Audit,
    /// `report`: the account's readiness report.
    Report(ReportFormat),
    /// `collect`: the account's snapshot.
    Collect,
}

impl Mode {
    fn file_name(self, account: &str) -> String {
        match self {
            Mode::Audit => format!("{account}.json"),
            Mode::Report(ReportFormat::Html) => format!("{account}.html"),
            Mode::Report(ReportFormat::Markdown) => format!("{account}.md"),
            Mode::Collect => format!("{account}.snapshot.json"),
        }
    }
}

/// Organization mode's outcome: the roll-up (with drift when a previous one was given).
pub struct OrgRun {
    pub rollup: RollUp,
    pub drift: Option<OrgDrift>,
    pub dir: PathBuf,
}

/// One account to run.
struct Planned {
    account: AccountRef,
    role_arn: String,
}

/// Run organization mode; `dir` receives the per-account files and rollup.json.
pub fn run(
    mode: Mode,
    resolved: Resolved,
    aws: &AwsArgs,
    org: &OrgArgs,
    dir: PathBuf,
) -> Result<OrgRun, DrscanError> {
    let settings = &resolved.organization;
    let role_name = org.org_role_name.clone().or_else(|| settings.role_name.clone()).ok_or_else(|| {
        DrscanError::Usage {
            message: "organization mode needs the role to assume in each account".to_string(),
            help: Some(ROLE_HELP.to_string()),
        }
    })?;
    let role_name = role_name.trim_matches('/').to_string();
    let external_id = org.org_external_id.clone().or_else(|| settings.external_id.clone());
    let in_flight = org
        .accounts_in_flight
        .map(|n| n as usize)
        .or(settings.accounts_in_flight)
        .unwrap_or(DEFAULT_ACCOUNTS_IN_FLIGHT)
        .max(1);
    let shard = org.shard.unwrap_or(Shard::WHOLE);
    let previous = org.previous_rollup.as_deref().map(RollUpFile::load).transpose()?;
    let ous = if org.ous.is_empty() { settings.ous.clone() } else { org.ous.clone() };
    let default_pair = match (&resolved.regions.primary, &resolved.regions.dr) {
        (Some(primary), Some(dr)) => Some(RegionPair { primary: primary.clone(), dr: dr.clone() }),
        _ => None,
    };
    if let Some(warning) = aws.endpoint_url.as_deref().and_then(super::args::cleartext_warning) {
        eprintln!("drscan: warning: {warning}");
    }
    // The caller's configuration (profile, --role-arn, endpoint): it lists the organization and
    // assumes each account's role. Its region is the partition's global region, where
    // Organizations is served.
    let any_region = default_pair
        .as_ref()
        .map(|p| p.primary.clone())
        .or_else(|| settings.pairs.first().map(|p| p.regions.primary.clone()))
        .unwrap_or_else(|| "us-east-1".to_string());
    let global_region = crate::regions::global_region(&any_region);
    let partition = crate::regions::find(&any_region).map_or("aws", |r| r.partition);
    let base_options = resolved.collect_options_for(aws, &any_region, global_region);

    let runtime = collection::runtime()?;
    let resolved = Arc::new(resolved);
    let outcome = runtime.block_on(async {
        let source = sdk::base_config(&base_options.sdk, global_region).await;
        if let Err(message) = sdk::check_credentials(&source).await {
            let profile = sdk::profile_facts(&base_options.sdk).await;
            return Err(sdk::no_credentials(&base_options.sdk, profile.as_ref(), &message));
        }
        let (accounts, listing_requests) = if org.org {
            let listing = organizations::list_accounts(
                &source,
                &ous,
                resolved.organization.needs_tags(),
                base_options.pacing,
            )
            .await
            .map_err(|failure| DrscanError::CollectionImpossible {
                message: format!(
                    "cannot list the organization's accounts: {} ({}: {})",
                    failure.operation, failure.cause, failure.message
                ),
                help: Some("run --org as the organization's management account or a delegated administrator allowed organizations:ListAccounts (and ListAccountsForParent, ListOrganizationalUnitsForParent with --ou); or name the accounts with --accounts".to_string()),
            })?;
            (listing.accounts, listing.requests)
        } else {
            let given = org.accounts.iter().map(|id| OrgAccount {
                id: id.clone(),
                name: String::new(),
                status: "ACTIVE".to_string(),
                tags: Default::default(),
            });
            (given.collect(), 0)
        };
        let excluded: Vec<&String> = org.exclude_accounts.iter().chain(&resolved.organization.exclude).collect();
        let accounts = accounts.into_iter().filter(|a| !excluded.contains(&&a.id)).collect();
        let planned = plan(accounts, shard, &resolved, default_pair.as_ref(), partition, &role_name)?;
        std::fs::create_dir_all(&dir)
            .map_err(|source| DrscanError::WriteOutput { path: dir.display().to_string(), source })?;
        let total = planned.len();
        let done = AtomicUsize::new(0);
        let session_name = aws.role_session_name.clone();
        let caller_pacer = Pacer::new(base_options.pacing);
        let entries: Vec<Result<AccountEntry, DrscanError>> = futures_util::stream::iter(planned)
            .map(|planned| {
                let context = AccountContext {
                    mode,
                    resolved: resolved.clone(),
                    base: &base_options,
                    source: &source,
                    caller_pacer: &caller_pacer,
                    external_id: external_id.as_deref(),
                    session_name: session_name.as_deref(),
                    dir: &dir,
                };
                let done = &done;
                async move {
                    let entry = run_account(&context, planned).await?;
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    eprintln!("drscan: [{n}/{total}] {}", account_line(&entry));
                    Ok(entry)
                }
            })
            .buffer_unordered(in_flight)
            .collect()
            .await;
        let entries = entries.into_iter().collect::<Result<Vec<_>, _>>()?;
        Ok((entries, listing_requests))
    })?;
    let (entries, listing_requests) = outcome;
    let coverage = ShardCoverage { count: shard.count, included: vec![shard.index] };
    let rollup = RollUp::new(entries, resolved.gate, coverage, listing_requests);
    write_to(&Destination::File(dir.join("rollup.json")), &rollup.to_json())?;
    let drift = previous.map(|previous| crate::organization::drift::compare(&previous.rollup, &rollup));
    Ok(OrgRun { rollup, drift, dir })
}

/// This shard's active accounts, each with its region pair and role.
fn plan(
    accounts: Vec<OrgAccount>,
    shard: Shard,
    resolved: &Resolved,
    default_pair: Option<&RegionPair>,
    partition: &str,
    role_name: &str,
) -> Result<Vec<Planned>, DrscanError> {
    let mut planned = Vec::new();
    let mut without_pair = Vec::new();
    for account in accounts {
        if !shard.contains(&account.id) {
            continue;
        }
        if account.status != "ACTIVE" {
            eprintln!(
                "drscan: skipping account {} ({}): its status is {}",
                account.id, account.name, account.status
            );
            continue;
        }
        match resolved.organization.pair_for(&account.id, &account.tags, default_pair) {
            Some(regions) => planned.push(Planned {
                role_arn: format!("arn:{partition}:iam::{}:role/{role_name}", account.id),
                account: AccountRef { id: account.id, name: account.name, regions },
            }),
            None => without_pair.push(account.id),
        }
    }
    if !without_pair.is_empty() {
        return Err(DrscanError::Usage {
            message: format!("no region pair for account(s) {}", without_pair.join(", ")),
            help: Some("give a default pair (--primary and --dr, or [regions]) or an [[organization.regions]] entry naming them".to_string()),
        });
    }
    Ok(planned)
}

/// What every account's run shares.
struct AccountContext<'a> {
    mode: Mode,
    resolved: Arc<Resolved>,
    base: &'a CollectOptions,
    source: &'a aws_types::SdkConfig,
    /// The caller's own buckets: every account's AssumeRole is metered in the caller's account.
    caller_pacer: &'a Pacer,
    external_id: Option<&'a str>,
    session_name: Option<&'a str>,
    dir: &'a Path,
}

/// Assume the account's role, collect its pair, audit, write its file; only the entry stays.
async fn run_account(context: &AccountContext<'_>, planned: Planned) -> Result<AccountEntry, DrscanError> {
    let Planned { account, role_arn } = planned;
    let gate = context.resolved.gate;
    let credentials = match sdk::assume_role(
        context.source,
        context.caller_pacer,
        &role_arn,
        context.external_id,
        context.session_name,
    )
    .await
    {
        Ok(credentials) => credentials,
        Err(message) => {
            let error = AccountError {
                cause: "role-not-assumable".to_string(),
                message: format!("{role_arn} could not be assumed: {message}"),
            };
            return Ok(AccountEntry::unreadable(&account, error, gate, 1));
        }
    };
    let mut options = context.base.clone();
    options.primary = account.regions.primary.clone();
    options.dr = account.regions.dr.clone();
    options.progress = false;
    // The assumed role's credentials, as given credentials: no second AssumeRole.
    options.sdk.credentials = Some(SharedCredentialsProvider::new(credentials));
    options.sdk.role_arn = None;
    options.sdk.external_id = None;
    options.sdk.profile = None;
    let collection = match collection::collect(&options).await {
        Ok(collection) => collection,
        Err(error) => {
            let message = match &error {
                DrscanError::CollectionImpossible { message, help: Some(help) } => {
                    format!("{message} ({help})")
                }
                other => other.to_string(),
            };
            let error = AccountError { cause: "collection-impossible".to_string(), message };
            return Ok(AccountEntry::unreadable(&account, error, gate, 1));
        }
    };
    let requests = collection.total_requests() + 1;
    let mode = context.mode;
    let resolved = context.resolved.clone();
    let path = context.dir.join(mode.file_name(&account.id));
    // The audit is CPU work: off the runtime's threads, so other accounts' calls keep flowing.
    tokio::task::spawn_blocking(move || {
        let snapshot = collection.snapshot;
        let output = Some(mode.file_name(&account.id));
        if mode == Mode::Collect {
            let text = super::collect::snapshot_json(&snapshot, &path)?;
            write_to(&Destination::File(path.clone()), &text)?;
        }
        let inventory = resolved.inventory(&snapshot);
        let audit = resolved.audit(&inventory, None);
        let text = match mode {
            Mode::Audit => {
                let info = RunInfo {
                    snapshot: &snapshot,
                    gate: resolved.gate,
                    origin: Origin::default(),
                    color: false,
                };
                Some(output::render(Format::Json, &audit, &info))
            }
            Mode::Report(format) => {
                Some(super::report::render(format, &snapshot, &inventory, &audit, None, None))
            }
            Mode::Collect => None,
        };
        if let Some(text) = text {
            write_to(&Destination::File(path), &text)?;
        }
        Ok(AccountEntry::audited(&account, &inventory, &audit, requests, output))
    })
    .await
    .map_err(|e| DrscanError::CollectionImpossible {
        message: format!("an account's audit stopped: {e}"),
        help: None,
    })?
}

/// One line per finished account, on stderr.
fn account_line(entry: &AccountEntry) -> String {
    let name = if entry.name.is_empty() { String::new() } else { format!(" ({})", entry.name) };
    match &entry.error {
        Some(error) => format!("{}{name}: unreadable — {}", entry.account, error.message),
        None => format!(
            "{}{name}: {}, score {}, {} failing, {} unknown, {} requests",
            entry.account,
            entry.verdict.label(),
            entry.score.unwrap_or(0),
            entry.fail.total(),
            entry.unknown.total(),
            entry.requests
        ),
    }
}

/// The exit status of an organization run: 3 when no account could be read at all, else the
/// roll-up's gate (`gate_decides`; `report` and `collect` pass whatever the accounts' state).
pub fn exit_status(rollup: &RollUp, gate_decides: bool) -> Result<ExitStatus, DrscanError> {
    if rollup.nothing_read() {
        let named: Vec<String> = rollup
            .accounts
            .iter()
            .take(5)
            .map(|a| format!("{}: {}", a.account, a.error.as_ref().map_or("", |e| e.message.as_str())))
            .collect();
        return Err(DrscanError::CollectionImpossible {
            message: format!("no account of {} could be read — {}", rollup.accounts.len(), named.join("; ")),
            help: Some("check that the role exists in the accounts and trusts the caller; the roll-up lists every account".to_string()),
        });
    }
    Ok(match (gate_decides, rollup.gate.result) {
        (true, GateResult::Failed) => ExitStatus::GateFailed,
        _ => ExitStatus::GatePassed,
    })
}

/// Write the roll-up as each `-o` asks: JSON roll-up, text summary, or organization report.
pub fn write_outputs(
    rollup: &RollUp,
    drift: Option<&OrgDrift>,
    planned: &[(Rendering, Destination)],
) -> Result<(), DrscanError> {
    for (rendering, destination) in planned {
        write_to(destination, &render(rollup, drift, *rendering)?)?;
    }
    Ok(())
}

/// The roll-up in one rendering; SARIF and JUnit are per account, not of an organization.
pub fn render(
    rollup: &RollUp,
    drift: Option<&OrgDrift>,
    rendering: Rendering,
) -> Result<String, DrscanError> {
    Ok(match rendering {
        Rendering::Findings(Format::Json) => rollup.to_json(),
        Rendering::Findings(Format::Text) => report::text(rollup),
        Rendering::Report(ReportFormat::Html) => report::html(rollup, drift),
        Rendering::Report(ReportFormat::Markdown) => report::markdown(rollup, drift),
        Rendering::Findings(format @ (Format::Sarif | Format::Junit)) => return Err(unsupported(format)),
    })
}

/// Refuse, before anything is collected, an output the roll-up cannot be written as.
pub fn check_renderings(planned: &[(Rendering, Destination)]) -> Result<(), DrscanError> {
    match planned.iter().find_map(|(rendering, _)| match rendering {
        Rendering::Findings(format @ (Format::Sarif | Format::Junit)) => Some(*format),
        _ => None,
    }) {
        Some(format) => Err(unsupported(format)),
        None => Ok(()),
    }
}

fn unsupported(format: Format) -> DrscanError {
    DrscanError::Usage {
        message: format!("organization mode writes no {format:?} output: it writes one JSON file per account and a roll-up"),
        help: Some("write -o rollup.json, -o organization.html or -o organization.md; each account's findings are in the output directory".to_string()),
    }
}

/// Refuse flags that mean one account in organization mode.
pub fn refuse_single_account_flags(
    snapshot: Option<&Path>,
    baseline: Option<&Path>,
) -> Result<(), DrscanError> {
    if snapshot.is_some() {
        return Err(DrscanError::usage(
            "--snapshot audits one snapshot; organization mode collects each account live",
        ));
    }
    if baseline.is_some() {
        return Err(DrscanError::usage(
            "--baseline is one account's previous findings; in organization mode compare roll-ups with --previous-rollup",
        ));
    }
    Ok(())
}

/// The output directory: `--org-dir`, else `drscan-org`.
pub fn output_dir(org: &OrgArgs) -> PathBuf {
    org.org_dir.clone().unwrap_or_else(|| PathBuf::from("drscan-org"))
}
