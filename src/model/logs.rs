use serde::{Deserialize, Serialize};

use super::{FieldChange, FieldDiff};

/// The CloudWatch Logs log group the trail delivers to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogGroupSpec {
    pub retention_days: Option<i32>,
}

impl LogGroupSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("retention_days", &self.retention_days, &live.retention_days);
        diff.finish()
    }
}

/// A metric filter on the trail's log group, counting matching events into a metric.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricFilterSpec {
    pub log_group_name: String,
    pub pattern: String,
    pub metric_namespace: String,
    pub metric_name: String,
}

/// A filter pattern as compared: whitespace outside quoted strings is insignificant to
/// CloudWatch Logs, so `{ $.a = 1 }` and `{$.a=1}` are the same pattern and not drift.
pub fn filter_pattern_text(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut quoted = false;
    let mut escaped = false;
    for c in pattern.trim().chars() {
        if quoted {
            out.push(c);
            match (escaped, c) {
                (false, '\\') => escaped = true,
                (false, '"') => quoted = false,
                _ => escaped = false,
            }
        } else if c == '"' {
            quoted = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    // A space is kept only where it separates two words (`NOT EXISTS`), never around symbols.
    let chars: Vec<char> = out.chars().collect();
    let mut compact = String::with_capacity(out.len());
    for (i, c) in chars.iter().enumerate() {
        if *c == ' ' {
            let before = i.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i + 1);
            let word = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric() || *c == '_');
            if !(word(before.as_ref()) && word(after)) {
                continue;
            }
        }
        compact.push(*c);
    }
    compact
}

impl MetricFilterSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("log_group_name", &self.log_group_name, &live.log_group_name);
        diff.field(
            "pattern",
            &filter_pattern_text(&self.pattern),
            &filter_pattern_text(&live.pattern),
        );
        diff.field(
            "metric_namespace",
            &self.metric_namespace,
            &live.metric_namespace,
        );
        diff.field("metric_name", &self.metric_name, &live.metric_name);
        diff.finish()
    }
}

/// A CloudWatch alarm on a metric filter's metric, notifying the alert topic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmSpec {
    pub description: String,
    pub metric_namespace: String,
    pub metric_name: String,
    pub statistic: String,
    pub period_seconds: i32,
    pub evaluation_periods: i32,
    pub threshold: f64,
    pub comparison_operator: String,
    pub treat_missing_data: String,
    pub alarm_actions: Vec<String>,
}

impl AlarmSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field(
            "metric_namespace",
            &self.metric_namespace,
            &live.metric_namespace,
        );
        diff.field("metric_name", &self.metric_name, &live.metric_name);
        diff.field("description", &self.description, &live.description);
        diff.field("statistic", &self.statistic, &live.statistic);
        diff.field("period_seconds", &self.period_seconds, &live.period_seconds);
        diff.field(
            "evaluation_periods",
            &self.evaluation_periods,
            &live.evaluation_periods,
        );
        diff.field("threshold", &self.threshold, &live.threshold);
        diff.field(
            "comparison_operator",
            &self.comparison_operator,
            &live.comparison_operator,
        );
        diff.field(
            "treat_missing_data",
            &self.treat_missing_data,
            &live.treat_missing_data,
        );
        diff.field("alarm_actions", &self.alarm_actions, &live.alarm_actions);
        diff.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::filter_pattern_text;

    #[test]
    fn spacing_is_not_part_of_a_pattern() {
        assert_eq!(
            filter_pattern_text(
                "{ ($.eventName = ConsoleLogin) && ($.errorMessage = \"Failed authentication\") }"
            ),
            filter_pattern_text(
                "{($.eventName=ConsoleLogin)&&($.errorMessage=\"Failed authentication\")}"
            ),
        );
        assert_eq!(
            filter_pattern_text("{ $.userIdentity.invokedBy NOT EXISTS }"),
            "{$.userIdentity.invokedBy NOT EXISTS}"
        );
    }

    #[test]
    fn spacing_inside_quotes_is_part_of_a_pattern() {
        assert_ne!(
            filter_pattern_text("{ $.errorMessage = \"Failed authentication\" }"),
            filter_pattern_text("{ $.errorMessage = \"Failed  authentication\" }"),
        );
    }
}
