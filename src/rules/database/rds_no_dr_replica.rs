use crate::findings::resource;
use crate::inventory::{Known, ResourceKind};
use crate::rules::{Context, Rule, RuleOutput, Side, declare_rule, report_listing_gaps};

declare_rule! {
    /// ## What it does
    /// For every primary-region RDS instance that belongs to an application and is not itself
    /// a replica, looks for a read replica in the DR region, following replica-of-replica
    /// chains (a same-region replica may have the cross-region one). Aurora member instances
    /// are judged through their cluster: an Aurora cluster passes when its global database has
    /// a secondary cluster in the DR region, or a cross-region replica cluster exists there.
    /// Automated-backup replication alone does not count: it is restore-only DR. Other DB
    /// clusters (Multi-AZ DB clusters, DocumentDB, Neptune: told apart by `Engine`) pass with a
    /// global-cluster secondary or replica cluster in DR; without one they are `unknown`, since
    /// drscan does not model their other kinds of DR copy.
    ///
    /// When the DR side is another account (a recovery account), no replica or global
    /// secondary can be there: neither crosses accounts. The DR copy of such a database is then
    /// an AWS Backup copy to an existing DR-region vault (of the recovery or a central backup
    /// account), which passes; the RTO/RPO estimate counts it as a restore, not a promotion.
    ///
    /// ## Why is this bad?
    /// Without a replica in the DR region, losing the primary region means restoring from a
    /// snapshot or backup — if one was copied at all — which takes hours and loses every
    /// write since that backup. The application's RPO becomes the backup interval.
    ///
    /// ## Example
    /// `orders-db` in ap-south-1 has a same-region read replica for reporting, but the
    /// cross-region replica in us-east-1 was deleted to save cost.
    ///
    /// ## How to fix
    /// Create a cross-region read replica (`aws rds create-db-instance-read-replica --region
    /// <dr> --source-db-instance-identifier <primary ARN>`), or add a secondary region to the
    /// Aurora global database.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html
    pub struct RdsNoDrReplica {
        name: "rds-no-dr-replica",
        code: "DR301",
        severity: Critical,
        group: Databases,
        summary: "A primary RDS database in an application has no replica or global secondary in the DR region",
    }
}

impl Rule for RdsNoDrReplica {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let dr = &ctx.inventory.dr;
        let relations = ctx.inventory.relations();
        let primary =
            ctx.primary_listed(out, &[ResourceKind::DbInstance], "primary databases for DR replicas");
        report_listing_gaps(
            ctx,
            out,
            Side::Primary,
            &[ResourceKind::DbCluster],
            "primary clusters for DR copies",
        );

        for members in ctx.inventory.members().by_app.values() {
            for db in &members.primary_db_instances {
                let target = resource::db_instance(db, primary.name);
                match relations.db_replicas(db) {
                    Known::Value(replicas) if !replicas.is_empty() => out.pass(),
                    Known::Unknown(reason) => {
                        out.unknown(
                            target,
                            &reason,
                            format!("cannot list DB instances in {} to find a replica of {}", dr.name, db.id),
                        );
                    }
                    Known::Value(_) if relations.recovery_account_of(&db.arn).is_some() => {
                        judge_backup_copy(
                            ctx,
                            out,
                            target,
                            &db.arn,
                            &db.tags,
                            &format!("RDS instance {}", db.id),
                        );
                    }
                    Known::Value(_) => {
                        let backups_to_dr = db
                            .automated_backup_replications
                            .as_ref()
                            .and_then(|k| k.value())
                            .is_some_and(|regions| regions.iter().any(|r| r == dr.name));
                        let mut message =
                            format!("RDS instance {} has no read replica in {}", db.id, dr.name);
                        if backups_to_dr {
                            message.push_str(
                                " (automated backups are replicated there, but that is restore-only DR)",
                            );
                        }
                        out.fail(target, message)
                            .with("engine", &db.engine)
                            .with("read_replicas", &db.read_replica_ids)
                            .with("automated_backups_replicated_to_dr", backups_to_dr);
                    }
                }
            }

            for cluster in &members.primary_db_clusters {
                let target = resource::db_cluster(cluster, primary.name);
                match relations.aurora_copy(cluster) {
                    Known::Value(Some(_)) => out.pass(),
                    Known::Unknown(reason) => {
                        out.unknown(
                            target,
                            &reason,
                            format!(
                                "cannot list clusters in {} to find a DR copy of {}",
                                dr.name, cluster.id
                            ),
                        );
                    }
                    Known::Value(None) if relations.recovery_account_of(&cluster.arn).is_some() => {
                        let what = format!("Aurora cluster {}", cluster.id);
                        judge_backup_copy(ctx, out, target, &cluster.arn, &cluster.tags, &what);
                    }
                    Known::Value(None) => {
                        if let Some(reason) = cluster.not_modeled() {
                            out.unknown(
                                target,
                                &reason,
                                format!(
                                    "{} {} has no global-cluster secondary or replica cluster in {}, and drscan does not model its other DR copies (cross-region read replicas, snapshot copies)",
                                    cluster.family().label(),
                                    cluster.id,
                                    dr.name
                                ),
                            );
                            continue;
                        }
                        out.fail(
                            target,
                            format!(
                                "Aurora cluster {} has no global-database secondary or replica cluster in {}",
                                cluster.id, dr.name
                            ),
                        )
                        .with("engine", &cluster.engine);
                    }
                }
            }
        }
    }
}

/// A database whose DR side is another account: its DR copy is a backup copy to an existing
/// DR-region vault, or there is none.
fn judge_backup_copy(
    ctx: &Context<'_, '_>,
    out: &mut RuleOutput,
    target: crate::findings::ResourceRef,
    arn: &str,
    tags: &crate::inventory::Tags,
    what: &str,
) {
    let relations = ctx.inventory.relations();
    let dr = ctx.inventory.dr.name;
    let recovery_account = relations.recovery_account_of(arn).unwrap_or_default();
    match relations.restorable_backup_copy(arn, tags) {
        Known::Value(Some(_)) => out.pass(),
        Known::Unknown(reason) => {
            out.unknown(target, &reason, format!("cannot tell whether {what} has a backup copy in {dr}"));
        }
        Known::Value(None) => {
            out.fail(
                target,
                format!(
                    "{what} has no backup copy in {dr}: its DR side is account {recovery_account}, which read replicas and global databases cannot reach (they do not cross accounts)"
                ),
            )
            .with("recovery_account", recovery_account);
        }
    }
}
