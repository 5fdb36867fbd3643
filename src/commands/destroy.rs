use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;

use super::apply::{confirmed, iam_propagation, print_event};
use crate::apply::{Settings, execute};
use crate::baseline::Baseline;
use crate::cli::AwsArgs;
use crate::lease;
use crate::plan::{Action, destroy, render};

pub struct How {
    pub auto_approve: bool,
    pub delete_logs: bool,
    pub lock_timeout: Duration,
}

pub async fn run(path: &Path, aws: &AwsArgs, how: &How) -> anyhow::Result<ExitCode> {
    let (baseline, _) = Baseline::read(path)?;
    let settings = Settings {
        iam_propagation: iam_propagation()?,
    };
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
        let observed = super::observe(&session, aws, &baseline, &account_id, true).await?;
        let plan = destroy(&baseline, &observed, how.delete_logs);
        if !plan.gaps.is_empty() {
            anstream::print!("{}", render(&plan, true));
            bail!("refusing to destroy: parts of the account could not be read (listed above)");
        }
        if plan.is_empty() {
            for note in &plan.notes {
                println!("note: {note}");
            }
            println!("Nothing to destroy: nothing watchpost made is left to remove.");
            return Ok(ExitCode::SUCCESS);
        }
        anstream::print!("{}", render(&plan, true));
        if !how.auto_approve && !confirmed("destroy")? {
            println!("\nDestroy cancelled.");
            return Ok(ExitCode::from(1));
        }
        let report = execute(&session, &plan, &settings, &print_event).await;
        let observed = super::observe(&session, aws, &baseline, &account_id, true).await?;
        let after = destroy(&baseline, &observed, how.delete_logs);
        if report.failures() > 0 || !after.is_empty() || !after.gaps.is_empty() {
            println!("\nWhat watchpost made and could not remove:\n");
            anstream::print!("{}", render(&after, true));
            bail!(
                "destroy did not finish: {} of {} removal(s) failed; fix the causes above and run destroy again",
                report.failures(),
                plan.changes.len()
            );
        }
        println!(
            "\nDestroy complete! Resources: {} destroyed.",
            plan.count(Action::Delete)
        );
        Ok(ExitCode::SUCCESS)
    }
    .await;
    match outcome {
        Ok(_) => lease.retire().await?,
        Err(_) => lease.release().await?,
    }
    outcome
}
