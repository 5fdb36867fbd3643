//! The command line and the environment resolved once, in `commands::run`, before any command
//! runs (as uv resolves its `GlobalSettings`): commands take these and read neither, so that
//! a bad value stops the run before any call to AWS and each command is a plain function of
//! its settings.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;

use super::read::Retired;
use crate::apply::propagation::DEFAULT_TIMEOUT;
use crate::cli::{Cli, Command, PlanFormat};
use crate::error::Hinted;
use crate::plan::Selector;

const PROPAGATION_TIMEOUT_ENV: &str = "WATCHPOST_PROPAGATION_TIMEOUT_SECONDS";

/// What watchpost takes from its environment, read in this one place.
pub(super) struct Environment {
    propagation_timeout: Option<String>,
}

impl Environment {
    pub fn read() -> Environment {
        Environment {
            propagation_timeout: std::env::var(PROPAGATION_TIMEOUT_ENV).ok(),
        }
    }

    /// How `apply` and `destroy` make changes. Resolved only for them, so that a bad value
    /// stops no other command.
    pub fn execution(&self) -> anyhow::Result<crate::apply::Settings> {
        Ok(crate::apply::Settings {
            propagation_timeout: propagation_timeout(self.propagation_timeout.as_deref())?,
        })
    }
}

/// How long a call refused while a change propagates is tried again: the environment's
/// whole number of seconds, else the default.
fn propagation_timeout(seconds: Option<&str>) -> anyhow::Result<Duration> {
    let Some(seconds) = seconds else {
        return Ok(DEFAULT_TIMEOUT);
    };
    match seconds.parse::<u64>() {
        Ok(seconds) => Ok(Duration::from_secs(seconds)),
        Err(_) => bail!(Hinted::new(
            format!("{PROPAGATION_TIMEOUT_ENV}={seconds} is not a whole number of seconds"),
            format!(
                "set it to the longest wait for a change to propagate, 0 for none, or unset it for {} s",
                DEFAULT_TIMEOUT.as_secs()
            )
        )),
    }
}

/// What every command shares.
pub(super) struct GlobalSettings {
    /// Progress is shown on the terminal while accounts are read and changed.
    pub progress: bool,
}

impl GlobalSettings {
    pub fn resolve(cli: &Cli) -> GlobalSettings {
        // Output for machines has no reader watching a terminal.
        let for_machines = matches!(
            cli.command,
            Command::Plan { json: true, .. }
                | Command::Status { json: true, .. }
                | Command::Apply { json: true, .. }
        );
        GlobalSettings {
            progress: !cli.quiet && !for_machines,
        }
    }
}

pub(super) struct PlanSettings {
    pub detailed_exitcode: bool,
    pub format: PlanOutput,
    pub out: Option<PathBuf>,
    pub only: Vec<Selector>,
    /// How long to wait for a run that holds the account; zero: read at once, unchecked.
    pub lock_timeout: Duration,
    pub retired: Retired,
}

/// How the plan is printed.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum PlanOutput {
    /// For people: compact unless `full`, which shows every setting of every change.
    Text {
        full: bool,
    },
    Json,
    Markdown,
}

impl PlanOutput {
    /// The format the command line asks for: `--json` is `--format json`, and `--full` is a
    /// choice within the text format.
    pub fn chosen(format: PlanFormat, json: bool, full: bool) -> anyhow::Result<PlanOutput> {
        Ok(match (format, json) {
            (_, true) | (PlanFormat::Json, _) => PlanOutput::Json,
            (PlanFormat::Text, false) => PlanOutput::Text { full },
            (PlanFormat::Markdown, false) if full => bail!(Hinted::new(
                "--full is for the text plan; the markdown plan fits what it can in a comment by itself",
                "drop --full, or use --format text --full"
            )),
            (PlanFormat::Markdown, false) => PlanOutput::Markdown,
        })
    }
}

/// How `apply` and `destroy` report their plans, progress and ending.
#[derive(Clone, Copy)]
pub(super) enum ReportFormat {
    /// For people: plans compact unless `full`, which shows every setting of every change.
    Text { full: bool },
    /// One JSON document a line, as docs/json-output.md describes.
    JsonLines,
}

impl ReportFormat {
    /// `--json` and `--full` exclude each other on the command line.
    pub fn chosen(json: bool, full: bool) -> ReportFormat {
        match json {
            true => ReportFormat::JsonLines,
            false => ReportFormat::Text { full },
        }
    }
}

pub(super) struct ApplySettings {
    /// A plan saved by `plan --out`, applied instead of a fresh one.
    pub plan_file: Option<PathBuf>,
    pub auto_approve: bool,
    pub report: ReportFormat,
    /// Publish what was repaired to each account's alert topic.
    pub notify: bool,
    pub only: Vec<Selector>,
    pub lease: crate::lease::Terms,
    pub retired: Retired,
    pub execution: crate::apply::Settings,
}

pub(super) struct DestroySettings {
    pub auto_approve: bool,
    pub delete_logs: bool,
    pub full: bool,
    pub lease: crate::lease::Terms,
    pub only: Vec<Selector>,
    pub execution: crate::apply::Settings,
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{DEFAULT_TIMEOUT, propagation_timeout};

    #[test]
    fn propagation_timeout_is_whole_seconds_or_the_default() {
        assert_eq!(propagation_timeout(None).unwrap(), DEFAULT_TIMEOUT);
        assert_eq!(
            propagation_timeout(Some("0")).unwrap(),
            Duration::from_secs(0)
        );
        assert_eq!(
            propagation_timeout(Some("5")).unwrap(),
            Duration::from_secs(5)
        );
        assert_eq!(
            crate::error::explained(&propagation_timeout(Some("2m")).unwrap_err()),
            "WATCHPOST_PROPAGATION_TIMEOUT_SECONDS=2m is not a whole number of seconds\nhint: set it to the longest wait for a change to propagate, 0 for none, or unset it for 120 s"
        );
    }
}
