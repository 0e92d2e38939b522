//! The rule framework: what a rule is (metadata + documentation + a check over the inventory
//! graph), the output a check writes into, and the registry of every rule. Rules live one per
//! file, grouped by domain; each group's `mod.rs` only re-exports.

pub mod catalog;
pub mod compute;
pub mod database;
pub mod dns;
pub mod files;
pub mod readiness;
mod registry;

pub use registry::RULES;

use crate::findings::{Finding, ResourceRef, Severity, Status, resource};
use crate::inventory::graph::{Inventory, RegionView};
use crate::inventory::{ResourceKind, UnknownReason};
use crate::settings::Settings;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleGroup {
    ComputeAndCapacity,
    LoadBalancingAndDns,
    Databases,
    FilesAndBackups,
    Readiness,
}

impl RuleGroup {
    pub fn title(self) -> &'static str {
        match self {
            RuleGroup::ComputeAndCapacity => "Compute and capacity",
            RuleGroup::LoadBalancingAndDns => "Load balancing and DNS",
            RuleGroup::Databases => "Databases",
            RuleGroup::FilesAndBackups => "Files and backups",
            RuleGroup::Readiness => "Readiness",
        }
    }
}

/// Everything about a rule except its check.
#[derive(Debug)]
pub struct RuleMeta {
    /// Kebab-case name; never reused or renamed without an alias.
    pub name: &'static str,
    /// `DRnnn`; never reused.
    pub code: &'static str,
    pub severity: Severity,
    pub group: RuleGroup,
    /// One line, for listings and SARIF `shortDescription`.
    pub summary: &'static str,
    /// The rule's doc comment, verbatim (each line keeps the leading space rustdoc gives it).
    pub raw_doc: &'static str,
}

impl RuleMeta {
    /// The documentation as Markdown: `## What it does`, `## Why is this bad?`, `## Example`,
    /// `## How to fix`, `## References`.
    pub fn documentation(&self) -> String {
        let mut out = String::with_capacity(self.raw_doc.len());
        for line in self.raw_doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string() + "\n"
    }

    /// One section of the documentation, without its heading.
    pub fn section(&self, heading: &str) -> Option<String> {
        let doc = self.documentation();
        let marker = format!("## {heading}\n");
        let start = doc.find(&marker)? + marker.len();
        let rest = &doc[start..];
        let end = rest.find("\n## ").map(|i| i + 1).unwrap_or(rest.len());
        Some(rest[..end].trim().to_string())
    }
}

/// The sections every rule's documentation must have, in order.
pub const DOC_SECTIONS: [&str; 5] =
    ["What it does", "Why is this bad?", "Example", "How to fix", "References"];

/// What a check sees: the inventory graph, the settings, and "now" — the snapshot's
/// `collected_at`, so an old snapshot audits the same way tomorrow.
pub struct Context<'a, 's> {
    pub inventory: &'a Inventory<'s>,
    pub settings: &'a Settings,
    pub now: DateTime<Utc>,
    /// The RTO/RPO estimates (SPEC §6), computed before the rules run.
    pub estimates: &'a crate::estimate::Estimates,
}

impl<'a, 's> Context<'a, 's> {
    /// The primary region, after reporting `unknown` for each of `kinds` whose listing failed
    /// there (see [`report_listing_gaps`]): the region a primary-side check then walks.
    pub fn primary_listed(
        &self,
        out: &mut RuleOutput,
        kinds: &[ResourceKind],
        purpose: &str,
    ) -> &'a RegionView<'s> {
        report_listing_gaps(self, out, Side::Primary, kinds, purpose);
        &self.inventory.primary
    }

    /// The DR region, after reporting its listing gaps for `kinds` (see [`Self::primary_listed`]).
    pub fn dr_listed(
        &self,
        out: &mut RuleOutput,
        kinds: &[ResourceKind],
        purpose: &str,
    ) -> &'a RegionView<'s> {
        report_listing_gaps(self, out, Side::Dr, kinds, purpose);
        &self.inventory.dr
    }

    /// Both regions (primary first), after reporting the listing gaps of each for `kinds`.
    pub fn regions_listed(
        &self,
        out: &mut RuleOutput,
        kinds: &[ResourceKind],
        purpose: &str,
    ) -> [&'a RegionView<'s>; 2] {
        report_listing_gaps(self, out, Side::Both, kinds, purpose);
        [&self.inventory.primary, &self.inventory.dr]
    }
}

/// A rule's metadata; `declare_rule!` implements it, so a rule file is its documentation, its
/// metadata and its check.
pub trait Described {
    fn meta(&self) -> &'static RuleMeta;
}

pub trait Rule: Described + Send + Sync {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput);
}

/// Where a check writes: findings for resources that fail or cannot be judged, and a count
/// of resources that pass.
#[derive(Debug)]
pub struct RuleOutput {
    pub meta: &'static RuleMeta,
    pub findings: Vec<Finding>,
    pub passes: usize,
}

impl RuleOutput {
    pub fn new(meta: &'static RuleMeta) -> Self {
        RuleOutput { meta, findings: Vec::new(), passes: 0 }
    }

    pub fn pass(&mut self) {
        self.passes += 1;
    }

    pub fn fail(&mut self, resource: ResourceRef, message: impl Into<String>) -> &mut Finding {
        self.push(Status::Fail, resource, message.into())
    }

    /// The rule cannot judge `resource` because data is missing: say which and why.
    pub fn unknown(
        &mut self,
        resource: ResourceRef,
        reason: &UnknownReason,
        message: impl Into<String>,
    ) -> &mut Finding {
        // Redacted here too, for snapshots that hold AWS's raw error text (older or hand-made).
        let reason = reason.redacted();
        let message = format!("{}: {reason}", message.into());
        self.push(Status::Unknown, resource, message).missing(&reason)
    }

    fn push(&mut self, status: Status, resource: ResourceRef, message: String) -> &mut Finding {
        self.findings.push(Finding {
            rule: self.meta.name.to_string(),
            code: self.meta.code.to_string(),
            severity: self.meta.severity,
            status,
            resource,
            app: None,
            message,
            evidence: serde_json::Map::new(),
            fingerprint: String::new(),
            baseline_state: None,
        });
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }
}

/// Declares a rule type and its [`RuleMeta`], taking the documentation from the doc comment.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:expr])*
        pub struct $type:ident {
            name: $name:literal,
            code: $code:literal,
            severity: $severity:ident,
            group: $group:ident,
            summary: $summary:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $type;

        impl $type {
            pub const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                name: $name,
                code: $code,
                severity: $crate::findings::Severity::$severity,
                group: $crate::rules::RuleGroup::$group,
                summary: $summary,
                raw_doc: concat!($($doc, "\n"),*),
            };
        }

        impl $crate::rules::Described for $type {
            fn meta(&self) -> &'static $crate::rules::RuleMeta {
                &Self::META
            }
        }
    };
}
pub(crate) use declare_rule;

/// Which region(s) a rule reads a kind from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Primary,
    Dr,
    Both,
}

impl Side {
    fn views<'a, 's>(self, inventory: &'a Inventory<'s>) -> Vec<&'a RegionView<'s>> {
        match self {
            Side::Primary => vec![&inventory.primary],
            Side::Dr => vec![&inventory.dr],
            Side::Both => vec![&inventory.primary, &inventory.dr],
        }
    }
}

/// For each region of `side` and each of `kinds` whose listing failed there, report one
/// `unknown` finding for the whole kind (the resources the rule would have checked are not
/// known). The rule then goes on with whatever was listed.
pub fn report_listing_gaps(
    ctx: &Context<'_, '_>,
    out: &mut RuleOutput,
    side: Side,
    kinds: &[ResourceKind],
    purpose: &str,
) {
    for view in side.views(ctx.inventory) {
        for &kind in kinds {
            if let Some(reason) = view.gap(kind) {
                let target = resource::listing(kind, view.name, ctx.inventory.account_of_region(view.name));
                out.unknown(
                    target,
                    reason,
                    format!("cannot list {kind} in {} to check {purpose}", view.name),
                );
            }
        }
    }
}

/// A primary-region kind that applications own through its tags (S3 buckets, DynamoDB tables):
/// what [`Context::primary_members`] needs to walk every application's resources of the kind.
pub trait TaggedMember<'s>: Sized + 's {
    /// The kind, for the listing's gaps.
    const KIND: ResourceKind;
    /// Every one the region lists.
    fn listed(region: &RegionView<'s>) -> &'s [Self];
    /// One application's in the primary region.
    fn of<'m>(members: &'m crate::inventory::members::Members<'s>) -> &'m [&'s Self];
    fn arn(&self) -> &str;
    /// Why its tags could not be read.
    fn tags_unknown(&self) -> Option<&UnknownReason>;
    /// A finding's target for it in `region`.
    fn target(&self, region: &str) -> ResourceRef;
}

/// [`TaggedMember`] for a kind: its type, kind, region listing, members field and target.
macro_rules! tagged_member {
    ($type:ty, $kind:ident, $listed:ident, $members:ident, $target:ident) => {
        impl<'s> TaggedMember<'s> for $type {
            const KIND: ResourceKind = ResourceKind::$kind;
            fn listed(region: &RegionView<'s>) -> &'s [Self] {
                &region.resources.$listed
            }
            fn of<'m>(members: &'m crate::inventory::members::Members<'s>) -> &'m [&'s Self] {
                &members.$members
            }
            fn arn(&self) -> &str {
                &self.arn
            }
            fn tags_unknown(&self) -> Option<&UnknownReason> {
                self.tags_unknown.as_ref()
            }
            fn target(&self, region: &str) -> ResourceRef {
                resource::$target(self, region)
            }
        }
    };
}
tagged_member!(crate::inventory::storage::Bucket, Bucket, buckets, primary_buckets, bucket);
tagged_member!(crate::inventory::database::Table, Table, tables, primary_tables, table);

impl<'a, 's> Context<'a, 's> {
    /// Every application's primary `T`s, each with its finding target, after reporting the
    /// kind's listing gaps (checking `purpose`) and, for each `T` whose unread tags hide
    /// whether an application owns it, one `unknown` saying it would have been checked for
    /// `check` (see [`report_unread_tags`]).
    pub fn primary_members<T: TaggedMember<'s>>(
        &self,
        out: &mut RuleOutput,
        purpose: &str,
        check: &str,
    ) -> Vec<(&'s T, ResourceRef)> {
        let primary = self.primary_listed(out, &[T::KIND], purpose);
        let unread = T::listed(primary).iter().map(|r| (r.target(primary.name), r.arn(), r.tags_unknown()));
        report_unread_tags(self, out, unread, check);
        let members = self.inventory.members().by_app.values();
        members.flat_map(|m| T::of(m).iter()).map(|r| (*r, r.target(primary.name))).collect()
    }
}

/// For each primary resource whose tags could not be read and that nothing else joins to an
/// application, report one `unknown`: it may belong to one, and the rule would have judged it.
/// `resources`: (the resource, its ARN, why its tags are unknown).
pub fn report_unread_tags<'r>(
    ctx: &Context<'_, '_>,
    out: &mut RuleOutput,
    resources: impl IntoIterator<Item = (ResourceRef, &'r str, Option<&'r crate::inventory::UnknownReason>)>,
    purpose: &str,
) {
    let apps = ctx.inventory.applications();
    for (target, arn, reason) in resources {
        if let Some(reason) = reason
            && apps.app_of(arn).is_none()
        {
            let message =
                format!("cannot read the tags of {} to tell its application and check {purpose}", target.id);
            out.unknown(target, reason, message);
        }
    }
}

/// The failover record groups a DNS rule can judge, after reporting `unknown` for every zone
/// whose records could not be read (and for all zones when the zone listing itself failed).
/// Groups only ever come from zones whose records were read.
pub fn readable_failover_groups<'a, 's>(
    ctx: &Context<'a, 's>,
    out: &mut RuleOutput,
    what: &str,
) -> &'a [crate::inventory::graph::FailoverGroup<'s>] {
    use crate::inventory::Known;
    if let Some(reason) = ctx.inventory.global_gap(ResourceKind::HostedZone) {
        out.unknown(resource::all_zones(), &reason, format!("cannot list hosted zones to check {what}"));
    }
    for zone in &ctx.inventory.snapshot.resources.global.hosted_zones {
        if let Known::Unknown(reason) = &zone.record_sets {
            out.unknown(
                resource::zone(zone),
                reason,
                format!("cannot read the records of zone {} to check {what}", zone.name),
            );
        }
    }
    &ctx.inventory.failover_groups
}

/// Look a rule up by name or code.
pub fn find(name_or_code: &str) -> Option<&'static dyn Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.meta().name == name_or_code || r.meta().code.eq_ignore_ascii_case(name_or_code))
}
