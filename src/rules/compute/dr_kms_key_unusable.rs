use crate::findings::ResourceRef;
use crate::findings::resource;
use crate::inventory::arn::arn_name;
use crate::inventory::arn::{arn_account, arn_region};
use crate::inventory::dependencies::KmsKey;
use crate::inventory::graph::LaunchResolution;
use crate::inventory::{ErrorCause, Known, ResourceKind, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, Side, declare_rule, report_listing_gaps};
use std::collections::{HashMap, HashSet};

declare_rule! {
    /// ## What it does
    /// Collects the KMS keys failover needs in the DR region — the keys of the EBS snapshots of
    /// the AMIs the DR Auto Scaling groups launch and of their launch template volumes, of the
    /// cross-region read replicas and Aurora secondary clusters, of the EFS replication
    /// destinations, and of the DR backup vaults that copy actions target — and checks that
    /// each is a DR-region key that exists and is `Enabled`. AWS managed keys (`alias/aws/…`)
    /// pass in their own account. A key of another account than the resource that needs it
    /// (an AMI shared from the primary account into a recovery account, say) fails when it is
    /// an AWS managed key — those cannot be shared — and is `unknown` otherwise, since its key
    /// policy and grants decide, and drscan does not read them; a key of an account drscan did
    /// not collect is `unknown`, naming the account. An AMI's snapshot keys are read from its EBS snapshots (DescribeSnapshots:
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

/// The state of `key` for `user`, the account of the resource that needs it (a DR group, a
/// replica, a vault). A key of another account is usable only through that account's key
/// policy and grants, which drscan does not read: enabled, it is `unknown`, not a pass; an AWS
/// managed key of another account can never be used (AWS managed keys cannot be shared, so
/// neither can what they encrypt).
pub(crate) fn key_state(
    ctx: &Context<'_, '_>,
    keys: &HashMap<&str, &KmsKey>,
    key: &str,
    user: Option<&str>,
) -> KeyState {
    let dr = &ctx.inventory.dr;
    let owner = arn_account(key).filter(|owner| user.is_some_and(|user| user != *owner));
    let aws_managed = |name: &str| name.starts_with("alias/aws/") || name.contains(":alias/aws/");
    if aws_managed(key) {
        return match owner {
            None => KeyState::Usable,
            Some(owner) => KeyState::Broken(shared_aws_managed(key, owner)),
        };
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
    match (found, owner) {
        (Some(k), _) if k.state != "Enabled" => KeyState::Broken(format!("key {} is {}", k.id, k.state)),
        (Some(k), Some(owner)) if k.aliases.iter().any(|a| aws_managed(a)) => {
            KeyState::Broken(shared_aws_managed(&k.arn, owner))
        }
        (Some(_), None) => KeyState::Usable,
        (Some(k), Some(owner)) => KeyState::Unknown(UnknownReason::new(
            "kms key policy",
            ErrorCause::Unresolvable,
            format!(
                "key {} belongs to account {owner}, not to the account that uses it; whether that account may decrypt with it is up to the key policy and grants, which drscan does not read",
                k.id
            ),
        )),
        (None, _) => {
            // drscan lists the DR region's keys of the DR side's account only (a backup
            // account's vaults are read on their own, not its keys): a key of any other account
            // that is not in the listing is not known to be missing.
            let snapshot = ctx.inventory.snapshot;
            let dr_account = snapshot.account_of(crate::inventory::Side::Dr);
            match arn_account(key).or(user).filter(|account| *account != dr_account) {
                Some(account) => KeyState::Unknown(snapshot.account_unread(account).unwrap_or_else(|| {
                    UnknownReason::new(
                        "kms:ListKeys",
                        ErrorCause::NotRead,
                        format!(
                            "drscan lists the KMS keys of the DR side's account only, and key {key} is in account {account}"
                        ),
                    )
                })),
                None => match dr.unread(ResourceKind::KmsKey, key) {
                    Some(reason) => KeyState::Unknown(reason.clone()),
                    None => KeyState::Broken(format!("key {key} does not exist in {}", dr.name)),
                },
            }
        }
    }
}

fn shared_aws_managed(key: &str, owner: &str) -> String {
    format!(
        "key {key} is an AWS managed key of account {owner}; AWS managed keys cannot be shared, so another account cannot use what they encrypt"
    )
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
                match key_state(ctx, &key_lookup, key, arn_account(&target.arn)) {
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
