//! One route for every alert: the rules of each region forward to the home region's default
//! bus, where the home rule raises the email through the one alert topic.

use super::*;
use crate::model::policy::canonical;
use crate::model::{EventRuleSpec, RoleSpec, SubscriptionSpec, TargetSpec, TopicSpec};

const ROUTE: &str = "[guardduty]\n[guardduty.finding_alerts]\nmin_severity = 7\n\
    [alerts]\nemails = [\"sec@example.com\"]\n[signin_notification]\n";
const TOPIC: &str = "watchpost-security-alerts";
const FORWARD_ROLE: &str = "watchpost-alert-forwarding";

fn rule<'p>(plan: &'p Plan, kind: Kind, region: &str) -> (&'p Change, &'p EventRuleSpec) {
    let change = plan
        .changes
        .iter()
        .find(|c| c.id.kind == kind && c.id.region == region)
        .unwrap_or_else(|| panic!("a {kind} in {region}"));
    let Spec::EventRule(spec) = &change.spec else {
        panic!("{kind} is an event rule")
    };
    (change, spec)
}

fn regions_of(plan: &Plan, kind: Kind) -> Vec<&str> {
    plan.changes
        .iter()
        .filter(|c| c.id.kind == kind)
        .map(|c| c.id.region.as_str())
        .collect()
}

#[test]
fn sign_ins_are_matched_wherever_aws_records_them_and_every_alert_reaches_one_topic() {
    let baseline = baseline_at_home("eu-west-1", ROUTE);
    let plan = plan(&baseline, &empty_account());
    assert_eq!(
        regions_of(&plan, Kind::SigninRule),
        [
            "ap-southeast-2",
            "eu-north-1",
            "eu-west-1",
            "us-east-1",
            "us-east-2"
        ],
        "every region in scope, and the regions AWS records root and global-endpoint sign-ins in"
    );
    assert_eq!(
        regions_of(&plan, Kind::FindingRule),
        ["eu-west-1", "us-east-1"]
    );
    assert_eq!(regions_of(&plan, Kind::AlertTopic), ["eu-west-1"]);
    assert_eq!(regions_of(&plan, Kind::AlertSubscription), ["eu-west-1"]);

    let topic = ResourceId::new(Kind::AlertTopic, "eu-west-1", TOPIC);
    let role = ResourceId::new(Kind::IamRole, "global", FORWARD_ROLE);
    for kind in [Kind::SigninRule, Kind::FindingRule] {
        let (home, spec) = rule(&plan, kind, "eu-west-1");
        assert_eq!(home.depends_on, std::slice::from_ref(&topic));
        let message = &spec.targets["watchpost-alert-topic"];
        assert_eq!(
            message.arn,
            format!("arn:aws:sns:eu-west-1:{ACCOUNT}:{TOPIC}")
        );
        assert_eq!(message.input_paths["region"], "$.region");
        assert!(message.role_arn.is_none());

        let (away, spec) = rule(&plan, kind, "us-east-1");
        assert_eq!(away.depends_on, std::slice::from_ref(&role));
        assert_eq!(
            spec.targets.keys().collect::<Vec<_>>(),
            ["watchpost-home-bus"]
        );
        assert_eq!(
            spec.targets["watchpost-home-bus"],
            TargetSpec {
                arn: format!("arn:aws:events:eu-west-1:{ACCOUNT}:event-bus/default"),
                input_paths: Default::default(),
                input_template: None,
                role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/{FORWARD_ROLE}")),
                ecs_task: None,
            },
            "the event as it is, so the home rule matches it and writes the one message"
        );
        assert_eq!(
            spec.event_pattern,
            rule(&plan, kind, "eu-west-1").1.event_pattern,
            "the home rule matches what the others forward"
        );
    }
    let notes: Vec<&String> = plan
        .notes
        .iter()
        .filter(|note| note.contains("is placed outside scope.regions"))
        .collect();
    assert_eq!(notes.len(), 3, "{notes:#?}");
}

#[test]
fn the_forwarding_role_may_only_put_events_on_the_home_bus_for_this_account() {
    let baseline = baseline_at_home("eu-west-1", ROUTE);
    assert_forward_role(
        &plan(&baseline, &empty_account()),
        "forward-alerts-to-home-bus",
        &format!("arn:aws:events:eu-west-1:{ACCOUNT}:event-bus/default"),
    );
}

/// The plan's forwarding role: EventBridge of this account alone may assume it, and its one
/// policy, `policy_name`, lets it put events on `bus` alone.
#[track_caller]
pub(super) fn assert_forward_role(plan: &Plan, policy_name: &str, bus: &str) {
    let role = plan
        .changes
        .iter()
        .find(|c| c.id.to_string() == format!("iam_role/global/{FORWARD_ROLE}"))
        .expect("the forwarding role");
    let Spec::Role(RoleSpec {
        trust_policy,
        managed_policy_arns,
        inline_policies,
    }) = &role.spec
    else {
        panic!("a role")
    };
    assert!(managed_policy_arns.is_empty());
    assert_eq!(
        trust_policy,
        &canonical(&serde_json::json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
        }]}))
    );
    assert_eq!(
        inline_policies,
        &std::collections::BTreeMap::from([(
            policy_name.to_owned(),
            canonical(&serde_json::json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Action": "events:PutEvents",
                "Resource": bus
            }]}))
        )])
    );
}

#[test]
fn the_topics_and_targets_of_the_per_region_route_are_migrated_away() {
    let baseline = baseline_at_home("us-east-1", ROUTE);
    let mut observed = converged(&baseline);
    // As the previous release left eu-west-1: a topic of its own with the subscription, which
    // the region's finding rule sent to.
    let old_topic = ResourceId::new(Kind::AlertTopic, "eu-west-1", TOPIC);
    let old_subscription = ResourceId::new(Kind::AlertSubscription, "eu-west-1", "sec@example.com");
    observed.resources.insert(
        old_topic.clone(),
        Live {
            spec: Spec::Topic(TopicSpec {
                policy: serde_json::json!({}),
            }),
            live_id: None,
            owned: true,
        },
    );
    observed.resources.insert(
        old_subscription.clone(),
        Live {
            spec: Spec::Subscription(SubscriptionSpec {
                topic_name: TOPIC.to_owned(),
                pending_confirmation: false,
            }),
            live_id: None,
            owned: true,
        },
    );
    let finding_rule = ResourceId::new(
        Kind::FindingRule,
        "eu-west-1",
        "watchpost-guardduty-findings",
    );
    let Some(Live {
        spec: Spec::EventRule(live_rule),
        ..
    }) = observed.resources.get_mut(&finding_rule)
    else {
        panic!("the converged account has the rule")
    };
    let old_target = TargetSpec {
        arn: format!("arn:aws:sns:eu-west-1:{ACCOUNT}:{TOPIC}"),
        input_paths: Default::default(),
        input_template: None,
        role_arn: None,
        ecs_task: None,
    };
    live_rule.targets.clear();
    live_rule
        .targets
        .insert("watchpost-alert-topic".to_owned(), old_target.clone());
    live_rule.targets.insert(
        "someone-elses".to_owned(),
        TargetSpec {
            arn: "arn:aws:sqs:eu-west-1:111122223333:theirs".to_owned(),
            ..old_target.clone()
        },
    );

    let plan = plan(&baseline, &observed);
    let actions: Vec<(String, Action)> = plan
        .changes
        .iter()
        .map(|c| (c.id.to_string(), c.action))
        .collect();
    assert_eq!(
        actions,
        [
            (old_topic.to_string(), Action::Delete),
            (old_subscription.to_string(), Action::Delete),
            (finding_rule.to_string(), Action::Update),
        ]
    );
    let update = &plan.changes[2];
    let fields: Vec<(&str, bool)> = update
        .fields
        .iter()
        .map(|f| (f.field.as_str(), f.after.is_null()))
        .collect();
    assert_eq!(
        fields,
        [
            ("targets.watchpost-home-bus", false),
            ("targets.watchpost-alert-topic", true)
        ],
        "the forward target is added and the old one taken off; the foreign target stays"
    );
    insta::assert_snapshot!(render_full(&plan, false));
}

#[test]
fn a_topic_of_the_alert_name_that_watchpost_did_not_make_stays_with_its_subscriptions() {
    let baseline = baseline_at_home("us-east-1", ROUTE);
    let mut observed = converged(&baseline);
    for (kind, name) in [
        (Kind::AlertTopic, TOPIC),
        (Kind::AlertSubscription, "sec@example.com"),
    ] {
        let home = observed.resources[&ResourceId::new(kind, "us-east-1", name)].clone();
        observed.resources.insert(
            ResourceId::new(kind, "eu-west-1", name),
            Live {
                owned: false,
                ..home
            },
        );
    }
    let plan = plan(&baseline, &observed);
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    assert!(
        plan.notes
            .iter()
            .any(|note| note.starts_with("alert_topic/eu-west-1: leaves alone 1")),
        "{:#?}",
        plan.notes
    );
}

#[test]
fn a_signin_rule_outside_the_regions_it_belongs_in_goes_if_watchpost_made_it() {
    let baseline = baseline_at_home("us-east-1", ROUTE);
    let mut observed = converged(&baseline);
    let kept = ResourceId::new(Kind::SigninRule, "us-east-2", "watchpost-console-signin");
    let leftover = ResourceId::new(Kind::SigninRule, "ap-south-1", "watchpost-console-signin");
    let live = Live {
        owned: true,
        ..observed.resources[&kept].clone()
    };
    observed.resources.insert(leftover.clone(), live);
    let plan = plan(&baseline, &observed);
    assert_eq!(
        plan.changes
            .iter()
            .map(|c| (c.id.to_string(), c.action))
            .collect::<Vec<_>>(),
        [(leftover.to_string(), Action::Delete)],
        "us-east-2 records sign-ins whatever the scope, so its rule stays"
    );
}

#[test]
fn with_everything_at_home_no_forwarding_role_is_made() {
    let source =
        format!("[scope]\nregions = [\"us-east-1\"]\nhome_region = \"us-east-1\"\n{ROUTE}");
    let baseline = Baseline::parse("baseline.toml", &source).unwrap();
    let mut observed = empty_account();
    observed.regions = vec!["us-east-1".to_owned()];
    let plan = plan(&baseline, &observed);
    assert!(
        plan.changes.iter().any(|c| c.id.kind == Kind::IamRole),
        "us-east-2, eu-north-1 and ap-southeast-2 still record sign-ins, so they forward"
    );
    let without_signin = Baseline::parse(
        "baseline.toml",
        &source.replace("[signin_notification]\n", ""),
    )
    .unwrap();
    let plan = super::plan(&without_signin, &observed);
    assert!(
        !plan.changes.iter().any(|c| c.id.kind == Kind::IamRole),
        "one region, nothing to forward: {:#?}",
        plan.changes
    );
}

/// `[tamper_alerts.repair]`: only the home rules start the repairer (they see every region's
/// calls), through the repair role they wait for; every region's rule leaves the repairer's own
/// calls out; a pinned revision is the one task definition the role may run.
#[test]
fn the_repairer_is_started_from_home_and_its_own_calls_are_left_out_everywhere() {
    let baseline = baseline_at_home(
        "eu-west-1",
        "[cloudtrail]\n[alerts]\nemails = [\"sec@example.com\"]\n[tamper_alerts]\n\
         [tamper_alerts.repair]\ncluster = \"ops\"\ntask_definition = \"watchpost-apply:7\"\n\
         subnets = [\"subnet-0123456789abcdef0\"]\n",
    );
    let plan = plan(&baseline, &empty_account());
    let role = ResourceId::new(Kind::IamRole, "global", "watchpost-tamper-repair");
    let tamper_rules: Vec<(&Change, &EventRuleSpec)> = plan
        .changes
        .iter()
        .filter(|c| c.id.kind == Kind::TamperRule)
        .map(|c| match &c.spec {
            Spec::EventRule(spec) => (c, spec),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(tamper_rules.len() > 2, "{tamper_rules:?}");
    for (change, spec) in &tamper_rules {
        let repairs = spec.targets.contains_key("watchpost-repair");
        assert_eq!(repairs, change.id.region == "eu-west-1", "{}", change.id);
        assert_eq!(change.depends_on.contains(&role), repairs, "{}", change.id);
        assert_eq!(
            spec.event_pattern["detail"]["userIdentity"]["$or"][0]["arn"][0]["anything-but"]["prefix"],
            "arn:aws:sts::111122223333:assumed-role/watchpost-repairer/",
            "{}",
            change.id
        );
    }
    let repair = &tamper_rules
        .iter()
        .find(|(change, _)| change.id.region == "eu-west-1")
        .unwrap()
        .1
        .targets["watchpost-repair"];
    assert_eq!(repair.arn, "arn:aws:ecs:eu-west-1:111122223333:cluster/ops");
    assert_eq!(
        repair.ecs_task.as_ref().unwrap().task_definition_arn,
        "arn:aws:ecs:eu-west-1:111122223333:task-definition/watchpost-apply:7"
    );
    let Some(Change {
        spec: Spec::Role(spec),
        ..
    }) = plan.changes.iter().find(|c| c.id == role)
    else {
        panic!("the repair role is planned")
    };
    let policy = &spec.inline_policies["run-repair-task"];
    let run_task = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Action"] == "ecs:RunTask")
        .unwrap();
    assert_eq!(
        run_task["Resource"],
        "arn:aws:ecs:eu-west-1:111122223333:task-definition/watchpost-apply:7"
    );
}

/// The tamper rules watch every role and bucket of watchpost's the baseline has: the support
/// role and the access logs' bucket among them.
#[test]
fn the_tamper_rules_watch_the_support_role_and_the_access_logs_bucket() {
    let baseline = baseline_at_home(
        "us-east-1",
        "[cloudtrail]\n[log_bucket.access_logs]\n[alerts]\nemails = [\"sec@example.com\"]\n\
         [tamper_alerts]\n[support_role]\n",
    );
    let plan = plan(&baseline, &empty_account());
    let watched = |name: &str, parameter: &str| -> Vec<String> {
        let Some(Change {
            spec: Spec::EventRule(spec),
            ..
        }) = plan.changes.iter().find(|c| {
            c.id.kind == Kind::TamperRule && c.id.region == "us-east-1" && c.id.name == name
        })
        else {
            panic!("{name} is planned")
        };
        spec.event_pattern["detail"]["requestParameters"][parameter]
            .as_array()
            .unwrap()
            .iter()
            .map(|value| value.as_str().unwrap().to_owned())
            .collect()
    };
    assert!(watched("watchpost-tamper-iam", "roleName").contains(&"watchpost-support".to_owned()));
    assert_eq!(
        watched("watchpost-tamper-s3", "bucketName"),
        [
            "watchpost-logs-111122223333-us-east-1",
            "watchpost-access-logs-111122223333-us-east-1"
        ]
    );
}
