use super::{Read, unknown};
use crate::aws::{Context, Session};
use crate::baseline::Alarms;
use crate::model::{AlarmSpec, Kind, Live, ResourceId, Spec, is_managed_tag};

/// The alarms in the home region on metrics of watchpost's namespace: the baseline's, and any
/// it made before that the baseline no longer names (those carry the managed-by tag).
pub async fn alarms(session: &Session, home: &str, baseline: &Alarms, ownership: bool) -> Read {
    let failed = |error| (unknown(&[Kind::MetricAlarm], home), error);
    let client = session.cloudwatch(home);
    let place = format!("the alarms in {home}");
    let mut found = Vec::new();
    let mut pages = client.describe_alarms().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page
            .call("cloudwatch:DescribeAlarms", &place)
            .map_err(failed)?;
        for alarm in page.metric_alarms() {
            let Some(name) = alarm.alarm_name() else {
                continue;
            };
            if alarm.namespace() != Some(baseline.metric_namespace.as_str()) {
                continue;
            }
            let owned = if baseline.filters.contains_key(name) && !ownership {
                false
            } else {
                let tags = client
                    .list_tags_for_resource()
                    .resource_arn(alarm.alarm_arn().unwrap_or_default())
                    .send()
                    .await
                    .call("cloudwatch:ListTagsForResource", &place)
                    .map_err(failed)?;
                tags.tags()
                    .iter()
                    .any(|tag| is_managed_tag(tag.key(), tag.value()))
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
                    owned,
                },
            ));
        }
    }
    Ok(found)
}
