use super::targets::{Objective, check_objective};
use crate::rules::{Context, Rule, RuleOutput, declare_rule};

declare_rule! {
    /// ## What it does
    /// Compares each application's estimated RTO (see the RTO/RPO estimate in the README and
    /// `drscan audit` output) with the RTO target (`--rto-target` or `rto_target` in
    /// `drscan.toml`):
    ///
    /// `RTO = detection + max over steps (start + time) + DNS TTL`
    ///
    /// where detection comes from the PRIMARY's health check (RequestInterval × FailureThreshold)
    /// or target group (interval × unhealthy threshold), each step (DR scale-out, replica
    /// promotion, Aurora global failover, breaking EFS replication, restore from backup) from
    /// the documented constants, with a 15 min manual decision before every step nothing
    /// automates, and the TTL is the record's (60 s for aliases). The finding names the terms
    /// that make up the total, each with its value and source.
    ///
    /// An estimate that is unbounded — no health signal on the PRIMARY, no SECONDARY, a
    /// dangling alias, a DR group that cannot launch, a data store with no DR copy — fails at
    /// any target. Without an RTO target the rule is informational: it passes bounded
    /// estimates and reports unbounded ones at severity `info`; the estimate itself is always
    /// in the report.
    ///
    /// ## Why is this bad?
    /// The RTO target is a promise to the business. An estimate above it, from the
    /// configuration as it is now, means the promise cannot be kept even if every step goes
    /// right — usually because a step waits for a person, or the DR tier starts from zero.
    ///
    /// ## Example
    /// Target 2 min. Detection 1m 30s (health check 30 s × 3) + restore of the EFS file system
    /// from its DR backup copy, started by hand (15 min + 1 h) + alias TTL 1 min = 1h 17m 30s.
    ///
    /// ## How to fix
    /// Attack the largest term: automate the steps (`failover-step-manual`), keep warm DR
    /// capacity instead of a pilot light, replace backup-only copies with replication (EFS
    /// replication, read replicas, Aurora global database), and shorten detection (10 s
    /// request interval, lower failure threshold). If a constant does not match your
    /// measurements, override it in `drscan.toml`.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/whitepapers/latest/disaster-recovery-workloads-on-aws/business-continuity-plan-bcp.html
    /// - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html
    pub struct RtoTargetExceeded {
        name: "rto-target-exceeded",
        code: "DR502",
        severity: High,
        group: Readiness,
        summary: "An application's estimated RTO exceeds the RTO target (or is unbounded)",
    }
}

impl Rule for RtoTargetExceeded {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        check_objective(ctx, out, Objective::Rto);
    }
}
