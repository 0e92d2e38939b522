use crate::findings::resource;
use crate::inventory::ResourceKind;
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every primary-region RDS instance (not a replica, not an Aurora member) and Aurora
    /// cluster in an application, checks that automated backups are kept at least
    /// `min_backup_retention_days` days (default 7). A retention of 0 means automated backups
    /// are off.
    ///
    /// ## Why is this bad?
    /// Replication copies mistakes as fast as data: a dropped table or a corrupting deploy
    /// reaches the DR replica within seconds. Point-in-time restore from automated backups is
    /// the way back, and its window is the retention period. Cross-region backup replication
    /// also needs automated backups enabled.
    ///
    /// ## Example
    /// `orders-db` keeps automated backups for 1 day; a data-corrupting migration noticed on
    /// Monday cannot be undone from Friday's state.
    ///
    /// ## How to fix
    /// Set `BackupRetentionPeriod` to at least 7 days (up to 35) on the instance or cluster.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Managing.Backups.html
    pub struct RdsBackupRetentionLow {
        name: "rds-backup-retention-low",
        code: "DR305",
        severity: High,
        group: Databases,
        summary: "A primary database keeps automated backups for fewer days than required (or not at all)",
    }
}

impl Rule for RdsBackupRetentionLow {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let region = ctx
            .primary_listed(out, &[ResourceKind::DbInstance, ResourceKind::DbCluster], "backup retention")
            .name;
        let minimum = ctx.settings.thresholds.min_backup_retention_days;
        for members in ctx.inventory.members().by_app.values() {
            let stores = members
                .primary_db_instances
                .iter()
                .map(|db| (resource::db_instance(db, region), db.backup_retention_days))
                .chain(
                    members
                        .primary_db_clusters
                        .iter()
                        .map(|c| (resource::db_cluster(c, region), c.backup_retention_days)),
                );
            for (target, days) in stores {
                if days >= minimum {
                    out.pass();
                    continue;
                }
                let state = if days == 0 {
                    "has automated backups off".to_string()
                } else {
                    format!("keeps automated backups for {days} day(s)")
                };
                let id = target.id.clone();
                out.fail(target, format!("database {id} {state}; at least {minimum} required"))
                    .with("backup_retention_days", days)
                    .with("minimum_days", minimum);
            }
        }
    }
}
