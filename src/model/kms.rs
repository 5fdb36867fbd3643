use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::policy::canonical;
use super::{FieldChange, FieldDiff};

/// The KMS key watchpost makes for the trail's log files and the log bucket, found by its
/// alias (the key's own id is chosen by AWS). `live_id` of an observed key is its ARN.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeySpec {
    /// KMS's key state: `Enabled`, `Disabled`, `PendingDeletion`, ...
    pub key_state: String,
    /// Automatic yearly rotation of the key material.
    pub rotation: bool,
    /// The key policy (KMS calls it `default`), compared as a value.
    pub policy: Value,
}

impl KeySpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("key_state", &self.key_state, &live.key_state);
        diff.field("rotation", &self.rotation, &live.rotation);
        diff.field("policy", &canonical(&self.policy), &canonical(&live.policy));
        diff.finish()
    }
}

/// How long a key watchpost made waits, after `destroy --delete-logs` schedules its deletion,
/// before KMS deletes it: the longest KMS allows, during which `CancelKeyDeletion` (or the next
/// `apply`) brings it back. Once deleted, what it encrypted cannot be decrypted.
pub const KEY_DELETION_WINDOW_DAYS: i32 = 30;

/// An alias ARN follows from the alias, so it is known before the key exists.
pub fn alias_arn(region: &str, account: &str, alias: &str) -> String {
    format!(
        "arn:{}:kms:{region}:{account}:{alias}",
        super::partition(region)
    )
}

/// Whether a key reference is an alias (`alias/NAME` or an alias ARN) rather than a key.
pub fn is_alias(key: &str) -> bool {
    key.starts_with("alias/")
        || key
            .split(':')
            .nth(5)
            .is_some_and(|r| r.starts_with("alias/"))
}
