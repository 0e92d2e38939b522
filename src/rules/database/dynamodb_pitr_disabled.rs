use crate::findings::resource;
use crate::inventory::database::Table;
use crate::inventory::{Known, ResourceKind};
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every DynamoDB table of an application in the primary region, and for its replica
    /// in the DR region, checks that point-in-time recovery is `ENABLED`
    /// (DescribeContinuousBackups). Point-in-time recovery is set per replica: the DR replica
    /// needs its own.
    ///
    /// ## Why is this bad?
    /// Replication copies mistakes as faithfully as data: a bad deploy that deletes or
    /// corrupts items reaches every replica within seconds. Point-in-time recovery is the only
    /// way back to the table as it was a minute before, and after a failover the DR replica is
    /// the table whose history matters.
    ///
    /// ## Example
    /// `orders` has point-in-time recovery in ap-south-1, but its us-east-1 replica was added
    /// later without it.
    ///
    /// ## How to fix
    /// Turn on point-in-time recovery (UpdateContinuousBackups) for the table in every region
    /// of its global table, with the recovery period the data needs.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Point-in-time-recovery.html
    /// - https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeContinuousBackups.html
    pub struct DynamodbPitrDisabled {
        name: "dynamodb-pitr-disabled",
        code: "DR312",
        severity: High,
        group: Databases,
        summary: "Point-in-time recovery is off for an application's DynamoDB table or its DR replica",
    }
}

impl Rule for DynamodbPitrDisabled {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let (primary, dr) = (&ctx.inventory.primary, &ctx.inventory.dr);
        let relations = ctx.inventory.relations();
        for (table, _) in
            ctx.primary_members::<Table>(out, "point-in-time recovery", "its point-in-time recovery")
        {
            let mut sides = vec![(table, primary.name)];
            match relations.table_copy(table) {
                Known::Value(Some(copy)) => match copy.table {
                    Some(replica) => sides.push((replica, dr.name)),
                    None => {
                        if let Some(reason) = dr.unread(ResourceKind::Table, &table.name) {
                            let message = format!(
                                "cannot read the {} replica of {} to check its point-in-time recovery",
                                dr.name, table.name
                            );
                            out.unknown(resource::table(table, primary.name), reason, message);
                        }
                    }
                },
                Known::Value(None) => {}
                Known::Unknown(reason) => {
                    let message = format!(
                        "cannot tell whether {} has a replica in {} whose point-in-time recovery to check",
                        table.name, dr.name
                    );
                    out.unknown(resource::table(table, primary.name), &reason, message);
                }
            }
            for (subject, region) in sides {
                let target = resource::table(subject, region);
                match &subject.point_in_time_recovery {
                    Known::Value(status) if status == "ENABLED" => out.pass(),
                    Known::Value(status) => {
                        out.fail(
                            target,
                            format!(
                                "point-in-time recovery of DynamoDB table {} in {region} is {status}",
                                subject.name
                            ),
                        )
                        .with("point_in_time_recovery", status);
                    }
                    Known::Unknown(reason) => {
                        out.unknown(
                            target,
                            reason,
                            format!("cannot read point-in-time recovery of {} in {region}", subject.name),
                        );
                    }
                }
            }
        }
    }
}
