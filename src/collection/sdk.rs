//! SDK setup: one base `SdkConfig` from the command line (profile, assume-role, endpoint,
//! retry, timeouts) over aws-config's standard chain, cloned per region, sending through the
//! paced HTTP client of [`super::pacing`]; and the call recorder, an interceptor that counts
//! every HTTP attempt per operation and notes which regions answered.

use super::pacing::PacedHttpClient;
use crate::error::DrscanError;
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
    /// The role for every side that names none of its own (`--role-arn`).
    pub role_arn: Option<String>,
    /// Roles of the sides that live in accounts of their own (`--primary-role-arn`, …).
    pub side_roles: SideRoles,
    /// With `role_arn`: the external ID its trust policy requires, and the session name
    /// CloudTrail records (default `drscan`).
    pub external_id: Option<String>,
    pub role_session_name: Option<String>,
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
            side_roles: SideRoles::default(),
            external_id: None,
            role_session_name: None,
            endpoint_url: None,
            retry_mode: RetryMode::Standard,
            max_attempts: 3,
            call_timeout: Duration::from_secs(20),
            credentials: None,
        }
    }
}

/// The role each side of a DR setup is collected with, where it is not `--role-arn` (or the
/// ambient credentials): `--primary-role-arn`, `--dr-role-arn`, `--dns-role-arn` and the
/// repeatable `--backup-role-arn`, or `[accounts]` in drscan.toml.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SideRoles {
    pub primary: Option<String>,
    pub dr: Option<String>,
    pub dns: Option<String>,
    /// Accounts holding AWS Backup destination vaults (a central backup account), each read
    /// for its DR-region vaults.
    pub backup: Vec<String>,
}

impl SideRoles {
    pub fn is_empty(&self) -> bool {
        self.primary.is_none() && self.dr.is_none() && self.dns.is_none() && self.backup.is_empty()
    }
}

/// drscan.toml's `[accounts]`: the roles of the sides that live in accounts of their own, and
/// the external ID and session name of every role drscan assumes. Flags win, key by key.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountSettings {
    #[serde(deserialize_with = "crate::parse::optional_role_arn")]
    pub primary_role_arn: Option<String>,
    #[serde(deserialize_with = "crate::parse::optional_role_arn")]
    pub dr_role_arn: Option<String>,
    #[serde(deserialize_with = "crate::parse::optional_role_arn")]
    pub dns_role_arn: Option<String>,
    #[serde(deserialize_with = "crate::parse::role_arns")]
    pub backup_role_arns: Vec<String>,
    pub external_id: Option<String>,
    pub role_session_name: Option<String>,
}

/// The credentials one side is collected with: a role to assume (`None`: the ambient ones).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CredentialSource {
    pub role_arn: Option<String>,
}

impl SdkSettings {
    /// The credentials of a side: its own role, else `--role-arn`, else the ambient ones. The
    /// backup side has no single role: see [`SideRoles::backup`].
    pub fn source_of(&self, side: crate::inventory::Side) -> CredentialSource {
        use crate::inventory::Side;
        let own = match side {
            Side::Primary => self.side_roles.primary.as_ref(),
            Side::Dr => self.side_roles.dr.as_ref(),
            Side::Dns => self.side_roles.dns.as_ref(),
            Side::Backup => None,
        };
        CredentialSource { role_arn: own.or(self.role_arn.as_ref()).cloned() }
    }
}

/// The configuration with aws-config's standard chain (or `--profile`, or the given
/// credentials), before any role is assumed.
pub async fn ambient_config(settings: &SdkSettings, home_region: &str) -> SdkConfig {
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
    loader.load().await
}

/// `base` with the credentials of `role_arn` (STS AssumeRole through `base`'s own credentials,
/// refreshed as they expire): one account's configuration, for a side of a DR setup or an
/// account of an organization. `session_name` defaults to `drscan`.
pub async fn assume_role_config(
    base: &SdkConfig,
    role_arn: &str,
    external_id: Option<&str>,
    session_name: Option<&str>,
) -> SdkConfig {
    let provider = assume_role_provider(base, role_arn, external_id, session_name).await;
    base.to_builder().credentials_provider(SharedCredentialsProvider::new(provider)).build()
}

/// STS AssumeRole of `role_arn` over the credentials of `source` (session name default `drscan`).
async fn assume_role_provider(
    source: &SdkConfig,
    role_arn: &str,
    external_id: Option<&str>,
    session_name: Option<&str>,
) -> aws_config::sts::AssumeRoleProvider {
    let mut builder =
        aws_config::sts::AssumeRoleProvider::builder(role_arn).session_name(session_name.unwrap_or("drscan"));
    if let Some(external_id) = external_id {
        builder = builder.external_id(external_id);
    }
    builder.configure(source).build().await
}

/// Organization mode: assume `role_arn` (the audit role of one member account) once over the
/// credentials of `source`, and hand back its temporary credentials, so that the account's
/// collection uses them as given credentials and AssumeRole is called once per account. STS
/// meters AssumeRole in the *caller's* account and region, so every account's call draws on one
/// bucket of `pacer` (shared by the whole organization run) under the label `caller`, and a
/// throttled answer is retried like any other call. The error is the whole chain of causes, as
/// [`check_credentials`] reports it.
pub(crate) async fn assume_role(
    source: &SdkConfig,
    pacer: &super::pacing::Pacer,
    role_arn: &str,
    external_id: Option<&str>,
    session_name: Option<&str>,
) -> Result<aws_credential_types::Credentials, String> {
    use super::pacing::{PacingInterceptor, TooManyRequestsClassifier};
    let region = source.region().map_or_else(|| "us-east-1".to_string(), |r| r.to_string());
    let conf = aws_sdk_sts::config::Builder::from(source)
        .interceptor(PacingInterceptor::new(pacer, CALLER_ACCOUNT, &region))
        .retry_classifier(TooManyRequestsClassifier)
        .build();
    let client = aws_sdk_sts::Client::from_conf(conf);
    let answer = client
        .assume_role()
        .role_arn(role_arn)
        .role_session_name(session_name.unwrap_or("drscan"))
        .set_external_id(external_id.map(str::to_string))
        .send()
        .await
        .map_err(|e| error_chain(&e))?;
    let Some(credentials) = answer.credentials() else {
        return Err(format!("sts:AssumeRole of {role_arn} answered without credentials"));
    };
    // The SDK fills a required member missing from the answer (a body cut short) with an empty
    // string or the epoch rather than failing: such credentials would sign as nobody, or as
    // whatever account a bare access key id maps to. Incomplete is not assumed.
    let missing: Vec<&str> = [
        ("AccessKeyId", credentials.access_key_id().is_empty()),
        ("SecretAccessKey", credentials.secret_access_key().is_empty()),
        ("SessionToken", credentials.session_token().is_empty()),
    ]
    .into_iter()
    .filter_map(|(name, empty)| empty.then_some(name))
    .collect();
    if !missing.is_empty() {
        return Err(format!(
            "sts:AssumeRole of {role_arn} answered incomplete credentials (no {})",
            missing.join(", ")
        ));
    }
    let expiry = std::time::SystemTime::try_from(*credentials.expiration()).ok();
    if expiry.is_none_or(|at| at <= std::time::SystemTime::now()) {
        return Err(format!(
            "sts:AssumeRole of {role_arn} answered credentials that have already expired ({})",
            credentials.expiration()
        ));
    }
    Ok(aws_credential_types::Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key(),
        Some(credentials.session_token().to_string()),
        expiry,
        "drscan-organization",
    ))
}

/// The pacing label of calls the caller's own account is metered for (AssumeRole in
/// organization mode), kept apart from every audited account's buckets.
pub(crate) const CALLER_ACCOUNT: &str = "caller";

/// An error and its sources, outermost first.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text = format!("{text}: {inner}");
        source = inner.source();
    }
    text
}

/// The configuration of one credential source: the ambient one, or a role assumed through it.
pub async fn source_config(
    settings: &SdkSettings,
    ambient: &SdkConfig,
    source: &CredentialSource,
) -> SdkConfig {
    match &source.role_arn {
        None => ambient.clone(),
        Some(role_arn) => {
            assume_role_config(
                ambient,
                role_arn,
                settings.external_id.as_deref(),
                settings.role_session_name.as_deref(),
            )
            .await
        }
    }
}

/// The base configuration every regional client is cloned from: the ambient credentials, or
/// `--role-arn` assumed through them.
pub async fn base_config(settings: &SdkSettings, home_region: &str) -> SdkConfig {
    let ambient = ambient_config(settings, home_region).await;
    let source = CredentialSource { role_arn: settings.role_arn.clone() };
    source_config(settings, &ambient, &source).await
}

/// The account a role ARN belongs to (`arn:aws:iam::123456789012:role/name`), for naming an
/// account whose role could not be assumed.
pub fn role_account(role_arn: &str) -> Option<&str> {
    let account = role_arn.split(':').nth(4)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
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
    provider.provide_credentials().await.map(|_| ()).map_err(|e| error_chain(&e))
}

/// What the shared AWS config files say about the profile in use, so that a credential error
/// can point the right way: a profile that does not exist is named as such (not as a failure
/// of the instance metadata service that the chain tried last), an SSO profile is told to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileFacts {
    pub name: String,
    /// `--profile` or `AWS_PROFILE`.
    pub given_by: &'static str,
    pub defined: bool,
    /// The profile (or the one its `source_profile` chain starts from) signs in through IAM
    /// Identity Center: `sso_session` or `sso_start_url`.
    pub uses_sso: bool,
    /// Every profile the files define, for near matches.
    pub all: Vec<String>,
}

/// The facts of the profile `--profile` (else `AWS_PROFILE`) names; `None` when no profile is
/// named, credentials are given directly, or the files cannot be read (the SDK then says why).
pub async fn profile_facts(settings: &SdkSettings) -> Option<ProfileFacts> {
    if settings.credentials.is_some() {
        return None;
    }
    let (name, given_by) = match &settings.profile {
        Some(name) => (name.clone(), "--profile"),
        None => (std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty())?, "AWS_PROFILE"),
    };
    let files = aws_runtime::env_config::file::EnvConfigFiles::default();
    let fs = aws_types::os_shim_internal::Fs::real();
    let env = aws_types::os_shim_internal::Env::real();
    let profiles = aws_config::profile::load(&fs, &env, &files, None).await.ok()?;
    let all: Vec<String> = profiles.profiles().map(str::to_string).collect();
    let mut uses_sso = false;
    let mut current = profiles.get_profile(&name);
    // Follow source_profile a few steps: role profiles often chain to an SSO profile.
    for _ in 0..4 {
        let Some(profile) = current else { break };
        uses_sso |= profile.get("sso_session").is_some() || profile.get("sso_start_url").is_some();
        current = profile.get("source_profile").and_then(|next| profiles.get_profile(next));
    }
    Some(ProfileFacts { defined: profiles.get_profile(&name).is_some(), name, given_by, uses_sso, all })
}

impl ProfileFacts {
    /// The remedy for credentials that could not be resolved through this profile.
    pub fn remedy(&self) -> String {
        if self.uses_sso {
            format!(
                "the IAM Identity Center (SSO) session of profile `{0}` has expired or was never started: run `aws sso login --profile {0}`",
                self.name
            )
        } else {
            format!("check the credentials of profile `{}` in the shared AWS config files", self.name)
        }
    }
}

/// `--profile NAME` that no shared config file defines: a usage error naming the profiles
/// that exist, before the credential chain falls through to sources the user did not ask for.
impl ProfileFacts {
    pub fn undefined(&self) -> DrscanError {
        let facts = self;
        let near: Vec<&str> = facts
            .all
            .iter()
            .filter(|p| strsim::levenshtein(&p.to_ascii_lowercase(), &facts.name.to_ascii_lowercase()) <= 2)
            .map(String::as_str)
            .collect();
        let help = match (near.as_slice(), facts.all.is_empty()) {
        (_, true) => "no profile is defined: check AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, or create one with `aws configure --profile NAME` (or `aws configure sso`)".to_string(),
        ([], false) => format!("profiles defined: {}", facts.all.join(", ")),
        (near, false) => format!("did you mean {}? (profiles defined: {})", near.join(" or "), facts.all.join(", ")),
    };
        DrscanError::Usage {
            message: format!(
                "profile `{}` is not defined in the shared AWS config files (~/.aws/config, ~/.aws/credentials)",
                facts.name
            ),
            help: Some(help),
        }
    }
}

/// Credentials could not be resolved: say which source failed and what fixes it.
pub fn no_credentials(settings: &SdkSettings, profile: Option<&ProfileFacts>, message: &str) -> DrscanError {
    let help = match (profile, &settings.role_arn) {
        (Some(facts), _) if facts.uses_sso || facts.defined => facts.remedy(),
        (_, Some(role)) => format!(
            "drscan could not assume {role}: its trust policy must allow the caller (and, if it asks for one, --external-id)"
        ),
        _ => "set --profile (or AWS_PROFILE), AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where an instance, container or SSO role is available".to_string(),
    };
    DrscanError::CollectionImpossible { message: format!("no AWS credentials: {message}"), help: Some(help) }
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

/// Attempts made so far by one call (the per-call log numbers them; retries are 2, 3, …).
#[derive(Debug, Clone, Copy)]
struct AttemptNumber(u32);

impl Storable for AttemptNumber {
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
        "elasticloadbalancingv2" => "elbv2".to_string(),
        // The Classic Load Balancer API (2012-06-01), which AWS meters apart from ELBv2.
        "elasticloadbalancing" => "elb".to_string(),
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
        let attempt = cfg.load::<AttemptNumber>().map_or(1, |n| n.0 + 1);
        cfg.interceptor_state().store_put(AttemptNumber(attempt));
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
        let latency = start.elapsed();
        // `-v`: one line per attempt, so a user sees what drscan did and what it waited on.
        if tracing::enabled!(tracing::Level::DEBUG) {
            let outcome = match (context.response(), context.output_or_error()) {
                (Some(response), _) => format!("HTTP {}", response.status().as_u16()),
                (None, Some(Err(error))) => format!("no response: {error}"),
                (None, _) => "no response".to_string(),
            };
            let (service, name) = operation.split_once(':').unwrap_or(("unknown", operation.as_str()));
            tracing::debug!(
                service = %service,
                region = %self.region,
                operation = %name,
                attempt = cfg.load::<AttemptNumber>().map_or(1, |n| n.0),
                latency_ms = latency.as_millis() as u64,
                outcome = %outcome,
                "aws call"
            );
        }
        self.recorder.record(&self.region, operation, context.response().is_some(), latency);
        cfg.interceptor_state().unset::<AttemptStart>();
        Ok(())
    }
}
