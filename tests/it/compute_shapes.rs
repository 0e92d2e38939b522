//! The compute setups people build, as AWS answers for them (issue 10 §2, compute half):
//! comma-separated health check types, a launch template version deleted under a group,
//! AMI snapshot encryption keys, deprecated shared AMIs, mixed-instances overrides, and a
//! second tier's own DR group. Against moto where it serves the shape; on recorded
//! AWS-shaped responses (the test front) where it does not.

use crate::support::seed::{Setup, config, seed};
use crate::support::{DR, PRIMARY, audit_live, findings, fresh_account, runtime, summary};

fn seeded(setup: &Setup) -> String {
    let account = fresh_account();
    runtime().block_on(seed(&account, setup));
    account
}

fn audit(account: &str) -> serde_json::Value {
    let (code, json, stderr, _) = audit_live(account, &["--max-attempts", "1"]);
    assert!(json.is_object(), "drscan printed no JSON (exit {code}):\n{stderr}");
    json
}

fn messages(json: &serde_json::Value, rule: &str, status: &str) -> String {
    findings(json, rule, status).iter().map(|f| f["message"].to_string()).collect::<Vec<_>>().join("\n")
}

async fn set_health_check_type(account: &str, region: &str, group: &str, types: &str) {
    let asg = aws_sdk_autoscaling::Client::new(&config(account, region).await);
    asg.update_auto_scaling_group()
        .auto_scaling_group_name(group)
        .health_check_type(types)
        .send()
        .await
        .expect("UpdateAutoScalingGroup");
}

#[test]
fn health_check_types_are_a_comma_separated_list() {
    let account = seeded(&Setup::default());
    runtime().block_on(async {
        // The DR group checks ELB and EBS health; the primary EBS and VPC Lattice, not ELB.
        set_health_check_type(&account, DR, "web-dr", "ELB,EBS").await;
        set_health_check_type(&account, PRIMARY, "web", "EBS,VPC_LATTICE").await;
    });
    let json = audit(&account);
    let failed = findings(&json, "asg-ec2-health-check", "fail");
    assert_eq!(failed.len(), 1, "only the group without ELB fails:\n{}", summary(&json));
    assert_eq!(failed[0]["resource"]["id"], "web", "{}", failed[0]);
    assert_eq!(failed[0]["evidence"]["health_check_type"], "EBS,VPC_LATTICE");
    let message = messages(&json, "asg-ec2-health-check", "fail");
    assert!(message.contains("uses EBS and EC2 and VPC_LATTICE health checks"), "{message}");
}
