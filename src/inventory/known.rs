//! `Known<T>`: a value collection either read, or failed to read with a recorded reason.
//!
//! Collectors mark every per-resource follow-up read (target health, health-check status,
//! replication configuration, metric series…) with this type, so a rule cannot mistake
//! "could not read" for "empty" — the mistake that turns a scanner's `unknown` into a false pass.
//! The operation a reason names maps to the IAM action that allows it ([`iam_action`]), for
//! advice on what to grant.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a piece of data is missing: which call failed and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownReason {
    /// The AWS operation that failed, as `service:Operation` (e.g. `elbv2:DescribeTargetHealth`),
    /// or a short description when no single call is to blame.
    pub operation: String,
    pub cause: ErrorCause,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

impl UnknownReason {
    pub fn new(operation: impl Into<String>, cause: ErrorCause, message: impl Into<String>) -> Self {
        Self { operation: operation.into(), cause, message: message.into() }
    }

    /// The reason with its message [`redact`]ed, for outputs (a snapshot written by an older
    /// drscan, or by hand, may hold AWS's raw error text).
    pub fn redacted(&self) -> Self {
        Self { message: redact(&self.message), ..self.clone() }
    }
}

impl fmt::Display for UnknownReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed ({})", self.operation, self.cause)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

/// What [`redact`] writes for an ARN.
const REDACTED_ARN: &str = "arn:(redacted)";

/// `text` with every ARN and every twelve-digit account ID replaced: what an AWS error message
/// may say about the caller and the account, without which it still says what failed.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("arn:") {
        let (before, from) = rest.split_at(start);
        // Already redacted: kept as it is, so redacting twice changes nothing.
        if let Some(after) = from.strip_prefix(REDACTED_ARN) {
            out.push_str(&redact_account_ids(before));
            out.push_str(REDACTED_ARN);
            rest = after;
            continue;
        }
        // An ARN only where a word starts (not `learn:`), up to whitespace, a quote or a
        // closing bracket.
        if before.chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric()) {
            out.push_str(&redact_account_ids(before));
            out.push_str("arn:");
            rest = &from[4..];
            continue;
        }
        out.push_str(&redact_account_ids(before));
        let end = from
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ')' | ']' | '}' | '>' | ','))
            .unwrap_or(from.len());
        // A sentence's full stop after the ARN stays a full stop.
        let arn = &from[..end];
        let kept = arn.len() - arn.trim_end_matches(['.', ';']).len();
        out.push_str(REDACTED_ARN);
        out.push_str(&arn[arn.len() - kept..]);
        rest = &from[end..];
    }
    out.push_str(&redact_account_ids(rest));
    out
}

/// Every run of exactly twelve digits, as a whole word, replaced.
fn redact_account_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String, next: Option<char>| {
        let whole_word = !next.is_some_and(|c| c.is_ascii_alphanumeric());
        if digits.len() == 12 && whole_word && !out.ends_with(|c: char| c.is_ascii_alphabetic()) {
            out.push_str("(account)");
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            flush(&mut digits, &mut out, Some(c));
        }
        out.push(c);
    }
    flush(&mut digits, &mut out, None);
    out
}

/// The IAM action that allows an operation named as in [`UnknownReason::operation`]
/// (`service:Operation`, with the SDK's short service names: `efs:DescribeFileSystems` is
/// `elasticfilesystem:DescribeFileSystems`), or `None` when the name is not an AWS operation
/// (e.g. `alias resolution`).
pub fn iam_action(operation: &str) -> Option<String> {
    let (service, name) = operation.split_once(':')?;
    let is_service =
        !service.is_empty() && service.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let is_operation =
        name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().all(|c| c.is_ascii_alphanumeric());
    if !is_service || !is_operation {
        return None;
    }
    // S3 names two of its permissions apart from their operations.
    let action = match (service, name) {
        ("s3", "ListBuckets") => "ListAllMyBuckets",
        ("s3", "GetBucketReplication") => "GetReplicationConfiguration",
        _ => name,
    };
    Some(format!("{}:{action}", aws_service_prefix(service)))
}

/// The service prefix AWS writes in IAM actions and ARNs for drscan's short service name
/// (`elbv2` → `elasticloadbalancing`, `efs` → `elasticfilesystem`; the others are AWS's own).
pub fn aws_service_prefix(short: &str) -> &str {
    match short {
        "elbv2" | "elb" => "elasticloadbalancing",
        "efs" => "elasticfilesystem",
        other => other,
    }
}

/// The classes an SDK error is sorted into, once, by the collectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCause {
    AccessDenied,
    Throttled,
    NotFound,
    NotImplemented,
    /// A server error (HTTP 5xx) past retries, with or without an AWS error code: usually
    /// transient, often from something between drscan and AWS (a proxy, a load balancer).
    ServerError,
    Connectivity,
    Timeout,
    /// The data cannot be resolved offline (e.g. an SSM parameter reference that was not read).
    Unresolvable,
    /// Not read on purpose, because no rule uses it (e.g. the status of a health check that no
    /// failover record references): never the cause of a finding.
    NotRead,
    Other,
}

impl fmt::Display for ErrorCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorCause::AccessDenied => "access denied",
            ErrorCause::Throttled => "throttled past retries",
            ErrorCause::NotFound => "not found",
            ErrorCause::NotImplemented => "API not available",
            ErrorCause::ServerError => "server error",
            ErrorCause::Connectivity => "region unreachable",
            ErrorCause::Timeout => "timed out",
            ErrorCause::Unresolvable => "unresolvable",
            ErrorCause::NotRead => "not read",
            ErrorCause::Other => "error",
        })
    }
}

/// A value that was either collected (`{"value": …}`) or not (`{"unknown": {…}}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Known<T> {
    Value(T),
    Unknown(UnknownReason),
}

impl<T> Known<T> {
    /// The value, or the reason it is missing.
    pub fn get(&self) -> Result<&T, &UnknownReason> {
        match self {
            Known::Value(v) => Ok(v),
            Known::Unknown(r) => Err(r),
        }
    }

    pub fn value(&self) -> Option<&T> {
        self.get().ok()
    }

    pub fn is_known(&self) -> bool {
        matches!(self, Known::Value(_))
    }
}

impl<T: Default> Default for Known<T> {
    fn default() -> Self {
        Known::Value(T::default())
    }
}

#[cfg(test)]
mod tests {
    use super::iam_action;

    #[test]
    fn operations_map_to_iam_actions() {
        assert_eq!(
            iam_action("efs:DescribeReplicationConfigurations").as_deref(),
            Some("elasticfilesystem:DescribeReplicationConfigurations")
        );
        assert_eq!(
            iam_action("elbv2:DescribeTargetHealth").as_deref(),
            Some("elasticloadbalancing:DescribeTargetHealth")
        );
        assert_eq!(
            iam_action("elasticfilesystem:DescribeFileSystems").as_deref(),
            Some("elasticfilesystem:DescribeFileSystems")
        );
        assert_eq!(iam_action("rds:DescribeDBInstances").as_deref(), Some("rds:DescribeDBInstances"));
        assert_eq!(iam_action("s3:ListBuckets").as_deref(), Some("s3:ListAllMyBuckets"));
        assert_eq!(iam_action("s3:GetBucketReplication").as_deref(), Some("s3:GetReplicationConfiguration"));
        assert_eq!(iam_action("s3:GetBucketVersioning").as_deref(), Some("s3:GetBucketVersioning"));
        assert_eq!(iam_action("alias resolution"), None);
        assert_eq!(iam_action("backup schedule evaluation"), None);
    }
}
