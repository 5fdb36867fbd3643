//! A plan saved for later: `plan --out FILE`, then `apply FILE` applies exactly it. watchpost
//! keeps no state, so the file carries what the plan was made from (the baseline's digest and
//! a digest of every resource read), and apply refuses it if any of that has changed since.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Plan;
use crate::model::Observed;

/// Raised when the file's layout changes; a file of another layout is refused, not guessed at.
pub const SAVED_FORMAT_VERSION: &str = "1";

/// Holds no credentials: only the account's configuration as read, and the plan.
#[derive(Debug, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format_version: String,
    pub watchpost_version: String,
    pub baseline_digest: String,
    /// Resource address → digest of the live resource as read.
    pub observed: BTreeMap<String, String>,
    pub plan: Plan,
}

pub fn digest(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// A digest per resource read, so that a change to any of them is noticed.
pub fn observed_digests(observed: &Observed) -> BTreeMap<String, String> {
    observed
        .resources
        .iter()
        .map(|(id, live)| {
            let text = serde_json::to_string(&(&live.spec, &live.live_id, live.owned))
                .expect("specs serialize");
            (id.to_string(), digest(text.as_bytes()))
        })
        .collect()
}

impl SavedPlan {
    pub fn new(plan: Plan, baseline_source: &str, observed: &Observed) -> Self {
        SavedPlan {
            format_version: SAVED_FORMAT_VERSION.to_owned(),
            watchpost_version: env!("CARGO_PKG_VERSION").to_owned(),
            baseline_digest: digest(baseline_source.as_bytes()),
            observed: observed_digests(observed),
            plan,
        }
    }

    /// What changed since the plan was made, in words; empty when it still holds.
    pub fn staleness(&self, baseline_source: &str, observed: &Observed) -> Vec<String> {
        let mut reasons = Vec::new();
        if observed.account_id != self.plan.account_id {
            reasons.push(format!(
                "it was made for account {}, and these credentials are for {}",
                self.plan.account_id, observed.account_id
            ));
        }
        if digest(baseline_source.as_bytes()) != self.baseline_digest {
            reasons.push("the baseline file changed".to_owned());
        }
        let now = observed_digests(observed);
        for (address, then) in &self.observed {
            match now.get(address) {
                None => reasons.push(format!("{address} is gone")),
                Some(digest) if digest != then => reasons.push(format!("{address} changed")),
                Some(_) => {}
            }
        }
        for address in now.keys().filter(|a| !self.observed.contains_key(*a)) {
            reasons.push(format!("{address} appeared"));
        }
        reasons
    }
}
