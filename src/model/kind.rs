//! The resource kinds watchpost manages, and what each one is, declared once in [`Kind::def`]:
//! its name, the baseline section that asks for it, where it lives, whose it is, whether it
//! goes with a region taken out of scope, and whether it holds logs. Every layer asks this
//! table rather than keeping a list of its own, and the match in [`Kind::def`] has no
//! catch-all arm, so a new kind does not compile until it has said all of it.

use std::fmt;

use serde::{Deserialize, Serialize};
use strum::IntoEnumIterator;

use super::GLOBAL;
use super::tamper::global_events_region;

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    LogBucket,
    AccessLogBucket,
    BucketLogging,
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
    SecurityContact,
    AlarmRule,
    AlertBus,
    AlertBusPermission,
    AlertBusRule,
    TamperRule,
    DrillRule,
    FlowLog,
    SecurityHub,
    FindingAggregator,
    HubFindingRule,
}

/// What a kind is, as every layer needs to know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindDef {
    /// How users write it: in addresses (`kind/region/name`), `--only` and JSON.
    pub name: &'static str,
    /// The baseline section that declares it, for `--only SECTION`; `None` for a kind that
    /// serves several sections (an IAM role: Config's, the trail's, the alert forwarding's).
    pub section: Option<&'static str>,
    pub placement: Placement,
    pub ownership: Ownership,
    /// Whether what watchpost made of it in a region taken out of scope is removed there.
    pub retires_with_region: bool,
    /// Whether it holds logs, which are evidence: `destroy` keeps it unless `--delete-logs`.
    pub holds_logs: bool,
}

/// Where the resources of a kind live in an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Once for the account, addressed with the pseudo-region [`GLOBAL`]: IAM, and settings
    /// of the whole account.
    Global,
    /// In the baseline's home region only.
    HomeRegion,
    /// In every region in scope (a Config rule, further, only where AWS offers it and, for an
    /// account-wide rule, in one region).
    EveryRegion,
    /// In every region in scope and in every region AWS records console sign-ins in,
    /// whatever the scope: see [`SIGNIN_RECORDING_REGIONS`].
    SigninRegions,
    /// In every region in scope and in the region that records the calls of global services
    /// (IAM) whatever the scope: see [`global_events_region`].
    ScopeAndGlobalEvents,
}

/// Which of the live resources of a kind watchpost may delete or replace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ownership {
    /// Those that carry watchpost's mark: its managed-by tag or, where AWS has no tags, a
    /// marker the observer reads (a metric in watchpost's namespace).
    Marked,
    /// Config's untaggable singletons: watchpost's when they bear the name the baseline gives
    /// them, since an adopted one keeps its own.
    BaselineName,
    /// None: a setting of the account, which watchpost cannot tell it set and whose removal
    /// would only weaken the account.
    AccountSetting,
}

/// Where AWS records console sign-ins whatever region the user chose (CloudTrail User Guide,
/// "AWS Management Console sign-in events"): a root sign-in, and an IAM user's through the
/// global endpoint, in us-east-1; an IAM user's through the global endpoint with an account
/// alias cookie in us-east-2, eu-north-1 or ap-southeast-2. An IAM user signing in through a
/// Regional endpoint is recorded in that region, so every region in scope has a rule too.
pub const SIGNIN_RECORDING_REGIONS: [&str; 4] =
    ["ap-southeast-2", "eu-north-1", "us-east-1", "us-east-2"];

/// The regions that hold a sign-in rule: every region in scope and every region AWS records
/// sign-ins in whatever the scope (the section exists in the commercial partition only).
fn signin_regions(regions: &[String]) -> Vec<String> {
    let mut all: Vec<String> = regions.to_vec();
    all.extend(SIGNIN_RECORDING_REGIONS.map(str::to_owned));
    all.sort();
    all.dedup();
    all
}

/// Why a kind is read in a region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// The baseline places the kind there.
    Placed,
    /// The region has left the scope: what watchpost made there goes, so its mark is read.
    Retired,
}

impl Placement {
    /// The regions the resources of this placement belong in, given the home region and the
    /// regions in scope, sorted.
    pub fn regions(self, home: &str, in_scope: &[String]) -> Vec<String> {
        match self {
            Placement::Global => vec![GLOBAL.to_owned()],
            Placement::HomeRegion => vec![home.to_owned()],
            Placement::EveryRegion => {
                let mut regions = in_scope.to_vec();
                regions.sort();
                regions
            }
            Placement::SigninRegions => signin_regions(in_scope),
            Placement::ScopeAndGlobalEvents => {
                let mut regions = in_scope.to_vec();
                regions.push(global_events_region(home).to_owned());
                regions.sort();
                regions.dedup();
                regions
            }
        }
    }
}

impl Kind {
    /// The table: everything about each kind that more than one layer needs.
    pub const fn def(self) -> KindDef {
        use Ownership::{AccountSetting, BaselineName, Marked};
        use Placement::{EveryRegion, Global, HomeRegion, ScopeAndGlobalEvents, SigninRegions};
        match self {
            Kind::LogBucket => KindDef {
                name: "log_bucket",
                section: Some("log_bucket"),
                placement: HomeRegion,
                ownership: Marked,
                retires_with_region: false,
                holds_logs: true,
            },
            Kind::AccessLogBucket => KindDef {
                name: "access_log_bucket",
                section: Some("log_bucket"),
                placement: HomeRegion,
                ownership: Marked,
                retires_with_region: false,
                holds_logs: true,
            },
            Kind::BucketLogging => KindDef {
                name: "bucket_logging",
                section: Some("log_bucket"),
                placement: HomeRegion,
                ownership: Marked,
                retires_with_region: false,
                holds_logs: false,
            },
            Kind::IamRole => KindDef {
                name: "iam_role",
                section: None,
                placement: Global,
                ownership: Marked,
                retires_with_region: false,
                holds_logs: false,
            },
            Kind::GuarddutyDetector => KindDef {
                name: "guardduty_detector",
                section: Some("guardduty"),
                placement: EveryRegion,
                ownership: Marked,
                retires_with_region: true,
                holds_logs: false,
            },
            Kind::ConfigRecorder => KindDef {
                name: "config_recorder",
                section: Some("config"),
                placement: EveryRegion,
                ownership: BaselineName,
                retires_with_region: true,
                holds_logs: false,
            },
            Kind::ConfigDeliveryChannel => KindDef {
                name: "config_delivery_channel",
                section: Some("config"),
                placement: EveryRegion,
                ownership: BaselineName,
                retires_with_region: true,
                holds_logs: false,
            },
            Kind::ConfigRecording => KindDef {
                name: "config_recording",
                section: Some("config"),
                placement: EveryRegion,
                ownership: BaselineName,
                retires_with_region: true,
                holds_logs: false,
            },
            Kind::ConfigRule => KindDef {
                name: "config_rule",
                section: Some("config"),
                placement: EveryRegion,
                ownership: Marked,
                retires_with_region: true,
                holds_logs: false,
            },
            Kind::LogGroup => KindDef {
                name: "log_group",
                section: Some("cloudtrail"),
                placement: HomeRegion,
                ownership: Marked,
                retires_with_region: false,
                holds_logs: true,
            },
            Kind::CloudtrailTrail => KindDef {
                name: "cloudtrail_trail",
                section: Some("cloudtrail"),
                placement: HomeRegion,
                ownership: Marked,
                retires_with_region: false,
                holds_logs: false,
            },
            Kind::AlertTopic => KindDef {
                name: "alert_topic",
                section: Some("alerts"),
                placement: HomeRegion,
                ownership: Marked,
                retires_with_region: false,
                holds_logs: false,
            },
            Kind::AlertSubscription => KindDef {
                name: "alert_subscription",
                section: Some("alerts"),
                placement: HomeRegion,
                ownership: Marked,
                retires_with_region: false,
                holds_logs: false,
            },
            Kind::SigninRule => KindDef {
                name: "signin_rule",
                section: Some("signin_notification"),
                placement: SigninRegions,
                ownership: Marked,
                retires_with_region: true,
                holds_logs: false,
            },
            Kind::MetricFilter => KindDef {
                name: "metric_filter",
                section: Some("alarms"),
                placement: HomeRegion,
                ownership: Marked,
                retires_with_region: false,
                holds_logs: false,
            },
            Kind::MetricAlarm => KindDef {
                name: "metric_alarm",
                section: Some("alarms"),
                placement: HomeRegion,
                ownership: Marked,
                retires_with_region: false,
                holds_logs: false,
            },
            Kind::FlowLog => KindDef {
                name: "flow_log",
                section: Some("vpc_flow_logs"),
                placement: EveryRegion,
                ownership: Marked,
                retires_with_region: true,
                holds_logs: false,
            },
            Kind::SecurityHub => KindDef {
                name: "security_hub",
                section: Some("security_hub"),
                placement: EveryRegion,
                ownership: Marked,
                retires_with_region: true,
                holds_logs: false,
            },
            Kind::FindingAggregator => KindDef {
                name: "finding_aggregator",
                section: Some("security_hub"),
                placement: HomeRegion,
                ownership: AccountSetting,
                retires_with_region: false,
                holds_logs: false,
            },
            Kind::HubFindingRule => KindDef {
                name: "hub_finding_rule",
                section: Some("security_hub"),
                placement: EveryRegion,
                ownership: Marked,
                retires_with_region: true,
                holds_logs: false,
            },
            Kind::FindingRule => KindDef {
                name: "finding_rule",
                section: Some("guardduty"),
                placement: EveryRegion,
                ownership: Marked,
                retires_with_region: true,
                holds_logs: false,
            },
            Kind::KmsKey => KindDef {
                name: "kms_key",
                section: Some("kms"),
                placement: HomeRegion,
                ownership: Marked,
                retires_with_region: false,
                holds_logs: false,
            },
            Kind::PasswordPolicy => KindDef {
                name: "password_policy",
                section: Some("password_policy"),
                placement: Global,
                ownership: AccountSetting,
                retires_with_region: false,
                holds_logs: false,
            },
            Kind::AccountPublicAccessBlock => KindDef {
                name: "account_public_access_block",
                section: Some("account_public_access_block"),
                placement: Global,
                ownership: AccountSetting,
                retires_with_region: false,
                holds_logs: false,
            },
            Kind::EbsEncryption => KindDef {
                name: "ebs_encryption",
                section: Some("ebs_encryption"),
                placement: EveryRegion,
                ownership: AccountSetting,
                retires_with_region: false,
                holds_logs: false,
            },
            Kind::AccessAnalyzer => KindDef {
                name: "access_analyzer",
                section: Some("access_analyzer"),
                placement: EveryRegion,
                ownership: Marked,
                retires_with_region: true,
                holds_logs: false,
            },
            Kind::SecurityContact => KindDef {
                name: "security_contact",
                section: Some("security_contact"),
                placement: Global,
                ownership: AccountSetting,
                retires_with_region: false,
                holds_logs: false,
            },
            // With a central bus: the rule that forwards the alarms' state changes to it, as
            // the alarms have no topic of their own account to notify.
            Kind::TamperRule => KindDef {
                name: "tamper_rule",
                section: Some("tamper_alerts"),
                placement: ScopeAndGlobalEvents,
                ownership: Marked,
                retires_with_region: true,
                holds_logs: false,
            },
            Kind::DrillRule => KindDef {
                name: "drill_rule",
                section: Some("alerts"),
                placement: HomeRegion,
                ownership: Marked,
                retires_with_region: false,
                holds_logs: false,
            },
            Kind::AlarmRule => KindDef {
                name: "alarm_rule",
                section: Some("alarms"),
                placement: HomeRegion,
                ownership: Marked,
                retires_with_region: false,
                holds_logs: false,
            },
            // The central bus and what is on it, in the security account only: the bus, each
            // statement of its policy that watchpost wrote (marked by their statement id), and
            // the rules that raise the emails.
            Kind::AlertBus => KindDef {
                name: "alert_bus",
                section: Some("alerts"),
                placement: HomeRegion,
                ownership: Marked,
                retires_with_region: false,
                holds_logs: false,
            },
            Kind::AlertBusPermission => KindDef {
                name: "alert_bus_permission",
                section: Some("alerts"),
                placement: HomeRegion,
                ownership: Marked,
                retires_with_region: false,
                holds_logs: false,
            },
            Kind::AlertBusRule => KindDef {
                name: "alert_bus_rule",
                section: Some("alerts"),
                placement: HomeRegion,
                ownership: Marked,
                retires_with_region: false,
                holds_logs: false,
            },
        }
    }

    /// Every kind, in declaration order.
    pub fn all() -> impl Iterator<Item = Kind> {
        Kind::iter()
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::all().find(|kind| kind.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        self.def().name
    }

    /// The baseline section that declares resources of this kind, for `--only SECTION`.
    pub fn section(self) -> Option<&'static str> {
        self.def().section
    }

    /// The regions its resources belong in, given the home region and the regions in scope.
    pub fn regions(self, home: &str, in_scope: &[String]) -> Vec<String> {
        self.def().placement.regions(home, in_scope)
    }

    /// The regions this kind is read in, each with its standing: where the baseline places it,
    /// then, for a kind that retires with a region, each region out of scope (`retired`) that
    /// the placement does not already cover, where what watchpost left is to go.
    pub fn regions_to_read(
        self,
        home: &str,
        in_scope: &[String],
        retired: &[String],
    ) -> Vec<(String, Standing)> {
        let placed = self.regions(home, in_scope);
        let leftovers = retired
            .iter()
            .filter(|region| self.def().retires_with_region && !placed.contains(region))
            .map(|region| (region.clone(), Standing::Retired))
            .collect::<Vec<_>>();
        placed
            .into_iter()
            .map(|region| (region, Standing::Placed))
            .chain(leftovers)
            .collect()
    }

    /// A setting of the account rather than a resource: never deleted.
    pub fn is_account_setting(self) -> bool {
        self.def().ownership == Ownership::AccountSetting
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::{Kind, Ownership, Placement};

    #[test]
    fn every_kind_has_its_own_name_which_is_its_serde_name() {
        let names: BTreeSet<&str> = Kind::all().map(Kind::as_str).collect();
        assert_eq!(names.len(), Kind::all().count(), "names are unique");
        for kind in Kind::all() {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.as_str()),
                "the address and the JSON name are one"
            );
            assert_eq!(Kind::from_name(kind.as_str()), Some(kind));
        }
    }

    /// A kind that goes with a region lives per region; what is global or in the home region
    /// never retires with another region.
    #[test]
    fn only_regional_kinds_retire_with_a_region() {
        for kind in Kind::all() {
            let def = kind.def();
            if def.retires_with_region {
                assert!(
                    matches!(
                        def.placement,
                        Placement::EveryRegion
                            | Placement::SigninRegions
                            | Placement::ScopeAndGlobalEvents
                    ),
                    "{kind}"
                );
                assert_ne!(def.ownership, Ownership::AccountSetting, "{kind}");
            }
        }
    }

    #[test]
    fn account_settings_hold_no_logs_and_are_never_retired() {
        for kind in Kind::all().filter(|kind| kind.is_account_setting()) {
            let def = kind.def();
            assert!(!def.holds_logs && !def.retires_with_region, "{kind}");
        }
    }

    #[test]
    fn sign_in_rules_go_wherever_aws_records_sign_ins() {
        let in_scope = vec!["eu-west-1".to_owned()];
        assert_eq!(
            Placement::SigninRegions.regions("eu-west-1", &in_scope),
            [
                "ap-southeast-2",
                "eu-north-1",
                "eu-west-1",
                "us-east-1",
                "us-east-2"
            ]
        );
        assert_eq!(
            Placement::HomeRegion.regions("eu-west-1", &in_scope),
            ["eu-west-1"]
        );
        assert_eq!(
            Placement::Global.regions("eu-west-1", &in_scope),
            ["global"]
        );
    }

    #[test]
    fn regions_out_of_scope_are_read_for_what_retires_with_them() {
        let in_scope = vec!["eu-west-1".to_owned()];
        let retired = vec!["ap-south-1".to_owned(), "us-east-1".to_owned()];
        let read = |kind: Kind| {
            kind.regions_to_read("eu-west-1", &in_scope, &retired)
                .into_iter()
                .map(|(region, standing)| format!("{region}:{standing:?}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            read(Kind::GuarddutyDetector),
            [
                "eu-west-1:Placed",
                "ap-south-1:Retired",
                "us-east-1:Retired"
            ]
        );
        // us-east-1 records root sign-ins, so its rule stays whatever the scope.
        assert_eq!(
            read(Kind::SigninRule),
            [
                "ap-southeast-2:Placed",
                "eu-north-1:Placed",
                "eu-west-1:Placed",
                "us-east-1:Placed",
                "us-east-2:Placed",
                "ap-south-1:Retired"
            ]
        );
        assert_eq!(read(Kind::EbsEncryption), ["eu-west-1:Placed"]);
        assert_eq!(read(Kind::LogBucket), ["eu-west-1:Placed"]);
    }
}
