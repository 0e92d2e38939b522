use crate::inventory::Known;
use crate::inventory::database::Table;
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every DynamoDB table of an application in the primary region, checks that its
    /// global table (version 2019.11.21) has a replica in the DR region and that the replica
    /// is `ACTIVE`, as the table's DescribeTable reports it. A replica that is still being
    /// created, failed to create, or cannot reach its KMS key
    /// (`INACCESSIBLE_ENCRYPTION_CREDENTIALS`) fails. Backups copied to a DR vault do not
    /// satisfy this rule: they are restore-only DR (the RTO/RPO estimate counts them).
    ///
    /// ## Why is this bad?
    /// A table without a replica in the DR region is unreachable when the primary region is
    /// down: the application fails over into an empty region, or waits for a restore from a
    /// backup that loses everything since it was taken.
    ///
    /// ## Example
    /// `orders` (tag `app=web`) in ap-south-1 is a global table with a replica in eu-west-1
    /// only; the DR region us-east-1 has none.
    ///
    /// ## How to fix
    /// Add a replica in the DR region (UpdateTable `ReplicaUpdates` `Create`), make sure the
    /// replica's KMS key is usable there, and wait until it is `ACTIVE`.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html
    /// - https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables.tutorial.html
    /// - https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ReplicaDescription.html
    pub struct DynamodbNoDrReplica {
        name: "dynamodb-no-dr-replica",
        code: "DR310",
        severity: Critical,
        group: Databases,
        summary: "An application's DynamoDB table has no ACTIVE replica in the DR region",
    }
}

impl Rule for DynamodbNoDrReplica {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let dr = ctx.inventory.dr.name;
        let relations = ctx.inventory.relations();
        for (table, target) in ctx.primary_members::<Table>(out, "tables for DR replicas", "its DR replica") {
            match relations.table_copy(table) {
                Known::Value(Some(copy)) if copy.replica.active() => out.pass(),
                Known::Value(Some(copy)) => {
                    let mut message = format!(
                        "the {dr} replica of DynamoDB table {} is {}",
                        table.name, copy.replica.status
                    );
                    if let Some(description) = &copy.replica.status_description {
                        message.push_str(&format!(": {description}"));
                    }
                    out.fail(target, message)
                        .with("replica_status", &copy.replica.status)
                        .with("global_table_version", &table.global_table_version);
                }
                Known::Value(None) => {
                    let others: Vec<&str> =
                        table.replicas.value().into_iter().flatten().map(|r| r.region.as_str()).collect();
                    let message = if others.is_empty() {
                        format!(
                            "DynamoDB table {} is not a global table: it has no replica in {dr}",
                            table.name
                        )
                    } else {
                        format!(
                            "DynamoDB table {} has no replica in {dr} (its replicas: {})",
                            table.name,
                            others.join(", ")
                        )
                    };
                    out.fail(target, message).with("replica_regions", &others);
                }
                Known::Unknown(reason) => {
                    out.unknown(
                        target,
                        &reason,
                        format!("cannot read the replicas of DynamoDB table {}", table.name),
                    );
                }
            }
        }
    }
}
