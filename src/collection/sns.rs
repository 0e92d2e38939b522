//! SNS of one region: every subscription (ListSubscriptions, 100 per page), so that an alarm
//! whose action is an SNS topic is seen to start what the topic delivers to — a Lambda function
//! subscribed to it, the common cross-region failover pattern (the alarm and its topic in the
//! region of the metric, the function in the DR region).

use super::{Part, RegionCtx, paging::all_pages};
use crate::inventory::ResourceKind as K;
use crate::inventory::compute::Subscription;

/// The kinds this collector lists; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] = &[K::Subscription];

pub(crate) async fn collect(ctx: &RegionCtx) -> Part {
    let client = ctx.sns();
    let mut part = Part::default();
    let listing =
        all_pages("sns:ListSubscriptions", client.list_subscriptions().into_paginator(), |o| o.next_token())
            .await;
    part.resources.subscriptions = part
        .listed(ctx, listing, &[K::Subscription])
        .iter()
        .flat_map(|p| p.subscriptions())
        .map(|s| Subscription {
            arn: s.subscription_arn().unwrap_or_default().to_string(),
            topic_arn: s.topic_arn().unwrap_or_default().to_string(),
            protocol: s.protocol().unwrap_or_default().to_string(),
            endpoint: s.endpoint().unwrap_or_default().to_string(),
        })
        .collect();
    part
}
