//! Checks the test harness itself (tests/support), independent of watchpost's code: moto
//! starts, the SDK reaches it, each test's server has its own state, and `reset` clears it.

mod support;

use support::Moto;

async fn bucket_names(s3: &aws_sdk_s3::Client) -> Vec<String> {
    let out = s3.list_buckets().send().await.expect("ListBuckets");
    out.buckets()
        .iter()
        .filter_map(|b| b.name().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn s3_bucket_round_trip_then_reset_clears_it() {
    let moto = Moto::start();
    let s3 = moto.s3(support::REGION).await;

    s3.create_bucket()
        .bucket("watchpost-harness-smoke")
        .send()
        .await
        .expect("CreateBucket");
    assert_eq!(bucket_names(&s3).await, ["watchpost-harness-smoke"]);

    moto.reset();
    assert!(
        bucket_names(&s3).await.is_empty(),
        "reset left buckets behind"
    );
}

#[tokio::test]
async fn each_server_has_its_own_state() {
    let (a, b) = (Moto::start(), Moto::start());
    assert_ne!(a.endpoint(), b.endpoint());
    let (s3_a, s3_b) = (a.s3(support::REGION).await, b.s3(support::REGION).await);

    s3_a.create_bucket()
        .bucket("only-in-a")
        .send()
        .await
        .expect("CreateBucket");
    assert_eq!(bucket_names(&s3_a).await, ["only-in-a"]);
    assert!(bucket_names(&s3_b).await.is_empty());
}

#[tokio::test]
async fn sdk_uses_the_test_account() {
    let moto = Moto::start();
    let who = moto
        .sts()
        .await
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity");
    assert_eq!(who.account(), Some("123456789012"));
}

#[test]
fn temp_baseline_is_written_and_removed() {
    let baseline = support::write_baseline("# empty\n");
    let path = baseline.path().to_owned();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# empty\n");
    assert_ne!(path, support::write_baseline("").path());
    drop(baseline);
    assert!(!path.exists());
}
