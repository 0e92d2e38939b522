use crate::findings::resource;
use crate::inventory::ResourceKind;
use crate::inventory::compute::Image;
use crate::inventory::graph::LaunchResolution;
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every application with Auto Scaling groups in both regions, resolves the AMI each
    /// DR group launches and the AMIs the application's primary groups launch now (launch
    /// template versions resolved as in `ami-missing-in-dr`). A DR group whose AMI is not a
    /// copy of any of the primary's current AMIs fails when the newest of those primary AMIs
    /// is older than the grace period (`ami_stale_grace`, default 24 h): the copy pipeline
    /// had time to catch up and did not. Copies are recognised by `SourceImageId` +
    /// `SourceImageRegion`, the AMI pairing tag, or an identical name.
    ///
    /// ## Why is this bad?
    /// A DR tier that launches last month's image comes up with last month's code and
    /// configuration: schema migrations that the primary already ran break it, fixed bugs
    /// return, and the failover turns into a rollback nobody planned.
    ///
    /// ## Example
    /// The primary `web-asg` launches `web-golden-v7` since 2026-11-24; `web-dr-asg` in
    /// us-east-1 still launches the copy of `web-golden-v6`.
    ///
    /// ## How to fix
    /// Make the image pipeline copy each new AMI to the DR region and update the DR launch
    /// template in the same run (EC2 Image Builder distribution settings can do both), or
    /// alert when the DR template falls behind.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/imagebuilder/latest/userguide/manage-distribution-settings.html
    /// - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html
    /// - https://docs.aws.amazon.com/autoscaling/ec2/userguide/launch-templates.html
    pub struct DrAmiStale {
        name: "dr-ami-stale",
        code: "DR103",
        severity: High,
        group: ComputeAndCapacity,
        summary: "A DR Auto Scaling group launches an AMI that is not a copy of the primary's current AMI",
    }
}

impl Rule for DrAmiStale {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let primary =
            ctx.primary_listed(out, &[ResourceKind::AutoScalingGroup], "the AMIs primary groups launch");
        let dr = ctx.dr_listed(out, &[ResourceKind::AutoScalingGroup], "the AMIs DR groups launch");
        let grace = ctx.settings.thresholds.ami_stale_grace_seconds;
        let relations = ctx.inventory.relations();
        for members in ctx.inventory.members().by_app.values() {
            for asg in &members.dr_asgs {
                let primaries = relations.primary_asgs_of(asg);
                if primaries.is_empty() {
                    continue;
                }
                let (current, unknown) = current_images(primary, primaries);
                let target = resource::asg(asg, dr.name);
                for reference in asg.launch_template_refs() {
                    let image_id = match dr.resolve_launch(reference) {
                        LaunchResolution::Resolved { image_id, .. } => image_id,
                        LaunchResolution::Unknown(reason) => {
                            out.unknown(
                                target.clone(),
                                &reason,
                                format!("cannot tell which AMI DR ASG {} launches", asg.name),
                            );
                            continue;
                        }
                        // A DR group that cannot launch is dr-launch-template-ami-missing's finding.
                        _ => continue,
                    };
                    let Some(dr_image) = dr.images.get(image_id) else {
                        // Absent from a full listing is dr-launch-template-ami-missing's finding.
                        if let Some(reason) = dr.gap(ResourceKind::Image) {
                            out.unknown(
                                target.clone(),
                                reason,
                                format!("cannot read AMI {image_id} that DR ASG {} launches", asg.name),
                            );
                        }
                        continue;
                    };
                    if current.iter().any(|p| relations.is_copy_of(dr_image, p).is_some()) {
                        out.pass();
                        continue;
                    }
                    if current.is_empty() {
                        if let Some(reason) = &unknown {
                            out.unknown(
                                target.clone(),
                                reason,
                                format!("cannot tell which AMI the primary of DR ASG {} launches", asg.name),
                            );
                        }
                        continue;
                    }
                    let Some(newest) = current.iter().max_by_key(|i| i.creation_date) else { continue };
                    let Some(created) = newest.creation_date else {
                        let reason = crate::inventory::UnknownReason::new(
                            "ec2:DescribeImages",
                            crate::inventory::ErrorCause::NotFound,
                            format!("AMI {} has no creation date", newest.id),
                        );
                        out.unknown(
                            target.clone(),
                            &reason,
                            format!("cannot tell how long DR ASG {} has been behind", asg.name),
                        );
                        continue;
                    };
                    if crate::time::after(created, grace) > ctx.now {
                        // The copy pipeline is still within its grace period.
                        out.pass();
                        continue;
                    }
                    let copy_of = relations
                        .ami_source(dr_image)
                        .map(|(p, _)| format!("a copy of {} ({})", p.id, p.name))
                        .unwrap_or_else(|| "not a copy of a current primary AMI".to_string());
                    out.fail(
                        target.clone(),
                        format!(
                            "DR ASG {} launches {} ({copy_of}), but the primary launches {} ({}) since {}",
                            asg.name,
                            dr_image.id,
                            newest.id,
                            newest.name,
                            created.format("%Y-%m-%d %H:%M UTC")
                        ),
                    )
                    .with("dr_image", &dr_image.id)
                    .with("primary_images", current.iter().map(|i| i.id.as_str()).collect::<Vec<_>>())
                    .with("primary_image_created", created)
                    .with("grace_seconds", ctx.settings.thresholds.ami_stale_grace_seconds);
                }
            }
        }
    }
}

/// The AMIs the primary groups launch now, or why one of them cannot be told.
fn current_images<'s>(
    primary: &crate::inventory::graph::RegionView<'s>,
    asgs: &[&'s crate::inventory::compute::AutoScalingGroup],
) -> (Vec<&'s Image>, Option<crate::inventory::UnknownReason>) {
    let mut current: Vec<&Image> = Vec::new();
    let mut unknown = None;
    for asg in asgs {
        for reference in asg.launch_template_refs() {
            match primary.resolve_launch(reference) {
                LaunchResolution::Resolved { image_id, .. } => match primary.images.get(image_id) {
                    Some(image) => current.push(image),
                    None => unknown = unknown.or(primary.unread(ResourceKind::Image, image_id).cloned()),
                },
                LaunchResolution::Unknown(reason) => unknown = unknown.or(Some(reason)),
                _ => {}
            }
        }
    }
    (current, unknown)
}
