//! Route 53 (global, collected once): hosted zones with their record sets (failover, alias and
//! health-check fields), health checks with their configuration and tags, and — for the checks
//! failover records use — the checkers' status where the `HealthCheckStatus` metric
//! ([`super::cloudwatch::health_check_status`]) has none. ListResourceRecordSets has no SDK
//! paginator; its loop here is guarded like the rest.

use super::errors::Failure;
use super::{
    Collected, RegionCtx, bounded, paging::all_pages, tags, tags_in_chunks, take_tags, to_u32, token_stuck,
};
use crate::inventory::dns::{
    AliasTarget, FailoverRole, HealthCheck, HealthCheckStatus, HostedZone, RecordSet,
};
use crate::inventory::{ErrorCause, GlobalResources, Known, ResourceKind as K, Tags};
use aws_sdk_route53::types::TagResourceType;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The kinds this collector lists; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] = &[K::HostedZone, K::RecordSet, K::HealthCheck];

pub(crate) async fn collect(ctx: &RegionCtx) -> Collected<GlobalResources> {
    let client = ctx.route53();
    let mut part = Collected::<GlobalResources>::default();
    let (zones, checks) = tokio::join!(
        all_pages("route53:ListHostedZones", client.list_hosted_zones().into_paginator(), |o| o
            .next_marker(),),
        all_pages("route53:ListHealthChecks", client.list_health_checks().into_paginator(), |o| o
            .next_marker(),),
    );
    let zones: Vec<(String, String, bool)> = part
        .listed(ctx, zones, &[K::HostedZone, K::RecordSet])
        .iter()
        .flat_map(|p| p.hosted_zones())
        .map(|z| {
            (
                z.id().trim_start_matches("/hostedzone/").to_string(),
                z.name().to_string(),
                z.config().is_some_and(|c| c.private_zone()),
            )
        })
        .collect();
    let checks: Vec<aws_sdk_route53::types::HealthCheck> =
        part.listed(ctx, checks, &[K::HealthCheck]).iter().flat_map(|p| p.health_checks()).cloned().collect();
    let check_ids: Vec<String> = checks.iter().map(|c| c.id().to_string()).collect();

    let (record_sets, check_tags) = tokio::join!(
        bounded(zones.iter().map(|z| z.0.clone()).collect(), ctx.concurrency, |id| record_sets(&client, id)),
        health_check_tags(ctx, &client, check_ids),
    );
    part.resources.hosted_zones = zones
        .into_iter()
        .zip(record_sets)
        .map(|((id, name, private), records)| HostedZone {
            id,
            name,
            private,
            record_sets: match records {
                Ok(records) => Known::Value(records),
                Err(f) => Known::Unknown(f.reason()),
            },
        })
        .collect();
    let mut check_tags = check_tags;
    // Statuses are read afterwards, and only for the checks failover records use.
    let not_read = Known::Unknown(
        Failure::new(
            "route53:GetHealthCheckStatus",
            ErrorCause::NotRead,
            "no failover record uses this health check",
        )
        .reason(),
    );
    part.resources.health_checks = checks
        .iter()
        .map(|check| {
            let (tags, tags_unknown) = take_tags(&mut check_tags, check.id());
            HealthCheck { tags_unknown, ..health_check(check, not_read.clone(), tags) }
        })
        .collect();
    part
}

/// The health checks whose status the rules read: those that failover records name, and the
/// children of the CALCULATED ones among them (a calculated status derives from them).
pub(crate) fn checks_in_use(global: &GlobalResources) -> BTreeSet<String> {
    let mut in_use: BTreeSet<String> = global
        .hosted_zones
        .iter()
        .filter_map(|z| z.record_sets.value())
        .flatten()
        .filter(|r| r.failover.is_some())
        .filter_map(|r| r.health_check_id.clone())
        .collect();
    let mut queue: Vec<String> = in_use.iter().cloned().collect();
    while let Some(id) = queue.pop() {
        let Some(check) = global.health_checks.iter().find(|c| c.id == id) else { continue };
        for child in &check.child_health_checks {
            if in_use.insert(child.clone()) {
                queue.push(child.clone());
            }
        }
    }
    in_use
}

/// Whether Route 53 checkers probe this check's endpoint (so GetHealthCheckStatus answers).
/// Calculated, metric and recovery-control checks have no checkers of their own.
pub(crate) fn has_checkers(check: &HealthCheck) -> bool {
    !matches!(check.check_type.as_str(), "CALCULATED" | "CLOUDWATCH_METRIC" | "RECOVERY_CONTROL")
}

/// What the checkers report now, for each check (GetHealthCheckStatus: a burst of 4, then one
/// per second, so only for checks the metric says nothing about).
pub(crate) async fn checker_status(
    ctx: &RegionCtx,
    ids: Vec<String>,
) -> BTreeMap<String, Known<HealthCheckStatus>> {
    let client = ctx.route53();
    let statuses = bounded(ids.clone(), ctx.concurrency, |id| status(&client, id)).await;
    ids.into_iter().zip(statuses).collect()
}

async fn record_sets(client: &aws_sdk_route53::Client, zone_id: String) -> Result<Vec<RecordSet>, Failure> {
    const OPERATION: &str = "route53:ListResourceRecordSets";
    let mut records = Vec::new();
    let mut seen = HashSet::new();
    let mut start: Option<(String, aws_sdk_route53::types::RrType, Option<String>)> = None;
    loop {
        let mut request = client.list_resource_record_sets().hosted_zone_id(&zone_id);
        if let Some((name, record_type, identifier)) = &start {
            request = request
                .start_record_name(name)
                .start_record_type(record_type.clone())
                .set_start_record_identifier(identifier.clone());
        }
        let output = request.send().await.map_err(|e| Failure::from_sdk(OPERATION, &e))?;
        records.extend(output.resource_record_sets().iter().map(record_set));
        if !output.is_truncated() {
            return Ok(records);
        }
        let (Some(name), Some(record_type)) = (output.next_record_name(), output.next_record_type()) else {
            return Err(Failure::new(OPERATION, ErrorCause::Other, "a truncated page named no next record"));
        };
        let next =
            (name.to_string(), record_type.clone(), output.next_record_identifier().map(str::to_string));
        if !seen.insert(format!("{}|{}|{:?}", next.0, next.1.as_str(), next.2)) {
            return Err(token_stuck(OPERATION));
        }
        start = Some(next);
    }
}

fn record_set(r: &aws_sdk_route53::types::ResourceRecordSet) -> RecordSet {
    RecordSet {
        name: r.name().to_string(),
        record_type: r.r#type().as_str().to_string(),
        set_identifier: r.set_identifier().map(str::to_string),
        failover: r.failover().and_then(|f| match f.as_str() {
            "PRIMARY" => Some(FailoverRole::Primary),
            "SECONDARY" => Some(FailoverRole::Secondary),
            _ => None,
        }),
        ttl: r.ttl().and_then(|t| u64::try_from(t).ok()),
        alias_target: r.alias_target().map(|a| AliasTarget {
            dns_name: a.dns_name().to_string(),
            hosted_zone_id: a.hosted_zone_id().to_string(),
            evaluate_target_health: a.evaluate_target_health(),
        }),
        health_check_id: r.health_check_id().map(str::to_string),
        values: r.resource_records().iter().map(|v| v.value().to_string()).collect(),
    }
}

async fn status(client: &aws_sdk_route53::Client, id: String) -> Known<HealthCheckStatus> {
    match client.get_health_check_status().health_check_id(id).send().await {
        Ok(output) => {
            let observations = output.health_check_observations();
            let healthy = observations
                .iter()
                .filter(|o| {
                    o.status_report().and_then(|s| s.status()).is_some_and(|s| s.starts_with("Success"))
                })
                .count();
            Known::Value(HealthCheckStatus::from_checkers(
                u32::try_from(healthy).unwrap_or(u32::MAX),
                u32::try_from(observations.len()).unwrap_or(u32::MAX),
            ))
        }
        Err(e) => Known::Unknown(Failure::from_sdk("route53:GetHealthCheckStatus", &e).reason()),
    }
}

/// ListTagsForResources takes at most 10 health checks per call.
const TAGGED_PER_CALL: usize = 10;

async fn health_check_tags(
    ctx: &RegionCtx,
    client: &aws_sdk_route53::Client,
    ids: Vec<String>,
) -> HashMap<String, Known<Tags>> {
    tags_in_chunks(ids, TAGGED_PER_CALL, ctx.concurrency, |chunk| {
        let request = client
            .list_tags_for_resources()
            .resource_type(TagResourceType::Healthcheck)
            .set_resource_ids(Some(chunk));
        async move {
            let output =
                request.send().await.map_err(|e| Failure::from_sdk("route53:ListTagsForResources", &e))?;
            Ok(output
                .resource_tag_sets()
                .iter()
                .filter_map(|set| {
                    Some((
                        set.resource_id()?.to_string(),
                        tags(set.tags().iter().map(|t| (t.key(), t.value()))),
                    ))
                })
                .collect())
        }
    })
    .await
}

fn health_check(
    check: &aws_sdk_route53::types::HealthCheck,
    status: Known<HealthCheckStatus>,
    tags: Tags,
) -> HealthCheck {
    let config = check.health_check_config();
    HealthCheck {
        id: check.id().to_string(),
        check_type: config.map(|c| c.r#type().as_str().to_string()).unwrap_or_default(),
        fqdn: config.and_then(|c| c.fully_qualified_domain_name()).map(str::to_string),
        ip_address: config.and_then(|c| c.ip_address()).map(str::to_string),
        port: config.and_then(|c| c.port()).and_then(|p| u16::try_from(p).ok()),
        resource_path: config.and_then(|c| c.resource_path()).map(str::to_string),
        request_interval: config.and_then(|c| c.request_interval()).map_or(30, |v| to_u32(Some(v))),
        failure_threshold: config.and_then(|c| c.failure_threshold()).map_or(3, |v| to_u32(Some(v))),
        inverted: config.and_then(|c| c.inverted()).unwrap_or(false),
        disabled: config.and_then(|c| c.disabled()).unwrap_or(false),
        health_threshold: config.and_then(|c| c.health_threshold()).and_then(|v| u32::try_from(v).ok()),
        child_health_checks: config.map(|c| c.child_health_checks().to_vec()).unwrap_or_default(),
        alarm_name: config.and_then(|c| c.alarm_identifier()).map(|a| a.name().to_string()),
        alarm_region: config.and_then(|c| c.alarm_identifier()).map(|a| a.region().as_str().to_string()),
        insufficient_data_health_status: config
            .and_then(|c| c.insufficient_data_health_status())
            .map(|s| s.as_str().to_string()),
        status,
        tags,
        tags_unknown: None,
    }
}
