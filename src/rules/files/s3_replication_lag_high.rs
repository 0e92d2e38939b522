use crate::estimate::duration_text;
use crate::inventory::storage::Bucket;
use crate::inventory::{ErrorCause, Known, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every S3 bucket of an application that replicates to a bucket in the DR region
    /// (an enabled rule to a versioned DR bucket), reads the rule's `ReplicationLatency` — the
    /// most seconds the destination is behind, which S3 publishes per minute in the
    /// destination's region when replication metrics or S3 Replication Time Control are on —
    /// and checks its maximum over the lag window against the threshold:
    /// `s3_replication_lag` if configured, else the RPO target, else RTC's 15 minutes. The
    /// largest `OperationsPendingReplication` is shown beside it. A rule without replication
    /// metrics, or whose series has no datapoints, is `unknown`: its lag cannot be told.
    ///
    /// ## Why is this bad?
    /// Replication that runs behind loses everything written in the lag when the primary
    /// region goes down. Without RTC, S3 replicates most objects in minutes but gives no
    /// bound; large objects and bursts can take hours, and nothing in the application shows
    /// it.
    ///
    /// ## Example
    /// `web-uploads` replicates to `web-uploads-dr` with RTC, but a burst of large uploads
    /// left `ReplicationLatency` at 40 minutes, against a 15-minute RPO target.
    ///
    /// ## How to fix
    /// Turn on S3 Replication Time Control (or at least replication metrics) on the DR rule,
    /// alarm on `ReplicationLatency` and `OperationsPendingReplication`, and look at the
    /// destination's KMS key and the replication role when the lag does not recover.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html
    /// - https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html
    /// - https://docs.aws.amazon.com/AmazonS3/latest/userguide/metrics-dimensions.html
    pub struct S3ReplicationLagHigh {
        name: "s3-replication-lag-high",
        code: "DR408",
        severity: High,
        group: FilesAndBackups,
        summary: "An S3 bucket's replication to the DR region lags more than the RPO-derived threshold",
    }
}

impl Rule for S3ReplicationLagHigh {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let dr = ctx.inventory.dr.name;
        let relations = ctx.inventory.relations();
        let (threshold, source) = ctx.settings.s3_replication_lag_threshold();
        for (bucket, target) in
            ctx.primary_members::<Bucket>(out, "S3 replication lag", "its replication lag")
        {
            let copies = match relations.bucket_copies(bucket) {
                Known::Value(copies) => copies,
                Known::Unknown(reason) => {
                    out.unknown(
                        target,
                        &reason,
                        format!("cannot read the replication configuration of {}", bucket.name),
                    );
                    continue;
                }
            };
            for copy in &copies {
                let target = target.clone();
                match copy.live() {
                    Known::Value(true) => {}
                    Known::Value(false) => continue,
                    Known::Unknown(reason) => {
                        out.unknown(
                            target,
                            &reason,
                            format!(
                                "cannot tell whether rule {} of {} replicates to {dr}, so its lag is not judged",
                                copy.rule.id, bucket.name
                            ),
                        );
                        continue;
                    }
                }
                let rule = copy.rule;
                let destination = rule.destination_bucket();
                let max = match copy.max_latency() {
                    Known::Value(Some(max)) => max,
                    Known::Value(None) => {
                        let why = if rule.metrics_enabled || rule.replication_time_minutes.is_some() {
                            format!(
                                "S3 published no ReplicationLatency for rule {} in {dr} in the window",
                                rule.id
                            )
                        } else {
                            format!(
                                "rule {} has neither replication metrics nor S3 Replication Time Control, so S3 publishes no ReplicationLatency",
                                rule.id
                            )
                        };
                        let reason =
                            UnknownReason::new("cloudwatch:GetMetricData", ErrorCause::Unresolvable, why);
                        out.unknown(
                            target,
                            &reason,
                            format!("cannot tell how far {destination} lags behind {}", bucket.name),
                        );
                        continue;
                    }
                    Known::Unknown(reason) => {
                        out.unknown(
                            target,
                            &reason,
                            format!("cannot read the replication metrics of {} in {dr}", bucket.name),
                        );
                        continue;
                    }
                };
                let lag = max.ceil().max(0.0) as u64;
                if lag <= threshold {
                    out.pass();
                    continue;
                }
                let pending = copy.metrics().and_then(|m| {
                    m.value().and_then(|s| s.max_pending_operations.value().copied().flatten())
                });
                let mut message = format!(
                    "bucket {} replicates to {destination} up to {} behind (ReplicationLatency max, rule {}; threshold {}, {source})",
                    bucket.name,
                    duration_text(lag),
                    rule.id,
                    duration_text(threshold)
                );
                if let Some(pending) = pending {
                    message.push_str(&format!("; up to {pending:.0} operations pending"));
                }
                out.fail(target, message)
                    .with("destination", destination)
                    .with("rule", &rule.id)
                    .with("max_latency_seconds", lag)
                    .with("max_pending_operations", pending)
                    .with("threshold_seconds", threshold);
            }
        }
    }
}
