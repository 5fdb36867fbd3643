//! What watchpost knows by name: the AWS managed Config rules (the name users write, the source
//! identifier AWS expects, each parameter's type, whether the rule judges the account as a whole,
//! and the regions where AWS does not offer it), and the metric filters of the CIS monitoring set.

/// Where a rule belongs, from what its page in the AWS Config developer guide says it evaluates
/// (docs/aws-behaviour.md, "Config managed rules: where each runs").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleScope {
    /// Judges the account as a whole (is a trail on? does root have keys?) and gives the same
    /// answer in every region, so it is placed once, in the home region.
    Account,
    /// Judges what the region it runs in holds: the resources AWS Config records there (S3
    /// buckets included, recorded in the bucket's region), or a setting of that region (is
    /// GuardDuty on here?). Placed in every region in scope.
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
    /// AWS refuses the rule without it. A required parameter with a `default` is sent with that
    /// default when the baseline leaves it out, so that what AWS stores is what was planned.
    pub required: bool,
    /// The value AWS documents as the default, as AWS Config stores it (a string).
    pub default: Option<&'static str>,
}

impl Param {
    const fn default(self, value: &'static str) -> Param {
        Param {
            default: Some(value),
            ..self
        }
    }
}

/// The regions where AWS offers a managed rule: all, or all but some. A region newer than the
/// catalog is taken to offer it. (AWS also has rules offered in a few regions only; none of
/// those is in the catalog.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    Everywhere,
    AllExcept(&'static [&'static str]),
}

impl Availability {
    pub fn offered_in(self, region: &str) -> bool {
        match self {
            Availability::Everywhere => true,
            Availability::AllExcept(regions) => !regions.contains(&region),
        }
    }
}

#[derive(Debug)]
pub struct ManagedRule {
    pub name: &'static str,
    pub source_identifier: &'static str,
    pub scope: RuleScope,
    pub params: &'static [Param],
    pub availability: Availability,
}

const fn optional(name: &'static str, kind: ParamType) -> Param {
    Param {
        name,
        kind,
        required: false,
        default: None,
    }
}

const fn required(name: &'static str, kind: ParamType) -> Param {
    Param {
        name,
        kind,
        required: true,
        default: None,
    }
}

const fn rule(
    name: &'static str,
    source_identifier: &'static str,
    scope: RuleScope,
    params: &'static [Param],
    availability: Availability,
) -> ManagedRule {
    ManagedRule {
        name,
        source_identifier,
        scope,
        params,
        availability,
    }
}

use Availability::{AllExcept, Everywhere};
use ParamType::{Boolean, Csv, Int, String as Str};
use RuleScope::{Account, Resources};

/// The regions AWS added after February 2022, where AWS Config cannot record the global IAM
/// resource types (Config API reference, RecordingGroup; developer guide, "Recording AWS
/// Resources | Global Resources"); the rules that evaluate IAM users, policies and credentials
/// are not offered there.
pub const IAM_UNRECORDED: &[&str] = &[
    "ap-east-2",
    "ap-south-2",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-west-1",
    "eu-central-2",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "mx-central-1",
];

/// Sorted by name. Source identifiers, parameters (name, type, whether required, AWS's
/// default) and the regions where a rule is not offered are those of each rule's page in the
/// AWS Config developer guide ("AWS Region: All supported AWS regions except ..."), as the pages
/// stood in 2025-2026: the data moto 5.1.22 carries from them, with Asia Pacific (New Zealand)
/// and the lists of `vpc-default-security-group-closed` and `iam-no-inline-policy-check` taken
/// from the newer pages. docs/baseline-reference.md lists them. AWS adds rules to regions over
/// time: a rule listed here as not offered in a region is skipped there, with a note in the
/// plan, rather than refused by AWS at apply time.
pub static MANAGED_RULES: &[ManagedRule] = &[
    rule(
        "access-keys-rotated",
        "ACCESS_KEYS_ROTATED",
        Account,
        &[required("maxAccessKeyAge", Int).default("90")],
        AllExcept(IAM_UNRECORDED),
    ),
    rule(
        "acm-certificate-expiration-check",
        "ACM_CERTIFICATE_EXPIRATION_CHECK",
        Resources,
        &[optional("daysToExpiration", Int).default("14")],
        Everywhere,
    ),
    rule(
        "cloud-trail-cloud-watch-logs-enabled",
        "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED",
        Resources,
        &[optional("expectedDeliveryWindowAge", Int)],
        Everywhere,
    ),
    rule(
        "cloud-trail-encryption-enabled",
        "CLOUD_TRAIL_ENCRYPTION_ENABLED",
        Resources,
        &[],
        Everywhere,
    ),
    rule(
        "cloud-trail-log-file-validation-enabled",
        "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
        Resources,
        &[],
        Everywhere,
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
        Everywhere,
    ),
    rule(
        "cloudtrail-s3-dataevents-enabled",
        "CLOUDTRAIL_S3_DATAEVENTS_ENABLED",
        Account,
        &[optional("S3BucketNames", Str)],
        Everywhere,
    ),
    rule(
        "cloudtrail-security-trail-enabled",
        "CLOUDTRAIL_SECURITY_TRAIL_ENABLED",
        Account,
        &[],
        Everywhere,
    ),
    rule(
        "cloudwatch-log-group-encrypted",
        "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
        Resources,
        &[optional("KmsKeyId", Str)],
        Everywhere,
    ),
    rule(
        "cmk-backing-key-rotation-enabled",
        "CMK_BACKING_KEY_ROTATION_ENABLED",
        Resources,
        &[],
        Everywhere,
    ),
    rule(
        "ebs-optimized-instance",
        "EBS_OPTIMIZED_INSTANCE",
        Resources,
        &[],
        AllExcept(&[
            "ap-east-2",
            "ap-southeast-5",
            "ap-southeast-7",
            "ca-west-1",
            "cn-north-1",
            "cn-northwest-1",
            "mx-central-1",
            "us-gov-east-1",
            "us-gov-west-1",
        ]),
    ),
    rule(
        "ebs-snapshot-public-restorable-check",
        "EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK",
        Resources,
        &[],
        AllExcept(&["eu-south-2"]),
    ),
    rule(
        "ec2-ebs-encryption-by-default",
        "EC2_EBS_ENCRYPTION_BY_DEFAULT",
        Resources,
        &[],
        Everywhere,
    ),
    rule(
        "ec2-imdsv2-check",
        "EC2_IMDSV2_CHECK",
        Resources,
        &[],
        Everywhere,
    ),
    rule(
        "ec2-instance-no-public-ip",
        "EC2_INSTANCE_NO_PUBLIC_IP",
        Resources,
        &[],
        AllExcept(&[
            "ap-east-2",
            "ap-southeast-7",
            "cn-north-1",
            "cn-northwest-1",
            "mx-central-1",
            "us-gov-east-1",
            "us-gov-west-1",
        ]),
    ),
    rule(
        "ec2-volume-inuse-check",
        "EC2_VOLUME_INUSE_CHECK",
        Resources,
        &[optional("deleteOnTermination", Boolean)],
        AllExcept(&[
            "cn-north-1",
            "cn-northwest-1",
            "us-gov-east-1",
            "us-gov-west-1",
        ]),
    ),
    rule(
        "efs-encrypted-check",
        "EFS_ENCRYPTED_CHECK",
        Resources,
        &[optional("KmsKeyId", Str)],
        Everywhere,
    ),
    rule("eip-attached", "EIP_ATTACHED", Resources, &[], Everywhere),
    rule(
        "elb-acm-certificate-required",
        "ELB_ACM_CERTIFICATE_REQUIRED",
        Resources,
        &[],
        AllExcept(&[
            "af-south-1",
            "ap-northeast-3",
            "ca-west-1",
            "eu-central-2",
            "eu-south-1",
            "eu-south-2",
            "il-central-1",
        ]),
    ),
    rule(
        "elb-logging-enabled",
        "ELB_LOGGING_ENABLED",
        Resources,
        &[optional("s3BucketNames", Csv)],
        AllExcept(&[
            "ap-east-2",
            "cn-north-1",
            "cn-northwest-1",
            "mx-central-1",
            "us-gov-east-1",
            "us-gov-west-1",
        ]),
    ),
    rule(
        "encrypted-volumes",
        "ENCRYPTED_VOLUMES",
        Resources,
        &[optional("kmsId", Str)],
        AllExcept(&[
            "ap-east-2",
            "cn-north-1",
            "cn-northwest-1",
            "mx-central-1",
            "us-gov-east-1",
            "us-gov-west-1",
        ]),
    ),
    rule(
        "guardduty-enabled-centralized",
        "GUARDDUTY_ENABLED_CENTRALIZED",
        // AWS: "Checks if Amazon GuardDuty is enabled in your AWS account and AWS Region"; a
        // detector is regional, so in the home region alone it would vouch for no other region.
        Resources,
        &[optional("CentralMonitoringAccount", Str)],
        AllExcept(&[
            "ap-east-2",
            "ap-southeast-6",
            "ap-southeast-7",
            "mx-central-1",
        ]),
    ),
    rule(
        "iam-customer-policy-blocked-kms-actions",
        "IAM_CUSTOMER_POLICY_BLOCKED_KMS_ACTIONS",
        Account,
        &[
            required("blockedActionsPatterns", Csv),
            optional("excludePermissionBoundaryPolicy", Boolean),
        ],
        AllExcept(IAM_UNRECORDED),
    ),
    rule(
        "iam-external-access-analyzer-enabled",
        "IAM_EXTERNAL_ACCESS_ANALYZER_ENABLED",
        Resources,
        &[],
        AllExcept(&[
            "ap-east-2",
            "ap-southeast-5",
            "ap-southeast-7",
            "ca-west-1",
            "cn-north-1",
            "cn-northwest-1",
            "il-central-1",
            "mx-central-1",
            "us-gov-east-1",
            "us-gov-west-1",
        ]),
    ),
    rule(
        "iam-no-inline-policy-check",
        "IAM_NO_INLINE_POLICY_CHECK",
        Account,
        &[],
        AllExcept(IAM_UNRECORDED),
    ),
    rule(
        "iam-password-policy",
        "IAM_PASSWORD_POLICY",
        Account,
        &[
            optional("RequireUppercaseCharacters", Boolean).default("true"),
            optional("RequireLowercaseCharacters", Boolean).default("true"),
            optional("RequireSymbols", Boolean).default("true"),
            optional("RequireNumbers", Boolean).default("true"),
            optional("MinimumPasswordLength", Int).default("14"),
            optional("PasswordReusePrevention", Int).default("24"),
            optional("MaxPasswordAge", Int).default("90"),
        ],
        Everywhere,
    ),
    rule(
        "iam-policy-no-statements-with-admin-access",
        "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
        Account,
        &[optional("excludePermissionBoundaryPolicy", Boolean)],
        AllExcept(IAM_UNRECORDED),
    ),
    rule(
        "iam-root-access-key-check",
        "IAM_ROOT_ACCESS_KEY_CHECK",
        Account,
        &[],
        AllExcept(&[
            "ap-east-2",
            "ap-southeast-5",
            "ap-southeast-7",
            "ca-west-1",
            "eu-central-2",
            "eu-south-2",
            "il-central-1",
            "me-central-1",
            "mx-central-1",
        ]),
    ),
    rule(
        "iam-user-mfa-enabled",
        "IAM_USER_MFA_ENABLED",
        Account,
        &[],
        AllExcept(IAM_UNRECORDED),
    ),
    rule(
        "iam-user-unused-credentials-check",
        "IAM_USER_UNUSED_CREDENTIALS_CHECK",
        Account,
        &[required("maxCredentialUsageAge", Int).default("90")],
        AllExcept(IAM_UNRECORDED),
    ),
    rule(
        "kms-cmk-not-scheduled-for-deletion",
        "KMS_CMK_NOT_SCHEDULED_FOR_DELETION",
        Resources,
        &[optional("kmsKeyIds", Str)],
        AllExcept(&["ap-east-2", "eu-south-1"]),
    ),
    rule(
        "mfa-enabled-for-iam-console-access",
        "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",
        Account,
        &[],
        AllExcept(IAM_UNRECORDED),
    ),
    rule(
        "multi-region-cloudtrail-enabled",
        "MULTI_REGION_CLOUD_TRAIL_ENABLED",
        Account,
        &[
            optional("s3BucketName", Str),
            optional("snsTopicArn", Str),
            optional("cloudWatchLogsLogGroupArn", Str),
            optional("includeManagementEvents", Boolean),
            optional("readWriteType", Str),
        ],
        Everywhere,
    ),
    rule(
        "nacl-no-unrestricted-ssh-rdp",
        "NACL_NO_UNRESTRICTED_SSH_RDP",
        Resources,
        &[],
        AllExcept(&[
            "ap-east-2",
            "ap-southeast-5",
            "ap-southeast-7",
            "ca-west-1",
            "mx-central-1",
        ]),
    ),
    rule(
        "rds-instance-public-access-check",
        "RDS_INSTANCE_PUBLIC_ACCESS_CHECK",
        Resources,
        &[],
        AllExcept(&[
            "ap-east-2",
            "ap-southeast-5",
            "ap-southeast-7",
            "cn-north-1",
            "cn-northwest-1",
            "mx-central-1",
            "us-gov-east-1",
            "us-gov-west-1",
        ]),
    ),
    rule(
        "rds-snapshot-encrypted",
        "RDS_SNAPSHOT_ENCRYPTED",
        Resources,
        &[],
        AllExcept(&[
            "ap-east-2",
            "cn-north-1",
            "cn-northwest-1",
            "il-central-1",
            "mx-central-1",
            "us-gov-east-1",
            "us-gov-west-1",
        ]),
    ),
    rule(
        "rds-snapshots-public-prohibited",
        "RDS_SNAPSHOTS_PUBLIC_PROHIBITED",
        Resources,
        &[],
        AllExcept(&[
            "af-south-1",
            "ap-east-2",
            "ap-southeast-4",
            "cn-north-1",
            "cn-northwest-1",
            "eu-central-2",
            "eu-south-1",
            "eu-south-2",
            "il-central-1",
            "mx-central-1",
            "us-gov-east-1",
            "us-gov-west-1",
        ]),
    ),
    rule(
        "rds-storage-encrypted",
        "RDS_STORAGE_ENCRYPTED",
        Resources,
        &[optional("kmsKeyId", Str)],
        AllExcept(&[
            "ap-east-2",
            "ap-southeast-7",
            "cn-north-1",
            "cn-northwest-1",
            "mx-central-1",
            "us-gov-east-1",
            "us-gov-west-1",
        ]),
    ),
    rule(
        "restricted-common-ports",
        "RESTRICTED_INCOMING_TRAFFIC",
        Resources,
        &[
            optional("blockedPort1", Int).default("20"),
            optional("blockedPort2", Int).default("21"),
            optional("blockedPort3", Int).default("3389"),
            optional("blockedPort4", Int).default("3306"),
            optional("blockedPort5", Int).default("4333"),
            optional("blockedPorts", Csv),
        ],
        Everywhere,
    ),
    rule(
        "restricted-ssh",
        "INCOMING_SSH_DISABLED",
        Resources,
        &[],
        Everywhere,
    ),
    rule(
        "root-account-hardware-mfa-enabled",
        "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED",
        Account,
        &[],
        AllExcept(&[
            "ap-east-2",
            "ap-southeast-5",
            "ap-southeast-7",
            "ca-west-1",
            "cn-north-1",
            "cn-northwest-1",
            "il-central-1",
            "me-central-1",
            "mx-central-1",
            "us-gov-east-1",
            "us-gov-west-1",
        ]),
    ),
    rule(
        "root-account-mfa-enabled",
        "ROOT_ACCOUNT_MFA_ENABLED",
        Account,
        &[],
        AllExcept(&[
            "ap-east-2",
            "ap-southeast-5",
            "ap-southeast-7",
            "ca-west-1",
            "cn-north-1",
            "cn-northwest-1",
            "il-central-1",
            "me-central-1",
            "mx-central-1",
            "us-gov-east-1",
            "us-gov-west-1",
        ]),
    ),
    rule(
        "s3-account-level-public-access-blocks-periodic",
        "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC",
        Account,
        &[
            optional("IgnorePublicAcls", Str),
            optional("BlockPublicPolicy", Str),
            optional("BlockPublicAcls", Str),
            optional("RestrictPublicBuckets", Str),
        ],
        Everywhere,
    ),
    rule(
        "s3-bucket-level-public-access-prohibited",
        "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
        Resources,
        &[optional("excludedPublicBuckets", Csv)],
        AllExcept(&[
            "ap-east-2",
            "cn-north-1",
            "cn-northwest-1",
            "mx-central-1",
            "us-gov-east-1",
            "us-gov-west-1",
        ]),
    ),
    rule(
        "s3-bucket-logging-enabled",
        "S3_BUCKET_LOGGING_ENABLED",
        Resources,
        &[optional("targetPrefix", Str), optional("targetBucket", Str)],
        AllExcept(&[
            "ap-east-2",
            "ap-southeast-7",
            "cn-north-1",
            "cn-northwest-1",
            "mx-central-1",
            "us-gov-east-1",
            "us-gov-west-1",
        ]),
    ),
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
        Everywhere,
    ),
    rule(
        "s3-bucket-public-read-prohibited",
        "S3_BUCKET_PUBLIC_READ_PROHIBITED",
        Resources,
        &[],
        Everywhere,
    ),
    rule(
        "s3-bucket-public-write-prohibited",
        "S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
        Resources,
        &[],
        Everywhere,
    ),
    rule(
        "s3-bucket-server-side-encryption-enabled",
        "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
        Resources,
        &[],
        Everywhere,
    ),
    rule(
        "s3-bucket-ssl-requests-only",
        "S3_BUCKET_SSL_REQUESTS_ONLY",
        Resources,
        &[],
        Everywhere,
    ),
    rule(
        "s3-bucket-versioning-enabled",
        "S3_BUCKET_VERSIONING_ENABLED",
        Resources,
        &[optional("isMfaDeleteEnabled", Str)],
        AllExcept(&[
            "ap-east-2",
            "ap-southeast-7",
            "cn-north-1",
            "cn-northwest-1",
            "mx-central-1",
            "us-gov-east-1",
            "us-gov-west-1",
        ]),
    ),
    rule(
        "securityhub-enabled",
        "SECURITYHUB_ENABLED",
        Resources,
        &[],
        Everywhere,
    ),
    rule(
        "vpc-default-security-group-closed",
        "VPC_DEFAULT_SECURITY_GROUP_CLOSED",
        Resources,
        &[],
        Everywhere,
    ),
    rule(
        "vpc-flow-logs-enabled",
        "VPC_FLOW_LOGS_ENABLED",
        Resources,
        &[optional("trafficType", Str)],
        Everywhere,
    ),
    rule(
        "vpc-sg-open-only-to-authorized-ports",
        "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS",
        Resources,
        &[
            optional("authorizedTcpPorts", Str),
            optional("authorizedUdpPorts", Str),
        ],
        Everywhere,
    ),
];

pub fn managed_rule(name: &str) -> Option<&'static ManagedRule> {
    MANAGED_RULES.iter().find(|rule| rule.name == name)
}

pub fn rule_names() -> impl Iterator<Item = &'static str> {
    MANAGED_RULES.iter().map(|rule| rule.name)
}

/// A metric filter watchpost knows by name: its pattern, what an alarm on it means and what to
/// do, and the CIS AWS Foundations Benchmark control it answers.
#[derive(Debug)]
pub struct KnownFilter {
    pub name: &'static str,
    /// The control's number in the benchmark: 4.n in v1.4 to v5, 5.n in v6 and v7.
    pub cis: &'static str,
    pub pattern: &'static str,
    pub description: &'static str,
}

/// The CIS monitoring set: the fifteen metric filters of the CIS AWS Foundations Benchmark
/// (4.1 to 4.15 in v1.4 to v5, 5.1 to 5.15 in v6 and v7), in its order, each with the pattern
/// the benchmark gives (every event name it lists, and `$.eventSource` where it gives one).
/// `organizations-changes` also names the three Organizations events the benchmark leaves out
/// and Prowler's check requires (`CancelHandshake`, `CreateOrganization`, `EnableAllFeatures`).
/// The tests in `catalog/cis_tests.rs` hold the benchmark's lists and check each pattern
/// against them.
pub static METRIC_FILTERS: &[KnownFilter] = &[
    KnownFilter {
        name: "unauthorized-api-calls",
        cis: "4.1 (v1.4-v5), 5.1 (v6-v7)",
        pattern: r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }"#,
        description: "API calls were refused for lack of permission: a tool missing a permission, or someone probing what stolen credentials allow. Find the principal and the calls refused to it; one principal refused many different calls is a probe.",
    },
    KnownFilter {
        name: "console-signin-without-mfa",
        cis: "4.2 (v1.4-v5), 5.2 (v6-v7)",
        pattern: r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#,
        description: "Someone signed in to the console without MFA. Confirm with the user that the sign-in was theirs, and require MFA for them unless they sign in through federation or IAM Identity Center, whose sign-ins also count here.",
    },
    KnownFilter {
        name: "root-account-use",
        cis: "4.3 (v1.4-v5), 5.3 (v6-v7)",
        pattern: r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
        description: "The root user acted. Ask whoever holds the root credentials whether it was planned; treat unexplained root use as a compromise of the whole account.",
    },
    KnownFilter {
        name: "iam-policy-changes",
        cis: "4.4 (v1.4-v5), 5.4 (v6-v7)",
        pattern: r#"{ ($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy) }"#,
        description: "An IAM policy was created, changed, attached, detached or deleted. Check who changed which policy, and whether it now grants more than intended.",
    },
    KnownFilter {
        name: "cloudtrail-changes",
        cis: "4.5 (v1.4-v5), 5.5 (v6-v7)",
        pattern: r#"{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"#,
        description: "A CloudTrail trail was created, changed, deleted, started or stopped. Check who did it: a stopped or deleted trail blinds these alarms. watchpost plan shows what changed in its own trail, and apply repairs it.",
    },
    KnownFilter {
        name: "console-signin-failures",
        cis: "4.6 (v1.4-v5), 5.6 (v6-v7)",
        pattern: r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
        description: "Console sign-ins failed on a wrong password: someone may be guessing one. Check the user names and addresses, and whether a successful sign-in followed from the same address.",
    },
    KnownFilter {
        name: "kms-key-disable-or-deletion",
        cis: "4.7 (v1.4-v5), 5.7 (v6-v7)",
        pattern: r#"{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }"#,
        description: "A customer-managed KMS key was disabled or scheduled for deletion: what it encrypts becomes unreadable. Check who did it; if it was not planned, re-enable the key or cancel its deletion while it is pending.",
    },
    KnownFilter {
        name: "s3-bucket-policy-changes",
        cis: "4.8 (v1.4-v5), 5.8 (v6-v7)",
        pattern: r#"{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"#,
        description: "An S3 bucket's policy, ACL, CORS, lifecycle or replication was changed or removed. Check who changed which bucket, and whether it is now open to more than intended.",
    },
    KnownFilter {
        name: "aws-config-changes",
        cis: "4.9 (v1.4-v5), 5.9 (v6-v7)",
        pattern: r#"{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }"#,
        description: "AWS Config recording or delivery was changed or stopped: a stopped recorder records no changes. Check who did it; watchpost plan shows what changed in the recorders and channels, and apply repairs them.",
    },
    KnownFilter {
        name: "security-group-changes",
        cis: "4.10 (v1.4-v5), 5.10 (v6-v7)",
        pattern: r#"{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }"#,
        description: "A security group or one of its rules was created, changed or deleted. Check who changed which group, and whether it now lets in traffic from anywhere (0.0.0.0/0 or ::/0).",
    },
    KnownFilter {
        name: "network-acl-changes",
        cis: "4.11 (v1.4-v5), 5.11 (v6-v7)",
        pattern: r#"{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"#,
        description: "A network ACL, one of its entries or its association with a subnet was created, changed or deleted. Check who changed which ACL, and what traffic it now lets through.",
    },
    KnownFilter {
        name: "network-gateway-changes",
        cis: "4.12 (v1.4-v5), 5.12 (v6-v7)",
        pattern: r#"{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"#,
        description: "An internet or customer gateway was created, attached, detached or deleted. Check who did it: an internet gateway attached to a VPC can expose its networks to the internet.",
    },
    KnownFilter {
        name: "route-table-changes",
        cis: "4.13 (v1.4-v5), 5.13 (v6-v7)",
        pattern: r#"{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }"#,
        description: "A route or route table was created, changed or deleted. Check who did it and where the traffic now goes: a new route can send private traffic out through another gateway.",
    },
    KnownFilter {
        name: "vpc-changes",
        cis: "4.14 (v1.4-v5), 5.14 (v6-v7)",
        pattern: r#"{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"#,
        description: "A VPC, its attributes, or a peering connection between VPCs was created, changed or deleted. Check who did it, and which networks can now reach each other.",
    },
    KnownFilter {
        name: "organizations-changes",
        cis: "4.15 (v1.4-v5), 5.15 (v6-v7)",
        pattern: r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CancelHandshake) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganization) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = EnableAllFeatures) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdateOrganizationalUnit) || ($.eventName = UpdatePolicy)) }"#,
        description: "The AWS Organization was changed: its accounts, organizational units, policies (such as SCPs) or invitations. Check who did it: a detached SCP or a removed account can undo controls in every account.",
    },
];

impl KnownFilter {
    /// What the alarm on the filter is given as its description, and its email carries: what
    /// it means, what to do, and the control it answers, for whoever checks the account
    /// against the benchmark.
    pub fn alarm_description(&self) -> String {
        format!(
            "{} CIS AWS Foundations Benchmark {}.",
            self.description, self.cis
        )
    }
}

pub fn known_filter(name: &str) -> Option<&'static KnownFilter> {
    METRIC_FILTERS.iter().find(|filter| filter.name == name)
}

/// GuardDuty protection features a detector can turn on, by their API names: the API model's
/// DetectorFeature enum, less EKS_RUNTIME_MONITORING, which RUNTIME_MONITORING includes and
/// which the API refuses beside it.
pub static GUARDDUTY_FEATURES: &[&str] = &[
    "S3_DATA_EVENTS",
    "EKS_AUDIT_LOGS",
    "EBS_MALWARE_PROTECTION",
    "RDS_LOGIN_EVENTS",
    "LAMBDA_NETWORK_LOGS",
    "RUNTIME_MONITORING",
    "AI_PROTECTION",
    "AI_ANALYST",
];

/// The feature the baseline names instead of EKS_RUNTIME_MONITORING, which it includes.
pub const RUNTIME_MONITORING_INCLUDES: (&str, &str) =
    ("EKS_RUNTIME_MONITORING", "RUNTIME_MONITORING");

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
mod cis_tests;

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
        assert!(names.len() >= 40, "{} rules", names.len());
    }

    #[test]
    fn names_and_source_identifiers_differ_where_aws_has_them_differ() {
        for (name, identifier) in [
            ("restricted-ssh", "INCOMING_SSH_DISABLED"),
            ("restricted-common-ports", "RESTRICTED_INCOMING_TRAFFIC"),
            ("cloudtrail-enabled", "CLOUD_TRAIL_ENABLED"),
            (
                "multi-region-cloudtrail-enabled",
                "MULTI_REGION_CLOUD_TRAIL_ENABLED",
            ),
            (
                "cloud-trail-encryption-enabled",
                "CLOUD_TRAIL_ENCRYPTION_ENABLED",
            ),
            (
                "cloudtrail-s3-dataevents-enabled",
                "CLOUDTRAIL_S3_DATAEVENTS_ENABLED",
            ),
        ] {
            assert_eq!(managed_rule(name).unwrap().source_identifier, identifier);
        }
        for rule in MANAGED_RULES {
            assert!(
                rule.source_identifier
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
                "{}",
                rule.source_identifier
            );
        }
    }

    #[test]
    fn rules_that_judge_the_account_go_to_the_home_region() {
        assert_eq!(
            managed_rule("restricted-ssh").unwrap().scope,
            RuleScope::Resources
        );
        for name in [
            "cloudtrail-enabled",
            "iam-password-policy",
            "root-account-mfa-enabled",
            "access-keys-rotated",
            "s3-account-level-public-access-blocks-periodic",
        ] {
            assert_eq!(
                managed_rule(name).unwrap().scope,
                RuleScope::Account,
                "{name}"
            );
        }
    }

    /// The scope of each rule of the shipped baseline, as its page in the AWS Config developer
    /// guide states what it evaluates (the table "Config managed rules: where each runs" in
    /// docs/aws-behaviour.md gives the page and the reasoning for each).
    #[test]
    fn the_default_rules_run_where_their_aws_page_says_they_judge() {
        let judged_per_region = [
            // Trigger: configuration changes of resources AWS Config records in each region.
            "s3-bucket-policy-grantee-check",
            "restricted-ssh",
            "elb-acm-certificate-required",
            "eip-attached",
            "s3-bucket-public-write-prohibited",
            "s3-bucket-public-read-prohibited",
            "acm-certificate-expiration-check",
            "ec2-volume-inuse-check",
            "rds-instance-public-access-check",
            "ebs-optimized-instance",
            // Periodic, but "enabled in your AWS account and AWS Region": a detector per region.
            "guardduty-enabled-centralized",
        ];
        // Periodic, on what exists once for the account: root's keys, a trail of the account.
        let judged_for_the_account = ["iam-root-access-key-check", "cloudtrail-enabled"];
        for name in judged_per_region {
            assert_eq!(
                managed_rule(name).unwrap().scope,
                RuleScope::Resources,
                "{name}"
            );
        }
        for name in judged_for_the_account {
            assert_eq!(
                managed_rule(name).unwrap().scope,
                RuleScope::Account,
                "{name}"
            );
        }
        let shipped = include_str!("../../baseline.toml")
            .split("[config.rules]")
            .nth(1)
            .expect("baseline.toml has [config.rules]");
        let shipped: Vec<&str> = shipped
            .lines()
            .take_while(|line| !line.starts_with('['))
            .filter_map(|line| line.split_once(" = ").map(|(name, _)| name.trim()))
            .collect();
        let mut judged: Vec<&str> = judged_per_region
            .iter()
            .chain(&judged_for_the_account)
            .copied()
            .collect();
        judged.sort_unstable();
        let mut shipped_sorted = shipped.clone();
        shipped_sorted.sort_unstable();
        assert_eq!(
            shipped_sorted, judged,
            "every rule of baseline.toml has its scope checked here"
        );
    }

    #[test]
    fn parameters_are_unique_and_defaults_have_their_type() {
        for rule in MANAGED_RULES {
            let mut names: Vec<&str> = rule.params.iter().map(|p| p.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), rule.params.len(), "{}", rule.name);
            for param in rule.params {
                let Some(default) = param.default else {
                    continue;
                };
                let fits = match param.kind {
                    ParamType::Int => default.parse::<i64>().is_ok(),
                    ParamType::Boolean => ["true", "false"].contains(&default),
                    ParamType::String | ParamType::Csv => !default.is_empty(),
                };
                assert!(fits, "{}.{} = {default}", rule.name, param.name);
            }
        }
        let rotated = managed_rule("access-keys-rotated").unwrap();
        assert!(rotated.params[0].required);
        assert_eq!(rotated.params[0].default, Some("90"));
    }

    #[test]
    fn unavailable_regions_are_known_regions() {
        for rule in MANAGED_RULES {
            let Availability::AllExcept(listed) = rule.availability else {
                continue;
            };
            assert!(!listed.is_empty(), "{}", rule.name);
            for region in listed {
                assert!(KNOWN_REGIONS.contains(region), "{}: {region}", rule.name);
            }
            let mut sorted = listed.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(
                sorted, listed,
                "{} lists its regions sorted, once",
                rule.name
            );
        }
    }

    #[test]
    fn the_baseline_reference_lists_every_rule_and_filter() {
        let reference = include_str!("../../docs/baseline-reference.md");
        let row = |start: String| {
            reference
                .lines()
                .find(|line| line.starts_with(&start))
                .unwrap_or_else(|| panic!("docs/baseline-reference.md has no row {start}"))
        };
        for rule in MANAGED_RULES {
            let row = row(format!(
                "| `{}` | `{}` |",
                rule.name, rule.source_identifier
            ));
            let scope = match rule.scope {
                RuleScope::Account => "account",
                RuleScope::Resources => "resources",
            };
            assert!(row.contains(&format!("` | {scope} | ")), "{row}");
            for param in rule.params {
                assert!(row.contains(&format!("`{}`", param.name)), "{row}");
            }
            let Availability::AllExcept(regions) = rule.availability else {
                assert!(row.ends_with("| offered everywhere |"), "{row}");
                continue;
            };
            let last = row.rsplit(" | ").next().unwrap();
            let listed = last.matches('`').count() / 2;
            assert_eq!(listed, regions.len(), "{row}");
            for region in regions {
                assert!(last.contains(&format!("`{region}`")), "{row}");
            }
        }
        for filter in METRIC_FILTERS {
            let row = row(format!("| `{}` |", filter.name));
            assert!(row.contains(&filter.pattern.replace('|', "\\|")), "{row}");
            assert!(row.contains(filter.description), "{row}");
        }
    }

    #[test]
    fn availability_says_where_a_rule_is_offered() {
        let rotated = managed_rule("access-keys-rotated").unwrap().availability;
        assert!(rotated.offered_in("us-east-1"));
        assert!(!rotated.offered_in("mx-central-1"));
        // A region newer than the catalog is taken to offer it.
        assert!(rotated.offered_in("xx-future-1"));
        assert!(!rotated.offered_in("eu-central-2"));
        assert!(Availability::Everywhere.offered_in("eu-central-2"));
    }
}
