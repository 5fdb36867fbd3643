use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{FieldChange, FieldDiff};

/// The AWS Config configuration recorder of a region. `name` is the live recorder's name when
/// one is adopted, else the baseline's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecorderSpec {
    pub name: String,
    pub role_arn: String,
    pub all_supported: bool,
    pub include_global_resource_types: bool,
    /// How often an adopted recorder records (its recordingMode): the baseline does not
    /// declare it, and PutConfigurationRecorder replaces the whole recorder, so it is kept as
    /// it is and never compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_mode: Option<RecordingMode>,
}

/// AWS Config's recordingMode: a frequency (`CONTINUOUS` or `DAILY`) with overrides by
/// resource type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordingMode {
    pub recording_frequency: String,
    pub overrides: Vec<RecordingModeOverride>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordingModeOverride {
    pub description: Option<String>,
    pub resource_types: Vec<String>,
    pub recording_frequency: String,
}

impl RecorderSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("role_arn", &self.role_arn, &live.role_arn);
        diff.field("all_supported", &self.all_supported, &live.all_supported);
        diff.field(
            "include_global_resource_types",
            &self.include_global_resource_types,
            &live.include_global_resource_types,
        );
        diff.finish()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryChannelSpec {
    pub name: String,
    pub s3_bucket_name: String,
    pub s3_key_prefix: Option<String>,
    pub snapshot_delivery_frequency: Option<String>,
    /// Settings the baseline does not declare: kept as they are on an adopted channel (a put
    /// without them would drop them), never compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sns_topic_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_kms_key_arn: Option<String>,
}

impl DeliveryChannelSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("s3_bucket_name", &self.s3_bucket_name, &live.s3_bucket_name);
        diff.field("s3_key_prefix", &self.s3_key_prefix, &live.s3_key_prefix);
        diff.field(
            "snapshot_delivery_frequency",
            &self.snapshot_delivery_frequency,
            &live.snapshot_delivery_frequency,
        );
        diff.finish()
    }
}

/// Whether the region's recorder is running. Separate from the recorder because AWS only
/// starts a recorder once it has a delivery channel, which itself needs the recorder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordingSpec {
    pub recorder_name: String,
    pub recording: bool,
}

impl RecordingSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("recording", &self.recording, &live.recording);
        diff.finish()
    }
}

/// An AWS managed Config rule. Parameters are sent to AWS as strings, so they are kept as such.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleSpec {
    pub source_identifier: String,
    pub input_parameters: BTreeMap<String, String>,
}

impl RuleSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field(
            "source_identifier",
            &self.source_identifier,
            &live.source_identifier,
        );
        diff.field(
            "input_parameters",
            &self.input_parameters,
            &live.input_parameters,
        );
        diff.finish()
    }
}
