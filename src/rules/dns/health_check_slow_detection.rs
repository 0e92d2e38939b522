use crate::estimate::detection::detection;
use crate::estimate::{Amount, duration_text};
use crate::rules::{Context, Rule, RuleOutput, declare_rule, readable_failover_groups};

declare_rule! {
    /// ## What it does
    /// For every PRIMARY failover record, computes how long Route 53 takes to see the primary
    /// as unhealthy — the attached health check's `RequestInterval` × `FailureThreshold`, or for
    /// an alias evaluating target health the target group's interval × unhealthy threshold, or
    /// for a CLOUDWATCH_METRIC check the alarm's period × evaluation periods (a metric-math
    /// alarm: the period of the query it evaluates; the alarm may be in the global region) —
    /// and compares it with the detection budget: `detection_budget` if configured, else 25 %
    /// of the RTO target, else 90 s. A check a Route 53 ARC routing control decides
    /// (`RECOVERY_CONTROL`) detects when someone turns the control off: `unknown`.
    ///
    /// ## Why is this bad?
    /// Detection is the first term of every failover: nothing else starts until Route 53
    /// notices. A 30 s interval with a failure threshold of 10 spends 5 minutes of the RTO on
    /// noticing, before any DNS answer changes.
    ///
    /// ## Example
    /// RTO target 2 min (budget 30 s); the PRIMARY's health check uses the standard 30 s
    /// interval and a failure threshold of 3: detection takes 90 s.
    ///
    /// ## How to fix
    /// Use the fast (10 s) request interval and a failure threshold of 2–3 on the primary's
    /// health check, or shorten the target group's health check interval.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
    pub struct HealthCheckSlowDetection {
        name: "health-check-slow-detection",
        code: "DR206",
        severity: Medium,
        group: LoadBalancingAndDns,
        summary: "The PRIMARY's failure detection takes longer than the detection budget",
    }
}

impl Rule for HealthCheckSlowDetection {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let (budget, budget_source) = ctx.settings.detection_budget();
        for group in readable_failover_groups(ctx, out, "failure detection") {
            for primary in &group.primaries {
                let found = detection(ctx.inventory, group.zone, primary);
                match found.amount {
                    Amount::Seconds(seconds) if seconds > budget => {
                        out.fail(
                            found.resource,
                            format!(
                                "PRIMARY {} {} takes {} to detect a failure ({}), above the {} budget ({budget_source})",
                                group.name,
                                group.record_type,
                                duration_text(seconds),
                                found.source,
                                duration_text(budget)
                            ),
                        )
                        .with("detection_seconds", seconds)
                        .with("budget_seconds", budget)
                        .with("budget_source", budget_source)
                        .with("source", &found.source);
                    }
                    Amount::Seconds(_) => out.pass(),
                    // No signal at all is failover-primary-unmonitored's finding.
                    Amount::Unbounded(_) => {}
                    Amount::Unknown(reason) => {
                        out.unknown(
                            found.resource,
                            &reason,
                            format!("cannot tell how fast PRIMARY {} detects a failure", group.name),
                        );
                    }
                }
            }
        }
    }
}
