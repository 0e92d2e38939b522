//! File systems and backups of one region: EFS with its backup policy and replication, and AWS
//! Backup plans (rules, copy actions, selections), vaults and their recovery points.

use super::Tags;
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
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryPoint {
    pub arn: String,
    pub resource_arn: String,
    #[serde(default)]
    pub resource_type: String,
    /// `COMPLETED`, `PARTIAL`, `DELETING`, `EXPIRED`.
    pub status: String,
    pub creation_date: DateTime<Utc>,
    #[serde(default)]
    pub completion_date: Option<DateTime<Utc>>,
}

impl BackupSelection {
    /// Whether this selection protects the resource, following AWS Backup's semantics:
    /// (`Resources` match AND every `Conditions` entry holds) OR any `ListOfTags` entry
    /// matches — and never a resource matched by `NotResources`.
    pub fn selects(&self, arn: &str, tags: &super::Tags) -> bool {
        if self.not_resources.iter().any(|p| wildcard_match(p, arn)) {
            return false;
        }
        let by_resources = self.resources.iter().any(|p| wildcard_match(p, arn))
            && self.conditions.iter().all(|c| c.holds(tags));
        by_resources || self.list_of_tags.iter().any(|c| c.holds(tags))
    }
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
    }
}
