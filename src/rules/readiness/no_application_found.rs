use crate::inventory::{ErrorCause, ResourceKind, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, declare_rule, resource};

declare_rule! {
    /// ## What it does
    /// Checks that the audit found at least one application (SPEC §2: the resources reachable
    /// from a failover record, plus those carrying the application tag). It fails when the
    /// regions hold Auto Scaling groups, load balancers, databases or file systems but no
    /// failover record or application tag joins any of them into an application, and reports
    /// `unknown` when the audit found nothing at all, or could not list what would have formed
    /// one.
    ///
    /// `--allow-empty` (`DRSCAN_ALLOW_EMPTY`, or `allow_empty = true` under `[gate]`) keeps
    /// this rule's finding from failing the gate, for runs that mean to audit an empty account.
    ///
    /// ## Why is this bad?
    /// Every other rule judges applications. An audit that finds none judges nothing and, with
    /// no finding, passes the gate: a wrong profile, role, account or region pair, or an
    /// application tag spelled differently from the configured key, looks exactly like a
    /// ready DR setup. A DR setup with no application at all is not "ready".
    ///
    /// ## Example
    /// The CI job's role belongs to the sandbox account: both regions are empty, and without
    /// this rule the gate would be green.
    ///
    /// ## How to fix
    /// Run against the account and region pair that holds the application; tag its resources
    /// with the application tag (default key `app`, see `[applications]`), or map its
    /// failover records in `drscan.toml`. If the account is empty on purpose, pass
    /// `--allow-empty`.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-types.html
    /// - https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
    pub struct NoApplicationFound {
        name: "no-application-found",
        code: "DR504",
        severity: High,
        group: Readiness,
        summary: "The audit found no application to judge",
    }
}

/// The kinds that form applications: failover records and what they reach, and the tagged
/// resources that join them.
const FORMING: &[ResourceKind] = &[
    ResourceKind::AutoScalingGroup,
    ResourceKind::LoadBalancer,
    ResourceKind::DbInstance,
    ResourceKind::DbCluster,
    ResourceKind::FileSystem,
];

impl Rule for NoApplicationFound {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let inventory = ctx.inventory;
        if !inventory.applications().names.is_empty() {
            out.pass();
            return;
        }
        let target = || resource::application("*", inventory.account());
        let gap = [&inventory.primary, &inventory.dr]
            .into_iter()
            .find_map(|view| FORMING.iter().find_map(|&kind| view.gap(kind).cloned()))
            .or_else(|| inventory.global_gap(ResourceKind::HostedZone))
            .or_else(|| {
                inventory
                    .snapshot
                    .resources
                    .global
                    .hosted_zones
                    .iter()
                    .find_map(|z| z.record_sets.get().err().cloned())
            });
        if let Some(reason) = gap {
            out.unknown(target(), &reason, "no application found, and what would form one could not be read");
            return;
        }
        let found: usize = [&inventory.primary, &inventory.dr]
            .into_iter()
            .map(|view| {
                let r = view.resources;
                r.auto_scaling_groups.len()
                    + r.load_balancers.len()
                    + r.db_instances.len()
                    + r.db_clusters.len()
                    + r.file_systems.len()
            })
            .sum();
        if found > 0 {
            let tag_key = &ctx.settings.matching.app_tag_key;
            out.fail(
                target(),
                format!(
                    "{found} resource{} (Auto Scaling groups, load balancers, databases, file systems) but no failover record or `{tag_key}` tag joins any of them into an application: none was judged",
                    if found == 1 { "" } else { "s" }
                ),
            )
            .with("resources_found", found);
            return;
        }
        let (primary, dr) = (inventory.primary.name, inventory.dr.name);
        let reason = UnknownReason::new(
            "audit",
            ErrorCause::NotFound,
            format!(
                "no failover record, and no Auto Scaling group, load balancer, database or file system in {primary} or {dr}"
            ),
        );
        out.unknown(
            target(),
            &reason,
            "no application found: is this the right account, profile, role and region pair? (--allow-empty if it is meant to be empty)",
        );
    }
}
