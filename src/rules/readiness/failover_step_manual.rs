use crate::estimate::{Amount, Automation, TermKind, duration_text};
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// For every application, lists the steps its failover needs besides DNS — scaling the DR
    /// Auto Scaling group out (when the DR tier has less healthy capacity than the primary
    /// runs), promoting a cross-region read replica, failing an Aurora global database over,
    /// breaking EFS replication, restoring from a DR backup copy — and checks that each one is
    /// started by automation: a CloudWatch alarm on the primary's health (its Route 53 health
    /// check, load balancer or target group; a metric-math alarm through the metrics its
    /// expression reads) that drives a scaling policy of the DR group or invokes a Lambda
    /// function or SSM Automation runbook — directly, or through an SNS topic a Lambda function
    /// is subscribed to (confirmed) — or a step declared automated in the configuration (an
    /// `[[automation]]` entry in `drscan.toml`). Alarms are read in the primary and DR regions
    /// and in the partition's global region (us-east-1), where Route 53 publishes the
    /// `HealthCheckStatus` metric. A step without either fails; the RTO estimate counts a
    /// manual decision (default 15 min) before it. When the alarms or the subscriptions of a
    /// topic an alarm notifies could not be read, the step is `unknown`.
    /// A step the estimate cannot evaluate — the DR group, its launch template or target
    /// health, a data store or its DR copy could not be read — is `unknown`, never dropped.
    ///
    /// ## Why is this bad?
    /// Route 53 only changes DNS answers. It does not scale the DR group, promote the replica,
    /// fail over Aurora or break EFS replication. If nothing starts those steps, a person has
    /// to notice the outage, decide to fail over and run each step — at 3 a.m., during a
    /// regional incident, while the application is down.
    ///
    /// ## Example
    /// The SECONDARY aliases the DR load balancer, whose Auto Scaling group sits at desired 0.
    /// No scaling policy of that group is driven by an alarm on the primary's health check,
    /// so the DR tier stays at zero until someone raises its desired capacity by hand.
    ///
    /// ## How to fix
    /// Create a CloudWatch alarm on the primary's Route 53 `HealthCheckStatus` metric (in
    /// us-east-1) and attach a scaling policy of the DR group (or a Lambda / SSM Automation
    /// runbook that promotes the replica and breaks EFS replication) as its action. If the step
    /// is automated in a way drscan cannot see (an external orchestrator, Route 53 ARC),
    /// declare it in `drscan.toml` as an `[[automation]]` entry: `step = "replica-promotion"`
    /// (or `dr-scale-out`, `aurora-global-failover`, `break-efs-replication`,
    /// `restore-from-backup`), with `app = "web"` to limit it to one application.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html
    /// - https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-simple-step.html
    /// - https://docs.aws.amazon.com/sns/latest/dg/sns-lambda-as-subscriber.html
    /// - https://docs.aws.amazon.com/whitepapers/latest/disaster-recovery-workloads-on-aws/disaster-recovery-options-in-the-cloud.html
    pub struct FailoverStepManual {
        name: "failover-step-manual",
        code: "DR501",
        severity: Medium,
        group: Readiness,
        summary: "A failover step has no automation drscan can see or the configuration declares",
    }
}

impl Rule for FailoverStepManual {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let decision = ctx.settings.estimate.manual_decision_seconds;
        for estimate in &ctx.estimates.apps {
            for term in &estimate.rto_terms {
                let (TermKind::Step(step), Some(target)) = (term.kind, &term.resource) else { continue };
                let Some(how) = &term.automation else {
                    // Not evaluated: whether the step is needed, or what it acts on, is unknown.
                    if let Amount::Unknown(reason) = &term.amount {
                        out.unknown(
                            target.clone(),
                            reason,
                            format!(
                                "cannot evaluate {} for application {} ({})",
                                step.describe(),
                                estimate.app,
                                term.source
                            ),
                        )
                        .app(&estimate.app)
                        .with("step", step);
                    }
                    continue;
                };
                match how {
                    Automation::Seen(_) | Automation::Declared => out.pass(),
                    Automation::Unknown(reason) => {
                        out.unknown(
                            target.clone(),
                            reason,
                            format!(
                                "cannot tell whether {} for application {} is automated",
                                step.describe(),
                                estimate.app
                            ),
                        )
                        .app(&estimate.app)
                        .with("step", step);
                    }
                    Automation::Manual => {
                        out.fail(
                            target.clone(),
                            format!(
                                "{} for application {} has no automation drscan can see or configuration declares: the estimate counts a {} manual decision",
                                capitalize(step.describe()),
                                estimate.app,
                                duration_text(decision)
                            ),
                        )
                        .app(&estimate.app)
                        .with("step", step)
                        .with("manual_decision_seconds", decision)
                        .with("step_seconds", term.amount.seconds())
                        .with("source", &term.source);
                    }
                }
            }
        }
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
