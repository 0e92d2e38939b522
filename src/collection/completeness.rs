//! Response completeness: a successful answer must be a whole document before the SDK reads
//! it. The SDK's XML deserializers (EC2, Auto Scaling, ELBv2, RDS, Route 53, STS) are lenient:
//! they read the elements there are and stop at the end of the input, so a body cut short — a
//! connection closed early behind a proxy that had already sent `200 OK` — yields partial data
//! in which every field after the cut takes its default (a group without tags or subnets, a
//! grace period of 0, an image list missing the copy). [`CompletenessInterceptor`] rejects
//! such an answer before deserialization, for every operation of every client, so the call
//! fails (and is retried, then reported unknown) instead of returning partial data.
//!
//! Checked: a `2xx` body is not empty (every operation drscan calls answers with a document;
//! the SDK would read an empty body as an empty listing), and a body that starts as XML is a
//! well-formed document whose root element closes. JSON and CBOR answers are left to the SDK,
//! whose parsers already fail on a cut or foreign body.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextRef, InterceptorContext,
};
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// A successful answer that is not a whole document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("incomplete response: {0}")]
pub struct IncompleteResponse(String);

/// Whether `body` (of a `2xx` answer) is a whole document.
pub fn check(body: &[u8]) -> Result<(), IncompleteResponse> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Err(IncompleteResponse("the body is empty".to_string()));
    };
    if body[start] != b'<' {
        return Ok(());
    }
    let text = std::str::from_utf8(body)
        .map_err(|e| IncompleteResponse(format!("the XML body is not UTF-8 ({e})")))?;
    roxmltree::Document::parse(text)
        .map(|_| ())
        .map_err(|e| IncompleteResponse(format!("the XML body is not a whole document ({e})")))
}

/// Runs [`check`] on every successful answer before the SDK deserializes it.
#[derive(Debug, Clone, Copy, Default)]
pub struct CompletenessInterceptor;

impl Intercept for CompletenessInterceptor {
    fn name(&self) -> &'static str {
        "drscan-response-completeness"
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        if !response.status().is_success() {
            return Ok(());
        }
        // The paced HTTP client reads every body in full, so the bytes are all there; a
        // streaming body (none of drscan's operations has one) is left to the SDK.
        match response.body().bytes() {
            Some(body) => check(body).map_err(BoxError::from),
            None => Ok(()),
        }
    }
}

/// Retries an [`IncompleteResponse`] as a transient error: a body cut short is usually a
/// connection that broke, and the next attempt may get all of it.
#[derive(Debug, Clone, Copy, Default)]
pub struct IncompleteResponseClassifier;

impl ClassifyRetry for IncompleteResponseClassifier {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let Some(Err(error)) = ctx.output_or_error() else { return RetryAction::NoActionIndicated };
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(inner) = source {
            if inner.is::<IncompleteResponse>() {
                return RetryAction::transient_error();
            }
            source = inner.source();
        }
        RetryAction::NoActionIndicated
    }

    fn name(&self) -> &'static str {
        "drscan incomplete response as transient"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_before(RetryClassifierPriority::transient_error_classifier())
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    const WHOLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">
  <DescribeAutoScalingGroupsResult><AutoScalingGroups><member><AutoScalingGroupName>web</AutoScalingGroupName>
  <HealthCheckGracePeriod>300</HealthCheckGracePeriod></member></AutoScalingGroups></DescribeAutoScalingGroupsResult>
</DescribeAutoScalingGroupsResponse>"#;

    #[test]
    fn a_whole_xml_document_passes() {
        assert_eq!(check(WHOLE.as_bytes()), Ok(()));
    }

    #[test]
    fn an_xml_body_cut_anywhere_is_incomplete() {
        // Every cut, not a chosen one: inside a tag, between elements, before the root closes.
        for cut in 1..WHOLE.trim_end().len() {
            let error = check(&WHOLE.as_bytes()[..cut]).expect_err("a cut document is incomplete");
            assert!(error.to_string().starts_with("incomplete response: "), "{error}");
        }
    }

    #[test]
    fn an_empty_body_is_incomplete_and_other_documents_are_left_to_the_sdk() {
        assert!(check(b"").is_err());
        assert!(check(b" \n ").is_err());
        // JSON and CBOR: the SDK's own parsers fail on a cut body.
        assert_eq!(check(br#"{"Plans": ["#), Ok(()));
        assert_eq!(check(&[0xbf, 0x61]), Ok(()));
    }

    #[test]
    fn a_body_that_is_not_utf8_is_incomplete() {
        assert!(check(b"<Response>\xff</Response>").is_err());
    }
}
