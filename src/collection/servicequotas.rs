//! Service Quotas of one region: the EC2 vCPU quotas (On-Demand, and Spot where a group
//! launches Spot) of the instance families the region's Auto Scaling groups launch, each with
//! its current usage from the `AWS/Usage` metric the quota names.
//!
//! GetServiceQuota answers the applied value; "if the applied quota value is not available for
//! a quota, the quota is not retrieved" (the API reference) and the call fails with
//! `NoSuchResourceException`: then GetAWSDefaultServiceQuota answers AWS's default, which is
//! what applies. GetServiceQuota is documented at 5 requests per second: a handful of quotas
//! per region, paced like every call.

use super::cloudwatch::{one_minute_query, window_maxima};
use super::errors::Failure;
use super::{Part, RegionCtx, bounded};
use crate::inventory::ResourceKind as K;
use crate::inventory::capacity::{
    ServiceQuota, UsageMetric, UsageReading, default_usage_metric, launched_quota_codes, quota_arn,
};
use crate::inventory::{Known, RegionResources};
use aws_sdk_cloudwatch::types::MetricDataQuery;

/// The kinds this collector lists; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] = &[K::ServiceQuota];

/// The service code of EC2's quotas.
const EC2: &str = "ec2";

/// How far back the usage metric is read; AWS publishes it every minute.
const USAGE_WINDOW_MINUTES: i64 = 15;

pub(crate) async fn collect(ctx: &RegionCtx, resources: &RegionResources) -> Part {
    let mut part = Part::default();
    let codes: Vec<&'static str> = launched_quota_codes(resources).into_iter().collect();
    if codes.is_empty() {
        return part;
    }
    let read = bounded(codes.clone(), ctx.concurrency, |code| quota(ctx, code)).await;
    let mut quotas = Vec::new();
    for (code, result) in codes.into_iter().zip(read) {
        match result {
            Ok(quota) => quotas.push(quota),
            // Only this quota is unknown.
            Err(f) => part.errors.push(f.reading(ctx.region_name(), FILLS, vec![code.to_string()])),
        }
    }
    read_usage(ctx, &mut quotas).await;
    part.resources.service_quotas = quotas;
    part
}

/// One quota: the applied value, else AWS's default.
async fn quota(ctx: &RegionCtx, code: &'static str) -> Result<ServiceQuota, Failure> {
    let client = ctx.servicequotas();
    let applied = client.get_service_quota().service_code(EC2).quota_code(code).send().await;
    let (found, aws_default) = match applied {
        Ok(output) => (output.quota, false),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_resource_exception()) => {
            let default = client
                .get_aws_default_service_quota()
                .service_code(EC2)
                .quota_code(code)
                .send()
                .await
                .map_err(|e| Failure::from_sdk("servicequotas:GetAWSDefaultServiceQuota", &e))?;
            (default.quota, true)
        }
        Err(e) => return Err(Failure::from_sdk("servicequotas:GetServiceQuota", &e)),
    };
    let operation =
        if aws_default { "servicequotas:GetAWSDefaultServiceQuota" } else { "servicequotas:GetServiceQuota" };
    let Some(found) = found else {
        return Err(Failure::new(
            operation,
            crate::inventory::ErrorCause::Other,
            "the answer holds no quota",
        ));
    };
    let Some(value) = found.value() else {
        return Err(Failure::new(
            operation,
            crate::inventory::ErrorCause::Other,
            format!("quota {code} has no value"),
        ));
    };
    let usage_metric = found
        .usage_metric()
        .and_then(|m| {
            Some(UsageMetric {
                namespace: m.metric_namespace()?.to_string(),
                name: m.metric_name()?.to_string(),
                dimensions: m
                    .metric_dimensions()
                    .map(|d| d.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
                statistic: m.metric_statistic_recommendation().unwrap_or("Maximum").to_string(),
            })
        })
        .or_else(|| default_usage_metric(code));
    Ok(ServiceQuota {
        arn: found
            .quota_arn()
            .map(str::to_string)
            .unwrap_or_else(|| quota_arn(&ctx.region, &ctx.account, EC2, code)),
        service_code: EC2.to_string(),
        quota_code: code.to_string(),
        name: found.quota_name().unwrap_or_default().to_string(),
        value,
        unit: found.unit().unwrap_or_default().to_string(),
        aws_default,
        error_reason: found.error_reason().map(|r| {
            let code = r.error_code().map(|c| c.as_str().to_string()).unwrap_or_default();
            format!("{code} {}", r.error_message().unwrap_or_default()).trim().to_string()
        }),
        usage_metric,
        usage: Known::Value(None),
    })
}

/// The newest datapoint of each quota's usage metric, in one GetMetricData call (a region has
/// a few vCPU quotas, far below the 500 queries a call takes).
async fn read_usage(ctx: &RegionCtx, quotas: &mut [ServiceQuota]) {
    let queries: Vec<MetricDataQuery> = quotas
        .iter()
        .enumerate()
        .filter_map(|(index, quota)| {
            let metric = quota.usage_metric.as_ref()?;
            let dimensions: Vec<(&str, &str)> =
                metric.dimensions.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let series = (metric.namespace.as_str(), metric.name.as_str());
            Some(one_minute_query(format!("u{index}"), series, &dimensions, &metric.statistic))
        })
        .collect();
    if queries.is_empty() {
        return;
    }
    let end = ctx.collected_at;
    let start = end - chrono::Duration::minutes(USAGE_WINDOW_MINUTES);
    let client = ctx.cloudwatch();
    match window_maxima(&client, queries, (start, end)).await {
        Ok(mut points) => {
            for (index, quota) in quotas.iter_mut().enumerate() {
                let newest = points
                    .remove(&format!("u{index}"))
                    .unwrap_or_default()
                    .into_iter()
                    .max_by_key(|p| p.timestamp)
                    .map(|p| UsageReading { value: p.max_seconds, at: Some(p.timestamp) });
                quota.usage = Known::Value(newest);
            }
        }
        Err(f) => {
            for quota in quotas.iter_mut().filter(|q| q.usage_metric.is_some()) {
                quota.usage = Known::Unknown(f.reason());
            }
        }
    }
}
