//! An AWS Organization in moto for organization mode's test and benchmark: a management
//! account that creates the organization and its member accounts (moto gives each a random
//! 12-digit id and isolates its state), each of which the seeding can then fill.

use super::{fresh_account, seed};
use futures_util::StreamExt;

pub(crate) struct Organization {
    pub management: String,
    /// (id, name) of each member account, in creation order.
    pub members: Vec<(String, String)>,
}

/// Create an organization of `members` member accounts (plus the management account).
pub(crate) async fn create_organization(members: usize) -> Organization {
    let management = fresh_account();
    let config = seed::config(&management, "us-east-1").await;
    let client = aws_sdk_organizations::Client::new(&config);
    client
        .create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .expect("create the organization");
    let created: Vec<(String, String)> = futures_util::stream::iter(0..members)
        .map(|i| {
            let client = client.clone();
            let management = management.clone();
            async move {
                let name = format!("member-{i:04}");
                let status = client
                    .create_account()
                    .account_name(&name)
                    .email(format!("{name}-{management}@example.com"))
                    .send()
                    .await
                    .expect("create a member account");
                let id = status.create_account_status().and_then(|s| s.account_id()).unwrap_or_default();
                assert_eq!(id.len(), 12, "moto names the new account");
                (id.to_string(), name)
            }
        })
        .buffered(16)
        .collect()
        .await;
    Organization { management, members: created }
}
