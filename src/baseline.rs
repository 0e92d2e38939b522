//! `--baseline FILE`: a previous `--format json` output. Findings whose fingerprint it already
//! holds are "known before" and do not fail the gate, so a team can adopt drscan on an
//! imperfect account and still block every new gap.

use crate::error::{DrscanError, span_at_line_column};
use miette::NamedSource;
use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct Baseline {
    pub fingerprints: HashSet<String>,
}

#[derive(Deserialize)]
struct BaselineDocument {
    findings: Vec<BaselineFinding>,
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
            Ok(doc) => {
                Ok(Baseline { fingerprints: doc.findings.into_iter().map(|f| f.fingerprint).collect() })
            }
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
}
