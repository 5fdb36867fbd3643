//! `[alarms]`: the metric filters on the trail's log group and the alarms on them.

use std::collections::BTreeMap;

use toml::Spanned;

use super::super::catalog;
use super::super::diagnostic::suggest;
use super::super::raw::{RawAlarmSettings, RawAlarms};
use super::super::{AlarmFilter, Alarms};
use super::checks::Checks;
use super::sections::{Sections, Written};

pub(super) fn read(checks: &mut Checks<'_>, written: Written<'_>, sections: &mut Sections) {
    sections.alarms = checks.declared(written, Checks::alarms);
}

impl Checks<'_> {
    fn alarms(&mut self, raw: RawAlarms) -> Option<Alarms> {
        let before = self.problems.len();
        self.not_reserved(raw.metric_namespace.as_ref(), "AWS/", "metric namespace");
        // No `:`: CloudWatch itself would take one, but a metric filter's namespace may not.
        let metric_namespace = self.aws_name(
            raw.metric_namespace,
            "Watchpost",
            "metric namespace",
            255,
            "._-/#",
        );
        let defaults = AlarmDefaults {
            threshold: self.threshold(raw.threshold).unwrap_or(1.0),
            period_seconds: self.period(raw.period_seconds).unwrap_or(300),
            evaluation_periods: self.evaluation_periods(raw.evaluation_periods).unwrap_or(1),
        };
        let mut filters = BTreeMap::new();
        for (name, settings) in raw.filters {
            let filter = self.alarm_filter(&name, settings, &defaults);
            filters.insert(name.into_inner(), filter);
        }
        (self.problems.len() == before).then_some(Alarms {
            metric_namespace,
            filters,
        })
    }

    fn alarm_filter(
        &mut self,
        name: &Spanned<String>,
        raw: RawAlarmSettings,
        defaults: &AlarmDefaults,
    ) -> AlarmFilter {
        let known = catalog::known_filter(name.get_ref());
        self.aws_name(Some(name.clone()), "", "metric filter name", 255, "._-/#");
        let pattern = match (&raw.pattern, known) {
            (Some(pattern), _) => {
                if let Err(problem) = check_filter_pattern(pattern.get_ref()) {
                    self.error(
                        pattern.span(),
                        format!("invalid filter pattern: {problem}"),
                        "see the CloudWatch Logs filter pattern syntax, e.g. { ($.eventName = DeleteTrail) }",
                    );
                }
                pattern.get_ref().clone()
            }
            (None, Some(known)) => known.pattern.to_owned(),
            (None, None) => {
                let known: Vec<&str> = catalog::METRIC_FILTERS.iter().map(|f| f.name).collect();
                self.error(
                    name.span(),
                    format!(
                        "`{}` is not a known metric filter and has no `pattern`",
                        name.get_ref()
                    ),
                    format!(
                        "{}; or give your own: pattern = '{{ $.eventName = DeleteTrail }}'",
                        suggest(name.get_ref(), known)
                    ),
                );
                String::new()
            }
        };
        if let Some(text) = &raw.description
            && text.get_ref().chars().count() > ALARM_DESCRIPTION_MAX
        {
            self.error(
                text.span(),
                format!(
                    "the description of `{}` is {} characters long",
                    name.get_ref(),
                    text.get_ref().chars().count()
                ),
                format!("CloudWatch takes at most {ALARM_DESCRIPTION_MAX} characters for an alarm's description"),
            );
        }
        let description = match (raw.description, known) {
            (Some(text), _) => text.into_inner(),
            (None, Some(known)) => known.alarm_description(),
            (None, None) => format!("Events matching the metric filter {}", name.get_ref()),
        };
        let before = self.problems.len();
        let period_seconds = self
            .period(raw.period_seconds)
            .unwrap_or(defaults.period_seconds);
        let evaluation_periods = self
            .evaluation_periods(raw.evaluation_periods)
            .unwrap_or(defaults.evaluation_periods);
        let window = i64::from(period_seconds) * i64::from(evaluation_periods);
        if self.problems.len() == before && window > evaluation_window_max(period_seconds) {
            self.error(
                name.span(),
                format!(
                    "the alarm `{}` would evaluate {evaluation_periods} periods of {period_seconds} seconds, {window} seconds in all",
                    name.get_ref()
                ),
                "CloudWatch evaluates at most 86400 seconds (one day) with a period under 3600, and 604800 (seven days) otherwise: lower period_seconds or evaluation_periods",
            );
        }
        AlarmFilter {
            pattern,
            description,
            threshold: self.threshold(raw.threshold).unwrap_or(defaults.threshold),
            period_seconds,
            evaluation_periods,
        }
    }

    fn threshold(&mut self, value: Option<Spanned<f64>>) -> Option<f64> {
        let value = value?;
        let threshold = *value.get_ref();
        if !(threshold.is_finite() && threshold >= 1.0) {
            self.error(
                value.span(),
                format!("threshold = {threshold} is not accepted"),
                "give a count of events, 1 or more",
            );
            return None;
        }
        Some(threshold)
    }

    fn period(&mut self, value: Option<Spanned<i64>>) -> Option<i32> {
        let value = value?;
        match i32::try_from(*value.get_ref()) {
            Ok(seconds) if seconds >= 60 && seconds % 60 == 0 && seconds <= 86_400 => Some(seconds),
            _ => {
                self.error(
                    value.span(),
                    format!("period_seconds = {} is not accepted", value.get_ref()),
                    "give a multiple of 60 from 60 to 86400",
                );
                None
            }
        }
    }

    fn evaluation_periods(&mut self, value: Option<Spanned<i64>>) -> Option<i32> {
        let value = value?;
        match i32::try_from(*value.get_ref()) {
            Ok(count) if (1..=100).contains(&count) => Some(count),
            _ => {
                self.error(
                    value.span(),
                    format!("evaluation_periods = {} is not accepted", value.get_ref()),
                    "give a count from 1 to 100",
                );
                None
            }
        }
    }
}

struct AlarmDefaults {
    threshold: f64,
    period_seconds: i32,
    evaluation_periods: i32,
}

/// The most text CloudWatch takes for an alarm's description.
pub(super) const ALARM_DESCRIPTION_MAX: usize = 1024;

/// The longest an alarm may evaluate: one day for periods under an hour, seven days otherwise.
fn evaluation_window_max(period_seconds: i32) -> i64 {
    if period_seconds < 3600 {
        86_400
    } else {
        604_800
    }
}

/// What can be checked of a filter pattern without AWS: its length, that quotes and brackets
/// close, and that a JSON pattern (`{ ... }`) names a field with `$.`.
pub(super) fn check_filter_pattern(pattern: &str) -> Result<(), String> {
    let trimmed = pattern.trim();
    if trimmed.is_empty() {
        return Err("it is empty".to_owned());
    }
    let length = pattern.chars().count();
    if length > 1024 {
        return Err(format!("it is {length} characters long; AWS accepts 1024"));
    }
    let mut open: Vec<char> = Vec::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in trimmed.chars() {
        if quoted {
            match (escaped, c) {
                (false, '\\') => escaped = true,
                (false, '"') => quoted = false,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '(' | '{' | '[' => open.push(c),
            ')' | '}' | ']' => {
                let expected = match c {
                    ')' => '(',
                    '}' => '{',
                    _ => '[',
                };
                if open.pop() != Some(expected) {
                    return Err(format!("`{c}` closes nothing"));
                }
            }
            c if c.is_control() && !c.is_whitespace() => {
                return Err("it holds a control character".to_owned());
            }
            _ => {}
        }
    }
    if quoted {
        return Err("a quoted string is not closed".to_owned());
    }
    if let Some(c) = open.pop() {
        return Err(format!("`{c}` is not closed"));
    }
    if trimmed.starts_with('{') && !(trimmed.ends_with('}') && trimmed.contains("$.")) {
        return Err("a JSON pattern is `{ $.field = value }`, wrapped whole in braces".to_owned());
    }
    Ok(())
}
