//! Where alerts go and what raises them: one alert topic, in the home region, with an email
//! subscription per address; the console sign-in rules (GuardDuty's finding rules are in
//! `findings`), which forward from every other region to the home region's default event bus;
//! and the metric filters and alarms on the trail's log group. With a central bus, every rule
//! of a covered account forwards to that bus instead, and the topic is the security
//! account's alone (`central`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Context, Desired, central};
use crate::baseline::{Alerts, CentralBus, SigninEvents};
use crate::model::policy::{self, canonical};
use crate::model::{
    ALERT_TARGET_ID, AlarmSpec, CENTRAL_TARGET_ID, DRILL_DETAIL_TYPE, DRILL_RULE_NAME,
    DRILL_SOURCE, EventRuleSpec, FORWARD_TARGET_ID, GLOBAL, Kind, MetricFilterSpec, ResourceId,
    RoleSpec, Spec, SubscriptionSpec, TargetSpec, TopicSpec, default_bus_arn,
};

/// How an alert rule of `region` delivers: in the home region, the readable message to the
/// alert topic; elsewhere, the event as it is to the home region's default event bus, where the
/// home rule of the same name (matching the same events) raises the message. Each address then
/// confirms one subscription, and the message is written in one place. With a central bus,
/// every region forwards the event as it is to that bus, whose rule raises the message: a bus
/// does not pass on what another bus sent it, so the central bus is reached in one step.
pub(super) fn alert_target(
    context: &Context<'_>,
    region: &str,
    message: impl FnOnce() -> TargetSpec,
) -> (String, TargetSpec, ResourceId) {
    let alerts = context
        .baseline
        .alerts
        .as_ref()
        .expect("alert rules are planned only with [alerts]");
    if let Some(bus) = &alerts.central_bus {
        central_target(context, alerts, bus)
    } else if region == context.home {
        let topic = ResourceId::new(Kind::AlertTopic, context.home, &alerts.topic_name);
        (ALERT_TARGET_ID.to_owned(), message(), topic)
    } else {
        let target = TargetSpec {
            arn: default_bus_arn(context.home, context.account),
            input_paths: BTreeMap::new(),
            input_template: None,
            role_arn: Some(context.role_arn(&alerts.forward_role_name)),
            ecs_task: None,
        };
        let role = ResourceId::new(Kind::IamRole, GLOBAL, &alerts.forward_role_name);
        (FORWARD_TARGET_ID.to_owned(), target, role)
    }
}

/// The target that forwards a rule's events as they are to the central bus, through the forward
/// role.
pub(super) fn central_target(
    context: &Context<'_>,
    alerts: &Alerts,
    bus: &CentralBus,
) -> (String, TargetSpec, ResourceId) {
    let target = TargetSpec {
        arn: bus.arn.clone(),
        input_paths: BTreeMap::new(),
        input_template: None,
        role_arn: Some(context.role_arn(&alerts.forward_role_name)),
        ecs_task: None,
    };
    let role = ResourceId::new(Kind::IamRole, GLOBAL, &alerts.forward_role_name);
    (CENTRAL_TARGET_ID.to_owned(), target, role)
}

/// The trust policy of a role EventBridge assumes: EventBridge acting for this account only.
pub(super) fn events_trust(context: &Context<'_>) -> Value {
    canonical(&json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": context.account}}
        }]
    }))
}

/// The role EventBridge assumes to forward alert events to the home region's default bus, or
/// to the central bus: it may only put events on that one bus, and only EventBridge of this
/// account may assume it.
fn forward_role(context: &Context<'_>, alerts: &Alerts) -> Desired {
    let (policy_name, bus) = match &alerts.central_bus {
        Some(central) => ("forward-alerts-to-central-bus", central.arn.clone()),
        None => (
            "forward-alerts-to-home-bus",
            default_bus_arn(context.home, context.account),
        ),
    };
    Desired {
        id: ResourceId::new(Kind::IamRole, GLOBAL, &alerts.forward_role_name),
        spec: Spec::Role(RoleSpec {
            trust_policy: events_trust(context),
            managed_policy_arns: Default::default(),
            inline_policies: BTreeMap::from([(
                policy_name.to_owned(),
                canonical(&json!({
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Action": "events:PutEvents",
                        "Resource": bus
                    }]
                })),
            )]),
        }),
        depends_on: Vec::new(),
    }
}

/// Only EventBridge and CloudWatch of this account may publish; the account manages the topic;
/// statements someone else added are kept.
fn topic_policy(context: &Context<'_>, id: &ResourceId, arn: &str) -> Value {
    let this_account = json!({"StringEquals": {"aws:SourceAccount": context.account}});
    let mut statements = vec![
        json!({
            "Sid": "AccountManagesTopic",
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:{}:iam::{}:root", context.partition, context.account)},
            "Action": [
                "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic"
            ],
            "Resource": arn
        }),
        json!({
            "Sid": "EventBridgePublishes",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": arn,
            "Condition": this_account.clone()
        }),
        json!({
            "Sid": "CloudWatchPublishes",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": arn,
            "Condition": this_account
        }),
    ];
    if let Some(Spec::Topic(live)) = context.live(id) {
        // AWS's own default statement lets anyone in the account publish; ours replaces it.
        let foreign = policy::foreign_statements(&live.policy, &statements);
        statements.extend(
            foreign
                .into_iter()
                .filter(|statement| statement["Sid"] != "__default_statement_ID"),
        );
    }
    canonical(&json!({"Version": "2012-10-17", "Statement": statements}))
}

/// The test events `watchpost drill` puts on the home region's default bus.
pub(super) fn drill_pattern() -> Value {
    json!({"source": [DRILL_SOURCE], "detail-type": [DRILL_DETAIL_TYPE]})
}

/// A drill's message says it is one, and which account and run sent it.
pub(super) fn drill_message(topic_arn: String) -> TargetSpec {
    TargetSpec {
        arn: topic_arn,
        input_paths: BTreeMap::from(
            [
                ("account", "$.account"),
                ("drill", "$.detail.drill"),
                ("time", "$.time"),
            ]
            .map(|(name, path)| (name.to_owned(), path.to_owned())),
        ),
        input_template: Some(
            "\"watchpost drill <drill> in account <account> at <time>: a test of the alert route through EventBridge. Nothing happened; no action is needed.\""
                .to_owned(),
        ),
        role_arn: None,
        ecs_task: None,
    }
}

/// The rule that carries a drill's test event along the alert route, in the home region.
fn drill_rule(context: &Context<'_>, alerts: &Alerts) -> Desired {
    let (target_id, target, needs) = alert_target(context, context.home, || {
        drill_message(crate::model::topic_arn(
            context.home,
            context.account,
            &alerts.topic_name,
        ))
    });
    Desired {
        id: ResourceId::new(Kind::DrillRule, context.home, DRILL_RULE_NAME),
        spec: Spec::EventRule(EventRuleSpec {
            description:
                "The test events of watchpost drill, sent to the security alert topic by watchpost"
                    .to_owned(),
            event_pattern: drill_pattern(),
            state: "ENABLED".to_owned(),
            targets: BTreeMap::from([(target_id, target)]),
            event_bus_name: None,
        }),
        depends_on: vec![needs],
    }
}

/// Only `ConsoleLogin` itself: the sign-in source also records other steps (MFA, password
/// changes) that would send several mails for one sign-in.
pub(super) fn signin_pattern(events: SigninEvents) -> Value {
    let mut pattern = json!({
        "source": ["aws.signin"],
        "detail-type": ["AWS Console Sign In via CloudTrail"],
        "detail": {"eventName": ["ConsoleLogin"]}
    });
    match events {
        SigninEvents::All => {}
        SigninEvents::Failures => {
            pattern["detail"]["responseElements"] = json!({"ConsoleLogin": ["Failure"]});
        }
        SigninEvents::Root => pattern["detail"]["userIdentity"] = json!({"type": ["Root"]}),
    }
    pattern
}

/// Who signed in, or tried: a failed IAM-user sign-in carries no `userIdentity.arn`, so the
/// message also names the user name and principal id the event carries, and the region that
/// recorded it (the region in the message, since forwarded events keep their own).
pub(super) fn signin_message(topic_arn: String) -> TargetSpec {
    TargetSpec {
        arn: topic_arn,
        input_paths: BTreeMap::from(
            [
                ("account", "$.account"),
                ("arn", "$.detail.userIdentity.arn"),
                ("ip", "$.detail.sourceIPAddress"),
                ("mfa", "$.detail.additionalEventData.MFAUsed"),
                ("principal", "$.detail.userIdentity.principalId"),
                ("region", "$.region"),
                ("result", "$.detail.responseElements.ConsoleLogin"),
                ("time", "$.time"),
                ("type", "$.detail.userIdentity.type"),
                ("user_name", "$.detail.userIdentity.userName"),
            ]
            .map(|(name, path)| (name.to_owned(), path.to_owned())),
        ),
        input_template: Some(
            "\"AWS console sign-in (<result>) to account <account>, recorded in <region>: <type> <arn> (user name <user_name>, principal <principal>) from <ip> at <time>, MFA used: <mfa>.\""
                .to_owned(),
        ),
        role_arn: None,
        ecs_task: None,
    }
}

pub fn resources(context: &Context<'_>, desired: &mut Vec<Desired>) {
    let Some(alerts) = &context.baseline.alerts else {
        return;
    };
    match &alerts.central_bus {
        None => {
            topic(context, alerts, desired);
            member_route(context, alerts, desired);
        }
        Some(bus) => {
            // The fleet the baseline declares decides who forwards; the security account
            // converges the bus and the email whether or not it forwards its own alerts.
            let covered = context
                .baseline
                .accounts
                .as_ref()
                .is_none_or(|accounts| accounts.covers(context.account));
            if covered {
                member_route(context, alerts, desired);
            }
            if context.account == bus.account {
                topic(context, alerts, desired);
                central::resources(context, alerts, bus, desired);
            }
        }
    }
}

/// The rules that raise this account's alerts, the alarms, and the role that forwards: to the
/// home region's topic, or with a central bus, to that bus.
fn member_route(context: &Context<'_>, alerts: &Alerts, desired: &mut Vec<Desired>) {
    let regions = &context.observed.regions;
    let finding_alerts = context
        .baseline
        .guardduty
        .as_ref()
        .and_then(|guardduty| guardduty.finding_alerts.as_ref());
    let alarms = context
        .baseline
        .alarms
        .as_ref()
        .zip(context.baseline.cloudtrail.as_ref());
    let hub_finding_alerts = context
        .baseline
        .security_hub
        .as_ref()
        .and_then(|hub| hub.finding_alerts.as_ref().map(|alerts| (hub, alerts)));
    let rule_regions: Vec<String> = context
        .baseline
        .signin_notification
        .as_ref()
        .map(|_| Kind::SigninRule.regions(context.home, regions))
        .into_iter()
        .chain(finding_alerts.map(|_| regions.clone()))
        .chain(hub_finding_alerts.map(|(hub, _)| super::hub_findings::rule_regions(context, hub)))
        .flatten()
        .collect();
    let tamper = context.baseline.tamper_alerts.as_ref();
    let tamper_regions = tamper.map(|_| Kind::TamperRule.regions(context.home, regions));
    let rule_regions: Vec<String> = rule_regions
        .into_iter()
        .chain(tamper_regions.into_iter().flatten())
        .collect();
    let forwards = match alerts.central_bus {
        // Every rule forwards, the alarm rule of the home region among them.
        Some(_) => !rule_regions.is_empty() || alarms.is_some(),
        None => rule_regions.iter().any(|region| region != context.home),
    };
    if forwards {
        desired.push(forward_role(context, alerts));
    }
    if let Some(findings) = finding_alerts {
        super::findings::resources(context, findings, &alerts.topic_name, desired);
    }
    if let Some((hub, findings)) = hub_finding_alerts {
        super::hub_findings::resources(context, hub, findings, &alerts.topic_name, desired);
    }
    if let Some(tamper) = tamper {
        super::tamper::resources(context, alerts, tamper, desired);
    }
    desired.push(drill_rule(context, alerts));
    if let Some(signin) = &context.baseline.signin_notification {
        for region in Kind::SigninRule.regions(context.home, regions) {
            let (target_id, target, needs) = alert_target(context, &region, || {
                signin_message(crate::model::topic_arn(
                    context.home,
                    context.account,
                    &alerts.topic_name,
                ))
            });
            desired.push(Desired {
                id: ResourceId::new(Kind::SigninRule, &region, &signin.rule_name),
                spec: Spec::EventRule(EventRuleSpec {
                    description:
                        "AWS console sign-ins, sent to the security alert topic by watchpost"
                            .to_owned(),
                    event_pattern: signin_pattern(signin.events),
                    state: "ENABLED".to_owned(),
                    targets: BTreeMap::from([(target_id, target)]),
                    event_bus_name: None,
                }),
                depends_on: vec![needs],
            });
        }
    }
    if let Some((alarms, cloudtrail)) = alarms {
        let log_group_id =
            ResourceId::new(Kind::LogGroup, context.home, &cloudtrail.log_group_name);
        let topic_id = ResourceId::new(Kind::AlertTopic, context.home, &alerts.topic_name);
        for (name, filter) in &alarms.filters {
            let filter_id = ResourceId::new(Kind::MetricFilter, context.home, name);
            desired.push(Desired {
                id: filter_id.clone(),
                spec: Spec::MetricFilter(MetricFilterSpec {
                    log_group_name: cloudtrail.log_group_name.clone(),
                    pattern: filter.pattern.clone(),
                    metric_namespace: alarms.metric_namespace.clone(),
                    metric_name: name.clone(),
                }),
                depends_on: vec![log_group_id.clone()],
            });
            // With a central bus the account has no topic: the alarm's change of state is an
            // event on the default bus, which the alarm rule forwards.
            let (alarm_actions, depends_on) = match alerts.central_bus {
                Some(_) => (Vec::new(), vec![filter_id]),
                None => (
                    vec![crate::model::topic_arn(
                        context.home,
                        context.account,
                        &alerts.topic_name,
                    )],
                    vec![filter_id, topic_id.clone()],
                ),
            };
            desired.push(Desired {
                id: ResourceId::new(Kind::MetricAlarm, context.home, name),
                spec: Spec::Alarm(AlarmSpec {
                    description: filter.description.clone(),
                    metric_namespace: alarms.metric_namespace.clone(),
                    metric_name: name.clone(),
                    statistic: "Sum".to_owned(),
                    period_seconds: filter.period_seconds,
                    evaluation_periods: filter.evaluation_periods,
                    threshold: filter.threshold,
                    comparison_operator: "GreaterThanOrEqualToThreshold".to_owned(),
                    // No matching events means nothing happened, not that the alarm is blind.
                    treat_missing_data: "notBreaching".to_owned(),
                    alarm_actions,
                }),
                depends_on,
            });
        }
        if let Some(bus) = &alerts.central_bus {
            desired.push(central::alarm_rule(context, alerts, bus, alarms));
        }
    }
}

/// The one alert topic, in the home region: every alert reaches it there, so each address
/// confirms one subscription. With a central bus, the security account's topic is the fleet's
/// one.
fn topic(context: &Context<'_>, alerts: &Alerts, desired: &mut Vec<Desired>) {
    let region = context.home;
    let topic_id = ResourceId::new(Kind::AlertTopic, region, &alerts.topic_name);
    let arn = crate::model::topic_arn(region, context.account, &alerts.topic_name);
    desired.push(Desired {
        id: topic_id.clone(),
        spec: Spec::Topic(TopicSpec {
            policy: topic_policy(context, &topic_id, &arn),
        }),
        depends_on: Vec::new(),
    });
    for email in &alerts.emails {
        desired.push(Desired {
            id: ResourceId::new(Kind::AlertSubscription, region, email),
            spec: Spec::Subscription(SubscriptionSpec {
                topic_name: alerts.topic_name.clone(),
                pending_confirmation: false,
            }),
            depends_on: vec![topic_id.clone()],
        });
    }
}
