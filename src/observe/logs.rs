use super::Read;
use crate::aws::{AwsError, Context, Session};
use crate::model::{
    Kind, Live, LogGroupSpec, MANAGED_TAG, MetricFilterSpec, ResourceId, Spec, is_managed_tag,
};

/// The trail's log group and the metric filters on it. Metric filters have no tags: one that
/// feeds a metric in watchpost's namespace is watchpost's.
pub async fn log_group(
    session: &Session,
    home: &str,
    name: &str,
    namespace: Option<&str>,
    ownership: bool,
) -> Read {
    let id = ResourceId::new(Kind::LogGroup, home, name);
    let unknown = vec![id.clone(), ResourceId::singleton(Kind::MetricFilter, home)];
    let failed = |error| (unknown.clone(), error);
    let client = session.logs(home);
    // The metric filters are listed by the group's name, beside the group itself: for a group
    // that is not there, their ResourceNotFound says again what DescribeLogGroups says.
    let group = async {
        // A prefix matches other groups too (`name-archive`): page until the exact name shows.
        let mut pages = client
            .describe_log_groups()
            .log_group_name_prefix(name)
            .into_paginator()
            .send();
        let mut group = None;
        while let (None, Some(page)) = (&group, pages.next().await) {
            let page = page.call("logs:DescribeLogGroups", &id)?;
            group = page
                .log_groups()
                .iter()
                .find(|group| group.log_group_name() == Some(name))
                .cloned();
        }
        Ok::<_, AwsError>(group)
    };
    let filters = async {
        let mut filters = Vec::new();
        let mut pages = client
            .describe_metric_filters()
            .log_group_name(name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.call("logs:DescribeMetricFilters", &id)?;
            filters.extend_from_slice(page.metric_filters());
        }
        Ok::<_, AwsError>(filters)
    };
    let (group, filters) = tokio::join!(group, filters);
    let Some(group) = group.map_err(failed)? else {
        return Ok(Vec::new());
    };
    let filters = filters.map_err(failed)?;
    let owned = if ownership {
        let tags = client
            .list_tags_for_resource()
            .resource_arn(group.log_group_arn().unwrap_or_default())
            .send()
            .await
            .call("logs:ListTagsForResource", &id)
            .map_err(failed)?;
        tags.tags().is_some_and(|tags| {
            is_managed_tag(MANAGED_TAG.0, tags.get(MANAGED_TAG.0).map(String::as_str))
        })
    } else {
        false
    };
    let mut found = vec![(
        id.clone(),
        Live {
            spec: Spec::LogGroup(LogGroupSpec {
                retention_days: group.retention_in_days(),
            }),
            live_id: None,
            owned,
        },
    )];
    for filter in &filters {
        let Some(filter_name) = filter.filter_name() else {
            continue;
        };
        let metric = filter.metric_transformations().first();
        let owned = metric.is_some_and(|m| Some(m.metric_namespace()) == namespace);
        found.push((
            ResourceId::new(Kind::MetricFilter, home, filter_name),
            Live {
                spec: Spec::MetricFilter(MetricFilterSpec {
                    log_group_name: name.to_owned(),
                    pattern: filter.filter_pattern().unwrap_or_default().to_owned(),
                    metric_namespace: metric
                        .map(|m| m.metric_namespace().to_owned())
                        .unwrap_or_default(),
                    metric_name: metric
                        .map(|m| m.metric_name().to_owned())
                        .unwrap_or_default(),
                }),
                live_id: None,
                owned,
            },
        ));
    }
    Ok(found)
}
