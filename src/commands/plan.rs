//! `watchpost plan`: what apply would change in each account, for review, with what the
//! baseline costs.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};

use super::fan_out::{account_region, for_each_account, reach};
use super::outcome::{AccountOutcome, account_line, first_line};
use super::read::{absolute, observe_with_usage, read_baseline, warn_only};
use super::settings::{PlanOutput, PlanSettings};
use crate::accounts::Fleet;
use crate::cli::AwsArgs;
use crate::error::Hinted;
use crate::model::Observed;
use crate::model::{ApiCallCounts, sum_calls};
use crate::output::{out, outln};
use crate::plan::{
    AccountReport, Estimate, Plan, SavedPlan, render_compact, render_cost, render_cost_total,
    render_full, render_json, render_markdown, summary_line,
};

/// One account planned: the plan, the reading it was made from, and what the baseline costs.
struct Planned {
    plan: Plan,
    observed: Observed,
    cost: Estimate,
}

pub async fn run(path: &Path, aws: &AwsArgs, settings: &PlanSettings) -> anyhow::Result<ExitCode> {
    let (baseline, source) = read_baseline(path)?;
    let fleet = Fleet::new(&baseline, aws)?;
    let reach = reach(aws, &baseline, &fleet).await?;
    if reach.is_fan_out() && settings.out.is_some() {
        bail!(Hinted::new(
            format!(
                "--out saves the plan of one account, and this run covers {}",
                reach.targets.len()
            ),
            "save one plan per account, with --accounts ID --out FILE for each"
        ));
    }
    let targets = &reach.targets;
    warn_only(&settings.only);
    let region = account_region(aws, &baseline);
    // The estimate's reads only sharpen it: each gets one attempt unless the user chose a
    // number, so that a call the endpoint lacks does not hold the plan up (docs/costs.md).
    let attempts_chosen = crate::aws::attempts_chosen(aws.profile.as_deref()).await;
    let outcomes = for_each_account(targets, fleet.parallelism, |target| async {
        target.verify(region).await?;
        if !settings.lock_timeout.is_zero() {
            crate::lease::wait_until_free(
                &target.session,
                &baseline.scope.home_region,
                &target.account_id,
                settings.lock_timeout,
            )
            .await?;
        }
        let reading = if attempts_chosen {
            target.session.clone()
        } else {
            target.session.with_max_attempts(1)
        };
        let (observed, usage) = observe_with_usage(target, aws, &baseline, &reading).await?;
        let plan = crate::plan::plan(&baseline, &observed).only(&settings.only)?;
        let cost = crate::plan::estimate(&baseline, &observed, &usage);
        Ok(Planned {
            plan,
            observed,
            cost,
        })
    })
    .await;

    let reports = || -> Vec<AccountReport<'_>> {
        outcomes
            .iter()
            .map(|outcome| AccountReport {
                account_id: &outcome.account_id,
                plan: match &outcome.result {
                    Ok(planned) => Ok(&planned.plan),
                    Err(error) => Err(crate::error::explained(error)),
                },
                api_calls: &outcome.api_calls,
                cost: outcome.result.as_ref().ok().map(|planned| &planned.cost),
            })
            .collect()
    };
    match settings.format {
        PlanOutput::Json => {
            let mut document = render_json(&reports(), &reach.caller.api_calls());
            if let Some(shard) = reach.shard {
                document["shard"] = shard.to_string().into();
            }
            outln!("{document:#}");
        }
        PlanOutput::Markdown => out!("{}", render_markdown(&reports())),
        PlanOutput::Text { .. } => {}
    }
    if !reach.is_fan_out() {
        let outcome = outcomes.into_iter().next().expect("one account");
        return one_account(&outcome.result?, &source, path, settings);
    }

    if let PlanOutput::Text { full } = settings.format {
        for outcome in &outcomes {
            outln!("\n== account {} ==\n", outcome.account_id);
            match &outcome.result {
                Ok(planned) => print_text(planned, full),
                Err(error) => outln!("error: {}", crate::error::explained(error)),
            }
        }
        print_summary(&outcomes, &reach.caller.api_calls(), full);
    }
    let failed = outcomes.iter().any(|outcome| match &outcome.result {
        Ok(planned) => !planned.plan.gaps.is_empty(),
        Err(_) => true,
    });
    let changes = outcomes
        .iter()
        .any(|outcome| matches!(&outcome.result, Ok(planned) if !planned.plan.is_empty()));
    Ok(if failed {
        ExitCode::from(1)
    } else if settings.detailed_exitcode && changes {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The output Terraform users know, for a run over the caller's own account.
fn one_account(
    planned: &Planned,
    source: &str,
    path: &Path,
    settings: &PlanSettings,
) -> anyhow::Result<ExitCode> {
    let Planned { plan, observed, .. } = planned;
    if let PlanOutput::Text { full } = settings.format {
        print_text(planned, full);
    }
    if !plan.gaps.is_empty() {
        bail!(
            "the plan is incomplete: {} part(s) of the account could not be read (listed above)",
            plan.gaps.len()
        );
    }
    if let Some(file) = &settings.out {
        let saved = SavedPlan::new(plan.clone(), source, &absolute(path), observed);
        let text = serde_json::to_string_pretty(&saved).expect("the plan serializes");
        std::fs::write(file, text)
            .with_context(|| format!("cannot write the plan to {}", file.display()))?;
        if let PlanOutput::Text { .. } = settings.format {
            outln!(
                "\nSaved the plan to {}. To make exactly these changes, run:\n    watchpost apply {}",
                file.display(),
                file.display()
            );
        }
    }
    Ok(if settings.detailed_exitcode && !plan.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// One account's plan for people, and what the baseline costs. The full plan keeps its
/// summary line above the cost, where it has always been; the compact plan ends with it.
fn print_text(planned: &Planned, full: bool) {
    if full {
        out!("{}", render_full(&planned.plan, true));
        out!("\n{}", render_cost(&planned.cost));
    } else {
        out!("{}", render_compact(&planned.plan, true));
        out!("{}", render_cost(&planned.cost));
        outln!("\n{}", summary_line(&planned.plan));
    }
}

/// One line per account, then the totals, as the last thing a reviewer reads.
fn print_summary(outcomes: &[AccountOutcome<Planned>], run_calls: &ApiCallCounts, full: bool) {
    outln!("\nAccounts:");
    for outcome in outcomes {
        let state = match &outcome.result {
            Ok(Planned { plan, .. }) if !plan.gaps.is_empty() => {
                format!("incomplete: {} part(s) could not be read", plan.gaps.len())
            }
            Ok(Planned { plan, .. }) => account_line(plan),
            Err(error) => format!("failed: {}", first_line(error)),
        };
        outln!("  {}  {state}", outcome.account_id);
    }
    let plans: Vec<&Plan> = outcomes
        .iter()
        .filter_map(|outcome| outcome.result.as_ref().ok().map(|planned| &planned.plan))
        .collect();
    let failed = outcomes.len() - plans.len();
    let calls: u64 = sum_calls(
        outcomes
            .iter()
            .map(|outcome| &outcome.api_calls)
            .chain([run_calls]),
    )
    .values()
    .sum();
    let totals = format!(
        "\nPlan: {} to add, {} to change, {} to destroy, over {} account(s){}. {calls} API calls.",
        plans
            .iter()
            .map(|p| p.count(crate::plan::Action::Create))
            .sum::<usize>(),
        plans
            .iter()
            .map(|p| p.count(crate::plan::Action::Update))
            .sum::<usize>(),
        plans
            .iter()
            .map(|p| p.count(crate::plan::Action::Delete))
            .sum::<usize>(),
        outcomes.len(),
        if failed > 0 {
            format!("; {failed} could not be planned")
        } else {
            String::new()
        }
    );
    let estimates: Vec<&Estimate> = outcomes
        .iter()
        .filter_map(|outcome| outcome.result.as_ref().ok().map(|planned| &planned.cost))
        .collect();
    let cost = render_cost_total(&estimates);
    if full {
        out!("{totals}\n{cost}");
    } else {
        out!("\n{cost}{totals}\n");
    }
}
