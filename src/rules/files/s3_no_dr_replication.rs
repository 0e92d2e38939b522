use crate::findings::Severity;
use crate::inventory::Known;
use crate::inventory::dr::{BucketCopy, BucketDestination};
use crate::inventory::storage::Bucket;
use crate::rules::{Context, Rule, RuleOutput, declare_rule};
use crate::settings::Expectation;

declare_rule! {
    /// ## What it does
    /// For every S3 bucket of an application in the primary region, checks that a replication
    /// rule copies it to a bucket in the DR region: the rule is `Enabled`, its destination
    /// bucket exists in the DR region, and versioning is on at both ends (S3 replicates only
    /// between versioned buckets). Rules that replicate within the primary region, or to a
    /// bucket that no longer exists, do not count. Where `[s3]` in drscan.toml asks for it, the
    /// DR rule must also replicate delete markers (or must not) and objects that existed
    /// before the rule; such a mismatch is reported as high. A destination in another account
    /// is `unknown`: drscan does not collect that account's buckets.
    ///
    /// ## Why is this bad?
    /// S3 buckets are regional. Objects written only in the primary region — uploads, exports,
    /// generated assets — are gone for the application in DR when that region is down, however
    /// well its database and web tier fail over. A replication rule that was disabled during a
    /// migration, or whose destination bucket was deleted or had versioning suspended, stops
    /// copying without any error in the application.
    ///
    /// ## Example
    /// `web-uploads` (tag `app=web`) in ap-south-1 has a replication rule to
    /// `web-uploads-dr`, but the rule's status is `Disabled` since a cost review.
    ///
    /// ## How to fix
    /// Enable versioning on both buckets and add (or re-enable) a replication rule to a bucket
    /// in the DR region; turn on S3 Replication Time Control for a bounded lag, and run S3
    /// Batch Replication for objects that existed before the rule.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html
    /// - https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-requirements.html
    /// - https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-marker-replication.html
    /// - https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-batch-replication-batch.html
    pub struct S3NoDrReplication {
        name: "s3-no-dr-replication",
        code: "DR407",
        severity: Critical,
        group: FilesAndBackups,
        summary: "An application's S3 bucket is not replicated to a versioned bucket in the DR region",
    }
}

/// Why one replication rule is no working DR copy (for the message; whether the bucket has
/// one is the DR relations' answer).
fn problem(copy: &BucketCopy<'_>, dr: &str) -> Option<String> {
    let rule = copy.rule;
    let destination = rule.destination_bucket();
    let versioning =
        |b: &crate::inventory::storage::Bucket| b.versioning.value().cloned().unwrap_or_default();
    match &copy.destination {
        BucketDestination::SameRegion(_) => {
            Some(format!("rule {} replicates to {destination}, in the primary region", rule.id))
        }
        BucketDestination::Missing => {
            Some(format!("rule {} replicates to {destination}, which exists in neither region", rule.id))
        }
        BucketDestination::OtherAccount(_) | BucketDestination::Unknown(_) => None,
        BucketDestination::Dr(_) if !rule.enabled() => {
            Some(format!("rule {} to {destination} in {dr} is {}", rule.id, rule.status))
        }
        BucketDestination::Dr(target) => match (copy.source.versioned(), target.versioned()) {
            (Known::Value(false), _) => Some(format!(
                "bucket {} has versioning {}, so S3 replicates nothing new",
                copy.source.name,
                versioning(copy.source)
            )),
            (_, Known::Value(false)) => {
                Some(format!("destination {destination} in {dr} has versioning {}", versioning(target)))
            }
            _ => None,
        },
    }
}

impl Rule for S3NoDrReplication {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let dr = ctx.inventory.dr.name;
        let relations = ctx.inventory.relations();
        for (bucket, target) in
            ctx.primary_members::<Bucket>(out, "buckets for DR replication", "its DR replication")
        {
            match relations.bucket_dr_copy(bucket) {
                Known::Value(Some(copy)) => {
                    let mismatches = expectation_mismatches(ctx, &copy);
                    if mismatches.is_empty() {
                        out.pass();
                    } else {
                        out.fail(
                            target,
                            format!(
                                "bucket {} replicates to {dr}, but {}",
                                bucket.name,
                                mismatches.join("; ")
                            ),
                        )
                        .severity(Severity::High)
                        .with("rule", &copy.rule.id);
                    }
                }
                Known::Unknown(reason) => {
                    let message = format!("cannot tell whether bucket {} replicates to {dr}", bucket.name);
                    out.unknown(target, &reason, message);
                }
                Known::Value(None) => {
                    let copies = relations.bucket_copies(bucket).value().cloned().unwrap_or_default();
                    if copies.is_empty() {
                        let message = format!(
                            "bucket {} has no replication configuration: nothing copies it to {dr}",
                            bucket.name
                        );
                        out.fail(target, message).with("versioning", &bucket.versioning);
                        continue;
                    }
                    let problems: Vec<String> = copies.iter().filter_map(|c| problem(c, dr)).collect();
                    out.fail(
                        target,
                        format!("bucket {} is not replicated to {dr}: {}", bucket.name, problems.join("; ")),
                    )
                    .with("problems", &problems)
                    .with("rules", copies.iter().map(|c| &c.rule.id).collect::<Vec<_>>());
                }
            }
        }
    }
}

/// What `[s3]` asks of the DR rule that it does not do.
fn expectation_mismatches(ctx: &Context<'_, '_>, copy: &BucketCopy<'_>) -> Vec<String> {
    let s3 = ctx.settings.s3;
    let checks = [
        (
            s3.delete_marker_replication,
            copy.rule.replicates_delete_markers(),
            "delete markers",
            "delete_marker_replication",
        ),
        (
            s3.existing_object_replication,
            copy.rule.replicates_existing_objects(),
            "existing objects",
            "existing_object_replication",
        ),
    ];
    let mut out = Vec::new();
    for (expectation, replicated, what, key) in checks {
        match expectation {
            Expectation::Required if !replicated => out
                .push(format!("rule {} does not replicate {what} ([s3] {key} = \"required\")", copy.rule.id)),
            Expectation::Forbidden if replicated => {
                out.push(format!("rule {} replicates {what} ([s3] {key} = \"forbidden\")", copy.rule.id))
            }
            _ => {}
        }
    }
    out
}
