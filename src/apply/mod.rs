//! Carries out a plan: each change as soon as the changes it depends on are made, every
//! independent change concurrently, each one idempotent attempt. It decides nothing; a change whose dependency failed
//! is not attempted, and the next apply picks it up from the account as it then is.

mod account;
mod cloudtrail;
mod cloudwatch;
mod config;
mod events;
mod flow_log;
mod guardduty;
mod iam;
mod kms;
mod logs;
pub mod notify;
pub mod propagation;
mod s3;
mod security_hub;
mod sns;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared, join_all};

use crate::aws::{AwsError, Session};
use crate::model::{ResourceId, Spec};
use crate::plan::{Action, Change, Plan, levels};

pub use crate::model::MANAGED_TAG;

#[derive(Debug)]
pub enum Outcome {
    Done,
    Failed(AwsError),
    Skipped {
        because_of: ResourceId,
    },
    /// The run stopped starting changes before this one began.
    NotStarted(Halt),
}

/// Why a run starts no new change, checked before each one begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Halt {
    /// The user asked the run to stop (Ctrl-C).
    Interrupted,
    /// The account's lease was lost: renewing it failed, or another run holds it now.
    LeaseLost,
}

impl Halt {
    /// Why a change was not started, in a few words.
    pub fn reason(self) -> &'static str {
        match self {
            Halt::Interrupted => "the run was interrupted",
            Halt::LeaseLost => "the account's lease was lost",
        }
    }
}

/// Set when the user asks a run to stop (Ctrl-C): changes in progress finish, and no new one
/// begins, so that nothing is left half made. Signals are the process's, hence one flag.
pub static STOP_REQUESTED: AtomicBool = AtomicBool::new(false);

/// What happened to each change, reported as it happens through `on_event`.
pub struct Report {
    pub outcomes: Vec<(ResourceId, Outcome)>,
}

impl Report {
    pub fn failures(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|(_, outcome)| !matches!(outcome, Outcome::Done))
            .count()
    }
}

pub enum Event<'a> {
    Started(&'a Change),
    Finished(&'a Change, &'a Outcome, Duration),
}

pub struct Settings {
    /// How long one call refused while a change propagates is tried again (see
    /// [`propagation`]); tests shorten it.
    pub propagation_timeout: Duration,
}

/// Makes the plan's changes. `lease_held` is asked before each change begins: once the account's
/// lease is lost, another run may be at work there, and no new change starts.
pub async fn execute(
    session: &Session,
    plan: &Plan,
    settings: &Settings,
    lease_held: &(dyn Fn() -> bool + Sync),
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> Report {
    let at = Account {
        session,
        id: &plan.account_id,
        home_region: &plan.home_region,
        propagation_timeout: settings.propagation_timeout,
    };
    let position: BTreeMap<&ResourceId, usize> = plan
        .changes
        .iter()
        .enumerate()
        .map(|(index, change)| (&change.id, index))
        .collect();
    // No bound of changes in flight: the session's meter bounds each service's requests in
    // flight per region, where AWS's rate limits are, and a change that waits on another
    // holds no request.
    let outcomes = Mutex::new(Vec::with_capacity(plan.changes.len()));
    // Per change, in the plan's order, whether it was made: each change waits on those it
    // depends on. Levels order every dependency before its dependents.
    let mut made: Vec<Option<Shared<BoxFuture<'_, bool>>>> = vec![None; plan.changes.len()];
    for index in levels(&plan.changes).into_iter().flatten() {
        let change = &plan.changes[index];
        // A dependency that is not itself changing is already in place.
        let dependencies: Vec<(&ResourceId, Shared<BoxFuture<'_, bool>>)> = change
            .depends_on
            .iter()
            .filter_map(|dependency| {
                let made = made[*position.get(dependency)?].clone();
                Some((dependency, made.expect("levels order dependencies first")))
            })
            .collect();
        let (at, outcomes) = (&at, &outcomes);
        let change_made = async move {
            let mut blocked = None;
            for (dependency, made) in dependencies {
                if !made.await && blocked.is_none() {
                    blocked = Some(dependency.clone());
                }
            }
            let halt = if STOP_REQUESTED.load(Ordering::SeqCst) {
                Some(Halt::Interrupted)
            } else if !lease_held() {
                Some(Halt::LeaseLost)
            } else {
                None
            };
            let outcome = if let Some(halt) = halt {
                let outcome = Outcome::NotStarted(halt);
                on_event(Event::Finished(change, &outcome, Duration::ZERO));
                outcome
            } else {
                on_event(Event::Started(change));
                let started = Instant::now();
                let outcome = match blocked {
                    Some(because_of) => Outcome::Skipped { because_of },
                    None => match run(at, change).await {
                        Ok(()) => Outcome::Done,
                        Err(error) => Outcome::Failed(error),
                    },
                };
                on_event(Event::Finished(change, &outcome, started.elapsed()));
                outcome
            };
            let done = matches!(outcome, Outcome::Done);
            outcomes
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((change.id.clone(), outcome));
            done
        };
        made[index] = Some(change_made.boxed().shared());
    }
    join_all(made.into_iter().flatten()).await;
    let mut outcomes = outcomes
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    outcomes.sort_by(|a, b| a.0.cmp(&b.0));
    Report { outcomes }
}

/// The account a plan is applied to, and what any kind's calls may need of it.
#[derive(Clone, Copy)]
struct Account<'a> {
    session: &'a Session,
    id: &'a str,
    home_region: &'a str,
    propagation_timeout: Duration,
}

/// How the changes to one spec type are made. Each spec type implements it in the file of its
/// service, beside its calls, and `run` is the one dispatch over them: a spec type without it
/// does not compile. Each call is one idempotent attempt.
trait Converge {
    /// Creates the resource, or brings the live one to `self`.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError>;

    /// Removes something watchpost made: one the baseline no longer names, or everything on
    /// `destroy`. The planner plans this only for resources that carry watchpost's mark.
    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError>;
}

async fn run(at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
    macro_rules! converge {
        ($spec:expr) => {
            match change.action {
                Action::Delete => $spec.remove(at, change).await,
                Action::Create | Action::Update => $spec.put(at, change).await,
            }
        };
    }
    match &change.spec {
        Spec::Detector(spec) => converge!(spec),
        Spec::Bucket(spec) => converge!(spec),
        Spec::Role(spec) => converge!(spec),
        Spec::Recorder(spec) => converge!(spec),
        Spec::DeliveryChannel(spec) => converge!(spec),
        Spec::Recording(spec) => converge!(spec),
        Spec::Rule(spec) => converge!(spec),
        Spec::LogGroup(spec) => converge!(spec),
        Spec::MetricFilter(spec) => converge!(spec),
        Spec::Trail(spec) => converge!(spec),
        Spec::Topic(spec) => converge!(spec),
        Spec::Subscription(spec) => converge!(spec),
        Spec::EventRule(spec) => converge!(spec),
        Spec::EventBus(spec) => converge!(spec),
        Spec::BusPermission(spec) => converge!(spec),
        Spec::Alarm(spec) => converge!(spec),
        Spec::Key(spec) => converge!(spec),
        Spec::PasswordPolicy(spec) => converge!(spec),
        Spec::PublicAccessBlock(spec) => converge!(spec),
        Spec::EbsEncryption(spec) => converge!(spec),
        Spec::Analyzer(spec) => converge!(spec),
        Spec::SecurityContact(spec) => converge!(spec),
        Spec::BucketLogging(spec) => converge!(spec),
        Spec::FlowLog(spec) => converge!(spec),
        Spec::SecurityHub(spec) => converge!(spec),
        Spec::FindingAggregator(spec) => converge!(spec),
    }
}
