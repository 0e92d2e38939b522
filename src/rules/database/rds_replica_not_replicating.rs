use crate::findings::resource;
use crate::inventory::ResourceKind;
use crate::inventory::arn::arn_name;
use crate::inventory::database::LagMetric;
use crate::inventory::{ErrorCause, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every DR-region read replica of a primary-region database, checks its replication
    /// status (`StatusInfos` of type `read replication`): anything but `replicating` —
    /// `replication degraded`, `error`, `stopped`, `terminated` — fails, and so does a newest
    /// CloudWatch `ReplicaLag` datapoint of −1, which RDS publishes when replication is not
    /// running. A replica that reports no replication status is `unknown`.
    ///
    /// ## Why is this bad?
    /// A replica that stopped replicating still looks healthy in most dashboards (`available`),
    /// but every write since it stopped is missing from it. Promoting it on failover silently
    /// loses hours or days of data.
    ///
    /// ## Example
    /// `orders-db-dr` shows status `available` but its replication status is `error` since a
    /// storage-full event on the replica three days ago.
    ///
    /// ## How to fix
    /// Read the replica's `StatusInfos` message and the RDS events; fix the cause (storage,
    /// incompatible parameter change, long transaction) and, if replication cannot resume,
    /// delete and recreate the cross-region replica.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Monitoring.html
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Troubleshooting.html
    pub struct RdsReplicaNotReplicating {
        name: "rds-replica-not-replicating",
        code: "DR303",
        severity: Critical,
        group: Databases,
        summary: "A DR read replica is not replicating (degraded, error, stopped, terminated, or lag −1)",
    }
}

impl Rule for RdsReplicaNotReplicating {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let dr = ctx.dr_listed(out, &[ResourceKind::DbInstance], "replication status");
        for (replica, source) in ctx.inventory.relations().dr_db_replicas() {
            let target = resource::db_instance(replica, dr.name);
            let broken: Vec<String> = replica
                .replica_status
                .iter()
                .filter(|s| !s.status.eq_ignore_ascii_case("replicating"))
                .map(|s| match &s.message {
                    Some(message) => format!("{} ({message})", s.status),
                    None => s.status.clone(),
                })
                .collect();
            let stopped = dr
                .lag_series(&replica.id, LagMetric::ReplicaLag)
                .and_then(|series| series.datapoints.value())
                .and_then(|points| points.iter().max_by_key(|p| p.timestamp))
                .is_some_and(|latest| latest.max_seconds < 0.0);
            if !broken.is_empty() || stopped {
                let mut why = broken.clone();
                if stopped {
                    why.push("ReplicaLag reports -1".to_string());
                }
                out.fail(
                    target,
                    format!(
                        "DR replica {} of {} is not replicating: {}",
                        replica.id,
                        arn_name(source),
                        why.join("; ")
                    ),
                )
                .with("replication_status", &broken)
                .with("replica_lag_minus_one", stopped);
            } else if replica.replica_status.is_empty() {
                let reason = UnknownReason::new(
                    "rds:DescribeDBInstances",
                    ErrorCause::NotFound,
                    format!("no read replication status was reported for {}", replica.id),
                );
                out.unknown(
                    target,
                    &reason,
                    format!("cannot tell whether DR replica {} is replicating", replica.id),
                );
            } else {
                out.pass();
            }
        }
    }
}
