use std::time::Duration;

use aws_sdk_kms::Client;
use aws_sdk_kms::types::Tag;
use serde_json::Value;

use super::MANAGED_TAG;
use super::propagation::until_propagated;
use super::{Account, Converge};
use crate::aws::{AwsError, Class, Context, Session};
use crate::model::{KEY_DELETION_WINDOW_DAYS, KeySpec, Kind, ResourceId, Spec, is_alias};
use crate::plan::{Action, Change};

/// Names the alias a key was made for, so that a key whose alias an interrupted run never
/// created is found again rather than made twice (`CreateKey` is not idempotent).
const ALIAS_TAG: &str = "watchpost-alias";

const DESCRIPTION: &str = "watchpost: encrypts the CloudTrail log files and the log bucket";

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder()
        .tag_key(key)
        .tag_value(value)
        .build()
        .expect("key and value are set")
}

impl Converge for KeySpec {
    /// Makes the key (with its policy and tags), names it with the alias and turns rotation on; or
    /// brings an existing one back to the spec: enabled (cancelling a scheduled deletion), rotating,
    /// with its key policy. KMS refuses a policy naming a principal it cannot see yet, and a key it
    /// has not seen yet: both are waited out.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let wait = at.propagation_timeout;
        let client = at.session.kms(&change.id.region);
        let id = &change.id;
        let alias = id.name.as_str();
        if change.action == Action::Create {
            let key_id = match left_behind(&client, id).await? {
                Some(key_id) => {
                    // Made by a run cut off before the alias: everything but its creation again.
                    enable(&client, id, &key_id, None).await?;
                    until_propagated(wait, || put_policy(&client, id, &key_id, self)).await?;
                    key_id
                }
                None => until_propagated(wait, || create_once(&client, id, self)).await?,
            };
            // The alias and the rotation each need the key alone: both at once.
            let named = async {
                let named = until_propagated(wait, || async {
                    client
                        .create_alias()
                        .alias_name(alias)
                        .target_key_id(&key_id)
                        .send()
                        .await
                        .call("kms:CreateAlias", id)
                })
                .await;
                match named {
                    Ok(_) => Ok(()),
                    // A retry after an answer that was lost finds the alias made: done, if on
                    // this key.
                    Err(error)
                        if error.code.as_deref() == Some("AlreadyExistsException")
                            && key_state(&client, id, alias).await?.0 == key_id =>
                    {
                        Ok(())
                    }
                    Err(error) => Err(error),
                }
            };
            let rotating = until_propagated(wait, || enable_rotation(&client, id, &key_id));
            let (named, rotating) = tokio::join!(named, rotating);
            return named.and(rotating);
        }
        let key_id = key_id(change);
        if change.changes_field("key_state") {
            let live_state = match &change.before {
                Some(Spec::Key(live)) => Some(live.key_state.as_str()),
                _ => None,
            };
            enable(&client, id, &key_id, live_state).await?;
        }
        if self.rotation && change.changes_field("rotation") {
            until_propagated(wait, || enable_rotation(&client, id, &key_id)).await?;
        }
        if change.changes_field("policy") {
            until_propagated(wait, || put_policy(&client, id, &key_id, self)).await?;
        }
        Ok(())
    }

    /// Schedules the deletion of a key watchpost made, with the longest wait KMS allows: what it
    /// encrypted cannot be read once it is gone, and until then `kms:CancelKeyDeletion` (or the
    /// next `apply`) brings it back. The alias goes with the key, when KMS deletes it.
    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.kms(&change.id.region);
        let key_id = key_id(change);
        let scheduled = client
            .schedule_key_deletion()
            .key_id(&key_id)
            .pending_window_in_days(KEY_DELETION_WINDOW_DAYS)
            .send()
            .await
            .call("kms:ScheduleKeyDeletion", &change.id);
        match scheduled {
            Ok(_) => Ok(()),
            // Retried after an answer that was lost: the deletion is scheduled already.
            Err(error)
                if invalid_state(&error)
                    && key_state(&client, &change.id, &key_id).await?.1 == "PendingDeletion" =>
            {
                Ok(())
            }
            Err(error) => Err(error),
        }
    }
}

/// `kms:CreateKey` has no idempotency token: were the SDK to send it again after an answer lost
/// on its way back, the key the first request made would be left without its alias, and a second
/// one made. So each attempt is a single request, and before the next one the region is searched
/// for the key the last may have made. Throttling, AWS's own failures and lost connections are
/// tried again, as often as the SDK would and with a growing pause; any other error is returned.
async fn create_once(client: &Client, id: &ResourceId, spec: &KeySpec) -> Result<String, AwsError> {
    let config = client.config();
    let attempts = config
        .retry_config()
        .map_or(3, |retry| retry.max_attempts());
    let once = Client::from_conf(
        config
            .to_builder()
            .retry_config(aws_sdk_kms::config::retry::RetryConfig::disabled())
            .build(),
    );
    let mut pause = Duration::from_millis(200);
    for attempt in 1.. {
        let created = once
            .create_key()
            .description(DESCRIPTION)
            .policy(spec.policy.to_string())
            .tags(tag(MANAGED_TAG.0, MANAGED_TAG.1))
            .tags(tag(ALIAS_TAG, &id.name))
            .send()
            .await
            .call("kms:CreateKey", id);
        match created {
            Ok(created) => {
                return Ok(created
                    .key_metadata()
                    .map(|key| key.key_id().to_owned())
                    .unwrap_or_default());
            }
            Err(error) if attempt < attempts && transient(&error) => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(20));
                if let Some(key_id) = left_behind(client, id).await? {
                    return Ok(key_id);
                }
            }
            Err(error) => return Err(error),
        }
    }
    unreachable!("the attempts end in a return")
}

/// Errors after which the same request may well succeed.
fn transient(error: &AwsError) -> bool {
    const TRANSIENT: &[&str] = &[
        "InternalFailure",
        "InternalError",
        "ServiceUnavailable",
        "KMSInternalException",
        "DependencyTimeoutException",
        "RequestTimeout",
    ];
    error.is(Class::Throttled)
        || (error.is(Class::Fatal)
            && error
                .code
                .as_deref()
                .is_none_or(|code| TRANSIENT.contains(&code)))
}

/// An enabled key watchpost made for this alias that no alias names: what a run
/// killed between `CreateKey` and `CreateAlias` leaves. Looked for only when the plan creates
/// the key, that is when the alias names no key.
async fn left_behind(client: &Client, id: &ResourceId) -> Result<Option<String>, AwsError> {
    let mut pages = client.list_keys().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.call("kms:ListKeys", id)?;
        for key in page.keys() {
            let Some(key_id) = key.key_id() else {
                continue;
            };
            // A key whose policy keeps the caller out, or one deleted meanwhile, is not one
            // watchpost made: its keys let the account's IAM policies in.
            let tags = match client
                .list_resource_tags()
                .key_id(key_id)
                .send()
                .await
                .call("kms:ListResourceTags", id)
            {
                Ok(tags) => tags,
                Err(error) if error.is(Class::Throttled) => return Err(error),
                Err(_) => continue,
            };
            let has = |name: &str, value: &str| {
                tags.tags()
                    .iter()
                    .any(|tag| tag.tag_key() == name && tag.tag_value() == value)
            };
            if !(has(MANAGED_TAG.0, MANAGED_TAG.1) && has(ALIAS_TAG, &id.name)) {
                continue;
            }
            // One that was scheduled for deletion was removed on purpose, and stays removed.
            if key_state(client, id, key_id).await?.1 == "Enabled" {
                return Ok(Some(key_id.to_owned()));
            }
        }
    }
    Ok(None)
}

/// A key waiting for deletion is first given back (it is then disabled), and then enabled.
async fn enable(
    client: &Client,
    id: &ResourceId,
    key_id: &str,
    live_state: Option<&str>,
) -> Result<(), AwsError> {
    if live_state == Some("PendingDeletion") {
        let cancelled = client
            .cancel_key_deletion()
            .key_id(key_id)
            .send()
            .await
            .call("kms:CancelKeyDeletion", id);
        match cancelled {
            Ok(_) => {}
            // Retried after an answer that was lost: the deletion is cancelled already.
            Err(error)
                if invalid_state(&error)
                    && key_state(client, id, key_id).await?.1 != "PendingDeletion" => {}
            Err(error) => return Err(error),
        }
    }
    client
        .enable_key()
        .key_id(key_id)
        .send()
        .await
        .call("kms:EnableKey", id)
        .map(drop)
}

async fn enable_rotation(client: &Client, id: &ResourceId, key_id: &str) -> Result<(), AwsError> {
    client
        .enable_key_rotation()
        .key_id(key_id)
        .send()
        .await
        .call("kms:EnableKeyRotation", id)
        .map(drop)
}

async fn put_policy(
    client: &Client,
    id: &ResourceId,
    key_id: &str,
    spec: &KeySpec,
) -> Result<(), AwsError> {
    client
        .put_key_policy()
        .key_id(key_id)
        .policy_name("default")
        .policy(spec.policy.to_string())
        .send()
        .await
        .call("kms:PutKeyPolicy", id)
        .map(drop)
}

/// The id of the key a change is about, from the ARN it was read with. (KMS takes either; moto
/// takes only the id for some calls.)
fn key_id(change: &Change) -> String {
    let arn = change.live_id.as_deref().unwrap_or_default();
    arn.rsplit_once("key/").map_or(arn, |(_, id)| id).to_owned()
}

/// KMS refuses a call the key's state does not allow (`KMSInvalidStateException`).
fn invalid_state(error: &AwsError) -> bool {
    error.code.as_deref() == Some("KMSInvalidStateException")
}

/// The id and state of the key `key` (an id, an ARN or an alias) names.
async fn key_state(
    client: &Client,
    id: &ResourceId,
    key: &str,
) -> Result<(String, String), AwsError> {
    let described = client
        .describe_key()
        .key_id(key)
        .send()
        .await
        .call("kms:DescribeKey", id)?;
    let metadata = described.key_metadata();
    Ok((
        metadata
            .map(|key| key.key_id().to_owned())
            .unwrap_or_default(),
        metadata
            .and_then(|key| key.key_state())
            .map(|state| state.as_str().to_owned())
            .unwrap_or_default(),
    ))
}

/// The key ARN to give S3 or CloudTrail for `key`: as it is, or for an alias (watchpost's key,
/// which the plan names by its alias before the key exists), the ARN of the key it names.
pub async fn key_arn(session: &Session, id: &ResourceId, key: &str) -> Result<String, AwsError> {
    if !is_alias(key) {
        return Ok(key.to_owned());
    }
    let described = session
        .kms(&id.region)
        .describe_key()
        .key_id(key)
        .send()
        .await
        .call("kms:DescribeKey", id)?;
    Ok(described
        .key_metadata()
        .and_then(|key| key.arn())
        .unwrap_or(key)
        .to_owned())
}

/// A policy the plan wrote before watchpost's key existed names the key by its alias ARN,
/// which IAM never matches against the key a request uses: each such resource is given as the
/// ARN of the key the alias names, looked up in the alias's region.
pub async fn with_key_arns(
    session: &Session,
    id: &ResourceId,
    document: &Value,
) -> Result<Value, AwsError> {
    let mut document = document.clone();
    let Some(statements) = document["Statement"].as_array_mut() else {
        return Ok(document);
    };
    for statement in statements {
        let resources = match &mut statement["Resource"] {
            Value::Array(all) => all.iter_mut().collect(),
            one => vec![one],
        };
        for resource in resources {
            let Some(alias) = resource
                .as_str()
                .filter(|arn| arn.starts_with("arn:") && is_alias(arn))
            else {
                continue;
            };
            let region = alias.split(':').nth(3).unwrap_or(&id.region).to_owned();
            let in_region = ResourceId::new(Kind::KmsKey, &region, alias);
            *resource = Value::String(key_arn(session, &in_region, alias).await?);
        }
    }
    Ok(document)
}
