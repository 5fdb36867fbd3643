//! `watchpost init`: a first baseline in one command, with or without AWS credentials.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{Moto, Run, Watchpost, write_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

/// A path in the temp dir where no file is (yet), removed when dropped.
fn free_path() -> support::TempBaseline {
    let baseline = write_baseline("");
    std::fs::remove_file(baseline.path()).expect("remove the placeholder file");
    baseline
}

/// `watchpost init --baseline target` with `flags`, and `env`, run with nothing of AWS.
fn init(target: &str, flags: &[&str], env: &[(&str, String)]) -> Run {
    let args = [&["init", "--baseline", target][..], flags].concat();
    WATCHPOST.run(&args, env)
}

fn assert_validates(path: &str) {
    WATCHPOST
        .run(&["validate", "--baseline", path], &[])
        .assert_success();
}

#[test]
fn flags_give_a_baseline_that_validates_with_the_values_given() {
    let target = free_path();
    let run = init(
        target.path_str(),
        &[
            "--email",
            "secops@corp.test",
            "--email",
            "oncall@corp.test",
            "--home-region",
            "eu-west-1",
            "--account-id",
            "111122223333",
        ],
        &[("AWS_EC2_METADATA_DISABLED", "true".to_owned())],
    );
    run.assert_success();
    run.assert_stdout_has(&["alerts to secops@corp.test, oncall@corp.test; home region eu-west-1; account 111122223333.", "`watchpost plan`"]);
    let written = std::fs::read_to_string(target.path()).unwrap();
    for line in [
        "emails = [\"secops@corp.test\", \"oncall@corp.test\"]",
        "home_region = \"eu-west-1\"",
        "account_id = \"111122223333\"",
        // The recommended baseline's comments stay.
        "# GuardDuty only analyses events from the moment it is on: enable it before you need it.",
    ] {
        assert!(
            written.lines().any(|written| written == line),
            "no line `{line}` in\n{written}"
        );
    }
    assert!(!written.contains("security@example.com"), "{written}");
    assert_validates(target.path_str());
}

#[test]
fn an_existing_file_is_kept_unless_forced() {
    let existing = write_baseline("# mine\n");
    let flags = [
        "--email",
        "secops@corp.test",
        "--account-id",
        "111122223333",
    ];
    let refused = init(existing.path_str(), &flags, &[]);
    refused.assert_code(1);
    assert!(
        refused.stderr.contains("already exists") && refused.stderr.contains("hint: pass --force"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        std::fs::read_to_string(existing.path()).unwrap(),
        "# mine\n"
    );

    init(
        existing.path_str(),
        &[&flags[..], &["--force"]].concat(),
        &[],
    )
    .assert_success();
    assert_validates(existing.path_str());
}

#[test]
fn without_a_terminal_an_address_is_required() {
    let target = free_path();
    let run = init(target.path_str(), &["--account-id", "111122223333"], &[]);
    run.assert_code(1);
    run.assert_stderr_has(&["hint: pass --email ADDRESS"]);
    assert!(!target.path().exists());
}

#[test]
fn a_wrong_answer_is_reported_and_nothing_is_written() {
    let target = free_path();
    let run = init(
        target.path_str(),
        &[
            "--email",
            "not-an-address",
            "--home-region",
            "eu-wst-1",
            "--account-id",
            "111122223333",
        ],
        &[],
    );
    run.assert_code(1);
    run.assert_stderr_has(&["not-an-address", "eu-wst-1"]);
    assert!(!target.path().exists());
}

#[test]
fn without_credentials_the_account_id_is_left_out_and_said_so() {
    let target = free_path();
    let home = free_path();
    std::fs::create_dir(home.path()).unwrap();
    let started = Instant::now();
    // Nothing of the test's environment: no credentials anywhere, and no instance metadata
    // service to ask.
    let output = Command::new(env!("CARGO_BIN_EXE_watchpost"))
        .args([
            "init",
            "--baseline",
            target.path_str(),
            "--email",
            "secops@corp.test",
        ])
        .env_clear()
        .env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(
        stderr.contains("the account id could not be read")
            && stderr.contains("scope.account_id is left commented out"),
        "{stderr}"
    );
    let written = std::fs::read_to_string(target.path()).unwrap();
    assert!(
        written.contains("\n# account_id = \"123456789012\"\n"),
        "{written}"
    );
    assert!(!written.contains("\naccount_id"), "{written}");
    assert_validates(target.path_str());
    std::fs::remove_dir(home.path()).unwrap();
}

#[test]
fn with_credentials_the_account_id_is_read_from_sts() {
    let moto = Moto::start(WATCHPOST);
    let target = free_path();
    let run = moto.watchpost(&[
        "init",
        "--baseline",
        target.path_str(),
        "--email",
        "secops@corp.test",
    ]);
    run.assert_success();
    // moto's account, and the region of the AWS configuration.
    run.assert_stdout_has(&["home region us-east-1; account 123456789012."]);
    let written = std::fs::read_to_string(target.path()).unwrap();
    assert!(
        written.contains("\naccount_id = \"123456789012\"\n"),
        "{written}"
    );
    assert_validates(target.path_str());
}
