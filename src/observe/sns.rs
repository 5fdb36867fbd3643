use super::{Read, unknown};
use crate::aws::{Class, Context, Session};
use crate::model::{
    Kind, Live, ResourceId, Spec, SubscriptionSpec, TopicSpec, is_managed_tag, policy, topic_arn,
};

/// SNS lists a subscription that its recipient has not yet confirmed under this ARN.
const PENDING: &str = "PendingConfirmation";

/// The alert topic of a region and its email subscriptions.
/// `ownership`: also read the topic's tags, which only `destroy` needs.
pub async fn topic(
    session: &Session,
    region: &str,
    account: &str,
    name: &str,
    ownership: bool,
) -> Read {
    let id = ResourceId::new(Kind::AlertTopic, region, name);
    let mut places = vec![id.clone()];
    places.extend(unknown(&[Kind::AlertSubscription], region));
    let failed = |error| (places.clone(), error);
    let client = session.sns(region);
    let arn = topic_arn(region, account, name);
    let attributes = match client
        .get_topic_attributes()
        .topic_arn(&arn)
        .send()
        .await
        .call("sns:GetTopicAttributes", &id)
    {
        Ok(answer) => answer,
        Err(error) if error.is(Class::NotFound) => return Ok(Vec::new()),
        Err(error) => return Err(failed(error)),
    };
    let policy = attributes
        .attributes()
        .and_then(|attributes| attributes.get("Policy"))
        .and_then(|text| policy::parse(text).ok())
        .unwrap_or_default();
    let owned = if ownership {
        let tags = client
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .call("sns:ListTagsForResource", &id)
            .map_err(failed)?;
        tags.tags()
            .iter()
            .any(|tag| is_managed_tag(tag.key(), tag.value()))
    } else {
        false
    };
    let mut found = vec![(
        id.clone(),
        Live {
            spec: Spec::Topic(TopicSpec { policy }),
            live_id: Some(arn.clone()),
            owned,
        },
    )];
    let mut pages = client
        .list_subscriptions_by_topic()
        .topic_arn(&arn)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page
            .call("sns:ListSubscriptionsByTopic", &id)
            .map_err(failed)?;
        for subscription in page.subscriptions() {
            let (Some("email"), Some(email)) = (subscription.protocol(), subscription.endpoint())
            else {
                continue;
            };
            found.push((
                ResourceId::new(Kind::AlertSubscription, region, email),
                Live {
                    spec: Spec::Subscription(SubscriptionSpec {
                        topic_name: name.to_owned(),
                        pending_confirmation: subscription.subscription_arn() == Some(PENDING),
                    }),
                    live_id: subscription.subscription_arn().map(str::to_owned),
                    // The baseline's email list is the whole audience of its alert topic.
                    owned: true,
                },
            ));
        }
    }
    Ok(found)
}
