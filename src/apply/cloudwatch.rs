use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic, Tag};

use super::MANAGED_TAG;
use super::{Account, Converge};
use crate::aws::{AwsError, Context};
use crate::model::AlarmSpec;
use crate::plan::{Action, Change};

impl Converge for AlarmSpec {
    /// Put is create-or-replace for an alarm.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let mut put = at
            .session
            .cloudwatch(&change.id.region)
            .put_metric_alarm()
            .alarm_name(&change.id.name)
            .alarm_description(&self.description)
            .namespace(&self.metric_namespace)
            .metric_name(&self.metric_name)
            .statistic(Statistic::from(self.statistic.as_str()))
            .period(self.period_seconds)
            .evaluation_periods(self.evaluation_periods)
            .threshold(self.threshold)
            .comparison_operator(ComparisonOperator::from(self.comparison_operator.as_str()))
            .treat_missing_data(&self.treat_missing_data)
            .set_alarm_actions(Some(self.alarm_actions.clone()));
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

    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        at.session
            .cloudwatch(&change.id.region)
            .delete_alarms()
            .alarm_names(&change.id.name)
            .send()
            .await
            .call("cloudwatch:DeleteAlarms", &change.id)
            .map(drop)
    }
}
