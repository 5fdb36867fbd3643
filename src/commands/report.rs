//! How `apply` and `destroy` talk to the person or scheduler running them: plans, progress and
//! the ending, as text for people or JSON lines for machines, grouped by account when a run
//! covers several.

use std::io::{BufRead, IsTerminal};

use anyhow::bail;
use serde_json::{Value, json};

use super::fan_out::Reach;
use super::outcome::{AccountOutcome, Finished, Tally};
use super::settings::ReportFormat;
use super::verb::Verb;
use crate::apply::{Event, Halt, Outcome};
use crate::baseline::Shard;
use crate::error::Hinted;
use crate::model::{ApiCallCounts, sum_calls};
use crate::output::{out, outln};
use crate::plan::{
    AccountReport, Action, FORMAT_VERSION, Plan, account_json, render_compact, render_full,
    render_remaining, summary_line,
};

/// What a run that changes accounts says as it goes, in the form chosen once for the run.
pub(super) trait Reporter: Sync {
    /// An account's plan, before approval is asked for.
    fn plan(&self, plan: &Plan, verb: Verb);
    /// An account that could not be planned at all.
    fn account_failed(&self, account_id: &str, error: &anyhow::Error);
    /// A change of the account's starting or ending.
    fn change(&self, account_id: &str, event: Event<'_>);
    /// How an account ended, said as soon as it has, so that its plans can be let go.
    fn account_ended(&self, outcome: &AccountOutcome<Finished>, verb: Verb);
    /// How the whole run ended, from what it kept of its accounts.
    fn summary(&self, tally: &Tally, verb: Verb, run_calls: &ApiCallCounts);
}

/// The reporter `format` asks for, for the accounts `reach` covers.
pub(super) fn reporter(format: ReportFormat, reach: &Reach) -> Box<dyn Reporter> {
    match format {
        ReportFormat::Text { full } => Box::new(TextReporter {
            full,
            fan_out: reach.is_fan_out(),
        }),
        ReportFormat::JsonLines => Box::new(JsonLinesReporter { shard: reach.shard }),
    }
}

/// For people.
struct TextReporter {
    /// Plans are shown with every setting of every change, not compact.
    full: bool,
    /// The run covers several accounts: every line says which.
    fan_out: bool,
}

impl Reporter for TextReporter {
    fn plan(&self, plan: &Plan, verb: Verb) {
        if self.fan_out {
            outln!("\n== account {} ==\n", plan.account_id);
        }
        if verb == Verb::Destroy && plan.is_empty() && plan.gaps.is_empty() {
            for note in &plan.notes {
                outln!("note: {note}");
            }
            outln!("Nothing to destroy: nothing watchpost made is left to remove.");
        } else if self.full {
            out!("{}", render_full(plan, true));
        } else {
            out!("{}", render_compact(plan, true));
            outln!("{}", summary_line(plan));
        }
    }

    /// Said at once in a fan-out; a run over one account reports it as the run's error.
    fn account_failed(&self, account_id: &str, error: &anyhow::Error) {
        if self.fan_out {
            outln!(
                "\n== account {account_id} ==\n\nerror: {}",
                crate::error::explained(error)
            );
        }
    }

    fn change(&self, account_id: &str, event: Event<'_>) {
        let prefix = if self.fan_out {
            format!("{account_id} ")
        } else {
            String::new()
        };
        print_event(&prefix, event);
    }

    fn account_ended(&self, outcome: &AccountOutcome<Finished>, verb: Verb) {
        let Ok(finished) = &outcome.result else {
            return;
        };
        if self.fan_out && !(finished.converged() && finished.plan.is_empty()) {
            outln!("\n== account {} ==", outcome.account_id);
        }
        print_ending(finished, verb);
    }

    fn summary(&self, tally: &Tally, verb: Verb, _: &ApiCallCounts) {
        if !self.fan_out {
            return;
        }
        outln!("\nAccounts:");
        let mut states: Vec<&(String, String)> = tally.states.iter().collect();
        states.sort();
        for (account_id, state) in states {
            outln!("  {account_id}  {state}");
        }
        outln!(
            "\n{} complete in {} of {} account(s).",
            verb.capitalized(),
            tally.converged,
            tally.accounts()
        );
    }
}

/// For machines: one JSON document a line, each naming its account (docs/json-output.md).
struct JsonLinesReporter {
    /// Named in the summary, so that `report merge` can tell the shards of a fleet apart.
    shard: Option<Shard>,
}

impl Reporter for JsonLinesReporter {
    fn plan(&self, plan: &Plan, _: Verb) {
        let calls = Default::default();
        json_line(json!({
            "type": "start",
            "format_version": FORMAT_VERSION,
            "account_id": plan.account_id,
            "watchpost_version": env!("CARGO_PKG_VERSION"),
            "plan": account_json(&AccountReport {
                account_id: &plan.account_id,
                plan: Ok(plan),
                api_calls: &calls,
                cost: None,
            }),
        }));
    }

    /// Nothing at once: the account's summary line carries its error.
    fn account_failed(&self, _: &str, _: &anyhow::Error) {}

    fn change(&self, account_id: &str, event: Event<'_>) {
        let mut line = match event {
            Event::Started(change) => json!({
                "type": "change_started",
                "address": change.id.to_string(),
                "action": change.action,
            }),
            Event::Finished(change, Outcome::Done, elapsed) => json!({
                "type": "change_finished",
                "address": change.id.to_string(),
                "action": change.action,
                "seconds": elapsed.as_secs_f64(),
            }),
            Event::Finished(change, Outcome::Failed(error), _) => json!({
                "type": "change_failed",
                "address": change.id.to_string(),
                "action": change.action,
                "error": error.explained(),
            }),
            Event::Finished(change, Outcome::NotStarted(halt), _) => json!({
                "type": "change_not_started",
                "address": change.id.to_string(),
                "action": change.action,
                "reason": match halt {
                    Halt::Interrupted => "interrupted",
                    Halt::LeaseLost => "lease_lost",
                },
            }),
            Event::Finished(change, Outcome::Skipped { because_of }, _) => json!({
                "type": "change_skipped",
                "address": change.id.to_string(),
                "action": change.action,
                "because_of": because_of.to_string(),
            }),
        };
        line["account_id"] = json!(account_id);
        json_line(line);
    }

    fn account_ended(&self, outcome: &AccountOutcome<Finished>, _: Verb) {
        json_line(account_summary(outcome));
    }

    fn summary(&self, tally: &Tally, _: Verb, run_calls: &ApiCallCounts) {
        let mut summary = json!({
            "type": "summary",
            "accounts": tally.accounts(),
            "failed_accounts": tally.failed_accounts(),
            "added": tally.added,
            "changed": tally.changed,
            "destroyed": tally.destroyed,
            "failed": tally.failed,
            "remaining": tally.remaining,
            "unreadable": tally.unreadable,
            "converged": tally.failed_accounts() == 0,
            "api_calls": sum_calls([&tally.api_calls, run_calls]),
        });
        if let Some(shard) = self.shard {
            summary["shard"] = json!(shard.to_string());
        }
        json_line(summary);
    }
}

fn account_summary(outcome: &AccountOutcome<Finished>) -> Value {
    let mut line = match &outcome.result {
        Ok(finished) => json!({
            "added": finished.plan.count(Action::Create),
            "changed": finished.plan.count(Action::Update),
            "destroyed": finished.plan.count(Action::Delete),
            "failed": finished.failures,
            "remaining": finished.after.changes.len(),
            "unreadable": finished.after.gaps.len(),
            "converged": finished.converged(),
        }),
        Err(error) => json!({
            "converged": false,
            "error": crate::error::explained(error),
        }),
    };
    if let Ok(Finished {
        lease_lost: Some(why),
        ..
    }) = &outcome.result
    {
        line["lease_lost"] = json!(why);
    }
    line["type"] = json!("account_summary");
    line["account_id"] = json!(outcome.account_id);
    line["api_calls"] = json!(outcome.api_calls);
    line
}

/// How one account's changes ended, for people. What an apply left to do is counted, not
/// planned again: the next plan shows it.
fn print_ending(finished: &Finished, verb: Verb) {
    let plan = &finished.plan;
    if let (false, Some(why)) = (finished.converged(), &finished.lease_lost) {
        outln!("\nNo change started once the account's lease was lost: {why}.");
    }
    match (finished.converged(), verb) {
        (true, _) if plan.is_empty() => {}
        (true, Verb::Apply) => outln!(
            "\nApply complete! Resources: {} added, {} changed, {} destroyed. A fresh plan shows no changes.",
            plan.count(Action::Create),
            plan.count(Action::Update),
            plan.count(Action::Delete)
        ),
        (true, Verb::Destroy) => outln!(
            "\nDestroy complete! Resources: {} destroyed.",
            plan.count(Action::Delete)
        ),
        (false, Verb::Apply) => {
            outln!("\nThe account does not match the baseline yet. What remains:\n");
            out!("{}", render_remaining(&finished.after, true));
            outln!("\n`watchpost plan` shows each of them in full.");
        }
        (false, Verb::Destroy) => {
            outln!("\nWhat watchpost made and could not remove:\n");
            out!("{}", render_compact(&finished.after, true));
            outln!("{}", summary_line(&finished.after));
        }
    }
}

fn json_line(value: Value) {
    outln!("{value}");
}

/// Terraform's rule: only the exact word `yes` from a person at a terminal approves.
pub(super) fn confirmed(verb: Verb) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!(Hinted::new(
            format!("refusing to {verb} without confirmation: stdin is not a terminal"),
            "review the plan above, then run again with --auto-approve"
        ));
    }
    out!(
        "\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
    );
    // What is approved is what was shown: a plan whose reader left half way was not seen.
    if !crate::output::stdout_whole() {
        bail!(Hinted::new(
            format!(
                "refusing to {verb}: the plan could not be shown in full (its output was closed)"
            ),
            "review the whole plan, or save it with `watchpost plan --out FILE` and run `watchpost apply FILE`"
        ));
    }
    let mut answer = String::new();
    // Off the runtime's workers, so that the heartbeats renewing the leases go on while a
    // person reads the plan.
    tokio::task::block_in_place(|| std::io::stdin().lock().read_line(&mut answer))?;
    Ok(answer.trim() == "yes")
}

/// Progress for people: where progress is shown, each change as it starts and ends, on
/// stderr; what failed is always said, on stdout, whoever is reading.
fn print_event(prefix: &str, event: Event<'_>) {
    let progress = crate::progress::shown();
    match event {
        Event::Started(change) if progress => {
            let verb = match change.action {
                Action::Create => "creating",
                Action::Update => "updating",
                Action::Delete => "deleting",
            };
            crate::progress::line(&format!("{prefix}{}: {verb}...", change.id));
        }
        Event::Started(_) => {}
        Event::Finished(change, outcome, elapsed) => match outcome {
            Outcome::Done if progress => {
                let verb = match change.action {
                    Action::Create => "created",
                    Action::Update => "updated",
                    Action::Delete => "deleted",
                };
                crate::progress::line(&format!(
                    "{prefix}{}: {verb} after {:.1}s",
                    change.id,
                    elapsed.as_secs_f64()
                ));
            }
            Outcome::Done => {}
            Outcome::Failed(error) => {
                outln!("{prefix}{}: failed: {}", change.id, error.explained())
            }
            Outcome::NotStarted(halt) => {
                outln!("{prefix}{}: not started: {}", change.id, halt.reason())
            }
            Outcome::Skipped { because_of } => {
                outln!(
                    "{prefix}{}: not attempted, because {because_of} failed",
                    change.id
                )
            }
        },
    }
}
