use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_sdk_eventbridge::types::{AssignPublicIp, EcsParameters, Rule};
use serde_json::Value;
use tokio::sync::OnceCell;

use super::{Read, unknown};
use crate::aws::{AbsentIfNotFound, AwsError, Context, Session};
use crate::model::{
    BUS_STATEMENT_PREFIX, BusPermissionSpec, EcsTaskSpec, EventBusSpec, EventRuleSpec, Kind, Live,
    ResourceId, Spec, Standing, TargetSpec, is_managed_tag, policy,
};

/// The rules of one account, listed once per region and bus for every rule read there:
/// ListRules gives each rule's pattern, state and description as DescribeRule does, so the
/// dozen rules watchpost keeps in a region cost one call rather than a dozen, and leave the
/// region's bound on requests in flight to their targets.
pub struct RuleLists<'a> {
    session: &'a Session,
    /// What every rule name of the baseline starts with, so the list holds little else.
    prefix: String,
    lists: Mutex<BTreeMap<RegionBus, Arc<OnceCell<Listed>>>>,
}

/// A region, and a bus there (`None`: the default bus).
type RegionBus = (String, Option<String>);

type Listed = Result<Arc<Vec<Rule>>, AwsError>;

impl<'a> RuleLists<'a> {
    /// Lists for the rules named `names`.
    pub fn new(session: &'a Session, names: &[String]) -> RuleLists<'a> {
        RuleLists {
            session,
            prefix: common_prefix(names).to_owned(),
            lists: Mutex::default(),
        }
    }

    /// The rule `name` on `bus` (the default bus when `None`) in `region`, listing the rules
    /// there on the first ask.
    async fn rule(
        &self,
        region: &str,
        bus: Option<&str>,
        name: &str,
    ) -> Result<Option<Rule>, AwsError> {
        let cell = self
            .lists
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry((region.to_owned(), bus.map(str::to_owned)))
            .or_default()
            .clone();
        let listed = cell
            .get_or_init(|| list_rules(self.session, region, bus, &self.prefix))
            .await;
        match listed {
            Ok(rules) => Ok(rules.iter().find(|rule| rule.name() == Some(name)).cloned()),
            Err(error) => Err(error.clone()),
        }
    }
}

/// Every rule on `bus` in `region` whose name starts with `prefix`; none on a bus that is not
/// there (a central bus not made yet).
async fn list_rules(session: &Session, region: &str, bus: Option<&str>, prefix: &str) -> Listed {
    let client = session.events(region);
    let place = format!("the EventBridge rules named {prefix}* in {region}");
    let mut rules = Vec::new();
    let mut next_token = None;
    loop {
        let Some(page) = client
            .list_rules()
            // ListRules refuses an empty prefix: none lists every rule.
            .set_name_prefix((!prefix.is_empty()).then(|| prefix.to_owned()))
            .set_event_bus_name(bus.map(str::to_owned))
            .set_next_token(next_token)
            .send()
            .await
            .call("events:ListRules", &place)
            .absent_if_not_found()?
        else {
            break;
        };
        rules.extend(page.rules().iter().cloned());
        next_token = page.next_token().map(str::to_owned);
        if next_token.is_none() {
            break;
        }
    }
    Ok(Arc::new(rules))
}

/// The longest start all of `names` share. EventBridge rule names are ASCII
/// (`[.\-_A-Za-z0-9]+`); were one not, the list would be of every rule.
fn common_prefix(names: &[String]) -> &str {
    let Some((first, rest)) = names.split_first() else {
        return "";
    };
    let length = rest.iter().fold(first.len(), |length, name| {
        first
            .bytes()
            .zip(name.bytes())
            .take(length)
            .take_while(|(a, b)| a == b)
            .count()
    });
    first.get(..length).unwrap_or_default()
}

/// An EventBridge rule and its targets: the sign-in rule, a region's GuardDuty finding rule or
/// the alarm rule on the default bus, or a rule on the central bus (`bus`), as `kind` says,
/// read where the baseline places it or where it is retired, as `standing` says.
/// `ownership`: also read the rule's tags, which only `destroy` needs.
pub async fn rule(
    lists: &RuleLists<'_>,
    region: &str,
    kind: Kind,
    name: &str,
    bus: Option<&str>,
    standing: Standing,
    ownership: bool,
) -> Read {
    let id = ResourceId::new(kind, region, name);
    let failed = |error| (vec![id.clone()], error);
    let client = lists.session.events(region);
    let list_targets = || async {
        client
            .list_targets_by_rule()
            .rule(name)
            .set_event_bus_name(bus.map(str::to_owned))
            .send()
            .await
            .call("events:ListTargetsByRule", &id)
    };
    let (rule, targets) = match standing {
        // Where the baseline places the rule a converged account has it, so its targets are
        // listed by its name beside the list of rules: for a rule that is not there, their
        // ResourceNotFound says again what the list says.
        Standing::Placed => {
            let (rule, targets) = tokio::join!(lists.rule(region, bus, name), list_targets());
            (rule, Some(targets))
        }
        // In a retired region the rule is most often gone already: the list says so.
        Standing::Retired => (lists.rule(region, bus, name).await, None),
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
                ecs_task: target.ecs_parameters().map(ecs_task),
            };
            (target.id().to_owned(), spec)
        })
        .collect();
    let owned = ownership
        && tagged_as_watchposts(&client, rule.arn().unwrap_or_default(), &id)
            .await
            .map_err(failed)?;
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
                event_bus_name: bus.map(str::to_owned),
            }),
            live_id: None,
            owned,
        },
    )])
}

/// The central bus of the security account, and the statements of its policy that watchpost
/// wrote (their statement ids start with [`BUS_STATEMENT_PREFIX`]); the others are not read,
/// so no plan can touch them. The bus is watchpost's to remove only if it made it (its tag)
/// and its policy holds no statement of someone else's, which removing it would remove too.
pub async fn alert_bus(session: &Session, region: &str, name: &str, ownership: bool) -> Read {
    let id = ResourceId::new(Kind::AlertBus, region, name);
    let mut places = vec![id.clone()];
    places.extend(unknown(&[Kind::AlertBusPermission], region));
    let failed = |error| (places.clone(), error);
    let client = session.events(region);
    let Some(bus) = client
        .describe_event_bus()
        .name(name)
        .send()
        .await
        .call("events:DescribeEventBus", &id)
        .absent_if_not_found()
        .map_err(failed)?
    else {
        return Ok(Vec::new());
    };
    let statements = bus
        .policy()
        .and_then(|text| policy::parse(text).ok())
        .map(|document| policy::statements(&document))
        .unwrap_or_default();
    let (ours, theirs): (Vec<Value>, Vec<Value>) = statements.into_iter().partition(|statement| {
        statement["Sid"]
            .as_str()
            .is_some_and(|sid| sid.starts_with(BUS_STATEMENT_PREFIX))
    });
    let owned = ownership
        && theirs.is_empty()
        && tagged_as_watchposts(&client, bus.arn().unwrap_or_default(), &id)
            .await
            .map_err(failed)?;
    let mut found = vec![(
        id,
        Live {
            spec: Spec::EventBus(EventBusSpec {}),
            live_id: bus.arn().map(str::to_owned),
            owned,
        },
    )];
    found.extend(ours.into_iter().filter_map(|statement| {
        let sid = statement["Sid"].as_str()?;
        let spec = BusPermissionSpec {
            event_bus_name: name.to_owned(),
            principal: statement_principal(&statement["Principal"])?,
            organization_id: statement["Condition"]["StringEquals"]["aws:PrincipalOrgID"]
                .as_str()
                .map(str::to_owned),
        };
        Some((
            ResourceId::new(Kind::AlertBusPermission, region, sid),
            Live {
                spec: Spec::BusPermission(spec),
                live_id: None,
                // The statement id is watchpost's mark: a policy statement has no tags.
                owned: true,
            },
        ))
    }));
    Ok(found)
}

/// The task an ECS target starts, as the plan compares it.
fn ecs_task(parameters: &EcsParameters) -> EcsTaskSpec {
    let network = parameters
        .network_configuration()
        .and_then(|network| network.awsvpc_configuration());
    EcsTaskSpec {
        task_definition_arn: parameters.task_definition_arn().to_owned(),
        subnets: network.map(|n| n.subnets().to_vec()).unwrap_or_default(),
        security_groups: network
            .map(|n| n.security_groups().to_vec())
            .unwrap_or_default(),
        assign_public_ip: network.and_then(|n| n.assign_public_ip())
            == Some(&AssignPublicIp::Enabled),
    }
}

/// Whether the rule or bus of `arn` carries watchpost's tag.
async fn tagged_as_watchposts(
    client: &aws_sdk_eventbridge::Client,
    arn: &str,
    id: &ResourceId,
) -> Result<bool, AwsError> {
    let tags = client
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .call("events:ListTagsForResource", id)?;
    Ok(tags
        .tags()
        .iter()
        .any(|tag| is_managed_tag(tag.key(), tag.value())))
}

/// The principal of a statement as PutPermission takes it: `*`, or the account id of
/// `arn:aws:iam::ACCOUNT:root` (or of a bare id). moto writes `*` as `arn:aws:iam::*:root`,
/// which reads as `*` too.
fn statement_principal(principal: &Value) -> Option<String> {
    if principal == "*" {
        return Some("*".to_owned());
    }
    let aws = principal["AWS"].as_str()?;
    let account = aws
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').nth(3))
        .unwrap_or(aws);
    Some(account.to_owned())
}

/// The id of the security account's organization, whose accounts the central bus admits when
/// the fleet is an organization. An account in none is a gap on the bus's statements, with the
/// fix, rather than a bus that silently admits no one.
pub async fn organization_id(session: &Session, region: &str) -> Result<String, AwsError> {
    let place = ResourceId::singleton(Kind::AlertBusPermission, region);
    let answer = session
        .organizations(region)
        .describe_organization()
        .send()
        .await
        .call("organizations:DescribeOrganization", &place)?;
    Ok(answer
        .organization()
        .and_then(|organization| organization.id())
        .unwrap_or_default()
        .to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{common_prefix, statement_principal};

    #[test]
    fn the_rules_are_listed_by_what_all_their_names_start_with() {
        let names = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert_eq!(
            common_prefix(&names(&[
                "watchpost-drill",
                "watchpost-tamper-iam",
                "watchpost-signin"
            ])),
            "watchpost-"
        );
        assert_eq!(
            common_prefix(&names(&["watchpost-drill"])),
            "watchpost-drill"
        );
        assert_eq!(
            common_prefix(&names(&["alerts-signin", "watchpost-drill"])),
            ""
        );
        assert_eq!(common_prefix(&[]), "");
    }

    #[test]
    fn a_bus_statements_principal_reads_as_put_permission_takes_it() {
        for (principal, expected) in [
            (json!("*"), Some("*")),
            (
                json!({"AWS": "arn:aws:iam::111111111111:root"}),
                Some("111111111111"),
            ),
            (json!({"AWS": "111111111111"}), Some("111111111111")),
            (json!({"AWS": "arn:aws:iam::*:root"}), Some("*")),
            (json!({"Service": "events.amazonaws.com"}), None),
        ] {
            assert_eq!(
                statement_principal(&principal).as_deref(),
                expected,
                "{principal}"
            );
        }
    }
}
