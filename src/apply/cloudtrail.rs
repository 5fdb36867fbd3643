use aws_sdk_cloudtrail::types::Tag;

use super::MANAGED_TAG;
use super::propagation::until_propagated;
use super::{Account, Converge};
use crate::aws::{AwsError, Class, Context};
use crate::model::TrailSpec;
use crate::plan::{Action, Change};

/// CreateTrail and UpdateTrail take the same settings through builders of different types.
macro_rules! with_settings {
    ($builder:expr, $spec:expr) => {
        $builder
            .s3_bucket_name(&$spec.s3_bucket_name)
            .set_s3_key_prefix($spec.s3_key_prefix.clone())
            .is_multi_region_trail($spec.multi_region)
            .include_global_service_events($spec.include_global_service_events)
            .enable_log_file_validation($spec.log_file_validation)
            .set_cloud_watch_logs_log_group_arn($spec.cloud_watch_logs_log_group_arn.clone())
            .set_cloud_watch_logs_role_arn($spec.cloud_watch_logs_role_arn.clone())
            .set_kms_key_id($spec.kms_key_id.clone())
    };
}

impl Converge for TrailSpec {
    /// Creates the trail (or converges one of that name that already exists), then starts logging:
    /// a trail that exists but does not log is the half-made state a rerun must finish. CloudTrail
    /// checks the logs role, the bucket policy and the key policy when it is given them: one just
    /// written is waited out.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let wait = at.propagation_timeout;
        // A key the plan names by its alias (watchpost's, made in the same apply) is given by ARN.
        let mut spec = self.clone();
        if let Some(key) = &spec.kms_key_id {
            spec.kms_key_id = Some(super::kms::key_arn(at.session, &change.id, key).await?);
        }
        let spec = &spec;
        let client = at.session.cloudtrail(&change.id.region);
        let name = change.id.name.as_str();
        let mut settings_to_write = change.action == Action::Update
            && change.fields.iter().any(|field| field.field != "logging");
        if change.action == Action::Create {
            let created = until_propagated(wait, || async {
                with_settings!(client.create_trail().name(name), spec)
                    .tags_list(
                        Tag::builder()
                            .key(MANAGED_TAG.0)
                            .value(MANAGED_TAG.1)
                            .build()
                            .expect("key is set"),
                    )
                    .send()
                    .await
                    .call("cloudtrail:CreateTrail", &change.id)
            })
            .await;
            match created {
                Ok(_) => {}
                Err(error) if error.is(Class::AlreadyExists) => settings_to_write = true,
                Err(error) => return Err(error),
            }
        }
        if settings_to_write {
            until_propagated(wait, || async {
                with_settings!(client.update_trail().name(name), spec)
                    .send()
                    .await
                    .call("cloudtrail:UpdateTrail", &change.id)
            })
            .await?;
        }
        if spec.logging && change.changes_field("logging") {
            client
                .start_logging()
                .name(name)
                .send()
                .await
                .call("cloudtrail:StartLogging", &change.id)?;
        }
        Ok(())
    }

    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        at.session
            .cloudtrail(&change.id.region)
            .delete_trail()
            .name(&change.id.name)
            .send()
            .await
            .call("cloudtrail:DeleteTrail", &change.id)
            .map(drop)
    }
}
