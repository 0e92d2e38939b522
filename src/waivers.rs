//! Waivers (SPEC §7): a rule, a resource-ARN glob, a required reason and a required expiry.
//! A waived finding stays in every output with status `waived`; an expired waiver stops
//! applying and is reported; a waiver that matches nothing is reported too.

use crate::findings::{Finding, Status};
use chrono::NaiveDate;
use globset::GlobMatcher;
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct Waiver {
    /// Canonical rule name.
    pub rule: String,
    /// The glob as written.
    pub resource: String,
    pub matcher: GlobMatcher,
    pub reason: String,
    /// Last day the waiver applies (inclusive).
    pub expires: NaiveDate,
    /// 1-based line of the waiver in the configuration file.
    pub line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverStatus {
    Applied,
    Expired,
    Unused,
}

/// What became of one waiver in this run, for the outputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverUse {
    pub rule: String,
    pub resource: String,
    pub reason: String,
    pub expires: NaiveDate,
    pub status: WaiverStatus,
    /// Findings it waived (or, when expired, would have waived).
    pub matched: usize,
    pub line: usize,
}

impl WaiverUse {
    /// What needs attention about this waiver, if anything: it expired, or it matches nothing.
    pub fn problem(&self) -> Option<String> {
        match self.status {
            WaiverStatus::Applied => None,
            WaiverStatus::Expired => Some(format!(
                "waiver for {} on {} expired on {} and no longer applies",
                self.rule, self.resource, self.expires
            )),
            WaiverStatus::Unused => {
                Some(format!("waiver for {} on {} matches no finding", self.rule, self.resource))
            }
        }
    }
}

impl Waiver {
    pub fn matches(&self, finding: &Finding) -> bool {
        finding.rule == self.rule && self.matcher.is_match(&finding.resource.arn)
    }
}

/// Mark matching `fail`/`unknown` findings as waived. `today` decides expiry: waivers are a
/// promise about the calendar, so this is the real date, not the snapshot's.
pub fn apply(findings: &mut [Finding], waivers: &[Waiver], today: NaiveDate) -> Vec<WaiverUse> {
    waivers
        .iter()
        .map(|waiver| {
            let expired = today > waiver.expires;
            let mut matched = 0;
            for finding in findings.iter_mut().filter(|f| f.status != Status::Waived && waiver.matches(f)) {
                matched += 1;
                if expired {
                    finding.with("expired_waiver", format!("{} (expired {})", waiver.reason, waiver.expires));
                } else {
                    finding.status = Status::Waived;
                    finding.with("waiver_reason", &waiver.reason).with("waiver_expires", waiver.expires);
                }
            }
            let status = match (expired, matched) {
                (true, _) => WaiverStatus::Expired,
                (false, 0) => WaiverStatus::Unused,
                (false, _) => WaiverStatus::Applied,
            };
            WaiverUse {
                rule: waiver.rule.clone(),
                resource: waiver.resource.clone(),
                reason: waiver.reason.clone(),
                expires: waiver.expires,
                status,
                matched,
                line: waiver.line,
            }
        })
        .collect()
}
