//! Ctrl-C during apply: the changes in progress finish, no new one starts, the run says what
//! is left, and the next apply finishes the job.

use std::io::{BufRead, BufReader};
use std::time::Duration;

use support::{Moto, Watchpost, write_baseline};
use watchpost_proxy::{Behaviour, Proxy};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const BASELINE: &str = "[scope]\nregions = [\"us-east-1\", \"eu-west-1\"]\nhome_region = \"us-east-1\"\n\
     [guardduty]\n[config]\n[config.rules]\nrestricted-ssh = {}\n";

#[tokio::test]
async fn ctrl_c_lets_running_changes_finish_and_starts_no_new_one() {
    let moto = Moto::start(WATCHPOST);
    // Slow enough that the apply is still making changes when the interrupt arrives.
    let proxy = Proxy::start(
        &moto.endpoint(),
        Behaviour::delayed(Duration::from_millis(250)),
    )
    .expect("the proxy starts");
    let baseline = write_baseline(BASELINE);
    let mut child = WATCHPOST
        .command(
            &proxy.endpoint(),
            &[
                "apply",
                "--baseline",
                baseline.path_str(),
                "--auto-approve",
                "--json",
            ],
        )
        .spawn()
        .expect("watchpost starts");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines: Vec<serde_json::Value> = Vec::new();
    let mut interrupted = false;
    for line in stdout.lines() {
        let line: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        if !interrupted && line["type"] == "change_finished" {
            // SAFETY: kill(2) on the pid of a child this test spawned and has not reaped.
            unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
            interrupted = true;
        }
        lines.push(line);
    }
    let status = child.wait().unwrap();
    assert!(interrupted, "the apply ended before any change finished");
    assert_eq!(
        status.code(),
        Some(1),
        "an interrupted apply has not converged"
    );
    let of_type = |kind: &str| -> Vec<String> {
        lines
            .iter()
            .filter(|line| line["type"] == kind)
            .map(|line| line["address"].as_str().unwrap().to_owned())
            .collect()
    };
    let (started, finished) = (of_type("change_started"), of_type("change_finished"));
    let not_started = of_type("change_not_started");
    assert!(
        lines
            .iter()
            .filter(|line| line["type"] == "change_not_started")
            .all(|line| line["reason"] == "interrupted"),
        "{lines:#?}"
    );
    // Everything that began was finished; what had not begun was left, and said so.
    assert_eq!(started.len(), finished.len(), "{lines:#?}");
    assert!(!not_started.is_empty(), "{lines:#?}");
    assert!(not_started.iter().all(|address| !started.contains(address)));
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["converged"], false);
    assert!(summary["remaining"].as_u64().unwrap() >= not_started.len() as u64);

    // The lease was given back, and the next apply finishes the job.
    moto.apply_approved(baseline.path_str()).assert_success();
    moto.plan_exitcode(baseline.path_str()).assert_code(0);
}
