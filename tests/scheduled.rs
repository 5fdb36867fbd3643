//! The nightly repairer: `--notify` reports repairs to the alert topic, and two runs against
//! one account do not fight.

use std::thread;

use aws_sdk_dynamodb::types::AttributeValue;
use support::{Moto, REGION, Watchpost};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const BASELINE: &str = r#"
[scope]
regions = ["us-east-1"]
home_region = "us-east-1"
[config.rules]
restricted-ssh = {}
[alerts]
emails = ["security@example.com"]
"#;
const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:watchpost-security-alerts";

#[tokio::test]
async fn notify_reports_a_repair_and_stays_silent_without_drift() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let repair = [
        "apply",
        "--baseline",
        baseline.path_str(),
        "--auto-approve",
        "--notify",
    ];
    moto.watchpost(&repair).assert_success();
    let after_setup = moto.published(TOPIC).len();

    moto.watchpost(&repair).assert_success();
    assert_eq!(
        moto.published(TOPIC).len(),
        after_setup,
        "nothing drifted, nothing sent"
    );

    moto.delete_config_rule(REGION, "restricted-ssh").await;
    moto.watchpost(&repair).assert_success();
    let sent = moto.published(TOPIC);
    assert_eq!(sent.len(), after_setup + 1);
    let (subject, message) = sent.last().unwrap();
    assert_eq!(subject, "watchpost repaired drift in account 123456789012");
    assert!(
        message.contains("1 to create, 0 to update, 0 to delete"),
        "{message}"
    );
    assert!(
        message.contains("config_rule/us-east-1/restricted-ssh: repaired"),
        "{message}"
    );
    assert!(
        message.contains("The account matches the baseline again."),
        "{message}"
    );
}

async fn hold_lease(moto: &Moto, holder: &str, expires_at: u64) {
    support::lease::hold_lease(
        &moto.sdk_config(REGION).await,
        support::ACCOUNT,
        holder,
        expires_at,
    )
    .await;
}

#[tokio::test]
async fn a_run_holding_the_account_keeps_another_out_until_its_lease_lapses() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let apply = ["apply", "--baseline", baseline.path_str(), "--auto-approve"];
    moto.watchpost(&apply).assert_success();

    hold_lease(&moto, "watchpost pid 1 on ci-runner-7", 99_999_999_999).await;
    let at_once: Vec<&str> = apply
        .iter()
        .copied()
        .chain(["--lock-timeout", "0"])
        .collect();
    let refused = moto.watchpost(&at_once);
    refused.assert_code(1);
    refused.assert_stderr_has(&[
        "another run holds account 123456789012: watchpost pid 1 on ci-runner-7",
        "`watchpost force-unlock 123456789012 --holder 'watchpost pid 1 on ci-runner-7'` removes it",
    ]);

    hold_lease(&moto, "watchpost pid 1 on ci-runner-7", 1).await;
    moto.watchpost(&apply).assert_success();
    let table = aws_sdk_dynamodb::Client::new(&moto.sdk_config(REGION).await);
    let lease = table
        .get_item()
        .table_name("watchpost-lease")
        .key("account", AttributeValue::S("123456789012".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    // The table keeps the record of the regions watchpost covered, not the lease.
    assert_eq!(lease.item(), None, "the lease is given back after the run");
}

#[tokio::test]
async fn plan_with_a_lock_timeout_waits_for_the_run_that_holds_the_account() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let waiting = [
        "plan",
        "--baseline",
        baseline.path_str(),
        "--lock-timeout",
        "2",
    ];
    // No run has held the account yet: there is no lease table, and nothing to wait for.
    moto.watchpost(&waiting).assert_success();
    moto.apply_approved(baseline.path_str()).assert_success();

    hold_lease(&moto, "watchpost pid 1 on ci-runner-7", 99_999_999_999).await;
    let started = std::time::Instant::now();
    let refused = moto.watchpost(&waiting);
    refused.assert_code(1);
    assert!(started.elapsed() >= std::time::Duration::from_secs(2));
    refused.assert_stderr_has(&[
        "error: another run still holds account 123456789012 after 2 s: watchpost pid 1 on ci-runner-7",
        "hint: plan again when it has finished, or leave out --lock-timeout",
    ]);
    assert_eq!(refused.stdout, "", "nothing was planned");
    // Without --lock-timeout, plan reads the account as it is, lease or not.
    moto.watchpost(&["plan", "--baseline", baseline.path_str()])
        .assert_success();

    hold_lease(&moto, "watchpost pid 1 on ci-runner-7", 1).await;
    moto.watchpost(&waiting).assert_success();
}

#[tokio::test]
async fn two_concurrent_applies_take_turns_and_converge_without_duplicates() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let waiting = [
        "apply",
        "--baseline",
        baseline.path_str(),
        "--auto-approve",
        "--lock-timeout",
        "120",
    ];
    let runs: Vec<support::Run> = thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| moto.watchpost(&waiting)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for run in &runs {
        run.assert_success();
    }
    let made: usize = runs
        .iter()
        .filter(|run| run.stdout.contains("Apply complete!"))
        .count();
    assert_eq!(
        made, 1,
        "one run made the setup; the other found nothing to do"
    );
    moto.plan_exitcode(baseline.path_str()).assert_code(0);
    let rules = moto.config_rule_names(REGION).await;
    assert_eq!(rules.len(), 1);
    let recorders = moto.recorder_names(REGION).await;
    assert_eq!(recorders.len(), 1);
}
