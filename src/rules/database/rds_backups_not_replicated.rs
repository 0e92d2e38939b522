use crate::findings::resource;
use crate::inventory::ResourceKind;
use crate::inventory::{ErrorCause, Known, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every primary-region RDS instance (not a replica, not an Aurora member) in an
    /// application, checks that its automated backups are replicated to the DR region
    /// (cross-Region automated backup replication). Aurora clusters are out of scope: they use
    /// global databases and AWS Backup copies instead.
    ///
    /// ## Why is this bad?
    /// A read replica protects against losing the region, not against bad writes: it replays
    /// them. Replicated automated backups let you restore the DR database to a point in time
    /// before the corruption — in the DR region, when the primary region is gone.
    ///
    /// ## Example
    /// `orders-db` has a cross-region replica, but no automated-backup replication: after a
    /// bad migration during a regional outage, there is no clean state to restore in us-east-1.
    ///
    /// ## How to fix
    /// Start automated backup replication to the DR region
    /// (`aws rds start-db-instance-automated-backups-replication --region <dr>`), with a DR KMS
    /// key for encrypted instances.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html
    pub struct RdsBackupsNotReplicated {
        name: "rds-backups-not-replicated",
        code: "DR308",
        severity: Medium,
        group: Databases,
        summary: "A primary RDS instance's automated backups are not replicated to the DR region",
    }
}

impl Rule for RdsBackupsNotReplicated {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let primary = ctx.primary_listed(out, &[ResourceKind::DbInstance], "backup replication").name;
        let dr = ctx.inventory.dr.name;
        for members in ctx.inventory.members().by_app.values() {
            for db in &members.primary_db_instances {
                let target = resource::db_instance(db, primary);
                match &db.automated_backup_replications {
                    Some(Known::Value(regions)) if regions.iter().any(|r| r == dr) => out.pass(),
                    Some(Known::Value(regions)) => {
                        out.fail(
                            target,
                            format!("automated backups of {} are not replicated to {dr}", db.id),
                        )
                        .with("replicated_to", regions)
                        .with("backup_retention_days", db.backup_retention_days);
                    }
                    Some(Known::Unknown(reason)) => {
                        out.unknown(
                            target,
                            reason,
                            format!("cannot tell where automated backups of {} are replicated", db.id),
                        );
                    }
                    None => {
                        let reason = UnknownReason::new(
                            "rds:DescribeDBInstanceAutomatedBackups",
                            ErrorCause::NotFound,
                            "automated backup replication was not collected",
                        );
                        out.unknown(
                            target,
                            &reason,
                            format!("cannot tell where automated backups of {} are replicated", db.id),
                        );
                    }
                }
            }
        }
    }
}
