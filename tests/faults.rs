//! AWS failing under watchpost: requests throttled, answered 500 or 503, or cut off before or
//! after they reached the service, injected by the project's proxy between watchpost and moto.
// Tests print for the person reading a failure; the pipe-safe printers are for watchpost.
#![allow(clippy::disallowed_macros)]

use support::account::account_state;
use support::json::json_lines;
use support::{Moto, Watchpost, aws_env, every_kind_baseline, write_baseline};
use watchpost_proxy::{Behaviour, Fault, Faults, Proxy};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const HOME: &str = "us-east-1";
const OTHER: &str = "eu-west-1";

#[tokio::test]
async fn apply_from_empty_converges_with_a_fifth_of_all_requests_failing() {
    let reference = Moto::start(WATCHPOST);
    let baseline = write_baseline(&every_kind_baseline(HOME, OTHER));
    let apply = [
        "apply",
        "--baseline",
        baseline.path_str(),
        "--auto-approve",
        "--json",
    ];
    let started = std::time::Instant::now();
    reference.watchpost(&apply).assert_success();
    let without_faults = started.elapsed();
    let expected = account_state(&reference, HOME, &[OTHER]).await;
    drop(reference);

    let moto = Moto::start(WATCHPOST);
    let behaviour = Behaviour {
        faults: Faults::at_rate(0.2, 6),
        ..Behaviour::delayed(std::time::Duration::ZERO)
    };
    let proxy = Proxy::start(&moto.endpoint(), behaviour).expect("the proxy starts");
    // With no retry setting of the user's: the attempts are watchpost's default.
    let started = std::time::Instant::now();
    let run = moto.watchpost_with_env(&apply, &[("AWS_ENDPOINT_URL", &proxy.endpoint())]);

    let trace = proxy.trace();
    let faults = trace
        .exchanges()
        .iter()
        .filter_map(|exchange| exchange.fault)
        .collect::<Vec<_>>();
    assert!(
        faults.len() * 7 > trace.exchanges().len(),
        "only {} of {} requests failed",
        faults.len(),
        trace.exchanges().len()
    );
    for kind in Fault::ALL {
        assert!(faults.contains(&kind), "no {kind:?} among {faults:?}");
    }
    // The figures docs/reliability.md quotes (`cargo test --test faults -- --nocapture`).
    let by_kind = Fault::ALL.map(|kind| (kind, faults.iter().filter(|f| **f == kind).count()));
    eprintln!(
        "apply through 20% faults: {} requests, {} failed {by_kind:?}, in {:.1} s ({:.1} s without faults)",
        trace.exchanges().len(),
        faults.len(),
        started.elapsed().as_secs_f64(),
        without_faults.as_secs_f64()
    );
    run.assert_success();
    let summary = json_lines(&run.stdout).pop().unwrap();
    assert_eq!(summary["converged"], true, "{}", run.stdout);
    moto.plan_exitcode(baseline.path_str()).assert_code(0);
    assert_eq!(account_state(&moto, HOME, &[OTHER]).await, expected);
}

#[tokio::test]
async fn a_failing_service_holds_back_its_own_resources_and_the_next_apply_finishes() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, &every_kind_baseline(HOME, OTHER));
    let behaviour = Behaviour {
        faults: Faults::every_request_to("monitoring", Fault::Unavailable),
        ..Behaviour::delayed(std::time::Duration::ZERO)
    };
    let proxy = Proxy::start(&moto.endpoint(), behaviour).expect("the proxy starts");
    let apply = ["apply", "--baseline", baseline.path_str(), "--auto-approve"];

    // Two attempts keep the SDK's backoff short; what is tested is what happens after them.
    let run = moto.watchpost_with_env(
        &apply,
        &[
            ("AWS_ENDPOINT_URL", &proxy.endpoint()),
            ("AWS_MAX_ATTEMPTS", "2"),
        ],
    );

    run.assert_code(1);
    // The gap names the place, the call and the cause; everything else was made.
    assert!(
        run.stdout.contains(&format!(
            "! metric_alarm/{HOME}: could not read (cloudwatch:DescribeAlarms)"
        )),
        "{}",
        run.stdout
    );
    run.assert_stdout_has(&["ServiceUnavailable"]);
    run.assert_stderr_has(&["1 part(s) could not be read"]);
    // A change that failed is said as `<id>: failed: <error>`; gaps (`!`) wrap onto indented lines.
    let change_failed = |line: &&str| line.contains(": failed: ") && !line.starts_with('!');
    assert!(
        !run.stdout.lines().any(|line| change_failed(&line)),
        "{}",
        run.stdout
    );
    assert!(moto.alarm_names(HOME).await.is_empty());
    let plan = moto.watchpost(&["plan", "--baseline", baseline.path_str()]);
    assert!(
        plan.stdout
            .contains("Plan: 2 to add, 0 to change, 0 to destroy."),
        "only the two alarms are left: {}",
        plan.stdout
    );

    moto.watchpost(&apply).assert_success();
    moto.plan_exitcode(baseline.path_str()).assert_code(0);
}

#[test]
fn an_answer_that_is_not_aws_is_quoted_short() {
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // The proxy answers every request 502 with a line of text: no AWS error in it.
    let proxy = Proxy::start(
        &format!("http://127.0.0.1:{closed_port}"),
        Behaviour::delayed(std::time::Duration::ZERO),
    )
    .expect("the proxy starts");
    let baseline = write_baseline(&every_kind_baseline(HOME, OTHER));

    let run = WATCHPOST.run(
        &["plan", "--baseline", baseline.path_str()],
        &[
            aws_env(&proxy.endpoint()),
            vec![("AWS_MAX_ATTEMPTS", "1".to_owned())],
        ]
        .concat(),
    );

    run.assert_code(1);
    run.assert_stderr_has(&["HTTP 502 with an answer that is not an error of the service: watchpost-proxy: forwarding to"]);
    assert!(run.stderr.len() < 1_000, "{}", run.stderr);
}
