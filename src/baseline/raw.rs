//! The baseline file as written, before validation. Fields that validation checks keep their
//! source span so that every error can name its line and column.

use std::collections::BTreeMap;

use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, generate::SchemaSettings, json_schema};
use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};
use toml::Spanned;

/// The whole file, for its JSON Schema (`watchpost schema`) only: the loader reads each section
/// on its own, through the section types below, so that one section's problems do not hide
/// another's.
#[derive(JsonSchema)]
#[schemars(
    title = "watchpost baseline",
    description = "The security monitoring an AWS account must have; every key: docs/baseline-reference.md",
    deny_unknown_fields
)]
#[expect(
    dead_code,
    reason = "never built: only its schema is used, derived from the section types the loader uses"
)]
pub struct RawBaseline {
    scope: RawScope,
    accounts: Option<RawAccounts>,
    guardduty: Option<RawGuardDuty>,
    log_bucket: Option<RawLogBucket>,
    config: Option<RawConfig>,
    cloudtrail: Option<RawCloudTrail>,
    alerts: Option<RawAlerts>,
    signin_notification: Option<RawSigninNotification>,
    alarms: Option<RawAlarms>,
    tamper_alerts: Option<RawTamperAlerts>,
    kms: Option<RawKms>,
    password_policy: Option<RawPasswordPolicy>,
    account_public_access_block: Option<RawAccountPublicAccessBlock>,
    ebs_encryption: Option<RawEbsEncryption>,
    access_analyzer: Option<RawAccessAnalyzer>,
    security_contact: Option<RawSecurityContact>,
    support_role: Option<RawSupportRole>,
    vpc_flow_logs: Option<RawVpcFlowLogs>,
    security_hub: Option<RawSecurityHub>,
}

/// The JSON Schema of the baseline file, as editors read it (taplo, Even Better TOML).
pub fn schema() -> Schema {
    let settings = SchemaSettings::draft2020_12()
        .with_transform(schemars::transform::RecursiveTransform(without_null));
    SchemaGenerator::new(settings).into_root_schema_for::<RawBaseline>()
}

/// TOML has no null: an optional key is one left out, never one set to nothing, so the `null`
/// schemars allows for an `Option` goes.
fn without_null(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if let Some(serde_json::Value::Array(types)) = object.get_mut("type") {
        types.retain(|kind| kind != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            object.insert("type".to_owned(), only);
        }
    }
    if let Some(serde_json::Value::Array(options)) = object.get_mut("anyOf") {
        options.retain(|option| option.get("type").is_none_or(|kind| kind != "null"));
        if let [serde_json::Value::Object(only)] = options.as_slice() {
            let only = only.clone();
            object.remove("anyOf");
            object.extend(only);
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawScope {
    #[schemars(with = "RawRegions")]
    pub regions: Spanned<RawRegions>,
    #[schemars(with = "String")]
    pub home_region: Spanned<String>,
    #[schemars(with = "Option<String>")]
    pub account_id: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawAccounts {
    #[schemars(with = "Option<Vec<String>>")]
    pub ids: Option<Spanned<Vec<Spanned<String>>>>,
    #[schemars(with = "Option<bool>")]
    pub organization: Option<Spanned<bool>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub role_name: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub external_id: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub session_name: Option<Spanned<String>>,
    /// `I/N`: only the accounts of shard I of N.
    #[schemars(with = "Option<String>")]
    pub shard: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawGuardDuty {
    #[schemars(with = "Option<String>")]
    pub finding_publishing_frequency: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, bool>")]
    pub features: BTreeMap<Spanned<String>, bool>,
    pub finding_alerts: Option<RawFindingAlerts>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFindingAlerts {
    #[schemars(with = "Option<String>")]
    pub rule_name: Option<Spanned<String>>,
    #[schemars(with = "Option<f64>")]
    pub min_severity: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawKms {
    #[schemars(with = "Option<String>")]
    pub alias: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawLogBucket {
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub encryption: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub kms_key_id: Option<Spanned<String>>,
    #[schemars(with = "Option<i64>")]
    pub expire_after_days: Option<Spanned<i64>>,
    /// Server access logging of the log bucket, into a bucket of its own.
    pub access_logs: Option<RawAccessLogs>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawAccessLogs {
    /// The bucket the access logs go to; by default `watchpost-access-logs-<account>-<home region>`.
    #[schemars(with = "Option<String>")]
    pub bucket_name: Option<Spanned<String>>,
    #[schemars(with = "Option<i64>")]
    pub expire_after_days: Option<Spanned<i64>>,
}

pub type RawRuleParameters = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawConfig {
    #[schemars(with = "Option<String>")]
    pub role_name: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub recorder_name: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub delivery_channel_name: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub s3_key_prefix: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub snapshot_delivery_frequency: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, BTreeMap<String, serde_json::Value>>")]
    pub rules: BTreeMap<Spanned<String>, RawRuleParameters>,
}

/// `regions` as written: a keyword (only "all" is accepted) or a list of region names, each
/// with its own place in the file.
#[derive(Debug)]
pub enum RawRegions {
    Keyword(String),
    List(Vec<Spanned<String>>),
}

impl JsonSchema for RawRegions {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Regions".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "\"all\" (every region enabled for the account, discovered at run time) or a list of region names",
            "anyOf": [
                { "const": "all" },
                { "type": "array", "items": { "type": "string" } }
            ]
        })
    }
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

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawCloudTrail {
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub s3_key_prefix: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub kms_key_id: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub log_group_name: Option<Spanned<String>>,
    #[schemars(with = "Option<i64>")]
    pub log_retention_days: Option<Spanned<i64>>,
    #[schemars(with = "Option<String>")]
    pub role_name: Option<Spanned<String>>,
    pub s3_data_events: Option<RawS3DataEvents>,
}

/// CloudTrail data events for S3 objects on the trail (CIS 4.8, 4.9): off unless this table is
/// there, as they can cost more than the rest of the baseline together.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawS3DataEvents {
    /// `["write"]` (CIS 4.8), `["read"]` (CIS 4.9) or `["read", "write"]`.
    #[schemars(with = "Vec<String>")]
    pub access: Spanned<Vec<Spanned<String>>>,
    /// Only the objects of these buckets; every bucket of the account when left out.
    #[schemars(with = "Option<Vec<String>>")]
    pub buckets: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawAlerts {
    #[schemars(with = "Option<String>")]
    pub topic_name: Option<Spanned<String>>,
    #[schemars(with = "Vec<String>")]
    pub emails: Spanned<Vec<Spanned<String>>>,
    #[schemars(with = "Option<String>")]
    pub forward_role_name: Option<Spanned<String>>,
    /// `arn:aws:events:REGION:ACCOUNT:event-bus/NAME`: the one bus, in the security account,
    /// that every covered account forwards its alert events to.
    #[schemars(with = "Option<String>")]
    pub central_bus: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawSigninNotification {
    #[schemars(with = "Option<String>")]
    pub rule_name: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub events: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAlarmSettings {
    #[schemars(with = "Option<String>")]
    pub pattern: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub description: Option<Spanned<String>>,
    #[schemars(with = "Option<f64>")]
    pub threshold: Option<Spanned<f64>>,
    #[schemars(with = "Option<i64>")]
    pub period_seconds: Option<Spanned<i64>>,
    #[schemars(with = "Option<i64>")]
    pub evaluation_periods: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawAlarms {
    #[schemars(with = "Option<String>")]
    pub metric_namespace: Option<Spanned<String>>,
    #[schemars(with = "Option<f64>")]
    pub threshold: Option<Spanned<f64>>,
    #[schemars(with = "Option<i64>")]
    pub period_seconds: Option<Spanned<i64>>,
    #[schemars(with = "Option<i64>")]
    pub evaluation_periods: Option<Spanned<i64>>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RawAlarmSettings>")]
    pub filters: BTreeMap<Spanned<String>, RawAlarmSettings>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawPasswordPolicy {
    #[schemars(with = "Option<i64>")]
    pub minimum_password_length: Option<Spanned<i64>>,
    pub require_symbols: Option<bool>,
    pub require_numbers: Option<bool>,
    pub require_uppercase_characters: Option<bool>,
    pub require_lowercase_characters: Option<bool>,
    pub allow_users_to_change_password: Option<bool>,
    #[schemars(with = "Option<i64>")]
    pub max_password_age: Option<Spanned<i64>>,
    #[schemars(with = "Option<i64>")]
    pub password_reuse_prevention: Option<Spanned<i64>>,
    #[schemars(with = "Option<bool>")]
    pub hard_expiry: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawAccountPublicAccessBlock {
    pub block_public_acls: Option<bool>,
    pub ignore_public_acls: Option<bool>,
    pub block_public_policy: Option<bool>,
    pub restrict_public_buckets: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawEbsEncryption {
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub kms_key_ids: BTreeMap<Spanned<String>, Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawTamperAlerts {
    /// The rules are named `<rule_prefix>-<service>`, one per service watched.
    #[schemars(with = "Option<String>")]
    pub rule_prefix: Option<Spanned<String>>,
    /// Start the repairer's Fargate task on each tamper, as well as the alert.
    pub repair: Option<RawTamperRepair>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawTamperRepair {
    /// The ECS cluster's name (or ARN), in the home region.
    #[schemars(with = "String")]
    pub cluster: Spanned<String>,
    /// The task definition's family, or `family:revision` (or its ARN).
    #[schemars(with = "String")]
    pub task_definition: Spanned<String>,
    /// The subnets the task runs in (1 to 16), `subnet-...`.
    #[schemars(with = "Vec<String>")]
    pub subnets: Spanned<Vec<Spanned<String>>>,
    /// Its security groups (up to 5), `sg-...`; none: the VPC's default.
    #[schemars(with = "Option<Vec<String>>")]
    pub security_groups: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub assign_public_ip: bool,
    /// The role the task runs as (its `taskRoleArn`).
    #[schemars(with = "Option<String>")]
    pub task_role_name: Option<Spanned<String>>,
    /// The role ECS starts the task with (its `executionRoleArn`).
    #[schemars(with = "Option<String>")]
    pub execution_role_name: Option<Spanned<String>>,
    /// The role watchpost makes for EventBridge to start the task with.
    #[schemars(with = "Option<String>")]
    pub role_name: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawSupportRole {
    /// The role's name.
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
    /// Who may assume it: account ids, or ARNs of the account (`...:root`), a role or a user.
    /// None: the account itself, so that its IAM policies decide.
    #[schemars(with = "Option<Vec<String>>")]
    pub principals: Option<Vec<Spanned<String>>>,
}

/// A flow log on every VPC of every region in scope, delivered to the log bucket (CIS 4.7).
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawVpcFlowLogs {
    /// `"REJECT"` (the traffic security groups and network ACLs refuse, as CIS asks at least) or
    /// `"ALL"`.
    #[schemars(with = "Option<String>")]
    pub traffic_type: Option<Spanned<String>>,
    /// Where in the log bucket the flow logs go; `vpc-flow-logs` by default.
    #[schemars(with = "Option<String>")]
    pub s3_key_prefix: Option<Spanned<String>>,
    /// Seconds over which a flow is gathered into one record: 600 (the default) or 60.
    #[schemars(with = "Option<i64>")]
    pub max_aggregation_interval: Option<Spanned<i64>>,
}

/// AWS Security Hub CSPM in every region in scope, with the standards it checks the account
/// against (CIS 5.16), and the other regions' findings aggregated into the home region.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawSecurityHub {
    /// The standards to enable, by name (the latest version the region offers) or pinned to a
    /// version (`"cis-aws-foundations-benchmark/v/3.0.0"`). By default the CIS AWS Foundations
    /// Benchmark and AWS Foundational Security Best Practices.
    #[schemars(with = "Option<Vec<String>>")]
    pub standards: Option<Vec<Spanned<String>>>,
    /// Whether the findings of every other region in scope are aggregated into the home region,
    /// to be read in one place; `true` by default.
    pub aggregate_findings: Option<bool>,
    /// Security Hub's findings of at least a severity, through the alert route.
    pub finding_alerts: Option<RawHubFindingAlerts>,
}

/// An EventBridge rule that sends Security Hub's new, active findings of at least
/// `min_severity` to the alert topic.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHubFindingAlerts {
    /// The rule's name; `watchpost-securityhub-findings` by default.
    #[schemars(with = "Option<String>")]
    pub rule_name: Option<Spanned<String>>,
    /// Security Hub's severity label: `"LOW"`, `"MEDIUM"`, `"HIGH"` (the default: high and
    /// critical) or `"CRITICAL"`.
    #[schemars(with = "Option<String>")]
    pub min_severity: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawAccessAnalyzer {
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawSecurityContact {
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    #[schemars(with = "String")]
    pub title: Spanned<String>,
    #[schemars(with = "String")]
    pub email: Spanned<String>,
    #[schemars(with = "String")]
    pub phone: Spanned<String>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_schema_names_every_section_the_loader_reads() {
        let schema = super::schema();
        let mut in_schema: Vec<&str> = schema
            .get("properties")
            .and_then(|properties| properties.as_object())
            .expect("the schema lists the sections")
            .keys()
            .map(String::as_str)
            .collect();
        let mut read: Vec<&str> = super::super::validate::SECTIONS
            .iter()
            .map(|section| section.name)
            .collect();
        in_schema.sort_unstable();
        read.sort_unstable();
        assert_eq!(in_schema, read);
    }
}
