//! SSM Parameter Store of one region: the `resolve:ssm:` image IDs that the region's launch
//! template versions name — that each parameter exists (its metadata), and its value, so the
//! rules see the AMI a launch would use now. Only plain parameters are read (AMI parameters
//! are `aws:ec2:image` strings), never decrypted: drscan reads no secret values.

use super::errors::Failure;
use super::{RegionCtx, smithy_time};
use crate::inventory::compute::LaunchTemplate;
use crate::inventory::dependencies::Parameter;
use crate::inventory::{CollectionError, ErrorCause, Known, ResourceKind as K, UnknownReason};
use std::collections::{BTreeMap, BTreeSet};

/// The kinds [`resolve`] reads: the parameters templates name (absent: they do not exist).
pub(crate) const FILLS: &[K] = &[K::Parameter];

/// GetParameters takes at most 10 names per call.
const NAMES_PER_CALL: usize = 10;

/// The parameter names the templates' versions resolve their image IDs through.
pub(crate) fn referenced_parameters(templates: &[LaunchTemplate]) -> BTreeSet<String> {
    templates
        .iter()
        .filter_map(|t| t.versions.value())
        .flatten()
        .filter_map(|v| v.ssm_parameter())
        .map(str::to_string)
        .collect()
}

/// What [`resolve`] read: each reference's value (or why it is missing), the parameters that
/// exist, and the calls that failed (only their references are unknown).
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    pub values: BTreeMap<String, Known<String>>,
    pub parameters: Vec<Parameter>,
    pub errors: Vec<CollectionError>,
}

/// The reference of `asked` that an answered parameter stands for: GetParameters answers a
/// `name:version`, `name:label` or ARN reference with the bare name and a `Selector`.
fn reference_of<'a>(
    asked: &'a [String],
    name: &str,
    arn: Option<&str>,
    selector: Option<&str>,
) -> Option<&'a String> {
    let selector = selector.unwrap_or_default();
    let mut candidates = vec![format!("{name}{selector}"), name.to_string()];
    if let Some(arn) = arn {
        candidates.push(format!("{arn}{selector}"));
        candidates.push(arn.to_string());
    }
    candidates.iter().find_map(|c| asked.iter().find(|a| *a == c))
}

/// Each referenced parameter, and its value or why it could not be read. A name given with a
/// version or label (`name:3`) is looked up as given.
pub(crate) async fn resolve(ctx: &RegionCtx, names: BTreeSet<String>) -> Resolved {
    let mut resolved = Resolved::default();
    if names.is_empty() {
        return resolved;
    }
    let client = ctx.ssm();
    let names: Vec<String> = names.into_iter().collect();
    for chunk in names.chunks(NAMES_PER_CALL) {
        match client.get_parameters().set_names(Some(chunk.to_vec())).with_decryption(false).send().await {
            Ok(output) => {
                for parameter in output.parameters() {
                    let Some(name) = parameter.name() else { continue };
                    let Some(reference) = reference_of(chunk, name, parameter.arn(), parameter.selector())
                    else {
                        continue;
                    };
                    if let Some(value) = parameter.value() {
                        resolved.values.insert(reference.clone(), Known::Value(value.to_string()));
                    }
                    resolved.parameters.push(Parameter {
                        reference: reference.clone(),
                        name: name.to_string(),
                        arn: parameter.arn().unwrap_or_default().to_string(),
                        parameter_type: parameter
                            .r#type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                        data_type: parameter.data_type().unwrap_or_default().to_string(),
                        version: parameter.version(),
                        last_modified: smithy_time(parameter.last_modified_date()),
                    });
                }
                for name in output.invalid_parameters() {
                    let reason = Failure::new(
                        "ssm:GetParameters",
                        ErrorCause::NotFound,
                        format!("parameter {name} does not exist"),
                    )
                    .reason();
                    resolved.values.insert(name.clone(), Known::Unknown(reason));
                }
            }
            Err(e) => {
                let failure = Failure::from_sdk("ssm:GetParameters", &e);
                for name in chunk {
                    resolved.values.insert(name.clone(), Known::Unknown(failure.reason()));
                }
                resolved.errors.push(failure.reading(ctx.region_name(), FILLS, chunk.to_vec()));
            }
        }
    }
    resolved
}

/// Put the resolved values into the versions that name them; `Err`: none could be read.
pub(crate) fn apply(
    templates: &mut [LaunchTemplate],
    resolved: Result<BTreeMap<String, Known<String>>, UnknownReason>,
) {
    for template in templates {
        let Known::Value(versions) = &mut template.versions else { continue };
        for version in versions {
            let Some(name) = version.ssm_parameter() else { continue };
            version.resolved_image_id = match &resolved {
                Ok(values) => values.get(name).cloned(),
                Err(reason) => Some(Known::Unknown(reason.clone())),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::reference_of;

    fn asked(references: &[&str]) -> Vec<String> {
        references.iter().map(|r| r.to_string()).collect()
    }

    #[test]
    fn a_versioned_or_labelled_reference_is_the_one_answered_with_its_selector() {
        // GetParameters answers `name:3` with Name `name` and Selector `:3` (AWS's API reference).
        let asked = asked(&["/web/golden-ami:3", "/web/golden-ami:prod", "/web/golden-ami"]);
        let arn = Some("arn:aws:ssm:us-east-1:123456789012:parameter/web/golden-ami");
        assert_eq!(
            reference_of(&asked, "/web/golden-ami", arn, Some(":3")).map(String::as_str),
            Some("/web/golden-ami:3")
        );
        assert_eq!(
            reference_of(&asked, "/web/golden-ami", arn, Some(":prod")).map(String::as_str),
            Some("/web/golden-ami:prod")
        );
        assert_eq!(
            reference_of(&asked, "/web/golden-ami", arn, None).map(String::as_str),
            Some("/web/golden-ami")
        );
    }

    #[test]
    fn an_arn_reference_is_matched_by_the_answered_arn() {
        let arn = "arn:aws:ssm:us-east-1:123456789012:parameter/web/golden-ami";
        let asked = asked(&[&format!("{arn}:2")]);
        assert_eq!(reference_of(&asked, "/web/golden-ami", Some(arn), Some(":2")), Some(&asked[0]));
        assert_eq!(reference_of(&asked, "/web/other", None, Some(":2")), None);
    }
}
