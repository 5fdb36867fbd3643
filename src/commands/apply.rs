use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;

use crate::apply::{Event, Outcome, Settings, execute};
use crate::baseline::Baseline;
use crate::cli::AwsArgs;
use crate::plan::{Action, render};

const IAM_PROPAGATION_ENV: &str = "WATCHPOST_IAM_PROPAGATION_SECONDS";
const DEFAULT_IAM_PROPAGATION: Duration = Duration::from_secs(10);

pub async fn run(path: &Path, aws: &AwsArgs, auto_approve: bool) -> anyhow::Result<ExitCode> {
    let baseline = Baseline::load(path)?;
    let session = super::session(aws).await;
    let plan = super::observe_and_plan(&session, aws, &baseline).await?;
    print!("{}", render(&plan));
    if !plan.gaps.is_empty() {
        bail!(
            "refusing to apply: parts of the account could not be read (listed above), and changing it blind could duplicate what is there"
        );
    }
    if plan.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let settings = Settings {
        iam_propagation: iam_propagation()?,
    };
    if !auto_approve && !confirmed()? {
        println!("\nApply cancelled.");
        return Ok(ExitCode::from(1));
    }
    println!();
    let report = execute(&session, &plan, &settings, &print_event).await;

    let after = super::observe_and_plan(&session, aws, &baseline).await?;
    if report.failures() > 0 || !after.is_empty() || !after.gaps.is_empty() {
        println!("\nThe account does not match the baseline yet. What remains:\n");
        print!("{}", render(&after));
        bail!(
            "apply did not converge: {} of {} change(s) failed, {} remain to be made and {} part(s) could not be read; fix the causes above and run apply again, which continues from where this run stopped",
            report.failures(),
            plan.changes.len(),
            after.changes.len(),
            after.gaps.len()
        );
    }
    println!(
        "\nApply complete! Resources: {} added, {} changed, {} destroyed. A fresh plan shows no changes.",
        plan.count(Action::Create),
        plan.count(Action::Update),
        plan.count(Action::Delete)
    );
    Ok(ExitCode::SUCCESS)
}

/// Terraform's rule: only the exact word `yes` from a person at a terminal approves.
fn confirmed() -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "refusing to apply without confirmation: stdin is not a terminal\nhint: review the plan above, then run again with --auto-approve"
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

fn iam_propagation() -> anyhow::Result<Duration> {
    match std::env::var(IAM_PROPAGATION_ENV) {
        Ok(seconds) => match seconds.parse::<u64>() {
            Ok(seconds) => Ok(Duration::from_secs(seconds)),
            Err(_) => bail!("{IAM_PROPAGATION_ENV}={seconds} is not a number of seconds"),
        },
        Err(_) => Ok(DEFAULT_IAM_PROPAGATION),
    }
}

fn print_event(event: Event<'_>) {
    match event {
        Event::Started(change) => {
            let verb = match change.action {
                Action::Create => "creating",
                Action::Update => "updating",
                Action::Delete => "deleting",
            };
            println!("{}: {verb}...", change.id);
        }
        Event::Finished(change, outcome, elapsed) => match outcome {
            Outcome::Done => {
                let verb = match change.action {
                    Action::Create => "created",
                    Action::Update => "updated",
                    Action::Delete => "deleted",
                };
                println!("{}: {verb} after {:.1}s", change.id, elapsed.as_secs_f64());
            }
            Outcome::Failed(error) => println!("{}: failed: {error}", change.id),
            Outcome::Skipped { because_of } => {
                println!("{}: not attempted, because {because_of} failed", change.id)
            }
        },
    }
}
