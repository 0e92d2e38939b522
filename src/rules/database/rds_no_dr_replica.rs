use crate::findings::resource;
use crate::inventory::ResourceKind;
use crate::inventory::arn::arn_region;
use crate::inventory::database::{DbCluster, DbInstance};
use crate::inventory::graph::RegionView;
use crate::rules::{Context, Rule, RuleOutput, Side, declare_rule, report_listing_gaps};
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// For every primary-region RDS instance that belongs to an application and is not itself
    /// a replica, looks for a read replica in the DR region, following replica-of-replica
    /// chains (a same-region replica may have the cross-region one). Aurora member instances
    /// are judged through their cluster: an Aurora cluster passes when its global database has
    /// a secondary cluster in the DR region, or a cross-region replica cluster exists there.
    /// Automated-backup replication alone does not count: it is restore-only DR.
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
        let primary = &ctx.inventory.primary;
        let dr = &ctx.inventory.dr;
        let apps = ctx.inventory.applications();
        report_listing_gaps(
            ctx,
            out,
            Side::Primary,
            &[ResourceKind::DbInstance],
            "primary databases for DR replicas",
        );
        report_listing_gaps(
            ctx,
            out,
            Side::Primary,
            &[ResourceKind::DbCluster],
            "primary clusters for DR copies",
        );

        // Sources named by DR replicas, collected once: scanning the DR instances for every
        // primary without a listed DR replica made this rule quadratic.
        let dr_replica_sources: HashSet<&str> =
            dr.resources.db_instances.iter().filter_map(|r| r.read_replica_source.as_deref()).collect();
        for db in &primary.resources.db_instances {
            if db.is_replica() || db.cluster_id.is_some() || apps.app_of(&db.arn).is_none() {
                continue;
            }
            if has_dr_replica(db, primary, dr, &dr_replica_sources) {
                out.pass();
                continue;
            }
            let target = resource::db_instance(db, primary.name);
            if let Some(reason) = dr.gap(ResourceKind::DbInstance) {
                out.unknown(
                    target,
                    reason,
                    format!("cannot list DB instances in {} to find a replica of {}", dr.name, db.id),
                );
                continue;
            }
            let backups_to_dr = db
                .automated_backup_replications
                .as_ref()
                .and_then(|k| k.value())
                .is_some_and(|regions| regions.iter().any(|r| r == dr.name));
            let mut message = format!("RDS instance {} has no read replica in {}", db.id, dr.name);
            if backups_to_dr {
                message.push_str(" (automated backups are replicated there, but that is restore-only DR)");
            }
            out.fail(target, message)
                .with("engine", &db.engine)
                .with("read_replicas", &db.read_replica_ids)
                .with("automated_backups_replicated_to_dr", backups_to_dr);
        }

        for cluster in &primary.resources.db_clusters {
            if cluster.replication_source.is_some()
                || apps.app_of(&cluster.arn).is_none()
                || is_global_secondary(ctx, cluster)
            {
                continue;
            }
            if cluster_has_dr_copy(ctx, cluster) {
                out.pass();
                continue;
            }
            let target = resource::db_cluster(cluster, primary.name);
            let gap = dr
                .gap(ResourceKind::DbCluster)
                .or(dr.gap(ResourceKind::GlobalCluster))
                .or(primary.gap(ResourceKind::GlobalCluster));
            if let Some(reason) = gap {
                out.unknown(
                    target,
                    reason,
                    format!("cannot list clusters in {} to find a DR copy of {}", dr.name, cluster.id),
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

/// Breadth-first over the replica tree: same-region replicas are followed, a replica whose
/// ARN is in the DR region ends the search. DR replicas naming a chain member as their
/// source count too, in case the source's replica list was not returned.
fn has_dr_replica(
    db: &DbInstance,
    primary: &RegionView<'_>,
    dr: &RegionView<'_>,
    dr_replica_sources: &HashSet<&str>,
) -> bool {
    let mut chain: HashSet<&str> = HashSet::new();
    let mut queue = vec![db];
    while let Some(current) = queue.pop() {
        if !chain.insert(current.arn.as_str()) {
            continue;
        }
        chain.insert(current.id.as_str());
        for replica in &current.read_replica_ids {
            match arn_region(replica) {
                Some(region) if region == dr.name => return true,
                Some(region) if region != primary.name => {}
                _ => {
                    if let Some(next) = primary.db_instance(replica) {
                        queue.push(next);
                    }
                }
            }
        }
    }
    chain.iter().any(|member| dr_replica_sources.contains(member))
}

fn is_global_secondary(ctx: &Context<'_, '_>, cluster: &DbCluster) -> bool {
    global_clusters(ctx).any(|g| g.members.iter().any(|m| m.cluster_arn == cluster.arn && !m.writer))
}

fn cluster_has_dr_copy(ctx: &Context<'_, '_>, cluster: &DbCluster) -> bool {
    let dr = ctx.inventory.dr.name;
    let in_global = global_clusters(ctx).any(|g| {
        g.members.iter().any(|m| m.cluster_arn == cluster.arn)
            && g.members.iter().any(|m| !m.writer && arn_region(&m.cluster_arn) == Some(dr))
    });
    in_global
        || ctx
            .inventory
            .dr
            .resources
            .db_clusters
            .iter()
            .any(|c| c.replication_source.as_deref() == Some(cluster.arn.as_str()))
}

/// Global clusters are listed from both regions; either listing will do.
fn global_clusters<'c>(
    ctx: &'c Context<'_, '_>,
) -> impl Iterator<Item = &'c crate::inventory::database::GlobalCluster> {
    ctx.inventory
        .primary
        .resources
        .global_clusters
        .iter()
        .chain(ctx.inventory.dr.resources.global_clusters.iter())
}
