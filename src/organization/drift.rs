//! Drift of an organization against its previous roll-up (`--previous-rollup`): accounts added
//! and removed, and per account that changed, its verdict and score before and now and the
//! rules that started or stopped failing in it. Worst change first: accounts that got worse,
//! then the rest.

use super::{AccountVerdict, RollUp};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountChange {
    pub account: String,
    pub name: String,
    pub verdict_before: AccountVerdict,
    pub verdict_now: AccountVerdict,
    pub score_before: Option<u32>,
    pub score_now: Option<u32>,
    /// Rules failing now that did not fail in the account before.
    pub newly_failing: Vec<String>,
    /// Rules that failed before and no longer do.
    pub fixed: Vec<String>,
}

impl AccountChange {
    /// Worse now: a worse verdict, or the same one with a lower score, or new failing rules.
    pub fn worse(&self) -> bool {
        self.verdict_now > self.verdict_before
            || (self.verdict_now == self.verdict_before && self.score_now < self.score_before)
            || (self.verdict_now == self.verdict_before && !self.newly_failing.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgDrift {
    /// When the previous roll-up was made.
    pub since: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<AccountChange>,
}

impl OrgDrift {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

pub fn compare(previous: &RollUp, current: &RollUp) -> OrgDrift {
    let before: BTreeMap<&str, _> = previous.accounts.iter().map(|a| (a.account.as_str(), a)).collect();
    let now: BTreeMap<&str, _> = current.accounts.iter().map(|a| (a.account.as_str(), a)).collect();
    let mut changed = Vec::new();
    for (id, entry) in &now {
        let Some(old) = before.get(id) else { continue };
        let rules_now: BTreeSet<&String> = entry.failing_rules.keys().collect();
        let rules_before: BTreeSet<&String> = old.failing_rules.keys().collect();
        let change = AccountChange {
            account: id.to_string(),
            name: entry.name.clone(),
            verdict_before: old.verdict,
            verdict_now: entry.verdict,
            score_before: old.score,
            score_now: entry.score,
            newly_failing: rules_now.difference(&rules_before).map(|r| r.to_string()).collect(),
            fixed: rules_before.difference(&rules_now).map(|r| r.to_string()).collect(),
        };
        let same = change.verdict_before == change.verdict_now
            && change.score_before == change.score_now
            && change.newly_failing.is_empty()
            && change.fixed.is_empty();
        if !same {
            changed.push(change);
        }
    }
    changed.sort_by(|a, b| {
        b.worse()
            .cmp(&a.worse())
            .then(b.verdict_now.cmp(&a.verdict_now))
            .then_with(|| a.account.cmp(&b.account))
    });
    OrgDrift {
        since: previous.generated_at.clone(),
        added: now.keys().filter(|id| !before.contains_key(*id)).map(|id| id.to_string()).collect(),
        removed: before.keys().filter(|id| !now.contains_key(*id)).map(|id| id.to_string()).collect(),
        changed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::GatePolicy;
    use crate::organization::tests::{entry, whole};

    #[test]
    fn drift_names_what_got_worse_first_and_what_came_and_went() {
        let previous = RollUp::new(
            vec![
                entry("1", AccountVerdict::Ready, Some(100), None),
                entry("2", AccountVerdict::NotReady, Some(20), Some("ami-missing-in-dr")),
                entry("3", AccountVerdict::Ready, Some(100), None),
                entry("4", AccountVerdict::Ready, Some(100), None),
            ],
            GatePolicy::default(),
            whole(),
            0,
        );
        let current = RollUp::new(
            vec![
                entry("1", AccountVerdict::NotReady, Some(60), Some("rds-no-dr-replica")),
                entry("2", AccountVerdict::Ready, Some(100), None),
                entry("3", AccountVerdict::Ready, Some(100), None),
                entry("5", AccountVerdict::Ready, Some(100), None),
            ],
            GatePolicy::default(),
            whole(),
            0,
        );
        let drift = compare(&previous, &current);
        assert_eq!(drift.added, ["5"]);
        assert_eq!(drift.removed, ["4"]);
        let accounts: Vec<&str> = drift.changed.iter().map(|c| c.account.as_str()).collect();
        assert_eq!(accounts, ["1", "2"], "unchanged account 3 is not listed; the worse one is first");
        assert!(drift.changed[0].worse() && !drift.changed[1].worse());
        assert_eq!(drift.changed[0].newly_failing, ["rds-no-dr-replica"]);
        assert_eq!(drift.changed[1].fixed, ["ami-missing-in-dr"]);
    }
}
