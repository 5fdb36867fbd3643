//! AWS Security Hub CSPM (`[security_hub]`, CIS 5.16) end to end: the real binary and the real
//! AWS SDK against moto, whose missing Security Hub calls (standards, tags, the finding
//! aggregator) the test proxy answers as AWS documents them (proxy/src/security_hub.rs). After
//! `apply`, every region in scope has a hub of watchpost's with the standards named at the
//! latest version the region offers, and the home region's aggregator links the others. A hub
//! and an aggregator someone else set up are adopted and added to, never narrowed; a standard
//! disabled by hand is enabled again; `destroy` disables watchpost's hubs only.

use aws_sdk_eventbridge::types::InputTransformer;
use aws_sdk_securityhub::types::{StandardsStatus, StandardsSubscriptionRequest};
use serde_json::{Value, json};
use support::replay::{Replay, replayed_messages};
use support::{ACCOUNT, Moto, Watchpost, write_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const BASELINE: &str = r#"
[scope]
regions = ["us-east-1", "eu-west-1"]
home_region = "us-east-1"

[security_hub]
"#;

const FSBP: &str = "aws-foundational-security-best-practices/v/1.0.0";
const CIS_LATEST: &str = "cis-aws-foundations-benchmark/v/5.0.0";

fn standard(region: &str, path: &str) -> String {
    format!("arn:aws:securityhub:{region}::standards/{path}")
}

async fn securityhub(moto: &Moto, region: &str) -> aws_sdk_securityhub::Client {
    aws_sdk_securityhub::Client::new(&moto.sdk_config(region).await)
}

/// The standards enabled in the region, each with its status, sorted.
async fn enabled_standards(moto: &Moto, region: &str) -> Vec<(String, String)> {
    let answer = securityhub(moto, region)
        .await
        .get_enabled_standards()
        .send()
        .await
        .unwrap();
    let mut standards: Vec<(String, String)> = answer
        .standards_subscriptions()
        .iter()
        .map(|subscription| {
            (
                subscription.standards_arn().unwrap().to_owned(),
                subscription.standards_status().unwrap().as_str().to_owned(),
            )
        })
        .collect();
    standards.sort();
    standards
}

async fn hub_enabled(moto: &Moto, region: &str) -> bool {
    securityhub(moto, region)
        .await
        .describe_hub()
        .send()
        .await
        .is_ok()
}

/// The account's aggregator: its region, linking mode and regions.
async fn aggregator(moto: &Moto) -> Option<(String, String, Vec<String>)> {
    let client = securityhub(moto, "us-east-1").await;
    let listed = client.list_finding_aggregators().send().await.unwrap();
    let arn = listed
        .finding_aggregators()
        .first()?
        .finding_aggregator_arn()?
        .to_owned();
    let read = client
        .get_finding_aggregator()
        .finding_aggregator_arn(&arn)
        .send()
        .await
        .unwrap();
    let mut regions = read.regions().to_vec();
    regions.sort();
    Some((
        read.finding_aggregation_region().unwrap().to_owned(),
        read.region_linking_mode().unwrap().to_owned(),
        regions,
    ))
}

/// Security Hub enabled in both regions by someone else, with AWS's default standards.
async fn enable_hubs_by_hand(moto: &Moto) {
    for region in ["us-east-1", "eu-west-1"] {
        securityhub(moto, region)
            .await
            .enable_security_hub()
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn every_region_checks_the_latest_cis_and_aws_best_practices_into_the_home_region() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    moto.plan_changes(baseline.path_str()).assert_stdout_has(&[
        "+ security_hub/eu-west-1",
        "+ security_hub/us-east-1",
        &standard("us-east-1", CIS_LATEST),
        "+ finding_aggregator/us-east-1",
        "SPECIFIED_REGIONS",
    ]);
    moto.assert_apply_converges(baseline.path_str());
    for region in ["eu-west-1", "us-east-1"] {
        assert_eq!(
            enabled_standards(&moto, region).await,
            [
                (standard(region, FSBP), "READY".to_owned()),
                (standard(region, CIS_LATEST), "READY".to_owned()),
            ],
            "{region}: only the standards named, none of AWS's defaults, each set up"
        );
        let hub_arn = format!("arn:aws:securityhub:{region}:{ACCOUNT}:hub/default");
        let tags = securityhub(&moto, region)
            .await
            .list_tags_for_resource()
            .resource_arn(&hub_arn)
            .send()
            .await
            .unwrap();
        assert_eq!(
            tags.tags().and_then(|tags| tags.get("managed-by")),
            Some(&"watchpost".to_owned()),
            "{region}"
        );
    }
    assert_eq!(
        aggregator(&moto).await,
        Some((
            "us-east-1".to_owned(),
            "SPECIFIED_REGIONS".to_owned(),
            vec!["eu-west-1".to_owned()]
        ))
    );

    // Someone disables a standard in the console: the nightly run enables it again.
    let client = securityhub(&moto, "eu-west-1").await;
    client
        .batch_disable_standards()
        .standards_subscription_arns(format!(
            "arn:aws:securityhub:eu-west-1:{ACCOUNT}:subscription/{CIS_LATEST}"
        ))
        .send()
        .await
        .unwrap();
    moto.plan_changes(baseline.path_str())
        .assert_stdout_has(&["~ security_hub/eu-west-1", "standards"]);
    moto.assert_apply_converges(baseline.path_str());
    assert!(
        enabled_standards(&moto, "eu-west-1")
            .await
            .contains(&(standard("eu-west-1", CIS_LATEST), "READY".to_owned()))
    );

    // destroy disables watchpost's hubs; the aggregator, where everyone reads findings, stays.
    moto.destroy_approved(baseline.path_str(), &["--only", "security_hub"])
        .assert_success();
    for region in ["eu-west-1", "us-east-1"] {
        assert!(!hub_enabled(&moto, region).await, "{region}");
    }
}

#[tokio::test]
async fn a_hub_and_an_aggregator_someone_set_up_are_added_to_never_narrowed_nor_disabled() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    // The security team enabled Security Hub in both regions with AWS's default standards
    // (FSBP and CIS v1.2.0), and pinned PCI DSS in eu-west-1, with an aggregator of theirs
    // linking a region outside watchpost's scope.
    enable_hubs_by_hand(&moto).await;
    securityhub(&moto, "eu-west-1")
        .await
        .batch_enable_standards()
        .standards_subscription_requests(
            StandardsSubscriptionRequest::builder()
                .standards_arn(standard("eu-west-1", "pci-dss/v/3.2.1"))
                .build(),
        )
        .send()
        .await
        .unwrap();
    securityhub(&moto, "us-east-1")
        .await
        .create_finding_aggregator()
        .region_linking_mode("SPECIFIED_REGIONS")
        .regions("ap-south-1")
        .send()
        .await
        .unwrap();
    let cis_1_2 = "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0";
    let theirs_before = enabled_standards(&moto, "eu-west-1").await;
    assert!(
        theirs_before
            .iter()
            .any(|(arn, status)| arn == cis_1_2 && status != StandardsStatus::Deleting.as_str())
    );

    moto.plan_changes(baseline.path_str())
        .assert_stdout_has(&["~ security_hub/eu-west-1", "~ finding_aggregator/us-east-1"]);
    moto.assert_apply_converges(baseline.path_str());
    let standards: Vec<String> = enabled_standards(&moto, "eu-west-1")
        .await
        .into_iter()
        .map(|(arn, _)| arn)
        .collect();
    assert_eq!(
        standards,
        [
            cis_1_2.to_owned(),
            standard("eu-west-1", FSBP),
            standard("eu-west-1", CIS_LATEST),
            standard("eu-west-1", "pci-dss/v/3.2.1"),
        ],
        "theirs kept, the latest CIS added"
    );
    assert_eq!(
        aggregator(&moto).await,
        Some((
            "us-east-1".to_owned(),
            "SPECIFIED_REGIONS".to_owned(),
            vec!["ap-south-1".to_owned(), "eu-west-1".to_owned()]
        )),
        "widened to the region in scope, theirs kept"
    );

    // Their hubs are not watchpost's to disable.
    moto.destroy_approved(baseline.path_str(), &["--only", "security_hub"])
        .assert_success();
    for region in ["eu-west-1", "us-east-1"] {
        assert!(hub_enabled(&moto, region).await, "{region}");
    }
}

#[tokio::test]
async fn an_aggregator_in_another_region_is_left_where_it_is_and_the_plan_says_so() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    enable_hubs_by_hand(&moto).await;
    let client = securityhub(&moto, "eu-west-1").await;
    client
        .create_finding_aggregator()
        .region_linking_mode("ALL_REGIONS")
        .send()
        .await
        .unwrap();
    moto.plan_changes(baseline.path_str()).assert_stdout_has(&[
        "findings are aggregated into eu-west-1, not the home region us-east-1",
    ]);
    moto.assert_apply_converges(baseline.path_str());
    let read = client.list_finding_aggregators().send().await.unwrap();
    assert_eq!(read.finding_aggregators().len(), 1, "no second aggregator");
}

/// A finding as Security Hub sends it to EventBridge (`Security Hub Findings - Imported`, one
/// finding an event), trimmed to what the rule and the message read.
fn imported(title: &str, label: &str, product: &str, workflow: &str) -> Value {
    json!({"findings": [{
        "AwsAccountId": ACCOUNT,
        "Region": "eu-west-1",
        "Id": format!("arn:aws:securityhub:eu-west-1:{ACCOUNT}:security-control/IAM.6/finding/{title}"),
        "ProductName": product,
        "Title": title,
        "Description": "The root user should have hardware MFA.",
        "Severity": {"Label": label},
        "Workflow": {"Status": workflow},
        "RecordState": "ACTIVE",
        "Resources": [{"Id": format!("AWS::::Account:{ACCOUNT}")}]
    }]})
}

#[tokio::test]
async fn new_high_and_critical_findings_of_every_region_reach_the_alert_topic_from_the_home_region()
{
    let baseline = write_baseline(&format!(
        "{BASELINE}[security_hub.finding_alerts]\n[guardduty]\n[guardduty.finding_alerts]\n[alerts]\nemails = [\"security@example.com\"]\n"
    ));
    let moto = Moto::start(WATCHPOST);
    moto.plan_changes(baseline.path_str())
        .assert_stdout_has(&["+ hub_finding_rule/us-east-1/watchpost-securityhub-findings"]);
    moto.assert_apply_converges(baseline.path_str());
    let home = aws_sdk_eventbridge::Client::new(&moto.sdk_config("us-east-1").await);
    let other = aws_sdk_eventbridge::Client::new(&moto.sdk_config("eu-west-1").await);
    let rule_name = "watchpost-securityhub-findings";
    assert!(
        other.describe_rule().name(rule_name).send().await.is_err(),
        "the findings of eu-west-1 are aggregated into us-east-1: no rule of its own"
    );
    let rule = home.describe_rule().name(rule_name).send().await.unwrap();
    let targets = home
        .list_targets_by_rule()
        .rule(rule_name)
        .send()
        .await
        .unwrap();
    let [target] = targets.targets() else {
        panic!("one target: {targets:?}")
    };
    assert_eq!(
        target.arn(),
        format!("arn:aws:sns:us-east-1:{ACCOUNT}:watchpost-security-alerts")
    );

    // moto's EventBridge does not walk into an array of objects, as AWS does, to match a
    // pattern (Security Hub sends each finding as the one object of `detail.findings`): the
    // pattern is replayed on the finding as that object, the message on the event as sent.
    let title_only = InputTransformer::builder()
        .input_paths_map("title", "$.detail.findings.Title")
        .input_template("\"<title>\"")
        .build()
        .unwrap();
    let replay = Replay::set_up(
        &moto,
        "us-east-1",
        rule.event_pattern().unwrap(),
        &title_only,
    )
    .await;
    for finding in [
        imported("critical-new", "CRITICAL", "Security Hub", "NEW"),
        imported("high-new", "HIGH", "Security Hub", "NEW"),
        imported("medium-new", "MEDIUM", "Security Hub", "NEW"),
        imported("critical-notified", "CRITICAL", "Security Hub", "NOTIFIED"),
        imported("guardduty-high", "HIGH", "GuardDuty", "NEW"),
    ] {
        let mut as_moto_matches = finding.clone();
        as_moto_matches["findings"] = finding["findings"][0].clone();
        replay
            .put(
                "aws.securityhub",
                "Security Hub Findings - Imported",
                &as_moto_matches,
            )
            .await;
    }
    assert_eq!(
        replayed_messages(&moto),
        ["critical-new", "high-new"],
        "a medium finding, one already triaged and GuardDuty's own (its rule sends those) send nothing"
    );

    let replay = Replay::set_up(
        &moto,
        "us-east-1",
        r#"{"source": ["aws.securityhub"]}"#,
        target.input_transformer().unwrap(),
    )
    .await;
    replay
        .put(
            "aws.securityhub",
            "Security Hub Findings - Imported",
            &imported("root-mfa", "CRITICAL", "Security Hub", "NEW"),
        )
        .await;
    assert!(
        replayed_messages(&moto).contains(&format!(
            "Security Hub finding (CRITICAL) from Security Hub in account {ACCOUNT}, region eu-west-1: root-mfa. The root user should have hardware MFA. Resource: AWS::::Account:{ACCOUNT}. Finding: arn:aws:securityhub:eu-west-1:{ACCOUNT}:security-control/IAM.6/finding/root-mfa. Details: https://console.aws.amazon.com/securityhub/home?region=eu-west-1#/findings"
        )),
        "{:?}",
        replayed_messages(&moto)
    );
}
