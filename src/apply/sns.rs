use aws_sdk_sns::types::Tag;

use super::MANAGED_TAG;
use super::{Account, Converge};
use crate::aws::{AwsError, Context};
use crate::model::{SubscriptionSpec, TopicSpec, topic_arn};
use crate::plan::{Action, Change};

impl Converge for TopicSpec {
    /// CreateTopic returns the existing topic of that name, so it is safe to repeat.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.sns(&change.id.region);
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
            .topic_arn(topic_arn(&change.id.region, at.id, &change.id.name))
            .attribute_name("Policy")
            .attribute_value(self.policy.to_string())
            .send()
            .await
            .call("sns:SetTopicAttributes", &change.id)
            .map(drop)
    }

    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        at.session
            .sns(&change.id.region)
            .delete_topic()
            .topic_arn(topic_arn(&change.id.region, at.id, &change.id.name))
            .send()
            .await
            .call("sns:DeleteTopic", &change.id)
            .map(drop)
    }
}

impl Converge for SubscriptionSpec {
    /// Subscribing an address that is already subscribed returns the existing subscription; AWS
    /// emails a new one a confirmation link.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        at.session
            .sns(&change.id.region)
            .subscribe()
            .topic_arn(topic_arn(&change.id.region, at.id, &self.topic_name))
            .protocol("email")
            .endpoint(&change.id.name)
            .send()
            .await
            .call("sns:Subscribe", &change.id)
            .map(drop)
    }

    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        at.session
            .sns(&change.id.region)
            .unsubscribe()
            .subscription_arn(change.live_id.as_deref().unwrap_or_default())
            .send()
            .await
            .call("sns:Unsubscribe", &change.id)
            .map(drop)
    }
}
