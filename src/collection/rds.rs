//! RDS of one region: DB instances with their replica links and replication status infos,
//! Aurora clusters, global clusters, and where each instance's automated backups are
//! replicated to (read from the instance's automated backups, in its own region).

use super::{Part, RegionCtx, paging::all_pages, smithy_time, tags, to_u32};
use crate::inventory::database::{
    DbCluster, DbClusterMember, DbInstance, GlobalCluster, GlobalClusterMember, ReplicaStatusInfo,
};
use crate::inventory::{Known, ResourceKind as K};
use std::collections::HashMap;

/// The kinds this collector lists; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] = &[K::DbInstance, K::DbCluster, K::GlobalCluster];

pub(crate) async fn collect(ctx: &RegionCtx) -> Part {
    let client = ctx.rds();
    let mut part = Part::default();
    let (instances, clusters, globals, backups) = tokio::join!(
        all_pages("rds:DescribeDBInstances", client.describe_db_instances().into_paginator(), |o| o.marker(),),
        all_pages("rds:DescribeDBClusters", client.describe_db_clusters().into_paginator(), |o| o.marker(),),
        all_pages("rds:DescribeGlobalClusters", client.describe_global_clusters().into_paginator(), |o| o
            .marker(),),
        all_pages(
            "rds:DescribeDBInstanceAutomatedBackups",
            client.describe_db_instance_automated_backups().into_paginator(),
            |o| o.marker(),
        ),
    );

    // Source instance ARN → regions its automated backups are replicated to.
    let replications: Result<HashMap<String, Vec<String>>, _> = backups.map(|pages| {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for backup in pages.iter().flat_map(|p| p.db_instance_automated_backups()) {
            let Some(source) = backup.db_instance_arn() else { continue };
            let regions = map.entry(source.to_string()).or_default();
            for replication in backup.db_instance_automated_backups_replications() {
                regions.extend(replication.db_instance_automated_backups_arn().and_then(arn_region));
            }
        }
        map
    });

    part.resources.db_instances = part
        .listed(ctx, instances, &[K::DbInstance])
        .iter()
        .flat_map(|p| p.db_instances())
        .map(|i| {
            let arn = i.db_instance_arn().unwrap_or_default().to_string();
            let replica_source = i.read_replica_source_db_instance_identifier().map(str::to_string);
            // Replicas and Aurora members have no automated backups of their own to copy.
            let automated_backup_replications = (replica_source.is_none()
                && i.db_cluster_identifier().is_none())
            .then(|| match &replications {
                Ok(map) => {
                    let mut regions = map.get(&arn).cloned().unwrap_or_default();
                    regions.extend(
                        i.db_instance_automated_backups_replications()
                            .iter()
                            .filter_map(|r| r.db_instance_automated_backups_arn())
                            .filter_map(arn_region),
                    );
                    regions.sort();
                    regions.dedup();
                    Known::Value(regions)
                }
                Err(f) => Known::Unknown(f.reason()),
            });
            DbInstance {
                arn,
                id: i.db_instance_identifier().unwrap_or_default().to_string(),
                engine: i.engine().unwrap_or_default().to_string(),
                instance_class: i.db_instance_class().unwrap_or_default().to_string(),
                status: i.db_instance_status().unwrap_or_default().to_string(),
                multi_az: i.multi_az().unwrap_or(false),
                backup_retention_days: to_u32(i.backup_retention_period()),
                deletion_protection: i.deletion_protection().unwrap_or(false),
                storage_encrypted: i.storage_encrypted().unwrap_or(false),
                kms_key_id: i.kms_key_id().and_then(super::kms_key_reference),
                cluster_id: i.db_cluster_identifier().map(str::to_string),
                read_replica_source: replica_source,
                read_replica_ids: i.read_replica_db_instance_identifiers().to_vec(),
                replica_status: i
                    .status_infos()
                    .iter()
                    .filter(|s| s.status_type().is_some_and(|t| t.eq_ignore_ascii_case("read replication")))
                    .map(|s| ReplicaStatusInfo {
                        status: s.status().unwrap_or_default().to_string(),
                        normal: s.normal().unwrap_or(true),
                        message: s.message().map(str::to_string),
                    })
                    .collect(),
                automated_backup_replications,
                created_at: smithy_time(i.instance_create_time()),
                master_user_secret_arn: i
                    .master_user_secret()
                    .and_then(|s| s.secret_arn())
                    .map(str::to_string),
                tags: tags(i.tag_list().iter().map(|t| (t.key(), t.value()))),
            }
        })
        .collect();
    part.resources.db_clusters = part
        .listed(ctx, clusters, &[K::DbCluster])
        .iter()
        .flat_map(|p| p.db_clusters())
        .map(|c| DbCluster {
            arn: c.db_cluster_arn().unwrap_or_default().to_string(),
            id: c.db_cluster_identifier().unwrap_or_default().to_string(),
            engine: c.engine().unwrap_or_default().to_string(),
            status: c.status().unwrap_or_default().to_string(),
            members: c
                .db_cluster_members()
                .iter()
                .map(|m| DbClusterMember {
                    instance_id: m.db_instance_identifier().unwrap_or_default().to_string(),
                    writer: m.is_cluster_writer().unwrap_or(false),
                })
                .collect(),
            replication_source: c.replication_source_identifier().map(str::to_string),
            multi_az: c.multi_az().unwrap_or(false),
            backup_retention_days: to_u32(c.backup_retention_period()),
            deletion_protection: c.deletion_protection().unwrap_or(false),
            kms_key_id: c.kms_key_id().and_then(super::kms_key_reference),
            created_at: smithy_time(c.cluster_create_time()),
            master_user_secret_arn: c.master_user_secret().and_then(|s| s.secret_arn()).map(str::to_string),
            tags: tags(c.tag_list().iter().map(|t| (t.key(), t.value()))),
        })
        .collect();
    part.resources.global_clusters = part
        .listed(ctx, globals, &[K::GlobalCluster])
        .iter()
        .flat_map(|p| p.global_clusters())
        .map(|g| GlobalCluster {
            arn: g.global_cluster_arn().unwrap_or_default().to_string(),
            id: g.global_cluster_identifier().unwrap_or_default().to_string(),
            status: g.status().unwrap_or_default().to_string(),
            members: g
                .global_cluster_members()
                .iter()
                .map(|m| GlobalClusterMember {
                    cluster_arn: m.db_cluster_arn().unwrap_or_default().to_string(),
                    writer: m.is_writer().unwrap_or(false),
                })
                .collect(),
        })
        .collect();
    part
}

/// The region field of an ARN (`arn:partition:service:region:account:…`).
pub(crate) fn arn_region(arn: &str) -> Option<String> {
    arn.split(':').nth(3).filter(|r| !r.is_empty()).map(str::to_string)
}
