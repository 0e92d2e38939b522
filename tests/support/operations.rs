//! The one list of AWS operations drscan calls: every `"service:Operation"` literal in
//! src/collection (each SDK call names its operation so that failures can say which call
//! failed). The IAM policy test checks `iam-policy.json` against it, and the fault matrix runs
//! every fault class against each of its operations, so a new call is covered by both.

use std::collections::BTreeSet;
use std::path::Path;

/// drscan's short service names, as the collectors write them.
pub(crate) const SERVICES: &[&str] = &[
    "ec2",
    "autoscaling",
    "elbv2",
    "route53",
    "rds",
    "cloudwatch",
    "efs",
    "backup",
    "kms",
    "acm",
    "ssm",
    "sts",
    "elb",
    "sns",
    "s3",
    "dynamodb",
    "secretsmanager",
    "fis",
    "servicequotas",
];

/// Every `"service:Operation"` literal in src/collection.
pub(crate) fn called_by_drscan() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/collection");
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("src/collection") {
        let path = entry.expect("dir entry").path();
        let text = std::fs::read_to_string(&path).expect("source file");
        for piece in text.split('"').skip(1).step_by(2) {
            if let Some((service, name)) = piece.split_once(':')
                && SERVICES.contains(&service)
                && !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric())
                && name.starts_with(|c: char| c.is_ascii_uppercase())
            {
                found.insert(piece.to_string());
            }
        }
    }
    found
}

/// The SigV4 signing name of drscan's short service name: what the test front matches on.
pub(crate) fn signing_name(service: &str) -> &str {
    match service {
        "elbv2" | "elb" => "elasticloadbalancing",
        "efs" => "elasticfilesystem",
        "cloudwatch" => "monitoring",
        other => other,
    }
}

/// The API version a query-protocol request names, where two of drscan's services share a
/// signing name and operation names (Classic and v2 load balancing): what tells them apart.
pub(crate) fn api_version(service: &str) -> Option<&'static str> {
    match service {
        "elb" => Some("2012-06-01"),
        "elbv2" => Some("2015-12-01"),
        _ => None,
    }
}
