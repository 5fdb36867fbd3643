use super::Read;
use crate::aws::AwsError;
use crate::aws::{AbsentIfNotFound, Class, Context, Session};
use crate::model::{
    AccessLogging, BucketSpec, EXPIRY_RULE_ID, Encryption, Kind, Live, ResourceId, Spec,
    is_managed_tag, policy,
};

/// A bucket of watchpost's logs (`kind`: the log bucket, or the bucket of its access logs).
/// `ownership`: also read its tags, which only `destroy` needs; `logging`: also read where its
/// server access logs go (a `bucket_logging` of the bucket's name, absent when logging is off),
/// which only a baseline that asks for them needs.
pub async fn log_bucket(
    session: &Session,
    home: &str,
    kind: Kind,
    bucket: String,
    ownership: bool,
    logging: bool,
) -> Read {
    let id = ResourceId::new(kind, home, &bucket);
    let logging_id = ResourceId::new(Kind::BucketLogging, home, &bucket);
    let failed = |error| (vec![id.clone()], error);
    let client = session.s3(home);
    // HeadBucket is authorised by the s3:ListBucket permission, which is what a user must grant.
    match client
        .head_bucket()
        .bucket(&bucket)
        .send()
        .await
        .call("s3:ListBucket", &id)
    {
        Ok(_) => {}
        Err(error) if error.is(Class::NotFound) => return Ok(Vec::new()),
        Err(mut error) => {
            if error.is(Class::Denied) {
                error.detail = format!(
                    "S3 refused to say whether the bucket exists: the caller lacks s3:ListBucket on it, or another account owns the name (then set log_bucket.name in the baseline) ({})",
                    error.detail
                );
            }
            return Err(failed(error));
        }
    }
    let access_logging = async {
        if !logging {
            return Ok::<_, AwsError>(None);
        }
        let answer = client
            .get_bucket_logging()
            .bucket(&bucket)
            .send()
            .await
            .call("s3:GetBucketLogging", &id)?;
        Ok(answer.logging_enabled().map(|enabled| AccessLogging {
            target_bucket: enabled.target_bucket().to_owned(),
            target_prefix: enabled.target_prefix().to_owned(),
        }))
    };
    let (
        public_access,
        encryption,
        versioning,
        ownership_controls,
        lifecycle,
        bucket_policy,
        access_logging,
    ) = tokio::join!(
        async {
            client
                .get_public_access_block()
                .bucket(&bucket)
                .send()
                .await
                .call("s3:GetBucketPublicAccessBlock", &id)
                .absent_if_not_found()
        },
        async {
            client
                .get_bucket_encryption()
                .bucket(&bucket)
                .send()
                .await
                .call("s3:GetEncryptionConfiguration", &id)
                .absent_if_not_found()
        },
        async {
            client
                .get_bucket_versioning()
                .bucket(&bucket)
                .send()
                .await
                .call("s3:GetBucketVersioning", &id)
        },
        async {
            client
                .get_bucket_ownership_controls()
                .bucket(&bucket)
                .send()
                .await
                .call("s3:GetBucketOwnershipControls", &id)
                .absent_if_not_found()
        },
        async {
            client
                .get_bucket_lifecycle_configuration()
                .bucket(&bucket)
                .send()
                .await
                .call("s3:GetLifecycleConfiguration", &id)
                .absent_if_not_found()
        },
        async {
            client
                .get_bucket_policy()
                .bucket(&bucket)
                .send()
                .await
                .call("s3:GetBucketPolicy", &id)
                .absent_if_not_found()
        },
        access_logging,
    );
    let block_public_access = public_access
        .map_err(failed)?
        .and_then(|answer| answer.public_access_block_configuration().cloned())
        .is_some_and(|block| {
            block.block_public_acls() == Some(true)
                && block.ignore_public_acls() == Some(true)
                && block.block_public_policy() == Some(true)
                && block.restrict_public_buckets() == Some(true)
        });
    let encryption = encryption.map_err(failed)?.and_then(|answer| {
        let rule = answer
            .server_side_encryption_configuration()?
            .rules()
            .first()?;
        let default = rule.apply_server_side_encryption_by_default()?;
        Some(match default.sse_algorithm().as_str() {
            "AES256" => Encryption::S3Managed,
            _ => Encryption::Kms {
                kms_key_id: default.kms_master_key_id().unwrap_or_default().to_owned(),
            },
        })
    });
    let versioning = versioning
        .map_err(failed)?
        .status()
        .map(|status| status.as_str().to_owned());
    let object_ownership = ownership_controls.map_err(failed)?.and_then(|answer| {
        let rule = answer.ownership_controls()?.rules().first()?;
        Some(rule.object_ownership().as_str().to_owned())
    });
    let expire_after_days = lifecycle.map_err(failed)?.and_then(|answer| {
        answer
            .rules()
            .iter()
            .find(|rule| rule.id() == Some(EXPIRY_RULE_ID))
            .filter(|rule| rule.status().as_str() == "Enabled")
            .and_then(|rule| rule.expiration()?.days())
    });
    // A policy that does not parse as JSON reads as none, and is planned for replacement.
    let policy = bucket_policy
        .map_err(failed)?
        .and_then(|answer| answer.policy().and_then(|text| policy::parse(text).ok()));
    // Unread, the logging leaves the bucket unknown too: the two are one read.
    let access_logging =
        access_logging.map_err(|error| (vec![id.clone(), logging_id.clone()], error))?;
    let owned = if ownership {
        let tags = client
            .get_bucket_tagging()
            .bucket(&bucket)
            .send()
            .await
            .call("s3:GetBucketTagging", &id)
            .absent_if_not_found()
            .map_err(failed)?;
        tags.is_some_and(|tags| {
            tags.tag_set()
                .iter()
                .any(|tag| is_managed_tag(tag.key(), tag.value()))
        })
    } else {
        false
    };
    let mut found = vec![(
        id,
        Live {
            spec: Spec::Bucket(BucketSpec {
                block_public_access,
                encryption,
                versioning,
                object_ownership,
                expire_after_days,
                policy,
            }),
            live_id: None,
            owned,
        },
    )];
    found.extend(access_logging.map(|logging| {
        (
            logging_id,
            Live {
                spec: Spec::BucketLogging(logging),
                live_id: None,
                owned: true,
            },
        )
    }));
    Ok(found)
}
