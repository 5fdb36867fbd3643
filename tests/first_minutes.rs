//! What a new user meets in the first minutes: a plan piped into `head`, no credentials, a
//! wrong endpoint, region or profile, and the progress display. Each ends quietly or in a short
//! error with a hint, and in seconds.

use std::io::{BufRead, BufReader, Read};
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Stdio;
use std::time::{Duration, Instant};

use support::{Moto, Run, Watchpost};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const RECOMMENDED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/baseline.toml");

/// The recommended baseline as a user makes it theirs: a real alert address in place of the
/// placeholder, whose warning would otherwise be the first thing each of these runs says.
fn starter() -> String {
    std::fs::read_to_string(RECOMMENDED)
        .expect("the recommended baseline")
        .replace("security@example.com", "secops@corp.internal")
}

fn starter_baseline() -> support::TempBaseline {
    support::write_baseline(&starter())
}

/// The starter but for IAM Access Analyzer, which moto does not serve: its full plan reads
/// every region and runs to thousands of lines, more than a pipe holds.
fn recommended_for_moto() -> support::TempBaseline {
    let starter = starter();
    let (kept, _) = starter
        .split_once("[access_analyzer]")
        .expect("the recommended baseline ends with [access_analyzer]");
    support::write_baseline(kept)
}

/// `watchpost ARGS | head -1`: the reader takes one line and goes away.
fn read_one_line_then_close(moto: &Moto, args: &[&str]) -> (String, i32, String) {
    let mut child = moto
        .watchpost_command(args)
        .spawn()
        .expect("watchpost starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("a first line");
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr is piped")
        .read_to_string(&mut stderr)
        .expect("stderr is text");
    let status = child.wait().expect("watchpost ends");
    (first, status.code().unwrap_or(-1), stderr)
}

#[test]
fn a_plan_piped_into_head_ends_quietly_with_the_plans_own_exit_code() {
    let moto = recommended_moto();
    let baseline = recommended_for_moto();
    let baseline = baseline.path_str();
    for args in [
        &["plan", "--baseline", baseline, "--full"][..],
        &["plan", "--baseline", baseline, "--json"],
        &[
            "plan",
            "--baseline",
            baseline,
            "--full",
            "--detailed-exitcode",
        ],
    ] {
        let (first, code, stderr) = read_one_line_then_close(&moto, args);
        assert!(!first.is_empty(), "{args:?} printed nothing");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
        let expected = if args.contains(&"--detailed-exitcode") {
            2
        } else {
            0
        };
        assert_eq!(code, expected, "{args:?} exited {code}: {stderr}");
    }
}

/// Every line of a short error: at most `lines` of them, none longer than 200 characters, one
/// of them the hint.
#[track_caller]
fn assert_short_with_hint(run: &Run, lines: usize) {
    run.assert_code(1);
    let said: Vec<&str> = run.stderr.lines().collect();
    assert!(
        said.len() <= lines && said.iter().all(|line| line.chars().count() < 200),
        "not short:\n{}",
        run.stderr
    );
    assert!(said[0].starts_with("error: "), "{}", run.stderr);
    assert!(
        said.iter().any(|line| line.starts_with("hint: ")),
        "{}",
        run.stderr
    );
}

#[test]
fn no_credentials_are_one_line_naming_the_sources_tried_and_a_hint() {
    let starter = starter_baseline();
    let home = tempdir("home");
    let run = WATCHPOST.run(
        &["plan", "--baseline", starter.path_str()],
        &[
            ("HOME", home.display().to_string()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ],
    );
    assert_short_with_hint(&run, 2);
    run.assert_stderr_has(&[
        "error: no AWS credentials found; tried environment variables, profile `default` (~/.aws/config and ~/.aws/credentials)",
        "instance role (IMDS disabled)",
        "aws configure sso",
        "--profile NAME",
    ]);
}

/// An address on this machine where nothing listens.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

fn with_test_credentials(args: &[&str], extra: &[(&str, String)]) -> (Run, Duration) {
    let mut env = vec![
        ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
        ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ];
    env.extend(extra.iter().cloned());
    let started = Instant::now();
    let run = WATCHPOST.run(args, &env);
    (run, started.elapsed())
}

#[test]
fn a_refused_connection_fails_in_seconds_naming_the_endpoint() {
    let starter = starter_baseline();
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let (run, took) = with_test_credentials(
        &["plan", "--baseline", starter.path_str()],
        &[("AWS_ENDPOINT_URL", endpoint.clone())],
    );
    assert_short_with_hint(&run, 2);
    run.assert_stderr_has(&[
        format!(
            "error: cannot connect to {endpoint} for sts:GetCallerIdentity: Connection refused"
        ),
        format!("hint: {endpoint} comes from AWS_ENDPOINT_URL"),
    ]);
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

/// With no region in the environment or the profile, the SDK's region chain ends at the
/// instance metadata service, which off EC2 can take a minute to give up; watchpost knows its
/// regions from the baseline and never asks it. The metadata service here is a listener of the
/// test's own that counts who connects.
#[test]
fn with_no_region_configured_the_instance_metadata_service_is_not_asked() {
    let starter = starter_baseline();
    let metadata = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    metadata
        .set_nonblocking(true)
        .expect("a non-blocking listener");
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let run = WATCHPOST.run(
        &["plan", "--baseline", starter.path_str()],
        &[
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
            ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
            (
                "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                format!("http://{}", metadata.local_addr().unwrap()),
            ),
            ("AWS_ENDPOINT_URL", endpoint.clone()),
        ],
    );
    run.assert_stderr_has(&[format!("error: cannot connect to {endpoint}")]);
    assert!(
        metadata.accept().is_err(),
        "watchpost asked the instance metadata service:\n{}",
        run.stderr
    );
}

#[test]
fn an_unknown_region_is_refused_before_any_call() {
    let starter = starter_baseline();
    let (run, took) = with_test_credentials(
        &[
            "plan",
            "--baseline",
            starter.path_str(),
            "--region",
            "nowhere-1",
        ],
        &[],
    );
    run.assert_code(1)
        .assert_stderr_has(&["unknown region `nowhere-1`"]);
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let (run, _) = with_test_credentials(
        &[
            "plan",
            "--baseline",
            starter.path_str(),
            "--region",
            "eu-wset-1",
        ],
        &[],
    );
    run.assert_code(1)
        .assert_stderr_has(&["did you mean `eu-west-1`?"]);
}

#[test]
fn a_profile_not_defined_is_an_error_even_with_credentials_in_the_environment() {
    let starter = starter_baseline();
    let dir = tempdir("profiles");
    let config = dir.join("config");
    std::fs::write(&config, "[profile audit]\nregion = us-east-1\n").expect("config written");
    let (run, _) = with_test_credentials(
        &[
            "plan",
            "--baseline",
            starter.path_str(),
            "--profile",
            "nosuch",
        ],
        &[("AWS_CONFIG_FILE", config.display().to_string())],
    );
    assert_short_with_hint(&run, 2);
    run.assert_stderr_has(&[
        format!(
            "error: the profile `nosuch` (--profile) is not defined in {} and /dev/null",
            config.display()
        ),
        "the profiles there: audit".to_owned(),
    ]);
}

#[test]
fn progress_shows_on_a_terminal_only_and_never_when_piped_or_quiet() {
    let moto = recommended_moto();
    let baseline = recommended_for_moto();
    let plan = ["plan", "--baseline", baseline.path_str()];
    let piped = moto.watchpost(&plan);
    piped.assert_success();
    assert_no_progress(&piped.stderr);

    let on_terminal = stderr_on_a_terminal(&moto, &plan);
    assert!(
        on_terminal.contains("reading account 123456789012"),
        "{on_terminal:?}"
    );
    assert_no_progress(&stderr_on_a_terminal(
        &moto,
        &[&plan[..], &["--quiet"]].concat(),
    ));
    assert_no_progress(&stderr_on_a_terminal(
        &moto,
        &[&plan[..], &["--json"]].concat(),
    ));
}

#[track_caller]
fn assert_no_progress(stderr: &str) {
    assert!(
        !stderr.contains('\r')
            && !stderr.contains("reading account")
            && !stderr
                .chars()
                .any(|c| ('\u{2800}'..='\u{28ff}').contains(&c)),
        "progress was drawn: {stderr:?}"
    );
}

/// What `args` writes to stderr when stderr is a terminal (a pseudo-terminal this test reads).
fn stderr_on_a_terminal(moto: &Moto, args: &[&str]) -> String {
    let (mut leader, mut follower) = (-1, -1);
    let opened = unsafe {
        libc::openpty(
            &mut leader,
            &mut follower,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
    let (leader, follower) =
        unsafe { (OwnedFd::from_raw_fd(leader), OwnedFd::from_raw_fd(follower)) };
    let mut child = moto
        .watchpost_command(args)
        .stdout(Stdio::null())
        .stderr(Stdio::from(follower))
        .spawn()
        .expect("watchpost starts");
    let mut terminal = std::fs::File::from(leader);
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    // The leader reads until every holder of the follower is gone (EIO on Linux).
    while let Ok(n @ 1..) = terminal.read(&mut chunk) {
        seen.extend_from_slice(&chunk[..n]);
    }
    child.wait().expect("watchpost ends");
    String::from_utf8_lossy(&seen).into_owned()
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "watchpost-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// moto as scripts/demo runs it: the recommended baseline reads AWS managed policies, which
/// moto loads only when told.
fn recommended_moto() -> Moto {
    Moto::start_with_env(WATCHPOST, &[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")])
}
