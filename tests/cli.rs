//! What a person sees when the baseline is wrong: every problem at once, each at its place.

use support::{Watchpost, write_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

fn validate(contents: &str) -> support::Run {
    let baseline = write_baseline(contents);
    let run = WATCHPOST.run(&["validate", "--baseline", baseline.path_str()], &[]);
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
    let run = WATCHPOST.run(
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
            "is valid. It manages GuardDuty with alerts on findings of severity 7 or more, AWS Config with 13 managed rules, CloudTrail, the log bucket's access logs, VPC flow logs (reject traffic), Security Hub with 2 standards, the KMS key alias/watchpost, alerts to 1 address(es), the console sign-in notification, 15 metric-filter alarms, tamper alerts on 12 services, the password policy, account-wide S3 Block Public Access, EBS encryption by default, IAM Access Analyzer, the security contact, the support role; regions: every enabled region; home region: us-east-1.\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_missing_file_is_named() {
    let run = WATCHPOST.run(
        &["validate", "--baseline", "/nonexistent/baseline.toml"],
        &[],
    );
    run.assert_code(1);
    assert_eq!(
        run.stderr,
        "error: there is no baseline at /nonexistent/baseline.toml\nhint: run `watchpost init` to write one, or name yours with --baseline PATH\n"
    );
}

#[test]
fn common_mistakes_are_worded_in_the_baselines_terms() {
    let run = validate(
        r#"[scope]
regions = ["US-EAST-2", "eu-wst-9", "mars-1"]
home_region = "us-east-1"

[guardduty]
min_severty = 7
[guardduty.finding_alerts]
min_severty = 7

[log_bucket]
expire_after_days = "5"

[alerts]
emails = ["oncall@corp.io"]
"#,
    );
    run.assert_code(1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn a_duplicate_key_names_the_first_ones_place() {
    let run = validate(
        "[scope]\nregions = [\"us-east-1\"]\nhome_region = \"us-east-1\"\nhome_region = \"us-east-2\"\n",
    );
    run.assert_code(1);
    run.assert_stderr_has(&[
        "error: duplicate key `home_region`",
        "baseline.toml:4:1",
        "hint: `home_region` is first set at 3:1: keep one of the two",
    ]);
}

const PLACEHOLDER: &str = r#"[scope]
regions = ["us-east-1"]
home_region = "us-east-1"
[alerts]
emails = ["oncall@corp.io", "security@example.com", "ops@mail.example.org"]
"#;

fn placeholder_warning(line_col: &str, address: &str) -> String {
    format!(
        "warning: baseline.toml:{line_col}: `{address}` is a placeholder: its domain is reserved for examples (RFC 2606) and receives no mail, so alerts sent to it reach no one; put the address of whoever answers security alerts in [alerts] emails\n"
    )
}

#[test]
fn a_placeholder_alert_address_is_warned_about_in_validate_plan_and_apply() {
    let run = validate(PLACEHOLDER);
    run.assert_success();
    assert_eq!(
        run.stderr,
        placeholder_warning("5:29", "security@example.com")
            + &placeholder_warning("5:53", "ops@mail.example.org")
    );
    let baseline = write_baseline(PLACEHOLDER);
    // The warning comes before any AWS call: an endpoint that refuses is enough.
    let refused = [("AWS_ENDPOINT_URL", "http://127.0.0.1:9".to_owned())];
    for command in ["plan", "apply"] {
        let run = WATCHPOST.run(&[command, "--baseline", baseline.path_str()], &refused);
        run.assert_code(1);
        assert!(
            run.stderr
                .replace(baseline.path_str(), "baseline.toml")
                .starts_with(&placeholder_warning("5:29", "security@example.com")),
            "{command}: {}",
            run.stderr
        );
    }
}

#[test]
fn terraforms_one_dash_spellings_get_a_tip() {
    let run = WATCHPOST.run(&["apply", "-auto-approve"], &[]);
    run.assert_code(1);
    run.assert_stderr_has(&[
        "error: unexpected argument '-auto-approve' found",
        "tip: watchpost spells its flags with two dashes: '--auto-approve'",
    ]);
    let run = WATCHPOST.run(&["plan", "-target=guardduty_detector"], &[]);
    run.assert_code(1);
    run.assert_stderr_has(&[
        "error: unexpected argument '-target=guardduty_detector' found",
        "tip: watchpost narrows a run with '--only guardduty_detector'",
    ]);
}

#[test]
fn help_wraps_to_the_terminal_width() {
    let run = WATCHPOST.run(&["plan", "--help"], &[("COLUMNS", "60".to_owned())]);
    run.assert_success();
    let widest = run.stdout.lines().map(|line| line.chars().count()).max();
    assert!(widest <= Some(60), "{}", run.stdout);
    run.assert_stdout_has(&["--lock-timeout"]);
}

/// A saved plan file of `changes` for account 123456789012, made (it says) from the baseline
/// at `made_from`; its path.
fn write_saved_plan(name: &str, made_from: Option<&str>, changes: &[serde_json::Value]) -> String {
    let file = std::env::temp_dir().join(format!("watchpost-{}-{name}.json", std::process::id()));
    let mut saved = serde_json::json!({
        "format_version": "1",
        "watchpost_version": "0.1.0",
        "baseline_digest": "0".repeat(64),
        "observed": {},
        "plan": {"account_id": "123456789012", "home_region": "us-east-1",
                 "regions": ["eu-west-1", "us-east-1"], "changes": changes,
                 "unchanged": [], "gaps": [], "notes": []},
    });
    if let Some(path) = made_from {
        saved["baseline_path"] = serde_json::json!(path);
    }
    std::fs::write(&file, saved.to_string()).unwrap();
    file.to_string_lossy().into_owned()
}

/// `apply FILE`, which must refuse a file before any AWS call: an endpoint that refuses is
/// enough.
fn apply_saved(file: &str, baseline: &str) -> support::Run {
    WATCHPOST.run(
        &["apply", file, "--baseline", baseline],
        &[("AWS_ENDPOINT_URL", "http://127.0.0.1:9".to_owned())],
    )
}

#[test]
fn a_saved_plan_of_another_baseline_names_both_files() {
    let made_from = write_baseline(PLACEHOLDER);
    let other = write_baseline(&PLACEHOLDER.replace("us-east-1\"]", "us-east-1\", \"eu-west-1\"]"));
    let file = write_saved_plan("other-baseline", Some(made_from.path_str()), &[]);
    let run = apply_saved(&file, other.path_str());
    run.assert_code(1);
    run.assert_stderr_has(&[&format!(
        "error: the saved plan {file} was made from the baseline {}, and this apply reads {}, which is not the same text\nhint: apply it with --baseline {},",
        made_from.path_str(),
        other.path_str(),
        made_from.path_str()
    )]);
    let _ = std::fs::remove_file(file);
}

/// A saved plan is input from outside: one edited by hand into a circle of dependencies, or
/// into settings of another service than its address names, is refused before any AWS call,
/// not followed into a stack overflow or a call to the wrong service.
#[test]
fn a_hand_edited_saved_plan_is_refused_with_what_is_wrong() {
    let baseline = write_baseline(PLACEHOLDER);
    let detector = |region: &str, depends_on: &str, spec: serde_json::Value| {
        serde_json::json!({
            "id": {"kind": "guardduty_detector", "region": region, "name": ""},
            "action": "create", "spec": spec, "before": null, "live_id": null, "fields": [],
            "depends_on": [{"kind": "guardduty_detector", "region": depends_on, "name": ""}],
        })
    };
    let detector_spec = serde_json::json!({"detector": {"status": "ENABLED",
        "finding_publishing_frequency": "SIX_HOURS", "features": {}}});
    let bucket_spec = serde_json::json!({"bucket": {"block_public_access": true,
        "encryption": null, "versioning": null, "object_ownership": null,
        "expire_after_days": null, "policy": null}});
    for (case, changes, expected) in [
        (
            "cycle",
            vec![
                detector("us-east-1", "eu-west-1", detector_spec.clone()),
                detector("eu-west-1", "us-east-1", detector_spec.clone()),
            ],
            "its changes depend on each other in a circle: guardduty_detector/eu-west-1 → guardduty_detector/us-east-1 → guardduty_detector/eu-west-1",
        ),
        (
            "kind",
            vec![detector("us-east-1", "eu-west-1", bucket_spec)],
            "guardduty_detector/us-east-1 carries the settings of a log_bucket, not of a guardduty_detector",
        ),
    ] {
        let file = write_saved_plan(&format!("edited-{case}"), None, &changes);
        let run = apply_saved(&file, baseline.path_str());
        run.assert_code(1);
        run.assert_stderr_has(&[
            format!("error: {file} is not a plan watchpost made: {expected}"),
            "hint: a saved plan is applied as it was made".to_owned(),
        ]);
        let _ = std::fs::remove_file(file);
    }
}

#[test]
fn a_usage_error_exits_1_not_the_drift_code() {
    let run = WATCHPOST.run(&["plan", "--detailed-exitcod"], &[]);
    run.assert_code(1);
    run.assert_stderr_has(&["--detailed-exitcode"]);
}

#[test]
fn full_is_for_the_text_plan() {
    let run = WATCHPOST.run(&["plan", "--format", "markdown", "--full"], &[]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("--full is for the text plan") && run.stderr.contains("hint: "),
        "{}",
        run.stderr
    );
    let both = WATCHPOST.run(&["plan", "--json", "--format", "text"], &[]);
    both.assert_code(1);
    both.assert_stderr_has(&["cannot be used with"]);
}
