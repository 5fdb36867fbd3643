use aws_sdk_eventbridge::types::{
    AssignPublicIp, AwsVpcConfiguration, Condition, EcsParameters, InputTransformer, LaunchType,
    NetworkConfiguration, RuleState, Tag, Target,
};

use super::{Account, Converge};
use crate::aws::{AbsentIfNotFound, AwsError, Class, Context, Session};
use crate::model::{
    BusPermissionSpec, EcsTaskSpec, EventBusSpec, EventRuleSpec, MANAGED_TAG, ResourceId, Spec,
    WATCHPOST_TARGET_IDS,
};
use crate::plan::{Action, Change};

fn managed_tag() -> Tag {
    Tag::builder()
        .key(MANAGED_TAG.0)
        .value(MANAGED_TAG.1)
        .build()
        .expect("key and value are set")
}

/// One Fargate task in the subnets named, on the platform's latest version.
fn ecs_parameters(task: &EcsTaskSpec) -> EcsParameters {
    let network = AwsVpcConfiguration::builder()
        .set_subnets(Some(task.subnets.clone()))
        .set_security_groups(
            (!task.security_groups.is_empty()).then(|| task.security_groups.clone()),
        )
        .assign_public_ip(if task.assign_public_ip {
            AssignPublicIp::Enabled
        } else {
            AssignPublicIp::Disabled
        })
        .build()
        .expect("the subnets are set");
    EcsParameters::builder()
        .task_definition_arn(&task.task_definition_arn)
        .task_count(1)
        .launch_type(LaunchType::Fargate)
        .network_configuration(
            NetworkConfiguration::builder()
                .awsvpc_configuration(network)
                .build(),
        )
        .build()
        .expect("the task definition is set")
}

impl Converge for EventRuleSpec {
    /// PutRule and PutTargets both create or replace, so the pair is safe to repeat. Targets the
    /// baseline does not declare are left on the rule, except watchpost's own that the route no
    /// longer has.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.events(&change.id.region);
        let name = change.id.name.as_str();
        let mut put = client
            .put_rule()
            .name(name)
            .set_event_bus_name(self.event_bus_name.clone())
            .description(&self.description)
            .event_pattern(self.event_pattern.to_string())
            .state(RuleState::from(self.state.as_str()));
        if change.action == Action::Create {
            put = put.tags(managed_tag());
        }
        put.send().await.call("events:PutRule", &change.id)?;
        let targets = self
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
                    .set_role_arn(target.role_arn.clone())
                    .set_input_transformer(transformer)
                    .set_ecs_parameters(target.ecs_task.as_ref().map(ecs_parameters))
                    .build()
                    .expect("id and arn are set")
            })
            .collect();
        let answer = client
            .put_targets()
            .rule(name)
            .set_event_bus_name(self.event_bus_name.clone())
            .set_targets(Some(targets))
            .send()
            .await
            .call("events:PutTargets", &change.id)?;
        refuse_failed_entries(
            "events:PutTargets",
            &change.id,
            answer.failed_entry_count(),
            answer
                .failed_entries()
                .iter()
                .map(|entry| (entry.target_id(), entry.error_code(), entry.error_message())),
        )?;
        let obsolete: Vec<String> = change
            .fields
            .iter()
            .filter(|field| field.after.is_null())
            .filter_map(|field| field.field.strip_prefix("targets."))
            .map(str::to_owned)
            .collect();
        remove_targets(at.session, &change.id, self, obsolete).await
    }

    /// Takes off the targets watchpost set, then the rule; a rule someone else added targets to
    /// is refused by AWS, and so stays.
    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.events(&change.id.region);
        let Spec::EventRule(live) = &change.spec else {
            unreachable!("a rule change holds a rule spec")
        };
        let ours: Vec<String> = live
            .targets
            .keys()
            .filter(|id| WATCHPOST_TARGET_IDS.contains(&id.as_str()))
            .cloned()
            .collect();
        remove_targets(at.session, &change.id, live, ours).await?;
        client
            .delete_rule()
            .name(&change.id.name)
            .set_event_bus_name(live.event_bus_name.clone())
            .send()
            .await
            .call("events:DeleteRule", &change.id)
            .map(drop)
    }
}

async fn remove_targets(
    session: &Session,
    rule: &ResourceId,
    spec: &EventRuleSpec,
    ids: Vec<String>,
) -> Result<(), AwsError> {
    if ids.is_empty() {
        return Ok(());
    }
    let answer = session
        .events(&rule.region)
        .remove_targets()
        .rule(&rule.name)
        .set_event_bus_name(spec.event_bus_name.clone())
        .set_ids(Some(ids))
        .send()
        .await
        .call("events:RemoveTargets", rule)?;
    refuse_failed_entries(
        "events:RemoveTargets",
        rule,
        answer.failed_entry_count(),
        answer
            .failed_entries()
            .iter()
            .map(|entry| (entry.target_id(), entry.error_code(), entry.error_message())),
    )
}

impl Converge for EventBusSpec {
    /// The bus has nothing to set: made once, with watchpost's tag, and an existing one is
    /// adopted as it is.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let made = at
            .session
            .events(&change.id.region)
            .create_event_bus()
            .name(&change.id.name)
            .tags(managed_tag())
            .send()
            .await
            .call("events:CreateEventBus", &change.id);
        match made {
            Err(error) if error.is(Class::AlreadyExists) => Ok(()),
            made => made.map(drop),
        }
    }

    /// Only a bus watchpost made whose policy holds none of someone else's statements is
    /// planned for removal (`observe::events::alert_bus`).
    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        at.session
            .events(&change.id.region)
            .delete_event_bus()
            .name(&change.id.name)
            .send()
            .await
            .call("events:DeleteEventBus", &change.id)
            .map(drop)
    }
}

impl Converge for BusPermissionSpec {
    /// One statement, by its id: the rest of the bus's policy is not touched. A changed
    /// statement is taken out first, so that what is put is the statement whole.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        if change.action == Action::Update {
            self.remove(at, change).await?;
        }
        let condition = self.organization_id.as_ref().map(|organization| {
            Condition::builder()
                .r#type("StringEquals")
                .key("aws:PrincipalOrgID")
                .value(organization)
                .build()
                .expect("type, key and value are set")
        });
        at.session
            .events(&change.id.region)
            .put_permission()
            .event_bus_name(&self.event_bus_name)
            .action("events:PutEvents")
            .principal(&self.principal)
            .statement_id(&change.id.name)
            .set_condition(condition)
            .send()
            .await
            .call("events:PutPermission", &change.id)
            .map(drop)
    }

    /// RemovePermission of the statement alone; one already gone is done.
    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        at.session
            .events(&change.id.region)
            .remove_permission()
            .event_bus_name(&self.event_bus_name)
            .statement_id(&change.id.name)
            .send()
            .await
            .call("events:RemovePermission", &change.id)
            .absent_if_not_found()
            .map(drop)
    }
}

/// PutTargets and RemoveTargets answer 200 even when some targets were refused, and list those
/// in `FailedEntries` (EventBridge API reference): a rule left without its target is blind, so
/// that is an error, not "done".
fn refuse_failed_entries<'a>(
    call: &str,
    rule: &ResourceId,
    failed_count: i32,
    entries: impl Iterator<Item = (Option<&'a str>, Option<&'a str>, Option<&'a str>)>,
) -> Result<(), AwsError> {
    let entries: Vec<String> = entries
        .map(|(target, code, message)| {
            format!(
                "target {}: {}: {}",
                target.unwrap_or("?"),
                code.unwrap_or("unknown error"),
                message.unwrap_or("no message")
            )
        })
        .collect();
    if failed_count == 0 && entries.is_empty() {
        return Ok(());
    }
    Err(AwsError {
        call: call.to_owned(),
        resource: rule.to_string(),
        class: Class::Fatal,
        code: Some("FailedEntries".to_owned()),
        detail: format!(
            "{failed_count} target(s) refused: {}; the rule does not deliver to them until a later apply succeeds",
            entries.join("; ")
        ),
        setup_hint: None,
    })
}

#[cfg(test)]
mod tests {
    use super::refuse_failed_entries;
    use crate::aws::Class;
    use crate::model::{Kind, ResourceId};

    fn rule() -> ResourceId {
        ResourceId::new(Kind::SigninRule, "us-east-2", "watchpost-console-signin")
    }

    #[test]
    fn an_answer_with_no_failed_entry_is_done() {
        assert!(refuse_failed_entries("events:PutTargets", &rule(), 0, std::iter::empty()).is_ok());
    }

    #[test]
    fn a_refused_target_is_an_error_naming_the_rule_the_target_and_aws_reason() {
        let error = refuse_failed_entries(
            "events:PutTargets",
            &rule(),
            1,
            [(
                Some("watchpost-home-bus"),
                Some("AccessDeniedException"),
                Some("Access denied for the role"),
            )]
            .into_iter(),
        )
        .expect_err("a refused target is not done");
        assert_eq!(error.class, Class::Fatal);
        assert_eq!(error.call, "events:PutTargets");
        assert_eq!(
            error.resource,
            "signin_rule/us-east-2/watchpost-console-signin"
        );
        assert!(
            error.detail.contains(
                "target watchpost-home-bus: AccessDeniedException: Access denied for the role"
            ),
            "{}",
            error.detail
        );
    }

    /// The count alone is enough: AWS may leave an entry's fields out.
    #[test]
    fn a_failed_count_without_entries_is_still_an_error() {
        assert!(
            refuse_failed_entries("events:RemoveTargets", &rule(), 2, std::iter::empty()).is_err()
        );
    }
}
