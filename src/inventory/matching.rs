//! How resources are matched to each other and to applications: the application tag, explicit
//! record → application mappings, the tag that pairs a DR AMI copy with its primary AMI, and
//! the one that pairs a DR Auto Scaling group with its primary group.
//! The graph and the DR relations read only this, so the inventory needs no other settings.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matching {
    /// Tag key that joins resources to an application.
    pub app_tag_key: String,
    /// Normalised failover record name → application name, for records whose targets carry no tag.
    pub record_applications: BTreeMap<String, String>,
    /// Tag key whose value pairs a DR AMI copy with its primary AMI (same value on both, or
    /// the primary AMI's ID on the copy).
    pub ami_pairing_tag: String,
    /// Tag key whose value pairs a DR Auto Scaling group with its primary group (same value
    /// on both, or the primary group's name on the DR group): one tier's groups.
    pub asg_pairing_tag: String,
}

impl Default for Matching {
    fn default() -> Self {
        Matching {
            app_tag_key: "app".to_string(),
            record_applications: BTreeMap::new(),
            ami_pairing_tag: "drscan:source-ami".to_string(),
            asg_pairing_tag: "drscan:dr-pair".to_string(),
        }
    }
}
