use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic, Tag};

use super::MANAGED_TAG;
use crate::aws::{AwsError, Context, Session};
use crate::model::AlarmSpec;
use crate::plan::{Action, Change};

/// Put is create-or-replace for an alarm.
pub async fn alarm(session: &Session, change: &Change, spec: &AlarmSpec) -> Result<(), AwsError> {
    let mut put = session
        .cloudwatch(&change.id.region)
        .put_metric_alarm()
        .alarm_name(&change.id.name)
        .alarm_description(&spec.description)
        .namespace(&spec.metric_namespace)
        .metric_name(&spec.metric_name)
        .statistic(Statistic::from(spec.statistic.as_str()))
        .period(spec.period_seconds)
        .evaluation_periods(spec.evaluation_periods)
        .threshold(spec.threshold)
        .comparison_operator(ComparisonOperator::from(spec.comparison_operator.as_str()))
        .treat_missing_data(&spec.treat_missing_data)
        .set_alarm_actions(Some(spec.alarm_actions.clone()));
    if change.action == Action::Create {
        put = put.tags(
            Tag::builder()
                .key(MANAGED_TAG.0)
                .value(MANAGED_TAG.1)
                .build(),
        );
    }
    put.send()
        .await
        .call("cloudwatch:PutMetricAlarm", &change.id)
        .map(drop)
}

pub async fn delete_alarm(session: &Session, change: &Change) -> Result<(), AwsError> {
    session
        .cloudwatch(&change.id.region)
        .delete_alarms()
        .alarm_names(&change.id.name)
        .send()
        .await
        .call("cloudwatch:DeleteAlarms", &change.id)
        .map(drop)
}
