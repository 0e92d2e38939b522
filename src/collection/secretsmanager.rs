//! Secrets Manager of one region: every secret's metadata (ListSecrets) and, for the secrets
//! that originate here, where they are replicated and how in sync each replica is
//! (DescribeSecret `ReplicationStatus`).
//!
//! Never a secret's value: this module calls neither GetSecretValue nor BatchGetSecretValue,
//! and the IAM policy does not allow them.

use super::errors::Failure;
use super::{Part, RegionCtx, bounded, paging::all_pages, smithy_time, tags};
use crate::inventory::dependencies::{Secret, SecretReplica};
use crate::inventory::{Known, ResourceKind as K};

/// The kinds this collector lists; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] = &[K::Secret];

pub(crate) async fn collect(ctx: &RegionCtx) -> Part {
    let client = ctx.secretsmanager();
    let mut part = Part::default();
    let listing =
        all_pages("secretsmanager:ListSecrets", client.list_secrets().into_paginator().page_size(100), |o| {
            o.next_token()
        })
        .await;
    let Some(entries) = part.listed_or_none(ctx, listing, FILLS) else { return part };
    let secrets: Vec<Secret> = entries
        .iter()
        .flat_map(|p| p.secret_list())
        .filter_map(|s| {
            let arn = s.arn()?.to_string();
            Some(Secret {
                name: s.name().unwrap_or_default().to_string(),
                // A replica names the region of its primary; a primary may name its own.
                primary_region: s.primary_region().filter(|r| *r != ctx.region).map(str::to_string),
                owning_service: s.owning_service().map(str::to_string),
                kms_key_id: s.kms_key_id().map(str::to_string),
                created_at: smithy_time(s.created_date()),
                replication: Known::Value(Vec::new()),
                tags: tags(s.tags().iter().map(|t| (t.key(), t.value()))),
                arn,
            })
        })
        .collect();
    // Only a primary secret knows its replicas.
    part.resources.secrets = bounded(secrets, ctx.concurrency, |mut secret| {
        let request = client.describe_secret().secret_id(&secret.arn);
        async move {
            if secret.is_primary() {
                secret.replication = match request.send().await {
                    Ok(output) => Known::Value(
                        output
                            .replication_status()
                            .iter()
                            .filter_map(|r| {
                                Some(SecretReplica {
                                    region: r.region()?.to_string(),
                                    status: r.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                                    status_message: r.status_message().map(str::to_string),
                                    kms_key_id: r.kms_key_id().map(str::to_string),
                                })
                            })
                            .collect(),
                    ),
                    Err(e) => Known::Unknown(Failure::from_sdk("secretsmanager:DescribeSecret", &e).reason()),
                };
            }
            secret
        }
    })
    .await;
    part
}
