//! Account settings: the IAM password policy, S3 Block Public Access for the whole account,
//! EBS encryption by default, and the IAM Access Analyzer of each region.

use serde::{Deserialize, Serialize};

use super::{FieldChange, FieldDiff};

/// The account's IAM password policy, every field of `UpdateAccountPasswordPolicy`. On the
/// desired side a field is `None` when the baseline leaves it to the account; on the live side
/// every field is read, with AWS's meaning of an absent value filled in (`max_password_age` and
/// `password_reuse_prevention` 0: passwords never expire, any old password may be reused).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PasswordPolicySpec {
    pub minimum_password_length: Option<i32>,
    pub require_symbols: Option<bool>,
    pub require_numbers: Option<bool>,
    pub require_uppercase_characters: Option<bool>,
    pub require_lowercase_characters: Option<bool>,
    pub allow_users_to_change_password: Option<bool>,
    pub max_password_age: Option<i32>,
    pub password_reuse_prevention: Option<i32>,
    pub hard_expiry: Option<bool>,
}

impl PasswordPolicySpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        declared(
            &mut diff,
            "minimum_password_length",
            &self.minimum_password_length,
            &live.minimum_password_length,
        );
        declared(
            &mut diff,
            "require_symbols",
            &self.require_symbols,
            &live.require_symbols,
        );
        declared(
            &mut diff,
            "require_numbers",
            &self.require_numbers,
            &live.require_numbers,
        );
        declared(
            &mut diff,
            "require_uppercase_characters",
            &self.require_uppercase_characters,
            &live.require_uppercase_characters,
        );
        declared(
            &mut diff,
            "require_lowercase_characters",
            &self.require_lowercase_characters,
            &live.require_lowercase_characters,
        );
        declared(
            &mut diff,
            "allow_users_to_change_password",
            &self.allow_users_to_change_password,
            &live.allow_users_to_change_password,
        );
        declared(
            &mut diff,
            "max_password_age",
            &self.max_password_age,
            &live.max_password_age,
        );
        declared(
            &mut diff,
            "password_reuse_prevention",
            &self.password_reuse_prevention,
            &live.password_reuse_prevention,
        );
        declared(
            &mut diff,
            "hard_expiry",
            &self.hard_expiry,
            &live.hard_expiry,
        );
        diff.finish()
    }
}

/// A field the desired side declares (`Some`), compared with the live value.
fn declared<T: Serialize + PartialEq>(
    diff: &mut FieldDiff,
    name: &str,
    desired: &Option<T>,
    live: &Option<T>,
) {
    if let Some(desired) = desired {
        diff.entry(name, desired, live.as_ref());
    }
}

/// S3 Block Public Access for the whole account (s3control), which holds for every bucket and
/// access point whatever their own settings say.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicAccessBlockSpec {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlockSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field(
            "block_public_acls",
            &self.block_public_acls,
            &live.block_public_acls,
        );
        diff.field(
            "ignore_public_acls",
            &self.ignore_public_acls,
            &live.ignore_public_acls,
        );
        diff.field(
            "block_public_policy",
            &self.block_public_policy,
            &live.block_public_policy,
        );
        diff.field(
            "restrict_public_buckets",
            &self.restrict_public_buckets,
            &live.restrict_public_buckets,
        );
        diff.finish()
    }
}

/// EBS encryption by default in one region, and the KMS key new volumes get there. A desired
/// `kms_key_id` of `None` leaves the region's default key as it is (AWS's own `aws/ebs` unless
/// someone chose another), and the key is then not read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EbsEncryptionSpec {
    pub enabled: bool,
    pub kms_key_id: Option<String>,
}

impl EbsEncryptionSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("enabled", &self.enabled, &live.enabled);
        declared(&mut diff, "kms_key_id", &self.kms_key_id, &live.kms_key_id);
        diff.finish()
    }
}

/// The region's IAM Access Analyzer whose zone of trust is the account. AWS allows one such
/// analyzer per region, so an existing one is adopted under its own name; it has no setting to
/// converge, only its being there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalyzerSpec {
    pub name: String,
    /// `ACCOUNT`: the only type watchpost reads or makes.
    pub analyzer_type: String,
    /// Observed only (`ACTIVE`, `CREATING`, `DISABLED`, `FAILED`); not compared, since no call
    /// changes it. The plan notes an analyzer that is not active.
    #[serde(skip)]
    pub status: Option<String>,
}

impl AnalyzerSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("analyzer_type", &self.analyzer_type, &live.analyzer_type);
        diff.finish()
    }
}
