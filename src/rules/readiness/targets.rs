//! What the two target rules share: judging one estimate total against its target, and
//! naming the terms that break it.

use crate::estimate::{Amount, AppEstimate, RpoTerm, RtoTerm, duration_text};
use crate::findings::{ResourceRef, Severity};
use crate::rules::{Context, RuleOutput};
use serde::Serialize;

/// The recovery objective a target rule judges.
#[derive(Debug, Clone, Copy)]
pub(super) enum Objective {
    Rto,
    Rpo,
}

/// Judge every application's estimate of `objective` against its target: within target (or
/// bounded without one) passes; otherwise the finding names the terms that break it.
pub(super) fn check_objective(ctx: &Context<'_, '_>, out: &mut RuleOutput, objective: Objective) {
    for estimate in &ctx.estimates.apps {
        let (what, total, target, terms, each_term_alone) = match objective {
            Objective::Rto => {
                let terms = estimate.rto_terms.iter().map(Term::from).collect::<Vec<_>>();
                ("RTO", &estimate.rto, estimate.targets.rto_seconds, terms, false)
            }
            Objective::Rpo => {
                let terms = estimate.rpo_terms.iter().map(Term::from).collect::<Vec<_>>();
                ("RPO", &estimate.rpo, estimate.targets.rpo_seconds, terms, true)
            }
        };
        if let Some(value) = total.seconds()
            && target.is_none_or(|target| value <= target)
        {
            out.pass();
            continue;
        }
        judge(out, ctx.inventory.account(), estimate, what, total, target, &terms, each_term_alone);
    }
}

/// One term as the finding's evidence shows it.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Term {
    pub name: String,
    pub seconds: Option<u64>,
    pub source: String,
    #[serde(skip)]
    pub amount: Amount,
    #[serde(skip)]
    pub resource: Option<ResourceRef>,
    #[serde(skip)]
    pub critical_path: bool,
}

impl From<&RtoTerm> for Term {
    fn from(t: &RtoTerm) -> Self {
        Term {
            name: t.step.clone(),
            seconds: t.amount.seconds(),
            source: t.source.clone(),
            amount: t.amount.clone(),
            resource: t.resource.clone(),
            critical_path: t.critical_path,
        }
    }
}

impl From<&RpoTerm> for Term {
    fn from(t: &RpoTerm) -> Self {
        Term {
            name: t.store.clone(),
            seconds: t.amount.seconds(),
            source: t.source.clone(),
            amount: t.amount.clone(),
            resource: Some(t.resource.clone()),
            critical_path: t.critical_path,
        }
    }
}

/// Judge `total` against `target`. Terms that break it: for an unbounded or unknown total,
/// those that are; for a number, the critical-path terms when they add up (RTO), or every term
/// above the target (RPO, `each_term_alone`).
#[allow(clippy::too_many_arguments)]
fn judge(
    out: &mut RuleOutput,
    account: &str,
    estimate: &AppEstimate,
    what: &str,
    total: &Amount,
    target: Option<u64>,
    terms: &[Term],
    each_term_alone: bool,
) {
    let breaking: Vec<&Term> = match total {
        Amount::Seconds(value) => match target {
            Some(t) if *value > t => terms
                .iter()
                .filter(|term| {
                    if each_term_alone {
                        term.amount.seconds().is_some_and(|s| s > t)
                    } else {
                        term.critical_path
                    }
                })
                .collect(),
            _ => {
                out.pass();
                return;
            }
        },
        Amount::Unbounded(_) => terms.iter().filter(|t| matches!(t.amount, Amount::Unbounded(_))).collect(),
        Amount::Unknown(_) => terms.iter().filter(|t| matches!(t.amount, Amount::Unknown(_))).collect(),
    };
    // The finding points at the resource of the largest breaking term.
    let worst = match total {
        Amount::Seconds(_) => {
            breaking.iter().filter(|t| t.resource.is_some()).max_by_key(|t| t.amount.seconds())
        }
        // The first breaking term gives the reason; with no resource of its own (no failover
        // record at all) the finding is about the application.
        _ => breaking.first(),
    };
    let resource = worst
        .and_then(|t| t.resource.clone())
        .unwrap_or_else(|| crate::findings::resource::application(&estimate.app, account));
    let explained = breaking
        .iter()
        .map(|t| format!("{} {} ({})", t.name, t.amount.text(), t.source))
        .collect::<Vec<_>>()
        .join("; ");
    let target_text = target.map(duration_text);
    let informational = target.is_none();
    let finding = match total {
        Amount::Unknown(reason) => out.unknown(
            resource,
            reason,
            format!("cannot estimate the {what} of application {}: {explained}", estimate.app),
        ),
        Amount::Unbounded(why) => out.fail(
            resource,
            match &target_text {
                Some(t) => {
                    format!("application {}: {what} is unbounded, beyond the {t} target: {why}", estimate.app)
                }
                None => format!("application {}: {what} is unbounded (no target set): {why}", estimate.app),
            },
        ),
        Amount::Seconds(value) => out.fail(
            resource,
            format!(
                "application {}: estimated {what} {} exceeds the {} target: {explained}",
                estimate.app,
                duration_text(*value),
                target_text.as_deref().unwrap_or("?")
            ),
        ),
    };
    finding
        .app(&estimate.app)
        .with(&format!("{}_seconds", what.to_ascii_lowercase()), total.seconds())
        .with("target_seconds", target)
        .with("breaking_terms", &breaking);
    if informational {
        // Without a target the rule only informs: an unbounded estimate exceeds any target.
        finding.severity(Severity::Info);
    }
}
