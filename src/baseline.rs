//! `--baseline FILE`: a previous `--format json` output. Findings whose fingerprint it already
//! holds are "known before" and do not fail the gate, so a team can adopt drscan on an
//! imperfect account and still block every new gap. A baseline of another account or region
//! pair would suppress findings it never saw the like of: it must match the audit's
//! ([`Baseline::check_matches`]).

use crate::error::{DrscanError, span_at_line_column, span_of_key_value};
use crate::inventory::RegionPair;
use miette::NamedSource;
use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct Baseline {
    pub fingerprints: HashSet<String>,
    /// The account and region pair the baseline's audit covered, as its JSON says (absent in a
    /// hand-written baseline, which then cannot be checked).
    pub account: Option<String>,
    pub regions: Option<RegionPair>,
    /// The file, for a diagnostic that points into it.
    name: String,
    text: String,
}

#[derive(Deserialize)]
struct BaselineDocument {
    findings: Vec<BaselineFinding>,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    regions: Option<RegionPair>,
}

#[derive(Deserialize)]
struct BaselineFinding {
    fingerprint: String,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, DrscanError> {
        let text = crate::input::read_text("baseline", path)?;
        Self::parse(&path.display().to_string(), text)
    }

    pub fn parse(name: &str, text: String) -> Result<Baseline, DrscanError> {
        match crate::input::strict_json::from_str::<BaselineDocument>(&text) {
            Ok(doc) => Ok(Baseline {
                fingerprints: doc.findings.into_iter().map(|f| f.fingerprint).collect(),
                account: doc.account,
                regions: doc.regions,
                name: name.to_string(),
                text,
            }),
            Err(error) => {
                let span = span_at_line_column(&text, error.line(), error.column());
                let message = format!(
                    "{}; a baseline is the JSON output of `drscan audit --format json`",
                    crate::error::json_error_message(&error)
                );
                Err(DrscanError::malformed("baseline", message, "here", NamedSource::new(name, text), span))
            }
        }
    }

    pub fn contains(&self, fingerprint: &str) -> bool {
        self.fingerprints.contains(fingerprint)
    }

    /// A baseline from another account or region pair than the audit's is an input error: its
    /// fingerprints name other resources, and the gate would pass on findings it never knew.
    pub fn check_matches(&self, account: &str, regions: &RegionPair) -> Result<(), DrscanError> {
        let problem = |key: &str, message: String| {
            let src = NamedSource::new(self.name.clone(), self.text.clone());
            DrscanError::malformed(
                "baseline",
                message,
                "recorded here",
                src,
                span_of_key_value(&self.text, key),
            )
        };
        if let Some(theirs) = &self.regions
            && theirs != regions
        {
            return Err(problem(
                "regions",
                format!(
                    "the baseline is of the region pair {} → {}, this audit of {} → {}; a baseline must come from an audit of the same pair",
                    theirs.primary, theirs.dr, regions.primary, regions.dr
                ),
            ));
        }
        if let Some(theirs) = self.account.as_deref()
            && theirs != account
        {
            return Err(problem(
                "account",
                format!(
                    "the baseline is of account {theirs}, this audit of account {account}; a baseline must come from an audit of the same account"
                ),
            ));
        }
        Ok(())
    }
}
