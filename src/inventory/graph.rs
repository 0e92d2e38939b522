//! The inventory graph: indexes over a snapshot and the links between resources within a
//! region that DR rules follow (failover record → alias target or CNAME value → load balancer → listener →
//! target group ← ASG → launch template version → AMI), the grouping of resources into
//! applications (SPEC §2) and their members, and the DR relations across the two regions
//! ([`super::dr`]), all built once in [`Inventory::build`].
//!
//! Links are typed lookups over hash indexes rather than a generic graph: every edge has a
//! different meaning and failure mode (missing, unknown, other region) that rules must see.

use super::compute::*;
use super::database::*;
use super::dependencies::{Parameter, Secret};
use super::dns::*;
use super::load_balancing::*;
use super::matching::Matching;
use super::storage::*;
use super::{ErrorCause, Known, RegionResources, ResourceKind, Snapshot, UnknownReason};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// The snapshot plus everything rules need to walk it.
pub struct Inventory<'s> {
    pub snapshot: &'s Snapshot,
    pub primary: RegionView<'s>,
    pub dr: RegionView<'s>,
    pub failover_groups: Vec<FailoverGroup<'s>>,
    health_checks: HashMap<&'s str, &'s HealthCheck>,
    /// Every readable record, by normalised name.
    records_by_name: HashMap<String, Vec<ZonedRecord<'s>>>,
    applications: Applications<'s>,
    members: super::members::AppMembers<'s>,
    dr_index: super::dr::DrIndex<'s>,
    scale_out: super::scale_out::ScaleOutQuotas<'s>,
}

/// One region's resources, indexed.
pub struct RegionView<'s> {
    pub name: &'s str,
    pub resources: &'s RegionResources,
    pub images: HashMap<&'s str, &'s Image>,
    launch_templates_by_id: HashMap<&'s str, &'s LaunchTemplate>,
    launch_templates_by_name: HashMap<&'s str, &'s LaunchTemplate>,
    pub load_balancers: HashMap<&'s str, &'s LoadBalancer>,
    load_balancers_by_dns: HashMap<String, &'s LoadBalancer>,
    pub target_groups: HashMap<&'s str, &'s TargetGroup>,
    /// Target groups by the load balancers they name, so `target_groups_of` is not a scan.
    target_groups_by_lb: HashMap<&'s str, Vec<&'s TargetGroup>>,
    listeners_by_lb: HashMap<&'s str, Vec<&'s Listener>>,
    asgs_by_target_group: HashMap<&'s str, Vec<&'s AutoScalingGroup>>,
    /// Groups by the Classic Load Balancers (names) they attach to.
    asgs_by_classic_load_balancer: HashMap<&'s str, Vec<&'s AutoScalingGroup>>,
    pub db_instances_by_id: HashMap<&'s str, &'s DbInstance>,
    pub db_instances_by_arn: HashMap<&'s str, &'s DbInstance>,
    pub db_clusters_by_id: HashMap<&'s str, &'s DbCluster>,
    pub db_clusters_by_arn: HashMap<&'s str, &'s DbCluster>,
    lag_series: HashMap<(&'s str, LagMetric), &'s ReplicaLagSeries>,
    pub backup_vaults_by_arn: HashMap<&'s str, &'s BackupVault>,
    pub buckets_by_name: HashMap<&'s str, &'s Bucket>,
    pub tables_by_name: HashMap<&'s str, &'s Table>,
    pub secrets_by_arn: HashMap<&'s str, &'s Secret>,
    /// Parameters by the reference launch templates name them with.
    pub parameters: HashMap<&'s str, &'s Parameter>,
    gaps: HashMap<ResourceKind, UnknownReason>,
    /// Resources a follow-up call named but could not read, by kind and name.
    unread: HashMap<ResourceKind, HashMap<&'s str, UnknownReason>>,
}

pub(super) static EMPTY_REGION: std::sync::LazyLock<RegionResources> =
    std::sync::LazyLock::new(RegionResources::default);

impl<'s> RegionView<'s> {
    fn new(snapshot: &'s Snapshot, name: &'s str) -> Self {
        let resources = snapshot.resources.regional.get(name).unwrap_or(&EMPTY_REGION);
        let mut view = RegionView {
            name,
            resources,
            images: resources.images.iter().map(|i| (i.id.as_str(), i)).collect(),
            launch_templates_by_id: resources.launch_templates.iter().map(|t| (t.id.as_str(), t)).collect(),
            launch_templates_by_name: resources
                .launch_templates
                .iter()
                .map(|t| (t.name.as_str(), t))
                .collect(),
            load_balancers: resources.load_balancers.iter().map(|l| (l.arn.as_str(), l)).collect(),
            load_balancers_by_dns: resources
                .load_balancers
                .iter()
                .map(|l| (normalize_dns_name(&l.dns_name), l))
                .collect(),
            target_groups: resources.target_groups.iter().map(|t| (t.arn.as_str(), t)).collect(),
            target_groups_by_lb: HashMap::new(),
            listeners_by_lb: HashMap::new(),
            asgs_by_target_group: HashMap::new(),
            asgs_by_classic_load_balancer: HashMap::new(),
            db_instances_by_id: resources.db_instances.iter().map(|d| (d.id.as_str(), d)).collect(),
            db_instances_by_arn: resources.db_instances.iter().map(|d| (d.arn.as_str(), d)).collect(),
            db_clusters_by_id: resources.db_clusters.iter().map(|c| (c.id.as_str(), c)).collect(),
            db_clusters_by_arn: resources.db_clusters.iter().map(|c| (c.arn.as_str(), c)).collect(),
            lag_series: resources
                .replica_lag
                .iter()
                .map(|s| ((s.subject_id.as_str(), s.metric), s))
                .collect(),
            backup_vaults_by_arn: resources.backup_vaults.iter().map(|v| (v.arn.as_str(), v)).collect(),
            buckets_by_name: resources.buckets.iter().map(|b| (b.name.as_str(), b)).collect(),
            tables_by_name: resources.tables.iter().map(|t| (t.name.as_str(), t)).collect(),
            secrets_by_arn: resources.secrets.iter().map(|s| (s.arn.as_str(), s)).collect(),
            parameters: resources.parameters.iter().map(|p| (p.reference.as_str(), p)).collect(),
            gaps: HashMap::new(),
            unread: HashMap::new(),
        };
        for (kind, id, reason) in snapshot.unread_named(Some(name)) {
            view.unread.entry(kind).or_default().entry(id).or_insert(reason);
        }
        for tg in &resources.target_groups {
            for lb in &tg.load_balancer_arns {
                view.target_groups_by_lb.entry(lb.as_str()).or_default().push(tg);
            }
        }
        for listener in &resources.listeners {
            view.listeners_by_lb.entry(listener.load_balancer_arn.as_str()).or_default().push(listener);
        }
        for asg in &resources.auto_scaling_groups {
            for tg in asg.attached_target_groups() {
                view.asgs_by_target_group.entry(tg).or_default().push(asg);
            }
            for name in asg.attached_classic_load_balancers() {
                view.asgs_by_classic_load_balancer.entry(name).or_default().push(asg);
            }
        }
        for kind in ResourceKind::REGIONAL {
            if let Some(reason) = snapshot.listing_gap(Some(name), *kind) {
                view.gaps.insert(*kind, reason);
            }
        }
        view
    }

    /// Why the listing of `kind` in this region is incomplete, if it is. A rule that concludes
    /// "absent" from this region must report `unknown` instead when this returns a reason.
    pub fn gap(&self, kind: ResourceKind) -> Option<&UnknownReason> {
        self.gaps.get(&kind)
    }

    /// Why one resource of `kind` (by the name a follow-up call asked for it: an ARN, an ID, a
    /// key reference) may be absent although it exists: the kind's listing is incomplete, or
    /// the call that would have read it failed. A rule that concludes "`name` does not exist"
    /// must report `unknown` instead when this returns a reason.
    pub fn unread(&self, kind: ResourceKind, name: &str) -> Option<&UnknownReason> {
        self.gap(kind).or_else(|| self.unread.get(&kind)?.get(name))
    }

    pub fn launch_template(&self, reference: &LaunchTemplateRef) -> Option<&'s LaunchTemplate> {
        reference
            .id
            .as_deref()
            .and_then(|id| self.launch_templates_by_id.get(id))
            .or_else(|| reference.name.as_deref().and_then(|n| self.launch_templates_by_name.get(n)))
            .copied()
    }

    /// The launch template version an ASG's reference launches (`$Latest`/`$Default`
    /// resolved), or what stands in the way (missing template or version, unknown).
    pub fn launch_version(
        &self,
        reference: &'s LaunchTemplateRef,
    ) -> Result<(&'s LaunchTemplate, &'s LaunchTemplateVersion), LaunchResolution<'s>> {
        let Some(template) = self.launch_template(reference) else {
            if let Some(reason) = self.gap(ResourceKind::LaunchTemplate) {
                return Err(LaunchResolution::Unknown(reason.clone()));
            }
            return Err(LaunchResolution::TemplateMissing);
        };
        let number = match reference.version.as_str() {
            "$Latest" => template.latest_version,
            "$Default" | "" => template.default_version,
            other => match other.parse::<u64>() {
                Ok(n) => n,
                Err(_) => return Err(LaunchResolution::VersionMissing { template }),
            },
        };
        let versions = match &template.versions {
            Known::Value(v) => v,
            Known::Unknown(reason) => return Err(LaunchResolution::Unknown(reason.clone())),
        };
        match versions.iter().find(|v| v.version == number) {
            Some(version) => Ok((template, version)),
            None => Err(LaunchResolution::VersionMissing { template }),
        }
    }

    /// Resolve an ASG's launch template reference to the version it launches and its AMI.
    pub fn resolve_launch(&self, reference: &'s LaunchTemplateRef) -> LaunchResolution<'s> {
        let (template, version) = match self.launch_version(reference) {
            Ok(found) => found,
            Err(resolution) => return resolution,
        };
        match version.effective_image_id() {
            None => LaunchResolution::NoImage { template, version },
            Some(Known::Unknown(reason)) => LaunchResolution::Unknown(reason),
            Some(Known::Value(image_id)) => LaunchResolution::Resolved { template, version, image_id },
        }
    }

    pub fn listeners_of(&self, lb_arn: &str) -> &[&'s Listener] {
        self.listeners_by_lb.get(lb_arn).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Target groups a load balancer routes to: those its listeners forward to and those that
    /// name it, deduplicated, in a stable order.
    pub fn target_groups_of(&self, lb_arn: &str) -> Vec<&'s TargetGroup> {
        let mut arns: Vec<&str> = self
            .listeners_of(lb_arn)
            .iter()
            .flat_map(|l| l.target_group_arns.iter().map(String::as_str))
            .collect();
        arns.extend(self.target_groups_by_lb.get(lb_arn).into_iter().flatten().map(|tg| tg.arn.as_str()));
        arns.sort_unstable();
        arns.dedup();
        arns.iter().filter_map(|a| self.target_groups.get(a).copied()).collect()
    }

    pub fn asgs_behind(&self, target_group_arn: &str) -> &[&'s AutoScalingGroup] {
        self.asgs_by_target_group.get(target_group_arn).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Auto Scaling groups feeding a load balancer, deduplicated: those behind its target
    /// groups (in target group order), or for a Classic Load Balancer those attached to it by
    /// name.
    pub fn asgs_of(&self, lb: &LoadBalancer) -> Vec<&'s AutoScalingGroup> {
        if lb.is_classic() {
            return self.asgs_by_classic_load_balancer.get(lb.name.as_str()).cloned().unwrap_or_default();
        }
        let mut out: Vec<&AutoScalingGroup> = Vec::new();
        for tg in self.target_groups_of(&lb.arn) {
            for asg in self.asgs_behind(&tg.arn) {
                if !out.iter().any(|a| a.arn == asg.arn) {
                    out.push(asg);
                }
            }
        }
        out
    }

    pub fn lag_series(&self, subject_id: &str, metric: LagMetric) -> Option<&'s ReplicaLagSeries> {
        self.lag_series.get(&(subject_id, metric)).copied()
    }

    /// The SSM parameter a launch template names (by its reference), `None` when it does not
    /// exist in the region, or why that cannot be told (the parameters could not be read).
    pub fn parameter(&self, reference: &str) -> Known<Option<&'s Parameter>> {
        match (self.parameters.get(reference), self.unread(ResourceKind::Parameter, reference)) {
            (Some(parameter), _) => Known::Value(Some(*parameter)),
            (None, Some(reason)) => Known::Unknown(reason.clone()),
            (None, None) => Known::Value(None),
        }
    }

    /// A DB instance named by identifier (same region) or ARN.
    pub fn db_instance(&self, id_or_arn: &str) -> Option<&'s DbInstance> {
        self.db_instances_by_arn.get(id_or_arn).or_else(|| self.db_instances_by_id.get(id_or_arn)).copied()
    }
}

/// What an ASG's launch template reference resolves to.
#[derive(Debug)]
pub enum LaunchResolution<'s> {
    Resolved { template: &'s LaunchTemplate, version: &'s LaunchTemplateVersion, image_id: &'s str },
    TemplateMissing,
    VersionMissing { template: &'s LaunchTemplate },
    NoImage { template: &'s LaunchTemplate, version: &'s LaunchTemplateVersion },
    Unknown(UnknownReason),
}

/// A record set together with the zone it lives in.
#[derive(Debug, Clone, Copy)]
pub struct ZonedRecord<'s> {
    pub zone: &'s HostedZone,
    pub record: &'s RecordSet,
}

impl ZonedRecord<'_> {
    pub fn arn(&self) -> String {
        self.record.arn(&self.zone.id)
    }
}

/// PRIMARY and SECONDARY records sharing a zone, name and type.
#[derive(Debug)]
pub struct FailoverGroup<'s> {
    pub zone: &'s HostedZone,
    /// Normalised record name.
    pub name: String,
    pub record_type: &'s str,
    pub primaries: Vec<&'s RecordSet>,
    pub secondaries: Vec<&'s RecordSet>,
}

impl<'s> FailoverGroup<'s> {
    /// Every record of the group with its role, the PRIMARY ones first.
    pub fn records(&self) -> impl Iterator<Item = (&'s RecordSet, &'static str)> + '_ {
        let primaries = self.primaries.iter().map(|r| (*r, "PRIMARY"));
        primaries.chain(self.secondaries.iter().map(|r| (*r, "SECONDARY")))
    }
}

/// Where an alias record finally points.
#[derive(Debug)]
pub enum AliasResolution<'s> {
    LoadBalancer {
        region: &'s str,
        load_balancer: &'s LoadBalancer,
    },
    /// An ELB DNS name that matches no load balancer in a fully collected region.
    MissingLoadBalancer {
        dns_name: String,
        region: Option<String>,
        /// In-zone records the alias chain went through.
        via: Vec<String>,
    },
    /// Not a load balancer (CloudFront, S3 website, API Gateway, …): out of drscan's reach.
    OtherTarget {
        dns_name: String,
        kind: &'static str,
    },
    Unknown(UnknownReason),
}

/// How the next name of a record chain is looked up.
#[derive(Debug, Clone, Copy)]
enum Hop<'s> {
    /// An alias target: in-zone records of the alias record's type.
    Alias { zone: &'s HostedZone, record_type: &'s str, alias: &'s AliasTarget },
    /// A host name (a CNAME value, a health check's endpoint): any collected zone of that
    /// visibility.
    Name { private: bool },
}

impl<'s> Inventory<'s> {
    pub fn build(snapshot: &'s Snapshot, matching: &Matching) -> Self {
        let (primary, dr) = rayon::join(
            || RegionView::new(snapshot, &snapshot.regions.primary),
            || RegionView::new(snapshot, &snapshot.regions.dr),
        );
        let health_checks =
            snapshot.resources.global.health_checks.iter().map(|h| (h.id.as_str(), h)).collect();
        let failover_groups = failover_groups(snapshot);
        let dr_index = super::dr::DrIndex::build(&primary, &dr, matching);
        let mut inventory = Inventory {
            snapshot,
            primary,
            dr,
            failover_groups,
            health_checks,
            records_by_name: records_by_name(snapshot),
            applications: Applications::default(),
            members: super::members::AppMembers::default(),
            dr_index,
            scale_out: super::scale_out::ScaleOutQuotas::default(),
        };
        inventory.applications = Applications::build(&inventory, matching);
        inventory.members = super::members::AppMembers::build(&inventory);
        let asg_pairs = super::dr::DrIndex::pair_asgs(&inventory);
        inventory.dr_index.set_asg_pairs(asg_pairs);
        inventory.scale_out = super::scale_out::dr_scale_out(&inventory);
        inventory
    }

    pub fn account(&self) -> &str {
        &self.snapshot.account
    }

    /// The account whose listings of region `name` are reported: the DR side's for the DR
    /// region, else the primary side's (the same account unless the setup spans accounts).
    pub fn account_of_region(&self, name: &str) -> &str {
        if name == self.dr.name { self.snapshot.account_of(super::Side::Dr) } else { self.account() }
    }

    pub fn region(&self, name: &str) -> Option<&RegionView<'s>> {
        if name == self.primary.name {
            Some(&self.primary)
        } else if name == self.dr.name {
            Some(&self.dr)
        } else {
            None
        }
    }

    /// The backup vault an ARN names (a copy action's destination), in whichever collected
    /// region and account it is; `None`: it does not exist. Unknown when its region was not
    /// collected, its account was not (or could not be) read, or the vault listing there is
    /// incomplete.
    pub fn backup_vault(&self, arn: &str) -> Known<Option<&'s BackupVault>> {
        let region = super::arn::arn_region(arn).unwrap_or("");
        let Some(view) = self.region(region) else {
            return Known::Unknown(UnknownReason::new(
                "backup:ListBackupVaults",
                ErrorCause::Unresolvable,
                format!("{arn} is in {region}, which drscan did not collect"),
            ));
        };
        if let Some(vault) = view.backup_vaults_by_arn.get(arn) {
            return Known::Value(Some(*vault));
        }
        let gap = match super::arn::arn_account(arn) {
            Some(account) => self
                .snapshot
                .account_unread(account)
                .or_else(|| self.snapshot.listing_gap_of(view.name, ResourceKind::BackupVault, account)),
            None => view.gap(ResourceKind::BackupVault).cloned(),
        };
        match gap {
            Some(reason) => Known::Unknown(reason),
            None => Known::Value(None),
        }
    }

    pub fn health_check(&self, id: &str) -> Option<&'s HealthCheck> {
        self.health_checks.get(id).copied()
    }

    /// Why Route 53 data of `kind` is incomplete, if it is.
    pub fn global_gap(&self, kind: ResourceKind) -> Option<UnknownReason> {
        self.snapshot.listing_gap(None, kind)
    }

    /// Why the failover records may not all be known: the hosted zones, or one zone's
    /// records, could not be read.
    pub fn failover_records_gap(&self) -> Option<UnknownReason> {
        self.global_gap(ResourceKind::HostedZone).or_else(|| {
            self.snapshot
                .resources
                .global
                .hosted_zones
                .iter()
                .find_map(|z| z.record_sets.get().err().cloned())
        })
    }

    /// Why an application with no failover record may have one after all: the records could
    /// not all be read, or a record's application could not be decided.
    pub fn unrouted_app_unknown(&self) -> Option<UnknownReason> {
        self.failover_records_gap().or_else(|| self.applications.any_undecided().cloned())
    }

    pub fn applications(&self) -> &Applications<'s> {
        &self.applications
    }

    /// Each application's failover groups and per-region resources.
    pub fn members(&self) -> &super::members::AppMembers<'s> {
        &self.members
    }

    /// What the DR region's scale-out asks of its vCPU quotas (built once, with the members).
    pub fn scale_out(&self) -> &super::scale_out::ScaleOutQuotas<'s> {
        &self.scale_out
    }

    pub(super) fn dr_index(&self) -> &super::dr::DrIndex<'s> {
        &self.dr_index
    }

    /// The DR counterparts of primary resources, and how each was matched.
    pub fn relations(&self) -> super::dr::DrRelations<'_, 's> {
        super::dr::DrRelations::new(self, &self.dr_index)
    }

    /// Where a record sends traffic, followed to the resource it finally names: an alias target
    /// or a plain CNAME record's value, through the collected zones' records on the way (alias
    /// chains inside the zone, CNAMEs to names of any collected zone). `None`: the record names
    /// no target by name (plain A/AAAA values). Every rule, the estimate and the report resolve
    /// failover records here, so an alias and a CNAME to the same load balancer are judged alike.
    pub fn resolve_record(&self, zone: &'s HostedZone, record: &'s RecordSet) -> Option<AliasResolution<'s>> {
        if let Some(alias) = &record.alias_target {
            let start = Hop::Alias { zone, record_type: &record.record_type, alias };
            return Some(self.follow(start, &alias.dns_name));
        }
        let value = record.cname_target()?;
        Some(self.follow(Hop::Name { private: zone.private }, value))
    }

    /// A host name (a health check's endpoint) followed through the collected zones like a
    /// CNAME value: through public zones, or private ones for a name used inside a VPC.
    pub fn resolve_name(&self, name: &str, private: bool) -> AliasResolution<'s> {
        self.follow(Hop::Name { private }, name)
    }

    /// The records of a name across the collected zones (normalised name), with their zones.
    pub fn records_named(&self, normalized: &str) -> &[ZonedRecord<'s>] {
        self.records_by_name.get(normalized).map(Vec::as_slice).unwrap_or(&[])
    }

    fn follow(&self, mut hop: Hop<'s>, first: &str) -> AliasResolution<'s> {
        let mut current = first.to_string();
        let mut via = Vec::new();
        for _ in 0..16 {
            let target = normalize_dns_name(&current);
            if let Some(lb) = self.load_balancer_by_dns(&target) {
                return lb;
            }
            let next = match hop {
                // An alias to another record of the same zone, of the same type (an A alias
                // never resolves through an AAAA).
                Hop::Alias { zone, record_type, alias } if alias.hosted_zone_id == zone.id => self
                    .records_named(&target)
                    .iter()
                    .filter(|r| r.zone.id == zone.id && r.record.record_type == record_type)
                    .find_map(|r| Self::next_hop(*r)),
                Hop::Alias { .. } => None,
                // A CNAME value: the name's CNAME, else its A or AAAA record, in a zone that a
                // resolver of that visibility sees.
                Hop::Name { private } => self
                    .records_named(&target)
                    .iter()
                    .filter(|r| r.zone.private == private)
                    .filter(|r| matches!(r.record.record_type.as_str(), "CNAME" | "A" | "AAAA"))
                    .find_map(|r| Self::next_hop(*r)),
            };
            let Some((next_hop, name)) = next else {
                return match self.classify_unmatched_target(&target) {
                    AliasResolution::MissingLoadBalancer { dns_name, region, .. } => {
                        AliasResolution::MissingLoadBalancer { dns_name, region, via }
                    }
                    other => other,
                };
            };
            via.push(target);
            hop = next_hop;
            current = name.to_string();
        }
        AliasResolution::Unknown(UnknownReason::new(
            "alias resolution",
            ErrorCause::Other,
            format!("the chain of records from {first} does not end after 16 hops"),
        ))
    }

    /// Where a record found on the way continues, if it names a target by name.
    fn next_hop(found: ZonedRecord<'s>) -> Option<(Hop<'s>, &'s str)> {
        let ZonedRecord { zone, record } = found;
        if let Some(alias) = &record.alias_target {
            return Some((Hop::Alias { zone, record_type: &record.record_type, alias }, &alias.dns_name));
        }
        record.cname_target().map(|value| (Hop::Name { private: zone.private }, value))
    }

    fn load_balancer_by_dns(&self, normalized: &str) -> Option<AliasResolution<'s>> {
        for view in [&self.primary, &self.dr] {
            if let Some(lb) = view.load_balancers_by_dns.get(normalized).copied() {
                return Some(AliasResolution::LoadBalancer { region: view.name, load_balancer: lb });
            }
        }
        None
    }

    fn classify_unmatched_target(&self, target: &str) -> AliasResolution<'s> {
        let Some(region) = elb_region(target) else {
            let kind = if target.ends_with(".cloudfront.net") {
                "CloudFront distribution"
            } else if target.contains(".s3-website") || target.starts_with("s3-website") {
                "S3 website endpoint"
            } else if target.contains(".execute-api.") {
                "API Gateway endpoint"
            } else if target.contains(".elasticbeanstalk.com") {
                "Elastic Beanstalk environment"
            } else {
                EXTERNAL_HOST
            };
            return AliasResolution::OtherTarget { dns_name: target.to_string(), kind };
        };
        match self.region(&region) {
            None => AliasResolution::Unknown(UnknownReason::new(
                "elbv2:DescribeLoadBalancers",
                ErrorCause::Unresolvable,
                format!("{target} is in {region}, which drscan did not collect"),
            )),
            Some(view) => match view.gap(ResourceKind::LoadBalancer) {
                Some(reason) => AliasResolution::Unknown(reason.clone()),
                None => AliasResolution::MissingLoadBalancer {
                    dns_name: target.to_string(),
                    region: Some(region),
                    via: Vec::new(),
                },
            },
        }
    }
}

/// The kind [`AliasResolution::OtherTarget`] names for a host name that is neither an AWS
/// endpoint drscan recognises nor a record of a collected zone: for a CNAME, an endpoint of the
/// owner's own, outside AWS as far as drscan can tell.
pub const EXTERNAL_HOST: &str = "non-load-balancer target";

/// The region of an ELB DNS name: `name-1.us-east-1.elb.amazonaws.com` (ALB/CLB) or
/// `name-1.elb.us-east-1.amazonaws.com` (NLB).
pub fn elb_region(dns_name: &str) -> Option<String> {
    let labels: Vec<&str> = dns_name.split('.').collect();
    let elb = labels.iter().position(|l| *l == "elb")?;
    if !dns_name.contains(".amazonaws.com") {
        return None;
    }
    let looks_like_region = |l: &&&str| l.matches('-').count() >= 2;
    let before = elb.checked_sub(1).and_then(|i| labels.get(i)).filter(looks_like_region);
    let after = labels.get(elb + 1).filter(looks_like_region);
    // NLB names put the region after `elb`; ALB/CLB names before it. A load balancer's own
    // name may contain hyphens too, so the label after `elb` is tried first.
    after.or(before).map(|r| r.to_string())
}

fn records_by_name(snapshot: &Snapshot) -> HashMap<String, Vec<ZonedRecord<'_>>> {
    let mut index: HashMap<String, Vec<ZonedRecord<'_>>> = HashMap::new();
    for zone in &snapshot.resources.global.hosted_zones {
        for record in zone.record_sets.value().into_iter().flatten() {
            index.entry(normalize_dns_name(&record.name)).or_default().push(ZonedRecord { zone, record });
        }
    }
    index
}

/// PRIMARY and SECONDARY records of one name and type.
type RolePair<'s> = (Vec<&'s RecordSet>, Vec<&'s RecordSet>);

fn failover_groups(snapshot: &Snapshot) -> Vec<FailoverGroup<'_>> {
    let mut groups: Vec<FailoverGroup<'_>> = Vec::new();
    for zone in &snapshot.resources.global.hosted_zones {
        let Known::Value(records) = &zone.record_sets else { continue };
        let mut by_key: BTreeMap<(String, &str), RolePair<'_>> = BTreeMap::new();
        for record in records {
            let Some(role) = record.failover else { continue };
            let entry =
                by_key.entry((normalize_dns_name(&record.name), record.record_type.as_str())).or_default();
            match role {
                FailoverRole::Primary => entry.0.push(record),
                FailoverRole::Secondary => entry.1.push(record),
            }
        }
        groups.extend(by_key.into_iter().map(|((name, record_type), (primaries, secondaries))| {
            FailoverGroup { zone, name, record_type, primaries, secondaries }
        }));
    }
    groups
}

/// Applications and the resources that belong to them.
#[derive(Debug, Default)]
pub struct Applications<'s> {
    /// Application names, sorted.
    pub names: Vec<String>,
    /// Resource ARN → index into `names`. A resource reachable from two applications belongs
    /// to the first in name order, which keeps the result deterministic. ARNs borrow from the
    /// snapshot; only synthetic ones (records, health checks) are owned.
    membership: HashMap<Cow<'s, str>, u32>,
    /// Normalised failover record name → index into `names`.
    by_record_name: HashMap<String, u32>,
    /// Applications named after their failover record because the tags that would have named
    /// them could not be read (a health check's or load balancer's tags, or the load balancer
    /// itself): the application may really be a tagged one, split off.
    undecided: BTreeMap<String, UnknownReason>,
}

impl<'s> Applications<'s> {
    pub fn app_of(&self, arn: &str) -> Option<&str> {
        self.membership.get(arn).map(|i| self.names[*i as usize].as_str())
    }

    pub fn app_of_record(&self, normalized_name: &str) -> Option<&str> {
        self.by_record_name.get(normalized_name).map(|i| self.names[*i as usize].as_str())
    }

    /// Why `app`'s membership is not known in full, if it is not: it is named after its
    /// failover record because the tags that would have named it could not be read, so its
    /// data stores (joined by tag) may sit in another application.
    pub fn undecided(&self, app: &str) -> Option<&UnknownReason> {
        self.undecided.get(app)
    }

    /// Why some failover record's application could not be decided, if one could not: an
    /// application that no record routes may then be routed by that record after all.
    pub fn any_undecided(&self) -> Option<&UnknownReason> {
        self.undecided.values().next()
    }

    fn build(inventory: &Inventory<'s>, matching: &Matching) -> Self {
        let tag_key = matching.app_tag_key.as_str();
        let mut reachable: BTreeMap<String, Vec<Cow<'s, str>>> = BTreeMap::new();
        let mut record_names: Vec<(String, String)> = Vec::new();

        let mut undecided = BTreeMap::new();
        for group in &inventory.failover_groups {
            let records = group.primaries.iter().chain(&group.secondaries);
            let mut arns: Vec<Cow<'s, str>> = Vec::new();
            let mut tagged_name = None;
            // Why a tag that might have named the application could not be read.
            let mut unread: Option<UnknownReason> = None;
            for record in records {
                arns.push(Cow::Owned(record.arn(&group.zone.id)));
                if let Some(id) = record.health_check_id.as_deref() {
                    match inventory.health_check(id) {
                        Some(hc) => {
                            arns.push(Cow::Owned(hc.arn()));
                            tagged_name = tagged_name.or_else(|| hc.tags.get(tag_key).cloned());
                            unread = unread.or_else(|| hc.tags_unknown.clone());
                        }
                        None => unread = unread.or_else(|| inventory.global_gap(ResourceKind::HealthCheck)),
                    }
                }
                match inventory.resolve_record(group.zone, record) {
                    Some(AliasResolution::LoadBalancer { region, load_balancer }) => {
                        tagged_name = tagged_name.or_else(|| load_balancer.tags.get(tag_key).cloned());
                        unread = unread.or_else(|| load_balancer.tags_unknown.clone());
                        if let Some(view) = inventory.region(region) {
                            collect_web_tier(view, load_balancer, &mut arns);
                        }
                    }
                    Some(AliasResolution::Unknown(reason)) => unread = unread.or(Some(reason)),
                    _ => {}
                }
            }
            let declared = matching.record_applications.get(&group.name).cloned();
            let decided = declared.is_some() || tagged_name.is_some();
            let name = declared.or(tagged_name).unwrap_or_else(|| group.name.clone());
            if let Some(reason) = unread.filter(|_| !decided) {
                undecided.entry(name.clone()).or_insert(reason);
            }
            record_names.push((group.name.clone(), name.clone()));
            reachable.entry(name).or_default().extend(arns);
        }
        tagged_resources(inventory, tag_key, &mut reachable);

        let names: Vec<String> = reachable.keys().cloned().collect();
        let mut membership = HashMap::with_capacity(reachable.values().map(Vec::len).sum());
        for (index, arns) in reachable.into_values().enumerate() {
            for arn in arns {
                membership.entry(arn).or_insert(index as u32);
            }
        }
        let index_of = |name: &str| names.binary_search_by(|n| n.as_str().cmp(name)).ok().map(|i| i as u32);
        let by_record_name = record_names
            .into_iter()
            .filter_map(|(record, app)| index_of(&app).map(|i| (record, i)))
            .collect();
        Applications { names, membership, by_record_name, undecided }
    }
}

/// Load balancer → listeners → target groups ← ASGs (or ASGs attached to a Classic Load
/// Balancer by name) → launch templates → AMIs.
fn collect_web_tier<'s>(view: &RegionView<'s>, lb: &'s LoadBalancer, arns: &mut Vec<Cow<'s, str>>) {
    arns.push(Cow::Borrowed(&lb.arn));
    arns.extend(view.listeners_of(&lb.arn).iter().map(|l| Cow::Borrowed(l.arn.as_str())));
    arns.extend(view.target_groups_of(&lb.arn).into_iter().map(|tg| Cow::Borrowed(tg.arn.as_str())));
    for asg in view.asgs_of(lb) {
        arns.push(Cow::Borrowed(&asg.arn));
        collect_launch_chain(view, asg, arns);
    }
}

/// ASG → launch templates → AMIs.
fn collect_launch_chain<'s>(view: &RegionView<'s>, asg: &'s AutoScalingGroup, arns: &mut Vec<Cow<'s, str>>) {
    for reference in asg.launch_template_refs() {
        if let LaunchResolution::Resolved { template, image_id, .. } = view.resolve_launch(reference) {
            arns.push(Cow::Borrowed(&template.arn));
            if let Some(image) = view.images.get(image_id) {
                arns.push(Cow::Borrowed(&image.arn));
            }
        }
    }
}

/// Every resource carrying the application tag, in both regions.
fn tagged_resources<'s>(
    inventory: &Inventory<'s>,
    tag_key: &str,
    reachable: &mut BTreeMap<String, Vec<Cow<'s, str>>>,
) {
    let mut add = |arn: Cow<'s, str>, tags: &super::Tags| {
        if let Some(app) = tags.get(tag_key) {
            match reachable.get_mut(app.as_str()) {
                Some(arns) => arns.push(arn),
                None => {
                    reachable.insert(app.clone(), vec![arn]);
                }
            }
        }
    };
    for view in [&inventory.primary, &inventory.dr] {
        let r = view.resources;
        r.images.iter().for_each(|x| add(Cow::Borrowed(&x.arn), &x.tags));
        r.launch_templates.iter().for_each(|x| add(Cow::Borrowed(&x.arn), &x.tags));
        for asg in &r.auto_scaling_groups {
            add(Cow::Borrowed(&asg.arn), &asg.tags);
            // A tagged group brings what it launches: its launch templates and AMIs.
            if asg.tags.contains_key(tag_key) {
                let mut launched = Vec::new();
                collect_launch_chain(view, asg, &mut launched);
                launched.into_iter().for_each(|arn| add(arn, &asg.tags));
            }
        }
        r.load_balancers.iter().for_each(|x| add(Cow::Borrowed(&x.arn), &x.tags));
        r.target_groups.iter().for_each(|x| add(Cow::Borrowed(&x.arn), &x.tags));
        r.db_instances.iter().for_each(|x| add(Cow::Borrowed(&x.arn), &x.tags));
        r.db_clusters.iter().for_each(|x| add(Cow::Borrowed(&x.arn), &x.tags));
        r.file_systems.iter().for_each(|x| add(Cow::Borrowed(&x.arn), &x.tags));
        r.buckets.iter().for_each(|x| add(Cow::Borrowed(&x.arn), &x.tags));
        r.tables.iter().for_each(|x| add(Cow::Borrowed(&x.arn), &x.tags));
        r.secrets.iter().for_each(|x| add(Cow::Borrowed(&x.arn), &x.tags));
        // An RDS-managed master-user secret belongs with its database.
        let secret_of = |arn: &Option<String>| arn.as_deref().and_then(|a| view.secrets_by_arn.get(a));
        for db in &r.db_instances {
            if let Some(secret) = secret_of(&db.master_user_secret_arn) {
                add(Cow::Borrowed(&secret.arn), &db.tags);
            }
        }
        for cluster in &r.db_clusters {
            if let Some(secret) = secret_of(&cluster.master_user_secret_arn) {
                add(Cow::Borrowed(&secret.arn), &cluster.tags);
            }
        }
    }
    for hc in &inventory.snapshot.resources.global.health_checks {
        add(Cow::Owned(hc.arn()), &hc.tags);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str) -> Snapshot {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(path);
        Snapshot::load(&path).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
    }

    fn record(name: &str, record_type: &str, value: &str) -> RecordSet {
        RecordSet {
            name: name.into(),
            record_type: record_type.into(),
            ttl: Some(60),
            values: vec![value.into()],
            ..RecordSet::default()
        }
    }

    fn zone(id: &str, name: &str, private: bool, records: Vec<RecordSet>) -> HostedZone {
        HostedZone { id: id.into(), name: name.into(), private, record_sets: Known::Value(records) }
    }

    fn resolved_lb(resolution: Option<AliasResolution<'_>>) -> Option<String> {
        match resolution? {
            AliasResolution::LoadBalancer { load_balancer, .. } => Some(load_balancer.name.clone()),
            _ => None,
        }
    }

    /// `app.example.com CNAME app.dr-example.net`, which another collected zone aliases to the
    /// DR load balancer: followed across zones, as a resolver would.
    #[test]
    fn cname_chains_are_followed_across_collected_zones_of_their_visibility() {
        let mut snapshot = fixture("rules/failover-target-missing/pass.json");
        let dr_dns = snapshot.resources.regional["us-east-1"].load_balancers[0].dns_name.clone();
        let alias = RecordSet {
            alias_target: Some(AliasTarget {
                dns_name: format!("dualstack.{dr_dns}."),
                hosted_zone_id: "Z35SXDOTRQ7X7K".into(),
                evaluate_target_health: false,
            }),
            ..record("app.dr-example.net.", "A", "")
        };
        let global = &mut snapshot.resources.global.hosted_zones;
        global.push(zone(
            "ZPUBLIC2",
            "dr-example.net.",
            false,
            vec![RecordSet { values: vec![], ..alias.clone() }],
        ));
        global.push(zone(
            "ZPRIVATE",
            "internal.example.",
            true,
            vec![record("www.internal.example.", "CNAME", "app.dr-example.net")],
        ));
        global.push(zone(
            "ZPUBLIC3",
            "example.org.",
            false,
            vec![
                record("www.example.org.", "CNAME", "app.dr-example.net."),
                record("loop.example.org.", "CNAME", "loop.example.org."),
            ],
        ));
        let inventory = Inventory::build(&snapshot, &Matching::default());
        let named = |name: &str| {
            let zoned = inventory.records_named(name).first().copied().expect("the record");
            inventory.resolve_record(zoned.zone, zoned.record)
        };
        let dr_name = inventory.dr.resources.load_balancers[0].name.clone();
        assert_eq!(resolved_lb(named("www.example.org")), Some(dr_name.clone()));
        // A private zone's CNAME resolves through private zones only: the public alias is not seen.
        assert_eq!(resolved_lb(named("www.internal.example")), None);
        assert!(matches!(
            inventory.resolve_name("app.dr-example.net", false),
            AliasResolution::LoadBalancer { .. }
        ));
        // A chain that never ends is unknown, not a hang.
        assert!(matches!(named("loop.example.org"), Some(AliasResolution::Unknown(_))));
        // A host outside the collected zones and outside AWS is named as such.
        assert!(matches!(
            inventory.resolve_name("origin.example.com.au", false),
            AliasResolution::OtherTarget { kind: EXTERNAL_HOST, .. }
        ));
    }

    #[test]
    fn elb_dns_names_reveal_their_region() {
        assert_eq!(elb_region("web-1.us-east-1.elb.amazonaws.com").as_deref(), Some("us-east-1"));
        assert_eq!(elb_region("net-1.elb.ap-south-1.amazonaws.com").as_deref(), Some("ap-south-1"));
        assert_eq!(elb_region("d111.cloudfront.net"), None);
        // Regression: an NLB whose own name has hyphens.
        assert_eq!(
            elb_region("web-dr-nlb-0a1b2c3d4e5f6789.elb.us-east-1.amazonaws.com").as_deref(),
            Some("us-east-1")
        );
    }
}
