use crate::findings::resource;
use crate::inventory::Known;
use crate::inventory::ResourceKind;
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that automatic backups (the EFS backup policy) are `ENABLED` for every primary
    /// EFS file system.
    ///
    /// ## Why is this bad?
    /// Replication copies deletions and corruption to the DR region within minutes. Automatic
    /// daily backups are the EFS-native way back to yesterday's files, and the default source
    /// for cross-region backup copies.
    ///
    /// ## Example
    /// `fs-0b2c…` (shared configuration) was created with automatic backups turned off.
    ///
    /// ## How to fix
    /// Turn automatic backups on (`aws efs put-backup-policy --backup-policy Status=ENABLED`),
    /// or select the file system in an AWS Backup plan that also copies to the DR region.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/efs/latest/ug/awsbackup.html#automatic-backups
    pub struct EfsBackupDisabled {
        name: "efs-backup-disabled",
        code: "DR403",
        severity: Medium,
        group: FilesAndBackups,
        summary: "A primary EFS file system has automatic backups off",
    }
}

impl Rule for EfsBackupDisabled {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let primary = ctx.primary_listed(out, &[ResourceKind::FileSystem], "backup policies").name;
        for fs in &ctx.inventory.primary.resources.file_systems {
            let target = resource::file_system(fs, primary);
            match &fs.backup_policy {
                Known::Value(status) if status.eq_ignore_ascii_case("ENABLED") => out.pass(),
                Known::Value(status) => {
                    out.fail(
                        target,
                        format!("EFS {} has automatic backups {}", fs.id, status.to_ascii_lowercase()),
                    )
                    .with("backup_policy", status);
                }
                Known::Unknown(reason) => {
                    out.unknown(target, reason, format!("cannot read the backup policy of EFS {}", fs.id));
                }
            }
        }
    }
}
