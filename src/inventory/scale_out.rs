//! What the DR region's scale-out asks of EC2's vCPU quotas. For every DR Auto Scaling group
//! that stands in for primary groups: the capacity those run today (their desired capacity,
//! shared among their DR counterparts), the units the DR group must add to reach it, how
//! they split into On-Demand and Spot (its instances distribution), and the vCPUs they take
//! at the group's most vCPU-thrifty instance type (`ceil(units / weight) × DefaultVCpus`) —
//! so that a shortfall is certain, not a guess. Per quota, the groups' vCPUs are set against
//! the quota's value minus its current usage. Read by `dr-capacity-quota` and the estimate's
//! scale-out step.

use super::capacity::{Purchase, ServiceQuota, VcpuQuotaFamily, family_of_code, quota_code};
use super::compute::AutoScalingGroup;
use super::graph::{Inventory, LaunchResolution};
use super::{ErrorCause, Known, ResourceKind, UnknownReason};
use std::collections::{BTreeMap, HashMap};

/// What one DR group's scale-out takes from one quota.
#[derive(Debug, Clone)]
pub struct GroupNeed<'s> {
    pub app: String,
    pub asg: &'s AutoScalingGroup,
    /// The capacity units (instances, where no weights are set) the group must add.
    pub units: u32,
    /// The type counted: the one needing the fewest vCPUs for those units.
    pub instance_type: String,
    pub instances: u32,
    pub vcpus_each: u32,
}

impl GroupNeed<'_> {
    pub fn vcpus(&self) -> u64 {
        u64::from(self.instances) * u64::from(self.vcpus_each)
    }

    pub fn describe(&self) -> String {
        format!(
            "{}: {} × {} ({} vCPUs each)",
            self.asg.name, self.instances, self.instance_type, self.vcpus_each
        )
    }
}

/// One quota and the scale-out's demand on it.
#[derive(Debug, Clone)]
pub struct QuotaNeed<'s> {
    pub code: &'static str,
    pub family: &'static VcpuQuotaFamily,
    pub purchase: Purchase,
    pub quota: Option<&'s ServiceQuota>,
    pub groups: Vec<GroupNeed<'s>>,
    /// (vCPUs free, vCPUs in use) now, or why that is not known.
    pub free: Result<(f64, f64), UnknownReason>,
}

impl QuotaNeed<'_> {
    pub fn vcpus(&self) -> u64 {
        self.groups.iter().map(GroupNeed::vcpus).sum()
    }

    /// The quota is known to leave fewer vCPUs free than the scale-out needs: by its value
    /// minus its usage, or, where the usage is not known, by its value alone.
    pub fn short(&self) -> bool {
        let needed = self.vcpus() as f64;
        match self.free {
            Ok((free, _)) => needed > free,
            Err(_) => self.quota.is_some_and(|q| q.error_reason.is_none() && needed > q.value),
        }
    }

    pub fn name(&self) -> String {
        match self.quota.map(|q| q.name.as_str()).filter(|n| !n.is_empty()) {
            Some(name) => format!("{name} ({})", self.code),
            None => match self.purchase {
                Purchase::OnDemand => {
                    format!("Running On-Demand {} instances ({})", self.family.name, self.code)
                }
                Purchase::Spot => format!("All {} Spot Instance Requests ({})", self.family.name, self.code),
            },
        }
    }
}

/// The DR region's scale-out against its quotas: per quota, and the groups whose need could
/// not be told.
#[derive(Debug, Default)]
pub struct ScaleOutQuotas<'s> {
    pub quotas: Vec<QuotaNeed<'s>>,
    pub unknown_groups: Vec<(String, &'s AutoScalingGroup, UnknownReason)>,
}

impl<'s> ScaleOutQuotas<'s> {
    /// The quotas a DR group's scale-out draws on that leave it short.
    pub fn shortfalls_of(&self, asg: &AutoScalingGroup) -> Vec<&QuotaNeed<'s>> {
        self.quotas.iter().filter(|q| q.short() && q.groups.iter().any(|g| g.asg.arn == asg.arn)).collect()
    }
}

pub fn dr_scale_out<'s>(inventory: &Inventory<'s>) -> ScaleOutQuotas<'s> {
    let dr = &inventory.dr;
    let relations = inventory.relations();
    let vcpus: HashMap<&str, u32> =
        dr.resources.instance_types.iter().map(|t| (t.instance_type.as_str(), t.default_vcpus)).collect();
    let mut out = ScaleOutQuotas::default();
    let mut needs: BTreeMap<&'static str, Vec<GroupNeed<'s>>> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for (app, members) in &inventory.members().by_app {
        for &asg in &members.dr_asgs {
            if !seen.insert(asg.arn.as_str()) {
                continue;
            }
            let primaries = relations.primary_asgs_of(asg);
            if primaries.is_empty() {
                continue;
            }
            // A primary group with several DR counterparts shares its capacity among them.
            let target: u32 = primaries
                .iter()
                .map(|p| {
                    let shares = match relations.dr_asgs(p) {
                        Known::Value(c) => u32::try_from(c.groups.len()).unwrap_or(1).max(1),
                        Known::Unknown(_) => 1,
                    };
                    p.desired_capacity.div_ceil(shares)
                })
                .sum();
            if target <= asg.desired_capacity {
                continue;
            }
            let candidates = match launched_types(inventory, asg) {
                Ok(candidates) => candidates,
                Err(Some(reason)) => {
                    out.unknown_groups.push((app.clone(), asg, reason));
                    continue;
                }
                // A missing template or version is dr-launch-template-ami-missing's finding.
                Err(None) => continue,
            };
            let policy = asg.mixed_instances_policy.as_ref();
            let on_demand = |units: u32| policy.map_or(units, |p| p.on_demand_units(units));
            let on_demand_units = on_demand(target).saturating_sub(on_demand(asg.desired_capacity));
            let spot_units = (target - asg.desired_capacity).saturating_sub(on_demand_units);
            for (purchase, units) in [(Purchase::OnDemand, on_demand_units), (Purchase::Spot, spot_units)] {
                if units == 0 {
                    continue;
                }
                match cheapest(inventory, &vcpus, &candidates, purchase, units) {
                    Ok((code, instance_type, instances, vcpus_each)) => {
                        needs.entry(code).or_default().push(GroupNeed {
                            app: app.clone(),
                            asg,
                            units,
                            instance_type,
                            instances,
                            vcpus_each,
                        })
                    }
                    Err(reason) => {
                        out.unknown_groups.push((app.clone(), asg, reason));
                        break;
                    }
                }
            }
        }
    }
    for (code, groups) in needs {
        let Some((family, purchase)) = family_of_code(code) else { continue };
        let quota = dr.resources.service_quotas.iter().find(|q| q.quota_code == code);
        let free = match quota {
            Some(quota) => quota.free(),
            None => Err(dr.unread(ResourceKind::ServiceQuota, code).cloned().unwrap_or_else(|| {
                UnknownReason::new(
                    "servicequotas:GetServiceQuota",
                    ErrorCause::NotRead,
                    format!("the snapshot holds no quota {code} of {} (a snapshot from before drscan read Service Quotas holds none: collect again)", dr.name),
                )
            })),
        };
        out.quotas.push(QuotaNeed { code, family, purchase, quota, groups, free });
    }
    out
}

/// The instance types a DR group launches with their weights: the overrides of its mixed
/// instances policy, else its launch template versions' types. `Err(None)`: its template or
/// version is missing (another rule's finding); `Err(Some)`: it cannot be told.
fn launched_types(
    inventory: &Inventory<'_>,
    asg: &AutoScalingGroup,
) -> Result<Vec<(String, u32)>, Option<UnknownReason>> {
    if let Some(policy) = &asg.mixed_instances_policy {
        let overrides: Vec<(String, u32)> = policy
            .overrides
            .iter()
            .filter_map(|o| Some((o.instance_type.clone()?, o.weighted_capacity.unwrap_or(1).max(1))))
            .collect();
        if !overrides.is_empty() {
            return Ok(overrides);
        }
    }
    if let Some(reason) = asg.unresolvable_launch() {
        return Err(Some(reason));
    }
    let mut types = Vec::new();
    for reference in asg.launch_template_refs() {
        match inventory.dr.launch_version(reference) {
            Ok((_, version)) => types.extend(version.instance_type.clone().map(|t| (t, 1))),
            Err(LaunchResolution::Unknown(reason)) => return Err(Some(reason)),
            Err(_) => return Err(None),
        }
    }
    if types.is_empty() {
        return Err(Some(UnknownReason::new(
            "ec2:DescribeLaunchTemplateVersions",
            ErrorCause::Unresolvable,
            format!("DR ASG {} names no instance type (instance requirements are not modeled)", asg.name),
        )));
    }
    Ok(types)
}

/// The candidate that takes the fewest vCPUs for `units`: (quota code, type, instances, vCPUs
/// each); unknown when any candidate's size or quota cannot be told.
fn cheapest(
    inventory: &Inventory<'_>,
    vcpus: &HashMap<&str, u32>,
    candidates: &[(String, u32)],
    purchase: Purchase,
    units: u32,
) -> Result<(&'static str, String, u32, u32), UnknownReason> {
    let mut best: Option<(&'static str, String, u32, u32)> = None;
    for (instance_type, weight) in candidates {
        let Some(code) = quota_code(instance_type, purchase) else {
            return Err(UnknownReason::new(
                "servicequotas:GetServiceQuota",
                ErrorCause::Unresolvable,
                format!(
                    "drscan models no {} vCPU quota for instance type {instance_type}",
                    purchase.as_str()
                ),
            ));
        };
        let Some(each) = vcpus.get(instance_type.as_str()).copied() else {
            return Err(inventory
                .dr
                .unread(ResourceKind::InstanceType, instance_type)
                .cloned()
                .unwrap_or_else(|| {
                    UnknownReason::new(
                        "ec2:DescribeInstanceTypes",
                        ErrorCause::NotRead,
                        format!(
                            "the vCPUs of instance type {instance_type} in {} were not read",
                            inventory.dr.name
                        ),
                    )
                }));
        };
        let instances = units.div_ceil(*weight);
        let total = u64::from(instances) * u64::from(each);
        if best.as_ref().is_none_or(|(_, _, n, e)| total < u64::from(*n) * u64::from(*e)) {
            best = Some((code, instance_type.clone(), instances, each));
        }
    }
    best.ok_or_else(|| {
        UnknownReason::new("ec2:DescribeLaunchTemplateVersions", ErrorCause::Unresolvable, "no instance type")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Snapshot;
    use crate::inventory::capacity::InstanceType;
    use crate::inventory::compute::{InstanceOverride, MixedInstancesPolicy};
    use crate::inventory::matching::Matching;

    /// The primary runs 4 units; the DR group runs 0 (4 × m6i.large, 2 vCPUs each).
    fn fixture() -> Snapshot {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/rules/dr-capacity-quota/fail.json");
        Snapshot::load(&path).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
    }

    /// Per quota code: (instance type, instances, vCPUs each) of each DR group it counts.
    type Needs = Vec<(String, Vec<(String, u32, u32)>)>;

    fn needs(snapshot: &Snapshot) -> Needs {
        let inventory = Inventory::build(snapshot, &Matching::default());
        let scale_out = dr_scale_out(&inventory);
        assert!(scale_out.unknown_groups.is_empty(), "{:?}", scale_out.unknown_groups);
        scale_out
            .quotas
            .iter()
            .map(|q| {
                let groups =
                    q.groups.iter().map(|g| (g.instance_type.clone(), g.instances, g.vcpus_each)).collect();
                (q.code.to_string(), groups)
            })
            .collect()
    }

    #[test]
    fn weights_count_instances_and_spot_draws_on_its_own_quota() {
        let mut snapshot = fixture();
        let dr = snapshot.resources.regional.get_mut("us-east-1").expect("dr");
        dr.instance_types.push(InstanceType { instance_type: "m6i.2xlarge".into(), default_vcpus: 8 });
        let template = dr.auto_scaling_groups[0].launch_template.clone().unwrap_or_default();
        dr.auto_scaling_groups[0].launch_template = None;
        dr.auto_scaling_groups[0].mixed_instances_policy = Some(MixedInstancesPolicy {
            launch_template: template,
            overrides: vec![
                InstanceOverride {
                    instance_type: Some("m6i.large".into()),
                    weighted_capacity: Some(1),
                    launch_template: None,
                },
                InstanceOverride {
                    instance_type: Some("m6i.2xlarge".into()),
                    weighted_capacity: Some(8),
                    launch_template: None,
                },
            ],
            on_demand_base_capacity: Some(2),
            on_demand_percentage_above_base_capacity: Some(50),
        });
        // 4 units: the base 2 and half the other 2 On-Demand (3 units), 1 Spot. On-Demand:
        // 3 × m6i.large (6 vCPUs) beats one m6i.2xlarge of weight 8 (8 vCPUs); Spot: 1 × large.
        assert_eq!(
            needs(&snapshot),
            [
                ("L-1216C47A".to_string(), vec![("m6i.large".to_string(), 3, 2)]),
                ("L-34B43A08".to_string(), vec![("m6i.large".to_string(), 1, 2)]),
            ]
        );
    }

    #[test]
    fn a_group_already_at_the_primary_capacity_needs_nothing() {
        let mut snapshot = fixture();
        let dr = snapshot.resources.regional.get_mut("us-east-1").expect("dr");
        dr.auto_scaling_groups[0].desired_capacity = 4;
        assert!(needs(&snapshot).is_empty());
    }
}
