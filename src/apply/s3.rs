use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, BucketLocationConstraint, BucketLoggingStatus,
    BucketVersioningStatus, CreateBucketConfiguration, Delete, ExpirationStatus,
    LifecycleExpiration, LifecycleRule, LifecycleRuleFilter, LoggingEnabled,
    NoncurrentVersionExpiration, ObjectIdentifier, ObjectOwnership, OwnershipControls,
    OwnershipControlsRule, PublicAccessBlockConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    Tag, Tagging, VersioningConfiguration,
};

use super::MANAGED_TAG;
use super::{Account, Converge};
use crate::aws::{AbsentIfNotFound, AwsError, Class, Context};
use crate::model::{AccessLogging, BucketSpec, EXPIRY_RULE_ID, Encryption, ResourceId};
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

/// `PutBucketLogging` replaces the bucket's logging whole, so a put is safe to repeat; the
/// target bucket, made by the change this one depends on, admits S3's logging service already.
impl Converge for AccessLogging {
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let enabled = LoggingEnabled::builder()
            .target_bucket(&self.target_bucket)
            .target_prefix(&self.target_prefix)
            .build()
            .expect("the target is set");
        put_logging(at, change, Some(enabled)).await
    }

    /// Turns the logging off; the bucket and the logs stay.
    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        put_logging(at, change, None).await
    }
}

async fn put_logging(
    at: &Account<'_>,
    change: &Change,
    enabled: Option<LoggingEnabled>,
) -> Result<(), AwsError> {
    at.session
        .s3(&change.id.region)
        .put_bucket_logging()
        .bucket(&change.id.name)
        .bucket_logging_status(
            BucketLoggingStatus::builder()
                .set_logging_enabled(enabled)
                .build(),
        )
        .send()
        .await
        .call("s3:PutBucketLogging", &change.id)
        .map(drop)
}

impl Converge for BucketSpec {
    /// Creates the bucket if missing, then sets each setting that differs, all at once: each is
    /// a call of its own on the bucket, and S3's refusal of two at the same moment
    /// (`OperationAborted`) is retried by the SDK (docs/aws-behaviour.md). A new bucket blocks
    /// public access from its creation, so its policy goes beside the rest; a bucket that
    /// exists has its public access block set before its policy, so that it is never open while
    /// the rest is being set. Every step is a put, so a run cut short is finished by the next.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let bucket = Bucket {
            client: at.session.s3(&change.id.region),
            name: change.id.name.as_str(),
            id: &change.id,
            spec: self,
            change,
        };
        // The key's ARN is looked up beside the bucket's creation: the key is made already,
        // by the change this one depends on.
        let key_arn = async {
            match (&self.encryption, change.changes_field("encryption")) {
                (Some(Encryption::Kms { kms_key_id }), true) => {
                    super::kms::key_arn(at.session, &change.id, kms_key_id)
                        .await
                        .map(Some)
                }
                _ => Ok(None),
            }
        };
        let (created, key_arn) = tokio::join!(bucket.create(), key_arn);
        let created = created?;
        let key_arn = key_arn?;
        let access_and_policy = async {
            if created {
                let (access, policy) = tokio::join!(bucket.public_access_block(), bucket.policy());
                access.and(policy)
            } else {
                bucket.public_access_block().await?;
                bucket.policy().await
            }
        };
        let (tagging, access_and_policy, ownership, encryption, versioning, lifecycle) = tokio::join!(
            bucket.tagging(),
            access_and_policy,
            bucket.ownership_controls(),
            bucket.encryption(key_arn.as_deref()),
            bucket.versioning(),
            bucket.lifecycle(created),
        );
        tagging
            .and(access_and_policy)
            .and(ownership)
            .and(encryption)
            .and(versioning)
            .and(lifecycle)
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

/// One bucket's change, with a call per setting; each call is made only if the change sets it.
struct Bucket<'a> {
    client: aws_sdk_s3::Client,
    name: &'a str,
    id: &'a ResourceId,
    spec: &'a BucketSpec,
    change: &'a Change,
}

impl Bucket<'_> {
    /// Makes the bucket, for a change that creates it: true if this call made it, false if it
    /// was there already (ours, made by a run cut short).
    async fn create(&self) -> Result<bool, AwsError> {
        if self.change.action != Action::Create {
            return Ok(false);
        }
        let region = self.id.region.as_str();
        // The bucket is born marked as watchpost's: were the mark a second call only, a run
        // killed between the two would leave a bucket that every later run takes for one it
        // adopted, and never removes.
        let mut configuration = CreateBucketConfiguration::builder().tags(managed_tag());
        // us-east-1 is the one region S3 refuses to be told about.
        if region != "us-east-1" {
            configuration =
                configuration.location_constraint(BucketLocationConstraint::from(region));
        }
        let create = self
            .client
            .create_bucket()
            .bucket(self.name)
            .create_bucket_configuration(configuration.build());
        match create.send().await.call("s3:CreateBucket", self.id) {
            Ok(_) => Ok(true),
            Err(error) if error.is(Class::AlreadyExists) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Marked again for S3-compatible services that ignore tags on CreateBucket (moto among
    /// them), and for a bucket this change found already made: a put, so harmless on AWS.
    async fn tagging(&self) -> Result<(), AwsError> {
        if self.change.action != Action::Create {
            return Ok(());
        }
        self.client
            .put_bucket_tagging()
            .bucket(self.name)
            .tagging(built(Tagging::builder().tag_set(managed_tag()).build()))
            .send()
            .await
            .call("s3:PutBucketTagging", self.id)
            .map(drop)
    }

    async fn public_access_block(&self) -> Result<(), AwsError> {
        if !self.change.changes_field("block_public_access") {
            return Ok(());
        }
        let block = self.spec.block_public_access;
        self.client
            .put_public_access_block()
            .bucket(self.name)
            .public_access_block_configuration(
                PublicAccessBlockConfiguration::builder()
                    .block_public_acls(block)
                    .ignore_public_acls(block)
                    .block_public_policy(block)
                    .restrict_public_buckets(block)
                    .build(),
            )
            .send()
            .await
            .call("s3:PutBucketPublicAccessBlock", self.id)
            .map(drop)
    }

    async fn ownership_controls(&self) -> Result<(), AwsError> {
        let (true, Some(ownership)) = (
            self.change.changes_field("object_ownership"),
            &self.spec.object_ownership,
        ) else {
            return Ok(());
        };
        self.client
            .put_bucket_ownership_controls()
            .bucket(self.name)
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
            .call("s3:PutBucketOwnershipControls", self.id)
            .map(drop)
    }

    /// `key_arn`: the ARN of the key of SSE-KMS, looked up already.
    async fn encryption(&self, key_arn: Option<&str>) -> Result<(), AwsError> {
        let (true, Some(encryption)) = (
            self.change.changes_field("encryption"),
            &self.spec.encryption,
        ) else {
            return Ok(());
        };
        let default = match encryption {
            Encryption::S3Managed => {
                ServerSideEncryptionByDefault::builder().sse_algorithm(ServerSideEncryption::Aes256)
            }
            Encryption::Kms { .. } => ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::AwsKms)
                .set_kms_master_key_id(key_arn.map(str::to_owned)),
        };
        self.client
            .put_bucket_encryption()
            .bucket(self.name)
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
            .call("s3:PutEncryptionConfiguration", self.id)
            .map(drop)
    }

    async fn versioning(&self) -> Result<(), AwsError> {
        let (true, Some(status)) = (
            self.change.changes_field("versioning"),
            &self.spec.versioning,
        ) else {
            return Ok(());
        };
        self.client
            .put_bucket_versioning()
            .bucket(self.name)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::from(status.as_str()))
                    .build(),
            )
            .send()
            .await
            .call("s3:PutBucketVersioning", self.id)
            .map(drop)
    }

    /// `created`: this change made the bucket, so it has no rules of anyone's to keep.
    async fn lifecycle(&self, created: bool) -> Result<(), AwsError> {
        let (true, Some(days)) = (
            self.change.changes_field("expire_after_days"),
            self.spec.expire_after_days,
        ) else {
            return Ok(());
        };
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
        let rules = if created {
            Vec::new()
        } else {
            self.client
                .get_bucket_lifecycle_configuration()
                .bucket(self.name)
                .send()
                .await
                .call("s3:GetLifecycleConfiguration", self.id)
                .absent_if_not_found()?
                .map(|live| live.rules().to_vec())
                .unwrap_or_default()
        };
        let rules = rules
            .into_iter()
            .filter(|rule| rule.id() != Some(EXPIRY_RULE_ID))
            .chain([built(rule.build())])
            .collect();
        self.client
            .put_bucket_lifecycle_configuration()
            .bucket(self.name)
            .lifecycle_configuration(built(
                BucketLifecycleConfiguration::builder()
                    .set_rules(Some(rules))
                    .build(),
            ))
            .send()
            .await
            .call("s3:PutLifecycleConfiguration", self.id)
            .map(drop)
    }

    async fn policy(&self) -> Result<(), AwsError> {
        let (true, Some(policy)) = (self.change.changes_field("policy"), &self.spec.policy) else {
            return Ok(());
        };
        self.client
            .put_bucket_policy()
            .bucket(self.name)
            .policy(policy.to_string())
            .send()
            .await
            .call("s3:PutBucketPolicy", self.id)
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
