//! `drscan merge`: the shards' roll-ups into one. Each file must be a roll-up of this schema;
//! all must have been decided under the same gate policy and the same shard count, and no
//! account or shard may appear twice. Any other input is a located diagnostic (exit 2). The
//! merged roll-up covers the shards it was given; a shard that is missing fails its gate.

use super::{ROLLUP_KIND, ROLLUP_SCHEMA_VERSION, RollUp, ShardCoverage};
use crate::audit::GatePolicy;
use crate::error::{DrscanError, span_at_line_column, span_of_key_value};
use miette::{NamedSource, SourceSpan};
use std::collections::BTreeMap;
use std::path::Path;

/// One roll-up file as read, kept with its text for diagnostics.
#[derive(Debug)]
pub struct RollUpFile {
    pub name: String,
    text: String,
    pub rollup: RollUp,
}

impl RollUpFile {
    pub fn load(path: &Path) -> Result<RollUpFile, DrscanError> {
        let text = crate::input::read_text("roll-up", path)?;
        Self::parse(&path.display().to_string(), text)
    }

    pub fn parse(name: &str, text: String) -> Result<RollUpFile, DrscanError> {
        let help = "a roll-up is the rollup.json that `drscan audit --org` writes in its output directory";
        let rollup = match crate::input::strict_json::from_str::<RollUp>(&text) {
            Ok(rollup) => rollup,
            Err(error) => {
                let span = span_at_line_column(&text, error.line(), error.column());
                let message = crate::error::json_error_message(&error);
                return Err(DrscanError::malformed(
                    "roll-up",
                    message,
                    "here",
                    NamedSource::new(name, text),
                    span,
                )
                .with_help(help));
            }
        };
        let file = RollUpFile { name: name.to_string(), text, rollup };
        if file.rollup.kind != ROLLUP_KIND {
            return Err(
                file.problem("kind", format!("this is not a drscan roll-up: kind is `{}`", file.rollup.kind))
            );
        }
        if file.rollup.schema_version != ROLLUP_SCHEMA_VERSION {
            let message = format!(
                "roll-up schema version {} is not the {ROLLUP_SCHEMA_VERSION} this drscan reads",
                file.rollup.schema_version
            );
            return Err(file.problem("schema_version", message));
        }
        Ok(file)
    }

    fn problem(&self, key: &str, message: String) -> DrscanError {
        self.problem_at(span_of_key_value(&self.text, key), message)
    }

    fn problem_at(&self, span: SourceSpan, message: String) -> DrscanError {
        let src = NamedSource::new(self.name.clone(), self.text.clone());
        DrscanError::malformed("roll-up", message, "here", src, span)
    }

    /// The span of `"account": "<id>"`'s value.
    fn account_span(&self, id: &str) -> SourceSpan {
        let needle = format!("\"account\": \"{id}\"");
        match self.text.find(&needle) {
            Some(at) => SourceSpan::from((at + "\"account\": ".len(), id.len() + 2)),
            None => span_of_key_value(&self.text, "accounts"),
        }
    }
}

/// Merge the shards' roll-ups (at least one).
pub fn merge(files: &[RollUpFile]) -> Result<RollUp, DrscanError> {
    let Some(first) = files.first() else {
        return Err(DrscanError::usage("drscan merge needs at least one roll-up file"));
    };
    let gate = &first.rollup.gate;
    let count = first.rollup.shards.count;
    let mut shard_owner: BTreeMap<u32, &str> = BTreeMap::new();
    let mut account_owner: BTreeMap<&str, &str> = BTreeMap::new();
    let mut accounts = Vec::new();
    let mut listing_requests = 0;
    for file in files {
        let rollup = &file.rollup;
        let same_gate = rollup.gate.fail_on == gate.fail_on
            && rollup.gate.allow_unknown == gate.allow_unknown
            && rollup.gate.allow_empty == gate.allow_empty;
        if !same_gate {
            return Err(file.problem(
                "gate",
                format!(
                    "this roll-up's gate policy differs from that of {}; merge shards of one run",
                    first.name
                ),
            ));
        }
        if rollup.shards.count != count {
            return Err(file.problem(
                "shards",
                format!(
                    "this roll-up is of {} shards, {} of {count}: merge the shards of one --shard K/N run",
                    rollup.shards.count, first.name
                ),
            ));
        }
        for shard in &rollup.shards.included {
            if let Some(other) = shard_owner.insert(*shard, &file.name) {
                return Err(file.problem("included", format!("shard {shard}/{count} is also in {other}")));
            }
        }
        for entry in &rollup.accounts {
            if let Some(other) = account_owner.insert(&entry.account, &file.name) {
                let message = format!(
                    "account {} is also in {other}: each account belongs to one shard",
                    entry.account
                );
                return Err(file.problem_at(file.account_span(&entry.account), message));
            }
            accounts.push(entry.clone());
        }
        listing_requests += rollup.listing_requests;
    }
    let policy = GatePolicy {
        fail_on: gate.fail_on,
        allow_unknown: gate.allow_unknown,
        allow_empty: gate.allow_empty,
    };
    let coverage = ShardCoverage { count, included: shard_owner.into_keys().collect() };
    Ok(RollUp::new(accounts, policy, coverage, listing_requests))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::GateResult;
    use crate::organization::AccountVerdict;
    use crate::organization::tests::entry;

    fn shard(index: u32, count: u32, ids: &[&str]) -> RollUpFile {
        let accounts = ids.iter().map(|id| entry(id, AccountVerdict::Ready, Some(100), None)).collect();
        let rollup =
            RollUp::new(accounts, GatePolicy::default(), ShardCoverage { count, included: vec![index] }, 1);
        RollUpFile::parse(&format!("shard-{index}.json"), rollup.to_json()).expect("a roll-up reads back")
    }

    #[test]
    fn shards_merge_into_the_whole() {
        let merged = merge(&[shard(2, 2, &["3", "1"]), shard(1, 2, &["2"])]).expect("merge");
        let ids: Vec<&str> = merged.accounts.iter().map(|a| a.account.as_str()).collect();
        assert_eq!(ids, ["1", "2", "3"]);
        assert_eq!(merged.shards, ShardCoverage { count: 2, included: vec![1, 2] });
        assert_eq!((merged.summary.accounts, merged.listing_requests), (3, 2));
        assert_eq!(merged.gate.result, GateResult::Passed);
        let partial = merge(&[shard(1, 2, &["2"])]).expect("merge");
        assert_eq!(partial.gate.result, GateResult::Failed, "shard 2 of 2 is missing");
    }

    #[test]
    fn an_account_or_shard_twice_is_refused_where_it_repeats() {
        let error = merge(&[shard(1, 2, &["1", "2"]), shard(2, 2, &["2"])]).expect_err("refused");
        let text = format!("{:?}", miette::Report::new(error));
        assert!(text.contains("account 2 is also in shard-1.json"), "{text}");
        let error = merge(&[shard(1, 2, &["1"]), shard(1, 2, &["2"])]).expect_err("refused");
        assert!(error.to_string().contains("shard 1/2 is also in shard-1.json"), "{error}");
        let error = merge(&[shard(1, 2, &["1"]), shard(1, 3, &["2"])]).expect_err("refused");
        assert!(error.to_string().contains("of 3 shards"), "{error}");
    }

    #[test]
    fn other_json_is_a_located_error() {
        let error = RollUpFile::parse("x.json", "{\"findings\": []}".to_string()).expect_err("refused");
        assert!(matches!(error, DrscanError::MalformedInput(_)), "{error:?}");
        let mut text = shard(1, 1, &["1"]).text;
        text = text.replacen(ROLLUP_KIND, "something-else", 1);
        let error = RollUpFile::parse("y.json", text).expect_err("refused");
        assert!(error.to_string().contains("not a drscan roll-up"), "{error}");
    }
}
