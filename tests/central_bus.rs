//! `[alerts] central_bus` against moto: a fleet of three accounts, the third the security
//! account that holds the bus. Each account's forward rules and role are read back, and the bus's
//! policy and rules; the central sign-in rule, as read back, is replayed on sign-ins of two
//! accounts (see `support/src/replay.rs`: moto delivers nothing to SNS); a second plan finds
//! nothing to do; destroy takes away the bus's statements watchpost wrote and none other.

use aws_sdk_eventbridge::Client as Events;
use support::json::{find_statement, statement, statements};
use support::replay::{Replay, replayed_messages};
use support::{Moto, REGION, Watchpost, write_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const FIRST: &str = "111111111111";
const SECOND: &str = "222222222222";
const SECURITY: &str = "333333333333";
const BUS_NAME: &str = "watchpost-alerts";
const BUS: &str = "arn:aws:events:us-east-1:333333333333:event-bus/watchpost-alerts";
const SIGNIN_RULE: &str = "watchpost-console-signin";
const FORWARD_ROLE: &str = "watchpost-alert-forwarding";
/// A statement of the bus's policy that someone else wrote, which watchpost must leave.
const THEIRS: &str = "someone-elses-partner";

fn baseline() -> String {
    format!(
        r#"
[scope]
regions = ["us-east-1"]
home_region = "us-east-1"

[accounts]
ids = ["{FIRST}", "{SECOND}", "{SECURITY}"]

[guardduty]
[guardduty.finding_alerts]
min_severity = 7

[cloudtrail]

[alarms]
[alarms.filters]
root-account-use = {{}}

[alerts]
emails = ["security@example.com", "soc@example.com"]
central_bus = "{BUS}"

[signin_notification]

[tamper_alerts]
"#
    )
}

async fn events_in(moto: &Moto, account: &str, region: &str) -> Events {
    Events::new(&moto.sdk_config_in(account, region).await)
}

/// The targets of the rule `rule` on the default bus of `account` in `region`.
async fn targets_of(
    moto: &Moto,
    account: &str,
    region: &str,
    rule: &str,
) -> Vec<aws_sdk_eventbridge::types::Target> {
    let listed = events_in(moto, account, region)
        .await
        .list_targets_by_rule()
        .rule(rule)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{rule} in {account} {region}: {e:?}"));
    listed.targets().to_vec()
}

/// The policy of the bus of `security`, as EventBridge returns it; `null` when it has none.
async fn bus_policy(moto: &Moto, security: &str) -> serde_json::Value {
    let bus = events_in(moto, security, REGION)
        .await
        .describe_event_bus()
        .name(BUS_NAME)
        .send()
        .await
        .unwrap();
    bus.policy()
        .map(|text| serde_json::from_str(text).unwrap())
        .unwrap_or_default()
}

fn sids(policy: &serde_json::Value) -> Vec<String> {
    let mut sids: Vec<String> = statements(policy)
        .into_iter()
        .map(|statement| statement["Sid"].as_str().unwrap().to_owned())
        .collect();
    sids.sort();
    sids
}

/// A root sign-in to `account`, as CloudTrail records it.
fn root_signin(account: &str) -> serde_json::Value {
    serde_json::json!({
        "eventName": "ConsoleLogin",
        "userIdentity": {"type": "Root", "arn": format!("arn:aws:iam::{account}:root"), "principalId": account},
        "sourceIPAddress": "198.51.100.7",
        "responseElements": {"ConsoleLogin": "Success"},
        "additionalEventData": {"MFAUsed": "Yes"}
    })
}

#[tokio::test]
async fn every_account_forwards_to_the_one_bus_which_admits_the_fleet_and_raises_the_email() {
    let moto = Moto::start(WATCHPOST);
    // The security team made the bus already and lets a partner account in.
    let security = events_in(&moto, SECURITY, REGION).await;
    security
        .create_event_bus()
        .name(BUS_NAME)
        .send()
        .await
        .unwrap();
    security
        .put_permission()
        .event_bus_name(BUS_NAME)
        .action("events:PutEvents")
        .principal("444444444444")
        .statement_id(THEIRS)
        .send()
        .await
        .unwrap();
    let baseline = write_baseline(&baseline());
    let path = baseline.path_str();

    let apply = moto.apply_approved(path);
    apply.assert_success();
    apply.assert_stdout_has(&[
        "note: alerts of this account are forwarded to the central bus",
        "no alert topic or subscriptions of its own",
        "note: this is the security account of the central bus",
        "Apply complete in 3 of 3 account(s).",
    ]);

    // Each account forwards its sign-ins (here and in the regions AWS records them in
    // whatever the scope), its findings and its alarms' state changes to the bus, through its
    // own role, which may put events on that bus alone.
    for account in [FIRST, SECOND, SECURITY] {
        for (region, rule) in [
            (REGION, SIGNIN_RULE),
            ("us-east-2", SIGNIN_RULE),
            (REGION, "watchpost-guardduty-findings"),
            (REGION, "watchpost-alarm-state"),
        ] {
            let targets = targets_of(&moto, account, region, rule).await;
            assert_eq!(targets.len(), 1, "{account} {region} {rule}");
            assert_eq!(targets[0].id(), "watchpost-central-bus");
            assert_eq!(targets[0].arn(), BUS);
            assert_eq!(
                targets[0].role_arn(),
                Some(format!("arn:aws:iam::{account}:role/{FORWARD_ROLE}").as_str())
            );
            assert!(
                targets[0].input_transformer().is_none(),
                "the event as it is"
            );
        }
        let role = moto.role_in(account, FORWARD_ROLE).await;
        let trust = role.trust_policy_json();
        let assume = find_statement(&trust, "EventBridge assumes the role", |s| {
            s["Principal"]["Service"] == "events.amazonaws.com"
        });
        assert_eq!(
            assume["Condition"]["StringEquals"]["aws:SourceAccount"],
            account
        );
        let forward = role.inline_policy_json("forward-alerts-to-central-bus");
        let put = &statements(&forward)[0];
        assert_eq!(put["Action"], "events:PutEvents");
        assert_eq!(put["Resource"], BUS);
    }
    for account in [FIRST, SECOND] {
        let sns = aws_sdk_sns::Client::new(&moto.sdk_config_in(account, REGION).await);
        let topics = sns.list_topics().send().await.unwrap();
        assert!(
            topics.topics().is_empty(),
            "{account} has no topic of its own"
        );
    }

    // The bus admits the two other accounts, by statements of watchpost's own, and keeps the
    // partner's; the security account's rules need none.
    let policy = bus_policy(&moto, SECURITY).await;
    assert_eq!(
        sids(&policy),
        [
            THEIRS.to_owned(),
            format!("watchpost-alerts-{FIRST}"),
            format!("watchpost-alerts-{SECOND}"),
        ]
    );
    for account in [FIRST, SECOND] {
        let sid = format!("watchpost-alerts-{account}");
        let admits = statement(&policy, &sid);
        assert_eq!(admits["Effect"], "Allow");
        assert_eq!(
            admits["Principal"]["AWS"],
            format!("arn:aws:iam::{account}:root")
        );
        assert_eq!(admits["Action"], "events:PutEvents");
        assert_eq!(admits["Resource"], BUS);
    }

    // On the bus, one rule per kind of alert raises the email through the one topic, to which
    // each address subscribed once for the whole fleet.
    let topic = format!("arn:aws:sns:us-east-1:{SECURITY}:watchpost-security-alerts");
    let rules = security
        .list_rules()
        .event_bus_name(BUS_NAME)
        .send()
        .await
        .unwrap();
    let mut names: Vec<&str> = rules.rules().iter().filter_map(|r| r.name()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "watchpost-alarm-state",
            SIGNIN_RULE,
            "watchpost-drill",
            "watchpost-guardduty-findings",
            "watchpost-tamper-cloudtrail",
            "watchpost-tamper-cloudwatch",
            "watchpost-tamper-events",
            "watchpost-tamper-guardduty",
            "watchpost-tamper-iam",
            "watchpost-tamper-logs",
            "watchpost-tamper-s3",
            "watchpost-tamper-sns",
        ]
    );
    let central_targets = security
        .list_targets_by_rule()
        .rule(SIGNIN_RULE)
        .event_bus_name(BUS_NAME)
        .send()
        .await
        .unwrap();
    let central_target = &central_targets.targets()[0];
    assert_eq!(central_target.arn(), topic);
    let sns = aws_sdk_sns::Client::new(&moto.sdk_config_in(SECURITY, REGION).await);
    let subscriptions = sns
        .list_subscriptions_by_topic()
        .topic_arn(&topic)
        .send()
        .await
        .unwrap();
    let mut emails: Vec<&str> = subscriptions
        .subscriptions()
        .iter()
        .filter_map(|s| s.endpoint())
        .collect();
    emails.sort_unstable();
    assert_eq!(emails, ["security@example.com", "soc@example.com"]);

    // The central rule, as read back, on sign-ins of two accounts: each message names the
    // account the event came from.
    let central_rule = security
        .describe_rule()
        .name(SIGNIN_RULE)
        .event_bus_name(BUS_NAME)
        .send()
        .await
        .unwrap();
    let pattern = central_rule.event_pattern().unwrap();
    let transformer = central_target.input_transformer().unwrap();
    for account in [FIRST, SECOND] {
        Replay::set_up_in(&moto, account, REGION, pattern, transformer)
            .await
            .put(
                "aws.signin",
                "AWS Console Sign In via CloudTrail",
                &root_signin(account),
            )
            .await;
    }
    let messages = replayed_messages(&moto);
    assert_eq!(
        messages,
        [FIRST, SECOND].map(|account| format!(
            "AWS console sign-in (Success) to account {account}, recorded in us-east-1: Root arn:aws:iam::{account}:root (user name <user_name>, principal {account}) from 198.51.100.7 at {}, MFA used: Yes.",
            time_of(&messages, account)
        ))
    );

    moto.plan_exitcode(path).assert_code(0);

    // Destroy takes away what watchpost wrote: its statements, its rules on the bus; the bus
    // itself and the partner's statement were not its own.
    moto.destroy_approved(path, &[]).assert_success();
    assert_eq!(sids(&bus_policy(&moto, SECURITY).await), [THEIRS]);
    let left = security
        .list_rules()
        .event_bus_name(BUS_NAME)
        .send()
        .await
        .unwrap();
    assert!(left.rules().is_empty(), "{:?}", left.rules());
    let forward_left = events_in(&moto, FIRST, REGION)
        .await
        .describe_rule()
        .name(SIGNIN_RULE)
        .send()
        .await;
    assert!(forward_left.is_err(), "the member's forward rule is gone");
}

/// The time EventBridge stamped on the replayed event of `account`, which the message quotes.
fn time_of(messages: &[String], account: &str) -> String {
    let message = messages
        .iter()
        .find(|message| message.contains(&format!("to account {account},")))
        .unwrap_or_else(|| panic!("a message of {account} in {messages:#?}"));
    message
        .split(" at ")
        .nth(1)
        .and_then(|rest| rest.split(", MFA").next())
        .unwrap()
        .to_owned()
}

#[test]
fn a_central_bus_outside_the_home_region_is_refused_with_the_fix() {
    let baseline = write_baseline(&baseline().replace(
        "events:us-east-1:333333333333",
        "events:eu-west-1:333333333333",
    ));
    let run = WATCHPOST.run(&["validate", "--baseline", baseline.path_str()], &[]);
    run.assert_code(1).assert_stderr_has(&[
        "error: central_bus is in `eu-west-1`, not in the home region `us-east-1`",
        "put the bus in us-east-1 (arn:aws:events:us-east-1:333333333333:event-bus/watchpost-alerts), or make eu-west-1 scope.home_region",
    ]);
}

#[test]
fn notify_is_refused_as_the_accounts_have_no_topic_of_their_own() {
    let baseline = write_baseline(&baseline());
    let run = WATCHPOST.run(
        &[
            "apply",
            "--baseline",
            baseline.path_str(),
            "--notify",
            "--auto-approve",
        ],
        &[],
    );
    run.assert_code(1).assert_stderr_has(&[
        "error: --notify publishes to each account's alert topic, and with [alerts] central_bus the accounts of the fleet have none",
    ]);
}

#[tokio::test]
async fn an_organization_is_admitted_by_its_id_in_one_statement() {
    let moto = Moto::start(WATCHPOST);
    let (organization_id, members) = moto.create_organization(&["workloads", "security"]).await;
    let security = &members[1];
    let bus = format!("arn:aws:events:us-east-1:{security}:event-bus/{BUS_NAME}");
    let baseline = write_baseline(&format!(
        "[scope]\nregions = [\"us-east-1\"]\nhome_region = \"us-east-1\"\n\
         [accounts]\norganization = true\n\
         [alerts]\nemails = [\"security@example.com\"]\ncentral_bus = \"{bus}\"\n\
         [signin_notification]\n"
    ));
    let path = baseline.path_str();
    moto.apply_approved(path).assert_success();

    let policy = bus_policy(&moto, security).await;
    let admits = statement(&policy, "watchpost-alerts-organization");
    assert_eq!(statements(&policy).len(), 1, "{policy:#}");
    // AWS writes the principal `*`; moto writes it `{"AWS": "arn:aws:iam::*:root"}`, which
    // watchpost reads as the same (docs/aws-behaviour.md, "Where moto differs").
    assert!(
        admits["Principal"] == "*" || admits["Principal"]["AWS"] == "arn:aws:iam::*:root",
        "{admits:#}"
    );
    assert_eq!(admits["Action"], "events:PutEvents");
    assert_eq!(admits["Resource"], bus.as_str());
    assert_eq!(
        admits["Condition"]["StringEquals"]["aws:PrincipalOrgID"],
        organization_id.as_str()
    );
    // Every account of the organization forwards, the management account among them.
    for account in [support::ACCOUNT, members[0].as_str(), security.as_str()] {
        let targets = targets_of(&moto, account, REGION, SIGNIN_RULE).await;
        assert_eq!(targets[0].arn(), bus.as_str(), "{account}");
    }
    moto.plan_exitcode(path).assert_code(0);
}
