use crate::findings::Severity;
use crate::findings::resource;
use crate::inventory::ResourceKind;
use crate::inventory::compute::ImageState;
use crate::inventory::graph::LaunchResolution;
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every Auto Scaling group in the DR region, resolves each launch template it can use
    /// to the version it launches (`$Latest`/`$Default` resolved to a number) and checks that
    /// the version's AMI exists in the DR region and is `available`. A template or version that
    /// does not exist, or a version without an AMI, fails too: the group cannot launch. An AMI
    /// that is available but deprecated still launches and is reported at medium severity;
    /// public and shared AMIs are looked up with `IncludeDeprecated`, so a deprecated one is
    /// that medium finding, not a missing AMI.
    ///
    /// ## Why is this bad?
    /// On failover the DR group must scale out. If its launch template points at an AMI that
    /// was deregistered, disabled, never finished copying, or a primary-region AMI ID pasted
    /// into the DR template, every launch fails and the DR tier never comes up.
    ///
    /// ## Example
    /// The DR launch template `web-dr-lt` `$Latest` is version 4, which names `ami-0old`;
    /// `ami-0old` was deregistered in us-east-1 last month during an AMI clean-up.
    ///
    /// ## How to fix
    /// Point the DR launch template at the current DR copy of the AMI (a new template version,
    /// made the default if the group uses `$Default`), and keep deregistration jobs from
    /// removing AMIs that any DR launch template still references.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/autoscaling/ec2/userguide/launch-templates.html
    /// - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/deregister-ami.html
    /// - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ami-deprecate.html
    pub struct DrLaunchTemplateAmiMissing {
        name: "dr-launch-template-ami-missing",
        code: "DR102",
        severity: Critical,
        group: ComputeAndCapacity,
        summary: "A DR Auto Scaling group's launch template references an AMI that cannot launch in the DR region",
    }
}

impl Rule for DrLaunchTemplateAmiMissing {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let dr = ctx.dr_listed(out, &[ResourceKind::AutoScalingGroup], "the AMIs DR groups launch");
        for asg in &dr.resources.auto_scaling_groups {
            let target = resource::asg(asg, dr.name);
            if let Some(reason) = asg.unresolvable_launch() {
                out.unknown(target, &reason, format!("cannot tell which AMI DR ASG {} launches", asg.name));
                continue;
            }
            let mut broken = false;
            for reference in asg.launch_template_refs() {
                let template_name = reference.id.as_deref().or(reference.name.as_deref()).unwrap_or("?");
                match dr.resolve_launch(reference) {
                    LaunchResolution::Unknown(reason) => {
                        out.unknown(
                            target.clone(),
                            &reason,
                            format!("cannot resolve the launch template of DR ASG {}", asg.name),
                        );
                        broken = true;
                    }
                    LaunchResolution::TemplateMissing => {
                        out.fail(
                            target.clone(),
                            format!(
                                "DR ASG {} uses launch template {template_name}, which does not exist in {}",
                                asg.name, dr.name
                            ),
                        )
                        .with("launch_template", template_name);
                        broken = true;
                    }
                    LaunchResolution::VersionMissing { template } => {
                        out.fail(
                            target.clone(),
                            format!(
                                "DR ASG {} uses version {} of launch template {}, which does not exist",
                                asg.name, reference.version, template.id
                            ),
                        )
                        .with("launch_template", &template.id)
                        .with("version", &reference.version);
                        broken = true;
                    }
                    LaunchResolution::NoImage { template, version } => {
                        out.fail(
                            target.clone(),
                            format!(
                                "launch template {} v{} of DR ASG {} names no AMI",
                                template.id, version.version, asg.name
                            ),
                        )
                        .with("launch_template", &template.id)
                        .with("version", version.version);
                        broken = true;
                    }
                    LaunchResolution::Resolved { template, version, image_id } => {
                        let lt = format!("{} v{}", template.id, version.version);
                        match dr.images.get(image_id) {
                            None => {
                                if let Some(reason) = dr.unread(ResourceKind::Image, image_id) {
                                    out.unknown(
                                        target.clone(),
                                        reason,
                                        format!("cannot check AMI {image_id} of DR ASG {}", asg.name),
                                    );
                                } else {
                                    out.fail(target.clone(), format!("DR ASG {} launches {image_id} (launch template {lt}), which does not exist in {}", asg.name, dr.name))
                                        .with("launch_template", &lt)
                                        .with("image_id", image_id)
                                        .with("image_state", "absent or deregistered");
                                }
                                broken = true;
                            }
                            Some(image) if image.state != ImageState::Available => {
                                out.fail(target.clone(), format!("DR ASG {} launches {image_id} (launch template {lt}), which is {} in {}", asg.name, image.state.as_str(), dr.name))
                                    .with("launch_template", &lt)
                                    .with("image_id", image_id)
                                    .with("image_state", image.state.as_str());
                                broken = true;
                            }
                            Some(image) if image.deprecation_time.is_some_and(|t| t <= ctx.now) => {
                                out.fail(target.clone(), format!("DR ASG {} launches {image_id} (launch template {lt}), which is deprecated; it still launches but is due for replacement", asg.name))
                                    .severity(Severity::Medium)
                                    .with("launch_template", &lt)
                                    .with("image_id", image_id)
                                    .with("deprecation_time", image.deprecation_time);
                                broken = true;
                            }
                            Some(_) => {}
                        }
                    }
                }
                if broken {
                    // One finding per group: the first blocking template is what matters.
                    break;
                }
            }
            if !broken {
                out.pass();
            }
        }
    }
}
