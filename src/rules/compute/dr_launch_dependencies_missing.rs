use crate::findings::resource;
use crate::inventory::ResourceKind;
use crate::inventory::graph::LaunchResolution;
use crate::rules::{Context, Rule, RuleOutput, declare_rule};
use std::collections::{BTreeSet, HashMap, HashSet};

declare_rule! {
    /// ## What it does
    /// For every Auto Scaling group in the DR region, resolves the launch template version it
    /// launches and checks what a launch needs there: the subnets (the group's and the
    /// version's), security groups and key pair exist in the DR region, and the instance types
    /// can launch in the group's Availability Zones: the version's instance type is offered in
    /// at least one of them; with a mixed instances policy, whose overrides replace it, every
    /// zone offers at least one override type (the group launches whichever type its zone
    /// offers, so one offered type per zone is enough, not all of them everywhere).
    ///
    /// ## Why is this bad?
    /// Subnet, security group and key pair IDs are regional. A DR launch template copied from
    /// the primary's keeps the primary's IDs, and every launch fails with
    /// `InvalidSubnetID.NotFound` or `InvalidGroup.NotFound` — discovered only when the DR group
    /// first scales out, during the outage. Newer instance types are not offered in every zone
    /// of every region either.
    ///
    /// ## Example
    /// `web-dr-lt` version 3 names `sg-0a11b22c33d44e55f`, the ap-south-1 security group, and the
    /// key pair `web-prod`, which exists only in ap-south-1.
    ///
    /// ## How to fix
    /// Create a DR launch template version with the DR region's subnet, security group and key
    /// pair (or none: use SSM Session Manager), and pick instance types offered in the DR zones
    /// (`aws ec2 describe-instance-type-offerings --location-type availability-zone`).
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/autoscaling/ec2/userguide/ts-as-instancelaunchfailure.html
    /// - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-discovery.html
    /// - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-key-pairs.html
    pub struct DrLaunchDependenciesMissing {
        name: "dr-launch-dependencies-missing",
        code: "DR104",
        severity: Critical,
        group: ComputeAndCapacity,
        summary: "A DR launch template references subnets, security groups, a key pair or instance types the DR region lacks",
    }
}

impl Rule for DrLaunchDependenciesMissing {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let dr = ctx.dr_listed(out, &[ResourceKind::AutoScalingGroup], "DR launch dependencies");
        let r = dr.resources;
        let subnets: HashMap<&str, &str> =
            r.subnets.iter().map(|s| (s.id.as_str(), s.availability_zone.as_str())).collect();
        let groups: HashSet<&str> = r.security_groups.iter().map(|s| s.id.as_str()).collect();
        let keys: HashSet<&str> = r.key_pairs.iter().map(|k| k.name.as_str()).collect();
        let offered: HashSet<(&str, &str)> = r
            .instance_type_offerings
            .iter()
            .map(|o| (o.instance_type.as_str(), o.availability_zone.as_str()))
            .collect();

        for asg in &r.auto_scaling_groups {
            let target = resource::asg(asg, dr.name);
            let mut zones: BTreeSet<&str> = asg.availability_zones.iter().map(String::as_str).collect();
            zones.extend(asg.subnet_ids.iter().filter_map(|id| subnets.get(id.as_str()).copied()));
            let mut problems: Vec<String> = Vec::new();
            let mut unknown = None;
            let mut subnet_ids: Vec<&str> = asg.subnet_ids.iter().map(String::as_str).collect();
            let override_types: BTreeSet<&str> = asg
                .mixed_instances_policy
                .iter()
                .flat_map(|m| m.overrides.iter().filter_map(|o| o.instance_type.as_deref()))
                .collect();
            let mut instance_types: BTreeSet<&str> = BTreeSet::new();
            let mut resolved = false;
            for reference in asg.launch_template_refs() {
                let version = match dr.resolve_launch(reference) {
                    LaunchResolution::Resolved { version, .. }
                    | LaunchResolution::NoImage { version, .. } => version,
                    LaunchResolution::Unknown(reason) => {
                        unknown = unknown.or(Some(reason));
                        continue;
                    }
                    // A missing template or version is dr-launch-template-ami-missing's finding.
                    _ => continue,
                };
                resolved = true;
                subnet_ids.extend(version.subnet_ids.iter().map(String::as_str));
                for id in version.security_group_ids.iter().filter(|id| !groups.contains(id.as_str())) {
                    match dr.gap(ResourceKind::SecurityGroup) {
                        Some(reason) => unknown = unknown.or(Some(reason.clone())),
                        None => problems.push(format!("security group {id}")),
                    }
                }
                if let Some(key) = version.key_name.as_deref().filter(|k| !keys.contains(k)) {
                    match dr.gap(ResourceKind::KeyPair) {
                        Some(reason) => unknown = unknown.or(Some(reason.clone())),
                        None => problems.push(format!("key pair {key}")),
                    }
                }
                instance_types.extend(version.instance_type.as_deref());
            }
            subnet_ids.sort_unstable();
            subnet_ids.dedup();
            for id in subnet_ids.iter().filter(|id| !subnets.contains_key(*id)) {
                match dr.gap(ResourceKind::Subnet) {
                    Some(reason) => unknown = unknown.or(Some(reason.clone())),
                    None => problems.insert(0, format!("subnet {id}")),
                }
            }
            if !zones.is_empty() && !override_types.is_empty() {
                for zone in &zones {
                    if override_types.iter().any(|t| offered.contains(&(*t, *zone))) {
                        continue;
                    }
                    let unread =
                        override_types.iter().find_map(|t| dr.unread(ResourceKind::InstanceTypeOffering, t));
                    match unread {
                        Some(reason) => unknown = unknown.or(Some(reason.clone())),
                        None => problems.push(format!(
                            "an instance type for {zone} (none of the overrides {} is offered there)",
                            override_types.iter().copied().collect::<Vec<_>>().join(", ")
                        )),
                    }
                }
            } else if !zones.is_empty() {
                for instance_type in &instance_types {
                    if zones.iter().any(|z| offered.contains(&(*instance_type, *z))) {
                        continue;
                    }
                    match dr.unread(ResourceKind::InstanceTypeOffering, instance_type) {
                        Some(reason) => unknown = unknown.or(Some(reason.clone())),
                        None => problems.push(format!(
                            "instance type {instance_type} (not offered in {})",
                            zones.iter().copied().collect::<Vec<_>>().join(", ")
                        )),
                    }
                }
            }
            if !problems.is_empty() {
                out.fail(
                    target,
                    format!(
                        "DR ASG {} cannot launch: {} missing in {}",
                        asg.name,
                        problems.join(", "),
                        dr.name
                    ),
                )
                .with("missing", &problems)
                .with("availability_zones", &zones);
            } else if let Some(reason) = unknown {
                out.unknown(
                    target,
                    &reason,
                    format!("cannot check the launch dependencies of DR ASG {}", asg.name),
                );
            } else if resolved {
                out.pass();
            }
        }
    }
}
