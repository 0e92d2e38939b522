//! DynamoDB of one region: its tables, each with the replicas of its global table (version
//! 2019.11.21, as DescribeTable reports them), point-in-time recovery and tags. Control plane
//! only: drscan never reads an item.

use super::errors::Failure;
use super::{Part, RegionCtx, bounded, paging::all_pages, smithy_time, tags, token_stuck};
use crate::inventory::database::{Table, TableReplica};
use crate::inventory::{Known, ResourceKind as K, Tags, UnknownReason};
use std::collections::HashSet;

/// The kinds this collector lists; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] = &[K::Table];

pub(crate) async fn collect(ctx: &RegionCtx) -> Part {
    let client = ctx.dynamodb();
    let mut part = Part::default();
    let names = all_pages("dynamodb:ListTables", client.list_tables().into_paginator(), |o| {
        o.last_evaluated_table_name()
    })
    .await;
    let Some(pages) = part.listed_or_none(ctx, names, FILLS) else { return part };
    let names: Vec<String> = pages.iter().flat_map(|p| p.table_names()).cloned().collect();
    part.resources.tables = bounded(names, ctx.concurrency, |name| describe(ctx, name)).await;
    part
}

/// One table: DescribeTable, DescribeContinuousBackups and its tags, read at once. A failed
/// call leaves only what it reads unknown.
async fn describe(ctx: &RegionCtx, name: String) -> Table {
    let client = ctx.dynamodb();
    let fallback_arn = format!("arn:aws:dynamodb:{}:{}:table/{name}", ctx.region, ctx.account);
    let (description, backups) = tokio::join!(
        client.describe_table().table_name(&name).send(),
        client.describe_continuous_backups().table_name(&name).send(),
    );
    let mut table = Table { name: name.clone(), ..Table::default() };
    match description {
        Ok(output) => {
            let d = output.table();
            table.arn = d.and_then(|d| d.table_arn()).map(str::to_string).unwrap_or(fallback_arn);
            table.status =
                d.and_then(|d| d.table_status()).map(|s| s.as_str().to_string()).unwrap_or_default();
            table.created_at = smithy_time(d.and_then(|d| d.creation_date_time()));
            table.global_table_version = d.and_then(|d| d.global_table_version()).map(str::to_string);
            let replicas = d.map(|d| d.replicas()).unwrap_or_default();
            table.replicas = Known::Value(
                replicas
                    .iter()
                    .filter_map(|r| {
                        let region = r.region_name()?;
                        // DescribeTable lists the table's own region among the replicas.
                        (region != ctx.region).then(|| TableReplica {
                            region: region.to_string(),
                            status: r.replica_status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                            status_description: r.replica_status_description().map(str::to_string),
                            kms_key_id: r.kms_master_key_id().map(str::to_string),
                            replication_latency: None,
                        })
                    })
                    .collect(),
            );
        }
        Err(e) => {
            table.arn = fallback_arn;
            table.replicas = Known::Unknown(Failure::from_sdk("dynamodb:DescribeTable", &e).reason());
        }
    }
    table.point_in_time_recovery = match backups {
        Ok(output) => Known::Value(
            output
                .continuous_backups_description()
                .and_then(|c| c.point_in_time_recovery_description())
                .and_then(|p| p.point_in_time_recovery_status())
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| "DISABLED".to_string()),
        ),
        Err(e) => Known::Unknown(Failure::from_sdk("dynamodb:DescribeContinuousBackups", &e).reason()),
    };
    match table_tags(ctx, &table.arn).await {
        Ok(tags) => table.tags = tags,
        Err(reason) => table.tags_unknown = Some(reason),
    }
    table
}

/// ListTagsOfResource, page by page (it has no SDK paginator); a token seen twice stops it.
async fn table_tags(ctx: &RegionCtx, arn: &str) -> Result<Tags, UnknownReason> {
    const OPERATION: &str = "dynamodb:ListTagsOfResource";
    let client = ctx.dynamodb();
    let mut found = Tags::new();
    let mut seen = HashSet::new();
    let mut token: Option<String> = None;
    loop {
        let output = client
            .list_tags_of_resource()
            .resource_arn(arn)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| Failure::from_sdk(OPERATION, &e).reason())?;
        found.extend(tags(output.tags().iter().map(|t| (Some(t.key()), Some(t.value())))));
        match output.next_token().filter(|t| !t.is_empty()) {
            Some(next) if !seen.insert(next.to_string()) => return Err(token_stuck(OPERATION).reason()),
            Some(next) => token = Some(next.to_string()),
            None => return Ok(found),
        }
    }
}
