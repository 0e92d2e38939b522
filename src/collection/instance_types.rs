//! EC2 instance types of one region: the vCPUs of the types its Auto Scaling groups launch
//! (DescribeInstanceTypes), and of no other: what a scale-out draws from the vCPU quotas.

use super::{Part, RegionCtx, pages};
use crate::inventory::RegionResources;
use crate::inventory::ResourceKind as K;
use crate::inventory::capacity::{InstanceType, launched_instance_types};

/// The kinds this collector lists; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] = &[K::InstanceType];

/// DescribeInstanceTypes names at most 100 types per call.
const TYPES_PER_CALL: usize = 100;

pub(crate) async fn collect(ctx: &RegionCtx, resources: &RegionResources) -> Part {
    let client = ctx.ec2();
    let mut part = Part::default();
    let wanted: Vec<String> = launched_instance_types(resources).into_iter().collect();
    for chunk in wanted.chunks(TYPES_PER_CALL) {
        // Each name as the SDK's enum reads it; a type the SDK does not know yet still goes out.
        let names = chunk.iter().map(|t| aws_sdk_ec2::types::InstanceType::from(t.as_str()));
        let listing = pages(
            "ec2:DescribeInstanceTypes",
            client
                .describe_instance_types()
                .set_instance_types(Some(names.collect()))
                .into_paginator()
                .stop_on_duplicate_token(false)
                .send(),
            |o| o.next_token(),
        )
        .await;
        match listing {
            Ok(pages) => part.resources.instance_types.extend(
                pages.iter().flat_map(|p| p.instance_types()).filter_map(|t| {
                    Some(InstanceType {
                        instance_type: t.instance_type()?.as_str().to_string(),
                        default_vcpus: t
                            .v_cpu_info()
                            .and_then(|v| v.default_v_cpus())
                            .and_then(|n| u32::try_from(n).ok())?,
                    })
                }),
            ),
            // Only the types this call asked about are unknown.
            Err(f) => part.errors.push(f.reading(ctx.region_name(), FILLS, chunk.to_vec())),
        }
    }
    part
}
