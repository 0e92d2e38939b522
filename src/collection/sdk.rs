//! SDK setup: one base `SdkConfig` from the command line (profile, assume-role, endpoint,
//! retry, timeouts) over aws-config's standard chain, cloned per region, sending through the
//! paced HTTP client of [`super::pacing`]; and the call recorder, an interceptor that counts
//! every HTTP attempt per operation and notes which regions answered.

use super::pacing::PacedHttpClient;
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use aws_types::SdkConfig;
use aws_types::region::Region;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryMode {
    Standard,
    Adaptive,
}

/// What the command line says about reaching AWS.
#[derive(Debug, Clone)]
pub struct SdkSettings {
    pub profile: Option<String>,
    pub role_arn: Option<String>,
    /// Overrides every service's endpoint (the SDK's `AWS_ENDPOINT_URL*` apply without it).
    pub endpoint_url: Option<String>,
    pub retry_mode: RetryMode,
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// Time allowed for one attempt of one call, from sending it (after any pacing wait) to
    /// the end of its answer.
    pub call_timeout: Duration,
    /// Credentials to use instead of aws-config's standard chain (for embedding drscan, and for
    /// tests that must not touch the process environment).
    pub credentials: Option<SharedCredentialsProvider>,
}

impl Default for SdkSettings {
    fn default() -> Self {
        SdkSettings {
            profile: None,
            role_arn: None,
            endpoint_url: None,
            retry_mode: RetryMode::Standard,
            max_attempts: 3,
            call_timeout: Duration::from_secs(20),
            credentials: None,
        }
    }
}

/// The base configuration every regional client is cloned from.
pub async fn base_config(settings: &SdkSettings, home_region: &str) -> SdkConfig {
    let retry = match settings.retry_mode {
        RetryMode::Standard => RetryConfig::standard(),
        RetryMode::Adaptive => RetryConfig::adaptive(),
    }
    .with_max_attempts(settings.max_attempts.max(1));
    // No SDK attempt timeout: it would also count the wait for a pacing token. The paced
    // client bounds the exchange itself by `call_timeout`.
    let timeouts =
        TimeoutConfig::builder().connect_timeout(Duration::from_secs(5).min(settings.call_timeout)).build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(home_region.to_string()))
        .retry_config(retry)
        .timeout_config(timeouts)
        .http_client(PacedHttpClient::new(settings.call_timeout));
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(credentials) = &settings.credentials {
        loader = loader.credentials_provider(credentials.clone());
    }
    let config = loader.load().await;
    match &settings.role_arn {
        None => config,
        Some(role_arn) => {
            let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
                .session_name("drscan")
                .configure(&config)
                .build()
                .await;
            config.into_builder().credentials_provider(SharedCredentialsProvider::new(provider)).build()
        }
    }
}

/// The same configuration, for another region.
pub fn for_region(base: &SdkConfig, region: &str) -> SdkConfig {
    base.to_builder().region(Region::new(region.to_string())).build()
}

/// Resolve credentials once up front, so "no credentials" is one clear error, not hundreds.
pub async fn check_credentials(config: &SdkConfig) -> Result<(), String> {
    let Some(provider) = config.credentials_provider() else {
        return Err("no credentials provider is configured".to_string());
    };
    provider.provide_credentials().await.map(|_| ()).map_err(|e| {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(inner) = source {
            text = format!("{text}: {inner}");
            source = inner.source();
        }
        text
    })
}

/// Requests and latency of one operation.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OperationStats {
    /// HTTP attempts, retries included.
    pub requests: u64,
    /// Attempts that got an HTTP response (of any status).
    pub answered: u64,
    pub latency: Duration,
}

#[derive(Debug, Default)]
struct RecorderState {
    /// Keyed by (region or `global`, `service:Operation`).
    operations: BTreeMap<(String, String), OperationStats>,
}

/// Counts every attempt the clients make; shared by all clients of one collection run.
#[derive(Debug, Clone, Default)]
pub struct CallRecorder {
    state: Arc<Mutex<RecorderState>>,
}

impl CallRecorder {
    /// The interceptor for the clients of one region (`global` for Route 53).
    pub fn interceptor(&self, region: &str) -> RecordingInterceptor {
        RecordingInterceptor { region: region.to_string(), recorder: self.clone() }
    }

    /// A copy of the counts so far.
    pub fn operations(&self) -> BTreeMap<(String, String), OperationStats> {
        self.state.lock().map(|s| s.operations.clone()).unwrap_or_default()
    }

    /// Whether any call to `region` got an HTTP response.
    pub fn answered(&self, region: &str) -> bool {
        self.operations().iter().any(|((r, _), stats)| r == region && stats.answered > 0)
    }

    fn record(&self, region: &str, operation: String, answered: bool, latency: Duration) {
        if let Ok(mut state) = self.state.lock() {
            let entry = state.operations.entry((region.to_string(), operation)).or_default();
            entry.requests += 1;
            entry.answered += u64::from(answered);
            entry.latency += latency;
        }
    }
}

#[derive(Debug, Clone)]
struct AttemptStart(Instant);

impl Storable for AttemptStart {
    type Storer = StoreReplace<Self>;
}

#[derive(Debug, Clone)]
pub struct RecordingInterceptor {
    region: String,
    recorder: CallRecorder,
}

/// `service:Operation` with drscan's short service names (as in unknown reasons).
pub fn operation_name(service: &str, operation: &str) -> String {
    let service = match service.to_ascii_lowercase().replace(' ', "").as_str() {
        "elasticloadbalancingv2" | "elasticloadbalancing" => "elbv2".to_string(),
        "elasticfilesystem" => "efs".to_string(),
        "autoscaling" => "autoscaling".to_string(),
        other => other.to_string(),
    };
    format!("{service}:{operation}")
}

impl Intercept for RecordingInterceptor {
    fn name(&self) -> &'static str {
        "drscan-call-recorder"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(AttemptStart(Instant::now()));
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // An attempt that never reached transmission (e.g. a signing failure) is not a request.
        let Some(AttemptStart(start)) = cfg.load::<AttemptStart>().cloned() else {
            return Ok(());
        };
        let operation = cfg
            .load::<Metadata>()
            .map(|m| operation_name(m.service(), m.name()))
            .unwrap_or_else(|| "unknown:Unknown".to_string());
        self.recorder.record(&self.region, operation, context.response().is_some(), start.elapsed());
        cfg.interceptor_state().unset::<AttemptStart>();
        Ok(())
    }
}
