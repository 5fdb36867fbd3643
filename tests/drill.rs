//! `watchpost drill` against moto: the calls it makes and the states it leaves.
//!
//! moto delivers no event to an SNS target (a rule with one makes `PutEvents` fail with moto's
//! `NotImplementedError`), so after `apply` the test moves the drill rule's target, with its
//! input transformer, onto a log group of its own: the drill's test event is then seen where
//! the topic would have received it. The alarms' actions and the topic's deliveries are AWS's;
//! what is checked here is that each route was sent its test, that each alarm is back in the
//! state it was in, and that `--dry-run` sends nothing.

use aws_sdk_cloudwatch::types::StateValue;
use support::{ACCOUNT, Moto, Watchpost};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const HOME: &str = "us-east-1";
const TOPIC: &str = "watchpost-security-alerts";
const LOG_GROUP: &str = "/test/drill";

const BASELINE: &str = r#"
[scope]
regions = ["us-east-1"]
home_region = "us-east-1"

[cloudtrail]
[alerts]
emails = ["security@example.com"]
[alarms.filters]
root-account-use = {}
console-signin-failures = {}
"#;

fn topic_arn() -> String {
    format!("arn:aws:sns:{HOME}:{ACCOUNT}:{TOPIC}")
}

async fn alarm_states(moto: &Moto) -> Vec<(String, StateValue)> {
    let described = aws_sdk_cloudwatch::Client::new(&moto.sdk_config(HOME).await)
        .describe_alarms()
        .send()
        .await
        .unwrap();
    described
        .metric_alarms()
        .iter()
        .map(|alarm| {
            (
                alarm.alarm_name().unwrap().to_owned(),
                alarm.state_value().unwrap().clone(),
            )
        })
        .collect()
}

/// The drill rule's target moved onto a log group, keeping its input transformer (see above).
async fn deliver_drill_events_to_a_log_group(moto: &Moto) {
    let config = moto.sdk_config(HOME).await;
    let events = aws_sdk_eventbridge::Client::new(&config);
    let targets = events
        .list_targets_by_rule()
        .rule("watchpost-drill")
        .send()
        .await
        .unwrap()
        .targets()
        .to_vec();
    let [target] = &targets[..] else {
        panic!("one target: {targets:?}")
    };
    assert_eq!(
        target.arn(),
        topic_arn(),
        "the drill rule raises its message on the alert topic"
    );
    aws_sdk_cloudwatchlogs::Client::new(&config)
        .create_log_group()
        .log_group_name(LOG_GROUP)
        .send()
        .await
        .unwrap();
    events
        .remove_targets()
        .rule("watchpost-drill")
        .ids(target.id())
        .send()
        .await
        .unwrap();
    let moved = aws_sdk_eventbridge::types::Target::builder()
        .id(target.id())
        .arn(format!(
            "arn:aws:logs:{HOME}:{ACCOUNT}:log-group:{LOG_GROUP}"
        ))
        .set_input_transformer(target.input_transformer().cloned())
        .build()
        .unwrap();
    events
        .put_targets()
        .rule("watchpost-drill")
        .targets(moved)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_drill_sends_a_test_down_each_route_and_leaves_the_alarms_as_they_were() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, BASELINE);
    deliver_drill_events_to_a_log_group(&moto).await;
    let before = alarm_states(&moto).await;
    assert_eq!(before.len(), 2);

    let dry = moto.watchpost(&["drill", "--baseline", baseline.path_str(), "--dry-run"]);
    dry.assert_success().assert_stdout_has(&[
        "  alarm console-signin-failures: would send ALARM, then back to ",
        "  alarm root-account-use: would send ALARM, then back to ",
        &format!(
            "  topic {}: would send a message marked as a drill",
            topic_arn()
        ),
        "  event bus default in us-east-1: would send a test event (source watchpost.drill)",
    ]);
    assert!(
        moto.published(&topic_arn()).is_empty(),
        "a dry run publishes nothing"
    );
    assert!(
        support::replay::replayed_messages(&moto).is_empty(),
        "a dry run puts no event"
    );

    let drill = moto.watchpost(&["drill", "--baseline", baseline.path_str()]);
    drill.assert_success().assert_stdout_has(&[
        "  alarm root-account-use: sent ALARM, then back to ",
        "  every subscription of the topic is confirmed",
    ]);
    let published = moto.published(&topic_arn());
    assert_eq!(published.len(), 1, "{published:?}");
    let (subject, message) = &published[0];
    assert_eq!(subject, "watchpost drill: a test of the alert route");
    assert!(
        message.contains("Nothing happened; no action is needed."),
        "{message}"
    );
    assert_eq!(alarm_states(&moto).await, before, "each alarm is set back");
    let delivered = support::replay::replayed_messages(&moto);
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    assert!(
        delivered[0].starts_with("watchpost drill ")
            && delivered[0].contains(&format!("in account {ACCOUNT} at "))
            && delivered[0].ends_with(
                "a test of the alert route through EventBridge. Nothing happened; no action is needed."
            ),
        "{delivered:?}"
    );
}
