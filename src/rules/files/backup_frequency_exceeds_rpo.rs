use crate::estimate::{Amount, duration_text};
use crate::findings::ResourceRef;
use crate::inventory::ResourceKind;
use crate::inventory::members::DATA_STORE_KINDS as STORES;
use crate::rules::{Context, Rule, RuleOutput, Side, declare_rule, report_listing_gaps};

declare_rule! {
    /// ## What it does
    /// For every primary data store of an application (RDS instance, Aurora cluster, EFS file
    /// system) that an AWS Backup plan selects, computes the worst gap of the plan rule that
    /// protects it best — preferring rules that copy to the DR region: the largest gap between
    /// consecutive runs of its `cron(...)` (or `rate(...)`) schedule over the next year,
    /// evaluated in the rule's timezone (daylight-saving shifts included), plus its start
    /// window (`StartWindowMinutes`, AWS Backup's default 8 h when unset). It fails when that
    /// exceeds the threshold: `backup_gap_threshold` if configured, else the RPO target, else
    /// 36 h. An expression drscan cannot parse is `unknown`.
    ///
    /// ## Why is this bad?
    /// For a store protected only by backups, the worst gap is the data you lose when the
    /// region fails just before the next backup starts. A daily schedule cannot meet a
    /// 15-minute RPO, however reliably it runs.
    ///
    /// ## Example
    /// `cron(0 3 * * ? *)` in Asia/Kolkata with a 60 min start window: worst gap 25 h, against
    /// an RPO target of 30 s.
    ///
    /// ## How to fix
    /// Schedule backups as often as the RPO requires (AWS Backup supports hourly schedules and
    /// continuous backup for RDS), shorten the start window, or protect the store with
    /// replication instead (EFS replication, read replicas).
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/creating-a-backup-plan.html
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRule.html
    /// - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
    pub struct BackupFrequencyExceedsRpo {
        name: "backup-frequency-exceeds-rpo",
        code: "DR405",
        severity: High,
        group: FilesAndBackups,
        summary: "The worst gap of the backup schedule protecting a data store exceeds the RPO target",
    }
}

impl Rule for BackupFrequencyExceedsRpo {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        report_listing_gaps(ctx, out, Side::Primary, &[ResourceKind::BackupPlan], "backup schedules");
        let primary = ctx.primary_listed(out, STORES, "backup schedules");
        let (threshold, threshold_source) = ctx.settings.backup_gap_threshold();
        let relations = ctx.inventory.relations();
        for (app, members) in &ctx.inventory.members().by_app {
            for store in members.primary_data_stores() {
                let target = ResourceRef::new(store.kind, store.arn, store.id, Some(primary.name));
                let coverage = relations.backup_coverage(store.arn, store.tags);
                let (missing, coverage) = (coverage.unreadable, coverage.rules);
                let to_dr = coverage.iter().any(|c| c.copies_to_dr);
                let best = coverage
                    .iter()
                    .filter(|c| c.copies_to_dr || !to_dr)
                    .filter_map(|c| ctx.estimates.backup_gap(&c.plan.arn, &c.rule.name).map(|g| (c, g)))
                    .min_by_key(|(_, g)| match g.worst() {
                        Amount::Seconds(s) => (0, s),
                        Amount::Unknown(_) => (1, 0),
                        Amount::Unbounded(_) => (2, 0),
                    });
                let Some((cov, gap)) = best else {
                    if let Some(reason) = missing {
                        out.unknown(
                            target,
                            reason,
                            format!("cannot tell which backup plans protect {}", store.id),
                        );
                    }
                    continue;
                };
                match gap.worst() {
                    Amount::Seconds(worst) if worst <= threshold => out.pass(),
                    Amount::Unknown(reason) => {
                        out.unknown(
                            target,
                            &reason,
                            format!(
                                "cannot evaluate the schedule of backup plan {} rule {}",
                                cov.plan.name, cov.rule.name
                            ),
                        );
                    }
                    worst => {
                        out.fail(
                            target,
                            format!(
                                "{} of application {app} is backed up by plan {} rule {} with a worst gap of {} ({}), above {} ({threshold_source})",
                                store.id,
                                cov.plan.name,
                                cov.rule.name,
                                worst.text(),
                                gap.describe(),
                                duration_text(threshold)
                            ),
                        )
                        .with("backup_plan", &cov.plan.name)
                        .with("rule", &cov.rule.name)
                        .with("schedule_expression", &gap.expression)
                        .with("timezone", &gap.timezone)
                        .with("worst_gap_seconds", worst.seconds())
                        .with("start_window_seconds", gap.start_window_seconds)
                        .with("threshold_seconds", threshold)
                        .with("copies_to_dr", cov.copies_to_dr);
                    }
                }
            }
        }
    }
}
