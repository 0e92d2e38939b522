//! The shipped least-privilege policy (`iam-policy.json`) covers every AWS operation drscan
//! itself calls, and every one of them — and of the policy — is a read operation. Checked two
//! ways: statically, from the operation names the collectors use, and live, from the calls a
//! real collection against moto made (the seeding harness's calls are not drscan's).

use std::collections::BTreeSet;
use std::path::Path;

/// The IAM action of an operation drscan names, by the library's own mapping (the one the
/// report's "what drscan could not see" advice uses).
fn iam_action(operation: &str) -> String {
    drscan::inventory::iam_action(operation)
        .unwrap_or_else(|| panic!("{operation} is not an AWS operation name"))
}

fn policy_actions() -> BTreeSet<String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("iam-policy.json"))
        .expect("iam-policy.json at the crate root");
    let policy: serde_json::Value = serde_json::from_str(&text).expect("iam-policy.json is JSON");
    let mut actions = BTreeSet::new();
    for statement in policy["Statement"].as_array().expect("a Statement list") {
        assert_eq!(statement["Effect"], "Allow", "the policy only allows");
        for action in statement["Action"].as_array().expect("an Action list") {
            actions.insert(action.as_str().expect("action names are strings").to_string());
        }
    }
    actions
}

fn is_read_only(action: &str) -> bool {
    let name = action.split_once(':').map(|(_, n)| n).unwrap_or(action);
    ["Describe", "List", "Get"].iter().any(|verb| name.starts_with(verb)) && !name.contains('*')
}

/// Every `"service:Operation"` literal in src/collection: each SDK call names its operation so
/// that failures can say which call failed.
fn operations_named_in_source() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/collection");
    let services = [
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
        "s3",
        "dynamodb",
        "secretsmanager",
    ];
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("src/collection") {
        let path = entry.expect("dir entry").path();
        let text = std::fs::read_to_string(&path).expect("source file");
        for piece in text.split('"').skip(1).step_by(2) {
            if let Some((service, name)) = piece.split_once(':')
                && services.contains(&service)
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
    let operations = operations_named_in_source();
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
    let emulator = crate::support::emulator();
    let account = crate::support::fresh_account();
    crate::support::runtime().block_on(seed(&account, &Setup::default()));

    let mut options = drscan::collection::CollectOptions::new(crate::support::PRIMARY, crate::support::DR);
    options.sdk.endpoint_url = Some(emulator.front_url.clone());
    options.sdk.max_attempts = 1;
    // Credentials passed in, not through the environment that the other tests of this binary share.
    options.sdk.credentials = Some(aws_credential_types::provider::SharedCredentialsProvider::new(
        aws_credential_types::Credentials::new(
            crate::support::access_key(&account),
            "testing",
            None,
            None,
            "test",
        ),
    ));
    options.progress = false;
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
