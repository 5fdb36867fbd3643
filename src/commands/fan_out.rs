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
pub(super) struct Reach<'f> {
    pub caller: Session,
    caller_account: String,
    region: String,
    fleet: &'f Fleet,
    /// The ids of the accounts covered, in account order: a session is made in each only when
    /// its turn comes, so that a run holds the sessions of the accounts at work, not all.
    pub accounts: Vec<String>,
    /// The shard of a fleet the run is, whatever number of accounts fell to it.
    pub shard: Option<Shard>,
}

impl Reach<'_> {
    /// The run covers more than one account, or one shard of a fleet (which may be one
    /// account, or none): its output is grouped by account.
    pub fn is_fan_out(&self) -> bool {
        self.accounts.len() > 1 || self.shard.is_some()
    }

    async fn target(&self, account_id: &str) -> Target {
        self.fleet
            .target(&self.caller, &self.caller_account, &self.region, account_id)
            .await
    }
}

/// The accounts this run covers, in account order. The caller's account is identified first,
/// and refused when the baseline pins another.
pub(super) async fn reach<'f>(
    aws: &AwsArgs,
    baseline: &Baseline,
    fleet: &'f Fleet,
) -> anyhow::Result<Reach<'f>> {
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
    let accounts = fleet.accounts(&base, &caller, region).await?;
    Ok(Reach {
        caller: base,
        caller_account: caller,
        region: region.to_owned(),
        fleet,
        accounts,
        shard: fleet.shard,
    })
}

/// `work` in each account of the run, at most `parallelism` at once; one account's failure is
/// its own outcome and does not stop the others. Each account's session is made when its turn
/// comes and let go when its work is done, so that the outcome keeps only the calls it counted.
/// Outcomes come in account order, each as soon as it and those before it are done, so that a
/// caller can report it and let it go: a run over a thousand accounts holds a few at a time.
pub(super) fn for_each_account<'a, T, W>(
    reach: &'a Reach<'_>,
    parallelism: usize,
    work: &'a W,
) -> impl Stream<Item = AccountOutcome<T>> + 'a
where
    W: AsyncFn(&Target) -> anyhow::Result<T>,
{
    let runs = reach.accounts.iter().map(move |account_id| async move {
        let target = reach.target(account_id).await;
        let result = work(&target).await;
        outcome(&target, result)
    });
    futures::stream::iter(runs).buffered(parallelism)
}

/// What a run already holds for an account when it works there again (`apply` and `destroy`
/// hold its lease and plan by the time they make changes).
pub(super) trait Holds {
    fn target(&self) -> &Target;
}

/// [`for_each_account`] over what the run holds for each account, in the sessions it holds.
pub(super) fn for_each_held<'a, A, T, F, Fut>(
    held: impl IntoIterator<Item = A> + 'a,
    parallelism: usize,
    work: F,
) -> impl Stream<Item = AccountOutcome<T>> + 'a
where
    A: Holds + 'a,
    F: Fn(A) -> Fut + 'a,
    Fut: Future<Output = anyhow::Result<T>> + 'a,
    T: 'a,
{
    let runs = held.into_iter().map(move |account| {
        let target = account.target().clone();
        let run = work(account);
        async move { outcome(&target, run.await) }
    });
    futures::stream::iter(runs).buffered(parallelism)
}

/// The account's outcome, named after it, with the calls its session counted; the session's
/// clients are let go, as the account is done with them.
fn outcome<T>(target: &Target, result: anyhow::Result<T>) -> AccountOutcome<T> {
    target.session.release_clients();
    AccountOutcome {
        account_id: target.account_id.clone(),
        result,
        api_calls: target.session.api_calls(),
    }
}
