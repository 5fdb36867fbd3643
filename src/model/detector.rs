use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{FieldChange, FieldDiff};

/// A GuardDuty detector. Features are keyed by their API name (`S3_DATA_EVENTS`) with status
/// `ENABLED` or `DISABLED`; only the features the baseline names are compared, since AWS lists
/// others (CLOUD_TRAIL, DNS_LOGS, ...) that are always on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetectorSpec {
    pub status: String,
    pub finding_publishing_frequency: String,
    pub features: BTreeMap<String, String>,
}

impl DetectorSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("status", &self.status, &live.status);
        diff.field(
            "finding_publishing_frequency",
            &self.finding_publishing_frequency,
            &live.finding_publishing_frequency,
        );
        for (feature, status) in &self.features {
            diff.entry(
                &format!("features.{feature}"),
                status,
                live.features.get(feature),
            );
        }
        diff.finish()
    }
}
