//! CloudWatch of one region: the metric alarms (those behind scaling policies among them), and
//! the replica-lag series of the region's replicas over a recent window — `ReplicaLag` per
//! read replica (seconds) and `AuroraGlobalDBReplicationLag` per global secondary cluster
//! (milliseconds, normalised here to seconds) — read in as few GetMetricData calls as possible.

use super::{Part, RegionCtx, pages, smithy_time, to_u32};
use crate::inventory::Known;
use crate::inventory::ResourceKind as K;
use crate::inventory::compute::Alarm;
use crate::inventory::database::{LagDatapoint, LagMetric, ReplicaLagSeries};
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use std::collections::HashMap;

/// GetMetricData accepts at most 500 queries per call.
const QUERIES_PER_CALL: usize = 500;

pub(crate) async fn collect_alarms(ctx: &RegionCtx) -> Part {
    let client = ctx.cloudwatch();
    let mut part = Part::default();
    match pages(
        "cloudwatch:DescribeAlarms",
        client.describe_alarms().into_paginator().stop_on_duplicate_token(false).send(),
        |o| o.next_token(),
    )
    .await
    {
        Ok(pages) => {
            part.resources.alarms = pages
                .iter()
                .flat_map(|p| p.metric_alarms())
                .map(|a| Alarm {
                    arn: a.alarm_arn().unwrap_or_default().to_string(),
                    name: a.alarm_name().unwrap_or_default().to_string(),
                    namespace: a.namespace().unwrap_or_default().to_string(),
                    metric_name: a.metric_name().unwrap_or_default().to_string(),
                    dimensions: a
                        .dimensions()
                        .iter()
                        .filter_map(|d| {
                            Some((d.name()?.to_string(), d.value().unwrap_or_default().to_string()))
                        })
                        .collect(),
                    period_seconds: to_u32(a.period()),
                    evaluation_periods: to_u32(a.evaluation_periods()),
                    alarm_actions: a.alarm_actions().to_vec(),
                    state: a.state_value().map(|s| s.as_str().to_string()).unwrap_or_default(),
                })
                .collect()
        }
        Err(f) => part.fail(ctx, &f, &[K::Alarm]),
    }
    part
}

/// Lag series for the replicas and secondary clusters that [`super::rds`] found in this region.
pub(crate) async fn collect_lag(ctx: &RegionCtx, part: &mut Part) {
    let resources = &part.resources;
    let mut subjects: Vec<(LagMetric, String)> = resources
        .db_instances
        .iter()
        .filter(|i| i.read_replica_source.is_some() && i.cluster_id.is_none())
        .map(|i| (LagMetric::ReplicaLag, i.id.clone()))
        .collect();
    subjects.extend(
        resources
            .db_clusters
            .iter()
            .filter(|c| {
                resources
                    .global_clusters
                    .iter()
                    .flat_map(|g| &g.members)
                    .any(|m| m.cluster_arn == c.arn && !m.writer)
            })
            .map(|c| (LagMetric::AuroraGlobalDBReplicationLag, c.id.clone())),
    );
    if subjects.is_empty() {
        return;
    }
    let window_end = ctx.collected_at;
    let window_start = crate::time::before(window_end, ctx.lag_window.as_secs());
    let client = ctx.cloudwatch();
    let mut series = Vec::new();
    for chunk in subjects.chunks(QUERIES_PER_CALL) {
        let queries: Vec<MetricDataQuery> =
            chunk.iter().enumerate().map(|(index, (metric, id))| query(index, *metric, id)).collect();
        let request = client
            .get_metric_data()
            .set_metric_data_queries(Some(queries))
            .start_time(aws_smithy_types::DateTime::from_secs(window_start.timestamp()))
            .end_time(aws_smithy_types::DateTime::from_secs(window_end.timestamp()));
        let result = pages(
            "cloudwatch:GetMetricData",
            request.into_paginator().stop_on_duplicate_token(false).send(),
            |o| o.next_token(),
        )
        .await;
        let mut points: HashMap<String, Vec<LagDatapoint>> = HashMap::new();
        if let Ok(pages) = &result {
            for data in pages.iter().flat_map(|p| p.metric_data_results()) {
                let Some(id) = data.id() else { continue };
                let entry = points.entry(id.to_string()).or_default();
                for (timestamp, value) in data.timestamps().iter().zip(data.values()) {
                    let Some(timestamp) = smithy_time(Some(timestamp)) else { continue };
                    entry.push(LagDatapoint { timestamp, max_seconds: *value });
                }
            }
        }
        for (index, (metric, subject_id)) in chunk.iter().enumerate() {
            let datapoints = match &result {
                Err(f) => Known::Unknown(f.reason()),
                Ok(_) => {
                    let mut found = points.remove(&format!("m{index}")).unwrap_or_default();
                    if *metric == LagMetric::AuroraGlobalDBReplicationLag {
                        // Published in milliseconds; every rule works in seconds.
                        for point in &mut found {
                            point.max_seconds /= 1000.0;
                        }
                    }
                    found.sort_by_key(|p| p.timestamp);
                    Known::Value(found)
                }
            };
            series.push(ReplicaLagSeries {
                metric: *metric,
                subject_id: subject_id.clone(),
                window_start,
                window_end,
                datapoints,
            });
        }
    }
    part.resources.replica_lag = series;
}

fn query(index: usize, metric: LagMetric, subject_id: &str) -> MetricDataQuery {
    let (name, dimension) = match metric {
        LagMetric::ReplicaLag => ("ReplicaLag", "DBInstanceIdentifier"),
        LagMetric::AuroraGlobalDBReplicationLag => ("AuroraGlobalDBReplicationLag", "DBClusterIdentifier"),
    };
    let metric = Metric::builder()
        .namespace("AWS/RDS")
        .metric_name(name)
        .dimensions(Dimension::builder().name(dimension).value(subject_id).build())
        .build();
    MetricDataQuery::builder()
        .id(format!("m{index}"))
        .metric_stat(MetricStat::builder().metric(metric).period(60).stat("Maximum").build())
        .return_data(true)
        .build()
}
