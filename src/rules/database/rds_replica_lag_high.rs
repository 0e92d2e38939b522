use crate::findings::ResourceRef;
use crate::findings::resource;
use crate::inventory::database::{LagMetric, ReplicaLagSeries};
use crate::inventory::{ErrorCause, ResourceKind, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, Side, declare_rule, report_listing_gaps};
use chrono::{DateTime, Utc};

declare_rule! {
    /// ## What it does
    /// For every DR-region read replica of a primary-region database, and every Aurora global
    /// secondary cluster in the DR region, takes the maximum of CloudWatch `ReplicaLag`
    /// (seconds) or `AuroraGlobalDBReplicationLag` (milliseconds, published in the secondary's
    /// region; normalised to seconds) over the collection window and compares it with the
    /// threshold: `replica_lag_threshold` if configured, else the RPO target, else 300 s.
    /// `ReplicaLag` of −1 means replication is not running and fails. No datapoints is
    /// `unknown`, unless the replica is younger than the window. A global secondary that is
    /// not Aurora (DocumentDB, Neptune) is `unknown`: drscan does not read their lag metrics.
    ///
    /// ## Why is this bad?
    /// Promoting a replica that is minutes behind loses those minutes of writes. Lag is the
    /// database's real RPO, and it grows silently under write bursts or an undersized replica.
    ///
    /// ## Example
    /// `orders-db-dr` in us-east-1 peaked at 1,260 s of `ReplicaLag` in the last hour while the
    /// RPO target is 30 s.
    ///
    /// ## How to fix
    /// Size the replica like the primary (instance class, storage throughput), look for long
    /// transactions or DDL on the primary, and consider Aurora global database, whose
    /// replication lag is typically under a second.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Monitoring.html
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html
    pub struct RdsReplicaLagHigh {
        name: "rds-replica-lag-high",
        code: "DR302",
        severity: High,
        group: Databases,
        summary: "A DR replica's maximum replication lag over the window exceeds the RPO-derived threshold",
    }
}

impl Rule for RdsReplicaLagHigh {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let relations = ctx.inventory.relations();
        let dr = ctx.dr_listed(out, &[ResourceKind::DbInstance], "DR replicas for lag");
        // Which DR clusters are global secondaries comes from the DR clusters and the global
        // clusters (listed in either region).
        report_listing_gaps(ctx, out, Side::Dr, &[ResourceKind::DbCluster], "global secondaries for lag");
        report_listing_gaps(
            ctx,
            out,
            Side::Both,
            &[ResourceKind::GlobalCluster],
            "global secondaries for lag",
        );
        for (replica, _) in relations.dr_db_replicas() {
            let series = dr.lag_series(&replica.id, LagMetric::ReplicaLag);
            judge(
                ctx,
                out,
                resource::db_instance(replica, dr.name),
                series,
                replica.created_at,
                "ReplicaLag",
            );
        }
        for cluster in &dr.resources.db_clusters {
            if !relations.is_global_secondary(cluster) {
                continue;
            }
            // DocumentDB and Neptune global clusters publish their own lag metrics, which
            // drscan does not read: unknown, not "no AuroraGlobalDBReplicationLag datapoints".
            if let Some(reason) = cluster.not_modeled() {
                let target = resource::db_cluster(cluster, dr.name);
                let message = format!(
                    "cannot judge the replication lag of {} {}",
                    cluster.family().label(),
                    cluster.id
                );
                out.unknown(target, &reason, message);
                continue;
            }
            let series = dr.lag_series(&cluster.id, LagMetric::AuroraGlobalDBReplicationLag);
            judge(
                ctx,
                out,
                resource::db_cluster(cluster, dr.name),
                series,
                cluster.created_at,
                "AuroraGlobalDBReplicationLag",
            );
        }
    }
}

fn judge(
    ctx: &Context<'_, '_>,
    out: &mut RuleOutput,
    target: ResourceRef,
    series: Option<&ReplicaLagSeries>,
    created_at: Option<DateTime<Utc>>,
    metric: &str,
) {
    let (threshold, threshold_source) = ctx.settings.replica_lag_threshold();
    let window_start = crate::time::before(ctx.now, ctx.settings.thresholds.lag_window_seconds);
    let young = created_at.is_some_and(|c| c > window_start);
    let Some(series) = series else {
        let reason = ctx.inventory.dr.gap(ResourceKind::MetricSeries).cloned().unwrap_or_else(|| {
            UnknownReason::new(
                "cloudwatch:GetMetricData",
                ErrorCause::NotFound,
                format!("no {metric} series was collected"),
            )
        });
        if young {
            out.pass();
        } else {
            out.unknown(target.clone(), &reason, format!("cannot read {metric} of {}", target.id));
        }
        return;
    };
    match series.max_seconds() {
        Some(Err(reason)) => {
            out.unknown(target.clone(), reason, format!("cannot read {metric} of {}", target.id));
        }
        None if young => out.pass(),
        None => {
            let reason = UnknownReason::new(
                "cloudwatch:GetMetricData",
                ErrorCause::NotFound,
                format!("{metric} has no datapoints in the window"),
            );
            out.unknown(target.clone(), &reason, format!("no {metric} datapoints for {}", target.id));
        }
        Some(Ok(_)) if has_stopped(series) => {
            out.fail(
                target.clone(),
                format!(
                    "{metric} of {} reports -1: replication is not running, so data loss is unbounded",
                    target.id
                ),
            )
            .with("metric", metric)
            .with("max_lag_seconds", -1);
        }
        Some(Ok(max)) if max > threshold as f64 => {
            out.fail(target.clone(), format!("{metric} of {} peaked at {} in the last {} (threshold {threshold} s: {threshold_source})", target.id, seconds_text(max), window_text(ctx.settings.thresholds.lag_window_seconds)))
                .with("metric", metric)
                .with("max_lag_seconds", max)
                .with("threshold_seconds", threshold)
                .with("threshold_source", threshold_source)
                .with("window_start", series.window_start)
                .with("window_end", series.window_end);
        }
        Some(Ok(_)) => out.pass(),
    }
}

/// RDS publishes −1 when replication is stopped; the newest datapoint is what matters now.
fn has_stopped(series: &ReplicaLagSeries) -> bool {
    series
        .datapoints
        .value()
        .and_then(|points| points.iter().max_by_key(|p| p.timestamp))
        .is_some_and(|latest| latest.max_seconds < 0.0)
}

fn seconds_text(seconds: f64) -> String {
    if seconds.fract() == 0.0 {
        format!("{seconds:.0} s")
    } else {
        // Trim trailing zeros: 912.5 s, 0.851 s.
        let text = format!("{seconds:.3}");
        format!("{} s", text.trim_end_matches('0').trim_end_matches('.'))
    }
}

fn window_text(seconds: u64) -> String {
    if seconds.is_multiple_of(3600) {
        format!("{} h", seconds / 3600)
    } else {
        format!("{} min", seconds / 60)
    }
}
