//! What editors and shells read: the baseline's JSON Schema, completion scripts and the manual
//! page, each generated from the definitions the program itself uses, so none can drift.
//!
//! Each is rendered whole into memory and printed through [`crate::output`], so that
//! `watchpost completions bash | head` ends as quietly as a piped plan does: clap_complete
//! panics on a failed write, and a plain write to stdout would fail the command.

use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::output::out;

pub fn schema() -> anyhow::Result<ExitCode> {
    let text = serde_json::to_string_pretty(&crate::baseline::schema())?;
    out!("{text}\n");
    Ok(ExitCode::SUCCESS)
}

pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    let mut command = Cli::command();
    let name = command.get_name().to_owned();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, name, &mut script);
    print_bytes(&script);
    Ok(ExitCode::SUCCESS)
}

pub fn man() -> anyhow::Result<ExitCode> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    print_bytes(&page);
    Ok(ExitCode::SUCCESS)
}

/// The generators write bytes; what they write from clap's definitions is UTF-8.
fn print_bytes(bytes: &[u8]) {
    out!("{}", String::from_utf8_lossy(bytes));
}
