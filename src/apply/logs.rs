use aws_sdk_cloudwatchlogs::types::MetricTransformation;

use super::MANAGED_TAG;
use super::{Account, Converge};
use crate::aws::{AwsError, Class, Context};
use crate::model::{LogGroupSpec, MetricFilterSpec};
use crate::plan::{Action, Change};

impl Converge for LogGroupSpec {
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.logs(&change.id.region);
        let name = change.id.name.as_str();
        if change.action == Action::Create {
            match client
                .create_log_group()
                .log_group_name(name)
                .tags(MANAGED_TAG.0, MANAGED_TAG.1)
                .send()
                .await
                .call("logs:CreateLogGroup", &change.id)
            {
                Ok(_) => {}
                Err(error) if error.is(Class::AlreadyExists) => {}
                Err(error) => return Err(error),
            }
        }
        if let (true, Some(days)) = (change.changes_field("retention_days"), self.retention_days) {
            client
                .put_retention_policy()
                .log_group_name(name)
                .retention_in_days(days)
                .send()
                .await
                .call("logs:PutRetentionPolicy", &change.id)?;
        }
        Ok(())
    }

    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        at.session
            .logs(&change.id.region)
            .delete_log_group()
            .log_group_name(&change.id.name)
            .send()
            .await
            .call("logs:DeleteLogGroup", &change.id)
            .map(drop)
    }
}

impl Converge for MetricFilterSpec {
    /// Put is create-or-replace for a metric filter.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        at.session
            .logs(&change.id.region)
            .put_metric_filter()
            .log_group_name(&self.log_group_name)
            .filter_name(&change.id.name)
            .filter_pattern(&self.pattern)
            .metric_transformations(
                MetricTransformation::builder()
                    .metric_name(&self.metric_name)
                    .metric_namespace(&self.metric_namespace)
                    .metric_value("1")
                    .build()
                    .expect("name, namespace and value are set"),
            )
            .send()
            .await
            .call("logs:PutMetricFilter", &change.id)
            .map(drop)
    }

    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        at.session
            .logs(&change.id.region)
            .delete_metric_filter()
            .log_group_name(&self.log_group_name)
            .filter_name(&change.id.name)
            .send()
            .await
            .call("logs:DeleteMetricFilter", &change.id)
            .map(drop)
    }
}
