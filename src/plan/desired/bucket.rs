use serde_json::{Value, json};

use super::{Context, Desired, kms};
use crate::model::policy::{self, canonical};
use crate::model::{AccessLogging, BucketSpec, Encryption, Kind, ResourceId, Spec};

pub fn log_bucket(context: &Context<'_>) -> Desired {
    let settings = &context.baseline.log_bucket;
    let arn = context.bucket_arn();
    let account = context.account;
    let service_condition = json!({"StringEquals": {"aws:SourceAccount": account}});
    let mut statements = vec![deny_insecure_transport(&arn, json!("*"))];
    if let Some(config) = &context.baseline.config {
        statements.extend([
            json!({
                "Sid": "AWSConfigBucketPermissionsCheck",
                "Effect": "Allow",
                "Principal": {"Service": "config.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": arn.clone(),
                "Condition": service_condition.clone()
            }),
            json!({
                "Sid": "AWSConfigBucketExistenceCheck",
                "Effect": "Allow",
                "Principal": {"Service": "config.amazonaws.com"},
                "Action": "s3:ListBucket",
                "Resource": arn.clone(),
                "Condition": service_condition
            }),
            json!({
                "Sid": "AWSConfigBucketDelivery",
                "Effect": "Allow",
                "Principal": {"Service": "config.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": format!("{arn}/{}/AWSLogs/{account}/Config/*", config.s3_key_prefix),
                "Condition": {"StringEquals": {
                    "s3:x-amz-acl": "bucket-owner-full-control",
                    "aws:SourceAccount": account
                }}
            }),
        ]);
    }
    if let Some(cloudtrail) = &context.baseline.cloudtrail {
        // CloudTrail is scoped to the one trail by its ARN, against the confused deputy.
        let trail = json!({"aws:SourceArn": context.trail_arn(&cloudtrail.name)});
        statements.extend([
            json!({
                "Sid": "AWSCloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": arn.clone(),
                "Condition": {"StringEquals": trail.clone()}
            }),
            json!({
                "Sid": "AWSCloudTrailWrite",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": format!("{arn}/{}/AWSLogs/{account}/*", cloudtrail.s3_key_prefix),
                "Condition": {"StringEquals": {
                    "s3:x-amz-acl": "bucket-owner-full-control",
                    "aws:SourceArn": context.trail_arn(&cloudtrail.name)
                }}
            }),
        ]);
    }
    if let Some(flow_logs) = &context.baseline.vpc_flow_logs {
        statements.extend(super::flow_logs::bucket_statements(context, flow_logs));
    }
    statements.extend(foreign_statements(
        context,
        &context.bucket_id(),
        &statements,
    ));
    let (encryption, key) = match &settings.encryption {
        Encryption::Kms { kms_key_id } => (
            Encryption::Kms {
                kms_key_id: kms::key_arn(context, kms_key_id),
            },
            kms::needs(context, Some(kms_key_id)),
        ),
        Encryption::S3Managed => (Encryption::S3Managed, None),
    };
    Desired {
        id: context.bucket_id(),
        spec: Spec::Bucket(BucketSpec {
            block_public_access: true,
            encryption: Some(encryption),
            versioning: Some("Enabled".to_owned()),
            object_ownership: Some("BucketOwnerEnforced".to_owned()),
            expire_after_days: Some(settings.expire_after_days),
            policy: Some(canonical(&json!({
                "Version": "2012-10-17",
                "Statement": statements
            }))),
        }),
        depends_on: key.into_iter().collect(),
    }
}

/// The log bucket's server access logging (`[log_bucket.access_logs]`), set once both buckets
/// are made: S3 checks that the target admits its logging service.
pub fn log_bucket_logging(context: &Context<'_>) -> Option<Desired> {
    let target = access_log_bucket_id(context)?;
    Some(Desired {
        id: ResourceId::new(Kind::BucketLogging, context.home, &context.bucket),
        spec: Spec::BucketLogging(AccessLogging {
            target_bucket: target.name.clone(),
            target_prefix: access_log_prefix(context),
        }),
        depends_on: vec![context.bucket_id(), target],
    })
}

fn access_log_bucket_id(context: &Context<'_>) -> Option<ResourceId> {
    let name = context.baseline.access_log_bucket_name(context.account)?;
    Some(ResourceId::new(Kind::AccessLogBucket, context.home, &name))
}

/// The key prefix of the log bucket's access logs: the log bucket's name, so that the records
/// say whose they are at a glance.
fn access_log_prefix(context: &Context<'_>) -> String {
    format!("{}/", context.bucket)
}

/// The bucket the log bucket's server access logs go to (`[log_bucket.access_logs]`): hardened as
/// the log bucket is, but encrypted with S3's own keys, the one default encryption S3 can write
/// access logs under, and with no access logs of its own, which would log their own delivery.
/// Only S3's logging service may write to it, for the log bucket of this account.
pub fn access_log_bucket(context: &Context<'_>) -> Option<Desired> {
    let logs = context.baseline.log_bucket.access_logs.as_ref()?;
    let id = access_log_bucket_id(context)?;
    let arn = format!("arn:{}:s3:::{}", context.partition, id.name);
    // `{"AWS": "*"}` is everyone, as `"*"` is (IAM User Guide, "AWS JSON policy elements:
    // Principal"); moto's check of a logging target fails on a principal that is not an object.
    let mut statements = vec![
        deny_insecure_transport(&arn, json!({"AWS": "*"})),
        json!({
            "Sid": "S3ServerAccessLogsPolicy",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": format!("{arn}/{}*", access_log_prefix(context)),
            "Condition": {
                "ArnLike": {"aws:SourceArn": context.bucket_arn()},
                "StringEquals": {"aws:SourceAccount": context.account}
            }
        }),
    ];
    statements.extend(foreign_statements(context, &id, &statements));
    Some(Desired {
        spec: Spec::Bucket(BucketSpec {
            block_public_access: true,
            encryption: Some(Encryption::S3Managed),
            versioning: Some("Enabled".to_owned()),
            object_ownership: Some("BucketOwnerEnforced".to_owned()),
            expire_after_days: Some(logs.expire_after_days),
            policy: Some(canonical(&json!({
                "Version": "2012-10-17",
                "Statement": statements
            }))),
        }),
        id,
        depends_on: Vec::new(),
    })
}

/// Refuses every request to the bucket of `arn` made without TLS, from `everyone` (the policy
/// grammar writes "every principal" two ways).
fn deny_insecure_transport(arn: &str, everyone: Value) -> Value {
    json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": everyone,
        "Action": "s3:*",
        "Resource": [arn, format!("{arn}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    })
}

/// The live bucket policy's statements watchpost did not write.
fn foreign_statements(context: &Context<'_>, id: &ResourceId, ours: &[Value]) -> Vec<Value> {
    match context.live(id) {
        Some(Spec::Bucket(BucketSpec {
            policy: Some(live), ..
        })) => policy::foreign_statements(live, ours),
        _ => Vec::new(),
    }
}
