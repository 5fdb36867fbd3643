//! `watchpost apply`: converge the accounts to the baseline, from a fresh plan or a saved one.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};

use super::converge::{Goal, Run, Saved, converge};
use super::fan_out::reach;
use super::read::{absolute, read_baseline, warn_only};
use super::report::reporter;
use super::settings::ApplySettings;
use crate::accounts::Fleet;
use crate::cli::AwsArgs;
use crate::error::Hinted;
use crate::plan::{SAVED_FORMAT_VERSION, SavedPlan};

pub async fn run(path: &Path, aws: &AwsArgs, settings: &ApplySettings) -> anyhow::Result<ExitCode> {
    let (baseline, source) = read_baseline(path)?;
    let notify_topic = match (settings.notify, &baseline.alerts) {
        (false, _) => None,
        // Each account publishes to a topic of its own, which with a central bus only the
        // security account has.
        (true, Some(alerts)) if alerts.central_bus.is_some() => bail!(Hinted::new(
            "--notify publishes to each account's alert topic, and with [alerts] central_bus the accounts of the fleet have none",
            "drop --notify: the central bus raises the fleet's alerts, and each account's plan and apply output say what was repaired"
        )),
        (true, Some(alerts)) => Some(alerts.topic_name.as_str()),
        (true, None) => bail!(Hinted::new(
            "--notify publishes to the alert topic, and the baseline has no [alerts] section",
            "add [alerts] with emails = [...], or drop --notify"
        )),
    };
    let fleet = Fleet::new(&baseline, aws)?;
    // A saved plan that cannot be used is refused before any call to AWS.
    let saved = match &settings.plan_file {
        Some(file) => {
            let plan = read_saved(file)?;
            if let Some(mismatch) =
                plan.baseline_mismatch(&file.display().to_string(), &source, &absolute(path))
            {
                bail!(mismatch);
            }
            Some(Box::new(Saved { plan, file }))
        }
        None => None,
    };
    warn_only(&settings.only);
    let reach = reach(aws, &baseline, &fleet).await?;
    if reach.is_fan_out() && saved.is_some() {
        bail!(Hinted::new(
            format!(
                "a saved plan is for one account, and this run covers {}",
                reach.accounts.len()
            ),
            "apply it with --accounts ACCOUNT_ID, the account it was made for"
        ));
    }
    let reporter = reporter(settings.report, &reach);
    let run = Run {
        baseline: &baseline,
        aws,
        goal: Goal::Baseline {
            only: &settings.only,
            saved,
        },
        execution: &settings.execution,
        auto_approve: settings.auto_approve,
        lease: settings.lease,
        retired: settings.retired,
        reporter: reporter.as_ref(),
        parallelism: fleet.parallelism,
        notify_topic,
    };
    converge(&reach, &run).await
}

fn read_saved(file: &Path) -> anyhow::Result<SavedPlan> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the saved plan {}", file.display()))?;
    let version: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a saved plan (not JSON)", file.display()))?;
    if version["format_version"] != SAVED_FORMAT_VERSION {
        bail!(Hinted::new(
            format!(
                "{} was written by watchpost {} in plan format {}; this watchpost ({}) reads format {SAVED_FORMAT_VERSION}",
                file.display(),
                version["watchpost_version"],
                version["format_version"],
                env!("CARGO_PKG_VERSION")
            ),
            "make the plan again with this watchpost"
        ));
    }
    let saved: SavedPlan = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a valid saved plan", file.display()))?;
    let inconsistencies = saved.inconsistencies();
    if !inconsistencies.is_empty() {
        bail!(Hinted::new(
            format!(
                "{} is not a plan watchpost made: {}",
                file.display(),
                inconsistencies.join("; ")
            ),
            format!(
                "a saved plan is applied as it was made; make it again with `watchpost plan --out {}`",
                file.display()
            )
        ));
    }
    Ok(saved)
}
