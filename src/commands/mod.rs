//! Each command is a thin wrapper over the layers: load, observe, plan, render, apply.

mod apply;
mod plan;
mod validate;

use std::process::ExitCode;

use anyhow::bail;

use crate::aws::Session;
use crate::baseline::Baseline;
use crate::cli::{AwsArgs, Cli, Command};
use crate::plan::Plan;

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Validate { baseline } => validate::run(&baseline.path),
        Command::Plan {
            baseline,
            aws,
            detailed_exitcode,
        } => plan::run(&baseline.path, &aws, detailed_exitcode).await,
        Command::Apply {
            baseline,
            aws,
            auto_approve,
        } => apply::run(&baseline.path, &aws, auto_approve).await,
    }
}

/// Where account-wide calls go: the caller's `--region`, else the baseline's home region.
fn account_region<'a>(aws: &'a AwsArgs, baseline: &'a Baseline) -> &'a str {
    aws.region.as_deref().unwrap_or(&baseline.scope.home_region)
}

/// Reads the account and plans against it, refusing a different account than the baseline
/// names before anything else is read.
async fn observe_and_plan(
    session: &Session,
    aws: &AwsArgs,
    baseline: &Baseline,
) -> anyhow::Result<Plan> {
    let region = account_region(aws, baseline);
    let account_id = crate::observe::caller_account(session, region).await?;
    if let Some(expected) = &baseline.scope.account_id
        && *expected != account_id
    {
        bail!(
            "these credentials are for account {account_id}, but the baseline is for account {expected}\nhint: use the profile or role of account {expected}, or change scope.account_id"
        );
    }
    let regions = crate::observe::regions_in_scope(session, baseline, region).await?;
    let observed = crate::observe::account(session, baseline, account_id, regions).await;
    Ok(crate::plan::plan(baseline, &observed))
}

async fn session(aws: &AwsArgs) -> Session {
    Session::load(aws.profile.as_deref(), aws.region.as_deref()).await
}
