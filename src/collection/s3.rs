//! S3 of one region: the account's general purpose buckets in the region, each with its
//! versioning, replication configuration and tags. Bucket-level configuration only: drscan
//! never lists, reads or heads an object.
//!
//! ListBuckets answers for every region; with `BucketRegion` AWS filters it server-side and
//! names each bucket's region, and a bucket whose region is not named is located with
//! GetBucketLocation, so emulators without the filter are read right too.

use super::errors::Failure;
use super::{Part, RegionCtx, bounded, paging::all_pages, smithy_time, tags};
use crate::inventory::storage::{Bucket, BucketReplication, BucketReplicationRule};
use crate::inventory::{Known, ResourceKind as K, Tags};
use aws_sdk_s3::types::ReplicationRule;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// The kinds this collector lists; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] = &[K::Bucket];

/// S3's answer to GetBucketReplication for a bucket without a replication configuration.
const NO_REPLICATION: &str = "ReplicationConfigurationNotFoundError";
/// S3's answer to GetBucketTagging for a bucket without tags.
const NO_TAGS: &str = "NoSuchTagSet";

pub(crate) async fn collect(ctx: &RegionCtx) -> Part {
    let client = ctx.s3();
    let mut part = Part::default();
    let listing =
        all_pages("s3:ListBuckets", client.list_buckets().bucket_region(&ctx.region).into_paginator(), |o| {
            o.continuation_token()
        })
        .await;
    let Some(listing) = part.listed_or_none(ctx, listing, FILLS) else { return part };
    let listed: Vec<(String, Option<String>, Option<chrono::DateTime<chrono::Utc>>)> = listing
        .iter()
        .flat_map(|p| p.buckets())
        .filter_map(|b| {
            let name = b.name()?.to_string();
            Some((name, b.bucket_region().map(str::to_string), smithy_time(b.creation_date())))
        })
        .collect();

    // Where the listing does not say, ask each bucket where it is.
    let located = bounded(listed, ctx.concurrency, |(name, region, created_at)| {
        let client = client.clone();
        async move {
            let region = match region {
                Some(region) => Ok(region),
                None => match client.get_bucket_location().bucket(&name).send().await {
                    Ok(output) => Ok(location_region(output.location_constraint().map(|c| c.as_str()))),
                    Err(e) => Err(Failure::from_sdk("s3:GetBucketLocation", &e)),
                },
            };
            (name, region, created_at)
        }
    })
    .await;
    let mut here = Vec::new();
    for (name, region, created_at) in located {
        match region {
            Ok(region) if region == ctx.region => here.push((name, created_at)),
            Ok(_) => {}
            // Only this bucket's region is unknown: it may be one of this region's.
            // A bucket that could not be located may be one of this region's: the listing is
            // incomplete (a per-bucket error would leave "this bucket is absent" looking known).
            Err(f) => part.errors.push(f.reading(ctx.region_name(), FILLS, Vec::new())),
        }
    }

    let buckets = bounded(here, ctx.concurrency, |(name, created_at)| describe(ctx, name, created_at)).await;
    part.resources.buckets = buckets;
    part
}

/// One bucket's configuration: versioning, replication and tags, read at once.
async fn describe(
    ctx: &RegionCtx,
    name: String,
    created_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Bucket {
    let client = ctx.s3();
    let (versioning, replication, tagging) = tokio::join!(
        client.get_bucket_versioning().bucket(&name).send(),
        client.get_bucket_replication().bucket(&name).send(),
        client.get_bucket_tagging().bucket(&name).send(),
    );
    let versioning = match versioning {
        // A bucket that never had versioning answers without a status.
        Ok(output) => {
            Known::Value(output.status().map(|s| s.as_str().to_string()).unwrap_or_else(|| "Disabled".into()))
        }
        Err(e) => Known::Unknown(Failure::from_sdk("s3:GetBucketVersioning", &e).reason()),
    };
    let replication = match replication {
        Ok(output) => Known::Value(output.replication_configuration().map(|c| BucketReplication {
            role: c.role().to_string(),
            rules: c.rules().iter().map(replication_rule).collect(),
        })),
        Err(e) if e.code() == Some(NO_REPLICATION) => Known::Value(None),
        Err(e) => Known::Unknown(Failure::from_sdk("s3:GetBucketReplication", &e).reason()),
    };
    let (tags, tags_unknown) = match tagging {
        Ok(output) => (tags(output.tag_set().iter().map(|t| (Some(t.key()), Some(t.value())))), None),
        Err(e) if e.code() == Some(NO_TAGS) => (Tags::new(), None),
        Err(e) => (Tags::new(), Some(Failure::from_sdk("s3:GetBucketTagging", &e).reason())),
    };
    Bucket {
        arn: format!("arn:aws:s3:::{name}"),
        name,
        created_at,
        versioning,
        replication,
        incoming_replication: Known::Value(Vec::new()),
        tags,
        tags_unknown,
    }
}

fn replication_rule(rule: &ReplicationRule) -> BucketReplicationRule {
    let destination = rule.destination();
    let replication_time = destination
        .and_then(|d| d.replication_time())
        .filter(|t| t.status().as_str() == "Enabled")
        .map(|t| t.time().and_then(|v| v.minutes()).and_then(|m| u32::try_from(m).ok()).unwrap_or(15));
    let bucket = destination.map(|d| d.bucket()).unwrap_or_default();
    BucketReplicationRule {
        id: rule.id().unwrap_or_default().to_string(),
        status: rule.status().as_str().to_string(),
        priority: rule.priority(),
        scope: rule_scope(rule),
        destination_bucket_arn: if bucket.starts_with("arn:") {
            bucket.to_string()
        } else {
            format!("arn:aws:s3:::{bucket}")
        },
        destination_account: destination.and_then(|d| d.account()).map(str::to_string),
        delete_marker_replication: rule
            .delete_marker_replication()
            .and_then(|d| d.status())
            .map(|s| s.as_str().to_string())
            // The V1 schema (a Prefix and no Filter) replicates delete markers; a Filter rule
            // without the element does not.
            .or_else(|| rule.filter().map(|_| "Disabled".to_string())),
        existing_object_replication: rule
            .existing_object_replication()
            .map(|e| e.status().as_str().to_string()),
        replication_time_minutes: replication_time,
        metrics_enabled: destination
            .and_then(|d| d.metrics())
            .is_some_and(|m| m.status().as_str() == "Enabled"),
    }
}

/// What a rule's filter selects, for messages: `""` for every object.
fn rule_scope(rule: &ReplicationRule) -> String {
    let tag = |t: &aws_sdk_s3::types::Tag| format!("tag {}={}", t.key(), t.value());
    let mut parts: Vec<String> = Vec::new();
    let prefix = rule.filter().and_then(|f| f.prefix().or_else(|| f.and().and_then(|a| a.prefix())));
    // Rules of the V1 schema still carry the deprecated top-level Prefix.
    #[allow(deprecated)]
    let v1_prefix = rule.prefix();
    if let Some(prefix) = prefix.or(v1_prefix).filter(|p| !p.is_empty()) {
        parts.push(format!("prefix {prefix}"));
    }
    if let Some(filter) = rule.filter() {
        parts.extend(filter.tag().map(tag));
        parts.extend(filter.and().into_iter().flat_map(|a| a.tags()).map(tag));
    }
    parts.join(", ")
}

/// GetBucketLocation's answer as a region name: none for us-east-1, `EU` for eu-west-1.
fn location_region(constraint: Option<&str>) -> String {
    match constraint {
        None | Some("") => "us-east-1".to_string(),
        Some("EU") => "eu-west-1".to_string(),
        Some(region) => region.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::location_region;

    #[test]
    fn location_constraints_name_their_region() {
        assert_eq!(location_region(None), "us-east-1");
        assert_eq!(location_region(Some("")), "us-east-1");
        assert_eq!(location_region(Some("EU")), "eu-west-1");
        assert_eq!(location_region(Some("ap-south-1")), "ap-south-1");
    }
}
