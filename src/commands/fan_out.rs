//! The accounts a run covers, and the one way every command works on them: each account on
//! its own, a bounded number at once, one account's failure its own outcome.

use anyhow::bail;
use futures::{Stream, StreamExt};

use super::outcome::AccountOutcome;
use crate::accounts::{Fleet, Target};
use crate::aws::Session;
use crate::baseline::{Baseline, Shard};
use crate::cli::AwsArgs;
use crate::error::Hinted;

/// Where account-wide calls go: the caller's `--region`, else the baseline's home region.
pub(super) fn account_region<'a>(aws: &'a AwsArgs, baseline: &'a Baseline) -> &'a str {
    aws.access
        .region
        .as_deref()
        .unwrap_or(&baseline.scope.home_region)
}

/// The accounts a run covers, and the caller's own session, whose calls (identity,
/// organization, roles assumed) belong to the run rather than to any one account.
pub(super) struct Reach {
    pub caller: Session,
    pub targets: Vec<Target>,
    /// The shard of a fleet the run is, whatever number of accounts fell to it.
    pub shard: Option<Shard>,
}

impl Reach {
    /// The run covers more than one account, or one shard of a fleet (which may be one
    /// account, or none): its output is grouped by account.
    pub fn is_fan_out(&self) -> bool {
        self.targets.len() > 1 || self.shard.is_some()
    }
}

/// The accounts this run covers, each with a session, in account order. The caller's account
/// is identified first, and refused when the baseline pins another.
pub(super) async fn reach(
    aws: &AwsArgs,
    baseline: &Baseline,
    fleet: &Fleet,
) -> anyhow::Result<Reach> {
    let region = account_region(aws, baseline);
    let base = Session::load(aws.access.profile.as_deref(), region)
        .await?
        .with_requests_in_flight(usize::from(aws.requests_in_flight));
    let caller = crate::observe::caller_account(&base, region).await?;
    if let Some(expected) = &baseline.scope.account_id
        && *expected != caller
    {
        bail!(Hinted::new(
            format!(
                "these credentials are for account {caller}, but the baseline is for account {expected}"
            ),
            format!("use the profile or role of account {expected}, or change scope.account_id")
        ));
    }
    let targets = fleet.targets(&base, &caller, region).await?;
    Ok(Reach {
        caller: base,
        targets,
        shard: fleet.shard,
    })
}

/// What a fan-out works on for one account: the account itself, or what a run already holds
/// for it (`apply` and `destroy` hold its lease and plan by the time they make changes). The
/// account's outcome is named after it and counts the calls of its session.
pub(super) trait OnAccount<'t> {
    fn target(&self) -> &'t Target;
}

impl<'t> OnAccount<'t> for &'t Target {
    fn target(&self) -> &'t Target {
        self
    }
}

/// `work` for each account, at most `parallelism` at once; one account's failure is its own
/// outcome and does not stop the others. Outcomes come in the order of `accounts`, each as soon
/// as it and those before it are done, so that a caller can report it and let it go: a run over
/// a thousand accounts holds a few at a time, not all of them.
pub(super) fn for_each_account<'t, A, T, F, Fut>(
    accounts: impl IntoIterator<Item = A>,
    parallelism: usize,
    work: F,
) -> impl Stream<Item = AccountOutcome<T>>
where
    A: OnAccount<'t>,
    F: Fn(A) -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let runs = accounts.into_iter().map(move |account| {
        let target = account.target();
        let run = work(account);
        async move {
            let result = run.await;
            target.session.release_clients();
            AccountOutcome {
                account_id: target.account_id.clone(),
                result,
                api_calls: target.session.api_calls(),
            }
        }
    });
    futures::stream::iter(runs).buffered(parallelism)
}
