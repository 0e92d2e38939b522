use crate::findings::resource;
use crate::inventory::compute::Image;
use crate::inventory::graph::LaunchResolution;
use crate::inventory::{Known, ResourceKind};
use crate::rules::{Context, Rule, RuleOutput, declare_rule};
use std::collections::{BTreeMap, BTreeSet};

declare_rule! {
    /// ## What it does
    /// For every Auto Scaling group in the primary region, resolves each launch template it can
    /// use (its own, or a mixed instances policy's and its overrides'; `$Latest` and `$Default`
    /// resolved to version numbers; `resolve:ssm:` image IDs resolved where collected) to the
    /// AMI it launches, and looks for a copy of that AMI in the DR region.
    ///
    /// A copy is recognised by `SourceImageId` + `SourceImageRegion` when AWS returns them,
    /// else by the AMI pairing tag (default `drscan:source-ami`: the same value on both AMIs,
    /// or the primary AMI's ID on the copy), else by an identical AMI name. A copy that is
    /// `failed`, `invalid` or `error` does not count. AMIs the account does not own (public or
    /// shared) are out of scope.
    ///
    /// ## Why is this bad?
    /// AMIs are regional. If the primary region is gone, an AMI that exists only there cannot be
    /// copied any more, and the DR tier cannot launch the application's image: the recovery
    /// becomes a rebuild from source.
    ///
    /// ## Example
    /// The primary launch template `web-lt` version 7 launches `ami-0abc` (`web-golden-v7`);
    /// the image pipeline copied `web-golden-v6` to us-east-1 but never `web-golden-v7`.
    ///
    /// ## How to fix
    /// Copy the AMI to the DR region as part of the image pipeline (`aws ec2 copy-image
    /// --source-region <primary> --source-image-id <ami> --region <dr>`, or EC2 Image Builder
    /// distribution settings), and tag the copy with the pairing tag when names differ.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html
    /// - https://docs.aws.amazon.com/imagebuilder/latest/userguide/manage-distribution-settings.html
    pub struct AmiMissingInDr {
        name: "ami-missing-in-dr",
        code: "DR101",
        severity: Critical,
        group: ComputeAndCapacity,
        summary: "An AMI that a primary Auto Scaling group launches has no copy in the DR region",
    }
}

/// Who uses a primary AMI, for the finding's evidence.
#[derive(Default)]
struct Usage {
    launch_templates: BTreeSet<String>,
    asgs: BTreeSet<String>,
}

impl Rule for AmiMissingInDr {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let dr = &ctx.inventory.dr;
        let mut used: BTreeMap<&str, Usage> = BTreeMap::new();
        let primary =
            ctx.primary_listed(out, &[ResourceKind::AutoScalingGroup], "which AMIs the primary launches");

        for asg in &primary.resources.auto_scaling_groups {
            if let Some(reason) = asg.unresolvable_launch() {
                out.unknown(
                    resource::asg(asg, primary.name),
                    &reason,
                    format!("cannot tell which AMI ASG {} launches", asg.name),
                );
                continue;
            }
            for reference in asg.launch_template_refs() {
                match primary.resolve_launch(reference) {
                    LaunchResolution::Resolved { template, version, image_id } => {
                        let usage = used.entry(image_id).or_default();
                        usage.launch_templates.insert(format!("{} v{}", template.id, version.version));
                        usage.asgs.insert(asg.name.clone());
                    }
                    LaunchResolution::Unknown(reason) => {
                        out.unknown(
                            resource::asg(asg, primary.name),
                            &reason,
                            format!("cannot tell which AMI ASG {} launches", asg.name),
                        );
                    }
                    // A primary group that cannot launch at all is not a DR-copy question.
                    _ => {}
                }
            }
        }

        let relations = ctx.inventory.relations();
        for (image_id, usage) in used {
            let Some(image) = primary.images.get(image_id) else {
                if let Some(reason) = primary.unread(ResourceKind::Image, image_id) {
                    let arn = format!("arn:aws:ec2:{}::image/{image_id}", primary.name);
                    out.unknown(
                        crate::findings::ResourceRef::new(
                            ResourceKind::Image,
                            arn,
                            image_id,
                            Some(primary.name),
                        ),
                        reason,
                        format!("cannot read AMI {image_id} in {}", primary.name),
                    );
                }
                // Not in the account's own AMIs: public or shared, out of scope.
                continue;
            };
            if !relations.copy_expected(image) {
                continue;
            }
            let matched = match relations.ami_copies(image) {
                Known::Value(copies) => copies,
                Known::Unknown(reason) => {
                    out.unknown(
                        resource::image(image, primary.name),
                        &reason,
                        format!("cannot list AMIs in {} to look for a copy of {}", dr.name, image.id),
                    );
                    continue;
                }
            };
            match matched.iter().find(|copy| copy.usable()) {
                Some(_) => out.pass(),
                None => {
                    let lts: Vec<&String> = usage.launch_templates.iter().collect();
                    let message = format!(
                        "AMI {} ({}) used by launch template {} has no {}copy in {}",
                        image.id,
                        display_name(image),
                        lts.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                        if matched.is_empty() { "" } else { "usable " },
                        dr.name
                    );
                    let finding = out.fail(resource::image(image, primary.name), message);
                    finding
                        .with("launch_templates", &usage.launch_templates)
                        .with("auto_scaling_groups", &usage.asgs)
                        .with(
                            "matched_by",
                            [
                                "source-image-id".to_string(),
                                format!("tag:{}", relations.pairing_tag()),
                                "name".to_string(),
                            ],
                        );
                    if !matched.is_empty() {
                        finding.with(
                            "unusable_copies",
                            matched
                                .iter()
                                .map(|c| {
                                    format!(
                                        "{} ({}, matched by {})",
                                        c.image.id,
                                        c.image.state.as_str(),
                                        c.matched_by.as_str()
                                    )
                                })
                                .collect::<Vec<_>>(),
                        );
                    }
                }
            }
        }
    }
}

fn display_name(image: &Image) -> &str {
    if image.name.is_empty() { "unnamed" } else { &image.name }
}
