//! Building each application's estimate from its members: detection and DNS from its failover
//! records, the compute step from the SECONDARY's load balancer, and one database or files
//! step and RPO term per primary data store, through its best DR copy — every DR counterpart
//! as the inventory's DR relations ([`crate::inventory::dr`]) answer it.

use super::automation::{AutomationIndex, PrimaryHealth};
use super::detection::detection;
use super::schedule::{Schedule, WorstGap, timezone};
use super::*;
use crate::findings::ResourceRef;
use crate::findings::resource;
use crate::inventory::arn::arn_name;
use crate::inventory::compute::{AutoScalingGroup, ImageState};
use crate::inventory::database::{DbCluster, LagMetric, TableReplica};
use crate::inventory::dr::{AuroraCopy, BackupCopy, BucketCopy, LbTarget};
use crate::inventory::graph::{AliasResolution, Inventory, LaunchResolution, RegionView};
use crate::inventory::members::Members;
use crate::inventory::{ErrorCause, Known, ResourceKind, UnknownReason};
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use std::collections::HashMap;

/// Estimate every application of the inventory.
pub fn estimate(inventory: &Inventory<'_>, settings: EstimateSettings<'_>, now: DateTime<Utc>) -> Estimates {
    let backup_gaps = backup_gaps(inventory, now);
    let targets = settings.targets;
    let indexes = Indexes { automation: AutomationIndex::new(inventory) };
    // Applications are independent: estimate them in parallel (collect keeps name order).
    let apps: Vec<AppEstimate> = inventory
        .members()
        .by_app
        .par_iter()
        .map(|(app, members)| {
            let builder =
                Builder { inventory, settings, now, gaps: &backup_gaps, indexes: &indexes, app, members };
            let (rto_terms, rpo_terms) = builder.terms();
            AppEstimate::new(app.clone(), rto_terms, rpo_terms, targets)
        })
        .collect();
    Estimates { apps, backup_gaps }
}

/// Worst gaps of every backup plan rule in both regions, evaluating each distinct
/// (expression, timezone) once.
fn backup_gaps(inventory: &Inventory<'_>, now: DateTime<Utc>) -> HashMap<(String, String), BackupGap> {
    let mut cache: HashMap<(&str, &str), Amount> = HashMap::new();
    let mut gaps = HashMap::new();
    for view in [&inventory.primary, &inventory.dr] {
        for plan in &view.resources.backup_plans {
            for rule in &plan.rules {
                let tz_name = rule.schedule_timezone.as_deref().unwrap_or("UTC");
                let schedule = cache
                    .entry((rule.schedule_expression.as_str(), tz_name))
                    .or_insert_with(|| schedule_gap(&rule.schedule_expression, tz_name, now))
                    .clone();
                let (minutes, defaulted) = match rule.start_window_minutes {
                    Some(m) => (m, false),
                    None => (DEFAULT_START_WINDOW_MINUTES, true),
                };
                gaps.insert(
                    (plan.arn.clone(), rule.name.clone()),
                    BackupGap {
                        expression: rule.schedule_expression.clone(),
                        timezone: tz_name.to_string(),
                        schedule,
                        start_window_seconds: crate::time::minutes(minutes),
                        start_window_defaulted: defaulted,
                    },
                );
            }
        }
    }
    gaps
}

fn schedule_gap(expression: &str, tz_name: &str, now: DateTime<Utc>) -> Amount {
    let unresolvable = |message: String| {
        Amount::Unknown(UnknownReason::new("backup schedule evaluation", ErrorCause::Unresolvable, message))
    };
    let tz = match timezone(Some(tz_name)) {
        Ok(tz) => tz,
        Err(e) => return unresolvable(e.0),
    };
    match Schedule::parse(expression) {
        Err(e) => unresolvable(format!("cannot parse {expression}: {e}")),
        Ok(schedule) => match schedule.worst_gap(tz, now) {
            WorstGap::Seconds { gap, .. } => Amount::Seconds(gap),
            WorstGap::Unbounded(why) => Amount::Unbounded(why),
        },
    }
}

/// Lookups built once per audit, shared by every application's estimate (the DR relations
/// are the inventory's).
struct Indexes<'s> {
    automation: AutomationIndex<'s>,
}

struct Builder<'a, 's> {
    indexes: &'a Indexes<'s>,
    inventory: &'a Inventory<'s>,
    settings: EstimateSettings<'a>,
    now: DateTime<Utc>,
    gaps: &'a HashMap<(String, String), BackupGap>,
    app: &'a str,
    members: &'a Members<'s>,
}

impl<'s> Builder<'_, 's> {
    fn constants(&self) -> &EstimateConstants {
        self.settings.constants
    }

    fn terms(&self) -> (Vec<RtoTerm>, Vec<RpoTerm>) {
        let mut rto = Vec::new();
        let mut health = PrimaryHealth::default();
        let mut dr_asgs: Vec<&AutoScalingGroup> = Vec::new();
        self.routing_terms(&mut rto, &mut health, &mut dr_asgs);
        let mut rpo = Vec::new();
        self.data_terms(&mut rto, &mut rpo, &health, &dr_asgs);
        self.object_and_table_terms(&mut rto, &mut rpo, &health, &dr_asgs);
        if let Some(reason) = self.inventory.applications().undecided(self.app) {
            // Named after its failover record because the tags that name it could not be
            // read: the data stores it joins by tag (and their recovery steps) may be missing.
            let target = resource::application(self.app, self.inventory.account());
            let source = format!(
                "application {} is named after its failover record: the tags that would name it could not be read, so its data stores are not known",
                self.app
            );
            rto.push(Self::term(
                TermKind::Routing,
                "membership",
                Amount::Unknown(reason.clone()),
                source.clone(),
                Some(target.clone()),
            ));
            rpo.push(RpoTerm {
                store: "data stores joined by tag".to_string(),
                amount: Amount::Unknown(reason.clone()),
                source,
                resource: target,
                critical_path: false,
            });
        }
        // Estimates go to every output (JSON, SARIF, reports): what AWS's error text says of
        // the caller and the account is redacted, as it is in unknown findings.
        for amount in rto.iter_mut().map(|t| &mut t.amount).chain(rpo.iter_mut().map(|t| &mut t.amount)) {
            if let Amount::Unknown(reason) = amount {
                *reason = reason.redacted();
            }
        }
        (rto, rpo)
    }

    fn term(
        kind: TermKind,
        step: &str,
        amount: Amount,
        source: String,
        resource: Option<ResourceRef>,
    ) -> RtoTerm {
        RtoTerm {
            kind,
            step: step.to_string(),
            amount,
            source,
            resource,
            automation: None,
            critical_path: false,
        }
    }

    /// Detection, routing, DNS and the compute step, from the application's failover records.
    fn routing_terms(
        &self,
        rto: &mut Vec<RtoTerm>,
        health: &mut PrimaryHealth,
        dr_asgs: &mut Vec<&'s AutoScalingGroup>,
    ) {
        let groups: Vec<_> = self
            .members
            .failover_groups
            .iter()
            .filter_map(|i| self.inventory.failover_groups.get(*i))
            .collect();
        if groups.is_empty() {
            // No record routes it — unless the records could not all be read, or a record's
            // application could not be decided: then it may have one.
            let (amount, source) = match self.inventory.unrouted_app_unknown() {
                Some(reason) => {
                    // Whether the DR tier must scale out, and what starts it, is unknown too.
                    self.unknown_scale_out(rto, &reason, "the failover records could not all be read", None);
                    (
                        Amount::Unknown(reason),
                        "no failover record drscan could read maps to this application".to_string(),
                    )
                }
                None => (
                    Amount::Unbounded(
                        "no Route 53 failover record routes this application's traffic".to_string(),
                    ),
                    "no failover record maps to this application".to_string(),
                ),
            };
            rto.push(Self::term(TermKind::Routing, "routing", amount, source, None));
            return;
        }
        let c = self.constants();
        let relations = self.inventory.relations();
        let mut compute_done: Vec<String> = Vec::new();
        for group in groups {
            let mut required: Option<u32> = None;
            // Why the capacity the primary runs could not be read, if it could not.
            let mut required_unknown: Option<UnknownReason> = None;
            for primary in &group.primaries {
                if let Some(id) = &primary.health_check_id {
                    health.health_check_ids.push(id.clone());
                }
                let found = detection(self.inventory, group.zone, primary);
                rto.push(Self::term(
                    TermKind::Detection,
                    "detection",
                    found.amount,
                    found.source,
                    Some(found.resource),
                ));
                let (ttl, source) = match (&primary.alias_target, primary.ttl) {
                    (Some(_), _) => (
                        c.alias_ttl_seconds,
                        "alias record: Route 53 answers with the alias TTL (alias_ttl)".to_string(),
                    ),
                    (None, Some(ttl)) => (ttl, format!("TTL of record {} {}", group.name, group.record_type)),
                    (None, None) => (0, format!("record {} {} has no TTL", group.name, group.record_type)),
                };
                rto.push(Self::term(
                    TermKind::Dns,
                    "dns-ttl",
                    Amount::Seconds(ttl),
                    source,
                    Some(resource::record(group.zone, primary)),
                ));
                match relations.record_load_balancer_or_why(group.zone, primary) {
                    Ok(lb) => {
                        health.add_load_balancer(&lb.load_balancer.arn);
                        for tg in lb.view.target_groups_of(&lb.load_balancer.arn) {
                            health.add_target_group(&tg.arn);
                        }
                        if let Known::Unknown(reason) = lb.target_groups() {
                            required_unknown = required_unknown.or(Some(reason));
                        }
                        if let Some(reason) = lb.view.gap(ResourceKind::AutoScalingGroup) {
                            required_unknown = required_unknown.or(Some(reason.clone()));
                        }
                        let desired: u32 = lb.asgs().iter().map(|a| a.desired_capacity).sum();
                        required = Some(required.unwrap_or(0).max(desired));
                    }
                    Err(unresolved) => required_unknown = required_unknown.or(unresolved),
                }
            }
            let Some(secondary) = group.secondaries.first() else {
                let primary = group.primaries.first().map(|p| resource::record(group.zone, p));
                rto.push(Self::term(
                    TermKind::Routing,
                    "routing",
                    Amount::Unbounded(format!(
                        "{} {} has no SECONDARY record to fail over to",
                        group.name, group.record_type
                    )),
                    format!("failover records {} {}", group.name, group.record_type),
                    primary,
                ));
                continue;
            };
            let Some(resolution) = self.inventory.resolve_record(group.zone, secondary) else { continue };
            let Some(lb) = LbTarget::of(self.inventory, &resolution) else {
                let amount = match resolution {
                    AliasResolution::Unknown(reason) => {
                        self.unknown_scale_out(
                            rto,
                            &reason,
                            "the SECONDARY's load balancer could not be resolved",
                            Some(resource::record(group.zone, secondary)),
                        );
                        Amount::Unknown(reason)
                    }
                    AliasResolution::OtherTarget { .. } => continue,
                    _ => {
                        let (verb, name) = secondary.named_target().unwrap_or(("names", ""));
                        Amount::Unbounded(format!(
                            "the SECONDARY {} {} {verb} {name}, which matches no load balancer",
                            group.name, group.record_type
                        ))
                    }
                };
                rto.push(Self::term(
                    TermKind::Routing,
                    "routing",
                    amount,
                    format!("SECONDARY {} {} alias target", group.name, group.record_type),
                    Some(resource::record(group.zone, secondary)),
                ));
                continue;
            };
            if compute_done.contains(&lb.load_balancer.arn) {
                continue;
            }
            compute_done.push(lb.load_balancer.arn.clone());
            let asgs = lb.asgs();
            dr_asgs.extend(asgs.iter().copied());
            let required = (required.unwrap_or(1), required_unknown);
            if let Some(term) = self.compute_term(&lb, &asgs, required, health) {
                rto.push(term);
            }
        }
    }

    /// A scale-out step of each of the application's DR groups that cannot be evaluated: its
    /// load balancer (and so its capacity and what drives it) is not known. Without a DR group
    /// to name, the step is still unknown, never dropped: about every DR group when they could
    /// not be listed either, else about `fallback` (the record whose target is unknown).
    fn unknown_scale_out(
        &self,
        rto: &mut Vec<RtoTerm>,
        reason: &UnknownReason,
        why: &str,
        fallback: Option<ResourceRef>,
    ) {
        let dr = &self.inventory.dr;
        let step = FailoverStep::DrScaleOut;
        let term = |source: String, target: ResourceRef| {
            Self::term(
                TermKind::Step(step),
                step.as_str(),
                Amount::Unknown(reason.clone()),
                source,
                Some(target),
            )
        };
        if !self.members.dr_asgs.is_empty() {
            for asg in &self.members.dr_asgs {
                let source = format!("{why}: whether DR ASG {} must scale out is unknown", asg.name);
                rto.push(term(source, resource::asg(asg, dr.name)));
            }
            return;
        }
        if let Some(target) = self.unlisted_groups(dr).or(fallback) {
            rto.push(term(
                format!("{why}: whether a DR Auto Scaling group must scale out is unknown"),
                target,
            ));
        }
    }

    /// Every Auto Scaling group of `view`'s region, as one target, when they could not be
    /// listed: what a scale-out step is about when the group it would scale is not known.
    fn unlisted_groups(&self, view: &RegionView<'s>) -> Option<ResourceRef> {
        view.gap(ResourceKind::AutoScalingGroup).map(|_| {
            resource::listing(
                ResourceKind::AutoScalingGroup,
                view.name,
                self.inventory.account_of_region(view.name),
            )
        })
    }

    fn compute_term(
        &self,
        target: &LbTarget<'_, 's>,
        asgs: &[&'s AutoScalingGroup],
        (required, required_unknown): (u32, Option<UnknownReason>),
        health: &PrimaryHealth,
    ) -> Option<RtoTerm> {
        let c = self.constants();
        let (view, lb) = (target.view, target.load_balancer);
        // What an unknown scale-out step is about: the DR group that would scale (behind the
        // load balancer, else the application's), else every group when they could not be
        // listed, else the load balancer.
        let scaled = || {
            asgs.first()
                .or(self.members.dr_asgs.first())
                .map(|asg| resource::asg(asg, view.name))
                .or_else(|| self.unlisted_groups(view))
                .unwrap_or_else(|| resource::load_balancer(lb, view.name))
        };
        let target_groups = match target.target_groups() {
            Known::Value(groups) => groups,
            Known::Unknown(reason) => {
                return Some(Self::term(
                    TermKind::Step(FailoverStep::DrScaleOut),
                    FailoverStep::DrScaleOut.as_str(),
                    Amount::Unknown(reason),
                    format!("the target groups of {} could not be listed", lb.name),
                    Some(scaled()),
                ));
            }
        };
        let mut healthy = 0u32;
        for tg in &target_groups {
            match &tg.target_health {
                Known::Value(targets) => healthy += targets.iter().filter(|t| t.is_healthy()).count() as u32,
                Known::Unknown(reason) => {
                    return Some(Self::term(
                        TermKind::Step(FailoverStep::DrScaleOut),
                        FailoverStep::DrScaleOut.as_str(),
                        Amount::Unknown(reason.clone()),
                        format!("target health of {} could not be read", tg.name),
                        Some(scaled()),
                    ));
                }
            }
        }
        if healthy >= required.max(1) {
            // Enough healthy DR capacity already: no scale-out step — unless what the primary
            // runs could not be read.
            return required_unknown.map(|reason| {
                Self::term(
                    TermKind::Step(FailoverStep::DrScaleOut),
                    FailoverStep::DrScaleOut.as_str(),
                    Amount::Unknown(reason),
                    format!(
                        "{healthy} healthy DR target(s); the capacity the primary runs could not be read"
                    ),
                    Some(scaled()),
                )
            });
        }
        let step = FailoverStep::DrScaleOut;
        let Some(asg) = asgs.first() else {
            // No group behind it — unless the groups could not be listed.
            let (amount, about) = match view.gap(ResourceKind::AutoScalingGroup) {
                Some(reason) => (Amount::Unknown(reason.clone()), scaled()),
                None => (
                    Amount::Unbounded(format!(
                        "no Auto Scaling group behind DR load balancer {} can add the {required} instance(s) needed",
                        lb.name
                    )),
                    resource::load_balancer(lb, view.name),
                ),
            };
            return Some(Self::term(
                TermKind::Step(step),
                step.as_str(),
                amount,
                format!("{healthy} healthy DR target(s), {required} needed"),
                Some(about),
            ));
        };
        let asg_ref = resource::asg(asg, view.name);
        // Whether someone must decide to scale out holds whether or not the launches succeed.
        let dr_asgs: Vec<&AutoScalingGroup> = asgs.to_vec();
        let how = self.indexes.automation.automation(self.settings, self.app, step, health, &dr_asgs);
        if let Some(blocked) = launch_blocker(view, asg) {
            let mut term = Self::term(
                TermKind::Step(step),
                step.as_str(),
                blocked,
                format!("DR ASG {} cannot launch", asg.name),
                Some(asg_ref),
            );
            term.automation = Some(how);
            return Some(term);
        }
        // A vCPU quota that leaves too little free stops the launches short (dr-capacity-quota).
        if let Some(quota) = self.inventory.scale_out().shortfalls_of(asg).first() {
            let room = match &quota.free {
                Ok((free, _)) => format!("leaves {free} vCPUs free"),
                Err(_) => format!("is {} vCPUs", quota.quota.map_or(0.0, |q| q.value)),
            };
            let mut term = Self::term(
                TermKind::Step(step),
                step.as_str(),
                Amount::Unbounded(format!(
                    "{}'s {} {room}; the scale-out needs {}",
                    view.name,
                    quota.name(),
                    quota.vcpus()
                )),
                format!("DR ASG {} cannot launch all it needs", asg.name),
                Some(asg_ref),
            );
            term.automation = Some(how);
            return Some(term);
        }
        let interval = target_groups.iter().map(|tg| tg.health_check.interval_seconds).max().unwrap_or(0);
        let slowest_tg =
            target_groups.iter().max_by_key(|tg| tg.health_check.interval_seconds).map(|tg| tg.name.as_str());
        let time =
            c.ec2_launch_seconds.saturating_add(c.app_boot_seconds).saturating_add(u64::from(interval));
        let mut source = format!(
            "{healthy} healthy DR target(s) < {required} needed: EC2 launch to in-service {} (ec2_launch) + app boot {} (app_boot) + target group {} interval {} s",
            duration_text(c.ec2_launch_seconds),
            duration_text(c.app_boot_seconds),
            slowest_tg.unwrap_or("?"),
            interval
        );
        let amount = self.with_start(&how, Amount::Seconds(time), &mut source);
        let mut term = Self::term(TermKind::Step(step), step.as_str(), amount, source, Some(asg_ref));
        term.automation = Some(how);
        Some(term)
    }

    /// Prefix the step's start: nothing when automated, the manual decision otherwise.
    fn with_start(&self, how: &Automation, time: Amount, source: &mut String) -> Amount {
        let decision = self.constants().manual_decision_seconds;
        match how {
            Automation::Seen(what) => {
                *source = format!("automated ({what}); {source}");
                time
            }
            Automation::Declared => {
                *source = format!("automated (declared in configuration); {source}");
                time
            }
            Automation::Manual => {
                *source = format!("manual decision {} (manual_decision) + {source}", duration_text(decision));
                time.plus(&Amount::Seconds(decision))
            }
            Automation::Unknown(reason) => {
                *source = format!(
                    "automation unknown ({reason}); manual decision {} assumed + {source}",
                    duration_text(decision)
                );
                time.plus(&Amount::Seconds(decision))
            }
        }
    }

    fn step_term(
        &self,
        step: FailoverStep,
        time: Amount,
        source: String,
        target: ResourceRef,
        health: &PrimaryHealth,
        dr_asgs: &[&AutoScalingGroup],
    ) -> RtoTerm {
        let how = self.indexes.automation.automation(self.settings, self.app, step, health, dr_asgs);
        let mut source = source;
        let amount = self.with_start(&how, time, &mut source);
        let mut term = Self::term(TermKind::Step(step), step.as_str(), amount, source, Some(target));
        term.automation = Some(how);
        term
    }

    /// One recovery step and one RPO term per primary data store.
    fn data_terms(
        &self,
        rto: &mut Vec<RtoTerm>,
        rpo: &mut Vec<RpoTerm>,
        health: &PrimaryHealth,
        dr_asgs: &[&AutoScalingGroup],
    ) {
        let primary = &self.inventory.primary;
        let dr = &self.inventory.dr;
        let relations = self.inventory.relations();
        let c = self.constants();

        // A store that could not be listed may belong to this application: its RPO is unknown,
        // and so is the recovery step it needs. A DR copy that could not be listed leaves its
        // step (promotion, failover, breaking replication) unknown the same way.
        let m = self.members;
        // (kind, its recovery step, whether it is a store (else what links stores to their
        // copies), whether this application has primary stores it concerns)
        let stores = [
            (
                ResourceKind::DbInstance,
                FailoverStep::ReplicaPromotion,
                true,
                !m.primary_db_instances.is_empty(),
            ),
            (
                ResourceKind::DbCluster,
                FailoverStep::AuroraGlobalFailover,
                true,
                !m.primary_db_clusters.is_empty(),
            ),
            (
                ResourceKind::GlobalCluster,
                FailoverStep::AuroraGlobalFailover,
                false,
                !m.primary_db_clusters.is_empty(),
            ),
            (
                ResourceKind::FileSystem,
                FailoverStep::BreakEfsReplication,
                true,
                !m.primary_file_systems.is_empty(),
            ),
        ];
        for (kind, step, is_store, has_primary_stores) in stores {
            // Any application may hold an unlisted primary store; a DR copy (or what links it)
            // only matters to one with primary stores of the kind, or whose are unlisted too.
            let primary_gap = is_store && primary.gap(kind).is_some();
            for view in [primary, dr] {
                let Some(reason) = view.gap(kind) else { continue };
                let own_store = is_store && view.name == primary.name;
                if !own_store && !has_primary_stores && !primary_gap {
                    continue;
                }
                let listing = resource::listing(kind, view.name, self.inventory.account_of_region(view.name));
                let source = format!("{kind} in {} could not be listed", view.name);
                if own_store {
                    rpo.push(RpoTerm {
                        store: format!("{kind} listing"),
                        amount: Amount::Unknown(reason.clone()),
                        source: source.clone(),
                        resource: listing.clone(),
                        critical_path: false,
                    });
                }
                rto.push(Self::term(
                    TermKind::Step(step),
                    step.as_str(),
                    Amount::Unknown(reason.clone()),
                    format!("{source}: the recovery step of what it holds is unknown"),
                    Some(listing),
                ));
            }
        }
        // The DR copies that exist of primary stores that could not be listed: their steps
        // (promotion, global failover) are unknown, and about them.
        if let Some(reason) = primary.gap(ResourceKind::DbInstance) {
            for (replica, _) in relations.dr_db_replicas() {
                rto.push(Self::term(
                    TermKind::Step(FailoverStep::ReplicaPromotion),
                    FailoverStep::ReplicaPromotion.as_str(),
                    Amount::Unknown(reason.clone()),
                    format!("the primary DB instances could not be listed: whether {} is promoted, and how, is unknown", replica.id),
                    Some(resource::db_instance(replica, dr.name)),
                ));
            }
        }
        if let Some(reason) = primary.gap(ResourceKind::DbCluster) {
            for cluster in dr.resources.db_clusters.iter().filter(|c| relations.is_global_secondary(c)) {
                rto.push(Self::term(
                    TermKind::Step(FailoverStep::AuroraGlobalFailover),
                    FailoverStep::AuroraGlobalFailover.as_str(),
                    Amount::Unknown(reason.clone()),
                    format!("the primary Aurora clusters could not be listed: whether {} fails over, and how, is unknown", cluster.id),
                    Some(resource::db_cluster(cluster, dr.name)),
                ));
            }
        }

        // Buckets and tables have no recovery step of their own (replication keeps going, the
        // DR copy is already writable): one that could not be listed leaves only its RPO unknown.
        for kind in [ResourceKind::Bucket, ResourceKind::Table] {
            if let Some(reason) = primary.gap(kind) {
                rpo.push(RpoTerm {
                    store: format!("{kind} listing"),
                    amount: Amount::Unknown(reason.clone()),
                    source: format!("{kind} in {} could not be listed", primary.name),
                    resource: resource::listing(kind, primary.name, self.inventory.account()),
                    critical_path: false,
                });
            }
        }

        for db in &self.members.primary_db_instances {
            let store = format!("rds {}", db.id);
            let target = resource::db_instance(db, primary.name);
            let missing = match relations.db_replicas(db) {
                Known::Value(replicas) => match replicas.first() {
                    Some(replica) => {
                        let lag = self.replica_lag(replica.id(), LagMetric::ReplicaLag);
                        let promotion = ("RDS replica promotion", resource::db_replica(replica, dr.name));
                        self.promotion_terms(rto, rpo, store, lag, promotion, health, dr_asgs);
                        continue;
                    }
                    None => None,
                },
                Known::Unknown(reason) => Some(reason),
            };
            let copies = relations.backup_copies(&db.arn, &db.tags);
            self.backup_or_nothing(rto, rpo, store, target, &db.arn, copies, missing, health, dr_asgs);
        }

        for cluster in &self.members.primary_db_clusters {
            let target = resource::db_cluster(cluster, primary.name);
            if let Some(reason) = cluster.not_modeled() {
                self.unmodeled_cluster_terms(rto, rpo, cluster, target, reason, health, dr_asgs);
                continue;
            }
            let store = format!("aurora {}", cluster.id);
            let missing = match relations.aurora_copy(cluster) {
                Known::Value(Some(copy @ AuroraCopy::GlobalSecondary { .. })) => {
                    let secondary_ref = resource::aurora_copy(&copy, dr.name);
                    let (lag, source) = self.replica_lag(copy.id(), LagMetric::AuroraGlobalDBReplicationLag);
                    rpo.push(RpoTerm {
                        store,
                        amount: lag,
                        source,
                        resource: secondary_ref.clone(),
                        critical_path: false,
                    });
                    let mut time = c.aurora_global_failover_seconds;
                    let mut source =
                        format!("Aurora global failover {} (aurora_global_failover)", duration_text(time));
                    if copy.headless() {
                        time = time.saturating_add(c.aurora_instance_creation_seconds);
                        source.push_str(&format!(
                            " + instance creation {} (aurora_instance_creation): {} is headless",
                            duration_text(c.aurora_instance_creation_seconds),
                            copy.id()
                        ));
                    }
                    rto.push(self.step_term(
                        FailoverStep::AuroraGlobalFailover,
                        Amount::Seconds(time),
                        source,
                        secondary_ref,
                        health,
                        dr_asgs,
                    ));
                    continue;
                }
                Known::Value(Some(AuroraCopy::ReplicaCluster(replica))) => {
                    let lag = (
                        Amount::Unknown(UnknownReason::new(
                            "cloudwatch:GetMetricData",
                            ErrorCause::NotFound,
                            format!("no lag metric is collected for replica cluster {}", replica.id),
                        )),
                        format!("cross-region replica cluster {}", replica.id),
                    );
                    let promotion = ("replica cluster promotion", resource::db_cluster(replica, dr.name));
                    self.promotion_terms(rto, rpo, store, lag, promotion, health, dr_asgs);
                    continue;
                }
                Known::Value(None) => None,
                Known::Unknown(reason) => Some(reason),
            };
            let copies = relations.backup_copies(&cluster.arn, &cluster.tags);
            self.backup_or_nothing(rto, rpo, store, target, &cluster.arn, copies, missing, health, dr_asgs);
        }

        for fs in &self.members.primary_file_systems {
            let store = format!("efs {}", fs.id);
            let target = resource::file_system(fs, primary.name);
            let protection = relations.efs_protection(fs);
            let Some(destination) = protection.active_replication() else {
                let missing = protection.replication.get().err().cloned();
                self.backup_or_nothing(
                    rto,
                    rpo,
                    store,
                    target,
                    &fs.arn,
                    protection.backups,
                    missing,
                    health,
                    dr_asgs,
                );
                continue;
            };
            let (amount, source) = match destination.last_replicated_timestamp {
                Some(at) => {
                    let age = crate::time::seconds_between(at, self.now);
                    (
                        Amount::Seconds(age.max(EFS_REPLICATION_RPO_FLOOR_SECONDS)),
                        format!(
                            "EFS replication to {}: max(collected_at − LastReplicatedTimestamp {}, 15m floor)",
                            destination.file_system_id,
                            duration_text(age)
                        ),
                    )
                }
                None => (
                    Amount::Unknown(UnknownReason::new(
                        "elasticfilesystem:DescribeReplicationConfigurations",
                        ErrorCause::NotFound,
                        format!("no LastReplicatedTimestamp for {}", destination.file_system_id),
                    )),
                    format!("EFS replication to {}", destination.file_system_id),
                ),
            };
            rpo.push(RpoTerm { store, amount, source, resource: target.clone(), critical_path: false });
            rto.push(self.step_term(
                FailoverStep::BreakEfsReplication,
                Amount::Seconds(c.efs_replication_break_seconds),
                format!(
                    "break EFS replication {} (efs_replication_break) to make {} writable",
                    duration_text(c.efs_replication_break_seconds),
                    destination.file_system_id
                ),
                target,
                health,
                dr_asgs,
            ));
        }
    }

    /// One RPO term per application bucket and table: live replication to the DR region
    /// bounds the loss by its lag; without it, a DR backup copy (or nothing) does.
    fn object_and_table_terms(
        &self,
        rto: &mut Vec<RtoTerm>,
        rpo: &mut Vec<RpoTerm>,
        health: &PrimaryHealth,
        dr_asgs: &[&AutoScalingGroup],
    ) {
        let primary = self.inventory.primary.name;
        let relations = self.inventory.relations();
        for bucket in &self.members.primary_buckets {
            let store = format!("s3 {}", bucket.name);
            let target = resource::bucket(bucket, primary);
            let copies = relations.bucket_copies(bucket);
            let mut missing = copies.get().err().cloned();
            let copies = copies.value().cloned().unwrap_or_default();
            let mut live = Vec::new();
            for copy in &copies {
                match copy.live() {
                    Known::Value(true) => live.push(copy),
                    Known::Value(false) => {}
                    Known::Unknown(reason) => missing = missing.or(Some(reason)),
                }
            }
            // The best live rule sets the loss.
            let best = live.iter().map(|copy| s3_lag(copy)).min_by_key(|(amount, _)| amount.rank());
            match best {
                Some((amount, source)) => {
                    rpo.push(RpoTerm { store, amount, source, resource: target, critical_path: false })
                }
                None => {
                    let backups = relations.backup_copies(&bucket.arn, &bucket.tags);
                    self.backup_or_nothing(
                        rto,
                        rpo,
                        store,
                        target,
                        &bucket.arn,
                        backups,
                        missing,
                        health,
                        dr_asgs,
                    );
                }
            }
        }
        for table in &self.members.primary_tables {
            let store = format!("dynamodb {}", table.name);
            let target = resource::table(table, primary);
            let missing = match relations.table_copy(table) {
                Known::Value(Some(copy)) if copy.replica.active() => {
                    let (amount, source) = table_lag(table.name.as_str(), copy.replica);
                    rpo.push(RpoTerm { store, amount, source, resource: target, critical_path: false });
                    continue;
                }
                Known::Value(_) => None,
                Known::Unknown(reason) => Some(reason),
            };
            let backups = relations.backup_copies(&table.arn, &table.tags);
            self.backup_or_nothing(rto, rpo, store, target, &table.arn, backups, missing, health, dr_asgs);
        }
    }

    /// The RPO term of a store recovered through a DR replica (its lag), and the promotion step
    /// that makes the replica writable: `promotion` names the step and the replica.
    #[allow(clippy::too_many_arguments)]
    fn promotion_terms(
        &self,
        rto: &mut Vec<RtoTerm>,
        rpo: &mut Vec<RpoTerm>,
        store: String,
        (amount, source): (Amount, String),
        (what, replica): (&str, ResourceRef),
        health: &PrimaryHealth,
        dr_asgs: &[&AutoScalingGroup],
    ) {
        let seconds = self.constants().rds_replica_promotion_seconds;
        let step_source =
            format!("{what} {} (rds_replica_promotion) of {}", duration_text(seconds), replica.id);
        rpo.push(RpoTerm { store, amount, source, resource: replica.clone(), critical_path: false });
        let step = FailoverStep::ReplicaPromotion;
        rto.push(self.step_term(step, Amount::Seconds(seconds), step_source, replica, health, dr_asgs));
    }

    /// A DB cluster that is not Aurora (Multi-AZ DB cluster, DocumentDB, Neptune): a DR
    /// secondary or replica cluster is seen, but its lag and failover time are not modeled
    /// (unknown terms saying so); without one, a backup copy is restored like any other.
    #[allow(clippy::too_many_arguments)]
    fn unmodeled_cluster_terms(
        &self,
        rto: &mut Vec<RtoTerm>,
        rpo: &mut Vec<RpoTerm>,
        cluster: &'s DbCluster,
        target: ResourceRef,
        reason: UnknownReason,
        health: &PrimaryHealth,
        dr_asgs: &[&AutoScalingGroup],
    ) {
        let dr = self.inventory.dr.name;
        let relations = self.inventory.relations();
        let family = cluster.family().label();
        let store = format!("{} {}", family.to_lowercase(), cluster.id);
        let missing = match relations.aurora_copy(cluster) {
            Known::Value(Some(copy)) => {
                let (kind, step) = match copy {
                    AuroraCopy::GlobalSecondary { .. } => {
                        (FailoverStep::AuroraGlobalFailover, "global cluster failover")
                    }
                    AuroraCopy::ReplicaCluster(_) => {
                        (FailoverStep::ReplicaPromotion, "replica cluster promotion")
                    }
                };
                let copy_ref = resource::aurora_copy(&copy, dr);
                rpo.push(RpoTerm {
                    store,
                    amount: Amount::Unknown(reason.clone()),
                    source: format!("replication lag of {} in {dr}: {}", copy.id(), reason.message),
                    resource: copy_ref.clone(),
                    critical_path: false,
                });
                rto.push(Self::term(
                    TermKind::Step(kind),
                    step,
                    Amount::Unknown(reason.clone()),
                    format!("{step} of {family} {} to {}: {}", cluster.id, copy.id(), reason.message),
                    Some(copy_ref),
                ));
                return;
            }
            Known::Value(None) => reason,
            Known::Unknown(listing) => listing,
        };
        let copies = relations.backup_copies(&cluster.arn, &cluster.tags);
        self.backup_or_nothing(rto, rpo, store, target, &cluster.arn, copies, Some(missing), health, dr_asgs);
    }

    /// A store without live replication: restore from a DR backup copy if a plan makes one,
    /// else unbounded (or unknown when the replication, the plans or their selections could
    /// not be read).
    #[allow(clippy::too_many_arguments)]
    fn backup_or_nothing(
        &self,
        rto: &mut Vec<RtoTerm>,
        rpo: &mut Vec<RpoTerm>,
        store: String,
        target: ResourceRef,
        arn: &str,
        copies: Known<Vec<BackupCopy<'s>>>,
        missing: Option<UnknownReason>,
        health: &PrimaryHealth,
        dr_asgs: &[&AutoScalingGroup],
    ) {
        let c = self.constants();
        let dr = self.inventory.dr.name;
        let (copies, copies_missing) = match copies {
            Known::Value(copies) => (copies, None),
            Known::Unknown(reason) => (Vec::new(), Some(reason)),
        };
        let best = copies
            .iter()
            .map(|copy| (copy, self.backup_rpo(copy, arn)))
            .min_by_key(|(_, (amount, _))| amount.rank());
        let missing = missing.or(copies_missing);
        match best {
            Some((copy, (amount, source))) => {
                // With replication unreadable, a backup copy bounds the loss but may not be the
                // best copy: report the backup, and the rule says unknown only when it breaks.
                rpo.push(RpoTerm { store, amount, source, resource: target.clone(), critical_path: false });
                let mut step_source = format!(
                    "restore from backup {} (backup_restore) of plan {} rule {}",
                    duration_text(c.backup_restore_seconds),
                    copy.plan.name,
                    copy.rule.name
                );
                if let Some(account) = self.inventory.relations().recovery_account_of(arn) {
                    // A recovery account is reached by restoring, never by promoting.
                    step_source.push_str(&format!(
                        ": restore, not promotion — the DR side is account {account}, and replicas do not cross accounts"
                    ));
                }
                rto.push(self.step_term(
                    FailoverStep::RestoreFromBackup,
                    Amount::Seconds(c.backup_restore_seconds),
                    step_source,
                    target,
                    health,
                    dr_asgs,
                ));
            }
            None => {
                let amount = match missing {
                    Some(reason) => Amount::Unknown(reason),
                    None => Amount::Unbounded(format!(
                        "{store} has no replica, replication or backup copy in {dr}"
                    )),
                };
                let source = match &amount {
                    // What drscan does not model says so itself.
                    Amount::Unknown(reason) if reason.cause == ErrorCause::Unresolvable => {
                        format!("no DR copy drscan can see; {}", reason.message)
                    }
                    Amount::Unknown(reason) => {
                        format!("no DR copy drscan can see; {} could not be read", reason.operation)
                    }
                    _ => format!("no replica, replication or backup copy to {dr}"),
                };
                rpo.push(RpoTerm {
                    store: store.clone(),
                    amount: amount.clone(),
                    source,
                    resource: target.clone(),
                    critical_path: false,
                });
                rto.push(Self::term(
                    TermKind::Step(FailoverStep::RestoreFromBackup),
                    "restore-from-backup",
                    amount,
                    format!("nothing in {dr} to recover {store} from"),
                    Some(target),
                ));
            }
        }
    }

    /// Backup worst gap + copy time, the copy time observed on the newest completed DR
    /// recovery point of the resource when there is one.
    fn backup_rpo(&self, coverage: &BackupCopy<'_>, arn: &str) -> (Amount, String) {
        let gap = self.gaps.get(&(coverage.plan.arn.clone(), coverage.rule.name.clone()));
        let Some(gap) = gap else {
            return (
                Amount::Unknown(UnknownReason::new(
                    "backup schedule evaluation",
                    ErrorCause::Other,
                    "rule not evaluated",
                )),
                String::new(),
            );
        };
        let (copy, copy_source) = match self.observed_copy_time(arn) {
            Some((seconds, rp)) => (
                seconds,
                format!("copy time {} observed on recovery point {}", duration_text(seconds), arn_name(rp)),
            ),
            None => (
                self.constants().backup_copy_seconds,
                format!("copy time {} (backup_copy)", duration_text(self.constants().backup_copy_seconds)),
            ),
        };
        let design = gap.worst().plus(&Amount::Seconds(copy));
        let source = format!(
            "backup plan {} rule {}: {} + {copy_source}",
            coverage.plan.name,
            coverage.rule.name,
            gap.describe()
        );
        // A DR copy that fails is not a recovery point: while the newest copies fail, what is
        // lost is everything since the newest point that did arrive, at least.
        let relations = self.inventory.relations();
        let Some(job) = relations.failing_dr_copy(arn) else { return (design, source) };
        let failed = format!(
            "copy job {} to {} failed {} before collection",
            job.id,
            arn_name(&job.destination_vault_arn),
            duration_text(crate::time::seconds_between(job.creation_date, self.now))
        );
        match relations.newest_dr_recovery_point(arn) {
            Some((rp, _)) => {
                let age = crate::time::seconds_between(rp.creation_date, self.now);
                let amount = match design {
                    Amount::Seconds(seconds) => Amount::Seconds(seconds.max(age)),
                    other => other,
                };
                (
                    amount,
                    format!(
                        "{source}; but {failed}, and the newest DR recovery point is {} old",
                        duration_text(age)
                    ),
                )
            }
            None => (
                Amount::Unbounded(format!("{failed}, and no DR recovery point of it exists")),
                format!("{source}; but {failed}, and no DR recovery point exists"),
            ),
        }
    }

    fn observed_copy_time(&self, arn: &str) -> Option<(u64, &'s str)> {
        let (rp, _) = self.inventory.relations().newest_dr_recovery_point(arn)?;
        let done = rp.completion_date?;
        Some((crate::time::seconds_between(rp.creation_date, done), rp.arn.as_str()))
    }

    fn replica_lag(&self, subject: &str, metric: LagMetric) -> (Amount, String) {
        let dr = &self.inventory.dr;
        let name = match metric {
            LagMetric::ReplicaLag => "ReplicaLag",
            LagMetric::AuroraGlobalDBReplicationLag => "AuroraGlobalDBReplicationLag",
        };
        let Some(series) = dr.lag_series(subject, metric) else {
            let reason = dr.gap(ResourceKind::MetricSeries).cloned().unwrap_or_else(|| {
                UnknownReason::new(
                    "cloudwatch:GetMetricData",
                    ErrorCause::NotFound,
                    format!("no {name} series of {subject} was collected"),
                )
            });
            return (Amount::Unknown(reason), format!("{name} of {subject}"));
        };
        let window = format!(
            "{name} max of {subject} over {}–{}",
            series.window_start.format("%H:%M"),
            series.window_end.format("%H:%M")
        );
        let stopped = series
            .datapoints
            .value()
            .and_then(|points| points.iter().max_by_key(|p| p.timestamp))
            .is_some_and(|latest| latest.max_seconds < 0.0);
        if stopped {
            return (
                Amount::Unbounded(format!("{name} of {subject} reports -1: replication is not running")),
                window,
            );
        }
        match series.max_seconds() {
            Some(Ok(max)) => (Amount::Seconds(max.ceil() as u64), format!("{window} (CloudWatch)")),
            Some(Err(reason)) => (Amount::Unknown(reason.clone()), window),
            None => (
                Amount::Unknown(UnknownReason::new(
                    "cloudwatch:GetMetricData",
                    ErrorCause::NotFound,
                    format!("{name} of {subject} has no datapoints"),
                )),
                window,
            ),
        }
    }
}

/// The data-loss window of one live S3 replication rule to DR: the largest
/// `ReplicationLatency` S3 published in the window, else S3 RTC's bound; without either S3
/// bounds nothing drscan can see.
fn s3_lag(copy: &BucketCopy<'_>) -> (Amount, String) {
    let rule = copy.rule;
    let destination = rule.destination_bucket();
    let rtc = rule.replication_time_minutes.map(|minutes| {
        let seconds = u64::from(minutes) * 60;
        (
            Amount::Seconds(seconds),
            format!("S3 RTC to {destination} (rule {}): {} bound", rule.id, duration_text(seconds)),
        )
    });
    match copy.max_latency() {
        Known::Value(Some(max)) => (
            Amount::Seconds(max.ceil().max(0.0) as u64),
            format!("ReplicationLatency max of rule {} to {destination} over the lag window (CloudWatch)", rule.id),
        ),
        Known::Value(None) => rtc.unwrap_or_else(|| {
            (
                Amount::Unknown(UnknownReason::new(
                    "cloudwatch:GetMetricData",
                    ErrorCause::Unresolvable,
                    format!(
                        "rule {} to {destination} has neither S3 RTC nor published replication metrics: S3 bounds its lag nowhere",
                        rule.id
                    ),
                )),
                format!("S3 replication to {destination} (rule {}) without RTC or metrics", rule.id),
            )
        }),
        Known::Unknown(reason) => rtc.unwrap_or_else(|| {
            (Amount::Unknown(reason), format!("replication metrics of rule {} to {destination}", rule.id))
        }),
    }
}

/// The data-loss window of an active DynamoDB replica: the largest `ReplicationLatency` to it
/// over the window.
fn table_lag(table: &str, replica: &TableReplica) -> (Amount, String) {
    let source = format!("ReplicationLatency max of {table} to {} (CloudWatch)", replica.region);
    let no_data = |message: String| {
        Amount::Unknown(UnknownReason::new("cloudwatch:GetMetricData", ErrorCause::NotFound, message))
    };
    match replica.replication_latency.as_ref().map(|w| w.max_seconds()) {
        Some(Some(Ok(max))) => (Amount::Seconds(max.ceil().max(0.0) as u64), source),
        Some(Some(Err(reason))) => (Amount::Unknown(reason.clone()), source),
        Some(None) => (
            no_data(format!("ReplicationLatency of {table} to {} has no datapoints", replica.region)),
            source,
        ),
        None => {
            (no_data(format!("ReplicationLatency of {table} to {} was not read", replica.region)), source)
        }
    }
}

/// Why a DR Auto Scaling group cannot launch anything, if it cannot.
fn launch_blocker(view: &RegionView<'_>, asg: &AutoScalingGroup) -> Option<Amount> {
    for reference in asg.launch_template_refs() {
        match view.resolve_launch(reference) {
            LaunchResolution::Unknown(reason) => return Some(Amount::Unknown(reason)),
            LaunchResolution::Resolved { image_id, .. } => match view.images.get(image_id) {
                Some(image) if image.state == ImageState::Available => {}
                Some(image) => {
                    return Some(Amount::Unbounded(format!(
                        "its AMI {image_id} is {}",
                        image.state.as_str()
                    )));
                }
                None => {
                    return Some(match view.unread(ResourceKind::Image, image_id) {
                        Some(reason) => Amount::Unknown(reason.clone()),
                        None => {
                            Amount::Unbounded(format!("its AMI {image_id} does not exist in {}", view.name))
                        }
                    });
                }
            },
            _ => {
                return Some(Amount::Unbounded(format!(
                    "DR ASG {} has no usable launch template version",
                    asg.name
                )));
            }
        }
    }
    None
}
