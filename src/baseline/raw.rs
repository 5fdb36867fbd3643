//! The baseline file as written, before validation. Fields that validation checks keep their
//! source span so that every error can name its line and column.

use std::collections::BTreeMap;

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};
use toml::Spanned;

#[derive(Debug, Deserialize)]
pub struct RawScope {
    pub regions: Spanned<RawRegions>,
    pub home_region: Spanned<String>,
    pub account_id: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawAccounts {
    pub ids: Option<Spanned<Vec<Spanned<String>>>>,
    pub organization: Option<Spanned<bool>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    pub role_name: Option<Spanned<String>>,
    pub external_id: Option<Spanned<String>>,
    pub session_name: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawGuardDuty {
    pub finding_publishing_frequency: Option<Spanned<String>>,
    #[serde(default)]
    pub features: BTreeMap<Spanned<String>, bool>,
    pub finding_alerts: Option<RawFindingAlerts>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFindingAlerts {
    pub rule_name: Option<Spanned<String>>,
    pub min_severity: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
pub struct RawKms {
    pub alias: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawLogBucket {
    pub name: Option<Spanned<String>>,
    pub encryption: Option<Spanned<String>>,
    pub kms_key_id: Option<Spanned<String>>,
    pub expire_after_days: Option<Spanned<i64>>,
}

pub type RawRuleParameters = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Debug, Deserialize)]
pub struct RawConfig {
    pub role_name: Option<Spanned<String>>,
    pub recorder_name: Option<Spanned<String>>,
    pub delivery_channel_name: Option<Spanned<String>>,
    pub s3_key_prefix: Option<Spanned<String>>,
    pub snapshot_delivery_frequency: Option<Spanned<String>>,
    #[serde(default)]
    pub rules: BTreeMap<Spanned<String>, RawRuleParameters>,
}

/// `regions` as written: a keyword (only "all" is accepted) or a list of region names, each
/// with its own place in the file.
#[derive(Debug)]
pub enum RawRegions {
    Keyword(String),
    List(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for RawRegions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RegionsVisitor;

        impl<'de> Visitor<'de> for RegionsVisitor {
            type Value = RawRegions;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"all\" or a list of region names")
            }

            fn visit_str<E: serde::de::Error>(self, keyword: &str) -> Result<RawRegions, E> {
                Ok(RawRegions::Keyword(keyword.to_owned()))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<RawRegions, A::Error> {
                let mut regions = Vec::new();
                while let Some(region) = items.next_element::<Spanned<String>>()? {
                    regions.push(region);
                }
                Ok(RawRegions::List(regions))
            }
        }

        deserializer.deserialize_any(RegionsVisitor)
    }
}

#[derive(Debug, Deserialize)]
pub struct RawCloudTrail {
    pub name: Option<Spanned<String>>,
    pub s3_key_prefix: Option<Spanned<String>>,
    pub kms_key_id: Option<Spanned<String>>,
    pub log_group_name: Option<Spanned<String>>,
    pub log_retention_days: Option<Spanned<i64>>,
    pub role_name: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawAlerts {
    pub topic_name: Option<Spanned<String>>,
    pub emails: Spanned<Vec<Spanned<String>>>,
    pub forward_role_name: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawSigninNotification {
    pub rule_name: Option<Spanned<String>>,
    pub events: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAlarmSettings {
    pub pattern: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    pub threshold: Option<Spanned<f64>>,
    pub period_seconds: Option<Spanned<i64>>,
    pub evaluation_periods: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
pub struct RawAlarms {
    pub metric_namespace: Option<Spanned<String>>,
    pub threshold: Option<Spanned<f64>>,
    pub period_seconds: Option<Spanned<i64>>,
    pub evaluation_periods: Option<Spanned<i64>>,
    #[serde(default)]
    pub filters: BTreeMap<Spanned<String>, RawAlarmSettings>,
}

#[derive(Debug, Deserialize)]
pub struct RawPasswordPolicy {
    pub minimum_password_length: Option<Spanned<i64>>,
    pub require_symbols: Option<bool>,
    pub require_numbers: Option<bool>,
    pub require_uppercase_characters: Option<bool>,
    pub require_lowercase_characters: Option<bool>,
    pub allow_users_to_change_password: Option<bool>,
    pub max_password_age: Option<Spanned<i64>>,
    pub password_reuse_prevention: Option<Spanned<i64>>,
    pub hard_expiry: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize)]
pub struct RawAccountPublicAccessBlock {
    pub block_public_acls: Option<bool>,
    pub ignore_public_acls: Option<bool>,
    pub block_public_policy: Option<bool>,
    pub restrict_public_buckets: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub struct RawEbsEncryption {
    #[serde(default)]
    pub kms_key_ids: BTreeMap<Spanned<String>, Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawAccessAnalyzer {
    pub name: Option<Spanned<String>>,
}
