//! The account's lease while a run works: a heartbeat renews it, a run whose heartbeat cannot
//! renew it starts no new change and says why, and `force-unlock` removes a lease by hand only
//! as far as it is told to.

use std::io::{BufRead, BufReader, Read};
use std::time::Duration;

use support::lease::{hold_lease, lease_of};
use support::{ACCOUNT, Moto, Watchpost, every_kind_baseline, write_baseline};
use watchpost_proxy::{Behaviour, Fault, Faults, Proxy};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const HOME: &str = "us-east-1";
const HOLDER: &str = "watchpost pid 4242 on repair-host-1";

/// The account's lease as (holder, expires_at), if there is one.
async fn lease(moto: &Moto) -> Option<(String, u64)> {
    lease_of(&moto.sdk_config(HOME).await, ACCOUNT).await
}

/// A lease of the account held by [`HOLDER`] until `expires_at` (epoch seconds).
async fn hold(moto: &Moto, expires_at: u64) {
    hold_lease(&moto.sdk_config(HOME).await, ACCOUNT, HOLDER, expires_at).await;
}

#[tokio::test]
async fn force_unlock_removes_a_dead_lease_and_a_live_one_only_when_forced() {
    let moto = Moto::start(WATCHPOST);
    let baseline = write_baseline(&format!(
        "[scope]\nregions = [\"{HOME}\"]\nhome_region = \"{HOME}\"\n[guardduty]\n"
    ));
    let unlock = |extra: &[&str]| {
        let mut args = vec!["force-unlock", ACCOUNT, "--baseline", baseline.path_str()];
        args.extend_from_slice(extra);
        moto.watchpost(&args)
    };

    // No run has ever held the account: there is no table.
    unlock(&[])
        .assert_success()
        .assert_stdout_has(&["Account 123456789012: no run holds the lease: nothing to remove."]);

    // A lease that lapsed is removed without asking.
    hold(&moto, 1).await;
    unlock(&[]).assert_success().assert_stdout_has(&[format!(
        "Account 123456789012: removed the lease of {HOLDER}, which had lapsed"
    )]);
    assert_eq!(lease(&moto).await, None);
    unlock(&[])
        .assert_success()
        .assert_stdout_has(&["no run holds the lease: nothing to remove."]);

    // A live one is refused, naming who holds it and how to remove it all the same.
    hold(&moto, 99_999_999_999).await;
    unlock(&[]).assert_code(1).assert_stderr_has(&[
        format!("error: the lease on account 123456789012 is live: {HOLDER} holds it"),
        format!(
            "hint: if that run is dead, wait for its lease to lapse, or remove it now with `watchpost force-unlock 123456789012 --holder '{HOLDER}' --force`"
        ),
    ]);
    // Another holder named is refused, forced or not: it may be a run that took the lease since.
    unlock(&["--holder", "watchpost pid 1 on another-host", "--force"])
        .assert_code(1)
        .assert_stderr_has(&[format!(
            "error: the lease on account 123456789012 is held by {HOLDER}, not by watchpost pid 1 on another-host; nothing was removed"
        )]);
    assert_eq!(
        lease(&moto).await,
        Some((HOLDER.to_owned(), 99_999_999_999))
    );

    unlock(&["--holder", HOLDER, "--force"])
        .assert_success()
        .assert_stdout_has(&[format!(
            "Account 123456789012: removed the live lease of {HOLDER}, which had"
        )]);
    assert_eq!(lease(&moto).await, None);
}

/// An `apply --json` of every kind from empty, with a lease of 30 seconds, that `interfere`s
/// once its first change has begun: its output lines, its standard error and its exit code.
///
/// The Config recorder, refused for a while after its role is made as AWS refuses it, waits
/// that long before it is made, and what depends on it longer: changes are still to begin when
/// the lease is found lost. The lease is short so that it is lost within that wait (at most
/// two thirds of a lease after the interference), and long enough that a renewal answered
/// slowly by a moto on a busy machine (seconds, at times) keeps it until then.
fn apply_losing_the_lease(
    moto: &Moto,
    baseline: &str,
    interfere: impl FnOnce(&Proxy),
) -> (Vec<serde_json::Value>, String, Option<i32>, Proxy) {
    let behaviour = Behaviour {
        propagation: Some(Duration::from_secs(60)),
        ..Behaviour::delayed(Duration::ZERO)
    };
    let proxy = Proxy::start(&moto.endpoint(), behaviour).expect("the proxy starts");
    let apply = [
        "apply",
        "--baseline",
        baseline,
        "--auto-approve",
        "--json",
        "--lease-seconds",
        "30",
    ];
    let mut child = WATCHPOST
        .command(&proxy.endpoint(), &apply)
        .env("WATCHPOST_PROPAGATION_TIMEOUT_SECONDS", "120")
        .spawn()
        .expect("watchpost starts");
    let mut interfere = Some(interfere);
    let mut lines: Vec<serde_json::Value> = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        if line["type"] == "change_started"
            && let Some(interfere) = interfere.take()
        {
            interfere(&proxy);
        }
        lines.push(line);
    }
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    (lines, stderr, status.code(), proxy)
}

/// What a run that lost its lease part way says: changes not started for that reason, what had
/// begun let finish, and why in the account's ending and the run's error.
fn assert_stopped_for_the_lease(lines: &[serde_json::Value], stderr: &str, why_begins: &str) {
    let of_type = |kind: &str| -> Vec<&serde_json::Value> {
        lines.iter().filter(|line| line["type"] == kind).collect()
    };
    let not_started = of_type("change_not_started");
    assert!(!not_started.is_empty(), "{stderr}\n{lines:#?}");
    assert!(
        not_started
            .iter()
            .all(|line| line["reason"] == "lease_lost"),
        "{not_started:#?}"
    );
    let ended = ["change_finished", "change_failed", "change_skipped"]
        .map(|kind| of_type(kind).len())
        .iter()
        .sum::<usize>();
    assert_eq!(of_type("change_started").len(), ended, "{lines:#?}");
    let summary = of_type("account_summary")[0];
    assert_eq!(summary["converged"], false);
    let why = summary["lease_lost"].as_str().expect("lease_lost says why");
    assert!(why.starts_with(why_begins), "{why}");
    assert!(
        stderr.contains(&format!(
            "error: apply stopped: the account's lease was lost ({why_begins}"
        )),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_run_whose_lease_cannot_be_renewed_starts_no_new_change_and_says_why() {
    let (moto, baseline) =
        Moto::start_with_baseline(WATCHPOST, &every_kind_baseline(HOME, "eu-west-1"));
    let (lines, stderr, code, proxy) =
        apply_losing_the_lease(&moto, baseline.path_str(), |proxy| {
            // From the first change on, DynamoDB fails every renewal the heartbeat sends.
            proxy.set_faults(Faults::every_call_of(
                "dynamodb",
                "PutItem",
                Fault::InternalError,
            ));
        });
    assert_eq!(code, Some(1), "{stderr}");
    let renewals_failed = proxy
        .trace()
        .exchanges()
        .iter()
        .filter(|exchange| exchange.call.operation == "PutItem" && exchange.fault.is_some())
        .count();
    assert!(renewals_failed > 0, "no renewal was sent once faults began");
    assert_stopped_for_the_lease(&lines, &stderr, "it could not be renewed");
    // DynamoDB answers everything else: the lease was given back with the record of regions.
    assert_eq!(lease(&moto).await, None);

    // With DynamoDB answering again, the next apply finishes the job.
    drop(proxy);
    moto.apply_approved(baseline.path_str()).assert_success();
    moto.plan_exitcode(baseline.path_str()).assert_code(0);
}

#[tokio::test]
async fn a_run_whose_live_lease_is_forced_open_starts_no_new_change() {
    let (moto, baseline) =
        Moto::start_with_baseline(WATCHPOST, &every_kind_baseline(HOME, "eu-west-1"));
    let (lines, stderr, code, _) = apply_losing_the_lease(&moto, baseline.path_str(), |_| {
        let removed = moto.watchpost(&[
            "force-unlock",
            ACCOUNT,
            "--baseline",
            baseline.path_str(),
            "--force",
        ]);
        removed
            .assert_success()
            .assert_stdout_has(&["Account 123456789012: removed the live lease of watchpost pid"]);
    });
    assert_eq!(code, Some(1), "{stderr}");
    assert_stopped_for_the_lease(
        &lines,
        &stderr,
        "it was removed, by `watchpost force-unlock` or by hand",
    );
    // The run gave back no lease of another's, and made none again.
    assert_eq!(lease(&moto).await, None);
    moto.apply_approved(baseline.path_str()).assert_success();
    moto.plan_exitcode(baseline.path_str()).assert_code(0);
}
