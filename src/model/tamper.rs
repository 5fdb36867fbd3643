//! The calls that undo watchpost's work, grouped by the service that records them: one tamper
//! rule per group (an event pattern holds 2,048 characters by default, too few for all of them
//! at once), named after it, so that each message can say which part of the baseline to repair.

use super::partition;

/// A service whose calls can blind the monitoring watchpost keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, strum::EnumIter)]
pub enum Watched {
    Cloudtrail,
    Guardduty,
    Config,
    Cloudwatch,
    Logs,
    Events,
    Sns,
    Kms,
    S3,
    Iam,
    Ec2,
    Securityhub,
}

/// Where a group's rule lives: where AWS delivers the events of its calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivered {
    /// In the region of the resource, which lives in the home region only.
    HomeRegion,
    /// In each region, each with a resource of its own.
    EveryRegion,
    /// In the one region that records the calls of a global service (IAM), and in the home
    /// region, where that region's rule forwards them.
    GlobalEvents,
}

impl Watched {
    pub fn all() -> impl Iterator<Item = Watched> {
        <Watched as strum::IntoEnumIterator>::iter()
    }

    /// The part of the rule's name after the baseline's prefix.
    pub const fn suffix(self) -> &'static str {
        match self {
            Watched::Cloudtrail => "cloudtrail",
            Watched::Guardduty => "guardduty",
            Watched::Config => "config",
            Watched::Cloudwatch => "cloudwatch",
            Watched::Logs => "logs",
            Watched::Events => "events",
            Watched::Sns => "sns",
            Watched::Kms => "kms",
            Watched::S3 => "s3",
            Watched::Iam => "iam",
            Watched::Ec2 => "ec2",
            Watched::Securityhub => "securityhub",
        }
    }

    pub fn rule_name(self, prefix: &str) -> String {
        format!("{prefix}-{}", self.suffix())
    }

    /// The event's `source`, and its `detail.eventSource`.
    pub const fn sources(self) -> (&'static str, &'static str) {
        match self {
            Watched::Cloudtrail => ("aws.cloudtrail", "cloudtrail.amazonaws.com"),
            Watched::Guardduty => ("aws.guardduty", "guardduty.amazonaws.com"),
            Watched::Config => ("aws.config", "config.amazonaws.com"),
            Watched::Cloudwatch => ("aws.cloudwatch", "monitoring.amazonaws.com"),
            Watched::Logs => ("aws.logs", "logs.amazonaws.com"),
            Watched::Events => ("aws.events", "events.amazonaws.com"),
            Watched::Sns => ("aws.sns", "sns.amazonaws.com"),
            Watched::Kms => ("aws.kms", "kms.amazonaws.com"),
            Watched::S3 => ("aws.s3", "s3.amazonaws.com"),
            Watched::Iam => ("aws.iam", "iam.amazonaws.com"),
            Watched::Ec2 => ("aws.ec2", "ec2.amazonaws.com"),
            Watched::Securityhub => ("aws.securityhub", "securityhub.amazonaws.com"),
        }
    }

    /// The calls, by CloudTrail's `eventName`, that stop, remove or weaken what watchpost made.
    pub const fn calls(self) -> &'static [&'static str] {
        match self {
            Watched::Cloudtrail => &[
                "DeleteTrail",
                "PutEventSelectors",
                "PutInsightSelectors",
                "StopLogging",
                "UpdateTrail",
            ],
            Watched::Guardduty => &[
                "DeleteDetector",
                "DeleteMembers",
                "DisassociateFromAdministratorAccount",
                "UpdateDetector",
            ],
            Watched::Config => &[
                "DeleteConfigRule",
                "DeleteConfigurationRecorder",
                "DeleteDeliveryChannel",
                "StopConfigurationRecorder",
            ],
            Watched::Cloudwatch => &["DeleteAlarms", "DisableAlarmActions"],
            Watched::Logs => &["DeleteLogGroup", "DeleteMetricFilter", "PutRetentionPolicy"],
            Watched::Events => &["DeleteRule", "DisableRule", "RemoveTargets"],
            Watched::Sns => &["DeleteTopic", "SetTopicAttributes", "Unsubscribe"],
            Watched::Kms => &["DisableKey", "PutKeyPolicy", "ScheduleKeyDeletion"],
            Watched::S3 => &[
                "DeleteBucketPolicy",
                "DeleteBucketPublicAccessBlock",
                "PutBucketLifecycle",
                "PutBucketPolicy",
                "PutBucketPublicAccessBlock",
            ],
            Watched::Iam => &[
                "AttachRolePolicy",
                "DeleteRole",
                "DeleteRolePolicy",
                "DetachRolePolicy",
                "PutRolePolicy",
                "UpdateAssumeRolePolicy",
            ],
            // Any flow log's removal: it blinds a VPC, watchpost's or another's flow log alike.
            Watched::Ec2 => &["DeleteFlowLogs"],
            // The hub, its standards and the aggregation: an account has one of each a region.
            Watched::Securityhub => &[
                "BatchDisableStandards",
                "DeleteFindingAggregator",
                "DisableSecurityHub",
                "UpdateFindingAggregator",
            ],
        }
    }

    pub const fn delivered(self) -> Delivered {
        match self {
            Watched::Guardduty
            | Watched::Config
            | Watched::Events
            | Watched::Ec2
            | Watched::Securityhub => Delivered::EveryRegion,
            Watched::Iam => Delivered::GlobalEvents,
            Watched::Cloudtrail
            | Watched::Cloudwatch
            | Watched::Logs
            | Watched::Sns
            | Watched::Kms
            | Watched::S3 => Delivered::HomeRegion,
        }
    }

    /// Whether this group's rule belongs in `region`.
    pub fn belongs_in(self, region: &str, home: &str, in_scope: &[String]) -> bool {
        match self.delivered() {
            Delivered::HomeRegion => region == home,
            Delivered::EveryRegion => in_scope.iter().any(|r| r == region),
            Delivered::GlobalEvents => region == global_events_region(home) || region == home,
        }
    }
}

/// Where CloudTrail records, and EventBridge receives, the calls of IAM and the other global
/// services in each partition (CloudTrail User Guide, "Understanding global service events").
pub fn global_events_region(home: &str) -> &'static str {
    match partition(home) {
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        _ => "us-east-1",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_group_names_calls_of_its_own_service_once() {
        let mut names: Vec<String> = Watched::all().map(|group| group.rule_name("p")).collect();
        names.dedup();
        assert_eq!(names.len(), Watched::all().count());
        for group in Watched::all() {
            let calls = group.calls();
            assert!(calls.is_sorted(), "{group:?}: sorted, so plans are stable");
            assert!(!calls.is_empty());
        }
    }

    #[test]
    fn iam_calls_are_watched_where_aws_records_them() {
        let scope = vec!["eu-west-1".to_owned()];
        assert!(Watched::Iam.belongs_in("us-east-1", "eu-west-1", &scope));
        assert!(Watched::Iam.belongs_in("eu-west-1", "eu-west-1", &scope));
        assert!(!Watched::Iam.belongs_in("eu-central-1", "eu-west-1", &scope));
        assert!(Watched::Iam.belongs_in("us-gov-west-1", "us-gov-east-1", &[]));
        assert!(Watched::Cloudtrail.belongs_in("eu-west-1", "eu-west-1", &scope));
        assert!(!Watched::Guardduty.belongs_in("us-east-1", "eu-west-1", &scope));
    }
}
