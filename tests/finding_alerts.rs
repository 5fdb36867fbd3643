//! GuardDuty finding alerts end to end: the real binary and the real AWS SDK against a moto
//! server. A rule in every region in scope: the home region's sends the message to the one
//! alert topic, the others forward the findings to the home region's default event bus.
//!
//! moto's EventBridge delivers to log groups, queues and event buses but not to SNS topics
//! (`put_events` on a rule with an SNS target fails with moto's `NotImplementedError`), so
//! whether a finding reaches an inbox cannot be seen here. What the message says is: the rule's
//! pattern and input transformer, as read back from the account, are put on a rule of a bus of
//! the test's own with a log group as its target, and moto's EventBridge matches sample
//! findings and transforms them as it would for the topic.

use serde_json::{Value, json};
use support::json::find_statement;
use support::replay::{Replay, replayed_messages};
use support::{ACCOUNT, Moto, Watchpost, write_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const HOME: &str = "eu-west-1";
const OTHER: &str = "us-east-1";
const RULE: &str = "watchpost-guardduty-findings";
const TOPIC: &str = "watchpost-security-alerts";

const BASELINE: &str = r#"
[scope]
regions = ["eu-west-1", "us-east-1"]
home_region = "eu-west-1"

[guardduty]
[guardduty.finding_alerts]
min_severity = 7

[alerts]
emails = ["security@example.com"]
"#;

async fn events(moto: &Moto, region: &str) -> aws_sdk_eventbridge::Client {
    aws_sdk_eventbridge::Client::new(&moto.sdk_config(region).await)
}

/// The finding rule of `region` as read back, and its one target.
async fn rule_and_target(
    moto: &Moto,
    region: &str,
) -> (
    aws_sdk_eventbridge::operation::describe_rule::DescribeRuleOutput,
    aws_sdk_eventbridge::types::Target,
) {
    let events = events(moto, region).await;
    let rule = events.describe_rule().name(RULE).send().await.unwrap();
    let targets = events.list_targets_by_rule().rule(RULE).send().await;
    let targets = targets.unwrap().targets().to_vec();
    let [target] = &targets[..] else {
        panic!("one target in {region}: {targets:?}")
    };
    (rule, target.clone())
}

fn topic_arn(region: &str) -> String {
    format!("arn:aws:sns:{region}:{ACCOUNT}:{TOPIC}")
}

/// A GuardDuty finding event as GuardDuty sends it to EventBridge, trimmed to what the rule and
/// the message use.
fn finding(id: &str, severity: f64) -> Value {
    json!({
        "schemaVersion": "2.0",
        "accountId": ACCOUNT,
        "region": HOME,
        "id": id,
        "type": "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom",
        "severity": severity,
        "title": "API GetCallerIdentity was invoked from an IP address on a custom threat list.",
        "description": "An API was invoked from the IP address 198.51.100.7 on a custom threat list."
    })
}

#[tokio::test]
async fn a_rule_in_every_region_routes_findings_to_the_one_topic_of_the_home_region() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let path = baseline.path_str();

    let before = moto.plan_changes(path);
    before.assert_stdout_has(&[
        format!("+ finding_rule/{HOME}/{RULE}"),
        format!("+ finding_rule/{OTHER}/{RULE}"),
        format!("+ alert_topic/{HOME}/{TOPIC}"),
        format!("+ alert_subscription/{HOME}/security@example.com"),
        "+ iam_role/global/watchpost-alert-forwarding".to_owned(),
    ]);
    assert!(
        !before.stdout.contains(&format!("alert_topic/{OTHER}")),
        "no topic outside the home region:\n{}",
        before.stdout
    );
    moto.apply_approved(path).assert_success();

    let (_, forward) = rule_and_target(&moto, OTHER).await;
    assert_eq!(forward.id(), "watchpost-home-bus");
    assert_eq!(
        forward.arn(),
        format!("arn:aws:events:{HOME}:{ACCOUNT}:event-bus/default")
    );
    assert_eq!(
        forward.role_arn(),
        Some(format!("arn:aws:iam::{ACCOUNT}:role/watchpost-alert-forwarding").as_str())
    );
    assert!(forward.input_transformer().is_none());

    for region in [HOME] {
        let (rule, target) = rule_and_target(&moto, region).await;
        assert_eq!(rule.state().map(|s| s.as_str()), Some("ENABLED"));
        let pattern: Value = serde_json::from_str(rule.event_pattern().unwrap()).unwrap();
        assert_eq!(
            pattern,
            json!({
                "source": ["aws.guardduty"],
                "detail-type": ["GuardDuty Finding"],
                "detail": {"severity": [{"numeric": [">=", 7]}]}
            })
        );
        assert_eq!(target.id(), "watchpost-alert-topic");
        assert_eq!(target.arn(), topic_arn(region), "the home region's topic");
        let transformer = target.input_transformer().expect("an input transformer");
        let template = transformer.input_template();
        for placeholder in [
            "<type>",
            "<severity>",
            "<account>",
            "<title>",
            "<description>",
            "<id>",
            "<region>",
        ] {
            assert!(
                template.contains(placeholder),
                "{placeholder} in {template}"
            );
        }
        assert!(
            template.contains(
                "https://console.aws.amazon.com/guardduty/home?region=<region>#/findings"
            ),
            "a link to the finding in the console of the region it was found in: {template}"
        );

        // The topic lets this account's EventBridge publish, and only it.
        let policy = moto.topic_policy(region, &topic_arn(region)).await;
        let eventbridge = find_statement(&policy, "EventBridge may publish", |s| {
            s["Principal"]["Service"] == "events.amazonaws.com"
        });
        assert_eq!(
            eventbridge["Condition"]["StringEquals"]["aws:SourceAccount"],
            ACCOUNT
        );
        let emails = moto.subscribed_endpoints(region, &topic_arn(region)).await;
        assert_eq!(emails, ["security@example.com"]);
    }

    let after = moto.plan_exitcode(path);
    after.assert_code(0);
}

#[tokio::test]
async fn a_finding_at_or_above_the_severity_becomes_a_readable_message() {
    let (moto, _baseline) = Moto::start_applied(WATCHPOST, BASELINE);

    // The rule as watchpost left it, replayed on a bus and log group of the test's own (see the
    // top of this file).
    let (rule, target) = rule_and_target(&moto, HOME).await;
    let replay = Replay::set_up(
        &moto,
        HOME,
        rule.event_pattern().unwrap(),
        target.input_transformer().unwrap(),
    )
    .await;
    for (id, severity) in [("high", 8.0), ("medium", 5.5), ("threshold", 7.0)] {
        replay
            .put("aws.guardduty", "GuardDuty Finding", &finding(id, severity))
            .await;
    }
    let messages = replayed_messages(&moto);
    assert_eq!(
        messages,
        [
            "GuardDuty finding UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom (severity 7.0) in account 123456789012, region eu-west-1. API GetCallerIdentity was invoked from an IP address on a custom threat list. An API was invoked from the IP address 198.51.100.7 on a custom threat list. Details: https://console.aws.amazon.com/guardduty/home?region=eu-west-1#/findings?macros=current&fId=threshold",
            "GuardDuty finding UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom (severity 8.0) in account 123456789012, region eu-west-1. API GetCallerIdentity was invoked from an IP address on a custom threat list. An API was invoked from the IP address 198.51.100.7 on a custom threat list. Details: https://console.aws.amazon.com/guardduty/home?region=eu-west-1#/findings?macros=current&fId=high",
        ],
        "the medium finding (5.5) is below the rule's severity and sends nothing"
    );
}

#[tokio::test]
async fn a_rule_changed_by_hand_is_set_back_and_a_region_left_out_loses_its_rule() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, BASELINE);
    let path = baseline.path_str();

    // Someone lowers the severity in one region and takes the forwarding off in the other.
    events(&moto, HOME)
        .await
        .put_rule()
        .name(RULE)
        .event_pattern(
            r#"{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"],"detail":{"severity":[{"numeric":[">=",1]}]}}"#,
        )
        .send()
        .await
        .unwrap();
    events(&moto, OTHER)
        .await
        .remove_targets()
        .rule(RULE)
        .ids("watchpost-home-bus")
        .send()
        .await
        .unwrap();
    let drift = moto.plan_changes(path);
    drift.assert_stdout_has(&[
        format!("~ finding_rule/{HOME}/{RULE}\n      event_pattern: "),
        format!("~ finding_rule/{OTHER}/{RULE}\n      targets.watchpost-home-bus: (none) → "),
        "Plan: 0 to add, 2 to change, 0 to destroy.".to_owned(),
    ]);
    moto.assert_apply_converges(path);

    // us-east-1 taken out of scope: the rule watchpost made there goes.
    let home_only = write_baseline(&BASELINE.replace(
        r#"regions = ["eu-west-1", "us-east-1"]"#,
        r#"regions = ["eu-west-1"]"#,
    ));
    let narrowed = moto.plan_changes(home_only.path_str());
    narrowed.assert_stdout_has(&[format!("- finding_rule/{OTHER}/{RULE}")]);
    moto.apply_approved(home_only.path_str()).assert_success();
    moto.plan_exitcode(home_only.path_str()).assert_code(0);
    let has_rule = async |region| {
        let events = events(&moto, region).await;
        events.describe_rule().name(RULE).send().await.is_ok()
    };
    assert!(!has_rule(OTHER).await, "the rule left {OTHER}");
    assert!(has_rule(HOME).await, "the rule stayed in {HOME}");
}

#[test]
fn bad_finding_alert_settings_are_refused_with_their_place() {
    let baseline = write_baseline(
        "[scope]\nregions = [\"us-east-1\"]\nhome_region = \"us-east-1\"\n\
         [guardduty]\n\
         [guardduty.finding_alerts]\nmin_severity = 11\nrule_name = \"bad name\"\n",
    );
    let run = WATCHPOST.run(&["validate", "--baseline", baseline.path_str()], &[]);
    run.assert_code(1);
    run.assert_stderr_has(&[
        ":6:16", // min_severity's value
        "min_severity = 11 is not a GuardDuty severity",
        "low 1 to 3.9, medium 4 to 6.9, high 7 to 8.9, critical 9 to 10",
        "`bad name` is not a valid EventBridge rule name",
        "[guardduty.finding_alerts] needs [alerts]",
        "3 problems in",
    ]);

    let clash = write_baseline(
        "[scope]\nregions = [\"us-east-1\"]\nhome_region = \"us-east-1\"\n\
         [guardduty.finding_alerts]\nrule_name = \"alerts\"\nseverity = 7\n\
         [alerts]\nemails = [\"security@example.com\"]\n\
         [signin_notification]\nrule_name = \"alerts\"\n",
    );
    let run = WATCHPOST.run(&["validate", "--baseline", clash.path_str()], &[]);
    run.assert_code(1);
    run.assert_stderr_has(&["unknown key `guardduty.finding_alerts.severity`"]);
    let clash = write_baseline(
        "[scope]\nregions = [\"us-east-1\"]\nhome_region = \"us-east-1\"\n\
         [guardduty.finding_alerts]\nrule_name = \"alerts\"\n\
         [alerts]\nemails = [\"security@example.com\"]\n\
         [signin_notification]\nrule_name = \"alerts\"\n",
    );
    let run = WATCHPOST.run(&["validate", "--baseline", clash.path_str()], &[]);
    run.assert_code(1);
    run.assert_stderr_has(&[
        "[guardduty.finding_alerts] and [signin_notification] both name the rule `alerts`",
    ]);
}
