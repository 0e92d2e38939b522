use crate::estimate::{Amount, DEFAULT_COMPLETION_WINDOW_MINUTES, duration_text};
use crate::findings::ResourceRef;
use crate::inventory::ResourceKind;
use crate::inventory::members::DATA_STORE_KINDS as STORES;
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every primary data store of an application that a backup plan rule copies to the DR
    /// region, looks for the newest `COMPLETED` recovery point of the store in any DR-region
    /// vault and checks that it was created within the rule's allowance: its worst gap (the
    /// schedule's largest gap plus the start window, as in `backup-frequency-exceeds-rpo`) plus
    /// its completion window (`CompletionWindowMinutes`, AWS Backup's default 7 days when
    /// unset). No recovery point at all fails too. Vaults whose recovery points could not be
    /// listed make the result `unknown` unless a recent one was found elsewhere.
    ///
    /// ## Why is this bad?
    /// A plan that is configured to copy is not a copy. Copy jobs fail silently — a missing
    /// vault access policy, a KMS key the DR vault cannot use, a resource type not opted in —
    /// and the DR region holds nothing, or only a months-old point.
    ///
    /// ## Example
    /// `orders-db` is selected by the `web-daily-dr-copy` plan, but the DR vault `dr-vault`
    /// holds no recovery point of it: RDS was never opted in to AWS Backup in the account.
    ///
    /// ## How to fix
    /// Look at the failed backup and copy jobs of the plan (`aws backup list-copy-jobs
    /// --by-state FAILED`), fix the cause, and alarm on failed copy jobs.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/cross-region-backup.html
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRule.html
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/backup-notifications.html
    pub struct BackupNoRecentDrRecoveryPoint {
        name: "backup-no-recent-dr-recovery-point",
        code: "DR406",
        severity: High,
        group: FilesAndBackups,
        summary: "No completed recovery point of a data store in a DR vault is newer than its backup plan allows",
    }
}

impl Rule for BackupNoRecentDrRecoveryPoint {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let dr = ctx.dr_listed(out, &[ResourceKind::BackupVault], "DR recovery points");
        let primary = ctx.primary_listed(out, STORES, "DR recovery points");
        let relations = ctx.inventory.relations();
        for (app, members) in &ctx.inventory.members().by_app {
            for store in members.primary_data_stores() {
                let coverage = relations.backup_coverage(store.arn, store.tags);
                let (unreadable_plans, coverage) = (coverage.unreadable, coverage.rules);
                // The most generous allowance among the rules that copy the store to DR.
                let allowance = coverage
                    .iter()
                    .filter(|c| c.copies_to_dr)
                    .filter_map(|c| {
                        let gap = ctx.estimates.backup_gap(&c.plan.arn, &c.rule.name)?;
                        let completion =
                            c.rule.completion_window_minutes.unwrap_or(DEFAULT_COMPLETION_WINDOW_MINUTES);
                        Some((c, gap.worst().plus(&Amount::Seconds(crate::time::minutes(completion)))))
                    })
                    .max_by_key(|(_, a)| match a {
                        Amount::Seconds(s) => (0, *s),
                        Amount::Unknown(_) => (1, 0),
                        Amount::Unbounded(_) => (2, 0),
                    });
                let target = ResourceRef::new(store.kind, store.arn, store.id, Some(primary.name));
                let Some((cov, allowance)) = allowance else {
                    // No plan copies it to DR — as far as the plans could be read.
                    if let Some(reason) = unreadable_plans {
                        out.unknown(
                            target,
                            reason,
                            format!("cannot tell which backup plans copy {} to DR", store.id),
                        );
                    }
                    continue;
                };
                let allowance = match allowance {
                    Amount::Seconds(s) => s,
                    Amount::Unknown(reason) => {
                        out.unknown(
                            target,
                            &reason,
                            format!("cannot evaluate the schedule of backup plan {}", cov.plan.name),
                        );
                        continue;
                    }
                    // A schedule that barely runs: any completed point will do.
                    Amount::Unbounded(_) => u64::MAX,
                };
                let unreadable = relations.dr_recovery_points_unreadable();
                let newest = relations
                    .newest_dr_recovery_point(store.arn)
                    .map(|(rp, vault)| (rp.creation_date, vault));
                let limit = crate::time::before(ctx.now, allowance);
                match newest {
                    Some((created, _)) if created >= limit => out.pass(),
                    _ if unreadable.is_some() => {
                        if let Some(reason) = &unreadable {
                            out.unknown(
                                target,
                                reason,
                                format!("cannot list the DR recovery points of {}", store.id),
                            );
                        }
                    }
                    Some((created, vault)) => {
                        let age = crate::time::seconds_between(created, ctx.now);
                        out.fail(
                            target,
                            format!(
                                "the newest DR recovery point of {} (application {app}, vault {vault}) is {} old; plan {} rule {} allows {}",
                                store.id,
                                duration_text(age),
                                cov.plan.name,
                                cov.rule.name,
                                duration_text(allowance)
                            ),
                        )
                        .with("newest_recovery_point", created)
                        .with("age_seconds", age)
                        .with("allowance_seconds", allowance)
                        .with("backup_plan", &cov.plan.name);
                    }
                    None => {
                        out.fail(
                            target,
                            format!(
                                "plan {} rule {} copies {} (application {app}) to {}, but no completed recovery point of it is in a {} vault",
                                cov.plan.name, cov.rule.name, store.id, dr.name, dr.name
                            ),
                        )
                        .with("backup_plan", &cov.plan.name)
                        .with("allowance_seconds", allowance);
                    }
                }
            }
        }
    }
}
