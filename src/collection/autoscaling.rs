//! Auto Scaling of one region: groups (launch template references, sizes, AZs, target groups,
//! health check type and grace period) and the scaling policies with the alarms behind them.

use super::{Part, RegionCtx, paging::all_pages, tags, to_u32};
use crate::inventory::ResourceKind as K;
use crate::inventory::compute::{
    AutoScalingGroup, InstanceOverride, LaunchTemplateRef, MixedInstancesPolicy, ScalingPolicy,
};
use aws_sdk_autoscaling::types::LaunchTemplateSpecification;

/// The kinds this collector lists; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] = &[K::AutoScalingGroup, K::ScalingPolicy];

pub(crate) async fn collect(ctx: &RegionCtx) -> Part {
    let client = ctx.autoscaling();
    let mut part = Part::default();
    let (groups, policies) = tokio::join!(
        all_pages(
            "autoscaling:DescribeAutoScalingGroups",
            client.describe_auto_scaling_groups().into_paginator().page_size(100),
            |o| o.next_token(),
        ),
        all_pages("autoscaling:DescribePolicies", client.describe_policies().into_paginator(), |o| o
            .next_token(),),
    );
    part.resources.auto_scaling_groups = part
        .listed(ctx, groups, &[K::AutoScalingGroup])
        .iter()
        .flat_map(|p| p.auto_scaling_groups())
        .map(group)
        .collect();
    part.resources.scaling_policies = part
        .listed(ctx, policies, &[K::ScalingPolicy])
        .iter()
        .flat_map(|p| p.scaling_policies())
        .map(|p| ScalingPolicy {
            arn: p.policy_arn().unwrap_or_default().to_string(),
            name: p.policy_name().unwrap_or_default().to_string(),
            auto_scaling_group_name: p.auto_scaling_group_name().unwrap_or_default().to_string(),
            policy_type: p.policy_type().unwrap_or("SimpleScaling").to_string(),
            alarm_arns: p.alarms().iter().filter_map(|a| a.alarm_arn()).map(str::to_string).collect(),
        })
        .collect();
    part
}

fn group(g: &aws_sdk_autoscaling::types::AutoScalingGroup) -> AutoScalingGroup {
    let distribution = g.mixed_instances_policy().and_then(|p| p.instances_distribution());
    let mixed_instances_policy =
        g.mixed_instances_policy().and_then(|p| p.launch_template()).and_then(|lt| {
            Some(MixedInstancesPolicy {
                launch_template: template_ref(lt.launch_template_specification()?),
                overrides: lt
                    .overrides()
                    .iter()
                    .map(|o| InstanceOverride {
                        instance_type: o.instance_type().map(str::to_string),
                        weighted_capacity: o.weighted_capacity().and_then(|w| w.parse().ok()),
                        launch_template: o.launch_template_specification().map(template_ref),
                    })
                    .collect(),
                on_demand_base_capacity: distribution
                    .and_then(|d| d.on_demand_base_capacity())
                    .and_then(|n| u32::try_from(n).ok()),
                on_demand_percentage_above_base_capacity: distribution
                    .and_then(|d| d.on_demand_percentage_above_base_capacity())
                    .and_then(|n| u32::try_from(n).ok()),
            })
        });
    AutoScalingGroup {
        arn: g.auto_scaling_group_arn().unwrap_or_default().to_string(),
        name: g.auto_scaling_group_name().unwrap_or_default().to_string(),
        launch_template: g.launch_template().map(template_ref),
        mixed_instances_policy,
        launch_configuration_name: g.launch_configuration_name().map(str::to_string),
        min_size: to_u32(g.min_size()),
        max_size: to_u32(g.max_size()),
        desired_capacity: to_u32(g.desired_capacity()),
        availability_zones: g.availability_zones().to_vec(),
        subnet_ids: g
            .vpc_zone_identifier()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        target_group_arns: g.target_group_arns().to_vec(),
        traffic_sources: g
            .traffic_sources()
            .iter()
            .filter_map(|t| t.identifier())
            .map(str::to_string)
            .collect(),
        load_balancer_names: g.load_balancer_names().to_vec(),
        health_check_type: g.health_check_type().unwrap_or("EC2").to_string(),
        health_check_grace_period: to_u32(g.health_check_grace_period()),
        tags: tags(g.tags().iter().map(|t| (t.key(), t.value()))),
    }
}

fn template_ref(spec: &LaunchTemplateSpecification) -> LaunchTemplateRef {
    LaunchTemplateRef {
        id: spec.launch_template_id().map(str::to_string),
        name: spec.launch_template_name().map(str::to_string),
        version: spec.version().unwrap_or("$Default").to_string(),
    }
}
