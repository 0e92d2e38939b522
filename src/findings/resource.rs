//! Shorthands that turn inventory resources into the [`ResourceRef`] a finding (or an estimate
//! term) points at, including the stand-ins for "every resource of a kind in a region" and for
//! an application as a whole.

use crate::findings::ResourceRef;
use crate::inventory::ResourceKind;
use crate::inventory::compute::{AutoScalingGroup, Image};
use crate::inventory::database::{DbCluster, DbInstance, Table};
use crate::inventory::dependencies::Secret;
use crate::inventory::dns::{HostedZone, RecordSet};
use crate::inventory::storage::{Bucket, FileSystem};

pub fn image(image: &Image, region: &str) -> ResourceRef {
    ResourceRef::new(ResourceKind::Image, &image.arn, &image.id, Some(region))
}

pub fn asg(asg: &AutoScalingGroup, region: &str) -> ResourceRef {
    ResourceRef::new(ResourceKind::AutoScalingGroup, &asg.arn, &asg.name, Some(region))
}

pub fn record(zone: &HostedZone, record: &RecordSet) -> ResourceRef {
    let id = match &record.set_identifier {
        Some(set) => format!("{} {} ({set})", record.name, record.record_type),
        None => format!("{} {}", record.name, record.record_type),
    };
    ResourceRef::new(ResourceKind::RecordSet, record.arn(&zone.id), id, None)
}

pub fn zone(zone: &HostedZone) -> ResourceRef {
    ResourceRef::new(ResourceKind::HostedZone, zone.arn(), &zone.id, None)
}

/// Stands for "every hosted zone" when the zone listing itself failed.
pub fn all_zones() -> ResourceRef {
    ResourceRef::new(ResourceKind::HostedZone, "arn:aws:route53:::hostedzone/*", "*", None)
}

pub fn db_instance(db: &DbInstance, region: &str) -> ResourceRef {
    ResourceRef::new(ResourceKind::DbInstance, &db.arn, &db.id, Some(region))
}

pub fn db_cluster(cluster: &DbCluster, region: &str) -> ResourceRef {
    ResourceRef::new(ResourceKind::DbCluster, &cluster.arn, &cluster.id, Some(region))
}

/// A DR read replica, listed or known only by the ARN its source names.
pub fn db_replica(replica: &crate::inventory::dr::DbReplica<'_>, region: &str) -> ResourceRef {
    ResourceRef::new(ResourceKind::DbInstance, replica.arn, replica.id(), Some(region))
}

/// The DR copy of an Aurora cluster: a global secondary (listed or not) or a replica cluster.
pub fn aurora_copy(copy: &crate::inventory::dr::AuroraCopy<'_>, region: &str) -> ResourceRef {
    ResourceRef::new(ResourceKind::DbCluster, copy.arn(), copy.id(), Some(region))
}

pub fn file_system(fs: &FileSystem, region: &str) -> ResourceRef {
    ResourceRef::new(ResourceKind::FileSystem, &fs.arn, &fs.id, Some(region))
}

pub fn bucket(bucket: &Bucket, region: &str) -> ResourceRef {
    ResourceRef::new(ResourceKind::Bucket, &bucket.arn, &bucket.name, Some(region))
}

pub fn table(table: &Table, region: &str) -> ResourceRef {
    ResourceRef::new(ResourceKind::Table, &table.arn, &table.name, Some(region))
}

pub fn secret(secret: &Secret, region: &str) -> ResourceRef {
    ResourceRef::new(ResourceKind::Secret, &secret.arn, &secret.name, Some(region))
}

/// An SSM parameter as a launch template references it (`name`, `name:version`, `name:label`
/// or an ARN), in `region`, whether or not it exists: `arn:aws:ssm:<region>:<account>:parameter/<name>`.
pub fn parameter(reference: &str, region: &str, account: &str) -> ResourceRef {
    let arn = if reference.starts_with("arn:") {
        // A version or label follows the parameter path's last `:`.
        match reference.rsplit_once(':') {
            Some((path, _)) if path.contains(":parameter/") => path.to_string(),
            _ => reference.to_string(),
        }
    } else {
        let name = reference.split(':').next().unwrap_or(reference);
        format!("arn:aws:ssm:{region}:{account}:parameter/{}", name.trim_start_matches('/'))
    };
    ResourceRef::new(ResourceKind::Parameter, arn, reference, Some(region))
}

/// A Service Quotas quota of `region`, by the ARN Service Quotas gives it (also when it could
/// not be read): `arn:aws:servicequotas:<region>:<account>:<service>/<quota code>`.
pub fn service_quota(service_code: &str, quota_code: &str, region: &str, account: &str) -> ResourceRef {
    let arn = crate::inventory::capacity::quota_arn(region, account, service_code, quota_code);
    ResourceRef::new(ResourceKind::ServiceQuota, arn, quota_code, Some(region))
}

pub fn load_balancer(lb: &crate::inventory::load_balancing::LoadBalancer, region: &str) -> ResourceRef {
    ResourceRef::new(ResourceKind::LoadBalancer, &lb.arn, &lb.name, Some(region))
}

pub fn listener(listener: &crate::inventory::load_balancing::Listener, region: &str) -> ResourceRef {
    let id = format!("{}:{}", listener.protocol, listener.port);
    ResourceRef::new(ResourceKind::Listener, &listener.arn, id, Some(region))
}

pub fn target_group(tg: &crate::inventory::load_balancing::TargetGroup, region: &str) -> ResourceRef {
    ResourceRef::new(ResourceKind::TargetGroup, &tg.arn, &tg.name, Some(region))
}

pub fn health_check(check: &crate::inventory::dns::HealthCheck) -> ResourceRef {
    ResourceRef::new(ResourceKind::HealthCheck, check.arn(), &check.id, None)
}

/// A health check a record names, by its ID, when the check itself was not read.
pub fn health_check_id(id: &str) -> ResourceRef {
    ResourceRef::new(ResourceKind::HealthCheck, crate::inventory::dns::health_check_arn(id), id, None)
}

pub fn backup_plan(plan: &crate::inventory::storage::BackupPlan, region: &str) -> ResourceRef {
    ResourceRef::new(ResourceKind::BackupPlan, &plan.arn, &plan.name, Some(region))
}

pub fn backup_vault(vault: &crate::inventory::storage::BackupVault, region: &str) -> ResourceRef {
    ResourceRef::new(ResourceKind::BackupVault, &vault.arn, &vault.name, Some(region))
}

pub fn launch_template(template: &crate::inventory::compute::LaunchTemplate, region: &str) -> ResourceRef {
    ResourceRef::new(ResourceKind::LaunchTemplate, &template.arn, &template.id, Some(region))
}

/// Stands for "every resource of this kind in this region" when their listing failed, so the
/// rule can say `unknown` even though it has no resource to point at. The ARN's service is
/// AWS's, as in the resources' own ARNs (`arn:aws:elasticfilesystem:…:file-system/*`).
pub fn listing(kind: ResourceKind, region: &str, account: &str) -> ResourceRef {
    let (service, noun) = kind.as_str().split_once(':').unwrap_or(("aws", kind.as_str()));
    let service = crate::inventory::aws_service_prefix(service);
    ResourceRef::new(
        kind,
        format!("arn:aws:{service}:{region}:{account}:{noun}/*"),
        format!("all {noun}s in {region}"),
        Some(region),
    )
}

/// An application as a whole, with the synthetic ARN `arn:aws:drscan::<account>:application/<name>`,
/// for findings that no single resource causes (e.g. no failover record routes it).
pub fn application(name: &str, account: &str) -> ResourceRef {
    ResourceRef::new(
        ResourceKind::Application,
        format!("arn:aws:drscan::{account}:application/{name}"),
        name,
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::parameter;

    #[test]
    fn parameter_references_name_the_parameter_without_version_or_label() {
        let arn = |reference: &str| parameter(reference, "us-east-1", "123456789012").arn;
        assert_eq!(arn("golden-ami"), "arn:aws:ssm:us-east-1:123456789012:parameter/golden-ami");
        assert_eq!(arn("/web/ami:3"), "arn:aws:ssm:us-east-1:123456789012:parameter/web/ami");
        assert_eq!(
            arn("arn:aws:ssm:us-east-1:111122223333:parameter/shared/ami:prod"),
            "arn:aws:ssm:us-east-1:111122223333:parameter/shared/ami"
        );
        assert_eq!(
            arn("arn:aws:ssm:us-east-1:111122223333:parameter/shared/ami"),
            "arn:aws:ssm:us-east-1:111122223333:parameter/shared/ami"
        );
    }
}
