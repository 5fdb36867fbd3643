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
}

/// A bucket's server access logging, a resource of its own (`bucket_logging`, named after the
/// bucket) as S3's `PutBucketLogging` is a call of its own: the bucket and key prefix S3 writes
/// its log records to. Only it waits for the target bucket; the bucket itself, which the trail
/// and Config wait for, does not.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessLogging {
    pub target_bucket: String,
    pub target_prefix: String,
}

impl AccessLogging {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("target_bucket", &self.target_bucket, &live.target_bucket);
        diff.field("target_prefix", &self.target_prefix, &live.target_prefix);
        diff.finish()
    }
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
        diff.finish()
    }
}
