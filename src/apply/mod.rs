//! Carries out a plan: level by level in dependency order, independent changes concurrently,
//! each change one idempotent attempt. It decides nothing; a change whose dependency failed
//! is not attempted, and the next apply picks it up from the account as it then is.

mod account;
mod cloudtrail;
mod cloudwatch;
mod config;
mod events;
mod guardduty;
mod iam;
mod kms;
mod logs;
pub mod notify;
pub mod propagation;
mod s3;
mod sns;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};

use crate::aws::{AwsError, Session};
use crate::model::{ResourceId, Spec};
use crate::plan::{Action, Change, Plan, levels};

/// Changes in flight at once within a level; AWS rate limits are per service and region, and
/// the SDK's retries absorb the occasional throttle.
const CONCURRENCY: usize = 16;

pub use crate::model::MANAGED_TAG;

#[derive(Debug)]
pub enum Outcome {
    Done,
    Failed(AwsError),
    Skipped {
        because_of: ResourceId,
    },
    /// The user asked the run to stop before this change began.
    NotStarted,
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

pub async fn execute(
    session: &Session,
    plan: &Plan,
    settings: &Settings,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> Report {
    let at = Account {
        session,
        id: &plan.account_id,
        home_region: &plan.home_region,
        propagation_timeout: settings.propagation_timeout,
    };
    let mut outcomes: Vec<(ResourceId, Outcome)> = Vec::new();
    let mut unfinished: BTreeSet<ResourceId> = BTreeSet::new();
    for level in levels(&plan.changes) {
        let results: Vec<(ResourceId, Outcome)> = stream::iter(level)
            .map(|index| {
                let change = &plan.changes[index];
                let blocked = change
                    .depends_on
                    .iter()
                    .find(|dependency| unfinished.contains(*dependency))
                    .cloned();
                async move {
                    if STOP_REQUESTED.load(Ordering::SeqCst) {
                        let outcome = Outcome::NotStarted;
                        on_event(Event::Finished(change, &outcome, Duration::ZERO));
                        return (change.id.clone(), outcome);
                    }
                    on_event(Event::Started(change));
                    let started = Instant::now();
                    let outcome = match blocked {
                        Some(because_of) => Outcome::Skipped { because_of },
                        None => match run(&at, change).await {
                            Ok(()) => Outcome::Done,
                            Err(error) => Outcome::Failed(error),
                        },
                    };
                    on_event(Event::Finished(change, &outcome, started.elapsed()));
                    (change.id.clone(), outcome)
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        for (id, outcome) in results {
            if !matches!(outcome, Outcome::Done) {
                unfinished.insert(id.clone());
            }
            outcomes.push((id, outcome));
        }
    }
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
    }
}
