//! Each command is a thin wrapper over the layers: load, observe, plan, render, apply.

mod apply;
mod converge;
mod destroy;
mod init;
mod plan;
mod report;
mod status;
mod tooling;
mod validate;
mod verb;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;
use futures::StreamExt;

use crate::accounts::{Fleet, Target};
use crate::aws::Session;
use crate::baseline::Baseline;
use crate::cli::{AwsArgs, Cli, Command};
use crate::error::Hinted;
use crate::model::ApiCallCounts;
use crate::model::Observed;
use crate::output::errln;
use crate::plan::{Action, Plan, Selector};

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let for_machines = matches!(
        cli.command,
        Command::Plan { json: true, .. }
            | Command::Status { json: true, .. }
            | Command::Apply { json: true, .. }
    );
    crate::progress::init(!cli.quiet && !for_machines);
    match cli.command {
        Command::Validate { baseline } => validate::run(&baseline.path),
        Command::Plan {
            baseline,
            aws,
            detailed_exitcode,
            format,
            json,
            full,
            out,
            only,
            lock_timeout,
        } => {
            let output = plan::Output {
                detailed_exitcode,
                format: plan::Format::chosen(format, json, full)?,
                out,
                only,
                lock_timeout: Duration::from_secs(lock_timeout),
            };
            plan::run(&baseline.path, &aws, &output).await
        }
        Command::Status {
            baseline,
            aws,
            json,
        } => status::run(&baseline.path, &aws, json).await,
        Command::Destroy {
            baseline,
            aws,
            auto_approve,
            delete_logs,
            full,
            lock_timeout,
            only,
        } => {
            let how = destroy::How {
                auto_approve,
                delete_logs,
                full,
                lock_timeout: Duration::from_secs(lock_timeout),
                only,
            };
            destroy::run(&baseline.path, &aws, &how).await
        }
        Command::Apply {
            plan_file,
            baseline,
            aws,
            auto_approve,
            json,
            full,
            notify,
            lock_timeout,
            only,
        } => {
            let how = apply::How {
                plan_file,
                auto_approve,
                json,
                full,
                notify,
                only,
                lock_timeout: Duration::from_secs(lock_timeout),
            };
            apply::run(&baseline.path, &aws, &how).await
        }
        Command::Init {
            baseline,
            emails,
            home_region,
            account_id,
            profile,
            force,
        } => {
            let answers = init::Given {
                emails,
                home_region,
                account_id,
                profile,
                force,
            };
            init::run(&baseline.path, answers).await
        }
        Command::Schema => tooling::schema(),
        Command::Completions { shell } => tooling::completions(shell),
        Command::Man => tooling::man(),
    }
}

/// The baseline, for the commands that act on it (`validate`, `plan`, `apply`), with its
/// warnings said on stderr first.
fn read_baseline(path: &std::path::Path) -> anyhow::Result<(Baseline, String)> {
    let (baseline, source, warnings) = Baseline::read_with_warnings(path)?;
    for warning in &warnings {
        errln!("{warning}");
    }
    Ok((baseline, source))
}

/// Where account-wide calls go: the caller's `--region`, else the baseline's home region.
fn account_region<'a>(aws: &'a AwsArgs, baseline: &'a Baseline) -> &'a str {
    aws.region.as_deref().unwrap_or(&baseline.scope.home_region)
}

/// The accounts a run covers, and the caller's own session, whose calls (identity,
/// organization, roles assumed) belong to the run rather than to any one account.
struct Reach {
    caller: Session,
    targets: Vec<Target>,
}

impl Reach {
    /// The run covers more than one account: its output is grouped by account.
    fn is_fan_out(&self) -> bool {
        self.targets.len() > 1
    }
}

/// The accounts this run covers, each with a session, in account order. The caller's account
/// is identified first, and refused when the baseline pins another.
async fn reach(aws: &AwsArgs, baseline: &Baseline, fleet: &Fleet) -> anyhow::Result<Reach> {
    let region = account_region(aws, baseline);
    let base = Session::load(aws.profile.as_deref(), region).await?;
    let caller = crate::observe::caller_account(&base, region).await?;
    if let Some(expected) = &baseline.scope.account_id
        && *expected != caller
    {
        bail!(Hinted::new(
            format!(
                "these credentials are for account {caller}, but the baseline is for account {expected}"
            ),
            format!("use the profile or role of account {expected}, or change scope.account_id"),
        ));
    }
    let targets = fleet.targets(&base, &caller, region).await?;
    Ok(Reach {
        caller: base,
        targets,
    })
}

/// What one account's part of a run came to, with the API calls it took.
struct AccountOutcome<T> {
    account_id: String,
    result: anyhow::Result<T>,
    api_calls: ApiCallCounts,
}

/// `work` for each account, at most `parallelism` at once; one account's failure is its own
/// outcome and does not stop the others. Outcomes come back in account order.
async fn for_each_account<'t, T, F, Fut>(
    targets: &'t [Target],
    parallelism: usize,
    work: F,
) -> Vec<AccountOutcome<T>>
where
    F: Fn(&'t Target) -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let runs = targets.iter().map(|target| {
        let run = work(target);
        async move {
            let result = run.await;
            AccountOutcome {
                account_id: target.account_id.clone(),
                result,
                api_calls: target.session.api_calls(),
            }
        }
    });
    futures::stream::iter(runs)
        .buffered(parallelism)
        .collect()
        .await
}

/// The account as the baseline sees it. `ownership` also reads what marks each resource as
/// watchpost's, which costs calls that only `destroy` needs.
async fn observe(
    target: &Target,
    aws: &AwsArgs,
    baseline: &Baseline,
    ownership: bool,
) -> anyhow::Result<Observed> {
    let region = account_region(aws, baseline);
    let regions = crate::observe::regions(&target.session, baseline, region).await?;
    let account_id = target.account_id.clone();
    Ok(crate::observe::account(&target.session, baseline, account_id, regions, ownership).await)
}

/// The account's plan, narrowed to `only`; a selector that matches nothing is an error.
async fn observe_and_plan(
    target: &Target,
    aws: &AwsArgs,
    baseline: &Baseline,
    only: &[Selector],
) -> anyhow::Result<(Plan, Observed)> {
    let observed = observe(target, aws, baseline, false).await?;
    let plan = crate::plan::plan(baseline, &observed).only(only)?;
    Ok((plan, observed))
}

/// An account's plan in a few words, for the line each account gets in a run's summary.
fn account_line(plan: &Plan) -> String {
    if plan.is_empty() {
        return "no changes".to_owned();
    }
    format!(
        "{} to add, {} to change, {} to destroy",
        plan.count(Action::Create),
        plan.count(Action::Update),
        plan.count(Action::Delete)
    )
}

/// An error's headline, for a one-line summary; the full message is printed above it.
fn first_line(error: &anyhow::Error) -> String {
    format!("{error:#}")
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Said on stderr whenever `--only` narrows a run.
fn warn_only(only: &[Selector]) {
    if !only.is_empty() {
        let parts: Vec<String> = only.iter().map(Selector::to_string).collect();
        errln!(
            "warning: only {} is planned; the rest of the baseline is neither checked nor repaired, and a change left out may be one these need. --only is for targeted repairs, not routine use.",
            parts.join(", ")
        );
    }
}
