//! Where alerts go and what raises them: the alert topic and its email subscriptions, the
//! console sign-in rule, and the metric filters and alarms on the trail's log group.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Context, Desired};
use crate::baseline::{Alerts, Baseline, SigninEvents};
use crate::model::policy::{self, canonical};
use crate::model::{
    ALERT_TARGET_ID, AlarmSpec, EventRuleSpec, Kind, MetricFilterSpec, ResourceId, Spec,
    SubscriptionSpec, TargetSpec, TopicSpec,
};

/// AWS records console sign-in events in us-east-1 only, whatever region the user signs in
/// to, so the rule that matches them, and the topic it targets, can only live there.
pub const SIGNIN_REGION: &str = "us-east-1";

fn topic_arn(context: &Context<'_>, region: &str, topic: &str) -> String {
    crate::model::topic_arn(region, context.account, topic)
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

/// Only `ConsoleLogin` itself: the sign-in source also records other steps (MFA, password
/// changes) that would send several mails for one sign-in.
fn signin_pattern(events: SigninEvents) -> Value {
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

/// The regions that hold an alert topic: the home region, for the alarms; us-east-1 for the
/// sign-in rule; and with GuardDuty finding alerts, every region in scope (`regions`), for the
/// finding rule there: a rule can only target a topic of its own region.
pub fn alert_topic_regions(baseline: &Baseline, regions: &[String]) -> Vec<String> {
    let home = baseline.scope.home_region.as_str();
    let mut topics = vec![home.to_owned()];
    let mut add = |region: &str| {
        if !topics.iter().any(|known| known == region) {
            topics.push(region.to_owned());
        }
    };
    if baseline.signin_notification.is_some() {
        add(SIGNIN_REGION);
    }
    let finding_alerts = baseline
        .guardduty
        .as_ref()
        .is_some_and(|guardduty| guardduty.finding_alerts.is_some());
    if finding_alerts {
        regions.iter().for_each(|region| add(region));
    }
    topics
}

pub fn resources(context: &Context<'_>, desired: &mut Vec<Desired>) {
    let Some(alerts) = &context.baseline.alerts else {
        return;
    };
    for region in alert_topic_regions(context.baseline, &context.observed.regions) {
        topic(context, alerts, &region, desired);
    }
    if let Some(findings) = context
        .baseline
        .guardduty
        .as_ref()
        .and_then(|guardduty| guardduty.finding_alerts.as_ref())
    {
        super::findings::resources(context, findings, &alerts.topic_name, desired);
    }
    if let Some(signin) = &context.baseline.signin_notification {
        let topic_id = ResourceId::new(Kind::AlertTopic, SIGNIN_REGION, &alerts.topic_name);
        desired.push(Desired {
            id: ResourceId::new(Kind::SigninRule, SIGNIN_REGION, &signin.rule_name),
            spec: Spec::EventRule(EventRuleSpec {
                description: "AWS console sign-ins, sent to the security alert topic by watchpost"
                    .to_owned(),
                event_pattern: signin_pattern(signin.events),
                state: "ENABLED".to_owned(),
                targets: BTreeMap::from([(
                    ALERT_TARGET_ID.to_owned(),
                    TargetSpec {
                        arn: topic_arn(context, SIGNIN_REGION, &alerts.topic_name),
                        input_paths: BTreeMap::from(
                            [
                                ("account", "$.account"),
                                ("ip", "$.detail.sourceIPAddress"),
                                ("result", "$.detail.responseElements.ConsoleLogin"),
                                ("time", "$.time"),
                                ("user", "$.detail.userIdentity.arn"),
                            ]
                            .map(|(name, path)| (name.to_owned(), path.to_owned())),
                        ),
                        input_template: Some(
                            "\"AWS console sign-in (<result>) to account <account> by <user> from <ip> at <time>.\""
                                .to_owned(),
                        ),
                    },
                )]),
            }),
            depends_on: vec![topic_id],
        });
    }
    if let (Some(alarms), Some(cloudtrail)) =
        (&context.baseline.alarms, &context.baseline.cloudtrail)
    {
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
                    alarm_actions: vec![topic_arn(context, context.home, &alerts.topic_name)],
                }),
                depends_on: vec![filter_id, topic_id.clone()],
            });
        }
    }
}

fn topic(context: &Context<'_>, alerts: &Alerts, region: &str, desired: &mut Vec<Desired>) {
    let topic_id = ResourceId::new(Kind::AlertTopic, region, &alerts.topic_name);
    let arn = topic_arn(context, region, &alerts.topic_name);
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
