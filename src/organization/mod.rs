//! Organization mode's results (SPEC §9): one [`AccountEntry`] per member account — its
//! verdict, score, findings by severity, unknowns and estimates, or why it could not be read —
//! and the [`RollUp`] of them all: the JSON summary that the gate reads, that shards write and
//! [`merge`] combines, and that [`report`] renders (accounts worst first, the rules that fail
//! most often, drift against the previous roll-up). [`shard`] owns the partition of accounts
//! over runners. Nothing here calls AWS: the CLI runs each account and hands its audit here.

pub mod drift;
pub mod merge;
pub mod report;
pub mod shard;

use crate::audit::{AuditReport, GatePolicy, GateResult};
use crate::findings::{Severity, Status};
use crate::inventory::RegionPair;
use crate::inventory::graph::Inventory;
use crate::report::Verdict;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a roll-up document says it is, so that `drscan merge` refuses other JSON.
pub const ROLLUP_KIND: &str = "drscan-organization-rollup";
/// The roll-up document's own version; add fields, never rename.
pub const ROLLUP_SCHEMA_VERSION: u32 = 1;

/// drscan.toml's `[organization]`, checked: the audit role of every member account, how many
/// accounts run at once, the OUs to list, and the region pairs of accounts that do not use the
/// default one. Flags win over it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrgSettings {
    /// The role assumed in each account (`--org-role-name`), a name with an optional path.
    pub role_name: Option<String>,
    pub external_id: Option<String>,
    pub accounts_in_flight: Option<usize>,
    /// Organizational units whose accounts (nested OUs included) are audited (`--ou`).
    pub ous: Vec<String>,
    /// Accounts never audited (`--exclude-accounts`).
    pub exclude: Vec<String>,
    /// `[[organization.regions]]`, first match wins.
    pub pairs: Vec<PairRule>,
}

/// One `[[organization.regions]]`: the accounts (by id, or by an Organizations tag) that use
/// another region pair than the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairRule {
    pub accounts: Vec<String>,
    /// `(key, value)` of an account tag in Organizations.
    pub tag: Option<(String, String)>,
    pub regions: RegionPair,
}

impl OrgSettings {
    /// Whether a rule matches accounts by tag, so the listing must read every account's tags.
    pub fn needs_tags(&self) -> bool {
        self.pairs.iter().any(|p| p.tag.is_some())
    }

    /// The region pair of an account: the first rule naming it (by id, then by tag), else
    /// `default`.
    pub fn pair_for(
        &self,
        account: &str,
        tags: &BTreeMap<String, String>,
        default: Option<&RegionPair>,
    ) -> Option<RegionPair> {
        let matches = |rule: &&PairRule| {
            rule.accounts.iter().any(|a| a == account)
                || rule.tag.as_ref().is_some_and(|(key, value)| tags.get(key) == Some(value))
        };
        self.pairs.iter().find(matches).map(|rule| rule.regions.clone()).or_else(|| default.cloned())
    }
}

/// Findings counted by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BySeverity {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
}

impl BySeverity {
    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Critical => self.critical += 1,
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
            Severity::Info => self.info += 1,
        }
    }

    fn plus(self, other: BySeverity) -> BySeverity {
        BySeverity {
            critical: self.critical + other.critical,
            high: self.high + other.high,
            medium: self.medium + other.medium,
            low: self.low + other.low,
            info: self.info + other.info,
        }
    }

    pub fn total(&self) -> usize {
        self.critical + self.high + self.medium + self.low + self.info
    }
}

/// An account's standing in the roll-up: the readiness report's verdict, or `unreadable` when
/// nothing of the account could be read (its role could not be assumed, no region answered).
/// Declared best first; the report sorts the other way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountVerdict {
    Ready,
    AtRisk,
    /// Unknown is not pass: worse than at risk, better only than a known failure.
    Unreadable,
    NotReady,
}

impl AccountVerdict {
    pub fn label(self) -> &'static str {
        match self {
            AccountVerdict::Ready => Verdict::Ready.label(),
            AccountVerdict::AtRisk => Verdict::AtRisk.label(),
            AccountVerdict::Unreadable => "Unreadable",
            AccountVerdict::NotReady => Verdict::NotReady.label(),
        }
    }
}

impl From<Verdict> for AccountVerdict {
    fn from(verdict: Verdict) -> Self {
        match verdict {
            Verdict::Ready => AccountVerdict::Ready,
            Verdict::AtRisk => AccountVerdict::AtRisk,
            Verdict::NotReady => AccountVerdict::NotReady,
        }
    }
}

/// One application's estimate, in brief (the account's own JSON has the breakdown). A total
/// is `null` when unbounded or unknown, and `rto`/`rpo` then say which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EstimateBrief {
    pub app: String,
    pub rto_seconds: Option<u64>,
    pub rpo_seconds: Option<u64>,
    /// `seconds`, `unbounded` or `unknown`.
    pub rto: String,
    pub rpo: String,
    pub rto_target_seconds: Option<u64>,
    pub rpo_target_seconds: Option<u64>,
}

/// Why an account could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountError {
    /// `role-not-assumable` or `collection-impossible`.
    pub cause: String,
    pub message: String,
}

/// One account of the roll-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountEntry {
    pub account: String,
    /// The account's name in Organizations (empty for `--accounts`).
    pub name: String,
    pub regions: RegionPair,
    pub verdict: AccountVerdict,
    /// The account's own gate under the roll-up's policy; an unreadable account fails it
    /// unless unknowns are allowed.
    pub gate: GateResult,
    /// The readiness report's score (0–100); `null` when unreadable.
    pub score: Option<u32>,
    /// `fail` findings by severity (after waivers).
    pub fail: BySeverity,
    /// `unknown` findings by severity: what drscan could not tell.
    pub unknown: BySeverity,
    pub waived: usize,
    pub pass: usize,
    /// Reads that failed during collection (each leaves its data unknown).
    pub unread: usize,
    /// Rule → `fail` findings of it in this account.
    pub failing_rules: BTreeMap<String, usize>,
    pub estimates: Vec<EstimateBrief>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<AccountError>,
    /// The account's own output file, relative to the output directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// AWS requests the account cost (AssumeRole included).
    pub requests: u64,
}

/// Which account is being summarised: its id, name and region pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRef {
    pub id: String,
    pub name: String,
    pub regions: RegionPair,
}

impl AccountEntry {
    /// The entry of an audited account.
    pub fn audited(
        account: &AccountRef,
        inventory: &Inventory<'_>,
        report: &AuditReport,
        requests: u64,
        output: Option<String>,
    ) -> AccountEntry {
        let (verdict, score) = crate::report::standing(inventory, report);
        let (mut fail, mut unknown) = (BySeverity::default(), BySeverity::default());
        let mut failing_rules: BTreeMap<String, usize> = BTreeMap::new();
        for finding in &report.findings {
            match finding.status {
                Status::Fail => {
                    fail.add(finding.severity);
                    *failing_rules.entry(finding.rule.clone()).or_default() += 1;
                }
                Status::Unknown => unknown.add(finding.severity),
                Status::Waived => {}
            }
        }
        let total = report.total();
        let amount_kind = |amount: &crate::estimate::Amount| {
            use crate::estimate::Amount;
            match amount {
                Amount::Seconds(_) => "seconds",
                Amount::Unbounded(_) => "unbounded",
                Amount::Unknown(_) => "unknown",
            }
            .to_string()
        };
        AccountEntry {
            account: account.id.clone(),
            name: account.name.clone(),
            regions: account.regions.clone(),
            verdict: verdict.into(),
            gate: report.gate,
            score: Some(score),
            fail,
            unknown,
            waived: total.waived,
            pass: total.pass,
            unread: inventory.snapshot.collection_errors.len(),
            failing_rules,
            estimates: report
                .estimates
                .iter()
                .map(|e| EstimateBrief {
                    app: e.app.clone(),
                    rto_seconds: e.rto.seconds(),
                    rpo_seconds: e.rpo.seconds(),
                    rto: amount_kind(&e.rto),
                    rpo: amount_kind(&e.rpo),
                    rto_target_seconds: e.targets.rto_seconds,
                    rpo_target_seconds: e.targets.rpo_seconds,
                })
                .collect(),
            error: None,
            output,
            requests,
        }
    }

    /// The entry of an account nothing could be read from.
    pub fn unreadable(
        account: &AccountRef,
        error: AccountError,
        gate: GatePolicy,
        requests: u64,
    ) -> AccountEntry {
        AccountEntry {
            account: account.id.clone(),
            name: account.name.clone(),
            regions: account.regions.clone(),
            verdict: AccountVerdict::Unreadable,
            gate: if gate.allow_unknown { GateResult::Passed } else { GateResult::Failed },
            score: None,
            fail: BySeverity::default(),
            unknown: BySeverity::default(),
            waived: 0,
            pass: 0,
            unread: 1,
            failing_rules: BTreeMap::new(),
            estimates: Vec::new(),
            error: Some(error),
            output: None,
            requests,
        }
    }
}

/// The gate policy the roll-up was decided under, and its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollUpGate {
    pub fail_on: Severity,
    pub allow_unknown: bool,
    pub allow_empty: bool,
    /// Failed when any account failed its gate, or a shard of the organization is missing.
    pub result: GateResult,
}

/// Which shards of the organization a roll-up covers: all of `1..=count` once merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardCoverage {
    pub count: u32,
    pub included: Vec<u32>,
}

impl ShardCoverage {
    pub fn missing(&self) -> Vec<u32> {
        (1..=self.count).filter(|k| !self.included.contains(k)).collect()
    }
}

/// Counts over the roll-up's accounts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSummary {
    pub accounts: usize,
    pub ready: usize,
    pub at_risk: usize,
    pub not_ready: usize,
    pub unreadable: usize,
    /// Accounts whose gate failed.
    pub gate_failed: usize,
    pub fail: BySeverity,
    pub unknown: BySeverity,
    pub requests: u64,
}

/// The roll-up of an organization (or of one shard of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollUp {
    pub kind: String,
    pub schema_version: u32,
    pub drscan_version: String,
    pub generated_at: String,
    pub gate: RollUpGate,
    pub shards: ShardCoverage,
    pub summary: OrgSummary,
    /// Requests spent listing the organization's accounts (per shard; summed by merge).
    pub listing_requests: u64,
    /// By account id.
    pub accounts: Vec<AccountEntry>,
}

impl RollUp {
    /// The roll-up of `accounts` (any order) under `gate`, covering `shards`.
    pub fn new(
        mut accounts: Vec<AccountEntry>,
        gate: GatePolicy,
        shards: ShardCoverage,
        listing_requests: u64,
    ) -> RollUp {
        accounts.sort_by(|a, b| a.account.cmp(&b.account));
        let mut rollup = RollUp {
            kind: ROLLUP_KIND.to_string(),
            schema_version: ROLLUP_SCHEMA_VERSION,
            drscan_version: env!("CARGO_PKG_VERSION").to_string(),
            generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            gate: RollUpGate {
                fail_on: gate.fail_on,
                allow_unknown: gate.allow_unknown,
                allow_empty: gate.allow_empty,
                result: GateResult::Passed,
            },
            shards,
            summary: OrgSummary::default(),
            listing_requests,
            accounts,
        };
        rollup.recount();
        rollup
    }

    /// Recompute the summary and the gate from the accounts.
    fn recount(&mut self) {
        let mut summary = OrgSummary { accounts: self.accounts.len(), ..OrgSummary::default() };
        for entry in &self.accounts {
            match entry.verdict {
                AccountVerdict::Ready => summary.ready += 1,
                AccountVerdict::AtRisk => summary.at_risk += 1,
                AccountVerdict::NotReady => summary.not_ready += 1,
                AccountVerdict::Unreadable => summary.unreadable += 1,
            }
            summary.gate_failed += usize::from(entry.gate == GateResult::Failed);
            summary.fail = summary.fail.plus(entry.fail);
            summary.unknown = summary.unknown.plus(entry.unknown);
            summary.requests += entry.requests;
        }
        let incomplete = !self.shards.missing().is_empty();
        self.gate.result =
            if summary.gate_failed > 0 || incomplete { GateResult::Failed } else { GateResult::Passed };
        self.summary = summary;
    }

    /// Every account could not be read (and there was at least one): nothing at all was read.
    pub fn nothing_read(&self) -> bool {
        !self.accounts.is_empty() && self.accounts.iter().all(|a| a.verdict == AccountVerdict::Unreadable)
    }

    /// The accounts worst first: by verdict, then score, then id.
    pub fn worst_first(&self) -> Vec<&AccountEntry> {
        let mut accounts: Vec<&AccountEntry> = self.accounts.iter().collect();
        accounts.sort_by(|a, b| {
            b.verdict
                .cmp(&a.verdict)
                .then(a.score.unwrap_or(0).cmp(&b.score.unwrap_or(0)))
                .then_with(|| a.account.cmp(&b.account))
        });
        accounts
    }

    /// The rules that fail most often across the organization: (rule, accounts it fails in,
    /// its `fail` findings), most accounts first.
    pub fn most_failing_rules(&self) -> Vec<(String, usize, usize)> {
        let mut by_rule: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for entry in &self.accounts {
            for (rule, findings) in &entry.failing_rules {
                let counts = by_rule.entry(rule.as_str()).or_default();
                counts.0 += 1;
                counts.1 += findings;
            }
        }
        let mut rules: Vec<(String, usize, usize)> = by_rule
            .into_iter()
            .map(|(rule, (accounts, findings))| (rule.to_string(), accounts, findings))
            .collect();
        rules.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then_with(|| a.0.cmp(&b.0)));
        rules
    }

    /// The roll-up as the JSON file `drscan merge` and `--previous-rollup` read.
    pub fn to_json(&self) -> String {
        // Plain data: serialising cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An entry with `fail` failing findings of `rule` (critical) and the given verdict.
    pub(crate) fn entry(
        id: &str,
        verdict: AccountVerdict,
        score: Option<u32>,
        rule: Option<&str>,
    ) -> AccountEntry {
        let mut failing_rules = BTreeMap::new();
        let mut fail = BySeverity::default();
        if let Some(rule) = rule {
            failing_rules.insert(rule.to_string(), 1);
            fail.critical = 1;
        }
        let failed = verdict != AccountVerdict::Ready;
        AccountEntry {
            account: id.to_string(),
            name: format!("name-{id}"),
            regions: RegionPair { primary: "ap-south-1".into(), dr: "us-east-1".into() },
            verdict,
            gate: if failed { GateResult::Failed } else { GateResult::Passed },
            score,
            fail,
            unknown: BySeverity::default(),
            waived: 0,
            pass: 10,
            unread: 0,
            failing_rules,
            estimates: Vec::new(),
            error: None,
            output: None,
            requests: 5,
        }
    }

    pub(crate) fn whole() -> ShardCoverage {
        ShardCoverage { count: 1, included: vec![1] }
    }

    #[test]
    fn worst_accounts_come_first_and_any_failure_fails_the_gate() {
        let rollup = RollUp::new(
            vec![
                entry("3", AccountVerdict::Ready, Some(100), None),
                entry("1", AccountVerdict::AtRisk, Some(70), Some("rds-no-dr-replica")),
                entry("2", AccountVerdict::Unreadable, None, None),
                entry("4", AccountVerdict::NotReady, Some(20), Some("rds-no-dr-replica")),
                entry("5", AccountVerdict::NotReady, Some(10), Some("ami-missing-in-dr")),
            ],
            GatePolicy::default(),
            whole(),
            2,
        );
        let order: Vec<&str> = rollup.worst_first().iter().map(|a| a.account.as_str()).collect();
        assert_eq!(order, ["5", "4", "2", "1", "3"]);
        let ids: Vec<&str> = rollup.accounts.iter().map(|a| a.account.as_str()).collect();
        assert_eq!(ids, ["1", "2", "3", "4", "5"], "the JSON lists accounts by id");
        assert_eq!(rollup.gate.result, GateResult::Failed);
        assert_eq!((rollup.summary.not_ready, rollup.summary.unreadable, rollup.summary.ready), (2, 1, 1));
        assert_eq!(rollup.summary.fail.critical, 3);
        assert_eq!(rollup.most_failing_rules()[0], ("rds-no-dr-replica".to_string(), 2, 2));
        assert!(!rollup.nothing_read());
    }

    #[test]
    fn a_roll_up_of_ready_accounts_passes_unless_a_shard_is_missing() {
        let ready = vec![entry("1", AccountVerdict::Ready, Some(100), None)];
        let complete = RollUp::new(ready.clone(), GatePolicy::default(), whole(), 0);
        assert_eq!(complete.gate.result, GateResult::Passed);
        let partial =
            RollUp::new(ready, GatePolicy::default(), ShardCoverage { count: 3, included: vec![1, 3] }, 0);
        assert_eq!(partial.shards.missing(), [2]);
        assert_eq!(partial.gate.result, GateResult::Failed, "a missing shard is not a pass");
    }

    #[test]
    fn only_unreadable_accounts_mean_nothing_was_read() {
        let rollup = RollUp::new(
            vec![entry("1", AccountVerdict::Unreadable, None, None)],
            GatePolicy::default(),
            whole(),
            1,
        );
        assert!(rollup.nothing_read());
        assert!(!RollUp::new(Vec::new(), GatePolicy::default(), whole(), 1).nothing_read());
    }
}
