//! Elastic Load Balancing v2 of one region: load balancers, their listeners, target groups with
//! health-check settings, the current health of registered targets, and tags. A failed
//! follow-up (one load balancer's listeners, one group's target health, one call's tags) leaves
//! only the resources it was about unknown.

use super::errors::Failure;
use super::{Part, RegionCtx, bounded, paging::all_pages, tags, tags_in_chunks, take_tags, to_u32};
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
        all_pages(
            "elbv2:DescribeLoadBalancers",
            client.describe_load_balancers().page_size(400).into_paginator(),
            |o| o.next_marker(),
        ),
        all_pages(
            "elbv2:DescribeTargetGroups",
            client.describe_target_groups().page_size(400).into_paginator(),
            |o| o.next_marker(),
        ),
    );
    part.resources.load_balancers = part
        .listed(ctx, balancers, &[K::LoadBalancer, K::Listener])
        .iter()
        .flat_map(|p| p.load_balancers())
        .map(|lb| LoadBalancer {
            arn: lb.load_balancer_arn().unwrap_or_default().to_string(),
            name: lb.load_balancer_name().unwrap_or_default().to_string(),
            dns_name: lb.dns_name().unwrap_or_default().to_string(),
            canonical_hosted_zone_id: lb.canonical_hosted_zone_id().unwrap_or_default().to_string(),
            lb_type: lb.r#type().map(|t| t.as_str().to_string()).unwrap_or_else(|| "application".into()),
            scheme: lb.scheme().map(|s| s.as_str().to_string()).unwrap_or_default(),
            state: lb.state().and_then(|s| s.code()).map(|c| c.as_str().to_string()).unwrap_or_default(),
            availability_zones: lb
                .availability_zones()
                .iter()
                .filter_map(|z| z.zone_name())
                .map(str::to_string)
                .collect(),
            ..LoadBalancer::default()
        })
        .collect();
    part.resources.target_groups = part
        .listed(ctx, groups, &[K::TargetGroup])
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
            target_type: tg.target_type().map(|t| t.as_str().to_string()).unwrap_or_default(),
            health_check_disabled: tg.health_check_enabled() == Some(false),
            target_health: Known::Value(Vec::new()),
            ..TargetGroup::default()
        })
        .collect();

    let balancer_arns: Vec<String> = part.resources.load_balancers.iter().map(|lb| lb.arn.clone()).collect();
    let group_arns: Vec<String> = part.resources.target_groups.iter().map(|tg| tg.arn.clone()).collect();
    let (listeners, health, tag_sets) = tokio::join!(
        bounded(balancer_arns.clone(), ctx.concurrency, |arn| {
            let request = client.describe_listeners().load_balancer_arn(arn);
            async move {
                all_pages("elbv2:DescribeListeners", request.into_paginator(), |o| o.next_marker()).await
            }
        }),
        bounded(group_arns.clone(), ctx.concurrency, |arn| {
            let request = client.describe_target_health().target_group_arn(arn);
            async move { request.send().await.map_err(|e| Failure::from_sdk("elbv2:DescribeTargetHealth", &e)) }
        }),
        resource_tags(ctx, &client, balancer_arns.iter().chain(&group_arns).cloned().collect()),
    );

    for (lb, result) in part.resources.load_balancers.iter_mut().zip(listeners) {
        match result {
            Ok(pages) => {
                part.resources.listeners.extend(pages.iter().flat_map(|p| p.listeners()).map(listener))
            }
            Err(f) => {
                // That load balancer's unknown; also named as a collection error of it.
                part.errors.push(f.reading(ctx.region_name(), &[K::Listener], vec![lb.arn.clone()]));
                lb.listeners_unknown = Some(f.reason());
            }
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
                        reason: d.target_health().and_then(|h| h.reason()).map(|r| r.as_str().to_string()),
                    })
                    .collect(),
            ),
            Err(f) => Known::Unknown(f.reason()),
        };
    }
    sni_certificates(ctx, &client, &mut part.resources.listeners).await;
    let mut tag_sets = tag_sets;
    for lb in &mut part.resources.load_balancers {
        (lb.tags, lb.tags_unknown) = take_tags(&mut tag_sets, &lb.arn);
    }
    for tg in &mut part.resources.target_groups {
        (tg.tags, tg.tags_unknown) = take_tags(&mut tag_sets, &tg.arn);
    }
    part
}

/// Add the SNI certificate list of every HTTPS and TLS listener (DescribeListenerCertificates;
/// DescribeListeners names only the default certificate). A failed call leaves that listener's
/// list unknown, with its default certificate still there.
async fn sni_certificates(
    ctx: &RegionCtx,
    client: &aws_sdk_elasticloadbalancingv2::Client,
    listeners: &mut [Listener],
) {
    let secure: Vec<usize> =
        (0..listeners.len()).filter(|i| matches!(listeners[*i].protocol.as_str(), "HTTPS" | "TLS")).collect();
    let arns: Vec<String> = secure.iter().map(|i| listeners[*i].arn.clone()).collect();
    let results = bounded(arns, ctx.concurrency, |arn| {
        let request = client.describe_listener_certificates().listener_arn(arn);
        async move {
            all_pages("elbv2:DescribeListenerCertificates", request.into_paginator(), |o| o.next_marker())
                .await
        }
    })
    .await;
    for (index, result) in secure.into_iter().zip(results) {
        let listener = &mut listeners[index];
        match result {
            Ok(pages) => {
                let listed = pages.iter().flat_map(|p| p.certificates()).filter_map(|c| c.certificate_arn());
                for arn in listed {
                    if !listener.certificate_arns.iter().any(|a| a == arn) {
                        listener.certificate_arns.push(arn.to_string());
                    }
                }
            }
            Err(f) => listener.certificates_unknown = Some(f.reason()),
        }
    }
}

/// DescribeTags takes at most 20 resource ARNs per call.
const TAGGED_PER_CALL: usize = 20;

async fn resource_tags(
    ctx: &RegionCtx,
    client: &aws_sdk_elasticloadbalancingv2::Client,
    arns: Vec<String>,
) -> HashMap<String, Known<Tags>> {
    tags_in_chunks(arns, TAGGED_PER_CALL, ctx.concurrency, |chunk| {
        let request = client.describe_tags().set_resource_arns(Some(chunk));
        async move {
            let output = request.send().await.map_err(|e| Failure::from_sdk("elbv2:DescribeTags", &e))?;
            Ok(output
                .tag_descriptions()
                .iter()
                .filter_map(|d| {
                    Some((d.resource_arn()?.to_string(), tags(d.tags().iter().map(|t| (t.key(), t.value())))))
                })
                .collect())
        }
    })
    .await
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
        certificates_unknown: None,
        target_group_arns,
    }
}
