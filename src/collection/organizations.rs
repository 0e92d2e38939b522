//! Organization mode's account listing: the member accounts of an AWS Organization
//! (`ListAccounts`, or `ListAccountsForParent` under the organizational units asked for and
//! every OU nested in them), and their tags when a per-tag region pair needs them. Every call is
//! paced on the organization's own bucket ([`super::pacing`]) and counted; no SDK type leaves
//! this file.

use super::completeness::{CompletenessInterceptor, IncompleteResponseClassifier};
use super::errors::Failure;
use super::pacing::{Pacer, Pacing, PacingInterceptor, TooManyRequestsClassifier};
use super::sdk::CallRecorder;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// One member account, as Organizations lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE` (AWS's `Status`).
    pub status: String,
    /// The account's tags in Organizations (read only when asked for).
    pub tags: BTreeMap<String, String>,
}

/// The accounts listed, and what listing them cost.
#[derive(Debug, Clone, Default)]
pub struct AccountListing {
    pub accounts: Vec<OrgAccount>,
    /// HTTP attempts, retries included.
    pub requests: u64,
}

/// How deep OUs nest at most (AWS: five levels under the root); a deeper walk means the
/// answers loop.
const MAX_OU_DEPTH: usize = 5;

/// List the organization's accounts (under `ous` when given, each OU with its nested ones), in
/// Organizations' order, each once; with `with_tags`, read every account's tags too.
/// `config` is the caller's (the management or delegated administrator account's), for the
/// partition's global region, where Organizations is served.
pub async fn list_accounts(
    config: &aws_types::SdkConfig,
    ous: &[String],
    with_tags: bool,
    pacing: Pacing,
) -> Result<AccountListing, Failure> {
    let recorder = CallRecorder::default();
    let pacer = Pacer::new(pacing);
    let conf = aws_sdk_organizations::config::Builder::from(config)
        .interceptor(recorder.interceptor("global"))
        // Organizations meters the organization, not a member account: the caller's bucket.
        .interceptor(PacingInterceptor::new(&pacer, "organization", "global"))
        .interceptor(CompletenessInterceptor)
        .retry_classifier(TooManyRequestsClassifier)
        .retry_classifier(IncompleteResponseClassifier)
        .build();
    let client = aws_sdk_organizations::Client::from_conf(conf);
    let mut accounts = Vec::new();
    if ous.is_empty() {
        let stream = client.list_accounts().into_paginator().send();
        for page in super::pages("organizations:ListAccounts", stream, |p| p.next_token()).await? {
            accounts.extend(page.accounts().iter().map(account));
        }
    } else {
        let mut queue: VecDeque<(String, usize)> = ous.iter().map(|ou| (ou.clone(), 0)).collect();
        let mut visited = BTreeSet::new();
        while let Some((parent, depth)) = queue.pop_front() {
            if !visited.insert(parent.clone()) || depth > MAX_OU_DEPTH {
                continue;
            }
            let stream = client.list_accounts_for_parent().parent_id(&parent).into_paginator().send();
            for page in
                super::pages("organizations:ListAccountsForParent", stream, |p| p.next_token()).await?
            {
                accounts.extend(page.accounts().iter().map(account));
            }
            let stream =
                client.list_organizational_units_for_parent().parent_id(&parent).into_paginator().send();
            let operation = "organizations:ListOrganizationalUnitsForParent";
            for page in super::pages(operation, stream, |p| p.next_token()).await? {
                for child in page.organizational_units() {
                    if let Some(id) = child.id() {
                        queue.push_back((id.to_string(), depth + 1));
                    }
                }
            }
        }
    }
    // An account answered twice (moto's pages can repeat an item) is one account.
    let mut seen = BTreeSet::new();
    accounts.retain(|a: &OrgAccount| !a.id.is_empty() && seen.insert(a.id.clone()));
    if with_tags {
        for account in &mut accounts {
            let stream = client.list_tags_for_resource().resource_id(&account.id).into_paginator().send();
            for page in super::pages("organizations:ListTagsForResource", stream, |p| p.next_token()).await? {
                for tag in page.tags() {
                    account.tags.insert(tag.key().to_string(), tag.value().to_string());
                }
            }
        }
    }
    let requests = recorder.operations().values().map(|s| s.requests).sum();
    Ok(AccountListing { accounts, requests })
}

fn account(listed: &aws_sdk_organizations::types::Account) -> OrgAccount {
    OrgAccount {
        id: listed.id().unwrap_or_default().to_string(),
        name: listed.name().unwrap_or_default().to_string(),
        status: listed.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
        tags: BTreeMap::new(),
    }
}
