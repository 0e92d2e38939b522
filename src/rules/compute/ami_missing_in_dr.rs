use crate::findings::resource;
use crate::inventory::ResourceKind;
use crate::inventory::compute::{Image, ImageState};
use crate::inventory::graph::LaunchResolution;
use crate::rules::{Context, Rule, RuleOutput, Side, declare_rule, report_listing_gaps};
use std::collections::{BTreeMap, BTreeSet, HashMap};

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
        let primary = &ctx.inventory.primary;
        let dr = &ctx.inventory.dr;
        let mut used: BTreeMap<&str, Usage> = BTreeMap::new();
        report_listing_gaps(
            ctx,
            out,
            Side::Primary,
            &[ResourceKind::AutoScalingGroup],
            "which AMIs the primary launches",
        );

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

        let copies = CopyIndex::new(&dr.resources.images, &ctx.settings.matching.ami_pairing_tag);
        for (image_id, usage) in used {
            let Some(image) = primary.images.get(image_id) else {
                if let Some(reason) = primary.gap(ResourceKind::Image) {
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
            if image.public || image.owner_id != ctx.inventory.account() {
                continue;
            }
            if let Some(reason) = dr.gap(ResourceKind::Image) {
                out.unknown(
                    resource::image(image, primary.name),
                    reason,
                    format!("cannot list AMIs in {} to look for a copy of {}", dr.name, image.id),
                );
                continue;
            }
            let matched = copies.find(image, primary.name, &ctx.settings.matching.ami_pairing_tag);
            match matched.iter().find(|(copy, _)| usable(copy)) {
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
                                format!("tag:{}", ctx.settings.matching.ami_pairing_tag),
                                "name".to_string(),
                            ],
                        );
                    if !matched.is_empty() {
                        finding.with(
                            "unusable_copies",
                            matched
                                .iter()
                                .map(|(c, how)| format!("{} ({}, matched by {how})", c.id, c.state.as_str()))
                                .collect::<Vec<_>>(),
                        );
                    }
                }
            }
        }
    }
}

fn usable(copy: &Image) -> bool {
    matches!(copy.state, ImageState::Available | ImageState::Pending)
}

fn display_name(image: &Image) -> &str {
    if image.name.is_empty() { "unnamed" } else { &image.name }
}

/// DR AMIs indexed the three ways a copy can be recognised.
struct CopyIndex<'a> {
    by_source: HashMap<(&'a str, &'a str), Vec<&'a Image>>,
    by_tag: HashMap<&'a str, Vec<&'a Image>>,
    by_name: HashMap<&'a str, Vec<&'a Image>>,
}

impl<'a> CopyIndex<'a> {
    fn new(images: &'a [Image], pairing_tag: &str) -> Self {
        let mut index =
            CopyIndex { by_source: HashMap::new(), by_tag: HashMap::new(), by_name: HashMap::new() };
        for image in images {
            if let (Some(id), Some(region)) = (&image.source_image_id, &image.source_image_region) {
                index.by_source.entry((id.as_str(), region.as_str())).or_default().push(image);
            }
            if let Some(value) = image.tags.get(pairing_tag) {
                index.by_tag.entry(value.as_str()).or_default().push(image);
            }
            if !image.name.is_empty() {
                index.by_name.entry(image.name.as_str()).or_default().push(image);
            }
        }
        index
    }

    /// Candidate copies of `source`, with how each was matched, strongest evidence first.
    fn find(&self, source: &Image, source_region: &str, pairing_tag: &str) -> Vec<(&'a Image, &'static str)> {
        let mut found: Vec<(&Image, &str)> = Vec::new();
        if let Some(copies) = self.by_source.get(&(source.id.as_str(), source_region)) {
            found.extend(copies.iter().map(|c| (*c, "source-image-id")));
        }
        let mut tag_values = vec![source.id.as_str()];
        if let Some(value) = source.tags.get(pairing_tag) {
            tag_values.push(value);
        }
        for value in tag_values {
            if let Some(copies) = self.by_tag.get(value) {
                found.extend(copies.iter().map(|c| (*c, "tag")));
            }
        }
        if !source.name.is_empty()
            && let Some(copies) = self.by_name.get(source.name.as_str())
        {
            found.extend(copies.iter().map(|c| (*c, "name")));
        }
        found
    }
}
