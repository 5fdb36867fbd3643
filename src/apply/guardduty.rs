use aws_sdk_guardduty::types::{
    DetectorFeature, DetectorFeatureConfiguration, FeatureStatus, FindingPublishingFrequency,
};

use super::MANAGED_TAG;
use super::{Account, Converge};
use crate::aws::{AwsError, Context};
use crate::model::DetectorSpec;
use crate::plan::{Action, Change};

impl Converge for DetectorSpec {
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.guardduty(&change.id.region);
        let frequency =
            FindingPublishingFrequency::from(self.finding_publishing_frequency.as_str());
        let configuration = |name: &str, status: &str| {
            DetectorFeatureConfiguration::builder()
                .name(DetectorFeature::from(name))
                .status(FeatureStatus::from(status))
                .build()
        };
        let features: Vec<DetectorFeatureConfiguration> = self
            .features
            .iter()
            .map(|(name, status)| configuration(name, status))
            .collect();
        let enable = self.status == "ENABLED";
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
                .set_features(Some(
                    features
                        .into_iter()
                        .chain(
                            unnamed_features(self)
                                .map(|name| configuration(name, FeatureStatus::Disabled.as_str())),
                        )
                        .collect(),
                ))
                .tags(MANAGED_TAG.0, MANAGED_TAG.1)
                .send()
                .await
                .call("guardduty:CreateDetector", &change.id)
                .map(drop),
        }
    }

    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        at.session
            .guardduty(&change.id.region)
            .delete_detector()
            .detector_id(change.live_id.as_deref().unwrap_or_default())
            .send()
            .await
            .call("guardduty:DeleteDetector", &change.id)
            .map(drop)
    }
}

/// The features the API model knows that the baseline does not name. CreateDetector enables
/// every feature its call leaves out, RUNTIME_MONITORING aside, and most are paid: a detector
/// watchpost makes is told each one, so that it runs only what the baseline asks for.
/// EKS_RUNTIME_MONITORING is never sent: RUNTIME_MONITORING includes it, and the API refuses
/// the two in one call.
fn unnamed_features(spec: &DetectorSpec) -> impl Iterator<Item = &'static str> + '_ {
    DetectorFeature::values()
        .iter()
        .copied()
        .filter(|name| *name != DetectorFeature::EksRuntimeMonitoring.as_str())
        .filter(|name| !spec.features.contains_key(*name))
}
