use crate::estimate::duration_text;
use crate::inventory::database::Table;
use crate::inventory::{ErrorCause, Known, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every DynamoDB table of an application with an `ACTIVE` replica in the DR region,
    /// reads `ReplicationLatency` — published in the table's region per receiving region, in
    /// milliseconds — and checks its maximum over the lag window against the threshold:
    /// `dynamodb_replication_lag` if configured, else the RPO target, else 5 minutes. No
    /// datapoints in the window is `unknown`.
    ///
    /// ## Why is this bad?
    /// Global tables replicate asynchronously. Writes that have not reached the DR replica when
    /// the primary region fails are lost (or resurface later as conflicting writes); a
    /// replica that is minutes behind breaks a tight RPO without any error.
    ///
    /// ## Example
    /// `orders` replicates to us-east-1, but write throttling on the replica kept
    /// `ReplicationLatency` at 9 minutes for the last hour, against a 1-minute RPO target.
    ///
    /// ## How to fix
    /// Alarm on `ReplicationLatency` per receiving region, give the replica the write capacity
    /// the primary has (or on-demand capacity), and check its KMS key and Region status.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html
    /// - https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/globaltables_monitoring.html
    pub struct DynamodbReplicationLagHigh {
        name: "dynamodb-replication-lag-high",
        code: "DR311",
        severity: High,
        group: Databases,
        summary: "A DynamoDB table's replication to its DR replica lags more than the RPO-derived threshold",
    }
}

impl Rule for DynamodbReplicationLagHigh {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let dr = ctx.inventory.dr.name;
        let relations = ctx.inventory.relations();
        let (threshold, source) = ctx.settings.dynamodb_replication_lag_threshold();
        for (table, target) in
            ctx.primary_members::<Table>(out, "DynamoDB replication latency", "its replication latency")
        {
            let copy = match relations.table_copy(table) {
                Known::Value(Some(copy)) if copy.replica.active() => copy,
                Known::Value(_) => continue,
                Known::Unknown(reason) => {
                    let what =
                        format!("cannot tell whether {} has a replica in {dr} to judge its lag", table.name);
                    out.unknown(target, &reason, what);
                    continue;
                }
            };
            let what = format!("cannot tell how far the {dr} replica of {} lags", table.name);
            let Some(window) = &copy.replica.replication_latency else {
                let reason = UnknownReason::new(
                    "cloudwatch:GetMetricData",
                    ErrorCause::NotFound,
                    format!("ReplicationLatency of {} to {dr} was not read", table.name),
                );
                out.unknown(target, &reason, what);
                continue;
            };
            let max = match window.max_seconds() {
                Some(Ok(max)) => max,
                Some(Err(reason)) => {
                    out.unknown(target, reason, what);
                    continue;
                }
                None => {
                    let reason = UnknownReason::new(
                        "cloudwatch:GetMetricData",
                        ErrorCause::NotFound,
                        format!(
                            "ReplicationLatency of {} to {dr} has no datapoints between {} and {}",
                            table.name,
                            window.window_start.format("%H:%M"),
                            window.window_end.format("%H:%M")
                        ),
                    );
                    out.unknown(target, &reason, what);
                    continue;
                }
            };
            let lag = max.ceil().max(0.0) as u64;
            if lag <= threshold {
                out.pass();
                continue;
            }
            out.fail(
                target,
                format!(
                    "DynamoDB table {} replicates to {dr} up to {} behind (ReplicationLatency max; threshold {}, {source})",
                    table.name,
                    duration_text(lag),
                    duration_text(threshold)
                ),
            )
            .with("max_latency_seconds", lag)
            .with("threshold_seconds", threshold);
        }
    }
}
