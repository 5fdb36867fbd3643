//! `[security_hub]`: the hub of a region with its standards, and the account's finding
//! aggregator.

use std::collections::BTreeSet;

use aws_sdk_securityhub::types::StandardsStatus;

use super::Read;
use crate::aws::{AbsentIfNotFound, AwsError, Context, Session};
use crate::model::{
    FindingAggregatorSpec, Kind, Live, ResourceId, SecurityHubSpec, Spec, is_managed_tag, partition,
};

/// The region's hub, if Security Hub is enabled there: the standards enabled, those the region
/// offers, and whether watchpost enabled it (its tag on the hub).
pub async fn hub(session: &Session, region: &str, account_id: &str) -> Read {
    let id = ResourceId::singleton(Kind::SecurityHub, region);
    let failed = |error| (vec![id.clone()], error);
    let client = session.securityhub(region);
    // The hub's ARN is known before it is read, so every read goes out at once; where Security
    // Hub is not enabled, each answers that it is not subscribed.
    let hub_arn = format!(
        "arn:{}:securityhub:{region}:{account_id}:hub/default",
        partition(region)
    );
    let (hub, enabled, offered, tags) = tokio::join!(
        async {
            client
                .describe_hub()
                .send()
                .await
                .call("securityhub:DescribeHub", &id)
                .absent_if_not_found()
        },
        enabled_standards(&client, &id),
        offered_standards(&client, &id),
        async {
            client
                .list_tags_for_resource()
                .resource_arn(&hub_arn)
                .send()
                .await
                .call("securityhub:ListTagsForResource", &id)
        }
    );
    if hub.map_err(failed)?.is_none() {
        return Ok(Vec::new());
    }
    let (enabled, offered, tags) = (
        enabled.map_err(failed)?,
        offered.map_err(failed)?,
        tags.map_err(failed)?,
    );
    let owned = tags.tags().is_some_and(|tags| {
        tags.iter()
            .any(|(key, value)| is_managed_tag(key.as_str(), value.as_str()))
    });
    let mut not_ready = Vec::new();
    let mut standards = BTreeSet::new();
    for subscription in enabled {
        let Some(arn) = subscription.standards_arn() else {
            continue;
        };
        match subscription.standards_status() {
            Some(StandardsStatus::Deleting) => continue,
            // Still being set up, which AWS does on its own: nothing to say yet.
            Some(StandardsStatus::Ready | StandardsStatus::Pending) | None => {}
            Some(status) => {
                let reason = subscription
                    .standards_status_reason()
                    .and_then(|reason| reason.status_reason_code())
                    .map(|code| format!(" ({})", code.as_str()))
                    .unwrap_or_default();
                not_ready.push((arn.to_owned(), format!("{}{reason}", status.as_str())));
            }
        }
        standards.insert(arn.to_owned());
    }
    Ok(vec![(
        id,
        Live {
            spec: Spec::SecurityHub(SecurityHubSpec {
                standards,
                offered,
                not_ready,
            }),
            live_id: Some(hub_arn),
            owned,
        },
    )])
}

async fn enabled_standards(
    client: &aws_sdk_securityhub::Client,
    id: &ResourceId,
) -> Result<Vec<aws_sdk_securityhub::types::StandardsSubscription>, AwsError> {
    let mut pages = client.get_enabled_standards().into_paginator().send();
    let mut subscriptions = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.call("securityhub:GetEnabledStandards", id)?;
        subscriptions.extend(page.standards_subscriptions().iter().cloned());
    }
    Ok(subscriptions)
}

async fn offered_standards(
    client: &aws_sdk_securityhub::Client,
    id: &ResourceId,
) -> Result<Vec<String>, AwsError> {
    let mut pages = client.describe_standards().into_paginator().send();
    let mut offered = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.call("securityhub:DescribeStandards", id)?;
        offered.extend(
            page.standards()
                .iter()
                .filter_map(|standard| standard.standards_arn().map(str::to_owned)),
        );
    }
    offered.sort();
    Ok(offered)
}

/// The account's finding aggregator, read from the home region. There is one per account at
/// most, which answers only in the region it aggregates into, named in its ARN.
pub async fn finding_aggregator(session: &Session, home: &str) -> Read {
    let id = ResourceId::singleton(Kind::FindingAggregator, home);
    let failed = |error| (vec![id.clone()], error);
    let Some(listed) = session
        .securityhub(home)
        .list_finding_aggregators()
        .send()
        .await
        .call("securityhub:ListFindingAggregators", &id)
        .absent_if_not_found()
        .map_err(failed)?
    else {
        return Ok(Vec::new());
    };
    let Some(arn) = listed
        .finding_aggregators()
        .iter()
        .find_map(|aggregator| aggregator.finding_aggregator_arn())
    else {
        return Ok(Vec::new());
    };
    let aggregation_region = arn.split(':').nth(3).unwrap_or(home).to_owned();
    let Some(aggregator) = session
        .securityhub(&aggregation_region)
        .get_finding_aggregator()
        .finding_aggregator_arn(arn)
        .send()
        .await
        .call("securityhub:GetFindingAggregator", &id)
        .absent_if_not_found()
        .map_err(failed)?
    else {
        return Ok(Vec::new());
    };
    Ok(vec![(
        id,
        Live {
            spec: Spec::FindingAggregator(FindingAggregatorSpec {
                region_linking_mode: aggregator
                    .region_linking_mode()
                    .unwrap_or("SPECIFIED_REGIONS")
                    .to_owned(),
                regions: aggregator.regions().iter().cloned().collect(),
                aggregation_region,
            }),
            live_id: Some(arn.to_owned()),
            owned: false,
        },
    )])
}
