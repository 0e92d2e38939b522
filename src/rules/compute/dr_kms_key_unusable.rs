use crate::findings::ResourceRef;
use crate::findings::resource;
use crate::inventory::arn::arn_name;
use crate::inventory::arn::arn_region;
use crate::inventory::dependencies::KmsKey;
use crate::inventory::graph::LaunchResolution;
use crate::inventory::{Known, ResourceKind, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, Side, declare_rule, report_listing_gaps};
use std::collections::{HashMap, HashSet};

declare_rule! {
    /// ## What it does
    /// Collects the KMS keys failover needs in the DR region — the keys of the EBS snapshots of
    /// the AMIs the DR Auto Scaling groups launch and of their launch template volumes, of the
    /// cross-region read replicas and Aurora secondary clusters, of the EFS replication
    /// destinations, and of the DR backup vaults that copy actions target — and checks that
    /// each is a DR-region key that exists and is `Enabled`. AWS managed keys (`alias/aws/…`)
    /// always pass. An AMI's snapshot keys are read from its EBS snapshots (DescribeSnapshots:
    /// DescribeImages never returns them); where they cannot be read, the group is unknown.
    ///
    /// ## Why is this bad?
    /// KMS keys are regional. Data encrypted with a key that is disabled, pending deletion, or
    /// only exists in the primary region cannot be decrypted in DR: instances fail to launch
    /// from encrypted snapshots, a replica cannot be promoted and used, restores fail.
    ///
    /// ## Example
    /// The DR AMI's snapshots are encrypted with `mrk-1a2b…`, whose DR replica key was
    /// scheduled for deletion by a key-rotation script.
    ///
    /// ## How to fix
    /// Use a multi-Region KMS key (or a dedicated DR-region key) for everything failover needs,
    /// re-enable or cancel the deletion of the key, and re-encrypt copies with a DR key when
    /// copying AMIs and backups.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html
    /// - https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html
    /// - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html#ami-copy-encryption
    pub struct DrKmsKeyUnusable {
        name: "dr-kms-key-unusable",
        code: "DR105",
        severity: Critical,
        group: ComputeAndCapacity,
        summary: "A KMS key that failover needs in the DR region is missing, disabled or pending deletion",
    }
}

/// What is wrong with a key reference in the DR region, if anything (shared with the Backup
/// health rule, which judges the DR vaults' keys the same way).
pub(crate) enum KeyState {
    Usable,
    Broken(String),
    Unknown(UnknownReason),
}

/// DR-region KMS keys by ARN, ID and alias.
pub(crate) fn key_index<'s>(ctx: &Context<'_, 's>) -> HashMap<&'s str, &'s KmsKey> {
    let mut index = HashMap::new();
    for key in &ctx.inventory.dr.resources.kms_keys {
        index.insert(key.arn.as_str(), key);
        index.insert(key.id.as_str(), key);
        for alias in &key.aliases {
            index.insert(alias.as_str(), key);
        }
    }
    index
}

pub(crate) fn key_state(ctx: &Context<'_, '_>, keys: &HashMap<&str, &KmsKey>, key: &str) -> KeyState {
    let dr = &ctx.inventory.dr;
    if key.starts_with("alias/aws/") || key.contains(":alias/aws/") {
        return KeyState::Usable;
    }
    if let Some(region) = arn_region(key)
        && region != dr.name
    {
        return KeyState::Broken(format!("key {key} is in {region}; KMS keys are regional"));
    }
    let alias = key.rsplit_once(":alias/").map(|(_, a)| format!("alias/{a}"));
    let found = keys
        .get(key)
        .or_else(|| keys.get(arn_name(key)))
        .or_else(|| alias.as_deref().and_then(|a| keys.get(a)));
    match found {
        Some(k) if k.state == "Enabled" => KeyState::Usable,
        Some(k) => KeyState::Broken(format!("key {} is {}", k.id, k.state)),
        None => match dr.unread(ResourceKind::KmsKey, key) {
            Some(reason) => KeyState::Unknown(reason.clone()),
            None => KeyState::Broken(format!("key {key} does not exist in {}", dr.name)),
        },
    }
}

impl Rule for DrKmsKeyUnusable {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        report_listing_gaps(
            ctx,
            out,
            Side::Dr,
            &[ResourceKind::AutoScalingGroup],
            "the KMS keys DR launches need",
        );
        report_listing_gaps(ctx, out, Side::Dr, &[ResourceKind::DbInstance], "the KMS keys of DR replicas");
        report_listing_gaps(ctx, out, Side::Dr, &[ResourceKind::DbCluster], "the KMS keys of DR clusters");
        let dr = &ctx.inventory.dr;
        let relations = ctx.inventory.relations();
        let key_lookup = key_index(ctx);
        let mut vaults_seen: HashSet<&str> = HashSet::new();
        // (resource that needs the keys, what it is, keys)
        let mut needs: Vec<(ResourceRef, String, Vec<&str>)> = Vec::new();
        let dr_file_systems: HashMap<&str, &crate::inventory::storage::FileSystem> =
            dr.resources.file_systems.iter().map(|f| (f.id.as_str(), f)).collect();
        for asg in &dr.resources.auto_scaling_groups {
            let mut keys: Vec<&str> = Vec::new();
            for reference in asg.launch_template_refs() {
                if let LaunchResolution::Resolved { version, image_id, .. } = dr.resolve_launch(reference) {
                    keys.extend(version.kms_key_ids.iter().map(String::as_str));
                    if let Some(image) = dr.images.get(image_id) {
                        keys.extend(image.kms_key_ids.iter().map(String::as_str));
                        if let Some(reason) = &image.kms_keys_unknown {
                            out.unknown(
                                resource::asg(asg, dr.name),
                                reason,
                                format!(
                                    "cannot read the KMS keys of the snapshots of AMI {image_id} that DR ASG {} launches",
                                    asg.name
                                ),
                            );
                        }
                    }
                }
            }
            if !keys.is_empty() {
                needs.push((resource::asg(asg, dr.name), format!("DR ASG {}", asg.name), keys));
            }
        }
        for db in &dr.resources.db_instances {
            if db.kms_key_id.is_some() && relations.primary_source(db).is_some() {
                needs.push((
                    resource::db_instance(db, dr.name),
                    format!("DR replica {}", db.id),
                    db.kms_key_id.iter().map(String::as_str).collect(),
                ));
            }
        }
        for cluster in dr.resources.db_clusters.iter().filter(|c| c.kms_key_id.is_some()) {
            needs.push((
                resource::db_cluster(cluster, dr.name),
                format!("DR cluster {}", cluster.id),
                cluster.kms_key_id.iter().map(String::as_str).collect(),
            ));
        }
        for fs in &ctx.inventory.primary.resources.file_systems {
            for destination in relations.efs_replication(fs).value().into_iter().flatten() {
                if let Some(copy) = dr_file_systems.get(destination.file_system_id.as_str()).copied()
                    && copy.kms_key_id.is_some()
                {
                    needs.push((
                        resource::file_system(copy, dr.name),
                        format!("EFS replica {} of {}", copy.id, fs.id),
                        copy.kms_key_id.iter().map(String::as_str).collect(),
                    ));
                }
            }
        }
        for plan in &ctx.inventory.primary.resources.backup_plans {
            for action in plan.rules.iter().flat_map(|r| &r.copy_actions) {
                if let Known::Value(Some(vault)) = relations.dr_vault(action)
                    && vault.kms_key_arn.is_some()
                    && vaults_seen.insert(vault.arn.as_str())
                {
                    needs.push((
                        resource::backup_vault(vault, dr.name),
                        format!("DR backup vault {}", vault.name),
                        vault.kms_key_arn.iter().map(String::as_str).collect(),
                    ));
                }
            }
        }

        for (target, what, keys) in needs {
            if keys.is_empty() {
                continue;
            }
            let mut broken = Vec::new();
            let mut unknown = None;
            for key in &keys {
                match key_state(ctx, &key_lookup, key) {
                    KeyState::Usable => {}
                    KeyState::Broken(why) => broken.push(why),
                    KeyState::Unknown(reason) => unknown = unknown.or(Some(reason)),
                }
            }
            if !broken.is_empty() {
                out.fail(
                    target,
                    format!("{what} needs a KMS key that is unusable in {}: {}", dr.name, broken.join("; ")),
                )
                .with("kms_keys", &keys)
                .with("problems", &broken);
            } else if let Some(reason) = unknown {
                out.unknown(target, &reason, format!("cannot check the KMS keys {what} needs"));
            } else {
                out.pass();
            }
        }
    }
}
