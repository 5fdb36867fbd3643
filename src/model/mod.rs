//! The shapes that flow between the layers: resource addresses and, per kind, the settings
//! watchpost manages. Desired and observed state use the same spec types so that comparing them
//! is a plain, per-field affair.

mod account;
mod alerts;
mod bucket;
mod config;
mod contact;
mod detector;
mod flow_log;
mod health;
mod kind;
mod kms;
mod logs;
pub mod policy;
mod role;
mod security_hub;
mod tamper;
mod trail;
mod usage;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use account::{AnalyzerSpec, EbsEncryptionSpec, PasswordPolicySpec, PublicAccessBlockSpec};
pub use alerts::{
    ALARM_RULE_NAME, ALERT_TARGET_ID, BUS_STATEMENT_PREFIX, BusPermissionSpec, CENTRAL_TARGET_ID,
    DRILL_DETAIL_TYPE, DRILL_RULE_NAME, DRILL_SOURCE, EcsTaskSpec, EventBusSpec, EventRuleSpec,
    FORWARD_TARGET_ID, REPAIR_TARGET_ID, SubscriptionSpec, TargetSpec, TopicSpec,
    WATCHPOST_TARGET_IDS, bus_statement_for_account, bus_statement_for_organization,
    default_bus_arn, topic_arn,
};
pub use bucket::{AccessLogging, BucketSpec, EXPIRY_RULE_ID, Encryption};
pub use config::{
    DeliveryChannelSpec, RecorderSpec, RecordingMode, RecordingModeOverride, RecordingSpec,
    RuleSpec,
};
pub use contact::SecurityContactSpec;
pub use detector::DetectorSpec;
pub use flow_log::FlowLogSpec;
pub use health::{
    AlarmState, Check, ConfigRegion, Delivery, DeliveryStatus, Findings, FindingsRegion,
    FlowLogCoverage, FlowLogsRegion, NonCompliant, Part, RecorderStatus, RuleCompliance,
    Subscription, Time, TopicStatus, TrailStatus, Verdict,
};
pub use kind::{Kind, Ownership, SIGNIN_RECORDING_REGIONS, Standing};
pub use kms::{KEY_DELETION_WINDOW_DAYS, KeySpec, alias_arn, is_alias};
pub use logs::{AlarmSpec, LogGroupSpec, MetricFilterSpec};
pub use role::RoleSpec;
pub use security_hub::{
    FindingAggregatorSpec, KNOWN_STANDARDS, SecurityHubSpec, StandardName, resolve_standard,
};
pub use tamper::Watched;
pub use trail::{S3_DATA_EVENTS_SELECTOR, S3DataEvents, TrailSpec};
pub use usage::{ApiCallCounts, Unread, Usage, sum_calls};

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

/// Declares [`Spec`], one variant per spec type with the kinds it serves, and the dispatch
/// over it: a spec type is added with one line here, and the compiler asks for its
/// `changes_from`.
macro_rules! specs {
    ($($variant:ident($spec:ty) for [$($kind:ident),+]),+ $(,)?) => {
        /// The managed settings of one resource, desired or observed.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Spec {
            $($variant($spec)),+
        }

        impl Spec {
            /// The kinds whose resources this spec describes.
            pub fn kinds(&self) -> &'static [Kind] {
                match self {
                    $(Spec::$variant(_) => &[$(Kind::$kind),+]),+
                }
            }

            /// The declared fields of `self` (desired) that `live` does not match. A live
            /// spec of another type matches none of them.
            pub fn changes_from(&self, live: &Spec) -> Vec<FieldChange> {
                match (self, live) {
                    $((Spec::$variant(desired), Spec::$variant(live)) => desired.changes_from(live),)+
                    (desired, _) => desired.fields_missing(),
                }
            }

            fn as_json(&self) -> serde_json::Value {
                match self {
                    $(Spec::$variant(spec) => to_json(spec)),+
                }
            }
        }
    };
}

specs! {
    Bucket(BucketSpec) for [LogBucket, AccessLogBucket],
    Role(RoleSpec) for [IamRole],
    Detector(DetectorSpec) for [GuarddutyDetector],
    Recorder(RecorderSpec) for [ConfigRecorder],
    DeliveryChannel(DeliveryChannelSpec) for [ConfigDeliveryChannel],
    Recording(RecordingSpec) for [ConfigRecording],
    Rule(RuleSpec) for [ConfigRule],
    LogGroup(LogGroupSpec) for [LogGroup],
    Trail(TrailSpec) for [CloudtrailTrail],
    Topic(TopicSpec) for [AlertTopic],
    Subscription(SubscriptionSpec) for [AlertSubscription],
    EventRule(EventRuleSpec) for [SigninRule, FindingRule, HubFindingRule, AlarmRule, AlertBusRule, TamperRule, DrillRule],
    EventBus(EventBusSpec) for [AlertBus],
    BusPermission(BusPermissionSpec) for [AlertBusPermission],
    MetricFilter(MetricFilterSpec) for [MetricFilter],
    Alarm(AlarmSpec) for [MetricAlarm],
    Key(KeySpec) for [KmsKey],
    PasswordPolicy(PasswordPolicySpec) for [PasswordPolicy],
    PublicAccessBlock(PublicAccessBlockSpec) for [AccountPublicAccessBlock],
    EbsEncryption(EbsEncryptionSpec) for [EbsEncryption],
    Analyzer(AnalyzerSpec) for [AccessAnalyzer],
    SecurityContact(SecurityContactSpec) for [SecurityContact],
    BucketLogging(AccessLogging) for [BucketLogging],
    FlowLog(FlowLogSpec) for [FlowLog],
    SecurityHub(SecurityHubSpec) for [SecurityHub],
    FindingAggregator(FindingAggregatorSpec) for [FindingAggregator],
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
    /// Whether this spec describes a resource of `kind`.
    pub fn fits(&self, kind: Kind) -> bool {
        self.kinds().contains(&kind)
    }

    /// The declared fields as one JSON object, without the kind's tag.
    pub fn field_values(&self) -> serde_json::Map<String, serde_json::Value> {
        match self.as_json() {
            serde_json::Value::Object(map) => map
                .into_iter()
                .filter(|(_, value)| !value.is_null())
                .collect(),
            // A spec type is a struct, and serde writes a struct as an object.
            _ => serde_json::Map::new(),
        }
    }

    /// Every declared field, as missing from a live resource that has none of them.
    fn fields_missing(&self) -> Vec<FieldChange> {
        self.field_values()
            .into_iter()
            .map(|(field, after)| FieldChange {
                field,
                before: None,
                after,
            })
            .collect()
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
    /// AWS's answer, without the hint: it is quoted inside a sentence of the plan.
    pub reason: String,
    /// What the user can do about it, said on a line of its own.
    pub hint: Option<String>,
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
    /// The id of the account's organization, read in the security account of a central bus
    /// when the fleet is an organization, whose accounts the bus then admits by it.
    pub organization_id: Option<String>,
    /// The VPCs of each region in scope whose VPCs were read (`[vpc_flow_logs]`).
    pub vpcs: std::collections::BTreeMap<String, Vec<String>>,
}

impl Observed {
    /// Whether the region's Config recorder is there and recording.
    pub fn is_recording(&self, region: &str) -> bool {
        matches!(
            self.resources
                .get(&ResourceId::singleton(Kind::ConfigRecording, region))
                .map(|live| &live.spec),
            Some(Spec::Recording(RecordingSpec {
                recording: true,
                ..
            }))
        )
    }
}
