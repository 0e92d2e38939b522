//! SSM Parameter Store of one region: the values of the `resolve:ssm:` image IDs that the
//! region's launch template versions name, so the rules see the AMI a launch would use now.
//! Only plain parameters are read (AMI parameters are `aws:ec2:image` strings), never
//! decrypted: drscan reads no secret values.

use super::RegionCtx;
use super::errors::Failure;
use crate::inventory::compute::LaunchTemplate;
use crate::inventory::{ErrorCause, Known, UnknownReason};
use std::collections::{BTreeMap, BTreeSet};

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

/// Each parameter's value, or why it could not be read. A name given with a version or label
/// (`name:3`) is looked up as given.
pub(crate) async fn resolve(ctx: &RegionCtx, names: BTreeSet<String>) -> BTreeMap<String, Known<String>> {
    let mut resolved: BTreeMap<String, Known<String>> = BTreeMap::new();
    if names.is_empty() {
        return resolved;
    }
    let client = ctx.ssm();
    let names: Vec<String> = names.into_iter().collect();
    for chunk in names.chunks(NAMES_PER_CALL) {
        match client.get_parameters().set_names(Some(chunk.to_vec())).with_decryption(false).send().await {
            Ok(output) => {
                for parameter in output.parameters() {
                    let (Some(name), Some(value)) = (parameter.name(), parameter.value()) else { continue };
                    resolved.insert(name.to_string(), Known::Value(value.to_string()));
                }
                for name in output.invalid_parameters() {
                    let reason = Failure::new(
                        "ssm:GetParameters",
                        ErrorCause::NotFound,
                        format!("parameter {name} does not exist"),
                    )
                    .reason();
                    resolved.insert(name.clone(), Known::Unknown(reason));
                }
            }
            Err(e) => {
                let reason = Failure::from_sdk("ssm:GetParameters", &e).reason();
                for name in chunk {
                    resolved.insert(name.clone(), Known::Unknown(reason.clone()));
                }
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
