use std::path::Path;
use std::process::ExitCode;

use anyhow::bail;

use crate::baseline::Baseline;
use crate::cli::AwsArgs;
use crate::plan::render;

pub async fn run(path: &Path, aws: &AwsArgs, detailed_exitcode: bool) -> anyhow::Result<ExitCode> {
    let baseline = Baseline::load(path)?;
    let session = super::session(aws).await;
    let plan = super::observe_and_plan(&session, aws, &baseline).await?;
    print!("{}", render(&plan));
    if !plan.gaps.is_empty() {
        bail!(
            "the plan is incomplete: {} part(s) of the account could not be read (listed above)",
            plan.gaps.len()
        );
    }
    Ok(if detailed_exitcode && !plan.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
