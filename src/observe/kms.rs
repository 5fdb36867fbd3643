use super::Read;
use crate::aws::{AbsentIfNotFound, Context, Session};
use crate::model::{KeySpec, Kind, Live, ResourceId, Spec, is_managed_tag, policy};

/// The key an alias names in the home region: its state, rotation and key policy. The alias is
/// how the key is found, since AWS chooses a key's id; `live_id` is the key's ARN.
/// `ownership`: also read the key's tags, which only `destroy` needs.
pub async fn key(session: &Session, home: &str, alias: &str, ownership: bool) -> Read {
    let id = ResourceId::new(Kind::KmsKey, home, alias);
    let failed = |error| (vec![id.clone()], error);
    let client = session.kms(home);
    let Some(answer) = client
        .describe_key()
        .key_id(alias)
        .send()
        .await
        .call("kms:DescribeKey", &id)
        .absent_if_not_found()
        .map_err(failed)?
    else {
        return Ok(Vec::new());
    };
    let described = answer;
    let Some(metadata) = described.key_metadata() else {
        return Ok(Vec::new());
    };
    let key_id = metadata.key_id();
    let key_state = metadata
        .key_state()
        .map(|state| state.as_str().to_owned())
        .unwrap_or_default();
    // The key's settings are read by its id (they do not take an alias), all at once.
    let rotation = async {
        // AWS does not rotate a key that waits for deletion, and reports its rotation as off.
        if key_state == "PendingDeletion" {
            return Ok(false);
        }
        client
            .get_key_rotation_status()
            .key_id(key_id)
            .send()
            .await
            .call("kms:GetKeyRotationStatus", &id)
            .map(|answer| answer.key_rotation_enabled())
    };
    let policy = async {
        client
            .get_key_policy()
            .key_id(key_id)
            .policy_name("default")
            .send()
            .await
            .call("kms:GetKeyPolicy", &id)
            .map(|answer| {
                answer
                    .policy()
                    .and_then(|text| policy::parse(text).ok())
                    .unwrap_or_default()
            })
    };
    let owned = async {
        if !ownership {
            return Ok(false);
        }
        client
            .list_resource_tags()
            .key_id(key_id)
            .send()
            .await
            .call("kms:ListResourceTags", &id)
            .map(|tags| {
                tags.tags()
                    .iter()
                    .any(|tag| is_managed_tag(tag.tag_key(), tag.tag_value()))
            })
    };
    let (rotation, policy, owned) = tokio::join!(rotation, policy, owned);
    let (rotation, policy, owned) = (
        rotation.map_err(failed)?,
        policy.map_err(failed)?,
        owned.map_err(failed)?,
    );
    Ok(vec![(
        id,
        Live {
            spec: Spec::Key(KeySpec {
                key_state,
                rotation,
                policy,
            }),
            live_id: metadata.arn().map(str::to_owned),
            owned,
        },
    )])
}
