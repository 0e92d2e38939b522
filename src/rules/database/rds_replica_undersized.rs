use crate::findings::resource;
use crate::inventory::Known;
use crate::inventory::ResourceKind;
use crate::inventory::dr::AuroraCopy;
use crate::inventory::{ErrorCause, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every DR-region read replica of a primary-region RDS instance, and every DR member
    /// instance of an Aurora global secondary cluster, compares its instance class with the
    /// primary's (for Aurora, the primary cluster's writer): a smaller size in the class's
    /// size ladder (`large` < `xlarge` < `2xlarge` < …) fails. Classes drscan cannot parse are
    /// `unknown`.
    ///
    /// ## Why is this bad?
    /// An undersized replica falls behind under the primary's write load (its lag is the RPO),
    /// and after promotion it must carry the full production load on a fraction of the CPU and
    /// memory: the application fails over into an overloaded database.
    ///
    /// ## Example
    /// `orders-db` is `db.r6g.xlarge`; its DR replica `orders-db-dr` is `db.r6g.large`.
    ///
    /// ## How to fix
    /// Modify the replica to the primary's instance class (replicas can be resized without
    /// breaking replication), and keep both in the same infrastructure variable.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.html
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html
    pub struct RdsReplicaUndersized {
        name: "rds-replica-undersized",
        code: "DR304",
        severity: Medium,
        group: Databases,
        summary: "A DR replica's instance class is smaller than the primary's",
    }
}

const SIZES: [&str; 8] = ["nano", "micro", "small", "medium", "large", "xlarge", "metal", "serverless"];

/// A comparable size: (ladder position, multiplier) — `4xlarge` is (xlarge, 4).
fn size(class: &str) -> Option<(u32, u32)> {
    let size = class.rsplit('.').next()?;
    if let Some(multiplier) = size.strip_suffix("xlarge").filter(|m| !m.is_empty()) {
        return Some((5, multiplier.parse().ok()?));
    }
    let position = SIZES.iter().position(|s| *s == size)? as u32;
    // `metal` is the largest size of its family.
    Some(if size == "metal" { (5, 1000) } else { (position, 1) })
}

impl Rule for RdsReplicaUndersized {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let dr = ctx.dr_listed(out, &[ResourceKind::DbInstance], "replica sizes");
        let primary = &ctx.inventory.primary;
        let relations = ctx.inventory.relations();
        let mut pairs = Vec::new();
        for (replica, source) in relations.dr_db_replicas() {
            match primary.db_instance(source) {
                Some(source) => pairs.push((replica, source)),
                None => {
                    if let Some(reason) = primary.gap(ResourceKind::DbInstance) {
                        out.unknown(
                            resource::db_instance(replica, dr.name),
                            reason,
                            format!("cannot read the source of DR replica {}", replica.id),
                        );
                    }
                }
            }
        }
        for cluster in &primary.resources.db_clusters {
            let Some(writer) =
                cluster.members.iter().find(|m| m.writer).and_then(|m| primary.db_instance(&m.instance_id))
            else {
                continue;
            };
            if let Known::Value(Some(AuroraCopy::GlobalSecondary { cluster: Some(secondary), .. })) =
                relations.aurora_copy(cluster)
            {
                for member in &secondary.members {
                    if let Some(instance) = dr.db_instance(&member.instance_id) {
                        pairs.push((instance, writer));
                    }
                }
            }
        }
        for (replica, source) in pairs {
            let target = resource::db_instance(replica, dr.name);
            match (size(&replica.instance_class), size(&source.instance_class)) {
                (Some(r), Some(p)) if r < p => {
                    out.fail(
                        target,
                        format!(
                            "DR replica {} is {}, smaller than its primary {} ({})",
                            replica.id, replica.instance_class, source.id, source.instance_class
                        ),
                    )
                    .with("replica_class", &replica.instance_class)
                    .with("primary_class", &source.instance_class);
                }
                (Some(_), Some(_)) => out.pass(),
                _ => {
                    let reason = UnknownReason::new(
                        "instance class comparison",
                        ErrorCause::Unresolvable,
                        format!("cannot compare {} with {}", replica.instance_class, source.instance_class),
                    );
                    out.unknown(
                        target,
                        &reason,
                        format!("cannot tell whether DR replica {} is undersized", replica.id),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::size;

    #[test]
    fn sizes_order_like_the_ladder() {
        assert!(size("db.r6g.large") < size("db.r6g.xlarge"));
        assert!(size("db.r6g.xlarge") < size("db.r6g.2xlarge"));
        assert!(size("db.r6g.12xlarge") < size("db.r6g.16xlarge"));
        assert!(size("db.t3.micro") < size("db.t3.medium"));
        assert!(size("db.x2g.16xlarge") < size("db.m5.metal"));
        assert_eq!(size("db.weird"), None);
    }
}
