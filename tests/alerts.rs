//! The trail, the alerts and the alarms end to end: the real binary and the real AWS SDK
//! against a moto server. Alarms going through moto here is also what holds the CloudWatch
//! crate to the Query protocol that moto speaks (see Cargo.toml).

use std::collections::BTreeMap;

use support::json::{statement, statements};
use support::{ACCOUNT, Moto, REGION, Watchpost, write_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const BUCKET: &str = "watchpost-logs-123456789012-eu-west-1";
const HOME: &str = "eu-west-1";

/// A home region other than us-east-1, so that the sign-in rules' placement is visible.
const BASELINE: &str = r#"
[scope]
regions = ["eu-west-1", "us-east-1"]
home_region = "eu-west-1"

[cloudtrail]
name = "org-trail"
log_retention_days = 90

[alerts]
emails = ["security@example.com", "oncall@example.org"]

[signin_notification]
events = "failures"

[alarms]
threshold = 1
[alarms.filters]
console-signin-failures = {}
unauthorized-api-calls = { threshold = 5, period_seconds = 600 }
trail-changes = { pattern = '{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) }' }
"#;

/// The metric filters on the trail's log group in the home region, by name.
async fn metric_filters(
    moto: &Moto,
) -> BTreeMap<String, aws_sdk_cloudwatchlogs::types::MetricFilter> {
    let logs = aws_sdk_cloudwatchlogs::Client::new(&moto.sdk_config(HOME).await);
    let filters = logs
        .describe_metric_filters()
        .log_group_name("watchpost-cloudtrail")
        .send()
        .await
        .unwrap();
    filters
        .metric_filters()
        .iter()
        .map(|f| (f.filter_name().unwrap().to_owned(), f.clone()))
        .collect()
}

/// The ARN of the alert topic of `region`.
fn alert_topic(region: &str) -> String {
    format!("arn:aws:sns:{region}:{ACCOUNT}:watchpost-security-alerts")
}

/// The addresses subscribed to the alert topic of `region`, sorted.
async fn emails(moto: &Moto, region: &str) -> Vec<String> {
    moto.subscribed_endpoints(region, &alert_topic(region))
        .await
}

#[tokio::test]
async fn apply_from_empty_sets_up_trail_alerts_and_alarms() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let path = baseline.path_str();

    let before = moto.plan_changes(path);
    before.assert_stdout_has(&["+ signin_rule/us-east-1/watchpost-console-signin"]);
    assert!(
        before.stdout.contains(
            "signin_rule/us-east-2/watchpost-console-signin is placed outside scope.regions"
        ),
        "the plan says why a rule is outside the regions in scope:\n{}",
        before.stdout
    );
    assert!(
        before
            .stdout
            .contains("AWS will email security@example.com a confirmation link")
    );

    moto.apply_approved(path).assert_success();

    let config = moto.sdk_config(HOME).await;
    let cloudtrail = aws_sdk_cloudtrail::Client::new(&config);
    let trails = cloudtrail
        .describe_trails()
        .trail_name_list("org-trail")
        .send()
        .await
        .unwrap();
    let trail = &trails.trail_list()[0];
    assert_eq!(trail.s3_bucket_name(), Some(BUCKET));
    assert_eq!(trail.is_multi_region_trail(), Some(true));
    assert_eq!(trail.include_global_service_events(), Some(true));
    assert_eq!(trail.log_file_validation_enabled(), Some(true));
    assert_eq!(
        trail.cloud_watch_logs_role_arn(),
        Some("arn:aws:iam::123456789012:role/watchpost-cloudtrail-logs")
    );
    let status = cloudtrail
        .get_trail_status()
        .name("org-trail")
        .send()
        .await
        .unwrap();
    assert_eq!(status.is_logging(), Some(true));

    let policy = moto.bucket_policy(HOME, BUCKET).await;
    let write = statement(&policy, "AWSCloudTrailWrite");
    assert_eq!(
        write["Condition"]["StringEquals"]["aws:SourceArn"],
        "arn:aws:cloudtrail:eu-west-1:123456789012:trail/org-trail"
    );

    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let groups = logs
        .describe_log_groups()
        .log_group_name_prefix("watchpost-cloudtrail")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.log_groups()[0].retention_in_days(), Some(90));
    let filters = metric_filters(&moto).await;
    assert_eq!(
        filters.keys().collect::<Vec<_>>(),
        [
            "console-signin-failures",
            "trail-changes",
            "unauthorized-api-calls"
        ]
    );
    assert!(
        filters["console-signin-failures"]
            .filter_pattern()
            .unwrap()
            .contains("\"Failed authentication\"")
    );

    let cloudwatch = aws_sdk_cloudwatch::Client::new(&config);
    let alarms = cloudwatch
        .describe_alarms()
        .alarm_names("unauthorized-api-calls")
        .send()
        .await
        .unwrap();
    let alarm = &alarms.metric_alarms()[0];
    assert_eq!(alarm.threshold(), Some(5.0));
    assert_eq!(alarm.period(), Some(600));
    assert_eq!(
        alarm.alarm_actions(),
        ["arn:aws:sns:eu-west-1:123456789012:watchpost-security-alerts"]
    );

    // The sign-in rule of us-east-1 forwards to the home region, whose rule raises the mail.
    let events = aws_sdk_eventbridge::Client::new(&moto.sdk_config(REGION).await);
    let rule = events
        .describe_rule()
        .name("watchpost-console-signin")
        .send()
        .await
        .unwrap();
    let pattern: serde_json::Value = serde_json::from_str(rule.event_pattern().unwrap()).unwrap();
    assert_eq!(pattern["source"], serde_json::json!(["aws.signin"]));
    assert_eq!(
        pattern["detail"]["responseElements"]["ConsoleLogin"],
        serde_json::json!(["Failure"])
    );
    let targets = moto
        .rule_target_arns(REGION, "watchpost-console-signin")
        .await;
    assert_eq!(
        targets[0],
        "arn:aws:events:eu-west-1:123456789012:event-bus/default"
    );
    let home_targets = moto
        .rule_target_arns(HOME, "watchpost-console-signin")
        .await;
    assert_eq!(
        home_targets[0],
        "arn:aws:sns:eu-west-1:123456789012:watchpost-security-alerts"
    );
    let topics_elsewhere = moto.topic_arns(REGION).await;
    assert!(
        topics_elsewhere.is_empty(),
        "no topic, so no subscription to confirm, outside the home region"
    );

    for region in [HOME] {
        assert_eq!(
            emails(&moto, region).await,
            ["oncall@example.org", "security@example.com"]
        );
        let policy = moto.topic_policy(region, &alert_topic(region)).await;
        let publishers: Vec<&serde_json::Value> = statements(&policy)
            .into_iter()
            .filter(|s| s["Action"] == "sns:Publish")
            .collect();
        assert_eq!(publishers.len(), 2);
        for statement in publishers {
            assert_eq!(
                statement["Condition"]["StringEquals"]["aws:SourceAccount"],
                ACCOUNT
            );
        }
    }

    moto.assert_no_changes(path);
}

#[tokio::test]
async fn drift_in_the_trail_the_rule_the_alarms_and_subscriptions_is_repaired() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, BASELINE);
    let path = baseline.path_str();

    let config = moto.sdk_config(HOME).await;
    aws_sdk_cloudtrail::Client::new(&config)
        .stop_logging()
        .name("org-trail")
        .send()
        .await
        .unwrap();
    let events = aws_sdk_eventbridge::Client::new(&moto.sdk_config(REGION).await);
    events
        .remove_targets()
        .rule("watchpost-console-signin")
        .ids("watchpost-home-bus")
        .send()
        .await
        .unwrap();
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&config);
    let alarm = cloudwatch
        .describe_alarms()
        .alarm_names("console-signin-failures")
        .send()
        .await
        .unwrap();
    let alarm = &alarm.metric_alarms()[0];
    cloudwatch
        .put_metric_alarm()
        .alarm_name("console-signin-failures")
        .namespace(alarm.namespace().unwrap())
        .metric_name(alarm.metric_name().unwrap())
        .statistic(alarm.statistic().unwrap().clone())
        .period(alarm.period().unwrap())
        .evaluation_periods(alarm.evaluation_periods().unwrap())
        .threshold(50.0)
        .comparison_operator(alarm.comparison_operator().unwrap().clone())
        .set_alarm_actions(Some(alarm.alarm_actions().to_vec()))
        .send()
        .await
        .unwrap();
    let sns = aws_sdk_sns::Client::new(&config);
    let subscriptions = sns
        .list_subscriptions_by_topic()
        .topic_arn(alert_topic(HOME))
        .send()
        .await
        .unwrap();
    let oncall = subscriptions
        .subscriptions()
        .iter()
        .find(|s| s.endpoint() == Some("oncall@example.org"))
        .unwrap();
    sns.unsubscribe()
        .subscription_arn(oncall.subscription_arn().unwrap())
        .send()
        .await
        .unwrap();

    moto.plan_changes(path).assert_stdout_has(&[
        "~ cloudtrail_trail/eu-west-1/org-trail\n      logging: false → true",
        "~ signin_rule/us-east-1/watchpost-console-signin\n      targets.watchpost-home-bus: (none) → ",
        "~ metric_alarm/eu-west-1/console-signin-failures\n",
        "      threshold: 50.0 → 1.0\n",
        "+ alert_subscription/eu-west-1/oncall@example.org",
        "Plan: 1 to add, 3 to change, 0 to destroy.",
    ]);
    moto.assert_apply_converges(path);
    assert_eq!(
        emails(&moto, HOME).await,
        ["oncall@example.org", "security@example.com"]
    );
}

#[tokio::test]
async fn spacing_in_a_live_filter_pattern_is_not_drift() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, BASELINE);
    let path = baseline.path_str();
    let logs = aws_sdk_cloudwatchlogs::Client::new(&moto.sdk_config(HOME).await);
    logs.put_metric_filter()
        .log_group_name("watchpost-cloudtrail")
        .filter_name("trail-changes")
        .filter_pattern("{($.eventName=StopLogging)||($.eventName=DeleteTrail)}")
        .metric_transformations(
            aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
                .metric_name("trail-changes")
                .metric_namespace("Watchpost")
                .metric_value("1")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    moto.plan_exitcode(path).assert_code(0);
}

#[test]
fn bad_alert_settings_are_refused_with_their_place() {
    let baseline = write_baseline(
        "[scope]\nregions = [\"us-east-1\"]\nhome_region = \"us-east-1\"\n\
         [cloudtrail]\n\
         [alerts]\nemails = [\"security@example\", \"not an email\"]\n\
         [signin_notification]\nevents = \"failed\"\n\
         [alarms.filters]\nmine = { pattern = '{ ($.eventName = DeleteTrail }' }\n",
    );
    let run = WATCHPOST.run(&["validate", "--baseline", baseline.path_str()], &[]);
    run.assert_code(1);
    run.assert_stderr_has(&[
        ":6:11", // the first email
        "`security@example` is not an email address",
        "`not an email` is not an email address",
        "unknown sign-in event option `failed`",
        "invalid filter pattern: `}` closes nothing",
        "4 problems in",
    ]);
}

/// The CIS monitoring set as the recommended baseline lists it.
const CIS_SET: [&str; 15] = [
    "unauthorized-api-calls",
    "console-signin-without-mfa",
    "root-account-use",
    "iam-policy-changes",
    "cloudtrail-changes",
    "console-signin-failures",
    "kms-key-disable-or-deletion",
    "s3-bucket-policy-changes",
    "aws-config-changes",
    "security-group-changes",
    "network-acl-changes",
    "network-gateway-changes",
    "route-table-changes",
    "vpc-changes",
    "organizations-changes",
];

#[tokio::test]
async fn the_cis_monitoring_set_makes_fifteen_filters_and_alarms_and_converges() {
    let moto = Moto::start(WATCHPOST);
    let filters: String = CIS_SET
        .iter()
        .map(|name| format!("{name} = {{}}\n"))
        .collect();
    let baseline = write_baseline(&format!(
        "[scope]\nregions = [\"eu-west-1\"]\nhome_region = \"eu-west-1\"\n\
         [cloudtrail]\n[alerts]\nemails = [\"security@example.com\"]\n\
         [alarms]\n[alarms.filters]\n{filters}"
    ));
    let path = baseline.path_str();
    let before = moto.plan_changes(path);
    // The bucket, the trail, its log group and role, the topic and the subscription; then a
    // filter and an alarm per control.
    before.assert_stdout_has(&["Plan: 37 to add, 0 to change, 0 to destroy."]);
    moto.apply_approved(path).assert_success();

    let filters = metric_filters(&moto).await;
    let mut expected = CIS_SET.to_vec();
    expected.sort_unstable();
    assert_eq!(filters.keys().collect::<Vec<_>>(), expected);
    let events_named = |name: &str| {
        filters[name]
            .filter_pattern()
            .unwrap()
            .matches("$.eventName = ")
            .count()
    };
    assert!(
        filters["organizations-changes"]
            .filter_pattern()
            .unwrap()
            .contains("($.eventSource = organizations.amazonaws.com)")
    );
    assert_eq!(events_named("organizations-changes"), 21);
    assert_eq!(events_named("route-table-changes"), 7);

    let config = moto.sdk_config(HOME).await;
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&config);
    let alarms = cloudwatch.describe_alarms().send().await.unwrap();
    let mut alarm_names: Vec<&str> = alarms
        .metric_alarms()
        .iter()
        .filter(|a| a.namespace() == Some("Watchpost"))
        .map(|a| {
            assert_eq!(
                a.alarm_actions(),
                ["arn:aws:sns:eu-west-1:123456789012:watchpost-security-alerts"]
            );
            assert_eq!(a.metric_name(), a.alarm_name());
            a.alarm_name().unwrap()
        })
        .collect();
    alarm_names.sort_unstable();
    assert_eq!(alarm_names, expected);
    let kms = alarms
        .metric_alarms()
        .iter()
        .find(|a| a.alarm_name() == Some("kms-key-disable-or-deletion"))
        .unwrap();
    assert!(
        kms.alarm_description()
            .unwrap()
            .starts_with("A customer-managed KMS key was disabled or scheduled for deletion")
    );

    moto.assert_no_changes(path);
}
