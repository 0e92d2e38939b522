use crate::findings::resource;
use crate::inventory::{Known, ResourceKind};
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every EFS file system in the primary region, checks that a copy reaches the DR
    /// region: either EFS replication to a destination in the DR region whose status is
    /// `ENABLED`, or an AWS Backup plan that selects the file system (by resource ARN pattern,
    /// `NotResources`, `ListOfTags` or `Conditions`) and whose rule copies recovery points to a
    /// vault in the DR region.
    ///
    /// ## Why is this bad?
    /// EFS is regional. Without replication or cross-region backup copies, the application's
    /// files (uploads, shared configuration, user content) are lost with the primary region,
    /// even when compute and database fail over perfectly.
    ///
    /// ## Example
    /// `fs-0123` holds user uploads in ap-south-1; it has a daily backup into the ap-south-1
    /// vault, but the plan has no copy action to us-east-1 and no replication is configured.
    ///
    /// ## How to fix
    /// Enable EFS replication to the DR region (`aws efs create-replication-configuration`),
    /// or add a copy action to a DR-region vault in the backup plan that selects the file
    /// system.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/efs/latest/ug/efs-replication.html
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/cross-region-backup.html
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html
    pub struct EfsNoDrCopy {
        name: "efs-no-dr-copy",
        code: "DR401",
        severity: Critical,
        group: FilesAndBackups,
        summary: "A primary EFS file system is neither replicated nor backed up to the DR region",
    }
}

impl Rule for EfsNoDrCopy {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let dr = ctx.inventory.dr.name;
        let relations = ctx.inventory.relations();
        let primary = ctx.primary_listed(out, &[ResourceKind::FileSystem], "file systems for a DR copy");
        for fs in &primary.resources.file_systems {
            let protection = relations.efs_protection(fs);
            let target = resource::file_system(fs, primary.name);
            match protection.copy() {
                Known::Value(Some(_)) => out.pass(),
                Known::Unknown(reason) => {
                    out.unknown(target, &reason, format!("cannot tell whether EFS {} reaches {dr}", fs.id));
                }
                Known::Value(None) => {
                    let inactive: Vec<String> = fs
                        .replication
                        .value()
                        .into_iter()
                        .flatten()
                        .map(|d| format!("{} in {} ({})", d.file_system_id, d.region, d.status))
                        .collect();
                    out.fail(
                        target,
                        format!(
                            "EFS {} is neither replicated to {dr} nor copied there by a backup plan",
                            fs.id
                        ),
                    )
                    .with("replication_destinations", inactive)
                    .with("name", &fs.name);
                }
            }
        }
    }
}
