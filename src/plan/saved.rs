//! A plan saved for later: `plan --out FILE`, then `apply FILE` applies exactly it. watchpost
//! keeps no state, so the file carries what the plan was made from (the baseline's digest and
//! a digest of every resource read), and apply refuses it if any of that has changed since.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Change, Plan};
use crate::error::Hinted;
use crate::model::{Observed, ResourceId};

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
    ) -> Option<Hinted> {
        if digest(baseline_source.as_bytes()) == self.baseline_digest {
            return None;
        }
        Some(match &self.baseline_path {
            Some(then) if then == baseline_path => Hinted::new(
                format!(
                    "the saved plan {file} was made from {then}, and that file has changed since"
                ),
                format!(
                    "run `watchpost plan --baseline {then} --out {file}` again, review it, and apply the new file"
                ),
            ),
            Some(then) => Hinted::new(
                format!(
                    "the saved plan {file} was made from the baseline {then}, and this apply reads {baseline_path}, which is not the same text"
                ),
                format!(
                    "apply it with --baseline {then}, or make a plan of {baseline_path} with `watchpost plan --baseline {baseline_path} --out {file}`"
                ),
            ),
            None => Hinted::new(
                format!(
                    "the saved plan {file} was made from another baseline than {baseline_path}, or from an earlier version of it"
                ),
                format!(
                    "apply it with the --baseline it was made from, or make the plan again with `watchpost plan --baseline {baseline_path} --out {file}`"
                ),
            ),
        })
    }

    /// Why this file cannot be a plan watchpost made, in words; empty when it can be. A saved
    /// plan is input from outside: one edited by hand could name a spec of another service
    /// than its address (a call to the wrong service) or a cycle of dependencies (which no
    /// order can carry out).
    pub fn inconsistencies(&self) -> Vec<String> {
        let mut found = Vec::new();
        let mut seen = BTreeSet::new();
        for change in &self.plan.changes {
            let id = &change.id;
            if !seen.insert(id) {
                found.push(format!("{id} is changed twice"));
            }
            for (what, spec) in [
                ("settings", Some(&change.spec)),
                ("live settings", change.before.as_ref()),
            ] {
                if let Some(spec) = spec
                    && !spec.fits(id.kind)
                {
                    found.push(format!(
                        "{id} carries the {what} of a {}, not of a {}",
                        spec.kinds()[0],
                        id.kind
                    ));
                }
            }
        }
        if let Some(cycle) = dependency_cycle(&self.plan.changes) {
            let path: Vec<String> = cycle.iter().map(ToString::to_string).collect();
            found.push(format!(
                "its changes depend on each other in a circle: {}",
                path.join(" → ")
            ));
        }
        found
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

/// A circle of changes each waiting on the next, first to first again, if the plan has one.
fn dependency_cycle(changes: &[Change]) -> Option<Vec<&ResourceId>> {
    let edges: BTreeMap<&ResourceId, &[ResourceId]> = changes
        .iter()
        .map(|change| (&change.id, change.depends_on.as_slice()))
        .collect();
    #[derive(Clone, Copy, PartialEq)]
    enum Visit {
        InProgress,
        Done,
    }
    let mut visits: BTreeMap<&ResourceId, Visit> = BTreeMap::new();
    // Depth-first, with an explicit stack so that a long hand-made chain cannot overflow ours.
    for start in edges.keys().copied() {
        if visits.contains_key(start) {
            continue;
        }
        let mut path: Vec<(&ResourceId, usize)> = vec![(start, 0)];
        visits.insert(start, Visit::InProgress);
        while let Some((id, next)) = path.last_mut() {
            let dependencies = edges.get(id).copied().unwrap_or_default();
            let Some(dependency) = dependencies.get(*next) else {
                visits.insert(*id, Visit::Done);
                path.pop();
                continue;
            };
            *next += 1;
            // A dependency outside the plan needs no change, so it closes no circle.
            let Some((dependency, _)) = edges.get_key_value(dependency) else {
                continue;
            };
            match visits.get(dependency) {
                Some(Visit::Done) => {}
                Some(Visit::InProgress) => {
                    let from = path
                        .iter()
                        .position(|(id, _)| id == dependency)
                        .unwrap_or(0);
                    let mut cycle: Vec<&ResourceId> =
                        path[from..].iter().map(|(id, _)| *id).collect();
                    cycle.push(dependency);
                    return Some(cycle);
                }
                None => {
                    visits.insert(dependency, Visit::InProgress);
                    path.push((dependency, 0));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::SavedPlan;
    use crate::model::{BucketSpec, DetectorSpec, Kind, Observed, ResourceId, Spec};
    use crate::plan::{Action, Change, Plan};

    fn detector() -> Spec {
        Spec::Detector(DetectorSpec {
            status: "ENABLED".to_owned(),
            finding_publishing_frequency: "SIX_HOURS".to_owned(),
            features: Default::default(),
        })
    }

    fn create(id: &ResourceId, spec: Spec, depends_on: &[&ResourceId]) -> Change {
        Change {
            id: id.clone(),
            action: Action::Create,
            spec,
            before: None,
            live_id: None,
            fields: Vec::new(),
            depends_on: depends_on.iter().map(|id| (*id).clone()).collect(),
        }
    }

    fn saved(changes: Vec<Change>) -> SavedPlan {
        let plan = Plan {
            account_id: "123456789012".to_owned(),
            home_region: "eu-west-1".to_owned(),
            regions: vec!["eu-west-1".to_owned()],
            changes,
            unchanged: Vec::new(),
            gaps: Vec::new(),
            notes: Vec::new(),
        };
        SavedPlan::new(plan, "", "/baseline.toml", &Observed::default())
    }

    #[test]
    fn a_plan_in_order_is_consistent() {
        let first = ResourceId::singleton(Kind::GuarddutyDetector, "eu-west-1");
        let second = ResourceId::singleton(Kind::GuarddutyDetector, "us-east-1");
        let plan = saved(vec![
            create(&first, detector(), &[]),
            create(&second, detector(), &[&first]),
        ]);
        assert_eq!(plan.inconsistencies(), Vec::<String>::new());
    }

    #[test]
    fn a_circle_of_dependencies_is_named() {
        let a = ResourceId::singleton(Kind::GuarddutyDetector, "eu-west-1");
        let b = ResourceId::singleton(Kind::GuarddutyDetector, "us-east-1");
        let c = ResourceId::singleton(Kind::GuarddutyDetector, "us-west-2");
        let plan = saved(vec![
            create(&a, detector(), &[&b]),
            create(&b, detector(), &[&c]),
            create(&c, detector(), &[&a]),
        ]);
        assert_eq!(
            plan.inconsistencies(),
            [
                "its changes depend on each other in a circle: guardduty_detector/eu-west-1 → guardduty_detector/us-east-1 → guardduty_detector/us-west-2 → guardduty_detector/eu-west-1"
            ]
        );
    }

    /// A chain far longer than any plan, which a recursive walk would overflow the stack on.
    #[test]
    fn a_long_chain_is_walked_without_recursion() {
        let ids: Vec<ResourceId> = (0..100_000)
            .map(|i| ResourceId::new(Kind::ConfigRule, "eu-west-1", &format!("rule-{i:06}")))
            .collect();
        let rule = || {
            Spec::Rule(crate::model::RuleSpec {
                source_identifier: "RESTRICTED_INCOMING_TRAFFIC".to_owned(),
                input_parameters: Default::default(),
            })
        };
        let mut changes: Vec<Change> = ids
            .windows(2)
            .map(|pair| create(&pair[0], rule(), &[&pair[1]]))
            .collect();
        changes.push(create(&ids[ids.len() - 1], rule(), &[&ids[0]]));
        let found = saved(changes).inconsistencies();
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with("its changes depend on each other in a circle: config_rule/eu-west-1/rule-000000 → config_rule/eu-west-1/rule-000001 → "), "{}", &found[0][..200]);
    }

    #[test]
    fn settings_of_another_kind_and_a_change_made_twice_are_named() {
        let detector_id = ResourceId::singleton(Kind::GuarddutyDetector, "eu-west-1");
        let bucket = Spec::Bucket(BucketSpec {
            block_public_access: true,
            encryption: None,
            versioning: None,
            object_ownership: None,
            expire_after_days: None,
            policy: None,
        });
        let mut update = create(&detector_id, detector(), &[]);
        update.action = Action::Update;
        update.before = Some(bucket.clone());
        let plan = saved(vec![create(&detector_id, bucket, &[]), update]);
        assert_eq!(
            plan.inconsistencies(),
            [
                "guardduty_detector/eu-west-1 carries the settings of a log_bucket, not of a guardduty_detector",
                "guardduty_detector/eu-west-1 is changed twice",
                "guardduty_detector/eu-west-1 carries the live settings of a log_bucket, not of a guardduty_detector",
            ]
        );
    }
}
