//! KMS of one region: the state of the keys that failover needs there — the keys named by the
//! region's AMIs, launch templates, databases, file systems and backup vaults. Only those keys
//! are described, never listed wholesale.

use super::errors::Failure;
use super::rds::arn_region;
use super::{Part, RegionCtx, bounded};
use crate::inventory::dependencies::KmsKey;
use crate::inventory::{ErrorCause, RegionResources, ResourceKind as K};
use std::collections::BTreeSet;

/// The kinds this collector reads; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] = &[K::KmsKey];

pub(crate) async fn collect(ctx: &RegionCtx, resources: &RegionResources) -> Part {
    let mut part = Part::default();
    let mut keys: BTreeSet<String> = BTreeSet::new();
    keys.extend(resources.images.iter().flat_map(|i| i.kms_key_ids.iter().cloned()));
    for template in &resources.launch_templates {
        keys.extend(
            template.versions.value().into_iter().flatten().flat_map(|v| v.kms_key_ids.iter().cloned()),
        );
    }
    keys.extend(resources.db_instances.iter().filter_map(|d| d.kms_key_id.clone()));
    keys.extend(resources.db_clusters.iter().filter_map(|d| d.kms_key_id.clone()));
    keys.extend(resources.file_systems.iter().filter_map(|f| f.kms_key_id.clone()));
    keys.extend(resources.backup_vaults.iter().filter_map(|v| v.kms_key_arn.clone()));
    // A key ARN of another region cannot be described from here (and is that region's concern).
    keys.retain(|k| !k.starts_with("arn:") || arn_region(k).as_deref() == Some(ctx.region.as_str()));
    if keys.is_empty() {
        return part;
    }
    let client = ctx.kms();
    let results = bounded(keys.into_iter().collect(), ctx.concurrency, |key| {
        let request = client.describe_key().key_id(&key);
        async move { (key, request.send().await.map_err(|e| Failure::from_sdk("kms:DescribeKey", &e))) }
    })
    .await;
    for (key, result) in results {
        match result {
            Ok(output) => {
                let Some(m) = output.key_metadata() else { continue };
                part.resources.kms_keys.push(KmsKey {
                    arn: m.arn().unwrap_or_default().to_string(),
                    id: m.key_id().to_string(),
                    aliases: if key.contains("alias/") { vec![key.clone()] } else { Vec::new() },
                    state: m.key_state().map(|s| s.as_str().to_string()).unwrap_or_default(),
                    multi_region: m.multi_region().unwrap_or(false),
                });
            }
            // A deleted key is absent: the rules report it missing.
            Err(f) if f.cause == ErrorCause::NotFound => {}
            // Only this key is unknown.
            Err(f) => part.errors.push(f.reading(ctx.region_name(), &[K::KmsKey], vec![key])),
        }
    }
    part
}
