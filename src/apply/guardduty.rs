use aws_sdk_guardduty::types::{
    DetectorFeature, DetectorFeatureConfiguration, FeatureStatus, FindingPublishingFrequency,
};

use super::MANAGED_TAG;
use crate::aws::{AwsError, Context, Session};
use crate::model::DetectorSpec;
use crate::plan::{Action, Change};

pub async fn detector(
    session: &Session,
    change: &Change,
    spec: &DetectorSpec,
) -> Result<(), AwsError> {
    let client = session.guardduty(&change.id.region);
    let frequency = FindingPublishingFrequency::from(spec.finding_publishing_frequency.as_str());
    let features: Vec<DetectorFeatureConfiguration> = spec
        .features
        .iter()
        .map(|(name, status)| {
            DetectorFeatureConfiguration::builder()
                .name(DetectorFeature::from(name.as_str()))
                .status(FeatureStatus::from(status.as_str()))
                .build()
        })
        .collect();
    let enable = spec.status == "ENABLED";
    match (change.action, &change.live_id) {
        (Action::Update, Some(detector_id)) => client
            .update_detector()
            .detector_id(detector_id)
            .enable(enable)
            .finding_publishing_frequency(frequency)
            .set_features(Some(features))
            .send()
            .await
            .call("guardduty:UpdateDetector", &change.id)
            .map(drop),
        _ => client
            .create_detector()
            .enable(enable)
            .finding_publishing_frequency(frequency)
            .set_features(Some(features))
            .tags(MANAGED_TAG.0, MANAGED_TAG.1)
            .send()
            .await
            .call("guardduty:CreateDetector", &change.id)
            .map(drop),
    }
}

pub async fn delete_detector(session: &Session, change: &Change) -> Result<(), AwsError> {
    session
        .guardduty(&change.id.region)
        .delete_detector()
        .detector_id(change.live_id.as_deref().unwrap_or_default())
        .send()
        .await
        .call("guardduty:DeleteDetector", &change.id)
        .map(drop)
}
