//! Tamper alerts: in every region in scope, an EventBridge rule per service on the CloudTrail
//! events of the calls that undo watchpost's work (model::Watched), narrowed to watchpost's own
//! resources where the call names them, so that routine changes elsewhere page no one. Each
//! rule raises one readable message through the alert route: home region rules to the topic,
//! the others to the home region's bus, where the rule of the same name raises it.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::alerts::{alert_target, events_trust};
use super::{Context, Desired};
use crate::baseline::{Alerts, Baseline, TamperAlerts, TamperRepair};
use crate::model::policy::canonical;
use crate::model::{
    EcsTaskSpec, EventRuleSpec, GLOBAL, Kind, REPAIR_TARGET_ID, ResourceId, RoleSpec, Spec,
    TargetSpec, Watched, topic_arn,
};

/// The events of a group's calls, whichever resource they name.
pub(super) fn calls_pattern(group: Watched) -> Value {
    let (source, event_source) = group.sources();
    json!({
        "source": [source],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": [event_source],
            "eventName": group.calls(),
        }
    })
}

/// The events of a group's calls on watchpost's resources. A call names its resource in a
/// request parameter, which differs between the calls of one service: each set of calls is an
/// `$or` branch on its own parameter. A resource named by name or by ARN is matched both ways.
/// GuardDuty and Config keep one detector, recorder and channel per region, so any call on
/// them is on watchpost's; a KMS key's id is made by AWS when the key is, so the key's calls
/// are matched on any key of the home region (they are rare: disabling a key, scheduling its
/// deletion or replacing its policy).
fn pattern(context: &Context<'_>, group: Watched) -> Value {
    let baseline = context.baseline;
    let mut pattern = calls_pattern(group);
    let on = |calls: &[&str], parameter: &str, values: Value| json!({"eventName": calls, "requestParameters": {parameter: values}});
    let branches: Vec<Value> = match group {
        Watched::Cloudtrail => {
            let trail = &baseline.cloudtrail.as_ref().expect("watched").name;
            let names = json!([trail, context.trail_arn(trail)]);
            vec![
                on(
                    &["DeleteTrail", "StopLogging", "UpdateTrail"],
                    "name",
                    names.clone(),
                ),
                on(
                    &["PutEventSelectors", "PutInsightSelectors"],
                    "trailName",
                    names,
                ),
            ]
        }
        Watched::Config => {
            let rules: Vec<&String> = baseline
                .config
                .as_ref()
                .expect("watched")
                .rules
                .keys()
                .collect();
            vec![
                json!({"eventName": [
                    "DeleteConfigurationRecorder",
                    "DeleteDeliveryChannel",
                    "StopConfigurationRecorder"
                ]}),
                on(&["DeleteConfigRule"], "configRuleName", json!(rules)),
            ]
        }
        Watched::Cloudwatch => {
            let alarms: Vec<&String> = baseline
                .alarms
                .as_ref()
                .expect("watched")
                .filters
                .keys()
                .collect();
            vec![on(group.calls(), "alarmNames", json!(alarms))]
        }
        Watched::Logs => {
            let group_name = &baseline
                .cloudtrail
                .as_ref()
                .expect("watched")
                .log_group_name;
            vec![on(group.calls(), "logGroupName", json!([group_name]))]
        }
        Watched::Events => {
            let rules = json!(baseline.event_rule_names());
            vec![
                on(&["DeleteRule", "DisableRule"], "name", rules.clone()),
                on(&["RemoveTargets"], "rule", rules),
            ]
        }
        Watched::Sns => {
            let alerts = baseline
                .alerts
                .as_ref()
                .expect("tamper alerts need [alerts]");
            let topic = topic_arn(context.home, context.account, &alerts.topic_name);
            vec![
                on(
                    &["DeleteTopic", "SetTopicAttributes"],
                    "topicArn",
                    json!([topic]),
                ),
                on(
                    &["Unsubscribe"],
                    "subscriptionArn",
                    json!([{"prefix": format!("{topic}:")}]),
                ),
            ]
        }
        Watched::S3 => {
            let buckets: Vec<String> = std::iter::once(context.bucket.to_owned())
                .chain(baseline.access_log_bucket_name(context.account))
                .collect();
            vec![on(group.calls(), "bucketName", json!(buckets))]
        }
        Watched::Iam => vec![on(group.calls(), "roleName", json!(role_names(baseline)))],
        Watched::Guardduty | Watched::Kms | Watched::Ec2 | Watched::Securityhub => Vec::new(),
    };
    match branches.as_slice() {
        [] => {}
        [only] => merge(&mut pattern["detail"], only),
        _ => pattern["detail"]["$or"] = json!(branches),
    }
    if let Some(repair) = context
        .baseline
        .tamper_alerts
        .as_ref()
        .and_then(|tamper| tamper.repair.as_ref())
    {
        pattern["detail"]["userIdentity"] = loop_guard(context, repair);
    }
    pattern
}

/// The calls of anyone but the repairer's task, whose session is of its task role: its repair
/// must not start it again. A call with no caller ARN (made by an AWS service itself) still
/// matches.
fn loop_guard(context: &Context<'_>, repair: &TamperRepair) -> Value {
    let repairer = format!(
        "arn:{}:sts::{}:assumed-role/{}/",
        context.partition, context.account, repair.task_role_name
    );
    json!({"$or": [
        {"arn": [{"anything-but": {"prefix": repairer}}]},
        {"arn": [{"exists": false}]}
    ]})
}

fn merge(into: &mut Value, from: &Value) {
    for (key, value) in from.as_object().expect("a pattern branch is an object") {
        into[key] = value.clone();
    }
}

/// Every IAM role of watchpost's the baseline names.
fn role_names(baseline: &Baseline) -> Vec<String> {
    let mut names: Vec<String> = baseline
        .config
        .iter()
        .map(|config| config.role_name.clone())
        .chain(
            baseline
                .cloudtrail
                .iter()
                .map(|cloudtrail| cloudtrail.role_name.clone()),
        )
        .chain(
            baseline
                .alerts
                .iter()
                .map(|alerts| alerts.forward_role_name.clone()),
        )
        .chain(
            baseline
                .tamper_alerts
                .iter()
                .filter_map(|tamper| tamper.repair.as_ref())
                .map(|repair| repair.role_name.clone()),
        )
        .chain(
            baseline
                .support_role
                .iter()
                .map(|support| support.name.clone()),
        )
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The command that puts back what a group's calls undo: `--only` the baseline sections that
/// own its resources (an IAM role serves several, so the whole baseline is applied).
fn repair_command(group: Watched) -> &'static str {
    match group {
        Watched::Cloudtrail => "watchpost apply --only cloudtrail",
        Watched::Guardduty => "watchpost apply --only guardduty",
        Watched::Config => "watchpost apply --only config",
        Watched::Cloudwatch => "watchpost apply --only alarms",
        Watched::Logs => "watchpost apply --only cloudtrail --only alarms",
        Watched::Events => {
            "watchpost apply --only signin_notification --only guardduty --only tamper_alerts --only alerts"
        }
        Watched::Sns => "watchpost apply --only alerts",
        Watched::Kms => "watchpost apply --only kms",
        Watched::S3 => "watchpost apply --only log_bucket",
        Watched::Iam => "watchpost apply",
        Watched::Ec2 => "watchpost apply --only vpc_flow_logs",
        Watched::Securityhub => "watchpost apply --only security_hub",
    }
}

/// What was done, by whom, where, and the command that repairs it; then the call's request
/// parameters as CloudTrail recorded them, which name the resource whichever parameter the call
/// names it by. The template is a JSON object, so the parameters go in as JSON whatever their
/// shape, where a string template would need each value to be a string.
pub(super) fn message(topic: String, group: Watched, repairing: bool) -> TargetSpec {
    let repair = if repairing {
        format!(
            "watchpost's repairer has been started to run {}",
            repair_command(group)
        )
    } else {
        format!("To repair: {}", repair_command(group))
    };
    TargetSpec {
        arn: topic,
        input_paths: BTreeMap::from(
            [
                ("account", "$.account"),
                ("agent", "$.detail.userAgent"),
                ("arn", "$.detail.userIdentity.arn"),
                ("call", "$.detail.eventName"),
                ("ip", "$.detail.sourceIPAddress"),
                ("parameters", "$.detail.requestParameters"),
                ("region", "$.region"),
                ("service", "$.detail.eventSource"),
                ("time", "$.time"),
            ]
            .map(|(name, path)| (name.to_owned(), path.to_owned())),
        ),
        input_template: Some(format!(
            "{{\"alert\": \"watchpost tamper alert: <call> (<service>) in account <account>, region <region>, at <time>, by <arn> from <ip> with <agent>. The call undoes part of the security monitoring watchpost keeps; request_parameters names what it changed. {repair}\", \"request_parameters\": <parameters>}}"
        )),
        role_arn: None,
        ecs_task: None,
    }
}

pub(super) fn resources(
    context: &Context<'_>,
    alerts: &Alerts,
    tamper: &TamperAlerts,
    desired: &mut Vec<Desired>,
) {
    let repair = tamper.repair.as_ref();
    for group in context.baseline.watched() {
        for region in context.placed(Kind::TamperRule) {
            if !group.belongs_in(&region, context.home, &context.observed.regions) {
                continue;
            }
            let (target_id, target, needs) = alert_target(context, &region, || {
                message(
                    topic_arn(context.home, context.account, &alerts.topic_name),
                    group,
                    repair.is_some(),
                )
            });
            let mut targets = BTreeMap::from([(target_id, target)]);
            let mut depends_on = vec![needs];
            // The home rule sees the calls of every region, its own and those forwarded to it.
            if let Some(repair) = repair
                && region == context.home
            {
                targets.insert(REPAIR_TARGET_ID.to_owned(), repair_target(context, repair));
                depends_on.push(ResourceId::new(Kind::IamRole, GLOBAL, &repair.role_name));
            }
            desired.push(Desired {
                id: ResourceId::new(Kind::TamperRule, &region, &group.rule_name(&tamper.rule_prefix)),
                spec: Spec::EventRule(EventRuleSpec {
                    description: format!(
                        "Calls that undo watchpost's {} monitoring, sent to the security alert topic by watchpost",
                        group.suffix()
                    ),
                    event_pattern: pattern(context, group),
                    state: "ENABLED".to_owned(),
                    targets,
                    event_bus_name: None,
                }),
                depends_on,
            });
        }
    }
    if let Some(repair) = repair {
        desired.push(repair_role(context, repair));
    }
}

fn ecs_arn(context: &Context<'_>, resource: &str) -> String {
    format!(
        "arn:{}:ecs:{}:{}:{resource}",
        context.partition, context.home, context.account
    )
}

fn cluster_arn(context: &Context<'_>, repair: &TamperRepair) -> String {
    ecs_arn(context, &format!("cluster/{}", repair.cluster))
}

/// The repairer's task, one at a time per tamper: its lease makes a second one wait its turn.
fn repair_target(context: &Context<'_>, repair: &TamperRepair) -> TargetSpec {
    TargetSpec {
        arn: cluster_arn(context, repair),
        input_paths: BTreeMap::new(),
        input_template: None,
        role_arn: Some(context.role_arn(&repair.role_name)),
        ecs_task: Some(EcsTaskSpec {
            task_definition_arn: ecs_arn(
                context,
                &format!("task-definition/{}", repair.task_definition),
            ),
            subnets: repair.subnets.clone(),
            security_groups: repair.security_groups.clone(),
            assign_public_ip: repair.assign_public_ip,
        }),
    }
}

/// The role EventBridge starts the task with: it may run that task definition in that cluster
/// and pass it its two roles, and only EventBridge of this account may assume it.
fn repair_role(context: &Context<'_>, repair: &TamperRepair) -> Desired {
    // A family without a revision runs its latest active one, whichever that is.
    let pinned = ecs_arn(
        context,
        &format!("task-definition/{}", repair.task_definition),
    );
    let task_definition = match repair.task_definition.contains(':') {
        true => json!(pinned),
        false => json!([pinned, format!("{pinned}:*")]),
    };
    Desired {
        id: ResourceId::new(Kind::IamRole, GLOBAL, &repair.role_name),
        spec: Spec::Role(RoleSpec {
            trust_policy: events_trust(context),
            managed_policy_arns: Default::default(),
            inline_policies: BTreeMap::from([(
                "run-repair-task".to_owned(),
                canonical(&json!({
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "ecs:RunTask",
                            "Resource": task_definition,
                            "Condition": {"ArnEquals": {
                                "ecs:cluster": cluster_arn(context, repair)
                            }}
                        },
                        {
                            "Effect": "Allow",
                            "Action": "iam:PassRole",
                            "Resource": [
                                context.role_arn(&repair.task_role_name),
                                context.role_arn(&repair.execution_role_name)
                            ],
                            "Condition": {"StringEquals": {
                                "iam:PassedToService": "ecs-tasks.amazonaws.com"
                            }}
                        }
                    ]
                })),
            )]),
        }),
        depends_on: Vec::new(),
    }
}
