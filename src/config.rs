//! `drscan.toml`: each section deserialized straight into the settings type of the code that
//! reads it ([`Sections`]: targets and step times from the estimate, thresholds and rule
//! settings from `settings`, the gate from the audit), then the checks that span several keys.
//! Every problem of the file is reported in one run, each at its line and column (exit 2).
//! Flags are applied on top by the CLI's overrides step, not here.

use crate::audit::GatePolicy;
use crate::collection::pacing::CollectionSettings;
use crate::collection::sdk::AccountSettings;
use crate::error::{DrscanError, InputProblem};
use crate::estimate::{DeclaredAutomation, EstimateConstants, FailoverStep, Targets};
use crate::inventory::RegionPair;
use crate::inventory::matching::Matching;
use crate::organization::{OrgSettings, PairRule};
use crate::rules;
use crate::settings::{DeclaredExercise, RuleSetting, S3Settings, Settings, Thresholds};
use crate::waivers::Waiver;
use chrono::NaiveDate;
use serde::de::{DeserializeOwned, Error as _, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

/// The file the CLI looks for in the working directory when `--config` is not given.
pub const DEFAULT_CONFIG_FILE: &str = "drscan.toml";

/// A configuration whose every value has been checked.
#[derive(Debug, Clone, Default)]
pub struct ValidConfig {
    /// The file as named on the command line; `None` when there is none (all defaults).
    pub path: Option<String>,
    /// 1-based line of the `[regions]` table, for SARIF locations.
    pub regions_line: Option<usize>,
    pub regions: Regions,
    pub settings: Settings,
    pub gate: GatePolicy,
    pub collection: CollectionSettings,
    pub accounts: AccountSettings,
    pub waivers: Vec<Waiver>,
    pub organization: OrgSettings,
}

/// `[regions]`: the pair to collect, or to check a snapshot against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Regions {
    pub primary: Option<String>,
    pub dr: Option<String>,
}

/// The file's shape: one field per section, each of the type that its reader defines.
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Sections {
    regions: RegionsSection,
    targets: Targets,
    thresholds: Thresholds,
    applications: ApplicationsSection,
    ami: AmiSection,
    asg: AsgSection,
    estimate: EstimateConstants,
    automation: Vec<AutomationEntry>,
    exercise: Vec<DeclaredExercise>,
    gate: GatePolicy,
    collection: CollectionSettings,
    s3: S3Settings,
    accounts: AccountSettings,
    rules: RuleEntries,
    waiver: Vec<WaiverEntry>,
    organization: OrganizationSection,
}

/// `[organization]`: organization mode's settings ([`OrgSettings`]).
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct OrganizationSection {
    #[serde(default, deserialize_with = "optional_non_empty")]
    role_name: Option<String>,
    #[serde(default, deserialize_with = "optional_non_empty")]
    external_id: Option<String>,
    accounts_in_flight: Option<Spanned<usize>>,
    ous: Vec<String>,
    exclude: Vec<String>,
    regions: Vec<Spanned<PairEntry>>,
}

/// One `[[organization.regions]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PairEntry {
    #[serde(default)]
    accounts: Vec<String>,
    /// `key=value`.
    tag: Option<String>,
    primary: RegionName,
    dr: RegionName,
}

fn optional_non_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    crate::parse::non_empty(deserializer).map(Some)
}

#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RegionsSection {
    primary: Option<Spanned<RegionName>>,
    dr: Option<Spanned<RegionName>>,
}

/// `[applications]`, `[ami]` and `[asg]` are sections of one [`Matching`].
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ApplicationsSection {
    #[serde(deserialize_with = "crate::parse::non_empty")]
    tag_key: String,
    /// Failover record name → application, for records whose targets carry no tag.
    records: BTreeMap<String, String>,
}

impl Default for ApplicationsSection {
    fn default() -> Self {
        ApplicationsSection { tag_key: Matching::default().app_tag_key, records: BTreeMap::new() }
    }
}

#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct AmiSection {
    #[serde(deserialize_with = "crate::parse::non_empty")]
    pairing_tag: String,
}

impl Default for AmiSection {
    fn default() -> Self {
        AmiSection { pairing_tag: Matching::default().ami_pairing_tag }
    }
}

/// `[asg]`: how a DR Auto Scaling group is paired with its primary group, tier by tier.
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct AsgSection {
    #[serde(deserialize_with = "crate::parse::non_empty")]
    pairing_tag: String,
}

impl Default for AsgSection {
    fn default() -> Self {
        AsgSection { pairing_tag: Matching::default().asg_pairing_tag }
    }
}

/// One `[[automation]]`: a [`DeclaredAutomation`] plus `how`, which is for people.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AutomationEntry {
    #[serde(deserialize_with = "failover_step")]
    step: FailoverStep,
    app: Option<String>,
    #[serde(rename = "how")]
    _how: Option<String>,
}

/// One `[[waiver]]`; every key is required (SPEC §7).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverEntry {
    rule: Spanned<RuleName>,
    resource: ResourceGlob,
    #[serde(deserialize_with = "crate::parse::non_empty")]
    reason: String,
    expires: ExpiryDate,
}

/// A region drscan knows ([`crate::regions`]); a typo is refused with the nearest names.
struct RegionName(String);

impl<'de> Deserialize<'de> for RegionName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        crate::regions::check(&text)
            .map(|region| RegionName(region.name.to_string()))
            .map_err(D::Error::custom)
    }
}

/// A rule given by name or code, held by its canonical name.
struct RuleName(String);

impl<'de> Deserialize<'de> for RuleName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match rules::find(&text) {
            Some(rule) => Ok(RuleName(rule.meta().name.to_string())),
            None => Err(D::Error::custom(format!("unknown rule `{text}` (`drscan rules` lists them)"))),
        }
    }
}

/// `[rules]` in file order: a rule set twice (by name and by code) is a problem, not a
/// silent override.
#[derive(Default)]
struct RuleEntries(Vec<(Spanned<RuleName>, RuleSetting)>);

impl<'de> Deserialize<'de> for RuleEntries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = RuleEntries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a table of rule = \"off\" or a severity")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RuleEntries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(RuleEntries(entries))
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

/// A waiver's resource-ARN glob, compiled.
struct ResourceGlob {
    pattern: String,
    matcher: globset::GlobMatcher,
}

impl<'de> Deserialize<'de> for ResourceGlob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let pattern = String::deserialize(deserializer)?.trim().to_string();
        let glob = globset::GlobBuilder::new(&pattern)
            .literal_separator(false)
            .build()
            .map_err(|e| D::Error::custom(format!("invalid resource glob: {e}")))?;
        Ok(ResourceGlob { matcher: glob.compile_matcher(), pattern })
    }
}

struct ExpiryDate(NaiveDate);

impl<'de> Deserialize<'de> for ExpiryDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map(ExpiryDate)
            .map_err(|e| D::Error::custom(format!("invalid expiry date `{text}`: {e} (expected YYYY-MM-DD)")))
    }
}

fn failover_step<'de, D: Deserializer<'de>>(deserializer: D) -> Result<FailoverStep, D::Error> {
    let text = String::deserialize(deserializer)?;
    FailoverStep::ALL.into_iter().find(|s| s.as_str() == text.trim()).ok_or_else(|| {
        let names: Vec<&str> = FailoverStep::ALL.iter().map(|s| s.as_str()).collect();
        D::Error::custom(format!("unknown failover step `{text}` (expected one of {})", names.join(", ")))
    })
}

impl ValidConfig {
    /// `--config FILE`, else `drscan.toml` in the working directory if present, else defaults.
    pub fn discover(explicit: Option<&Path>) -> Result<ValidConfig, DrscanError> {
        match explicit {
            Some(path) => Self::load(path),
            None if Path::new(DEFAULT_CONFIG_FILE).is_file() => Self::load(Path::new(DEFAULT_CONFIG_FILE)),
            None => Ok(ValidConfig::default()),
        }
    }

    pub fn load(path: &Path) -> Result<ValidConfig, DrscanError> {
        let text = crate::input::read_text("configuration", path)?;
        Self::parse(&path.display().to_string(), text)
    }

    /// Parse and check a whole file; the error lists every problem found.
    pub fn parse(name: &str, text: String) -> Result<ValidConfig, DrscanError> {
        let mut problems = Vec::new();
        match read(name, &text, &mut problems) {
            Some(config) if problems.is_empty() => Ok(config),
            _ => {
                if problems.is_empty() {
                    problems.push(InputProblem::new(0..0, "the file could not be read", "here"));
                }
                Err(DrscanError::malformed_all("configuration", name, text, problems))
            }
        }
    }
}

/// Everything `parse` does but turning the problems into a diagnostic; `None` when the file
/// could not be read far enough to check the rest.
fn read(name: &str, text: &str, problems: &mut Vec<InputProblem>) -> Option<ValidConfig> {
    let (tree, syntax_errors) = DeTable::parse_recoverable(text);
    if !syntax_errors.is_empty() {
        // A recovered tree would add problems that are only echoes of the syntax error.
        problems.extend(syntax_errors.iter().map(|e| problem(e.span().unwrap_or(0..0), e.message())));
        return None;
    }
    let regions_line =
        tree.get_ref().get_key_value("regions").map(|(key, _)| line_of(text, key.span().start));
    let sections: Sections = deserialize_all(tree, problems)?;

    Some(ValidConfig {
        path: Some(name.to_string()),
        regions_line,
        regions: sections.regions.check(problems),
        settings: Settings {
            matching: Matching {
                app_tag_key: sections.applications.tag_key,
                record_applications: sections
                    .applications
                    .records
                    .into_iter()
                    .map(|(name, app)| (crate::inventory::dns::normalize_dns_name(&name), app))
                    .collect(),
                ami_pairing_tag: sections.ami.pairing_tag,
                asg_pairing_tag: sections.asg.pairing_tag,
            },
            targets: sections.targets,
            thresholds: sections.thresholds,
            estimate: sections.estimate,
            declared_automation: sections
                .automation
                .into_iter()
                .map(|a| DeclaredAutomation { app: a.app, step: a.step })
                .collect(),
            exercises: sections.exercise,
            rule_settings: sections.rules.check(text, problems),
            s3: sections.s3,
        },
        gate: sections.gate,
        collection: sections.collection,
        accounts: sections.accounts,
        waivers: sections.waiver.into_iter().map(|w| w.into_waiver(text)).collect(),
        organization: sections.organization.check(problems),
    })
}

impl OrganizationSection {
    fn check(self, problems: &mut Vec<InputProblem>) -> OrgSettings {
        if let Some(n) = &self.accounts_in_flight
            && *n.get_ref() == 0
        {
            problems.push(InputProblem::new(n.span(), "accounts_in_flight must be at least 1", "here"));
        }
        let mut pairs = Vec::new();
        for entry in self.regions {
            let span = entry.span();
            let PairEntry { accounts, tag, primary, dr } = entry.into_inner();
            let tag = match tag.as_deref().map(|t| t.split_once('=')) {
                None => None,
                Some(Some((key, value))) if !key.trim().is_empty() => {
                    Some((key.trim().to_string(), value.trim().to_string()))
                }
                Some(_) => {
                    problems.push(InputProblem::new(span.clone(), "a tag is written key=value", "here"));
                    continue;
                }
            };
            if accounts.is_empty() && tag.is_none() {
                let message = "an [[organization.regions]] entry names `accounts` or a `tag` it applies to";
                problems.push(InputProblem::new(span, message, "applies to no account"));
                continue;
            }
            if primary.0 == dr.0 {
                let message = "the DR region must differ from the primary region";
                problems.push(InputProblem::new(span, message, "same as primary"));
                continue;
            }
            pairs.push(PairRule { accounts, tag, regions: RegionPair { primary: primary.0, dr: dr.0 } });
        }
        OrgSettings {
            role_name: self.role_name,
            external_id: self.external_id,
            accounts_in_flight: self.accounts_in_flight.map(|n| n.into_inner()),
            ous: self.ous,
            exclude: self.exclude,
            pairs,
        }
    }
}

impl RegionsSection {
    fn check(self, problems: &mut Vec<InputProblem>) -> Regions {
        let primary = self.primary.map(|r| r.into_inner().0);
        let dr = self.dr.map(|r| (r.span(), r.into_inner().0));
        if let (Some(primary), Some((span, dr))) = (&primary, &dr)
            && primary == dr
        {
            let message = "the DR region must differ from the primary region";
            problems.push(InputProblem::new(span.clone(), message, "same as primary"));
        }
        Regions { primary, dr: dr.map(|(_, dr)| dr) }
    }
}

impl RuleEntries {
    /// Rule name → setting. The parsed tree orders keys by name, not by line: entries are
    /// taken in file order, so the first setting of a rule is kept and a later one reported.
    fn check(self, text: &str, problems: &mut Vec<InputProblem>) -> BTreeMap<String, RuleSetting> {
        let mut entries = self.0;
        entries.sort_by_key(|(rule, _)| rule.span().start);
        let mut settings = BTreeMap::new();
        let mut first_line = BTreeMap::new();
        for (rule, setting) in entries {
            let span = rule.span();
            let RuleName(name) = rule.into_inner();
            if let Some(line) = first_line.get(&name) {
                let message =
                    format!("rule `{name}` is already set on line {line} (a name and its code are one rule)");
                problems.push(InputProblem::new(span, message, "set again here"));
                continue;
            }
            first_line.insert(name.clone(), line_of(text, span.start));
            settings.insert(name, setting);
        }
        settings
    }
}

impl WaiverEntry {
    fn into_waiver(self, text: &str) -> Waiver {
        Waiver {
            line: line_of(text, self.rule.span().start),
            rule: self.rule.into_inner().0,
            resource: self.resource.pattern,
            matcher: self.resource.matcher,
            reason: self.reason,
            expires: self.expires.0,
        }
    }
}

/// Deserialize `T`, collecting every problem rather than the first. serde stops at the first
/// error, so the entry that error is about is cut from the parsed tree and the file is
/// deserialized again, until it deserializes or the error is about nothing that can be cut.
/// Each pass finds one more problem (a file has a handful). Cutting a required key makes its
/// table report it missing on the next pass: that echo is not a problem of its own.
fn deserialize_all<T: DeserializeOwned>(
    mut tree: Spanned<DeTable<'_>>,
    problems: &mut Vec<InputProblem>,
) -> Option<T> {
    let mut cut_keys: Vec<(Range<usize>, String)> = Vec::new();
    loop {
        let error = match T::deserialize(toml::de::Deserializer::from(tree.clone())) {
            Ok(value) => return Some(value),
            Err(error) => error,
        };
        let span = error.span().unwrap_or(0..0);
        let missing = error.message().strip_prefix("missing field `").and_then(|rest| rest.split('`').next());
        let echo =
            missing.is_some_and(|key| cut_keys.iter().any(|(table, cut)| *table == span && cut == key));
        if !echo {
            problems.push(problem(span.clone(), error.message()));
        }
        let root_span = tree.span();
        match cut_in_table(tree.get_mut(), root_span, &span)? {
            Cut::Key { table, key } => cut_keys.push((table, key)),
            Cut::Element => {}
        }
    }
}

/// What [`cut_in_table`] removed.
enum Cut {
    /// The key `key` of the table spanning `table`.
    Key { table: Range<usize>, key: String },
    /// An element of an array.
    Element,
}

/// Remove the innermost entry of `table` (or of the tables and arrays in it) that `error` lies
/// in: a key, its value, or an element of an array.
fn cut_in_table(table: &mut DeTable<'_>, table_span: Range<usize>, error: &Range<usize>) -> Option<Cut> {
    let mut found = None;
    for (key, value) in table.iter_mut() {
        if let Some(cut) = cut_in_value(value, error) {
            return Some(cut);
        }
        if contains(&key.span(), error) || contains(&value.span(), error) {
            found = Some(key.get_ref().to_string());
            break;
        }
    }
    let key = found?;
    table.remove(key.as_str());
    Some(Cut::Key { table: table_span, key })
}

fn cut_in_value(value: &mut Spanned<DeValue<'_>>, error: &Range<usize>) -> Option<Cut> {
    let span = value.span();
    match value.get_mut() {
        DeValue::Table(table) => cut_in_table(table, span, error),
        DeValue::Array(array) => {
            for item in array.iter_mut() {
                if let Some(cut) = cut_in_value(item, error) {
                    return Some(cut);
                }
            }
            let index = array.iter().position(|item| contains(&item.span(), error))?;
            let kept =
                std::mem::replace(array, DeArray::new()).into_iter().enumerate().filter(|(i, _)| *i != index);
            *array = kept.map(|(_, item)| item).collect();
            Some(Cut::Element)
        }
        _ => None,
    }
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// A problem as toml or a section's deserializer reported it.
fn problem(span: Range<usize>, message: &str) -> InputProblem {
    let label = if message.starts_with("unknown field") {
        "unknown key"
    } else if message.starts_with("missing field") {
        "in this table"
    } else {
        "here"
    };
    InputProblem::new(span, message.trim(), label)
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::{Visitor, value::Error as ListError};
    use std::collections::BTreeSet;

    /// The keys serde accepts in a struct-shaped section, as serde itself lists them.
    fn keys_of<T: DeserializeOwned>() -> &'static [&'static str] {
        struct KeyLister<'a>(&'a mut &'static [&'static str]);
        impl<'de> Deserializer<'de> for KeyLister<'_> {
            type Error = ListError;
            fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, ListError> {
                Err(ListError::custom("not a struct"))
            }
            fn deserialize_struct<V: Visitor<'de>>(
                self,
                _: &'static str,
                fields: &'static [&'static str],
                _: V,
            ) -> Result<V::Value, ListError> {
                *self.0 = fields;
                Err(ListError::custom("listed"))
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
                byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
                identifier ignored_any
            }
        }
        let mut keys: &'static [&'static str] = &[];
        let _ = T::deserialize(KeyLister(&mut keys));
        keys
    }

    /// `(section, key)` for every `key = …` line of the example, commented out or not, and
    /// `(section, "")` for every table header.
    fn documented(example: &str) -> BTreeSet<(String, String)> {
        let mut found = BTreeSet::new();
        let mut section = String::new();
        for line in example.lines() {
            let line = line.strip_prefix("# ").unwrap_or(line).trim();
            if line.starts_with('[') {
                section = line.trim_matches(['[', ']']).to_string();
                found.insert((section.clone(), String::new()));
            } else if let Some((key, _)) = line.split_once(" = ")
                && !key.contains(' ')
            {
                found.insert((section.clone(), key.to_string()));
            }
        }
        found
    }

    /// `(line, message)` of every problem `ValidConfig::parse` reports for `text`.
    fn problems_of(text: &str) -> Vec<(usize, String)> {
        let problems = match ValidConfig::parse("drscan.toml", text.to_string()) {
            Ok(_) => Vec::new(),
            Err(DrscanError::MalformedInput(one)) => {
                vec![InputProblem { message: one.message, label: one.label, span: one.span }]
            }
            Err(DrscanError::MalformedInputs(all)) => all.problems,
            Err(other) => panic!("not a configuration diagnostic: {other}"),
        };
        problems.into_iter().map(|p| (line_of(text, p.span.offset()), p.message)).collect()
    }

    #[test]
    fn problems_at_every_depth_are_all_reported_in_file_order() {
        let text = "[applications]\ntag_key = \"app\"\n[applications.records]\n\"a.example.com\" = 1\n\n\
                    [[automation]]\nstep = \"promote\"\n\n[[automation]]\nstep = \"dr-scale-out\"\nwhen = \"always\"\n\n\
                    [gate]\nfail_on = { level = \"high\" }\n\n[rules]\nDR101 = \"off\"\nami-missing-in-dr = \"low\"\n";
        let problems = problems_of(text);
        let found: Vec<(usize, &str)> = problems
            .iter()
            .map(|(line, message)| (*line, message.split([' ', ',']).next().unwrap_or("")))
            .collect();
        assert_eq!(
            found,
            [(4, "invalid"), (7, "unknown"), (11, "unknown"), (14, "invalid"), (18, "rule")],
            "{problems:#?}"
        );
        assert!(problems[1].1.contains("unknown failover step `promote`"));
        assert!(problems[2].1.contains("unknown field `when`"));
        assert!(problems[4].1.contains("already set on line 17"));
    }

    #[test]
    fn organization_entries_name_their_accounts_and_two_regions() {
        let text = "[organization]\nrole_name = \"drscan-audit\"\naccounts_in_flight = 0\n\n\
                    [[organization.regions]]\nprimary = \"eu-west-1\"\ndr = \"eu-central-1\"\n\n\
                    [[organization.regions]]\ntag = \"no-equals\"\nprimary = \"eu-west-1\"\ndr = \"eu-central-1\"\n\n\
                    [[organization.regions]]\naccounts = [\"111122223333\"]\nprimary = \"eu-west-1\"\ndr = \"eu-west-1\"\n";
        let problems: Vec<String> =
            problems_of(text).into_iter().map(|(line, message)| format!("{line}: {message}")).collect();
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(problems[0].starts_with("3: accounts_in_flight must be at least 1"), "{problems:#?}");
        assert!(problems.iter().any(|p| p.contains("applies to")), "{problems:#?}");
        assert!(problems.iter().any(|p| p.contains("key=value")), "{problems:#?}");
        assert!(problems.iter().any(|p| p.contains("must differ")), "{problems:#?}");
        let good = "[organization]\nrole_name = \"r\"\n[[organization.regions]]\ntag = \"dr-pair = eu\"\nprimary = \"eu-west-1\"\ndr = \"eu-central-1\"\n";
        let config = ValidConfig::parse("drscan.toml", good.to_string()).expect("valid");
        let tags = BTreeMap::from([("dr-pair".to_string(), "eu".to_string())]);
        let pair = config.organization.pair_for("111122223333", &tags, None).expect("the tag matches");
        assert_eq!((pair.primary.as_str(), pair.dr.as_str()), ("eu-west-1", "eu-central-1"));
        assert_eq!(config.organization.pair_for("111122223333", &BTreeMap::new(), None), None);
    }

    #[test]
    fn accounts_take_role_arns_and_point_at_one_that_is_not() {
        let text = "[accounts]\ndr_role_arn = \"arn:aws:iam::222222222222:role/drscan\"\nbackup_role_arns = [\"arn:aws:iam::333333333333:role/b\", \"drscan-backup\"]\nexternal_id = \"x\"\n";
        let problems = problems_of(text);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].0, 3);
        assert!(problems[0].1.contains("not an IAM role ARN"), "{problems:?}");
        let valid = ValidConfig::parse(
            "drscan.toml",
            "[accounts]\ndns_role_arn = \"arn:aws:iam::444444444444:role/d\"\n".into(),
        )
        .expect("a valid [accounts]");
        assert_eq!(valid.accounts.dns_role_arn.as_deref(), Some("arn:aws:iam::444444444444:role/d"));
    }

    #[test]
    fn exercises_are_read_with_their_dates_and_results_and_each_bad_one_located() {
        let good = "[[exercise]]\napp = \"web\"\ndate = \"2026-11-20\"\nfailed_over = \"db promoted\"\nresult = \"passed\"\n\n\
                    [[exercise]]\napp = \"api\"\ndate = 2026-10-01\nfailed_over = \"web tier\"\nresult = \"failed\"\n";
        let config = ValidConfig::parse("drscan.toml", good.to_string()).expect("valid exercises");
        let read: Vec<(&str, String, crate::settings::ExerciseResult)> = config
            .settings
            .exercises
            .iter()
            .map(|e| (e.app.as_str(), e.date.to_string(), e.result))
            .collect();
        use crate::settings::ExerciseResult::{Failed, Passed};
        assert_eq!(
            read,
            [("web", "2026-11-20".to_string(), Passed), ("api", "2026-10-01".to_string(), Failed)]
        );

        let bad = "[[exercise]]\napp = \"web\"\ndate = \"20/11/2026\"\nfailed_over = \"db\"\nresult = \"passed\"\n\n\
                   [[exercise]]\napp = \"web\"\ndate = \"2026-11-20\"\nfailed_over = \"db\"\nresult = \"ok\"\n\n\
                   [[exercise]]\napp = \"web\"\ndate = \"2026-11-20\"\nresult = \"passed\"\n\n\
                   [thresholds]\nexercise_window = \"soon\"\n";
        let problems = problems_of(bad);
        let lines: Vec<usize> = problems.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [3, 11, 13, 19], "{problems:#?}");
        assert!(problems[0].1.contains("invalid date `20/11/2026`"), "{problems:#?}");
        assert!(problems[1].1.contains("unknown variant `ok`"), "{problems:#?}");
        assert!(problems[2].1.contains("missing field `failed_over`"), "{problems:#?}");
        assert!(problems[3].1.contains("invalid duration `soon`"), "{problems:#?}");
    }

    #[test]
    fn a_clean_file_has_no_problems() {
        assert!(problems_of("[targets]\nrto = \"2m\"\n[[automation]]\nstep = \"dr-scale-out\"\n").is_empty());
    }

    #[test]
    fn the_example_documents_every_section_and_key() {
        let documented = documented(include_str!("../drscan.example.toml"));
        let sections: [(&str, &[&str]); 16] = [
            ("regions", keys_of::<RegionsSection>()),
            ("targets", keys_of::<Targets>()),
            ("thresholds", keys_of::<Thresholds>()),
            ("applications", keys_of::<ApplicationsSection>()),
            ("ami", keys_of::<AmiSection>()),
            ("asg", keys_of::<AsgSection>()),
            ("estimate", keys_of::<EstimateConstants>()),
            ("automation", keys_of::<AutomationEntry>()),
            ("exercise", keys_of::<DeclaredExercise>()),
            ("gate", keys_of::<GatePolicy>()),
            ("collection", keys_of::<CollectionSettings>()),
            ("s3", keys_of::<S3Settings>()),
            ("accounts", keys_of::<AccountSettings>()),
            ("waiver", keys_of::<WaiverEntry>()),
            ("organization", keys_of::<OrganizationSection>()),
            ("organization.regions", keys_of::<PairEntry>()),
        ];
        let listed: Vec<&str> = sections.iter().map(|(name, _)| *name).collect();
        for section in keys_of::<Sections>() {
            assert!(
                documented.contains(&(section.to_string(), String::new())),
                "no [{section}] in the example"
            );
            // `[rules]` is a map of rule names: its keys are the catalog's.
            assert!(listed.contains(section) || *section == "rules", "list [{section}]'s keys here");
        }
        for (section, keys) in sections {
            assert!(!keys.is_empty(), "[{section}] lists its keys");
            for key in keys {
                let as_key = documented.contains(&(section.to_string(), key.to_string()));
                let as_table = documented.contains(&(format!("{section}.{key}"), String::new()));
                assert!(as_key || as_table, "drscan.example.toml does not document [{section}] {key}");
            }
        }
    }
}
