//! The engine end to end: the real binary and the real AWS SDK against a moto server.

use support::json::statement;
use support::{ACCOUNT, Moto, REGION, Watchpost, write_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const OTHER_REGION: &str = "eu-west-1";
const BUCKET: &str = "watchpost-logs-123456789012-us-east-1";

const BASELINE: &str = r#"
[scope]
regions = ["us-east-1", "eu-west-1"]
home_region = "us-east-1"

[guardduty]
finding_publishing_frequency = "SIX_HOURS"
[guardduty.features]
S3_DATA_EVENTS = true
EBS_MALWARE_PROTECTION = true
RUNTIME_MONITORING = false

[log_bucket]
expire_after_days = 400

[config]
role_name = "watchpost-config"

[config.rules]
restricted-ssh = {}
iam-root-access-key-check = {}
acm-certificate-expiration-check = { daysToExpiration = 30 }
"#;

#[tokio::test]
async fn apply_from_empty_creates_the_baseline_and_replans_empty() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let path = baseline.path_str();

    let before = moto.plan_changes(path);
    before.assert_stdout_has(&[
        "+ guardduty_detector/eu-west-1",
        "Plan: 15 to add, 0 to change, 0 to destroy.",
    ]);

    moto.apply_approved(path).assert_success();

    for region in [REGION, OTHER_REGION] {
        let guardduty = moto.guardduty(region).await;
        let ids = moto.detector_ids(region).await;
        assert_eq!(ids.len(), 1, "one detector in {region}");
        let detector = guardduty
            .get_detector()
            .detector_id(&ids[0])
            .send()
            .await
            .unwrap();
        assert_eq!(detector.status().unwrap().as_str(), "ENABLED");
        assert_eq!(
            detector.finding_publishing_frequency().unwrap().as_str(),
            "SIX_HOURS"
        );
        let features: Vec<(String, String)> = detector
            .features()
            .iter()
            .map(|f| {
                (
                    f.name().unwrap().as_str().into(),
                    f.status().unwrap().as_str().into(),
                )
            })
            .collect();
        assert!(features.contains(&("S3_DATA_EVENTS".into(), "ENABLED".into())));
        assert!(features.contains(&("RUNTIME_MONITORING".into(), "DISABLED".into())));
        // CreateDetector enables every feature its call leaves out (RUNTIME_MONITORING aside),
        // and they are paid: each one the API model knows is sent, those the baseline does not
        // name as disabled; EKS_RUNTIME_MONITORING never, which RUNTIME_MONITORING includes.
        for feature in aws_sdk_guardduty::types::DetectorFeature::values() {
            let sent = features.iter().filter(|(name, _)| name == feature).count();
            if *feature == "EKS_RUNTIME_MONITORING" {
                assert_eq!(sent, 0, "{features:?}");
                continue;
            }
            assert_eq!(sent, 1, "{feature} is sent once in {region}: {features:?}");
        }
        for unnamed in ["EKS_AUDIT_LOGS", "AI_PROTECTION", "AI_ANALYST"] {
            assert!(
                features.contains(&(unnamed.into(), "DISABLED".into())),
                "{features:?}"
            );
        }

        let config = moto.config(region).await;
        let recorders = config
            .describe_configuration_recorders()
            .send()
            .await
            .unwrap();
        let recorder = &recorders.configuration_recorders()[0];
        assert_eq!(
            recorder.role_arn(),
            Some("arn:aws:iam::123456789012:role/watchpost-config")
        );
        let group = recorder.recording_group().unwrap();
        assert!(group.all_supported());
        assert_eq!(group.include_global_resource_types(), region == REGION);
        let status = config
            .describe_configuration_recorder_status()
            .send()
            .await
            .unwrap();
        assert!(status.configuration_recorders_status()[0].recording());
        let channels = config.describe_delivery_channels().send().await.unwrap();
        assert_eq!(
            channels.delivery_channels()[0].s3_bucket_name(),
            Some(BUCKET)
        );
        let rules = config.describe_config_rules().send().await.unwrap();
        let mut names: Vec<&str> = rules
            .config_rules()
            .iter()
            .filter_map(|r| r.config_rule_name())
            .collect();
        names.sort();
        if region == REGION {
            assert_eq!(
                names,
                [
                    "acm-certificate-expiration-check",
                    "iam-root-access-key-check",
                    "restricted-ssh"
                ]
            );
        } else {
            assert_eq!(
                names,
                ["acm-certificate-expiration-check", "restricted-ssh"]
            );
        }
        let ssh = rules
            .config_rules()
            .iter()
            .find(|r| r.config_rule_name() == Some("restricted-ssh"))
            .unwrap();
        assert_eq!(
            ssh.source().unwrap().source_identifier(),
            Some("INCOMING_SSH_DISABLED")
        );
    }

    let s3 = moto.s3(REGION).await;
    let block = moto.public_access_block(REGION, BUCKET).await;
    let block = block.expect("the log bucket has a public access block");
    assert_eq!(block.block_public_acls(), Some(true));
    assert_eq!(block.restrict_public_buckets(), Some(true));
    let versioning = moto.bucket_versioning(REGION, BUCKET).await;
    assert_eq!(versioning.as_deref(), Some("Enabled"));
    let rule = moto.bucket_encryption(REGION, BUCKET).await;
    assert_eq!(
        rule.apply_server_side_encryption_by_default()
            .unwrap()
            .sse_algorithm()
            .as_str(),
        "AES256"
    );
    let ownership = s3
        .get_bucket_ownership_controls()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    assert_eq!(
        ownership.ownership_controls().unwrap().rules()[0]
            .object_ownership()
            .as_str(),
        "BucketOwnerEnforced"
    );
    let lifecycle = s3
        .get_bucket_lifecycle_configuration()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    assert_eq!(lifecycle.rules()[0].expiration().unwrap().days(), Some(400));
    let policy = moto.bucket_policy(REGION, BUCKET).await;
    let deny_http = statement(&policy, "DenyInsecureTransport");
    assert_eq!(
        deny_http["Condition"]["Bool"]["aws:SecureTransport"],
        "false"
    );
    let delivery = statement(&policy, "AWSConfigBucketDelivery");
    assert_eq!(delivery["Principal"]["Service"], "config.amazonaws.com");
    assert_eq!(
        delivery["Condition"]["StringEquals"]["aws:SourceAccount"],
        ACCOUNT
    );

    let role = moto.role("watchpost-config").await;
    let trust = &role.trust_policy;
    assert!(
        trust.contains("config.amazonaws.com") && trust.contains(ACCOUNT),
        "{trust}"
    );
    assert_eq!(
        role.attached.first().map(String::as_str),
        Some("arn:aws:iam::aws:policy/service-role/AWS_ConfigRole")
    );

    moto.assert_no_changes(path);
}

#[tokio::test]
async fn drift_made_outside_watchpost_is_shown_and_repaired() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, BASELINE);
    let path = baseline.path_str();

    let guardduty = moto.guardduty(OTHER_REGION).await;
    let id = guardduty
        .list_detectors()
        .send()
        .await
        .unwrap()
        .detector_ids()[0]
        .clone();
    guardduty
        .update_detector()
        .detector_id(&id)
        .enable(false)
        .send()
        .await
        .unwrap();
    let config = moto.config(REGION).await;
    config
        .stop_configuration_recorder()
        .configuration_recorder_name("watchpost")
        .send()
        .await
        .unwrap();
    moto.delete_config_rule(OTHER_REGION, "restricted-ssh")
        .await;
    moto.s3(REGION)
        .await
        .delete_public_access_block()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();

    let drift = moto.plan_changes(path);
    drift.assert_stdout_has(&[
        "~ guardduty_detector/eu-west-1\n      status: \"DISABLED\" → \"ENABLED\"",
        "~ config_recording/us-east-1\n      recording: false → true",
        "+ config_rule/eu-west-1/restricted-ssh",
        "block_public_access: false → true",
        "Plan: 1 to add, 3 to change, 0 to destroy.",
    ]);

    moto.assert_apply_converges(path);
    let ids = moto.detector_ids(OTHER_REGION).await;
    assert_eq!(
        ids,
        [id],
        "the detector is repaired in place, not duplicated"
    );
}

#[tokio::test]
async fn a_changed_baseline_is_updated_in_place() {
    let (moto, _first) = Moto::start_applied(WATCHPOST, BASELINE);

    let changed = write_baseline(
        &BASELINE
            .replace("SIX_HOURS", "ONE_HOUR")
            .replace("daysToExpiration = 30", "daysToExpiration = 45")
            .replace("expire_after_days = 400", "expire_after_days = 90"),
    );
    let plan_run = moto.plan_changes(changed.path_str());
    plan_run.assert_stdout_has(&[
        "finding_publishing_frequency: \"SIX_HOURS\" → \"ONE_HOUR\"",
        "input_parameters: {\"daysToExpiration\":\"30\"} → {\"daysToExpiration\":\"45\"}",
        "expire_after_days: 400 → 90",
        "Plan: 0 to add, 5 to change, 0 to destroy.",
    ]);
    moto.apply_approved(changed.path_str()).assert_success();
    moto.plan_exitcode(changed.path_str()).assert_code(0);

    let rules = moto
        .config(OTHER_REGION)
        .await
        .describe_config_rules()
        .config_rule_names("acm-certificate-expiration-check")
        .send()
        .await
        .unwrap();
    assert_eq!(
        rules.config_rules()[0].input_parameters(),
        Some("{\"daysToExpiration\":\"45\"}")
    );
}

/// PutBucketLifecycleConfiguration replaces every rule of the bucket: a rule someone added by
/// hand survives watchpost changing its own, as foreign policy statements do.
#[tokio::test]
async fn a_lifecycle_rule_added_by_hand_survives_apply() {
    use aws_sdk_s3::types::{
        AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, ExpirationStatus,
        LifecycleRule, LifecycleRuleFilter,
    };
    let (moto, first) = Moto::start_applied(WATCHPOST, BASELINE);

    let s3 = moto.s3(REGION).await;
    let mut rules = s3
        .get_bucket_lifecycle_configuration()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap()
        .rules()
        .to_vec();
    rules.push(
        LifecycleRule::builder()
            .id("theirs-abort-uploads")
            .status(ExpirationStatus::Enabled)
            .filter(LifecycleRuleFilter::builder().prefix("uploads/").build())
            .abort_incomplete_multipart_upload(
                AbortIncompleteMultipartUpload::builder()
                    .days_after_initiation(7)
                    .build(),
            )
            .build()
            .unwrap(),
    );
    s3.put_bucket_lifecycle_configuration()
        .bucket(BUCKET)
        .lifecycle_configuration(
            BucketLifecycleConfiguration::builder()
                .set_rules(Some(rules))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    moto.plan_exitcode(first.path_str()).assert_code(0);

    let changed =
        write_baseline(&BASELINE.replace("expire_after_days = 400", "expire_after_days = 90"));
    moto.apply_approved(changed.path_str()).assert_success();
    moto.plan_exitcode(changed.path_str()).assert_code(0);

    let lifecycle = s3
        .get_bucket_lifecycle_configuration()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    let theirs = lifecycle
        .rules()
        .iter()
        .find(|rule| rule.id() == Some("theirs-abort-uploads"))
        .unwrap_or_else(|| panic!("the hand-made rule is kept: {:#?}", lifecycle.rules()));
    assert_eq!(
        theirs
            .abort_incomplete_multipart_upload()
            .and_then(|abort| abort.days_after_initiation()),
        Some(7)
    );
    assert_eq!(lifecycle.rules().len(), 2, "{:#?}", lifecycle.rules());
    let ours = lifecycle
        .rules()
        .iter()
        .find(|rule| rule.id() != Some("theirs-abort-uploads"))
        .unwrap();
    assert_eq!(ours.expiration().unwrap().days(), Some(90));
}

#[tokio::test]
async fn an_existing_detector_and_recorder_are_adopted() {
    let moto = Moto::start(WATCHPOST);
    let existing = moto.create_detector(REGION, false).await;
    moto.put_recorder(REGION, "their-recorder", Some(false))
        .await;

    let baseline = write_baseline(BASELINE);
    moto.apply_approved(baseline.path_str()).assert_success();

    let ids = moto.detector_ids(REGION).await;
    assert_eq!(ids, [existing]);
    let recorders = moto
        .config(REGION)
        .await
        .describe_configuration_recorders()
        .send()
        .await
        .unwrap();
    assert_eq!(recorders.configuration_recorders().len(), 1);
    let recorder = &recorders.configuration_recorders()[0];
    assert_eq!(recorder.name(), Some("their-recorder"));
    assert!(
        recorder
            .recording_group()
            .unwrap()
            .include_global_resource_types()
    );
    moto.plan_exitcode(baseline.path_str()).assert_code(0);
}

#[tokio::test]
async fn a_half_made_setup_is_finished_without_duplicates() {
    let moto = Moto::start(WATCHPOST);
    // What an apply cut off early leaves: a bare bucket and a role without its policies.
    moto.s3(REGION)
        .await
        .create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    moto.iam()
        .await
        .create_role()
        .role_name("watchpost-config")
        .assume_role_policy_document("{\"Version\":\"2012-10-17\",\"Statement\":[]}")
        .send()
        .await
        .unwrap();

    let baseline = write_baseline(BASELINE);
    let before = moto.plan_exitcode(baseline.path_str());
    before.assert_stdout_has(&[
        &format!("~ log_bucket/us-east-1/{BUCKET}"),
        "~ iam_role/global/watchpost-config",
    ]);
    moto.apply_approved(baseline.path_str()).assert_success();
    moto.plan_exitcode(baseline.path_str()).assert_code(0);
    let buckets = moto.s3(REGION).await.list_buckets().send().await.unwrap();
    assert_eq!(buckets.buckets().len(), 1);
}

#[tokio::test]
async fn apply_without_a_terminal_refuses_unless_auto_approved() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let run = moto.watchpost(&["apply", "--baseline", baseline.path_str()]);
    run.assert_code(1);
    run.assert_stderr_has(&["--auto-approve"]);
    let ids = moto.detector_ids(REGION).await;
    assert!(ids.is_empty(), "nothing was created");
}

#[tokio::test]
async fn a_different_account_is_refused_before_any_write() {
    let (moto, baseline) = Moto::start_with_baseline(
        WATCHPOST,
        &BASELINE.replace(
            "home_region = \"us-east-1\"",
            "home_region = \"us-east-1\"\naccount_id = \"999999999999\"",
        ),
    );
    let run = moto.apply_approved(baseline.path_str());
    run.assert_code(1);
    run.assert_stderr_has(&[
        "credentials are for account 123456789012, but the baseline is for account 999999999999",
    ]);
    let ids = moto.detector_ids(REGION).await;
    assert!(ids.is_empty());
}

#[tokio::test]
async fn all_regions_means_every_region_the_account_has_enabled() {
    let moto = Moto::start(WATCHPOST);
    let baseline =
        write_baseline("[scope]\nregions = \"all\"\nhome_region = \"us-east-1\"\n[guardduty]\n");
    let listed = aws_sdk_ec2::Client::new(&moto.sdk_config(REGION).await)
        .describe_regions()
        .send()
        .await
        .unwrap();
    // The account's regions: enabled ones of its own partition (moto lists every partition).
    let count = listed
        .regions()
        .iter()
        .filter(|r| r.opt_in_status() != Some("not-opted-in"))
        .filter_map(|r| r.region_name())
        .filter(|name| !name.starts_with("cn-") && !name.starts_with("us-gov-"))
        .count();
    assert!(count > 10, "moto lists the standard regions");
    let run = moto.plan_changes(baseline.path_str());
    run.assert_stdout_has(&[&format!("Plan: {count} to add")]);
    assert!(run.stdout.contains("+ guardduty_detector/eu-north-1"));
    assert!(
        !run.stdout.contains("cn-north-1"),
        "another partition's region is not in scope"
    );
}

#[test]
fn a_bad_baseline_is_refused_before_any_aws_call() {
    // No endpoint is reachable here: an AWS call would fail with a connection error instead.
    let baseline = write_baseline(
        "[scope]\nregions = [\"us-east-1\", \"eu-wst-1\"]\nhome_region = \"us-east-1\"\n\
         [config.rules]\nrestricted-sshh = {}\n",
    );
    let env = [("AWS_ENDPOINT_URL", "http://127.0.0.1:9".to_owned())];
    for command in ["validate", "plan", "apply"] {
        let run = WATCHPOST.run(&[command, "--baseline", baseline.path_str()], &env);
        run.assert_code(1);
        let place = format!("{}:2:", baseline.path_str());
        assert!(run.stderr.contains(&place), "{command}: {}", run.stderr);
        run.assert_stderr_has(&[
            "unknown region `eu-wst-1`",
            "did you mean \"restricted-ssh\"?",
        ]);
        run.assert_stderr_has(&["2 problems in"]);
        assert!(
            !run.stderr.contains("dispatch"),
            "no AWS call was attempted: {}",
            run.stderr
        );
    }
}
