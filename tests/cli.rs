//! What a person sees when the baseline is wrong: every problem at once, each at its place.

mod support;

use support::{run_watchpost, write_baseline};

fn validate(contents: &str) -> support::Run {
    let baseline = write_baseline(contents);
    let run = run_watchpost(&["validate", "--baseline", baseline.path_str()], &[]);
    support::Run {
        stdout: run.stdout.replace(baseline.path_str(), "baseline.toml"),
        stderr: run.stderr.replace(baseline.path_str(), "baseline.toml"),
        ..run
    }
}

#[test]
fn a_baseline_with_many_mistakes_gets_them_all_in_one_report() {
    let run = validate(
        r#"[scope]
regions = ["us-east-1", "eu-wst-1", "cn-north-1"]
home_region = "us-east-1"
account_id = "1234"

[guardduty]
finding_publishing_frequency = "HOURLY"
[guardduty.features]
S3_DATA_EVENT = true

[log_bucket]
encryption = "SSE-KMS"
kms_key_id = "alias/logs"

[config]
role_nam = "x"
[config.rules]
restriced-ssh = {}
acm-certificate-expiration-check = { daysToExpiration = "soon" }
s3-bucket-policy-grantee-check = { vpcIds = 7 }
"#,
    );
    run.assert_code(1);
    assert_eq!(run.stdout, "");
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn malformed_toml_points_at_the_break() {
    let run = validate("[scope]\nregions = [\"us-east-1\"\nhome_region = \"us-east-1\"\n");
    run.assert_code(1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn the_recommended_baseline_validates() {
    let run = run_watchpost(
        &[
            "validate",
            "--baseline",
            concat!(env!("CARGO_MANIFEST_DIR"), "/baseline.toml"),
        ],
        &[],
    );
    run.assert_success();
    assert!(
        run.stdout.ends_with(
            "is valid. It manages GuardDuty with alerts on findings of severity 7 or more, AWS Config with 13 managed rules, CloudTrail, the KMS key alias/watchpost, alerts to 1 address(es), the console sign-in notification, 15 metric-filter alarms, the password policy, account-wide S3 Block Public Access, EBS encryption by default, IAM Access Analyzer; regions: every enabled region; home region: us-east-1.\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_missing_file_is_named() {
    let run = run_watchpost(
        &["validate", "--baseline", "/nonexistent/baseline.toml"],
        &[],
    );
    run.assert_code(1);
    assert!(
        run.stderr.starts_with(
            "error: cannot read the baseline /nonexistent/baseline.toml\ncaused by: No such file"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_usage_error_exits_1_not_the_drift_code() {
    let run = run_watchpost(&["plan", "--detailed-exitcod"], &[]);
    run.assert_code(1);
    assert!(run.stderr.contains("--detailed-exitcode"), "{}", run.stderr);
}

#[test]
fn full_is_for_the_text_plan() {
    let run = run_watchpost(&["plan", "--format", "markdown", "--full"], &[]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("--full is for the text plan") && run.stderr.contains("hint: "),
        "{}",
        run.stderr
    );
    let both = run_watchpost(&["plan", "--json", "--format", "text"], &[]);
    both.assert_code(1);
    assert!(
        both.stderr.contains("cannot be used with"),
        "{}",
        both.stderr
    );
}
