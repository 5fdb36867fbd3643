//! Removing something from the baseline deletes it only if watchpost made it; what someone
//! else made beside it survives, and the plan says so.

use aws_sdk_config::types::{ConfigRule, Owner, Source};
use support::{Moto, REGION, Watchpost, write_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const FULL: &str = r#"
[scope]
regions = ["us-east-1"]
home_region = "us-east-1"
[config.rules]
restricted-ssh = {}
eip-attached = {}
[cloudtrail]
[alerts]
emails = ["a@example.com", "b@example.com"]
[alarms.filters]
console-signin-failures = {}
root-account-use = {}
"#;

#[tokio::test]
async fn removal_deletes_only_what_watchpost_made() {
    let (moto, _full) = Moto::start_applied(WATCHPOST, FULL);

    // Someone else's rule under a catalog name, and their alarm in watchpost's namespace.
    moto.config(REGION)
        .await
        .put_config_rule()
        .config_rule(
            ConfigRule::builder()
                .config_rule_name("s3-bucket-public-read-prohibited")
                .source(
                    Source::builder()
                        .owner(Owner::Aws)
                        .source_identifier("S3_BUCKET_PUBLIC_READ_PROHIBITED")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    aws_sdk_cloudwatch::Client::new(&moto.sdk_config(REGION).await)
        .put_metric_alarm()
        .alarm_name("their-alarm")
        .namespace("Watchpost")
        .metric_name("console-signin-failures")
        .statistic(aws_sdk_cloudwatch::types::Statistic::Sum)
        .period(60)
        .evaluation_periods(1)
        .threshold(3.0)
        .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap();

    let reduced = write_baseline(
        &FULL
            .replace("eip-attached = {}\n", "")
            .replace("root-account-use = {}\n", "")
            .replace(", \"b@example.com\"", ""),
    );
    let run = moto.plan_changes(reduced.path_str());
    run.assert_stdout_has(&[
        "  - config_rule/us-east-1/eip-attached\n",
        "  - metric_alarm/us-east-1/root-account-use\n",
        "  - metric_filter/us-east-1/root-account-use\n",
        "  - alert_subscription/us-east-1/b@example.com\n",
        "config_rule/us-east-1: leaves alone 1 that watchpost did not make: s3-bucket-public-read-prohibited",
        "metric_alarm/us-east-1: leaves alone 1 that watchpost did not make: their-alarm",
        "Plan: 0 to add, 0 to change, 4 to destroy.",
    ]);

    moto.apply_approved(reduced.path_str()).assert_success();
    assert_eq!(
        moto.config_rule_names(REGION).await,
        ["restricted-ssh", "s3-bucket-public-read-prohibited"]
    );
    assert_eq!(
        moto.alarm_names(REGION).await,
        ["console-signin-failures", "their-alarm"]
    );
    let again = moto.plan_exitcode(reduced.path_str());
    again.assert_code(0);
    assert!(
        again
            .stdout
            .contains("leaves alone 1 that watchpost did not make: their-alarm")
    );
}

#[tokio::test]
async fn a_region_taken_out_of_scope_loses_what_watchpost_made_there() {
    let moto = Moto::start(WATCHPOST);
    let two = r#"
[scope]
regions = ["us-east-1", "eu-west-1"]
home_region = "us-east-1"
[guardduty]
[config.rules]
restricted-ssh = {}
"#;
    // A detector someone enabled in a region the baseline never covered.
    moto.create_detector("eu-central-1", true).await;
    let both = write_baseline(two);
    moto.apply_approved(both.path_str()).assert_success();

    let one = write_baseline(&two.replace(", \"eu-west-1\"", ""));
    let run = moto.plan_changes(one.path_str());
    run.assert_stdout_has(&[
        "  - guardduty_detector/eu-west-1\n",
        "  - config_rule/eu-west-1/restricted-ssh\n",
        "  - config_recording/eu-west-1\n",
        "  - config_delivery_channel/eu-west-1\n",
        "  - config_recorder/eu-west-1\n",
        "Plan: 0 to add, 0 to change, 5 to destroy.",
    ]);
    // watchpost never covered eu-central-1, so its record of covered regions
    // keeps the plan out of that region and away from the detector found there.
    assert!(!run.stdout.contains("eu-central-1"), "{}", run.stdout);
    moto.apply_approved(one.path_str()).assert_success();
    let eu = moto.detector_ids("eu-west-1").await;
    assert!(eu.is_empty());
    let central = moto.detector_ids("eu-central-1").await;
    assert_eq!(central.len(), 1, "the adopted detector stays");
    let recorders = moto.recorder_names("eu-west-1").await;
    assert!(recorders.is_empty());
    moto.plan_exitcode(one.path_str()).assert_code(0);
}
