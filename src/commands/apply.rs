use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};

use super::converge::{Finished, Goal, Run, Saved, converge};
use super::report::Reporter;
use crate::accounts::Fleet;
use crate::apply::propagation::DEFAULT_TIMEOUT;
use crate::apply::{Outcome, Report, Settings};
use crate::aws::{Context as _, Session};
use crate::baseline::Baseline;
use crate::cli::AwsArgs;
use crate::error::Hinted;
use crate::model::topic_arn;
use crate::plan::{Action, SAVED_FORMAT_VERSION, SavedPlan, Selector};

const PROPAGATION_TIMEOUT_ENV: &str = "WATCHPOST_PROPAGATION_TIMEOUT_SECONDS";

pub struct How {
    pub plan_file: Option<PathBuf>,
    pub auto_approve: bool,
    pub json: bool,
    pub full: bool,
    pub notify: bool,
    pub only: Vec<Selector>,
    pub lock_timeout: Duration,
}

pub async fn run(path: &Path, aws: &AwsArgs, how: &How) -> anyhow::Result<ExitCode> {
    let (baseline, source) = super::read_baseline(path)?;
    if how.notify && baseline.alerts.is_none() {
        bail!(Hinted::new(
            "--notify publishes to the alert topic, and the baseline has no [alerts] section",
            "add [alerts] with emails = [...], or drop --notify",
        ));
    }
    let fleet = Fleet::new(&baseline, aws)?;
    let settings = Settings {
        propagation_timeout: propagation_timeout()?,
    };
    // A saved plan that cannot be used is refused before any call to AWS.
    let saved = match &how.plan_file {
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
    super::warn_only(&how.only);
    let reach = super::reach(aws, &baseline, &fleet).await?;
    if reach.is_fan_out() && saved.is_some() {
        bail!(Hinted::new(
            format!(
                "a saved plan is for one account, and this run covers {}",
                reach.targets.len()
            ),
            "apply it with --accounts ACCOUNT_ID, the account it was made for",
        ));
    }
    let run = Run {
        baseline: &baseline,
        aws,
        goal: Goal::Baseline {
            only: &how.only,
            saved,
        },
        settings,
        auto_approve: how.auto_approve,
        lock_timeout: how.lock_timeout,
        reporter: Reporter {
            full: how.full,
            json: how.json,
            fan_out: reach.is_fan_out(),
        },
        parallelism: fleet.parallelism,
        notify: how.notify,
    };
    converge(&reach, &run).await
}

/// The short account of a repair that `--notify` sends to the alert topic.
pub(super) async fn notify(
    session: &Session,
    baseline: &Baseline,
    finished: &Finished,
    report: &Report,
) -> anyhow::Result<()> {
    let Some(alerts) = &baseline.alerts else {
        return Ok(());
    };
    let (plan, after, topic) = (&finished.plan, &finished.after, &alerts.topic_name);
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
            Outcome::Failed(error) => format!("FAILED: {}", error.explained()),
            Outcome::Skipped { because_of } => format!("not attempted ({because_of} failed)"),
            Outcome::NotStarted => "not started (the run was interrupted)".to_owned(),
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

/// A path as a saved plan records it: absolute, so that it names the same file wherever
/// apply is run from.
pub(super) fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_owned())
        .display()
        .to_string()
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
            "make the plan again with this watchpost",
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
            ),
        ));
    }
    Ok(saved)
}

/// How long a call refused while a change propagates is tried again, resolved once per run
/// before any call to AWS.
pub(super) fn propagation_timeout() -> anyhow::Result<Duration> {
    match std::env::var(PROPAGATION_TIMEOUT_ENV) {
        Ok(seconds) => match seconds.parse::<u64>() {
            Ok(seconds) => Ok(Duration::from_secs(seconds)),
            Err(_) => bail!(Hinted::new(
                format!("{PROPAGATION_TIMEOUT_ENV}={seconds} is not a whole number of seconds"),
                format!(
                    "set it to the longest wait for a change to propagate, 0 for none, or unset it for {} s",
                    DEFAULT_TIMEOUT.as_secs()
                ),
            )),
        },
        Err(_) => Ok(DEFAULT_TIMEOUT),
    }
}
