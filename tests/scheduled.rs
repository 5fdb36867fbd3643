//! The nightly repairer: `--notify` reports repairs to the alert topic.

mod support;

use support::{Moto, REGION, write_baseline};

const BASELINE: &str = r#"
[scope]
regions = ["us-east-1"]
home_region = "us-east-1"
[config.rules]
restricted-ssh = {}
[alerts]
emails = ["security@example.com"]
"#;
const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:watchpost-security-alerts";

#[tokio::test]
async fn notify_reports_a_repair_and_stays_silent_without_drift() {
    let moto = Moto::start();
    let baseline = write_baseline(BASELINE);
    let repair = [
        "apply",
        "--baseline",
        baseline.path_str(),
        "--auto-approve",
        "--notify",
    ];
    moto.watchpost(&repair).assert_success();
    let after_setup = moto.published(TOPIC).len();

    moto.watchpost(&repair).assert_success();
    assert_eq!(
        moto.published(TOPIC).len(),
        after_setup,
        "nothing drifted, nothing sent"
    );

    moto.config(REGION)
        .await
        .delete_config_rule()
        .config_rule_name("restricted-ssh")
        .send()
        .await
        .unwrap();
    moto.watchpost(&repair).assert_success();
    let sent = moto.published(TOPIC);
    assert_eq!(sent.len(), after_setup + 1);
    let (subject, message) = sent.last().unwrap();
    assert_eq!(subject, "watchpost repaired drift in account 123456789012");
    assert!(
        message.contains("1 created, 0 updated, 0 deleted"),
        "{message}"
    );
    assert!(
        message.contains("config_rule/us-east-1/restricted-ssh: repaired"),
        "{message}"
    );
    assert!(
        message.contains("The account matches the baseline again."),
        "{message}"
    );
}
