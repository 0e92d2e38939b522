use crate::findings::resource;
use crate::inventory::storage::{BackupSelection, FileSystem};
use crate::inventory::{Known, ResourceKind, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, Side, declare_rule, report_listing_gaps};
use std::collections::HashMap;

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
        let primary = &ctx.inventory.primary;
        let dr = ctx.inventory.dr.name;
        report_listing_gaps(
            ctx,
            out,
            Side::Primary,
            &[ResourceKind::FileSystem],
            "file systems for a DR copy",
        );
        let copies = DrCopySelections::new(ctx);
        for fs in &primary.resources.file_systems {
            let mut missing: Option<UnknownReason> = None;
            let replicated = match &fs.replication {
                Known::Value(destinations) => {
                    destinations.iter().any(|d| d.region == dr && d.status == "ENABLED")
                }
                Known::Unknown(reason) => {
                    missing = Some(reason.clone());
                    false
                }
            };
            if replicated {
                out.pass();
                continue;
            }
            match copies.plan_for(fs) {
                Ok(Some(_plan)) => {
                    out.pass();
                    continue;
                }
                Ok(None) => {}
                Err(reason) => missing = missing.or(Some(reason)),
            }
            let target = resource::file_system(fs, primary.name);
            match missing {
                Some(reason) => {
                    out.unknown(target, &reason, format!("cannot tell whether EFS {} reaches {dr}", fs.id));
                }
                None => {
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

/// The backup selections of plans that copy to the DR region, indexed once per audit: plain
/// `ListOfTags` StringEquals selections (the common case) by tag, the rest in a list, so each
/// file system costs a few lookups rather than a scan of every plan.
struct DrCopySelections<'s> {
    by_tag: HashMap<(&'s str, &'s str), &'s str>,
    general: Vec<(&'s str, &'s BackupSelection)>,
    /// Why some plan (or the plan list) could not be read, if so.
    missing: Option<UnknownReason>,
}

impl<'s> DrCopySelections<'s> {
    fn new(ctx: &Context<'_, 's>) -> Self {
        let primary = &ctx.inventory.primary;
        let dr = ctx.inventory.dr.name;
        let mut index = DrCopySelections {
            by_tag: HashMap::new(),
            general: Vec::new(),
            missing: primary.gap(ResourceKind::BackupPlan).cloned(),
        };
        for plan in &primary.resources.backup_plans {
            let copies_to_dr = plan
                .rules
                .iter()
                .any(|rule| rule.copy_actions.iter().any(|c| c.destination_region() == Some(dr)));
            if !copies_to_dr {
                continue;
            }
            let selections = match &plan.selections {
                Known::Value(selections) => selections,
                Known::Unknown(reason) => {
                    index.missing = index.missing.take().or(Some(reason.clone()));
                    continue;
                }
            };
            for selection in selections {
                let plain_tags = selection.resources.is_empty()
                    && selection.not_resources.is_empty()
                    && selection.conditions.is_empty()
                    && selection.list_of_tags.iter().all(|c| c.operator.eq_ignore_ascii_case("StringEquals"));
                if plain_tags {
                    for condition in &selection.list_of_tags {
                        let key = condition.key.strip_prefix("aws:ResourceTag/").unwrap_or(&condition.key);
                        index.by_tag.entry((key, condition.value.as_str())).or_insert(plan.name.as_str());
                    }
                } else {
                    index.general.push((plan.name.as_str(), selection));
                }
            }
        }
        index
    }

    /// The plan that copies this file system to the DR region: `Ok(None)` when no plan does,
    /// `Err` when some plan could not be read and none that could covers it.
    fn plan_for(&self, fs: &FileSystem) -> Result<Option<&'s str>, UnknownReason> {
        let by_tag = fs.tags.iter().find_map(|(k, v)| self.by_tag.get(&(k.as_str(), v.as_str())).copied());
        if let Some(plan) = by_tag
            .or_else(|| self.general.iter().find(|(_, s)| s.selects(&fs.arn, &fs.tags)).map(|(p, _)| *p))
        {
            return Ok(Some(plan));
        }
        match &self.missing {
            Some(reason) => Err(reason.clone()),
            None => Ok(None),
        }
    }
}
