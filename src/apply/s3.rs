use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, BucketLocationConstraint, BucketVersioningStatus,
    CreateBucketConfiguration, Delete, ExpirationStatus, LifecycleExpiration, LifecycleRule,
    LifecycleRuleFilter, NoncurrentVersionExpiration, ObjectIdentifier, ObjectOwnership,
    OwnershipControls, OwnershipControlsRule, PublicAccessBlockConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    Tag, Tagging, VersioningConfiguration,
};

use super::MANAGED_TAG;
use super::{Account, Converge};
use crate::aws::{AbsentIfNotFound, AwsError, Class, Context};
use crate::model::{BucketSpec, EXPIRY_RULE_ID, Encryption, ResourceId};
use crate::plan::{Action, Change};

fn managed_tag() -> Tag {
    built(
        Tag::builder()
            .key(MANAGED_TAG.0)
            .value(MANAGED_TAG.1)
            .build(),
    )
}

fn built<T>(result: Result<T, aws_sdk_s3::error::BuildError>) -> T {
    result.expect("required fields are set")
}

impl Converge for BucketSpec {
    /// Creates the bucket if missing, then sets each setting that differs. The public access
    /// block goes first, so the bucket is never open while the rest is being set; every step is
    /// a put, so a run cut short is finished by the next.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let region = change.id.region.as_str();
        let bucket = change.id.name.as_str();
        let client = at.session.s3(region);
        let id = &change.id;
        if change.action == Action::Create {
            // The bucket is born marked as watchpost's: were the mark a second call only, a run
            // killed between the two would leave a bucket that every later run takes for one it
            // adopted, and never removes.
            let mut configuration = CreateBucketConfiguration::builder().tags(managed_tag());
            // us-east-1 is the one region S3 refuses to be told about.
            if region != "us-east-1" {
                configuration =
                    configuration.location_constraint(BucketLocationConstraint::from(region));
            }
            let create = client
                .create_bucket()
                .bucket(bucket)
                .create_bucket_configuration(configuration.build());
            match create.send().await.call("s3:CreateBucket", id) {
                Ok(_) => {}
                Err(error) if error.is(Class::AlreadyExists) => {}
                Err(error) => return Err(error),
            }
            // Marked again for S3-compatible services that ignore tags on CreateBucket (moto among
            // them), and for a bucket this change found already made: a put, so harmless on AWS.
            client
                .put_bucket_tagging()
                .bucket(bucket)
                .tagging(built(Tagging::builder().tag_set(managed_tag()).build()))
                .send()
                .await
                .call("s3:PutBucketTagging", id)?;
        }
        if change.changes_field("block_public_access") {
            client
                .put_public_access_block()
                .bucket(bucket)
                .public_access_block_configuration(
                    PublicAccessBlockConfiguration::builder()
                        .block_public_acls(self.block_public_access)
                        .ignore_public_acls(self.block_public_access)
                        .block_public_policy(self.block_public_access)
                        .restrict_public_buckets(self.block_public_access)
                        .build(),
                )
                .send()
                .await
                .call("s3:PutBucketPublicAccessBlock", id)?;
        }
        if let (true, Some(ownership)) = (
            change.changes_field("object_ownership"),
            &self.object_ownership,
        ) {
            client
                .put_bucket_ownership_controls()
                .bucket(bucket)
                .ownership_controls(built(
                    OwnershipControls::builder()
                        .rules(built(
                            OwnershipControlsRule::builder()
                                .object_ownership(ObjectOwnership::from(ownership.as_str()))
                                .build(),
                        ))
                        .build(),
                ))
                .send()
                .await
                .call("s3:PutBucketOwnershipControls", id)?;
        }
        if let (true, Some(encryption)) = (change.changes_field("encryption"), &self.encryption) {
            let default = match encryption {
                Encryption::S3Managed => ServerSideEncryptionByDefault::builder()
                    .sse_algorithm(ServerSideEncryption::Aes256),
                Encryption::Kms { kms_key_id } => ServerSideEncryptionByDefault::builder()
                    .sse_algorithm(ServerSideEncryption::AwsKms)
                    .kms_master_key_id(super::kms::key_arn(at.session, id, kms_key_id).await?),
            };
            client
                .put_bucket_encryption()
                .bucket(bucket)
                .server_side_encryption_configuration(built(
                    ServerSideEncryptionConfiguration::builder()
                        .rules(
                            ServerSideEncryptionRule::builder()
                                .apply_server_side_encryption_by_default(built(default.build()))
                                .bucket_key_enabled(matches!(encryption, Encryption::Kms { .. }))
                                .build(),
                        )
                        .build(),
                ))
                .send()
                .await
                .call("s3:PutEncryptionConfiguration", id)?;
        }
        if let (true, Some(status)) = (change.changes_field("versioning"), &self.versioning) {
            client
                .put_bucket_versioning()
                .bucket(bucket)
                .versioning_configuration(
                    VersioningConfiguration::builder()
                        .status(BucketVersioningStatus::from(status.as_str()))
                        .build(),
                )
                .send()
                .await
                .call("s3:PutBucketVersioning", id)?;
        }
        if let (true, Some(days)) = (
            change.changes_field("expire_after_days"),
            self.expire_after_days,
        ) {
            // Versioning keeps overwritten objects; they expire on the same clock.
            let rule = LifecycleRule::builder()
                .id(EXPIRY_RULE_ID)
                .status(ExpirationStatus::Enabled)
                .filter(LifecycleRuleFilter::builder().prefix("").build())
                .expiration(LifecycleExpiration::builder().days(days).build())
                .noncurrent_version_expiration(
                    NoncurrentVersionExpiration::builder()
                        .noncurrent_days(days)
                        .build(),
                );
            // PutBucketLifecycleConfiguration replaces every rule: those watchpost did not write
            // (someone's transition to Glacier, say) are read and sent back with its own.
            let rules = client
                .get_bucket_lifecycle_configuration()
                .bucket(bucket)
                .send()
                .await
                .call("s3:GetLifecycleConfiguration", id)
                .absent_if_not_found()?
                .map(|live| live.rules().to_vec())
                .unwrap_or_default();
            let rules = rules
                .into_iter()
                .filter(|rule| rule.id() != Some(EXPIRY_RULE_ID))
                .chain([built(rule.build())])
                .collect();
            client
                .put_bucket_lifecycle_configuration()
                .bucket(bucket)
                .lifecycle_configuration(built(
                    BucketLifecycleConfiguration::builder()
                        .set_rules(Some(rules))
                        .build(),
                ))
                .send()
                .await
                .call("s3:PutLifecycleConfiguration", id)?;
        }
        if let (true, Some(policy)) = (change.changes_field("policy"), &self.policy) {
            client
                .put_bucket_policy()
                .bucket(bucket)
                .policy(policy.to_string())
                .send()
                .await
                .call("s3:PutBucketPolicy", id)?;
        }
        Ok(())
    }

    /// Empties the bucket of every object version and delete marker, then deletes it. Only
    /// `destroy --delete-logs` plans this: the logs are evidence.
    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.s3(&change.id.region);
        let bucket = change.id.name.as_str();
        loop {
            let listing = client
                .list_object_versions()
                .bucket(bucket)
                .send()
                .await
                .call("s3:ListBucketVersions", &change.id)?;
            let doomed: Vec<ObjectIdentifier> = listing
                .versions()
                .iter()
                .map(|v| (v.key(), v.version_id()))
                .chain(
                    listing
                        .delete_markers()
                        .iter()
                        .map(|m| (m.key(), m.version_id())),
                )
                .filter_map(|(key, version)| {
                    ObjectIdentifier::builder()
                        .key(key?)
                        .set_version_id(version.map(str::to_owned))
                        .build()
                        .ok()
                })
                .collect();
            if doomed.is_empty() {
                break;
            }
            let deleted = client
                .delete_objects()
                .bucket(bucket)
                .delete(built(Delete::builder().set_objects(Some(doomed)).build()))
                .send()
                .await
                .call("s3:DeleteObjectVersion", &change.id)?;
            // DeleteObjects answers 200 and lists each object it could not delete (held by Object
            // Lock, say): those would be listed again forever, so they end the destroy.
            if !deleted.errors().is_empty() {
                return Err(undeleted(bucket, &change.id, deleted.errors()));
            }
        }
        client
            .delete_bucket()
            .bucket(bucket)
            .send()
            .await
            .call("s3:DeleteBucket", &change.id)
            .map(drop)
    }
}

/// The objects DeleteObjects left, by key, version and S3's code, as the error of the destroy.
fn undeleted(bucket: &str, id: &ResourceId, errors: &[aws_sdk_s3::types::Error]) -> AwsError {
    const SHOWN: usize = 5;
    let mut left: Vec<String> = errors
        .iter()
        .take(SHOWN)
        .map(|error| {
            format!(
                "{} (version {}): {} {}",
                error.key().unwrap_or("?"),
                error.version_id().unwrap_or("null"),
                error.code().unwrap_or("no code"),
                error.message().unwrap_or_default()
            )
        })
        .collect();
    if errors.len() > SHOWN {
        left.push(format!("and {} more", errors.len() - SHOWN));
    }
    let code = errors
        .iter()
        .find_map(|error| error.code())
        .map(str::to_owned);
    AwsError {
        call: "s3:DeleteObjectVersion".to_owned(),
        resource: id.to_string(),
        // Not Denied: S3 says AccessDenied for an object under Object Lock too, and the detail
        // names the way out.
        class: Class::Fatal,
        code,
        detail: format!(
            "{} object version(s) in bucket {bucket} were not deleted, so the bucket cannot be: {}; remove them (an Object Lock retention or legal hold must end first) and run destroy --delete-logs again",
            errors.len(),
            left.join("; ")
        ),
        setup_hint: None,
    }
}
