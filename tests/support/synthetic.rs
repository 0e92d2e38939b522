//! Synthetic snapshots for benchmarks and tests: a seeded, deterministic two-region estate
//! (primary ap-south-1, DR us-east-1) built like the reference architecture of SPEC §1.
//!
//! The estate is made of application units. Each unit has a failover record pair and health
//! check; in each region an ALB with listeners, a target group with target health, an ASG,
//! a launch template with versions and AMIs (the DR ones copied from the primary); an RDS
//! primary with its DR replica and lag series (a few units use an Aurora global database
//! instead); and an EFS file system that is replicated or backed up to the DR region. Teams of
//! units share subnets, key pairs, KMS keys, backup plans and vaults; a hosted zone holds the
//! records of 100 units (about 300 record sets).
//!
//! In every block of ten consecutive units exactly one unit breaks each rule, at a position
//! drawn from the seed, so about 10 % of the resources each rule judges fail it. Units also
//! carry the odd value collection could not read (`Known::Unknown`), as real snapshots do.
//!
//! Test scaffolding, not library: the benchmarks and the integration tests include this file
//! with `#[path]`, so the published crate does not carry a 1,300-line generator.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use drscan::inventory::capacity::{InstanceType, ServiceQuota, UsageReading, default_usage_metric};
use drscan::inventory::compute::*;
use drscan::inventory::database::*;
use drscan::inventory::dependencies::*;
use drscan::inventory::dns::*;
use drscan::inventory::load_balancing::*;
use drscan::inventory::snapshot::SCHEMA_VERSION;
use drscan::inventory::storage::*;
use drscan::inventory::{
    ErrorCause, GlobalResources, Known, RegionPair, RegionResources, Resources, Snapshot, Tags, UnknownReason,
};
use std::collections::BTreeMap;

pub(crate) const PRIMARY_REGION: &str = "ap-south-1";
pub(crate) const DR_REGION: &str = "us-east-1";
pub(crate) const ACCOUNT: &str = "123456789012";

const UNITS_PER_TEAM: usize = 25;
const UNITS_PER_ZONE: usize = 100;
/// One unit in every block of this many breaks each rule.
const BLOCK: usize = 10;
/// ALB canonical hosted zone IDs of the two regions.
const PRIMARY_ELB_ZONE: &str = "ZP97RAFLXTNZK";
const DR_ELB_ZONE: &str = "Z35SXDOTRQ7X7K";
const INSTANCE_TYPES: [&str; 6] =
    ["m6i.large", "m6i.xlarge", "c6i.large", "c6i.xlarge", "r6g.large", "t3.medium"];
/// DescribeInstanceTypes' `DefaultVCpus` of [`INSTANCE_TYPES`], in the same order.
const INSTANCE_VCPUS: [u32; 6] = [2, 4, 2, 4, 2, 2];

/// A snapshot of about `resources` top-level resources (see [`resource_count`]; the result
/// overshoots by less than one unit), the same for the same seed.
pub(crate) fn generate(resources: usize, seed: u64) -> Snapshot {
    let mut builder = Builder::new(seed);
    while builder.count() < resources {
        builder.add_unit();
    }
    builder.finish()
}

/// A snapshot of `units` application units (one application each), the same for the same seed.
pub(crate) fn generate_units(units: usize, seed: u64) -> Snapshot {
    let mut builder = Builder::new(seed);
    for _ in 0..units {
        builder.add_unit();
    }
    builder.finish()
}

/// Top-level resources as the benchmark counts them: every regional resource, every record
/// set and every health check.
pub(crate) fn resource_count(snapshot: &Snapshot) -> usize {
    let global = &snapshot.resources.global;
    snapshot.resources.regional.values().map(RegionResources::len).sum::<usize>()
        + global.health_checks.len()
        + global.hosted_zones.iter().filter_map(|z| z.record_sets.value()).map(Vec::len).sum::<usize>()
}

/// SplitMix64: small, fast and good enough to pick ids and defects reproducibly.
#[derive(Debug, Clone)]
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// An independent stream for one (seed, purpose, index) triple.
    fn stream(seed: u64, purpose: u64, index: u64) -> Self {
        let mut mixer = SplitMix64::new(seed ^ purpose.wrapping_mul(0xD1B5_4A32_D192_ED03));
        mixer.state ^= index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        SplitMix64::new(mixer.next_u64())
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (the modulo bias is irrelevant here).
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    /// 17 hex digits, the shape of EC2/EFS resource ids after the prefix.
    fn hex17(&mut self) -> String {
        format!("0{:016x}", self.next_u64())
    }

    fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            ((b >> 48) & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    fn digits10(&mut self) -> u64 {
        1_000_000_000 + self.below(9_000_000_000)
    }
}

/// The ways a unit can break a rule, one per registered rule, in the order positions are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Defect {
    /// ami-missing-in-dr: the AMI the primary launches was never copied to DR.
    AmiNotCopied,
    /// dr-launch-template-ami-missing: the DR template's AMI is absent, disabled or deprecated,
    /// or the DR group names a version or template that does not exist.
    DrTemplateBroken,
    /// failover-secondary-missing.
    SecondaryMissing,
    /// failover-primary-unmonitored.
    PrimaryUnmonitored,
    /// failover-target-missing: the SECONDARY aliases a load balancer that was replaced.
    DanglingAlias,
    /// failover-secondary-unhealthy: a pilot-light DR tier behind a health-evaluated SECONDARY.
    PilotLightSecondary,
    /// rds-no-dr-replica.
    NoDrReplica,
    /// rds-replica-lag-high.
    HighReplicaLag,
    /// efs-no-dr-copy.
    EfsNotCopied,
}

const DEFECTS: [Defect; 9] = [
    Defect::AmiNotCopied,
    Defect::DrTemplateBroken,
    Defect::SecondaryMissing,
    Defect::PrimaryUnmonitored,
    Defect::DanglingAlias,
    Defect::PilotLightSecondary,
    Defect::NoDrReplica,
    Defect::HighReplicaLag,
    Defect::EfsNotCopied,
];

impl Defect {
    /// Defects drawn earlier that would hide this one on the same unit (no SECONDARY to be
    /// unhealthy or dangling, no replica to lag).
    fn hidden_by(self) -> &'static [Defect] {
        match self {
            Defect::DanglingAlias => &[Defect::SecondaryMissing],
            Defect::PilotLightSecondary => &[Defect::SecondaryMissing, Defect::DanglingAlias],
            Defect::HighReplicaLag => &[Defect::NoDrReplica],
            _ => &[],
        }
    }
}

/// Which unit of a block breaks each defect's rule.
fn defect_positions(seed: u64, block: u64) -> [usize; DEFECTS.len()] {
    let mut rng = SplitMix64::stream(seed, 1, block);
    let mut positions = [usize::MAX; DEFECTS.len()];
    for (i, defect) in DEFECTS.iter().enumerate() {
        positions[i] = loop {
            let candidate = rng.below(BLOCK as u64) as usize;
            let clashes = defect.hidden_by().iter().any(|other| positions[*other as usize] == candidate);
            if !clashes {
                break candidate;
            }
        };
    }
    positions
}

fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn unknown(operation: &str, cause: ErrorCause, message: &str) -> UnknownReason {
    UnknownReason::new(operation, cause, message)
}

/// Per-region resources a team's units share.
struct TeamRegion {
    vpc_id: String,
    subnet_ids: Vec<String>,
    key_name: String,
    kms_key_arn: String,
}

struct Team {
    name: String,
    primary: TeamRegion,
    dr: TeamRegion,
}

/// One application unit being built.
struct Unit {
    name: String,
    rng: SplitMix64,
    /// Draws for the DR-readiness details (automation, backups replicated, certificate
    /// names), a separate stream so the rest of a unit stays as it was.
    extra: SplitMix64,
    defects: [bool; DEFECTS.len()],
}

impl Unit {
    fn has(&self, defect: Defect) -> bool {
        self.defects[defect as usize]
    }

    /// Whether the unit is free of every defect in `defects`, so an unreadable value may be
    /// put in without hiding a failure the generator promised.
    fn clean(&self, defects: &[Defect]) -> bool {
        defects.iter().all(|d| !self.has(*d))
    }
}

/// What the DNS records of a unit need to know about one region's web tier.
struct WebTier {
    lb_dns: String,
    lb_zone: &'static str,
    /// The load balancer's CloudWatch `LoadBalancer` dimension (`app/name/id`).
    lb_dimension: String,
}

struct Builder {
    seed: u64,
    collected_at: DateTime<Utc>,
    primary: RegionResources,
    dr: RegionResources,
    zones: Vec<HostedZone>,
    health_checks: Vec<HealthCheck>,
    records: usize,
    units: usize,
    team: Option<Team>,
    positions: [usize; DEFECTS.len()],
}

impl Builder {
    fn new(seed: u64) -> Self {
        let collected_at = Utc.with_ymd_and_hms(2026, 11, 20, 6, 0, 0).single().unwrap_or_default();
        let mut builder = Builder {
            seed,
            collected_at,
            primary: RegionResources::default(),
            dr: RegionResources::default(),
            zones: Vec::new(),
            health_checks: Vec::new(),
            records: 0,
            units: 0,
            team: None,
            positions: [usize::MAX; DEFECTS.len()],
        };
        for (region, resources) in [(PRIMARY_REGION, &mut builder.primary), (DR_REGION, &mut builder.dr)] {
            for az in azs(region) {
                for instance_type in INSTANCE_TYPES {
                    resources.instance_type_offerings.push(InstanceTypeOffering {
                        instance_type: instance_type.to_string(),
                        availability_zone: az.clone(),
                    });
                }
            }
            for (instance_type, default_vcpus) in INSTANCE_TYPES.iter().zip(INSTANCE_VCPUS) {
                resources
                    .instance_types
                    .push(InstanceType { instance_type: instance_type.to_string(), default_vcpus });
            }
        }
        builder
    }

    fn count(&self) -> usize {
        self.primary.len() + self.dr.len() + self.records + self.health_checks.len()
    }

    fn ago(&self, seconds: i64) -> DateTime<Utc> {
        self.collected_at - Duration::seconds(seconds)
    }

    fn finish(mut self) -> Snapshot {
        self.standard_quota();
        let mut regional = BTreeMap::new();
        regional.insert(PRIMARY_REGION.to_string(), self.primary);
        regional.insert(DR_REGION.to_string(), self.dr);
        Snapshot {
            schema_version: SCHEMA_VERSION,
            drscan_version: env!("CARGO_PKG_VERSION").to_string(),
            account: ACCOUNT.to_string(),
            accounts: vec![drscan::inventory::AccountRecord::every_side(ACCOUNT)],
            regions: RegionPair { primary: PRIMARY_REGION.to_string(), dr: DR_REGION.to_string() },
            collected_at: self.collected_at,
            resources: Resources {
                global: GlobalResources { hosted_zones: self.zones, health_checks: self.health_checks },
                regional,
            },
            collection_errors: Vec::new(),
        }
    }

    /// The DR region's Standard On-Demand vCPU quota, with room for every DR group to reach its
    /// primary's capacity at the largest type (the estate's defects are elsewhere), and its usage.
    fn standard_quota(&mut self) {
        let largest = INSTANCE_VCPUS.iter().copied().max().unwrap_or(1);
        let vcpus = |groups: &[AutoScalingGroup]| -> u32 {
            groups.iter().map(|g| g.desired_capacity * largest).sum()
        };
        let in_use = vcpus(&self.dr.auto_scaling_groups);
        let code = "L-1216C47A";
        self.dr.service_quotas.push(ServiceQuota {
            arn: format!("arn:aws:servicequotas:{DR_REGION}:{ACCOUNT}:ec2/{code}"),
            service_code: "ec2".into(),
            quota_code: code.into(),
            name: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances".into(),
            value: f64::from(2 * vcpus(&self.primary.auto_scaling_groups) + in_use + 64),
            unit: "None".into(),
            usage_metric: default_usage_metric(code),
            usage: Known::Value(Some(UsageReading { value: f64::from(in_use), at: Some(self.collected_at) })),
            ..ServiceQuota::default()
        });
    }

    fn add_unit(&mut self) {
        let index = self.units;
        self.units += 1;
        if index.is_multiple_of(UNITS_PER_TEAM) {
            self.add_team(index / UNITS_PER_TEAM);
        }
        if index.is_multiple_of(UNITS_PER_ZONE) {
            self.add_zone(index / UNITS_PER_ZONE);
        }
        if index.is_multiple_of(BLOCK) {
            self.positions = defect_positions(self.seed, (index / BLOCK) as u64);
        }
        let slot = index % BLOCK;
        let mut unit = Unit {
            name: format!("app-{index:05}"),
            rng: SplitMix64::stream(self.seed, 2, index as u64),
            extra: SplitMix64::stream(self.seed, 7, index as u64),
            defects: self.positions.map(|p| p == slot),
        };
        let (primary_image, dr_image_ref) = self.images(&mut unit);
        let warm = !unit.has(Defect::PilotLightSecondary) && unit.rng.percent(50);
        let primary_tier = self.web_tier(&mut unit, true, &primary_image, None, true);
        let dr_tier = self.web_tier(&mut unit, false, &dr_image_ref.image_id, Some(&dr_image_ref), warm);
        self.dns(&mut unit, &primary_tier, &dr_tier, warm);
        self.database(&mut unit);
        self.file_system(&mut unit);
    }

    fn team(&self) -> &Team {
        self.team.as_ref().expect("a team is created with the first unit")
    }

    fn add_team(&mut self, index: usize) {
        let name = format!("team-{index:03}");
        let mut rng = SplitMix64::stream(self.seed, 3, index as u64);
        let mut team_region = |region: &str, resources: &mut RegionResources| {
            let vpc_id = format!("vpc-{}", rng.hex17());
            let mut subnet_ids = Vec::new();
            for az in azs(region) {
                let id = format!("subnet-{}", rng.hex17());
                resources.subnets.push(Subnet {
                    arn: format!("arn:aws:ec2:{region}:{ACCOUNT}:subnet/{id}"),
                    id: id.clone(),
                    vpc_id: vpc_id.clone(),
                    availability_zone: az,
                });
                subnet_ids.push(id);
            }
            let key_name = format!("{name}-ops");
            resources.key_pairs.push(KeyPair { id: format!("key-{}", rng.hex17()), name: key_name.clone() });
            let key_id = rng.uuid();
            let kms_key_arn = format!("arn:aws:kms:{region}:{ACCOUNT}:key/{key_id}");
            resources.kms_keys.push(KmsKey {
                arn: kms_key_arn.clone(),
                id: key_id,
                aliases: vec![format!("alias/{name}-ebs")],
                state: "Enabled".to_string(),
                multi_region: rng.percent(50),
            });
            TeamRegion { vpc_id, subnet_ids, key_name, kms_key_arn }
        };
        let primary = team_region(PRIMARY_REGION, &mut self.primary);
        let dr = team_region(DR_REGION, &mut self.dr);

        let vault = |region: &str, vault_name: String| BackupVault {
            arn: format!("arn:aws:backup:{region}:{ACCOUNT}:backup-vault:{vault_name}"),
            name: vault_name,
            kms_key_arn: None,
            recovery_points: Known::Value(Vec::new()),
            ..BackupVault::default()
        };
        let dr_vault = vault(DR_REGION, format!("{name}-dr-vault"));
        let dr_vault_arn = dr_vault.arn.clone();
        self.primary.backup_vaults.push(vault(PRIMARY_REGION, format!("{name}-vault")));
        self.dr.backup_vaults.push(dr_vault);

        let daily = |rule_name: &str, copy_actions: Vec<CopyAction>| BackupRule {
            name: rule_name.to_string(),
            schedule_expression: "cron(0 20 * * ? *)".to_string(),
            schedule_timezone: Some("UTC".to_string()),
            start_window_minutes: Some(60),
            completion_window_minutes: Some(480),
            target_vault_name: format!("{name}-vault"),
            copy_actions,
        };
        let tag_equals = |key: &str, value: String| TagCondition {
            operator: "StringEquals".to_string(),
            key: key.to_string(),
            value,
        };
        let plan_id = rng.uuid();
        self.primary.backup_plans.push(BackupPlan {
            arn: format!("arn:aws:backup:{PRIMARY_REGION}:{ACCOUNT}:backup-plan:{plan_id}"),
            id: plan_id,
            name: format!("{name}-dr-daily"),
            rules: vec![daily(
                "daily-with-dr-copy",
                vec![CopyAction { destination_vault_arn: dr_vault_arn, delete_after_days: Some(35) }],
            )],
            selections: Known::Value(vec![
                BackupSelection {
                    id: rng.uuid(),
                    name: format!("{name}-efs"),
                    resources: vec!["arn:aws:elasticfilesystem:*:*:file-system/*".to_string()],
                    conditions: vec![tag_equals("aws:ResourceTag/backup", format!("{name}-dr"))],
                    ..BackupSelection::default()
                },
                BackupSelection {
                    id: rng.uuid(),
                    name: format!("{name}-tagged"),
                    list_of_tags: vec![tag_equals("backup", format!("{name}-dr-all"))],
                    ..BackupSelection::default()
                },
            ]),
            ..BackupPlan::default()
        });
        let plan_id = rng.uuid();
        self.primary.backup_plans.push(BackupPlan {
            arn: format!("arn:aws:backup:{PRIMARY_REGION}:{ACCOUNT}:backup-plan:{plan_id}"),
            id: plan_id,
            name: format!("{name}-local"),
            rules: vec![daily("daily-local", Vec::new())],
            selections: Known::Value(vec![BackupSelection {
                id: rng.uuid(),
                name: format!("{name}-local"),
                list_of_tags: vec![tag_equals("backup", format!("{name}-local"))],
                ..BackupSelection::default()
            }]),
            ..BackupPlan::default()
        });
        self.team = Some(Team { name, primary, dr });
    }

    fn add_zone(&mut self, index: usize) {
        let mut rng = SplitMix64::stream(self.seed, 4, index as u64);
        let name = format!("svc{index:03}.example.com.");
        let id = format!("Z{:016X}", rng.next_u64());
        let ns = |n: u64| format!("ns-{n}.awsdns-{:02}.org.", n % 64);
        let records = vec![
            RecordSet {
                name: name.clone(),
                record_type: "SOA".to_string(),
                ttl: Some(900),
                values: vec![format!("{} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400", ns(1))],
                ..RecordSet::default()
            },
            RecordSet {
                name: name.clone(),
                record_type: "NS".to_string(),
                ttl: Some(172_800),
                values: (0..4).map(|_| ns(rng.below(2048))).collect(),
                ..RecordSet::default()
            },
        ];
        self.records += records.len();
        self.zones.push(HostedZone { id, name, private: false, record_sets: Known::Value(records) });
    }

    fn push_record(&mut self, record: RecordSet) {
        let zone = self.zones.last_mut().expect("a zone is created with the first unit");
        if let Known::Value(records) = &mut zone.record_sets {
            records.push(record);
            self.records += 1;
        }
    }

    /// The unit's AMIs in both regions. Returns the primary launch AMI and what the DR launch
    /// template should launch.
    fn images(&mut self, unit: &mut Unit) -> (String, DrImageRef) {
        let app = unit.name.clone();
        let build = 4 + unit.rng.below(40);
        let primary_kms = self.team().primary.kms_key_arn.clone();
        let dr_kms = self.team().dr.kms_key_arn.clone();
        let image = |rng: &mut SplitMix64, region: &str, name: String, age_days: i64, kms: &str| {
            let id = format!("ami-{}", rng.hex17());
            Image {
                arn: format!("arn:aws:ec2:{region}::image/{id}"),
                id,
                name,
                owner_id: ACCOUNT.to_string(),
                state: ImageState::Available,
                creation_date: Some(self.ago(age_days * 86_400)),
                kms_key_ids: vec![kms.to_string()],
                tags: tags(&[("app", &app)]),
                ..Image::default()
            }
        };
        // Builds current, current-1, current-2, current-3 in the primary (older ones pruned).
        let primaries: Vec<Image> = (0..4)
            .map(|age| {
                let name = format!("{app}-golden-v{}", build - age);
                image(&mut unit.rng, PRIMARY_REGION, name, 7 + 30 * age as i64, &primary_kms)
            })
            .collect();
        // A copy made by CopyImage, recognisable by source IDs (AWS), the pairing tag, or the
        // name alone (moto and older pipelines).
        let copy_of = |rng: &mut SplitMix64, source: &Image| {
            // 0..7: source IDs (4..7 also tagged); 7..9: the tag only, under a new name;
            // 9: the name only.
            let how = rng.below(10);
            let name =
                if (7..9).contains(&how) { format!("{}-dr", source.name) } else { source.name.clone() };
            let mut copy = image(rng, DR_REGION, name, 0, &dr_kms);
            copy.creation_date = source.creation_date.map(|d| d + Duration::hours(2));
            if how < 7 {
                copy.source_image_id = Some(source.id.clone());
                copy.source_image_region = Some(PRIMARY_REGION.to_string());
            }
            if (4..9).contains(&how) {
                copy.tags.insert("drscan:source-ami".to_string(), source.id.clone());
            }
            copy
        };

        let broken_variant = unit.rng.below(5);
        let mut copies = Vec::new();
        let mut dr_image_id = None;
        if !unit.has(Defect::AmiNotCopied) {
            let copy = copy_of(&mut unit.rng, &primaries[0]);
            dr_image_id = Some(copy.id.clone());
            copies.push(copy);
        }
        // The previous build was copied too (and is what DR launches when the current one was not).
        let previous = copy_of(&mut unit.rng, &primaries[1]);
        let dr_image_id = dr_image_id.unwrap_or_else(|| previous.id.clone());
        copies.push(previous);

        let mut dr_ref = DrImageRef { image_id: dr_image_id, version: None, template_missing: false };
        if unit.has(Defect::DrTemplateBroken) {
            match broken_variant {
                // The primary AMI ID pasted into the DR template.
                0 => dr_ref.image_id = primaries[0].id.clone(),
                // Still on an old copy that was disabled in a clean-up.
                1 => {
                    let mut old = copy_of(&mut unit.rng, &primaries[3]);
                    old.state = ImageState::Disabled;
                    dr_ref.image_id = old.id.clone();
                    copies.push(old);
                }
                // Still on an old copy that is deprecated: launches, but medium severity.
                2 => {
                    let mut old = copy_of(&mut unit.rng, &primaries[2]);
                    old.deprecation_time = Some(self.ago(86_400 * 3));
                    dr_ref.image_id = old.id.clone();
                    copies.push(old);
                }
                3 => dr_ref.version = Some(99),
                _ => dr_ref.template_missing = true,
            }
        }
        let current = primaries[0].id.clone();
        let keep = if unit.rng.percent(50) { 2 } else { 4 };
        self.primary.images.extend(primaries.into_iter().take(keep));
        self.dr.images.extend(copies);
        (current, dr_ref)
    }

    /// Load balancer, listeners, target group, ASG, launch template, scaling of one region.
    fn web_tier(
        &mut self,
        unit: &mut Unit,
        primary: bool,
        image_id: &str,
        dr_ref: Option<&DrImageRef>,
        warm: bool,
    ) -> WebTier {
        let (region, suffix, lb_zone) =
            if primary { (PRIMARY_REGION, "", PRIMARY_ELB_ZONE) } else { (DR_REGION, "-dr", DR_ELB_ZONE) };
        let team = self.team();
        let team_region = if primary { &team.primary } else { &team.dr };
        let (vpc_id, subnet_ids, key_name, kms) = (
            team_region.vpc_id.clone(),
            team_region.subnet_ids.clone(),
            team_region.key_name.clone(),
            team_region.kms_key_arn.clone(),
        );
        // Only primary templates may have unreadable versions, and only where that hides no
        // promised failure: a DR one would hide the DR template's own check.
        let versions_may_be_unknown = primary && unit.clean(&[Defect::AmiNotCopied]);
        let app = unit.name.clone();
        let zone_name =
            self.zones.last().map(|z| z.name.trim_end_matches('.').to_string()).unwrap_or_default();
        let rng = &mut unit.rng;
        let app_tags = tags(&[("app", &app), ("team", &team.name), ("env", "prod")]);
        let resources = if primary { &mut self.primary } else { &mut self.dr };

        // Security groups and the listener certificate.
        let mut sg_ids = Vec::new();
        for role in ["alb", "web"] {
            let id = format!("sg-{}", rng.hex17());
            resources.security_groups.push(SecurityGroup {
                arn: format!("arn:aws:ec2:{region}:{ACCOUNT}:security-group/{id}"),
                id: id.clone(),
                name: format!("{app}-{role}{suffix}"),
                vpc_id: vpc_id.clone(),
            });
            sg_ids.push(id);
        }
        let certificate_arn = format!("arn:aws:acm:{region}:{ACCOUNT}:certificate/{}", rng.uuid());
        resources.certificates.push(Certificate {
            arn: certificate_arn.clone(),
            domain_name: format!("{app}.example.com"),
            subject_alternative_names: vec![format!("www.{app}.example.com"), format!("*.{zone_name}")],
            status: "ISSUED".to_string(),
            not_after: Some(self.collected_at + Duration::days(30 + rng.below(300) as i64)),
        });

        // Load balancer, listeners, target group.
        let lb_name = format!("{app}-alb{suffix}");
        let lb_hex = format!("{:016x}", rng.next_u64());
        let lb_arn =
            format!("arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:loadbalancer/app/{lb_name}/{lb_hex}");
        let lb_dns = format!("{lb_name}-{}.{region}.elb.amazonaws.com", rng.digits10());
        let lb_dimension = format!("app/{lb_name}/{lb_hex}");
        let azs = azs(region);
        resources.load_balancers.push(LoadBalancer {
            arn: lb_arn.clone(),
            name: lb_name.clone(),
            dns_name: lb_dns.clone(),
            canonical_hosted_zone_id: lb_zone.to_string(),
            lb_type: "application".to_string(),
            scheme: "internet-facing".to_string(),
            state: "active".to_string(),
            availability_zones: azs.clone(),
            tags: app_tags.clone(),
            ..LoadBalancer::default()
        });
        let tg_name = format!("{app}-web{suffix}");
        let tg_arn = format!(
            "arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:targetgroup/{tg_name}/{:016x}",
            rng.next_u64()
        );
        let listener = |rng: &mut SplitMix64,
                        port: u16,
                        protocol: &str,
                        certs: Vec<String>,
                        tgs: Vec<String>| {
            Listener {
                arn: format!(
                    "arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:listener/app/{lb_name}/{lb_hex}/{:016x}",
                    rng.next_u64()
                ),
                load_balancer_arn: lb_arn.clone(),
                port,
                protocol: protocol.to_string(),
                certificate_arns: certs,
                certificates_unknown: None,
                target_group_arns: tgs,
            }
        };
        if rng.percent(80) {
            // Port 80 only redirects to HTTPS.
            resources.listeners.push(listener(rng, 80, "HTTP", Vec::new(), Vec::new()));
        }
        resources.listeners.push(listener(rng, 443, "HTTPS", vec![certificate_arn], vec![tg_arn.clone()]));

        let desired: u32 = if primary {
            2 + rng.below(3) as u32
        } else if warm {
            1
        } else {
            0
        };
        let target_health = if !primary && warm && rng.percent(2) {
            Known::Unknown(unknown(
                "elbv2:DescribeTargetHealth",
                ErrorCause::AccessDenied,
                "not authorized to perform elasticloadbalancing:DescribeTargetHealth",
            ))
        } else {
            Known::Value(
                (0..desired)
                    .map(|_| TargetHealth {
                        target_id: format!("i-{}", rng.hex17()),
                        port: Some(8080),
                        state: "healthy".to_string(),
                        reason: None,
                    })
                    .collect(),
            )
        };
        resources.target_groups.push(TargetGroup {
            arn: tg_arn.clone(),
            name: tg_name,
            protocol: "HTTP".to_string(),
            port: 8080,
            load_balancer_arns: vec![lb_arn.clone()],
            health_check: TargetGroupHealthCheck {
                interval_seconds: 15,
                unhealthy_threshold: 3,
                healthy_threshold: 5,
                path: Some("/health".to_string()),
            },
            target_health,
            tags: app_tags.clone(),
            ..TargetGroup::default()
        });

        // Launch template: a few versions, the newest launching `image_id`.
        let lt_id = format!("lt-{}", rng.hex17());
        let lt_name = format!("{app}-web{suffix}");
        let latest = 1 + rng.below(3);
        let ssm = primary && rng.percent(10);
        let versions: Vec<LaunchTemplateVersion> = (1..=latest)
            .map(|version| {
                let current = version == latest;
                let image = if current { image_id.to_string() } else { format!("ami-{}", rng.hex17()) };
                let (image_id, resolved_image_id) = if current && ssm {
                    (format!("resolve:ssm:/golden/{app}/web"), Some(Known::Value(image)))
                } else {
                    (image, None)
                };
                LaunchTemplateVersion {
                    version,
                    image_id: Some(image_id),
                    resolved_image_id,
                    instance_type: Some(INSTANCE_TYPES[(version % 4) as usize].to_string()),
                    key_name: Some(key_name.clone()),
                    security_group_ids: vec![sg_ids[1].clone()],
                    subnet_ids: Vec::new(),
                    kms_key_ids: vec![kms.clone()],
                }
            })
            .collect();
        let versions = if versions_may_be_unknown && rng.percent(1) {
            Known::Unknown(unknown(
                "ec2:DescribeLaunchTemplateVersions",
                ErrorCause::Throttled,
                "Rate exceeded",
            ))
        } else {
            Known::Value(versions)
        };
        resources.launch_templates.push(LaunchTemplate {
            arn: format!("arn:aws:ec2:{region}:{ACCOUNT}:launch-template/{lt_id}"),
            id: lt_id.clone(),
            name: lt_name.clone(),
            default_version: latest,
            latest_version: latest,
            versions,
            tags: app_tags.clone(),
        });

        // Auto Scaling group and its scaling policy.
        let template_ref = match dr_ref {
            None => LaunchTemplateRef { id: None, name: Some(lt_name), version: "$Default".to_string() },
            Some(dr) if dr.template_missing => LaunchTemplateRef {
                id: None,
                name: Some(format!("{app}-web-dr-old")),
                version: "$Latest".to_string(),
            },
            Some(dr) => LaunchTemplateRef {
                id: Some(lt_id),
                name: None,
                version: dr.version.map_or_else(|| "$Latest".to_string(), |v| v.to_string()),
            },
        };
        let (launch_template, mixed_instances_policy) = if rng.percent(15) {
            let overrides = ["m6i.large", "c6i.large"]
                .iter()
                .map(|t| InstanceOverride {
                    instance_type: Some(t.to_string()),
                    ..InstanceOverride::default()
                })
                .collect();
            (
                None,
                Some(MixedInstancesPolicy {
                    launch_template: template_ref,
                    overrides,
                    ..MixedInstancesPolicy::default()
                }),
            )
        } else {
            (Some(template_ref), None)
        };
        let asg_name = format!("{app}-web{suffix}");
        let (target_group_arns, traffic_sources) =
            if rng.percent(10) { (Vec::new(), vec![tg_arn]) } else { (vec![tg_arn], Vec::new()) };
        let asg_arn = format!(
            "arn:aws:autoscaling:{region}:{ACCOUNT}:autoScalingGroup:{}:autoScalingGroupName/{asg_name}",
            rng.uuid()
        );
        resources.auto_scaling_groups.push(AutoScalingGroup {
            arn: asg_arn,
            name: asg_name.clone(),
            launch_template,
            mixed_instances_policy,
            launch_configuration_name: None,
            min_size: if primary { 2 } else { desired },
            max_size: 12,
            desired_capacity: desired,
            availability_zones: azs,
            subnet_ids,
            target_group_arns,
            traffic_sources,
            load_balancer_names: Vec::new(),
            health_check_type: "ELB".to_string(),
            health_check_grace_period: 300,
            tags: app_tags,
        });
        let (policy_name, policy_type) = if primary {
            ("cpu-target-50", "TargetTrackingScaling")
        } else {
            ("failover-scale-out", "StepScaling")
        };
        let policy_arn = format!(
            "arn:aws:autoscaling:{region}:{ACCOUNT}:scalingPolicy:{}:autoScalingGroupName/{asg_name}:policyName/{policy_name}",
            rng.uuid()
        );
        let mut alarm_arns = Vec::new();
        if !primary {
            // Scale DR out when the primary's Route 53 health check fails.
            let alarm_name = format!("{app}-primary-unhealthy");
            let alarm_arn = format!("arn:aws:cloudwatch:{region}:{ACCOUNT}:alarm:{alarm_name}");
            resources.alarms.push(Alarm {
                arn: alarm_arn.clone(),
                name: alarm_name,
                namespace: "AWS/Route53".to_string(),
                metric_name: "HealthCheckStatus".to_string(),
                dimensions: BTreeMap::from([("HealthCheckId".to_string(), format!("hc-{app}"))]),
                period_seconds: 60,
                evaluation_periods: 3,
                alarm_actions: vec![policy_arn.clone()],
                state: "OK".to_string(),
                metrics: Vec::new(),
            });
            alarm_arns.push(alarm_arn);
        }
        resources.scaling_policies.push(ScalingPolicy {
            arn: policy_arn,
            name: policy_name.to_string(),
            auto_scaling_group_name: asg_name,
            policy_type: policy_type.to_string(),
            alarm_arns,
        });
        WebTier { lb_dns, lb_zone, lb_dimension }
    }

    /// The failover record pair (and the odd in-zone alias chain), health checks, and a
    /// non-failover record.
    fn dns(&mut self, unit: &mut Unit, primary: &WebTier, dr: &WebTier, warm: bool) {
        let app = unit.name.clone();
        let (zone_id, zone_name) = {
            let zone = self.zones.last().expect("a zone is created with the first unit");
            (zone.id.clone(), zone.name.clone())
        };
        let record_name = format!("{app}.{zone_name}");
        let alias = |dns_name: String, hosted_zone_id: &str, evaluate_target_health: bool| AliasTarget {
            dns_name,
            hosted_zone_id: hosted_zone_id.to_string(),
            evaluate_target_health,
        };
        let health_check = |rng: &mut SplitMix64, fqdn: &str, status: Known<HealthCheckStatus>| HealthCheck {
            id: rng.uuid(),
            check_type: "HTTPS".to_string(),
            fqdn: Some(fqdn.to_string()),
            port: Some(443),
            resource_path: Some("/health".to_string()),
            request_interval: 30,
            failure_threshold: 3,
            status,
            tags: tags(&[("app", &app), ("Name", &format!("{app}-primary"))]),
            ..HealthCheck::default()
        };
        let all_healthy = || Known::Value(HealthCheckStatus::from_checkers(16, 16));

        // PRIMARY: evaluates target health and/or has a health check, unless unmonitored.
        let rng = &mut unit.rng;
        let (primary_eth, primary_check) = if unit.defects[Defect::PrimaryUnmonitored as usize] {
            match rng.below(3) {
                0 => (false, None),
                1 => (
                    false,
                    Some(HealthCheck { disabled: true, ..health_check(rng, &primary.lb_dns, all_healthy()) }),
                ),
                _ => (
                    false,
                    Some(HealthCheck { inverted: true, ..health_check(rng, &primary.lb_dns, all_healthy()) }),
                ),
            }
        } else {
            match rng.below(10) {
                0 | 1 => (true, None),
                2 | 3 => (false, Some(health_check(rng, &primary.lb_dns, all_healthy()))),
                _ => (true, Some(health_check(rng, &primary.lb_dns, all_healthy()))),
            }
        };
        // The DR scale-out alarm watches the primary's health check (else its load balancer);
        // most units also run a failover Lambda from it (replica promotion, EFS replication).
        let alarm_name = format!("{app}-primary-unhealthy");
        if let Some(alarm) = self.dr.alarms.iter_mut().rev().find(|a| a.name == alarm_name) {
            match &primary_check {
                Some(check) => {
                    alarm.dimensions.insert("HealthCheckId".to_string(), check.id.clone());
                }
                None => {
                    alarm.namespace = "AWS/ApplicationELB".to_string();
                    alarm.metric_name = "HealthyHostCount".to_string();
                    alarm.dimensions =
                        BTreeMap::from([("LoadBalancer".to_string(), primary.lb_dimension.clone())]);
                }
            }
            if unit.extra.percent(92) {
                alarm
                    .alarm_actions
                    .push(format!("arn:aws:lambda:{DR_REGION}:{ACCOUNT}:function:{app}-failover"));
            }
        }
        let primary_target = if rng.percent(5) {
            // An in-zone alias chain: PRIMARY → origin record → load balancer.
            let origin = format!("{app}-origin.{zone_name}");
            self.push_record(RecordSet {
                name: origin.clone(),
                record_type: "A".to_string(),
                alias_target: Some(alias(format!("dualstack.{}.", primary.lb_dns), primary.lb_zone, true)),
                ..RecordSet::default()
            });
            alias(origin, &zone_id, primary_eth)
        } else {
            alias(format!("dualstack.{}.", primary.lb_dns), primary.lb_zone, primary_eth)
        };
        self.push_record(RecordSet {
            name: record_name.clone(),
            record_type: "A".to_string(),
            set_identifier: Some("primary".to_string()),
            failover: Some(FailoverRole::Primary),
            alias_target: Some(primary_target),
            health_check_id: primary_check.as_ref().map(|c| c.id.clone()),
            ..RecordSet::default()
        });
        self.health_checks.extend(primary_check);

        // SECONDARY: warm standby evaluates target health; pilot light must not.
        if !unit.has(Defect::SecondaryMissing) {
            let rng = &mut unit.rng;
            let evaluate = warm || unit.defects[Defect::PilotLightSecondary as usize];
            let dns_name = if unit.defects[Defect::DanglingAlias as usize] {
                // The DR ALB was replaced; the record still names the old one.
                format!("dualstack.{app}-alb-dr-old-{}.{DR_REGION}.elb.amazonaws.com.", rng.digits10())
            } else {
                format!("dualstack.{}.", dr.lb_dns)
            };
            let secondary_check = (warm && rng.percent(30)).then(|| {
                let status = if rng.percent(3) {
                    Known::Unknown(unknown(
                        "route53:GetHealthCheckStatus",
                        ErrorCause::Throttled,
                        "Rate exceeded",
                    ))
                } else {
                    all_healthy()
                };
                health_check(rng, &dr.lb_dns, status)
            });
            self.push_record(RecordSet {
                name: record_name.clone(),
                record_type: "A".to_string(),
                set_identifier: Some("secondary".to_string()),
                failover: Some(FailoverRole::Secondary),
                alias_target: Some(alias(dns_name, dr.lb_zone, evaluate)),
                health_check_id: secondary_check.as_ref().map(|c| c.id.clone()),
                ..RecordSet::default()
            });
            self.health_checks.extend(secondary_check);
        }

        self.push_record(RecordSet {
            name: format!("www.{record_name}"),
            record_type: "CNAME".to_string(),
            ttl: Some(300),
            values: vec![record_name],
            ..RecordSet::default()
        });
    }

    /// An RDS primary with its DR read replica and lag series, or (one unit in twenty) an
    /// Aurora global database.
    fn database(&mut self, unit: &mut Unit) {
        if unit.rng.percent(5) {
            self.aurora(unit);
            return;
        }
        let app = unit.name.clone();
        let rng = &mut unit.rng;
        let team = self.team.as_ref().expect("a team is created with the first unit");
        let (primary_kms, dr_kms) = (team.primary.kms_key_arn.clone(), team.dr.kms_key_arn.clone());
        let app_tags = tags(&[("app", &app), ("team", &team.name)]);
        let engine = if rng.percent(60) { "postgres" } else { "mysql" };
        let id = format!("{app}-db");
        let arn = format!("arn:aws:rds:{PRIMARY_REGION}:{ACCOUNT}:db:{id}");
        let dr_id = format!("{app}-db-dr");
        let dr_arn = format!("arn:aws:rds:{DR_REGION}:{ACCOUNT}:db:{dr_id}");
        let no_replica = unit.defects[Defect::NoDrReplica as usize];
        let reporting = rng.percent(15);
        // A few DR replicas hang off the same-region reporting replica (a replica chain).
        let chained = reporting && !no_replica && rng.percent(30);
        let created_at = Some(self.ago(86_400 * 400));
        let instance = |id: String, arn: String, kms: &str, class: &str| DbInstance {
            arn,
            id,
            engine: engine.to_string(),
            instance_class: class.to_string(),
            status: "available".to_string(),
            backup_retention_days: 7,
            deletion_protection: true,
            storage_encrypted: true,
            kms_key_id: Some(kms.to_string()),
            created_at,
            tags: app_tags.clone(),
            ..DbInstance::default()
        };
        let replicating =
            || vec![ReplicaStatusInfo { status: "replicating".to_string(), normal: true, message: None }];

        let mut primary = instance(id.clone(), arn.clone(), &primary_kms, "db.r6g.xlarge");
        primary.multi_az = true;
        let replicate_backups = if no_replica { rng.percent(50) } else { unit.extra.percent(96) };
        primary.automated_backup_replications =
            Some(Known::Value(if replicate_backups { vec![DR_REGION.to_string()] } else { Vec::new() }));
        let mut dr_source = arn.clone();
        if reporting {
            let reporting_id = format!("{app}-db-reporting");
            let reporting_arn = format!("arn:aws:rds:{PRIMARY_REGION}:{ACCOUNT}:db:{reporting_id}");
            let mut replica =
                instance(reporting_id.clone(), reporting_arn.clone(), &primary_kms, "db.r6g.large");
            replica.read_replica_source = Some(id.clone());
            replica.replica_status = replicating();
            if chained {
                replica.read_replica_ids.push(dr_arn.clone());
                dr_source = reporting_arn;
            }
            primary.read_replica_ids.push(reporting_id);
            self.primary.db_instances.push(replica);
        }
        if !no_replica && !chained {
            primary.read_replica_ids.push(dr_arn.clone());
        }
        self.primary.db_instances.push(primary);
        if no_replica {
            return;
        }

        let mut replica = instance(dr_id.clone(), dr_arn, &dr_kms, "db.r6g.xlarge");
        replica.read_replica_source = Some(dr_source);
        replica.replica_status = replicating();
        replica.created_at = Some(self.ago(86_400 * 90));
        self.dr.db_instances.push(replica);
        let series = self.lag_series(unit, LagMetric::ReplicaLag, dr_id);
        self.dr.replica_lag.push(series);
    }

    fn aurora(&mut self, unit: &mut Unit) {
        let app = unit.name.clone();
        let team = self.team.as_ref().expect("a team is created with the first unit");
        let app_tags = tags(&[("app", &app), ("team", &team.name)]);
        let (primary_kms, dr_kms) = (team.primary.kms_key_arn.clone(), team.dr.kms_key_arn.clone());
        let no_replica = unit.has(Defect::NoDrReplica);
        let created_at = Some(self.ago(86_400 * 200));
        let cluster = |region: &str, id: String, writer: bool, kms: String| {
            let member = format!("{id}-1");
            let instance = DbInstance {
                arn: format!("arn:aws:rds:{region}:{ACCOUNT}:db:{member}"),
                id: member.clone(),
                engine: "aurora-postgresql".to_string(),
                instance_class: "db.r6g.large".to_string(),
                status: "available".to_string(),
                backup_retention_days: 7,
                deletion_protection: true,
                storage_encrypted: true,
                kms_key_id: Some(kms.clone()),
                cluster_id: Some(id.clone()),
                created_at,
                tags: app_tags.clone(),
                ..DbInstance::default()
            };
            let cluster = DbCluster {
                arn: format!("arn:aws:rds:{region}:{ACCOUNT}:cluster:{id}"),
                id,
                engine: "aurora-postgresql".to_string(),
                status: "available".to_string(),
                members: vec![DbClusterMember { instance_id: member, writer }],
                backup_retention_days: 7,
                deletion_protection: true,
                kms_key_id: Some(kms),
                created_at,
                tags: app_tags.clone(),
                ..DbCluster::default()
            };
            (cluster, instance)
        };
        let (primary_cluster, primary_instance) =
            cluster(PRIMARY_REGION, format!("{app}-aurora"), true, primary_kms);
        let mut members =
            vec![GlobalClusterMember { cluster_arn: primary_cluster.arn.clone(), writer: true }];
        if !no_replica {
            let dr_id = format!("{app}-aurora-dr");
            let (dr_cluster, dr_instance) = cluster(DR_REGION, dr_id.clone(), false, dr_kms);
            members.push(GlobalClusterMember { cluster_arn: dr_cluster.arn.clone(), writer: false });
            self.dr.db_clusters.push(dr_cluster);
            self.dr.db_instances.push(dr_instance);
            let series = self.lag_series(unit, LagMetric::AuroraGlobalDBReplicationLag, dr_id);
            self.dr.replica_lag.push(series);
        }
        self.primary.db_clusters.push(primary_cluster);
        self.primary.db_instances.push(primary_instance);
        // DescribeGlobalClusters answers the same in both regions, and both are collected.
        let global = GlobalCluster {
            arn: format!("arn:aws:rds::{ACCOUNT}:global-cluster:{app}-global"),
            id: format!("{app}-global"),
            status: "available".to_string(),
            members,
        };
        self.dr.global_clusters.push(global.clone());
        self.primary.global_clusters.push(global);
    }

    /// A lag series over the last hour at 5-minute periods: a few seconds of lag, or a spike
    /// past the threshold (or a stopped replica) for the high-lag defect.
    fn lag_series(&self, unit: &mut Unit, metric: LagMetric, subject_id: String) -> ReplicaLagSeries {
        let rng = &mut unit.rng;
        let high = unit.defects[Defect::HighReplicaLag as usize];
        let datapoints = if !high && rng.percent(2) {
            Known::Unknown(unknown("cloudwatch:GetMetricData", ErrorCause::Throttled, "Rate exceeded"))
        } else {
            let scale = if metric == LagMetric::ReplicaLag { 5000 } else { 900 };
            let mut points: Vec<LagDatapoint> = (0..12)
                .map(|i| LagDatapoint {
                    timestamp: self.ago(300 * (12 - i)),
                    max_seconds: rng.below(scale) as f64 / 1000.0,
                })
                .collect();
            if high {
                if rng.percent(25) {
                    points[11].max_seconds = -1.0;
                } else {
                    let spike = rng.below(12) as usize;
                    points[spike].max_seconds = 600.0 + rng.below(3000) as f64;
                }
            }
            Known::Value(points)
        };
        ReplicaLagSeries {
            metric,
            subject_id,
            window_start: self.ago(3600),
            window_end: self.collected_at,
            datapoints,
        }
    }

    /// An EFS file system, replicated to DR (with its replica there) or backed up by the
    /// team's plan that copies to the DR vault.
    fn file_system(&mut self, unit: &mut Unit) {
        let app = unit.name.clone();
        let team = self.team.as_ref().expect("a team is created with the first unit");
        let team_name = team.name.clone();
        let (primary_kms, dr_kms) = (team.primary.kms_key_arn.clone(), team.dr.kms_key_arn.clone());
        let not_copied = unit.has(Defect::EfsNotCopied);
        let rng = &mut unit.rng;
        let id = format!("fs-{}", rng.hex17());
        let arn = format!("arn:aws:elasticfilesystem:{PRIMARY_REGION}:{ACCOUNT}:file-system/{id}");
        let mut fs_tags = tags(&[("app", &app), ("team", &team_name), ("Name", &format!("{app}-uploads"))]);
        let replicated = rng.percent(60);
        let dr_id = format!("fs-{}", rng.hex17());
        let destination = |status: &str| ReplicationDestination {
            region: DR_REGION.to_string(),
            file_system_id: dr_id.clone(),
            status: status.to_string(),
            last_replicated_timestamp: Some(self.ago(600)),
            owner_id: None,
        };
        let replication = if not_copied {
            match rng.below(3) {
                0 => Known::Value(vec![destination("PAUSED")]),
                1 => {
                    fs_tags.insert("backup".to_string(), format!("{team_name}-local"));
                    Known::Value(Vec::new())
                }
                _ => Known::Value(Vec::new()),
            }
        } else if replicated {
            if rng.percent(2) {
                Known::Unknown(unknown(
                    "elasticfilesystem:DescribeReplicationConfigurations",
                    ErrorCause::AccessDenied,
                    "not authorized to perform elasticfilesystem:DescribeReplicationConfigurations",
                ))
            } else {
                Known::Value(vec![destination("ENABLED")])
            }
        } else {
            let tag = if rng.percent(80) { format!("{team_name}-dr") } else { format!("{team_name}-dr-all") };
            fs_tags.insert("backup".to_string(), tag);
            Known::Value(Vec::new())
        };
        let has_replica = replication.value().is_some_and(|d| !d.is_empty()) || (replicated && !not_copied);
        let backed_up = fs_tags.contains_key("backup");
        let created_at = Some(self.ago(86_400 * 300));
        let file_system = FileSystem {
            arn: arn.clone(),
            id,
            name: Some(format!("{app}-uploads")),
            life_cycle_state: "available".to_string(),
            encrypted: true,
            kms_key_id: Some(primary_kms),
            created_at,
            backup_policy: Known::Value(
                if rng.percent(70) || unit.extra.percent(70) { "ENABLED" } else { "DISABLED" }.to_string(),
            ),
            replication,
            tags: fs_tags.clone(),
        };
        self.primary.file_systems.push(file_system);
        if has_replica {
            self.dr.file_systems.push(FileSystem {
                arn: format!("arn:aws:elasticfilesystem:{DR_REGION}:{ACCOUNT}:file-system/{dr_id}"),
                id: dr_id,
                name: Some(format!("{app}-uploads")),
                life_cycle_state: "available".to_string(),
                encrypted: true,
                kms_key_id: Some(dr_kms),
                created_at,
                backup_policy: Known::Value("DISABLED".to_string()),
                replication: Known::Value(Vec::new()),
                tags: fs_tags,
            });
        }
        if backed_up {
            // Last night's recovery point, and its copy in the DR vault when the plan copies.
            let copies = !not_copied;
            let point = |rng: &mut SplitMix64, region: &str| RecoveryPoint {
                arn: format!("arn:aws:backup:{region}:{ACCOUNT}:recovery-point:{}", rng.uuid()),
                resource_arn: arn.clone(),
                resource_type: "EFS".to_string(),
                status: "COMPLETED".to_string(),
                creation_date: self.ago(36_000),
                completion_date: Some(self.ago(34_000)),
            };
            let primary_point = point(rng, PRIMARY_REGION);
            let dr_point = copies.then(|| point(rng, DR_REGION));
            if let Some(Known::Value(points)) =
                self.primary.backup_vaults.last_mut().map(|v| &mut v.recovery_points)
            {
                points.push(primary_point);
            }
            if let (Some(dr_point), Some(Known::Value(points))) =
                (dr_point, self.dr.backup_vaults.last_mut().map(|v| &mut v.recovery_points))
            {
                points.push(dr_point);
            }
        }
    }
}

/// What the DR launch template should launch, and how the DR group may be broken.
struct DrImageRef {
    image_id: String,
    /// The version the DR group names instead of `$Latest`.
    version: Option<u64>,
    /// The DR group names a template that does not exist.
    template_missing: bool,
}

fn azs(region: &str) -> Vec<String> {
    ["a", "b", "c"].iter().map(|z| format!("{region}{z}")).collect()
}
