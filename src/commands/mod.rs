//! Each command is a thin wrapper over the layers: load, observe, plan, render, apply.

mod apply;
mod destroy;
mod plan;
mod validate;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;

use crate::aws::Session;
use crate::baseline::Baseline;
use crate::cli::{AwsArgs, Cli, Command};
use crate::model::Observed;
use crate::plan::{Plan, Selector};

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Validate { baseline } => validate::run(&baseline.path),
        Command::Plan {
            baseline,
            aws,
            detailed_exitcode,
            json,
            out,
            only,
        } => {
            let output = plan::Output {
                detailed_exitcode,
                json,
                out,
                only,
            };
            plan::run(&baseline.path, &aws, &output).await
        }
        Command::Destroy {
            baseline,
            aws,
            auto_approve,
            delete_logs,
            lock_timeout,
        } => {
            let how = destroy::How {
                auto_approve,
                delete_logs,
                lock_timeout: Duration::from_secs(lock_timeout),
            };
            destroy::run(&baseline.path, &aws, &how).await
        }
        Command::Apply {
            plan_file,
            baseline,
            aws,
            auto_approve,
            json,
            notify,
            lock_timeout,
            only,
        } => {
            let how = apply::How {
                plan_file,
                auto_approve,
                json,
                notify,
                only,
                lock_timeout: Duration::from_secs(lock_timeout),
            };
            apply::run(&baseline.path, &aws, &how).await
        }
    }
}

/// Where account-wide calls go: the caller's `--region`, else the baseline's home region.
fn account_region<'a>(aws: &'a AwsArgs, baseline: &'a Baseline) -> &'a str {
    aws.region.as_deref().unwrap_or(&baseline.scope.home_region)
}

/// The account the credentials are for, refused before anything else is read when the
/// baseline names another.
async fn identify(session: &Session, aws: &AwsArgs, baseline: &Baseline) -> anyhow::Result<String> {
    let account_id = crate::observe::caller_account(session, account_region(aws, baseline)).await?;
    if let Some(expected) = &baseline.scope.account_id
        && *expected != account_id
    {
        bail!(
            "these credentials are for account {account_id}, but the baseline is for account {expected}\nhint: use the profile or role of account {expected}, or change scope.account_id"
        );
    }
    Ok(account_id)
}

/// The account as the baseline sees it. `ownership` also reads what marks each resource as
/// watchpost's, which costs calls that only `destroy` needs.
async fn observe(
    session: &Session,
    aws: &AwsArgs,
    baseline: &Baseline,
    account_id: &str,
    ownership: bool,
) -> anyhow::Result<Observed> {
    let region = account_region(aws, baseline);
    let regions = crate::observe::regions(session, baseline, region).await?;
    let account_id = account_id.to_owned();
    Ok(crate::observe::account(session, baseline, account_id, regions, ownership).await)
}

async fn observe_and_plan(
    session: &Session,
    aws: &AwsArgs,
    baseline: &Baseline,
    account_id: &str,
    only: &[Selector],
) -> anyhow::Result<(Plan, Observed)> {
    let observed = observe(session, aws, baseline, account_id, false).await?;
    Ok((crate::plan::plan(baseline, &observed).only(only), observed))
}

/// Said on stderr whenever `--only` narrows a run.
fn warn_only(only: &[Selector]) {
    if !only.is_empty() {
        let parts: Vec<String> = only.iter().map(Selector::to_string).collect();
        eprintln!(
            "warning: only {} is planned; the rest of the baseline is neither checked nor repaired, and a change left out may be one these need. --only is for targeted repairs, not routine use.",
            parts.join(", ")
        );
    }
}

async fn session(aws: &AwsArgs) -> Session {
    Session::load(aws.profile.as_deref(), aws.region.as_deref()).await
}
