use aws_sdk_cloudtrail::types::Tag;

use super::MANAGED_TAG;
use super::propagation::until_propagated;
use super::{Account, Converge};
use crate::aws::{AwsError, Class, Context};
use crate::event_selectors::to_put;
use crate::model::{TrailSpec, partition};
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

/// Whether the trail's selectors are known without asking: a trail just made has AWS's default.
#[derive(Clone, Copy)]
enum Fresh {
    Made,
    Existing,
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
        let selector_fields = ["management_events", "s3_data_events"];
        let mut settings_to_write = change.action == Action::Update
            && change.fields.iter().any(|field| {
                field.field != "logging" && !selector_fields.contains(&field.field.as_str())
            });
        // A trail made here has AWS's default selectors, every management event: they are
        // written only to add the data events. One that was there already is read first.
        let mut selectors_to_write = match change.action {
            Action::Create => spec.s3_data_events.is_some().then_some(Fresh::Made),
            _ => selector_fields
                .iter()
                .any(|field| change.changes_field(field))
                .then_some(Fresh::Existing),
        };
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
                Err(error) if error.is(Class::AlreadyExists) => {
                    settings_to_write = true;
                    selectors_to_write = Some(Fresh::Existing);
                }
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
        // Independent of each other once the trail is there.
        let logging = async {
            if spec.logging && change.changes_field("logging") {
                client
                    .start_logging()
                    .name(name)
                    .send()
                    .await
                    .call("cloudtrail:StartLogging", &change.id)?;
            }
            Ok(())
        };
        let selectors = async {
            let Some(fresh) = selectors_to_write else {
                return Ok(());
            };
            let live = match fresh {
                Fresh::Made => None,
                Fresh::Existing => Some(
                    client
                        .get_event_selectors()
                        .trail_name(name)
                        .send()
                        .await
                        .call("cloudtrail:GetEventSelectors", &change.id)?,
                ),
            };
            let selectors = to_put(live.as_ref(), spec, partition(&change.id.region));
            client
                .put_event_selectors()
                .trail_name(name)
                .set_advanced_event_selectors(Some(selectors))
                .send()
                .await
                .call("cloudtrail:PutEventSelectors", &change.id)
                .map(drop)
        };
        let (logging, selectors) = tokio::join!(logging, selectors);
        logging.and(selectors)
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
