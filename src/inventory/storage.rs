//! File systems, object storage and backups of one region: EFS with its backup policy and
//! replication, S3 buckets with their versioning, replication rules and the replication metrics
//! S3 publishes in the destination's region, and AWS Backup plans (rules, copy actions,
//! selections), vaults with their recovery points and access policies, recent failed copy jobs,
//! and the region's resource-type opt-in settings — with AWS Backup's semantics for what a
//! selection picks and which recovery points count.

use super::Tags;
use super::database::MetricWindow;
use super::known::{Known, UnknownReason};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSystem {
    pub arn: String,
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub life_cycle_state: String,
    #[serde(default)]
    pub encrypted: bool,
    #[serde(default)]
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// Automatic backups (`ENABLED`, `ENABLING`, `DISABLED`, `DISABLING`).
    pub backup_policy: Known<String>,
    /// Replication destinations; unknown when DescribeReplicationConfigurations failed.
    pub replication: Known<Vec<ReplicationDestination>>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicationDestination {
    pub region: String,
    pub file_system_id: String,
    /// `ENABLED`, `ENABLING`, `DELETING`, `ERROR`, `PAUSED`, `PAUSING`.
    pub status: String,
    #[serde(default)]
    pub last_replicated_timestamp: Option<DateTime<Utc>>,
    /// The account of the destination file system when AWS names it (`OwnerId`; schema 2): a
    /// replication to a recovery account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
}

/// An S3 general purpose bucket of the region (`GetBucketLocation`, or `BucketRegion` of
/// ListBuckets). Never an object or its contents.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    /// `arn:aws:s3:::<name>`: bucket ARNs carry neither region nor account.
    pub arn: String,
    pub name: String,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// `Enabled` or `Suspended`; `Disabled` for a bucket that never had versioning (AWS then
    /// returns no status). Unknown when GetBucketVersioning failed.
    pub versioning: Known<String>,
    /// The replication configuration (`None`: the bucket has none); unknown when
    /// GetBucketReplication failed.
    pub replication: Known<Option<BucketReplication>>,
    /// Replication metric series S3 publishes in this region (the destination's) for rules
    /// that replicate into this bucket; unknown when CloudWatch could not be read.
    #[serde(default)]
    pub incoming_replication: Known<Vec<IncomingReplication>>,
    #[serde(default)]
    pub tags: Tags,
    /// Why its tags could not be read (GetBucketTagging failed): `tags` is then empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags_unknown: Option<UnknownReason>,
}

impl Bucket {
    /// Versioning is on (`Enabled`): what S3 replication needs on source and destination.
    pub fn versioned(&self) -> Known<bool> {
        match &self.versioning {
            Known::Value(status) => Known::Value(status == "Enabled"),
            Known::Unknown(reason) => Known::Unknown(reason.clone()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketReplication {
    /// The IAM role S3 assumes to replicate.
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub rules: Vec<BucketReplicationRule>,
}

/// One rule of a bucket's replication configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketReplicationRule {
    #[serde(default)]
    pub id: String,
    /// `Enabled` or `Disabled`.
    pub status: String,
    #[serde(default)]
    pub priority: Option<i32>,
    /// Which objects the rule replicates: `""` for the whole bucket, else a description of the
    /// filter (`prefix logs/`, `tag k=v`, …).
    #[serde(default)]
    pub scope: String,
    /// `arn:aws:s3:::<name>` of the destination bucket.
    pub destination_bucket_arn: String,
    /// The destination bucket's owner, when the rule names one (cross-account replication).
    #[serde(default)]
    pub destination_account: Option<String>,
    /// `DeleteMarkerReplication` status (`Enabled`/`Disabled`); `None` when the rule does not
    /// set it (a rule of the V1 schema, with a `Prefix` and no `Filter`, replicates delete
    /// markers).
    #[serde(default)]
    pub delete_marker_replication: Option<String>,
    /// `ExistingObjectReplication` status; `None`: not set (existing objects are not replicated).
    #[serde(default)]
    pub existing_object_replication: Option<String>,
    /// S3 Replication Time Control: the time bound in minutes when enabled (AWS allows 15).
    #[serde(default)]
    pub replication_time_minutes: Option<u32>,
    /// Replication metrics are on (`Metrics.Status` `Enabled`; S3 RTC turns them on).
    #[serde(default)]
    pub metrics_enabled: bool,
}

impl BucketReplicationRule {
    pub fn enabled(&self) -> bool {
        self.status == "Enabled"
    }

    /// The destination bucket's name.
    pub fn destination_bucket(&self) -> &str {
        self.destination_bucket_arn.strip_prefix("arn:aws:s3:::").unwrap_or(&self.destination_bucket_arn)
    }

    /// Delete markers are replicated: set `Enabled`, or a V1 rule that replicates them implicitly.
    pub fn replicates_delete_markers(&self) -> bool {
        self.delete_marker_replication.as_deref().is_none_or(|s| s == "Enabled")
    }

    pub fn replicates_existing_objects(&self) -> bool {
        self.existing_object_replication.as_deref() == Some("Enabled")
    }
}

/// The replication metrics of one source bucket's rule, as published in the destination
/// bucket's region (dimensions `SourceBucket`, `DestinationBucket`, `RuleId`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomingReplication {
    pub source_bucket: String,
    pub rule_id: String,
    /// `ReplicationLatency`, per-minute maxima in seconds.
    pub latency: MetricWindow,
    /// The largest `OperationsPendingReplication` in the window (`None`: no datapoints).
    pub max_pending_operations: Known<Option<f64>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupPlan {
    pub arn: String,
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub rules: Vec<BackupRule>,
    /// Why the plan's rules could not be read (GetBackupPlan failed): `rules` is then empty,
    /// and what the plan copies where is unknown for the resources it selects. `None`: read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules_unknown: Option<UnknownReason>,
    /// Which resources the plan protects; unknown when ListBackupSelections failed.
    pub selections: Known<Vec<BackupSelection>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupRule {
    pub name: String,
    /// An AWS Backup `cron(...)` or `rate(...)` expression.
    pub schedule_expression: String,
    #[serde(default)]
    pub schedule_timezone: Option<String>,
    #[serde(default)]
    pub start_window_minutes: Option<u32>,
    #[serde(default)]
    pub completion_window_minutes: Option<u32>,
    pub target_vault_name: String,
    #[serde(default)]
    pub copy_actions: Vec<CopyAction>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopyAction {
    pub destination_vault_arn: String,
    #[serde(default)]
    pub delete_after_days: Option<u32>,
}

impl CopyAction {
    /// The region part of the destination vault ARN.
    pub fn destination_region(&self) -> Option<&str> {
        self.destination_vault_arn.split(':').nth(3)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSelection {
    pub id: String,
    pub name: String,
    /// Resource ARNs or ARN patterns with `*` wildcards.
    #[serde(default)]
    pub resources: Vec<String>,
    #[serde(default)]
    pub not_resources: Vec<String>,
    /// `ListOfTags`: a resource matching any of these is selected.
    #[serde(default)]
    pub list_of_tags: Vec<TagCondition>,
    /// `Conditions`: all of these must hold (AND) for resources selected by `resources`.
    #[serde(default)]
    pub conditions: Vec<TagCondition>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagCondition {
    /// `StringEquals`, `StringNotEquals`, `StringLike` or `StringNotLike`.
    pub operator: String,
    /// Tag key, with or without the `aws:ResourceTag/` prefix.
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupVault {
    pub arn: String,
    pub name: String,
    #[serde(default)]
    pub kms_key_arn: Option<String>,
    /// Recovery points in the vault; unknown when ListRecoveryPointsByBackupVault failed.
    pub recovery_points: Known<Vec<RecoveryPoint>>,
    /// Only recovery points created since this time were read (`None`: all of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_points_since: Option<DateTime<Utc>>,
    /// The statements of the vault's access policy (empty: the vault has none); unknown when
    /// GetBackupVaultAccessPolicy failed; `None` when not read (a snapshot of an older drscan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_policy: Option<Known<Vec<PolicyStatement>>>,
    /// The vault's AWS Backup Vault Lock, as ListBackupVaults reports it; `None`: no lock is
    /// configured (or a snapshot of an older drscan, which did not read it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<VaultLock>,
}

/// AWS Backup Vault Lock on a vault: every backup or copy job into it must keep its recovery
/// point at least `min_retention_days` and at most `max_retention_days`, or AWS Backup fails
/// the job (API_PutBackupVaultLockConfiguration). `locked` is ListBackupVaults' `Locked`: the
/// lock is in force (compliance mode past its grace time, or governance mode).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaultLock {
    #[serde(default)]
    pub locked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_retention_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retention_days: Option<u32>,
    /// When a compliance-mode lock becomes immutable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_date: Option<DateTime<Utc>>,
}

impl VaultLock {
    /// Why this lock fails a job that keeps its recovery point `delete_after_days` (`None`:
    /// forever, a lifecycle without deletion), or `None` when the job's retention fits.
    pub fn refuses(&self, delete_after_days: Option<u32>) -> Option<String> {
        match (delete_after_days, self.min_retention_days, self.max_retention_days) {
            (Some(days), Some(min), _) if days < min => {
                Some(format!("it keeps copies {days} days and the vault lock requires at least {min}"))
            }
            (Some(days), _, Some(max)) if days > max => {
                Some(format!("it keeps copies {days} days and the vault lock allows at most {max}"))
            }
            (None, _, Some(max)) => {
                Some(format!("it keeps copies forever and the vault lock allows at most {max} days"))
            }
            _ => None,
        }
    }
}

/// One statement of a resource policy, as much of it as drscan judges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyStatement {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: String,
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_actions: Vec<String>,
    /// Principals as written (`*` for anyone, else ARNs, account IDs or service names).
    #[serde(default)]
    pub principals: Vec<String>,
    /// The statement names `NotPrincipal` rather than `Principal`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_principal: bool,
    /// The statement has a `Condition`, which drscan does not evaluate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub conditional: bool,
}

/// Whether a policy denies an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial<'s> {
    /// No `Deny` statement covers the action.
    No,
    /// A `Deny` statement covers the action for every principal, unconditionally.
    Denied(&'s PolicyStatement),
    /// A `Deny` statement covers the action for some principals or under conditions that
    /// drscan does not evaluate.
    Maybe(&'s PolicyStatement),
}

impl PolicyStatement {
    /// Whether the statement names the action (IAM actions are case-insensitive; `*` wildcards).
    pub fn covers(&self, action: &str) -> bool {
        let action = action.to_ascii_lowercase();
        let matches = |p: &String| wildcard_match(&p.to_ascii_lowercase(), &action);
        if self.not_actions.is_empty() {
            self.actions.iter().any(matches)
        } else {
            !self.not_actions.iter().any(matches)
        }
    }
}

/// What the statements say about `action`: the first unconditional denial, else the first
/// denial drscan cannot evaluate, else no denial.
pub fn denial<'s>(statements: &'s [PolicyStatement], action: &str) -> Denial<'s> {
    let mut maybe = None;
    for statement in statements.iter().filter(|s| s.effect.eq_ignore_ascii_case("Deny") && s.covers(action)) {
        let everyone = statement.principals.iter().any(|p| p == "*") && !statement.not_principal;
        if everyone && !statement.conditional {
            return Denial::Denied(statement);
        }
        maybe = maybe.or(Some(statement));
    }
    maybe.map_or(Denial::No, Denial::Maybe)
}

/// A copy job that AWS Backup reports `FAILED` (`ListCopyJobs`), in the region it ran from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopyJob {
    pub id: String,
    pub resource_arn: String,
    #[serde(default)]
    pub resource_type: String,
    pub destination_vault_arn: String,
    /// `FAILED` (the only state drscan lists).
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    pub creation_date: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_date: Option<DateTime<Utc>>,
}

impl CopyJob {
    /// The region part of the destination vault ARN.
    pub fn destination_region(&self) -> Option<&str> {
        self.destination_vault_arn.split(':').nth(3)
    }
}

/// One resource type's opt-in preference in a region (`DescribeRegionSettings`
/// `ResourceTypeOptInPreference`): AWS Backup protects a type that is not opted in only when
/// a selection names it explicitly (see [`Pick`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceTypeOptIn {
    /// AWS Backup's resource type name: `EFS`, `RDS`, `Aurora`, `DocumentDB`, `Neptune`, ….
    pub resource_type: String,
    pub opted_in: bool,
}

/// How a backup selection picks a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pick {
    /// Not selected.
    No,
    /// Selected through tags or through every resource (`*`, or no `Resources` at all): AWS
    /// Backup applies the region's opt-in settings.
    IfOptedIn,
    /// A `Resources` pattern names the resource's service: AWS Backup disregards the opt-in
    /// settings (except for Aurora, DocumentDB and Neptune, which always need them).
    Assigned,
}

/// The opt-in that AWS Backup applies to a resource type even when a selection names it
/// (AWS Backup Developer Guide, "Assigning resources": Aurora, Neptune and DocumentDB).
pub fn always_needs_opt_in(resource_type: &str) -> bool {
    matches!(resource_type, "Aurora" | "DocumentDB" | "Neptune")
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryPoint {
    pub arn: String,
    pub resource_arn: String,
    #[serde(default)]
    pub resource_type: String,
    /// `COMPLETED`, `PARTIAL`, `DELETING`, `EXPIRED`, `AVAILABLE`, `STOPPED`, `CREATING`.
    pub status: String,
    pub creation_date: DateTime<Utc>,
    #[serde(default)]
    pub completion_date: Option<DateTime<Utc>>,
}

impl RecoveryPoint {
    /// Whether the point can be restored as a DR copy. The current Backup model
    /// (`RecoveryPointStatus`) documents `COMPLETED` and `AVAILABLE` ("successfully created …
    /// ready for use") as finished points; `CREATING` is not finished, `PARTIAL` is a composite
    /// point missing nested points, `EXPIRED` is past its retention, `DELETING` is going, and
    /// `STOPPED` is a continuous backup that was disabled — none of them counts.
    pub fn usable(&self) -> bool {
        matches!(self.status.as_str(), "COMPLETED" | "AVAILABLE")
    }
}

impl BackupSelection {
    /// Whether this selection protects the resource (see [`Self::pick`]).
    pub fn selects(&self, arn: &str, tags: &super::Tags) -> bool {
        self.pick(arn, tags) != Pick::No
    }

    /// How this selection picks the resource, following AWS Backup's semantics
    /// (`BackupSelection` in the API reference): (`Resources` match AND every `Conditions`
    /// entry holds) OR any `ListOfTags` entry holds — never a resource `NotResources` matches.
    /// A selection with neither `Resources` nor `ListOfTags` is not empty to AWS: "Backup
    /// attempts to select all supported and opted-in storage resources", so it selects every
    /// resource that its `Conditions` (if any) allow, subject to opt-in.
    pub fn pick(&self, arn: &str, tags: &super::Tags) -> Pick {
        if self.not_resources.iter().any(|p| wildcard_match(p, arn)) {
            return Pick::No;
        }
        let conditions = self.conditions.iter().all(|c| c.holds(tags));
        let by_resources = if self.resources.is_empty() {
            // Every resource — unless ListOfTags says which.
            (self.list_of_tags.is_empty() && conditions).then_some(Pick::IfOptedIn)
        } else {
            let named = self.resources.iter().filter(|p| wildcard_match(p, arn));
            let best = named.map(|p| if names_service(p) { Pick::Assigned } else { Pick::IfOptedIn }).max();
            best.filter(|_| conditions)
        };
        let by_tags = self.list_of_tags.iter().any(|c| c.holds(tags)).then_some(Pick::IfOptedIn);
        by_resources.max(by_tags).unwrap_or(Pick::No)
    }
}

/// Whether an ARN pattern names its service (`arn:aws:elasticfilesystem:*`), as opposed to
/// every resource (`*`, `arn:aws:*`).
fn names_service(pattern: &str) -> bool {
    pattern.split(':').nth(2).is_some_and(|service| !service.is_empty() && !service.contains('*'))
}

impl TagCondition {
    pub fn holds(&self, tags: &super::Tags) -> bool {
        let key = self.key.strip_prefix("aws:ResourceTag/").unwrap_or(&self.key);
        let value = tags.get(key);
        match self.operator.as_str() {
            "StringEquals" | "STRINGEQUALS" => value.is_some_and(|v| *v == self.value),
            "StringNotEquals" => value.is_none_or(|v| *v != self.value),
            "StringLike" => value.is_some_and(|v| wildcard_match(&self.value, v)),
            "StringNotLike" => value.is_none_or(|v| !wildcard_match(&self.value, v)),
            // An operator drscan does not know selects nothing rather than everything.
            _ => false,
        }
    }
}

/// `*` matches any run of characters (including none); everything else matches itself.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((star_pi, star_ti)) = star {
            pi = star_pi + 1;
            ti = star_ti + 1;
            star = Some((star_pi, star_ti + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> crate::inventory::Tags {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*", "arn:aws:elasticfilesystem:ap-south-1:1:file-system/fs-1"));
        assert!(wildcard_match(
            "arn:aws:elasticfilesystem:*:file-system/*",
            "arn:aws:elasticfilesystem:ap-south-1:1:file-system/fs-1"
        ));
        assert!(!wildcard_match("arn:aws:rds:*", "arn:aws:elasticfilesystem:x"));
        assert!(wildcard_match("a*b*c", "aXXbYc"));
        assert!(!wildcard_match("a*b*c", "aXXbY"));
    }

    #[test]
    fn selection_semantics() {
        let fs = "arn:aws:elasticfilesystem:ap-south-1:1:file-system/fs-1";
        let selection = BackupSelection {
            id: "s".into(),
            name: "s".into(),
            resources: vec!["arn:aws:elasticfilesystem:*".into()],
            not_resources: vec![],
            list_of_tags: vec![],
            conditions: vec![TagCondition {
                operator: "StringEquals".into(),
                key: "aws:ResourceTag/backup".into(),
                value: "daily".into(),
            }],
        };
        assert!(selection.selects(fs, &tags(&[("backup", "daily")])));
        assert!(!selection.selects(fs, &tags(&[("backup", "weekly")])));
        let excluded = BackupSelection { not_resources: vec![fs.into()], ..selection.clone() };
        assert!(!excluded.selects(fs, &tags(&[("backup", "daily")])));
        let by_tag = BackupSelection {
            resources: vec![],
            conditions: vec![],
            list_of_tags: vec![TagCondition {
                operator: "STRINGEQUALS".into(),
                key: "app".into(),
                value: "web".into(),
            }],
            ..selection
        };
        assert!(by_tag.selects(fs, &tags(&[("app", "web")])));
        assert!(!by_tag.selects(fs, &tags(&[])));
        assert_eq!(by_tag.pick(fs, &tags(&[("app", "web")])), Pick::IfOptedIn);
    }

    fn selection() -> BackupSelection {
        BackupSelection { id: "s".into(), name: "s".into(), ..BackupSelection::default() }
    }

    fn equals(key: &str, value: &str) -> TagCondition {
        TagCondition { operator: "StringEquals".into(), key: key.into(), value: value.into() }
    }

    #[test]
    fn an_empty_selection_selects_every_opted_in_resource() {
        // API reference, BackupSelection: without conditions, tags or resources "Backup attempts
        // to select all supported and opted-in storage resources".
        let fs = "arn:aws:elasticfilesystem:ap-south-1:1:file-system/fs-1";
        assert_eq!(selection().pick(fs, &tags(&[])), Pick::IfOptedIn);
        let excluded = BackupSelection { not_resources: vec![fs.into()], ..selection() };
        assert_eq!(excluded.pick(fs, &tags(&[])), Pick::No);
    }

    #[test]
    fn a_conditions_only_selection_selects_what_its_conditions_allow() {
        let fs = "arn:aws:elasticfilesystem:ap-south-1:1:file-system/fs-1";
        let conditional =
            BackupSelection { conditions: vec![equals("aws:ResourceTag/backup", "dr")], ..selection() };
        assert_eq!(conditional.pick(fs, &tags(&[("backup", "dr")])), Pick::IfOptedIn);
        assert_eq!(conditional.pick(fs, &tags(&[("backup", "none")])), Pick::No);
        // With ListOfTags, the selection is what the tags pick; Conditions go with Resources.
        let listed = BackupSelection { list_of_tags: vec![equals("app", "web")], ..conditional };
        assert_eq!(listed.pick(fs, &tags(&[("backup", "dr")])), Pick::No);
        assert_eq!(listed.pick(fs, &tags(&[("app", "web")])), Pick::IfOptedIn);
    }

    #[test]
    fn resources_that_name_the_service_assign_it_regardless_of_opt_in() {
        let fs = "arn:aws:elasticfilesystem:ap-south-1:1:file-system/fs-1";
        let by_type = BackupSelection {
            resources: vec!["arn:aws:elasticfilesystem:*:*:file-system/*".into()],
            ..selection()
        };
        assert_eq!(by_type.pick(fs, &tags(&[])), Pick::Assigned);
        let everything = BackupSelection { resources: vec!["*".into()], ..selection() };
        assert_eq!(everything.pick(fs, &tags(&[])), Pick::IfOptedIn);
        let both = BackupSelection { resources: vec!["*".into(), fs.into()], ..selection() };
        assert_eq!(both.pick(fs, &tags(&[])), Pick::Assigned);
        let not_it = BackupSelection { resources: vec!["arn:aws:rds:*".into()], ..selection() };
        assert_eq!(not_it.pick(fs, &tags(&[])), Pick::No);
    }

    #[test]
    fn only_completed_and_available_recovery_points_are_usable() {
        for (status, usable) in [
            ("COMPLETED", true),
            ("AVAILABLE", true),
            ("PARTIAL", false),
            ("DELETING", false),
            ("EXPIRED", false),
            ("STOPPED", false),
            ("CREATING", false),
        ] {
            let point = RecoveryPoint { status: status.into(), ..RecoveryPoint::default() };
            assert_eq!(point.usable(), usable, "{status}");
        }
    }

    #[test]
    fn policy_denials() {
        let deny = |actions: &[&str], principals: &[&str], conditional: bool| PolicyStatement {
            effect: "Deny".into(),
            actions: actions.iter().map(|a| a.to_string()).collect(),
            principals: principals.iter().map(|p| p.to_string()).collect(),
            conditional,
            ..PolicyStatement::default()
        };
        let restore = "backup:StartRestoreJob";
        assert_eq!(denial(&[deny(&["backup:DeleteRecoveryPoint"], &["*"], false)], restore), Denial::No);
        let all = [deny(&["backup:*"], &["*"], false)];
        assert_eq!(denial(&all, restore), Denial::Denied(&all[0]));
        let upper = [deny(&["BACKUP:STARTRESTOREJOB"], &["*"], false)];
        assert_eq!(denial(&upper, restore), Denial::Denied(&upper[0]));
        let conditional = [deny(&["backup:StartRestoreJob"], &["*"], true)];
        assert_eq!(denial(&conditional, restore), Denial::Maybe(&conditional[0]));
        let one_role = [deny(&["backup:StartRestoreJob"], &["arn:aws:iam::1:role/r"], false)];
        assert_eq!(denial(&one_role, restore), Denial::Maybe(&one_role[0]));
        let not_action =
            [PolicyStatement { not_actions: vec!["backup:Describe*".into()], ..deny(&[], &["*"], false) }];
        assert_eq!(denial(&not_action, restore), Denial::Denied(&not_action[0]));
        let allow = [PolicyStatement { effect: "Allow".into(), ..deny(&["*"], &["*"], false) }];
        assert_eq!(denial(&allow, restore), Denial::No);
    }

    #[test]
    fn a_vault_lock_refuses_copies_kept_outside_its_retention_range() {
        let lock = VaultLock {
            locked: true,
            min_retention_days: Some(7),
            max_retention_days: Some(365),
            lock_date: None,
        };
        assert_eq!(lock.refuses(Some(7)), None);
        assert_eq!(lock.refuses(Some(365)), None);
        assert!(lock.refuses(Some(6)).is_some_and(|why| why.contains("at least 7")));
        assert!(lock.refuses(Some(366)).is_some_and(|why| why.contains("at most 365")));
        assert!(lock.refuses(None).is_some_and(|why| why.contains("forever")));
        // A lock with only a minimum takes copies kept forever; one with only a maximum, any
        // retention up to it.
        let min_only = VaultLock { max_retention_days: None, ..lock.clone() };
        assert_eq!(min_only.refuses(None), None);
        let max_only = VaultLock { min_retention_days: None, ..lock };
        assert_eq!(max_only.refuses(Some(1)), None);
    }
}
