mod apply;
mod aws;
mod baseline;
mod cli;
mod commands;
mod model;
mod observe;
mod plan;

use std::process::ExitCode;

use clap::Parser;

use crate::baseline::BaselineErrors;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WATCHPOST_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = cli::Cli::parse();
    match commands::run(cli).await {
        Ok(code) => code,
        Err(error) => {
            report(&error);
            ExitCode::from(1)
        }
    }
}

/// `error:` / `caused by:` / `hint:`, as cargo and uv print them.
fn report(error: &anyhow::Error) {
    if let Some(baseline) = error.downcast_ref::<BaselineErrors>() {
        eprintln!("{baseline}");
        return;
    }
    eprintln!("error: {error}");
    for cause in error.chain().skip(1) {
        eprintln!("caused by: {cause}");
    }
}
