use serde_json::{Value, json};

use super::{Context, Desired, kms};
use crate::model::policy::{self, canonical};
use crate::model::{BucketSpec, Encryption, Spec};

pub fn log_bucket(context: &Context<'_>) -> Desired {
    let settings = &context.baseline.log_bucket;
    let arn = context.bucket_arn();
    let account = context.account;
    let service_condition = json!({"StringEquals": {"aws:SourceAccount": account}});
    let mut statements = vec![json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn.clone(), format!("{arn}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    })];
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
    statements.extend(foreign_statements(context, &statements));
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

/// The live bucket policy's statements watchpost did not write.
fn foreign_statements(context: &Context<'_>, ours: &[Value]) -> Vec<Value> {
    match context.live(&context.bucket_id()) {
        Some(Spec::Bucket(BucketSpec {
            policy: Some(live), ..
        })) => policy::foreign_statements(live, ours),
        _ => Vec::new(),
    }
}
