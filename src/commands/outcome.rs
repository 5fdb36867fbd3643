//! What a run came to, account by account: the data the commands make and their reports read,
//! kept apart from both so that neither has to import the other.

use crate::model::{ApiCallCounts, sum_calls};
use crate::plan::{Action, Plan};

/// What one account's part of a run came to, with the API calls it took.
pub(super) struct AccountOutcome<T> {
    pub account_id: String,
    pub result: anyhow::Result<T>,
    pub api_calls: ApiCallCounts,
}

/// How an account's `apply` or `destroy` ended.
pub(super) struct Finished {
    pub plan: Plan,
    pub failures: usize,
    /// The plan made after the changes: empty when the account converged.
    pub after: Plan,
    /// Why the account's lease was lost while its changes were made, after which none began.
    pub lease_lost: Option<String>,
}

impl Finished {
    pub fn converged(&self) -> bool {
        self.failures == 0 && self.after.is_empty() && self.after.gaps.is_empty()
    }
}

/// What a run keeps of each account once its ending is reported: a line and the counts. A run
/// over a thousand accounts holds this, not their plans.
#[derive(Default)]
pub(super) struct Tally {
    /// Each account's id and how it ended in a few words, in the order the accounts ended.
    pub states: Vec<(String, String)>,
    pub converged: usize,
    pub added: usize,
    pub changed: usize,
    pub destroyed: usize,
    pub failed: usize,
    pub remaining: usize,
    pub unreadable: usize,
    pub api_calls: ApiCallCounts,
}

impl Tally {
    pub fn add(&mut self, outcome: &AccountOutcome<Finished>) {
        let state = match &outcome.result {
            Ok(finished) if finished.converged() && finished.plan.is_empty() => {
                "no changes".to_owned()
            }
            Ok(finished) if finished.converged() => {
                format!("done: {}", account_line(&finished.plan))
            }
            Ok(finished) => format!(
                "NOT converged: {} change(s) failed, {} remain{}",
                finished.failures,
                finished.after.changes.len(),
                finished
                    .lease_lost
                    .as_ref()
                    .map_or(String::new(), |why| format!("; its lease was lost: {why}"))
            ),
            Err(error) => format!("failed: {}", first_line(error)),
        };
        self.states.push((outcome.account_id.clone(), state));
        if let Ok(finished) = &outcome.result {
            self.converged += usize::from(finished.converged());
            self.added += finished.plan.count(Action::Create);
            self.changed += finished.plan.count(Action::Update);
            self.destroyed += finished.plan.count(Action::Delete);
            self.failed += finished.failures;
            self.remaining += finished.after.changes.len();
            self.unreadable += finished.after.gaps.len();
        }
        self.api_calls = sum_calls([&self.api_calls, &outcome.api_calls]);
    }

    pub fn accounts(&self) -> usize {
        self.states.len()
    }

    pub fn failed_accounts(&self) -> usize {
        self.accounts() - self.converged
    }
}

/// An account's plan in a few words, for the line each account gets in a run's summary.
pub(super) fn account_line(plan: &Plan) -> String {
    if plan.is_empty() {
        return "no changes".to_owned();
    }
    format!(
        "{} to add, {} to change, {} to destroy",
        plan.count(Action::Create),
        plan.count(Action::Update),
        plan.count(Action::Delete)
    )
}

/// An error's headline, for a one-line summary; the full message is printed above it.
pub(super) fn first_line(error: &anyhow::Error) -> String {
    format!("{error:#}")
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}
