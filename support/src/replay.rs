//! Replays an EventBridge rule's pattern and input transformer on sample events.
//!
//! moto delivers no events to SNS, and its `TestEventPattern` answers false for patterns AWS
//! matches, so a rule as watchpost left it is copied onto a bus of the test's own whose target
//! is a log group: what the rule would have sent is then the log group's events.

use aws_sdk_eventbridge::types::{InputTransformer, PutEventsRequestEntry, Target};

use crate::Moto;

const BUS: &str = "replay";
const LOG_GROUP: &str = "/test/replay";

/// A copy of one rule in one region, ready to take sample events.
pub struct Replay {
    events: aws_sdk_eventbridge::Client,
}

impl Replay {
    /// Copies `pattern` and `transformer` onto the replay bus of `region`, made on first use.
    pub async fn set_up(
        moto: &Moto,
        region: &str,
        pattern: &str,
        transformer: &InputTransformer,
    ) -> Replay {
        let account = moto
            .sts()
            .await
            .get_caller_identity()
            .send()
            .await
            .unwrap()
            .account()
            .unwrap()
            .to_owned();
        let config = moto.sdk_config(region).await;
        Replay::set_up_with(&config, &account, region, pattern, transformer).await
    }

    /// [`Replay::set_up`] in another account of the server: the events put there are that
    /// account's (their `account` is its id), as a rule on a bus of several accounts sees them.
    pub async fn set_up_in(
        moto: &Moto,
        account: &str,
        region: &str,
        pattern: &str,
        transformer: &InputTransformer,
    ) -> Replay {
        let config = moto.sdk_config_in(account, region).await;
        Replay::set_up_with(&config, account, region, pattern, transformer).await
    }

    async fn set_up_with(
        config: &aws_config::SdkConfig,
        account: &str,
        region: &str,
        pattern: &str,
        transformer: &InputTransformer,
    ) -> Replay {
        let events = aws_sdk_eventbridge::Client::new(config);
        let logs = aws_sdk_cloudwatchlogs::Client::new(config);
        if logs
            .create_log_group()
            .log_group_name(LOG_GROUP)
            .send()
            .await
            .is_ok()
        {
            events.create_event_bus().name(BUS).send().await.unwrap();
        }
        events
            .put_rule()
            .name(BUS)
            .event_bus_name(BUS)
            .event_pattern(pattern)
            .send()
            .await
            .unwrap();
        events
            .put_targets()
            .rule(BUS)
            .event_bus_name(BUS)
            .targets(
                Target::builder()
                    .id("log")
                    .arn(format!(
                        "arn:aws:logs:{region}:{account}:log-group:{LOG_GROUP}"
                    ))
                    .input_transformer(transformer.clone())
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        Replay { events }
    }

    /// Puts one event on the replay bus, as AWS would put it on the rule's bus.
    pub async fn put(&self, source: &str, detail_type: &str, detail: &serde_json::Value) {
        let entry = PutEventsRequestEntry::builder()
            .event_bus_name(BUS)
            .source(source)
            .detail_type(detail_type)
            .detail(detail.to_string())
            .build();
        let put = self
            .events
            .put_events()
            .entries(entry)
            .send()
            .await
            .unwrap();
        assert_eq!(put.failed_entry_count(), 0, "{put:?}");
    }
}

/// Every message the replays of this moto sent, sorted, for templates that are a JSON string:
/// the message is that string.
pub fn replayed_messages(moto: &Moto) -> Vec<String> {
    let mut messages: Vec<String> = replayed_messages_json(moto)
        .into_iter()
        .map(|message| match message {
            serde_json::Value::String(text) => text,
            other => panic!("a message that is not a JSON string: {other}"),
        })
        .collect();
    messages.sort();
    messages
}

/// Every message the replays of this moto sent, each as the JSON value its template made.
///
/// moto answers reads of log events with timestamps the SDK cannot parse (fractions of a
/// millisecond): the messages are taken from its record of the log events.
pub fn replayed_messages_json(moto: &Moto) -> Vec<serde_json::Value> {
    moto.state()["logs"]["LogEvent"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .map(|event| serde_json::from_str(event["message"].as_str().unwrap()).unwrap())
                .collect()
        })
        .unwrap_or_default()
}
