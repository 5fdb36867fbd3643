use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

use crate::baseline::Baseline;
use crate::cli::AwsArgs;
use crate::plan::{SavedPlan, Selector, render, render_json};

pub struct Output {
    pub detailed_exitcode: bool,
    pub json: bool,
    pub out: Option<PathBuf>,
    pub only: Vec<Selector>,
}

pub async fn run(path: &Path, aws: &AwsArgs, output: &Output) -> anyhow::Result<ExitCode> {
    let (baseline, source) = Baseline::read(path)?;
    let session = super::session(aws).await;
    let account_id = super::identify(&session, aws, &baseline).await?;
    super::warn_only(&output.only);
    let (plan, observed) =
        super::observe_and_plan(&session, aws, &baseline, &account_id, &output.only).await?;
    if output.json {
        println!("{:#}", render_json(&plan));
    } else {
        anstream::print!("{}", render(&plan, true));
    }
    if !plan.gaps.is_empty() {
        bail!(
            "the plan is incomplete: {} part(s) of the account could not be read (listed above)",
            plan.gaps.len()
        );
    }
    if let Some(file) = &output.out {
        let saved = SavedPlan::new(plan.clone(), &source, &observed);
        let text = serde_json::to_string_pretty(&saved).expect("the plan serializes");
        std::fs::write(file, text)
            .with_context(|| format!("cannot write the plan to {}", file.display()))?;
        if !output.json {
            println!(
                "\nSaved the plan to {}. To make exactly these changes, run:\n    watchpost apply {}",
                file.display(),
                file.display()
            );
        }
    }
    Ok(if output.detailed_exitcode && !plan.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
