use crate::estimate::duration_text;
use crate::inventory::ResourceKind;
use crate::inventory::exercises::{Experiment, RestoreJob};
use crate::inventory::members::Members;
use crate::inventory::{Known, Tags, UnknownReason};
use crate::rules::{Context, Rule, RuleOutput, declare_rule, resource};
use crate::settings::ExerciseResult;
use chrono::{DateTime, NaiveTime, Utc};

declare_rule! {
    /// ## What it does
    /// Looks, for each application, for evidence that its failover was exercised within the
    /// exercise window (`[thresholds] exercise_window`, default 90 days, counted back from the
    /// snapshot's `collected_at`):
    /// - an AWS Backup restore test into the DR region: a restore job listed there
    ///   (`ListRestoreJobs`) that a restore testing plan started (`CreatedBy.RestoreTestingPlanArn`),
    ///   that `COMPLETED` without a failed or timed-out validation, of a recovery point of one of
    ///   the application's resources (`SourceResourceArn`, else the recovery point's resource);
    /// - an AWS FIS experiment in either region that `completed` and targeted the application:
    ///   a target naming one of its resources by ARN, or selecting by tags that one of its
    ///   resources carries (or by the application tag with its name);
    /// - a game day declared in drscan.toml (`[[exercise]]` with `app`, `date`, `failed_over`
    ///   and `result`) whose result is `passed`. A declared exercise that `failed` is not
    ///   evidence that failover works; it is named in the finding.
    ///
    /// It fails when no evidence is newer than the window, naming the newest evidence it saw
    /// and its age; it reports `unknown`, naming the cause, when restore jobs or experiments
    /// could not be read (or an experiment's targets could not) and nothing else proves a
    /// recent exercise. Restore jobs are read back as far as the window configured when the
    /// snapshot was collected.
    ///
    /// ## Why is this bad?
    /// A DR setup that was never tested is a hope, not a plan. Every other rule checks the
    /// configuration; only an exercise shows that the DR copy restores, that the runbook is
    /// current, that the people on call know it, and how long it really takes. Configuration
    /// drifts between exercises: the longer since the last one, the less its result says.
    ///
    /// ## Example
    /// The `web` application's database has a DR replica and its files are copied nightly, but
    /// the last restore test of its recovery points ran in March and its only declared game day
    /// was last year: `dr-exercised` fails, naming both and their ages.
    ///
    /// ## How to fix
    /// Exercise failover regularly and let drscan see it: run an AWS Backup restore testing
    /// plan in the DR region over the application's resources, run AWS FIS experiments that
    /// target them (by ARN or by the application tag), or declare each game day:
    ///
    /// ```toml
    /// [[exercise]]
    /// app = "web"
    /// date = "2026-11-20"
    /// failed_over = "database promoted, web tier scaled out in us-east-1"
    /// result = "passed"
    /// ```
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing.html
    /// - https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListRestoreJobs.html
    /// - https://docs.aws.amazon.com/fis/latest/userguide/what-is.html
    /// - https://docs.aws.amazon.com/fis/latest/APIReference/API_GetExperiment.html
    /// - https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_planning_for_recovery_dr_tested.html
    pub struct DrExercised {
        name: "dr-exercised",
        code: "DR505",
        severity: Medium,
        group: Readiness,
        summary: "No evidence that an application's failover was exercised within the window (restore tests, FIS experiments, declared game days)",
    }
}

/// One piece of evidence, or of its absence: what it was and when.
struct Seen {
    what: String,
    at: DateTime<Utc>,
}

impl Seen {
    fn describe(&self, now: DateTime<Utc>) -> String {
        let age = crate::time::seconds_between(self.at, now);
        format!("{} ({} ago)", self.what, duration_text(age))
    }
}

/// What was found for one application.
#[derive(Default)]
struct Findings {
    /// Evidence within the window.
    recent: Vec<Seen>,
    /// Evidence older than the window, and exercises that failed.
    other: Vec<Seen>,
    /// Why a source of evidence could not be read.
    unknown: Option<(UnknownReason, String)>,
}

impl Findings {
    fn unknown(&mut self, reason: &UnknownReason, message: String) {
        self.unknown.get_or_insert_with(|| (reason.clone(), message));
    }
}

impl Rule for DrExercised {
    fn check(&self, ctx: &Context<'_, '_>, out: &mut RuleOutput) {
        let inventory = ctx.inventory;
        let window = ctx.settings.thresholds.exercise_window_seconds;
        let since = crate::time::before(ctx.now, window);
        let apps = inventory.applications();
        let dr = &inventory.dr;
        for (app, members) in &inventory.members().by_app {
            let mut found = Findings::default();
            let in_window = |at: DateTime<Utc>| at >= since && at <= ctx.now;

            for declared in ctx.settings.exercises.iter().filter(|e| e.app == *app) {
                let at = declared.date.and_time(NaiveTime::MIN).and_utc();
                // A game day counts for the whole of its day.
                let day_end = crate::time::after(at, 86_399);
                let seen = match declared.result {
                    ExerciseResult::Passed => Seen {
                        what: format!("declared game day on {} ({})", declared.date, declared.failed_over),
                        at,
                    },
                    ExerciseResult::Failed => Seen {
                        what: format!(
                            "declared game day on {} failed ({})",
                            declared.date, declared.failed_over
                        ),
                        at,
                    },
                };
                if declared.result == ExerciseResult::Passed && day_end >= since && at <= ctx.now {
                    found.recent.push(seen);
                } else if at <= ctx.now {
                    found.other.push(seen);
                }
            }

            match dr.gap(ResourceKind::RestoreJob) {
                Some(reason) => found.unknown(reason, format!("cannot list the restore jobs of {}", dr.name)),
                None => {
                    for job in &dr.resources.restore_jobs {
                        if !restores_app(job, app, inventory) || job.restore_testing_plan_arn.is_none() {
                            continue;
                        }
                        let seen = Seen { what: restore_text(job, dr.name), at: job.finished_at() };
                        if job.is_passed_restore_test() && in_window(seen.at) {
                            found.recent.push(seen);
                        } else {
                            found.other.push(seen);
                        }
                    }
                }
            }

            for view in [&inventory.primary, &inventory.dr] {
                if let Some(reason) = view.gap(ResourceKind::Experiment) {
                    found.unknown(reason, format!("cannot list the FIS experiments of {}", view.name));
                    continue;
                }
                for experiment in &view.resources.experiments {
                    match &experiment.targets {
                        Known::Unknown(reason)
                            if experiment.is_completed() && in_window(experiment.ran_at()) =>
                        {
                            found.unknown(
                                reason,
                                format!(
                                    "cannot read what FIS experiment {} in {} targeted",
                                    experiment.id, view.name
                                ),
                            );
                        }
                        Known::Unknown(_) => {}
                        Known::Value(_) if targets_app(experiment, app, members, apps, ctx) => {
                            let seen = Seen {
                                what: format!("FIS experiment {} in {}", experiment.id, view.name),
                                at: experiment.ran_at(),
                            };
                            if experiment.is_completed() && in_window(seen.at) {
                                found.recent.push(seen);
                            } else {
                                found.other.push(seen);
                            }
                        }
                        Known::Value(_) => {}
                    }
                }
            }

            let target = resource::application(app, inventory.account());
            if !found.recent.is_empty() {
                out.pass();
                continue;
            }
            let window_text = duration_text(window);
            if let Some((reason, message)) = found.unknown {
                out.unknown(
                    target,
                    &reason,
                    format!("no evidence that failover of {app} was exercised in the last {window_text}, and {message}"),
                )
                .app(app.as_str());
                continue;
            }
            found.other.sort_by_key(|e| std::cmp::Reverse(e.at));
            let seen: Vec<String> = found.other.iter().map(|s| s.describe(ctx.now)).collect();
            let detail = if seen.is_empty() {
                format!(
                    "no restore test into {}, no FIS experiment that targeted it, and no passed [[exercise]] declared",
                    dr.name
                )
            } else {
                format!("newest evidence: {}", seen.join("; "))
            };
            out.fail(
                target,
                format!(
                    "no evidence that failover of {app} was exercised in the last {window_text}: {detail}"
                ),
            )
            .with("window_seconds", window)
            .with("older_or_failed", &seen)
            .app(app.as_str());
        }
    }
}

fn restore_text(job: &RestoreJob, region: &str) -> String {
    let of = job.source_resource_arn.as_deref().unwrap_or(&job.recovery_point_arn);
    match job.validation_status.as_deref() {
        Some(status @ ("FAILED" | "TIMED_OUT")) => {
            format!("restore test {} of {of} in {region}, validation {status}", job.id)
        }
        _ => format!("restore test {} of {of} in {region}", job.id),
    }
}

/// Whether `job` restored a recovery point of one of `app`'s resources: the source AWS names,
/// else the resource of the recovery point as a collected vault lists it.
fn restores_app(job: &RestoreJob, app: &str, inventory: &crate::inventory::graph::Inventory<'_>) -> bool {
    let apps = inventory.applications();
    if let Some(source) = &job.source_resource_arn {
        return apps.app_of(source) == Some(app);
    }
    [&inventory.primary, &inventory.dr].into_iter().any(|view| {
        view.resources.backup_vaults.iter().any(|vault| {
            vault.recovery_points.value().into_iter().flatten().any(|point| {
                point.arn == job.recovery_point_arn && apps.app_of(&point.resource_arn) == Some(app)
            })
        })
    })
}

/// Whether one of `experiment`'s targets is `app`: a resource of it by ARN, or tags that the
/// application tag names it by or that one of its resources carries.
fn targets_app(
    experiment: &Experiment,
    app: &str,
    members: &Members<'_>,
    apps: &crate::inventory::graph::Applications<'_>,
    ctx: &Context<'_, '_>,
) -> bool {
    let tag_key = &ctx.settings.matching.app_tag_key;
    let member_tags = member_tags(members);
    experiment.targets.value().into_iter().flatten().any(|target| {
        target.resource_arns.iter().any(|arn| apps.app_of(arn) == Some(app))
            || (!target.resource_tags.is_empty()
                && (target.resource_tags.get(tag_key).is_some_and(|v| v == app)
                    || member_tags
                        .iter()
                        .any(|tags| target.resource_tags.iter().all(|(k, v)| tags.get(k) == Some(v)))))
    })
}

/// The tags of every tagged resource of an application.
fn member_tags<'a>(members: &'a Members<'_>) -> Vec<&'a Tags> {
    let mut tags: Vec<&Tags> = Vec::new();
    tags.extend(members.primary_asgs.iter().map(|a| &a.tags));
    tags.extend(members.dr_asgs.iter().map(|a| &a.tags));
    tags.extend(members.primary_db_instances.iter().map(|d| &d.tags));
    tags.extend(members.primary_db_clusters.iter().map(|c| &c.tags));
    tags.extend(members.primary_file_systems.iter().map(|f| &f.tags));
    tags.extend(members.primary_buckets.iter().map(|b| &b.tags));
    tags.extend(members.primary_tables.iter().map(|t| &t.tags));
    tags.extend(members.primary_secrets.iter().map(|s| &s.tags));
    tags.retain(|t| !t.is_empty());
    tags
}
