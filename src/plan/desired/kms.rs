//! The KMS key of `[kms]`: made by watchpost in the home region, found by its alias, rotated
//! yearly, with a key policy that lets the account administer it through IAM and lets
//! CloudTrail (for the one trail) and AWS Config (for this account) use it.

use serde_json::{Value, json};

use super::{Context, Desired};
use crate::baseline::Kms;
use crate::model::policy::{self, canonical};
use crate::model::{Encryption, KeySpec, Kind, Live, ResourceId, Spec, alias_arn, is_alias};

pub fn key_id(context: &Context<'_>, alias: &str) -> ResourceId {
    ResourceId::new(Kind::KmsKey, context.home, alias)
}

/// The key the log bucket or the trail is given. The baseline names watchpost's key by its
/// alias (a key of the user's own by its ARN, as written): once the key exists, its ARN, which
/// is what S3 and CloudTrail report back; until then the alias's ARN, which `apply` resolves to
/// the key it names just made. Either way the plan says which key, and `apply` chooses nothing.
pub fn key_arn(context: &Context<'_>, key: &str) -> String {
    if !is_alias(key) {
        return key.to_owned();
    }
    match context.observed.resources.get(&key_id(context, key)) {
        Some(Live {
            live_id: Some(arn), ..
        }) => arn.clone(),
        _ => alias_arn(context.home, context.account, key),
    }
}

/// What must exist before a resource encrypted with `key` is set up: watchpost's key.
pub fn needs(context: &Context<'_>, key: Option<&str>) -> Option<ResourceId> {
    key.filter(|key| is_alias(key))
        .map(|alias| key_id(context, alias))
}

/// Whether the log bucket is encrypted with watchpost's key of `alias` (always with an S3
/// Bucket Key: see apply::s3).
fn bucket_uses_key(context: &Context<'_>, alias: &str) -> bool {
    matches!(
        &context.baseline.log_bucket.encryption,
        Encryption::Kms { kms_key_id } if kms_key_id == alias
    )
}

fn key_policy(context: &Context<'_>, id: &ResourceId) -> Value {
    let account = context.account;
    let mut statements = vec![json!({
        // Without it no one could manage the key: KMS reads only the key policy, and this
        // statement hands the decision to the account's IAM policies.
        "Sid": "AccountAdministersKey",
        "Effect": "Allow",
        "Principal": {"AWS": format!("arn:{}:iam::{account}:root", context.partition)},
        "Action": "kms:*",
        "Resource": "*"
    })];
    if let Some(cloudtrail) = &context.baseline.cloudtrail {
        let trail = context.trail_arn(&cloudtrail.name);
        statements.extend([
            json!({
                "Sid": "CloudTrailEncryptsLogs",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceArn": trail},
                    "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": format!(
                        "arn:{}:cloudtrail:*:{account}:trail/*", context.partition
                    )}
                }
            }),
            json!({
                "Sid": "CloudTrailDescribesKey",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:DescribeKey",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceArn": trail}}
            }),
        ]);
        if bucket_uses_key(context, &id.name) {
            // The bucket's S3 Bucket Key is derived with this key, and S3 decrypts it for the
            // writer: CloudTrail needs kms:Decrypt to create or update a trail that writes to
            // it (CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail").
            statements.push(json!({
                "Sid": "CloudTrailUsesBucketKey",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceArn": trail}}
            }));
        }
    }
    if context.baseline.config.is_some() {
        statements.push(json!({
            "Sid": "ConfigUsesKey",
            "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}}
        }));
    }
    if context.baseline.vpc_flow_logs.is_some() && bucket_uses_key(context, &id.name) {
        statements.push(super::flow_logs::key_statement(context));
    }
    // Statements someone added (a reader's kms:Decrypt, say) are theirs, and kept.
    if let Some(Spec::Key(live)) = context.live(id) {
        statements.extend(policy::foreign_statements(&live.policy, &statements));
    }
    canonical(&json!({"Version": "2012-10-17", "Statement": statements}))
}

pub fn resources(context: &Context<'_>, kms: &Kms, desired: &mut Vec<Desired>) {
    let id = key_id(context, &kms.alias);
    desired.push(Desired {
        spec: Spec::Key(KeySpec {
            key_state: "Enabled".to_owned(),
            rotation: true,
            policy: key_policy(context, &id),
        }),
        id,
        depends_on: Vec::new(),
    });
}
