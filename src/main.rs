mod accounts;
mod apply;
mod aws;
mod baseline;
mod cli;
mod commands;
mod coverage;
mod error;
mod event_selectors;
mod lease;
mod model;
mod observe;
mod output;
mod plan;
mod progress;
mod status;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, Parser};

use crate::baseline::BaselineErrors;
use crate::output::errln;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    // Usage errors exit 1, not clap's 2: `plan --detailed-exitcode` reserves 2 for "changes".
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(mut usage) => {
            let args: Vec<String> = std::env::args().collect();
            if usage.kind() == ErrorKind::UnknownArgument
                && let Some((arg, tip)) = terraform_habit(&args)
            {
                usage.insert(ContextKind::InvalidArg, ContextValue::String(arg));
                usage.insert(
                    ContextKind::Suggested,
                    ContextValue::StyledStrs(vec![tip.into()]),
                );
            }
            let _ = usage.print();
            return if usage.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    // anstream then strips colour wherever it is not wanted: not a terminal, NO_COLOR, --color.
    match cli.color {
        cli::ColorChoice::Auto => {}
        cli::ColorChoice::Always => anstream::ColorChoice::Always.write_global(),
        cli::ColorChoice::Never => anstream::ColorChoice::Never.write_global(),
    }
    let code = match commands::run(cli).await {
        Ok(code) => code,
        Err(error) => {
            report(&error);
            ExitCode::from(1)
        }
    };
    match output::stdout_failure() {
        Some(failure) => {
            errln!("error: part of the output was lost: cannot write to stdout: {failure}");
            ExitCode::from(1)
        }
        None => code,
    }
}

fn report(error: &anyhow::Error) {
    errln!("{}", report_text(error));
}

/// `error:` / `caused by:` / `hint:`, as cargo and uv print them: the hint last, after every
/// cause, wherever in the chain it was attached.
fn report_text(error: &anyhow::Error) -> String {
    if let Some(baseline) = error.downcast_ref::<BaselineErrors>() {
        return baseline.to_string();
    }
    let mut text = format!("error: {error}");
    for cause in error.chain().skip(1) {
        text.push_str(&format!("\ncaused by: {cause}"));
    }
    if let Some(hint) = error::hint(error) {
        text.push_str(&format!("\nhint: {hint}"));
    }
    text
}

/// Terraform spells its flags with one dash (`-auto-approve`, `-target=ADDRESS`), which clap
/// reads as a cluster of short flags and reports by its first letter. The first such argument,
/// whole, and a tip naming watchpost's spelling.
fn terraform_habit(args: &[String]) -> Option<(String, String)> {
    let command = cli::Cli::command();
    let long_flags: Vec<&str> = command
        .get_subcommands()
        .flat_map(|subcommand| subcommand.get_arguments())
        .chain(command.get_arguments())
        .filter_map(|arg| arg.get_long())
        .collect();
    args.iter()
        .skip(1)
        .take_while(|arg| *arg != "--")
        .find_map(|arg| {
            let word = arg.strip_prefix('-').filter(|word| !word.starts_with('-'))?;
            let (name, value) = match word.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (word, None),
            };
            let tip = match name {
                "target" => format!(
                    "watchpost narrows a run with '--only {}', a resource kind or a baseline section, then optionally a region and a name",
                    value.unwrap_or("KIND[/REGION[/NAME]]")
                ),
                "no-color" => "watchpost turns colour off with '--color never'".to_owned(),
                _ if name.len() > 1 && long_flags.contains(&name) => format!(
                    "watchpost spells its flags with two dashes: '--{name}{}'",
                    value.map(|value| format!(" {value}")).unwrap_or_default()
                ),
                _ => return None,
            };
            Some((arg.clone(), tip))
        })
}

#[cfg(test)]
mod tests {
    use anyhow::Context;

    use super::{report_text, terraform_habit};
    use crate::error::Hinted;

    #[test]
    fn the_report_says_the_error_then_its_causes_then_the_hint() {
        let error = Err::<(), _>(Hinted::new(
            "another run holds account 111111111111",
            "let it finish",
        ))
        .context("cannot apply")
        .unwrap_err();
        assert_eq!(
            report_text(&error),
            "error: cannot apply\ncaused by: another run holds account 111111111111\nhint: let it finish"
        );
        assert_eq!(
            report_text(&anyhow::anyhow!("no baseline")),
            "error: no baseline"
        );
    }

    fn habit(args: &[&str]) -> Option<(String, String)> {
        let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
        terraform_habit(&args)
    }

    #[test]
    fn terraform_spellings_get_watchposts() {
        assert_eq!(
            habit(&["watchpost", "apply", "-auto-approve"]),
            Some((
                "-auto-approve".to_owned(),
                "watchpost spells its flags with two dashes: '--auto-approve'".to_owned()
            ))
        );
        let (arg, tip) = habit(&["watchpost", "plan", "-target=guardduty_detector"]).unwrap();
        assert_eq!(arg, "-target=guardduty_detector");
        assert!(tip.starts_with("watchpost narrows a run with '--only guardduty_detector'"));
        let (_, tip) = habit(&["watchpost", "apply", "-lock-timeout=60"]).unwrap();
        assert_eq!(
            tip,
            "watchpost spells its flags with two dashes: '--lock-timeout 60'"
        );
        assert_eq!(habit(&["watchpost", "plan", "--", "-auto-approve"]), None);
        assert_eq!(habit(&["watchpost", "plan", "-x"]), None);
        assert_eq!(habit(&["watchpost", "plan", "-nonsense"]), None);
    }
}
