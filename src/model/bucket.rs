use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{FieldChange, FieldDiff};

/// The lifecycle rule watchpost writes carries this id; it is the one read back and compared.
pub const EXPIRY_RULE_ID: &str = "watchpost-expire-logs";

/// Default encryption of the log bucket, as S3 names the algorithm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "sse_algorithm")]
pub enum Encryption {
    #[serde(rename = "AES256")]
    S3Managed,
    #[serde(rename = "aws:kms")]
    Kms { kms_key_id: String },
}

/// The log bucket that AWS Config (and CloudTrail) deliver to. `None` means the live bucket
/// lacks that setting altogether.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BucketSpec {
    pub block_public_access: bool,
    pub encryption: Option<Encryption>,
    pub versioning: Option<String>,
    pub object_ownership: Option<String>,
    pub expire_after_days: Option<i32>,
    pub policy: Option<Value>,
    /// Where S3 writes the bucket's server access logs; compared only when the baseline asks
    /// for them, and read only then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_logging: Option<AccessLogging>,
}

/// A bucket's server access logging: the bucket and key prefix S3 writes its log records to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessLogging {
    pub target_bucket: String,
    pub target_prefix: String,
}

impl BucketSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field(
            "block_public_access",
            &self.block_public_access,
            &live.block_public_access,
        );
        diff.field("encryption", &self.encryption, &live.encryption);
        diff.field("versioning", &self.versioning, &live.versioning);
        diff.field(
            "object_ownership",
            &self.object_ownership,
            &live.object_ownership,
        );
        diff.field(
            "expire_after_days",
            &self.expire_after_days,
            &live.expire_after_days,
        );
        diff.field("policy", &self.policy, &live.policy);
        if self.access_logging.is_some() {
            diff.field("access_logging", &self.access_logging, &live.access_logging);
        }
        diff.finish()
    }
}
