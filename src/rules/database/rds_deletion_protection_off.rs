use crate::findings::resource;
use crate::inventory::ResourceKind;
use crate::rules::{Context, Rule, RuleOutput, Side, declare_rule, report_listing_gaps};

declare_rule! {
    /// ## What it does
    /// Checks that deletion protection is on for every primary-region RDS instance (not a
    /// replica, not an Aurora member) and Aurora cluster in an application, and for the DR
    /// copies failover depends on: DR read replicas of primary instances and DR clusters.
    ///
    /// ## Why is this bad?
    /// The DR copy is the one resource nobody looks at until it is needed. A clean-up script,
    /// a mistaken `terraform destroy` in the wrong workspace or a console click deletes it
    /// without a second confirmation, and the next regional outage has nothing to promote.
    ///
    /// ## Example
    /// `orders-db-dr` in us-east-1 has `DeletionProtection: false`; a cost-saving job deletes
    /// "unused" replicas it sees no connections to.
    ///
    /// ## How to fix
    /// Enable `DeletionProtection` on the primary and on every DR replica and cluster.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeleteInstance.DeletionProtection
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DeleteCluster.html
    pub struct RdsDeletionProtectionOff {
        name: "rds-deletion-protection-off",
        code: "DR307",
        severity: Low,
        group: Databases,
        summary: "A primary database or its DR copy has deletion protection off",
    }
}

impl Rule for RdsDeletionProtectionOff {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        report_listing_gaps(
            ctx,
            out,
            Side::Both,
            &[ResourceKind::DbInstance, ResourceKind::DbCluster],
            "deletion protection",
        );
        let primary = ctx.inventory.primary.name;
        let dr = &ctx.inventory.dr;
        let mut judged = Vec::new();
        for members in ctx.inventory.members().by_app.values() {
            judged.extend(
                members
                    .primary_db_instances
                    .iter()
                    .map(|db| (resource::db_instance(db, primary), db.deletion_protection)),
            );
            judged.extend(
                members
                    .primary_db_clusters
                    .iter()
                    .map(|c| (resource::db_cluster(c, primary), c.deletion_protection)),
            );
        }
        for (replica, _) in ctx.inventory.relations().dr_db_replicas() {
            if replica.cluster_id.is_none() {
                judged.push((resource::db_instance(replica, dr.name), replica.deletion_protection));
            }
        }
        judged.extend(
            dr.resources
                .db_clusters
                .iter()
                .map(|c| (resource::db_cluster(c, dr.name), c.deletion_protection)),
        );
        for (target, protected) in judged {
            if protected {
                out.pass();
                continue;
            }
            let (id, region) = (target.id.clone(), target.region.clone().unwrap_or_default());
            out.fail(target, format!("database {id} in {region} has deletion protection off"))
                .with("deletion_protection", false);
        }
    }
}
