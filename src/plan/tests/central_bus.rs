//! `[alerts] central_bus`: each covered account forwards every alert to one bus in the security
//! account, whose policy admits the fleet and whose rules raise the one email.

use std::collections::{BTreeMap, BTreeSet};

use super::alert_route::assert_forward_role;
use super::kinds::assert_replan_is_empty;
use super::*;
use crate::model::{BusPermissionSpec, EventRuleSpec, SubscriptionSpec, TargetSpec, TopicSpec};

const SECURITY: &str = "999988887777";
const OTHER: &str = "444455556666";
const BUS: &str = "arn:aws:events:us-east-1:999988887777:event-bus/watchpost-alerts";
const FORWARD_ROLE: &str = "watchpost-alert-forwarding";

/// Sign-ins, findings and alarms, over a fleet of `accounts`, gathered on [`BUS`].
fn fleet(accounts: &str) -> Baseline {
    baseline(&format!(
        "{accounts}\n[guardduty]\n[guardduty.finding_alerts]\nmin_severity = 7\n\
         [cloudtrail]\n[alarms]\n[alarms.filters]\nroot-account-use = {{}}\n\
         [alerts]\nemails = [\"sec@example.com\", \"soc@example.com\"]\ncentral_bus = \"{BUS}\"\n\
         [signin_notification]\n[tamper_alerts]\n"
    ))
}

fn listed() -> Baseline {
    fleet(&format!(
        "[accounts]\nids = [\"{ACCOUNT}\", \"{OTHER}\", \"{SECURITY}\"]\n"
    ))
}

fn account(id: &str) -> Observed {
    Observed {
        account_id: id.to_owned(),
        ..empty_account()
    }
}

fn ids(plan: &Plan, kind: Kind) -> Vec<String> {
    plan.changes
        .iter()
        .filter(|change| change.id.kind == kind)
        .map(|change| change.id.to_string())
        .collect()
}

fn rule_spec(change: &Change) -> &EventRuleSpec {
    let Spec::EventRule(spec) = &change.spec else {
        panic!("{} is an event rule", change.id)
    };
    spec
}

/// The central target a member's rule has, through the account's forward role.
fn forward_to_bus(account: &str) -> TargetSpec {
    TargetSpec {
        arn: BUS.to_owned(),
        input_paths: Default::default(),
        input_template: None,
        role_arn: Some(format!("arn:aws:iam::{account}:role/{FORWARD_ROLE}")),
        ecs_task: None,
    }
}

#[test]
fn a_member_forwards_every_alert_to_the_central_bus_and_has_no_topic_of_its_own() {
    let plan = plan(&listed(), &account(ACCOUNT));
    assert!(ids(&plan, Kind::AlertTopic).is_empty());
    assert!(ids(&plan, Kind::AlertSubscription).is_empty());
    for kind in [Kind::AlertBus, Kind::AlertBusPermission, Kind::AlertBusRule] {
        assert!(
            ids(&plan, kind).is_empty(),
            "{kind} is the security account's"
        );
    }
    let role = ResourceId::new(Kind::IamRole, "global", FORWARD_ROLE);
    let forwarding: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|change| {
            matches!(
                change.id.kind,
                Kind::SigninRule | Kind::FindingRule | Kind::AlarmRule
            )
        })
        .collect();
    // Sign-ins in the two regions in scope and the three more AWS records them in, findings
    // in the two, and the alarms in the home region.
    assert_eq!(forwarding.len(), 5 + 2 + 1);
    for change in forwarding {
        let spec = rule_spec(change);
        assert_eq!(
            spec.targets,
            BTreeMap::from([("watchpost-central-bus".to_owned(), forward_to_bus(ACCOUNT))]),
            "{}: the event as it is, straight to the central bus",
            change.id
        );
        assert_eq!(spec.event_bus_name, None, "{}", change.id);
        assert_eq!(change.depends_on, std::slice::from_ref(&role));
    }
    let Spec::Alarm(alarm) = &plan
        .changes
        .iter()
        .find(|change| change.id.kind == Kind::MetricAlarm)
        .expect("the alarm")
        .spec
    else {
        panic!("an alarm")
    };
    assert!(alarm.alarm_actions.is_empty(), "no topic to notify");
    assert!(
        plan.notes.iter().any(|note| note
            == &format!("alerts of this account are forwarded to the central bus {BUS}: the emails are raised in the security account {SECURITY}, so this account has no alert topic or subscriptions of its own")),
        "{:#?}",
        plan.notes
    );
}

#[test]
fn the_forward_role_may_only_put_events_on_the_central_bus_for_its_own_account() {
    assert_forward_role(
        &plan(&listed(), &account(ACCOUNT)),
        "forward-alerts-to-central-bus",
        BUS,
    );
}

#[test]
fn the_security_account_holds_the_bus_its_statements_the_rules_and_the_one_topic() {
    let plan = plan(&listed(), &account(SECURITY));
    assert_eq!(
        ids(&plan, Kind::AlertBus),
        ["alert_bus/us-east-1/watchpost-alerts"]
    );
    // The other accounts of the fleet; the security account's own rules need no statement.
    let statements: Vec<(String, BusPermissionSpec)> = plan
        .changes
        .iter()
        .filter_map(|change| match &change.spec {
            Spec::BusPermission(spec) => Some((change.id.name.clone(), spec.clone())),
            _ => None,
        })
        .collect();
    let admits = |account: &str| BusPermissionSpec {
        event_bus_name: "watchpost-alerts".to_owned(),
        principal: account.to_owned(),
        organization_id: None,
    };
    assert_eq!(
        statements,
        [
            (format!("watchpost-alerts-{ACCOUNT}"), admits(ACCOUNT)),
            (format!("watchpost-alerts-{OTHER}"), admits(OTHER)),
        ]
    );
    assert_eq!(
        ids(&plan, Kind::AlertTopic),
        ["alert_topic/us-east-1/watchpost-security-alerts"]
    );
    assert_eq!(
        ids(&plan, Kind::AlertSubscription),
        [
            "alert_subscription/us-east-1/sec@example.com",
            "alert_subscription/us-east-1/soc@example.com"
        ],
        "one subscription per address for the whole fleet"
    );
    let topic = format!("arn:aws:sns:us-east-1:{SECURITY}:watchpost-security-alerts");
    let central_rules: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|change| change.id.kind == Kind::AlertBusRule)
        .collect();
    assert_eq!(
        central_rules.len(),
        12,
        "sign-ins, findings, alarms, the drill and the 8 services watched for tampering"
    );
    for change in central_rules {
        let spec = rule_spec(change);
        assert_eq!(spec.event_bus_name.as_deref(), Some("watchpost-alerts"));
        let message = &spec.targets["watchpost-alert-topic"];
        assert_eq!(message.arn, topic);
        assert_eq!(
            message.input_paths["account"], "$.account",
            "{}: the message names the account the event came from",
            change.id
        );
        assert!(
            message
                .input_template
                .as_deref()
                .is_some_and(|template| template.contains("account <account>")),
            "{}",
            change.id
        );
        // The rule matches what the members forward: their rules' own patterns (a member's
        // tamper rule is narrower, to its own resources, than the central one).
        let member_kind = match change.id.name.as_str() {
            "watchpost-console-signin" => Kind::SigninRule,
            "watchpost-guardduty-findings" => Kind::FindingRule,
            "watchpost-drill" => Kind::DrillRule,
            "watchpost-alarm-state" => Kind::AlarmRule,
            _ => continue,
        };
        let member = plan
            .changes
            .iter()
            .find(|c| c.id.kind == member_kind)
            .expect("the security account forwards its own alerts too");
        assert_eq!(spec.event_pattern, rule_spec(member).event_pattern);
        assert_eq!(
            rule_spec(member).targets["watchpost-central-bus"],
            forward_to_bus(SECURITY)
        );
    }
}

#[test]
fn an_organization_is_admitted_by_its_id_once_that_is_read() {
    let baseline = fleet("[accounts]\norganization = true\n");
    let mut security = account(SECURITY);
    security.organization_id = Some("o-a1b2c3d4e5".to_owned());
    let plan = plan(&baseline, &security);
    let statements: Vec<(&str, &Spec)> = plan
        .changes
        .iter()
        .filter(|change| change.id.kind == Kind::AlertBusPermission)
        .map(|change| (change.id.name.as_str(), &change.spec))
        .collect();
    assert_eq!(
        statements,
        [(
            "watchpost-alerts-organization",
            &Spec::BusPermission(BusPermissionSpec {
                event_bus_name: "watchpost-alerts".to_owned(),
                principal: "*".to_owned(),
                organization_id: Some("o-a1b2c3d4e5".to_owned()),
            })
        )]
    );

    // Unread, the organization is a gap and no statement is planned blind.
    let mut unread = account(SECURITY);
    unread.gaps.push(Gap {
        place: "alert_bus_permission/us-east-1".to_owned(),
        call: "organizations:DescribeOrganization".to_owned(),
        reason: "not in an organization".to_owned(),
        hint: None,
    });
    let plan = super::plan(&baseline, &unread);
    assert!(ids(&plan, Kind::AlertBusPermission).is_empty());
    assert_eq!(ids(&plan, Kind::AlertBus).len(), 1);
}

#[test]
fn a_security_account_the_fleet_does_not_cover_holds_only_the_central_part() {
    let baseline = fleet(&format!(
        "[accounts]\nids = [\"{ACCOUNT}\", \"{SECURITY}\"]\nexclude = [\"{SECURITY}\"]\n"
    ));
    let plan = plan(&baseline, &account(SECURITY));
    let kinds: BTreeSet<Kind> = plan.changes.iter().map(|change| change.id.kind).collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            Kind::AlertBus,
            Kind::AlertBusPermission,
            Kind::AlertBusRule,
            Kind::AlertTopic,
            Kind::AlertSubscription,
        ]),
        "the fleet's GuardDuty, trail and alarms, and its own forwarding, are not its"
    );
    assert!(
        plan.notes
            .iter()
            .any(|note| note.contains("[accounts] does not cover this account")),
        "{:#?}",
        plan.notes
    );
}

#[test]
fn the_fleet_converges_and_plans_are_deterministic() {
    let baseline = listed();
    for id in [ACCOUNT, SECURITY] {
        assert_replan_is_empty(&baseline, &account(id));
        assert_eq!(plan(&baseline, &account(id)), plan(&baseline, &account(id)));
    }
}

#[test]
fn a_members_topic_from_before_the_bus_goes_with_its_subscriptions() {
    let mut member = account(ACCOUNT);
    let topic = ResourceId::new(Kind::AlertTopic, "us-east-1", "watchpost-security-alerts");
    let subscription = ResourceId::new(Kind::AlertSubscription, "us-east-1", "sec@example.com");
    for (id, spec) in [
        (
            topic.clone(),
            Spec::Topic(TopicSpec {
                policy: serde_json::json!({}),
            }),
        ),
        (
            subscription.clone(),
            Spec::Subscription(SubscriptionSpec {
                topic_name: "watchpost-security-alerts".to_owned(),
                pending_confirmation: false,
            }),
        ),
    ] {
        // Read with the topic's tag, as `observe` reads a member's topic with a central bus.
        let live = Live {
            spec,
            live_id: None,
            owned: true,
        };
        member.resources.insert(id, live);
    }
    let plan = plan(&listed(), &member);
    let deleted: Vec<&ResourceId> = plan
        .changes
        .iter()
        .filter(|change| change.action == Action::Delete)
        .map(|change| &change.id)
        .collect();
    assert_eq!(deleted, [&topic, &subscription]);
}
