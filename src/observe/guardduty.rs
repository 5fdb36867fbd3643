use super::{Read, unknown};
use crate::aws::{Context, Session};
use crate::model::{DetectorSpec, Kind, Live, MANAGED_TAG, ResourceId, Spec, is_managed_tag};

/// The region's detector, if any. AWS allows one per region, so whichever exists is adopted.
pub async fn detector(session: &Session, region: &str) -> Read {
    let id = ResourceId::singleton(Kind::GuarddutyDetector, region);
    let failed = |error| (unknown(&[Kind::GuarddutyDetector], region), error);
    let client = session.guardduty(region);
    let list = client
        .list_detectors()
        .send()
        .await
        .call("guardduty:ListDetectors", &id)
        .map_err(failed)?;
    let Some(detector_id) = list.detector_ids().first() else {
        return Ok(Vec::new());
    };
    let detector = client
        .get_detector()
        .detector_id(detector_id)
        .send()
        .await
        .call("guardduty:GetDetector", &id)
        .map_err(failed)?;
    let spec = DetectorSpec {
        status: detector
            .status()
            .map(|status| status.as_str().to_owned())
            .unwrap_or_default(),
        finding_publishing_frequency: detector
            .finding_publishing_frequency()
            .map(|frequency| frequency.as_str().to_owned())
            .unwrap_or_default(),
        features: detector
            .features()
            .iter()
            .filter_map(|feature| {
                let name = feature.name()?.as_str().to_owned();
                let status = feature.status()?.as_str().to_owned();
                Some((name, status))
            })
            .collect(),
    };
    Ok(vec![(
        id,
        Live {
            spec: Spec::Detector(spec),
            live_id: Some(detector_id.clone()),
            owned: detector.tags().is_some_and(|tags| {
                is_managed_tag(MANAGED_TAG.0, tags.get(MANAGED_TAG.0).map(String::as_str))
            }),
        },
    )])
}
