//! What a DR launch and failover depend on besides the main resources: subnets, security
//! groups, key pairs, instance-type offerings per AZ, KMS keys, ACM certificates, the Secrets
//! Manager secrets applications read, and the SSM parameters launch templates resolve.

use super::Tags;
use super::known::Known;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subnet {
    pub arn: String,
    pub id: String,
    pub vpc_id: String,
    pub availability_zone: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroup {
    pub arn: String,
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub vpc_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyPair {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceTypeOffering {
    pub instance_type: String,
    pub availability_zone: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KmsKey {
    pub arn: String,
    pub id: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// `Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`, `Unavailable`, …
    pub state: String,
    #[serde(default)]
    pub multi_region: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    pub arn: String,
    pub domain_name: String,
    #[serde(default)]
    pub subject_alternative_names: Vec<String>,
    /// `ISSUED`, `PENDING_VALIDATION`, `EXPIRED`, `REVOKED`, `FAILED`, …
    pub status: String,
    #[serde(default)]
    pub not_after: Option<DateTime<Utc>>,
}

/// A Secrets Manager secret of the region: metadata and replication status only. drscan never
/// reads a secret's value (no GetSecretValue, no BatchGetSecretValue).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    pub arn: String,
    pub name: String,
    /// The region of the primary secret when this is a replica (`PrimaryRegion`).
    #[serde(default)]
    pub primary_region: Option<String>,
    /// The service that manages the secret (`OwningService`, e.g. `rds` for a master-user secret).
    #[serde(default)]
    pub owning_service: Option<String>,
    #[serde(default)]
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// The replicas of a primary secret, with their status (DescribeSecret `ReplicationStatus`;
    /// empty for a replica); unknown when DescribeSecret failed.
    pub replication: Known<Vec<SecretReplica>>,
    #[serde(default)]
    pub tags: Tags,
}

impl Secret {
    /// A primary secret (not a replica of another region's).
    pub fn is_primary(&self) -> bool {
        self.primary_region.is_none()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretReplica {
    pub region: String,
    /// `InSync`, `InProgress`, `Failed` (AWS also documents `Pending` and `Detached`).
    pub status: String,
    #[serde(default)]
    pub status_message: Option<String>,
    #[serde(default)]
    pub kms_key_id: Option<String>,
}

impl SecretReplica {
    pub fn in_sync(&self) -> bool {
        self.status == "InSync"
    }
}

/// An SSM parameter that a launch template of the region names in a `resolve:ssm:` image ID:
/// that it exists, and its metadata (the value, an AMI ID, is on the template version).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// The parameter as the templates name it: a name or ARN, with `:version` or `:label`.
    pub reference: String,
    pub name: String,
    #[serde(default)]
    pub arn: String,
    /// `String`, `StringList` or `SecureString`.
    #[serde(default)]
    pub parameter_type: String,
    /// `text` or `aws:ec2:image`.
    #[serde(default)]
    pub data_type: String,
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub last_modified: Option<DateTime<Utc>>,
}
