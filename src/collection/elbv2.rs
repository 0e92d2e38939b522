//! Elastic Load Balancing v2 of one region: load balancers, their listeners, target groups with
//! health-check settings, the current health of registered targets, and tags.

use super::errors::Failure;
use super::{Part, RegionCtx, bounded, pages, tags, to_u32};
use crate::inventory::load_balancing::{
    Listener, LoadBalancer, TargetGroup, TargetGroupHealthCheck, TargetHealth,
};
use crate::inventory::{Known, ResourceKind as K, Tags};
use std::collections::HashMap;

/// The kinds this collector lists; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] = &[K::LoadBalancer, K::Listener, K::TargetGroup];

pub(crate) async fn collect(ctx: &RegionCtx) -> Part {
    let client = ctx.elbv2();
    let mut part = Part::default();
    let (balancers, groups) = tokio::join!(
        pages(
            "elbv2:DescribeLoadBalancers",
            client
                .describe_load_balancers()
                .page_size(400)
                .into_paginator()
                .stop_on_duplicate_token(false)
                .send(),
            |o| o.next_marker(),
        ),
        pages(
            "elbv2:DescribeTargetGroups",
            client
                .describe_target_groups()
                .page_size(400)
                .into_paginator()
                .stop_on_duplicate_token(false)
                .send(),
            |o| o.next_marker(),
        ),
    );
    match balancers {
        Ok(pages) => {
            part.resources.load_balancers = pages
                .iter()
                .flat_map(|p| p.load_balancers())
                .map(|lb| LoadBalancer {
                    arn: lb.load_balancer_arn().unwrap_or_default().to_string(),
                    name: lb.load_balancer_name().unwrap_or_default().to_string(),
                    dns_name: lb.dns_name().unwrap_or_default().to_string(),
                    canonical_hosted_zone_id: lb.canonical_hosted_zone_id().unwrap_or_default().to_string(),
                    lb_type: lb
                        .r#type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_else(|| "application".into()),
                    scheme: lb.scheme().map(|s| s.as_str().to_string()).unwrap_or_default(),
                    state: lb
                        .state()
                        .and_then(|s| s.code())
                        .map(|c| c.as_str().to_string())
                        .unwrap_or_default(),
                    availability_zones: lb
                        .availability_zones()
                        .iter()
                        .filter_map(|z| z.zone_name())
                        .map(str::to_string)
                        .collect(),
                    tags: Tags::new(),
                })
                .collect()
        }
        Err(f) => part.fail(ctx, &f, &[K::LoadBalancer, K::Listener]),
    }
    match groups {
        Ok(pages) => {
            part.resources.target_groups = pages
                .iter()
                .flat_map(|p| p.target_groups())
                .map(|tg| TargetGroup {
                    arn: tg.target_group_arn().unwrap_or_default().to_string(),
                    name: tg.target_group_name().unwrap_or_default().to_string(),
                    protocol: tg.protocol().map(|p| p.as_str().to_string()).unwrap_or_default(),
                    port: tg.port().and_then(|p| u16::try_from(p).ok()).unwrap_or_default(),
                    load_balancer_arns: tg.load_balancer_arns().to_vec(),
                    health_check: TargetGroupHealthCheck {
                        interval_seconds: to_u32(tg.health_check_interval_seconds().or(Some(30))),
                        unhealthy_threshold: to_u32(tg.unhealthy_threshold_count().or(Some(2))),
                        healthy_threshold: to_u32(tg.healthy_threshold_count().or(Some(5))),
                        path: tg.health_check_path().map(str::to_string),
                    },
                    target_health: Known::Value(Vec::new()),
                    tags: Tags::new(),
                })
                .collect()
        }
        Err(f) => part.fail(ctx, &f, &[K::TargetGroup]),
    }

    let balancer_arns: Vec<String> = part.resources.load_balancers.iter().map(|lb| lb.arn.clone()).collect();
    let group_arns: Vec<String> = part.resources.target_groups.iter().map(|tg| tg.arn.clone()).collect();
    let (listeners, health, tag_sets) = tokio::join!(
        bounded(balancer_arns.clone(), ctx.concurrency, |arn| {
            let request = client.describe_listeners().load_balancer_arn(arn);
            async move {
                pages(
                    "elbv2:DescribeListeners",
                    request.into_paginator().stop_on_duplicate_token(false).send(),
                    |o| o.next_marker(),
                )
                .await
            }
        }),
        bounded(group_arns.clone(), ctx.concurrency, |arn| {
            let request = client.describe_target_health().target_group_arn(arn);
            async move { request.send().await.map_err(|e| Failure::from_sdk("elbv2:DescribeTargetHealth", &e)) }
        }),
        resource_tags(ctx, &client, balancer_arns.iter().chain(&group_arns).cloned().collect()),
    );

    for result in listeners {
        match result {
            Ok(pages) => {
                part.resources.listeners.extend(pages.iter().flat_map(|p| p.listeners()).map(listener))
            }
            Err(f) => part.fail(ctx, &f, &[K::Listener]),
        }
    }
    for (group, result) in part.resources.target_groups.iter_mut().zip(health) {
        group.target_health = match result {
            Ok(output) => Known::Value(
                output
                    .target_health_descriptions()
                    .iter()
                    .map(|d| TargetHealth {
                        target_id: d.target().and_then(|t| t.id()).unwrap_or_default().to_string(),
                        port: d.target().and_then(|t| t.port()).and_then(|p| u16::try_from(p).ok()),
                        state: d
                            .target_health()
                            .and_then(|h| h.state())
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_else(|| "unavailable".into()),
                    })
                    .collect(),
            ),
            Err(f) => Known::Unknown(f.reason()),
        };
    }
    // Tags only help join resources to applications; a failure here leaves them empty.
    if let Ok(mut tag_sets) = tag_sets {
        for lb in &mut part.resources.load_balancers {
            lb.tags = tag_sets.remove(&lb.arn).unwrap_or_default();
        }
        for tg in &mut part.resources.target_groups {
            tg.tags = tag_sets.remove(&tg.arn).unwrap_or_default();
        }
    }
    part
}

async fn resource_tags(
    ctx: &RegionCtx,
    client: &aws_sdk_elasticloadbalancingv2::Client,
    arns: Vec<String>,
) -> Result<HashMap<String, Tags>, Failure> {
    let chunks: Vec<Vec<String>> = arns.chunks(20).map(<[String]>::to_vec).collect();
    let results = bounded(chunks, ctx.concurrency, |chunk| {
        let request = client.describe_tags().set_resource_arns(Some(chunk));
        async move { request.send().await.map_err(|e| Failure::from_sdk("elbv2:DescribeTags", &e)) }
    })
    .await;
    let mut out = HashMap::new();
    for result in results {
        for description in result?.tag_descriptions() {
            let Some(arn) = description.resource_arn() else { continue };
            out.insert(arn.to_string(), tags(description.tags().iter().map(|t| (t.key(), t.value()))));
        }
    }
    Ok(out)
}

fn listener(l: &aws_sdk_elasticloadbalancingv2::types::Listener) -> Listener {
    let mut target_group_arns: Vec<String> = Vec::new();
    for action in l.default_actions() {
        target_group_arns.extend(action.target_group_arn().map(str::to_string));
        if let Some(forward) = action.forward_config() {
            target_group_arns.extend(
                forward.target_groups().iter().filter_map(|t| t.target_group_arn()).map(str::to_string),
            );
        }
    }
    target_group_arns.sort();
    target_group_arns.dedup();
    Listener {
        arn: l.listener_arn().unwrap_or_default().to_string(),
        load_balancer_arn: l.load_balancer_arn().unwrap_or_default().to_string(),
        port: l.port().and_then(|p| u16::try_from(p).ok()).unwrap_or_default(),
        protocol: l.protocol().map(|p| p.as_str().to_string()).unwrap_or_default(),
        certificate_arns: l
            .certificates()
            .iter()
            .filter_map(|c| c.certificate_arn())
            .map(str::to_string)
            .collect(),
        target_group_arns,
    }
}
