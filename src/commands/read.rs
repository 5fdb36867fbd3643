//! What the commands read before they act: the baseline, and each account as the baseline
//! sees it.

use std::collections::BTreeSet;
use std::path::Path;

use futures::FutureExt;

use super::fan_out::account_region;
use crate::accounts::Target;
use crate::aws::Session;
use crate::baseline::Baseline;
use crate::cli::AwsArgs;
use crate::coverage::{Coverage, retired_to_read};
use crate::model::{Observed, Usage};
use crate::output::errln;
use crate::plan::{Plan, Selector};

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

/// Which enabled regions out of scope are read for what watchpost left there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Retired {
    /// Those the record of the regions watchpost covered names; every one without a record.
    Recorded,
    /// Every one, and the record read all the same, for apply to keep it (`--refresh-retired`).
    Refreshed,
    /// Every one, and no record read: `destroy`, which must miss nothing and keeps no record.
    Every,
}

impl Retired {
    /// `--refresh-retired`, or not.
    pub fn chosen(refresh: bool) -> Retired {
        match refresh {
            true => Retired::Refreshed,
            false => Retired::Recorded,
        }
    }

    /// The regions of `out_of_scope` to read, given the record as read.
    fn to_read(self, out_of_scope: &[String], recorded: Option<&BTreeSet<String>>) -> Vec<String> {
        match self {
            Retired::Recorded => retired_to_read(out_of_scope, recorded),
            Retired::Refreshed | Retired::Every => out_of_scope.to_vec(),
        }
    }
}

/// The account as the baseline sees it, and what the reading knew of the regions watchpost
/// covered. `ownership` also reads what marks each resource as watchpost's, which costs calls
/// that only `destroy` needs.
///
/// The record of covered regions is read alongside the account's regions, as both need only
/// the account: the reads in scope start as soon as the regions are known, and those out of
/// scope as soon as the record is read too.
pub(super) async fn observe(
    target: &Target,
    aws: &AwsArgs,
    baseline: &Baseline,
    ownership: bool,
    retired: Retired,
) -> anyhow::Result<(Observed, Coverage)> {
    let (observed, coverage, ()) =
        read_account(target, aws, baseline, ownership, retired, |_| async {}).await?;
    Ok((observed, coverage))
}

/// The account as the baseline sees it, and what the cost estimate reads of it through
/// `reading`: both at once, so that the estimate adds no round trip to the plan's.
pub(super) async fn observe_with_usage(
    target: &Target,
    aws: &AwsArgs,
    baseline: &Baseline,
    reading: &Session,
    retired: Retired,
) -> anyhow::Result<(Observed, Coverage, Usage)> {
    let (observed, coverage, usage) = read_account(
        target,
        aws,
        baseline,
        false,
        retired,
        |in_scope| async move { crate::observe::usage(reading, baseline, &in_scope).await },
    )
    .await?;
    let usage = usage.settle(baseline, &observed);
    Ok((observed, coverage, usage))
}

/// [`observe`], with `alongside` read at the same time once the regions in scope are known.
async fn read_account<T, Alongside>(
    target: &Target,
    aws: &AwsArgs,
    baseline: &Baseline,
    ownership: bool,
    retired: Retired,
    alongside: impl FnOnce(Vec<String>) -> Alongside,
) -> anyhow::Result<(Observed, Coverage, T)>
where
    Alongside: Future<Output = T>,
{
    let session = &target.session;
    let home = baseline.scope.home_region.as_str();
    let recorded = async {
        match retired {
            Retired::Recorded | Retired::Refreshed => {
                crate::coverage::recorded(session, home, &target.account_id).await
            }
            Retired::Every => None,
        }
    }
    .boxed()
    .shared();
    let observing = {
        let recorded = recorded.clone();
        async move {
            let regions =
                crate::observe::regions(session, baseline, account_region(aws, baseline)).await?;
            let out_of_scope = regions.out_of_scope.clone();
            let to_read = {
                let out_of_scope = &out_of_scope;
                async move { retired.to_read(out_of_scope, recorded.await.as_ref()) }
            };
            let account_id = target.account_id.clone();
            let in_scope = regions.in_scope.clone();
            let (observed, beside) = futures::join!(
                crate::observe::account(session, baseline, account_id, regions, to_read, ownership),
                alongside(in_scope),
            );
            anyhow::Ok((observed, out_of_scope, beside))
        }
    };
    let (observing, recorded) = futures::join!(observing, recorded);
    let (observed, out_of_scope, beside) = observing?;
    let coverage = Coverage {
        in_scope: observed.regions.clone(),
        not_enabled: observed.regions_not_enabled.clone(),
        retired: retired.to_read(&out_of_scope, recorded.as_ref()),
        recorded,
    };
    Ok((observed, coverage, beside))
}

/// The account read again after its changes, in the regions its first reading read: the
/// regions an account has enabled do not change while its lease is held, and the changes were
/// made only where that reading looked, so neither is asked again.
pub(super) async fn observe_again(
    target: &Target,
    baseline: &Baseline,
    ownership: bool,
    coverage: &Coverage,
) -> Observed {
    let regions = crate::observe::Regions {
        in_scope: coverage.in_scope.clone(),
        out_of_scope: coverage.retired.clone(),
        not_enabled: coverage.not_enabled.clone(),
    };
    let retired = coverage.retired.clone();
    crate::observe::account(
        &target.session,
        baseline,
        target.account_id.clone(),
        regions,
        async { retired },
        ownership,
    )
    .await
}

/// The account's plan, narrowed to `only`; a selector that matches nothing is an error.
pub(super) async fn observe_and_plan(
    target: &Target,
    aws: &AwsArgs,
    baseline: &Baseline,
    only: &[Selector],
    retired: Retired,
) -> anyhow::Result<(Plan, Observed, Coverage)> {
    let (observed, coverage) = observe(target, aws, baseline, false, retired).await?;
    let plan = crate::plan::plan(baseline, &observed).only(only)?;
    Ok((plan, observed, coverage))
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
