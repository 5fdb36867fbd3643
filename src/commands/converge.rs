//! `apply` and `destroy` share one shape, for one account or many: take each account's lease
//! and plan it, show every plan, ask once, make the changes (accounts concurrently, each in
//! dependency order), plan again to check, and give each lease back whatever happened.

use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::bail;

use super::fan_out::{OnAccount, Reach, account_region, for_each_account};
use super::outcome::{AccountOutcome, Finished};
use super::read::{observe, regions};
use super::report::{Reporter, confirmed};
use super::verb::Verb;
use crate::accounts::Target;
use crate::apply::{Event, Report, STOP_REQUESTED, Settings, execute, notify};
use crate::baseline::Baseline;
use crate::cli::AwsArgs;
use crate::error::Hinted;
use crate::lease::{self, Lease};
use crate::observe::Regions;
use crate::output::{errln, outln};
use crate::plan::{Plan, SavedPlan, Selector, destroy};
use crate::progress::Changing;

/// What the changes converge to.
pub(super) enum Goal<'a> {
    /// The baseline, from a fresh plan or from a saved one (`apply`).
    Baseline {
        only: &'a [Selector],
        saved: Option<Box<Saved<'a>>>,
    },
    /// Nothing of watchpost's left (`destroy`), or of the part `only` selects.
    Nothing {
        delete_logs: bool,
        only: &'a [Selector],
    },
}

/// A plan saved by `plan --out`, with what it is checked against before it is used.
pub(super) struct Saved<'a> {
    pub plan: SavedPlan,
    pub file: &'a Path,
}

pub(super) struct Run<'a> {
    pub baseline: &'a Baseline,
    pub aws: &'a AwsArgs,
    pub goal: Goal<'a>,
    pub execution: &'a Settings,
    pub auto_approve: bool,
    pub lock_timeout: Duration,
    pub reporter: &'a dyn Reporter,
    pub parallelism: usize,
    /// The alert topic that what was repaired in each account is published to
    /// (`apply --notify`).
    pub notify_topic: Option<&'a str>,
}

/// An account whose lease is held and whose plan is made.
struct Planned<'t> {
    target: &'t Target,
    lease: Lease,
    plan: Plan,
    regions: Regions,
}

impl<'t> OnAccount<'t> for Planned<'t> {
    fn target(&self) -> &'t Target {
        self.target
    }
}

impl Goal<'_> {
    fn verb(&self) -> Verb {
        match self {
            Goal::Baseline { .. } => Verb::Apply,
            Goal::Nothing { .. } => Verb::Destroy,
        }
    }

    /// The plan, and the regions it was made over, which the check after the changes reads
    /// again: the account's regions do not change while its lease is held.
    async fn plan(&self, target: &Target, run: &Run<'_>) -> anyhow::Result<(Plan, Regions)> {
        let regions = regions(target, run.aws, run.baseline).await?;
        let plan = match self {
            Goal::Baseline {
                saved: Some(saved), ..
            } => {
                let observed = observe(target, run.baseline, regions.clone(), false).await;
                let stale = saved.plan.staleness(&observed);
                if !stale.is_empty() {
                    bail!(Hinted::new(
                        format!(
                            "the saved plan is stale: {} since it was made",
                            stale.join(", ")
                        ),
                        format!(
                            "run `watchpost plan --out {}` again, review it, and apply the new file",
                            saved.file.display()
                        ),
                    ));
                }
                saved.plan.plan.clone()
            }
            Goal::Baseline { only, .. } => {
                let observed = observe(target, run.baseline, regions.clone(), false).await;
                crate::plan::plan(run.baseline, &observed).only(only)?
            }
            Goal::Nothing { delete_logs, only } => {
                let observed = observe(target, run.baseline, regions.clone(), true).await;
                destroy(run.baseline, &observed, *delete_logs).only(only)?
            }
        };
        Ok((plan, regions))
    }

    /// The plan made after the changes, over the regions of the first: empty when they
    /// converged. What `--only` selected may be gone by then, as it should be after a removal,
    /// so it is narrowed unchecked.
    async fn check(&self, target: &Target, run: &Run<'_>, regions: Regions) -> Plan {
        match self {
            Goal::Baseline { only, .. } => {
                let observed = observe(target, run.baseline, regions, false).await;
                crate::plan::plan(run.baseline, &observed).narrow(only)
            }
            Goal::Nothing { delete_logs, only } => {
                let observed = observe(target, run.baseline, regions, true).await;
                destroy(run.baseline, &observed, *delete_logs).narrow(only)
            }
        }
    }
}

pub(super) async fn converge(reach: &Reach, run: &Run<'_>) -> anyhow::Result<ExitCode> {
    let verb = run.goal.verb();
    let planned = for_each_account(&reach.targets, run.parallelism, |target| {
        prepare(target, run)
    })
    .await;

    let mut outcomes: Vec<AccountOutcome<Finished>> = Vec::new();
    let mut ready: Vec<Planned<'_>> = Vec::new();
    for outcome in planned {
        let AccountOutcome {
            account_id,
            result,
            api_calls,
        } = outcome;
        let result = match result {
            Ok(planned) => {
                run.reporter.plan(&planned.plan, verb);
                // A lease that cannot be given back is this account's error; it lapses on
                // its own, and the other accounts go on.
                // apply makes what it could read (its plan leaves out what it could not, and
                // holds back what needs it); destroy removes nothing it cannot see whole, as a
                // removal could leave what watchpost made half removed.
                if matches!(run.goal, Goal::Nothing { .. }) && !planned.plan.gaps.is_empty() {
                    let released = planned.lease.release().await;
                    released.and(Err(anyhow::anyhow!(
                        "refusing to destroy: parts of the account could not be read (listed above), and removing around them could leave what watchpost made half removed"
                    )))
                } else if planned.plan.is_empty() {
                    let given_back = give_back(planned.lease, &run.goal, true).await;
                    given_back.map(|()| Finished {
                        after: planned.plan.clone(),
                        plan: planned.plan,
                        failures: 0,
                    })
                } else {
                    ready.push(planned);
                    continue;
                }
            }
            Err(error) => {
                run.reporter.account_failed(&account_id, &error);
                Err(error)
            }
        };
        outcomes.push(AccountOutcome {
            account_id,
            result,
            api_calls,
        });
    }

    // One question for every account: what was shown above is what is approved.
    let approval = if ready.is_empty()
        || run.auto_approve
        || matches!(run.goal, Goal::Baseline { saved: Some(_), .. })
    {
        Ok(true)
    } else {
        confirmed(verb)
    };
    match approval {
        Ok(true) => {}
        declined => {
            for planned in ready {
                planned.lease.release().await?;
            }
            declined?;
            outln!("\n{} cancelled.", verb.capitalized());
            return Ok(ExitCode::from(1));
        }
    }

    stop_on_interrupt();
    let finished = for_each_account(ready, run.parallelism, |planned| finish(planned, run)).await;
    outcomes.extend(finished);
    outcomes.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    run.reporter
        .ending(&outcomes, verb, &reach.caller.api_calls());

    let failed: Vec<&AccountOutcome<Finished>> = outcomes
        .iter()
        .filter(|outcome| !outcome.result.as_ref().is_ok_and(Finished::converged))
        .collect();
    if failed.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    if reach.is_fan_out() {
        return Ok(ExitCode::from(1));
    }
    let outcome = outcomes.into_iter().next().expect("one account");
    let finished = outcome.result?;
    if verb == Verb::Apply {
        bail!(
            "apply did not converge: {} of {} change(s) failed, {} remain to be made and {} part(s) could not be read; fix the causes above and run apply again, which continues from where this run stopped",
            finished.failures,
            finished.plan.changes.len(),
            finished.after.changes.len(),
            finished.after.gaps.len()
        );
    }
    bail!(
        "destroy did not finish: {} of {} removal(s) failed; fix the causes above and run destroy again",
        finished.failures,
        finished.plan.changes.len()
    )
}

/// Takes the account's lease and makes its plan; the lease is given back if the plan fails.
async fn prepare<'t>(target: &'t Target, run: &Run<'_>) -> anyhow::Result<Planned<'t>> {
    target.verify(account_region(run.aws, run.baseline)).await?;
    let lease = lease::acquire(
        &target.session,
        &run.baseline.scope.home_region,
        &target.account_id,
        run.lock_timeout,
    )
    .await?;
    match run.goal.plan(target, run).await {
        Ok((plan, regions)) => Ok(Planned {
            target,
            lease,
            plan,
            regions,
        }),
        Err(error) => {
            lease.release().await?;
            Err(error)
        }
    }
}

/// Makes an account's changes, checks them with a fresh plan and gives the lease back.
async fn finish(planned: Planned<'_>, run: &Run<'_>) -> anyhow::Result<Finished> {
    let Planned {
        target,
        lease,
        plan,
        regions,
    } = planned;
    let account_id = target.account_id.as_str();
    let result = async {
        lease.renew().await?;
        let progress = Changing::start(
            account_id,
            run.goal.verb().in_progress(),
            plan.changes.len(),
        );
        let report: Report = execute(&target.session, &plan, run.execution, &|event| {
            if let Event::Finished(..) = event {
                progress.change_done();
            }
            run.reporter.change(account_id, event)
        })
        .await;
        drop(progress);
        let after = run.goal.check(target, run, regions).await;
        let finished = Finished {
            failures: report.failures(),
            plan,
            after,
        };
        if let Some(topic) = run.notify_topic {
            let notice = notify::notice(&finished.plan, &report, &finished.after);
            notify::publish(&target.session, &finished.plan, topic, notice).await?;
        }
        Ok(finished)
    }
    .await;
    let converged = result.as_ref().is_ok_and(Finished::converged);
    let given_back = give_back(lease, &run.goal, converged).await;
    given_back.and(result)
}

/// Terraform's rule for Ctrl-C while changes are made: the first lets the changes in progress
/// finish and starts no new one (each account's ending then says what is left, and its lease
/// is given back); a second stops at once.
fn stop_on_interrupt() {
    tokio::spawn(async {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        STOP_REQUESTED.store(true, Ordering::SeqCst);
        errln!(
            "\nInterrupted: the changes in progress finish, and no new one starts. Press Ctrl-C again to stop at once."
        );
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
}

/// A destroy that removed everything also removes the lease table: nothing is left to
/// coordinate. One narrowed by `--only` leaves the rest, and the table with it.
async fn give_back(lease: Lease, goal: &Goal<'_>, converged: bool) -> anyhow::Result<()> {
    match goal {
        Goal::Nothing { only, .. } if converged && only.is_empty() => lease.retire().await,
        _ => lease.release().await,
    }
}
