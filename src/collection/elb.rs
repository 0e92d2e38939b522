//! Classic Load Balancers of one region (the ELB API of 2012, `elb`): each as a load balancer
//! of type `classic` beside the ELBv2 ones, so that a failover record pointing at one resolves,
//! with its listeners (protocol, port and certificate from `ListenerDescriptions`) and tags.
//! Classic load balancers have no target groups: Auto Scaling groups attach to them by name.

use super::errors::Failure;
use super::{Part, RegionCtx, paging::all_pages, tags, tags_in_chunks, take_tags};
use crate::inventory::ResourceKind as K;
use crate::inventory::load_balancing::{Listener, LoadBalancer};
use crate::inventory::{Known, Tags};
use std::collections::HashMap;

/// The kinds this collector adds to (ELBv2's scope lists them): a timeout or a failed listing
/// leaves the region's load balancers and listeners incomplete.
pub(crate) const ADDS_TO: &[K] = &[K::LoadBalancer, K::Listener];

/// DescribeTags takes at most 20 load balancer names per call.
const TAGGED_PER_CALL: usize = 20;

pub(crate) async fn collect(ctx: &RegionCtx) -> Part {
    let client = ctx.elb();
    let mut part = Part::default();
    let described = all_pages(
        "elb:DescribeLoadBalancers",
        client.describe_load_balancers().page_size(400).into_paginator(),
        |o| o.next_marker(),
    )
    .await;
    let Some(descriptions) = part.listed_or_none(ctx, described, ADDS_TO) else { return part };
    let partition = crate::regions::find(&ctx.region).map_or("aws", |r| r.partition);
    for d in descriptions.iter().flat_map(|p| p.load_balancer_descriptions()) {
        let name = d.load_balancer_name().unwrap_or_default();
        // Classic load balancers are not returned with an ARN; this is the one AWS gives them
        // elsewhere (tagging, IAM).
        let arn = format!(
            "arn:{partition}:elasticloadbalancing:{}:{}:loadbalancer/{name}",
            ctx.region, ctx.account
        );
        for listener in d.listener_descriptions().iter().filter_map(|l| l.listener()) {
            part.resources.listeners.push(Listener {
                arn: format!("{arn}/listener/{}", listener.load_balancer_port()),
                load_balancer_arn: arn.clone(),
                port: u16::try_from(listener.load_balancer_port()).unwrap_or_default(),
                protocol: listener.protocol().to_ascii_uppercase(),
                certificate_arns: listener.ssl_certificate_id().map(str::to_string).into_iter().collect(),
                ..Listener::default()
            });
        }
        part.resources.load_balancers.push(LoadBalancer {
            arn,
            name: name.to_string(),
            dns_name: d.dns_name().unwrap_or_default().to_string(),
            canonical_hosted_zone_id: d.canonical_hosted_zone_name_id().unwrap_or_default().to_string(),
            lb_type: "classic".to_string(),
            scheme: d.scheme().unwrap_or_default().to_string(),
            state: String::new(),
            availability_zones: d.availability_zones().to_vec(),
            ..LoadBalancer::default()
        });
    }
    let names: Vec<String> = part.resources.load_balancers.iter().map(|lb| lb.name.clone()).collect();
    let mut tag_sets = load_balancer_tags(ctx, &client, names).await;
    for lb in &mut part.resources.load_balancers {
        (lb.tags, lb.tags_unknown) = take_tags(&mut tag_sets, &lb.name);
    }
    part
}

async fn load_balancer_tags(
    ctx: &RegionCtx,
    client: &aws_sdk_elasticloadbalancing::Client,
    names: Vec<String>,
) -> HashMap<String, Known<Tags>> {
    tags_in_chunks(names, TAGGED_PER_CALL, ctx.concurrency, |chunk| {
        let request = client.describe_tags().set_load_balancer_names(Some(chunk));
        async move {
            let output = request.send().await.map_err(|e| Failure::from_sdk("elb:DescribeTags", &e))?;
            Ok(output
                .tag_descriptions()
                .iter()
                .filter_map(|d| {
                    let name = d.load_balancer_name()?.to_string();
                    Some((name, tags(d.tags().iter().map(|t| (Some(t.key()), t.value())))))
                })
                .collect())
        }
    })
    .await
}
