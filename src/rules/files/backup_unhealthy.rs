use crate::estimate::duration_text;
use crate::findings::{ResourceRef, resource};
use crate::inventory::members::DATA_STORE_KINDS as STORES;
use crate::inventory::storage::{BackupVault, Denial, denial};
use crate::inventory::{ErrorCause, Known, ResourceKind, UnknownReason};
use crate::rules::compute::{KeyState, key_index, key_state};
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every primary data store of an application that a backup plan rule copies (or
    /// would copy) to the DR region, checks what keeps those copies from happening or from
    /// being restorable:
    /// - a copy job of the store to a DR-region vault failed (`ListCopyJobs` by state `FAILED`,
    ///   the last 14 days) and no usable DR recovery point was created since — the copies are
    ///   failing now, however recent the last good one;
    /// - the store's resource type is not opted in to AWS Backup in the primary region while
    ///   the selection picks it through tags or "all resources" (`DescribeRegionSettings`:
    ///   AWS Backup then skips it; Aurora, DocumentDB and Neptune need the opt-in even when
    ///   named explicitly);
    /// - the DR vault's AWS Backup Vault Lock refuses the copy rule's retention (copies kept
    ///   fewer days than its minimum, or more days — or forever — than its maximum): AWS Backup
    ///   then fails every copy job into it, whichever account holds the vault;
    /// - a DR vault that the copies target has an access policy that denies
    ///   `backup:StartRestoreJob` or `backup:CopyIntoBackupVault` to everyone, or a KMS key
    ///   that is missing, disabled or pending deletion in the DR region (as
    ///   `dr-kms-key-unusable` judges keys).
    ///
    /// A failure that a later recovery point superseded passes. What cannot be read (copy jobs,
    /// region settings, the vault policy), a resource type drscan does not know, and a `Deny`
    /// with conditions or for named principals (which drscan does not evaluate) are `unknown`.
    ///
    /// ## Why is this bad?
    /// Copy jobs fail silently: `backup-no-recent-dr-recovery-point` only notices once no
    /// point has arrived for the plan's worst gap plus its completion window (a week by
    /// default), and until then the DR vault holds an ever older point. A resource type that
    /// is not opted in is never backed up at all, and a vault policy that denies the restore
    /// turns the DR copies into data nobody can use during the outage.
    ///
    /// ## Example
    /// The daily copy of `fs-0abc` to `web-dr` in us-east-1 has failed since yesterday with
    /// "Access denied to KMS key"; the DR vault still holds the point of two days ago, so the
    /// recovery-point rule passes while every new copy fails.
    ///
    /// ## How to fix
    /// Read the failed jobs (`aws backup list-copy-jobs --by-state FAILED`) and fix their cause
    /// (the KMS key policy of the DR vault's key, the vault access policy, the IAM role); opt
    /// the resource type in (`aws backup update-region-settings`); set the copy rule's
    /// lifecycle within the DR vault lock's retention range; remove the `Deny` of restores from
    /// the DR vault's access policy; alarm on failed copy jobs.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListCopyJobs.html
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/API_DescribeRegionSettings.html
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/create-a-vault-access-policy.html
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/backup-notifications.html
    pub struct BackupUnhealthy {
        name: "backup-unhealthy",
        code: "DR409",
        severity: High,
        group: FilesAndBackups,
        summary: "AWS Backup copies to the DR region are failing, skipped for opt-in, or not restorable from the DR vault",
    }
}

/// The vault actions failover needs: copies landing in the DR vault, and restoring from it.
const VAULT_ACTIONS: [&str; 2] = ["backup:StartRestoreJob", "backup:CopyIntoBackupVault"];

/// What one check found: problems that fail, else the first reason it cannot tell.
#[derive(Default)]
struct Verdict {
    problems: Vec<String>,
    unknown: Option<(UnknownReason, String)>,
}

impl Verdict {
    fn unknown(&mut self, reason: UnknownReason, message: String) {
        self.unknown.get_or_insert((reason, message));
    }

    fn report(self, out: &mut RuleOutput, target: ResourceRef, what: &str) {
        if !self.problems.is_empty() {
            out.fail(target, format!("{what}: {}", self.problems.join("; ")))
                .with("problems", &self.problems);
        } else if let Some((reason, message)) = self.unknown {
            out.unknown(target, &reason, message);
        } else {
            out.pass();
        }
    }
}

impl Rule for BackupUnhealthy {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let primary = ctx.primary_listed(out, STORES, "backup health");
        let dr = &ctx.inventory.dr;
        let relations = ctx.inventory.relations();
        let mut vaults: Vec<&BackupVault> = Vec::new();
        // DR vaults that copies target but the DR vault listing could not show.
        let mut unlisted: Vec<(&str, UnknownReason)> = Vec::new();
        for (app, members) in &ctx.inventory.members().by_app {
            for store in members.primary_data_stores() {
                let coverage = relations.backup_coverage(store.arn, store.tags);
                let copying: Vec<_> = coverage.rules.iter().filter(|c| c.copies_to_dr).collect();
                let skipped = coverage.not_opted_in.iter().find(|c| c.copies_to_dr);
                if copying.is_empty() && skipped.is_none() {
                    // No plan copies it to DR — as far as the plans could be read.
                    if let Some(reason) = coverage.unreadable {
                        let target = ResourceRef::new(store.kind, store.arn, store.id, Some(primary.name));
                        out.unknown(
                            target,
                            reason,
                            format!("cannot tell which backup plans copy {} to DR", store.id),
                        );
                    }
                    continue;
                }
                let mut verdict = Verdict::default();
                let resource_type = coverage.resource_type;

                // The opt-in: only when no rule that copies to DR picks the store without it.
                if let Some(cov) = skipped.filter(|_| copying.iter().all(|c| c.needs_opt_in)) {
                    verdict.problems.push(format!(
                        "resource type {} is not opted in to AWS Backup in {}, so plan {} (selection {}) never backs it up",
                        resource_type.unwrap_or("?"),
                        primary.name,
                        cov.plan.name,
                        cov.selection.name
                    ));
                } else if !copying.is_empty() && copying.iter().all(|c| c.needs_opt_in) {
                    match resource_type.map(|t| (t, relations.primary_opt_in(t))) {
                        Some((_, Known::Value(Some(_)))) => {}
                        Some((t, Known::Value(None))) => verdict.unknown(
                            UnknownReason::new(
                                "backup:DescribeRegionSettings",
                                ErrorCause::NotFound,
                                format!("the region settings of {} do not name {t}", primary.name),
                            ),
                            format!("cannot tell whether {t} is opted in for {}", store.id),
                        ),
                        Some((t, Known::Unknown(reason))) => verdict
                            .unknown(reason, format!("cannot tell whether {t} is opted in for {}", store.id)),
                        None => verdict.unknown(
                            UnknownReason::new(
                                "AWS Backup resource type",
                                ErrorCause::Unresolvable,
                                format!("drscan does not know AWS Backup's resource type of {}", store.arn),
                            ),
                            format!("cannot tell whether {} is opted in to AWS Backup", store.id),
                        ),
                    }
                }

                // Failed copies that no later recovery point superseded.
                if let Some(job) = relations.failing_dr_copy(store.arn) {
                    let newest = match relations.newest_dr_recovery_point(store.arn) {
                        Some((rp, vault)) => format!(
                            "the newest DR recovery point (vault {vault}) is {} old",
                            duration_text(crate::time::seconds_between(rp.creation_date, ctx.now))
                        ),
                        None => "no DR recovery point of it exists".to_string(),
                    };
                    let why = job.status_message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default();
                    verdict.problems.push(format!(
                        "copy job {} to {} failed {} ago{why} and no DR recovery point was created since: {newest}",
                        job.id,
                        crate::inventory::arn::arn_name(&job.destination_vault_arn),
                        duration_text(crate::time::seconds_between(job.creation_date, ctx.now)),
                    ));
                } else if let Some(reason) = relations.copy_jobs_unreadable() {
                    verdict.unknown(
                        reason.clone(),
                        format!("cannot list the failed copy jobs of {} to {}", store.id, dr.name),
                    );
                }

                for cov in &copying {
                    for action in
                        cov.rule.copy_actions.iter().filter(|a| a.destination_region() == Some(dr.name))
                    {
                        match relations.dr_vault(action) {
                            Known::Value(Some(vault)) => {
                                if let Some(why) = vault
                                    .lock
                                    .as_ref()
                                    .and_then(|lock| lock.refuses(action.delete_after_days))
                                {
                                    verdict.problems.push(format!(
                                        "AWS Backup fails every copy of plan {} rule {} into vault {}: {why}",
                                        cov.plan.name, cov.rule.name, vault.name
                                    ));
                                }
                                if !vaults.iter().any(|v| v.arn == vault.arn) {
                                    vaults.push(vault);
                                }
                            }
                            // A missing vault is backup-copy-target-missing's finding.
                            Known::Value(None) => {}
                            Known::Unknown(reason) => {
                                let arn = action.destination_vault_arn.as_str();
                                if !unlisted.iter().any(|(a, _)| *a == arn) {
                                    unlisted.push((arn, reason));
                                }
                            }
                        }
                    }
                }
                let target = ResourceRef::new(store.kind, store.arn, store.id, Some(primary.name));
                verdict.report(
                    out,
                    target,
                    &format!("AWS Backup copies of {} (application {app}) to {}", store.id, dr.name),
                );
            }
        }

        for (arn, reason) in unlisted {
            let name = crate::inventory::arn::arn_name(arn);
            let target = ResourceRef::new(ResourceKind::BackupVault, arn, name, Some(dr.name));
            out.unknown(target, &reason, format!("cannot check DR backup vault {name}"));
        }
        let keys = key_index(ctx);
        for vault in vaults {
            let mut verdict = Verdict::default();
            match &vault.access_policy {
                None => verdict.unknown(
                    UnknownReason::new(
                        "backup:GetBackupVaultAccessPolicy",
                        ErrorCause::NotRead,
                        "the snapshot holds no access policy for the vault",
                    ),
                    format!("cannot read the access policy of DR vault {}", vault.name),
                ),
                Some(Known::Unknown(reason)) => verdict.unknown(
                    reason.clone(),
                    format!("cannot read the access policy of DR vault {}", vault.name),
                ),
                Some(Known::Value(statements)) => {
                    for action in VAULT_ACTIONS {
                        match denial(statements, action) {
                            Denial::No => {}
                            Denial::Denied(s) => verdict.problems.push(format!(
                                "its access policy denies {action} to everyone{}",
                                s.sid.as_deref().map(|sid| format!(" (statement {sid})")).unwrap_or_default()
                            )),
                            Denial::Maybe(s) => verdict.unknown(
                                UnknownReason::new(
                                    "vault access policy",
                                    ErrorCause::Unresolvable,
                                    format!(
                                        "a Deny of {action}{} applies to named principals or under conditions, which drscan does not evaluate",
                                        s.sid.as_deref().map(|sid| format!(" (statement {sid})")).unwrap_or_default()
                                    ),
                                ),
                                format!("cannot tell whether DR vault {} allows {action}", vault.name),
                            ),
                        }
                    }
                }
            }
            if let Some(key) = &vault.kms_key_arn {
                match key_state(ctx, &keys, key, crate::inventory::arn::arn_account(&vault.arn)) {
                    KeyState::Usable => {}
                    KeyState::Broken(why) => verdict.problems.push(format!("its KMS key is unusable: {why}")),
                    KeyState::Unknown(reason) => verdict
                        .unknown(reason, format!("cannot check the KMS key of DR vault {}", vault.name)),
                }
            }
            verdict.report(
                out,
                resource::backup_vault(vault, dr.name),
                &format!("DR backup vault {}", vault.name),
            );
        }
    }
}
