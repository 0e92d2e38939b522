//! What could not be read, named and counted in the same terms everywhere: a *failed read* is
//! one AWS operation that failed one way (`elasticfilesystem:DescribeReplicationConfigurations
//! failed (access denied)`), in one region. `drscan collect` counts them in the snapshot —
//! listings left incomplete and values left unknown — and the audit's text output lists the
//! same failed reads once each, with the findings and estimate terms they left unknown.

use crate::inventory::{ResourceKind, Snapshot, UnknownReason};
use serde_json::Value;
use std::collections::BTreeMap;

/// One failed read in a snapshot, and what it left unknown.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedRead {
    pub reason: UnknownReason,
    /// `None`: Route 53 (global), or not tied to a region.
    pub region: Option<String>,
    /// Kinds whose listing it left incomplete.
    pub kinds: Vec<ResourceKind>,
    /// Values of listed resources it left unknown (target health, lag metrics, …).
    pub values: usize,
}

impl FailedRead {
    /// `ec2:DescribeImages failed (access denied) in us-east-1`, without the AWS message.
    pub fn headline(&self) -> String {
        let reason = UnknownReason { message: String::new(), ..self.reason.clone() };
        match &self.region {
            Some(region) => format!("{reason} in {region}"),
            None => reason.to_string(),
        }
    }

    /// What it left unknown: `ec2:image not listed`, `3 values unknown`.
    pub fn effect(&self) -> String {
        let mut parts = Vec::new();
        if !self.kinds.is_empty() {
            let kinds: Vec<&str> = self.kinds.iter().map(|k| k.as_str()).collect();
            parts.push(format!("{} not fully listed", kinds.join(", ")));
        }
        if self.values > 0 {
            parts.push(format!("{} value{} unknown", self.values, if self.values == 1 { "" } else { "s" }));
        }
        parts.join("; ")
    }
}

/// Every failed read recorded in `snapshot`: its collection errors (listings) and every value
/// collected as `{"unknown": …}`, grouped by region, operation, cause and message.
pub fn of_snapshot(snapshot: &Snapshot) -> Vec<FailedRead> {
    type Key = (Option<String>, String, String, String);
    fn entry<'a>(
        reads: &'a mut BTreeMap<Key, FailedRead>,
        region: Option<&str>,
        reason: UnknownReason,
    ) -> &'a mut FailedRead {
        let key = (
            region.map(str::to_string),
            reason.operation.clone(),
            reason.cause.to_string(),
            reason.message.clone(),
        );
        reads.entry(key).or_insert_with(|| FailedRead {
            reason,
            region: region.map(str::to_string),
            kinds: Vec::new(),
            values: 0,
        })
    }
    let mut reads: BTreeMap<Key, FailedRead> = BTreeMap::new();
    for error in &snapshot.collection_errors {
        let read = entry(&mut reads, error.region.as_deref(), error.reason());
        read.kinds.extend(error.kinds.iter().copied());
    }
    // Values are `Known<T>`, serialized as `{"unknown": {operation, cause, message}}`: the
    // serialized form finds them in every resource kind without a list to keep in step.
    let mut unknowns = Vec::new();
    for (region, resources) in &snapshot.resources.regional {
        if let Ok(tree) = serde_json::to_value(resources) {
            find_unknowns(&tree, &mut |reason| unknowns.push((Some(region.as_str()), reason)));
        }
    }
    if let Ok(tree) = serde_json::to_value(&snapshot.resources.global) {
        find_unknowns(&tree, &mut |reason| unknowns.push((None, reason)));
    }
    for (region, reason) in unknowns {
        entry(&mut reads, region, reason).values += 1;
    }
    reads.into_values().collect()
}

fn find_unknowns(value: &Value, found: &mut dyn FnMut(UnknownReason)) {
    match value {
        Value::Object(map) => {
            if map.len() == 1
                && let Some(reason) = map.get("unknown")
                && let Ok(reason) = serde_json::from_value::<UnknownReason>(reason.clone())
            {
                found(reason);
                return;
            }
            map.values().for_each(|v| find_unknowns(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| find_unknowns(v, found)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_and_listings_are_both_failed_reads() {
        let text = std::fs::read_to_string("fixtures/reference-architecture.json").expect("fixture");
        let snapshot = Snapshot::parse("reference", text).expect("fixture parses");
        let reads = of_snapshot(&snapshot);
        let efs = reads
            .iter()
            .find(|r| r.reason.operation == "elasticfilesystem:DescribeReplicationConfigurations")
            .expect("the reference architecture cannot read one EFS replication");
        assert!(efs.values >= 1, "{efs:?}");
        assert_eq!(efs.region.as_deref(), Some("ap-south-1"));
        assert!(efs.headline().contains("failed (access denied) in ap-south-1"), "{}", efs.headline());
    }
}
