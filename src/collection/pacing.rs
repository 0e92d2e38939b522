//! Client-side pacing: every HTTP attempt drscan sends — SDK retries included — first waits for
//! a token from the buckets AWS throttles that request by, kept here at AWS's documented rates
//! less a margin, so that throttling is rare rather than retried into.
//!
//! How every attempt is paced: [`PacingInterceptor`] (one per client) reads the operation the
//! SDK stored in the ConfigBag and the request's region, and attaches a [`PaceTicket`] naming
//! the request's buckets to the request's extensions just before transmit. [`PacedHttpClient`]
//! wraps the SDK's default HTTPS client; its connector takes the ticket off, waits for a slot in
//! every bucket on it, and only then sends. The connector is the one place every attempt passes
//! through after the retry loop has decided to make it, and the only async hook (interceptors
//! are synchronous), so pacing there cannot miss a retry and cannot block a thread. Waiting in
//! the connector would count against the SDK's per-attempt timeout, so the per-call timeout is
//! applied here instead, to the exchange itself (response and body), after the wait.
//!
//! Buckets are keyed by account, region (or `global` for Route 53, which AWS meters per account)
//! and what AWS meters together: per API for EC2, CloudWatch, ACM, KMS and Route 53's own
//! per-operation buckets; one bucket for all ELBv2 Describe calls, all RDS calls, all Auto Scaling
//! calls, SSM's three parameter reads. A request that AWS meters twice (Route 53: account-wide
//! and per operation) books the same instant in both. Each bucket is a GCRA (virtual scheduling)
//! token bucket: a request reserves the earliest instant at which every one of its buckets has a
//! token, so waiting requests queue in order instead of polling.

use crate::collection::sdk::operation_name;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextMut, InterceptorContext,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse, Metadata};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use aws_smithy_types::config_bag::ConfigBag;
use aws_types::region::Region;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// A token bucket as AWS documents it: `burst` requests at once, refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    pub burst: f64,
    pub per_second: f64,
}

impl Limit {
    const fn new(burst: f64, per_second: f64) -> Self {
        Limit { burst, per_second }
    }

    /// The least time any client needs for `requests` through a full bucket of this size:
    /// the burst is free, every request after it waits one refill interval.
    pub fn floor(&self, requests: u64) -> Duration {
        let beyond_burst = (requests as f64 - self.burst).max(0.0);
        crate::time::from_seconds_f64(beyond_burst / self.per_second.max(f64::MIN_POSITIVE))
    }
}

/// How hard drscan may draw on the account's API buckets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pacing {
    /// AWS's documented rates less a margin: [`REFILL_SHARE`] of each refill rate and
    /// [`BURST_SHARE`] of each burst. `max_rps` caps every bucket, each on its own, at that
    /// many requests per second (refill) and that many at once (burst, at least one) — for
    /// accounts whose production tooling shares the same buckets. It caps each bucket; it
    /// does not scale them, and it is not a total across buckets.
    Documented { max_rps: Option<f64> },
    /// Every attempt is sent at once (requests are still counted per bucket): for measuring
    /// what pacing saves, never the default.
    Off,
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing::Documented { max_rps: None }
    }
}

/// drscan.toml's `[collection]`: how live collection may draw on the account's API limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CollectionSettings {
    /// Cap every rate-limit bucket at this many requests per second (see [`Pacing`]).
    #[serde(deserialize_with = "crate::parse::optional_rate")]
    pub max_rps: Option<f64>,
}

impl CollectionSettings {
    pub fn pacing(&self) -> Pacing {
        Pacing::Documented { max_rps: self.max_rps }
    }
}

/// The share of AWS's documented refill rate drscan uses. Other tools of the same account draw
/// on the same buckets (every one of AWS's throttling pages warns of this).
pub const REFILL_SHARE: f64 = 0.8;
/// The share of AWS's documented burst drscan uses: the account's bucket may not be full when
/// the scan starts, and a request reaches AWS later than it leaves by a varying latency, so
/// requests spaced by the client can arrive bunched.
pub const BURST_SHARE: f64 = 0.5;
/// Whose bucket: AWS meters per account and region, Route 53 per account (`region: "global"`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BucketKey {
    pub account: String,
    pub region: String,
    /// What the bucket meters, e.g. `ec2 DescribeImages` or `elbv2 Describe*`.
    pub name: String,
}

/// One bucket's use in a collection run.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketUsage {
    pub key: BucketKey,
    /// AWS's documented limit (or drscan's conservative stand-in where AWS publishes none).
    pub documented: Limit,
    /// HTTP attempts that drew on the bucket, retries included.
    pub requests: u64,
    /// Time attempts spent waiting for this bucket's tokens, summed over attempts.
    pub waited: Duration,
}

impl BucketUsage {
    /// The least time any client could take for this bucket's requests under AWS's limit.
    pub fn floor(&self) -> Duration {
        self.documented.floor(self.requests)
    }
}

/// Where AWS scopes a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Account,
    Region,
}

/// The buckets AWS meters one request of `service` (drscan's short name) `operation` by, with
/// AWS's documented size of each. Where AWS publishes no number the default is conservative
/// (about half the nearest documented neighbour) and says so.
fn documented_buckets(service: &str, operation: &str) -> Vec<(Scope, String, Limit)> {
    let per_region = |name: String, limit| vec![(Scope::Region, name, limit)];
    match service {
        // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/throttling-api-requests.html:
        // one bucket for all operations of the account (50 burst, 10/s) and one per operation
        // (50/10 unless listed; GetHealthCheckStatus and GetHealthCheckLastFailureReason 4/1);
        // a request needs a token from both.
        "route53" => {
            let own = match operation {
                "GetHealthCheckStatus" | "GetHealthCheckLastFailureReason" => Limit::new(4.0, 1.0),
                _ => Limit::new(50.0, 10.0),
            };
            vec![
                (Scope::Account, "route53 (all operations)".to_string(), Limit::new(50.0, 10.0)),
                (Scope::Account, format!("route53 {operation}"), own),
            ]
        }
        // https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-api-throttling.html:
        // non-mutating (Describe*) calls share one bucket per account and region, 40 burst, 10/s.
        // Each ELB API version (v2: ALB/NLB/GWLB; v1: Classic) has buckets of its own.
        "elbv2" | "elb" if operation.starts_with("Describe") => {
            per_region(format!("{service} Describe*"), Limit::new(40.0, 10.0))
        }
        "elbv2" | "elb" => per_region(format!("{service} mutating"), Limit::new(20.0, 3.0)),
        // https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html: a bucket per
        // API; non-mutating 100 burst, 20/s, but 50/10 for unfiltered and unpaginated calls of
        // the seven APIs below. Whether AWS counts a call as filtered is its business; the
        // smaller bucket is always safe, and drscan calls those APIs once per region.
        "ec2" => {
            let limit = match operation {
                "DescribeInstances"
                | "DescribeInstanceStatus"
                | "DescribeNetworkInterfaces"
                | "DescribeSecurityGroups"
                | "DescribeSnapshots"
                | "DescribeSpotInstanceRequests"
                | "DescribeVolumes" => Limit::new(50.0, 10.0),
                op if ["Describe", "List", "Get", "Search"].iter().any(|verb| op.starts_with(verb)) => {
                    Limit::new(100.0, 20.0)
                }
                _ => Limit::new(50.0, 5.0),
            };
            per_region(format!("ec2 {operation}"), limit)
        }
        // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-api-throttling.html: all RDS
        // API calls share one bucket per account and region, 300 burst, 12/s.
        "rds" => per_region("rds (all operations)".into(), Limit::new(300.0, 12.0)),
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html:
        // per-API transactions per second in each region (GetMetricData 50, DescribeAlarms 9,
        // DescribeAlarmsForMetric 9, ListMetrics 25, GetMetricStatistics 400); a quota per second
        // is read as a bucket of one second's worth. Other APIs: the lowest listed, 3.
        "cloudwatch" => {
            let tps = match operation {
                "GetMetricData" => 50.0,
                "DescribeAlarms" | "DescribeAlarmsForMetric" => 9.0,
                "ListMetrics" => 25.0,
                "GetMetricStatistics" => 400.0,
                _ => 3.0,
            };
            per_region(format!("cloudwatch {operation}"), Limit::new(tps, tps))
        }
        // https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html: requests per second
        // per API (DescribeCertificate 10, ListCertificates 5, ListTagsForCertificate 10).
        "acm" => {
            let tps = match operation {
                "DescribeCertificate" | "ListTagsForCertificate" => 10.0,
                _ => 5.0,
            };
            per_region(format!("acm {operation}"), Limit::new(tps, tps))
        }
        // https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html: a quota
        // per operation (DescribeKey 2,000/s, not shared with the cryptographic operations);
        // other operations: the lowest listed (ListGrants, 100).
        "kms" => {
            let tps = if operation == "DescribeKey" { 2000.0 } else { 100.0 };
            per_region(format!("kms {operation}"), Limit::new(tps, tps))
        }
        // https://docs.aws.amazon.com/general/latest/gr/ssm.html (and the GetParameter API
        // reference): default throughput 40/s shared by GetParameter, GetParameters and
        // GetParametersByPath.
        "ssm" if matches!(operation, "GetParameter" | "GetParameters" | "GetParametersByPath") => {
            per_region("ssm GetParameter*".into(), Limit::new(40.0, 40.0))
        }
        // https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptions.html: "This action is
        // throttled at 30 transactions per second (TPS)" (ListSubscriptionsByTopic likewise),
        // per account and region; a quota per second is read as a bucket of one second's worth.
        "sns" if operation.starts_with("ListSubscriptions") => {
            per_region(format!("sns {operation}"), Limit::new(30.0, 30.0))
        }
        // https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html:
        // requests per second per API — DescribeSecret 40,000 (since March 2025), ListSecrets
        // 100; other APIs drscan does not call. A quota per second is read as a bucket of one
        // second's worth.
        "secretsmanager" => {
            let tps = if operation == "DescribeSecret" { 40_000.0 } else { 100.0 };
            per_region(format!("secretsmanager {operation}"), Limit::new(tps, tps))
        }
        // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-control-plane.html:
        // control plane requests (DescribeTable, ListTables, DescribeContinuousBackups,
        // ListTagsOfResource, …) are throttled at 2,500 per second per account and region.
        "dynamodb" => per_region("dynamodb (control plane)".into(), Limit::new(2500.0, 2500.0)),
        // https://docs.aws.amazon.com/servicequotas/latest/userguide/reference_limits.html:
        // GetServiceQuota 5 requests per second (burst 5) per account and region;
        // GetAWSDefaultServiceQuota is not listed: the same, in a bucket of its own.
        "servicequotas" => per_region(format!("servicequotas {operation}"), Limit::new(5.0, 5.0)),
        // S3 documents request rates only for objects (3,500 PUT / 5,500 GET per second per
        // prefix: https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html),
        // none for the bucket-configuration APIs drscan calls: a conservative stand-in, half of
        // ELBv2's documented 40/10.
        "s3" => per_region("s3 (bucket configuration)".into(), Limit::new(20.0, 10.0)),
        // AWS publishes no numbers for the rest (STS: "a token bucket per API", Auto Scaling:
        // "a shared API bucket", EFS, AWS Backup), and none for other SSM APIs: conservative
        // stand-ins, about half of ELBv2's documented 40/10.
        // https://docs.aws.amazon.com/autoscaling/ec2/APIReference/Welcome.html ("API request rate")
        "autoscaling" => per_region("autoscaling (all operations)".into(), Limit::new(20.0, 5.0)),
        // https://aws.amazon.com/blogs/security/how-to-monitor-and-query-iam-resources-at-scale-part-2/
        "sts" => per_region(format!("sts {operation}"), Limit::new(10.0, 5.0)),
        "efs" | "backup" => per_region(format!("{service} (all operations)"), Limit::new(10.0, 5.0)),
        // AWS FIS publishes quotas on experiments but no request rates
        // (https://docs.aws.amazon.com/fis/latest/userguide/fis-quotas.html): half the stand-in
        // above, since drscan asks about at most a window's experiments.
        "fis" => per_region("fis (all operations)".into(), Limit::new(5.0, 2.0)),
        // Organizations (organization mode's account listing) is global, served from the
        // partition's global region and metered for the organization; its quota page
        // (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html)
        // publishes no request rate, and its API answers TooManyRequestsException: a stand-in
        // of half the other stand-ins, one bucket for every operation.
        "organizations" => {
            vec![(Scope::Account, "organizations (all operations)".into(), Limit::new(5.0, 2.0))]
        }
        other => per_region(format!("{other} (all operations)"), Limit::new(10.0, 5.0)),
    }
}

/// The virtual-scheduling form of a token bucket (GCRA), in seconds since the pacer's epoch:
/// `tat` is the theoretical arrival time of the next request at the sustained rate; a request
/// may go once `tat - tolerance` has passed, where the tolerance is what the burst allows.
#[derive(Debug, Clone, Copy)]
struct Gcra {
    interval: f64,
    tolerance: f64,
    tat: f64,
}

impl Gcra {
    fn new(limit: Limit) -> Self {
        let interval = 1.0 / limit.per_second.max(f64::MIN_POSITIVE);
        Gcra { interval, tolerance: (limit.burst - 1.0).max(0.0) * interval, tat: 0.0 }
    }

    /// The earliest instant at or after `now` at which a request conforms.
    fn earliest(&self, now: f64) -> f64 {
        now.max(self.tat - self.tolerance)
    }

    /// Record a request sent at `at` (no earlier than [`Gcra::earliest`]).
    fn book(&mut self, at: f64) {
        self.tat = self.tat.max(at) + self.interval;
    }
}

#[derive(Debug)]
struct BucketState {
    /// `None` when pacing is off: the bucket only counts.
    gcra: Option<Gcra>,
    requests: u64,
    waited: f64,
}

#[derive(Debug)]
struct Bucket {
    key: BucketKey,
    documented: Limit,
    state: Mutex<BucketState>,
}

/// The buckets of one collection run, created as requests first name them.
#[derive(Debug, Clone)]
pub struct Pacer {
    inner: Arc<PacerInner>,
}

#[derive(Debug)]
struct PacerInner {
    pacing: Pacing,
    epoch: Instant,
    buckets: Mutex<BTreeMap<BucketKey, Arc<Bucket>>>,
}

impl Pacer {
    pub fn new(pacing: Pacing) -> Self {
        Pacer {
            inner: Arc::new(PacerInner {
                pacing,
                epoch: Instant::now(),
                buckets: Mutex::new(BTreeMap::new()),
            }),
        }
    }

    /// The limit drscan keeps a bucket of AWS's size `documented` at, or `None` (unpaced).
    pub fn client_limit(pacing: Pacing, documented: Limit) -> Option<Limit> {
        match pacing {
            Pacing::Off => None,
            Pacing::Documented { max_rps } => {
                let mut limit = Limit::new(
                    (documented.burst * BURST_SHARE).floor().max(1.0),
                    documented.per_second * REFILL_SHARE,
                );
                if let Some(cap) = max_rps.filter(|c| c.is_finite() && *c > 0.0) {
                    limit.per_second = limit.per_second.min(cap);
                    limit.burst = limit.burst.min(cap.floor().max(1.0));
                }
                Some(limit)
            }
        }
    }

    /// The ticket for one request: its buckets, in key order (the order they are locked in).
    fn ticket(&self, account: &str, region: &str, service: &str, operation: &str) -> PaceTicket {
        let mut buckets: Vec<Arc<Bucket>> = documented_buckets(service, operation)
            .into_iter()
            .map(|(scope, name, documented)| {
                let key = BucketKey {
                    account: account.to_string(),
                    region: match scope {
                        Scope::Account => "global".to_string(),
                        Scope::Region => region.to_string(),
                    },
                    name,
                };
                self.bucket(key, documented)
            })
            .collect();
        buckets.sort_by(|a, b| a.key.cmp(&b.key));
        PaceTicket { pacer: self.clone(), buckets: buckets.into() }
    }

    fn bucket(&self, key: BucketKey, documented: Limit) -> Arc<Bucket> {
        let Ok(mut buckets) = self.inner.buckets.lock() else {
            // A poisoned map (a panic elsewhere): pace this request on a bucket of its own.
            return Arc::new(self.new_bucket(key, documented));
        };
        buckets.entry(key.clone()).or_insert_with(|| Arc::new(self.new_bucket(key, documented))).clone()
    }

    fn new_bucket(&self, key: BucketKey, documented: Limit) -> Bucket {
        let gcra = Pacer::client_limit(self.inner.pacing, documented).map(Gcra::new);
        Bucket { key, documented, state: Mutex::new(BucketState { gcra, requests: 0, waited: 0.0 }) }
    }

    fn now(&self) -> f64 {
        self.inner.epoch.elapsed().as_secs_f64()
    }

    /// Every bucket used so far, in key order.
    pub fn usage(&self) -> Vec<BucketUsage> {
        let Ok(buckets) = self.inner.buckets.lock() else { return Vec::new() };
        buckets
            .values()
            .map(|bucket| {
                let (requests, waited) =
                    bucket.state.lock().map(|s| (s.requests, s.waited)).unwrap_or_default();
                BucketUsage {
                    key: bucket.key.clone(),
                    documented: bucket.documented,
                    requests,
                    waited: crate::time::from_seconds_f64(waited),
                }
            })
            .collect()
    }
}

/// The buckets one request draws on; attached to the request by [`PacingInterceptor`] and
/// redeemed by [`PacedHttpClient`]'s connector.
#[derive(Debug, Clone)]
pub struct PaceTicket {
    pacer: Pacer,
    buckets: Arc<[Arc<Bucket>]>,
}

impl PaceTicket {
    /// Reserve the earliest instant at which every bucket of the ticket has a token, book it in
    /// all of them, and return how long to wait for it.
    fn reserve(&self) -> Duration {
        let now = self.pacer.now();
        let mut guards: Vec<std::sync::MutexGuard<'_, BucketState>> =
            self.buckets.iter().filter_map(|b| b.state.lock().ok()).collect();
        let at = guards.iter().filter_map(|g| g.gcra.map(|gcra| gcra.earliest(now))).fold(now, f64::max);
        for guard in &mut guards {
            if let Some(gcra) = &mut guard.gcra {
                gcra.book(at);
            }
            guard.requests += 1;
            guard.waited += at - now;
        }
        crate::time::from_seconds_f64(at - now)
    }

    pub async fn wait(&self) {
        let wait = self.reserve();
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

/// Tags every request of one client with its [`PaceTicket`], just before transmit (so every
/// attempt, retries included, gets one).
#[derive(Debug, Clone)]
pub struct PacingInterceptor {
    pacer: Pacer,
    account: String,
    /// Where the client sends when the ConfigBag names no region.
    region: String,
}

impl PacingInterceptor {
    pub fn new(pacer: &Pacer, account: &str, region: &str) -> Self {
        PacingInterceptor { pacer: pacer.clone(), account: account.to_string(), region: region.to_string() }
    }
}

impl Intercept for PacingInterceptor {
    fn name(&self) -> &'static str {
        "drscan-pacing"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(metadata) = cfg.load::<Metadata>() else { return Ok(()) };
        let named = operation_name(metadata.service(), metadata.name());
        let (service, operation) = named.split_once(':').unwrap_or((named.as_str(), ""));
        // `elb` (Classic, 2012-06-01) and `elbv2` are told apart by `operation_name`, as AWS's
        // buckets tell them apart.
        // The region the client signs for, not the context's label: the Route 53 context's
        // CloudWatch client sends to us-east-1, whose buckets the DR region may share.
        let region =
            cfg.load::<Region>().map(|r| r.as_ref().to_string()).unwrap_or_else(|| self.region.clone());
        let ticket = self.pacer.ticket(&self.account, &region, service, operation);
        context.request_mut().add_extension(ticket);
        Ok(())
    }
}

/// Classifies HTTP 429 as throttling for the SDK's retries: the SDK's status classifier retries
/// only 500, 502, 503 and 504, and its code list lacks SNS's `Throttled`, EFS's `TooManyRequests`
/// and other 429 answers.
#[derive(Debug, Clone, Copy, Default)]
pub struct TooManyRequestsClassifier;

impl ClassifyRetry for TooManyRequestsClassifier {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.response() {
            Some(response) if response.status().as_u16() == 429 => RetryAction::throttling_error(),
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "drscan HTTP 429 as throttling"
    }

    fn priority(&self) -> RetryClassifierPriority {
        // Before the SDK's own classifiers, which may still decide otherwise.
        RetryClassifierPriority::run_before(RetryClassifierPriority::http_status_code_classifier())
    }
}

/// The SDK's default HTTPS client, with every request paced by its ticket and each exchange
/// bounded by the per-call timeout.
#[derive(Debug, Clone)]
pub struct PacedHttpClient {
    inner: SharedHttpClient,
    call_timeout: Duration,
}

impl PacedHttpClient {
    /// Around the same client the SDK builds by default (rustls with aws-lc, proxy settings from
    /// the environment).
    pub fn new(call_timeout: Duration) -> Self {
        use aws_smithy_http_client::proxy::ProxyConfig;
        use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
        use aws_smithy_http_client::{Builder, ConnectorBuilder};
        let inner = Builder::new().build_with_connector_fn(|settings, runtime_components| {
            let mut builder =
                ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
            builder.set_connector_settings(settings.cloned());
            if let Some(components) = runtime_components {
                builder.set_sleep_impl(components.sleep_impl());
            }
            builder.set_proxy_config(Some(ProxyConfig::from_env()));
            builder.build()
        });
        PacedHttpClient { inner, call_timeout }
    }
}

impl HttpClient for PacedHttpClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(PacedConnector {
            inner: self.inner.http_connector(settings, components),
            call_timeout: self.call_timeout,
        })
    }
}

#[derive(Debug, Clone)]
struct PacedConnector {
    inner: SharedHttpConnector,
    call_timeout: Duration,
}

impl HttpConnector for PacedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let call_timeout = self.call_timeout;
        HttpConnectorFuture::new(async move {
            let (request, ticket) = take_ticket(request)?;
            if let Some(ticket) = ticket {
                ticket.wait().await;
            }
            let exchange = async {
                let response = inner.call(request).await?;
                buffered(response).await
            };
            match tokio::time::timeout(call_timeout, exchange).await {
                Ok(result) => result,
                Err(_) => Err(ConnectorError::timeout(
                    format!("no complete answer within the call timeout of {} s", call_timeout.as_secs_f64())
                        .into(),
                )),
            }
        })
    }
}

/// The request without its ticket (extensions are only readable through the `http` 1.x type).
fn take_ticket(request: HttpRequest) -> Result<(HttpRequest, Option<PaceTicket>), ConnectorError> {
    let mut request = request.try_into_http1x().map_err(|e| ConnectorError::other(e.into(), None))?;
    let ticket = request.extensions_mut().remove::<PaceTicket>();
    let request = HttpRequest::try_from(request).map_err(|e| ConnectorError::other(e.into(), None))?;
    Ok((request, ticket))
}

/// The response with its body read in full, so that the call timeout covers the body too.
async fn buffered(response: HttpResponse) -> Result<HttpResponse, ConnectorError> {
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = ByteStream::new(response.into_body())
        .collect()
        .await
        .map_err(|e| ConnectorError::io(e.into()))?
        .into_bytes();
    let mut out = HttpResponse::new(status, SdkBody::from(bytes));
    *out.headers_mut() = headers;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Send `count` requests as early as the bucket allows, from `start`; their send times.
    fn schedule(limit: Limit, count: usize, start: f64) -> Vec<f64> {
        let mut gcra = Gcra::new(limit);
        (0..count)
            .map(|_| {
                let at = gcra.earliest(start);
                gcra.book(at);
                at
            })
            .collect()
    }

    #[test]
    fn a_bucket_allows_its_burst_at_once_then_its_rate() {
        let times = schedule(Limit::new(4.0, 1.0), 7, 10.0);
        assert_eq!(&times[..4], &[10.0; 4]);
        assert_eq!(&times[4..], &[11.0, 12.0, 13.0]);
    }

    #[test]
    fn an_idle_bucket_fills_up_again_but_not_beyond_its_burst() {
        let mut gcra = Gcra::new(Limit::new(2.0, 2.0));
        for _ in 0..2 {
            let at = gcra.earliest(0.0);
            gcra.book(at);
        }
        // 10 s idle: two at once again, not twenty.
        let later: Vec<f64> = (0..3)
            .map(|_| {
                let at = gcra.earliest(10.0);
                gcra.book(at);
                at
            })
            .collect();
        assert_eq!(later, [10.0, 10.0, 10.5]);
    }

    /// Every window of any length holds at most burst + rate × length requests: the schedule
    /// conforms to the bucket it was made for.
    #[test]
    fn schedules_conform_to_their_bucket() {
        for limit in
            [Limit::new(4.0, 1.0), Limit::new(40.0, 10.0), Limit::new(1.0, 0.5), Limit::new(20.0, 8.0)]
        {
            let times = schedule(limit, 200, 0.0);
            for (i, start) in times.iter().enumerate() {
                for (j, end) in times.iter().enumerate().skip(i) {
                    let in_window = (j - i + 1) as f64;
                    assert!(
                        in_window <= limit.burst + limit.per_second * (end - start) + 1e-9,
                        "{limit:?}: {in_window} requests in {} s",
                        end - start
                    );
                }
            }
        }
    }

    #[test]
    fn the_client_keeps_below_aws_and_max_rps_caps_each_bucket() {
        let elb = Limit::new(40.0, 10.0);
        let paced = Pacer::client_limit(Pacing::default(), elb).expect("paced");
        assert_eq!((paced.burst, paced.per_second), (20.0, 8.0));
        let capped = Pacer::client_limit(Pacing::Documented { max_rps: Some(2.0) }, elb).expect("paced");
        assert_eq!((capped.burst, capped.per_second), (2.0, 2.0));
        // A cap above the documented rate changes nothing; a fractional one keeps a burst of one.
        let loose = Pacer::client_limit(Pacing::Documented { max_rps: Some(500.0) }, elb).expect("paced");
        assert_eq!(loose, paced);
        let slow = Pacer::client_limit(Pacing::Documented { max_rps: Some(0.5) }, Limit::new(4.0, 1.0));
        assert_eq!(slow, Some(Limit::new(1.0, 0.5)));
        assert_eq!(Pacer::client_limit(Pacing::Off, elb), None);
    }

    #[test]
    fn buckets_follow_how_aws_scopes_them() {
        let pacer = Pacer::new(Pacing::default());
        let keys = |region: &str, service: &str, operation: &str| -> Vec<(String, String)> {
            pacer
                .ticket("111122223333", region, service, operation)
                .buckets
                .iter()
                .map(|b| (b.key.region.clone(), b.key.name.clone()))
                .collect()
        };
        // Route 53: account-wide, and twice (all operations + the operation's own).
        assert_eq!(
            keys("us-east-1", "route53", "GetHealthCheckStatus"),
            [
                ("global".to_string(), "route53 (all operations)".to_string()),
                ("global".to_string(), "route53 GetHealthCheckStatus".to_string())
            ]
        );
        // ELBv2: one Describe bucket per region; EC2: one per API and region.
        assert_eq!(
            keys("eu-west-1", "elbv2", "DescribeListeners"),
            keys("eu-west-1", "elbv2", "DescribeTags")
        );
        assert_ne!(keys("eu-west-1", "elbv2", "DescribeTags"), keys("us-east-1", "elbv2", "DescribeTags"));
        assert_ne!(keys("eu-west-1", "elbv2", "DescribeTags"), keys("eu-west-1", "elb", "DescribeTags"));
        assert_ne!(keys("eu-west-1", "ec2", "DescribeImages"), keys("eu-west-1", "ec2", "DescribeSubnets"));
        // RDS: one bucket for everything.
        assert_eq!(
            keys("eu-west-1", "rds", "DescribeDBInstances"),
            keys("eu-west-1", "rds", "DescribeDBClusters")
        );
        // Organizations: one bucket for every operation, not per region.
        assert_eq!(
            keys("us-east-1", "organizations", "ListAccounts"),
            [("global".to_string(), "organizations (all operations)".to_string())]
        );
        assert_eq!(
            keys("us-east-1", "organizations", "ListAccounts"),
            keys("eu-west-1", "organizations", "ListTagsForResource")
        );
        // The same key is the same bucket: two tickets share its state.
        let a = pacer.ticket("111122223333", "eu-west-1", "rds", "DescribeDBInstances");
        let b = pacer.ticket("111122223333", "eu-west-1", "rds", "DescribeGlobalClusters");
        assert!(Arc::ptr_eq(&a.buckets[0], &b.buckets[0]));
        // Another account has buckets of its own.
        let other = pacer.ticket("444455556666", "eu-west-1", "rds", "DescribeDBInstances");
        assert!(!Arc::ptr_eq(&a.buckets[0], &other.buckets[0]));
    }

    #[test]
    fn a_request_metered_twice_waits_for_the_later_bucket_and_books_both() {
        let pacer = Pacer::new(Pacing::default());
        // GetHealthCheckStatus: the client keeps 2 of the 4 burst, 0.8/s.
        let waits: Vec<Duration> = (0..4)
            .map(|_| pacer.ticket("1", "us-east-1", "route53", "GetHealthCheckStatus").reserve())
            .collect();
        assert!(waits[0].is_zero() && waits[1].is_zero(), "{waits:?}");
        assert!(
            waits[2] > Duration::from_millis(1100) && waits[2] <= Duration::from_millis(1250),
            "{waits:?}"
        );
        assert!(
            waits[3] > Duration::from_millis(2400) && waits[3] <= Duration::from_millis(2500),
            "{waits:?}"
        );
        let usage = pacer.usage();
        assert_eq!(usage.len(), 2);
        assert!(usage.iter().all(|u| u.requests == 4), "{usage:?}");
        // Other operations are held only by the account-wide bucket, which still has tokens.
        assert!(pacer.ticket("1", "us-east-1", "route53", "ListHealthChecks").reserve().is_zero());
    }

    /// `--max-rps 1e-30` is a positive, finite rate: the second request waits "forever" (the
    /// run deadline ends it) instead of panicking in `Duration::from_secs_f64`.
    #[test]
    fn a_vanishing_max_rps_waits_forever_instead_of_overflowing() {
        let pacer = Pacer::new(Pacing::Documented { max_rps: Some(1e-30) });
        let waits: Vec<Duration> =
            (0..3).map(|_| pacer.ticket("1", "eu-west-1", "rds", "DescribeDBInstances").reserve()).collect();
        assert_eq!(waits, [Duration::ZERO, Duration::MAX, Duration::MAX]);
        assert!(pacer.usage().iter().all(|u| u.waited == Duration::MAX));
        let tiny = Pacer::client_limit(Pacing::Documented { max_rps: Some(1e-30) }, Limit::new(4.0, 1.0));
        assert_eq!(tiny.map(|l| l.floor(10)), Some(Duration::MAX));
    }

    #[test]
    fn unpaced_requests_go_at_once_but_are_counted() {
        let pacer = Pacer::new(Pacing::Off);
        for _ in 0..100 {
            assert!(pacer.ticket("1", "us-east-1", "route53", "GetHealthCheckStatus").reserve().is_zero());
        }
        let usage = pacer.usage();
        let status = usage.iter().find(|u| u.key.name == "route53 GetHealthCheckStatus").expect("bucket");
        assert_eq!(status.requests, 100);
        // 100 requests through AWS's 4-burst, 1/s bucket take at least 96 s.
        assert_eq!(status.floor(), Duration::from_secs(96));
    }
}
