//! The shipped least-privilege policy (`iam-policy.json`) covers every AWS operation drscan
//! itself calls, and every one of them — and of the policy — is a read operation. Checked two
//! ways: statically, from the operation names the collectors use, and live, from the calls a
//! real collection against moto made (the seeding harness's calls are not drscan's).

use crate::support::operations::called_by_drscan;
use std::collections::BTreeSet;
use std::path::Path;

/// The IAM action of an operation drscan names, by the library's own mapping (the one the
/// report's "what drscan could not see" advice uses).
fn iam_action(operation: &str) -> String {
    drscan::inventory::iam_action(operation)
        .unwrap_or_else(|| panic!("{operation} is not an AWS operation name"))
}

fn policy() -> serde_json::Value {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("iam-policy.json"))
        .expect("iam-policy.json at the crate root");
    serde_json::from_str(&text).expect("iam-policy.json is JSON")
}

/// The read-only statement: what the identity drscan audits with needs.
const READ_ONLY: &str = "DrscanReadOnly";
/// The one other statement: with `--role-arn`, what the *calling* identity needs to assume the
/// audit role (aws-config's AssumeRoleProvider calls sts:AssumeRole).
const ASSUME_ROLE: &str = "OnlyWithRoleArnForTheCallerAssumeTheDrscanRole";
/// Organization mode's calling identity lists the organization (the member accounts' roles need
/// only [`READ_ONLY`]).
const ORGANIZATION: &str = "OnlyWithOrgForTheCallerListTheOrganization";

fn statement<'p>(policy: &'p serde_json::Value, sid: &str) -> &'p serde_json::Value {
    policy["Statement"]
        .as_array()
        .expect("a Statement list")
        .iter()
        .find(|s| s["Sid"] == sid)
        .unwrap_or_else(|| panic!("iam-policy.json has no statement {sid}"))
}

fn policy_actions() -> BTreeSet<String> {
    let policy = policy();
    let statement = statement(&policy, READ_ONLY);
    assert_eq!(statement["Effect"], "Allow", "the policy only allows");
    statement["Action"]
        .as_array()
        .expect("an Action list")
        .iter()
        .map(|action| action.as_str().expect("action names are strings").to_string())
        .collect()
}

fn is_read_only(action: &str) -> bool {
    let name = action.split_once(':').map(|(_, n)| n).unwrap_or(action);
    ["Describe", "List", "Get"].iter().any(|verb| name.starts_with(verb)) && !name.contains('*')
}

#[test]
fn the_policy_is_the_read_only_statement_and_a_scoped_assume_role_for_role_arn() {
    let policy = policy();
    let statements = policy["Statement"].as_array().expect("a Statement list");
    assert_eq!(statements.len(), 3, "{statements:#?}");
    let assume = statement(&policy, ASSUME_ROLE);
    assert_eq!(assume["Effect"], "Allow");
    assert_eq!(assume["Action"], serde_json::json!(["sts:AssumeRole"]));
    let resource = assume["Resource"].as_str().expect("one resource");
    assert!(resource.starts_with("arn:aws:iam::") && resource.contains(":role/"), "{resource}");
    // --role-arn is the one path that assumes a role.
    let sdk = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/collection/sdk.rs"))
        .expect("src/collection/sdk.rs");
    assert!(sdk.contains("AssumeRoleProvider::builder(role_arn)"));
}

#[test]
fn the_organization_statement_is_what_organization_mode_calls_and_read_only() {
    let policy = policy();
    let listed: BTreeSet<String> = statement(&policy, ORGANIZATION)["Action"]
        .as_array()
        .expect("an Action list")
        .iter()
        .map(|a| a.as_str().expect("action names are strings").to_string())
        .collect();
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/collection/organizations.rs"),
    )
    .expect("src/collection/organizations.rs");
    let called: BTreeSet<String> = source
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|piece| piece.starts_with("organizations:"))
        .map(iam_action)
        .collect();
    assert!(called.len() >= 3, "{called:?}");
    assert_eq!(listed, called, "the organization statement and organizations.rs disagree");
    assert!(listed.iter().all(|a| is_read_only(a)), "{listed:?}");
}

#[test]
fn policy_holds_only_read_operations() {
    let actions = policy_actions();
    assert!(!actions.is_empty());
    for action in &actions {
        assert!(is_read_only(action), "{action} in iam-policy.json is not a read-only operation");
    }
}

#[test]
fn every_operation_in_the_source_is_in_the_policy() {
    let actions = policy_actions();
    let operations = called_by_drscan();
    assert!(operations.len() > 30, "expected the collectors' operations, found {operations:?}");
    for operation in operations {
        let action = iam_action(&operation);
        assert!(actions.contains(&action), "{operation} is called but {action} is not in iam-policy.json");
        assert!(is_read_only(&action), "{operation} is not a read operation");
    }
}

#[test]
fn every_operation_a_live_collection_makes_is_in_the_policy() {
    use crate::support::seed::{Setup, seed};
    let account = crate::support::fresh_account();
    crate::support::runtime().block_on(seed(&account, &Setup::default()));

    let mut options = crate::support::live_options(&account);
    options.sdk.max_attempts = 1;
    let collection =
        crate::support::runtime().block_on(drscan::collection::collect(&options)).expect("collection");

    let actions = policy_actions();
    let called: BTreeSet<&str> = collection.calls.keys().map(|(_, operation)| operation.as_str()).collect();
    assert!(called.len() > 25, "expected most collectors to run, saw {called:?}");
    for operation in called {
        let action = iam_action(operation);
        assert!(
            actions.contains(&action),
            "drscan called {operation}, but {action} is not in iam-policy.json"
        );
    }
}
