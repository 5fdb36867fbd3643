use serde::{Deserialize, Serialize};

use super::{FieldChange, FieldDiff};

/// watchpost's flow log on one VPC, named by the VPC's id, delivering to the log bucket. EC2
/// changes nothing of a flow log but its tags: a flow log that differs is replaced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlowLogSpec {
    /// `REJECT` or `ALL`.
    pub traffic_type: String,
    /// The bucket's ARN and the key prefix: `arn:aws:s3:::bucket/prefix`.
    pub log_destination: String,
    pub max_aggregation_interval: i32,
}

impl FlowLogSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("traffic_type", &self.traffic_type, &live.traffic_type);
        diff.field(
            "log_destination",
            &self.log_destination,
            &live.log_destination,
        );
        diff.field(
            "max_aggregation_interval",
            &self.max_aggregation_interval,
            &live.max_aggregation_interval,
        );
        diff.finish()
    }
}
