use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};

use super::{AccountOutcome, account_line, first_line};
use crate::accounts::Fleet;
use crate::cli::{AwsArgs, PlanFormat};
use crate::error::Hinted;
use crate::model::Observed;
use crate::model::{ApiCallCounts, sum_calls};
use crate::output::{out, outln};
use crate::plan::{
    AccountReport, Estimate, Plan, SavedPlan, Selector, render_compact, render_cost,
    render_cost_total, render_full, render_json, render_markdown, summary_line,
};

pub struct Output {
    pub detailed_exitcode: bool,
    pub format: Format,
    pub out: Option<PathBuf>,
    pub only: Vec<Selector>,
    /// How long to wait for a run that holds the account; zero: read at once, unchecked.
    pub lock_timeout: Duration,
}

/// How the plan is printed.
#[derive(Clone, Copy, PartialEq)]
pub enum Format {
    /// For people: compact unless `full`, which shows every setting of every change.
    Text {
        full: bool,
    },
    Json,
    Markdown,
}

impl Format {
    /// The format the command line asks for: `--json` is `--format json`, and `--full` is a
    /// choice within the text format.
    pub fn chosen(format: PlanFormat, json: bool, full: bool) -> anyhow::Result<Format> {
        Ok(match (format, json) {
            (_, true) | (PlanFormat::Json, _) => Format::Json,
            (PlanFormat::Text, false) => Format::Text { full },
            (PlanFormat::Markdown, false) if full => bail!(Hinted::new(
                "--full is for the text plan; the markdown plan fits what it can in a comment by itself",
                "drop --full, or use --format text --full",
            )),
            (PlanFormat::Markdown, false) => Format::Markdown,
        })
    }
}

/// One account planned: the plan, the reading it was made from, and what the baseline costs.
struct Planned {
    plan: Plan,
    observed: Observed,
    cost: Estimate,
}

pub async fn run(path: &Path, aws: &AwsArgs, output: &Output) -> anyhow::Result<ExitCode> {
    let (baseline, source) = super::read_baseline(path)?;
    let fleet = Fleet::new(&baseline, aws)?;
    let reach = super::reach(aws, &baseline, &fleet).await?;
    if reach.is_fan_out() && output.out.is_some() {
        bail!(Hinted::new(
            format!(
                "--out saves the plan of one account, and this run covers {}",
                reach.targets.len()
            ),
            "save one plan per account, with --accounts ID --out FILE for each",
        ));
    }
    let targets = &reach.targets;
    super::warn_only(&output.only);
    let region = super::account_region(aws, &baseline);
    // The estimate's reads only sharpen it: each gets one attempt unless the user chose a
    // number, so that a call the endpoint lacks does not hold the plan up (docs/costs.md).
    let attempts_chosen = crate::aws::attempts_chosen(aws.profile.as_deref()).await;
    let outcomes = super::for_each_account(targets, fleet.parallelism, |target| async {
        target.verify(region).await?;
        if !output.lock_timeout.is_zero() {
            crate::lease::wait_until_free(
                &target.session,
                &baseline.scope.home_region,
                &target.account_id,
                output.lock_timeout,
            )
            .await?;
        }
        let (plan, observed) =
            super::observe_and_plan(target, aws, &baseline, &output.only).await?;
        let reading = if attempts_chosen {
            target.session.clone()
        } else {
            target.session.with_max_attempts(1)
        };
        let usage = crate::observe::usage(&reading, &baseline, &observed).await;
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
    match output.format {
        Format::Json => outln!("{:#}", render_json(&reports(), &reach.caller.api_calls())),
        Format::Markdown => out!("{}", render_markdown(&reports())),
        Format::Text { .. } => {}
    }
    if !reach.is_fan_out() {
        let outcome = outcomes.into_iter().next().expect("one account");
        return one_account(&outcome.result?, &source, path, output);
    }

    if let Format::Text { full } = output.format {
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
    } else if output.detailed_exitcode && changes {
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
    output: &Output,
) -> anyhow::Result<ExitCode> {
    let Planned { plan, observed, .. } = planned;
    if let Format::Text { full } = output.format {
        print_text(planned, full);
    }
    if !plan.gaps.is_empty() {
        bail!(
            "the plan is incomplete: {} part(s) of the account could not be read (listed above)",
            plan.gaps.len()
        );
    }
    if let Some(file) = &output.out {
        let saved = SavedPlan::new(
            plan.clone(),
            source,
            &super::apply::absolute(path),
            observed,
        );
        let text = serde_json::to_string_pretty(&saved).expect("the plan serializes");
        std::fs::write(file, text)
            .with_context(|| format!("cannot write the plan to {}", file.display()))?;
        if let Format::Text { .. } = output.format {
            outln!(
                "\nSaved the plan to {}. To make exactly these changes, run:\n    watchpost apply {}",
                file.display(),
                file.display()
            );
        }
    }
    Ok(if output.detailed_exitcode && !plan.is_empty() {
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
