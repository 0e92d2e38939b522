//! EC2 of one region: self-owned AMIs and the AMIs launch templates reference, launch templates
//! with the versions the region's ASGs can launch (aliases resolved to numbers), and what a DR
//! launch depends on — subnets, security groups, key pairs, instance-type offerings per AZ.
//! UserData arrives with launch template versions and is never read.

use super::errors::Failure;
use super::{Collected, Part, RegionCtx, bounded, paging::all_pages, rfc3339, tags};
use crate::inventory::compute::{
    AutoScalingGroup, Image, ImageState, LaunchTemplate, LaunchTemplateRef, LaunchTemplateVersion,
};
use crate::inventory::dependencies::{InstanceTypeOffering, KeyPair, SecurityGroup, Subnet};
use crate::inventory::{Known, RegionResources, ResourceKind as K, UnknownReason};
use aws_sdk_ec2::types::{Filter, LocationType};
use std::collections::{BTreeMap, BTreeSet};

/// The kinds [`collect`] lists; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] = &[K::Image, K::LaunchTemplate, K::Subnet, K::SecurityGroup, K::KeyPair];

/// Listings that need nothing else: AMIs, templates (versions come in [`template_versions`]),
/// network.
pub(crate) async fn collect(ctx: &RegionCtx) -> Part {
    let client = ctx.ec2();
    let mut part = Part::default();
    let (images, templates, subnets, groups, keys) = tokio::join!(
        all_pages("ec2:DescribeImages", client.describe_images().owners("self").into_paginator(), |o| o
            .next_token(),),
        all_pages(
            "ec2:DescribeLaunchTemplates", // The largest page AWS allows; moto also truncates at its default of 15 without a token.
            client.describe_launch_templates().into_paginator().page_size(200),
            |o| o.next_token(),
        ),
        all_pages("ec2:DescribeSubnets", client.describe_subnets().into_paginator(), |o| o.next_token(),),
        all_pages("ec2:DescribeSecurityGroups", client.describe_security_groups().into_paginator(), |o| o
            .next_token(),),
        client.describe_key_pairs().send(),
    );
    part.resources.images = part
        .listed(ctx, images, &[K::Image])
        .iter()
        .flat_map(|p| p.images())
        .map(|i| image(ctx, i))
        .collect();
    part.resources.launch_templates = part
        .listed(ctx, templates, &[K::LaunchTemplate, K::LaunchTemplateVersion])
        .iter()
        .flat_map(|p| p.launch_templates())
        .map(|t| {
            let id = t.launch_template_id().unwrap_or_default().to_string();
            LaunchTemplate {
                arn: format!("arn:aws:ec2:{}:{}:launch-template/{id}", ctx.region, ctx.account),
                id,
                name: t.launch_template_name().unwrap_or_default().to_string(),
                default_version: version_number(t.default_version_number()),
                latest_version: version_number(t.latest_version_number()),
                versions: Known::Value(Vec::new()),
                tags: tags(t.tags().iter().map(|t| (t.key(), t.value()))),
            }
        })
        .collect();
    part.resources.subnets = part
        .listed(ctx, subnets, &[K::Subnet])
        .iter()
        .flat_map(|p| p.subnets())
        .map(|s| {
            let id = s.subnet_id().unwrap_or_default().to_string();
            Subnet {
                arn: s
                    .subnet_arn()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("arn:aws:ec2:{}:{}:subnet/{id}", ctx.region, ctx.account)),
                id,
                vpc_id: s.vpc_id().unwrap_or_default().to_string(),
                availability_zone: s.availability_zone().unwrap_or_default().to_string(),
            }
        })
        .collect();
    part.resources.security_groups = part
        .listed(ctx, groups, &[K::SecurityGroup])
        .iter()
        .flat_map(|p| p.security_groups())
        .map(|g| {
            let id = g.group_id().unwrap_or_default().to_string();
            SecurityGroup {
                arn: g.security_group_arn().map(str::to_string).unwrap_or_else(|| {
                    format!("arn:aws:ec2:{}:{}:security-group/{id}", ctx.region, ctx.account)
                }),
                id,
                name: g.group_name().unwrap_or_default().to_string(),
                vpc_id: g.vpc_id().unwrap_or_default().to_string(),
            }
        })
        .collect();
    match keys {
        Ok(output) => {
            part.resources.key_pairs = output
                .key_pairs()
                .iter()
                .map(|k| KeyPair {
                    id: k.key_pair_id().unwrap_or_default().to_string(),
                    name: k.key_name().unwrap_or_default().to_string(),
                })
                .collect()
        }
        Err(e) => part.fail(ctx, &Failure::from_sdk("ec2:DescribeKeyPairs", &e), &[K::KeyPair]),
    }
    part
}

/// The kinds [`template_versions`] fills: the versions inside the launch templates.
pub(crate) const VERSION_FILLS: &[K] = &[K::LaunchTemplateVersion];

/// The kinds [`launch_dependencies`] lists; it also adds to the AMIs [`collect`] lists (those
/// the account does not own), so a timeout leaves those unknown too.
pub(crate) const DEPENDENCY_FILLS: &[K] = &[K::InstanceTypeOffering];

/// The template versions the region's ASGs launch, read per template: only the versions the
/// groups name (aliases are asked for as aliases and come back as numbers, so `$Latest` and
/// `$Default` resolve to what AWS would launch now), and no version of a template no group
/// uses. Keyed by template ID; a failed read is that template's unknown.
pub(crate) async fn template_versions(
    ctx: &RegionCtx,
    templates: &[LaunchTemplate],
    groups: &[AutoScalingGroup],
) -> TemplateVersions {
    let mut wanted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for reference in groups.iter().flat_map(|g| g.launch_template_refs()) {
        if let Some(template) = template_named(templates, reference) {
            let version = if reference.version.is_empty() { "$Default" } else { &reference.version };
            wanted.entry(template.id.clone()).or_default().insert(version.to_string());
        }
    }
    let client = ctx.ec2();
    let jobs: Vec<(String, BTreeSet<String>)> = wanted.into_iter().collect();
    let results = bounded(jobs, ctx.concurrency, |(id, versions)| {
        let client = client.clone();
        async move {
            let asked: Vec<String> = versions.into_iter().collect();
            let versions = match read_versions(&client, &id, asked.clone()).await {
                Ok(read) => Known::Value(read),
                // One version that does not exist (deleted under a group) fails the whole
                // request, as AWS answers it: ask again one version at a time, so the others
                // are read and the missing one is simply absent (its groups fail on it).
                Err(f) if f.code.as_deref() == Some(VERSION_NOT_FOUND) && asked.len() > 1 => {
                    let mut read = Vec::new();
                    let mut failed = None;
                    for version in asked {
                        match read_versions(&client, &id, vec![version]).await {
                            Ok(one) => read.extend(one),
                            Err(f) if f.code.as_deref() == Some(VERSION_NOT_FOUND) => {}
                            Err(f) => failed = failed.or(Some(f)),
                        }
                    }
                    match failed {
                        Some(f) => Known::Unknown(f.reason()),
                        None => Known::Value(sorted(read)),
                    }
                }
                Err(f) if f.code.as_deref() == Some(VERSION_NOT_FOUND) => Known::Value(Vec::new()),
                Err(f) => Known::Unknown(f.reason()),
            };
            (id, versions)
        }
    })
    .await;
    results.into_iter().collect()
}

/// EC2's error code for a launch template version that does not exist (HTTP 400): "Could not
/// find the specified version 2 for the launch template with ID lt-…".
const VERSION_NOT_FOUND: &str = "InvalidLaunchTemplateId.VersionNotFound";

/// The named versions of one template, or the failure of the (whole) request.
async fn read_versions(
    client: &aws_sdk_ec2::Client,
    id: &str,
    versions: Vec<String>,
) -> Result<Vec<LaunchTemplateVersion>, Failure> {
    let request =
        client.describe_launch_template_versions().launch_template_id(id).set_versions(Some(versions));
    let pages =
        all_pages("ec2:DescribeLaunchTemplateVersions", request.into_paginator(), |o| o.next_token()).await?;
    Ok(sorted(pages.iter().flat_map(|p| p.launch_template_versions()).map(launch_template_version).collect()))
}

fn sorted(mut versions: Vec<LaunchTemplateVersion>) -> Vec<LaunchTemplateVersion> {
    versions.sort_by_key(|v| v.version);
    versions.dedup_by_key(|v| v.version);
    versions
}

/// The versions read per template ID, each known or not.
pub(crate) type TemplateVersions = BTreeMap<String, Known<Vec<LaunchTemplateVersion>>>;

/// Put the versions read into their templates; `Err`: none were read, and every template in
/// `launched` gets the reason.
pub(crate) fn apply_template_versions(
    templates: &mut [LaunchTemplate],
    versions: Result<TemplateVersions, UnknownReason>,
    launched: &BTreeSet<String>,
) {
    match versions {
        Ok(mut versions) => {
            for template in templates {
                if let Some(read) = versions.remove(&template.id) {
                    template.versions = read;
                }
            }
        }
        Err(reason) => {
            for template in templates.iter_mut().filter(|t| launched.contains(&t.id)) {
                template.versions = Known::Unknown(reason.clone());
            }
        }
    }
}

/// The IDs of the templates the groups launch (whose versions [`template_versions`] reads).
pub(crate) fn launched_templates(
    templates: &[LaunchTemplate],
    groups: &[AutoScalingGroup],
) -> BTreeSet<String> {
    groups
        .iter()
        .flat_map(|g| g.launch_template_refs())
        .filter_map(|reference| template_named(templates, reference))
        .map(|t| t.id.clone())
        .collect()
}

/// The template a group's reference names, by ID or by name.
fn template_named<'a>(
    templates: &'a [LaunchTemplate],
    reference: &LaunchTemplateRef,
) -> Option<&'a LaunchTemplate> {
    templates.iter().find(|t| {
        reference.id.as_deref() == Some(t.id.as_str()) || reference.name.as_deref() == Some(t.name.as_str())
    })
}

/// What a DR launch needs besides the template: the AMIs the versions name that the account
/// does not own (public or shared), and the offerings of the instance types the versions and
/// mixed-instances overrides launch.
pub(crate) async fn launch_dependencies(
    ctx: &RegionCtx,
    resources: &RegionResources,
    groups: &[AutoScalingGroup],
) -> Part {
    let client = ctx.ec2();
    let mut part = Part::default();
    let known: BTreeSet<&str> = resources.images.iter().map(|i| i.id.as_str()).collect();
    let mut referenced: BTreeSet<String> = BTreeSet::new();
    let mut instance_types: BTreeSet<String> = BTreeSet::new();
    for version in resources.launch_templates.iter().filter_map(|t| t.versions.value()).flatten() {
        if let Some(Known::Value(id)) = version.effective_image_id()
            && !known.contains(id)
        {
            referenced.insert(id.to_string());
        }
        instance_types.extend(version.instance_type.clone());
    }
    for group in groups {
        if let Some(policy) = &group.mixed_instances_policy {
            instance_types.extend(policy.overrides.iter().filter_map(|o| o.instance_type.clone()));
        }
    }

    let asked: Vec<String> = instance_types.iter().cloned().collect();
    let (extra_images, offerings) =
        tokio::join!(referenced_images(ctx, &client, referenced), offerings(&client, instance_types));
    let Collected { resources: images, errors } = extra_images;
    part.resources.images = images;
    part.errors.extend(errors);
    match offerings {
        Ok(offerings) => part.resources.instance_type_offerings = offerings,
        // The offerings of the instance types asked about are unknown.
        Err(f) => part.errors.push(f.reading(ctx.region_name(), &[K::InstanceTypeOffering], asked)),
    }
    part
}

/// AMIs the templates name that the account does not own (public or shared images),
/// deprecated ones included (`IncludeDeprecated`: DescribeImages otherwise omits them), 100 per
/// call. A filter, not `ImageIds`, so one deregistered ID does not fail the whole call; a call
/// that fails leaves only its AMIs unknown.
async fn referenced_images(
    ctx: &RegionCtx,
    client: &aws_sdk_ec2::Client,
    ids: BTreeSet<String>,
) -> Collected<Vec<Image>> {
    let ids: Vec<String> = ids.into_iter().collect();
    let mut out = Collected::<Vec<Image>>::default();
    for chunk in ids.chunks(IMAGES_PER_CALL) {
        let filter = Filter::builder().name("image-id").set_values(Some(chunk.to_vec())).build();
        // Deprecated AMIs the account does not own are left out unless asked for; a DR
        // template on one still launches (dr-launch-template-ami-missing: medium, not missing).
        match client.describe_images().filters(filter).include_deprecated(true).send().await {
            Ok(output) => out.resources.extend(output.images().iter().map(|i| image(ctx, i))),
            Err(e) => out.errors.push(Failure::from_sdk("ec2:DescribeImages", &e).reading(
                ctx.region_name(),
                &[K::Image],
                chunk.to_vec(),
            )),
        }
    }
    out
}

/// Values per filter in one DescribeImages call.
const IMAGES_PER_CALL: usize = 100;

async fn offerings(
    client: &aws_sdk_ec2::Client,
    instance_types: BTreeSet<String>,
) -> Result<Vec<InstanceTypeOffering>, Failure> {
    if instance_types.is_empty() {
        return Ok(Vec::new());
    }
    let filter = Filter::builder()
        .name("instance-type")
        .set_values(Some(instance_types.into_iter().collect()))
        .build();
    let pages = all_pages(
        "ec2:DescribeInstanceTypeOfferings",
        client
            .describe_instance_type_offerings()
            .location_type(LocationType::AvailabilityZone)
            .filters(filter)
            .into_paginator(),
        |o| o.next_token(),
    )
    .await?;
    Ok(pages
        .iter()
        .flat_map(|p| p.instance_type_offerings())
        .map(|o| InstanceTypeOffering {
            instance_type: o.instance_type().map(|t| t.as_str().to_string()).unwrap_or_default(),
            availability_zone: o.location().unwrap_or_default().to_string(),
        })
        .collect())
}

/// The KMS keys of the EBS snapshots behind the AMIs the region's launch template versions
/// launch (the account's own: another owner's snapshots are not visible). DescribeImages never
/// returns a snapshot's `KmsKeyId`; DescribeSnapshots does. 100 snapshots per call, by the
/// `snapshot-id` filter rather than `SnapshotIds`, so one snapshot deleted since does not fail
/// the whole call (`InvalidSnapshot.NotFound`) and the call draws on the filtered bucket;
/// paced like every call. A failed call leaves the keys of its snapshots' AMIs unknown.
pub(crate) async fn snapshot_keys(ctx: &RegionCtx, resources: &RegionResources) -> SnapshotKeys {
    let launched: BTreeSet<&str> = resources
        .launch_templates
        .iter()
        .filter_map(|t| t.versions.value())
        .flatten()
        .filter_map(|v| v.effective_image_id()?.value().copied())
        .collect();
    let ids: BTreeSet<String> = resources
        .images
        .iter()
        .filter(|i| launched.contains(i.id.as_str()) && i.owner_id == ctx.account)
        .flat_map(|i| i.snapshot_ids.iter().cloned())
        .collect();
    let ids: Vec<String> = ids.into_iter().collect();
    let client = ctx.ec2();
    let mut out = SnapshotKeys::default();
    for chunk in ids.chunks(IMAGES_PER_CALL) {
        let filter = Filter::builder().name("snapshot-id").set_values(Some(chunk.to_vec())).build();
        let result = all_pages(
            "ec2:DescribeSnapshots",
            client.describe_snapshots().filters(filter).into_paginator(),
            |o| o.next_token(),
        )
        .await;
        match result {
            Ok(pages) => {
                for snapshot in pages.iter().flat_map(|p| p.snapshots()) {
                    if let (Some(id), Some(key)) = (snapshot.snapshot_id(), snapshot.kms_key_id()) {
                        out.keys.insert(id.to_string(), key.to_string());
                    }
                }
            }
            Err(f) => out.unread.extend(chunk.iter().map(|id| (id.clone(), f.reason()))),
        }
    }
    out
}

/// What [`snapshot_keys`] read: each snapshot's key, and the snapshots it could not read.
#[derive(Default)]
pub(crate) struct SnapshotKeys {
    keys: BTreeMap<String, String>,
    unread: BTreeMap<String, UnknownReason>,
}

/// Put the snapshots' keys into their AMIs; `Err`: none were read (the deadline passed), and
/// every AMI with snapshots that [`snapshot_keys`] would have read gets the reason.
pub(crate) fn apply_snapshot_keys(images: &mut [Image], read: Result<SnapshotKeys, UnknownReason>) {
    for image in images.iter_mut() {
        for snapshot in &image.snapshot_ids {
            match &read {
                Ok(read) => {
                    if let Some(key) = read.keys.get(snapshot)
                        && !image.kms_key_ids.contains(key)
                    {
                        image.kms_key_ids.push(key.clone());
                    }
                    if let Some(reason) = read.unread.get(snapshot) {
                        image.kms_keys_unknown.get_or_insert_with(|| reason.clone());
                    }
                }
                Err(reason) => {
                    image.kms_keys_unknown.get_or_insert_with(|| reason.clone());
                }
            }
        }
    }
}

fn version_number(value: Option<i64>) -> u64 {
    value.and_then(|v| u64::try_from(v).ok()).unwrap_or_default()
}

fn launch_template_version(v: &aws_sdk_ec2::types::LaunchTemplateVersion) -> LaunchTemplateVersion {
    let data = v.launch_template_data();
    let mut security_group_ids: Vec<String> =
        data.map(|d| d.security_group_ids().to_vec()).unwrap_or_default();
    let mut subnet_ids = Vec::new();
    let mut kms_key_ids = Vec::new();
    if let Some(data) = data {
        for interface in data.network_interfaces() {
            security_group_ids.extend(interface.groups().iter().cloned());
            subnet_ids.extend(interface.subnet_id().map(str::to_string));
        }
        for mapping in data.block_device_mappings() {
            kms_key_ids.extend(mapping.ebs().and_then(|e| e.kms_key_id()).map(str::to_string));
        }
    }
    security_group_ids.sort();
    security_group_ids.dedup();
    LaunchTemplateVersion {
        version: version_number(v.version_number()),
        image_id: data.and_then(|d| d.image_id()).map(str::to_string),
        resolved_image_id: None,
        instance_type: data.and_then(|d| d.instance_type()).map(|t| t.as_str().to_string()),
        key_name: data.and_then(|d| d.key_name()).map(str::to_string),
        security_group_ids,
        subnet_ids,
        kms_key_ids,
    }
}

fn image(ctx: &RegionCtx, i: &aws_sdk_ec2::types::Image) -> Image {
    let id = i.image_id().unwrap_or_default().to_string();
    let owner_id = i.owner_id().unwrap_or_default().to_string();
    Image {
        arn: format!("arn:aws:ec2:{}::image/{id}", ctx.region),
        id,
        name: i.name().unwrap_or_default().to_string(),
        owner_id,
        state: image_state(i.state().map(|s| s.as_str()).unwrap_or_default()),
        creation_date: rfc3339(i.creation_date()),
        deprecation_time: rfc3339(i.deprecation_time()),
        source_image_id: i.source_image_id().map(str::to_string),
        source_image_region: i.source_image_region().map(str::to_string),
        public: i.public().unwrap_or(false),
        kms_key_ids: i
            .block_device_mappings()
            .iter()
            .filter_map(|m| m.ebs().and_then(|e| e.kms_key_id()))
            .map(str::to_string)
            .collect(),
        snapshot_ids: i
            .block_device_mappings()
            .iter()
            .filter_map(|m| m.ebs().and_then(|e| e.snapshot_id()))
            .map(str::to_string)
            .collect(),
        kms_keys_unknown: None,
        tags: tags(i.tags().iter().map(|t| (t.key(), t.value()))),
    }
}

fn image_state(state: &str) -> ImageState {
    match state {
        "available" => ImageState::Available,
        "pending" => ImageState::Pending,
        "failed" => ImageState::Failed,
        "deregistered" => ImageState::Deregistered,
        "disabled" => ImageState::Disabled,
        "invalid" => ImageState::Invalid,
        "transient" => ImageState::Transient,
        _ => ImageState::Error,
    }
}
