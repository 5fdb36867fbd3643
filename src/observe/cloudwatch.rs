use super::{Read, unknown};
use crate::aws::{Context, Session};
use crate::model::{AlarmSpec, Kind, Live, ResourceId, Spec};

/// DescribeAlarms takes at most this many names at once.
const NAMES_PER_CALL: usize = 100;

/// The alarms of these names in the home region; only the baseline's are read.
pub async fn alarms(session: &Session, home: &str, names: Vec<String>) -> Read {
    let failed = |error| (unknown(&[Kind::MetricAlarm], home), error);
    let client = session.cloudwatch(home);
    let mut found = Vec::new();
    for chunk in names.chunks(NAMES_PER_CALL) {
        let answer = client
            .describe_alarms()
            .set_alarm_names(Some(chunk.to_vec()))
            .send()
            .await
            .call("cloudwatch:DescribeAlarms", format!("the alarms in {home}"))
            .map_err(failed)?;
        for alarm in answer.metric_alarms() {
            let Some(name) = alarm.alarm_name() else {
                continue;
            };
            let text = |value: Option<&str>| value.unwrap_or_default().to_owned();
            found.push((
                ResourceId::new(Kind::MetricAlarm, home, name),
                Live {
                    spec: Spec::Alarm(AlarmSpec {
                        description: text(alarm.alarm_description()),
                        metric_namespace: text(alarm.namespace()),
                        metric_name: text(alarm.metric_name()),
                        statistic: text(alarm.statistic().map(|s| s.as_str())),
                        period_seconds: alarm.period().unwrap_or_default(),
                        evaluation_periods: alarm.evaluation_periods().unwrap_or_default(),
                        threshold: alarm.threshold().unwrap_or_default(),
                        comparison_operator: text(alarm.comparison_operator().map(|c| c.as_str())),
                        treat_missing_data: text(alarm.treat_missing_data()),
                        alarm_actions: alarm.alarm_actions().to_vec(),
                    }),
                    live_id: None,
                },
            ));
        }
    }
    Ok(found)
}
