//! What a run came to, account by account: the data the commands make and their reports read,
//! kept apart from both so that neither has to import the other.

use crate::model::ApiCallCounts;
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
}

impl Finished {
    pub fn converged(&self) -> bool {
        self.failures == 0 && self.after.is_empty() && self.after.gaps.is_empty()
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
