//! CloudWatch of one region: the metric alarms (those behind scaling policies among them, and
//! the queries of metric-math alarms), and
//! the replica-lag series of the region's replicas over a recent window — `ReplicaLag` per
//! read replica (seconds) and `AuroraGlobalDBReplicationLag` per global secondary cluster
//! (milliseconds, normalised here to seconds) — read in as few GetMetricData calls as possible;
//! the replication metrics of the other data stores — S3 `ReplicationLatency` and
//! `OperationsPendingReplication` of the rules replicating into the region's buckets, DynamoDB
//! `ReplicationLatency` from the region's tables to their replicas; and, from the partition's
//! global region (us-east-1, cn-northwest-1, us-gov-west-1) where Route 53 publishes it, the
//! `HealthCheckStatus` metric of the health checks failover records use: one GetMetricData call
//! answers for 500 checks, where GetHealthCheckStatus allows one check per second.

use super::errors::Failure;
use super::{Part, RegionCtx, paging::all_pages, smithy_time, to_u32};
use crate::inventory::ResourceKind as K;
use crate::inventory::compute::{Alarm, AlarmMetric};
use crate::inventory::database::{LagDatapoint, LagMetric, MetricWindow, ReplicaLagSeries, Table, max_of};
use crate::inventory::dns::HealthCheckStatus;
use crate::inventory::storage::{Bucket, IncomingReplication};
use crate::inventory::{Known, RegionResources, UnknownReason};
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// GetMetricData accepts at most 500 queries per call.
const QUERIES_PER_CALL: usize = 500;

/// The kinds [`collect_alarms`] lists; a whole-run timeout leaves them unknown.
pub(crate) const ALARM_FILLS: &[K] = &[K::Alarm];

pub(crate) async fn collect_alarms(ctx: &RegionCtx) -> Part {
    let client = ctx.cloudwatch();
    let mut part = Part::default();
    let listing =
        all_pages("cloudwatch:DescribeAlarms", client.describe_alarms().into_paginator(), |o| o.next_token())
            .await;
    part.resources.alarms = part
        .listed(ctx, listing, &[K::Alarm])
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
                .filter_map(|d| Some((d.name()?.to_string(), d.value().unwrap_or_default().to_string())))
                .collect(),
            period_seconds: to_u32(a.period()),
            evaluation_periods: to_u32(a.evaluation_periods()),
            alarm_actions: a.alarm_actions().to_vec(),
            state: a.state_value().map(|s| s.as_str().to_string()).unwrap_or_default(),
            metrics: a.metrics().iter().map(alarm_metric).collect(),
        })
        .collect();
    part
}

/// One query of a metric-math alarm: a metric with its period, or the expression.
fn alarm_metric(query: &MetricDataQuery) -> AlarmMetric {
    let stat = query.metric_stat();
    let metric = stat.and_then(|s| s.metric());
    AlarmMetric {
        id: query.id().unwrap_or_default().to_string(),
        namespace: metric.and_then(|m| m.namespace()).unwrap_or_default().to_string(),
        metric_name: metric.and_then(|m| m.metric_name()).unwrap_or_default().to_string(),
        dimensions: metric
            .map(|m| m.dimensions())
            .unwrap_or_default()
            .iter()
            .filter_map(|d| Some((d.name()?.to_string(), d.value().unwrap_or_default().to_string())))
            .collect(),
        expression: query.expression().map(str::to_string),
        period_seconds: to_u32(stat.and_then(|s| s.period()).or(query.period())),
        return_data: query.return_data().unwrap_or(true),
    }
}

/// The kinds [`collect_lag`] reads; a whole-run timeout leaves them unknown.
pub(crate) const LAG_FILLS: &[K] = &[K::MetricSeries];

/// Lag series for the replicas and secondary clusters that [`super::rds`] found in this region.
pub(crate) async fn collect_lag(ctx: &RegionCtx, resources: &RegionResources) -> Part {
    let mut part = Part::default();
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
            // AuroraGlobalDBReplicationLag exists for Aurora secondaries only.
            .filter(|c| c.is_aurora())
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
        return part;
    }
    let (window_start, window_end) = lag_window(ctx);
    let client = ctx.cloudwatch();
    let mut series = Vec::new();
    for chunk in subjects.chunks(QUERIES_PER_CALL) {
        let queries: Vec<MetricDataQuery> =
            chunk.iter().enumerate().map(|(index, (metric, id))| query(index, *metric, id)).collect();
        let mut result = window_maxima(&client, queries, (window_start, window_end)).await;
        for (index, (metric, subject_id)) in chunk.iter().enumerate() {
            // Aurora's lag is published in milliseconds; every rule works in seconds.
            let scale = if *metric == LagMetric::AuroraGlobalDBReplicationLag { 1000.0 } else { 1.0 };
            series.push(ReplicaLagSeries {
                metric: *metric,
                subject_id: subject_id.clone(),
                window_start,
                window_end,
                datapoints: take_series(&mut result, &format!("m{index}"), scale),
            });
        }
    }
    part.resources.replica_lag = series;
    part
}

fn query(index: usize, metric: LagMetric, subject_id: &str) -> MetricDataQuery {
    let (name, dimension) = match metric {
        LagMetric::ReplicaLag => ("ReplicaLag", "DBInstanceIdentifier"),
        LagMetric::AuroraGlobalDBReplicationLag => ("AuroraGlobalDBReplicationLag", "DBClusterIdentifier"),
    };
    one_minute_query(format!("m{index}"), ("AWS/RDS", name), &[(dimension, subject_id)], "Maximum")
}

/// The lag window ending at `collected_at`.
pub(crate) fn lag_window(ctx: &RegionCtx) -> (DateTime<Utc>, DateTime<Utc>) {
    let end = ctx.collected_at;
    (crate::time::before(end, ctx.lag_window.as_secs()), end)
}

/// Per-period values of each query of one GetMetricData call (all pages), by query ID.
pub(super) async fn window_maxima(
    client: &aws_sdk_cloudwatch::Client,
    queries: Vec<MetricDataQuery>,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> Result<HashMap<String, Vec<LagDatapoint>>, Failure> {
    let request = client
        .get_metric_data()
        .set_metric_data_queries(Some(queries))
        .start_time(aws_smithy_types::DateTime::from_secs(start.timestamp()))
        .end_time(aws_smithy_types::DateTime::from_secs(end.timestamp()));
    let pages = all_pages("cloudwatch:GetMetricData", request.into_paginator(), |o| o.next_token()).await?;
    let mut points: HashMap<String, Vec<LagDatapoint>> = HashMap::new();
    for data in pages.iter().flat_map(|p| p.metric_data_results()) {
        let Some(id) = data.id() else { continue };
        let entry = points.entry(id.to_string()).or_default();
        for (timestamp, value) in data.timestamps().iter().zip(data.values()) {
            let Some(timestamp) = smithy_time(Some(timestamp)) else { continue };
            entry.push(LagDatapoint { timestamp, max_seconds: *value });
        }
    }
    Ok(points)
}

/// One query's datapoints out of [`window_maxima`]'s answer, divided by `scale` (1000 for a
/// metric published in milliseconds), oldest first; or why the call failed.
fn take_series(
    result: &mut Result<HashMap<String, Vec<LagDatapoint>>, Failure>,
    id: &str,
    scale: f64,
) -> Known<Vec<LagDatapoint>> {
    match result {
        Err(f) => Known::Unknown(f.reason()),
        Ok(points) => {
            let mut found = points.remove(id).unwrap_or_default();
            for point in &mut found {
                point.max_seconds /= scale;
            }
            found.sort_by_key(|p| p.timestamp);
            Known::Value(found)
        }
    }
}

/// A query for one metric series (`namespace`, `name`, its dimensions) at one-minute periods.
pub(super) fn one_minute_query(
    id: String,
    (namespace, name): (&str, &str),
    dimensions: &[(&str, &str)],
    stat: &str,
) -> MetricDataQuery {
    let metric = Metric::builder()
        .namespace(namespace)
        .metric_name(name)
        .set_dimensions(Some(
            dimensions
                .iter()
                .map(|(name, value)| Dimension::builder().name(*name).value(*value).build())
                .collect(),
        ))
        .build();
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(MetricStat::builder().metric(metric).period(60).stat(stat).build())
        .return_data(true)
        .build()
}

/// How far back the health-check metric is read: Route 53 publishes it once a minute, so a
/// check with no datapoint in this window has no current status there.
const HEALTH_METRIC_WINDOW_MINUTES: i64 = 10;

/// The newest one-minute minimum of `AWS/Route53` `HealthCheckStatus` (dimension
/// `HealthCheckId`) of each check, for the checks that have one. `ctx` must send to the
/// partition's global region ([`crate::inventory::RegionPair::global_region`]): Route 53 metrics
/// exist only there.
pub(crate) async fn health_check_status(
    ctx: &RegionCtx,
    ids: &BTreeSet<String>,
) -> Result<BTreeMap<String, HealthCheckStatus>, Failure> {
    let mut statuses = BTreeMap::new();
    if ids.is_empty() {
        return Ok(statuses);
    }
    let window_end = ctx.collected_at;
    let window_start = window_end - chrono::Duration::minutes(HEALTH_METRIC_WINDOW_MINUTES);
    let client = ctx.cloudwatch();
    let ids: Vec<&String> = ids.iter().collect();
    for chunk in ids.chunks(QUERIES_PER_CALL) {
        let queries: Vec<MetricDataQuery> = chunk
            .iter()
            .enumerate()
            .map(|(index, id)| {
                let series = ("AWS/Route53", "HealthCheckStatus");
                one_minute_query(format!("h{index}"), series, &[("HealthCheckId", id.as_str())], "Minimum")
            })
            .collect();
        let request = client
            .get_metric_data()
            .set_metric_data_queries(Some(queries))
            .scan_by(aws_sdk_cloudwatch::types::ScanBy::TimestampDescending)
            .start_time(aws_smithy_types::DateTime::from_secs(window_start.timestamp()))
            .end_time(aws_smithy_types::DateTime::from_secs(window_end.timestamp()));
        let pages =
            all_pages("cloudwatch:GetMetricData", request.into_paginator(), |o| o.next_token()).await?;
        for data in pages.iter().flat_map(|p| p.metric_data_results()) {
            let Some(index) =
                data.id().and_then(|id| id.strip_prefix('h')).and_then(|i| i.parse::<usize>().ok())
            else {
                continue;
            };
            let Some(id) = chunk.get(index) else { continue };
            // The newest datapoint, whichever order the pages came in.
            let newest = data
                .timestamps()
                .iter()
                .zip(data.values())
                .filter_map(|(timestamp, value)| Some((smithy_time(Some(timestamp))?, *value)))
                .max_by_key(|(timestamp, _)| *timestamp);
            if let Some((at, minimum)) = newest {
                let keep =
                    statuses.get(id.as_str()).is_none_or(|s: &HealthCheckStatus| s.metric_at < Some(at));
                if keep {
                    statuses.insert(id.to_string(), HealthCheckStatus::from_metric(minimum, at));
                }
            }
        }
    }
    Ok(statuses)
}

/// The S3 replication metrics published in this region — the destination buckets' region —
/// for rules that replicate into `buckets`: per (source bucket, rule), `ReplicationLatency`
/// (seconds) and the largest `OperationsPendingReplication`, both per-minute maxima over the
/// lag window. ListMetrics finds the series (their dimensions name source, destination and
/// rule), so no other region's configuration is needed.
pub(crate) async fn s3_replication(
    ctx: &RegionCtx,
    buckets: &[Bucket],
) -> Result<HashMap<String, Vec<IncomingReplication>>, Failure> {
    let mut incoming: HashMap<String, Vec<IncomingReplication>> = HashMap::new();
    if buckets.is_empty() {
        return Ok(incoming);
    }
    let client = ctx.cloudwatch();
    let listed = all_pages(
        "cloudwatch:ListMetrics",
        client.list_metrics().namespace(S3_NAMESPACE).metric_name("ReplicationLatency").into_paginator(),
        |o| o.next_token(),
    )
    .await?;
    let here: BTreeSet<&str> = buckets.iter().map(|b| b.name.as_str()).collect();
    let mut series: BTreeSet<(String, String, String)> = BTreeSet::new();
    for metric in listed.iter().flat_map(|p| p.metrics()) {
        let dimension = |name: &str| {
            metric
                .dimensions()
                .iter()
                .find(|d| d.name() == Some(name))
                .and_then(|d| d.value())
                .map(str::to_string)
        };
        if let (Some(source), Some(destination), Some(rule)) =
            (dimension("SourceBucket"), dimension("DestinationBucket"), dimension("RuleId"))
            && here.contains(destination.as_str())
        {
            series.insert((destination, source, rule));
        }
    }
    let window = lag_window(ctx);
    let series: Vec<(String, String, String)> = series.into_iter().collect();
    // Two queries per series: latency and pending operations.
    for chunk in series.chunks(QUERIES_PER_CALL / 2) {
        let mut queries = Vec::new();
        for (index, (destination, source, rule)) in chunk.iter().enumerate() {
            let dimensions = [
                ("SourceBucket", source.as_str()),
                ("DestinationBucket", destination.as_str()),
                ("RuleId", rule.as_str()),
            ];
            queries.push(one_minute_query(
                format!("l{index}"),
                (S3_NAMESPACE, "ReplicationLatency"),
                &dimensions,
                "Maximum",
            ));
            queries.push(one_minute_query(
                format!("p{index}"),
                (S3_NAMESPACE, "OperationsPendingReplication"),
                &dimensions,
                "Maximum",
            ));
        }
        let mut result = window_maxima(&client, queries, window).await;
        for (index, (destination, source, rule)) in chunk.iter().enumerate() {
            let pending = take_series(&mut result, &format!("p{index}"), 1.0);
            let max_pending_operations = match &pending {
                Known::Value(points) => {
                    Known::Value(max_of(&pending).and_then(Result::ok).filter(|_| !points.is_empty()))
                }
                Known::Unknown(reason) => Known::Unknown(reason.clone()),
            };
            incoming.entry(destination.clone()).or_default().push(IncomingReplication {
                source_bucket: source.clone(),
                rule_id: rule.clone(),
                latency: MetricWindow {
                    window_start: window.0,
                    window_end: window.1,
                    datapoints: take_series(&mut result, &format!("l{index}"), 1.0),
                },
                max_pending_operations,
            });
        }
    }
    Ok(incoming)
}

const S3_NAMESPACE: &str = "AWS/S3";

/// Add the series [`s3_replication`] read in another account (the source buckets', when the
/// DR side is a recovery account) to those already on the buckets they replicate into; `Err`
/// leaves every bucket's series unknown.
pub(crate) fn add_s3_replication(
    buckets: &mut [Bucket],
    read: Result<HashMap<String, Vec<IncomingReplication>>, UnknownReason>,
) {
    match read {
        Ok(mut incoming) => {
            for bucket in buckets {
                if let (Known::Value(series), Some(more)) =
                    (&mut bucket.incoming_replication, incoming.remove(&bucket.name))
                {
                    series.extend(more);
                }
            }
        }
        Err(reason) => {
            for bucket in buckets {
                bucket.incoming_replication = Known::Unknown(reason.clone());
            }
        }
    }
}

/// Put [`s3_replication`]'s series on the buckets they replicate into; `Err`: none could be read.
pub(crate) fn apply_s3_replication(
    buckets: &mut [Bucket],
    read: Result<HashMap<String, Vec<IncomingReplication>>, UnknownReason>,
) {
    for bucket in buckets.iter_mut() {
        bucket.incoming_replication = Known::Value(Vec::new());
    }
    add_s3_replication(buckets, read);
}

/// `AWS/DynamoDB` `ReplicationLatency` of every `ACTIVE` replica of the region's tables:
/// DynamoDB publishes it in the sending table's region, per `TableName` and `ReceivingRegion`,
/// in milliseconds (normalised here to seconds).
pub(crate) async fn table_replication_latency(
    ctx: &RegionCtx,
    tables: &[Table],
) -> BTreeMap<(String, String), MetricWindow> {
    let mut latency = BTreeMap::new();
    let pairs: Vec<(String, String)> = tables
        .iter()
        .flat_map(|t| {
            t.replicas
                .value()
                .into_iter()
                .flatten()
                .filter(|r| r.active())
                .map(|r| (t.name.clone(), r.region.clone()))
        })
        .collect();
    if pairs.is_empty() {
        return latency;
    }
    let window = lag_window(ctx);
    let client = ctx.cloudwatch();
    for chunk in pairs.chunks(QUERIES_PER_CALL) {
        let queries = chunk
            .iter()
            .enumerate()
            .map(|(index, (table, region))| {
                let dimensions = [("TableName", table.as_str()), ("ReceivingRegion", region.as_str())];
                one_minute_query(
                    format!("d{index}"),
                    ("AWS/DynamoDB", "ReplicationLatency"),
                    &dimensions,
                    "Maximum",
                )
            })
            .collect();
        let mut result = window_maxima(&client, queries, window).await;
        for (index, pair) in chunk.iter().enumerate() {
            let datapoints = take_series(&mut result, &format!("d{index}"), 1000.0);
            latency.insert(
                pair.clone(),
                MetricWindow { window_start: window.0, window_end: window.1, datapoints },
            );
        }
    }
    latency
}

/// Put [`table_replication_latency`]'s series on the replicas they measure; `Err`: the read
/// timed out, and every active replica's latency is unknown.
pub(crate) fn apply_table_latency(
    tables: &mut [Table],
    read: Result<BTreeMap<(String, String), MetricWindow>, UnknownReason>,
    (window_start, window_end): (DateTime<Utc>, DateTime<Utc>),
) {
    for table in tables {
        let Known::Value(replicas) = &mut table.replicas else { continue };
        for replica in replicas.iter_mut().filter(|r| r.active()) {
            replica.replication_latency = match &read {
                Ok(found) => found.get(&(table.name.clone(), replica.region.clone())).cloned(),
                Err(reason) => Some(MetricWindow {
                    window_start,
                    window_end,
                    datapoints: Known::Unknown(reason.clone()),
                }),
            };
        }
    }
}
