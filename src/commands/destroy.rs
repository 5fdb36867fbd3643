//! `watchpost destroy`: converge the accounts to nothing of watchpost's.

use std::path::Path;
use std::process::ExitCode;

use super::converge::{Goal, Run, converge};
use super::fan_out::reach;
use super::read::{Retired, warn_only};
use super::report::reporter;
use super::settings::{DestroySettings, ReportFormat};
use crate::accounts::Fleet;
use crate::baseline::Baseline;
use crate::cli::AwsArgs;

pub async fn run(
    path: &Path,
    aws: &AwsArgs,
    settings: &DestroySettings,
) -> anyhow::Result<ExitCode> {
    let (baseline, _) = Baseline::read(path)?;
    let fleet = Fleet::new(&baseline, aws)?;
    warn_only(&settings.only);
    let reach = reach(aws, &baseline, &fleet).await?;
    let reporter = reporter(
        ReportFormat::Text {
            full: settings.full,
        },
        &reach,
    );
    let run = Run {
        baseline: &baseline,
        aws,
        goal: Goal::Nothing {
            delete_logs: settings.delete_logs,
            only: &settings.only,
        },
        execution: &settings.execution,
        auto_approve: settings.auto_approve,
        lease: settings.lease,
        retired: Retired::Every,
        reporter: reporter.as_ref(),
        parallelism: fleet.parallelism,
        notify_topic: None,
    };
    converge(&reach, &run).await
}
