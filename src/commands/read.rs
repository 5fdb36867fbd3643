//! What the commands read before they act: the baseline, and each account as the baseline
//! sees it.

use std::path::Path;

use super::fan_out::account_region;
use crate::accounts::Target;
use crate::aws::Session;
use crate::baseline::Baseline;
use crate::cli::AwsArgs;
use crate::model::{Observed, Usage};
use crate::observe::Regions;
use crate::output::errln;
use crate::plan::Selector;

/// The baseline, for the commands that act on it (`validate`, `plan`, `apply`), with its
/// warnings said on stderr first.
pub(super) fn read_baseline(path: &Path) -> anyhow::Result<(Baseline, String)> {
    let (baseline, source, warnings) = Baseline::read_with_warnings(path)?;
    for warning in &warnings {
        errln!("{warning}");
    }
    Ok((baseline, source))
}

/// A baseline's path as a saved plan records it: absolute, so that it names the same file
/// wherever apply is run from.
pub(super) fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_owned())
        .display()
        .to_string()
}

/// The account as the baseline sees it, in `regions`. `ownership` also reads what marks each
/// resource as watchpost's, which costs calls that only `destroy` needs.
pub(super) async fn observe(
    target: &Target,
    baseline: &Baseline,
    regions: Regions,
    ownership: bool,
) -> Observed {
    let account_id = target.account_id.clone();
    crate::observe::account(&target.session, baseline, account_id, regions, ownership).await
}

/// The account as the baseline sees it, and what the cost estimate reads of it through
/// `reading`: both at once, so that the estimate adds no round trip to the plan's.
pub(super) async fn observe_with_usage(
    target: &Target,
    aws: &AwsArgs,
    baseline: &Baseline,
    reading: &Session,
) -> anyhow::Result<(Observed, Usage)> {
    let regions = regions(target, aws, baseline).await?;
    let in_scope = regions.in_scope.clone();
    let (observed, usage) = tokio::join!(
        observe(target, baseline, regions, false),
        crate::observe::usage(reading, baseline, &in_scope),
    );
    let usage = usage.settle(baseline, &observed);
    Ok((observed, usage))
}

/// The regions of the account the baseline covers, and those it has left.
pub(super) async fn regions(
    target: &Target,
    aws: &AwsArgs,
    baseline: &Baseline,
) -> anyhow::Result<Regions> {
    let region = account_region(aws, baseline);
    crate::observe::regions(&target.session, baseline, region).await
}

/// Said on stderr whenever `--only` narrows a run.
pub(super) fn warn_only(only: &[Selector]) {
    if !only.is_empty() {
        let parts: Vec<String> = only.iter().map(Selector::to_string).collect();
        errln!(
            "warning: only {} is planned; the rest of the baseline is neither checked nor repaired, and a change left out may be one these need. --only is for targeted repairs, not routine use.",
            parts.join(", ")
        );
    }
}
