use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::policy::canonical;
use super::{FieldChange, FieldDiff};

/// The SNS topic security alerts go to. Its policy lets only EventBridge and CloudWatch of
/// this account publish.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopicSpec {
    pub policy: Value,
}

impl TopicSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("policy", &self.policy, &live.policy);
        diff.finish()
    }
}

/// An email subscription to the alert topic; addressed by the email. AWS sends the recipient a
/// confirmation link, and until it is followed nothing is delivered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionSpec {
    pub topic_name: String,
    /// Observed only: whether the recipient has yet to confirm. Never compared, since watchpost
    /// cannot confirm for them; the plan says so instead.
    #[serde(skip)]
    pub pending_confirmation: bool,
}

impl SubscriptionSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("topic_name", &self.topic_name, &live.topic_name);
        diff.finish()
    }
}

/// Where an EventBridge rule sends matching events, and the readable message it sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetSpec {
    pub arn: String,
    pub input_paths: BTreeMap<String, String>,
    pub input_template: Option<String>,
}

/// The EventBridge rule matching console sign-in events. Targets are keyed by their id; only
/// the ones the baseline declares are compared, so a target someone else added stays.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventRuleSpec {
    pub description: String,
    pub event_pattern: Value,
    pub state: String,
    pub targets: BTreeMap<String, TargetSpec>,
}

impl EventRuleSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        // Sent as written (EventBridge wants lists), compared as values.
        diff.field(
            "event_pattern",
            &canonical(&self.event_pattern),
            &canonical(&live.event_pattern),
        );
        diff.field("state", &self.state, &live.state);
        diff.field("description", &self.description, &live.description);
        for (id, target) in &self.targets {
            diff.entry(&format!("targets.{id}"), target, live.targets.get(id));
        }
        diff.finish()
    }
}

/// The id of the sign-in rule's target that watchpost manages; other targets are not its own.
pub const ALERT_TARGET_ID: &str = "watchpost-alert-topic";

/// A topic's ARN follows from its name, so it is known before the topic exists.
pub fn topic_arn(region: &str, account: &str, topic: &str) -> String {
    format!(
        "arn:{}:sns:{region}:{account}:{topic}",
        super::partition(region)
    )
}
