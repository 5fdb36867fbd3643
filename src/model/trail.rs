use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{FieldChange, FieldDiff};

/// The CloudTrail trail: multi-region, with global service events and log file validation,
/// delivering to the log bucket and to a CloudWatch Logs log group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrailSpec {
    pub s3_bucket_name: String,
    pub s3_key_prefix: Option<String>,
    pub multi_region: bool,
    pub include_global_service_events: bool,
    pub log_file_validation: bool,
    pub cloud_watch_logs_log_group_arn: Option<String>,
    pub cloud_watch_logs_role_arn: Option<String>,
    pub kms_key_id: Option<String>,
    pub logging: bool,
    /// Every management event, read and write (CIS 3.1), as a trail made without selectors
    /// logs them.
    #[serde(default = "every_management_event")]
    pub management_events: bool,
    /// watchpost's own event selector for S3 object events; `None`: it has none on the trail.
    #[serde(default)]
    pub s3_data_events: Option<S3DataEvents>,
    /// Observed only: whether any of the trail's selectors, watchpost's or another's, takes data
    /// events, which the cost estimate prices; not compared.
    #[serde(skip)]
    pub logs_data_events: bool,
}

fn every_management_event() -> bool {
    true
}

/// CloudTrail data events for S3 objects (CIS 4.8, writes; 4.9, reads), as watchpost's own
/// advanced event selector on its trail asks for them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct S3DataEvents {
    pub reads: bool,
    pub writes: bool,
    /// The buckets whose objects are logged; every bucket when empty.
    pub buckets: BTreeSet<String>,
}

/// The name of watchpost's advanced event selector on its trail. A selector of another name is
/// someone else's: it is kept as it is whenever watchpost writes its own.
pub const S3_DATA_EVENTS_SELECTOR: &str = "watchpost: S3 data events";

impl TrailSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("s3_bucket_name", &self.s3_bucket_name, &live.s3_bucket_name);
        diff.field("s3_key_prefix", &self.s3_key_prefix, &live.s3_key_prefix);
        diff.field("multi_region", &self.multi_region, &live.multi_region);
        diff.field(
            "include_global_service_events",
            &self.include_global_service_events,
            &live.include_global_service_events,
        );
        diff.field(
            "log_file_validation",
            &self.log_file_validation,
            &live.log_file_validation,
        );
        diff.field(
            "cloud_watch_logs_log_group_arn",
            &self.cloud_watch_logs_log_group_arn,
            &live.cloud_watch_logs_log_group_arn,
        );
        diff.field(
            "cloud_watch_logs_role_arn",
            &self.cloud_watch_logs_role_arn,
            &live.cloud_watch_logs_role_arn,
        );
        // A trail's key is compared only when the baseline names one: UpdateTrail cannot
        // remove a key, and an adopted trail's own key is not watchpost's to judge.
        if self.kms_key_id.is_some() {
            diff.field("kms_key_id", &self.kms_key_id, &live.kms_key_id);
        }
        diff.field("logging", &self.logging, &live.logging);
        diff.field(
            "management_events",
            &self.management_events,
            &live.management_events,
        );
        diff.field("s3_data_events", &self.s3_data_events, &live.s3_data_events);
        diff.finish()
    }
}
