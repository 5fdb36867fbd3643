//! A rough monthly cost of what the baseline turns on, for the end of `plan`: list prices
//! carried in the repo ([`prices`], sourced in docs/costs.md), what the plan read from the
//! account (the regions, the rules placed in each, the resources AWS Config records, the trails
//! already there) and, where the account cannot tell, stated assumptions. Pure: the counts it
//! needs are read by `observe::usage`.
//!
//! It is an estimate and says so: every line is a range, and the lines that only workloads
//! decide (most of GuardDuty's protection features) have no upper bound.

mod prices;
mod render;

use std::collections::BTreeMap;

pub use render::{CostTotal, cost_json, cost_line, render_cost};

use self::prices::{Price, assumed};
use super::desired::Desired;
use crate::baseline::catalog::RuleScope;
use crate::baseline::{AccessLogs, Baseline, VpcFlowLogs};
use crate::model::{Kind, Observed, Spec, Unread, Usage};

/// A range of US dollars. `high` is `None` when nothing bounds it but the account's workloads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Money {
    pub low: f64,
    pub high: Option<f64>,
}

impl Money {
    fn range(low: f64, high: f64) -> Money {
        Money {
            low,
            high: Some(high),
        }
    }

    fn zero() -> Money {
        Money::range(0.0, 0.0)
    }

    fn unbounded() -> Money {
        Money {
            low: 0.0,
            high: None,
        }
    }
}

/// Unbounded plus anything is unbounded.
impl std::ops::Add for Money {
    type Output = Money;

    fn add(self, other: Money) -> Money {
        Money {
            low: self.low + other.low,
            high: self.high.zip(other.high).map(|(a, b)| a + b),
        }
    }
}

impl std::ops::AddAssign for Money {
    fn add_assign(&mut self, other: Money) {
        *self = *self + other;
    }
}

/// One priced part of the baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub service: &'static str,
    /// A stable name for the line, for `--json`.
    pub item: &'static str,
    /// What is counted and how, in words.
    pub text: String,
    pub cost: Money,
    /// `false`: paid once, in the first month, not every month.
    pub recurring: bool,
    /// The docs/costs.md sources of the prices used.
    pub sources: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub lines: Vec<Line>,
    /// Reads that failed, so that an assumption stands in for them: what, and why.
    pub unread: Vec<(String, Unread)>,
}

impl Estimate {
    /// The sum of the lines paid every month; its `high` bounds only the bounded lines.
    pub fn monthly(&self) -> Money {
        sum(self.lines.iter().filter(|line| line.recurring))
    }

    /// What the first month adds.
    pub fn first_month_extra(&self) -> Money {
        sum(self.lines.iter().filter(|line| !line.recurring))
    }

    /// The lines whose cost only the account's workloads bound.
    pub fn unbounded(&self) -> usize {
        self.lines
            .iter()
            .filter(|line| line.cost.high.is_none())
            .count()
    }
}

fn sum<'a>(lines: impl Iterator<Item = &'a Line>) -> Money {
    let mut total = Money::zero();
    for line in lines {
        total.low += line.cost.low;
        // Unbounded lines are counted apart, so the bounded total stays a number.
        if let (Some(sum), Some(high)) = (total.high.as_mut(), line.cost.high) {
            *sum += high;
        }
    }
    total
}

/// A quantity known only as a range.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Span(f64, f64);

impl Span {
    fn exact(value: f64) -> Span {
        Span(value, value)
    }

    fn times(self, factor: f64) -> Span {
        Span(self.0 * factor, self.1 * factor)
    }

    fn price(self, price: Price) -> Money {
        Money::range(price.of(self.0), price.of(self.1))
    }
}

impl std::ops::Add for Span {
    type Output = Span;

    fn add(self, other: Span) -> Span {
        Span(self.0 + other.0, self.1 + other.1)
    }
}

impl From<(f64, f64)> for Span {
    fn from((low, high): (f64, f64)) -> Span {
        Span(low, high)
    }
}

/// The monthly cost of what `baseline` turns on in the account `observed` describes, with what
/// `usage` could tell.
pub fn estimate(baseline: &Baseline, observed: &Observed, usage: &Usage) -> Estimate {
    let desired = super::desired_resources(baseline, observed);
    let mut estimate = Estimate {
        lines: Vec::new(),
        unread: Vec::new(),
    };
    config(baseline, observed, usage, &desired, &mut estimate);
    cloudtrail(baseline, usage, &mut estimate);
    guardduty(baseline, observed, &desired, &mut estimate);
    cloudwatch(&desired, &mut estimate);
    kms(observed, &desired, &mut estimate);
    if baseline.config.is_some() || baseline.cloudtrail.is_some() {
        estimate.lines.push(Line {
            service: "S3",
            item: "log_bucket",
            text: "the log bucket: AWS puts typical S3 charges for a trail's deliveries under $3 a month".to_owned(),
            cost: Money::range(0.0, prices::S3_TYPICAL_MONTHLY_MAX.usd),
            recurring: true,
            sources: vec![prices::S3_TYPICAL_MONTHLY_MAX.source],
        });
        if let Some(logs) = &baseline.log_bucket.access_logs {
            access_logs(logs, &mut estimate);
        }
        if let Some(flow_logs) = &baseline.vpc_flow_logs {
            vpc_flow_logs(flow_logs, baseline, &desired, &mut estimate);
        }
    }
    estimate
}

/// The flow logs of the VPCs the plan covers: delivered to S3 as vended logs, then stored in
/// the log bucket until they expire.
fn vpc_flow_logs(
    flow_logs: &VpcFlowLogs,
    baseline: &Baseline,
    desired: &[Desired],
    estimate: &mut Estimate,
) {
    let vpcs = count(desired, Kind::FlowLog);
    let per_vpc = Span::from(match flow_logs.traffic_type.as_str() {
        "ALL" => assumed::FLOW_LOG_GB_ALL,
        _ => assumed::FLOW_LOG_GB_REJECTED,
    });
    let delivered = per_vpc.times(vpcs as f64);
    let months_kept = f64::from(baseline.log_bucket.expire_after_days) / assumed::DAYS_PER_MONTH;
    let stored = delivered.times(months_kept);
    estimate.lines.push(Line {
        service: "VPC",
        item: "flow_logs",
        text: format!(
            "flow logs of {vpcs} VPC(s), {} traffic: {} GB a month (assumed: {} GB a VPC; they follow the traffic), delivered at $0.25 per GB, then {} GB held in the log bucket for its {} days at $0.023 per GB-month",
            flow_logs.traffic_type.to_lowercase(),
            span(delivered),
            span(per_vpc),
            span(stored),
            baseline.log_bucket.expire_after_days
        ),
        cost: delivered.price(prices::VENDED_LOGS_TO_S3_GB)
            + stored.price(prices::S3_STANDARD_GB_MONTH),
        recurring: true,
        sources: vec![
            prices::VENDED_LOGS_TO_S3_GB.source,
            prices::S3_STANDARD_GB_MONTH.source,
        ],
    });
}

/// The log bucket's server access logs: logging itself is free, and the records are stored
/// until they expire.
fn access_logs(logs: &AccessLogs, estimate: &mut Estimate) {
    let records = Span::from(assumed::LOG_BUCKET_REQUESTS);
    let months_kept = f64::from(logs.expire_after_days) / assumed::DAYS_PER_MONTH;
    let stored = records.times(assumed::ACCESS_LOG_RECORD_KB / 1_000_000.0 * months_kept);
    estimate.lines.push(Line {
        service: "S3",
        item: "access_logs",
        text: format!(
            "the log bucket's access logs: {} records a month (assumed: one per request to the log bucket, {} KB each), kept {} days, {} GB stored, at $0.023 per GB-month; S3 charges nothing for the logging itself",
            span(records),
            assumed::ACCESS_LOG_RECORD_KB,
            logs.expire_after_days,
            span(stored)
        ),
        cost: stored.price(prices::S3_STANDARD_GB_MONTH),
        recurring: true,
        sources: vec![prices::S3_STANDARD_GB_MONTH.source],
    });
}

fn count(desired: &[Desired], kind: Kind) -> usize {
    desired.iter().filter(|d| d.id.kind == kind).count()
}

/// Configuration items and rule evaluations, region by region: rule evaluations are priced in
/// tiers per region.
fn config(
    baseline: &Baseline,
    observed: &Observed,
    usage: &Usage,
    desired: &[Desired],
    estimate: &mut Estimate,
) {
    let Some(config) = &baseline.config else {
        return;
    };
    let mut resources = Span::exact(0.0);
    let mut newly_recorded = Span::exact(0.0);
    let mut items = Money::zero();
    let mut evaluations = Money::zero();
    let mut first_evaluations = Span::exact(0.0);
    let (mut counted, mut assumed_regions) = (0, 0);
    let mut rules = 0;
    // Regions whose count failed, by failure: one note for a call that fails everywhere.
    let mut uncounted: BTreeMap<&Unread, Vec<&str>> = BTreeMap::new();
    for region in &observed.regions {
        let recording = observed.is_recording(region);
        let here = match usage.recorded_resources.get(region) {
            Some(Ok(found)) => {
                counted += 1;
                Span::exact(*found as f64)
            }
            other => {
                if let Some(Err(unread)) = other {
                    uncounted.entry(unread).or_default().push(region.as_str());
                }
                assumed_regions += 1;
                assumed::RESOURCES_PER_REGION.into()
            }
        };
        let (mut account_rules, mut resource_rules) = (0.0, 0.0);
        for rule in desired
            .iter()
            .filter(|d| d.id.kind == Kind::ConfigRule && d.id.region == *region)
        {
            rules += 1;
            match config.rules.get(&rule.id.name).map(|rule| rule.scope) {
                Some(RuleScope::Account) => account_rules += 1.0,
                _ => resource_rules += 1.0,
            }
        }
        let changes = Span(
            here.0 * assumed::ITEMS_PER_RESOURCE.0,
            here.1 * assumed::ITEMS_PER_RESOURCE.1,
        );
        let triggered = resource_rules * assumed::RULES_TRIGGERED_PER_ITEM;
        let periodic = account_rules * assumed::PERIODIC_EVALUATIONS;
        let region_evaluations = Span(
            periodic + changes.0 * triggered,
            periodic + resource_rules * assumed::PERIODIC_EVALUATIONS + changes.1 * triggered,
        );
        evaluations += Money::range(
            evaluation_cost(region_evaluations.0),
            evaluation_cost(region_evaluations.1),
        );
        items += changes.price(prices::CONFIG_ITEM);
        resources = resources + here;
        if !recording {
            newly_recorded = newly_recorded + here;
            first_evaluations = first_evaluations + here.times(triggered);
        }
    }
    for (unread, places) in uncounted {
        estimate.unread.push((
            format!("the resources AWS Config records in {}", places.join(", ")),
            unread.clone(),
        ));
    }
    let regions = observed.regions.len();
    let where_from = match (counted, assumed_regions) {
        (_, 0) => "as AWS Config counts them".to_owned(),
        (0, _) => format!(
            "assumed {}–{} a region",
            number(assumed::RESOURCES_PER_REGION.0),
            number(assumed::RESOURCES_PER_REGION.1)
        ),
        (counted, assumed_regions) => format!(
            "counted in {counted} region(s), assumed {}–{} in the {assumed_regions} other(s)",
            number(assumed::RESOURCES_PER_REGION.0),
            number(assumed::RESOURCES_PER_REGION.1)
        ),
    };
    estimate.lines.push(Line {
        service: "AWS Config",
        item: "config_items",
        text: format!(
            "configuration items: {} recorded resources in {regions} region(s) ({where_from}), each changing {}–{} times a month (assumed), at ${} an item",
            span(resources),
            assumed::ITEMS_PER_RESOURCE.0,
            assumed::ITEMS_PER_RESOURCE.1,
            prices::CONFIG_ITEM.usd
        ),
        cost: items,
        recurring: true,
        sources: vec![prices::CONFIG_ITEM.source],
    });
    estimate.lines.push(Line {
        service: "AWS Config",
        item: "config_rule_evaluations",
        text: format!(
            "rule evaluations: {rules} rule(s) in {regions} region(s), each evaluating when a resource it covers changes and account-wide rules once a day, at ${} an evaluation (${} past 100,000 in a region)",
            prices::CONFIG_EVALUATION.usd,
            prices::CONFIG_EVALUATION_BEYOND_FIRST.usd
        ),
        cost: evaluations,
        recurring: true,
        sources: vec![prices::CONFIG_EVALUATION.source],
    });
    if newly_recorded.1 > 0.0 {
        estimate.lines.push(Line {
            service: "AWS Config",
            item: "config_first_recording",
            text: format!(
                "first recording: each of {} resources in the region(s) not recording yet is recorded once, and evaluated by the rules that cover it",
                span(newly_recorded)
            ),
            cost: newly_recorded.price(prices::CONFIG_ITEM)
                + first_evaluations.price(prices::CONFIG_EVALUATION),
            recurring: false,
            sources: vec![prices::CONFIG_ITEM.source, prices::CONFIG_EVALUATION.source],
        });
    }
}

/// Rule evaluations of a month in one region, at the region's tiers.
fn evaluation_cost(evaluations: f64) -> f64 {
    let first = evaluations.min(prices::CONFIG_EVALUATIONS_FIRST_TIER);
    prices::CONFIG_EVALUATION.of(first)
        + prices::CONFIG_EVALUATION_BEYOND_FIRST.of(evaluations - first)
}

/// What `[cloudtrail.s3_data_events]` logs, in a few words.
fn s3_data_events_scope(events: &crate::model::S3DataEvents) -> String {
    let access = match (events.reads, events.writes) {
        (true, true) => "reads and writes",
        (true, false) => "reads",
        _ => "writes",
    };
    match events.buckets.len() {
        0 => format!("{access} of every bucket"),
        1 => format!("{access} of 1 bucket"),
        count => format!("{access} of {count} buckets"),
    }
}

fn management_events() -> Span {
    assumed::MANAGEMENT_EVENTS.into()
}

fn cloudtrail(baseline: &Baseline, usage: &Usage, estimate: &mut Estimate) {
    let Some(cloudtrail) = &baseline.cloudtrail else {
        return;
    };
    let events = management_events();
    let second_copy = events.price(prices::TRAIL_EXTRA_MANAGEMENT_COPY);
    let (text, cost) = match &usage.other_trails {
        Some(Ok(others)) if others.is_empty() => (
            "management events: no other trail records here, so watchpost's trail is the first copy, which is free".to_owned(),
            Money::zero(),
        ),
        Some(Ok(others)) => (
            format!(
                "management events: other trails record here ({}); if one of them logs management events, watchpost's trail is a second copy, at $2.00 per 100,000 events, {} events a month (assumed)",
                others.join(", "),
                span(events)
            ),
            Money::range(0.0, second_copy.high.unwrap_or_default()),
        ),
        unknown => {
            if let Some(Err(unread)) = unknown {
                estimate
                    .unread
                    .push(("the account's other trails".to_owned(), unread.clone()));
            }
            (
                format!(
                    "management events: free if watchpost's trail is the account's first copy; a second copy is $2.00 per 100,000 events, {} events a month (assumed); the account's other trails were not read",
                    span(events)
                ),
                Money::range(0.0, second_copy.high.unwrap_or_default()),
            )
        }
    };
    estimate.lines.push(Line {
        service: "CloudTrail",
        item: "trail_management_events",
        text,
        cost,
        recurring: true,
        sources: vec![prices::TRAIL_EXTRA_MANAGEMENT_COPY.source],
    });
    let data_events = Span::from(assumed::DATA_EVENTS);
    let (text, cost) = match (&cloudtrail.s3_data_events, &usage.trail_data_events) {
        (Some(s3), _) => (
            format!(
                "S3 data events ({}): {} events a month (assumed; they follow the workload's object reads and writes), at $0.10 per 100,000",
                s3_data_events_scope(s3),
                span(data_events)
            ),
            data_events.price(prices::TRAIL_DATA_EVENTS),
        ),
        (None, None | Some(false)) => (
            "data events: off ([cloudtrail.s3_data_events] turns on those of S3)".to_owned(),
            Money::zero(),
        ),
        (None, Some(true)) => (
            format!(
                "data events: on for watchpost's trail, {} events a month (assumed), at $0.10 per 100,000",
                span(data_events)
            ),
            data_events.price(prices::TRAIL_DATA_EVENTS),
        ),
    };
    estimate.lines.push(Line {
        service: "CloudTrail",
        item: "trail_data_events",
        text,
        cost,
        recurring: true,
        sources: vec![prices::TRAIL_DATA_EVENTS.source],
    });
    // The trail delivers its data events to the log group too.
    let delivered = match cloudtrail.s3_data_events {
        Some(_) => Span(events.0 + data_events.0, events.1 + data_events.1),
        None => events,
    };
    let ingested = delivered.times(assumed::EVENT_KB / 1_000_000.0);
    estimate.lines.push(Line {
        service: "CloudWatch Logs",
        item: "log_ingestion",
        text: format!(
            "the trail's log group, ingestion: {} GB a month ({} KB an event{}), at $0.50 per GB past the 5 GB free tier",
            span(ingested),
            assumed::EVENT_KB,
            if cloudtrail.s3_data_events.is_some() {
                ", the S3 data events with the management events"
            } else {
                ""
            }
        ),
        cost: above_free_tier(ingested, prices::FREE_LOG_GB, prices::LOG_INGESTION_GB),
        recurring: true,
        sources: vec![prices::LOG_INGESTION_GB.source, 3],
    });
    let kept = ingested.times(f64::from(cloudtrail.log_retention_days) / assumed::DAYS_PER_MONTH);
    estimate.lines.push(Line {
        service: "CloudWatch Logs",
        item: "log_storage",
        text: format!(
            "the trail's log group, storage: {} GB held once {} days of events are kept, at $0.03 per GB a month past the free tier",
            span(kept),
            cloudtrail.log_retention_days
        ),
        cost: Money::range(0.0, prices::LOG_STORAGE_GB_MONTH.of(kept.1)),
        recurring: true,
        sources: vec![prices::LOG_STORAGE_GB_MONTH.source, 3],
    });
}

/// Free when the account's free tier is not used by anything else, at full price when it is.
fn above_free_tier(units: Span, free: f64, price: Price) -> Money {
    Money::range(price.of((units.0 - free).max(0.0)), price.of(units.1))
}

fn guardduty(
    baseline: &Baseline,
    observed: &Observed,
    desired: &[Desired],
    estimate: &mut Estimate,
) {
    let Some(guardduty) = &baseline.guardduty else {
        return;
    };
    let regions = count(desired, Kind::GuarddutyDetector);
    let new_regions = desired
        .iter()
        .filter(|d| d.id.kind == Kind::GuarddutyDetector && !observed.resources.contains_key(&d.id))
        .count();
    let trial = if new_regions > 0 {
        format!(
            "; the first 30 days are free in the {new_regions} region(s) where GuardDuty is new"
        )
    } else {
        String::new()
    };
    let events = management_events();
    estimate.lines.push(Line {
        service: "GuardDuty",
        item: "guardduty_management_events",
        text: format!(
            "CloudTrail management events analysed: {} a month (assumed), at $4.00 per million{trial}",
            span(events)
        ),
        cost: events.price(prices::GUARDDUTY_MANAGEMENT_EVENTS),
        recurring: true,
        sources: vec![prices::GUARDDUTY_MANAGEMENT_EVENTS.source],
    });
    let flow = Span::from(assumed::FLOW_AND_DNS_GB_PER_REGION).times(regions as f64);
    estimate.lines.push(Line {
        service: "GuardDuty",
        item: "guardduty_flow_and_dns_logs",
        text: format!(
            "VPC flow and DNS query logs analysed: {}–{} GB in each of {regions} region(s) a month (assumed; it follows network traffic), at $1.00 per GB",
            assumed::FLOW_AND_DNS_GB_PER_REGION.0,
            assumed::FLOW_AND_DNS_GB_PER_REGION.1
        ),
        cost: flow.price(prices::GUARDDUTY_FLOW_AND_DNS_GB),
        recurring: true,
        sources: vec![prices::GUARDDUTY_FLOW_AND_DNS_GB.source],
    });
    for (feature, _) in guardduty.features.iter().filter(|(_, on)| **on) {
        let (name, priced_by) = prices::guardduty_feature(feature)
            .unwrap_or(("protection feature", "priced by the volume it analyses"));
        estimate.lines.push(Line {
            service: "GuardDuty",
            item: "guardduty_feature",
            text: format!(
                "{name} ({feature}) in {regions} region(s): {priced_by}; nothing where there is nothing to analyse"
            ),
            cost: Money::unbounded(),
            recurring: true,
            sources: vec![prices::GUARDDUTY_MANAGEMENT_EVENTS.source],
        });
    }
}

fn cloudwatch(desired: &[Desired], estimate: &mut Estimate) {
    placed(desired, Kind::MetricAlarm, estimate, |alarms| {
        monthly(
            "CloudWatch",
            "alarms",
            format!(
                "alarms: {alarms} standard-resolution alarm(s), at $0.10 each a month past the 10 free"
            ),
            above_free_tier(Span::exact(alarms), prices::FREE_ALARMS, prices::ALARM),
            vec![prices::ALARM.source, 3],
        )
    });
    placed(desired, Kind::MetricFilter, estimate, |metrics| {
        monthly(
            "CloudWatch",
            "custom_metrics",
            format!(
                "custom metrics: one per metric filter, {metrics}, at $0.30 each a month past the 10 free"
            ),
            above_free_tier(
                Span::exact(metrics),
                prices::FREE_CUSTOM_METRICS,
                prices::CUSTOM_METRIC,
            ),
            vec![prices::CUSTOM_METRIC.source, 3],
        )
    });
}

/// The line `line` makes of how many `kind` resources the baseline places, if it places any.
fn placed(
    desired: &[Desired],
    kind: Kind,
    estimate: &mut Estimate,
    line: impl FnOnce(f64) -> Line,
) {
    let placed = count(desired, kind);
    if placed > 0 {
        estimate.lines.push(line(placed as f64));
    }
}

/// A line paid every month.
fn monthly(
    service: &'static str,
    item: &'static str,
    text: String,
    cost: Money,
    sources: Vec<u8>,
) -> Line {
    Line {
        service,
        item,
        text,
        cost,
        recurring: true,
        sources,
    }
}

/// The keys watchpost makes, and the data keys the trail asks of them.
fn kms(observed: &Observed, desired: &[Desired], estimate: &mut Estimate) {
    placed(desired, Kind::KmsKey, estimate, |keys| {
        monthly(
            "KMS",
            "kms_keys",
            format!(
                "keys watchpost makes: {keys}, at $1.00 each a month in its first year; each yearly rotation adds $1.00 a month"
            ),
            Span::exact(keys).price(prices::KMS_KEY),
            vec![prices::KMS_KEY.source],
        )
    });
    let encrypted_trail = desired
        .iter()
        .any(|d| matches!(&d.spec, Spec::Trail(trail) if trail.kms_key_id.is_some()));
    if encrypted_trail {
        let requests = assumed::TRAIL_LOG_FILES_PER_REGION * observed.regions.len() as f64;
        estimate.lines.push(Line {
            service: "KMS",
            item: "kms_requests",
            text: format!(
                "requests: a data key for each log file the trail delivers, about {} a month in {} region(s) (assumed: one file every 5 minutes a region), at $0.03 per 10,000 past the 20,000 free",
                number(requests),
                observed.regions.len()
            ),
            cost: above_free_tier(
                Span::exact(requests),
                prices::FREE_KMS_REQUESTS,
                prices::KMS_REQUESTS,
            ),
            recurring: true,
            sources: vec![prices::KMS_REQUESTS.source],
        });
    }
}

/// `12,345`, or `0.15` below 10.
fn number(value: f64) -> String {
    if value < 10.0 && value.fract() != 0.0 {
        let text = format!("{value:.2}");
        return text.trim_end_matches('0').trim_end_matches('.').to_owned();
    }
    let digits = format!("{:.0}", value);
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn span(span: Span) -> String {
    if span.0 == span.1 {
        number(span.0)
    } else {
        format!("{}–{}", number(span.0), number(span.1))
    }
}

#[cfg(test)]
mod tests;
