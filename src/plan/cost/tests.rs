//! The estimate on data: baselines, observed accounts and usage in, lines and totals out.

use super::*;
use crate::model::{Live, RecordingSpec, ResourceId};

const ACCOUNT: &str = "111122223333";
const REGIONS: [&str; 2] = ["eu-west-1", "us-east-1"];

/// A small version of the recommended baseline: every section, two regions.
const EVERYTHING: &str = r#"
[scope]
regions = ["eu-west-1", "us-east-1"]
home_region = "us-east-1"

[guardduty]
[guardduty.features]
S3_DATA_EVENTS = true
RUNTIME_MONITORING = true
EKS_AUDIT_LOGS = false

[config]
[config.rules]
restricted-ssh = {}
iam-root-access-key-check = {}

[cloudtrail]
log_retention_days = 365

[alerts]
emails = ["security@example.com"]

[signin_notification]

[alarms]
[alarms.filters]
root-account-use = {}
console-signin-failures = {}
"#;

fn baseline(source: &str) -> Baseline {
    Baseline::parse("baseline.toml", source).unwrap()
}

fn empty_account() -> Observed {
    Observed {
        account_id: ACCOUNT.to_owned(),
        regions: REGIONS.map(str::to_owned).to_vec(),
        ..Observed::default()
    }
}

/// An account whose recorders record in every region, as after an apply.
fn recording_account() -> Observed {
    let mut observed = empty_account();
    for region in REGIONS {
        observed.resources.insert(
            ResourceId::singleton(Kind::ConfigRecording, region),
            Live {
                spec: Spec::Recording(RecordingSpec {
                    recorder_name: "watchpost".to_owned(),
                    recording: true,
                }),
                live_id: Some("watchpost".to_owned()),
                owned: false,
            },
        );
    }
    observed
}

fn line<'a>(estimate: &'a Estimate, item: &str) -> &'a Line {
    estimate
        .lines
        .iter()
        .find(|line| line.item == item)
        .unwrap_or_else(|| panic!("no line {item} in {:#?}", estimate.lines))
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < 1e-9
}

#[track_caller]
fn assert_money(money: Money, low: f64, high: f64) {
    assert!(
        close(money.low, low) && money.high.is_some_and(|h| close(h, high)),
        "expected {low}–{high}, got {money:?}"
    );
}

#[test]
fn an_empty_account_is_estimated_from_the_assumptions_and_says_so() {
    let estimate = estimate(&baseline(EVERYTHING), &empty_account(), &Usage::default());
    insta::assert_snapshot!(render_cost(&estimate));
}

#[test]
fn recorded_resources_replace_the_assumption_and_the_first_recording_is_past() {
    let usage = Usage {
        recorded_resources: BTreeMap::from([
            ("eu-west-1".to_owned(), Ok(100)),
            ("us-east-1".to_owned(), Ok(400)),
        ]),
        ..Usage::default()
    };
    let estimate = estimate(&baseline(EVERYTHING), &recording_account(), &usage);
    let items = line(&estimate, "config_items");
    // 500 resources, 0.1 to 2 items each a month, at $0.003.
    assert_money(items.cost, 500.0 * 0.1 * 0.003, 500.0 * 2.0 * 0.003);
    assert!(
        items.text.contains("500 recorded resources"),
        "{}",
        items.text
    );
    assert!(
        items.text.contains("as AWS Config counts them"),
        "{}",
        items.text
    );
    assert!(
        estimate.lines.iter().all(|line| line.recurring),
        "recording has started everywhere, so nothing is first recorded: {:#?}",
        estimate.lines
    );
    assert!(estimate.unread.is_empty());
}

#[test]
fn rule_evaluations_follow_the_rules_placed_in_each_region() {
    let usage = Usage {
        recorded_resources: BTreeMap::from([
            ("eu-west-1".to_owned(), Ok(100)),
            ("us-east-1".to_owned(), Ok(100)),
        ]),
        ..Usage::default()
    };
    let estimate = estimate(&baseline(EVERYTHING), &recording_account(), &usage);
    // restricted-ssh in both regions, iam-root-access-key-check (account-wide) in us-east-1:
    // per region, the account-wide rule 30 times a month, and the resource rule on 10% of the
    // changes (10 to 200 a month), plus up to 30 periodic runs.
    let eu = (0.1 * 10.0, 30.0 + 0.1 * 200.0);
    let us = (30.0 + 0.1 * 10.0, 30.0 + 30.0 + 0.1 * 200.0);
    let evaluations = line(&estimate, "config_rule_evaluations");
    assert_money(
        evaluations.cost,
        (eu.0 + us.0) * 0.001,
        (eu.1 + us.1) * 0.001,
    );
    assert!(evaluations.text.contains("3 rule(s) in 2 region(s)"));
}

#[test]
fn rule_evaluations_past_100000_in_a_region_are_cheaper() {
    assert!(close(evaluation_cost(50_000.0), 50.0));
    assert!(close(evaluation_cost(150_000.0), 100.0 + 40.0));
}

#[test]
fn a_region_not_recording_yet_pays_for_its_first_recording_once() {
    let mut observed = recording_account();
    observed
        .resources
        .remove(&ResourceId::singleton(Kind::ConfigRecording, "eu-west-1"));
    let usage = Usage {
        recorded_resources: BTreeMap::from([("us-east-1".to_owned(), Ok(100))]),
        ..Usage::default()
    };
    let estimate = estimate(&baseline(EVERYTHING), &observed, &usage);
    let first = line(&estimate, "config_first_recording");
    assert!(!first.recurring);
    // eu-west-1's assumed 15 to 300 resources, each recorded once and evaluated by
    // restricted-ssh one time in ten.
    assert_money(
        first.cost,
        15.0 * 0.003 + 15.0 * 0.1 * 0.001,
        300.0 * 0.003 + 300.0 * 0.1 * 0.001,
    );
    assert_money(
        estimate.first_month_extra(),
        first.cost.low,
        first.cost.high.unwrap(),
    );
    assert!(
        line(&estimate, "config_items")
            .text
            .contains("counted in 1 region(s), assumed 15–300 in the 1 other(s)")
    );
}

#[test]
fn a_count_that_could_not_be_read_is_assumed_and_named() {
    let unread = Unread {
        call: "config:GetDiscoveredResourceCounts".to_owned(),
        reason: "ThrottlingException: Rate exceeded".to_owned(),
    };
    let usage = Usage {
        recorded_resources: BTreeMap::from([
            ("eu-west-1".to_owned(), Err(unread.clone())),
            ("us-east-1".to_owned(), Ok(100)),
        ]),
        ..Usage::default()
    };
    let estimate = estimate(&baseline(EVERYTHING), &recording_account(), &usage);
    assert_eq!(
        estimate.unread,
        [(
            "the resources AWS Config records in eu-west-1".to_owned(),
            unread
        )]
    );
    let shown = render_cost(&estimate);
    assert!(
        shown.contains(
            "note: the estimate assumes the resources AWS Config records in eu-west-1:\n      config:GetDiscoveredResourceCounts failed: ThrottlingException: Rate exceeded\n"
        ),
        "{shown}"
    );
    assert!(
        shown.lines().all(|line| line.chars().count() <= 100),
        "every line fits the plan's width:\n{shown}"
    );
}

#[test]
fn a_call_failing_in_every_region_is_one_note() {
    let unread = Unread {
        call: "config:GetDiscoveredResourceCounts".to_owned(),
        reason: "HTTP 500".to_owned(),
    };
    let usage = Usage {
        recorded_resources: REGIONS
            .iter()
            .map(|region| ((*region).to_owned(), Err(unread.clone())))
            .collect(),
        ..Usage::default()
    };
    let estimate = estimate(&baseline(EVERYTHING), &recording_account(), &usage);
    assert_eq!(
        estimate.unread,
        [(
            "the resources AWS Config records in eu-west-1, us-east-1".to_owned(),
            unread
        )]
    );
}

#[test]
fn the_trail_is_free_as_the_first_copy_and_charged_as_a_second() {
    let only = Usage {
        other_trails: Some(Ok(Vec::new())),
        trail_data_events: Some(false),
        ..Usage::default()
    };
    let estimate_only = estimate(&baseline(EVERYTHING), &empty_account(), &only);
    assert_money(
        line(&estimate_only, "trail_management_events").cost,
        0.0,
        0.0,
    );
    assert_money(line(&estimate_only, "trail_data_events").cost, 0.0, 0.0);

    let second = Usage {
        other_trails: Some(Ok(vec!["org-trail".to_owned()])),
        trail_data_events: Some(true),
        ..Usage::default()
    };
    let estimate_second = estimate(&baseline(EVERYTHING), &empty_account(), &second);
    let management = line(&estimate_second, "trail_management_events");
    // Up to 1,000,000 events at $2.00 per 100,000, if org-trail logs them too.
    assert_money(management.cost, 0.0, 20.0);
    assert!(
        management.text.contains("(org-trail)"),
        "{}",
        management.text
    );
    // 1 to 100 million data events at $0.10 per 100,000.
    assert_money(line(&estimate_second, "trail_data_events").cost, 1.0, 100.0);
}

#[test]
fn s3_data_events_the_baseline_turns_on_are_priced_with_their_delivery_to_the_log_group() {
    let on = EVERYTHING.replace(
        "[cloudtrail]\n",
        "[cloudtrail]\ns3_data_events = { access = [\"write\"], buckets = [\"payroll\"] }\n",
    );
    let estimate = estimate(&baseline(&on), &empty_account(), &Usage::default());
    let data_events = line(&estimate, "trail_data_events");
    // 1 to 100 million data events at $0.10 per 100,000, whatever the trail has today.
    assert_money(data_events.cost, 1.0, 100.0);
    assert!(
        data_events.text.contains("writes of 1 bucket"),
        "{}",
        data_events.text
    );
    // 1.1 to 101 million events of 1.5 KB: 1.65 to 151.5 GB; within the free tier at best,
    // $0.50 a GB at worst.
    assert_money(line(&estimate, "log_ingestion").cost, 0.0, 151.5 * 0.5);
}

#[test]
fn flow_logs_are_priced_per_vpc_by_the_traffic_they_take() {
    let mut account = empty_account();
    account.vpcs = [
        ("eu-west-1".to_owned(), vec!["vpc-1".to_owned()]),
        ("us-east-1".to_owned(), vec!["vpc-2".to_owned()]),
    ]
    .into();
    let months = 365.0 / 30.4;
    let priced = |gb: f64| gb * 0.25 + gb * months * 0.023;
    for (traffic, (low, high)) in [("REJECT", (0.1, 10.0)), ("ALL", (1.0, 300.0))] {
        let source = format!("{EVERYTHING}\n[vpc_flow_logs]\ntraffic_type = \"{traffic}\"\n");
        let estimate = estimate(&baseline(&source), &account, &Usage::default());
        let flow_logs = line(&estimate, "flow_logs");
        assert_money(flow_logs.cost, priced(2.0 * low), priced(2.0 * high));
        assert!(
            flow_logs.text.starts_with("flow logs of 2 VPC(s)"),
            "{}",
            flow_logs.text
        );
    }
}

#[test]
fn log_storage_follows_the_retention() {
    let short = EVERYTHING.replace("log_retention_days = 365", "log_retention_days = 30");
    let estimate = estimate(&baseline(&short), &empty_account(), &Usage::default());
    // At most 1.5 GB a month (1,000,000 events of 1.5 KB), kept 30 days.
    assert_money(
        line(&estimate, "log_storage").cost,
        0.0,
        1.5 * 30.0 / 30.4 * 0.03,
    );
    // 0.15 to 1.5 GB ingested: within the 5 GB free tier at best, $0.50 a GB at worst.
    assert_money(line(&estimate, "log_ingestion").cost, 0.0, 0.75);
}

#[test]
fn alarms_and_their_metrics_are_free_up_to_ten() {
    let estimate = estimate(&baseline(EVERYTHING), &empty_account(), &Usage::default());
    assert_money(line(&estimate, "alarms").cost, 0.0, 0.2);
    assert_money(line(&estimate, "custom_metrics").cost, 0.0, 0.6);
}

#[test]
fn guardduty_features_have_no_upper_bound_and_stay_out_of_the_bounded_total() {
    let estimate = estimate(&baseline(EVERYTHING), &empty_account(), &Usage::default());
    let features: Vec<&Line> = estimate
        .lines
        .iter()
        .filter(|line| line.item == "guardduty_feature")
        .collect();
    // S3_DATA_EVENTS and RUNTIME_MONITORING; EKS_AUDIT_LOGS is off.
    assert_eq!(features.len(), 2, "{features:#?}");
    assert!(features.iter().all(|line| line.cost.high.is_none()));
    assert_eq!(estimate.unbounded(), 2);
    let bounded: f64 = estimate
        .lines
        .iter()
        .filter(|line| line.recurring)
        .filter_map(|line| line.cost.high)
        .sum();
    assert!(
        estimate
            .monthly()
            .high
            .is_some_and(|high| close(high, bounded))
    );
    // Management events at $4.00 per million; flow and DNS logs, 0 to 2 GB in each of 2 regions.
    assert_money(
        line(&estimate, "guardduty_management_events").cost,
        0.4,
        4.0,
    );
    assert_money(
        line(&estimate, "guardduty_flow_and_dns_logs").cost,
        0.0,
        4.0,
    );
    assert!(
        line(&estimate, "guardduty_management_events")
            .text
            .contains("the first 30 days are free in the 2 region(s) where GuardDuty is new")
    );
}

#[test]
fn a_key_watchpost_makes_costs_a_dollar_and_the_trail_asks_it_for_data_keys() {
    let with_key = format!("{EVERYTHING}\n[kms]\nalias = \"alias/watchpost\"\n");
    let estimate = estimate(&baseline(&with_key), &empty_account(), &Usage::default());
    assert_money(line(&estimate, "kms_keys").cost, 1.0, 1.0);
    // One log file every 5 minutes in each of 2 regions: 17,510 data keys, within the 20,000
    // free at best.
    let requests = 2.0 * 12.0 * 24.0 * 30.4;
    assert_money(
        line(&estimate, "kms_requests").cost,
        0.0,
        requests / 10_000.0 * 0.03,
    );
    let without = estimate_lines(&baseline(EVERYTHING));
    assert!(!without.contains(&"kms_keys") && !without.contains(&"kms_requests"));
}

fn estimate_lines(baseline: &Baseline) -> Vec<&'static str> {
    estimate(baseline, &empty_account(), &Usage::default())
        .lines
        .iter()
        .map(|line| line.item)
        .collect()
}

#[test]
fn only_what_the_baseline_turns_on_is_priced() {
    let guardduty_only =
        "[scope]\nregions = [\"us-east-1\"]\nhome_region = \"us-east-1\"\n[guardduty]\n";
    let estimate = estimate(
        &baseline(guardduty_only),
        &empty_account(),
        &Usage::default(),
    );
    let services: Vec<&str> = estimate.lines.iter().map(|line| line.service).collect();
    assert!(
        services.iter().all(|service| *service == "GuardDuty"),
        "{services:?}"
    );
}

#[test]
fn the_json_form_carries_every_line_in_cents() {
    let estimate = estimate(&baseline(EVERYTHING), &empty_account(), &Usage::default());
    let json = cost_json(&estimate);
    assert_eq!(json["currency"], "USD");
    assert_eq!(json["prices_read_on"], prices::PRICES_READ_ON);
    assert_eq!(
        json["lines"].as_array().map(Vec::len),
        Some(estimate.lines.len())
    );
    assert_eq!(json["unbounded_lines"], 2);
    let feature = json["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|line| line["item"] == "guardduty_feature")
        .unwrap();
    assert_eq!(feature["high"], Value::Null);
    for line in json["lines"].as_array().unwrap() {
        let low = line["low"].as_f64().unwrap();
        assert!(close(low, (low * 100.0).round() / 100.0), "{line}");
    }
}

use serde_json::Value;
