//! AWS FIS experiments of one region: every experiment (`ListExperiments`, 100 a page; the API
//! filters by nothing but template), and for each that completed and was created within the
//! exercise window, what it targeted (`GetExperiment`, a bounded follow-up each) — the evidence
//! `dr-exercised` reads. Experiments that did not complete, or ran before the window, are not
//! evidence and are not kept. FIS publishes no request rates: the pacer's stand-in applies.

use super::errors::Failure;
use super::paging::all_pages;
use super::{Part, RegionCtx, bounded, smithy_time};
use crate::inventory::exercises::{Experiment, ExperimentTarget};
use crate::inventory::{Known, ResourceKind as K, Tags};

/// The kinds this collector lists; a whole-run timeout leaves them unknown.
pub(crate) const FILLS: &[K] = &[K::Experiment];

/// ListExperiments returns at most 100 experiments per page (`maxResults`).
const EXPERIMENTS_PER_PAGE: i32 = 100;

pub(crate) async fn collect(ctx: &RegionCtx) -> Part {
    let client = ctx.fis();
    let mut part = Part::default();
    let listing = all_pages(
        "fis:ListExperiments",
        client.list_experiments().max_results(EXPERIMENTS_PER_PAGE).into_paginator(),
        |o| o.next_token(),
    )
    .await;
    let Some(pages) = part.listed_or_none(ctx, listing, FILLS) else {
        return part;
    };
    let since = crate::time::before(ctx.collected_at, ctx.exercise_window.as_secs());
    let candidates: Vec<Experiment> = pages
        .iter()
        .flat_map(|p| p.experiments())
        .filter_map(|e| {
            Some(Experiment {
                id: e.id()?.to_string(),
                arn: e.arn().unwrap_or_default().to_string(),
                experiment_template_id: e.experiment_template_id().map(str::to_string),
                status: e
                    .state()
                    .and_then(|s| s.status())
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                creation_time: smithy_time(e.creation_time())?,
                start_time: None,
                end_time: None,
                targets: Known::Value(Vec::new()),
            })
        })
        .filter(|e| e.is_completed() && e.creation_time >= since)
        .collect();
    let details = bounded(candidates, ctx.concurrency, |mut experiment| {
        let request = client.get_experiment().id(&experiment.id);
        async move {
            match request.send().await {
                Ok(output) => {
                    let detail = output.experiment();
                    experiment.start_time = detail.and_then(|d| smithy_time(d.start_time()));
                    experiment.end_time = detail.and_then(|d| smithy_time(d.end_time()));
                    let mut targets: Vec<ExperimentTarget> = detail
                        .and_then(|d| d.targets())
                        .into_iter()
                        .flatten()
                        .map(|(name, t)| ExperimentTarget {
                            name: name.clone(),
                            resource_type: t.resource_type().unwrap_or_default().to_string(),
                            resource_arns: t.resource_arns().to_vec(),
                            resource_tags: t
                                .resource_tags()
                                .map(|tags| tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                                .unwrap_or_else(Tags::new),
                        })
                        .collect();
                    // The SDK's map has no order; the snapshot's lists do.
                    targets.sort_by(|a, b| a.name.cmp(&b.name));
                    experiment.targets = Known::Value(targets);
                    Some(experiment)
                }
                // Deleted between the listing and this call: no longer an experiment to count.
                Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => None,
                Err(e) => {
                    experiment.targets = Known::Unknown(Failure::from_sdk("fis:GetExperiment", &e).reason());
                    Some(experiment)
                }
            }
        }
    })
    .await;
    part.resources.experiments = details.into_iter().flatten().collect();
    part
}
