//! Server access logging of the log bucket (`[log_bucket.access_logs]`, CIS 4.4) end to end: the
//! real binary and the real AWS SDK against a moto server. After `apply` the log bucket's access
//! logs go to a bucket of their own, hardened as the log bucket is, that only S3's logging
//! service may write to, for the log bucket of this account; logging turned off is turned on
//! again.

use serde_json::Value;
use support::json::find_statement;
use support::{ACCOUNT, Moto, Watchpost};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const HOME: &str = "us-east-1";
const LOG_BUCKET: &str = "watchpost-logs-123456789012-us-east-1";
const ACCESS_LOGS: &str = "watchpost-access-logs-123456789012-us-east-1";

const BASELINE: &str = r#"
[scope]
regions = ["us-east-1"]
home_region = "us-east-1"

[cloudtrail]

[log_bucket.access_logs]
expire_after_days = 90
"#;

async fn logging_target(moto: &Moto) -> Option<(String, String)> {
    let logging = moto
        .s3(HOME)
        .await
        .get_bucket_logging()
        .bucket(LOG_BUCKET)
        .send()
        .await
        .unwrap();
    logging.logging_enabled().map(|enabled| {
        (
            enabled.target_bucket().to_owned(),
            enabled.target_prefix().to_owned(),
        )
    })
}

#[tokio::test]
async fn the_log_buckets_access_logs_go_to_a_hardened_bucket_only_s3_logging_writes_to() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, BASELINE);
    moto.plan_exitcode(baseline.path_str()).assert_code(0);

    assert_eq!(
        logging_target(&moto).await,
        Some((ACCESS_LOGS.to_owned(), format!("{LOG_BUCKET}/")))
    );

    let s3 = moto.s3(HOME).await;
    let encryption = s3
        .get_bucket_encryption()
        .bucket(ACCESS_LOGS)
        .send()
        .await
        .unwrap();
    let default = encryption
        .server_side_encryption_configuration()
        .unwrap()
        .rules()[0]
        .apply_server_side_encryption_by_default()
        .unwrap()
        .sse_algorithm()
        .as_str()
        .to_owned();
    assert_eq!(default, "AES256", "S3 writes access logs under SSE-S3 only");
    let block = s3
        .get_public_access_block()
        .bucket(ACCESS_LOGS)
        .send()
        .await
        .unwrap();
    let block = block.public_access_block_configuration().unwrap();
    assert_eq!(
        (
            block.block_public_acls(),
            block.ignore_public_acls(),
            block.block_public_policy(),
            block.restrict_public_buckets()
        ),
        (Some(true), Some(true), Some(true), Some(true))
    );
    let lifecycle = s3
        .get_bucket_lifecycle_configuration()
        .bucket(ACCESS_LOGS)
        .send()
        .await
        .unwrap();
    assert_eq!(
        lifecycle.rules()[0].expiration().and_then(|e| e.days()),
        Some(90)
    );
    let own_logging = s3
        .get_bucket_logging()
        .bucket(ACCESS_LOGS)
        .send()
        .await
        .unwrap();
    assert!(
        own_logging.logging_enabled().is_none(),
        "the access logs' bucket logs nothing of its own"
    );

    let policy: Value = serde_json::from_str(
        s3.get_bucket_policy()
            .bucket(ACCESS_LOGS)
            .send()
            .await
            .unwrap()
            .policy()
            .unwrap(),
    )
    .unwrap();
    let delivery = find_statement(&policy, "S3's logging service writes", |s| {
        s["Principal"]["Service"] == "logging.s3.amazonaws.com"
    });
    assert_eq!(delivery["Effect"], "Allow");
    assert_eq!(delivery["Action"], "s3:PutObject");
    assert_eq!(
        delivery["Resource"],
        format!("arn:aws:s3:::{ACCESS_LOGS}/{LOG_BUCKET}/*")
    );
    assert_eq!(
        delivery["Condition"]["ArnLike"]["aws:SourceArn"],
        format!("arn:aws:s3:::{LOG_BUCKET}")
    );
    assert_eq!(
        delivery["Condition"]["StringEquals"]["aws:SourceAccount"],
        ACCOUNT
    );
    find_statement(&policy, "insecure transport denied", |s| {
        s["Effect"] == "Deny" && s["Condition"]["Bool"]["aws:SecureTransport"] == "false"
    });
}

#[tokio::test]
async fn access_logging_turned_off_is_turned_on_again() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, BASELINE);
    moto.s3(HOME)
        .await
        .put_bucket_logging()
        .bucket(LOG_BUCKET)
        .bucket_logging_status(aws_sdk_s3::types::BucketLoggingStatus::builder().build())
        .send()
        .await
        .unwrap();
    assert_eq!(logging_target(&moto).await, None);

    let plan = moto.plan_exitcode(baseline.path_str());
    plan.assert_code(2)
        .assert_stdout_has(&[&format!("+ bucket_logging/{HOME}/{LOG_BUCKET}")]);
    moto.apply_approved(baseline.path_str()).assert_success();
    moto.plan_exitcode(baseline.path_str()).assert_code(0);
    assert_eq!(
        logging_target(&moto).await,
        Some((ACCESS_LOGS.to_owned(), format!("{LOG_BUCKET}/")))
    );
}
