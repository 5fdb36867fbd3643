//! `destroy` removes what watchpost made, leaves what it adopted, and keeps the logs unless
//! told otherwise.

use support::{Moto, REGION, Watchpost, write_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const BASELINE: &str = r#"
[scope]
regions = ["us-east-1", "eu-west-1"]
home_region = "us-east-1"
[guardduty]
[config.rules]
restricted-ssh = {}
iam-root-access-key-check = {}
[cloudtrail]
[alerts]
emails = ["security@example.com"]
[signin_notification]
[alarms.filters]
root-account-use = {}
"#;
const BUCKET: &str = "watchpost-logs-123456789012-us-east-1";

#[tokio::test]
async fn destroy_removes_what_watchpost_made_and_keeps_what_it_adopted_and_the_logs() {
    let moto = Moto::start(WATCHPOST);
    // Adopted before watchpost ever ran: a detector in us-east-1 and a recorder in eu-west-1.
    let adopted_detector = moto.create_detector(REGION, true).await;
    moto.put_recorder("eu-west-1", "their-recorder", None).await;
    let baseline = write_baseline(BASELINE);
    moto.apply_approved(baseline.path_str()).assert_success();

    let destroy = moto.destroy_approved(baseline.path_str(), &["--full"]);
    destroy.assert_success();
    destroy.assert_stdout_has(&[
        "  - guardduty_detector/eu-west-1\n",
        "  - cloudtrail_trail/us-east-1/watchpost\n",
        "  - signin_rule/us-east-1/watchpost-console-signin\n",
        "guardduty_detector/us-east-1 stays: watchpost adopted it",
        "config_recorder/eu-west-1 stays: watchpost adopted it",
        &format!("log_bucket/us-east-1/{BUCKET} stays: it holds logs"),
        "log_group/us-east-1/watchpost-cloudtrail stays: it holds logs",
        "Destroy complete!",
    ]);

    let detectors = moto.detector_ids(REGION).await;
    assert_eq!(detectors, [adopted_detector]);
    let eu_detectors = moto.detector_ids("eu-west-1").await;
    assert!(eu_detectors.is_empty());
    assert_eq!(moto.recorder_names("eu-west-1").await, ["their-recorder"]);
    let us_recorders = moto.recorder_names(REGION).await;
    assert!(us_recorders.is_empty());
    for region in [REGION, "eu-west-1"] {
        let rules = moto.config_rule_names(region).await;
        assert!(rules.is_empty(), "rules in {region}");
    }
    assert!(moto.trail_names(REGION).await.is_empty());
    assert!(moto.topic_arns(REGION).await.is_empty());
    assert!(moto.alarm_names(REGION).await.is_empty());
    let roles = moto.iam().await.list_roles().send().await.unwrap();
    assert!(
        !roles
            .roles()
            .iter()
            .any(|r| r.role_name().starts_with("watchpost"))
    );
    assert!(
        moto.bucket_exists(REGION, BUCKET).await,
        "the bucket is kept"
    );
    let tables = aws_sdk_dynamodb::Client::new(&moto.sdk_config(REGION).await)
        .list_tables()
        .send()
        .await
        .unwrap();
    assert!(tables.table_names().is_empty(), "the lease table goes too");

    let again = moto.destroy_approved(baseline.path_str(), &[]);
    again.assert_success();
    assert!(!again.stdout.contains("  - "), "{}", again.stdout);
}

#[tokio::test]
async fn delete_logs_removes_the_bucket_and_the_log_group_too() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, BASELINE);
    moto.s3(REGION)
        .await
        .put_object()
        .bucket(BUCKET)
        .key("some/evidence.json")
        .body(aws_sdk_s3::primitives::ByteStream::from_static(b"{}"))
        .send()
        .await
        .ok();
    moto.destroy_approved(baseline.path_str(), &["--delete-logs"])
        .assert_success();
    assert!(!moto.bucket_exists(REGION, BUCKET).await);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&moto.sdk_config(REGION).await);
    let groups = logs.describe_log_groups().send().await.unwrap();
    assert!(groups.log_groups().is_empty());
}

/// DeleteObjects answers 200 and lists the objects it could not delete: destroy --delete-logs
/// stops there, naming them, instead of listing and deleting them again forever.
#[tokio::test]
async fn delete_logs_names_the_objects_s3_would_not_delete_and_stops() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, BASELINE);
    let s3 = moto.s3(REGION).await;
    // A bucket still empty and versioned takes an Object Lock configuration; the object put
    // after it is retained, so S3 refuses to delete its version. The bucket policy, which
    // refuses moto's plain HTTP, is set aside for the put.
    s3.delete_bucket_policy()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    s3.put_object_lock_configuration()
        .bucket(BUCKET)
        .object_lock_configuration(
            aws_sdk_s3::types::ObjectLockConfiguration::builder()
                .object_lock_enabled(aws_sdk_s3::types::ObjectLockEnabled::Enabled)
                .rule(
                    aws_sdk_s3::types::ObjectLockRule::builder()
                        .default_retention(
                            aws_sdk_s3::types::DefaultRetention::builder()
                                .mode(aws_sdk_s3::types::ObjectLockRetentionMode::Compliance)
                                .days(1)
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    s3.put_object()
        .bucket(BUCKET)
        .key("held/evidence.json")
        .body(aws_sdk_s3::primitives::ByteStream::from_static(b"{}"))
        .send()
        .await
        .unwrap();

    let mut destroy = moto
        .watchpost_command(&[
            "destroy",
            "--baseline",
            baseline.path_str(),
            "--auto-approve",
            "--delete-logs",
        ])
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = destroy.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(90) {
            destroy.kill().unwrap();
            panic!("destroy --delete-logs still runs after 90 s: it loops on the held object");
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let output = destroy.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!status.success(), "{stdout}\n{stderr}");
    let said = format!("{stdout}{stderr}");
    assert!(said.contains("held/evidence.json"), "{said}");
    assert!(said.contains("AccessDenied"), "{said}");
    assert!(said.contains("not deleted"), "{said}");
    assert!(
        moto.bucket_exists(REGION, BUCKET).await,
        "the bucket with the held object is kept"
    );
}
