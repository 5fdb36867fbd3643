use aws_sdk_eventbridge::types::{InputTransformer, RuleState, Target};

use crate::aws::{AwsError, Context, Session};
use crate::model::EventRuleSpec;

/// PutRule and PutTargets both create or replace, so the pair is safe to repeat. Targets the
/// baseline does not declare are left on the rule.
pub async fn rule(
    session: &Session,
    change: &crate::plan::Change,
    spec: &EventRuleSpec,
) -> Result<(), AwsError> {
    let client = session.events(&change.id.region);
    let name = change.id.name.as_str();
    client
        .put_rule()
        .name(name)
        .description(&spec.description)
        .event_pattern(spec.event_pattern.to_string())
        .state(RuleState::from(spec.state.as_str()))
        .send()
        .await
        .call("events:PutRule", &change.id)?;
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
