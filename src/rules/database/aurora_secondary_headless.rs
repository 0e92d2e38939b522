use crate::estimate::duration_text;
use crate::findings::resource;
use crate::inventory::dr::AuroraCopy;
use crate::inventory::{Known, ResourceKind};
use crate::rules::{Context, Rule, RuleOutput, Side, declare_rule, report_listing_gaps};

declare_rule! {
    /// ## What it does
    /// For every primary Aurora cluster (`Engine` `aurora*`; DocumentDB and Neptune global
    /// clusters are not judged here) in an application whose global database has a
    /// secondary cluster in the DR region, checks that the secondary has at least one DB
    /// instance. A secondary without instances ("headless") replicates storage but cannot serve
    /// reads, and failing over to it first needs an instance created (the estimate counts
    /// `aurora_instance_creation`, 10 min by default).
    ///
    /// ## Why is this bad?
    /// Headless secondaries are a popular cost saving, and a real RTO cost: the writer
    /// instance must be created during the outage — in a region that every other tenant of
    /// the failed region is scaling into — before the application can connect.
    ///
    /// ## Example
    /// `api-aurora-dr` in us-east-1 is a member of the `api-global` global database with no DB
    /// instances; the RTO target is 2 minutes.
    ///
    /// ## How to fix
    /// Add a DB instance to the secondary cluster (one reader sized like the primary's writer
    /// is enough to promote), or accept the added time and record it in the RTO target.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-getting-started.html#aurora-global-database-attaching
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
    pub struct AuroraSecondaryHeadless {
        name: "aurora-secondary-headless",
        code: "DR309",
        severity: Medium,
        group: Databases,
        summary: "The DR secondary of an Aurora global database has no DB instance to fail over to",
    }
}

impl Rule for AuroraSecondaryHeadless {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let dr = ctx.dr_listed(out, &[ResourceKind::DbCluster], "global secondaries");
        // The global clusters tie a primary cluster to its DR secondary, in either region.
        report_listing_gaps(ctx, out, Side::Both, &[ResourceKind::GlobalCluster], "global secondaries");
        let relations = ctx.inventory.relations();
        let creation = ctx.settings.estimate.aurora_instance_creation_seconds;
        let mut judged = Vec::new();
        for members in ctx.inventory.members().by_app.values() {
            for cluster in &members.primary_db_clusters {
                // A secondary missing from the DR listing is reported through the listing gap.
                let Known::Value(Some(AuroraCopy::GlobalSecondary { cluster: Some(secondary), .. })) =
                    relations.aurora_copy(cluster)
                else {
                    continue;
                };
                judged.push((secondary, cluster.id.as_str(), Some(cluster.arn.as_str())));
            }
        }
        // With the primary clusters unlisted, the DR global secondaries are judged on their own:
        // whether they have an instance does not depend on the primary.
        if ctx.inventory.primary.gap(ResourceKind::DbCluster).is_some() {
            for secondary in dr.resources.db_clusters.iter().filter(|c| relations.is_global_secondary(c)) {
                if !judged.iter().any(|(s, _, _)| s.arn == secondary.arn) {
                    judged.push((secondary, "its primary cluster", None));
                }
            }
        }
        // The instance-creation allowance is Aurora's: other engines' secondaries are judged
        // by no rule here (rds-no-dr-replica says what drscan does not model about them).
        for (secondary, primary_id, primary_arn) in judged.into_iter().filter(|(s, _, _)| s.is_aurora()) {
            if !secondary.members.is_empty() {
                out.pass();
                continue;
            }
            out.fail(
                resource::db_cluster(secondary, dr.name),
                format!(
                    "Aurora global secondary {} of {primary_id} has no DB instance: failover must first create one (about {})",
                    secondary.id,
                    duration_text(creation)
                ),
            )
            .with("primary_cluster", primary_arn)
            .with("instance_creation_seconds", creation);
        }
    }
}
