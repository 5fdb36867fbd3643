//! GuardDuty finding alerts: in every region in scope, an EventBridge rule on the findings of
//! at least the baseline's severity (GuardDuty publishes each finding in the region where it
//! was found). The home region's rule sends a readable message to the alert topic; the others
//! forward the findings to the home region's default bus, where that rule matches them too.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::alerts::alert_target;
use super::{Context, Desired};
use crate::baseline::FindingAlerts;
use crate::model::{EventRuleSpec, Kind, ResourceId, Spec, TargetSpec, partition, topic_arn};

/// A severity as EventBridge is given it: a whole number without a fraction, so that `7` in the
/// baseline is `7` in the rule, and reads back as written.
fn severity_number(severity: f64) -> Value {
    if severity.fract() == 0.0 {
        json!(severity as i64)
    } else {
        json!(severity)
    }
}

/// Findings GuardDuty publishes to EventBridge (new ones, and updates of existing ones at the
/// detector's publishing frequency) whose severity is at least `min_severity`.
pub fn finding_pattern(min_severity: f64) -> Value {
    json!({
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", severity_number(min_severity)]}]}
    })
}

/// The host of the AWS console of `home`'s partition, for the links in alert messages.
pub(super) fn console_host(home: &str) -> &'static str {
    match partition(home) {
        "aws-cn" => "console.amazonaws.cn",
        "aws-us-gov" => "console.amazonaws-us-gov.com",
        _ => "console.aws.amazon.com",
    }
}

/// Where a person reads the finding: the console of the partition, in the region the finding
/// was made in (the event's own, since findings of every region reach the home rule).
fn console_link(home: &str) -> String {
    format!(
        "https://{}/guardduty/home?region=<region>#/findings?macros=current&fId=<id>",
        console_host(home)
    )
}

/// The message: one paragraph a person can act on, with the link to the finding.
pub(super) fn finding_message(topic: String, home: &str) -> TargetSpec {
    TargetSpec {
        arn: topic,
        input_paths: BTreeMap::from(
            [
                ("account", "$.account"),
                ("description", "$.detail.description"),
                ("id", "$.detail.id"),
                ("region", "$.region"),
                ("severity", "$.detail.severity"),
                ("title", "$.detail.title"),
                ("type", "$.detail.type"),
            ]
            .map(|(name, path)| (name.to_owned(), path.to_owned())),
        ),
        input_template: Some(format!(
            "\"GuardDuty finding <type> (severity <severity>) in account <account>, region <region>. <title> <description> Details: {}\"",
            console_link(home)
        )),
        role_arn: None,
        ecs_task: None,
    }
}

pub fn resources(
    context: &Context<'_>,
    alerts: &FindingAlerts,
    topic_name: &str,
    desired: &mut Vec<Desired>,
) {
    for region in &context.placed(Kind::FindingRule) {
        let (target_id, target, needs) = alert_target(context, region, || {
            finding_message(
                topic_arn(context.home, context.account, topic_name),
                context.home,
            )
        });
        desired.push(Desired {
            id: ResourceId::new(Kind::FindingRule, region, &alerts.rule_name),
            spec: Spec::EventRule(EventRuleSpec {
                description: format!(
                    "GuardDuty findings of severity {} or more, sent to the security alert topic by watchpost",
                    alerts.min_severity
                ),
                event_pattern: finding_pattern(alerts.min_severity),
                state: "ENABLED".to_owned(),
                targets: BTreeMap::from([(target_id, target)]),
                event_bus_name: None,
            }),
            depends_on: vec![needs],
        });
    }
}
