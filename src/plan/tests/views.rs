//! Fixtures the views of a plan are tested on: the compact text plan and the markdown comment.

use super::*;
use crate::model::RuleSpec;

/// The regions the recommended baseline covers in a fresh account (`regions = "all"`).
pub(super) const ENABLED_REGIONS: [&str; 20] = [
    "af-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// The recommended baseline, as shipped.
pub(super) fn recommended() -> Baseline {
    Baseline::parse("baseline.toml", include_str!("../../../baseline.toml")).unwrap()
}

/// An account with nothing in it yet, in each of `regions`.
pub(super) fn empty_in(regions: &[&str]) -> Observed {
    Observed {
        account_id: ACCOUNT.to_owned(),
        regions: regions.iter().map(|r| (*r).to_owned()).collect(),
        ..Observed::default()
    }
}

/// A rule watchpost made that the baseline no longer names, in `region`.
pub(super) fn retired_rule(observed: &mut Observed, region: &str, name: &str) {
    observed.resources.insert(
        ResourceId::new(Kind::ConfigRule, region, name),
        Live {
            spec: Spec::Rule(RuleSpec {
                source_identifier: "EIP_ATTACHED".to_owned(),
                input_parameters: Default::default(),
            }),
            live_id: None,
            owned: true,
        },
    );
}

/// An account of two regions where the detectors drifted alike in both, a rule the baseline
/// no longer names is still there in both, one rule is missing in one, and the analyzers
/// (which the baseline does not manage) could not be listed in either.
pub(super) fn drifted() -> (Baseline, Observed) {
    let baseline = baseline(&format!("{GUARDDUTY}{CONFIG}"));
    let mut observed = converged(&baseline);
    for region in ["eu-west-1", "us-east-1"] {
        let detector = ResourceId::singleton(Kind::GuarddutyDetector, region);
        if let Some(Live {
            spec: Spec::Detector(detector),
            ..
        }) = observed.resources.get_mut(&detector)
        {
            detector.finding_publishing_frequency = "ONE_HOUR".to_owned();
        }
        retired_rule(&mut observed, region, "eip-attached");
        observed.gaps.push(Gap {
            place: format!("access_analyzer/{region}"),
            call: "access-analyzer:ListAnalyzers".to_owned(),
            reason: format!(
                "access-analyzer:ListAnalyzers for access_analyzer/{region} failed: HTTP 500"
            ),
            hint: None,
        });
    }
    observed.resources.remove(&ResourceId::new(
        Kind::ConfigRule,
        "eu-west-1",
        "restricted-ssh",
    ));
    (baseline, observed)
}
