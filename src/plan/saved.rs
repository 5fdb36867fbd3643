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
    /// The baseline file the plan was made from, as an absolute path; absent in files written
    /// before watchpost recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_path: Option<String>,
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
    pub fn new(
        plan: Plan,
        baseline_source: &str,
        baseline_path: &str,
        observed: &Observed,
    ) -> Self {
        SavedPlan {
            format_version: SAVED_FORMAT_VERSION.to_owned(),
            watchpost_version: env!("CARGO_PKG_VERSION").to_owned(),
            baseline_digest: digest(baseline_source.as_bytes()),
            baseline_path: Some(baseline_path.to_owned()),
            observed: observed_digests(observed),
            plan,
        }
    }

    /// Why the baseline read now is not the one the plan was made from, naming both files;
    /// `None` when it is the same text, wherever it lies. `file` is the saved plan's path and
    /// `baseline_path` the baseline's, absolute as [`SavedPlan::new`] records it.
    pub fn baseline_mismatch(
        &self,
        file: &str,
        baseline_source: &str,
        baseline_path: &str,
    ) -> Option<String> {
        if digest(baseline_source.as_bytes()) == self.baseline_digest {
            return None;
        }
        Some(match &self.baseline_path {
            Some(then) if then == baseline_path => format!(
                "the saved plan {file} was made from {then}, and that file has changed since\nhint: run `watchpost plan --baseline {then} --out {file}` again, review it, and apply the new file"
            ),
            Some(then) => format!(
                "the saved plan {file} was made from the baseline {then}, and this apply reads {baseline_path}, which is not the same text\nhint: apply it with --baseline {then}, or make a plan of {baseline_path} with `watchpost plan --baseline {baseline_path} --out {file}`"
            ),
            None => format!(
                "the saved plan {file} was made from another baseline than {baseline_path}, or from an earlier version of it\nhint: apply it with the --baseline it was made from, or make the plan again with `watchpost plan --baseline {baseline_path} --out {file}`"
            ),
        })
    }

    /// What changed in the account since the plan was made, in words; empty when it still
    /// holds.
    pub fn staleness(&self, observed: &Observed) -> Vec<String> {
        let mut reasons = Vec::new();
        if observed.account_id != self.plan.account_id {
            reasons.push(format!(
                "it was made for account {}, and these credentials are for {}",
                self.plan.account_id, observed.account_id
            ));
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
