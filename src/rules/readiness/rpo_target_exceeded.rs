use super::targets::{Objective, check_objective};
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// Compares each application's estimated RPO with the RPO target (`--rpo-target` or
    /// `rpo_target` in `drscan.toml`). The RPO is the worst data-loss window over the
    /// application's primary data stores, each through its best DR copy:
    ///
    /// - RDS read replica: maximum CloudWatch `ReplicaLag` over the window (−1: unbounded);
    /// - Aurora global database: maximum `AuroraGlobalDBReplicationLag`;
    /// - EFS replication: max(collected_at − `LastReplicatedTimestamp`, 15 min);
    /// - AWS Backup copy to a DR vault: the schedule's worst gap over a year (in its timezone)
    ///   + the start window + the copy time (observed on the newest DR recovery point, else
    ///   1 h).
    ///
    /// The finding names every store above the target with its value and source. A store with
    /// no DR copy makes the RPO unbounded, which fails at any target. Without an RPO target the
    /// rule is informational: it passes bounded estimates and reports unbounded ones at
    /// severity `info`.
    ///
    /// ## Why is this bad?
    /// Data written after the last copy reached the DR region is lost on failover. An
    /// application is only as recoverable as its worst store: a database replicated within
    /// seconds does not help if the uploaded files come from yesterday's backup.
    ///
    /// ## Example
    /// Target 30 s. The `web` database replica lags up to 21 min, and its EFS file system is
    /// only copied by a daily AWS Backup plan (`cron(0 3 * * ? *)`, Asia/Kolkata, 60 min start
    /// window): RPO ≈ 1 day 1 h 32 min.
    ///
    /// ## How to fix
    /// Replace backup-only protection with continuous replication (EFS replication, RDS
    /// cross-region read replicas or Aurora global database), size replicas to keep up
    /// (`rds-replica-lag-high`), and run backups as often as the RPO requires.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/whitepapers/latest/disaster-recovery-workloads-on-aws/business-continuity-plan-bcp.html
    /// - https://docs.aws.amazon.com/efs/latest/ug/replication-monitoring.html
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/creating-a-backup-plan.html
    pub struct RpoTargetExceeded {
        name: "rpo-target-exceeded",
        code: "DR503",
        severity: High,
        group: Readiness,
        summary: "An application's estimated RPO exceeds the RPO target (or is unbounded)",
    }
}

impl Rule for RpoTargetExceeded {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        check_objective(ctx, out, Objective::Rpo);
    }
}
