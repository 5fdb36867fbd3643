use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::json;

use crate::apply::{Event, Outcome, Report, Settings, execute};
use crate::aws::{Context as _, Session};
use crate::baseline::Baseline;
use crate::cli::AwsArgs;
use crate::lease;
use crate::model::topic_arn;
use crate::plan::{Action, Plan, SAVED_FORMAT_VERSION, SavedPlan, Selector, render, render_json};

const IAM_PROPAGATION_ENV: &str = "WATCHPOST_IAM_PROPAGATION_SECONDS";
const DEFAULT_IAM_PROPAGATION: Duration = Duration::from_secs(10);

pub struct How {
    pub plan_file: Option<PathBuf>,
    pub auto_approve: bool,
    pub json: bool,
    pub notify: bool,
    pub only: Vec<Selector>,
    pub lock_timeout: Duration,
}

pub async fn run(path: &Path, aws: &AwsArgs, how: &How) -> anyhow::Result<ExitCode> {
    let (baseline, source) = Baseline::read(path)?;
    if how.notify && baseline.alerts.is_none() {
        bail!(
            "--notify publishes to the alert topic, and the baseline has no [alerts] section\nhint: add [alerts] with emails = [...], or drop --notify"
        );
    }
    let settings = Settings {
        iam_propagation: iam_propagation()?,
    };
    // A saved plan that cannot be used is refused before any call to AWS.
    let saved = how.plan_file.as_deref().map(read_saved).transpose()?;
    super::warn_only(&how.only);
    let session = super::session(aws).await;
    let account_id = super::identify(&session, aws, &baseline).await?;
    let lease = lease::acquire(
        &session,
        &baseline.scope.home_region,
        &account_id,
        how.lock_timeout,
    )
    .await?;
    // Whatever happens below, the lease is given back.
    let outcome = async {
        let reporter = if how.json {
            Reporter::Json
        } else {
            Reporter::Human
        };
        let plan = match (saved, &how.plan_file) {
            (Some(saved), Some(file)) => {
                let observed = super::observe(&session, aws, &baseline, &account_id, false).await?;
                let stale = saved.staleness(&source, &observed);
                if !stale.is_empty() {
                    bail!(
                        "the saved plan is stale: {} since it was made\nhint: run `watchpost plan --out {}` again, review it, and apply the new file",
                        stale.join(", "),
                        file.display()
                    );
                }
                saved.plan
            }
            _ => {
                super::observe_and_plan(&session, aws, &baseline, &account_id, &how.only)
                    .await?
                    .0
            }
        };
        reporter.plan(&plan);
        if !plan.gaps.is_empty() {
            bail!(
                "refusing to apply: parts of the account could not be read (listed above), and changing it blind could duplicate what is there"
            );
        }
        if plan.is_empty() {
            reporter.summary(&plan, 0, &plan);
            return Ok(ExitCode::SUCCESS);
        }
        // A saved plan was reviewed when it was made; applying it is the approval.
        let approved = how.auto_approve || how.plan_file.is_some();
        if !approved && !confirmed("apply")? {
            println!("\nApply cancelled.");
            return Ok(ExitCode::from(1));
        }
        let report = execute(&session, &plan, &settings, &|event| reporter.event(event)).await;

        let (after, _) =
            super::observe_and_plan(&session, aws, &baseline, &account_id, &how.only).await?;
        reporter.summary(&plan, report.failures(), &after);
        if how.notify
            && let Some(alerts) = &baseline.alerts
        {
            notify(&session, &plan, &report, &after, &alerts.topic_name).await?;
        }
        if report.failures() > 0 || !after.is_empty() || !after.gaps.is_empty() {
            bail!(
                "apply did not converge: {} of {} change(s) failed, {} remain to be made and {} part(s) could not be read; fix the causes above and run apply again, which continues from where this run stopped",
                report.failures(),
                plan.changes.len(),
                after.changes.len(),
                after.gaps.len()
            );
        }
        Ok(ExitCode::SUCCESS)
    }
    .await;
    lease.release().await?;
    outcome
}

/// The short account of a repair that `--notify` sends to the alert topic.
async fn notify(
    session: &Session,
    plan: &Plan,
    report: &Report,
    after: &Plan,
    topic: &str,
) -> anyhow::Result<()> {
    let mut message = format!(
        "watchpost found drift in account {} and set out to repair it: {} to create, {} to update, {} to delete.\n\n",
        plan.account_id,
        plan.count(Action::Create),
        plan.count(Action::Update),
        plan.count(Action::Delete)
    );
    for (id, outcome) in &report.outcomes {
        let verdict = match outcome {
            Outcome::Done => "repaired".to_owned(),
            Outcome::Failed(error) => format!("FAILED: {error}"),
            Outcome::Skipped { because_of } => format!("not attempted ({because_of} failed)"),
        };
        message.push_str(&format!("{id}: {verdict}\n"));
    }
    if after.is_empty() && after.gaps.is_empty() {
        message.push_str("\nThe account matches the baseline again.\n");
    } else {
        message.push_str(&format!(
            "\nThe account does NOT match the baseline yet: {} change(s) remain.\n",
            after.changes.len()
        ));
    }
    let subject = if after.is_empty() && after.gaps.is_empty() {
        format!("watchpost repaired drift in account {}", plan.account_id)
    } else {
        format!(
            "watchpost could not fully repair drift in account {}",
            plan.account_id
        )
    };
    session
        .sns(&plan.home_region)
        .publish()
        .topic_arn(topic_arn(&plan.home_region, &plan.account_id, topic))
        .subject(subject)
        .message(message)
        .send()
        .await
        .call(
            "sns:Publish",
            format!("alert_topic/{}/{topic}", plan.home_region),
        )?;
    Ok(())
}

fn read_saved(file: &Path) -> anyhow::Result<SavedPlan> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the saved plan {}", file.display()))?;
    let version: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a saved plan (not JSON)", file.display()))?;
    if version["format_version"] != SAVED_FORMAT_VERSION {
        bail!(
            "{} was written by watchpost {} in plan format {}; this watchpost ({}) reads format {SAVED_FORMAT_VERSION}\nhint: make the plan again with this watchpost",
            file.display(),
            version["watchpost_version"],
            version["format_version"],
            env!("CARGO_PKG_VERSION")
        );
    }
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a valid saved plan", file.display()))
}

/// How progress reaches the user: text for people, one JSON object per line for schedulers.
enum Reporter {
    Human,
    Json,
}

impl Reporter {
    fn plan(&self, plan: &Plan) {
        match self {
            Reporter::Human => anstream::print!("{}", render(plan, true)),
            Reporter::Json => json_line(json!({
                "type": "start",
                "account_id": plan.account_id,
                "watchpost_version": env!("CARGO_PKG_VERSION"),
                "plan": render_json(plan),
            })),
        }
    }

    fn event(&self, event: Event<'_>) {
        match self {
            Reporter::Human => print_event(event),
            Reporter::Json => json_line(match event {
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
                    "error": error.to_string(),
                }),
                Event::Finished(change, Outcome::Skipped { because_of }, _) => json!({
                    "type": "change_skipped",
                    "address": change.id.to_string(),
                    "action": change.action,
                    "because_of": because_of.to_string(),
                }),
            }),
        }
    }

    fn summary(&self, plan: &Plan, failed: usize, after: &Plan) {
        let converged = failed == 0 && after.is_empty() && after.gaps.is_empty();
        match self {
            Reporter::Human if converged && plan.is_empty() => {}
            Reporter::Human if converged => println!(
                "\nApply complete! Resources: {} added, {} changed, {} destroyed. A fresh plan shows no changes.",
                plan.count(Action::Create),
                plan.count(Action::Update),
                plan.count(Action::Delete)
            ),
            Reporter::Human => {
                println!("\nThe account does not match the baseline yet. What remains:\n");
                anstream::print!("{}", render(after, true));
            }
            Reporter::Json => json_line(json!({
                "type": "summary",
                "added": plan.count(Action::Create),
                "changed": plan.count(Action::Update),
                "destroyed": plan.count(Action::Delete),
                "failed": failed,
                "remaining": after.changes.len(),
                "unreadable": after.gaps.len(),
                "converged": converged,
            })),
        }
    }
}

fn json_line(value: serde_json::Value) {
    println!("{value}");
}

/// Terraform's rule: only the exact word `yes` from a person at a terminal approves.
pub(super) fn confirmed(verb: &str) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "refusing to {verb} without confirmation: stdin is not a terminal\nhint: review the plan above, then run again with --auto-approve"
        );
    }
    print!(
        "\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
    );
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

pub(super) fn iam_propagation() -> anyhow::Result<Duration> {
    match std::env::var(IAM_PROPAGATION_ENV) {
        Ok(seconds) => match seconds.parse::<u64>() {
            Ok(seconds) => Ok(Duration::from_secs(seconds)),
            Err(_) => bail!("{IAM_PROPAGATION_ENV}={seconds} is not a number of seconds"),
        },
        Err(_) => Ok(DEFAULT_IAM_PROPAGATION),
    }
}

/// Progress for people: on a terminal, each change as it starts and ends, on stderr; what
/// failed is always said, on stdout, whoever is reading.
pub(super) fn print_event(event: Event<'_>) {
    let progress = std::io::stderr().is_terminal();
    match event {
        Event::Started(change) if progress => {
            let verb = match change.action {
                Action::Create => "creating",
                Action::Update => "updating",
                Action::Delete => "deleting",
            };
            eprintln!("{}: {verb}...", change.id);
        }
        Event::Started(_) => {}
        Event::Finished(change, outcome, elapsed) => match outcome {
            Outcome::Done if progress => {
                let verb = match change.action {
                    Action::Create => "created",
                    Action::Update => "updated",
                    Action::Delete => "deleted",
                };
                eprintln!("{}: {verb} after {:.1}s", change.id, elapsed.as_secs_f64());
            }
            Outcome::Done => {}
            Outcome::Failed(error) => println!("{}: failed: {error}", change.id),
            Outcome::Skipped { because_of } => {
                println!("{}: not attempted, because {because_of} failed", change.id)
            }
        },
    }
}
