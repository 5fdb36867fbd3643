//! Account settings end to end: the real binary and the real AWS SDK against a moto server, for
//! the password policy, account-wide S3 Block Public Access (S3 Control) and EBS encryption by
//! default, each read back with the SDK as a user would check it.
//!
//! moto has no IAM Access Analyzer (it answers every call with an HTTP 500), so the analyzer is
//! tested through the planner on data (`src/plan/desired/account.rs`), and here only for what
//! watchpost does with such an answer: a part of the account it could not read, never taken for
//! an account without an analyzer. Nor does moto have `GetEbsDefaultKmsKeyId`, so the default
//! EBS key is tested through the planner only.

use aws_sdk_s3control::config::endpoint::{Params, ResolveEndpoint};
use aws_smithy_types::endpoint::Endpoint;
use support::{ACCOUNT, Moto, Run, Watchpost, write_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const BASELINE: &str = r#"
[scope]
regions = ["eu-west-1", "us-east-1"]
home_region = "eu-west-1"

[password_policy]
require_symbols = true
max_password_age = 90

[account_public_access_block]

[ebs_encryption]
"#;

/// Asserts the run's exit code and that its output holds each of `expected`.
#[track_caller]
fn shows(run: &Run, code: i32, expected: &[&str]) {
    run.assert_code(code).assert_stdout_has(expected);
}

/// The moto endpoint as it is: S3 Control's endpoint rules would put the account id in front
/// of `127.0.0.1`, which watchpost avoids the same way (see `Session::s3control`).
#[derive(Debug)]
struct AsGiven(String);

impl ResolveEndpoint for AsGiven {
    fn resolve_endpoint<'a>(
        &'a self,
        _: &'a Params,
    ) -> aws_smithy_runtime_api::client::endpoint::EndpointFuture<'a> {
        aws_smithy_runtime_api::client::endpoint::EndpointFuture::ready(Ok(Endpoint::builder()
            .url(self.0.clone())
            .build()))
    }
}

async fn s3control(moto: &Moto) -> aws_sdk_s3control::Client {
    let sdk = moto.sdk_config("eu-west-1").await;
    aws_sdk_s3control::Client::from_conf(
        aws_sdk_s3control::config::Builder::from(&sdk)
            .endpoint_resolver(AsGiven(moto.endpoint()))
            .build(),
    )
}

/// (block public ACLs, ignore public ACLs, block public policy, restrict public buckets)
async fn public_access_block(moto: &Moto) -> Option<[bool; 4]> {
    let answer = s3control(moto)
        .await
        .get_public_access_block()
        .account_id(ACCOUNT)
        .send()
        .await
        .ok()?;
    let block = answer.public_access_block_configuration()?;
    Some([
        block.block_public_acls()?,
        block.ignore_public_acls()?,
        block.block_public_policy()?,
        block.restrict_public_buckets()?,
    ])
}

async fn ebs_encrypted(moto: &Moto, region: &str) -> bool {
    aws_sdk_ec2::Client::new(&moto.sdk_config(region).await)
        .get_ebs_encryption_by_default()
        .send()
        .await
        .unwrap()
        .ebs_encryption_by_default()
        .unwrap()
}

async fn password_policy(moto: &Moto) -> aws_sdk_iam::types::PasswordPolicy {
    moto.iam()
        .await
        .get_account_password_policy()
        .send()
        .await
        .unwrap()
        .password_policy()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn apply_from_empty_sets_the_account_settings_and_converges() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let path = baseline.path_str();

    shows(
        &moto.plan_exitcode(path),
        2,
        &[
            "+ password_policy/global",
            "+ account_public_access_block/global",
            "~ ebs_encryption/eu-west-1\n      enabled: false → true",
            "~ ebs_encryption/us-east-1\n      enabled: false → true",
        ],
    );
    assert!(public_access_block(&moto).await.is_none());

    moto.apply_approved(path).assert_success();

    let policy = password_policy(&moto).await;
    assert_eq!(policy.minimum_password_length(), Some(14), "the CIS length");
    assert_eq!(
        policy.password_reuse_prevention(),
        Some(24),
        "the CIS reuse"
    );
    assert!(policy.require_symbols());
    assert_eq!(policy.max_password_age(), Some(90));
    assert!(
        !policy.require_numbers(),
        "not declared, left as AWS has it"
    );
    assert_eq!(public_access_block(&moto).await, Some([true; 4]));
    assert!(ebs_encrypted(&moto, "eu-west-1").await);
    assert!(ebs_encrypted(&moto, "us-east-1").await);
    // A region out of scope is not touched.
    assert!(!ebs_encrypted(&moto, "us-west-2").await);

    shows(
        &moto.plan_exitcode(path),
        0,
        &["No changes. The account matches the baseline."],
    );
}

#[tokio::test]
async fn drift_is_repaired_and_what_the_baseline_leaves_out_is_kept() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, BASELINE);
    let path = baseline.path_str();

    // Someone weakens the policy and keeps numbers required; someone else allows public
    // policies and turns off encryption in one region.
    moto.iam()
        .await
        .update_account_password_policy()
        .minimum_password_length(8)
        .require_numbers(true)
        .send()
        .await
        .unwrap();
    let loose = aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
        .block_public_acls(true)
        .ignore_public_acls(true)
        .block_public_policy(false)
        .restrict_public_buckets(true)
        .build();
    s3control(&moto)
        .await
        .put_public_access_block()
        .account_id(ACCOUNT)
        .public_access_block_configuration(loose)
        .send()
        .await
        .unwrap();
    aws_sdk_ec2::Client::new(&moto.sdk_config("us-east-1").await)
        .disable_ebs_encryption_by_default()
        .send()
        .await
        .unwrap();

    shows(
        &moto.plan_exitcode(path),
        2,
        &[
            "~ password_policy/global\n      minimum_password_length: 8 → 14\n      require_symbols: false → true\n      max_password_age: 0 → 90\n      password_reuse_prevention: 0 → 24\n",
            "~ account_public_access_block/global\n      block_public_policy: false → true\n",
            "~ ebs_encryption/us-east-1\n      enabled: false → true\n",
            "Plan: 0 to add, 3 to change, 0 to destroy.",
        ],
    );

    moto.apply_approved(path).assert_success();
    let policy = password_policy(&moto).await;
    assert_eq!(policy.minimum_password_length(), Some(14));
    assert!(policy.require_symbols());
    assert!(
        policy.require_numbers(),
        "UpdateAccountPasswordPolicy replaces the whole policy: what the baseline leaves out is written back as it was"
    );
    assert_eq!(public_access_block(&moto).await, Some([true; 4]));
    assert!(ebs_encrypted(&moto, "us-east-1").await);
    moto.plan_exitcode(path).assert_success();
}

#[tokio::test]
async fn a_stricter_policy_than_the_cis_floor_is_kept() {
    let moto = Moto::start(WATCHPOST);
    moto.iam()
        .await
        .update_account_password_policy()
        .minimum_password_length(32)
        .password_reuse_prevention(24)
        .require_uppercase_characters(true)
        .send()
        .await
        .unwrap();
    let baseline = write_baseline(
        "[scope]\nregions = [\"us-east-1\"]\nhome_region = \"us-east-1\"\n[password_policy]\n",
    );
    moto.plan_exitcode(baseline.path_str()).assert_success();

    // Declared, a value is exact, and the plan says what it lowers.
    let exact = write_baseline(
        "[scope]\nregions = [\"us-east-1\"]\nhome_region = \"us-east-1\"\n\
         [password_policy]\nminimum_password_length = 16\n",
    );
    shows(
        &moto.plan_exitcode(exact.path_str()),
        2,
        &["~ password_policy/global\n      minimum_password_length: 32 → 16\n"],
    );
}

#[tokio::test]
async fn destroy_leaves_the_account_settings() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, BASELINE);
    let path = baseline.path_str();

    let run = moto.destroy_approved(path, &["--full"]);
    run.assert_success();
    for setting in [
        "password_policy/global",
        "account_public_access_block/global",
        "ebs_encryption/eu-west-1",
        "ebs_encryption/us-east-1",
    ] {
        run.assert_stdout_has(&[&format!(
                "note: {setting} stays: it is a setting of the account, which watchpost cannot tell it set, and turning it off would weaken the account"
            )]);
    }
    assert_eq!(
        password_policy(&moto).await.minimum_password_length(),
        Some(14)
    );
    assert_eq!(public_access_block(&moto).await, Some([true; 4]));
    assert!(ebs_encrypted(&moto, "eu-west-1").await);
}

/// moto has no Access Analyzer: what it answers is reported as a part of the account that could
/// not be read, the plan is incomplete, and apply makes the rest. On AWS, where the read
/// succeeds, the analyzer is planned as the planner tests show.
#[tokio::test]
async fn an_analyzer_that_cannot_be_read_is_a_gap_not_an_absence() {
    let (moto, baseline) = Moto::start_with_baseline(
        WATCHPOST,
        "[scope]\nregions = [\"us-east-1\"]\nhome_region = \"us-east-1\"\n\
         [access_analyzer]\n[ebs_encryption]\n",
    );
    let path = baseline.path_str();
    // moto's 500 is retried as AWS's would be; once is enough to see what becomes of it.
    let once = [("AWS_MAX_ATTEMPTS", "1")];
    let plan = ["plan", "--baseline", path, "--detailed-exitcode", "--full"];
    let run = moto.watchpost_with_env(&plan, &once);
    shows(
        &run,
        1,
        &["! access_analyzer/us-east-1: could not read (access-analyzer:ListAnalyzers)"],
    );
    assert!(!run.stdout.contains("+ access_analyzer"), "{}", run.stdout);
    run.assert_stderr_has(&["the plan is incomplete"]);

    let run = moto.watchpost_with_env(&["apply", "--baseline", path, "--auto-approve"], &once);
    run.assert_code(1);
    assert!(ebs_encrypted(&moto, "us-east-1").await, "the rest is made");
}
