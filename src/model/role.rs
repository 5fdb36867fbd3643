use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{FieldChange, FieldDiff};

/// An IAM role a service assumes. Only the managed and inline policies the baseline names are
/// compared: a policy someone else attached is theirs, and watchpost never detaches it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoleSpec {
    pub trust_policy: Value,
    pub managed_policy_arns: BTreeSet<String>,
    pub inline_policies: BTreeMap<String, Value>,
}

impl RoleSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("trust_policy", &self.trust_policy, &live.trust_policy);
        for arn in &self.managed_policy_arns {
            diff.entry(
                &format!("managed_policy_arns[{arn}]"),
                &true,
                Some(&live.managed_policy_arns.contains(arn)),
            );
        }
        for (name, document) in &self.inline_policies {
            diff.entry(
                &format!("inline_policies.{name}"),
                document,
                live.inline_policies.get(name),
            );
        }
        diff.finish()
    }
}
