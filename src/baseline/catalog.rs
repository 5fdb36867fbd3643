//! The AWS managed Config rules watchpost knows: the name users write, the source identifier
//! AWS expects, each parameter's type, and whether the rule judges the account as a whole.

/// Where a rule belongs. A rule that judges the account (is CloudTrail on? does root have keys?)
/// gives the same answer in every region, so it is placed once, in the home region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleScope {
    Account,
    Resources,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    String,
    Int,
    Boolean,
    Csv,
}

impl ParamType {
    pub fn describe(self) -> &'static str {
        match self {
            ParamType::String => "a string",
            ParamType::Int => "an integer",
            ParamType::Boolean => "true or false",
            ParamType::Csv => "a comma-separated string or a list of strings",
        }
    }
}

#[derive(Debug)]
pub struct Param {
    pub name: &'static str,
    pub kind: ParamType,
    pub required: bool,
}

#[derive(Debug)]
pub struct ManagedRule {
    pub name: &'static str,
    pub source_identifier: &'static str,
    pub scope: RuleScope,
    pub params: &'static [Param],
}

const fn optional(name: &'static str, kind: ParamType) -> Param {
    Param {
        name,
        kind,
        required: false,
    }
}

const fn rule(
    name: &'static str,
    source_identifier: &'static str,
    scope: RuleScope,
    params: &'static [Param],
) -> ManagedRule {
    ManagedRule {
        name,
        source_identifier,
        scope,
        params,
    }
}

use ParamType::{Boolean, Csv, Int, String as Str};
use RuleScope::{Account, Resources};

/// Sorted by name; parameters as the AWS Config developer guide lists them.
pub static MANAGED_RULES: &[ManagedRule] = &[
    rule(
        "acm-certificate-expiration-check",
        "ACM_CERTIFICATE_EXPIRATION_CHECK",
        Resources,
        &[optional("daysToExpiration", Int)],
    ),
    rule(
        "cloudtrail-enabled",
        "CLOUD_TRAIL_ENABLED",
        Account,
        &[
            optional("s3BucketName", Str),
            optional("snsTopicArn", Str),
            optional("cloudWatchLogsLogGroupArn", Str),
        ],
    ),
    rule(
        "ebs-optimized-instance",
        "EBS_OPTIMIZED_INSTANCE",
        Resources,
        &[],
    ),
    rule(
        "ec2-volume-inuse-check",
        "EC2_VOLUME_INUSE_CHECK",
        Resources,
        &[optional("deleteOnTermination", Boolean)],
    ),
    rule("eip-attached", "EIP_ATTACHED", Resources, &[]),
    rule(
        "elb-acm-certificate-required",
        "ELB_ACM_CERTIFICATE_REQUIRED",
        Resources,
        &[],
    ),
    rule(
        "guardduty-enabled-centralized",
        "GUARDDUTY_ENABLED_CENTRALIZED",
        Account,
        &[optional("CentralMonitoringAccount", Str)],
    ),
    rule(
        "iam-root-access-key-check",
        "IAM_ROOT_ACCESS_KEY_CHECK",
        Account,
        &[],
    ),
    rule(
        "rds-instance-public-access-check",
        "RDS_INSTANCE_PUBLIC_ACCESS_CHECK",
        Resources,
        &[],
    ),
    rule("restricted-ssh", "INCOMING_SSH_DISABLED", Resources, &[]),
    rule(
        "s3-bucket-policy-grantee-check",
        "S3_BUCKET_POLICY_GRANTEE_CHECK",
        Resources,
        &[
            optional("awsPrincipals", Csv),
            optional("servicePrincipals", Csv),
            optional("federatedUsers", Csv),
            optional("ipAddresses", Csv),
            optional("vpcIds", Csv),
        ],
    ),
    rule(
        "s3-bucket-public-read-prohibited",
        "S3_BUCKET_PUBLIC_READ_PROHIBITED",
        Resources,
        &[],
    ),
    rule(
        "s3-bucket-public-write-prohibited",
        "S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
        Resources,
        &[],
    ),
];

pub fn managed_rule(name: &str) -> Option<&'static ManagedRule> {
    MANAGED_RULES.iter().find(|rule| rule.name == name)
}

pub fn rule_names() -> impl Iterator<Item = &'static str> {
    MANAGED_RULES.iter().map(|rule| rule.name)
}

/// A metric filter watchpost knows by name: its pattern and what an alarm on it means.
#[derive(Debug)]
pub struct KnownFilter {
    pub name: &'static str,
    pub pattern: &'static str,
    pub description: &'static str,
}

/// The metric filters of the recommended setup, with the patterns the CIS AWS Foundations
/// Benchmark gives for them.
pub static METRIC_FILTERS: &[KnownFilter] = &[
    KnownFilter {
        name: "console-signin-failures",
        pattern: r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
        description: "Failed console sign-ins: someone may be guessing a password",
    },
    KnownFilter {
        name: "root-account-use",
        pattern: r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
        description: "The root user acted: find out who holds root and why it was used",
    },
    KnownFilter {
        name: "unauthorized-api-calls",
        pattern: r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }"#,
        description: "API calls refused for lack of permission: a broken tool, or someone probing what stolen credentials allow",
    },
];

pub fn known_filter(name: &str) -> Option<&'static KnownFilter> {
    METRIC_FILTERS.iter().find(|filter| filter.name == name)
}

/// GuardDuty protection features a detector can turn on, by their API names.
pub static GUARDDUTY_FEATURES: &[&str] = &[
    "S3_DATA_EVENTS",
    "EKS_AUDIT_LOGS",
    "EBS_MALWARE_PROTECTION",
    "RDS_LOGIN_EVENTS",
    "LAMBDA_NETWORK_LOGS",
    "RUNTIME_MONITORING",
];

pub static FINDING_PUBLISHING_FREQUENCIES: &[&str] = &["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"];

pub static SNAPSHOT_DELIVERY_FREQUENCIES: &[&str] = &[
    "One_Hour",
    "Three_Hours",
    "Six_Hours",
    "Twelve_Hours",
    "TwentyFour_Hours",
];

/// Public AWS regions and the GovCloud and China partitions' regions. A name not here is a
/// typo far more often than a region newer than this list.
pub static KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_is_sorted_and_unique() {
        let names: Vec<_> = rule_names().collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
    }

    #[test]
    fn restricted_ssh_is_known_by_its_source_identifier() {
        let rule = managed_rule("restricted-ssh").unwrap();
        assert_eq!(rule.source_identifier, "INCOMING_SSH_DISABLED");
        assert_eq!(rule.scope, RuleScope::Resources);
        assert_eq!(
            managed_rule("cloudtrail-enabled").unwrap().scope,
            RuleScope::Account
        );
    }
}
