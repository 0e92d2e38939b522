//! The compute setups people build, as AWS answers for them (issue 10 §2, compute half):
//! comma-separated health check types, a launch template version deleted under a group,
//! AMI snapshot encryption keys, deprecated shared AMIs, mixed-instances overrides, and a
//! second tier's own DR group. Against moto where it serves the shape; on recorded
//! AWS-shaped responses (the test front) where it does not.

use crate::support::seed::{Setup, config, seed};
use crate::support::{DR, PRIMARY, audit_live, findings, fresh_account, runtime, summary};

fn seeded(setup: &Setup) -> String {
    let account = fresh_account();
    runtime().block_on(seed(&account, setup));
    account
}

fn audit(account: &str) -> serde_json::Value {
    let (code, json, stderr, _) = audit_live(account, &["--max-attempts", "1"]);
    assert!(json.is_object(), "drscan printed no JSON (exit {code}):\n{stderr}");
    json
}

fn messages(json: &serde_json::Value, rule: &str, status: &str) -> String {
    findings(json, rule, status).iter().map(|f| f["message"].to_string()).collect::<Vec<_>>().join("\n")
}

async fn set_health_check_type(account: &str, region: &str, group: &str, types: &str) {
    let asg = aws_sdk_autoscaling::Client::new(&config(account, region).await);
    asg.update_auto_scaling_group()
        .auto_scaling_group_name(group)
        .health_check_type(types)
        .send()
        .await
        .expect("UpdateAutoScalingGroup");
}

#[test]
fn health_check_types_are_a_comma_separated_list() {
    let account = seeded(&Setup::default());
    runtime().block_on(async {
        // The DR group checks ELB and EBS health; the primary EBS and VPC Lattice, not ELB.
        set_health_check_type(&account, DR, "web-dr", "ELB,EBS").await;
        set_health_check_type(&account, PRIMARY, "web", "EBS,VPC_LATTICE").await;
    });
    let json = audit(&account);
    let failed = findings(&json, "asg-ec2-health-check", "fail");
    assert_eq!(failed.len(), 1, "only the group without ELB fails:\n{}", summary(&json));
    assert_eq!(failed[0]["resource"]["id"], "web", "{}", failed[0]);
    assert_eq!(failed[0]["evidence"]["health_check_type"], "EBS,VPC_LATTICE");
    let message = messages(&json, "asg-ec2-health-check", "fail");
    assert!(message.contains("uses EBS and EC2 and VPC_LATTICE health checks"), "{message}");
}

/// A group of `app=web` named `name` in `region`, launching what `like` launches, in its subnets.
async fn add_group_like(account: &str, region: &str, like: &str, name: &str, capacity: (i32, i32, i32)) {
    add_group_on_version(account, region, like, name, "$Latest", capacity).await;
}

/// [`add_group_like`], on `version` of the model's launch template.
async fn add_group_on_version(
    account: &str,
    region: &str,
    like: &str,
    name: &str,
    version: &str,
    (min, max, desired): (i32, i32, i32),
) {
    use aws_sdk_autoscaling::types::{LaunchTemplateSpecification, Tag};
    let asg = aws_sdk_autoscaling::Client::new(&config(account, region).await);
    let groups =
        asg.describe_auto_scaling_groups().auto_scaling_group_names(like).send().await.expect("Describe");
    let model = groups.auto_scaling_groups().first().expect("the seeded group");
    let template = model.launch_template().and_then(|t| t.launch_template_id()).expect("a template");
    asg.create_auto_scaling_group()
        .auto_scaling_group_name(name)
        .launch_template(
            LaunchTemplateSpecification::builder().launch_template_id(template).version(version).build(),
        )
        .min_size(min)
        .max_size(max)
        .desired_capacity(desired)
        .vpc_zone_identifier(model.vpc_zone_identifier().unwrap_or_default())
        .tags(
            Tag::builder()
                .key("app")
                .value("web")
                .resource_id(name)
                .resource_type("auto-scaling-group")
                .build(),
        )
        .send()
        .await
        .expect("CreateAutoScalingGroup");
}

#[test]
fn a_second_tier_needs_its_own_dr_group_and_capacity() {
    let account = seeded(&Setup::default());
    // A worker fleet of the web application, from the web tier's template, with no DR group:
    // the DR web tier (web-dr) does not stand in for it.
    runtime().block_on(add_group_like(&account, PRIMARY, "web", "worker", (0, 4, 2)));
    let json = audit(&account);
    let missing = findings(&json, "dr-asg-missing", "fail");
    assert_eq!(missing.len(), 1, "{}", summary(&json));
    assert_eq!(missing[0]["resource"]["id"], "worker");
    let message = messages(&json, "dr-asg-missing", "fail");
    assert!(message.contains("web-dr serve other tiers"), "{message}");

    // Its DR group (paired by name) is too small for it, though the web tier's DR maximum
    // (6) would have covered both tiers' desired capacity together (2 + 2).
    runtime().block_on(add_group_like(&account, DR, "web-dr", "worker-dr", (0, 1, 0)));
    let json = audit(&account);
    assert!(findings(&json, "dr-asg-missing", "fail").is_empty(), "{}", summary(&json));
    let short = findings(&json, "dr-asg-capacity-insufficient", "fail");
    assert_eq!(short.len(), 1, "{}", summary(&json));
    assert_eq!(short[0]["resource"]["id"], "worker-dr");
    let message = messages(&json, "dr-asg-capacity-insufficient", "fail");
    assert!(message.contains("DR max size 1 (worker-dr max 1)"), "{message}");
    assert!(message.contains("desired capacity 2 (worker desired 2)"), "{message}");
}

#[test]
fn a_deleted_launch_template_version_fails_its_group_and_spares_the_others() {
    let account = seeded(&Setup::default());
    // web-dr launches $Latest of its template; web-dr-next names version 7, which does not
    // exist (deleted). Asked together, EC2 fails the whole DescribeLaunchTemplateVersions with
    // InvalidLaunchTemplateId.VersionNotFound (HTTP 400), as moto does too.
    runtime().block_on(add_group_on_version(&account, DR, "web-dr", "web-dr-next", "7", (0, 2, 0)));
    let collected = crate::support::collect_live(&account, &["--max-attempts", "1"]);
    let snapshot: serde_json::Value = serde_json::from_str(&collected.text).expect("JSON");
    let templates = snapshot["resources"]["regional"][DR]["launch_templates"].as_array().expect("templates");
    let template = templates.iter().find(|t| t["name"] == "web-dr").expect("web-dr template");
    let versions = template["versions"]["value"].as_array().expect("versions read, not unknown");
    assert_eq!(versions.iter().map(|v| v["version"].as_u64()).collect::<Vec<_>>(), [Some(1)], "{template}");

    let json = audit(&account);
    let failed = findings(&json, "dr-launch-template-ami-missing", "fail");
    assert_eq!(failed.len(), 1, "{}", summary(&json));
    assert_eq!(failed[0]["resource"]["id"], "web-dr-next");
    assert!(failed[0]["message"].as_str().unwrap_or_default().contains("uses version 7 of launch template"));
    assert!(findings(&json, "dr-launch-template-ami-missing", "unknown").is_empty(), "{}", summary(&json));
    // The group on the existing version is still judged: its AMI is the primary's copy.
    assert!(findings(&json, "dr-ami-stale", "unknown").is_empty(), "{}", summary(&json));
}

/// A DR group of `web-dr`'s template and subnets whose mixed instances policy overrides the
/// instance type with `types`.
async fn add_mixed_group(account: &str, name: &str, types: &[&str]) {
    use aws_sdk_autoscaling::types::{
        LaunchTemplate, LaunchTemplateOverrides, LaunchTemplateSpecification, MixedInstancesPolicy,
    };
    let asg = aws_sdk_autoscaling::Client::new(&config(account, DR).await);
    let groups =
        asg.describe_auto_scaling_groups().auto_scaling_group_names("web-dr").send().await.expect("Describe");
    let model = groups.auto_scaling_groups().first().expect("the seeded group");
    let template = model.launch_template().and_then(|t| t.launch_template_id()).expect("a template");
    let mut launch_template = LaunchTemplate::builder().launch_template_specification(
        LaunchTemplateSpecification::builder().launch_template_id(template).version("$Latest").build(),
    );
    for instance_type in types {
        launch_template = launch_template
            .overrides(LaunchTemplateOverrides::builder().instance_type(*instance_type).build());
    }
    asg.create_auto_scaling_group()
        .auto_scaling_group_name(name)
        .mixed_instances_policy(
            MixedInstancesPolicy::builder().launch_template(launch_template.build()).build(),
        )
        .min_size(0)
        .max_size(2)
        .desired_capacity(0)
        .vpc_zone_identifier(model.vpc_zone_identifier().unwrap_or_default())
        .send()
        .await
        .expect("CreateAutoScalingGroup");
}

#[test]
fn a_mixed_instances_group_needs_one_offered_override_per_zone() {
    let account = seeded(&Setup::default());
    runtime().block_on(async {
        // t3.micro is offered in every DR zone; x9.nonexistent in none.
        add_mixed_group(&account, "mixed-one-offered", &["t3.micro", "x9.nonexistent"]).await;
        add_mixed_group(&account, "mixed-none-offered", &["x9.nonexistent", "x8.nonexistent"]).await;
    });
    let json = audit(&account);
    let failed = findings(&json, "dr-launch-dependencies-missing", "fail");
    let ids: Vec<&str> = failed.iter().filter_map(|f| f["resource"]["id"].as_str()).collect();
    assert_eq!(ids, ["mixed-none-offered"], "{}", summary(&json));
    let message = messages(&json, "dr-launch-dependencies-missing", "fail");
    assert!(
        message.contains("none of the overrides x8.nonexistent, x9.nonexistent is offered there"),
        "{message}"
    );
}

/// DescribeSnapshots as the EC2 API reference shows it, for one encrypted snapshot: moto 5.2.5
/// omits `kmsKeyId` even for snapshots of KMS-encrypted volumes.
fn encrypted_snapshot(account: &str, snapshot_id: &str, key_arn: &str) -> serde_json::Value {
    let body = format!(
        r#"<DescribeSnapshotsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <snapshotSet>
    <item>
      <snapshotId>{snapshot_id}</snapshotId>
      <volumeId>vol-1234567890abcdef0</volumeId>
      <status>completed</status>
      <startTime>2026-11-30T10:00:00.000Z</startTime>
      <progress>100%</progress>
      <ownerId>{account}</ownerId>
      <volumeSize>8</volumeSize>
      <description>Copied for DestinationAmi from SourceAmi</description>
      <encrypted>true</encrypted>
      <kmsKeyId>{key_arn}</kmsKeyId>
      <storageTier>standard</storageTier>
    </item>
  </snapshotSet>
</DescribeSnapshotsResponse>"#
    );
    serde_json::json!([{
        "account": account, "region": DR, "service": "ec2", "operation": "DescribeSnapshots",
        "action": "respond", "status": 200, "content_type": "text/xml;charset=UTF-8", "body": body
    }])
}

#[test]
fn ami_snapshot_keys_come_from_the_snapshots() {
    let account = seeded(&Setup::default());
    let collected = crate::support::collect_live(&account, &["--max-attempts", "1"]);
    let snapshot: serde_json::Value = serde_json::from_str(&collected.text).expect("JSON");
    let images = snapshot["resources"]["regional"][DR]["images"].as_array().expect("images");
    let image = images.iter().find(|i| i["name"] == "web-golden-v7").expect("the DR copy");
    let snapshot_id = image["snapshot_ids"][0].as_str().expect("the copy's snapshot").to_string();
    assert!(image["kms_key_ids"].as_array().is_none_or(|k| k.is_empty()), "{image}");

    // The copy's snapshot is encrypted with a key that does not exist in the DR region.
    let key = format!("arn:aws:kms:{DR}:{account}:key/mrk-1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6");
    crate::support::set_faults(encrypted_snapshot(&account, &snapshot_id, &key));
    let json = audit(&account);
    let failed = findings(&json, "dr-kms-key-unusable", "fail");
    assert_eq!(failed.len(), 1, "{}", summary(&json));
    assert_eq!(failed[0]["resource"]["id"], "web-dr");
    assert!(failed[0].to_string().contains("mrk-1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6"), "{}", failed[0]);

    // DescribeSnapshots denied: that AMI's keys are unknown, not "no keys".
    crate::support::set_faults(serde_json::json!([{
        "account": account, "region": DR, "service": "ec2", "operation": "DescribeSnapshots",
        "status": 403, "code": "UnauthorizedOperation", "message": "You are not authorized to perform this operation."
    }]));
    let json = audit(&account);
    let unknown = messages(&json, "dr-kms-key-unusable", "unknown");
    assert!(unknown.contains("cannot read the KMS keys of the snapshots of AMI"), "{}", summary(&json));
}

#[test]
fn a_dr_template_on_a_deprecated_public_ami_is_medium_not_missing() {
    const SHARED: &str = "ami-0a1b2c3d4e5f60789";
    let account = seeded(&Setup { dr_image_override: Some(SHARED), ..Setup::default() });
    // DescribeImages leaves out deprecated AMIs the account does not own unless the request
    // says IncludeDeprecated=true; then AWS answers with the image and its DeprecationTime
    // (moto 5.2.5 ignores the parameter and never sets a deprecation time).
    let body = format!(
        r#"<DescribeImagesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <imagesSet>
    <item>
      <imageId>{SHARED}</imageId>
      <imageLocation>amazon/ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240110</imageLocation>
      <imageState>available</imageState>
      <imageOwnerId>099720109477</imageOwnerId>
      <creationDate>2024-01-10T12:00:00.000Z</creationDate>
      <isPublic>true</isPublic>
      <architecture>x86_64</architecture>
      <imageType>machine</imageType>
      <name>ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240110</name>
      <rootDeviceType>ebs</rootDeviceType>
      <rootDeviceName>/dev/sda1</rootDeviceName>
      <blockDeviceMapping>
        <item>
          <deviceName>/dev/sda1</deviceName>
          <ebs><snapshotId>snap-0b1c2d3e4f5a60789</snapshotId><volumeSize>8</volumeSize><deleteOnTermination>true</deleteOnTermination><volumeType>gp2</volumeType><encrypted>false</encrypted></ebs>
        </item>
      </blockDeviceMapping>
      <virtualizationType>hvm</virtualizationType>
      <hypervisor>xen</hypervisor>
      <deprecationTime>2026-01-10T12:00:00.000Z</deprecationTime>
    </item>
  </imagesSet>
</DescribeImagesResponse>"#
    );
    crate::support::set_faults(serde_json::json!([{
        "account": account, "region": DR, "service": "ec2", "operation": "DescribeImages",
        "body_regex": "IncludeDeprecated=true", "action": "respond", "status": 200,
        "content_type": "text/xml;charset=UTF-8", "body": body
    }]));
    let json = audit(&account);
    let failed = findings(&json, "dr-launch-template-ami-missing", "fail");
    assert_eq!(failed.len(), 1, "{}", summary(&json));
    assert_eq!(failed[0]["severity"], "medium", "{}", failed[0]);
    let message = failed[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(&format!("launches {SHARED}")) && message.contains("deprecated"), "{message}");
}
