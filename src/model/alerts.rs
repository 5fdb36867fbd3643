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
    /// The role EventBridge assumes to deliver: needed for an event bus of another region, and
    /// to start an ECS task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// The task started when the target is an ECS cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecs_task: Option<EcsTaskSpec>,
}

/// One Fargate task of a task definition, as an EventBridge target starts it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EcsTaskSpec {
    pub task_definition_arn: String,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub assign_public_ip: bool,
}

/// An EventBridge rule: on the default bus, a console sign-in, GuardDuty finding or alarm
/// rule; on the central bus, the rule that raises the email of the alerts a fleet forwards
/// there. Targets are keyed by their id; only watchpost's own ids are compared, so a target
/// someone else added stays.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventRuleSpec {
    pub description: String,
    pub event_pattern: Value,
    pub state: String,
    pub targets: BTreeMap<String, TargetSpec>,
    /// The bus the rule is on; `None` for the default bus. Fixed by the rule's kind, so never
    /// compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
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
        // A target of watchpost's that the route no longer has (a region's topic, before alerts
        // were forwarded to the home region) would keep sending where nothing listens.
        for (id, target) in &live.targets {
            if WATCHPOST_TARGET_IDS.contains(&id.as_str()) && !self.targets.contains_key(id) {
                diff.removed(&format!("targets.{id}"), target);
            }
        }
        diff.finish()
    }
}

/// The id of the target, in the home region, that sends the readable message to the alert topic.
pub const ALERT_TARGET_ID: &str = "watchpost-alert-topic";

/// The id of the target, in every other region, that forwards matching events to the home
/// region's default event bus, where the home rule of the same name raises the email.
pub const FORWARD_TARGET_ID: &str = "watchpost-home-bus";

/// The id of the target, in every region of a fleet's account, that forwards matching events to
/// the central bus of `[alerts] central_bus`.
pub const CENTRAL_TARGET_ID: &str = "watchpost-central-bus";

/// The id of the target, on the home region's tamper rules, that starts the repairer's task
/// (`[tamper_alerts.repair]`).
pub const REPAIR_TARGET_ID: &str = "watchpost-repair";

/// The target ids watchpost manages on its rules; other targets are not its own.
pub const WATCHPOST_TARGET_IDS: [&str; 4] = [
    ALERT_TARGET_ID,
    FORWARD_TARGET_ID,
    CENTRAL_TARGET_ID,
    REPAIR_TARGET_ID,
];

/// The name of the rule, on each covered account's home default bus and on the central bus,
/// that matches the state changes of the baseline's alarms.
pub const ALARM_RULE_NAME: &str = "watchpost-alarm-state";

/// The rule, on the home default bus (and on the central bus), that carries `watchpost drill`'s
/// test events to the alert topic: AWS refuses events put with a source starting `aws.`, so the
/// drill cannot borrow the alert rules' own patterns.
pub const DRILL_RULE_NAME: &str = "watchpost-drill";
/// The `source` and `detail-type` of a drill's test event.
pub const DRILL_SOURCE: &str = "watchpost.drill";
pub const DRILL_DETAIL_TYPE: &str = "watchpost drill";

/// The event bus, in the security account, that a fleet's alert events are forwarded to.
/// Whether it exists is all watchpost manages of it: its policy's statements are resources of
/// their own ([`BusPermissionSpec`]), so that statements someone else wrote are never touched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventBusSpec {}

impl EventBusSpec {
    pub fn changes_from(&self, _live: &Self) -> Vec<FieldChange> {
        Vec::new()
    }
}

/// What starts the statement ids watchpost writes in the central bus's policy: the statements
/// it owns, as a tag marks its other resources (a policy statement has no tags).
pub const BUS_STATEMENT_PREFIX: &str = "watchpost-alerts-";

/// One statement of the central bus's policy, addressed by its statement id: it lets one
/// account (`principal` its id), or every account of an organization (`principal` `*` and the
/// organization's id), put events on the bus, as EventBridge's PutPermission writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BusPermissionSpec {
    pub event_bus_name: String,
    pub principal: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

impl BusPermissionSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("principal", &self.principal, &live.principal);
        diff.field(
            "organization_id",
            &self.organization_id,
            &live.organization_id,
        );
        diff.finish()
    }
}

/// The statement id of the central bus's statement that admits `account`.
pub fn bus_statement_for_account(account: &str) -> String {
    format!("{BUS_STATEMENT_PREFIX}{account}")
}

/// The statement id of the central bus's statement that admits an organization.
pub fn bus_statement_for_organization() -> String {
    format!("{BUS_STATEMENT_PREFIX}organization")
}

/// The default event bus of a region, which AWS services publish their events to.
pub fn default_bus_arn(region: &str, account: &str) -> String {
    format!(
        "arn:{}:events:{region}:{account}:event-bus/default",
        super::partition(region)
    )
}

/// A topic's ARN follows from its name, so it is known before the topic exists.
pub fn topic_arn(region: &str, account: &str, topic: &str) -> String {
    format!(
        "arn:{}:sns:{region}:{account}:{topic}",
        super::partition(region)
    )
}
