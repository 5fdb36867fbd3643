//! The status as people read it, and as one JSON document in a versioned format
//! (docs/json-output.md).

use std::fmt::Write;

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde_json::{Map, Value, json};

use super::AccountStatus;
use crate::model::{ApiCallCounts, Delivery, Part, Time, Unread, sum_calls};

/// Raised when a field of the status document is removed or changes meaning.
pub const STATUS_FORMAT_VERSION: &str = "1";

/// `2026-11-29T12:15:31Z`.
fn iso(time: Time) -> String {
    DateTime::from_secs(time.0)
        .fmt(Format::DateTime)
        .unwrap_or_else(|_| time.0.to_string())
}

/// `2026-11-29T12:15:31Z (3 h ago)`, the age from `now`.
fn when(time: Time, now: Time) -> String {
    let seconds = (now.0 - time.0).max(0);
    let age = match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds / 60),
        3600..172_800 => format!("{} h", seconds / 3600),
        _ => format!("{} days", seconds / 86_400),
    };
    format!("{} ({age} ago)", iso(time))
}

fn not_available(unread: &Unread) -> String {
    let mut lines = unread.reason.lines();
    let mut text = format!(
        "not available ({}): {}",
        unread.call,
        lines.next().unwrap_or_default()
    );
    for line in lines {
        let _ = write!(text, "\n      {line}");
    }
    text
}

/// What needs a person: each a sentence, in the order of the sections.
pub fn attention(status: &AccountStatus) -> Vec<String> {
    let mut items = Vec::new();
    for region in &status.config {
        let r = &region.region;
        match &region.recorder {
            Ok(None) => items.push(format!("AWS Config has no recorder in {r}")),
            Ok(Some(recorder)) if !recorder.recording => {
                items.push(format!(
                    "the recorder {} in {r} is not recording",
                    recorder.name
                ));
            }
            Ok(Some(recorder)) if is_failure(&recorder.last_status) => {
                items.push(format!(
                    "the recorder {} in {r} failed its last recording: {}",
                    recorder.name,
                    recorder.last_error.as_deref().unwrap_or("no error given")
                ));
            }
            _ => {}
        }
        if let Ok(Some(delivery)) = &region.delivery {
            for (what, info) in [
                ("history", &delivery.history),
                ("snapshot", &delivery.snapshot),
            ] {
                if let Some(info) = info.as_ref().filter(|info| is_failure(&info.last_status)) {
                    items.push(format!(
                        "the last configuration {what} delivery in {r} failed: {}",
                        info.last_error.as_deref().unwrap_or("no error given")
                    ));
                }
            }
        }
        if let Ok(rules) = &region.rules {
            for rule in rules {
                match (rule.compliance.as_deref(), rule.non_compliant_count) {
                    (None, _) => {
                        items.push(format!("the Config rule {} is missing in {r}", rule.name))
                    }
                    (Some("NON_COMPLIANT"), count) => items.push(format!(
                        "the Config rule {} in {r} finds {} non-compliant resource(s)",
                        rule.name,
                        count_text(count)
                    )),
                    _ => {}
                }
            }
        }
    }
    match &status.trail {
        Some(Ok(None)) => items.push("the trail does not exist".to_owned()),
        Some(Ok(Some(trail))) => {
            if !trail.is_logging {
                items.push(format!("the trail {} is not logging", trail.name));
            }
            if let Some(error) = &trail.latest_delivery_error {
                items.push(format!(
                    "the trail {} cannot deliver to its bucket: {error}",
                    trail.name
                ));
            }
            if let Some(error) = &trail.latest_logs_delivery_error {
                items.push(format!(
                    "the trail {} cannot deliver to its log group: {error}",
                    trail.name
                ));
            }
        }
        _ => {}
    }
    for check in &status.checks {
        if let Ok(verdict) = &check.result
            && !verdict.holds
        {
            items.push(verdict.text.clone());
        }
    }
    for region in &status.flow_logs {
        if let Ok(coverage) = &region.coverage {
            if !coverage.unlogged.is_empty() {
                items.push(format!(
                    "{} VPC(s) in {} have no flow log of watchpost's (run watchpost apply): {}",
                    coverage.unlogged.len(),
                    region.region,
                    coverage.unlogged.join(", ")
                ));
            }
            for (vpc, reason) in &coverage.failing {
                items.push(format!(
                    "the flow log of {vpc} in {} cannot deliver: {reason}",
                    region.region
                ));
            }
        }
    }
    for region in &status.guardduty {
        match &region.findings {
            Ok(None) => items.push(format!("GuardDuty has no detector in {}", region.region)),
            Ok(Some(findings)) if findings.critical + findings.high > 0 => items.push(format!(
                "GuardDuty in {} has {} critical and {} high finding(s)",
                region.region, findings.critical, findings.high
            )),
            _ => {}
        }
    }
    for topic in &status.topics {
        match &topic.subscriptions {
            Ok(None) => items.push(format!(
                "the alert topic {} does not exist in {}",
                topic.name, topic.region
            )),
            Ok(Some(subscriptions)) => {
                for subscription in subscriptions.iter().filter(|s| s.pending) {
                    items.push(format!(
                        "{} has not confirmed the subscription to {} in {}: no alert reaches them until they follow the link in AWS's email",
                        subscription.email, topic.name, topic.region
                    ));
                }
            }
            Err(_) => {}
        }
    }
    if let Some(Ok(alarms)) = &status.alarms {
        for alarm in alarms {
            match alarm.state.as_deref() {
                None => items.push(format!("the alarm {} does not exist", alarm.name)),
                Some("ALARM") => items.push(format!("the alarm {} is in ALARM", alarm.name)),
                _ => {}
            }
        }
    }
    items
}

/// AWS writes `Failure`; emulators have been seen to write `FAILURE`.
fn is_failure(status: &Option<String>) -> bool {
    status
        .as_deref()
        .is_some_and(|status| status.eq_ignore_ascii_case("failure"))
}

fn count_text(count: Option<(u32, bool)>) -> String {
    match count {
        Some((count, true)) => format!("more than {count}"),
        Some((count, false)) => count.to_string(),
        None => "some".to_owned(),
    }
}

fn delivery_text(what: &str, info: &Delivery, now: Time) -> String {
    let mut text = format!(
        "last {what} delivery {}",
        info.last_status.as_deref().unwrap_or("unknown")
    );
    if let Some(at) = info.last_attempt {
        let _ = write!(text, " at {}", when(at, now));
    }
    if let Some(at) = info
        .last_success
        .filter(|at| Some(*at) != info.last_attempt)
    {
        let _ = write!(text, ", last success {}", when(at, now));
    }
    if let Some(error) = &info.last_error {
        let _ = write!(text, ", error {error}");
    }
    text
}

/// The status as text, for a person at a terminal. `now` dates the ages shown.
pub fn render_text(status: &AccountStatus, now: Time) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Status of account {} (regions: {}; home region {}):",
        status.account_id,
        status.regions.join(", "),
        status.home_region
    );
    let width = status.regions.iter().map(String::len).max().unwrap_or(0);
    if !status.config.is_empty() {
        out.push_str("\nAWS Config\n");
        for region in &status.config {
            let r = &region.region;
            let recorder = match &region.recorder {
                Err(unread) => format!("recorder: {}", not_available(unread)),
                Ok(None) => "recorder: none (run watchpost apply)".to_owned(),
                Ok(Some(recorder)) => {
                    let mut text = format!(
                        "recorder {}: {}",
                        recorder.name,
                        if recorder.recording {
                            "recording"
                        } else {
                            "NOT recording"
                        }
                    );
                    if let Some(last) = &recorder.last_status {
                        let _ = write!(text, ", last status {last}");
                        if let Some(at) = recorder.last_status_change {
                            let _ = write!(text, " at {}", when(at, now));
                        }
                    }
                    if let Some(at) = recorder.last_start {
                        let _ = write!(text, ", started {}", when(at, now));
                    }
                    if let Some(at) = recorder.last_stop {
                        let _ = write!(text, ", stopped {}", when(at, now));
                    }
                    if let Some(error) = &recorder.last_error {
                        let _ = write!(text, ", error {error}");
                    }
                    text
                }
            };
            let _ = writeln!(out, "  {r:<width$}  {recorder}");
            let delivery = match &region.delivery {
                Err(unread) => format!("delivery: {}", not_available(unread)),
                Ok(None) => "delivery channel: none (run watchpost apply)".to_owned(),
                Ok(Some(channel)) => {
                    let parts: Vec<String> = [
                        ("history", &channel.history),
                        ("snapshot", &channel.snapshot),
                    ]
                    .into_iter()
                    .filter_map(|(what, info)| {
                        info.as_ref().map(|info| delivery_text(what, info, now))
                    })
                    .collect();
                    if parts.is_empty() {
                        format!("delivery channel {}: nothing delivered yet", channel.name)
                    } else {
                        format!("delivery channel {}: {}", channel.name, parts.join("; "))
                    }
                }
            };
            let _ = writeln!(out, "  {:width$}  {delivery}", "");
        }
        out.push_str("\nConfig rules\n");
        for region in &status.config {
            let r = &region.region;
            match &region.rules {
                Err(unread) => {
                    let _ = writeln!(out, "  {r:<width$}  {}", not_available(unread));
                }
                Ok(rules) if rules.is_empty() => {
                    let _ = writeln!(out, "  {r:<width$}  no rules placed here");
                }
                Ok(rules) => {
                    let name_width = rules.iter().map(|rule| rule.name.len()).max().unwrap_or(0);
                    for (i, rule) in rules.iter().enumerate() {
                        let place = if i == 0 { r.as_str() } else { "" };
                        let judged = match rule.compliance.as_deref() {
                            None => "not found (run watchpost apply)".to_owned(),
                            Some("NON_COMPLIANT") => format!(
                                "NON_COMPLIANT, {} resource(s)",
                                count_text(rule.non_compliant_count)
                            ),
                            Some(other) => other.to_owned(),
                        };
                        let _ = writeln!(
                            out,
                            "  {place:<width$}  {:<name_width$}  {judged}",
                            rule.name
                        );
                        let indent = width + name_width + 6;
                        match &rule.non_compliant {
                            Some(Err(unread)) => {
                                let _ = writeln!(
                                    out,
                                    "{:indent$}resources: {}",
                                    "",
                                    not_available(unread)
                                );
                            }
                            Some(Ok(resources)) => {
                                for resource in resources {
                                    let _ = write!(
                                        out,
                                        "{:indent$}{} {}",
                                        "", resource.resource_type, resource.resource_id
                                    );
                                    if let Some(annotation) = &resource.annotation {
                                        let _ = write!(out, ": {annotation}");
                                    }
                                    out.push('\n');
                                }
                            }
                            None => {}
                        }
                    }
                }
            }
        }
    }
    if let Some(trail) = &status.trail {
        out.push_str("\nCloudTrail\n");
        let line = match trail {
            Err(unread) => format!("trail: {}", not_available(unread)),
            Ok(None) => "trail: none (run watchpost apply)".to_owned(),
            Ok(Some(trail)) => {
                let mut text = format!("trail {} ({}): ", trail.name, trail.region);
                if trail.is_logging {
                    text.push_str("logging");
                    if let Some(at) = trail.start_logging {
                        let _ = write!(text, " since {}", when(at, now));
                    }
                } else {
                    text.push_str("NOT logging");
                    if let Some(at) = trail.stop_logging {
                        let _ = write!(text, " since {}", when(at, now));
                    }
                }
                let bucket = match (trail.latest_delivery, &trail.latest_delivery_error) {
                    (_, Some(error)) => format!("delivery error {error}"),
                    (Some(at), None) => format!("last delivery {}", when(at, now)),
                    (None, None) => "nothing delivered yet".to_owned(),
                };
                let logs = match (
                    trail.latest_logs_delivery,
                    &trail.latest_logs_delivery_error,
                ) {
                    (_, Some(error)) => format!("delivery error {error}"),
                    (Some(at), None) => format!("last delivery {}", when(at, now)),
                    (None, None) => "nothing delivered yet".to_owned(),
                };
                let _ = write!(
                    text,
                    "\n    to the bucket: {bucket}\n    to the log group: {logs}"
                );
                text
            }
        };
        let _ = writeln!(out, "  {line}");
    }
    if !status.checks.is_empty() {
        out.push_str("\nSettings\n");
        for check in &status.checks {
            let line = match &check.result {
                Err(unread) => format!("{}: {}", check.part, not_available(unread)),
                Ok(verdict) => verdict.text.clone(),
            };
            let _ = writeln!(out, "  {line}");
        }
    }
    if !status.flow_logs.is_empty() {
        out.push_str("\nVPC flow logs\n");
        for region in &status.flow_logs {
            let line = match &region.coverage {
                Err(unread) => not_available(unread),
                Ok(coverage) => {
                    let logged = coverage.vpcs - coverage.unlogged.len();
                    let mut line = format!("{logged} of {} VPC(s) logged", coverage.vpcs);
                    if !coverage.unlogged.is_empty() {
                        let _ = write!(
                            line,
                            "; without: {} (run watchpost apply)",
                            coverage.unlogged.join(", ")
                        );
                    }
                    for (vpc, reason) in &coverage.failing {
                        let _ = write!(line, "; {vpc} delivery FAILED: {reason}");
                    }
                    line
                }
            };
            let _ = writeln!(out, "  {:<width$}  {line}", region.region);
        }
    }
    if !status.guardduty.is_empty() {
        out.push_str("\nGuardDuty findings, active (not archived), by severity\n");
        for region in &status.guardduty {
            let line = match &region.findings {
                Err(unread) => not_available(unread),
                Ok(None) => "no detector (run watchpost apply)".to_owned(),
                Ok(Some(f)) => format!(
                    "critical {}, high {}, medium {}, low {}",
                    f.critical, f.high, f.medium, f.low
                ),
            };
            let _ = writeln!(out, "  {:<width$}  {line}", region.region);
        }
    }
    if !status.topics.is_empty() {
        out.push_str("\nAlert subscriptions\n");
        for topic in &status.topics {
            let line = match &topic.subscriptions {
                Err(unread) => not_available(unread),
                Ok(None) => "the topic does not exist (run watchpost apply)".to_owned(),
                Ok(Some(subscriptions)) if subscriptions.is_empty() => {
                    "no email subscriptions".to_owned()
                }
                Ok(Some(subscriptions)) => subscriptions
                    .iter()
                    .map(|s| {
                        let state = if s.pending {
                            "PENDING CONFIRMATION"
                        } else {
                            "confirmed"
                        };
                        format!("{} {state}", s.email)
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let _ = writeln!(out, "  {} ({}): {line}", topic.name, topic.region);
        }
    }
    if let Some(alarms) = &status.alarms {
        let _ = writeln!(out, "\nAlarms ({})", status.home_region);
        match alarms {
            Err(unread) => {
                let _ = writeln!(out, "  {}", not_available(unread));
            }
            Ok(alarms) => {
                let name_width = alarms.iter().map(|a| a.name.len()).max().unwrap_or(0);
                for alarm in alarms {
                    let mut line = match &alarm.state {
                        None => "does not exist (run watchpost apply)".to_owned(),
                        Some(state) => state.clone(),
                    };
                    if let Some(at) = alarm.since {
                        let _ = write!(line, " since {}", when(at, now));
                    }
                    if let Some(reason) = alarm
                        .reason
                        .as_ref()
                        .filter(|_| alarm.state.as_deref() == Some("ALARM"))
                    {
                        let _ = write!(line, ": {reason}");
                    }
                    let _ = writeln!(out, "  {:<name_width$}  {line}", alarm.name);
                }
            }
        }
    }
    let attention = attention(status);
    out.push('\n');
    if attention.is_empty() {
        out.push_str("Nothing needs attention in what could be read.\n");
    } else {
        out.push_str("Needs attention:\n");
        for item in &attention {
            let _ = writeln!(out, "  - {item}");
        }
    }
    let missing = status.not_available();
    if !missing.is_empty() {
        let _ = writeln!(
            out,
            "{} part(s) not available (above); everything else was read.",
            missing.len()
        );
    }
    out
}

fn time_json(time: Option<Time>) -> Value {
    time.map_or(Value::Null, |t| Value::String(iso(t)))
}

/// A part as an object: `available`, and either its fields or `call` and `reason`.
fn part<T>(read: &Part<T>, fields: impl FnOnce(&T) -> Map<String, Value>) -> Value {
    let mut object = match read {
        Ok(value) => fields(value),
        Err(unread) => {
            let mut object = Map::new();
            object.insert("call".to_owned(), json!(unread.call));
            object.insert("reason".to_owned(), json!(unread.reason));
            object
        }
    };
    object.insert("available".to_owned(), json!(read.is_ok()));
    Value::Object(object)
}

/// A part that may not exist: `found`, and its fields when it does.
fn found<T>(value: &Option<T>, fields: impl FnOnce(&T) -> Value) -> Map<String, Value> {
    let mut object = match value.as_ref().map(fields) {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    object.insert("found".to_owned(), json!(value.is_some()));
    object
}

fn delivery_json(info: &Option<Delivery>) -> Value {
    info.as_ref().map_or(Value::Null, |info| {
        json!({
            "last_status": info.last_status,
            "last_attempt_time": time_json(info.last_attempt),
            "last_successful_time": time_json(info.last_success),
            "last_error": info.last_error,
        })
    })
}

/// One account's entry of the status document.
fn account_json(status: &AccountStatus) -> Value {
    let config: Vec<Value> = status
        .config
        .iter()
        .map(|region| {
            json!({
                "region": region.region,
                "recorder": part(&region.recorder, |recorder| found(recorder, |r| json!({
                    "name": r.name,
                    "recording": r.recording,
                    "last_status": r.last_status,
                    "last_status_change_time": time_json(r.last_status_change),
                    "last_start_time": time_json(r.last_start),
                    "last_stop_time": time_json(r.last_stop),
                    "last_error": r.last_error,
                }))),
                "delivery_channel": part(&region.delivery, |channel| found(channel, |c| json!({
                    "name": c.name,
                    "history": delivery_json(&c.history),
                    "snapshot": delivery_json(&c.snapshot),
                }))),
                "rules": part(&region.rules, |rules| {
                    let mut map = Map::new();
                    map.insert("rules".to_owned(), rules.iter().map(|rule| json!({
                        "name": rule.name,
                        "found": rule.compliance.is_some(),
                        "compliance": rule.compliance,
                        "non_compliant_count": rule.non_compliant_count.map(|(count, _)| count),
                        "non_compliant_count_capped": rule.non_compliant_count.map(|(_, capped)| capped),
                        "non_compliant_resources": rule.non_compliant.as_ref().map(|resources| part(resources, |list| {
                            let mut map = Map::new();
                            map.insert("resources".to_owned(), list.iter().map(|r| json!({
                                "resource_type": r.resource_type,
                                "resource_id": r.resource_id,
                                "annotation": r.annotation,
                            })).collect());
                            map
                        })),
                    })).collect());
                    map
                }),
            })
        })
        .collect();
    let trail = status.trail.as_ref().map(|trail| {
        part(trail, |trail| {
            found(trail, |t| {
                json!({
                    "name": t.name,
                    "region": t.region,
                    "is_logging": t.is_logging,
                    "start_logging_time": time_json(t.start_logging),
                    "stop_logging_time": time_json(t.stop_logging),
                    "latest_delivery_time": time_json(t.latest_delivery),
                    "latest_delivery_error": t.latest_delivery_error,
                    "latest_cloudwatch_logs_delivery_time": time_json(t.latest_logs_delivery),
                    "latest_cloudwatch_logs_delivery_error": t.latest_logs_delivery_error,
                })
            })
        })
    });
    let guardduty: Vec<Value> = status
        .guardduty
        .iter()
        .map(|region| {
            json!({
                "region": region.region,
                "findings": part(&region.findings, |findings| found(findings, |f| json!({
                    "detector_id": f.detector_id,
                    "critical": f.critical,
                    "high": f.high,
                    "medium": f.medium,
                    "low": f.low,
                }))),
            })
        })
        .collect();
    let flow_logs: Vec<Value> = status
        .flow_logs
        .iter()
        .map(|region| {
            json!({
                "region": region.region,
                "coverage": part(&region.coverage, |coverage| {
                    let mut map = Map::new();
                    map.insert("vpcs".to_owned(), json!(coverage.vpcs));
                    map.insert("unlogged".to_owned(), json!(coverage.unlogged));
                    map.insert(
                        "failing".to_owned(),
                        coverage
                            .failing
                            .iter()
                            .map(|(vpc, reason)| json!({"vpc": vpc, "reason": reason}))
                            .collect(),
                    );
                    map
                }),
            })
        })
        .collect();
    let topics: Vec<Value> = status
        .topics
        .iter()
        .map(|topic| {
            json!({
                "region": topic.region,
                "topic": topic.name,
                "subscriptions": part(&topic.subscriptions, |subscriptions| found(subscriptions, |list| json!({
                    "confirmed": list.iter().filter(|s| !s.pending).map(|s| &s.email).collect::<Vec<_>>(),
                    "pending_confirmation": list.iter().filter(|s| s.pending).map(|s| &s.email).collect::<Vec<_>>(),
                }))),
            })
        })
        .collect();
    let alarms = status.alarms.as_ref().map(|alarms| {
        part(alarms, |alarms| {
            let mut map = Map::new();
            map.insert(
                "alarms".to_owned(),
                alarms
                    .iter()
                    .map(|alarm| {
                        json!({
                            "name": alarm.name,
                            "found": alarm.state.is_some(),
                            "state": alarm.state,
                            "state_reason": alarm.reason,
                            "state_updated_time": time_json(alarm.since),
                        })
                    })
                    .collect(),
            );
            map
        })
    });
    json!({
        "account_id": status.account_id,
        "home_region": status.home_region,
        "regions": status.regions,
        "error": null,
        "config": config,
        "trail": trail,
        "guardduty": guardduty,
        "vpc_flow_logs": flow_logs,
        "settings": status.checks.iter().map(|check| json!({
            "part": check.part,
            "result": part(&check.result, |verdict| {
                let mut map = Map::new();
                map.insert("holds".to_owned(), json!(verdict.holds));
                map.insert("text".to_owned(), json!(verdict.text));
                map
            }),
        })).collect::<Vec<_>>(),
        "alert_topics": topics,
        "alarms": alarms,
        "attention": attention(status),
        "not_available": status.not_available().iter().map(|(place, unread)| json!({
            "part": place,
            "call": unread.call,
            "reason": unread.reason,
        })).collect::<Vec<_>>(),
    })
}

/// The whole run's document: each account's status, or the error that left it without one.
/// The API calls made for it are counted as in `plan --json`: per account, and for the whole
/// run (`run_calls`: the caller's identity, roles assumed) at the top.
pub fn render_json(accounts: &[StatusReport<'_>], run_calls: &ApiCallCounts) -> Value {
    json!({
        "format_version": STATUS_FORMAT_VERSION,
        "watchpost_version": env!("CARGO_PKG_VERSION"),
        "accounts": accounts.iter().map(|report| {
            let mut entry = match &report.status {
                Ok(status) => account_json(status),
                Err(error) => json!({"account_id": report.account_id, "error": error}),
            };
            entry["api_calls"] = json!(report.api_calls);
            entry
        }).collect::<Vec<_>>(),
        "api_calls": sum_calls(accounts.iter().map(|report| report.api_calls).chain([run_calls])),
    })
}

/// One account's part of a run: its status, or why there is none, and the calls it took.
pub struct StatusReport<'a> {
    pub account_id: &'a str,
    pub status: Result<&'a AccountStatus, String>,
    pub api_calls: &'a ApiCallCounts,
}
