mod accounts;
mod apply;
mod aws;
mod baseline;
mod cli;
mod commands;
mod lease;
mod model;
mod observe;
mod output;
mod plan;
mod progress;
mod status;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

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
        Err(usage) => {
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

/// `error:` / `caused by:` / `hint:`, as cargo and uv print them.
fn report(error: &anyhow::Error) {
    if let Some(baseline) = error.downcast_ref::<BaselineErrors>() {
        errln!("{baseline}");
        return;
    }
    errln!("error: {error}");
    for cause in error.chain().skip(1) {
        errln!("caused by: {cause}");
    }
}
