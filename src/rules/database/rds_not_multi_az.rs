use crate::findings::resource;
use crate::inventory::ResourceKind;
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every primary-region RDS instance (not a replica, not an Aurora member) and Aurora
    /// cluster in an application, checks that it is Multi-AZ: `MultiAZ` true for an instance;
    /// for an Aurora cluster, `MultiAZ` true (a reader in another zone to fail over to).
    ///
    /// ## Why is this bad?
    /// Most outages are zonal, not regional. A single-AZ primary turns a zone failure into a
    /// regional failover — with its RTO, its manual steps and its data loss — where Multi-AZ
    /// would have failed over inside the region in a minute or two.
    ///
    /// ## Example
    /// `reports-db` runs single-AZ in ap-south-1a; when that zone has a power event, the only
    /// way back is promoting the DR replica.
    ///
    /// ## How to fix
    /// Modify the instance to Multi-AZ (`--multi-az`), or add an Aurora replica in another
    /// Availability Zone.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html
    pub struct RdsNotMultiAz {
        name: "rds-not-multi-az",
        code: "DR306",
        severity: Medium,
        group: Databases,
        summary: "A primary database is not Multi-AZ",
    }
}

impl Rule for RdsNotMultiAz {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let region =
            ctx.primary_listed(out, &[ResourceKind::DbInstance, ResourceKind::DbCluster], "Multi-AZ").name;
        for members in ctx.inventory.members().by_app.values() {
            let stores = members
                .primary_db_instances
                .iter()
                .map(|db| (resource::db_instance(db, region), db.multi_az, "instance"))
                .chain(
                    members
                        .primary_db_clusters
                        .iter()
                        .map(|c| (resource::db_cluster(c, region), c.multi_az, c.family().label())),
                );
            for (target, multi_az, kind) in stores {
                if multi_az {
                    out.pass();
                    continue;
                }
                let id = target.id.clone();
                out.fail(
                    target,
                    format!("{kind} {id} is single-AZ: a zone failure forces a regional failover"),
                )
                .with("multi_az", false);
            }
        }
    }
}
