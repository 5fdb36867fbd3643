//! What a run reads and counts beside the resources it manages: the account's usage that the
//! cost estimate needs, and the API calls made. Observe fills them in; plan, status and the
//! reports read them.

use std::collections::BTreeMap;

use serde::Serialize;

/// A read for the estimate or `status` that failed: the call and AWS's answer.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Unread {
    pub call: String,
    pub reason: String,
}

/// What the cost depends on beyond the baseline's settings, as read from the account for the
/// estimate only: a read that fails leaves its figure to an assumption, never a gap in the plan.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Usage {
    /// Per region in scope whose recorder is recording: the resources AWS Config has
    /// discovered there. Regions not recording yet are not read.
    pub recorded_resources: BTreeMap<String, Result<u64, Unread>>,
    /// The trails other than watchpost's that record in the home region (their names); `None`
    /// when not read, without `[cloudtrail]`.
    pub other_trails: Option<Result<Vec<String>, Unread>>,
    /// Whether watchpost's trail logs data events, as the plan read its selectors; `None` when it
    /// does not exist yet or could not be read.
    pub trail_data_events: Option<bool>,
}

/// API calls made, by service.
pub type ApiCallCounts = BTreeMap<&'static str, u64>;

pub fn sum_calls<'a>(all: impl IntoIterator<Item = &'a ApiCallCounts>) -> ApiCallCounts {
    let mut sum = ApiCallCounts::new();
    for calls in all {
        for (service, count) in calls {
            *sum.entry(service).or_default() += count;
        }
    }
    sum
}
