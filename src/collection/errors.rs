//! SDK errors, classified once into [`ErrorCause`]: by error code first, then HTTP status, then
//! the `SdkError` variant. Every collector goes through [`Failure::from_sdk`], so the snapshot
//! names the same cause for the same problem whichever service hit it.
//!
//! AWS's error text names the caller ("User: arn:aws:sts::123456789012:assumed-role/ci/… is not
//! authorized …") and the resources asked about. That text ends up in the snapshot and in every
//! output — SARIF uploaded to code scanning, JUnit, reports — so it is redacted: ARNs and
//! account IDs are replaced ([`crate::inventory::redact`]), the rest (which action was denied)
//! is kept. `-v` logs the raw text of each failure to stderr.

use crate::inventory::{CollectionError, ErrorCause, ResourceKind, UnknownReason};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// One failed AWS call (or pagination), ready to become an unknown or a collection error.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// `service:Operation`, as in the IAM policy.
    pub operation: &'static str,
    pub cause: ErrorCause,
    pub message: String,
    /// The response carried an AWS error code: an AWS API (or an emulator of one) answered,
    /// not some other server behind the endpoint.
    pub aws_error_code: bool,
    /// The AWS error code itself, for the few callers that act on one code (e.g. EC2's
    /// `InvalidLaunchTemplateId.VersionNotFound`).
    pub code: Option<String>,
}

/// How the SDK reported the error, stripped of its types so classification is testable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Construction,
    Timeout,
    Dispatch { io: bool, timeout: bool },
    Response,
    Service,
}

impl Failure {
    pub fn new(operation: &'static str, cause: ErrorCause, message: impl Into<String>) -> Self {
        Failure { operation, cause, message: message.into(), aws_error_code: false, code: None }
    }

    pub fn from_sdk<E>(operation: &'static str, error: &SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let variant = match error {
            SdkError::ConstructionFailure(_) => Variant::Construction,
            SdkError::TimeoutError(_) => Variant::Timeout,
            SdkError::DispatchFailure(d) => Variant::Dispatch { io: d.is_io(), timeout: d.is_timeout() },
            SdkError::ResponseError(_) => Variant::Response,
            SdkError::ServiceError(_) => Variant::Service,
            _ => Variant::Response,
        };
        let status = error.raw_response().map(|r| r.status().as_u16());
        let code = error.code();
        let cause = classify(code, status, variant);
        let raw = describe(code, error.message(), status, variant, error);
        tracing::debug!(operation, status, message = %raw, "aws call failed (raw error text)");
        let message = crate::inventory::redact(&raw);
        let aws_error_code = code.is_some_and(|c| !c.is_empty());
        let code = code.filter(|c| !c.is_empty()).map(str::to_string);
        Failure { operation, cause, message, aws_error_code, code }
    }

    pub fn reason(&self) -> UnknownReason {
        UnknownReason::new(self.operation, self.cause, self.message.clone())
    }

    /// A listing failure: the kinds it leaves incomplete in `region` (`None`: global).
    pub fn listing(&self, region: Option<&str>, kinds: &[ResourceKind]) -> CollectionError {
        self.reading(region, kinds, Vec::new())
    }

    /// A follow-up failure: the named resources (of `kinds`) it leaves unknown, and only those.
    pub fn reading(
        &self,
        region: Option<&str>,
        kinds: &[ResourceKind],
        resources: Vec<String>,
    ) -> CollectionError {
        CollectionError {
            region: region.map(str::to_string),
            operation: self.operation.to_string(),
            cause: self.cause,
            message: self.message.clone(),
            kinds: kinds.to_vec(),
            resources,
            account: None,
        }
    }
}

const ACCESS_DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthFailure",
    "AuthorizationError",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "MissingAuthenticationToken",
    "IncompleteSignature",
];

/// The SDK's own throttling codes (aws-runtime `THROTTLING_ERRORS`, without
/// `LimitExceededException`, which KMS, CloudWatch and Secrets Manager use for resource quotas),
/// plus codes AWS documents or sends that the SDK does not list: SNS `Throttled`, Auto Scaling's
/// documented `RateExceeded`, EFS `TooManyRequests`.
const THROTTLED: &[&str] = &[
    "Throttled",
    "RateExceeded",
    "TooManyRequests",
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "SlowDown",
    "PriorRequestNotComplete",
    "ProvisionedThroughputExceededException",
    "BandwidthLimitExceeded",
    "EC2ThrottledException",
];

const NOT_IMPLEMENTED: &[&str] = &[
    "NotImplemented",
    "InvalidAction",
    "UnknownOperationException",
    "UnsupportedOperation",
    "UnsupportedOperationException",
    "OptInRequired",
    "UnsupportedAvailabilityZoneException",
];

/// The classification itself: error code, then HTTP status, then how the SDK failed.
pub fn classify(code: Option<&str>, status: Option<u16>, variant: Variant) -> ErrorCause {
    if let Some(code) = code.filter(|c| !c.is_empty()) {
        if ACCESS_DENIED.contains(&code) {
            return ErrorCause::AccessDenied;
        }
        if THROTTLED.contains(&code) {
            return ErrorCause::Throttled;
        }
        if NOT_IMPLEMENTED.contains(&code) {
            return ErrorCause::NotImplemented;
        }
        // Whatever the code, 429 is "too many requests", and 5xx a server error.
        if status == Some(429) {
            return ErrorCause::Throttled;
        }
        if status.is_some_and(|s| s >= 500) {
            return ErrorCause::ServerError;
        }
        if code.starts_with("NoSuch")
            || code.ends_with("NotFound")
            || code.ends_with("NotFoundFault")
            || code.ends_with("NotFoundException")
            // S3: ReplicationConfigurationNotFoundError, ServerSideEncryptionConfigurationNotFoundError
            || code.ends_with("NotFoundError")
            || code.ends_with(".NotFound")
        {
            return ErrorCause::NotFound;
        }
        return ErrorCause::Other;
    }
    match status {
        Some(401 | 403) => return ErrorCause::AccessDenied,
        Some(429) => return ErrorCause::Throttled,
        // Without an error code, these mean the endpoint does not know the operation
        // (an emulator's missing route, or a service not offered in the region).
        Some(404 | 405 | 501) => return ErrorCause::NotImplemented,
        // A bare 500 (or 502, 503, 504) is a server error, usually transient: through a proxy
        // or a load balancer, the commonest failure there is, and no sign the API is missing.
        Some(500..=599) => return ErrorCause::ServerError,
        Some(_) => return ErrorCause::Other,
        None => {}
    }
    match variant {
        Variant::Timeout => ErrorCause::Timeout,
        Variant::Dispatch { timeout: true, .. } => ErrorCause::Timeout,
        Variant::Dispatch { .. } => ErrorCause::Connectivity,
        Variant::Construction | Variant::Response | Variant::Service => ErrorCause::Other,
    }
}

fn describe(
    code: Option<&str>,
    message: Option<&str>,
    status: Option<u16>,
    variant: Variant,
    error: &dyn std::error::Error,
) -> String {
    let mut parts = Vec::new();
    if let Some(code) = code.filter(|c| !c.is_empty()) {
        parts.push(code.to_string());
    }
    if let Some(message) = message.filter(|m| !m.is_empty()) {
        parts.push(first_line(message));
    }
    if parts.is_empty() {
        if let (Some(status), Variant::Service) = (status, variant) {
            // An unparseable success response also ends up here: its source says why.
            let mut source: &dyn std::error::Error = error;
            while let Some(next) = source.source() {
                source = next;
            }
            let detail = first_line(&source.to_string());
            if detail.is_empty() || detail == first_line(&error.to_string()) {
                parts.push(format!("HTTP {status} without an AWS error code"));
            } else {
                parts.push(format!("HTTP {status} without an AWS error code: {detail}"));
            }
        } else {
            // The innermost source says what went wrong (connection refused, timed out, …).
            let mut source: &dyn std::error::Error = error;
            while let Some(next) = source.source() {
                source = next;
            }
            let what = match variant {
                Variant::Timeout | Variant::Dispatch { timeout: true, .. } => "timed out",
                Variant::Dispatch { .. } => "request not delivered",
                Variant::Construction => "request not built",
                _ => match status {
                    Some(status) => {
                        return format!(
                            "unreadable HTTP {status} response: {}",
                            first_line(&source.to_string())
                        );
                    }
                    None => "unreadable response",
                },
            };
            parts.push(format!("{what}: {}", first_line(&source.to_string())));
        }
    }
    parts.join(": ")
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    line.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::redact;
    use aws_sdk_ec2::operation::describe_images::DescribeImagesError;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    fn service(code: Option<&str>, status: u16) -> SdkError<DescribeImagesError, HttpResponse> {
        let mut meta = ErrorMetadata::builder().message("boom");
        if let Some(code) = code {
            meta = meta.code(code);
        }
        let response = HttpResponse::new(status.try_into().expect("status"), SdkBody::empty());
        SdkError::service_error(DescribeImagesError::generic(meta.build()), response)
    }

    fn cause(error: &SdkError<DescribeImagesError, HttpResponse>) -> ErrorCause {
        Failure::from_sdk("ec2:DescribeImages", error).cause
    }

    #[test]
    fn codes_decide_first() {
        assert_eq!(cause(&service(Some("UnauthorizedOperation"), 403)), ErrorCause::AccessDenied);
        assert_eq!(cause(&service(Some("AccessDeniedException"), 400)), ErrorCause::AccessDenied);
        assert_eq!(cause(&service(Some("RequestLimitExceeded"), 503)), ErrorCause::Throttled);
        assert_eq!(cause(&service(Some("Throttling"), 400)), ErrorCause::Throttled);
        assert_eq!(cause(&service(Some("DBInstanceNotFound"), 404)), ErrorCause::NotFound);
        assert_eq!(cause(&service(Some("NoSuchHostedZone"), 404)), ErrorCause::NotFound);
        assert_eq!(cause(&service(Some("InvalidAMIID.NotFound"), 400)), ErrorCause::NotFound);
        assert_eq!(cause(&service(Some("ReplicationConfigurationNotFoundError"), 404)), ErrorCause::NotFound);
        assert_eq!(cause(&service(Some("InvalidAction"), 400)), ErrorCause::NotImplemented);
        assert_eq!(cause(&service(Some("InternalFailure"), 500)), ErrorCause::ServerError);
        assert_eq!(cause(&service(Some("ServiceUnavailable"), 503)), ErrorCause::ServerError);
        assert_eq!(cause(&service(Some("ValidationError"), 400)), ErrorCause::Other);
    }

    #[test]
    fn throttling_codes_the_sdk_does_not_list_are_throttling_too() {
        assert_eq!(cause(&service(Some("Throttled"), 429)), ErrorCause::Throttled);
        assert_eq!(cause(&service(Some("RateExceeded"), 400)), ErrorCause::Throttled);
        assert_eq!(cause(&service(Some("TooManyRequests"), 429)), ErrorCause::Throttled);
        assert_eq!(cause(&service(Some("ThrottlingException"), 400)), ErrorCause::Throttled);
        // A 429 with a code drscan does not know is still throttling.
        assert_eq!(cause(&service(Some("SomethingNew"), 429)), ErrorCause::Throttled);
    }

    #[test]
    fn status_decides_without_a_code() {
        assert_eq!(cause(&service(None, 403)), ErrorCause::AccessDenied);
        assert_eq!(cause(&service(None, 429)), ErrorCause::Throttled);
        // A missing route: a 404 or 501 with no AWS error code.
        assert_eq!(cause(&service(None, 404)), ErrorCause::NotImplemented);
        assert_eq!(cause(&service(None, 501)), ErrorCause::NotImplemented);
        // A bare 500 is a server error (usually transient behind a proxy), not a missing API.
        assert_eq!(cause(&service(None, 500)), ErrorCause::ServerError);
        assert_eq!(cause(&service(None, 502)), ErrorCause::ServerError);
        assert_eq!(cause(&service(None, 418)), ErrorCause::Other);
        assert!(!Failure::from_sdk("sts:GetCallerIdentity", &service(None, 403)).aws_error_code);
        assert!(
            Failure::from_sdk("sts:GetCallerIdentity", &service(Some("AccessDenied"), 403)).aws_error_code
        );
    }

    #[test]
    fn variant_decides_without_a_response() {
        let refused: SdkError<DescribeImagesError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::io("connection refused".into()));
        let failure = Failure::from_sdk("ec2:DescribeImages", &refused);
        assert_eq!(failure.cause, ErrorCause::Connectivity);
        assert!(failure.message.contains("connection refused"), "{}", failure.message);

        let slow: SdkError<DescribeImagesError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::timeout("no complete answer within 20 s".into()));
        assert_eq!(cause(&slow), ErrorCause::Timeout);
        let message = Failure::from_sdk("ec2:DescribeImages", &slow).message;
        assert!(message.starts_with("timed out: "), "{message}");

        let timeout: SdkError<DescribeImagesError, HttpResponse> =
            SdkError::timeout_error("operation timeout");
        assert_eq!(cause(&timeout), ErrorCause::Timeout);
    }

    /// Regression (issue 11): AWS's error text, principal ARN and account included, went
    /// verbatim into every output.
    #[test]
    fn error_text_keeps_what_failed_but_not_who_asked_or_which_account() {
        let raw = "User: arn:aws:sts::123456789012:assumed-role/ci-deploy/session-7 is not authorized to perform: ec2:DescribeImages on resource: arn:aws:ec2:us-east-1:123456789012:image/ami-0abc. Account 123456789012 (request 98765432109876).";
        assert_eq!(
            redact(raw),
            "User: arn:(redacted) is not authorized to perform: ec2:DescribeImages on resource: arn:(redacted). Account (account) (request 98765432109876)."
        );
        // Words that merely contain `arn:`, and other numbers, are left alone.
        assert_eq!(redact("learn: 42 items, id 12345678901"), "learn: 42 items, id 12345678901");
        assert_eq!(redact("\"arn:aws:iam::111122223333:role/x\""), "\"arn:(redacted)\"");
        // Redacting twice changes nothing.
        assert_eq!(redact(&redact(raw)), redact(raw));

        let meta = ErrorMetadata::builder().code("UnauthorizedOperation").message(raw);
        let response = HttpResponse::new(403.try_into().expect("status"), SdkBody::empty());
        let error: SdkError<DescribeImagesError, HttpResponse> =
            SdkError::service_error(DescribeImagesError::generic(meta.build()), response);
        let failure = Failure::from_sdk("ec2:DescribeImages", &error);
        assert!(!failure.message.contains("123456789012"), "{}", failure.message);
        assert!(
            failure.message.contains("not authorized to perform: ec2:DescribeImages"),
            "{}",
            failure.message
        );
    }

    #[test]
    fn messages_name_code_and_text() {
        let failure = Failure::from_sdk("ec2:DescribeImages", &service(Some("UnauthorizedOperation"), 403));
        assert_eq!(failure.message, "UnauthorizedOperation: boom");
        let listing = failure.listing(Some("us-east-1"), &[ResourceKind::Image]);
        assert_eq!(listing.operation, "ec2:DescribeImages");
        assert_eq!(listing.kinds, vec![ResourceKind::Image]);
    }
}
