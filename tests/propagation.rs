//! AWS's propagation windows under watchpost: the project's proxy refuses, for a few seconds
//! after a role, a bucket policy, a key or an alias is written, the calls AWS refuses while it
//! propagates (proxy/src/propagation.rs), which moto alone never does. `apply` from empty must
//! wait each one out and converge in one run; with no wait allowed, it must stop naming what it
//! waits for, and the next run finish.

use std::collections::BTreeSet;
use std::time::Duration;

use support::{Moto, Watchpost, every_kind_baseline};
use watchpost_proxy::{Behaviour, Proxy};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const HOME: &str = "us-east-1";
const OTHER: &str = "eu-west-1";
const WINDOW: Duration = Duration::from_secs(3);
const TIMEOUT: &str = "WATCHPOST_PROPAGATION_TIMEOUT_SECONDS";

/// The refusals watchpost's call order meets, with a baseline of every kind: each region's
/// recorder, put right after the Config role is made, and the trail, made right after its
/// bucket policy is written. The others cannot show here: the trail's key and logs role are
/// written a few hundred milliseconds before the bucket policy, which CloudTrail is answered
/// as checking first, so their windows end while the bucket policy still refuses; the delivery
/// channel comes only once its recorder was accepted, after the role's and the bucket policy's
/// windows; and no key policy of watchpost's names a role.
const EXPECTED: &[&str] = &[
    "InsufficientS3BucketPolicyException",
    "InvalidRoleException",
];

fn through_windows(moto: &Moto) -> Proxy {
    let behaviour = Behaviour {
        propagation: Some(WINDOW),
        ..Behaviour::delayed(Duration::ZERO)
    };
    Proxy::start(&moto.endpoint(), behaviour).expect("the proxy starts")
}

fn refusals(proxy: &Proxy) -> BTreeSet<&'static str> {
    proxy
        .trace()
        .exchanges()
        .iter()
        .filter_map(|exchange| exchange.refused)
        .collect()
}

#[test]
fn apply_from_empty_waits_out_every_window_and_converges_in_one_run() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, &every_kind_baseline(HOME, OTHER));
    let proxy = through_windows(&moto);

    let run = moto.watchpost_with_env(
        &["apply", "--baseline", baseline.path_str(), "--auto-approve"],
        &[("AWS_ENDPOINT_URL", &proxy.endpoint()), (TIMEOUT, "60")],
    );

    run.assert_success();
    // Each refusal was met and waited out: had watchpost made a user before the role, policy
    // or key it names, or made it long after, the set would differ.
    assert_eq!(
        refusals(&proxy),
        EXPECTED.iter().copied().collect(),
        "{}",
        run.stderr
    );
    moto.plan_exitcode(baseline.path_str()).assert_code(0);
}

#[test]
fn with_no_wait_allowed_apply_names_what_it_awaits_and_the_next_run_finishes() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, &every_kind_baseline(HOME, OTHER));
    let proxy = through_windows(&moto);
    let apply = ["apply", "--baseline", baseline.path_str(), "--auto-approve"];

    let run = moto.watchpost_with_env(
        &apply,
        &[("AWS_ENDPOINT_URL", &proxy.endpoint()), (TIMEOUT, "0")],
    );

    run.assert_code(1);
    let output = format!("{}{}", run.stdout, run.stderr);
    assert!(
        output.contains(
            "config:PutConfigurationRecorder for config_recorder/us-east-1 failed: InvalidRoleException"
        ),
        "{output}"
    );
    assert!(
        output.contains(
            "AWS answers this while the Config role (new, or its trust policy just changed) has not reached the service"
        ),
        "{output}"
    );
    assert!(
        output.contains(
            "cloudtrail:CreateTrail for cloudtrail_trail/us-east-1/watchpost failed: InsufficientS3BucketPolicyException"
        ),
        "{output}"
    );
    assert!(
        output.contains("AWS answers this while the log bucket's policy just written has not reached the service"),
        "{output}"
    );

    // The next run, once the windows have passed, makes what the first left, and nothing twice.
    std::thread::sleep(WINDOW);
    moto.watchpost_with_env(
        &apply,
        &[("AWS_ENDPOINT_URL", &proxy.endpoint()), (TIMEOUT, "60")],
    )
    .assert_success();
    moto.plan_exitcode(baseline.path_str()).assert_code(0);
}
