//! Live collection: both regions and Route 53, every service at once, into a
//! [`Snapshot`] exactly as the offline path reads it. This module owns the orchestration (which
//! calls wait on which), the shared helpers (pagination guard, bounded follow-ups, conversions)
//! and the outcome rules: one unreachable region still yields the other, none is exit 3.
//!
//! One file per service turns that service's SDK responses into inventory types; no SDK type
//! leaves this module.

pub mod errors;
pub mod sdk;

mod acm;
mod autoscaling;
mod backup;
mod cloudwatch;
mod ec2;
mod efs;
mod elbv2;
mod kms;
mod rds;
mod route53;

use crate::error::DrscanError;
use crate::inventory::snapshot::SCHEMA_VERSION;
use crate::inventory::{
    CollectionError, ErrorCause, GlobalResources, RegionPair, RegionResources, ResourceKind, Resources,
    Snapshot, Tags,
};
use aws_smithy_async::future::pagination_stream::PaginationStream;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::SdkConfig;
use chrono::{DateTime, Utc};
use errors::Failure;
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sdk::{CallRecorder, OperationStats, SdkSettings};
use std::collections::{BTreeMap, HashSet};
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
    /// How far back replica-lag metrics are read.
    pub lag_window: Duration,
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
            lag_window: Duration::from_secs(3600),
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
}

impl Collection {
    pub fn total_requests(&self) -> u64 {
        self.calls.values().map(|s| s.requests).sum()
    }

    pub fn total_latency(&self) -> Duration {
        self.calls.values().map(|s| s.latency).sum()
    }
}

/// Collect on a fresh multi-threaded runtime (the CLI's entry point).
pub fn collect_blocking(options: &CollectOptions) -> Result<Collection, DrscanError> {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| {
            DrscanError::CollectionImpossible {
                message: format!("cannot start the async runtime: {e}"),
                help: None,
            }
        })?;
    runtime.block_on(collect(options))
}

/// Collect both regions and Route 53.
pub async fn collect(options: &CollectOptions) -> Result<Collection, DrscanError> {
    let started = Instant::now();
    let collected_at = Utc::now();
    let deadline = crate::time::deadline(tokio::time::Instant::now(), options.run_timeout);
    let base = sdk::base_config(&options.sdk, &options.primary).await;
    if let Err(message) = sdk::check_credentials(&base).await {
        return Err(DrscanError::CollectionImpossible {
            message: format!("no AWS credentials: {message}"),
            help: Some(
                "set AWS_PROFILE or --profile, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where an instance or SSO role is available"
                    .to_string(),
            ),
        });
    }
    let recorder = CallRecorder::default();
    let progress = Progress::new(options.progress);

    // Who we are, asked in the primary region; only when that fails is the DR region asked
    // too, so that "no region reachable" and "credentials rejected" are told apart.
    let regions = [options.primary.clone(), options.dr.clone()];
    let configs: Vec<SdkConfig> = regions.iter().map(|r| sdk::for_region(&base, r)).collect();
    let primary_identity = caller_account(&configs[0], &recorder, &regions[0]).await;
    let dr_identity = match &primary_identity {
        Ok(account) => Ok(account.clone()),
        Err(_) => caller_account(&configs[1], &recorder, &regions[1]).await,
    };
    let identities = [primary_identity, dr_identity];
    let account = match identities.iter().find_map(|r| r.as_ref().ok()) {
        Some(account) => account.clone(),
        None => return Err(impossible(&regions, &identities)),
    };

    let mut collection_errors = Vec::new();
    let mut regional = BTreeMap::new();
    let mut region_jobs = Vec::new();
    for (index, region) in regions.iter().enumerate() {
        match &identities[index] {
            Err(failure) if matches!(failure.cause, ErrorCause::Connectivity | ErrorCause::Timeout) => {
                // Unreachable: the region stays out of the snapshot, which `listing_gap` reads
                // as "every kind unknown there", naming this error.
                collection_errors.push(failure.listing(Some(region), ResourceKind::REGIONAL));
            }
            _ => {
                let ctx = RegionCtx {
                    region: region.clone(),
                    account: account.clone(),
                    config: configs[index].clone(),
                    recorder: recorder.clone(),
                    concurrency: options.concurrency.max(1),
                    collected_at,
                    lag_window: options.lag_window,
                    deadline,
                    progress: progress.clone(),
                };
                region_jobs.push(ctx);
            }
        }
    }

    let global_ctx = RegionCtx {
        region: "global".to_string(),
        account: account.clone(),
        // Route 53 is global; its API lives in us-east-1.
        config: sdk::for_region(&base, "us-east-1"),
        recorder: recorder.clone(),
        concurrency: options.concurrency.max(1),
        collected_at,
        lag_window: options.lag_window,
        deadline,
        progress: progress.clone(),
    };
    let regional_futures = futures_util::future::join_all(region_jobs.iter().map(collect_region));
    let (regional_parts, global_part) = tokio::join!(regional_futures, route53::collect(&global_ctx));
    let (global, mut global_errors) = global_part;
    collection_errors.append(&mut global_errors);

    let region_parts: Vec<(String, RegionResources, Vec<CollectionError>)> = region_jobs
        .iter()
        .zip(regional_parts)
        .map(|(ctx, (resources, errors))| (ctx.region.clone(), resources, errors))
        .collect();
    for (region, mut resources, mut errors) in region_parts {
        if !errors.is_empty() && !recorder.answered(&region) {
            // Nothing from this region answered at all: report it once, as unreachable.
            let first = errors.remove(0);
            collection_errors.push(CollectionError { kinds: ResourceKind::REGIONAL.to_vec(), ..first });
            continue;
        }
        sort_region(&mut resources);
        regional.insert(region, resources);
        collection_errors.append(&mut errors);
    }
    progress.finish();

    let snapshot = Snapshot {
        schema_version: SCHEMA_VERSION,
        drscan_version: env!("CARGO_PKG_VERSION").to_string(),
        account,
        regions: RegionPair { primary: options.primary.clone(), dr: options.dr.clone() },
        collected_at,
        resources: Resources { global, regional },
        collection_errors,
    };
    Ok(Collection { snapshot, calls: recorder.operations(), wall: started.elapsed() })
}

fn impossible(regions: &[String; 2], identities: &[Result<String, Failure>; 2]) -> DrscanError {
    let failures: Vec<&Failure> = identities.iter().filter_map(|r| r.as_ref().err()).collect();
    let details = regions
        .iter()
        .zip(&failures)
        .map(|(region, f)| format!("{region}: {} ({}: {})", f.operation, f.cause, f.message))
        .collect::<Vec<_>>()
        .join("; ");
    let unreachable =
        failures.iter().all(|f| matches!(f.cause, ErrorCause::Connectivity | ErrorCause::Timeout));
    if unreachable {
        DrscanError::CollectionImpossible {
            message: format!("no region is reachable — {details}"),
            help: Some("check the network, --endpoint-url and the region names".to_string()),
        }
    } else {
        DrscanError::CollectionImpossible {
            message: format!("AWS rejected the credentials — {details}"),
            help: Some(
                "check the profile or keys; drscan needs the read-only policy in iam-policy.json".to_string(),
            ),
        }
    }
}

async fn caller_account(
    config: &SdkConfig,
    recorder: &CallRecorder,
    region: &str,
) -> Result<String, Failure> {
    let conf = aws_sdk_sts::config::Builder::from(config).interceptor(recorder.interceptor(region)).build();
    let client = aws_sdk_sts::Client::from_conf(conf);
    let identity = client
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| Failure::from_sdk("sts:GetCallerIdentity", &e))?;
    Ok(identity.account().unwrap_or_default().to_string())
}

/// What one service collector produced in one region.
#[derive(Debug, Default)]
pub(crate) struct Part {
    pub resources: RegionResources,
    pub errors: Vec<CollectionError>,
}

impl Part {
    pub fn fail(&mut self, ctx: &RegionCtx, failure: &Failure, kinds: &[ResourceKind]) {
        self.errors.push(failure.listing(ctx.region_name(), kinds));
    }
}

/// One region's (or Route 53's) collection context: config, recorder, limits.
#[derive(Clone)]
pub(crate) struct RegionCtx {
    pub region: String,
    pub account: String,
    pub config: SdkConfig,
    pub recorder: CallRecorder,
    pub concurrency: usize,
    pub collected_at: DateTime<Utc>,
    pub lag_window: Duration,
    pub deadline: tokio::time::Instant,
    pub progress: Progress,
}

macro_rules! client {
    ($name:ident, $krate:ident) => {
        pub fn $name(&self) -> $krate::Client {
            let conf = $krate::config::Builder::from(&self.config)
                .interceptor(self.recorder.interceptor(&self.region))
                .build();
            $krate::Client::from_conf(conf)
        }
    };
}

impl RegionCtx {
    client!(ec2, aws_sdk_ec2);
    client!(autoscaling, aws_sdk_autoscaling);
    client!(elbv2, aws_sdk_elasticloadbalancingv2);
    client!(route53, aws_sdk_route53);
    client!(rds, aws_sdk_rds);
    client!(cloudwatch, aws_sdk_cloudwatch);
    client!(efs, aws_sdk_efs);
    client!(backup, aws_sdk_backup);
    client!(kms, aws_sdk_kms);
    client!(acm, aws_sdk_acm);
    client!(ssm, aws_sdk_ssm);

    /// `None` for the global (Route 53) context.
    pub fn region_name(&self) -> Option<&str> {
        (self.region != "global").then_some(self.region.as_str())
    }

    /// Run one service's collection under the whole-run deadline; past it, its kinds are
    /// recorded as timed out instead of the run hanging.
    pub async fn bounded_by_deadline<F>(&self, service: &'static str, kinds: &[ResourceKind], work: F) -> Part
    where
        F: Future<Output = Part>,
    {
        let part = match tokio::time::timeout_at(self.deadline, work).await {
            Ok(part) => part,
            Err(_) => {
                let failure = Failure::new(service, ErrorCause::Timeout, "the whole-run timeout expired");
                Part {
                    resources: RegionResources::default(),
                    errors: vec![failure.listing(self.region_name(), kinds)],
                }
            }
        };
        self.progress.tick(&format!("{} {service}", self.region));
        part
    }
}

/// One region: every service at once; follow-ups wait only on what they need.
async fn collect_region(ctx: &RegionCtx) -> (RegionResources, Vec<CollectionError>) {
    use ResourceKind as K;
    let compute = ctx.bounded_by_deadline(
        "ec2+autoscaling",
        &[K::Image, K::LaunchTemplate, K::LaunchTemplateVersion, K::AutoScalingGroup, K::ScalingPolicy],
        async {
            let (mut ec2_part, asg_part) = tokio::join!(ec2::collect(ctx), autoscaling::collect(ctx));
            ec2::follow_up(ctx, &mut ec2_part, &asg_part.resources).await;
            merge(vec![ec2_part, asg_part])
        },
    );
    let load_balancing = ctx.bounded_by_deadline(
        "elbv2+acm",
        &[K::LoadBalancer, K::Listener, K::TargetGroup, K::Certificate],
        async {
            let mut part = elbv2::collect(ctx).await;
            acm::collect(ctx, &mut part).await;
            part
        },
    );
    let databases = ctx.bounded_by_deadline(
        "rds+cloudwatch",
        &[K::DbInstance, K::DbCluster, K::GlobalCluster, K::MetricSeries],
        async {
            let mut part = rds::collect(ctx).await;
            cloudwatch::collect_lag(ctx, &mut part).await;
            part
        },
    );
    let alarms = ctx.bounded_by_deadline("cloudwatch", &[K::Alarm], cloudwatch::collect_alarms(ctx));
    let files = ctx.bounded_by_deadline("efs", &[K::FileSystem], efs::collect(ctx));
    let backups = ctx.bounded_by_deadline(
        "backup",
        &[K::BackupPlan, K::BackupSelection, K::BackupVault, K::RecoveryPoint],
        backup::collect(ctx),
    );
    let (compute, load_balancing, databases, alarms, files, backups) =
        tokio::join!(compute, load_balancing, databases, alarms, files, backups);
    let mut part = merge(vec![compute, load_balancing, databases, alarms, files, backups]);
    // KMS keys last: which keys matter is only known once everything that uses one is read.
    let keys = ctx.bounded_by_deadline("kms", &[K::KmsKey], kms::collect(ctx, &part.resources)).await;
    part = merge(vec![part, keys]);
    (part.resources, part.errors)
}

fn merge(parts: Vec<Part>) -> Part {
    let mut out = Part::default();
    for part in parts {
        let r = part.resources;
        let o = &mut out.resources;
        o.images.extend(r.images);
        o.launch_templates.extend(r.launch_templates);
        o.auto_scaling_groups.extend(r.auto_scaling_groups);
        o.scaling_policies.extend(r.scaling_policies);
        o.alarms.extend(r.alarms);
        o.load_balancers.extend(r.load_balancers);
        o.listeners.extend(r.listeners);
        o.target_groups.extend(r.target_groups);
        o.db_instances.extend(r.db_instances);
        o.db_clusters.extend(r.db_clusters);
        o.global_clusters.extend(r.global_clusters);
        o.replica_lag.extend(r.replica_lag);
        o.file_systems.extend(r.file_systems);
        o.backup_plans.extend(r.backup_plans);
        o.backup_vaults.extend(r.backup_vaults);
        o.subnets.extend(r.subnets);
        o.security_groups.extend(r.security_groups);
        o.key_pairs.extend(r.key_pairs);
        o.instance_type_offerings.extend(r.instance_type_offerings);
        o.kms_keys.extend(r.kms_keys);
        o.certificates.extend(r.certificates);
        out.errors.extend(part.errors);
    }
    out
}

/// A stable order, so two snapshots of the same state are byte-identical apart from times.
fn sort_region(r: &mut RegionResources) {
    r.images.sort_by(|a, b| a.id.cmp(&b.id));
    r.images.dedup_by(|a, b| a.id == b.id);
    r.launch_templates.sort_by(|a, b| a.id.cmp(&b.id));
    r.auto_scaling_groups.sort_by(|a, b| a.name.cmp(&b.name));
    r.scaling_policies.sort_by(|a, b| a.arn.cmp(&b.arn));
    r.alarms.sort_by(|a, b| a.arn.cmp(&b.arn));
    r.load_balancers.sort_by(|a, b| a.arn.cmp(&b.arn));
    r.listeners.sort_by(|a, b| a.arn.cmp(&b.arn));
    r.target_groups.sort_by(|a, b| a.arn.cmp(&b.arn));
    r.db_instances.sort_by(|a, b| a.id.cmp(&b.id));
    r.db_clusters.sort_by(|a, b| a.id.cmp(&b.id));
    r.global_clusters.sort_by(|a, b| a.id.cmp(&b.id));
    r.file_systems.sort_by(|a, b| a.id.cmp(&b.id));
    r.backup_plans.sort_by(|a, b| a.id.cmp(&b.id));
    r.backup_vaults.sort_by(|a, b| a.name.cmp(&b.name));
    r.subnets.sort_by(|a, b| a.id.cmp(&b.id));
    r.security_groups.sort_by(|a, b| a.id.cmp(&b.id));
    r.key_pairs.sort_by(|a, b| a.name.cmp(&b.name));
    r.instance_type_offerings.sort_by(|a, b| {
        (&a.instance_type, &a.availability_zone).cmp(&(&b.instance_type, &b.availability_zone))
    });
    r.kms_keys.sort_by(|a, b| a.arn.cmp(&b.arn));
    r.certificates.sort_by(|a, b| a.arn.cmp(&b.arn));
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

/// The progress bar: one tick per finished service and region, drawn only on a terminal.
#[derive(Clone)]
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new(enabled: bool) -> Self {
        if !enabled || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(15), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} collecting [{bar:30}] {pos}/{len} {msg}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar: Some(bar) }
    }

    pub fn tick(&self, message: &str) {
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

/// Route 53's share of the snapshot.
pub(crate) type GlobalPart = (GlobalResources, Vec<CollectionError>);

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
