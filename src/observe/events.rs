use std::collections::BTreeMap;

use super::Read;
use crate::aws::{AbsentIfNotFound, Context, Session};
use crate::model::{
    EventRuleSpec, Kind, Live, ResourceId, Spec, Standing, TargetSpec, is_managed_tag,
};

/// An EventBridge rule on the default bus and its targets: the sign-in rule, or a region's
/// GuardDuty finding rule, as `kind` says, read where the baseline places it or where it is
/// retired, as `standing` says.
/// `ownership`: also read the rule's tags, which only `destroy` needs.
pub async fn rule(
    session: &Session,
    region: &str,
    kind: Kind,
    name: &str,
    standing: Standing,
    ownership: bool,
) -> Read {
    let id = ResourceId::new(kind, region, name);
    let failed = |error| (vec![id.clone()], error);
    let client = session.events(region);
    let describe = async {
        client
            .describe_rule()
            .name(name)
            .send()
            .await
            .call("events:DescribeRule", &id)
            .absent_if_not_found()
    };
    let list_targets = || async {
        client
            .list_targets_by_rule()
            .rule(name)
            .send()
            .await
            .call("events:ListTargetsByRule", &id)
    };
    let (rule, targets) = match standing {
        // Where the baseline places the rule a converged account has it, so its targets are
        // listed by its name beside it: for a rule that is not there, their ResourceNotFound
        // says again what DescribeRule says.
        Standing::Placed => {
            let (rule, targets) = tokio::join!(describe, list_targets());
            (rule, Some(targets))
        }
        // In a retired region the rule is most often gone already: one call says so.
        Standing::Retired => (describe.await, None),
    };
    let Some(rule) = rule.map_err(failed)? else {
        return Ok(Vec::new());
    };
    let targets = match targets {
        Some(targets) => targets,
        None => list_targets().await,
    }
    .map_err(failed)?;
    let targets: BTreeMap<String, TargetSpec> = targets
        .targets()
        .iter()
        .map(|target| {
            let transformer = target.input_transformer();
            let spec = TargetSpec {
                arn: target.arn().to_owned(),
                input_paths: transformer
                    .and_then(|t| t.input_paths_map())
                    .map(|paths| paths.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
                input_template: transformer.map(|t| t.input_template().to_owned()),
                role_arn: target.role_arn().map(str::to_owned),
            };
            (target.id().to_owned(), spec)
        })
        .collect();
    let owned = if ownership {
        let tags = client
            .list_tags_for_resource()
            .resource_arn(rule.arn().unwrap_or_default())
            .send()
            .await
            .call("events:ListTagsForResource", &id)
            .map_err(failed)?;
        tags.tags()
            .iter()
            .any(|tag| is_managed_tag(tag.key(), tag.value()))
    } else {
        false
    };
    let event_pattern = rule
        .event_pattern()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    Ok(vec![(
        id,
        Live {
            spec: Spec::EventRule(EventRuleSpec {
                description: rule.description().unwrap_or_default().to_owned(),
                event_pattern,
                state: rule
                    .state()
                    .map(|state| state.as_str().to_owned())
                    .unwrap_or_default(),
                targets,
            }),
            live_id: None,
            owned,
        },
    )])
}
