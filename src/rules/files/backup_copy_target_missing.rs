use crate::findings::resource;
use crate::inventory::{Known, ResourceKind};
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every AWS Backup plan in the primary and DR regions, checks that each copy action's
    /// destination vault exists in its region and account (a central backup account's vaults
    /// are read through `--backup-role-arn`). Destinations in a region or account drscan did
    /// not collect are `unknown`.
    ///
    /// ## Why is this bad?
    /// A copy action to a vault that does not exist fails every time — quietly, as a failed
    /// copy job — while the plan still looks like cross-region protection. The DR region holds
    /// no recovery point when it is needed.
    ///
    /// ## Example
    /// The plan `web-daily-dr-copy` copies to `arn:aws:backup:us-east-1:…:backup-vault:dr-vault`,
    /// but the vault was recreated as `dr-vault-2` by a new stack.
    ///
    /// ## How to fix
    /// Create the vault in the DR region (with a DR KMS key and an access policy allowing the
    /// copy), or point the copy action at the existing one.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/cross-region-backup.html
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/vaults.html
    pub struct BackupCopyTargetMissing {
        name: "backup-copy-target-missing",
        code: "DR404",
        severity: Critical,
        group: FilesAndBackups,
        summary: "A backup plan's copy action targets a vault that does not exist",
    }
}

impl Rule for BackupCopyTargetMissing {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        for view in ctx.regions_listed(out, &[ResourceKind::BackupPlan], "copy destinations") {
            for plan in &view.resources.backup_plans {
                if let Some(reason) = &plan.rules_unknown {
                    // GetBackupPlan failed for this plan: its rules, and so its copy
                    // actions, are not known.
                    let target = resource::backup_plan(plan, view.name);
                    out.unknown(
                        target,
                        reason,
                        format!("cannot read the rules of backup plan {}", plan.name),
                    );
                    continue;
                }
                let mut missing = Vec::new();
                let mut unknown = None;
                let mut checked = 0;
                for rule in &plan.rules {
                    for action in &rule.copy_actions {
                        checked += 1;
                        let arn = action.destination_vault_arn.as_str();
                        match ctx.inventory.backup_vault(arn) {
                            Known::Value(Some(_)) => {}
                            Known::Value(None) => missing.push(format!("{arn} (rule {})", rule.name)),
                            Known::Unknown(reason) => unknown = unknown.or(Some(reason)),
                        }
                    }
                }
                if checked == 0 {
                    continue;
                }
                let target = resource::backup_plan(plan, view.name);
                if !missing.is_empty() {
                    out.fail(
                        target,
                        format!(
                            "backup plan {} copies to vault(s) that do not exist: {}",
                            plan.name,
                            missing.join(", ")
                        ),
                    )
                    .with("missing_vaults", &missing);
                } else if let Some(reason) = unknown {
                    out.unknown(
                        target,
                        &reason,
                        format!("cannot check the copy destinations of backup plan {}", plan.name),
                    );
                } else {
                    out.pass();
                }
            }
        }
    }
}
