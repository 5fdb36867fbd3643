use aws_sdk_eventbridge::types::{InputTransformer, RuleState, Tag, Target};

use crate::aws::{AwsError, Context, Session};
use crate::model::{ALERT_TARGET_ID, EventRuleSpec, MANAGED_TAG, Spec};
use crate::plan::{Action, Change};

/// PutRule and PutTargets both create or replace, so the pair is safe to repeat. Targets the
/// baseline does not declare are left on the rule.
pub async fn rule(
    session: &Session,
    change: &Change,
    spec: &EventRuleSpec,
) -> Result<(), AwsError> {
    let client = session.events(&change.id.region);
    let name = change.id.name.as_str();
    let mut put = client
        .put_rule()
        .name(name)
        .description(&spec.description)
        .event_pattern(spec.event_pattern.to_string())
        .state(RuleState::from(spec.state.as_str()));
    if change.action == Action::Create {
        put = put.tags(
            Tag::builder()
                .key(MANAGED_TAG.0)
                .value(MANAGED_TAG.1)
                .build()
                .expect("key and value are set"),
        );
    }
    put.send().await.call("events:PutRule", &change.id)?;
    let targets = spec
        .targets
        .iter()
        .map(|(id, target)| {
            let transformer = target.input_template.as_ref().map(|template| {
                InputTransformer::builder()
                    .set_input_paths_map(Some(target.input_paths.clone().into_iter().collect()))
                    .input_template(template)
                    .build()
                    .expect("the template is set")
            });
            Target::builder()
                .id(id)
                .arn(&target.arn)
                .set_input_transformer(transformer)
                .build()
                .expect("id and arn are set")
        })
        .collect();
    client
        .put_targets()
        .rule(name)
        .set_targets(Some(targets))
        .send()
        .await
        .call("events:PutTargets", &change.id)
        .map(drop)
}

/// Takes off the targets watchpost set, then the rule; a rule someone else added targets to
/// is refused by AWS, and so stays.
pub async fn delete_rule(session: &Session, change: &Change) -> Result<(), AwsError> {
    let client = session.events(&change.id.region);
    let Spec::EventRule(live) = &change.spec else {
        unreachable!("a rule change holds a rule spec")
    };
    let ours: Vec<String> = live
        .targets
        .keys()
        .filter(|id| id.as_str() == ALERT_TARGET_ID)
        .cloned()
        .collect();
    if !ours.is_empty() {
        client
            .remove_targets()
            .rule(&change.id.name)
            .set_ids(Some(ours))
            .send()
            .await
            .call("events:RemoveTargets", &change.id)?;
    }
    client
        .delete_rule()
        .name(&change.id.name)
        .send()
        .await
        .call("events:DeleteRule", &change.id)
        .map(drop)
}
