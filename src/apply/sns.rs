use aws_sdk_sns::types::Tag;

use super::MANAGED_TAG;
use crate::aws::{AwsError, Context, Session};
use crate::model::{SubscriptionSpec, TopicSpec, topic_arn};
use crate::plan::{Action, Change};

/// CreateTopic returns the existing topic of that name, so it is safe to repeat.
pub async fn topic(
    session: &Session,
    account: &str,
    change: &Change,
    spec: &TopicSpec,
) -> Result<(), AwsError> {
    let client = session.sns(&change.id.region);
    if change.action == Action::Create {
        client
            .create_topic()
            .name(&change.id.name)
            .tags(
                Tag::builder()
                    .key(MANAGED_TAG.0)
                    .value(MANAGED_TAG.1)
                    .build()
                    .expect("key and value are set"),
            )
            .send()
            .await
            .call("sns:CreateTopic", &change.id)?;
    }
    client
        .set_topic_attributes()
        .topic_arn(topic_arn(&change.id.region, account, &change.id.name))
        .attribute_name("Policy")
        .attribute_value(spec.policy.to_string())
        .send()
        .await
        .call("sns:SetTopicAttributes", &change.id)
        .map(drop)
}

/// Subscribing an address that is already subscribed returns the existing subscription; AWS
/// emails a new one a confirmation link.
pub async fn email_subscription(
    session: &Session,
    account: &str,
    change: &Change,
    spec: &SubscriptionSpec,
) -> Result<(), AwsError> {
    session
        .sns(&change.id.region)
        .subscribe()
        .topic_arn(topic_arn(&change.id.region, account, &spec.topic_name))
        .protocol("email")
        .endpoint(&change.id.name)
        .send()
        .await
        .call("sns:Subscribe", &change.id)
        .map(drop)
}

pub async fn unsubscribe(session: &Session, change: &Change) -> Result<(), AwsError> {
    session
        .sns(&change.id.region)
        .unsubscribe()
        .subscription_arn(change.live_id.as_deref().unwrap_or_default())
        .send()
        .await
        .call("sns:Unsubscribe", &change.id)
        .map(drop)
}

pub async fn delete_topic(
    session: &Session,
    account: &str,
    change: &Change,
) -> Result<(), AwsError> {
    session
        .sns(&change.id.region)
        .delete_topic()
        .topic_arn(topic_arn(&change.id.region, account, &change.id.name))
        .send()
        .await
        .call("sns:DeleteTopic", &change.id)
        .map(drop)
}
