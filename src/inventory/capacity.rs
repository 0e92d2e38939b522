//! EC2 capacity a region can launch: the vCPUs of the instance types its Auto Scaling groups
//! use (DescribeInstanceTypes), the Service Quotas on running vCPUs per instance family
//! (On-Demand and Spot) with their current usage (the `AWS/Usage` metric each quota names),
//! and the one table that maps an instance type to the quota it draws on.

use super::known::Known;
use super::{RegionResources, UnknownReason};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One instance type's size, as DescribeInstanceTypes reports it (`VCpuInfo.DefaultVCpus`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceType {
    pub instance_type: String,
    pub default_vcpus: u32,
}

/// A Service Quotas quota of the region (GetServiceQuota, or GetAWSDefaultServiceQuota when no
/// applied value exists), with the usage of its `AWS/Usage` metric when it names one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceQuota {
    /// `arn:aws:servicequotas:<region>:<account>:<service>/<quota code>`.
    pub arn: String,
    pub service_code: String,
    pub quota_code: String,
    #[serde(default)]
    pub name: String,
    pub value: f64,
    #[serde(default)]
    pub unit: String,
    /// The value is AWS's default: the account has no applied value for this quota.
    #[serde(default)]
    pub aws_default: bool,
    /// Why Service Quotas could not compute the value (`ErrorReason`), when it says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_metric: Option<UsageMetric>,
    /// The newest datapoint of the usage metric in the read window; `None`: no datapoint.
    #[serde(default)]
    pub usage: Known<Option<UsageReading>>,
}

/// The CloudWatch metric that reflects a quota's usage (`UsageMetric`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageMetric {
    pub namespace: String,
    pub name: String,
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
    /// `MetricStatisticRecommendation` (`Maximum` for the EC2 vCPU quotas).
    #[serde(default)]
    pub statistic: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageReading {
    pub value: f64,
    pub at: Option<DateTime<Utc>>,
}

/// How an instance is bought: each has quotas of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Purchase {
    OnDemand,
    Spot,
}

impl Purchase {
    pub fn as_str(self) -> &'static str {
        match self {
            Purchase::OnDemand => "On-Demand",
            Purchase::Spot => "Spot",
        }
    }
}

/// The EC2 vCPU quotas of one group of instance families.
#[derive(Debug, PartialEq, Eq)]
pub struct VcpuQuotaFamily {
    /// As the quota names it, e.g. `Standard (A, C, D, H, I, M, R, T, Z)`.
    pub name: &'static str,
    /// The instance-family letters (the part of the type name before its generation digit).
    pub prefixes: &'static [&'static str],
    /// "Running On-Demand … instances".
    pub on_demand: &'static str,
    /// "All … Spot Instance Requests"; `None` where EC2 sells no Spot capacity of the family.
    pub spot: Option<&'static str>,
    /// The `Class` dimension prefix of the `AWS/Usage` vCPU metrics (`<class>/OnDemand`,
    /// `<class>/Spot`), for a quota that names no usage metric.
    pub usage_class: Option<&'static str>,
}

/// EC2's vCPU-based instance quotas (service code `ec2`), as the EC2 User Guide's "On-Demand
/// Instance quotas" and "Spot Instance quotas" list them and Service Quotas codes them.
pub const VCPU_QUOTAS: &[VcpuQuotaFamily] = &[
    VcpuQuotaFamily {
        name: "Standard (A, C, D, H, I, M, R, T, Z)",
        prefixes: &["a", "c", "d", "h", "i", "im", "is", "m", "r", "t", "z"],
        on_demand: "L-1216C47A",
        spot: Some("L-34B43A08"),
        usage_class: Some("Standard"),
    },
    VcpuQuotaFamily {
        name: "F",
        prefixes: &["f"],
        on_demand: "L-74FC7D96",
        spot: Some("L-88CF9481"),
        usage_class: Some("F"),
    },
    VcpuQuotaFamily {
        name: "G and VT",
        prefixes: &["g", "gr", "vt"],
        on_demand: "L-DB2E81BA",
        spot: Some("L-3819A6DF"),
        usage_class: Some("G"),
    },
    VcpuQuotaFamily {
        name: "Inf",
        prefixes: &["inf"],
        on_demand: "L-1945791B",
        spot: Some("L-B5D1601B"),
        usage_class: Some("Inf"),
    },
    VcpuQuotaFamily {
        name: "P",
        prefixes: &["p"],
        on_demand: "L-417A185B",
        spot: Some("L-7212CCBC"),
        usage_class: Some("P"),
    },
    VcpuQuotaFamily {
        name: "X",
        prefixes: &["x"],
        on_demand: "L-7295265B",
        spot: Some("L-E3A00192"),
        usage_class: Some("X"),
    },
    VcpuQuotaFamily {
        name: "Trn",
        prefixes: &["trn"],
        on_demand: "L-2C3B7624",
        spot: Some("L-6B0D517C"),
        usage_class: Some("Trn"),
    },
    VcpuQuotaFamily {
        name: "DL",
        prefixes: &["dl"],
        on_demand: "L-6E869C2A",
        spot: Some("L-85EED4F7"),
        usage_class: Some("DL"),
    },
    VcpuQuotaFamily {
        name: "High Memory",
        prefixes: &["u"],
        on_demand: "L-43DA4232",
        spot: None,
        usage_class: None,
    },
    VcpuQuotaFamily {
        name: "HPC",
        prefixes: &["hpc"],
        on_demand: "L-F7808C92",
        spot: None,
        usage_class: None,
    },
];

/// The quota family an instance type (`m5.large`, `u-6tb1.metal`, `trn1n.32xlarge`) draws on,
/// or `None` for a family drscan does not model.
pub fn quota_family(instance_type: &str) -> Option<&'static VcpuQuotaFamily> {
    let family: String = instance_type.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let family = family.to_ascii_lowercase();
    VCPU_QUOTAS.iter().find(|f| f.prefixes.contains(&family.as_str()))
}

/// The quota code of `instance_type` bought as `purchase`, if drscan models it.
pub fn quota_code(instance_type: &str, purchase: Purchase) -> Option<&'static str> {
    let family = quota_family(instance_type)?;
    match purchase {
        Purchase::OnDemand => Some(family.on_demand),
        Purchase::Spot => family.spot,
    }
}

/// The family of a quota code, and which purchase it limits.
pub fn family_of_code(code: &str) -> Option<(&'static VcpuQuotaFamily, Purchase)> {
    VCPU_QUOTAS.iter().find_map(|f| {
        if f.on_demand == code {
            Some((f, Purchase::OnDemand))
        } else if f.spot == Some(code) {
            Some((f, Purchase::Spot))
        } else {
            None
        }
    })
}

/// The `AWS/Usage` metric of a vCPU quota that names none: `ResourceCount` with the dimensions
/// AWS documents for EC2's vCPU usage.
pub fn default_usage_metric(code: &str) -> Option<UsageMetric> {
    let (family, purchase) = family_of_code(code)?;
    let class = family.usage_class?;
    let suffix = match purchase {
        Purchase::OnDemand => "OnDemand",
        Purchase::Spot => "Spot",
    };
    let dimensions = [
        ("Class", format!("{class}/{suffix}")),
        ("Resource", "vCPU".to_string()),
        ("Service", "EC2".to_string()),
        ("Type", "Resource".to_string()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    .collect();
    Some(UsageMetric {
        namespace: "AWS/Usage".into(),
        name: "ResourceCount".into(),
        dimensions,
        statistic: "Maximum".into(),
    })
}

/// Every instance type a region's groups can launch: the collected launch template versions'
/// and the mixed-instances overrides'.
pub fn launched_instance_types(resources: &RegionResources) -> BTreeSet<String> {
    let mut types: BTreeSet<String> = resources
        .launch_templates
        .iter()
        .filter_map(|t| t.versions.value())
        .flatten()
        .filter_map(|v| v.instance_type.clone())
        .collect();
    for group in &resources.auto_scaling_groups {
        if let Some(policy) = &group.mixed_instances_policy {
            types.extend(policy.overrides.iter().filter_map(|o| o.instance_type.clone()));
        }
    }
    types
}

/// The quota codes a region's groups draw on: the On-Demand quota of every type they launch,
/// and the Spot quota too where some group launches Spot.
pub fn launched_quota_codes(resources: &RegionResources) -> BTreeSet<&'static str> {
    let spot = resources
        .auto_scaling_groups
        .iter()
        .any(|g| g.mixed_instances_policy.as_ref().is_some_and(|m| m.launches_spot()));
    let mut codes = BTreeSet::new();
    for instance_type in launched_instance_types(resources) {
        codes.extend(quota_code(&instance_type, Purchase::OnDemand));
        if spot {
            codes.extend(quota_code(&instance_type, Purchase::Spot));
        }
    }
    codes
}

/// The ARN Service Quotas gives a quota (`QuotaArn`), also for one that could not be read.
pub fn quota_arn(region: &str, account: &str, service_code: &str, quota_code: &str) -> String {
    format!("arn:aws:servicequotas:{region}:{account}:{service_code}/{quota_code}")
}

impl ServiceQuota {
    /// The vCPUs free under the quota now, or why that is not known.
    pub fn free(&self) -> Result<(f64, f64), UnknownReason> {
        if let Some(why) = &self.error_reason {
            return Err(UnknownReason::new(
                "servicequotas:GetServiceQuota",
                super::ErrorCause::Unresolvable,
                format!("Service Quotas could not compute quota {}: {why}", self.quota_code),
            ));
        }
        match (&self.usage, &self.usage_metric) {
            (Known::Unknown(reason), _) => Err(reason.clone()),
            // AWS/Usage publishes a datapoint each minute while any vCPU of the class runs;
            // a window without one is a region that runs none (a pilot light's DR region).
            (Known::Value(None), Some(_)) => Ok((self.value, 0.0)),
            (Known::Value(None), None) => Err(UnknownReason::new(
                "cloudwatch:GetMetricData",
                super::ErrorCause::Unresolvable,
                format!("quota {} names no usage metric, so its usage cannot be told", self.quota_code),
            )),
            (Known::Value(Some(reading)), _) => Ok((self.value - reading.value, reading.value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_types_map_to_their_family_quota() {
        let code = |t: &str, p| quota_code(t, p);
        assert_eq!(code("m5.large", Purchase::OnDemand), Some("L-1216C47A"));
        assert_eq!(code("t3.micro", Purchase::Spot), Some("L-34B43A08"));
        assert_eq!(code("im4gn.large", Purchase::OnDemand), Some("L-1216C47A"));
        assert_eq!(code("g4dn.xlarge", Purchase::OnDemand), Some("L-DB2E81BA"));
        assert_eq!(code("vt1.3xlarge", Purchase::Spot), Some("L-3819A6DF"));
        assert_eq!(code("inf2.xlarge", Purchase::OnDemand), Some("L-1945791B"));
        assert_eq!(code("trn1n.32xlarge", Purchase::OnDemand), Some("L-2C3B7624"));
        assert_eq!(code("dl1.24xlarge", Purchase::Spot), Some("L-85EED4F7"));
        assert_eq!(code("x2idn.16xlarge", Purchase::OnDemand), Some("L-7295265B"));
        assert_eq!(code("u-6tb1.metal", Purchase::OnDemand), Some("L-43DA4232"));
        assert_eq!(code("u-6tb1.metal", Purchase::Spot), None);
        assert_eq!(code("hpc7g.16xlarge", Purchase::OnDemand), Some("L-F7808C92"));
        assert_eq!(code("mac2.metal", Purchase::OnDemand), None);
    }

    #[test]
    fn a_quota_without_a_usage_metric_reads_the_documented_ec2_one() {
        let metric = default_usage_metric("L-34B43A08").unwrap_or_default();
        assert_eq!(metric.dimensions.get("Class").map(String::as_str), Some("Standard/Spot"));
        assert_eq!(metric.dimensions.get("Resource").map(String::as_str), Some("vCPU"));
        assert_eq!((metric.namespace.as_str(), metric.name.as_str()), ("AWS/Usage", "ResourceCount"));
        assert!(default_usage_metric("L-43DA4232").is_none());
    }
}
