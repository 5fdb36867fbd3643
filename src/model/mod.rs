//! The shapes that flow between the layers: resource addresses and, per kind, the settings
//! watchpost manages. Desired and observed state use the same spec types so that comparing them
//! is a plain, per-field affair.

mod account;
mod alerts;
mod bucket;
mod config;
mod detector;
mod kms;
mod logs;
pub mod policy;
mod role;
mod trail;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use account::{AnalyzerSpec, EbsEncryptionSpec, PasswordPolicySpec, PublicAccessBlockSpec};
pub use alerts::{
    ALERT_TARGET_ID, EventRuleSpec, FORWARD_TARGET_ID, SubscriptionSpec, TargetSpec, TopicSpec,
    WATCHPOST_TARGET_IDS, default_bus_arn, topic_arn,
};
pub use bucket::{BucketSpec, EXPIRY_RULE_ID, Encryption};
pub use config::{
    DeliveryChannelSpec, RecorderSpec, RecordingMode, RecordingModeOverride, RecordingSpec,
    RuleSpec,
};
pub use detector::DetectorSpec;
pub use kms::{KEY_DELETION_WINDOW_DAYS, KeySpec, alias_arn, is_alias};
pub use logs::{AlarmSpec, LogGroupSpec, MetricFilterSpec};
pub use role::RoleSpec;
pub use trail::TrailSpec;

/// Marks what watchpost created, so that later runs know what they own.
pub const MANAGED_TAG: (&str, &str) = ("managed-by", "watchpost");

/// Whether a tag is watchpost's mark. The SDKs differ on whether a tag's key and value are
/// optional, so both forms are taken.
pub fn is_managed_tag<'a>(
    key: impl Into<Option<&'a str>>,
    value: impl Into<Option<&'a str>>,
) -> bool {
    (key.into(), value.into()) == (Some(MANAGED_TAG.0), Some(MANAGED_TAG.1))
}

/// IAM is global; its resources are addressed with this pseudo-region.
pub const GLOBAL: &str = "global";

/// The AWS partition a region belongs to, for ARNs and for keeping a run inside one partition.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    LogBucket,
    IamRole,
    GuarddutyDetector,
    ConfigRecorder,
    ConfigDeliveryChannel,
    ConfigRecording,
    ConfigRule,
    LogGroup,
    CloudtrailTrail,
    AlertTopic,
    AlertSubscription,
    SigninRule,
    MetricFilter,
    MetricAlarm,
    FindingRule,
    KmsKey,
    PasswordPolicy,
    AccountPublicAccessBlock,
    EbsEncryption,
    AccessAnalyzer,
}

impl Kind {
    pub const ALL: [Kind; 20] = [
        Kind::LogBucket,
        Kind::IamRole,
        Kind::GuarddutyDetector,
        Kind::ConfigRecorder,
        Kind::ConfigDeliveryChannel,
        Kind::ConfigRecording,
        Kind::ConfigRule,
        Kind::LogGroup,
        Kind::CloudtrailTrail,
        Kind::AlertTopic,
        Kind::AlertSubscription,
        Kind::SigninRule,
        Kind::MetricFilter,
        Kind::MetricAlarm,
        Kind::FindingRule,
        Kind::KmsKey,
        Kind::PasswordPolicy,
        Kind::AccountPublicAccessBlock,
        Kind::EbsEncryption,
        Kind::AccessAnalyzer,
    ];

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::LogBucket => "log_bucket",
            Kind::IamRole => "iam_role",
            Kind::GuarddutyDetector => "guardduty_detector",
            Kind::ConfigRecorder => "config_recorder",
            Kind::ConfigDeliveryChannel => "config_delivery_channel",
            Kind::ConfigRecording => "config_recording",
            Kind::ConfigRule => "config_rule",
            Kind::LogGroup => "log_group",
            Kind::CloudtrailTrail => "cloudtrail_trail",
            Kind::AlertTopic => "alert_topic",
            Kind::AlertSubscription => "alert_subscription",
            Kind::SigninRule => "signin_rule",
            Kind::MetricFilter => "metric_filter",
            Kind::MetricAlarm => "metric_alarm",
            Kind::FindingRule => "finding_rule",
            Kind::KmsKey => "kms_key",
            Kind::PasswordPolicy => "password_policy",
            Kind::AccountPublicAccessBlock => "account_public_access_block",
            Kind::EbsEncryption => "ebs_encryption",
            Kind::AccessAnalyzer => "access_analyzer",
        }
    }
}

impl Kind {
    /// The baseline section that declares resources of this kind, for `--only SECTION`. An IAM
    /// role serves several sections (Config's, the trail's, the alert forwarding's), so it is
    /// selected as `iam_role` only.
    pub fn section(self) -> Option<&'static str> {
        Some(match self {
            Kind::LogBucket => "log_bucket",
            Kind::IamRole => return None,
            Kind::GuarddutyDetector | Kind::FindingRule => "guardduty",
            Kind::ConfigRecorder
            | Kind::ConfigDeliveryChannel
            | Kind::ConfigRecording
            | Kind::ConfigRule => "config",
            Kind::LogGroup | Kind::CloudtrailTrail => "cloudtrail",
            Kind::AlertTopic | Kind::AlertSubscription => "alerts",
            Kind::SigninRule => "signin_notification",
            Kind::MetricFilter | Kind::MetricAlarm => "alarms",
            Kind::KmsKey => "kms",
            Kind::PasswordPolicy => "password_policy",
            Kind::AccountPublicAccessBlock => "account_public_access_block",
            Kind::EbsEncryption => "ebs_encryption",
            Kind::AccessAnalyzer => "access_analyzer",
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a resource lives. Per-region singletons (a detector, a recorder) have an empty name:
/// AWS allows one per region, so the region alone identifies them and an existing one is
/// adopted whatever it is called.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResourceId {
    pub kind: Kind,
    pub region: String,
    pub name: String,
}

impl ResourceId {
    pub fn new(kind: Kind, region: &str, name: &str) -> Self {
        ResourceId {
            kind,
            region: region.to_owned(),
            name: name.to_owned(),
        }
    }

    pub fn singleton(kind: Kind, region: &str) -> Self {
        Self::new(kind, region, "")
    }
}

/// `kind/region[/name]`, the address users see in plans and errors.
impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind, self.region)?;
        if !self.name.is_empty() {
            write!(f, "/{}", self.name)?;
        }
        Ok(())
    }
}

/// The managed settings of one resource, desired or observed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Spec {
    Bucket(BucketSpec),
    Role(RoleSpec),
    Detector(DetectorSpec),
    Recorder(RecorderSpec),
    DeliveryChannel(DeliveryChannelSpec),
    Recording(RecordingSpec),
    Rule(RuleSpec),
    LogGroup(LogGroupSpec),
    Trail(TrailSpec),
    Topic(TopicSpec),
    Subscription(SubscriptionSpec),
    EventRule(EventRuleSpec),
    MetricFilter(MetricFilterSpec),
    Alarm(AlarmSpec),
    Key(KeySpec),
    PasswordPolicy(PasswordPolicySpec),
    PublicAccessBlock(PublicAccessBlockSpec),
    EbsEncryption(EbsEncryptionSpec),
    Analyzer(AnalyzerSpec),
}

/// One managed field whose live value differs from the baseline. `before` is `None` when the
/// live resource lacks the setting altogether.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<serde_json::Value>,
    pub after: serde_json::Value,
}

/// Collects the differences between a desired and a live spec, one declared field at a time.
#[derive(Default)]
pub struct FieldDiff(Vec<FieldChange>);

impl FieldDiff {
    pub fn field<T: Serialize + PartialEq>(&mut self, name: &str, desired: &T, live: &T) {
        if desired != live {
            self.0.push(FieldChange {
                field: name.to_owned(),
                before: Some(to_json(live)),
                after: to_json(desired),
            });
        }
    }

    /// A declared entry of a map the live side may lack entirely.
    pub fn entry<T: Serialize + PartialEq>(&mut self, name: &str, desired: &T, live: Option<&T>) {
        if live != Some(desired) {
            self.0.push(FieldChange {
                field: name.to_owned(),
                before: live.map(to_json),
                after: to_json(desired),
            });
        }
    }

    /// An entry watchpost set that the baseline no longer has: its `after` is null.
    pub fn removed<T: Serialize>(&mut self, name: &str, live: &T) {
        self.0.push(FieldChange {
            field: name.to_owned(),
            before: Some(to_json(live)),
            after: serde_json::Value::Null,
        });
    }

    pub fn finish(self) -> Vec<FieldChange> {
        self.0
    }
}

fn to_json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("spec fields are plain data")
}

impl Spec {
    /// The declared fields of `self` (desired) that `live` does not match.
    pub fn changes_from(&self, live: &Spec) -> Vec<FieldChange> {
        match (self, live) {
            (Spec::Bucket(d), Spec::Bucket(l)) => d.changes_from(l),
            (Spec::Role(d), Spec::Role(l)) => d.changes_from(l),
            (Spec::Detector(d), Spec::Detector(l)) => d.changes_from(l),
            (Spec::Recorder(d), Spec::Recorder(l)) => d.changes_from(l),
            (Spec::DeliveryChannel(d), Spec::DeliveryChannel(l)) => d.changes_from(l),
            (Spec::Recording(d), Spec::Recording(l)) => d.changes_from(l),
            (Spec::Rule(d), Spec::Rule(l)) => d.changes_from(l),
            (Spec::LogGroup(d), Spec::LogGroup(l)) => d.changes_from(l),
            (Spec::Trail(d), Spec::Trail(l)) => d.changes_from(l),
            (Spec::Topic(d), Spec::Topic(l)) => d.changes_from(l),
            (Spec::Subscription(d), Spec::Subscription(l)) => d.changes_from(l),
            (Spec::EventRule(d), Spec::EventRule(l)) => d.changes_from(l),
            (Spec::MetricFilter(d), Spec::MetricFilter(l)) => d.changes_from(l),
            (Spec::Alarm(d), Spec::Alarm(l)) => d.changes_from(l),
            (Spec::Key(d), Spec::Key(l)) => d.changes_from(l),
            (Spec::PasswordPolicy(d), Spec::PasswordPolicy(l)) => d.changes_from(l),
            (Spec::PublicAccessBlock(d), Spec::PublicAccessBlock(l)) => d.changes_from(l),
            (Spec::EbsEncryption(d), Spec::EbsEncryption(l)) => d.changes_from(l),
            (Spec::Analyzer(d), Spec::Analyzer(l)) => d.changes_from(l),
            (desired, live) => unreachable!("compared {desired:?} with a {live:?}"),
        }
    }

    /// The declared fields as one JSON object, without the kind's tag.
    pub fn field_values(&self) -> serde_json::Map<String, serde_json::Value> {
        let inner = match self {
            Spec::Bucket(spec) => to_json(spec),
            Spec::Role(spec) => to_json(spec),
            Spec::Detector(spec) => to_json(spec),
            Spec::Recorder(spec) => to_json(spec),
            Spec::DeliveryChannel(spec) => to_json(spec),
            Spec::Recording(spec) => to_json(spec),
            Spec::Rule(spec) => to_json(spec),
            Spec::LogGroup(spec) => to_json(spec),
            Spec::Trail(spec) => to_json(spec),
            Spec::Topic(spec) => to_json(spec),
            Spec::Subscription(spec) => to_json(spec),
            Spec::EventRule(spec) => to_json(spec),
            Spec::MetricFilter(spec) => to_json(spec),
            Spec::Alarm(spec) => to_json(spec),
            Spec::Key(spec) => to_json(spec),
            Spec::PasswordPolicy(spec) => to_json(spec),
            Spec::PublicAccessBlock(spec) => to_json(spec),
            Spec::EbsEncryption(spec) => to_json(spec),
            Spec::Analyzer(spec) => to_json(spec),
        };
        match inner {
            serde_json::Value::Object(map) => map
                .into_iter()
                .filter(|(_, value)| !value.is_null())
                .collect(),
            other => unreachable!("specs serialize as objects, not {other}"),
        }
    }
}

/// A resource as read from the account. `live_id` is what AWS calls it when that differs from
/// its address: the detector id, or the name of an adopted recorder.
#[derive(Clone, Debug, PartialEq)]
pub struct Live {
    pub spec: Spec,
    pub live_id: Option<String>,
    /// Whether watchpost made it (its managed-by tag, or where AWS has no tags, a marker such
    /// as a metric in watchpost's namespace). Only what watchpost owns is ever deleted.
    pub owned: bool,
}

/// Something watchpost could not read; the resources behind it are left out of the plan.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Gap {
    pub place: String,
    pub call: String,
    pub reason: String,
}

/// The live account, as far as the baseline needs it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observed {
    pub account_id: String,
    /// The regions in scope: the baseline's list, or those enabled for the account.
    pub regions: Vec<String>,
    /// Opt-in regions the account has not enabled, left out of `regions = "all"`.
    pub regions_not_enabled: Vec<String>,
    pub resources: std::collections::BTreeMap<ResourceId, Live>,
    pub gaps: Vec<Gap>,
}
