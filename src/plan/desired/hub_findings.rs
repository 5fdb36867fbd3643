//! Security Hub finding alerts: an EventBridge rule on Security Hub's new, active findings of at
//! least the baseline's severity label. With the findings of the other regions aggregated into
//! the home region, Security Hub sends them all to EventBridge there, so the home region's rule
//! is the only one; without, every region in scope has one, and the others forward to the home
//! region's default bus, as the GuardDuty finding rules do.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::alerts::alert_target;
use super::findings::console_host;
use super::{Context, Desired};
use crate::baseline::{HubFindingAlerts, SecurityHub};
use crate::model::{EventRuleSpec, Kind, ResourceId, Spec, TargetSpec, topic_arn};

/// Findings Security Hub sends to EventBridge (`Security Hub Findings - Imported`, one finding
/// an event) that are new, active and of one of `labels`. With GuardDuty's own finding alerts,
/// the findings Security Hub takes in from GuardDuty are left to them, so none is sent twice.
pub fn hub_finding_pattern(alerts: &HubFindingAlerts, guardduty_alerts_too: bool) -> Value {
    let mut findings = json!({
        "Severity": {"Label": alerts.labels()},
        "Workflow": {"Status": ["NEW"]},
        "RecordState": ["ACTIVE"]
    });
    if guardduty_alerts_too {
        findings["ProductName"] = json!([{"anything-but": "GuardDuty"}]);
    }
    json!({
        "source": ["aws.securityhub"],
        "detail-type": ["Security Hub Findings - Imported"],
        "detail": {"findings": findings}
    })
}

/// The message: one paragraph a person can act on. An aggregated finding reaches the home
/// region's bus, so the region named is the finding's own (`Region`), not the event's.
pub(super) fn hub_finding_message(topic: String, home: &str) -> TargetSpec {
    let host = console_host(home);
    TargetSpec {
        arn: topic,
        input_paths: BTreeMap::from(
            [
                ("account", "$.detail.findings[0].AwsAccountId"),
                ("description", "$.detail.findings[0].Description"),
                ("id", "$.detail.findings[0].Id"),
                ("product", "$.detail.findings[0].ProductName"),
                ("region", "$.detail.findings[0].Region"),
                ("resource", "$.detail.findings[0].Resources[0].Id"),
                ("severity", "$.detail.findings[0].Severity.Label"),
                ("title", "$.detail.findings[0].Title"),
            ]
            .map(|(name, path)| (name.to_owned(), path.to_owned())),
        ),
        input_template: Some(format!(
            "\"Security Hub finding (<severity>) from <product> in account <account>, region <region>: <title>. <description> Resource: <resource>. Finding: <id>. Details: https://{host}/securityhub/home?region=<region>#/findings\""
        )),
        role_arn: None,
        ecs_task: None,
    }
}

/// The regions that hold a rule: the home region alone when the findings are aggregated there.
pub fn rule_regions(context: &Context<'_>, hub: &SecurityHub) -> Vec<String> {
    match hub.aggregate_findings {
        true => vec![context.home.to_owned()],
        false => context.placed(Kind::HubFindingRule),
    }
}

pub fn resources(
    context: &Context<'_>,
    hub: &SecurityHub,
    alerts: &HubFindingAlerts,
    topic_name: &str,
    desired: &mut Vec<Desired>,
) {
    let guardduty_alerts_too = context
        .baseline
        .guardduty
        .as_ref()
        .is_some_and(|guardduty| guardduty.finding_alerts.is_some());
    for region in rule_regions(context, hub) {
        let (target_id, target, needs) = alert_target(context, &region, || {
            hub_finding_message(
                topic_arn(context.home, context.account, topic_name),
                context.home,
            )
        });
        desired.push(Desired {
            id: ResourceId::new(Kind::HubFindingRule, &region, &alerts.rule_name),
            spec: Spec::EventRule(EventRuleSpec {
                description: format!(
                    "Security Hub findings of severity {} or more, sent to the security alert topic by watchpost",
                    alerts.min_severity
                ),
                event_pattern: hub_finding_pattern(alerts, guardduty_alerts_too),
                state: "ENABLED".to_owned(),
                targets: BTreeMap::from([(target_id, target)]),
                event_bus_name: None,
            }),
            depends_on: vec![needs],
        });
    }
}
