use aws_sdk_cloudwatchlogs::types::MetricTransformation;

use super::MANAGED_TAG;
use crate::aws::{AwsError, Class, Context, Session};
use crate::model::{LogGroupSpec, MetricFilterSpec};
use crate::plan::{Action, Change};

pub async fn log_group(
    session: &Session,
    change: &Change,
    spec: &LogGroupSpec,
) -> Result<(), AwsError> {
    let client = session.logs(&change.id.region);
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
    if let (true, Some(days)) = (change.changes_field("retention_days"), spec.retention_days) {
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

/// Put is create-or-replace for a metric filter.
pub async fn metric_filter(
    session: &Session,
    change: &Change,
    spec: &MetricFilterSpec,
) -> Result<(), AwsError> {
    session
        .logs(&change.id.region)
        .put_metric_filter()
        .log_group_name(&spec.log_group_name)
        .filter_name(&change.id.name)
        .filter_pattern(&spec.pattern)
        .metric_transformations(
            MetricTransformation::builder()
                .metric_name(&spec.metric_name)
                .metric_namespace(&spec.metric_namespace)
                .metric_value("1")
                .build()
                .expect("name, namespace and value are set"),
        )
        .send()
        .await
        .call("logs:PutMetricFilter", &change.id)
        .map(drop)
}

pub async fn delete_metric_filter(
    session: &Session,
    change: &Change,
    spec: &MetricFilterSpec,
) -> Result<(), AwsError> {
    session
        .logs(&change.id.region)
        .delete_metric_filter()
        .log_group_name(&spec.log_group_name)
        .filter_name(&change.id.name)
        .send()
        .await
        .call("logs:DeleteMetricFilter", &change.id)
        .map(drop)
}

pub async fn delete_log_group(session: &Session, change: &Change) -> Result<(), AwsError> {
    session
        .logs(&change.id.region)
        .delete_log_group()
        .log_group_name(&change.id.name)
        .send()
        .await
        .call("logs:DeleteLogGroup", &change.id)
        .map(drop)
}
