use crate::estimate::duration_text;
use crate::findings::resource;
use crate::inventory::ResourceKind;
use crate::inventory::{ErrorCause, Known, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, declare_rule};
use crate::settings::EFS_REPLICATION_RPO_FLOOR_SECONDS;

declare_rule! {
    /// ## What it does
    /// For every primary EFS file system replicating to the DR region (destination status
    /// `ENABLED`), checks the age of the last replication — `collected_at` −
    /// `LastReplicatedTimestamp` — against the threshold: `efs_replication_lag_threshold` if
    /// configured, else max(RPO target, 15 min). EFS replication aims to replicate most changes
    /// within 15 minutes, so an RPO target under 15 minutes is unattainable with it, and the
    /// finding says so. A destination without a last-replicated time is `unknown`.
    ///
    /// ## Why is this bad?
    /// Replication that is enabled but stuck looks fine in the console. Every file written
    /// since the last completed sync is lost on failover, and nothing alerts on it by default.
    ///
    /// ## Example
    /// `fs-0a1b…` replicates to us-east-1, but its last replicated time is 9 hours old because
    /// the destination's KMS key was disabled.
    ///
    /// ## How to fix
    /// Check the replication configuration's status and the destination (KMS key, throughput),
    /// alarm on `TimeSinceLastSync`, and recreate the replication if it does not recover.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/efs/latest/ug/replication-monitoring.html
    /// - https://docs.aws.amazon.com/efs/latest/ug/efs-replication.html
    pub struct EfsReplicationLagHigh {
        name: "efs-replication-lag-high",
        code: "DR402",
        severity: High,
        group: FilesAndBackups,
        summary: "An EFS file system's last replication to the DR region is older than the RPO-derived threshold",
    }
}

impl Rule for EfsReplicationLagHigh {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let primary = ctx.primary_listed(out, &[ResourceKind::FileSystem], "replication lag").name;
        let relations = ctx.inventory.relations();
        let (threshold, source) = ctx.settings.efs_replication_lag_threshold();
        let unattainable =
            ctx.settings.targets.rpo_seconds.filter(|rpo| *rpo < EFS_REPLICATION_RPO_FLOOR_SECONDS);
        for fs in &ctx.inventory.primary.resources.file_systems {
            let target = resource::file_system(fs, primary);
            let destinations = match relations.efs_replication(fs) {
                Known::Value(destinations) => destinations,
                Known::Unknown(reason) => {
                    out.unknown(target, &reason, format!("cannot read the replication of EFS {}", fs.id));
                    continue;
                }
            };
            for destination in destinations.into_iter().filter(|d| d.status == "ENABLED") {
                let Some(at) = destination.last_replicated_timestamp else {
                    let reason = UnknownReason::new(
                        "elasticfilesystem:DescribeReplicationConfigurations",
                        ErrorCause::NotFound,
                        format!(
                            "destination {} reports no LastReplicatedTimestamp",
                            destination.file_system_id
                        ),
                    );
                    out.unknown(target.clone(), &reason, format!("cannot tell how far EFS {} lags", fs.id));
                    continue;
                };
                let age = crate::time::seconds_between(at, ctx.now);
                if age <= threshold {
                    out.pass();
                    continue;
                }
                let mut message = format!(
                    "EFS {} last replicated to {} {} ago (threshold {}, {source})",
                    fs.id,
                    destination.file_system_id,
                    duration_text(age),
                    duration_text(threshold)
                );
                if let Some(rpo) = unattainable {
                    message.push_str(&format!(
                        "; the {} RPO target is unattainable with EFS replication, which replicates within 15 minutes",
                        duration_text(rpo)
                    ));
                }
                out.fail(target.clone(), message)
                    .with("destination", &destination.file_system_id)
                    .with("last_replicated", at)
                    .with("age_seconds", age)
                    .with("threshold_seconds", threshold);
            }
        }
    }
}
