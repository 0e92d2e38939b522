//! Live collection: both regions and Route 53, every service at once, into a
//! [`Snapshot`] exactly as the offline path reads it. This module owns the orchestration (which
//! calls wait on which, one [`Scope`] per service and stage under the whole-run deadline, so a
//! late service costs only its own kinds), the shared helpers (pagination guard, bounded
//! follow-ups, conversions) and the outcome rules: one unreachable region still yields the
//! other, none is exit 3. Every request is paced by [`pacing`], and every answer must be a
//! whole document ([`completeness`]).
//!
//! One file per service turns that service's SDK responses into inventory types and declares
//! the kinds it fills (`FILLS`); no SDK type leaves this module.

mod accounts;
pub mod completeness;
pub mod errors;
pub mod organizations;
pub mod pacing;
pub mod sdk;

mod acm;
mod autoscaling;
mod backup;
mod cloudwatch;
mod dynamodb;
mod ec2;
mod efs;
mod elb;
mod elbv2;
mod fis;
mod instance_types;
mod kms;
mod paging;
mod rds;
mod restore_jobs;
mod route53;
mod s3;
mod secretsmanager;
mod servicequotas;
mod sns;
mod ssm;

use crate::error::DrscanError;
use crate::inventory::dns::HealthCheckStatus;
use crate::inventory::snapshot::SCHEMA_VERSION;
use crate::inventory::storage::{Bucket, IncomingReplication};
use crate::inventory::{
    CollectionError, ErrorCause, GlobalResources, Known, RegionPair, RegionResources, ResourceKind,
    Resources, Side, Snapshot, Tags, UnknownReason,
};
use aws_smithy_async::future::pagination_stream::PaginationStream;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::SdkConfig;
use chrono::{DateTime, Utc};
use completeness::{CompletenessInterceptor, IncompleteResponseClassifier};
use errors::Failure;
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pacing::{BucketUsage, Pacer, Pacing, PacingInterceptor, TooManyRequestsClassifier};
use sdk::{CallRecorder, OperationStats, SdkSettings};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Everything a collection run needs to know.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    pub primary: String,
    pub dr: String,
    pub sdk: SdkSettings,
    /// Deadline for the whole run; services still running then are recorded as timed out.
    pub run_timeout: Duration,
    /// Follow-up calls in flight at once, per service and region.
    pub concurrency: usize,
    /// How requests are paced under AWS's rate limits (default: AWS's documented rates less a
    /// margin; see [`pacing`]).
    pub pacing: Pacing,
    /// How far back replica-lag metrics are read.
    pub lag_window: Duration,
    /// How far back evidence of failover exercises (restore tests, FIS experiments) is read.
    pub exercise_window: Duration,
    /// Show a progress bar on stderr (only ever drawn when stderr is a terminal).
    pub progress: bool,
}

impl CollectOptions {
    pub fn new(primary: impl Into<String>, dr: impl Into<String>) -> Self {
        CollectOptions {
            primary: primary.into(),
            dr: dr.into(),
            sdk: SdkSettings::default(),
            run_timeout: Duration::from_secs(300),
            concurrency: 8,
            pacing: Pacing::default(),
            lag_window: Duration::from_secs(3600),
            exercise_window: Duration::from_secs(
                crate::inventory::exercises::DEFAULT_EXERCISE_WINDOW_SECONDS,
            ),
            progress: true,
        }
    }
}

/// A finished collection: the snapshot, and what it cost.
#[derive(Debug, Clone)]
pub struct Collection {
    pub snapshot: Snapshot,
    /// Per (region or `global`, `service:Operation`): attempts and latency.
    pub calls: BTreeMap<(String, String), OperationStats>,
    pub wall: Duration,
    /// Every rate-limit bucket the run drew on, with its requests.
    pub buckets: Vec<BucketUsage>,
    /// The progress bar's count: the scopes it was sized for, and those that ticked.
    pub progress: ProgressCount,
}

/// How many scopes a run's progress bar was sized for, and how many ticked: equal when the
/// total is derived right (a bar that never fills, or overflows, says it is not).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProgressCount {
    pub total: usize,
    pub ticked: usize,
}

impl Collection {
    /// The least time any client could take for the same requests under AWS's buckets: the
    /// slowest bucket's [`BucketUsage::floor`]. A lower bound: calls that wait on others (record
    /// sets on the zone list, ACM on the listeners) can only lengthen the critical path.
    pub fn floor(&self) -> Duration {
        self.buckets.iter().map(BucketUsage::floor).max().unwrap_or_default()
    }

    pub fn total_requests(&self) -> u64 {
        self.calls.values().map(|s| s.requests).sum()
    }

    pub fn total_latency(&self) -> Duration {
        self.calls.values().map(|s| s.latency).sum()
    }
}

/// Collect on a fresh multi-threaded runtime (the CLI's entry point).
pub fn collect_blocking(options: &CollectOptions) -> Result<Collection, DrscanError> {
    runtime()?.block_on(collect(options))
}

/// The multi-threaded runtime a collection runs on (organization mode runs many on one).
pub fn runtime() -> Result<tokio::runtime::Runtime, DrscanError> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| {
        DrscanError::CollectionImpossible {
            message: format!("cannot start the async runtime: {e}"),
            help: None,
        }
    })
}

/// Collect both regions and Route 53, each side of the setup with its own credentials.
pub async fn collect(options: &CollectOptions) -> Result<Collection, DrscanError> {
    let started = Instant::now();
    let collected_at = Utc::now();
    let deadline = crate::time::deadline(tokio::time::Instant::now(), options.run_timeout);
    let profile = sdk::profile_facts(&options.sdk).await;
    if let Some(facts) = profile.as_ref().filter(|f| !f.defined && f.given_by == "--profile") {
        return Err(facts.undefined());
    }
    // The whole-run deadline covers everything from here: resolving credentials (an SSO
    // login, an instance role, AssumeRole) and asking STS who we are, as well as collecting.
    let before_deadline = |stage: &'static str| {
        move |_: tokio::time::error::Elapsed| DrscanError::CollectionImpossible {
            message: format!(
                "the whole-run timeout of {} expired while {stage}",
                crate::duration::text(options.run_timeout.as_secs())
            ),
            help: Some("raise --timeout, or check the network and the credential source".to_string()),
        }
    };
    let recorder = CallRecorder::default();
    let pacer = Pacer::new(options.pacing);
    let regions = [options.primary.clone(), options.dr.clone()];
    let ambient = sdk::ambient_config(&options.sdk, &options.primary).await;
    let plan = accounts::plan(&options.sdk);
    let mut sources = Vec::new();
    for (credentials, sides) in plan {
        let config = sdk::source_config(&options.sdk, &ambient, &credentials).await;
        let resolved = tokio::time::timeout_at(deadline, sdk::check_credentials(&config))
            .await
            .map_err(before_deadline("resolving credentials"))?;
        let (identities, credentials_failed) = match resolved {
            Err(message) => {
                let failure = accounts::unassumable(credentials.role_arn.as_deref(), &sides, &message);
                ([Err(failure.clone()), Err(failure)], Some(message))
            }
            Ok(()) => {
                let configs: Vec<SdkConfig> = regions.iter().map(|r| sdk::for_region(&config, r)).collect();
                let identities =
                    tokio::time::timeout_at(deadline, identify(&configs, &recorder, &pacer, &regions))
                        .await
                        .map_err(before_deadline("asking STS who the credentials belong to"))?;
                (identities, None)
            }
        };
        sources.push(accounts::Source::new(credentials, sides, config, identities, credentials_failed));
    }
    if !sources.iter().any(accounts::Source::readable) {
        // Nothing at all can be read (exit 3): say why for the primary side, as for one account.
        let primary = &sources[0];
        return Err(match &primary.credentials_failed {
            Some(message) => {
                let settings =
                    SdkSettings { role_arn: primary.credentials.role_arn.clone(), ..options.sdk.clone() };
                sdk::no_credentials(&settings, profile.as_ref(), message)
            }
            None => impossible(&regions, &primary.identities, options.sdk.endpoint_url.as_deref()),
        });
    }
    let of_side = |side: Side| accounts::source_of(&sources, side);
    let (primary_source, dr_source, dns_source) =
        (of_side(Side::Primary), of_side(Side::Dr), of_side(Side::Dns));
    let account = primary_source.account.clone();

    let mut collection_errors = Vec::new();
    let mut regional = BTreeMap::new();
    let pair = RegionPair { primary: options.primary.clone(), dr: options.dr.clone() };
    let global_region = pair.global_region();
    let region_sources = [primary_source, dr_source];
    let vault_holders = accounts::vault_holders(&sources, dr_source);
    // S3 publishes a replication rule's metrics in the destination's region, in the source
    // bucket's account: with the DR side in another account, the primary account's series in
    // the DR region are read as well.
    let source_account_metrics = primary_source.account != dr_source.account && primary_source.readable();
    let region_reachable =
        |i: usize| region_sources[i].readable() && !unreachable(&region_sources[i].identities[i]);
    let reachable = (0..2).filter(|&i| region_reachable(i)).count();
    // Read only when the DR region's buckets are: its tick is counted only then.
    let source_account_ticks = usize::from(source_account_metrics && region_reachable(1));
    // One tick per scope of each collected region, per global scope, per scope of the global
    // region's alarms when it is neither of the pair, and per backup scope of each account
    // whose DR-region vaults are read on their own.
    let monitoring_ticks = pair.extra_global_region().map_or(0, |_| MONITORING_SCOPES.len());
    let global_ticks = if dns_source.readable() { GLOBAL_SCOPES.len() + monitoring_ticks } else { 0 };
    let progress = Progress::new(
        options.progress,
        REGION_SCOPES.len() * reachable
            + global_ticks
            + VAULT_SCOPES.len() * vault_holders.len()
            + source_account_ticks,
    );
    let context = |source: &accounts::Source, region: &str| RegionCtx {
        region: region.to_string(),
        account: source.account.clone(),
        config: sdk::for_region(&source.config, if region == "global" { global_region } else { region }),
        recorder: recorder.clone(),
        pacer: pacer.clone(),
        concurrency: options.concurrency.max(1),
        collected_at,
        lag_window: options.lag_window,
        exercise_window: options.exercise_window,
        deadline,
        progress: progress.clone(),
    };
    let mut region_jobs = Vec::new();
    for (index, region) in regions.iter().enumerate() {
        let source = region_sources[index];
        match &source.identities[index] {
            Err(failure) if !source.readable() || unreachable(&source.identities[index]) => {
                // Unreachable, or its side's role could not be assumed: the region stays out
                // of the snapshot, which `listing_gap` reads as "every kind unknown there",
                // naming this error.
                let mut error = failure.listing(Some(region), ResourceKind::REGIONAL);
                if sources.len() > 1 {
                    error.account = Some(source.account.clone());
                }
                collection_errors.push(error);
            }
            _ => region_jobs.push(context(source, region)),
        }
    }
    let vault_jobs: Vec<RegionCtx> =
        vault_holders.iter().map(|source| context(source, &options.dr)).collect();
    for source in accounts::unreadable_vault_holders(&sources, dr_source) {
        if let [Err(failure), _] = &source.identities {
            let mut error = failure.listing(Some(&options.dr), backup::FILLS);
            error.account = Some(source.account.clone());
            collection_errors.push(error);
        }
    }

    // The global region's alarms (those on Route 53's health-check metrics live only there)
    // and their subscriptions, when the pair does not collect that region anyway.
    let dns_readable = dns_source.readable();
    let monitoring_ctx =
        pair.extra_global_region().filter(|_| dns_readable).map(|region| context(dns_source, region));
    // Route 53 is global; its API (and its metrics) live in the partition's global region.
    let global_ctx = context(dns_source, "global");
    let regional_futures = futures_util::future::join_all(region_jobs.iter().map(collect_region));
    let vault_futures = futures_util::future::join_all(vault_jobs.iter().map(collect_vaults));
    let global_future = async {
        if dns_readable {
            collect_global(&global_ctx).await
        } else {
            let mut part = Collected::<GlobalResources>::default();
            if let [Err(failure), _] = &dns_source.identities {
                part.errors.push(failure.listing(None, ResourceKind::GLOBAL));
            }
            part
        }
    };
    let monitoring_future = async {
        match &monitoring_ctx {
            Some(ctx) => Some(collect_monitoring(ctx).await),
            None => None,
        }
    };
    let (regional_parts, vault_parts, global_part, monitoring_part) =
        tokio::join!(regional_futures, vault_futures, global_future, monitoring_future);
    let several = sources.len() > 1;
    let Collected { resources: mut global, errors: mut global_errors } = global_part;
    global.sort_canonically();
    if several {
        accounts::attribute(&mut global_errors, &dns_source.account);
    }
    collection_errors.append(&mut global_errors);

    let mut region_parts: Vec<(&RegionCtx, RegionResources, Vec<CollectionError>)> = region_jobs
        .iter()
        .zip(regional_parts)
        .map(|(ctx, (resources, errors))| (ctx, resources, errors))
        .collect();
    if let (Some(ctx), Some(part)) = (&monitoring_ctx, monitoring_part) {
        region_parts.push((ctx, part.resources, part.errors));
    }
    for (ctx, mut resources, mut errors) in region_parts {
        if several {
            accounts::attribute(&mut errors, &ctx.account);
        }
        if !errors.is_empty() && !recorder.answered(&ctx.region) {
            // Nothing from this region answered at all: report it once, as unreachable.
            collection_errors.push(region_wide(&ctx.region, &errors));
            continue;
        }
        resources.sort_canonically();
        regional.insert(ctx.region.clone(), resources);
        collection_errors.append(&mut errors);
    }
    // Other accounts' DR-region vaults join the DR region's, told apart by their ARNs; when
    // the DR region itself could not be read they are left out, so that its absence still
    // reads as every kind unknown there.
    for (ctx, mut part) in vault_jobs.iter().zip(vault_parts) {
        accounts::attribute(&mut part.errors, &ctx.account);
        if let Some(dr) = regional.get_mut(&ctx.region) {
            dr.append(part.resources);
            dr.sort_canonically();
        }
        collection_errors.append(&mut part.errors);
    }
    if source_account_metrics && let Some(dr) = regional.get_mut(&options.dr) {
        let ctx = context(primary_source, &options.dr);
        let read = bucket_replication_metrics(&ctx, &dr.buckets).await;
        cloudwatch::add_s3_replication(&mut dr.buckets, read);
    }
    progress.finish();

    let snapshot = Snapshot {
        schema_version: SCHEMA_VERSION,
        drscan_version: env!("CARGO_PKG_VERSION").to_string(),
        account,
        accounts: sources.iter().map(accounts::Source::record).collect(),
        regions: pair,
        collected_at,
        resources: Resources { global, regional },
        collection_errors,
    };
    Ok(Collection {
        snapshot,
        calls: recorder.operations(),
        wall: started.elapsed(),
        buckets: pacer.usage(),
        progress: progress.count(),
    })
}

/// Who the credentials belong to, asked in the primary region; only when that fails is the DR
/// region asked too, so that "no region reachable" and "credentials rejected" are told apart.
async fn identify(
    configs: &[SdkConfig],
    recorder: &CallRecorder,
    pacer: &Pacer,
    regions: &[String; 2],
) -> [Result<String, Failure>; 2] {
    let primary_identity = caller_account(&configs[0], recorder, pacer, &regions[0]).await;
    let dr_identity = match &primary_identity {
        Ok(account) => Ok(account.clone()),
        Err(_) => caller_account(&configs[1], recorder, pacer, &regions[1]).await,
    };
    [primary_identity, dr_identity]
}

/// The DR-region vaults (and their recovery points and keys) of an account that holds no other
/// side there: a central backup account, or the primary account when the DR side is another.
async fn collect_vaults(ctx: &RegionCtx) -> Part {
    let part = ctx.bounded_by_deadline(&BACKUPS, backup::collect(ctx)).await;
    let keys = ctx.bounded_by_deadline(&KEYS, kms::collect(ctx, &part.resources)).await;
    merge(vec![part, keys])
}

/// One error for a region none of whose calls was answered, naming the operations that failed
/// (not whichever came first): the one when all failures were of one operation, else the
/// region, with every failed operation in the message.
fn region_wide(region: &str, errors: &[CollectionError]) -> CollectionError {
    let operations: BTreeSet<&str> = errors.iter().map(|e| e.operation.as_str()).collect();
    let first = &errors[0];
    // Nothing answered: every failure is a timeout or a connection failure.
    let cause =
        if errors.iter().all(|e| e.cause == first.cause) { first.cause } else { ErrorCause::Connectivity };
    let (operation, message) = match operations.len() {
        1 => (first.operation.clone(), first.message.clone()),
        n => (
            format!("every call to {region}"),
            format!(
                "none of {n} operations was answered ({}); {}: {}",
                operations.into_iter().collect::<Vec<_>>().join(", "),
                first.operation,
                first.message
            ),
        ),
    };
    CollectionError {
        region: Some(region.to_string()),
        operation,
        cause,
        message,
        kinds: ResourceKind::REGIONAL.to_vec(),
        resources: Vec::new(),
        account: first.account.clone(),
    }
}

/// Whether asking a region who we are found it unreachable (rather than rejecting us).
fn unreachable(identity: &Result<String, Failure>) -> bool {
    matches!(identity, Err(f) if matches!(f.cause, ErrorCause::Connectivity | ErrorCause::Timeout))
}

fn impossible(
    regions: &[String; 2],
    identities: &[Result<String, Failure>; 2],
    endpoint_url: Option<&str>,
) -> DrscanError {
    let failures: Vec<&Failure> = identities.iter().filter_map(|r| r.as_ref().err()).collect();
    let details = regions
        .iter()
        .zip(&failures)
        .map(|(region, f)| format!("{region}: {} ({}: {})", f.operation, f.cause, f.message))
        .collect::<Vec<_>>()
        .join("; ");
    if identities.iter().all(unreachable) {
        return DrscanError::CollectionImpossible {
            message: format!("no region is reachable — {details}"),
            help: Some("check the network, --endpoint-url and the region names".to_string()),
        };
    }
    // Only an AWS error code says AWS rejected the caller; a bare HTTP status (an HTML 404 or
    // 403 from a web server behind --endpoint-url) says the endpoint is not an AWS API.
    if failures.iter().any(|f| f.cause == ErrorCause::AccessDenied && f.aws_error_code) {
        return DrscanError::CollectionImpossible {
            message: format!("AWS rejected the credentials — {details}"),
            help: Some(
                "check the profile or keys; drscan needs the read-only policy in iam-policy.json".to_string(),
            ),
        };
    }
    let endpoint = endpoint_url
        .map(str::to_string)
        .or_else(|| std::env::var("AWS_ENDPOINT_URL_STS").ok())
        .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok());
    match endpoint {
        Some(endpoint) if failures.iter().all(|f| !f.aws_error_code) => DrscanError::CollectionImpossible {
            message: format!("{endpoint} does not answer as an AWS API does — {details}"),
            help: Some(format!(
                "drscan asks STS GetCallerIdentity first; is {endpoint} an AWS endpoint (or an emulator of one)?"
            )),
        },
        _ => DrscanError::CollectionImpossible {
            message: format!("sts:GetCallerIdentity failed in every region — {details}"),
            help: Some(
                "see the error above; drscan needs the read-only policy in iam-policy.json".to_string(),
            ),
        },
    }
}

async fn caller_account(
    config: &SdkConfig,
    recorder: &CallRecorder,
    pacer: &Pacer,
    region: &str,
) -> Result<String, Failure> {
    // The account is not known yet: these calls draw on a bucket of their own.
    let conf = aws_sdk_sts::config::Builder::from(config)
        .interceptor(recorder.interceptor(region))
        .interceptor(PacingInterceptor::new(pacer, "", region))
        .interceptor(CompletenessInterceptor)
        .retry_classifier(TooManyRequestsClassifier)
        .retry_classifier(IncompleteResponseClassifier)
        .build();
    let client = aws_sdk_sts::Client::from_conf(conf);
    let identity = client
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| Failure::from_sdk("sts:GetCallerIdentity", &e))?;
    Ok(identity.account().unwrap_or_default().to_string())
}

/// What a collector produced: resources (of one region, or Route 53's), and the listings
/// that failed.
#[derive(Debug, Default)]
pub(crate) struct Collected<R> {
    pub resources: R,
    pub errors: Vec<CollectionError>,
}

/// What one service collector produced in one region.
pub(crate) type Part = Collected<RegionResources>;

impl<R> Collected<R> {
    pub(crate) fn fail(&mut self, ctx: &RegionCtx, failure: &Failure, kinds: &[ResourceKind]) {
        self.errors.push(failure.listing(ctx.region_name(), kinds));
    }

    /// The pages of a listing; none when it failed, after recording the failure as the
    /// listing gap of `kinds` (which then stay empty, and unknown).
    pub(crate) fn listed<P>(
        &mut self,
        ctx: &RegionCtx,
        listing: Result<Vec<P>, Failure>,
        kinds: &[ResourceKind],
    ) -> Vec<P> {
        self.listed_or_none(ctx, listing, kinds).unwrap_or_default()
    }

    /// [`Self::listed`] for a collector with nothing left to do when the listing failed: `None`.
    pub(crate) fn listed_or_none<P>(
        &mut self,
        ctx: &RegionCtx,
        listing: Result<Vec<P>, Failure>,
        kinds: &[ResourceKind],
    ) -> Option<Vec<P>> {
        listing.map_err(|failure| self.fail(ctx, &failure, kinds)).ok()
    }
}

/// One region's (or Route 53's) collection context: config, recorder, limits.
#[derive(Clone)]
pub(crate) struct RegionCtx {
    pub region: String,
    pub account: String,
    pub config: SdkConfig,
    pub recorder: CallRecorder,
    pub pacer: Pacer,
    pub concurrency: usize,
    pub collected_at: DateTime<Utc>,
    pub lag_window: Duration,
    pub exercise_window: Duration,
    pub deadline: tokio::time::Instant,
    pub progress: Progress,
}

macro_rules! client {
    ($name:ident, $krate:ident) => {
        client!($name, $krate, |builder, _ctx| builder);
    };
    // `$tweak` adjusts the service's own builder (given the context) before the shared layers.
    ($name:ident, $krate:ident, |$builder:ident, $ctx:ident| $tweak:expr) => {
        pub(crate) fn $name(&self) -> $krate::Client {
            let $ctx = self;
            let $builder = $krate::config::Builder::from(&self.config);
            let conf = $tweak
                .interceptor(self.recorder.interceptor(&self.region))
                .interceptor(PacingInterceptor::new(&self.pacer, &self.account, &self.region))
                .interceptor(CompletenessInterceptor)
                .retry_classifier(TooManyRequestsClassifier)
                .retry_classifier(IncompleteResponseClassifier)
                .build();
            $krate::Client::from_conf(conf)
        }
    };
}

impl RegionCtx {
    client!(ec2, aws_sdk_ec2);
    client!(autoscaling, aws_sdk_autoscaling);
    client!(elbv2, aws_sdk_elasticloadbalancingv2);
    client!(elb, aws_sdk_elasticloadbalancing);
    client!(route53, aws_sdk_route53);
    client!(rds, aws_sdk_rds);
    client!(cloudwatch, aws_sdk_cloudwatch);
    client!(efs, aws_sdk_efs);
    client!(backup, aws_sdk_backup);
    client!(kms, aws_sdk_kms);
    client!(acm, aws_sdk_acm);
    client!(ssm, aws_sdk_ssm);
    client!(sns, aws_sdk_sns);
    client!(dynamodb, aws_sdk_dynamodb);
    client!(secretsmanager, aws_sdk_secretsmanager);
    client!(fis, aws_sdk_fis);
    client!(servicequotas, aws_sdk_servicequotas);

    // S3 path-style when an endpoint override is set: emulators and proxies behind one host
    // cannot answer bucket-named hosts.
    client!(s3, aws_sdk_s3, |builder, ctx| builder.force_path_style(ctx.config.endpoint_url().is_some()));

    /// `None` for the global (Route 53) context.
    pub(crate) fn region_name(&self) -> Option<&str> {
        (self.region != "global").then_some(self.region.as_str())
    }

    /// Run one scope's work under the whole-run deadline. Past it (or when it has already
    /// passed), the work is dropped and the timeout returned: the listing gaps of every kind
    /// the scope fills, and the reason, for what the scope would have added to others' resources.
    pub(crate) async fn before_deadline<T, F>(&self, scope: &Scope, work: F) -> Result<T, TimedOut>
    where
        F: Future<Output = T>,
    {
        let started = Instant::now();
        let result = if tokio::time::Instant::now() >= self.deadline {
            Err(())
        } else {
            tokio::time::timeout_at(self.deadline, work).await.map_err(|_| ())
        };
        tracing::debug!(
            region = %self.region,
            scope = scope.service,
            seconds = started.elapsed().as_secs_f64(),
            timed_out = result.is_err(),
            "collection scope done"
        );
        self.progress.tick(&format!("{} {}", self.region, scope.service));
        result.map_err(|()| {
            let failure = Failure::new(scope.service, ErrorCause::Timeout, "the whole-run timeout expired");
            TimedOut {
                errors: vec![failure.listing(self.region_name(), &scope.kinds())],
                reason: failure.reason(),
            }
        })
    }

    /// [`RegionCtx::before_deadline`] for work that yields resources: a timeout yields none,
    /// and the scope's listing gaps.
    pub(crate) async fn bounded_by_deadline<R, F>(&self, scope: &Scope, work: F) -> Collected<R>
    where
        R: Default,
        F: Future<Output = Collected<R>>,
    {
        match self.before_deadline(scope, work).await {
            Ok(part) => part,
            Err(timed_out) => Collected { resources: R::default(), errors: timed_out.errors },
        }
    }
}

/// A scope cut off by the whole-run deadline.
pub(crate) struct TimedOut {
    /// The listing gaps of the kinds the scope fills or adds to.
    pub errors: Vec<CollectionError>,
    /// The timeout, for the per-resource data the scope would have read.
    pub reason: crate::inventory::UnknownReason,
}

/// One unit of collection under the whole-run deadline — one service, or one stage of a
/// service that waits on another: the name its timeout is reported under, the `FILLS`
/// declarations of the collectors it runs (the kinds a timeout leaves unknown), and the kinds
/// another scope lists that it adds resources to (unknown too on a timeout). A scope that only
/// reads per-resource data (statuses, versions, parameter values) fills nothing; its timeout
/// marks those resources unknown.
pub(crate) struct Scope {
    pub service: &'static str,
    pub fills: &'static [&'static [ResourceKind]],
    pub adds_to: &'static [ResourceKind],
}

impl Scope {
    const fn new(service: &'static str, fills: &'static [&'static [ResourceKind]]) -> Self {
        Scope { service, fills, adds_to: &[] }
    }

    pub(crate) fn kinds(&self) -> Vec<ResourceKind> {
        self.fills
            .iter()
            .flat_map(|kinds| kinds.iter().copied())
            .chain(self.adds_to.iter().copied())
            .collect()
    }
}

const EC2: Scope = Scope::new("ec2", &[ec2::FILLS]);
const AUTOSCALING: Scope = Scope::new("autoscaling", &[autoscaling::FILLS]);
const TEMPLATE_VERSIONS: Scope = Scope::new("ec2 launch template versions", &[ec2::VERSION_FILLS]);
const PARAMETERS: Scope = Scope::new("ssm", &[ssm::FILLS]);
const LAUNCH_DEPENDENCIES: Scope = Scope {
    service: "ec2 launch dependencies",
    fills: &[ec2::DEPENDENCY_FILLS],
    // The AMIs templates name that the account does not own.
    adds_to: &[ResourceKind::Image],
};
const INSTANCE_TYPES: Scope = Scope::new("ec2 instance types", &[instance_types::FILLS]);
const QUOTAS: Scope = Scope::new("servicequotas", &[servicequotas::FILLS]);
const SNAPSHOT_KEYS: Scope = Scope::new("ec2 AMI snapshot keys", &[]);
const LOAD_BALANCING: Scope = Scope::new("elbv2", &[elbv2::FILLS]);
const CLASSIC_LOAD_BALANCING: Scope = Scope { service: "elb", fills: &[], adds_to: elb::ADDS_TO };
const CERTIFICATES: Scope = Scope::new("acm", &[acm::FILLS]);
const DATABASES: Scope = Scope::new("rds", &[rds::FILLS]);
const REPLICA_LAG: Scope = Scope::new("cloudwatch replica lag", &[cloudwatch::LAG_FILLS]);
const ALARMS: Scope = Scope::new("cloudwatch", &[cloudwatch::ALARM_FILLS]);
const SUBSCRIPTIONS: Scope = Scope::new("sns", &[sns::FILLS]);
const FILES: Scope = Scope::new("efs", &[efs::FILLS]);
const BUCKETS: Scope = Scope::new("s3", &[s3::FILLS]);
const BUCKET_REPLICATION_METRICS: Scope = Scope::new("cloudwatch s3 replication metrics", &[]);
const TABLES: Scope = Scope::new("dynamodb", &[dynamodb::FILLS]);
const TABLE_REPLICATION_LATENCY: Scope = Scope::new("cloudwatch dynamodb replication latency", &[]);
const SECRETS: Scope = Scope::new("secretsmanager", &[secretsmanager::FILLS]);
const BACKUPS: Scope = Scope::new("backup", &[backup::FILLS]);
const RESTORE_JOBS: Scope = Scope::new("backup restore jobs", &[restore_jobs::FILLS]);
const EXPERIMENTS: Scope = Scope::new("fis", &[fis::FILLS]);
const KEYS: Scope = Scope::new("kms", &[kms::FILLS]);
const ROUTE53: Scope = Scope::new("route53", &[route53::FILLS]);
const HEALTH_METRIC: Scope = Scope::new("cloudwatch health-check status", &[]);
const HEALTH_CHECKERS: Scope = Scope::new("route53 health-check status", &[]);

/// Every scope [`collect_region`] runs, once each: the progress total counts them.
const REGION_SCOPES: &[&Scope] = &[
    &EC2,
    &AUTOSCALING,
    &TEMPLATE_VERSIONS,
    &PARAMETERS,
    &LAUNCH_DEPENDENCIES,
    &INSTANCE_TYPES,
    &QUOTAS,
    &SNAPSHOT_KEYS,
    &LOAD_BALANCING,
    &CLASSIC_LOAD_BALANCING,
    &CERTIFICATES,
    &DATABASES,
    &REPLICA_LAG,
    &ALARMS,
    &SUBSCRIPTIONS,
    &FILES,
    &BUCKETS,
    &BUCKET_REPLICATION_METRICS,
    &TABLES,
    &TABLE_REPLICATION_LATENCY,
    &SECRETS,
    &BACKUPS,
    &RESTORE_JOBS,
    &EXPERIMENTS,
    &KEYS,
];

/// Every scope [`collect_vaults`] runs, once each.
const VAULT_SCOPES: &[&Scope] = &[&BACKUPS, &KEYS];

/// Every scope [`collect_monitoring`] runs, once each: a subset of [`REGION_SCOPES`].
const MONITORING_SCOPES: &[&Scope] = &[&ALARMS, &SUBSCRIPTIONS];

/// Every scope [`collect_global`] runs, once each.
const GLOBAL_SCOPES: &[&Scope] = &[&ROUTE53, &HEALTH_METRIC, &HEALTH_CHECKERS];

// Every kind is filled by exactly one scope of its own side, so that a timeout can never leave
// a kind empty and fully listed; a scope adds only to kinds of its side that another scope
// fills. A kind added to the inventory's table without a collector scope stops the build here,
// naming the kind.
const _: () = exactly_one_scope_fills_each(ResourceKind::REGIONAL, REGION_SCOPES);
const _: () = exactly_one_scope_fills_each(ResourceKind::GLOBAL, GLOBAL_SCOPES);

const fn exactly_one_scope_fills_each(kinds: &[ResourceKind], scopes: &[&Scope]) {
    let mut k = 0;
    while k < kinds.len() {
        match times_filled(kinds[k], scopes) {
            0 => {
                let kind_filled_by_no_collector_scope = kinds[k].as_str();
                panic!("{}", kind_filled_by_no_collector_scope);
            }
            1 => {}
            _ => {
                let kind_filled_by_more_than_one_scope = kinds[k].as_str();
                panic!("{}", kind_filled_by_more_than_one_scope);
            }
        }
        k += 1;
    }
    let mut s = 0;
    while s < scopes.len() {
        let mut f = 0;
        while f < scopes[s].fills.len() {
            let fills = scopes[s].fills[f];
            let mut i = 0;
            while i < fills.len() {
                if !contains(kinds, fills[i]) {
                    let kind_of_the_other_side_or_uncollected = fills[i].as_str();
                    panic!("{}", kind_of_the_other_side_or_uncollected);
                }
                i += 1;
            }
            f += 1;
        }
        let mut a = 0;
        while a < scopes[s].adds_to.len() {
            let added = scopes[s].adds_to[a];
            let mut filled_here = false;
            let mut f = 0;
            while f < scopes[s].fills.len() {
                filled_here = filled_here || contains(scopes[s].fills[f], added);
                f += 1;
            }
            if !contains(kinds, added) || filled_here {
                let kind_added_to_but_of_the_other_side_or_filled_by_the_same_scope = added.as_str();
                panic!("{}", kind_added_to_but_of_the_other_side_or_filled_by_the_same_scope);
            }
            a += 1;
        }
        s += 1;
    }
}

/// How many of `scopes` fill `kind` (`const`, so that the check above runs at compile time).
const fn times_filled(kind: ResourceKind, scopes: &[&Scope]) -> usize {
    let mut count = 0;
    let mut s = 0;
    while s < scopes.len() {
        let mut f = 0;
        while f < scopes[s].fills.len() {
            if contains(scopes[s].fills[f], kind) {
                count += 1;
            }
            f += 1;
        }
        s += 1;
    }
    count
}

const fn contains(kinds: &[ResourceKind], kind: ResourceKind) -> bool {
    let mut i = 0;
    while i < kinds.len() {
        if kinds[i] as usize == kind as usize {
            return true;
        }
        i += 1;
    }
    false
}

/// One region: every service at once; follow-ups wait only on what they need, each under its
/// own scope, so what a finished service read survives another's timeout.
async fn collect_region(ctx: &RegionCtx) -> (RegionResources, Vec<CollectionError>) {
    let compute = collect_compute(ctx);
    let load_balancing = async {
        let (v2, classic) = tokio::join!(
            ctx.bounded_by_deadline(&LOAD_BALANCING, elbv2::collect(ctx)),
            ctx.bounded_by_deadline(&CLASSIC_LOAD_BALANCING, elb::collect(ctx)),
        );
        let mut part = merge(vec![v2, classic]);
        let certificates =
            ctx.bounded_by_deadline(&CERTIFICATES, acm::collect(ctx, &part.resources.listeners)).await;
        part = merge(vec![part, certificates]);
        part
    };
    let databases = async {
        let part = ctx.bounded_by_deadline(&DATABASES, rds::collect(ctx)).await;
        let lag = ctx.bounded_by_deadline(&REPLICA_LAG, cloudwatch::collect_lag(ctx, &part.resources)).await;
        merge(vec![part, lag])
    };
    let alarms = collect_monitoring(ctx);
    let files = ctx.bounded_by_deadline(&FILES, efs::collect(ctx));
    let backups = ctx.bounded_by_deadline(&BACKUPS, backup::collect(ctx));
    let secrets = ctx.bounded_by_deadline(&SECRETS, secretsmanager::collect(ctx));
    // The data stores beside the database, and the evidence that failover was exercised.
    let beside = async {
        let (buckets, tables, exercises) =
            tokio::join!(collect_buckets(ctx), collect_tables(ctx), collect_exercises(ctx));
        merge(vec![buckets, tables, exercises])
    };
    let (compute, load_balancing, databases, alarms, files, backups, beside, secrets) =
        tokio::join!(compute, load_balancing, databases, alarms, files, backups, beside, secrets);
    let mut part = merge(vec![compute, load_balancing, databases, alarms, files, backups, beside, secrets]);
    // KMS keys last: which keys matter is only known once everything that uses one is read.
    let keys = ctx.bounded_by_deadline(&KEYS, kms::collect(ctx, &part.resources)).await;
    part = merge(vec![part, keys]);
    (part.resources, part.errors)
}

/// CloudWatch alarms and SNS subscriptions at once: what failover automation starts from. Also
/// all that is read of the partition's global region when it is neither of the pair.
async fn collect_monitoring(ctx: &RegionCtx) -> Part {
    let (alarms, subscriptions) = tokio::join!(
        ctx.bounded_by_deadline(&ALARMS, cloudwatch::collect_alarms(ctx)),
        ctx.bounded_by_deadline(&SUBSCRIPTIONS, sns::collect(ctx)),
    );
    merge(vec![alarms, subscriptions])
}

/// EC2 and Auto Scaling at once; then the versions of the templates the groups launch, the
/// `resolve:ssm:` parameters those name, what the launches depend on, the launched instance
/// types' vCPUs and vCPU quotas, and the keys of the launched AMIs' snapshots.
async fn collect_compute(ctx: &RegionCtx) -> Part {
    let (mut ec2_part, groups) = tokio::join!(
        ctx.bounded_by_deadline(&EC2, ec2::collect(ctx)),
        ctx.bounded_by_deadline(&AUTOSCALING, autoscaling::collect(ctx)),
    );
    let asgs = &groups.resources.auto_scaling_groups;
    let templates = &ec2_part.resources.launch_templates;
    let launched = ec2::launched_templates(templates, asgs);
    let versions =
        ctx.before_deadline(&TEMPLATE_VERSIONS, ec2::template_versions(ctx, templates, asgs)).await;
    let versions = versions.map_err(|timed_out| {
        ec2_part.errors.extend(timed_out.errors);
        timed_out.reason
    });
    ec2::apply_template_versions(&mut ec2_part.resources.launch_templates, versions, &launched);

    let templates = &ec2_part.resources.launch_templates;
    let parameters =
        ctx.before_deadline(&PARAMETERS, ssm::resolve(ctx, ssm::referenced_parameters(templates))).await;
    let values = match parameters {
        Ok(resolved) => {
            ec2_part.resources.parameters = resolved.parameters;
            ec2_part.errors.extend(resolved.errors);
            Ok(resolved.values)
        }
        Err(timed_out) => {
            ec2_part.errors.extend(timed_out.errors);
            Err(timed_out.reason)
        }
    };
    ssm::apply(&mut ec2_part.resources.launch_templates, values);

    let dependencies = ctx
        .bounded_by_deadline(&LAUNCH_DEPENDENCIES, ec2::launch_dependencies(ctx, &ec2_part.resources, asgs))
        .await;
    let mut part = merge(vec![ec2_part, groups, dependencies]);
    // What a scale-out draws on: the launched types' vCPUs and the quotas of their families.
    let (types, quotas) = tokio::join!(
        ctx.bounded_by_deadline(&INSTANCE_TYPES, instance_types::collect(ctx, &part.resources)),
        ctx.bounded_by_deadline(&QUOTAS, servicequotas::collect(ctx, &part.resources)),
    );
    part = merge(vec![part, types, quotas]);
    let keys = ctx.before_deadline(&SNAPSHOT_KEYS, ec2::snapshot_keys(ctx, &part.resources)).await;
    ec2::apply_snapshot_keys(&mut part.resources.images, keys.map_err(|timed_out| timed_out.reason));
    part
}

/// S3 buckets; then the replication metrics S3 publishes here for rules replicating into them.
async fn collect_buckets(ctx: &RegionCtx) -> Part {
    let mut part = ctx.bounded_by_deadline(&BUCKETS, s3::collect(ctx)).await;
    let metrics = bucket_replication_metrics(ctx, &part.resources.buckets).await;
    cloudwatch::apply_s3_replication(&mut part.resources.buckets, metrics);
    part
}

/// The S3 replication metrics `ctx`'s account has in its region for rules replicating into
/// `buckets`, or why they could not be read.
async fn bucket_replication_metrics(
    ctx: &RegionCtx,
    buckets: &[Bucket],
) -> Result<HashMap<String, Vec<IncomingReplication>>, UnknownReason> {
    match ctx.before_deadline(&BUCKET_REPLICATION_METRICS, cloudwatch::s3_replication(ctx, buckets)).await {
        Ok(read) => read.map_err(|failure| failure.reason()),
        Err(timed_out) => Err(timed_out.reason),
    }
}

/// DynamoDB tables; then the replication latency from each to its active replicas.
async fn collect_tables(ctx: &RegionCtx) -> Part {
    let mut part = ctx.bounded_by_deadline(&TABLES, dynamodb::collect(ctx)).await;
    let tables = &part.resources.tables;
    let latency = ctx
        .before_deadline(&TABLE_REPLICATION_LATENCY, cloudwatch::table_replication_latency(ctx, tables))
        .await
        .map_err(|timed_out| timed_out.reason);
    cloudwatch::apply_table_latency(&mut part.resources.tables, latency, cloudwatch::lag_window(ctx));
    part
}

/// AWS Backup's restore tests and AWS FIS's experiments, at once.
async fn collect_exercises(ctx: &RegionCtx) -> Part {
    let (restores, experiments) = tokio::join!(
        ctx.bounded_by_deadline(&RESTORE_JOBS, restore_jobs::collect(ctx)),
        ctx.bounded_by_deadline(&EXPERIMENTS, fis::collect(ctx)),
    );
    merge(vec![restores, experiments])
}

/// Route 53; then the status of the health checks failover records use: the metric's where it
/// has data, the checkers' (GetHealthCheckStatus, a burst of 4 then one per second) elsewhere.
async fn collect_global(ctx: &RegionCtx) -> Collected<GlobalResources> {
    let mut part = ctx.bounded_by_deadline(&ROUTE53, route53::collect(ctx)).await;
    let in_use = route53::checks_in_use(&part.resources);
    let metric =
        match ctx.before_deadline(&HEALTH_METRIC, cloudwatch::health_check_status(ctx, &in_use)).await {
            Ok(read) => read.map_err(|failure| failure.reason()),
            Err(timed_out) => Err(timed_out.reason),
        };
    let mut statuses: BTreeMap<String, Known<HealthCheckStatus>> = BTreeMap::new();
    let mut ask_checkers = Vec::new();
    for check in part.resources.health_checks.iter().filter(|c| in_use.contains(&c.id)) {
        match &metric {
            Ok(read) if read.contains_key(&check.id) => {
                statuses.insert(check.id.clone(), Known::Value(read[&check.id].clone()));
            }
            _ if route53::has_checkers(check) => ask_checkers.push(check.id.clone()),
            Err(reason) => {
                statuses.insert(check.id.clone(), Known::Unknown(reason.clone()));
            }
            Ok(_) => {
                let reason = Failure::new(
                    "cloudwatch:GetMetricData",
                    ErrorCause::Unresolvable,
                    format!(
                        "{} health checks report no checker status, and the HealthCheckStatus metric has no recent data",
                        check.check_type
                    ),
                );
                statuses.insert(check.id.clone(), Known::Unknown(reason.reason()));
            }
        }
    }
    let asked: BTreeSet<String> = ask_checkers.iter().cloned().collect();
    match ctx.before_deadline(&HEALTH_CHECKERS, route53::checker_status(ctx, ask_checkers)).await {
        Ok(read) => statuses.extend(read),
        Err(timed_out) => {
            statuses.extend(asked.into_iter().map(|id| (id, Known::Unknown(timed_out.reason.clone()))))
        }
    }
    for check in &mut part.resources.health_checks {
        if let Some(status) = statuses.remove(&check.id) {
            check.status = status;
        }
    }
    part
}

fn merge(parts: Vec<Part>) -> Part {
    let mut out = Part::default();
    for part in parts {
        out.resources.append(part.resources);
        out.errors.extend(part.errors);
    }
    out
}

/// Drain an SDK paginator page by page. The SDK's own duplicate-token check ends the stream
/// silently, which would turn an endless listing into a truncated one that looks complete;
/// here a token seen before is an error (moto repeats pages forever with small page sizes).
pub(crate) async fn pages<O, E>(
    operation: &'static str,
    mut stream: PaginationStream<Result<O, SdkError<E, HttpResponse>>>,
    next_token: impl Fn(&O) -> Option<&str>,
) -> Result<Vec<O>, Failure>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    while let Some(page) = stream.next().await {
        let page = page.map_err(|e| Failure::from_sdk(operation, &e))?;
        let token = next_token(&page).filter(|t| !t.is_empty()).map(str::to_string);
        out.push(page);
        if let Some(token) = token
            && !seen.insert(token)
        {
            return Err(token_stuck(operation));
        }
    }
    Ok(out)
}

pub(crate) fn token_stuck(operation: &'static str) -> Failure {
    Failure::new(
        operation,
        ErrorCause::Other,
        "the pagination token did not advance; listing stopped to avoid an endless loop",
    )
}

/// Run per-resource follow-ups with at most `limit` in flight, keeping input order.
pub(crate) async fn bounded<T, F, Fut>(items: Vec<T>, limit: usize, f: F) -> Vec<Fut::Output>
where
    F: FnMut(T) -> Fut,
    Fut: Future,
{
    futures_util::stream::iter(items.into_iter().map(f)).buffered(limit.max(1)).collect().await
}

/// Tags of `ids`, `per_call` at a time (`read` answers one call with (id, tags) pairs). A call
/// that fails leaves the tags of its ids unknown, and only theirs.
pub(crate) async fn tags_in_chunks<F, Fut>(
    ids: Vec<String>,
    per_call: usize,
    concurrency: usize,
    read: F,
) -> HashMap<String, Known<Tags>>
where
    F: FnMut(Vec<String>) -> Fut,
    Fut: Future<Output = Result<Vec<(String, Tags)>, Failure>>,
{
    let chunks: Vec<Vec<String>> = ids.chunks(per_call.max(1)).map(<[String]>::to_vec).collect();
    let results = bounded(chunks.clone(), concurrency, read).await;
    let mut out = HashMap::new();
    for (chunk, result) in chunks.into_iter().zip(results) {
        match result {
            Ok(pairs) => {
                out.extend(chunk.into_iter().map(|id| (id, Known::Value(Tags::new()))));
                out.extend(pairs.into_iter().map(|(id, tags)| (id, Known::Value(tags))));
            }
            Err(failure) => out.extend(chunk.into_iter().map(|id| (id, Known::Unknown(failure.reason())))),
        }
    }
    out
}

/// A resource's tags from [`tags_in_chunks`], and why they are missing if they are.
pub(crate) fn take_tags(
    tags: &mut HashMap<String, Known<Tags>>,
    id: &str,
) -> (Tags, Option<crate::inventory::UnknownReason>) {
    match tags.remove(id) {
        Some(Known::Value(tags)) => (tags, None),
        Some(Known::Unknown(reason)) => (Tags::new(), Some(reason)),
        None => (Tags::new(), None),
    }
}

pub(crate) fn tags<'a>(pairs: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>) -> Tags {
    pairs.into_iter().filter_map(|(k, v)| Some((k?.to_string(), v.unwrap_or_default().to_string()))).collect()
}

pub(crate) fn rfc3339(text: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text?).ok().map(|t| t.with_timezone(&Utc))
}

pub(crate) fn smithy_time(time: Option<&aws_smithy_types::DateTime>) -> Option<DateTime<Utc>> {
    let time = time?;
    DateTime::from_timestamp(time.secs(), time.subsec_nanos())
}

pub(crate) fn to_u32(value: Option<i32>) -> u32 {
    value.and_then(|v| u32::try_from(v).ok()).unwrap_or_default()
}

/// The progress bar: one tick per finished scope and region, drawn only on a terminal; the
/// ticks are counted either way.
#[derive(Clone)]
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    ticked: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Progress {
    /// `total`: how many scopes will tick.
    fn new(enabled: bool, total: usize) -> Self {
        let ticked = std::sync::Arc::default();
        if !enabled || !std::io::stderr().is_terminal() {
            return Progress { bar: None, total, ticked };
        }
        let length = u64::try_from(total).unwrap_or(u64::MAX);
        let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} collecting [{bar:30}] {pos}/{len} {msg}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar: Some(bar), total, ticked }
    }

    fn count(&self) -> ProgressCount {
        ProgressCount { total: self.total, ticked: self.ticked.load(std::sync::atomic::Ordering::Relaxed) }
    }

    pub(crate) fn tick(&self, message: &str) {
        self.ticked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(message.to_string());
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A KMS key reference as AWS returns it (key ARN, alias, key ID or multi-Region key ID), or
/// `None` for anything else: emulators fill the field with placeholders such as
/// `default_kms_key_id`, which name no key the KMS rules could check.
pub(crate) fn kms_key_reference(id: &str) -> Option<String> {
    let id = id.trim();
    let uuid = id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    let looks_like_key =
        id.starts_with("arn:aws") || id.starts_with("alias/") || id.starts_with("mrk-") || uuid;
    looks_like_key.then(|| id.to_string())
}

#[cfg(test)]
mod kms_reference_tests {
    use super::kms_key_reference;

    #[test]
    fn only_real_key_references_are_kept() {
        let arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assert_eq!(kms_key_reference(arn).as_deref(), Some(arn));
        assert!(kms_key_reference("1234abcd-12ab-34cd-56ef-1234567890ab").is_some());
        assert!(kms_key_reference("alias/aws/rds").is_some());
        assert!(kms_key_reference("mrk-1234abcd12ab34cd56ef1234567890ab").is_some());
        assert_eq!(kms_key_reference("default_kms_key_id"), None);
    }
}
