use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

use super::{AccountOutcome, account_line, first_line};
use crate::accounts::Fleet;
use crate::baseline::Baseline;
use crate::cli::AwsArgs;
use crate::model::Observed;
use crate::plan::{
    AccountReport, ApiCallCounts, Plan, SavedPlan, Selector, render, render_json, sum_calls,
};

pub struct Output {
    pub detailed_exitcode: bool,
    pub json: bool,
    pub out: Option<PathBuf>,
    pub only: Vec<Selector>,
}

pub async fn run(path: &Path, aws: &AwsArgs, output: &Output) -> anyhow::Result<ExitCode> {
    let (baseline, source) = Baseline::read(path)?;
    let fleet = Fleet::new(&baseline, aws)?;
    let reach = super::reach(aws, &baseline, &fleet).await?;
    if reach.is_fan_out() && output.out.is_some() {
        bail!(
            "--out saves the plan of one account, and this run covers {}\nhint: save one plan per account, with --accounts ID --out FILE for each",
            reach.targets.len()
        );
    }
    let targets = &reach.targets;
    super::warn_only(&output.only);
    let region = super::account_region(aws, &baseline);
    let outcomes = super::for_each_account(targets, fleet.parallelism, |target| async {
        target.verify(region).await?;
        super::observe_and_plan(target, aws, &baseline, &output.only).await
    })
    .await;

    if output.json {
        let reports: Vec<AccountReport<'_>> = outcomes
            .iter()
            .map(|outcome| AccountReport {
                account_id: &outcome.account_id,
                plan: match &outcome.result {
                    Ok((plan, _)) => Ok(plan),
                    Err(error) => Err(format!("{error:#}")),
                },
                api_calls: &outcome.api_calls,
            })
            .collect();
        println!("{:#}", render_json(&reports, &reach.caller.api_calls()));
    }
    if !reach.is_fan_out() {
        let outcome = outcomes.into_iter().next().expect("one account");
        let (plan, observed) = outcome.result?;
        return one_account(&plan, &observed, &source, output);
    }

    if !output.json {
        for outcome in &outcomes {
            println!("\n== account {} ==\n", outcome.account_id);
            match &outcome.result {
                Ok((plan, _)) => anstream::print!("{}", render(plan, true)),
                Err(error) => println!("error: {error:#}"),
            }
        }
        print_summary(&outcomes, &reach.caller.api_calls());
    }
    let failed = outcomes.iter().any(|outcome| match &outcome.result {
        Ok((plan, _)) => !plan.gaps.is_empty(),
        Err(_) => true,
    });
    let changes = outcomes
        .iter()
        .any(|outcome| matches!(&outcome.result, Ok((plan, _)) if !plan.is_empty()));
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
    plan: &Plan,
    observed: &Observed,
    source: &str,
    output: &Output,
) -> anyhow::Result<ExitCode> {
    if !output.json {
        anstream::print!("{}", render(plan, true));
    }
    if !plan.gaps.is_empty() {
        bail!(
            "the plan is incomplete: {} part(s) of the account could not be read (listed above)",
            plan.gaps.len()
        );
    }
    if let Some(file) = &output.out {
        let saved = SavedPlan::new(plan.clone(), source, observed);
        let text = serde_json::to_string_pretty(&saved).expect("the plan serializes");
        std::fs::write(file, text)
            .with_context(|| format!("cannot write the plan to {}", file.display()))?;
        if !output.json {
            println!(
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

/// One line per account, then the totals, as the last thing a reviewer reads.
fn print_summary(outcomes: &[AccountOutcome<(Plan, Observed)>], run_calls: &ApiCallCounts) {
    println!("\nAccounts:");
    for outcome in outcomes {
        let state = match &outcome.result {
            Ok((plan, _)) if !plan.gaps.is_empty() => {
                format!("incomplete: {} part(s) could not be read", plan.gaps.len())
            }
            Ok((plan, _)) => account_line(plan),
            Err(error) => format!("failed: {}", first_line(error)),
        };
        println!("  {}  {state}", outcome.account_id);
    }
    let plans: Vec<&Plan> = outcomes
        .iter()
        .filter_map(|outcome| outcome.result.as_ref().ok().map(|(plan, _)| plan))
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
    println!(
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
}
