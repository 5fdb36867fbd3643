//! The baseline file as written, before validation. Fields that validation checks keep their
//! source span so that every error can name its line and column.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
pub struct RawScope {
    pub regions: Spanned<toml::Value>,
    pub home_region: Spanned<String>,
    pub account_id: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawGuardDuty {
    pub finding_publishing_frequency: Option<Spanned<String>>,
    #[serde(default)]
    pub features: BTreeMap<Spanned<String>, bool>,
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
