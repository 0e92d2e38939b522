//! Reading ARNs: the region and the display name of an `arn:partition:service:region:account:resource`.
//! Every layer that must tell where a resource lives from its ARN alone (a cross-region replica,
//! a copy action's destination vault, a KMS key) reads it here.

/// The region field of an ARN (`arn:partition:service:region:account:resource`).
pub fn arn_region(arn: &str) -> Option<&str> {
    let region = arn.strip_prefix("arn:")?.split(':').nth(2)?;
    (!region.is_empty()).then_some(region)
}

/// The account field of an ARN (`arn:aws:backup:us-east-1:123456789012:backup-vault:x`):
/// whose resource it is, in a setup that spans accounts.
pub fn arn_account(arn: &str) -> Option<&str> {
    let account = arn.strip_prefix("arn:")?.split(':').nth(3)?;
    (!account.is_empty()).then_some(account)
}

/// The service field of an ARN (`arn:aws-cn:sns:…` → `sns`), whatever the partition.
pub fn arn_service(arn: &str) -> Option<&str> {
    arn.strip_prefix("arn:")?.split(':').nth(1).filter(|s| !s.is_empty())
}

/// The last path segment of an ARN (`…:file-system/fs-1` → `fs-1`), for display.
pub fn arn_name(arn: &str) -> &str {
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_names() {
        assert_eq!(arn_region("arn:aws:rds:us-east-1:123456789012:db:orders-db-dr"), Some("us-east-1"));
        assert_eq!(arn_region("arn:aws:route53:::hostedzone/Z1"), None);
        assert_eq!(arn_region("orders-db"), None);
        assert_eq!(arn_account("arn:aws:rds:us-east-1:123456789012:db:orders-db-dr"), Some("123456789012"));
        assert_eq!(arn_account("arn:aws:route53:::hostedzone/Z1"), None);
        assert_eq!(arn_name("arn:aws:rds:us-east-1:123456789012:db:orders-db-dr"), "orders-db-dr");
        assert_eq!(arn_name("arn:aws:elasticfilesystem:ap-south-1:1:file-system/fs-1"), "fs-1");
        assert_eq!(arn_name("orders-db"), "orders-db");
    }
}
