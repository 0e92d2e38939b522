//! The snapshot: the complete collected state as versioned JSON, and its loader, which turns
//! malformed, truncated or wrong-version input into located diagnostics instead of panics.

use super::{ErrorCause, ResourceKind, Resources, UnknownReason};
use crate::error::{DrscanError, span_at_line_column, span_of_key_value};
use chrono::{DateTime, Utc};
use miette::{NamedSource, SourceSpan};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The snapshot format this build writes. Version 2 added `accounts`: every account collected
/// and the sides it plays.
pub const SCHEMA_VERSION: u32 = 2;

/// Every snapshot format this build reads: version 1 snapshots are of one account, which played
/// every side (see [`Snapshot::parse`]).
pub const READABLE_SCHEMA_VERSIONS: &[u32] = &[1, 2];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub schema_version: u32,
    pub drscan_version: String,
    /// The account of the primary side (the one findings and listings are reported under).
    pub account: String,
    /// Every account collected, with the sides of the DR setup it plays (schema 2; a version 1
    /// snapshot reads as its one account playing every side).
    #[serde(default)]
    pub accounts: Vec<AccountRecord>,
    pub regions: RegionPair,
    pub collected_at: DateTime<Utc>,
    #[serde(default)]
    pub resources: Resources,
    #[serde(default)]
    pub collection_errors: Vec<CollectionError>,
}

/// What makes two snapshots two different DR setups rather than one setup at two times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incomparable {
    RegionPairs,
    PrimaryAccounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionPair {
    pub primary: String,
    pub dr: String,
}

/// The operation an account whose role could not be assumed is reported under. aws-config's
/// AssumeRoleProvider makes the call, with the *calling* identity's permission (the policy's
/// second statement), not the collectors: it is no read operation of theirs.
pub const ASSUME_ROLE_OPERATION: &str = "sts:AssumeRole";

/// The parts of a DR setup that may live in accounts of their own (SPEC §9): the primary
/// region's resources, the DR region's (a *recovery account*), the Route 53 zone (a *network
/// account*) and AWS Backup destination vaults (a *central backup account*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    Primary,
    Dr,
    Dns,
    Backup,
}

impl Side {
    pub const ALL: [Side; 4] = [Side::Primary, Side::Dr, Side::Dns, Side::Backup];

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Primary => "primary",
            Side::Dr => "dr",
            Side::Dns => "dns",
            Side::Backup => "backup",
        }
    }
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One account a collection read (or tried to): the sides it plays and the role assumed in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountRecord {
    pub account: String,
    pub sides: Vec<Side>,
    /// The role drscan assumed for these sides; `None`: the ambient credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// Why nothing of this account could be read (its role could not be assumed, say); the
    /// collection errors name the kinds this leaves unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
}

impl AccountRecord {
    /// One account that plays every side, read with the ambient credentials.
    pub fn every_side(account: &str) -> Self {
        AccountRecord {
            account: account.to_string(),
            sides: Side::ALL.to_vec(),
            role_arn: None,
            unreadable: None,
        }
    }
}

/// `name` if it is a region spelled exactly as drscan writes it: the regions module's check,
/// and no blanks around it (the name keys the snapshot's regional maps as written).
fn exact_region(name: &str) -> Result<(), String> {
    match crate::regions::check(name) {
        Ok(region) if region.name == name => Ok(()),
        Ok(region) => Err(format!("`{name}` has blanks around the region name {}", region.name)),
        Err(message) => Err(message),
    }
}

impl RegionPair {
    /// The region of the pair's partition where Route 53 lives and publishes its health-check
    /// metrics (us-east-1 in the commercial partition): its alarms and their SNS subscriptions
    /// are collected too, under this region's name, when it is neither of the pair.
    pub fn global_region(&self) -> &'static str {
        crate::regions::global_region(&self.primary)
    }

    /// The global region when it is neither of the pair, else `None`.
    pub fn extra_global_region(&self) -> Option<&'static str> {
        let global = self.global_region();
        (global != self.primary && global != self.dr).then_some(global)
    }
}

/// A listing that failed during collection: which kinds it leaves unknown, where, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectionError {
    /// `None` for global services (Route 53).
    #[serde(default)]
    pub region: Option<String>,
    pub operation: String,
    pub cause: ErrorCause,
    #[serde(default)]
    pub message: String,
    /// The resource kinds whose listing in this region is incomplete because of this error.
    #[serde(default)]
    pub kinds: Vec<ResourceKind>,
    /// When the failed call read named resources (a follow-up: the certificates listeners
    /// present, the KMS keys resources use, the AMIs templates name), those names: only they
    /// are unknown. Empty: the whole listing of `kinds` is incomplete.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// The account whose listing failed, when the run read several (schema 2): another
    /// account's listing of the same region and kind may be whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

impl CollectionError {
    pub fn reason(&self) -> UnknownReason {
        UnknownReason::new(self.operation.clone(), self.cause, self.message.clone())
    }
}

/// Only the version field, read when a full parse fails so the error can say "wrong version"
/// rather than blaming whichever field the newer format changed.
#[derive(Deserialize)]
struct VersionProbe {
    schema_version: Option<serde_json::Value>,
}

impl Snapshot {
    /// Why `self` and `later` are not two states of one DR setup (drift between them would be
    /// every resource added and removed). The other sides' accounts may change: that is drift,
    /// and the drift reports it.
    pub fn not_comparable_with(&self, later: &Snapshot) -> Option<Incomparable> {
        if self.regions != later.regions {
            Some(Incomparable::RegionPairs)
        } else if self.account != later.account {
            Some(Incomparable::PrimaryAccounts)
        } else {
            None
        }
    }

    pub fn load(path: &Path) -> Result<Snapshot, DrscanError> {
        let text = crate::input::read_text("snapshot", path)?;
        Self::parse(&path.display().to_string(), text)
    }

    pub fn parse(name: &str, text: String) -> Result<Snapshot, DrscanError> {
        match crate::input::strict_json::from_str::<Snapshot>(&text) {
            Ok(mut snapshot) => {
                if !READABLE_SCHEMA_VERSIONS.contains(&snapshot.schema_version) {
                    return Err(wrong_version(name, text, snapshot.schema_version.to_string()));
                }
                if snapshot.accounts.is_empty() {
                    // Version 1 (or a version 2 writer that left the list out): one account,
                    // every side.
                    snapshot.accounts = vec![AccountRecord::every_side(&snapshot.account)];
                }
                snapshot.validate(name, text)
            }
            Err(error) => {
                if let Ok(VersionProbe { schema_version: Some(found) }) =
                    serde_json::from_str::<VersionProbe>(&text)
                    && !found
                        .as_u64()
                        .is_some_and(|v| READABLE_SCHEMA_VERSIONS.iter().any(|r| u64::from(*r) == v))
                {
                    return Err(wrong_version(name, text, found.to_string()));
                }
                let span = span_at_line_column(&text, error.line(), error.column());
                let what = match error.classify() {
                    serde_json::error::Category::Eof => "truncated JSON",
                    serde_json::error::Category::Syntax => "invalid JSON",
                    _ if error.to_string().starts_with("duplicate key") => "the second one",
                    _ => "unexpected content",
                };
                Err(DrscanError::malformed(
                    "snapshot",
                    crate::error::json_error_message(&error),
                    what,
                    NamedSource::new(name, text),
                    span,
                ))
            }
        }
    }

    fn validate(self, name: &str, text: String) -> Result<Snapshot, DrscanError> {
        let problem = if self.regions.primary.trim().is_empty() {
            Some(("primary", "the primary region is empty".to_string()))
        } else if self.regions.dr.trim().is_empty() {
            Some(("dr", "the DR region is empty".to_string()))
        } else if let Err(message) = exact_region(&self.regions.primary) {
            Some(("primary", message))
        } else if let Err(message) = exact_region(&self.regions.dr) {
            Some(("dr", message))
        } else if self.regions.primary == self.regions.dr {
            Some(("dr", "the DR region must differ from the primary region".to_string()))
        } else {
            None
        };
        match problem {
            None => Ok(self),
            Some((key, message)) => {
                // The key inside `regions`: a tag or a name elsewhere may spell `"dr"` too.
                let regions = text.find("\"regions\"").unwrap_or(0);
                let within = span_of_key_value(&text[regions..], key);
                let span = SourceSpan::from((regions + within.offset(), within.len()));
                Err(DrscanError::malformed("snapshot", message, "here", NamedSource::new(name, text), span))
            }
        }
    }

    /// The account that plays `side` (the primary account when no record names the side).
    pub fn account_of(&self, side: Side) -> &str {
        self.accounts
            .iter()
            .find(|record| record.sides.contains(&side))
            .map_or(self.account.as_str(), |record| record.account.as_str())
    }

    /// Whether `account`'s resources were read: it is a collected account that could be read.
    /// `None`: read. Otherwise why `account`'s resources cannot be in the snapshot: it could
    /// not be read (its role could not be assumed), or no side of the run is in it.
    pub fn account_unread(&self, account: &str) -> Option<UnknownReason> {
        match self.accounts.iter().find(|record| record.account == account) {
            Some(AccountRecord { unreadable: None, .. }) => None,
            Some(AccountRecord { unreadable: Some(why), sides, .. }) => Some(UnknownReason::new(
                ASSUME_ROLE_OPERATION,
                ErrorCause::AccessDenied,
                format!(
                    "account {account} of the {} side could not be read: {why}",
                    sides.iter().map(|side| side.as_str()).collect::<Vec<_>>().join(", ")
                ),
            )),
            None => Some(UnknownReason::new(
                ASSUME_ROLE_OPERATION,
                ErrorCause::Unresolvable,
                format!(
                    "account {account} was not collected: give drscan a role in it (--backup-role-arn for a backup vault account, or [accounts] in drscan.toml)"
                ),
            )),
        }
    }

    /// Why the listing of `kind` in `region` (`None`: global) is incomplete, if it is: an
    /// unreachable region, or a failed call that was about the whole kind.
    pub fn listing_gap(&self, region: Option<&str>, kind: ResourceKind) -> Option<UnknownReason> {
        if let Some(region) = region
            && !self.resources.regional.contains_key(region)
        {
            // A region absent from the snapshot was unreachable (or never collected).
            return Some(
                self.collection_errors
                    .iter()
                    .find(|e| e.region.as_deref() == Some(region))
                    .map(CollectionError::reason)
                    .unwrap_or_else(|| {
                        UnknownReason::new(
                            format!("collection of {region}"),
                            ErrorCause::Connectivity,
                            format!("the snapshot holds no data for {region}"),
                        )
                    }),
            );
        }
        // A follow-up that named its resources left only those unknown (see `unread_named`).
        self.collection_errors
            .iter()
            .find(|e| e.region.as_deref() == region && e.kinds.contains(&kind) && e.resources.is_empty())
            .map(CollectionError::reason)
    }

    /// [`Self::listing_gap`] for the resources of one account: a failed listing of another
    /// account that shares the region (a central backup account's vaults beside the recovery
    /// account's) leaves this account's listing whole.
    pub fn listing_gap_of(&self, region: &str, kind: ResourceKind, account: &str) -> Option<UnknownReason> {
        if !self.resources.regional.contains_key(region) {
            return self.listing_gap(Some(region), kind);
        }
        self.collection_errors
            .iter()
            .find(|e| {
                e.region.as_deref() == Some(region)
                    && e.kinds.contains(&kind)
                    && e.resources.is_empty()
                    && e.account.as_deref().is_none_or(|a| a == account)
            })
            .map(CollectionError::reason)
    }

    /// The resources of `region` (`None`: global) that follow-up calls could not read, each
    /// with its kind and why: what [`Self::listing_gap`] leaves out.
    pub fn unread_named(
        &self,
        region: Option<&str>,
    ) -> impl Iterator<Item = (ResourceKind, &str, UnknownReason)> + '_ {
        let region = region.map(str::to_string);
        self.collection_errors.iter().filter(move |e| e.region == region).flat_map(|e| {
            e.kinds
                .iter()
                .flat_map(move |kind| e.resources.iter().map(move |name| (*kind, name.as_str(), e.reason())))
        })
    }
}

fn wrong_version(name: &str, text: String, found: String) -> DrscanError {
    let span = span_of_key_value(&text, "schema_version");
    DrscanError::malformed(
        "snapshot",
        format!(
            "unsupported schema_version {found}: this drscan reads schema_version {}",
            READABLE_SCHEMA_VERSIONS.iter().map(u32::to_string).collect::<Vec<_>>().join(" and ")
        ),
        "this version",
        NamedSource::new(name, text),
        span,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal(version: u32, accounts: &str) -> String {
        format!(
            r#"{{"schema_version": {version}, "drscan_version": "0.1.0", "account": "111111111111",{accounts}
"regions": {{"primary": "ap-south-1", "dr": "us-east-1"}}, "collected_at": "2026-12-01T00:00:00Z"}}"#
        )
    }

    #[test]
    fn a_version_1_snapshot_reads_as_one_account_playing_every_side() {
        let snapshot = Snapshot::parse("v1.json", minimal(1, "")).expect("a version 1 snapshot is read");
        assert_eq!(snapshot.accounts, [AccountRecord::every_side("111111111111")]);
        assert_eq!(snapshot.account_of(Side::Backup), "111111111111");
        assert_eq!(snapshot.account_unread("111111111111"), None);
        let other = snapshot.account_unread("333333333333").expect("an account not collected");
        assert_eq!(other.cause, ErrorCause::Unresolvable);
    }

    #[test]
    fn a_version_2_snapshot_keeps_its_accounts_and_sides() {
        let accounts = r#" "accounts": [
  {"account": "111111111111", "sides": ["primary", "dns"]},
  {"account": "222222222222", "sides": ["dr"], "role_arn": "arn:aws:iam::222222222222:role/drscan-audit"},
  {"account": "333333333333", "sides": ["backup"], "unreadable": "sts:AssumeRole: denied"}],"#;
        let snapshot =
            Snapshot::parse("v2.json", minimal(2, accounts)).expect("a version 2 snapshot is read");
        assert_eq!(snapshot.accounts.len(), 3);
        assert_eq!(snapshot.account_of(Side::Dr), "222222222222");
        assert_eq!(snapshot.account_of(Side::Dns), "111111111111");
        let unread = snapshot.account_unread("333333333333").expect("unreadable");
        assert!(unread.message.contains("backup side"), "{}", unread.message);
        // Written back, it reads the same.
        let text = serde_json::to_string(&snapshot).expect("serializes");
        assert_eq!(Snapshot::parse("again.json", text).ok(), Some(snapshot));
    }

    #[test]
    fn another_accounts_failed_listing_leaves_this_accounts_whole() {
        let mut snapshot = Snapshot::parse("v1.json", minimal(1, "")).expect("read");
        snapshot.resources.regional.insert("us-east-1".into(), Default::default());
        let vaults = |account: Option<&str>| CollectionError {
            region: Some("us-east-1".into()),
            operation: ASSUME_ROLE_OPERATION.into(),
            cause: ErrorCause::AccessDenied,
            message: String::new(),
            kinds: vec![ResourceKind::BackupVault],
            resources: Vec::new(),
            account: account.map(str::to_string),
        };
        snapshot.collection_errors = vec![vaults(Some("333333333333"))];
        let gap = |account| snapshot.listing_gap_of("us-east-1", ResourceKind::BackupVault, account);
        assert!(gap("333333333333").is_some());
        assert!(gap("222222222222").is_none());
        // Unattributed (one account's run): every account's listing is incomplete.
        snapshot.collection_errors = vec![vaults(None)];
        let gap = |account| snapshot.listing_gap_of("us-east-1", ResourceKind::BackupVault, account);
        assert!(gap("222222222222").is_some());
        // A region absent from the snapshot is unknown whoever's it is.
        assert!(snapshot.listing_gap_of("ap-south-1", ResourceKind::BackupVault, "1").is_some());
    }

    #[test]
    fn versions_this_build_does_not_know_are_refused_naming_those_it_reads() {
        let Err(error) = Snapshot::parse("v3.json", minimal(3, "")) else { panic!("version 3 was read") };
        let text = format!("{error:?}");
        assert!(text.contains("unsupported schema_version 3") && text.contains("1 and 2"), "{text}");
    }
}
