//! The recommended baseline against an account as `observe` reads it once watchpost has
//! converged it: every value as AWS returns it, written here as data rather than copied from
//! the desired specs, so that a planner that mistakes AWS's own way of saying a thing for drift
//! fails here.
//!
//! What AWS does to the values, and the fixture with it:
//! - policies come back as AWS's text (IAM's URL-encoded), keys and statements reordered, a
//!   lone action as a string or a one-element list; observe parses them as it does the API's
//!   answer ([`policy::parse`]);
//! - references are ARNs: the trail's and the bucket's key is the key's ARN, not its alias, the
//!   trail's log group ARN ends in `:*`;
//! - AWS adds what was not asked for: GuardDuty lists features it always runs, Config a
//!   recording mode, KMS and SNS policies statements someone else added, a rule a target of
//!   someone else's;
//! - and the account holds things that are not watchpost's, which observe reads because they
//!   share a name or a place with watchpost's: a topic of the alert topic's name in another
//!   region (the user's, untagged), a catalog Config rule the baseline does not ask for, a
//!   metric filter of the user's on the trail's log group, a managed policy the user attached
//!   to watchpost's Config role. (A rule, a topic or a role of another name observe never reads.)

use std::collections::{BTreeMap, BTreeSet};

use super::kinds::recommended;
use super::*;
use crate::model::policy;
use crate::model::{
    AccessLogging, AlarmSpec, AnalyzerSpec, BucketSpec, DeliveryChannelSpec, DetectorSpec,
    EbsEncryptionSpec, Encryption, EventRuleSpec, FindingAggregatorSpec, FlowLogSpec, GLOBAL,
    KeySpec, Kind, Live, LogGroupSpec, MetricFilterSpec, Observed, PasswordPolicySpec,
    PublicAccessBlockSpec, RecorderSpec, RecordingMode, RecordingSpec, ResourceId, RoleSpec,
    RuleSpec, SecurityContactSpec, SecurityHubSpec, Spec, SubscriptionSpec, TargetSpec, TopicSpec,
    TrailSpec,
};

const HOME: &str = "us-east-1";
const OTHER: &str = "eu-west-1";
const BUCKET: &str = "watchpost-logs-111122223333-us-east-1";
const ACCESS_LOG_BUCKET: &str = "watchpost-access-logs-111122223333-us-east-1";
/// DescribeKey's ARN for `alias/watchpost`: what CloudTrail and S3 return for the key.
const KEY_ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/6f2c1b9e-3d4a-4e8b-9c1d-2a7e5f0b8c34";
const TOPIC_ARN: &str = "arn:aws:sns:us-east-1:111122223333:watchpost-security-alerts";
const HOME_BUS_ARN: &str = "arn:aws:events:us-east-1:111122223333:event-bus/default";
const FORWARD_ROLE_ARN: &str = "arn:aws:iam::111122223333:role/watchpost-alert-forwarding";

/// A policy document as an API returns it, read as observe reads it.
fn aws_policy(text: &str) -> serde_json::Value {
    policy::parse(text).expect("the fixture's policies are JSON")
}

fn strings<const N: usize>(pairs: [(&str, &str); N]) -> BTreeMap<String, String> {
    pairs
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
}

/// The CIS filters of the recommended baseline as DescribeMetricFilters and DescribeAlarms
/// return them: the pattern and the alarm's description exactly as written, the description
/// ending in the benchmark's controls.
const CIS_FILTERS: [(&str, &str, &str); 15] = [
    (
        "unauthorized-api-calls",
        r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }"#,
        "API calls were refused for lack of permission: a tool missing a permission, or someone probing what stolen credentials allow. Find the principal and the calls refused to it; one principal refused many different calls is a probe. CIS AWS Foundations Benchmark 4.1 (v1.4-v5), 5.1 (v6-v7).",
    ),
    (
        "console-signin-without-mfa",
        r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#,
        "Someone signed in to the console without MFA. Confirm with the user that the sign-in was theirs, and require MFA for them unless they sign in through federation or IAM Identity Center, whose sign-ins also count here. CIS AWS Foundations Benchmark 4.2 (v1.4-v5), 5.2 (v6-v7).",
    ),
    (
        "root-account-use",
        r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
        "The root user acted. Ask whoever holds the root credentials whether it was planned; treat unexplained root use as a compromise of the whole account. CIS AWS Foundations Benchmark 4.3 (v1.4-v5), 5.3 (v6-v7).",
    ),
    (
        "iam-policy-changes",
        r#"{ ($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy) }"#,
        "An IAM policy was created, changed, attached, detached or deleted. Check who changed which policy, and whether it now grants more than intended. CIS AWS Foundations Benchmark 4.4 (v1.4-v5), 5.4 (v6-v7).",
    ),
    (
        "cloudtrail-changes",
        r#"{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"#,
        "A CloudTrail trail was created, changed, deleted, started or stopped. Check who did it: a stopped or deleted trail blinds these alarms. watchpost plan shows what changed in its own trail, and apply repairs it. CIS AWS Foundations Benchmark 4.5 (v1.4-v5), 5.5 (v6-v7).",
    ),
    (
        "console-signin-failures",
        r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
        "Console sign-ins failed on a wrong password: someone may be guessing one. Check the user names and addresses, and whether a successful sign-in followed from the same address. CIS AWS Foundations Benchmark 4.6 (v1.4-v5), 5.6 (v6-v7).",
    ),
    (
        "kms-key-disable-or-deletion",
        r#"{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }"#,
        "A customer-managed KMS key was disabled or scheduled for deletion: what it encrypts becomes unreadable. Check who did it; if it was not planned, re-enable the key or cancel its deletion while it is pending. CIS AWS Foundations Benchmark 4.7 (v1.4-v5), 5.7 (v6-v7).",
    ),
    (
        "s3-bucket-policy-changes",
        r#"{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"#,
        "An S3 bucket's policy, ACL, CORS, lifecycle or replication was changed or removed. Check who changed which bucket, and whether it is now open to more than intended. CIS AWS Foundations Benchmark 4.8 (v1.4-v5), 5.8 (v6-v7).",
    ),
    (
        "aws-config-changes",
        r#"{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }"#,
        "AWS Config recording or delivery was changed or stopped: a stopped recorder records no changes. Check who did it; watchpost plan shows what changed in the recorders and channels, and apply repairs them. CIS AWS Foundations Benchmark 4.9 (v1.4-v5), 5.9 (v6-v7).",
    ),
    (
        "security-group-changes",
        r#"{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }"#,
        "A security group or one of its rules was created, changed or deleted. Check who changed which group, and whether it now lets in traffic from anywhere (0.0.0.0/0 or ::/0). CIS AWS Foundations Benchmark 4.10 (v1.4-v5), 5.10 (v6-v7).",
    ),
    (
        "network-acl-changes",
        r#"{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"#,
        "A network ACL, one of its entries or its association with a subnet was created, changed or deleted. Check who changed which ACL, and what traffic it now lets through. CIS AWS Foundations Benchmark 4.11 (v1.4-v5), 5.11 (v6-v7).",
    ),
    (
        "network-gateway-changes",
        r#"{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"#,
        "An internet or customer gateway was created, attached, detached or deleted. Check who did it: an internet gateway attached to a VPC can expose its networks to the internet. CIS AWS Foundations Benchmark 4.12 (v1.4-v5), 5.12 (v6-v7).",
    ),
    (
        "route-table-changes",
        r#"{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }"#,
        "A route or route table was created, changed or deleted. Check who did it and where the traffic now goes: a new route can send private traffic out through another gateway. CIS AWS Foundations Benchmark 4.13 (v1.4-v5), 5.13 (v6-v7).",
    ),
    (
        "vpc-changes",
        r#"{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"#,
        "A VPC, its attributes, or a peering connection between VPCs was created, changed or deleted. Check who did it, and which networks can now reach each other. CIS AWS Foundations Benchmark 4.14 (v1.4-v5), 5.14 (v6-v7).",
    ),
    (
        "organizations-changes",
        r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CancelHandshake) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganization) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = EnableAllFeatures) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdateOrganizationalUnit) || ($.eventName = UpdatePolicy)) }"#,
        "The AWS Organization was changed: its accounts, organizational units, policies (such as SCPs) or invitations. Check who did it: a detached SCP or a removed account can undo controls in every account. CIS AWS Foundations Benchmark 4.15 (v1.4-v5), 5.15 (v6-v7).",
    ),
];

/// The AWS managed rules of the recommended baseline, with their source identifiers, and
/// whether AWS Config has them in every region (those that judge the account are in the home
/// region only).
const RULES: [(&str, &str, bool); 13] = [
    (
        "s3-bucket-policy-grantee-check",
        "S3_BUCKET_POLICY_GRANTEE_CHECK",
        true,
    ),
    ("restricted-ssh", "INCOMING_SSH_DISABLED", true),
    (
        "elb-acm-certificate-required",
        "ELB_ACM_CERTIFICATE_REQUIRED",
        true,
    ),
    (
        "iam-root-access-key-check",
        "IAM_ROOT_ACCESS_KEY_CHECK",
        false,
    ),
    ("cloudtrail-enabled", "CLOUD_TRAIL_ENABLED", false),
    ("eip-attached", "EIP_ATTACHED", true),
    (
        "guardduty-enabled-centralized",
        "GUARDDUTY_ENABLED_CENTRALIZED",
        true,
    ),
    (
        "s3-bucket-public-write-prohibited",
        "S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
        true,
    ),
    (
        "s3-bucket-public-read-prohibited",
        "S3_BUCKET_PUBLIC_READ_PROHIBITED",
        true,
    ),
    (
        "acm-certificate-expiration-check",
        "ACM_CERTIFICATE_EXPIRATION_CHECK",
        true,
    ),
    ("ec2-volume-inuse-check", "EC2_VOLUME_INUSE_CHECK", true),
    (
        "rds-instance-public-access-check",
        "RDS_INSTANCE_PUBLIC_ACCESS_CHECK",
        true,
    ),
    ("ebs-optimized-instance", "EBS_OPTIMIZED_INSTANCE", true),
];

/// Where the sign-in rule is: the regions in scope and the four AWS records sign-ins in.
const SIGNIN_REGIONS: [&str; 5] = [
    "ap-southeast-2",
    "eu-north-1",
    "eu-west-1",
    "us-east-1",
    "us-east-2",
];

struct Account(Observed);

impl Account {
    fn put(&mut self, kind: Kind, region: &str, name: &str, spec: Spec) -> &mut Live {
        self.0
            .resources
            .entry(ResourceId::new(kind, region, name))
            .or_insert(Live {
                spec,
                live_id: None,
                owned: false,
            })
    }
}

/// The account after `watchpost apply` of the recommended baseline over eu-west-1 and
/// us-east-1, as `watchpost plan` reads it (tags are read only where observe reads them
/// for a plan).
fn live_account() -> Observed {
    let mut account = Account(Observed {
        account_id: ACCOUNT.to_owned(),
        regions: vec![OTHER.to_owned(), HOME.to_owned()],
        ..Observed::default()
    });
    roles(&mut account);
    storage(&mut account);
    for region in [OTHER, HOME] {
        detection(&mut account, region);
        config(&mut account, region);
        flow_logs(&mut account, region);
        security_hub(&mut account, region);
    }
    finding_aggregator(&mut account);
    alerts(&mut account);
    alarms(&mut account);
    account_settings(&mut account);
    tamper_rules(&mut account);
    account.0
}

/// The tamper rules and the drill rule as apply made them. EventBridge reads a rule back as it was written, and
/// their shape is checked on its own (the `tamper_rule` snapshot of `kinds`, and
/// tests/tamper_alerts.rs replays their patterns), so they are taken from the plan.
fn tamper_rules(account: &mut Account) {
    for desired in super::super::desired::desired_resources(&recommended(), &account.0) {
        if matches!(desired.id.kind, Kind::TamperRule | Kind::DrillRule) {
            account.put(
                desired.id.kind,
                &desired.id.region,
                &desired.id.name,
                desired.spec,
            );
        }
    }
}

fn roles(account: &mut Account) {
    // GetRole and GetRolePolicy return documents URL-encoded, as written.
    account.put(
        Kind::IamRole,
        GLOBAL,
        "watchpost-config",
        Spec::Role(RoleSpec {
            trust_policy: aws_policy(
                "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Condition%22%3A%7B%22StringEquals%22%3A%7B%22aws%3ASourceAccount%22%3A%22111122223333%22%7D%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%2C%22Principal%22%3A%7B%22Service%22%3A%22config.amazonaws.com%22%7D%2C%22Effect%22%3A%22Allow%22%7D%5D%7D",
            ),
            // AWS's managed policy, and one the account's administrators attached.
            managed_policy_arns: BTreeSet::from([
                "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole".to_owned(),
                "arn:aws:iam::111122223333:policy/org-guardrail-boundary".to_owned(),
            ]),
            inline_policies: BTreeMap::from([(
                "watchpost-config-delivery".to_owned(),
                aws_policy(&format!(
                    r#"{{"Version":"2012-10-17","Statement":[
                    {{"Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"{KEY_ARN}","Effect":"Allow"}},
                    {{"Effect":"Allow","Resource":"arn:aws:s3:::{BUCKET}","Action":["s3:GetBucketAcl"]}},
                    {{"Condition":{{"StringLike":{{"s3:x-amz-acl":"bucket-owner-full-control"}}}},"Resource":"arn:aws:s3:::{BUCKET}/config/AWSLogs/111122223333/*","Action":"s3:PutObject","Effect":"Allow"}}]}}"#
                )),
            )]),
        }),
    )
    .owned = true;
    account
        .put(
            Kind::IamRole,
            GLOBAL,
            "watchpost-cloudtrail-logs",
            Spec::Role(RoleSpec {
                trust_policy: aws_policy(
                    r#"{"Statement":[{"Action":["sts:AssumeRole"],"Effect":"Allow","Principal":{"Service":["cloudtrail.amazonaws.com"]}}],"Version":"2012-10-17"}"#,
                ),
                managed_policy_arns: BTreeSet::new(),
                inline_policies: BTreeMap::from([(
                    "watchpost-cloudtrail-logs".to_owned(),
                    aws_policy(
                        r#"{"Version":"2012-10-17","Statement":{"Resource":"arn:aws:logs:us-east-1:111122223333:log-group:watchpost-cloudtrail:log-stream:*","Effect":"Allow","Action":["logs:PutLogEvents","logs:CreateLogStream"]}}"#,
                    ),
                )]),
            }),
        )
        .owned = true;
    account
        .put(
            Kind::IamRole,
            GLOBAL,
            "watchpost-alert-forwarding",
            Spec::Role(RoleSpec {
                trust_policy: aws_policy(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}"#,
                ),
                managed_policy_arns: BTreeSet::new(),
                inline_policies: BTreeMap::from([(
                    "forward-alerts-to-home-bus".to_owned(),
                    aws_policy(&format!(
                        r#"{{"Version":"2012-10-17","Statement":[{{"Resource":["{HOME_BUS_ARN}"],"Action":["events:PutEvents"],"Effect":"Allow"}}]}}"#
                    )),
                )]),
            }),
        )
        .owned = true;
    // The support role trusts the account: IAM returns a lone principal as a string.
    account
        .put(
            Kind::IamRole,
            GLOBAL,
            "watchpost-support",
            Spec::Role(RoleSpec {
                trust_policy: aws_policy(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}"#,
                ),
                managed_policy_arns: BTreeSet::from([
                    "arn:aws:iam::aws:policy/AWSSupportAccess".to_owned()
                ]),
                inline_policies: BTreeMap::new(),
            }),
        )
        .owned = true;
}

/// The log bucket, the key, the trail and its log group.
fn storage(account: &mut Account) {
    let bucket = format!("arn:aws:s3:::{BUCKET}");
    let trail = "arn:aws:cloudtrail:us-east-1:111122223333:trail/watchpost";
    // GetBucketPolicy's compact text, statements in S3's order, with a reader the security
    // team granted themselves.
    account.put(
        Kind::LogBucket,
        HOME,
        BUCKET,
        Spec::Bucket(BucketSpec {
            block_public_access: true,
            encryption: Some(Encryption::Kms {
                kms_key_id: KEY_ARN.to_owned(),
            }),
            versioning: Some("Enabled".to_owned()),
            object_ownership: Some("BucketOwnerEnforced".to_owned()),
            expire_after_days: Some(365),
            policy: Some(aws_policy(&format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"AWSCloudTrailWrite","Effect":"Allow","Principal":{{"Service":"cloudtrail.amazonaws.com"}},"Action":"s3:PutObject","Resource":"{bucket}/cloudtrail/AWSLogs/111122223333/*","Condition":{{"StringEquals":{{"aws:SourceArn":"{trail}","s3:x-amz-acl":"bucket-owner-full-control"}}}}}},{{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["{bucket}/*","{bucket}"],"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}},{{"Sid":"AWSConfigBucketPermissionsCheck","Effect":"Allow","Principal":{{"Service":"config.amazonaws.com"}},"Action":"s3:GetBucketAcl","Resource":"{bucket}","Condition":{{"StringEquals":{{"aws:SourceAccount":"111122223333"}}}}}},{{"Sid":"AWSConfigBucketExistenceCheck","Effect":"Allow","Principal":{{"Service":"config.amazonaws.com"}},"Action":"s3:ListBucket","Resource":"{bucket}","Condition":{{"StringEquals":{{"aws:SourceAccount":"111122223333"}}}}}},{{"Sid":"AWSConfigBucketDelivery","Effect":"Allow","Principal":{{"Service":"config.amazonaws.com"}},"Action":"s3:PutObject","Resource":"{bucket}/config/AWSLogs/111122223333/Config/*","Condition":{{"StringEquals":{{"aws:SourceAccount":"111122223333","s3:x-amz-acl":"bucket-owner-full-control"}}}}}},{{"Sid":"AWSCloudTrailAclCheck","Effect":"Allow","Principal":{{"Service":"cloudtrail.amazonaws.com"}},"Action":"s3:GetBucketAcl","Resource":"{bucket}","Condition":{{"StringEquals":{{"aws:SourceArn":"{trail}"}}}}}},{{"Sid":"AWSLogDeliveryAclCheck","Effect":"Allow","Principal":{{"Service":"delivery.logs.amazonaws.com"}},"Action":["s3:ListBucket","s3:GetBucketAcl"],"Resource":"{bucket}","Condition":{{"StringEquals":{{"aws:SourceAccount":"111122223333"}},"ArnLike":{{"aws:SourceArn":"arn:aws:logs:*:111122223333:*"}}}}}},{{"Sid":"AWSLogDeliveryWrite","Effect":"Allow","Principal":{{"Service":"delivery.logs.amazonaws.com"}},"Action":"s3:PutObject","Resource":"{bucket}/vpc-flow-logs/AWSLogs/111122223333/*","Condition":{{"ArnLike":{{"aws:SourceArn":"arn:aws:logs:*:111122223333:*"}},"StringEquals":{{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceAccount":"111122223333"}}}}}},{{"Sid":"SecurityTeamReads","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:role/security-audit"}},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["{bucket}","{bucket}/*"]}}]}}"#
            ))),
        }),
    );
    account.put(
        Kind::BucketLogging,
        HOME,
        BUCKET,
        Spec::BucketLogging(AccessLogging {
            target_bucket: ACCESS_LOG_BUCKET.to_owned(),
            target_prefix: format!("{BUCKET}/"),
        }),
    );
    // The bucket of its access logs, its policy's statements in S3's order.
    let access_logs = format!("arn:aws:s3:::{ACCESS_LOG_BUCKET}");
    account.put(
        Kind::AccessLogBucket,
        HOME,
        ACCESS_LOG_BUCKET,
        Spec::Bucket(BucketSpec {
            block_public_access: true,
            encryption: Some(Encryption::S3Managed),
            versioning: Some("Enabled".to_owned()),
            object_ownership: Some("BucketOwnerEnforced".to_owned()),
            expire_after_days: Some(365),
            policy: Some(aws_policy(&format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"S3ServerAccessLogsPolicy","Effect":"Allow","Principal":{{"Service":"logging.s3.amazonaws.com"}},"Action":"s3:PutObject","Resource":"{access_logs}/{BUCKET}/*","Condition":{{"StringEquals":{{"aws:SourceAccount":"111122223333"}},"ArnLike":{{"aws:SourceArn":"{bucket}"}}}}}},{{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":{{"AWS":"*"}},"Action":"s3:*","Resource":["{access_logs}/*","{access_logs}"],"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}}]}}"#
            ))),
        }),
    );
    // GetKeyPolicy's pretty-printed text, with a statement someone added for a reader.
    account
        .put(
            Kind::KmsKey,
            HOME,
            "alias/watchpost",
            Spec::Key(KeySpec {
                key_state: "Enabled".to_owned(),
                rotation: true,
                policy: aws_policy(&format!(
                    r#"{{
  "Version" : "2012-10-17",
  "Statement" : [ {{
    "Sid" : "AccountAdministersKey",
    "Effect" : "Allow",
    "Principal" : {{
      "AWS" : "arn:aws:iam::111122223333:root"
    }},
    "Action" : "kms:*",
    "Resource" : "*"
  }}, {{
    "Sid" : "ConfigUsesKey",
    "Effect" : "Allow",
    "Principal" : {{
      "Service" : "config.amazonaws.com"
    }},
    "Action" : [ "kms:GenerateDataKey", "kms:Decrypt" ],
    "Resource" : "*",
    "Condition" : {{
      "StringEquals" : {{
        "aws:SourceAccount" : "111122223333"
      }}
    }}
  }}, {{
    "Sid" : "LogDeliveryUsesKey",
    "Effect" : "Allow",
    "Principal" : {{
      "Service" : "delivery.logs.amazonaws.com"
    }},
    "Action" : [ "kms:DescribeKey", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:Decrypt", "kms:Encrypt" ],
    "Resource" : "*",
    "Condition" : {{
      "StringEquals" : {{
        "aws:SourceAccount" : "111122223333"
      }},
      "ArnLike" : {{
        "aws:SourceArn" : "arn:aws:logs:*:111122223333:*"
      }}
    }}
  }}, {{
    "Sid" : "CloudTrailEncryptsLogs",
    "Effect" : "Allow",
    "Principal" : {{
      "Service" : "cloudtrail.amazonaws.com"
    }},
    "Action" : "kms:GenerateDataKey*",
    "Resource" : "*",
    "Condition" : {{
      "StringEquals" : {{
        "aws:SourceArn" : "{trail}"
      }},
      "StringLike" : {{
        "kms:EncryptionContext:aws:cloudtrail:arn" : "arn:aws:cloudtrail:*:111122223333:trail/*"
      }}
    }}
  }}, {{
    "Sid" : "CloudTrailDescribesKey",
    "Effect" : "Allow",
    "Principal" : {{
      "Service" : "cloudtrail.amazonaws.com"
    }},
    "Action" : "kms:DescribeKey",
    "Resource" : "*",
    "Condition" : {{
      "StringEquals" : {{
        "aws:SourceArn" : "{trail}"
      }}
    }}
  }}, {{
    "Sid" : "CloudTrailUsesBucketKey",
    "Effect" : "Allow",
    "Principal" : {{
      "Service" : "cloudtrail.amazonaws.com"
    }},
    "Action" : "kms:Decrypt",
    "Resource" : "*",
    "Condition" : {{
      "StringEquals" : {{
        "aws:SourceArn" : "{trail}"
      }}
    }}
  }}, {{
    "Sid" : "SecurityTeamDecrypts",
    "Effect" : "Allow",
    "Principal" : {{
      "AWS" : "arn:aws:iam::111122223333:role/security-audit"
    }},
    "Action" : "kms:Decrypt",
    "Resource" : "*"
  }} ]
}}"#
                )),
            }),
        )
        .live_id = Some(KEY_ARN.to_owned());
    account.put(
        Kind::CloudtrailTrail,
        HOME,
        "watchpost",
        Spec::Trail(TrailSpec {
            s3_bucket_name: BUCKET.to_owned(),
            s3_key_prefix: Some("cloudtrail".to_owned()),
            multi_region: true,
            include_global_service_events: true,
            log_file_validation: true,
            cloud_watch_logs_log_group_arn: Some(
                "arn:aws:logs:us-east-1:111122223333:log-group:watchpost-cloudtrail:*".to_owned(),
            ),
            cloud_watch_logs_role_arn: Some(
                "arn:aws:iam::111122223333:role/watchpost-cloudtrail-logs".to_owned(),
            ),
            kms_key_id: Some(KEY_ARN.to_owned()),
            logging: true,
            management_events: true,
            s3_data_events: None,
            logs_data_events: false,
        }),
    );
    account.put(
        Kind::LogGroup,
        HOME,
        "watchpost-cloudtrail",
        Spec::LogGroup(LogGroupSpec {
            retention_days: Some(365),
        }),
    );
}

/// The region's default VPC and watchpost's flow log on it, as DescribeFlowLogs returns it.
fn flow_logs(account: &mut Account, region: &str) {
    let vpc = format!("vpc-0{}", region.len());
    account.0.vpcs.insert(region.to_owned(), vec![vpc.clone()]);
    let flow_log = account.put(
        Kind::FlowLog,
        region,
        &vpc,
        Spec::FlowLog(FlowLogSpec {
            traffic_type: "REJECT".to_owned(),
            log_destination: format!("arn:aws:s3:::{BUCKET}/vpc-flow-logs"),
            max_aggregation_interval: 600,
        }),
    );
    flow_log.live_id = Some(format!("fl-0{}", region.len()));
    flow_log.owned = true;
}

/// The region's hub with the two standards of the recommended baseline, and the standards the
/// region offers, as DescribeHub, GetEnabledStandards and DescribeStandards return them.
fn security_hub(account: &mut Account, region: &str) {
    let standard = |path: &str| format!("arn:aws:securityhub:{region}::standards/{path}");
    let hub = account.put(
        Kind::SecurityHub,
        region,
        "",
        Spec::SecurityHub(SecurityHubSpec {
            standards: [
                standard("aws-foundational-security-best-practices/v/1.0.0"),
                standard("cis-aws-foundations-benchmark/v/5.0.0"),
            ]
            .into(),
            offered: vec![
                "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0".to_owned(),
                standard("aws-foundational-security-best-practices/v/1.0.0"),
                standard("cis-aws-foundations-benchmark/v/1.4.0"),
                standard("cis-aws-foundations-benchmark/v/3.0.0"),
                standard("cis-aws-foundations-benchmark/v/5.0.0"),
                standard("pci-dss/v/3.2.1"),
            ],
            not_ready: Vec::new(),
        }),
    );
    hub.live_id = Some(format!(
        "arn:aws:securityhub:{region}:{ACCOUNT}:hub/default"
    ));
    hub.owned = true;
}

/// The finding aggregator in the home region, linking the other region in scope.
fn finding_aggregator(account: &mut Account) {
    let aggregator = account.put(
        Kind::FindingAggregator,
        HOME,
        "",
        Spec::FindingAggregator(FindingAggregatorSpec {
            region_linking_mode: "SPECIFIED_REGIONS".to_owned(),
            regions: [OTHER.to_owned()].into(),
            aggregation_region: HOME.to_owned(),
        }),
    );
    aggregator.live_id = Some(format!(
        "arn:aws:securityhub:{HOME}:{ACCOUNT}:finding-aggregator/a1b2c3d4"
    ));
}

fn detection(account: &mut Account, region: &str) {
    // GetDetector lists every feature, those GuardDuty always runs and the EKS one that
    // runtime monitoring replaced among them.
    let features = [
        ("CLOUD_TRAIL", "ENABLED"),
        ("DNS_LOGS", "ENABLED"),
        ("FLOW_LOGS", "ENABLED"),
        ("S3_DATA_EVENTS", "ENABLED"),
        ("EKS_AUDIT_LOGS", "ENABLED"),
        ("EBS_MALWARE_PROTECTION", "ENABLED"),
        ("RDS_LOGIN_EVENTS", "ENABLED"),
        ("EKS_RUNTIME_MONITORING", "DISABLED"),
        ("LAMBDA_NETWORK_LOGS", "ENABLED"),
        ("RUNTIME_MONITORING", "ENABLED"),
    ];
    let detector = account.put(
        Kind::GuarddutyDetector,
        region,
        "",
        Spec::Detector(DetectorSpec {
            status: "ENABLED".to_owned(),
            finding_publishing_frequency: "FIFTEEN_MINUTES".to_owned(),
            features: strings(features),
        }),
    );
    detector.live_id = Some(
        match region {
            HOME => "6ec5c8d1f0a24a3b9e2f4d7c1a0b8e53",
            _ => "a2b4c6d8e0f21436587a9bcde0f13579",
        }
        .to_owned(),
    );
    detector.owned = true;
    let analyzer = account.put(
        Kind::AccessAnalyzer,
        region,
        "",
        Spec::Analyzer(AnalyzerSpec {
            name: "watchpost".to_owned(),
            analyzer_type: "ACCOUNT".to_owned(),
            status: Some("ACTIVE".to_owned()),
        }),
    );
    analyzer.live_id = Some("watchpost".to_owned());
    analyzer.owned = true;
    account.put(
        Kind::EbsEncryption,
        region,
        "",
        Spec::EbsEncryption(EbsEncryptionSpec {
            enabled: true,
            kms_key_id: None,
        }),
    );
}

fn config(account: &mut Account, region: &str) {
    account
        .put(
            Kind::ConfigRecorder,
            region,
            "",
            Spec::Recorder(RecorderSpec {
                name: "watchpost".to_owned(),
                role_arn: "arn:aws:iam::111122223333:role/watchpost-config".to_owned(),
                all_supported: true,
                include_global_resource_types: region == HOME,
                // Not asked for; AWS's default.
                recording_mode: Some(RecordingMode {
                    recording_frequency: "CONTINUOUS".to_owned(),
                    overrides: Vec::new(),
                }),
            }),
        )
        .live_id = Some("watchpost".to_owned());
    account
        .put(
            Kind::ConfigRecording,
            region,
            "",
            Spec::Recording(RecordingSpec {
                recorder_name: "watchpost".to_owned(),
                recording: true,
            }),
        )
        .live_id = Some("watchpost".to_owned());
    account
        .put(
            Kind::ConfigDeliveryChannel,
            region,
            "",
            Spec::DeliveryChannel(DeliveryChannelSpec {
                name: "watchpost".to_owned(),
                s3_bucket_name: BUCKET.to_owned(),
                s3_key_prefix: Some("config".to_owned()),
                snapshot_delivery_frequency: Some("TwentyFour_Hours".to_owned()),
                sns_topic_arn: None,
                s3_kms_key_arn: None,
            }),
        )
        .live_id = Some("watchpost".to_owned());
    for (name, source, everywhere) in RULES {
        if !everywhere && region != HOME {
            continue;
        }
        // DescribeConfigRules gives the parameters as JSON text, values as strings.
        let input_parameters = match name {
            "acm-certificate-expiration-check" => strings([("daysToExpiration", "14")]),
            _ => BTreeMap::new(),
        };
        account.put(
            Kind::ConfigRule,
            region,
            name,
            Spec::Rule(RuleSpec {
                source_identifier: source.to_owned(),
                input_parameters,
            }),
        );
    }
    if region == HOME {
        // A catalog rule the account's administrators made themselves: untagged, so observe
        // reads its tags and finds it is not watchpost's.
        account.put(
            Kind::ConfigRule,
            region,
            "root-account-mfa-enabled",
            Spec::Rule(RuleSpec {
                source_identifier: "ROOT_ACCOUNT_MFA_ENABLED".to_owned(),
                input_parameters: BTreeMap::new(),
            }),
        );
    }
}

fn alerts(account: &mut Account) {
    // GetTopicAttributes' policy: SNS's action names in its order, and a statement the
    // account added for AWS Budgets.
    account.put(
        Kind::AlertTopic,
        HOME,
        "watchpost-security-alerts",
        Spec::Topic(TopicSpec {
            policy: aws_policy(&format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"AccountManagesTopic","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:root"}},"Action":["SNS:Subscribe","SNS:SetTopicAttributes","SNS:RemovePermission","SNS:ListSubscriptionsByTopic","SNS:GetTopicAttributes","SNS:DeleteTopic","SNS:AddPermission"],"Resource":"{TOPIC_ARN}"}},{{"Sid":"EventBridgePublishes","Effect":"Allow","Principal":{{"Service":"events.amazonaws.com"}},"Action":"sns:Publish","Resource":"{TOPIC_ARN}","Condition":{{"StringEquals":{{"aws:SourceAccount":"111122223333"}}}}}},{{"Sid":"CloudWatchPublishes","Effect":"Allow","Principal":{{"Service":"cloudwatch.amazonaws.com"}},"Action":"sns:Publish","Resource":"{TOPIC_ARN}","Condition":{{"StringEquals":{{"aws:SourceAccount":"111122223333"}}}}}},{{"Sid":"BudgetsPublishes","Effect":"Allow","Principal":{{"Service":"budgets.amazonaws.com"}},"Action":"SNS:Publish","Resource":"{TOPIC_ARN}"}}]}}"#
            )),
        }),
    )
    .live_id = Some(TOPIC_ARN.to_owned());
    let subscription = account.put(
        Kind::AlertSubscription,
        HOME,
        "security@example.com",
        Spec::Subscription(SubscriptionSpec {
            topic_name: "watchpost-security-alerts".to_owned(),
            pending_confirmation: false,
        }),
    );
    subscription.live_id = Some(format!("{TOPIC_ARN}:0b6f5e1c-8a3d-4f2e-9b7a-1c4d2e8f6a90"));
    subscription.owned = true;
    // The user's own topic of that name in another region, untagged, with their subscription.
    let other_topic = format!("arn:aws:sns:{OTHER}:111122223333:watchpost-security-alerts");
    account
        .put(
            Kind::AlertTopic,
            OTHER,
            "watchpost-security-alerts",
            Spec::Topic(TopicSpec {
                policy: aws_policy(&format!(
                    r#"{{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{{"AWS":"*"}},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"{other_topic}","Condition":{{"StringEquals":{{"AWS:SourceOwner":"111122223333"}}}}}}]}}"#
                )),
            }),
        )
        .live_id = Some(other_topic.clone());
    account
        .put(
            Kind::AlertSubscription,
            OTHER,
            "oncall@example.com",
            Spec::Subscription(SubscriptionSpec {
                topic_name: "watchpost-security-alerts".to_owned(),
                pending_confirmation: false,
            }),
        )
        .live_id = Some(format!(
        "{other_topic}:5d1e7c3a-2b9f-4e6d-8a0c-7f3b1e9d2c45"
    ));

    // DescribeRule's pattern as stored; ListTargetsByRule's targets, one of them a Lambda the
    // account added to the home sign-in rule.
    let signin_pattern = r#"{"detail-type":["AWS Console Sign In via CloudTrail"],"source":["aws.signin"],"detail":{"eventName":["ConsoleLogin"]}}"#;
    for region in SIGNIN_REGIONS {
        let mut targets = BTreeMap::new();
        if region == HOME {
            targets.insert(
                "watchpost-alert-topic".to_owned(),
                TargetSpec {
                    arn: TOPIC_ARN.to_owned(),
                    input_paths: strings([
                        ("user_name", "$.detail.userIdentity.userName"),
                        ("type", "$.detail.userIdentity.type"),
                        ("time", "$.time"),
                        ("result", "$.detail.responseElements.ConsoleLogin"),
                        ("region", "$.region"),
                        ("principal", "$.detail.userIdentity.principalId"),
                        ("mfa", "$.detail.additionalEventData.MFAUsed"),
                        ("ip", "$.detail.sourceIPAddress"),
                        ("arn", "$.detail.userIdentity.arn"),
                        ("account", "$.account"),
                    ]),
                    input_template: Some("\"AWS console sign-in (<result>) to account <account>, recorded in <region>: <type> <arn> (user name <user_name>, principal <principal>) from <ip> at <time>, MFA used: <mfa>.\"".to_owned()),
                    role_arn: None,
                    ecs_task: None,
                },
            );
            targets.insert(
                "audit-trail-lambda".to_owned(),
                TargetSpec {
                    arn: "arn:aws:lambda:us-east-1:111122223333:function:record-signins".to_owned(),
                    input_paths: BTreeMap::new(),
                    input_template: None,
                    role_arn: None,
                    ecs_task: None,
                },
            );
        } else {
            targets.insert("watchpost-home-bus".to_owned(), forward_target());
        }
        account.put(
            Kind::SigninRule,
            region,
            "watchpost-console-signin",
            Spec::EventRule(EventRuleSpec {
                description: "AWS console sign-ins, sent to the security alert topic by watchpost"
                    .to_owned(),
                event_pattern: serde_json::from_str(signin_pattern).expect("a pattern"),
                state: "ENABLED".to_owned(),
                targets,
                event_bus_name: None,
            }),
        );
    }
    let finding_pattern = r#"{"source":["aws.guardduty"],"detail":{"severity":[{"numeric":[">=",7]}]},"detail-type":["GuardDuty Finding"]}"#;
    for region in [OTHER, HOME] {
        let (id, target) = if region == HOME {
            (
                "watchpost-alert-topic",
                TargetSpec {
                    arn: TOPIC_ARN.to_owned(),
                    input_paths: strings([
                        ("type", "$.detail.type"),
                        ("title", "$.detail.title"),
                        ("severity", "$.detail.severity"),
                        ("region", "$.region"),
                        ("id", "$.detail.id"),
                        ("description", "$.detail.description"),
                        ("account", "$.account"),
                    ]),
                    input_template: Some("\"GuardDuty finding <type> (severity <severity>) in account <account>, region <region>. <title> <description> Details: https://console.aws.amazon.com/guardduty/home?region=<region>#/findings?macros=current&fId=<id>\"".to_owned()),
                    role_arn: None,
                    ecs_task: None,
                },
            )
        } else {
            ("watchpost-home-bus", forward_target())
        };
        account.put(
            Kind::FindingRule,
            region,
            "watchpost-guardduty-findings",
            Spec::EventRule(EventRuleSpec {
                description: "GuardDuty findings of severity 7 or more, sent to the security alert topic by watchpost".to_owned(),
                event_pattern: serde_json::from_str(finding_pattern).expect("a pattern"),
                state: "ENABLED".to_owned(),
                targets: BTreeMap::from([(id.to_owned(), target)]),
                event_bus_name: None,
            }),
        );
    }
}

/// How a rule outside the home region sends its events on: to the home region's bus.
fn forward_target() -> TargetSpec {
    TargetSpec {
        arn: HOME_BUS_ARN.to_owned(),
        input_paths: BTreeMap::new(),
        input_template: None,
        role_arn: Some(FORWARD_ROLE_ARN.to_owned()),
        ecs_task: None,
    }
}

fn alarms(account: &mut Account) {
    for (name, pattern, description) in CIS_FILTERS {
        account
            .put(
                Kind::MetricFilter,
                HOME,
                name,
                Spec::MetricFilter(MetricFilterSpec {
                    log_group_name: "watchpost-cloudtrail".to_owned(),
                    pattern: pattern.to_owned(),
                    metric_namespace: "Watchpost".to_owned(),
                    metric_name: name.to_owned(),
                }),
            )
            .owned = true;
        account.put(
            Kind::MetricAlarm,
            HOME,
            name,
            Spec::Alarm(AlarmSpec {
                description: description.to_owned(),
                metric_namespace: "Watchpost".to_owned(),
                metric_name: name.to_owned(),
                statistic: "Sum".to_owned(),
                period_seconds: 300,
                evaluation_periods: 1,
                threshold: 1.0,
                comparison_operator: "GreaterThanOrEqualToThreshold".to_owned(),
                treat_missing_data: "notBreaching".to_owned(),
                alarm_actions: vec![TOPIC_ARN.to_owned()],
            }),
        );
    }
    // The user's own filter on the trail's log group, in their namespace: not watchpost's.
    account.put(
        Kind::MetricFilter,
        HOME,
        "break-glass-role-use",
        Spec::MetricFilter(MetricFilterSpec {
            log_group_name: "watchpost-cloudtrail".to_owned(),
            pattern: r#"{ $.userIdentity.sessionContext.sessionIssuer.userName = "break-glass" }"#
                .to_owned(),
            metric_namespace: "Security/BreakGlass".to_owned(),
            metric_name: "BreakGlassRoleUse".to_owned(),
        }),
    );
}

fn account_settings(account: &mut Account) {
    // GetAccountPasswordPolicy, as the account had it, stricter than the CIS floors; observe
    // reads an absent maximum age as 0.
    account.put(
        Kind::PasswordPolicy,
        GLOBAL,
        "",
        Spec::PasswordPolicy(PasswordPolicySpec {
            minimum_password_length: Some(16),
            require_symbols: Some(true),
            require_numbers: Some(true),
            require_uppercase_characters: Some(true),
            require_lowercase_characters: Some(true),
            allow_users_to_change_password: Some(true),
            max_password_age: Some(0),
            password_reuse_prevention: Some(24),
            hard_expiry: Some(false),
        }),
    );
    account.put(
        Kind::AccountPublicAccessBlock,
        GLOBAL,
        "",
        Spec::PublicAccessBlock(PublicAccessBlockSpec {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        }),
    );
    // GetAlternateContact (SECURITY) returns the contact as it was put.
    account.put(
        Kind::SecurityContact,
        GLOBAL,
        "",
        Spec::SecurityContact(SecurityContactSpec {
            name: "Security team".to_owned(),
            title: "Security operations".to_owned(),
            email_address: "security@example.com".to_owned(),
            phone_number: "+1 206 555 0100".to_owned(),
        }),
    );
}

/// Plans `baseline` against `observed` and expects nothing to do; on failure the plan is shown
/// in full, each field AWS's value disagrees on named.
#[track_caller]
fn assert_no_changes(baseline: &Baseline, observed: &Observed) {
    let plan = plan(baseline, observed);
    assert!(
        plan.is_empty(),
        "the converged account still plans:\n{}",
        render_full(&plan, false)
    );
}

#[test]
fn the_recommended_baseline_has_nothing_to_do_in_an_account_it_converged() {
    assert_no_changes(&recommended(), &live_account());
}

#[test]
fn one_live_value_changed_is_one_update_of_that_field() {
    let mut observed = live_account();
    let trail = ResourceId::new(Kind::CloudtrailTrail, HOME, "watchpost");
    let Some(Live {
        spec: Spec::Trail(live),
        ..
    }) = observed.resources.get_mut(&trail)
    else {
        panic!("the fixture has the trail");
    };
    // Someone turned off log file validation in the console.
    live.log_file_validation = false;
    let plan = plan(&recommended(), &observed);
    let changed: Vec<(String, Action, Vec<String>)> = plan
        .changes
        .iter()
        .map(|change| {
            let fields = change.fields.iter().map(|f| f.field.clone()).collect();
            (change.id.to_string(), change.action, fields)
        })
        .collect();
    assert_eq!(
        changed,
        [(
            trail.to_string(),
            Action::Update,
            vec!["log_file_validation".to_owned()]
        )]
    );
}
