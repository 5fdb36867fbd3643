//! `watchpost plan`: what apply would change in each account, for review, with what the
//! baseline costs.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use futures::StreamExt;

use super::fan_out::{account_region, for_each_account, reach};
use super::outcome::{AccountOutcome, account_line, first_line};
use super::read::{absolute, observe_with_usage, read_baseline, warn_only};
use super::settings::{PlanOutput, PlanSettings};
use crate::accounts::{Fleet, Target};
use crate::baseline::Shard;
use crate::cli::AwsArgs;
use crate::error::Hinted;
use crate::model::{ApiCallCounts, Observed, sum_calls};
use crate::output::{out, outln};
use crate::plan::{
    AccountReport, Action, CostTotal, DocumentWriter, Estimate, Plan, SavedPlan, render_compact,
    render_cost, render_full, render_markdown, summary_line,
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
                reach.accounts.len()
            ),
            "save one plan per account, with --accounts ID --out FILE for each"
        ));
    }
    warn_only(&settings.only);
    let region = account_region(aws, &baseline);
    // The estimate's reads only sharpen it: each gets one attempt unless the user chose a
    // number, so that a call the endpoint lacks does not hold the plan up (docs/costs.md).
    let attempts_chosen = crate::aws::attempts_chosen(aws.access.profile.as_deref()).await;
    let plan_account = async |target: &Target| {
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
        let (observed, _, usage) =
            observe_with_usage(target, aws, &baseline, &reading, settings.retired).await?;
        let plan = crate::plan::plan(&baseline, &observed).only(&settings.only)?;
        let cost = crate::plan::estimate(&baseline, &observed, &usage);
        Ok(Planned {
            plan,
            observed,
            cost,
        })
    };
    let outcomes = for_each_account(&reach, fleet.parallelism, &plan_account);
    let mut outcomes = std::pin::pin!(outcomes);

    if !reach.is_fan_out() {
        let outcome = outcomes.next().await.expect("one account");
        print_document(settings.format, &outcome, &reach.caller.api_calls());
        return one_account(&outcome.result?, &source, path, settings);
    }
    let mut report = FleetReport::new(settings.format, reach.shard);
    while let Some(outcome) = outcomes.next().await {
        report.document(&outcome);
        report.text(&outcome);
        report.count(outcome);
    }
    Ok(report.finish(&reach.caller.api_calls(), settings.detailed_exitcode))
}

/// The document for machines, or the comment, of a run over the caller's own account.
fn print_document(
    format: PlanOutput,
    outcome: &AccountOutcome<Planned>,
    run_calls: &ApiCallCounts,
) {
    match format {
        PlanOutput::Json => {
            let (mut writer, opening) = DocumentWriter::begin();
            let account = writer.account(&account_report(outcome));
            out!("{opening}{account}{}", writer.finish(run_calls, None));
        }
        PlanOutput::Markdown => out!("{}", render_markdown(&[account_report(outcome)])),
        PlanOutput::Text { .. } => {}
    }
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

/// A run's report over its accounts, written as each account is planned: each account's plan
/// is printed and let go, and only what the ending needs is kept (a line and the counts per
/// account, the cost added up), so that memory stays flat however many accounts a run covers.
/// The Markdown comment is the exception: it is cut to fit GitHub's limit, which takes every
/// account's changes at once (their unchanged resources are let go).
struct FleetReport {
    format: PlanOutput,
    shard: Option<Shard>,
    json: Option<DocumentWriter>,
    markdown: Vec<AccountOutcome<Planned>>,
    lines: Vec<(String, String)>,
    totals: Totals,
    cost: CostTotal,
    api_calls: ApiCallCounts,
}

#[derive(Default)]
struct Totals {
    add: usize,
    change: usize,
    destroy: usize,
    failed: usize,
    incomplete: bool,
    changes: bool,
}

impl FleetReport {
    fn new(format: PlanOutput, shard: Option<Shard>) -> Self {
        let json = match format {
            PlanOutput::Json => {
                let (writer, opening) = DocumentWriter::begin();
                out!("{opening}");
                Some(writer)
            }
            PlanOutput::Markdown | PlanOutput::Text { .. } => None,
        };
        FleetReport {
            format,
            shard,
            json,
            markdown: Vec::new(),
            lines: Vec::new(),
            totals: Totals::default(),
            cost: CostTotal::default(),
            api_calls: ApiCallCounts::new(),
        }
    }

    /// The account's part of the JSON document, written now.
    fn document(&mut self, outcome: &AccountOutcome<Planned>) {
        if let Some(writer) = &mut self.json {
            out!("{}", writer.account(&account_report(outcome)));
        }
    }

    /// The account's plan for people, with its heading, printed now.
    fn text(&self, outcome: &AccountOutcome<Planned>) {
        if let PlanOutput::Text { full } = self.format {
            outln!("\n== account {} ==\n", outcome.account_id);
            match &outcome.result {
                Ok(planned) => print_text(planned, full),
                Err(error) => outln!("error: {}", crate::error::explained(error)),
            }
        }
    }

    /// What the ending needs of the account; the Markdown comment keeps its changes.
    fn count(&mut self, mut outcome: AccountOutcome<Planned>) {
        self.api_calls = sum_calls([&self.api_calls, &outcome.api_calls]);
        let state = match &outcome.result {
            Ok(Planned { plan, cost, .. }) => {
                self.totals.add += plan.count(Action::Create);
                self.totals.change += plan.count(Action::Update);
                self.totals.destroy += plan.count(Action::Delete);
                self.totals.changes |= !plan.is_empty();
                self.totals.incomplete |= !plan.gaps.is_empty();
                self.cost.add(cost);
                if plan.gaps.is_empty() {
                    account_line(plan)
                } else {
                    format!("incomplete: {} part(s) could not be read", plan.gaps.len())
                }
            }
            Err(error) => {
                self.totals.failed += 1;
                format!("failed: {}", first_line(error))
            }
        };
        self.lines.push((outcome.account_id.clone(), state));
        if let (PlanOutput::Markdown, Ok(planned)) = (self.format, &mut outcome.result) {
            planned.plan.unchanged = Vec::new();
            planned.observed = Observed::default();
        }
        if let PlanOutput::Markdown = self.format {
            self.markdown.push(outcome);
        }
    }

    /// The end of the document or comment, or the summary for people, and the exit code.
    fn finish(self, run_calls: &ApiCallCounts, detailed_exitcode: bool) -> ExitCode {
        match self.format {
            PlanOutput::Json => {
                let writer = self.json.expect("begun with the run");
                let shard = self.shard.map(|shard| shard.to_string());
                out!("{}", writer.finish(run_calls, shard.as_deref()));
            }
            PlanOutput::Markdown => {
                let reports: Vec<AccountReport<'_>> =
                    self.markdown.iter().map(account_report).collect();
                out!("{}", render_markdown(&reports));
            }
            PlanOutput::Text { full } => self.print_summary(run_calls, full),
        }
        let Totals {
            failed,
            incomplete,
            changes,
            ..
        } = self.totals;
        if failed > 0 || incomplete {
            ExitCode::from(1)
        } else if detailed_exitcode && changes {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        }
    }

    /// One line per account, then the totals, as the last thing a reviewer reads.
    fn print_summary(&self, run_calls: &ApiCallCounts, full: bool) {
        outln!("\nAccounts:");
        for (account_id, state) in &self.lines {
            outln!("  {account_id}  {state}");
        }
        let calls: u64 = sum_calls([&self.api_calls, run_calls]).values().sum();
        let Totals {
            add,
            change,
            destroy,
            failed,
            ..
        } = self.totals;
        let totals = format!(
            "\nPlan: {add} to add, {change} to change, {destroy} to destroy, over {} account(s){}. {calls} API calls.",
            self.lines.len(),
            if failed > 0 {
                format!("; {failed} could not be planned")
            } else {
                String::new()
            }
        );
        let cost = self.cost.render();
        if full {
            out!("{totals}\n{cost}");
        } else {
            out!("\n{cost}{totals}\n");
        }
    }
}

fn account_report(outcome: &AccountOutcome<Planned>) -> AccountReport<'_> {
    AccountReport {
        account_id: &outcome.account_id,
        plan: match &outcome.result {
            Ok(planned) => Ok(&planned.plan),
            Err(error) => Err(crate::error::explained(error)),
        },
        api_calls: &outcome.api_calls,
        cost: outcome.result.as_ref().ok().map(|planned| &planned.cost),
    }
}
