//! Tamper alerts end to end: the real binary and the real AWS SDK against a moto server.
//!
//! After `apply`, each service watched has its rule where AWS delivers its calls' events (IAM's
//! in us-east-1, forwarding to the home region), and a second plan is empty. moto delivers no
//! events to SNS, so what a person would read is seen as in tests/finding_alerts.rs: each rule's
//! pattern and input transformer, as read back from the account, are replayed on a bus of the
//! test's own (`support::replay`) with sample CloudTrail events, a call on watchpost's resource
//! and the same call on someone else's.

use serde_json::{Value, json};
use support::json::statements;
use support::replay::{Replay, replayed_messages_json};
use support::{ACCOUNT, Moto, Watchpost};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const HOME: &str = "eu-west-1";
/// Where AWS records IAM's calls, outside the scope.
const GLOBAL_EVENTS: &str = "us-east-1";
const TOPIC: &str = "watchpost-security-alerts";
const BUCKET: &str = "watchpost-logs-123456789012-eu-west-1";

const BASELINE: &str = r#"
[scope]
regions = ["eu-west-1"]
home_region = "eu-west-1"

[guardduty]
[config.rules]
restricted-ssh = {}
[cloudtrail]
[kms]
[alerts]
emails = ["security@example.com"]
[signin_notification]
[alarms.filters]
root-account-use = {}
[vpc_flow_logs]
[security_hub]
[tamper_alerts]
"#;

const SERVICES: [&str; 12] = [
    "cloudtrail",
    "cloudwatch",
    "config",
    "ec2",
    "events",
    "guardduty",
    "iam",
    "kms",
    "logs",
    "s3",
    "securityhub",
    "sns",
];

async fn events(moto: &Moto, region: &str) -> aws_sdk_eventbridge::Client {
    aws_sdk_eventbridge::Client::new(&moto.sdk_config(region).await)
}

/// The tamper rules of `region`, by name.
async fn tamper_rules(moto: &Moto, region: &str) -> Vec<String> {
    let listed = events(moto, region)
        .await
        .list_rules()
        .name_prefix("watchpost-tamper-")
        .send()
        .await
        .unwrap();
    let mut names: Vec<String> = listed
        .rules()
        .iter()
        .filter_map(|rule| rule.name().map(str::to_owned))
        .collect();
    names.sort();
    names
}

async fn targets(moto: &Moto, region: &str, rule: &str) -> Vec<aws_sdk_eventbridge::types::Target> {
    events(moto, region)
        .await
        .list_targets_by_rule()
        .rule(rule)
        .send()
        .await
        .unwrap()
        .targets()
        .to_vec()
}

async fn one_target(moto: &Moto, region: &str, rule: &str) -> aws_sdk_eventbridge::types::Target {
    let targets = targets(moto, region, rule).await;
    let [target] = &targets[..] else {
        panic!("one target of {rule} in {region}: {targets:?}")
    };
    target.clone()
}

#[tokio::test]
async fn each_service_has_its_rule_where_aws_delivers_its_calls() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, BASELINE);

    let expected: Vec<String> = SERVICES
        .iter()
        .map(|service| format!("watchpost-tamper-{service}"))
        .collect();
    assert_eq!(tamper_rules(&moto, HOME).await, expected);
    assert_eq!(
        tamper_rules(&moto, GLOBAL_EVENTS).await,
        ["watchpost-tamper-iam"],
        "IAM's calls are recorded in us-east-1 only, whatever the scope"
    );

    let topic = format!("arn:aws:sns:{HOME}:{ACCOUNT}:{TOPIC}");
    for service in SERVICES {
        let target = one_target(&moto, HOME, &format!("watchpost-tamper-{service}")).await;
        assert_eq!(
            target.arn(),
            topic,
            "{service}: the home rule raises the message"
        );
    }
    let forward = one_target(&moto, GLOBAL_EVENTS, "watchpost-tamper-iam").await;
    assert_eq!(
        forward.arn(),
        format!("arn:aws:events:{HOME}:{ACCOUNT}:event-bus/default")
    );
    assert_eq!(
        forward.role_arn(),
        Some(format!("arn:aws:iam::{ACCOUNT}:role/watchpost-alert-forwarding").as_str())
    );

    moto.plan_exitcode(baseline.path_str()).assert_code(0);
}

/// A CloudTrail event of `call` to `service`, told apart by its user agent `case`.
fn call(service: &str, call: &str, case: &str, parameters: Value) -> (String, Value) {
    let detail = json!({
        "eventVersion": "1.09",
        "eventSource": format!("{service}.amazonaws.com"),
        "eventName": call,
        "awsRegion": HOME,
        "sourceIPAddress": "203.0.113.9",
        "userAgent": case,
        "userIdentity": {
            "type": "IAMUser",
            "arn": format!("arn:aws:iam::{ACCOUNT}:user/mallory"),
            "accountId": ACCOUNT
        },
        "requestParameters": parameters
    });
    let source = match service {
        "monitoring" => "aws.cloudwatch".to_owned(),
        other => format!("aws.{other}"),
    };
    (source, detail)
}

#[tokio::test]
async fn a_call_on_watchposts_resource_alerts_and_the_same_call_elsewhere_does_not() {
    let (moto, _baseline) = Moto::start_applied(WATCHPOST, BASELINE);
    let topic = format!("arn:aws:sns:{HOME}:{ACCOUNT}:{TOPIC}");
    let trail_arn = format!("arn:aws:cloudtrail:{HOME}:{ACCOUNT}:trail/watchpost");
    // (rule, event, whether it alerts)
    let cases: Vec<(&str, (String, Value), bool)> = vec![
        (
            "cloudtrail",
            call(
                "cloudtrail",
                "StopLogging",
                "trail-by-name",
                json!({"name": "watchpost"}),
            ),
            true,
        ),
        (
            "cloudtrail",
            call(
                "cloudtrail",
                "DeleteTrail",
                "trail-by-arn",
                json!({"name": trail_arn}),
            ),
            true,
        ),
        (
            "cloudtrail",
            call(
                "cloudtrail",
                "PutEventSelectors",
                "trail-selectors",
                json!({"trailName": "watchpost"}),
            ),
            true,
        ),
        (
            "cloudtrail",
            call(
                "cloudtrail",
                "StopLogging",
                "their-trail",
                json!({"name": "their-trail"}),
            ),
            false,
        ),
        (
            "cloudtrail",
            call(
                "cloudtrail",
                "CreateTrail",
                "routine-call",
                json!({"name": "watchpost"}),
            ),
            false,
        ),
        (
            "ec2",
            call(
                "ec2",
                "DeleteFlowLogs",
                "flow-log",
                json!({"DeleteFlowLogsRequest": {"FlowLogId": {"tag": 1, "content": "fl-0123456789abcdef0"}}}),
            ),
            true,
        ),
        (
            "securityhub",
            call(
                "securityhub",
                "DisableSecurityHub",
                "hub-disabled",
                json!({}),
            ),
            true,
        ),
        (
            "securityhub",
            call(
                "securityhub",
                "BatchEnableStandards",
                "routine-securityhub-call",
                json!({"standardsSubscriptionRequests": [{"standardsArn": "arn:aws:securityhub:eu-west-1::standards/pci-dss/v/3.2.1"}]}),
            ),
            false,
        ),
        (
            "ec2",
            call(
                "ec2",
                "CreateFlowLogs",
                "routine-ec2-call",
                json!({"CreateFlowLogsRequest": {"ResourceId": {"tag": 1, "content": "vpc-0123"}}}),
            ),
            false,
        ),
        (
            "guardduty",
            call(
                "guardduty",
                "DeleteDetector",
                "detector",
                json!({"detectorId": "12abc34d567e8fa901bc2d34e56789f0"}),
            ),
            true,
        ),
        (
            "config",
            call(
                "config",
                "StopConfigurationRecorder",
                "recorder",
                json!({"configurationRecorderName": "watchpost"}),
            ),
            true,
        ),
        (
            "config",
            call(
                "config",
                "DeleteConfigRule",
                "config-rule",
                json!({"configRuleName": "restricted-ssh"}),
            ),
            true,
        ),
        (
            "config",
            call(
                "config",
                "DeleteConfigRule",
                "their-config-rule",
                json!({"configRuleName": "their-rule"}),
            ),
            false,
        ),
        (
            "cloudwatch",
            call(
                "monitoring",
                "DisableAlarmActions",
                "alarm",
                json!({"alarmNames": ["root-account-use"]}),
            ),
            true,
        ),
        (
            "cloudwatch",
            call(
                "monitoring",
                "DeleteAlarms",
                "their-alarm",
                json!({"alarmNames": ["their-alarm"]}),
            ),
            false,
        ),
        (
            "logs",
            call(
                "logs",
                "DeleteLogGroup",
                "log-group",
                json!({"logGroupName": "watchpost-cloudtrail"}),
            ),
            true,
        ),
        (
            "logs",
            call(
                "logs",
                "PutRetentionPolicy",
                "their-log-group",
                json!({"logGroupName": "/aws/lambda/theirs", "retentionInDays": 1}),
            ),
            false,
        ),
        (
            "events",
            call(
                "events",
                "DisableRule",
                "signin-rule",
                json!({"name": "watchpost-console-signin"}),
            ),
            true,
        ),
        (
            "events",
            call(
                "events",
                "RemoveTargets",
                "tamper-rule-targets",
                json!({"rule": "watchpost-tamper-events", "ids": ["watchpost-alert-topic"]}),
            ),
            true,
        ),
        (
            "events",
            call(
                "events",
                "DeleteRule",
                "their-event-rule",
                json!({"name": "their-rule"}),
            ),
            false,
        ),
        (
            "sns",
            call(
                "sns",
                "SetTopicAttributes",
                "topic",
                json!({"topicArn": topic, "attributeName": "Policy"}),
            ),
            true,
        ),
        (
            "sns",
            call(
                "sns",
                "Unsubscribe",
                "subscription",
                json!({"subscriptionArn": format!("{topic}:6f1e8a2b-0c4d-4e5f-8a9b-0c1d2e3f4a5b")}),
            ),
            true,
        ),
        (
            "sns",
            call(
                "sns",
                "Unsubscribe",
                "their-subscription",
                json!({"subscriptionArn": format!("{topic}-theirs:6f1e8a2b-0c4d-4e5f-8a9b-0c1d2e3f4a5b")}),
            ),
            false,
        ),
        (
            "kms",
            call(
                "kms",
                "ScheduleKeyDeletion",
                "key",
                json!({"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "pendingWindowInDays": 7}),
            ),
            true,
        ),
        (
            "s3",
            call(
                "s3",
                "PutBucketPolicy",
                "bucket-policy",
                json!({"bucketName": BUCKET}),
            ),
            true,
        ),
        (
            "s3",
            call(
                "s3",
                "DeleteBucketPolicy",
                "their-bucket",
                json!({"bucketName": "their-bucket"}),
            ),
            false,
        ),
        (
            "iam",
            call(
                "iam",
                "DeleteRolePolicy",
                "role-policy",
                json!({"roleName": "watchpost-config", "policyName": "deliver-to-bucket"}),
            ),
            true,
        ),
        (
            "iam",
            call(
                "iam",
                "DeleteRole",
                "their-role",
                json!({"roleName": "their-role"}),
            ),
            false,
        ),
    ];

    for service in SERVICES {
        let name = format!("watchpost-tamper-{service}");
        let rule = events(&moto, HOME)
            .await
            .describe_rule()
            .name(&name)
            .send()
            .await
            .unwrap();
        let target = one_target(&moto, HOME, &name).await;
        let replay = Replay::set_up(
            &moto,
            HOME,
            rule.event_pattern().unwrap(),
            target.input_transformer().unwrap(),
        )
        .await;
        for (_, (source, detail), _) in cases.iter().filter(|(rule, ..)| *rule == service) {
            replay
                .put(source, "AWS API Call via CloudTrail", detail)
                .await;
        }
    }

    // Each message is the template's JSON object, as the email's body.
    let messages: Vec<Value> = replayed_messages_json(&moto);
    for (service, (_, detail), alerts) in &cases {
        let case = detail["userAgent"].as_str().unwrap();
        let sent: Vec<&Value> = messages
            .iter()
            .filter(|message| {
                message["alert"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("with {case}."))
            })
            .collect();
        assert_eq!(
            sent.len(),
            usize::from(*alerts),
            "{service} {case}: {messages:#?}"
        );
        if let [message] = &sent[..] {
            assert_eq!(message["request_parameters"], detail["requestParameters"]);
        }
    }
    let stopped = messages
        .iter()
        .find(|message| {
            message["alert"]
                .as_str()
                .unwrap()
                .contains("with trail-by-name.")
        })
        .unwrap();
    let alert = stopped["alert"].as_str().unwrap();
    let (before, rest) = alert.split_once(" at ").unwrap();
    let (_time, after) = rest.split_once(", by ").unwrap();
    assert_eq!(
        format!("{before} at TIME, by {after}"),
        "watchpost tamper alert: StopLogging (cloudtrail.amazonaws.com) in account 123456789012, region eu-west-1, at TIME, by arn:aws:iam::123456789012:user/mallory from 203.0.113.9 with trail-by-name. The call undoes part of the security monitoring watchpost keeps; request_parameters names what it changed. To repair: watchpost apply --only cloudtrail"
    );
}

const REPAIR: &str = r#"
[tamper_alerts.repair]
cluster = "watchpost"
task_definition = "watchpost-apply"
subnets = ["subnet-0123456789abcdef0"]
security_groups = ["sg-0123456789abcdef0"]
"#;

/// With `[tamper_alerts.repair]`, each home rule also starts the scheduled repairer's Fargate
/// task through a role of its own, and the repairer's own calls (its task role's sessions)
/// raise neither an alert nor another repair.
#[tokio::test]
async fn a_repair_starts_the_repairers_task_except_on_the_repairers_own_calls() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, &format!("{BASELINE}{REPAIR}"));
    moto.plan_exitcode(baseline.path_str()).assert_code(0);

    let cluster = format!("arn:aws:ecs:{HOME}:{ACCOUNT}:cluster/watchpost");
    let invoker = format!("arn:aws:iam::{ACCOUNT}:role/watchpost-tamper-repair");
    for service in SERVICES {
        let rule = format!("watchpost-tamper-{service}");
        let targets = targets(&moto, HOME, &rule).await;
        let repair = targets
            .iter()
            .find(|target| target.id() == "watchpost-repair")
            .unwrap_or_else(|| panic!("{rule}: no repair target in {targets:?}"));
        assert_eq!(repair.arn(), cluster, "{rule}");
        assert_eq!(repair.role_arn(), Some(invoker.as_str()), "{rule}");
        let task = repair.ecs_parameters().unwrap();
        assert_eq!(
            task.task_definition_arn(),
            format!("arn:aws:ecs:{HOME}:{ACCOUNT}:task-definition/watchpost-apply")
        );
        assert_eq!(task.task_count(), Some(1));
        assert_eq!(
            task.launch_type(),
            Some(&aws_sdk_eventbridge::types::LaunchType::Fargate)
        );
        let network = task
            .network_configuration()
            .and_then(|n| n.awsvpc_configuration())
            .unwrap();
        assert_eq!(network.subnets(), ["subnet-0123456789abcdef0"]);
        assert_eq!(network.security_groups(), ["sg-0123456789abcdef0"]);
        assert_eq!(
            network.assign_public_ip(),
            Some(&aws_sdk_eventbridge::types::AssignPublicIp::Disabled)
        );
    }
    // us-east-1's rule forwards IAM's calls to the home rule, which starts the task.
    let forward = one_target(&moto, GLOBAL_EVENTS, "watchpost-tamper-iam").await;
    assert_eq!(forward.id(), "watchpost-home-bus");

    let role = moto.role("watchpost-tamper-repair").await;
    let trust = role.trust_policy_json();
    let [trusted] = statements(&trust)[..] else {
        panic!("one statement: {trust:#}")
    };
    assert_eq!(trusted["Principal"]["Service"], "events.amazonaws.com");
    assert_eq!(
        trusted["Condition"]["StringEquals"]["aws:SourceAccount"],
        ACCOUNT
    );
    let policy = role.inline_policy_json("run-repair-task");
    assert_eq!(
        policy["Statement"],
        json!([
            {
                "Effect": "Allow",
                "Action": "ecs:RunTask",
                "Resource": [
                    format!("arn:aws:ecs:{HOME}:{ACCOUNT}:task-definition/watchpost-apply"),
                    format!("arn:aws:ecs:{HOME}:{ACCOUNT}:task-definition/watchpost-apply:*")
                ],
                "Condition": {"ArnEquals": {"ecs:cluster": cluster}}
            },
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": [
                    format!("arn:aws:iam::{ACCOUNT}:role/watchpost-repairer"),
                    format!("arn:aws:iam::{ACCOUNT}:role/watchpost-task-execution")
                ],
                "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
            }
        ])
    );

    // The loop guard, replayed: the same call on the trail by someone, by the repairer's task
    // (a session of its task role), by another session of another role, and by AWS itself.
    let rule = events(&moto, HOME)
        .await
        .describe_rule()
        .name("watchpost-tamper-cloudtrail")
        .send()
        .await
        .unwrap();
    let alert = targets(&moto, HOME, "watchpost-tamper-cloudtrail")
        .await
        .into_iter()
        .find(|target| target.id() == "watchpost-alert-topic")
        .unwrap();
    let replay = Replay::set_up(
        &moto,
        HOME,
        rule.event_pattern().unwrap(),
        alert.input_transformer().unwrap(),
    )
    .await;
    let by = |case: &str, identity: Value| {
        let (source, mut detail) = call(
            "cloudtrail",
            "StopLogging",
            case,
            json!({"name": "watchpost"}),
        );
        detail["userIdentity"] = identity;
        (source, detail)
    };
    let cases = [
        (
            by(
                "by-someone",
                json!({"type": "IAMUser", "arn": format!("arn:aws:iam::{ACCOUNT}:user/mallory")}),
            ),
            true,
        ),
        (
            by(
                "by-the-repairer",
                json!({"type": "AssumedRole", "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/watchpost-repairer/0f1e2d3c4b5a")}),
            ),
            false,
        ),
        (
            by(
                "by-another-role",
                json!({"type": "AssumedRole", "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/watchpost-repairer-2/0f1e2d3c4b5a")}),
            ),
            true,
        ),
        (
            by(
                "by-aws",
                json!({"type": "AWSService", "invokedBy": "cloudformation.amazonaws.com"}),
            ),
            true,
        ),
    ];
    for ((source, detail), _) in &cases {
        replay
            .put(source, "AWS API Call via CloudTrail", detail)
            .await;
    }
    let messages = replayed_messages_json(&moto);
    for ((_, detail), alerts) in &cases {
        let case = detail["userAgent"].as_str().unwrap();
        let sent: Vec<&str> = messages
            .iter()
            .filter_map(|message| message["alert"].as_str())
            .filter(|alert| alert.contains(&format!("with {case}.")))
            .collect();
        assert_eq!(sent.len(), usize::from(*alerts), "{case}: {messages:#?}");
        if let [alert] = &sent[..] {
            assert!(
                alert.ends_with(
                    "watchpost's repairer has been started to run watchpost apply --only cloudtrail"
                ),
                "{alert}"
            );
        }
    }
}
