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
                        None => match run(
                            session,
                            &plan.account_id,
                            &plan.home_region,
                            change,
                            settings,
                        )
                        .await
                        {
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

async fn run(
    session: &Session,
    account: &str,
    home_region: &str,
    change: &Change,
    settings: &Settings,
) -> Result<(), AwsError> {
    let region = change.id.region.as_str();
    if change.action == Action::Delete {
        return delete(session, account, home_region, change).await;
    }
    let wait = settings.propagation_timeout;
    match &change.spec {
        Spec::Detector(spec) => guardduty::detector(session, change, spec).await,
        Spec::Bucket(spec) => s3::log_bucket(session, change, spec).await,
        Spec::Role(spec) => iam::role(session, home_region, change, spec).await,
        Spec::Recorder(spec) => config::recorder(&session.config(region), change, spec, wait).await,
        Spec::DeliveryChannel(spec) => {
            config::delivery_channel(&session.config(region), change, spec, wait).await
        }
        Spec::Recording(spec) => config::recording(&session.config(region), change, spec).await,
        Spec::Rule(spec) => config::rule(&session.config(region), change, spec).await,
        Spec::LogGroup(spec) => logs::log_group(session, change, spec).await,
        Spec::MetricFilter(spec) => logs::metric_filter(session, change, spec).await,
        Spec::Trail(spec) => cloudtrail::trail(session, change, spec, wait).await,
        Spec::Topic(spec) => sns::topic(session, account, change, spec).await,
        Spec::Subscription(spec) => sns::email_subscription(session, account, change, spec).await,
        Spec::EventRule(spec) => events::rule(session, change, spec).await,
        Spec::Alarm(spec) => cloudwatch::alarm(session, change, spec).await,
        Spec::Key(spec) => kms::key(session, change, spec, wait).await,
        Spec::PasswordPolicy(spec) => {
            account::password_policy(session, home_region, change, spec).await
        }
        Spec::PublicAccessBlock(spec) => {
            account::public_access_block(session, home_region, account, change, spec).await
        }
        Spec::EbsEncryption(spec) => account::ebs_encryption(session, change, spec).await,
        Spec::Analyzer(spec) => account::access_analyzer(session, change, spec).await,
    }
}

/// Removes something watchpost made: one the baseline no longer names, or everything on
/// `destroy`. The planner plans this only for resources that carry watchpost's mark.
async fn delete(
    session: &Session,
    account: &str,
    home_region: &str,
    change: &Change,
) -> Result<(), AwsError> {
    let region = change.id.region.as_str();
    match &change.spec {
        Spec::Rule(_) => config::delete_rule(&session.config(region), change).await,
        Spec::Alarm(_) => cloudwatch::delete_alarm(session, change).await,
        Spec::MetricFilter(spec) => logs::delete_metric_filter(session, change, spec).await,
        Spec::Subscription(_) => sns::unsubscribe(session, change).await,
        Spec::Detector(_) => guardduty::delete_detector(session, change).await,
        Spec::Bucket(_) => s3::delete_log_bucket(session, change).await,
        Spec::Role(_) => iam::delete_role(session, home_region, change).await,
        Spec::Recorder(_) => config::delete_recorder(&session.config(region), change).await,
        Spec::DeliveryChannel(_) => config::delete_channel(&session.config(region), change).await,
        Spec::Recording(_) => config::stop_recording(&session.config(region), change).await,
        Spec::LogGroup(_) => logs::delete_log_group(session, change).await,
        Spec::Trail(_) => cloudtrail::delete_trail(session, change).await,
        Spec::Topic(_) => sns::delete_topic(session, account, change).await,
        Spec::EventRule(_) => events::delete_rule(session, change).await,
        Spec::Key(_) => kms::schedule_deletion(session, change).await,
        Spec::Analyzer(_) => account::delete_access_analyzer(session, change).await,
        // Account settings are never planned for removal: watchpost cannot tell whether it
        // set them, and turning one off would weaken the account.
        Spec::PasswordPolicy(_) | Spec::PublicAccessBlock(_) | Spec::EbsEncryption(_) => Ok(()),
    }
}
