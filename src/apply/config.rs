use aws_sdk_config::types::{
    ConfigRule, ConfigSnapshotDeliveryProperties, ConfigurationRecorder, DeliveryChannel,
    MaximumExecutionFrequency, Owner, RecordingFrequency, RecordingGroup, RecordingMode,
    RecordingModeOverride, ResourceType, Source, Tag,
};

use super::MANAGED_TAG;
use super::propagation::until_propagated;
use super::{Account, Converge};
use crate::aws::{AwsError, Context};
use crate::model::{DeliveryChannelSpec, RecorderSpec, RecordingSpec, RuleSpec};
use crate::plan::{Action, Change};

impl Converge for RecorderSpec {
    /// Put is create-or-update for a recorder, so an adopted one is converged in place. Config
    /// refuses a role it cannot assume yet, one just made among them: that is waited out.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.config(&change.id.region);
        let wait = at.propagation_timeout;
        let recorder = ConfigurationRecorder::builder()
            .name(&self.name)
            .role_arn(&self.role_arn)
            .recording_group(
                RecordingGroup::builder()
                    .all_supported(self.all_supported)
                    .include_global_resource_types(self.include_global_resource_types)
                    .build(),
            )
            // Put replaces the whole recorder: an adopted recorder's recording mode is sent back.
            .set_recording_mode(self.recording_mode.as_ref().map(recording_mode))
            .build();
        until_propagated(wait, || async {
            client
                .put_configuration_recorder()
                .configuration_recorder(recorder.clone())
                .send()
                .await
                .call("config:PutConfigurationRecorder", &change.id)
        })
        .await
        .map(drop)
    }

    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.config(&change.id.region);
        client
            .delete_configuration_recorder()
            .configuration_recorder_name(live_name(change))
            .send()
            .await
            .call("config:DeleteConfigurationRecorder", &change.id)
            .map(drop)
    }
}

fn recording_mode(mode: &crate::model::RecordingMode) -> RecordingMode {
    let overrides = mode
        .overrides
        .iter()
        .map(|over| {
            RecordingModeOverride::builder()
                .set_description(over.description.clone())
                .set_resource_types(Some(
                    over.resource_types
                        .iter()
                        .map(|kind| ResourceType::from(kind.as_str()))
                        .collect(),
                ))
                .recording_frequency(RecordingFrequency::from(over.recording_frequency.as_str()))
                .build()
                .expect("resource types and frequency are set")
        })
        .collect();
    RecordingMode::builder()
        .recording_frequency(RecordingFrequency::from(mode.recording_frequency.as_str()))
        .set_recording_mode_overrides(Some(overrides))
        .build()
        .expect("frequency is set")
}

impl Converge for DeliveryChannelSpec {
    /// Config checks that it can write to the bucket (and use the key) before it accepts the
    /// channel, with the recorder's role: a role, bucket policy or key policy just written is
    /// waited out.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.config(&change.id.region);
        let wait = at.propagation_timeout;
        let snapshots = self
            .snapshot_delivery_frequency
            .as_deref()
            .map(|frequency| {
                ConfigSnapshotDeliveryProperties::builder()
                    .delivery_frequency(MaximumExecutionFrequency::from(frequency))
                    .build()
            });
        let channel = DeliveryChannel::builder()
            .name(&self.name)
            .s3_bucket_name(&self.s3_bucket_name)
            .set_s3_key_prefix(self.s3_key_prefix.clone())
            .set_config_snapshot_delivery_properties(snapshots)
            .set_sns_topic_arn(self.sns_topic_arn.clone())
            .set_s3_kms_key_arn(self.s3_kms_key_arn.clone())
            .build();
        until_propagated(wait, || async {
            client
                .put_delivery_channel()
                .delivery_channel(channel.clone())
                .send()
                .await
                .call("config:PutDeliveryChannel", &change.id)
        })
        .await
        .map(drop)
    }

    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.config(&change.id.region);
        client
            .delete_delivery_channel()
            .delivery_channel_name(live_name(change))
            .send()
            .await
            .call("config:DeleteDeliveryChannel", &change.id)
            .map(drop)
    }
}

impl Converge for RecordingSpec {
    /// The baseline always wants the recorder running; starting a running one is a no-op.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.config(&change.id.region);
        client
            .start_configuration_recorder()
            .configuration_recorder_name(&self.recorder_name)
            .send()
            .await
            .call("config:StartConfigurationRecorder", &change.id)
            .map(drop)
    }

    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.config(&change.id.region);
        client
            .stop_configuration_recorder()
            .configuration_recorder_name(live_name(change))
            .send()
            .await
            .call("config:StopConfigurationRecorder", &change.id)
            .map(drop)
    }
}

impl Converge for RuleSpec {
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.config(&change.id.region);
        let parameters = serde_json::to_string(&self.input_parameters).expect("strings serialize");
        let rule = ConfigRule::builder()
            .config_rule_name(&change.id.name)
            .source(
                Source::builder()
                    .owner(Owner::Aws)
                    .source_identifier(&self.source_identifier)
                    .build()
                    .expect("owner is set"),
            )
            .input_parameters(parameters)
            .build();
        let mut put = client.put_config_rule().config_rule(rule);
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
            .call("config:PutConfigRule", &change.id)
            .map(drop)
    }

    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.config(&change.id.region);
        client
            .delete_config_rule()
            .config_rule_name(&change.id.name)
            .send()
            .await
            .call("config:DeleteConfigRule", &change.id)
            .map(drop)
    }
}

/// The recorder's live name is the one to act on: an adopted recorder keeps its own.
fn live_name(change: &Change) -> &str {
    change.live_id.as_deref().unwrap_or(&change.id.name)
}
