//! Console sign-in alerts, wherever AWS records the sign-in: the real binary and the real AWS
//! SDK against a moto server.
//!
//! AWS records a console sign-in in us-east-1 (root, and IAM users through the global
//! endpoint), in us-east-2, eu-north-1 or ap-southeast-2 (the global endpoint with an account
//! alias cookie), or in the region of the Regional endpoint used (CloudTrail User Guide, "AWS
//! Management Console sign-in events"). Each of those regions gets a rule; all but the home
//! region's forward to the home region's default bus, where the home rule writes the message.
//!
//! moto delivers no events to SNS (see tests/finding_alerts.rs), so the home rule's pattern and
//! input transformer, as read back, are replayed on a bus and log group of the test's own in
//! the region each sample was recorded in.

use aws_sdk_eventbridge::types::Target;
use serde_json::{Value, json};
use support::replay::{Replay, replayed_messages};
use support::{ACCOUNT, Moto, Watchpost, write_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const HOME: &str = "eu-west-1";
const RULE: &str = "watchpost-console-signin";
const TOPIC: &str = "watchpost-security-alerts";
const FORWARD_ROLE: &str = "watchpost-alert-forwarding";
const SIGNIN_REGIONS: [&str; 5] = [
    "ap-southeast-2",
    "eu-north-1",
    "eu-west-1",
    "us-east-1",
    "us-east-2",
];

fn baseline(events: &str) -> String {
    format!(
        r#"
[scope]
regions = ["eu-west-1", "us-east-1"]
home_region = "eu-west-1"

[alerts]
emails = ["security@example.com"]

[signin_notification]
events = "{events}"
"#
    )
}

async fn events(moto: &Moto, region: &str) -> aws_sdk_eventbridge::Client {
    aws_sdk_eventbridge::Client::new(&moto.sdk_config(region).await)
}

async fn targets(moto: &Moto, region: &str) -> Vec<Target> {
    let answer = events(moto, region)
        .await
        .list_targets_by_rule()
        .rule(RULE)
        .send()
        .await
        .unwrap_or_else(|e| panic!("the sign-in rule in {region}: {e:?}"));
    answer.targets().to_vec()
}

/// One sample of each case the CloudTrail User Guide lists, as (case, region recorded in,
/// detail). The identities follow the guide's examples.
fn samples() -> Vec<(&'static str, &'static str, Value)> {
    let user = |result: &str, with_arn: bool| {
        let mut identity = json!({
            "type": "IAMUser",
            "principalId": "AIDACKCEVSQ6C2EXAMPLE",
            "accountId": ACCOUNT,
            "accessKeyId": "",
            "userName": "Alice"
        });
        if with_arn {
            identity["arn"] = json!(format!("arn:aws:iam::{ACCOUNT}:user/Alice"));
        }
        (identity, result.to_owned())
    };
    let detail = |(identity, result): (Value, String), region: &str, mfa: &str| {
        json!({
            "eventVersion": "1.08",
            "userIdentity": identity,
            "eventSource": "signin.amazonaws.com",
            "eventName": "ConsoleLogin",
            "awsRegion": region,
            "sourceIPAddress": "192.0.2.110",
            "userAgent": "Mozilla/5.0",
            "requestParameters": null,
            "responseElements": {"ConsoleLogin": result},
            "additionalEventData": {
                "LoginTo": "https://console.aws.amazon.com/console/home",
                "MobileVersion": "No",
                "MFAUsed": mfa
            },
            "eventType": "AwsConsoleSignIn",
            "recipientAccountId": ACCOUNT
        })
    };
    let root = json!({
        "type": "Root",
        "principalId": ACCOUNT,
        "arn": format!("arn:aws:iam::{ACCOUNT}:root"),
        "accountId": ACCOUNT,
        "accessKeyId": ""
    });
    let federated = json!({
        "type": "AssumedRole",
        "principalId": "AROACKCEVSQ6C2EXAMPLE:alice@example.com",
        "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice@example.com"),
        "accountId": ACCOUNT
    });
    vec![
        (
            "root",
            "us-east-1",
            detail((root, "Success".into()), "us-east-1", "Yes"),
        ),
        (
            "global endpoint",
            "us-east-1",
            detail(user("Success", true), "us-east-1", "Yes"),
        ),
        (
            "global endpoint, alias cookie",
            "us-east-2",
            detail(user("Success", true), "us-east-2", "No"),
        ),
        (
            "Regional endpoint",
            "eu-west-1",
            detail(user("Success", true), "eu-west-1", "Yes"),
        ),
        (
            "failure",
            "eu-north-1",
            detail(user("Failure", false), "eu-north-1", "No"),
        ),
        (
            "federated",
            "ap-southeast-2",
            detail((federated, "Success".into()), "ap-southeast-2", "No"),
        ),
    ]
}

#[tokio::test]
async fn every_region_that_records_sign_ins_forwards_them_to_the_home_rule() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, &baseline("all"));
    let path = baseline.path_str();
    let plan = moto.plan_changes(path);
    for region in SIGNIN_REGIONS {
        plan.assert_stdout_has(&[format!("+ signin_rule/{region}/{RULE}")]);
    }
    moto.assert_apply_converges(path);

    let bus = format!("arn:aws:events:{HOME}:{ACCOUNT}:event-bus/default");
    let role = format!("arn:aws:iam::{ACCOUNT}:role/{FORWARD_ROLE}");
    for region in SIGNIN_REGIONS {
        let rule = events(&moto, region)
            .await
            .describe_rule()
            .name(RULE)
            .send()
            .await
            .unwrap();
        assert_eq!(
            rule.state().map(|s| s.as_str()),
            Some("ENABLED"),
            "{region}"
        );
        let targets = targets(&moto, region).await;
        let [target] = &targets[..] else {
            panic!("one target in {region}: {targets:?}")
        };
        if region == HOME {
            assert_eq!(target.id(), "watchpost-alert-topic");
            assert_eq!(
                target.arn(),
                format!("arn:aws:sns:{HOME}:{ACCOUNT}:{TOPIC}")
            );
            assert!(target.input_transformer().is_some());
        } else {
            assert_eq!(target.id(), "watchpost-home-bus", "{region}");
            assert_eq!(target.arn(), bus, "{region} forwards to the home bus");
            assert_eq!(target.role_arn(), Some(role.as_str()), "{region}");
            assert!(
                target.input_transformer().is_none(),
                "the event goes as it is"
            );
        }
    }

    // The forwarding role: EventBridge of this account only, PutEvents on the home bus only.
    let role = moto.role(FORWARD_ROLE).await;
    let trust = role.trust_policy_json();
    assert_eq!(
        statements(&trust),
        json!([{
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
        }])
    );
    let permissions = role.inline_policy_json("forward-alerts-to-home-bus");
    assert_eq!(
        statements(&permissions),
        json!([{"Effect": "Allow", "Action": "events:PutEvents", "Resource": bus}])
    );

    // One topic, in the home region: each address confirms one subscription.
    for region in ["us-east-1", "us-east-2"] {
        let sns = aws_sdk_sns::Client::new(&moto.sdk_config(region).await);
        let topics = sns.list_topics().send().await.unwrap();
        assert!(
            topics.topics().is_empty(),
            "no topic in {region}: {topics:?}"
        );
    }
}

/// A policy's statements as a list (a lone statement may be written as an object).
fn statements(policy: &Value) -> Value {
    match &policy["Statement"] {
        Value::Array(list) => Value::Array(list.clone()),
        one => json!([one]),
    }
}

/// What moto writes for a path the event lacks: the placeholder itself. AWS does not document
/// what it writes there; the message names who in the fields the event does carry either way.
const MISSING_ARN: &str = "<arn>";
const MISSING_USER_NAME: &str = "<user_name>";

/// The home rule as watchpost left it, replayed on every sample in the region it was recorded
/// in: the messages the rule would have sent.
async fn replay_samples(moto: &Moto) -> Vec<String> {
    let rule = events(moto, HOME)
        .await
        .describe_rule()
        .name(RULE)
        .send()
        .await
        .unwrap();
    let pattern = rule.event_pattern().unwrap().to_owned();
    let transformer = targets(moto, HOME).await[0]
        .input_transformer()
        .unwrap()
        .clone();
    for (_, region, detail) in samples() {
        Replay::set_up(moto, region, &pattern, &transformer)
            .await
            .put("aws.signin", "AWS Console Sign In via CloudTrail", &detail)
            .await;
    }
    replayed_messages(moto)
}

#[tokio::test]
async fn each_kind_of_sign_in_becomes_a_message_that_names_who_and_where() {
    let (moto, _baseline) = Moto::start_applied(WATCHPOST, &baseline("all"));
    let messages = replay_samples(&moto).await;

    let expected = [
        (
            "ap-southeast-2",
            "AssumedRole",
            format!("arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice@example.com"),
            "Success",
            MISSING_USER_NAME,
            "AROACKCEVSQ6C2EXAMPLE:alice@example.com",
            "No",
        ),
        (
            "eu-north-1",
            "IAMUser",
            MISSING_ARN.to_owned(),
            "Failure",
            "Alice",
            "AIDACKCEVSQ6C2EXAMPLE",
            "No",
        ),
        (
            "eu-west-1",
            "IAMUser",
            format!("arn:aws:iam::{ACCOUNT}:user/Alice"),
            "Success",
            "Alice",
            "AIDACKCEVSQ6C2EXAMPLE",
            "Yes",
        ),
        (
            "us-east-1",
            "IAMUser",
            format!("arn:aws:iam::{ACCOUNT}:user/Alice"),
            "Success",
            "Alice",
            "AIDACKCEVSQ6C2EXAMPLE",
            "Yes",
        ),
        (
            "us-east-1",
            "Root",
            format!("arn:aws:iam::{ACCOUNT}:root"),
            "Success",
            MISSING_USER_NAME,
            ACCOUNT,
            "Yes",
        ),
        (
            "us-east-2",
            "IAMUser",
            format!("arn:aws:iam::{ACCOUNT}:user/Alice"),
            "Success",
            "Alice",
            "AIDACKCEVSQ6C2EXAMPLE",
            "No",
        ),
    ];
    let mut expected: Vec<String> = expected
        .iter()
        .map(|(region, kind, arn, result, user, principal, mfa)| {
            format!(
                "AWS console sign-in ({result}) to account {ACCOUNT}, recorded in {region}: {kind} {arn} (user name {user}, principal {principal}) from 192.0.2.110 at {}, MFA used: {mfa}.",
                "TIME"
            )
        })
        .collect();
    expected.sort();
    // moto stamps the time of the put; compare all but the time.
    let without_time = |message: &String| {
        let (before, rest) = message.split_once(" at ").expect("a time");
        let (_, after) = rest.split_once(", MFA").expect("MFA after the time");
        format!("{before} at TIME, MFA{after}")
    };
    let got: Vec<String> = messages.iter().map(without_time).collect();
    assert_eq!(got.len(), 6, "every sample matched the rule: {messages:#?}");
    let mut got = got;
    got.sort();
    assert_eq!(got, expected);
    let failure = messages.iter().find(|m| m.contains("(Failure)")).unwrap();
    assert!(
        failure.contains("user name Alice") && failure.contains("AIDACKCEVSQ6C2EXAMPLE"),
        "a failed sign-in has no arn, and still names who tried: {failure}"
    );
}

/// The sign-in in each sample's message, for telling which samples a rule matched.
fn case_of(message: &str) -> &'static str {
    let recorded_in = |region: &str| message.contains(&format!("recorded in {region}:"));
    match () {
        _ if message.contains(": Root ") => "root",
        _ if message.contains("(Failure)") => "failure",
        _ if message.contains(": AssumedRole ") => "federated",
        _ if recorded_in("us-east-1") => "global endpoint",
        _ if recorded_in("us-east-2") => "global endpoint, alias cookie",
        _ if recorded_in("eu-west-1") => "Regional endpoint",
        _ => panic!("no sample sends {message}"),
    }
}

#[tokio::test]
async fn the_events_choice_selects_failures_or_root_sign_ins_of_every_kind() {
    for (choice, mut matching) in [
        (
            "all",
            vec![
                "root",
                "global endpoint",
                "global endpoint, alias cookie",
                "Regional endpoint",
                "failure",
                "federated",
            ],
        ),
        ("failures", vec!["failure"]),
        ("root", vec!["root"]),
    ] {
        let (moto, _baseline) = Moto::start_applied(WATCHPOST, &baseline(choice));
        let mut matched: Vec<&str> = replay_samples(&moto)
            .await
            .iter()
            .map(|message| case_of(message))
            .collect();
        matched.sort();
        matching.sort();
        assert_eq!(matched, matching, "events = {choice:?}");
    }
}

/// A topic of the alert topic's name in `region`, tagged as watchpost's when `managed`, with an
/// email subscription for `email`: its client and ARN.
async fn topic_with_subscription(
    moto: &Moto,
    region: &str,
    managed: bool,
    email: &str,
) -> (aws_sdk_sns::Client, String) {
    let sns = aws_sdk_sns::Client::new(&moto.sdk_config(region).await);
    let mut create = sns.create_topic().name(TOPIC);
    if managed {
        let tag = aws_sdk_sns::types::Tag::builder()
            .key("managed-by")
            .value("watchpost")
            .build()
            .unwrap();
        create = create.tags(tag);
    }
    let arn = create.send().await.unwrap().topic_arn().unwrap().to_owned();
    sns.subscribe()
        .topic_arn(&arn)
        .protocol("email")
        .endpoint(email)
        .send()
        .await
        .unwrap();
    (sns, arn)
}

/// An account set up by an earlier watchpost, which made an alert topic in each region and
/// pointed each region's sign-in rule at it: the next apply leaves one topic, in the home
/// region, removes the topics and the old targets watchpost made elsewhere, and leaves a topic
/// of the same name that someone else made, with its subscription.
#[tokio::test]
async fn per_region_topics_are_migrated() {
    let moto = Moto::start(WATCHPOST);
    let old_region = "us-east-1";
    let foreign_region = "us-east-2";
    let (old_sns, old_topic) =
        topic_with_subscription(&moto, old_region, true, "security@example.com").await;
    let (foreign_sns, foreign_topic) =
        topic_with_subscription(&moto, foreign_region, false, "ops@corp.internal").await;
    let old_events = events(&moto, old_region).await;
    old_events
        .put_rule()
        .name(RULE)
        .event_pattern(r#"{"detail-type":["AWS Console Sign In via CloudTrail"]}"#)
        .tags(
            aws_sdk_eventbridge::types::Tag::builder()
                .key("managed-by")
                .value("watchpost")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    old_events
        .put_targets()
        .rule(RULE)
        .targets(
            Target::builder()
                .id("watchpost-alert-topic")
                .arn(&old_topic)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    let baseline = write_baseline(&baseline("all"));
    let path = baseline.path_str();
    let plan = moto.plan_changes(path);
    plan.assert_stdout_has(&[format!("- alert_topic/{old_region}/{TOPIC}")]);
    moto.assert_apply_converges(path);

    let left = old_sns.list_topics().send().await.unwrap();
    assert!(
        left.topics().is_empty(),
        "watchpost's old topic in {old_region} is gone: {left:?}"
    );
    let subscriptions = old_sns.list_subscriptions().send().await.unwrap();
    assert!(
        subscriptions
            .subscriptions()
            .iter()
            .all(|s| s.topic_arn() != Some(old_topic.as_str())),
        "the old topic's subscription is gone: {subscriptions:?}"
    );
    let targets = targets(&moto, old_region).await;
    let ids: Vec<&str> = targets.iter().map(|t| t.id()).collect();
    assert_eq!(
        ids,
        ["watchpost-home-bus"],
        "{old_region} forwards home only"
    );

    let kept = foreign_sns
        .list_subscriptions_by_topic()
        .topic_arn(&foreign_topic)
        .send()
        .await
        .unwrap_or_else(|e| panic!("the topic someone else made stays: {e:?}"));
    let endpoints: Vec<&str> = kept
        .subscriptions()
        .iter()
        .filter_map(|s| s.endpoint())
        .collect();
    assert_eq!(endpoints, ["ops@corp.internal"], "its subscription stays");
}
