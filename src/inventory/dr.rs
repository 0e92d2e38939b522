//! DR relations: for every primary resource, its DR counterparts and how each was matched — the
//! one answer to "what is the DR copy of X?" that the rules, the estimate, the report and the
//! drift all read, so that they cannot disagree.
//!
//! | primary resource | DR counterpart | matched by |
//! |---|---|---|
//! | AMI | copies in the DR region | `SourceImageId` + `SourceImageRegion`, the pairing tag, the name |
//! | DB instance | read replicas in the DR region | replica lists and replica sources, through same-region replica chains |
//! | Aurora cluster | global-database secondary (headless or not), else a replica cluster | global cluster membership, replication source |
//! | EFS file system | replication destination, backup copies | replication configuration, backup selections |
//! | data store | backup copies: plan rule → copy action → DR vault | backup selections and copy actions |
//! | S3 bucket | replication destinations (the DR bucket and its incoming metrics) | replication rules, bucket listings |
//! | DynamoDB table | the global table's replica in the DR region | DescribeTable `Replicas` |
//! | Secrets Manager secret | its replica in the DR region | DescribeSecret `ReplicationStatus`, the replica's ARN |
//! | Auto Scaling group | DR Auto Scaling groups of its tier | the ASG pairing tag, the name, the launch template lineage, else the application's only groups |
//! | failover record | load balancer → target groups → Auto Scaling groups | alias or CNAME resolution |
//!
//! [`DrIndex`] holds the indexes, built once per audit with the graph; [`DrRelations`] answers
//! through them and the graph's region views. An answer is `unknown` when nothing was found
//! and a listing it depends on is incomplete; a found counterpart says how it was matched.

use super::arn::{arn_name, arn_region};
use super::compute::{AutoScalingGroup, Image, ImageState};
use super::database::{ClusterFamily, DbCluster, DbInstance, GlobalCluster, Table, TableReplica};
use super::dependencies::{Secret, SecretReplica};
use super::dns::{HostedZone, RecordSet};
use super::graph::{AliasResolution, Inventory, LaunchResolution, RegionView};
use super::load_balancing::{LoadBalancer, TargetGroup};
use super::matching::Matching;
use super::storage::{
    BackupPlan, BackupRule, BackupSelection, BackupVault, Bucket, BucketReplicationRule, CopyAction, CopyJob,
    FileSystem, IncomingReplication, Pick, RecoveryPoint, ReplicationDestination, TagCondition,
    always_needs_opt_in,
};
use super::{Known, ResourceKind, Tags, UnknownReason};
use std::collections::{HashMap, HashSet};

/// How a DR AMI is recognised as a copy of a primary AMI, strongest evidence first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AmiMatch {
    /// `SourceImageId` + `SourceImageRegion`, which AWS sets on CopyImage results.
    SourceImageId,
    /// The pairing tag: the same value on both AMIs, or the primary AMI's ID on the copy.
    PairingTag,
    /// An identical, non-empty AMI name.
    Name,
}

impl AmiMatch {
    /// The label used in evidence (`matched_by`).
    pub fn as_str(self) -> &'static str {
        match self {
            AmiMatch::SourceImageId => "source-image-id",
            AmiMatch::PairingTag => "tag",
            AmiMatch::Name => "name",
        }
    }

    /// Whether `copy` is a copy of `source` (an AMI of `source_region`), and by what evidence.
    /// The index below only narrows the candidates; this is the definition.
    pub fn between(copy: &Image, source: &Image, source_region: &str, pairing_tag: &str) -> Option<AmiMatch> {
        if copy.source_image_id.as_deref() == Some(source.id.as_str())
            && copy.source_image_region.as_deref() == Some(source_region)
        {
            return Some(AmiMatch::SourceImageId);
        }
        if let Some(value) = copy.tags.get(pairing_tag)
            && (*value == source.id || source.tags.get(pairing_tag) == Some(value))
        {
            return Some(AmiMatch::PairingTag);
        }
        (!source.name.is_empty() && copy.name == source.name).then_some(AmiMatch::Name)
    }
}

/// A DR-region AMI recognised as a copy of a primary AMI.
#[derive(Debug, Clone, Copy)]
pub struct AmiCopy<'s> {
    pub image: &'s Image,
    pub matched_by: AmiMatch,
}

impl AmiCopy<'_> {
    /// A copy the DR tier can launch: `available`, or `pending` while the copy completes.
    pub fn usable(&self) -> bool {
        matches!(self.image.state, ImageState::Available | ImageState::Pending)
    }
}

/// How a DR read replica was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaMatch {
    /// The source, or a same-region replica in its chain, lists it (`ReadReplicaDBInstanceIdentifiers`).
    ReplicaList,
    /// It names the source, or a same-region replica in its chain, as its own source
    /// (`ReadReplicaSourceDBInstanceIdentifier`), though the source's list does not show it.
    SourceLink,
}

impl ReplicaMatch {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplicaMatch::ReplicaList => "read-replica-ids",
            ReplicaMatch::SourceLink => "read-replica-source",
        }
    }
}

/// A DR-region read replica of a primary DB instance.
#[derive(Debug, Clone)]
pub struct DbReplica<'s> {
    pub arn: &'s str,
    /// The DR listing's view of the replica; `None` when the source lists a replica in the DR
    /// region that the DR listing does not show.
    pub instance: Option<&'s DbInstance>,
    /// Identifiers of the same-region replicas between the primary and this replica, nearest first.
    pub via: Vec<&'s str>,
    pub matched_by: ReplicaMatch,
}

impl<'s> DbReplica<'s> {
    pub fn id(&self) -> &'s str {
        self.instance.map(|i| i.id.as_str()).unwrap_or_else(|| arn_name(self.arn))
    }
}

/// The DR copy of a primary Aurora cluster.
#[derive(Debug, Clone, Copy)]
pub enum AuroraCopy<'s> {
    /// The DR member of the global database the cluster belongs to; `cluster` is the DR
    /// listing's view of it (`None` when the DR cluster listing does not show it).
    GlobalSecondary { global: &'s GlobalCluster, arn: &'s str, cluster: Option<&'s DbCluster> },
    /// A cross-region replica cluster whose replication source is the cluster.
    ReplicaCluster(&'s DbCluster),
}

impl<'s> AuroraCopy<'s> {
    pub fn arn(&self) -> &'s str {
        match self {
            AuroraCopy::GlobalSecondary { arn, .. } => arn,
            AuroraCopy::ReplicaCluster(cluster) => &cluster.arn,
        }
    }

    pub fn id(&self) -> &'s str {
        match self {
            AuroraCopy::GlobalSecondary { cluster: Some(cluster), .. }
            | AuroraCopy::ReplicaCluster(cluster) => &cluster.id,
            AuroraCopy::GlobalSecondary { arn, cluster: None, .. } => arn_name(arn),
        }
    }

    /// The DR listing's view of the copy, when it shows it.
    pub fn cluster(&self) -> Option<&'s DbCluster> {
        match self {
            AuroraCopy::GlobalSecondary { cluster, .. } => *cluster,
            AuroraCopy::ReplicaCluster(cluster) => Some(cluster),
        }
    }

    /// A global secondary without DB instances: failover must first create one.
    pub fn headless(&self) -> bool {
        matches!(self, AuroraCopy::GlobalSecondary { cluster: Some(c), .. } if c.members.is_empty())
    }

    pub fn matched_by(&self) -> &'static str {
        match self {
            AuroraCopy::GlobalSecondary { .. } => "global-database",
            AuroraCopy::ReplicaCluster(_) => "replication-source",
        }
    }
}

/// A backup plan rule whose selections pick a resource, and whether it copies to the DR region.
#[derive(Debug, Clone, Copy)]
pub struct BackupCoverage<'s> {
    pub plan: &'s BackupPlan,
    pub rule: &'s BackupRule,
    pub copies_to_dr: bool,
    /// The plan's selection that picks the resource (the one that needs no opt-in, if any).
    pub selection: &'s BackupSelection,
    /// Whether AWS Backup protects the resource through this selection only if its resource
    /// type is opted in for the region (see [`Pick`]).
    pub needs_opt_in: bool,
}

/// Every backup plan rule that picks a resource, and why the answer may be incomplete.
#[derive(Debug)]
pub struct Coverage<'a, 's> {
    pub rules: Vec<BackupCoverage<'s>>,
    /// Why some plan's selections (or the plan listing) could not be read.
    pub unreadable: Option<&'a UnknownReason>,
    /// Rules whose selections pick the resource only subject to opt-in while the region has
    /// its resource type not opted in: AWS Backup skips the resource, so they do not cover it.
    pub not_opted_in: Vec<BackupCoverage<'s>>,
    /// AWS Backup's name for the resource's type (`EFS`, `RDS`, `Aurora`, …), when drscan knows it.
    pub resource_type: Option<&'static str>,
}

/// A DR backup copy of a data store: a plan rule that selects it and a copy action to a
/// DR-region vault.
#[derive(Debug, Clone)]
pub struct BackupCopy<'s> {
    pub plan: &'s BackupPlan,
    pub rule: &'s BackupRule,
    pub action: &'s CopyAction,
    /// The destination vault in the DR listing (`None`: it does not exist there).
    pub vault: Known<Option<&'s BackupVault>>,
}

/// What protects a primary EFS file system in the DR region.
#[derive(Debug, Clone)]
pub struct EfsProtection<'s> {
    /// Replication destinations in the DR region, whatever their status.
    pub replication: Known<Vec<&'s ReplicationDestination>>,
    pub backups: Known<Vec<BackupCopy<'s>>>,
}

/// The DR copy that makes a file system recoverable.
#[derive(Debug, Clone)]
pub enum EfsCopy<'s> {
    Replication(&'s ReplicationDestination),
    Backup(BackupCopy<'s>),
}

impl<'s> EfsProtection<'s> {
    /// The replication destination in the DR region whose status is `ENABLED`.
    pub fn active_replication(&self) -> Option<&'s ReplicationDestination> {
        self.replication.value()?.iter().copied().find(|d| d.status == "ENABLED")
    }

    /// The file system's DR copy — live replication first, else a backup copy — or why it is
    /// unknown (the replication's reason first) when neither was found and either is unreadable.
    pub fn copy(&self) -> Known<Option<EfsCopy<'s>>> {
        if let Some(destination) = self.active_replication() {
            return Known::Value(Some(EfsCopy::Replication(destination)));
        }
        if let Some(copy) = self.backups.value().and_then(|copies| copies.first()) {
            return Known::Value(Some(EfsCopy::Backup(copy.clone())));
        }
        match (&self.replication, &self.backups) {
            (Known::Unknown(reason), _) | (_, Known::Unknown(reason)) => Known::Unknown(reason.clone()),
            _ => Known::Value(None),
        }
    }
}

/// Where a bucket replication rule's destination is, as the bucket listings show it.
#[derive(Debug, Clone)]
pub enum BucketDestination<'s> {
    /// A bucket of the DR region.
    Dr(&'s Bucket),
    /// A bucket of the primary region (same-region replication): no DR copy.
    SameRegion(&'s Bucket),
    /// A bucket of another account, which drscan did not collect.
    OtherAccount(String),
    /// In neither region's listing: deleted, or in a region drscan did not collect.
    Missing,
    /// Not in a listing that is incomplete.
    Unknown(UnknownReason),
}

/// One replication rule of a primary bucket, with its destination.
#[derive(Debug, Clone)]
pub struct BucketCopy<'s> {
    pub source: &'s Bucket,
    pub rule: &'s BucketReplicationRule,
    pub destination: BucketDestination<'s>,
}

impl<'s> BucketCopy<'s> {
    /// The destination bucket when it is in the DR region.
    pub fn dr_bucket(&self) -> Option<&'s Bucket> {
        match self.destination {
            BucketDestination::Dr(bucket) => Some(bucket),
            _ => None,
        }
    }

    /// A working DR copy: the rule is enabled, and it replicates from a versioned bucket to a
    /// versioned DR bucket (S3 replicates only between buckets whose versioning is on).
    pub fn live(&self) -> Known<bool> {
        if let Some(reason) = self.destination_unknown() {
            return Known::Unknown(reason);
        }
        let Some(bucket) = self.dr_bucket() else { return Known::Value(false) };
        if !self.rule.enabled() {
            return Known::Value(false);
        }
        match (self.source.versioned(), bucket.versioned()) {
            (Known::Value(false), _) | (_, Known::Value(false)) => Known::Value(false),
            (Known::Unknown(reason), _) | (_, Known::Unknown(reason)) => Known::Unknown(reason),
            (Known::Value(true), Known::Value(true)) => Known::Value(true),
        }
    }

    /// Why it cannot be told whether this rule is a working DR copy: its destination is not
    /// in a listing that is incomplete, or belongs to another account (whose buckets drscan
    /// does not collect), or a versioning status could not be read.
    pub fn unreadable(&self) -> Option<UnknownReason> {
        self.live().get().err().cloned()
    }

    /// Why the destination cannot be placed: it is not in a listing that is incomplete, or it
    /// belongs to another account, whose buckets drscan does not collect.
    fn destination_unknown(&self) -> Option<UnknownReason> {
        match &self.destination {
            BucketDestination::Unknown(reason) => Some(reason.clone()),
            BucketDestination::OtherAccount(account) => Some(UnknownReason::new(
                "s3:ListBuckets",
                super::ErrorCause::Unresolvable,
                format!(
                    "rule {} replicates to {} in account {account}, whose buckets drscan does not collect",
                    self.rule.id,
                    self.rule.destination_bucket()
                ),
            )),
            _ => None,
        }
    }

    /// The largest `ReplicationLatency` (seconds) S3 published in the DR region for this rule
    /// over the window; `None` when it published none (metrics off, no series, no datapoints),
    /// or why they could not be read.
    pub fn max_latency(&self) -> Known<Option<f64>> {
        match self.metrics() {
            None => Known::Value(None),
            Some(Known::Unknown(reason)) => Known::Unknown(reason),
            Some(Known::Value(series)) => match series.latency.max_seconds() {
                None => Known::Value(None),
                Some(Ok(max)) => Known::Value(Some(max)),
                Some(Err(reason)) => Known::Unknown(reason.clone()),
            },
        }
    }

    /// The replication metrics S3 publishes in the DR region for this rule, or why they
    /// could not be read; `None` when the destination is no DR bucket or has no such series.
    pub fn metrics(&self) -> Option<Known<&'s IncomingReplication>> {
        let bucket = self.dr_bucket()?;
        match &bucket.incoming_replication {
            Known::Value(series) => series
                .iter()
                .find(|s| s.source_bucket == self.source.name && s.rule_id == self.rule.id)
                .map(Known::Value),
            Known::Unknown(reason) => Some(Known::Unknown(reason.clone())),
        }
    }
}

/// The DR replica of a primary DynamoDB table.
#[derive(Debug, Clone, Copy)]
pub struct TableCopy<'s> {
    /// The replica as the primary table describes it.
    pub replica: &'s TableReplica,
    /// The DR listing's view of the replica table (`None`: the listing does not show it).
    pub table: Option<&'s Table>,
}

/// The DR copy of a primary secret: its replica, or, when the DR side is a recovery account
/// (Secrets Manager replicates only within an account), the secret of the same name that the
/// recovery account holds in the DR region.
#[derive(Debug, Clone, Copy)]
pub struct SecretCopy<'s> {
    /// The primary secret's view of its DR replica (`ReplicationStatus`); `None` for the
    /// recovery account's own secret.
    pub status: Option<&'s SecretReplica>,
    /// The DR listing's view of the copy (`None`: the listing does not show it).
    pub replica: Option<&'s Secret>,
}

impl SecretCopy<'_> {
    /// Whether DR can use the copy: a replica `InSync`, or the recovery account's own secret.
    pub fn in_sync(&self) -> bool {
        self.status.is_none_or(SecretReplica::in_sync)
    }

    /// The replica's status, or `own secret` for the recovery account's own.
    pub fn state(&self) -> &str {
        self.status.map_or("own secret", |s| s.status.as_str())
    }
}

/// How a DR Auto Scaling group is recognised as the counterpart of a primary one (the same
/// tier), strongest evidence first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AsgMatch {
    /// The ASG pairing tag: the same value on both groups, or the primary group's name on the
    /// DR group.
    PairingTag,
    /// The same name once region names and role words (`dr`, `primary`, …) are left out:
    /// `web-asg` and `web-dr-asg`, `worker-ap-south-1` and `worker-us-east-1`.
    Name,
    /// The launch templates are one lineage: the same name in that sense, or the DR template
    /// launches a copy of the AMI the primary's launches.
    LaunchTemplate,
    /// Nothing else matched, and each is its application's only group in its region.
    SoleGroups,
}

impl AsgMatch {
    pub fn as_str(self) -> &'static str {
        match self {
            AsgMatch::PairingTag => "tag",
            AsgMatch::Name => "name",
            AsgMatch::LaunchTemplate => "launch-template",
            AsgMatch::SoleGroups => "sole-groups",
        }
    }
}

/// The DR Auto Scaling groups that stand in for a primary group; `matched_by` is `None` when
/// there are none.
#[derive(Debug, Clone, Copy)]
pub struct AsgCounterparts<'a, 's> {
    pub groups: &'a [&'s AutoScalingGroup],
    pub matched_by: Option<AsgMatch>,
}

/// Words that name a region's role rather than the tier, left out when names are compared.
const ROLE_WORDS: &[&str] =
    &["dr", "primary", "secondary", "recovery", "standby", "failover", "active", "passive"];

/// A group's or template's name as its tier: lower case, without the region pair's names and
/// role words; `None` when nothing is left.
fn tier_name(name: &str, regions: [&str; 2]) -> Option<String> {
    let mut lower = name.to_ascii_lowercase();
    for region in regions {
        lower = lower.replace(region, "-");
    }
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !ROLE_WORDS.contains(w))
        .collect();
    (!words.is_empty()).then(|| words.join("-"))
}

/// Primary Auto Scaling groups paired with their DR counterparts, tier by tier, within each
/// application; built once the applications are known.
#[derive(Default)]
pub(super) struct AsgPairs<'s> {
    counterparts: HashMap<&'s str, (Vec<&'s AutoScalingGroup>, AsgMatch)>,
    primaries: HashMap<&'s str, Vec<&'s AutoScalingGroup>>,
}

impl<'s> AsgPairs<'s> {
    /// Evidence is tried strongest first for every primary group of an application before the
    /// next kind: a DR group that a stronger kind gave to one tier is not handed to another
    /// by a weaker one (two tiers launched from one AMI are still two tiers).
    fn build(inventory: &Inventory<'s>, pairing_tag: &str) -> Self {
        let relations = inventory.relations();
        let mut pairs = AsgPairs::default();
        for members in inventory.members().by_app.values() {
            let (primaries, drs) = (&members.primary_asgs, &members.dr_asgs);
            let mut found: Vec<Option<(Vec<&'s AutoScalingGroup>, AsgMatch)>> = vec![None; primaries.len()];
            let mut claimed: HashSet<&str> = HashSet::new();
            for level in [AsgMatch::PairingTag, AsgMatch::Name, AsgMatch::LaunchTemplate] {
                for (slot, primary) in found.iter_mut().zip(primaries) {
                    if slot.is_some() {
                        continue;
                    }
                    let groups: Vec<&'s AutoScalingGroup> = drs
                        .iter()
                        .copied()
                        .filter(|dr| level == AsgMatch::PairingTag || !claimed.contains(dr.arn.as_str()))
                        .filter(|dr| relations.asg_evidence(level, primary, dr, pairing_tag))
                        .collect();
                    if !groups.is_empty() {
                        *slot = Some((groups, level));
                    }
                }
                claimed.extend(
                    found.iter().flatten().flat_map(|(groups, _)| groups.iter().map(|g| g.arn.as_str())),
                );
            }
            if let ([_], [dr], [slot @ None]) = (primaries.as_slice(), drs.as_slice(), found.as_mut_slice()) {
                *slot = Some((vec![*dr], AsgMatch::SoleGroups));
            }
            for (primary, slot) in primaries.iter().zip(found) {
                let Some((groups, how)) = slot else { continue };
                for dr in &groups {
                    pairs.primaries.entry(dr.arn.as_str()).or_default().push(primary);
                }
                pairs.counterparts.insert(primary.arn.as_str(), (groups, how));
            }
        }
        pairs
    }
}

/// The load balancer a failover record's alias resolves to, with its region's view.
#[derive(Clone, Copy)]
pub struct LbTarget<'a, 's> {
    pub view: &'a RegionView<'s>,
    pub load_balancer: &'s LoadBalancer,
}

impl<'a, 's> LbTarget<'a, 's> {
    /// The load balancer a record resolved to, when it is one in a collected region.
    pub fn of(inventory: &'a Inventory<'s>, resolution: &AliasResolution<'s>) -> Option<Self> {
        match resolution {
            AliasResolution::LoadBalancer { region, load_balancer } => {
                inventory.region(region).map(|view| LbTarget { view, load_balancer })
            }
            _ => None,
        }
    }

    /// The target groups the load balancer routes to, or why none can be seen when its
    /// region's target groups, or its listeners, could not be read.
    pub fn target_groups(&self) -> Known<Vec<&'s TargetGroup>> {
        let groups = self.view.target_groups_of(&self.load_balancer.arn);
        match self.view.gap(ResourceKind::TargetGroup).or(self.listeners_unknown()) {
            Some(reason) if groups.is_empty() => Known::Unknown(reason.clone()),
            _ => Known::Value(groups),
        }
    }

    /// Why the load balancer's listeners may be incomplete: its region's listener listing
    /// failed, or DescribeListeners failed for it.
    pub fn listeners_unknown(&self) -> Option<&'a UnknownReason> {
        self.view.gap(ResourceKind::Listener).or(self.load_balancer.listeners_unknown.as_ref())
    }

    /// Auto Scaling groups feeding the load balancer, deduplicated, in target group order: the
    /// first is the one a person (and the estimate) follows.
    pub fn asgs(&self) -> Vec<&'s AutoScalingGroup> {
        self.view.asgs_of(self.load_balancer)
    }
}

/// DR AMIs indexed the three ways a copy can be recognised.
#[derive(Default)]
struct CopyIndex<'s> {
    by_source: HashMap<(&'s str, &'s str), Vec<&'s Image>>,
    by_tag: HashMap<&'s str, Vec<&'s Image>>,
    by_name: HashMap<&'s str, Vec<&'s Image>>,
}

impl<'s> CopyIndex<'s> {
    fn new(images: &'s [Image], pairing_tag: &str) -> Self {
        let mut index = CopyIndex::default();
        for image in images {
            if let (Some(id), Some(region)) = (&image.source_image_id, &image.source_image_region) {
                index.by_source.entry((id.as_str(), region.as_str())).or_default().push(image);
            }
            if let Some(value) = image.tags.get(pairing_tag) {
                index.by_tag.entry(value.as_str()).or_default().push(image);
            }
            if !image.name.is_empty() {
                index.by_name.entry(image.name.as_str()).or_default().push(image);
            }
        }
        index
    }
}

/// The backup plans of the primary region, indexed so that finding the plans that protect a
/// resource costs a few hash lookups instead of a scan of every selection.
///
/// A selection picks a resource when (`Resources` match AND every `Conditions` entry holds) OR
/// any `ListOfTags` entry holds. Every way it can pick a resource needs a `StringEquals` tag
/// (a condition of the first branch, an entry of the second) unless the selection uses other
/// operators: selections are indexed under those tags, the others are checked in full.
#[derive(Default)]
struct BackupIndex<'s> {
    plans: &'s [BackupPlan],
    /// The region's resource-type opt-in preferences (`DescribeRegionSettings`).
    opt_ins: HashMap<&'s str, bool>,
    by_tag: HashMap<(&'s str, &'s str), Vec<(usize, &'s BackupSelection)>>,
    general: Vec<(usize, &'s BackupSelection)>,
    /// Why some plan's selections (or the plan listing) could not be read.
    missing: Option<UnknownReason>,
    /// The same, for plans with a rule that copies to the DR region: the only plans whose
    /// unreadable selections can hide a DR copy.
    dr_copy_missing: Option<UnknownReason>,
}

fn tag_key(key: &str) -> &str {
    key.strip_prefix("aws:ResourceTag/").unwrap_or(key)
}

/// The `StringEquals` tags one of which a resource must carry to be selected, or `None` when
/// the selection can pick resources without any.
fn required_tags(selection: &BackupSelection) -> Option<Vec<(&str, &str)>> {
    let equals = |c: &&TagCondition| c.operator.eq_ignore_ascii_case("StringEquals");
    let mut tags = Vec::new();
    // The Resources-and-Conditions branch is live with Resources, and with neither Resources
    // nor ListOfTags (then it is every resource: see `BackupSelection::pick`).
    if !selection.resources.is_empty() || selection.list_of_tags.is_empty() {
        let condition = selection.conditions.iter().find(equals)?;
        tags.push((tag_key(&condition.key), condition.value.as_str()));
    }
    for entry in &selection.list_of_tags {
        if !equals(&entry) {
            return None;
        }
        tags.push((tag_key(&entry.key), entry.value.as_str()));
    }
    Some(tags)
}

fn copies_to(rule: &BackupRule, region: &str) -> bool {
    rule.copy_actions.iter().any(|c| c.destination_region() == Some(region))
}

impl<'s> BackupIndex<'s> {
    fn new(view: &RegionView<'s>, dr_region: &str) -> Self {
        let gap = view.gap(ResourceKind::BackupPlan).cloned();
        let mut index = BackupIndex {
            plans: &view.resources.backup_plans,
            opt_ins: view
                .resources
                .backup_opt_ins
                .iter()
                .map(|o| (o.resource_type.as_str(), o.opted_in))
                .collect(),
            missing: gap.clone(),
            dr_copy_missing: gap,
            ..BackupIndex::default()
        };
        for (i, plan) in view.resources.backup_plans.iter().enumerate() {
            // A plan whose rules could not be read may back up and copy anything it selects.
            if let Some(reason) = &plan.rules_unknown {
                index.missing = index.missing.take().or(Some(reason.clone()));
                index.dr_copy_missing = index.dr_copy_missing.take().or(Some(reason.clone()));
            }
            match &plan.selections {
                Known::Value(selections) => {
                    for selection in selections {
                        match required_tags(selection) {
                            Some(tags) => {
                                for tag in tags {
                                    index.by_tag.entry(tag).or_default().push((i, selection));
                                }
                            }
                            None => index.general.push((i, selection)),
                        }
                    }
                }
                Known::Unknown(reason) => {
                    index.missing = index.missing.take().or(Some(reason.clone()));
                    if plan.rules.iter().any(|rule| copies_to(rule, dr_region)) {
                        index.dr_copy_missing = index.dr_copy_missing.take().or(Some(reason.clone()));
                    }
                }
            }
        }
        index
    }

    /// Backup plan rules whose selections pick the resource, in plan order, and those that
    /// would but for the region's opt-in settings (`not_opted_in`: the type's opt-in is off).
    fn coverage(
        &self,
        arn: &str,
        tags: &Tags,
        dr_region: &str,
        resource_type: Option<&str>,
    ) -> (Vec<BackupCoverage<'s>>, Vec<BackupCoverage<'s>>) {
        let opted_out = resource_type.is_some_and(|t| self.opt_ins.get(t) == Some(&false));
        let always = resource_type.is_some_and(always_needs_opt_in);
        // Per plan, the selection that picks the resource with the least dependence on opt-in.
        let mut plans: Vec<(usize, &'s BackupSelection, bool)> = Vec::new();
        let candidates = tags
            .iter()
            .filter_map(|(k, v)| self.by_tag.get(&(k.as_str(), v.as_str())))
            .flatten()
            .chain(self.general.iter());
        for &(plan, selection) in candidates {
            let needs_opt_in = match selection.pick(arn, tags) {
                Pick::No => continue,
                Pick::IfOptedIn => true,
                Pick::Assigned => always,
            };
            match plans.iter_mut().find(|(p, _, _)| *p == plan) {
                Some(entry) if entry.2 && !needs_opt_in => *entry = (plan, selection, false),
                Some(_) => {}
                None => plans.push((plan, selection, needs_opt_in)),
            }
        }
        plans.sort_unstable_by_key(|(plan, _, _)| *plan);
        let (mut covered, mut skipped) = (Vec::new(), Vec::new());
        for (i, selection, needs_opt_in) in plans {
            let Some(plan) = self.plans.get(i) else { continue };
            for rule in &plan.rules {
                let coverage = BackupCoverage {
                    plan,
                    rule,
                    copies_to_dr: copies_to(rule, dr_region),
                    selection,
                    needs_opt_in,
                };
                if needs_opt_in && opted_out { skipped.push(coverage) } else { covered.push(coverage) }
            }
        }
        (covered, skipped)
    }
}

/// Usable recovery points ([`RecoveryPoint::usable`]) in the DR region's vaults, by the
/// resource they protect.
#[derive(Default)]
struct RecoveryPoints<'s> {
    by_resource: HashMap<&'s str, Vec<(&'s RecoveryPoint, &'s str)>>,
    /// Why some vault's recovery points (or the vault listing) could not be read.
    missing: Option<UnknownReason>,
}

impl<'s> RecoveryPoints<'s> {
    fn new(view: &RegionView<'s>) -> Self {
        let mut index = RecoveryPoints {
            by_resource: HashMap::new(),
            missing: view.gap(ResourceKind::BackupVault).cloned(),
        };
        for vault in &view.resources.backup_vaults {
            match &vault.recovery_points {
                Known::Value(points) => {
                    for rp in points.iter().filter(|rp| rp.usable()) {
                        index
                            .by_resource
                            .entry(rp.resource_arn.as_str())
                            .or_default()
                            .push((rp, vault.name.as_str()));
                    }
                }
                Known::Unknown(reason) => index.missing = index.missing.take().or(Some(reason.clone())),
            }
        }
        index
    }
}

/// The primary region's failed copy jobs to a DR-region vault, by the resource they copy.
#[derive(Default)]
struct FailedCopies<'s> {
    by_resource: HashMap<&'s str, Vec<&'s CopyJob>>,
}

impl<'s> FailedCopies<'s> {
    fn new(primary: &RegionView<'s>, dr_region: &str) -> Self {
        let mut by_resource: HashMap<&'s str, Vec<&'s CopyJob>> = HashMap::new();
        for job in &primary.resources.copy_jobs {
            if job.state == "FAILED" && job.destination_region() == Some(dr_region) {
                by_resource.entry(job.resource_arn.as_str()).or_default().push(job);
            }
        }
        FailedCopies { by_resource }
    }
}

/// The global secondary that a member cluster's global database has in the DR region.
#[derive(Clone, Copy)]
struct GlobalSecondary<'s> {
    global: &'s GlobalCluster,
    arn: &'s str,
    cluster: Option<&'s DbCluster>,
}

/// The indexes behind [`DrRelations`], built once per audit from the two region views.
#[derive(Default)]
pub struct DrIndex<'s> {
    pairing_tag: String,
    dr_copies: CopyIndex<'s>,
    primary_images_by_tag: HashMap<&'s str, Vec<&'s Image>>,
    primary_images_by_name: HashMap<&'s str, &'s Image>,
    /// DR instances replicating a primary-region instance, by that source's ARN.
    dr_replicas_by_source: HashMap<&'s str, Vec<&'s DbInstance>>,
    /// Any member cluster of a global database with a DR secondary → that secondary.
    aurora_secondaries: HashMap<&'s str, GlobalSecondary<'s>>,
    /// Clusters that are a non-writer member of some global database.
    global_secondaries: HashSet<&'s str>,
    /// DR replica clusters by their source cluster's ARN.
    replica_clusters: HashMap<&'s str, &'s DbCluster>,
    backups: BackupIndex<'s>,
    recovery_points: RecoveryPoints<'s>,
    failed_copies: FailedCopies<'s>,
    asg_pairing_tag: String,
    asg_pairs: AsgPairs<'s>,
}

impl<'s> DrIndex<'s> {
    pub(super) fn build(primary: &RegionView<'s>, dr: &RegionView<'s>, matching: &Matching) -> Self {
        let tag = matching.ami_pairing_tag.as_str();
        let mut index = DrIndex {
            pairing_tag: tag.to_string(),
            dr_copies: CopyIndex::new(&dr.resources.images, tag),
            backups: BackupIndex::new(primary, dr.name),
            recovery_points: RecoveryPoints::new(dr),
            failed_copies: FailedCopies::new(primary, dr.name),
            asg_pairing_tag: matching.asg_pairing_tag.clone(),
            ..DrIndex::default()
        };
        for image in &primary.resources.images {
            if let Some(value) = image.tags.get(tag) {
                index.primary_images_by_tag.entry(value.as_str()).or_default().push(image);
            }
            if !image.name.is_empty() {
                index.primary_images_by_name.insert(image.name.as_str(), image);
            }
        }
        for replica in &dr.resources.db_instances {
            if let Some(source) = replica_source_in(replica, primary.name) {
                index.dr_replicas_by_source.entry(source).or_default().push(replica);
            }
        }
        for global in primary.resources.global_clusters.iter().chain(&dr.resources.global_clusters) {
            index
                .global_secondaries
                .extend(global.members.iter().filter(|m| !m.writer).map(|m| m.cluster_arn.as_str()));
            let Some(member) =
                global.members.iter().find(|m| !m.writer && arn_region(&m.cluster_arn) == Some(dr.name))
            else {
                continue;
            };
            let secondary = GlobalSecondary {
                global,
                arn: member.cluster_arn.as_str(),
                cluster: dr.db_clusters_by_arn.get(member.cluster_arn.as_str()).copied(),
            };
            for other in &global.members {
                index.aurora_secondaries.entry(other.cluster_arn.as_str()).or_insert(secondary);
            }
        }
        index.replica_clusters = dr
            .resources
            .db_clusters
            .iter()
            .filter_map(|c| c.replication_source.as_deref().map(|source| (source, c)))
            .collect();
        index
    }
}

impl<'s> DrIndex<'s> {
    /// Pair the Auto Scaling groups: it needs the applications, which need the index.
    pub(super) fn pair_asgs(inventory: &Inventory<'s>) -> AsgPairs<'s> {
        AsgPairs::build(inventory, &inventory.dr_index().asg_pairing_tag)
    }

    pub(super) fn set_asg_pairs(&mut self, pairs: AsgPairs<'s>) {
        self.asg_pairs = pairs;
    }
}

/// The source of a read replica when that source is in `region` (cross-region replicas name
/// their source by ARN).
fn replica_source_in<'x>(replica: &'x DbInstance, region: &str) -> Option<&'x str> {
    replica.read_replica_source.as_deref().filter(|source| arn_region(source) == Some(region))
}

/// The DR relations of an inventory: see the module documentation.
#[derive(Clone, Copy)]
pub struct DrRelations<'a, 's> {
    inventory: &'a Inventory<'s>,
    index: &'a DrIndex<'s>,
}

impl<'a, 's> DrRelations<'a, 's> {
    pub(super) fn new(inventory: &'a Inventory<'s>, index: &'a DrIndex<'s>) -> Self {
        DrRelations { inventory, index }
    }

    /// The tag that pairs a DR AMI copy with its primary AMI.
    pub fn pairing_tag(&self) -> &'a str {
        &self.index.pairing_tag
    }

    // ---- AMIs

    /// Whether a primary AMI needs a DR copy of the account's own: AMIs the account does not
    /// own (public or shared) are the owner's to copy.
    pub fn copy_expected(&self, image: &Image) -> bool {
        !image.public && image.owner_id == self.inventory.account()
    }

    /// Every DR-region copy of a primary AMI, strongest evidence first (one entry per copy), or
    /// why they cannot be known: the DR AMI listing is incomplete.
    pub fn ami_copies(&self, image: &Image) -> Known<Vec<AmiCopy<'s>>> {
        if let Some(reason) = self.inventory.dr.gap(ResourceKind::Image) {
            return Known::Unknown(reason.clone());
        }
        let copies = &self.index.dr_copies;
        let mut tag_values = vec![image.id.as_str()];
        if let Some(value) = image.tags.get(self.pairing_tag()) {
            tag_values.push(value);
        }
        let candidates = copies
            .by_source
            .get(&(image.id.as_str(), self.inventory.primary.name))
            .into_iter()
            .chain(tag_values.iter().filter_map(|v| copies.by_tag.get(v)))
            .chain((!image.name.is_empty()).then(|| copies.by_name.get(image.name.as_str())).flatten())
            .flatten();
        let mut found: Vec<AmiCopy<'s>> = Vec::new();
        for candidate in candidates {
            if found.iter().any(|c| c.image.id == candidate.id) {
                continue;
            }
            if let Some(matched_by) = self.is_copy_of(candidate, image) {
                found.push(AmiCopy { image: candidate, matched_by });
            }
        }
        found.sort_by_key(|c| c.matched_by);
        Known::Value(found)
    }

    /// How a DR AMI is a copy of a primary AMI, if it is one.
    pub fn is_copy_of(&self, copy: &Image, source: &Image) -> Option<AmiMatch> {
        AmiMatch::between(copy, source, self.inventory.primary.name, self.pairing_tag())
    }

    /// The primary AMI a DR AMI is a copy of, if any: by source image ID, then the pairing
    /// tag, then the name.
    pub fn ami_source(&self, copy: &Image) -> Option<(&'s Image, AmiMatch)> {
        let primary = &self.inventory.primary;
        let by_id = |id: Option<&str>| id.and_then(|id| primary.images.get(id).copied());
        let tag = copy.tags.get(self.pairing_tag()).map(String::as_str);
        let candidates = by_id(copy.source_image_id.as_deref())
            .into_iter()
            .chain(by_id(tag))
            .chain(tag.and_then(|t| self.index.primary_images_by_tag.get(t)).into_iter().flatten().copied())
            .chain(self.index.primary_images_by_name.get(copy.name.as_str()).copied());
        candidates
            .filter_map(|source| self.is_copy_of(copy, source).map(|how| (source, how)))
            .min_by_key(|(_, how)| *how)
    }

    // ---- Databases

    /// The DR-region read replicas of a primary instance, directly or through same-region
    /// replicas, replicas the DR listing shows first; or why none can be known (the DR instance
    /// listing is incomplete and none was found).
    pub fn db_replicas(&self, db: &'s DbInstance) -> Known<Vec<DbReplica<'s>>> {
        let (primary, dr) = (&self.inventory.primary, &self.inventory.dr);
        let mut found: Vec<DbReplica<'s>> = Vec::new();
        let mut visited: HashSet<&str> = HashSet::new();
        let mut chain: Vec<(&'s DbInstance, Vec<&'s str>)> = Vec::new();
        let mut stack = vec![(db, Vec::new())];
        while let Some((current, via)) = stack.pop() {
            if !visited.insert(current.arn.as_str()) {
                continue;
            }
            for replica in &current.read_replica_ids {
                match arn_region(replica) {
                    Some(region) if region == dr.name => {
                        let instance = dr.db_instance(replica);
                        let arn = instance.map(|i| i.arn.as_str()).unwrap_or(replica.as_str());
                        if !found.iter().any(|f| f.arn == arn) {
                            let matched_by = ReplicaMatch::ReplicaList;
                            found.push(DbReplica { arn, instance, via: via.clone(), matched_by });
                        }
                    }
                    Some(region) if region != primary.name => {}
                    _ => {
                        if let Some(next) = primary.db_instance(replica) {
                            let mut longer = via.clone();
                            longer.push(next.id.as_str());
                            stack.push((next, longer));
                        }
                    }
                }
            }
            chain.push((current, via));
        }
        for (member, via) in &chain {
            for replica in self.index.dr_replicas_by_source.get(member.arn.as_str()).into_iter().flatten() {
                if !found.iter().any(|f| f.arn == replica.arn) {
                    let matched_by = ReplicaMatch::SourceLink;
                    found.push(DbReplica {
                        arn: &replica.arn,
                        instance: Some(replica),
                        via: via.clone(),
                        matched_by,
                    });
                }
            }
        }
        if found.is_empty()
            && let Some(reason) = dr.gap(ResourceKind::DbInstance)
        {
            return Known::Unknown(reason.clone());
        }
        // Stable: replicas the DR listing shows come first, each group in discovery order.
        found.sort_by_key(|r| r.instance.is_none());
        Known::Value(found)
    }

    /// The primary-region source of a DR instance, when it is a cross-region read replica.
    pub fn primary_source<'x>(&self, replica: &'x DbInstance) -> Option<&'x str> {
        replica_source_in(replica, self.inventory.primary.name)
    }

    /// DR instances that are read replicas of a primary-region instance, with that source.
    pub fn dr_db_replicas(&self) -> impl Iterator<Item = (&'s DbInstance, &'s str)> + 'a {
        let primary = self.inventory.primary.name;
        self.inventory
            .dr
            .resources
            .db_instances
            .iter()
            .filter_map(move |replica| replica_source_in(replica, primary).map(|source| (replica, source)))
    }

    /// Whether a cluster is a secondary (non-writer) member of some global database.
    pub fn is_global_secondary(&self, cluster: &DbCluster) -> bool {
        self.index.global_secondaries.contains(cluster.arn.as_str())
    }

    /// The DR copy of a primary Aurora cluster: its global database's DR secondary, else a
    /// cross-region replica cluster; or why it cannot be known (clusters or global clusters
    /// not fully listed, and none found).
    pub fn aurora_copy(&self, cluster: &DbCluster) -> Known<Option<AuroraCopy<'s>>> {
        if let Some(s) = self.index.aurora_secondaries.get(cluster.arn.as_str()) {
            return Known::Value(Some(AuroraCopy::GlobalSecondary {
                global: s.global,
                arn: s.arn,
                cluster: s.cluster,
            }));
        }
        if let Some(replica) = self.index.replica_clusters.get(cluster.arn.as_str()) {
            return Known::Value(Some(AuroraCopy::ReplicaCluster(replica)));
        }
        let (primary, dr) = (&self.inventory.primary, &self.inventory.dr);
        let gap = dr
            .gap(ResourceKind::DbCluster)
            .or(dr.gap(ResourceKind::GlobalCluster))
            .or(primary.gap(ResourceKind::GlobalCluster));
        match gap {
            Some(reason) => Known::Unknown(reason.clone()),
            None => Known::Value(None),
        }
    }

    // ---- Backups and file systems

    /// Every backup plan rule whose selections pick a primary resource.
    pub fn backup_coverage(&self, arn: &str, tags: &Tags) -> Coverage<'a, 's> {
        let index = &self.index.backups;
        let resource_type = self.backup_resource_type(arn);
        let (rules, not_opted_in) = index.coverage(arn, tags, self.inventory.dr.name, resource_type);
        Coverage { rules, unreadable: index.missing.as_ref(), not_opted_in, resource_type }
    }

    /// AWS Backup's resource type of a primary resource (the keys of `DescribeRegionSettings`),
    /// from its ARN and, for DB clusters, its engine; `None` for a type drscan does not know.
    pub fn backup_resource_type(&self, arn: &str) -> Option<&'static str> {
        let mut parts = arn.splitn(6, ':');
        let service = parts.nth(2)?;
        let resource = parts.nth(2)?;
        match service {
            "elasticfilesystem" => Some("EFS"),
            "dynamodb" => Some("DynamoDB"),
            "s3" => Some("S3"),
            "ec2" if resource.starts_with("volume/") => Some("EBS"),
            "ec2" if resource.starts_with("instance/") => Some("EC2"),
            "rds" if resource.starts_with("db:") => Some("RDS"),
            "rds" if resource.starts_with("cluster:") => {
                let cluster = self.inventory.primary.db_clusters_by_arn.get(arn)?;
                match cluster.family() {
                    ClusterFamily::Aurora => Some("Aurora"),
                    ClusterFamily::DocumentDb => Some("DocumentDB"),
                    ClusterFamily::Neptune => Some("Neptune"),
                    // Multi-AZ DB clusters are backed up as RDS.
                    ClusterFamily::MultiAzDbCluster => Some("RDS"),
                    ClusterFamily::Other => None,
                }
            }
            _ => None,
        }
    }

    /// Whether a resource type is opted in to AWS Backup in the primary region (`None`: the
    /// region settings do not name it), or why the settings could not be read.
    pub fn primary_opt_in(&self, resource_type: &str) -> Known<Option<bool>> {
        match self.index.backups.opt_ins.get(resource_type) {
            Some(opted_in) => Known::Value(Some(*opted_in)),
            None => match self.inventory.primary.gap(ResourceKind::ResourceTypeOptIn) {
                Some(reason) => Known::Unknown(reason.clone()),
                None => Known::Value(None),
            },
        }
    }

    /// The newest failed copy job of a primary resource to a DR-region vault that no usable DR
    /// recovery point has superseded (none was created at or after it): the DR copy is failing
    /// now, whatever older points the DR vaults hold.
    pub fn failing_dr_copy(&self, resource_arn: &str) -> Option<&'s CopyJob> {
        let newest = self.newest_dr_recovery_point(resource_arn).map(|(rp, _)| rp.creation_date);
        self.index
            .failed_copies
            .by_resource
            .get(resource_arn)?
            .iter()
            .copied()
            .filter(|job| newest.is_none_or(|point| point < job.creation_date))
            .max_by_key(|job| job.creation_date)
    }

    /// Why failed copy jobs may be missing from [`Self::failing_dr_copy`].
    pub fn copy_jobs_unreadable(&self) -> Option<&'a UnknownReason> {
        self.inventory.primary.gap(ResourceKind::CopyJob)
    }

    /// The DR backup copies of a primary resource: each copy action to a DR-region vault of a
    /// rule that selects it; or why none can be known (the plans, or the selections of a plan
    /// that copies to DR, could not be read, and none was found).
    pub fn backup_copies(&self, arn: &str, tags: &Tags) -> Known<Vec<BackupCopy<'s>>> {
        let dr = &self.inventory.dr;
        let mut copies = Vec::new();
        let resource_type = self.backup_resource_type(arn);
        let (covered, _) = self.index.backups.coverage(arn, tags, dr.name, resource_type);
        for cov in covered.into_iter().filter(|c| c.copies_to_dr) {
            for action in cov.rule.copy_actions.iter().filter(|a| a.destination_region() == Some(dr.name)) {
                let vault = self.dr_vault(action);
                copies.push(BackupCopy { plan: cov.plan, rule: cov.rule, action, vault });
            }
        }
        match &self.index.backups.dr_copy_missing {
            Some(reason) if copies.is_empty() => Known::Unknown(reason.clone()),
            _ => Known::Value(copies),
        }
    }

    /// The DR-region vault a copy action writes to (`None`: it does not exist there), in
    /// whichever account it is; or why that cannot be told (see [`Inventory::backup_vault`]).
    pub fn dr_vault(&self, action: &CopyAction) -> Known<Option<&'s BackupVault>> {
        self.inventory.backup_vault(&action.destination_vault_arn)
    }

    /// The DR side's account when it is not the account of `arn`: a recovery account. No
    /// cross-region read replica or Aurora global secondary of the resource can be there
    /// (neither crosses accounts), so its DR copy is a snapshot or backup copy, restored on
    /// failover rather than promoted.
    pub fn recovery_account_of(&self, arn: &str) -> Option<&'s str> {
        let dr = self.inventory.snapshot.account_of(super::Side::Dr);
        super::arn::arn_account(arn).is_some_and(|account| account != dr).then_some(dr)
    }

    /// A DR backup copy of a primary resource that can be restored from: its destination vault
    /// exists (in whichever account); `None`: no copy action reaches an existing DR vault. Unknown
    /// when none is known to and the plans, or a destination vault, could not be read.
    pub fn restorable_backup_copy(&self, arn: &str, tags: &Tags) -> Known<Option<BackupCopy<'s>>> {
        let copies = match self.backup_copies(arn, tags) {
            Known::Value(copies) => copies,
            Known::Unknown(reason) => return Known::Unknown(reason),
        };
        let mut unknown = None;
        for copy in copies {
            match &copy.vault {
                Known::Value(Some(_)) => return Known::Value(Some(copy)),
                Known::Unknown(reason) => unknown = unknown.or(Some(reason.clone())),
                Known::Value(None) => {}
            }
        }
        match unknown {
            Some(reason) => Known::Unknown(reason),
            None => Known::Value(None),
        }
    }

    /// The newest usable recovery point of a resource in a DR vault, with the vault's name.
    pub fn newest_dr_recovery_point(&self, resource_arn: &str) -> Option<(&'s RecoveryPoint, &'s str)> {
        self.index
            .recovery_points
            .by_resource
            .get(resource_arn)?
            .iter()
            .copied()
            .max_by_key(|(rp, _)| rp.creation_date)
    }

    /// Why DR recovery points may be missing from [`Self::newest_dr_recovery_point`].
    pub fn dr_recovery_points_unreadable(&self) -> Option<&'a UnknownReason> {
        self.index.recovery_points.missing.as_ref()
    }

    /// The replication destinations of a primary file system in the DR region, whatever their
    /// status, or why the replication configuration could not be read.
    pub fn efs_replication(&self, fs: &'s FileSystem) -> Known<Vec<&'s ReplicationDestination>> {
        let dr = self.inventory.dr.name;
        match &fs.replication {
            Known::Value(destinations) => {
                Known::Value(destinations.iter().filter(|d| d.region == dr).collect())
            }
            Known::Unknown(reason) => Known::Unknown(reason.clone()),
        }
    }

    /// What protects a primary file system in the DR region.
    pub fn efs_protection(&self, fs: &'s FileSystem) -> EfsProtection<'s> {
        EfsProtection {
            replication: self.efs_replication(fs),
            backups: self.backup_copies(&fs.arn, &fs.tags),
        }
    }

    // ---- Buckets, tables and secrets

    /// Every replication rule of a primary bucket with where its destination is, or why they
    /// cannot be known (the replication configuration could not be read). Empty: the bucket
    /// has no replication configuration.
    pub fn bucket_copies(&self, bucket: &'s Bucket) -> Known<Vec<BucketCopy<'s>>> {
        let configuration = match &bucket.replication {
            Known::Value(configuration) => configuration,
            Known::Unknown(reason) => return Known::Unknown(reason.clone()),
        };
        let (primary, dr) = (&self.inventory.primary, &self.inventory.dr);
        let account = self.inventory.account();
        let copies = configuration.iter().flat_map(|c| &c.rules).map(|rule| {
            let name = rule.destination_bucket();
            let destination = if let Some(found) = dr.buckets_by_name.get(name) {
                BucketDestination::Dr(found)
            } else if let Some(found) = primary.buckets_by_name.get(name) {
                BucketDestination::SameRegion(found)
            } else if let Some(owner) = rule.destination_account.as_deref().filter(|a| *a != account) {
                BucketDestination::OtherAccount(owner.to_string())
            } else if let Some(reason) = dr.gap(ResourceKind::Bucket).or(primary.gap(ResourceKind::Bucket)) {
                BucketDestination::Unknown(reason.clone())
            } else {
                BucketDestination::Missing
            };
            BucketCopy { source: bucket, rule, destination }
        });
        Known::Value(copies.collect())
    }

    /// A primary bucket's working DR copy (its first live rule), `None` when no rule is one, or
    /// why that cannot be told (the configuration, a destination or a versioning status could
    /// not be read, and no live rule was found).
    pub fn bucket_dr_copy(&self, bucket: &'s Bucket) -> Known<Option<BucketCopy<'s>>> {
        let copies = match self.bucket_copies(bucket) {
            Known::Value(copies) => copies,
            Known::Unknown(reason) => return Known::Unknown(reason),
        };
        let mut unknown = None;
        for copy in copies {
            if copy.live() == Known::Value(true) {
                return Known::Value(Some(copy));
            }
            unknown = unknown.or(copy.unreadable());
        }
        match unknown {
            Some(reason) => Known::Unknown(reason),
            None => Known::Value(None),
        }
    }

    /// The DR replica of a primary table's global table, or why it cannot be known (the
    /// table could not be described). `None`: no replica in the DR region.
    ///
    /// When the DR side is a recovery account, an active replica that the recovery account's
    /// table listing does not show is unknown: it belongs to a same-account global table of the
    /// primary's account, and whether the recovery account may use it (the table's resource
    /// policy) is not modeled. A multi-account global table's replica is the recovery account's
    /// own table, and is listed there.
    pub fn table_copy(&self, table: &'s Table) -> Known<Option<TableCopy<'s>>> {
        let dr = &self.inventory.dr;
        let replicas = match &table.replicas {
            Known::Value(replicas) => replicas,
            Known::Unknown(reason) => return Known::Unknown(reason.clone()),
        };
        let Some(replica) = replicas.iter().find(|r| r.region == dr.name) else { return Known::Value(None) };
        let dr_table = dr.tables_by_name.get(table.name.as_str()).copied();
        if let Some(recovery) = self.recovery_account_of(&table.arn).filter(|_| dr_table.is_none()) {
            if let Some(reason) = dr.unread(ResourceKind::Table, &table.name) {
                return Known::Unknown(reason.clone());
            }
            if replica.active() {
                let owner = super::arn::arn_account(&table.arn).unwrap_or_default();
                return Known::Unknown(UnknownReason::new(
                    "dynamodb:GetResourcePolicy",
                    super::ErrorCause::Unresolvable,
                    format!(
                        "the {} replica of DynamoDB table {} is not in recovery account {recovery}, where the DR side runs: it belongs to a same-account global table of account {owner}, and whether {recovery} may use it (the table's resource policy) is not modeled",
                        dr.name, table.name
                    ),
                ));
            }
        }
        Known::Value(Some(TableCopy { replica, table: dr_table }))
    }

    /// The DR replica of a primary secret, or why it cannot be known (DescribeSecret failed).
    /// `None`: the secret is not replicated to the DR region.
    /// When the DR side is a recovery account, see [`Self::recovery_secret_copy`].
    pub fn secret_copy(&self, secret: &'s Secret) -> Known<Option<SecretCopy<'s>>> {
        if let Some(recovery) = self.recovery_account_of(&secret.arn) {
            return self.recovery_secret_copy(secret, recovery);
        }
        let (primary, dr) = (&self.inventory.primary, &self.inventory.dr);
        let replicas = match &secret.replication {
            Known::Value(replicas) => replicas,
            Known::Unknown(reason) => return Known::Unknown(reason.clone()),
        };
        let Some(status) = replicas.iter().find(|r| r.region == dr.name) else { return Known::Value(None) };
        let status = Some(status);
        // A replica keeps the primary's ARN but for the region.
        let replica_arn = secret.arn.replacen(&format!(":{}:", primary.name), &format!(":{}:", dr.name), 1);
        let replica = dr.secrets_by_arn.get(replica_arn.as_str()).copied().or_else(|| {
            dr.resources
                .secrets
                .iter()
                .find(|s| s.name == secret.name && s.primary_region.as_deref() == Some(primary.name))
        });
        Known::Value(Some(SecretCopy { status, replica }))
    }

    /// A primary secret's DR copy when the DR side is `recovery`, another account: Secrets
    /// Manager replicates only within an account, so the copy DR starts from is the secret of
    /// the same name that the recovery account holds in the DR region. Without one, a replica
    /// the primary's account keeps in the DR region is unknown unless it failed: whether the
    /// recovery account may read it (the secret's resource policy and its KMS key's policy) is
    /// not modeled. `None`: neither exists.
    fn recovery_secret_copy(&self, secret: &'s Secret, recovery: &str) -> Known<Option<SecretCopy<'s>>> {
        let dr = &self.inventory.dr;
        if let Some(own) = dr.resources.secrets.iter().find(|s| s.name == secret.name) {
            return Known::Value(Some(SecretCopy { status: None, replica: Some(own) }));
        }
        if let Some(reason) = dr.unread(ResourceKind::Secret, &secret.name) {
            return Known::Unknown(reason.clone());
        }
        let replicas = match &secret.replication {
            Known::Value(replicas) => replicas,
            Known::Unknown(reason) => return Known::Unknown(reason.clone()),
        };
        match replicas.iter().find(|r| r.region == dr.name) {
            Some(status) if status.in_sync() => {
                let owner = super::arn::arn_account(&secret.arn).unwrap_or_default();
                Known::Unknown(UnknownReason::new(
                    "secretsmanager:GetResourcePolicy",
                    super::ErrorCause::Unresolvable,
                    format!(
                        "secret {}'s {} replica is in account {owner}, while the DR side runs in recovery account {recovery}, which holds no secret of that name there; whether {recovery} may read the replica (the secret's resource policy and its KMS key's policy) is not modeled",
                        secret.name, dr.name
                    ),
                ))
            }
            Some(status) => Known::Value(Some(SecretCopy { status: Some(status), replica: None })),
            None => Known::Value(None),
        }
    }

    // ---- Compute and failover records

    /// The tag that pairs a DR Auto Scaling group with its primary group.
    pub fn asg_pairing_tag(&self) -> &'a str {
        &self.index.asg_pairing_tag
    }

    /// The DR Auto Scaling groups of a primary group's tier (see [`AsgMatch`]), or why none
    /// can be known (the DR group listing is incomplete and none was found).
    pub fn dr_asgs(&self, asg: &AutoScalingGroup) -> Known<AsgCounterparts<'a, 's>> {
        let found = self.index.asg_pairs.counterparts.get(asg.arn.as_str());
        let counterparts = AsgCounterparts {
            groups: found.map(|(groups, _)| groups.as_slice()).unwrap_or(&[]),
            matched_by: found.map(|(_, how)| *how),
        };
        match self.inventory.dr.gap(ResourceKind::AutoScalingGroup) {
            Some(reason) if counterparts.groups.is_empty() => Known::Unknown(reason.clone()),
            _ => Known::Value(counterparts),
        }
    }

    /// The primary Auto Scaling groups a DR group stands in for (the reverse of [`Self::dr_asgs`]).
    pub fn primary_asgs_of(&self, dr_asg: &AutoScalingGroup) -> &'a [&'s AutoScalingGroup] {
        self.index.asg_pairs.primaries.get(dr_asg.arn.as_str()).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether a DR group shows `level`'s evidence of being a primary group's counterpart.
    fn asg_evidence(
        &self,
        level: AsgMatch,
        primary: &AutoScalingGroup,
        dr: &AutoScalingGroup,
        pairing_tag: &str,
    ) -> bool {
        let regions = [self.inventory.primary.name, self.inventory.dr.name];
        let same_tier =
            |a: &str, b: &str| tier_name(a, regions).is_some_and(|t| Some(t) == tier_name(b, regions));
        match level {
            AsgMatch::PairingTag => dr
                .tags
                .get(pairing_tag)
                .is_some_and(|v| *v == primary.name || primary.tags.get(pairing_tag) == Some(v)),
            AsgMatch::Name => same_tier(&primary.name, &dr.name),
            AsgMatch::LaunchTemplate => {
                let (p_view, d_view) = (&self.inventory.primary, &self.inventory.dr);
                let image = |view: &RegionView<'s>, reference| match view.resolve_launch(reference) {
                    LaunchResolution::Resolved { image_id, .. } => view.images.get(image_id).copied(),
                    _ => None,
                };
                primary.launch_template_refs().into_iter().any(|p_ref| {
                    dr.launch_template_refs().into_iter().any(|d_ref| {
                        let templates = p_view.launch_template(p_ref).zip(d_view.launch_template(d_ref));
                        templates.is_some_and(|(p, d)| same_tier(&p.name, &d.name))
                            || image(p_view, p_ref)
                                .zip(image(d_view, d_ref))
                                .is_some_and(|(p, d)| self.is_copy_of(d, p).is_some())
                    })
                })
            }
            AsgMatch::SoleGroups => false,
        }
    }

    /// The load balancer a record (an alias, or a plain CNAME naming one) resolves to in a
    /// collected region, or `None` for any other outcome (dangling, non-load-balancer target,
    /// unknown: see [`Inventory::resolve_record`]).
    pub fn record_load_balancer(
        &self,
        zone: &'s HostedZone,
        record: &'s RecordSet,
    ) -> Option<LbTarget<'a, 's>> {
        self.record_load_balancer_or_why(zone, record).ok()
    }

    /// [`Self::record_load_balancer`], or why there is none: `Some(reason)` when the record's
    /// target could not be resolved, `None` when it resolved to something else.
    pub fn record_load_balancer_or_why(
        &self,
        zone: &'s HostedZone,
        record: &'s RecordSet,
    ) -> Result<LbTarget<'a, 's>, Option<UnknownReason>> {
        let resolution = self.inventory.resolve_record(zone, record).ok_or(None)?;
        match LbTarget::of(self.inventory, &resolution) {
            Some(lb) => Ok(lb),
            None => match resolution {
                AliasResolution::Unknown(reason) => Err(Some(reason)),
                _ => Err(None),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Snapshot;
    use crate::inventory::matching::Matching;

    fn fixture(path: &str) -> Snapshot {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(path);
        Snapshot::load(&path).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
    }

    #[test]
    fn replicas_are_found_through_same_region_replica_chains() {
        let snapshot = fixture("rules/rds-no-dr-replica/pass.json");
        let inventory = Inventory::build(&snapshot, &Matching::default());
        let relations = inventory.relations();
        let db = inventory.primary.db_instance("orders-db").expect("orders-db");
        let replicas = relations.db_replicas(db);
        let replicas = replicas.value().expect("known");
        assert_eq!(replicas.len(), 1);
        assert_eq!(replicas[0].id(), "orders-db-dr");
        assert_eq!(replicas[0].via, ["orders-db-reporting"]);
        assert_eq!(replicas[0].matched_by, ReplicaMatch::ReplicaList);
        let sources: Vec<&str> = relations.dr_db_replicas().map(|(_, source)| source).collect();
        assert_eq!(sources, ["arn:aws:rds:ap-south-1:123456789012:db:orders-db-reporting"]);
    }

    #[test]
    fn a_replica_that_only_names_its_source_still_counts() {
        let mut snapshot = fixture("rules/rds-no-dr-replica/pass.json");
        let primary = snapshot.resources.regional.get_mut("ap-south-1").expect("primary");
        for db in &mut primary.db_instances {
            db.read_replica_ids.retain(|r| !r.starts_with("arn:"));
        }
        let inventory = Inventory::build(&snapshot, &Matching::default());
        let db = inventory.primary.db_instance("orders-db").expect("orders-db");
        let replicas = inventory.relations().db_replicas(db);
        let replicas = replicas.value().expect("known");
        assert_eq!(replicas.len(), 1);
        assert_eq!(replicas[0].matched_by, ReplicaMatch::SourceLink);
        assert_eq!(replicas[0].via, ["orders-db-reporting"]);
    }

    #[test]
    fn no_replica_is_unknown_only_when_the_dr_listing_is_incomplete() {
        let snapshot = fixture("rules/rds-no-dr-replica/fail.json");
        let inventory = Inventory::build(&snapshot, &Matching::default());
        let relations = inventory.relations();
        let db =
            inventory.members().by_app.values().flat_map(|m| &m.primary_db_instances).next().expect("a db");
        assert!(matches!(relations.db_replicas(db), Known::Value(r) if r.is_empty()));
        let snapshot = fixture("rules/rds-no-dr-replica/unknown.json");
        let inventory = Inventory::build(&snapshot, &Matching::default());
        let db =
            inventory.members().by_app.values().flat_map(|m| &m.primary_db_instances).next().expect("a db");
        assert!(matches!(inventory.relations().db_replicas(db), Known::Unknown(_)));
    }

    #[test]
    fn aurora_secondaries_and_headless_ones() {
        let snapshot = fixture("rules/aurora-secondary-headless/fail.json");
        let inventory = Inventory::build(&snapshot, &Matching::default());
        let relations = inventory.relations();
        let cluster = inventory.primary.db_clusters_by_id.get("api-aurora").copied().expect("api-aurora");
        let Known::Value(Some(copy)) = relations.aurora_copy(cluster) else { panic!("a DR copy") };
        assert!(matches!(copy, AuroraCopy::GlobalSecondary { .. }));
        assert!(copy.headless());
        assert_eq!(copy.matched_by(), "global-database");
        assert!(!relations.is_global_secondary(cluster));
        let secondary = copy.cluster().expect("listed");
        assert!(relations.is_global_secondary(secondary));
    }

    #[test]
    fn ami_copies_are_matched_once_each_by_their_strongest_evidence() {
        let mut snapshot = fixture("rules/ami-missing-in-dr/pass.json");
        let source = snapshot.resources.regional["ap-south-1"].images[0].clone();
        let dr = snapshot.resources.regional.get_mut("us-east-1").expect("dr");
        let mut by_tag = dr.images[0].clone();
        by_tag.id = "ami-tagged".into();
        by_tag.arn = by_tag.arn.replace(&dr.images[0].id, "ami-tagged");
        by_tag.name = "renamed".into();
        by_tag.source_image_id = None;
        by_tag.tags.insert("drscan:source-ami".into(), source.id.clone());
        dr.images.push(by_tag);
        let inventory = Inventory::build(&snapshot, &Matching::default());
        let relations = inventory.relations();
        let image = inventory.primary.images.get(source.id.as_str()).copied().expect("source");
        let copies = relations.ami_copies(image);
        let copies = copies.value().expect("known");
        let ids: Vec<(&str, AmiMatch)> = copies.iter().map(|c| (c.image.id.as_str(), c.matched_by)).collect();
        assert!(ids.contains(&("ami-tagged", AmiMatch::PairingTag)), "{ids:?}");
        let mut unique: Vec<&str> = ids.iter().map(|(id, _)| *id).collect();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "one entry per copy: {ids:?}");
        let tagged = inventory.dr.images.get("ami-tagged").copied().expect("tagged copy");
        assert_eq!(
            relations.ami_source(tagged).map(|(p, how)| (p.id.as_str(), how)),
            Some((source.id.as_str(), AmiMatch::PairingTag))
        );
    }

    #[test]
    fn unreadable_selections_hide_a_dr_copy_only_in_plans_that_copy_to_dr() {
        let mut snapshot = fixture("rules/efs-no-dr-copy/fail.json");
        let reason =
            UnknownReason::new("backup:ListBackupSelections", crate::inventory::ErrorCause::AccessDenied, "");
        let primary = snapshot.resources.regional.get_mut("ap-south-1").expect("primary");
        primary.backup_plans.push(BackupPlan {
            arn: "arn:aws:backup:ap-south-1:123456789012:backup-plan:local-only".into(),
            id: "local-only".into(),
            name: "local-only".into(),
            rules: vec![BackupRule {
                name: "daily".into(),
                schedule_expression: "cron(0 3 * * ? *)".into(),
                schedule_timezone: None,
                start_window_minutes: None,
                completion_window_minutes: None,
                target_vault_name: "Default".into(),
                copy_actions: Vec::new(),
            }],
            selections: Known::Unknown(reason.clone()),
            rules_unknown: None,
        });
        let inventory = Inventory::build(&snapshot, &Matching::default());
        let relations = inventory.relations();
        let fs = inventory.primary.resources.file_systems.first().expect("a file system");
        assert!(matches!(relations.backup_copies(&fs.arn, &fs.tags), Known::Value(c) if c.is_empty()));
        assert_eq!(relations.backup_coverage(&fs.arn, &fs.tags).unreadable, Some(&reason));
        assert!(matches!(relations.efs_protection(fs).copy(), Known::Value(None)));
    }

    #[test]
    fn a_bucket_copy_is_live_only_between_versioned_buckets_through_an_enabled_rule() {
        let mut snapshot = fixture("rules/s3-no-dr-replication/pass.json");
        let inventory = Inventory::build(&snapshot, &Matching::default());
        let bucket = inventory.primary.buckets_by_name.get("web-uploads").copied().expect("web-uploads");
        let Known::Value(Some(copy)) = inventory.relations().bucket_dr_copy(bucket) else {
            panic!("a DR copy")
        };
        assert_eq!(copy.dr_bucket().map(|b| b.name.as_str()), Some("web-uploads-dr"));
        assert_eq!(copy.max_latency(), Known::Value(Some(45.0)));
        // Suspending versioning at either end stops replication.
        let dr = snapshot.resources.regional.get_mut("us-east-1").expect("dr");
        dr.buckets[0].versioning = Known::Value("Suspended".into());
        let inventory = Inventory::build(&snapshot, &Matching::default());
        let bucket = inventory.primary.buckets_by_name.get("web-uploads").copied().expect("web-uploads");
        assert!(matches!(inventory.relations().bucket_dr_copy(bucket), Known::Value(None)));
        // A destination in another account cannot be judged.
        let dr = snapshot.resources.regional.get_mut("us-east-1").expect("dr");
        dr.buckets.clear();
        let primary = snapshot.resources.regional.get_mut("ap-south-1").expect("primary");
        let Known::Value(Some(configuration)) = &mut primary.buckets[0].replication else {
            panic!("a configuration")
        };
        configuration.rules[0].destination_account = Some("210987654321".into());
        let inventory = Inventory::build(&snapshot, &Matching::default());
        let bucket = inventory.primary.buckets_by_name.get("web-uploads").copied().expect("web-uploads");
        assert!(
            matches!(inventory.relations().bucket_dr_copy(bucket), Known::Unknown(r) if r.message.contains("210987654321"))
        );
    }

    #[test]
    fn with_a_recovery_account_only_its_own_replica_table_is_a_usable_copy() {
        use crate::inventory::Side;
        use crate::inventory::snapshot::AccountRecord;
        let record = |account: &str, sides: Vec<Side>| AccountRecord {
            account: account.into(),
            sides,
            role_arn: None,
            unreadable: None,
        };
        let mut snapshot = fixture("rules/dynamodb-no-dr-replica/pass.json");
        let recovery = "210987654321";
        snapshot.accounts =
            vec![record(&snapshot.account, vec![Side::Primary, Side::Dns]), record(recovery, vec![Side::Dr])];
        // A multi-account global table: the DR replica is the recovery account's own table.
        let inventory = Inventory::build(&snapshot, &Matching::default());
        let table = inventory.primary.resources.tables.first().expect("a table");
        let Known::Value(Some(copy)) = inventory.relations().table_copy(table) else { panic!("a DR copy") };
        assert!(copy.table.is_some());
        // A same-account global table: the replica is not in the recovery account's listing.
        snapshot.resources.regional.get_mut("us-east-1").expect("dr").tables.clear();
        let inventory = Inventory::build(&snapshot, &Matching::default());
        let table = inventory.primary.resources.tables.first().expect("a table");
        let copy = inventory.relations().table_copy(table);
        assert!(
            matches!(&copy, Known::Unknown(r) if r.message.contains("is not in recovery account 210987654321")),
            "{copy:?}"
        );
    }

    #[test]
    fn a_secret_replica_is_found_by_its_arn_in_the_dr_region() {
        let snapshot = fixture("rules/dr-secrets-missing/pass.json");
        let inventory = Inventory::build(&snapshot, &Matching::default());
        let secret = inventory.primary.resources.secrets.first().expect("a secret");
        let Known::Value(Some(copy)) = inventory.relations().secret_copy(secret) else { panic!("a replica") };
        assert!(copy.status.is_some_and(SecretReplica::in_sync));
        assert_eq!(copy.replica.map(|s| s.primary_region.as_deref()), Some(Some("ap-south-1")));
    }

    #[test]
    fn a_table_replica_is_the_one_in_the_dr_region() {
        let snapshot = fixture("rules/dynamodb-no-dr-replica/fail.json");
        let inventory = Inventory::build(&snapshot, &Matching::default());
        let table = inventory.primary.tables_by_name.get("orders").copied().expect("orders");
        assert!(matches!(inventory.relations().table_copy(table), Known::Value(None)));
        let snapshot = fixture("rules/dynamodb-no-dr-replica/pass.json");
        let inventory = Inventory::build(&snapshot, &Matching::default());
        let table = inventory.primary.tables_by_name.get("orders").copied().expect("orders");
        let Known::Value(Some(copy)) = inventory.relations().table_copy(table) else { panic!("a replica") };
        assert!(copy.replica.active() && copy.table.is_some());
    }

    /// The dr-asg-missing pass fixture (web-asg ⇢ web-dr-asg) plus a second primary tier.
    fn two_tiers() -> Snapshot {
        let mut snapshot = fixture("rules/dr-asg-missing/pass.json");
        let primary = snapshot.resources.regional.get_mut("ap-south-1").expect("primary");
        let mut worker = primary.auto_scaling_groups[0].clone();
        worker.arn = worker.arn.replace("web-asg", "worker-asg");
        worker.name = "worker-asg".into();
        worker.desired_capacity = 3;
        primary.auto_scaling_groups.push(worker);
        snapshot
    }

    fn dr_group<'a>(snapshot: &'a mut Snapshot, name: &str, max_size: u32) -> &'a mut AutoScalingGroup {
        let dr = snapshot.resources.regional.get_mut("us-east-1").expect("dr");
        let mut group = dr.auto_scaling_groups[0].clone();
        group.arn = group.arn.replace("web-dr-asg", name);
        group.name = name.into();
        group.max_size = max_size;
        dr.auto_scaling_groups.push(group);
        dr.auto_scaling_groups.last_mut().expect("pushed")
    }

    fn counterparts(inventory: &Inventory<'_>, name: &str) -> (Vec<String>, Option<AsgMatch>) {
        let asg =
            inventory.primary.resources.auto_scaling_groups.iter().find(|a| a.name == name).expect(name);
        let Known::Value(found) = inventory.relations().dr_asgs(asg) else { panic!("known") };
        (found.groups.iter().map(|g| g.name.clone()).collect(), found.matched_by)
    }

    #[test]
    fn a_second_tier_needs_its_own_dr_group() {
        // The worker tier launches the web tier's template: lineage would pair it with
        // web-dr-asg, but the name gave that group to the web tier.
        let snapshot = two_tiers();
        let inventory = Inventory::build(&snapshot, &Matching::default());
        assert_eq!(
            counterparts(&inventory, "web-asg"),
            (vec!["web-dr-asg".to_string()], Some(AsgMatch::Name))
        );
        assert_eq!(counterparts(&inventory, "worker-asg"), (Vec::new(), None));

        let mut snapshot = two_tiers();
        dr_group(&mut snapshot, "worker-dr-asg", 1);
        let inventory = Inventory::build(&snapshot, &Matching::default());
        assert_eq!(
            counterparts(&inventory, "worker-asg"),
            (vec!["worker-dr-asg".to_string()], Some(AsgMatch::Name))
        );
        let dr_worker = inventory.dr.resources.auto_scaling_groups.iter().find(|a| a.name == "worker-dr-asg");
        let primaries = inventory.relations().primary_asgs_of(dr_worker.expect("worker-dr-asg"));
        assert_eq!(primaries.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["worker-asg"]);
    }

    #[test]
    fn the_pairing_tag_pairs_groups_whose_names_differ() {
        let mut snapshot = two_tiers();
        let fleet = dr_group(&mut snapshot, "fleet-b", 3);
        fleet.tags.insert("drscan:dr-pair".into(), "worker-asg".into());
        let inventory = Inventory::build(&snapshot, &Matching::default());
        assert_eq!(
            counterparts(&inventory, "worker-asg"),
            (vec!["fleet-b".to_string()], Some(AsgMatch::PairingTag))
        );
        // Configured to another key, the tag no longer pairs them; only the weaker lineage
        // does (fleet-b launches web-dr-lt, and no stronger evidence gave it to the web tier).
        let matching = Matching { asg_pairing_tag: "tier".into(), ..Matching::default() };
        let inventory = Inventory::build(&snapshot, &matching);
        assert_eq!(counterparts(&inventory, "worker-asg").1, Some(AsgMatch::LaunchTemplate));
    }

    #[test]
    fn launch_template_lineage_and_sole_groups_pair_what_names_do_not() {
        let mut snapshot = fixture("rules/dr-asg-missing/pass.json");
        let dr = snapshot.resources.regional.get_mut("us-east-1").expect("dr");
        dr.auto_scaling_groups[0].name = "blue-fleet".into();
        let inventory = Inventory::build(&snapshot, &Matching::default());
        // web-lt and web-dr-lt are one lineage.
        assert_eq!(
            counterparts(&inventory, "web-asg"),
            (vec!["blue-fleet".to_string()], Some(AsgMatch::LaunchTemplate))
        );
        let dr = snapshot.resources.regional.get_mut("us-east-1").expect("dr");
        dr.launch_templates[0].name = "green".into();
        let inventory = Inventory::build(&snapshot, &Matching::default());
        let (groups, how) = counterparts(&inventory, "web-asg");
        assert_eq!(groups, ["blue-fleet"]);
        assert!(matches!(how, Some(AsgMatch::LaunchTemplate | AsgMatch::SoleGroups)), "{how:?}");
    }

    #[test]
    fn tier_names_leave_out_regions_and_role_words() {
        let regions = ["ap-south-1", "us-east-1"];
        assert_eq!(tier_name("web-asg", regions), tier_name("web-dr-asg", regions));
        assert_eq!(tier_name("Worker_ap-south-1", regions), tier_name("worker-us-east-1", regions));
        assert_eq!(tier_name("web-primary", regions), tier_name("web-DR", regions));
        assert_ne!(tier_name("web-asg", regions), tier_name("worker-dr-asg", regions));
        assert_eq!(tier_name("dr-primary", regions), None);
    }
}
