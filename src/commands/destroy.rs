use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use super::apply::propagation_timeout;
use super::converge::{Goal, Run, converge};
use super::report::Reporter;
use crate::accounts::Fleet;
use crate::apply::Settings;
use crate::baseline::Baseline;
use crate::cli::AwsArgs;
use crate::plan::Selector;

pub struct How {
    pub auto_approve: bool,
    pub delete_logs: bool,
    pub full: bool,
    pub lock_timeout: Duration,
    pub only: Vec<Selector>,
}

pub async fn run(path: &Path, aws: &AwsArgs, how: &How) -> anyhow::Result<ExitCode> {
    let (baseline, _) = Baseline::read(path)?;
    let fleet = Fleet::new(&baseline, aws)?;
    let settings = Settings {
        propagation_timeout: propagation_timeout()?,
    };
    super::warn_only(&how.only);
    let reach = super::reach(aws, &baseline, &fleet).await?;
    let run = Run {
        baseline: &baseline,
        aws,
        goal: Goal::Nothing {
            delete_logs: how.delete_logs,
            only: &how.only,
        },
        settings,
        auto_approve: how.auto_approve,
        lock_timeout: how.lock_timeout,
        reporter: Reporter {
            full: how.full,
            json: false,
            fan_out: reach.is_fan_out(),
        },
        parallelism: fleet.parallelism,
        notify: false,
    };
    converge(&reach, &run).await
}
