//! `watchpost drill`: proves, on the real account, that each alert route delivers. Each of the
//! baseline's alarms is set to ALARM with `SetAlarmState` (AWS then runs its actions, as for a
//! real breach) and set back; a clearly marked message is published to the alert topic; and a
//! test event is put on the home region's default bus, where watchpost's drill rule carries it
//! along the alert route (AWS refuses events whose source starts `aws.`, so the alert rules'
//! own patterns cannot be borrowed). Each route is reported with what was sent, and the topic's
//! unconfirmed subscriptions are named: an address that never confirmed receives nothing.
//! `--dry-run` says what would be sent and sends nothing.

use std::path::Path;
use std::process::ExitCode;

use aws_sdk_cloudwatch::types::StateValue;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use futures::StreamExt;

use super::fan_out::{account_region, for_each_account, reach};
use crate::accounts::{Fleet, Target};
use crate::aws::Context;
use crate::baseline::Baseline;
use crate::cli::AwsArgs;
use crate::model::{DRILL_DETAIL_TYPE, DRILL_SOURCE, topic_arn};
use crate::output::outln;

/// What one route was sent, or would be.
struct Sent {
    route: String,
    what: String,
}

/// Names this run's messages, so that the emails of one drill can be told from another's.
fn drill_id() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    format!("{seconds}-{}", std::process::id())
}

pub async fn run(path: &Path, aws: &AwsArgs, dry_run: bool) -> anyhow::Result<ExitCode> {
    let (baseline, _) = Baseline::read(path)?;
    let Some(alerts) = &baseline.alerts else {
        anyhow::bail!(crate::error::Hinted::new(
            "the baseline has no [alerts]: there is no alert route to drill",
            "add [alerts] with emails = [\"security@example.com\"] and run watchpost apply first",
        ));
    };
    let fleet = Fleet::new(&baseline, aws)?;
    let reach = reach(aws, &baseline, &fleet).await?;
    let region = account_region(aws, &baseline);
    let drill = drill_id();
    let drill_target = async |target: &Target| {
        target.verify(region).await?;
        drill_account(target, &baseline, &drill, dry_run).await
    };
    let outcomes = for_each_account(&reach, fleet.parallelism, &drill_target)
        .collect::<Vec<_>>()
        .await;

    let verb = if dry_run { "would send" } else { "sent" };
    let mut failed = 0;
    for outcome in &outcomes {
        outln!("Drill {drill} of account {}:", outcome.account_id);
        match &outcome.result {
            Ok((sent, unconfirmed)) => {
                for Sent { route, what } in sent {
                    outln!("  {route}: {verb} {what}");
                }
                if unconfirmed.is_empty() {
                    outln!("  every subscription of the topic is confirmed");
                }
                for endpoint in unconfirmed {
                    outln!(
                        "  unconfirmed: {endpoint} receives nothing until it follows the link in AWS's confirmation email"
                    );
                }
            }
            Err(error) => {
                failed += 1;
                outln!("  error: {}", crate::error::explained(error));
            }
        }
    }
    if alerts.central_bus.is_some() {
        outln!(
            "The messages of accounts forwarding to the central bus arrive through the security account's topic."
        );
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Drills one account's routes; returns what was sent and the unconfirmed subscriptions.
async fn drill_account(
    target: &Target,
    baseline: &Baseline,
    drill: &str,
    dry_run: bool,
) -> anyhow::Result<(Vec<Sent>, Vec<String>)> {
    let home = baseline.scope.home_region.as_str();
    let alerts = baseline.alerts.as_ref().expect("checked by run");
    let account = target.account_id.as_str();
    let mut sent = Vec::new();
    sent.extend(alarms(target, baseline, drill, dry_run).await?);

    let topic = topic_arn(home, account, &alerts.topic_name);
    let has_topic = alerts
        .central_bus
        .as_ref()
        .is_none_or(|bus| bus.account == account);
    let mut unconfirmed = Vec::new();
    if has_topic {
        if !dry_run {
            target
                .session
                .sns(home)
                .publish()
                .topic_arn(&topic)
                .subject("watchpost drill: a test of the alert route")
                .message(format!(
                    "watchpost drill {drill} in account {account}: a test message published to the alert topic. Nothing happened; no action is needed."
                ))
                .send()
                .await
                .call("sns:Publish", &topic)?;
        }
        sent.push(Sent {
            route: format!("topic {topic}"),
            what: "a message marked as a drill".to_owned(),
        });
        unconfirmed = pending(target, home, &topic).await?;
    }

    if !dry_run {
        let put = target
            .session
            .events(home)
            .put_events()
            .entries(
                PutEventsRequestEntry::builder()
                    .source(DRILL_SOURCE)
                    .detail_type(DRILL_DETAIL_TYPE)
                    .detail(serde_json::json!({ "drill": drill }).to_string())
                    .build(),
            )
            .send()
            .await
            .call("events:PutEvents", "default")?;
        if put.failed_entry_count() > 0 {
            let reasons: Vec<String> = put
                .entries()
                .iter()
                .filter_map(|entry| entry.error_message().map(str::to_owned))
                .collect();
            anyhow::bail!(
                "EventBridge refused the drill's test event: {}",
                reasons.join("; ")
            );
        }
    }
    sent.push(Sent {
        route: format!("event bus default in {home}"),
        what: format!(
            "a test event (source {DRILL_SOURCE}) that the rule watchpost-drill sends to the alert topic"
        ),
    });
    Ok((sent, unconfirmed))
}

/// Each of the baseline's alarms set to ALARM, so that AWS runs its actions, and set back to
/// the state it was in: CloudWatch then evaluates it again at its next period.
async fn alarms(
    target: &Target,
    baseline: &Baseline,
    drill: &str,
    dry_run: bool,
) -> anyhow::Result<Vec<Sent>> {
    let (Some(wanted), Some(_)) = (&baseline.alarms, &baseline.cloudtrail) else {
        return Ok(Vec::new());
    };
    let home = baseline.scope.home_region.as_str();
    let cloudwatch = target.session.cloudwatch(home);
    let names: Vec<String> = wanted.filters.keys().cloned().collect();
    let mut found = Vec::new();
    // DescribeAlarms takes at most 100 names a request.
    for chunk in names.chunks(100) {
        let described = cloudwatch
            .describe_alarms()
            .set_alarm_names(Some(chunk.to_vec()))
            .send()
            .await
            .call("cloudwatch:DescribeAlarms", home)?;
        for alarm in described.metric_alarms() {
            if let (Some(name), Some(state)) = (alarm.alarm_name(), alarm.state_value()) {
                found.push((name.to_owned(), state.clone()));
            }
        }
    }
    let mut sent = Vec::new();
    for name in &names {
        let Some((_, before)) = found.iter().find(|(found, _)| found == name) else {
            anyhow::bail!(crate::error::Hinted::new(
                format!("the alarm {name} does not exist in {home}"),
                "run watchpost apply first: the drill tests the alert routes the baseline made",
            ));
        };
        if !dry_run {
            for (state, reason) in [
                (
                    StateValue::Alarm,
                    format!(
                        "watchpost drill {drill}: a test of the alarm's actions; set back at once"
                    ),
                ),
                (
                    before.clone(),
                    format!("watchpost drill {drill}: set back to its state before the drill"),
                ),
            ] {
                cloudwatch
                    .set_alarm_state()
                    .alarm_name(name)
                    .state_value(state)
                    .state_reason(reason)
                    .send()
                    .await
                    .call("cloudwatch:SetAlarmState", name)?;
            }
        }
        sent.push(Sent {
            route: format!("alarm {name}"),
            what: format!("ALARM, then back to {}", before.as_str()),
        });
    }
    Ok(sent)
}

/// The topic's subscriptions that have not been confirmed, by endpoint.
async fn pending(target: &Target, home: &str, topic: &str) -> anyhow::Result<Vec<String>> {
    let sns = target.session.sns(home);
    let mut pending = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = sns
            .list_subscriptions_by_topic()
            .topic_arn(topic)
            .set_next_token(next.take())
            .send()
            .await
            .call("sns:ListSubscriptionsByTopic", topic)?;
        for subscription in page.subscriptions() {
            if subscription.subscription_arn() == Some("PendingConfirmation") {
                pending.push(subscription.endpoint().unwrap_or("an endpoint").to_owned());
            }
        }
        match page.next_token() {
            Some(token) => next = Some(token.to_owned()),
            None => break,
        }
    }
    pending.sort();
    Ok(pending)
}
