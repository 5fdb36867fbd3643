use super::{Read, unknown};
use crate::aws::{AbsentIfNotFound, Context, Session};
use crate::model::{
    Kind, Live, ResourceId, Spec, SubscriptionSpec, TopicSpec, is_managed_tag, policy, topic_arn,
};

/// SNS lists a subscription that its recipient has not yet confirmed under this ARN.
pub(super) const PENDING: &str = "PendingConfirmation";

/// Whose the email subscriptions of a topic are.
pub enum Audience {
    /// The alert topic's: the baseline's email list is its whole audience, so every email
    /// subscription is watchpost's. `ownership`: also read the topic's tags, which only
    /// `destroy` needs.
    Baseline { ownership: bool },
    /// A topic of the alert topic's name in another region, left from when each region had
    /// one: its tags are read, and its subscriptions are watchpost's only if it is.
    TopicOwner,
}

/// A topic of the alert topic's name in `region`, and its email subscriptions.
pub async fn topic(
    session: &Session,
    region: &str,
    account: &str,
    name: &str,
    audience: Audience,
) -> Read {
    let ownership = match audience {
        Audience::Baseline { ownership } => ownership,
        Audience::TopicOwner => true,
    };
    let id = ResourceId::new(Kind::AlertTopic, region, name);
    let mut places = vec![id.clone()];
    places.extend(unknown(&[Kind::AlertSubscription], region));
    let failed = |error| (places.clone(), error);
    let client = session.sns(region);
    let arn = topic_arn(region, account, name);
    let Some(answer) = client
        .get_topic_attributes()
        .topic_arn(&arn)
        .send()
        .await
        .call("sns:GetTopicAttributes", &id)
        .absent_if_not_found()
        .map_err(failed)?
    else {
        return Ok(Vec::new());
    };
    let attributes = answer;
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
                    owned: match audience {
                        Audience::Baseline { .. } => true,
                        Audience::TopicOwner => owned,
                    },
                },
            ));
        }
    }
    Ok(found)
}
