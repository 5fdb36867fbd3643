//! GuardDuty finding alerts: in every region in scope, an EventBridge rule on the findings of
//! at least the baseline's severity, sending a readable message to that region's alert topic
//! (a rule can only send to a topic of its own region, and GuardDuty publishes each finding in
//! the region where it was found).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Context, Desired};
use crate::baseline::FindingAlerts;
use crate::model::{
    ALERT_TARGET_ID, EventRuleSpec, Kind, ResourceId, Spec, TargetSpec, partition, topic_arn,
};

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

/// Where a person reads the finding in the console of the rule's region and partition.
fn console_link(region: &str) -> String {
    let host = match partition(region) {
        "aws-cn" => "console.amazonaws.cn",
        "aws-us-gov" => "console.amazonaws-us-gov.com",
        _ => "console.aws.amazon.com",
    };
    format!("https://{host}/guardduty/home?region={region}#/findings?macros=current&fId=<id>")
}

/// The message: one paragraph a person can act on, with the link to the finding.
fn finding_target(topic: String, region: &str) -> TargetSpec {
    TargetSpec {
        arn: topic,
        input_paths: BTreeMap::from(
            [
                ("account", "$.account"),
                ("description", "$.detail.description"),
                ("id", "$.detail.id"),
                ("severity", "$.detail.severity"),
                ("title", "$.detail.title"),
                ("type", "$.detail.type"),
            ]
            .map(|(name, path)| (name.to_owned(), path.to_owned())),
        ),
        input_template: Some(format!(
            "\"GuardDuty finding <type> (severity <severity>) in account <account>, region {region}. <title> <description> Details: {}\"",
            console_link(region)
        )),
    }
}

pub fn resources(
    context: &Context<'_>,
    alerts: &FindingAlerts,
    topic_name: &str,
    desired: &mut Vec<Desired>,
) {
    for region in &context.observed.regions {
        let topic_id = ResourceId::new(Kind::AlertTopic, region, topic_name);
        desired.push(Desired {
            id: ResourceId::new(Kind::FindingRule, region, &alerts.rule_name),
            spec: Spec::EventRule(EventRuleSpec {
                description: format!(
                    "GuardDuty findings of severity {} or more, sent to the security alert topic by watchpost",
                    alerts.min_severity
                ),
                event_pattern: finding_pattern(alerts.min_severity),
                state: "ENABLED".to_owned(),
                targets: BTreeMap::from([(
                    ALERT_TARGET_ID.to_owned(),
                    finding_target(topic_arn(region, context.account, topic_name), region),
                )]),
            }),
            depends_on: vec![topic_id],
        });
    }
}
