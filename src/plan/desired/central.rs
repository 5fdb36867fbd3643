//! The central bus of `[alerts] central_bus`, in the security account: the bus, the statements
//! of its policy that admit the fleet's accounts, and on it one rule per kind of alert that
//! raises the email through the security account's alert topic. Each covered account's rules
//! forward their events there unchanged (`alerts::alert_target`), so each address confirms one
//! subscription for the whole fleet, and each message names the account the event came from.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::alerts::{central_target, drill_message, drill_pattern, signin_message, signin_pattern};
use super::findings::{finding_message, finding_pattern};
use super::hub_findings::{hub_finding_message, hub_finding_pattern};
use super::{Context, Desired};
use crate::baseline::{AccountSelection, Alarms, Alerts, Baseline, CentralBus};
use crate::model::{
    ALARM_RULE_NAME, ALERT_TARGET_ID, BusPermissionSpec, DRILL_RULE_NAME, EventBusSpec,
    EventRuleSpec, Kind, Observed, ResourceId, Spec, TargetSpec, bus_statement_for_account,
    bus_statement_for_organization, topic_arn,
};

/// An alarm going into ALARM, as CloudWatch publishes it to the default bus of the alarm's
/// region; only the baseline's alarms, by name.
fn alarm_pattern(alarms: &Alarms) -> Value {
    json!({
        "source": ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        "detail": {
            "alarmName": alarms.filters.keys().collect::<Vec<_>>(),
            "state": {"value": ["ALARM"]}
        }
    })
}

/// Which alarm, in which account, and why CloudWatch says it is in ALARM.
fn alarm_message(topic_arn: String) -> TargetSpec {
    TargetSpec {
        arn: topic_arn,
        input_paths: BTreeMap::from(
            [
                ("account", "$.account"),
                ("alarm", "$.detail.alarmName"),
                ("reason", "$.detail.state.reason"),
                ("region", "$.region"),
                ("time", "$.time"),
            ]
            .map(|(name, path)| (name.to_owned(), path.to_owned())),
        ),
        input_template: Some(
            "\"CloudWatch alarm <alarm> is in ALARM in account <account>, region <region>, at <time>: <reason>\""
                .to_owned(),
        ),
        role_arn: None,
        ecs_task: None,
    }
}

/// The rule of a covered account that forwards the state changes of its alarms to the central
/// bus: with a central bus the alarms have no topic of the account to notify.
pub(super) fn alarm_rule(
    context: &Context<'_>,
    alerts: &Alerts,
    bus: &CentralBus,
    alarms: &Alarms,
) -> Desired {
    let (target_id, target, needs) = central_target(context, alerts, bus);
    Desired {
        id: ResourceId::new(Kind::AlarmRule, context.home, ALARM_RULE_NAME),
        spec: Spec::EventRule(EventRuleSpec {
            description: "The baseline's CloudWatch alarms going into ALARM, forwarded to the central alert bus by watchpost".to_owned(),
            event_pattern: alarm_pattern(alarms),
            state: "ENABLED".to_owned(),
            targets: BTreeMap::from([(target_id, target)]),
            event_bus_name: None,
        }),
        depends_on: vec![needs],
    }
}

/// Whether `account` is the security account of a central bus that the fleet does not cover:
/// its plan holds the bus and the email, and nothing else of the baseline.
pub(super) fn holds_only_the_bus(baseline: &Baseline, account: &str) -> bool {
    let central = baseline
        .alerts
        .as_ref()
        .and_then(|alerts| alerts.central_bus.as_ref());
    central.is_some_and(|bus| bus.account == account)
        && baseline
            .accounts
            .as_ref()
            .is_some_and(|accounts| !accounts.covers(account))
}

/// What a reviewer of one account's plan should know of the central route: where this
/// account's alerts go and why it has no topic of its own, or that the fleet's emails are
/// raised here.
pub fn route_notes(baseline: &Baseline, observed: &Observed) -> Vec<String> {
    let Some(bus) = baseline
        .alerts
        .as_ref()
        .and_then(|alerts| alerts.central_bus.as_ref())
    else {
        return Vec::new();
    };
    let account = observed.account_id.as_str();
    let covered = baseline
        .accounts
        .as_ref()
        .is_none_or(|accounts| accounts.covers(account));
    let note = match (account == bus.account, covered) {
        (false, true) => format!(
            "alerts of this account are forwarded to the central bus {}: the emails are raised in the security account {}, so this account has no alert topic or subscriptions of its own",
            bus.arn, bus.account
        ),
        (true, true) => format!(
            "this is the security account of the central bus {}: the alerts of every account of the fleet, this one's too, are raised here, and each address confirms one subscription for all of them",
            bus.arn
        ),
        (true, false) => format!(
            "this is the security account of the central bus {}: the alerts of every account of the fleet are raised here; [accounts] does not cover this account, so its own alerts are not forwarded",
            bus.arn
        ),
        (false, false) => return Vec::new(),
    };
    vec![note]
}

pub(super) fn resources(
    context: &Context<'_>,
    alerts: &Alerts,
    bus: &CentralBus,
    desired: &mut Vec<Desired>,
) {
    let bus_id = ResourceId::new(Kind::AlertBus, context.home, &bus.name);
    desired.push(Desired {
        id: bus_id.clone(),
        spec: Spec::EventBus(EventBusSpec {}),
        depends_on: Vec::new(),
    });
    for (statement_id, spec) in admitted(context, bus) {
        desired.push(Desired {
            id: ResourceId::new(Kind::AlertBusPermission, context.home, &statement_id),
            spec: Spec::BusPermission(spec),
            depends_on: vec![bus_id.clone()],
        });
    }
    let topic = topic_arn(context.home, context.account, &alerts.topic_name);
    let topic_id = ResourceId::new(Kind::AlertTopic, context.home, &alerts.topic_name);
    let mut rule = |name: &str, description: String, pattern: Value, message: TargetSpec| {
        desired.push(Desired {
            id: ResourceId::new(Kind::AlertBusRule, context.home, name),
            spec: Spec::EventRule(EventRuleSpec {
                description,
                event_pattern: pattern,
                state: "ENABLED".to_owned(),
                targets: BTreeMap::from([(ALERT_TARGET_ID.to_owned(), message)]),
                event_bus_name: Some(bus.name.clone()),
            }),
            depends_on: vec![bus_id.clone(), topic_id.clone()],
        });
    };
    if let Some(signin) = &context.baseline.signin_notification {
        rule(
            &signin.rule_name,
            "AWS console sign-ins in the fleet's accounts, sent to the security alert topic by watchpost".to_owned(),
            signin_pattern(signin.events),
            signin_message(topic.clone()),
        );
    }
    if let Some(findings) = context
        .baseline
        .guardduty
        .as_ref()
        .and_then(|guardduty| guardduty.finding_alerts.as_ref())
    {
        rule(
            &findings.rule_name,
            format!(
                "GuardDuty findings of severity {} or more in the fleet's accounts, sent to the security alert topic by watchpost",
                findings.min_severity
            ),
            finding_pattern(findings.min_severity),
            finding_message(topic.clone(), context.home),
        );
    }
    if let Some(hub) = &context.baseline.security_hub
        && let Some(findings) = &hub.finding_alerts
    {
        let guardduty_alerts_too = context
            .baseline
            .guardduty
            .as_ref()
            .is_some_and(|guardduty| guardduty.finding_alerts.is_some());
        rule(
            &findings.rule_name,
            format!(
                "Security Hub findings of severity {} or more in the fleet's accounts, sent to the security alert topic by watchpost",
                findings.min_severity
            ),
            hub_finding_pattern(findings, guardduty_alerts_too),
            hub_finding_message(topic.clone(), context.home),
        );
    }
    rule(
        DRILL_RULE_NAME,
        "The test events of watchpost drill in the fleet's accounts, sent to the security alert topic by watchpost".to_owned(),
        drill_pattern(),
        drill_message(topic.clone()),
    );
    if let Some(tamper) = &context.baseline.tamper_alerts {
        // The fleet's rules forward only the calls on watchpost's resources.
        for group in context.baseline.watched() {
            rule(
                &group.rule_name(&tamper.rule_prefix),
                format!(
                    "Calls that undo watchpost's {} monitoring in the fleet's accounts, sent to the security alert topic by watchpost",
                    group.suffix()
                ),
                super::tamper::calls_pattern(group),
                super::tamper::message(topic.clone(), group, false),
            );
        }
    }
    if let (Some(alarms), Some(_)) = (&context.baseline.alarms, &context.baseline.cloudtrail) {
        rule(
            ALARM_RULE_NAME,
            "The baseline's CloudWatch alarms in the fleet's accounts going into ALARM, sent to the security alert topic by watchpost".to_owned(),
            alarm_pattern(alarms),
            alarm_message(topic),
        );
    }
}

/// The statements that admit the fleet's accounts to the bus, by statement id: one per listed
/// account (the security account's own rules need none, IAM alone lets them in), or, for an
/// organization, one for every account of the security account's organization. Without the
/// organization's id (its read failed, which the plan shows as a gap) none is planned.
fn admitted(context: &Context<'_>, bus: &CentralBus) -> Vec<(String, BusPermissionSpec)> {
    let Some(accounts) = &context.baseline.accounts else {
        return Vec::new();
    };
    match &accounts.selection {
        AccountSelection::Listed(ids) => ids
            .iter()
            .filter(|id| **id != bus.account && accounts.covers(id))
            .map(|id| {
                let spec = BusPermissionSpec {
                    event_bus_name: bus.name.clone(),
                    principal: id.clone(),
                    organization_id: None,
                };
                (bus_statement_for_account(id), spec)
            })
            .collect(),
        AccountSelection::Organization => context
            .observed
            .organization_id
            .iter()
            .map(|organization| {
                let spec = BusPermissionSpec {
                    event_bus_name: bus.name.clone(),
                    principal: "*".to_owned(),
                    organization_id: Some(organization.clone()),
                };
                (bus_statement_for_organization(), spec)
            })
            .collect(),
    }
}
