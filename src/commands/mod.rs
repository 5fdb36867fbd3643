//! Each command is a thin wrapper over the layers: load, observe, plan, render, apply. `run`
//! resolves the command line and the environment into settings first, then hands each
//! command its own.

mod apply;
mod converge;
mod destroy;
mod drill;
mod fan_out;
mod force_unlock;
mod init;
mod merge;
mod outcome;
mod plan;
mod read;
mod report;
mod settings;
mod status;
mod tooling;
mod validate;
mod verb;

use std::process::ExitCode;
use std::time::Duration;

use crate::cli::{Cli, Command, LeaseArgs, ReportAction};
use read::Retired;
use settings::{
    ApplySettings, DestroySettings, Environment, GlobalSettings, PlanOutput, PlanSettings,
    ReportFormat,
};

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let global = GlobalSettings::resolve(&cli);
    let environment = Environment::read();
    crate::progress::init(global.progress);
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
            refresh_retired,
        } => {
            let settings = PlanSettings {
                detailed_exitcode,
                format: PlanOutput::chosen(format, json, full)?,
                out,
                only,
                lock_timeout: Duration::from_secs(lock_timeout),
                retired: Retired::chosen(refresh_retired),
            };
            plan::run(&baseline.path, &aws, &settings).await
        }
        Command::Status {
            baseline,
            aws,
            json,
        } => status::run(&baseline.path, &aws, json).await,
        Command::Drill {
            baseline,
            aws,
            dry_run,
        } => drill::run(&baseline.path, &aws, dry_run).await,
        Command::Destroy {
            baseline,
            aws,
            auto_approve,
            delete_logs,
            full,
            lease,
            only,
        } => {
            let settings = DestroySettings {
                auto_approve,
                delete_logs,
                full,
                lease: lease_terms(&lease),
                only,
                execution: environment.execution()?,
            };
            destroy::run(&baseline.path, &aws, &settings).await
        }
        Command::Apply {
            plan_file,
            baseline,
            aws,
            auto_approve,
            json,
            full,
            notify,
            lease,
            only,
            refresh_retired,
        } => {
            let settings = ApplySettings {
                plan_file,
                auto_approve,
                report: ReportFormat::chosen(json, full),
                notify,
                only,
                lease: lease_terms(&lease),
                retired: Retired::chosen(refresh_retired),
                execution: environment.execution()?,
            };
            apply::run(&baseline.path, &aws, &settings).await
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
        Command::ForceUnlock {
            account,
            holder,
            force,
            baseline,
            access,
        } => force_unlock::run(&baseline.path, &access, &account, holder.as_deref(), force).await,
        Command::Report {
            action:
                ReportAction::Merge {
                    detailed_exitcode,
                    files,
                },
        } => merge::run(&files, detailed_exitcode),
        Command::Schema => tooling::schema(),
        Command::Completions { shell } => tooling::completions(shell),
        Command::Man => tooling::man(),
    }
}

/// The lease's terms as the command line gives them.
fn lease_terms(args: &LeaseArgs) -> crate::lease::Terms {
    crate::lease::Terms::new(
        Duration::from_secs(args.lease_seconds),
        args.lock_timeout.map(Duration::from_secs),
    )
}
