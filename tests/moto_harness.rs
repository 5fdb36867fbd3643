//! Checks the test harness itself (tests/support), independent of watchpost's code: moto
//! starts, the SDK reaches it, each test's server has its own state, `reset` clears it, and
//! the API gate in front of it refuses what AWS's model refuses.

use support::{Moto, Watchpost};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

async fn bucket_names(s3: &aws_sdk_s3::Client) -> Vec<String> {
    let out = s3.list_buckets().send().await.expect("ListBuckets");
    out.buckets()
        .iter()
        .filter_map(|b| b.name().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn s3_bucket_round_trip_then_reset_clears_it() {
    let moto = Moto::start(WATCHPOST);
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
    let (a, b) = (Moto::start(WATCHPOST), Moto::start(WATCHPOST));
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
    let moto = Moto::start(WATCHPOST);
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

#[tokio::test]
async fn the_api_gate_refuses_a_request_aws_would_refuse_as_aws_does() {
    let moto = Moto::start(WATCHPOST);
    let iam = moto.iam().await;

    // IAM role names are at most 64 characters; moto would take this one.
    let error = iam
        .create_role()
        .role_name("r".repeat(65))
        .assume_role_policy_document("{}")
        .send()
        .await
        .expect_err("the gate refuses a 65-character role name");

    let error = error.into_service_error();
    assert_eq!(
        aws_sdk_iam::error::ProvideErrorMetadata::code(&error),
        Some("ValidationError"),
        "{error:?}"
    );
    let violations = moto.take_violations();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(
        violations[0].starts_with("IAM.CreateRole: RoleName: \"rrr"),
        "{violations:?}"
    );
    assert!(
        iam.list_roles()
            .send()
            .await
            .expect("ListRoles")
            .roles()
            .is_empty(),
        "the refused request reached moto"
    );
}
