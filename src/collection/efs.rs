//! EFS of one region: file systems with their automatic-backup policy and replication
//! destinations (status and last replicated time).

use super::errors::Failure;
use super::{Part, RegionCtx, bounded, paging::all_pages, smithy_time, tags};
use crate::inventory::storage::{FileSystem, ReplicationDestination};
use crate::inventory::{ErrorCause, Known, ResourceKind as K};
use std::collections::HashMap;

/// The kinds this collector lists; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] = &[K::FileSystem];

pub(crate) async fn collect(ctx: &RegionCtx) -> Part {
    let client = ctx.efs();
    let mut part = Part::default();
    let (systems, replications) = tokio::join!(
        all_pages(
            "efs:DescribeFileSystems",
            client.describe_file_systems().into_paginator().page_size(100),
            |o| o.next_marker(),
        ),
        // Without a file system ID this lists every replication configuration of the region.
        all_pages(
            "efs:DescribeReplicationConfigurations",
            client.describe_replication_configurations().into_paginator(),
            |o| o.next_token(),
        ),
    );
    let Some(systems) = part.listed_or_none(ctx, systems, &[K::FileSystem]) else { return part };
    let replications: Result<HashMap<String, Vec<ReplicationDestination>>, Failure> = match replications {
        Ok(pages) => {
            let mut map: HashMap<String, Vec<ReplicationDestination>> = HashMap::new();
            for config in pages.iter().flat_map(|p| p.replications()) {
                if config.source_file_system_region() != ctx.region {
                    continue;
                }
                map.entry(config.source_file_system_id().to_string()).or_default().extend(
                    config.destinations().iter().map(|d| ReplicationDestination {
                        region: d.region().to_string(),
                        file_system_id: d.file_system_id().to_string(),
                        status: d.status().as_str().to_string(),
                        last_replicated_timestamp: smithy_time(d.last_replicated_timestamp()),
                        owner_id: d.owner_id().map(str::to_string),
                    }),
                );
            }
            Ok(map)
        }
        // "No replication configuration" is an answer, not a gap.
        Err(f) if f.cause == ErrorCause::NotFound => Ok(HashMap::new()),
        Err(f) => Err(f),
    };

    let descriptions: Vec<_> = systems.iter().flat_map(|p| p.file_systems()).collect();
    let ids: Vec<String> = descriptions.iter().map(|d| d.file_system_id().to_string()).collect();
    let policies = bounded(ids, ctx.concurrency, |id| {
        let request = client.describe_backup_policy().file_system_id(id);
        async move {
            match request.send().await {
                Ok(output) => Known::Value(
                    output
                        .backup_policy()
                        .map(|p| p.status().as_str().to_string())
                        .unwrap_or_else(|| "DISABLED".into()),
                ),
                Err(e) => {
                    let failure = Failure::from_sdk("efs:DescribeBackupPolicy", &e);
                    // PolicyNotFound: automatic backups were never turned on.
                    if failure.cause == ErrorCause::NotFound {
                        Known::Value("DISABLED".to_string())
                    } else {
                        Known::Unknown(failure.reason())
                    }
                }
            }
        }
    })
    .await;

    for (d, backup_policy) in descriptions.into_iter().zip(policies) {
        let id = d.file_system_id().to_string();
        part.resources.file_systems.push(FileSystem {
            arn: d.file_system_arn().map(str::to_string).unwrap_or_else(|| {
                format!("arn:aws:elasticfilesystem:{}:{}:file-system/{id}", ctx.region, d.owner_id())
            }),
            name: d.name().map(str::to_string),
            life_cycle_state: d.life_cycle_state().as_str().to_string(),
            encrypted: d.encrypted().unwrap_or(false),
            kms_key_id: d.kms_key_id().map(str::to_string),
            created_at: smithy_time(Some(d.creation_time())),
            backup_policy,
            replication: match &replications {
                Ok(map) => Known::Value(map.get(&id).cloned().unwrap_or_default()),
                Err(f) => Known::Unknown(f.reason()),
            },
            tags: tags(d.tags().iter().map(|t| (Some(t.key()), Some(t.value())))),
            id,
        });
    }
    part
}
