//! `apply` and `destroy` share one shape, for one account or many: take each account's lease
//! and plan it, show every plan, ask once, make the changes (accounts concurrently, each in
//! dependency order), plan again to check, and give each lease back whatever happened.

use std::collections::BTreeSet;
use std::path::Path;
use std::pin::pin;
use std::process::ExitCode;
use std::sync::atomic::Ordering;

use anyhow::{Context, bail};
use futures::StreamExt;

use super::fan_out::{Holds, Reach, account_region, for_each_account, for_each_held};
use super::outcome::{AccountOutcome, Finished, Tally};
use super::read::{Retired, observe, observe_again, observe_and_plan};
use super::report::{Reporter, confirmed};
use super::verb::Verb;
use crate::accounts::Target;
use crate::apply::{Event, Halt, Outcome, Report, STOP_REQUESTED, Settings, execute, notify};
use crate::baseline::Baseline;
use crate::cli::AwsArgs;
use crate::coverage::{Coverage, Leftovers};
use crate::error::Hinted;
use crate::lease::{self, Lease};
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
    /// How long each account's lease lasts, and how long to wait for one another run holds.
    pub lease: lease::Terms,
    /// The regions out of scope read for what watchpost left there.
    pub retired: Retired,
    pub reporter: &'a dyn Reporter,
    pub parallelism: usize,
    /// The alert topic that what was repaired in each account is published to
    /// (`apply --notify`).
    pub notify_topic: Option<&'a str>,
}

/// An account whose lease is held and whose plan is made, with the session that holds them.
struct Planned {
    target: Target,
    lease: Lease,
    plan: Plan,
    coverage: Coverage,
}

impl Holds for Planned {
    fn target(&self) -> &Target {
        &self.target
    }
}

impl Goal<'_> {
    fn verb(&self) -> Verb {
        match self {
            Goal::Baseline { .. } => Verb::Apply,
            Goal::Nothing { .. } => Verb::Destroy,
        }
    }

    async fn plan(&self, target: &Target, run: &Run<'_>) -> anyhow::Result<(Plan, Coverage)> {
        match self {
            Goal::Baseline {
                saved: Some(saved), ..
            } => {
                let (observed, coverage) =
                    observe(target, run.aws, run.baseline, false, run.retired).await?;
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
                Ok((saved.plan.plan.clone(), coverage))
            }
            Goal::Baseline { only, .. } => {
                let (plan, _, coverage) =
                    observe_and_plan(target, run.aws, run.baseline, only, run.retired).await?;
                Ok((plan, coverage))
            }
            Goal::Nothing { delete_logs, only } => {
                let (observed, coverage) =
                    observe(target, run.aws, run.baseline, true, run.retired).await?;
                // A section or kind with nothing of watchpost's left to remove is nothing to
                // destroy, as Terraform's `destroy -target` of nothing is, not an error.
                let plan = destroy(run.baseline, &observed, *delete_logs).narrow(only);
                Ok((plan, coverage))
            }
        }
    }

    /// The plan made after the changes: empty when they converged. What `--only` selected
    /// may be gone by then, as it should be after a removal, so it is narrowed unchecked.
    async fn check(&self, target: &Target, run: &Run<'_>, coverage: &Coverage) -> Plan {
        match self {
            Goal::Baseline { only, .. } => {
                let observed = observe_again(target, run.baseline, false, coverage).await;
                crate::plan::plan(run.baseline, &observed).narrow(only)
            }
            Goal::Nothing { delete_logs, only } => {
                let observed = observe_again(target, run.baseline, true, coverage).await;
                destroy(run.baseline, &observed, *delete_logs).narrow(only)
            }
        }
    }
}

pub(super) async fn converge(reach: &Reach<'_>, run: &Run<'_>) -> anyhow::Result<ExitCode> {
    let verb = run.goal.verb();
    let mut ended = Ended::new(reach.is_fan_out());
    let mut ready: Vec<Planned> = Vec::new();
    let prepare = async |target: &Target| prepare(target, run).await;
    let planned = for_each_account(reach, run.parallelism, &prepare);
    let mut planned = pin!(planned);
    while let Some(outcome) = planned.next().await {
        let AccountOutcome {
            account_id,
            result,
            api_calls,
        } = outcome;
        let result = match result {
            Ok(mut planned) => {
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
                    let record = coverage_to_record(run, &planned.coverage, None, &planned.plan);
                    let given_back = give_back(planned.lease, &run.goal, true, record).await;
                    given_back.map(|()| Finished {
                        after: planned.plan.clone(),
                        plan: planned.plan,
                        failures: 0,
                        lease_lost: None,
                    })
                } else {
                    // Shown, and not needed to make the changes: a plan held until approval
                    // keeps its changes only.
                    planned.plan.unchanged = Vec::new();
                    ready.push(planned);
                    continue;
                }
            }
            Err(error) => {
                run.reporter.account_failed(&account_id, &error);
                Err(error)
            }
        };
        ended.record(
            run.reporter,
            verb,
            AccountOutcome {
                account_id,
                result,
                api_calls,
            },
        );
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
    let finished = for_each_held(ready, run.parallelism, |planned| finish(planned, run));
    let mut finished = pin!(finished);
    while let Some(outcome) = finished.next().await {
        ended.record(run.reporter, verb, outcome);
    }
    run.reporter
        .summary(&ended.tally, verb, &reach.caller.api_calls());

    if ended.tally.failed_accounts() == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    let Some(outcome) = ended.single else {
        return Ok(ExitCode::from(1));
    };
    let finished = outcome.result?;
    if let Some(why) = &finished.lease_lost {
        bail!(Hinted::new(
            format!(
                "{verb} stopped: the account's lease was lost ({why}), and no change started after; {} of {} change(s) were not made",
                finished.failures,
                finished.plan.changes.len()
            ),
            format!(
                "run {verb} again, which continues from where this run stopped; if renewing failed, the error above says why"
            )
        ));
    }
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

/// What a run keeps of the accounts that have ended, once each has been reported.
struct Ended {
    tally: Tally,
    /// A run over one account keeps its outcome whole: a failure is the run's own error.
    single: Option<AccountOutcome<Finished>>,
    fan_out: bool,
}

impl Ended {
    fn new(fan_out: bool) -> Self {
        Ended {
            tally: Tally::default(),
            single: None,
            fan_out,
        }
    }

    fn record(&mut self, reporter: &dyn Reporter, verb: Verb, outcome: AccountOutcome<Finished>) {
        reporter.account_ended(&outcome, verb);
        self.tally.add(&outcome);
        if !self.fan_out {
            self.single = Some(outcome);
        }
    }
}

/// Takes the account's lease and makes its plan; the lease is given back if the plan fails.
async fn prepare(target: &Target, run: &Run<'_>) -> anyhow::Result<Planned> {
    target.verify(account_region(run.aws, run.baseline)).await?;
    let lease = lease::acquire(
        &target.session,
        &run.baseline.scope.home_region,
        &target.account_id,
        run.lease,
    )
    .await?;
    match run.goal.plan(target, run).await {
        Ok((plan, coverage)) => Ok(Planned {
            target: target.clone(),
            lease,
            plan,
            coverage,
        }),
        Err(error) => {
            lease.release().await?;
            Err(error)
        }
    }
}

/// Makes an account's changes, checks them with a fresh plan and gives the lease back.
async fn finish(planned: Planned, run: &Run<'_>) -> anyhow::Result<Finished> {
    let Planned {
        target,
        lease,
        plan,
        mut coverage,
    } = planned;
    let account_id = target.account_id.as_str();
    let mut record = None;
    let result = async {
        // A fleet's leases are taken as it plans, and an account's changes may begin much later.
        lease.ensure_held()?;
        if let (Goal::Baseline { .. }, Some(widened)) = (&run.goal, coverage.before_changes()) {
            let home = &run.baseline.scope.home_region;
            crate::coverage::record(&target.session, home, account_id, &widened)
                .await
                .context("nothing was changed: the regions in scope could not be recorded before the changes, which a later plan relies on to find what they leave")?;
            coverage.recorded = Some(widened);
        }
        let progress = Changing::start(
            account_id,
            run.goal.verb().in_progress(),
            plan.changes.len(),
        );
        let lease_held = || lease.lost().is_none();
        let report: Report = execute(
            &target.session,
            &plan,
            run.execution,
            &lease_held,
            &|event| {
                if let Event::Finished(..) = event {
                    progress.change_done();
                }
                run.reporter.change(account_id, event)
            },
        )
        .await;
        drop(progress);
        let after = run.goal.check(&target, run, &coverage).await;
        record = coverage_to_record(run, &coverage, Some(&report), &after);
        let lease_lost = report
            .outcomes
            .iter()
            .any(|(_, outcome)| matches!(outcome, Outcome::NotStarted(Halt::LeaseLost)))
            .then(|| lease.lost().map(str::to_owned))
            .flatten();
        let finished = Finished {
            failures: report.failures(),
            plan,
            after,
            lease_lost,
        };
        if let Some(topic) = run.notify_topic {
            let notice = notify::notice(&finished.plan, &report, &finished.after);
            notify::publish(&target.session, &finished.plan, topic, notice).await?;
        }
        Ok(finished)
    }
    .await;
    let converged = result.as_ref().is_ok_and(Finished::converged);
    let given_back = give_back(lease, &run.goal, converged, record).await;
    given_back.and(result)
}

/// The record of the regions apply covered, to write as it ends (src/coverage.rs): those in
/// scope, and those out of scope where something of watchpost's may still be left: where a
/// change `made` failed or did not start, or where the plan `after` the changes still has one.
/// An apply narrowed by `--only`, or whose check could not read the account whole, may leave
/// something anywhere it read. None when the record already says so, and for `destroy`, which
/// keeps no record: it reads every region, and the record goes with the table.
fn coverage_to_record(
    run: &Run<'_>,
    coverage: &Coverage,
    made: Option<&Report>,
    after: &Plan,
) -> Option<BTreeSet<String>> {
    let Goal::Baseline { only, .. } = &run.goal else {
        return None;
    };
    let leftovers = if only.is_empty() && after.gaps.is_empty() {
        let unmade = made
            .iter()
            .flat_map(|report| &report.outcomes)
            .filter(|(_, outcome)| !matches!(outcome, Outcome::Done))
            .map(|(id, _)| id);
        let remaining = after.changes.iter().map(|change| &change.id);
        Leftovers::In(
            unmade
                .chain(remaining)
                .map(|id| id.region.clone())
                .collect(),
        )
    } else {
        Leftovers::Anywhere
    };
    let regions = coverage.after_apply(&leftovers);
    (coverage.recorded.as_ref() != Some(&regions)).then_some(regions)
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
/// coordinate. One narrowed by `--only` leaves the rest, and the table with it. An apply's
/// record of covered regions is written with the lease given back, in one round trip.
async fn give_back(
    lease: Lease,
    goal: &Goal<'_>,
    converged: bool,
    record: Option<BTreeSet<String>>,
) -> anyhow::Result<()> {
    match (goal, record) {
        (Goal::Nothing { only, .. }, _) if converged && only.is_empty() => lease.retire().await,
        (_, Some(regions)) => {
            let account = lease.account().to_owned();
            lease
            .release_recording(crate::coverage::record_item(&account, &regions))
            .await
                .context("the regions covered could not be recorded; plans read every region recorded before until an apply records them")
        }
        (_, None) => lease.release().await,
    }
}
