//! Shared harness for integration tests: a real moto server per test, SDK clients pointed at it,
//! a runner for the real `watchpost` binary, and temp baseline files.
//!
//! Use it from a test file with `mod support;`. moto comes from `$WATCHPOST_MOTO_SERVER` (set by
//! `scripts/test`, which installs `moto[server]` into a venv) or else `moto_server` on `PATH`.
//!
//! Every request a test sends reaches moto through watchpost-proxy's API gate, which refuses
//! what AWS's own API model refuses (botocore's models, from `$WATCHPOST_BOTOCORE_DATA` or else
//! the venv moto runs from): a test whose requests broke the model fails, listing them.

// Tests print for the person reading a failure; the pipe-safe printers are for watchpost.
#![allow(clippy::disallowed_macros)]
// Each test file compiles its own copy of this module and uses only some of its helpers.
#![allow(dead_code)]

pub mod account;
pub mod replay;

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::Credentials;
use watchpost_proxy::{ApiGate, ApiModels, Behaviour, Proxy};

/// The region every test uses unless it says otherwise.
pub const REGION: &str = "us-east-1";

const READY_TIMEOUT: Duration = Duration::from_secs(30);
const START_ATTEMPTS: usize = 5;

/// Ports handed out in this process. Tests run in parallel threads: never give the same port
/// to two servers, even one that the OS offers again after a previous server released it.
static PORTS_USED: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// Unique suffixes for temp files and directories in this process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{}-{n}", std::process::id())
}

/// A free port on 127.0.0.1 that no other server in this process has been given.
fn free_port() -> u16 {
    loop {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local_addr").port();
        drop(listener);
        let mut used = PORTS_USED.lock().unwrap_or_else(|e| e.into_inner());
        if used.insert(port) {
            return port;
        }
    }
}

/// A moto server on 127.0.0.1 with its own fresh state, behind an API gate; stopped when
/// dropped, and then failing the test if the gate refused any request.
pub struct Moto {
    child: Child,
    port: u16,
    dir: PathBuf,
    gate: Arc<ApiGate>,
    proxy: Proxy,
}

/// botocore's models ([`ApiModels::from_env`]), read once per test binary.
fn api_models() -> Arc<ApiModels> {
    static MODELS: OnceLock<Arc<ApiModels>> = OnceLock::new();
    let models = MODELS.get_or_init(|| {
        let models = ApiModels::from_env()
            .unwrap_or_else(|e| panic!("cannot read AWS's service models for the API gate: {e}"));
        Arc::new(models)
    });
    Arc::clone(models)
}

impl Moto {
    /// Starts a moto server on a free port and waits until it answers (up to 30 s).
    ///
    /// Panics with moto's log if it cannot be started.
    #[track_caller]
    pub fn start() -> Moto {
        Moto::start_with_env(&[])
    }

    /// [`Moto::start`], with these variables added to moto's environment (moto's own settings,
    /// such as `INITIAL_NO_AUTH_ACTION_COUNT`).
    #[track_caller]
    pub fn start_with_env(env: &[(&str, &str)]) -> Moto {
        let dir = std::env::temp_dir().join(unique_name("watchpost-moto"));
        std::fs::create_dir_all(&dir).expect("create moto temp dir");
        let log_path = dir.join("moto.log");

        let (program, source) = moto_program();
        let mut last_exit = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = free_port();
            let log = File::create(&log_path).expect("create moto log");
            let mut child = spawn_moto(&program, port, log, env).unwrap_or_else(|e| {
                fail(
                    &dir,
                    format!(
                        "cannot start moto_server {} from {source}: {e}\n\
                     Run the tests with scripts/test, which installs moto[server] into a venv \
                     and sets WATCHPOST_MOTO_SERVER, or point WATCHPOST_MOTO_SERVER at a \
                     moto_server.",
                        program.display()
                    ),
                )
            });
            let outcome = wait_ready(&mut child, port);
            if outcome.is_ok() {
                let gate = Arc::new(ApiGate::new(api_models()));
                let behaviour = Behaviour {
                    validation: Some(Arc::clone(&gate)),
                    ..Behaviour::delayed(Duration::ZERO)
                };
                let proxy = Proxy::start(&format!("http://127.0.0.1:{port}"), behaviour)
                    .unwrap_or_else(|e| fail(&dir, format!("cannot start the API gate: {e}")));
                return Moto {
                    child,
                    port,
                    dir,
                    gate,
                    proxy,
                };
            }
            let _ = child.kill();
            let status = match child.wait() {
                Ok(status) => status.to_string(),
                Err(e) => format!("unknown status ({e})"),
            };
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            if outcome == Err(NotReady::Timeout) {
                fail(
                    &dir,
                    format!(
                        "moto_server did not answer on 127.0.0.1:{port} within {READY_TIMEOUT:?}; \
                     its log:\n{log}"
                    ),
                );
            }
            // It exited: most likely another process took the port between our bind and
            // moto's. Try another port.
            last_exit = format!("{status}; its log:\n{log}");
        }
        fail(
            &dir,
            format!(
                "{} exited on start {START_ATTEMPTS} times; the last: {last_exit}",
                program.display()
            ),
        )
    }

    /// `http://127.0.0.1:PORT` of the API gate in front of moto.
    pub fn endpoint(&self) -> String {
        self.proxy.endpoint()
    }

    /// The requests the API gate refused so far, which no longer fail the test: for a test that
    /// sends an invalid one on purpose.
    pub fn take_violations(&self) -> Vec<String> {
        self.gate.take_violations()
    }

    /// moto's stdout and stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("moto.log")).unwrap_or_default()
    }

    /// Clears all of this server's state (`POST /moto-api/reset`).
    pub fn reset(&self) {
        let (status, body) = http(self.port, "POST", "/moto-api/reset")
            .unwrap_or_else(|e| panic!("POST /moto-api/reset to {}: {e}", self.endpoint()));
        assert_eq!(
            status, 200,
            "POST /moto-api/reset answered {status}: {body}"
        );
    }

    /// SDK configuration for this server: its endpoint, `region`, static test credentials, and
    /// nothing taken from the host's environment or AWS profile.
    pub async fn sdk_config(&self, region: &str) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .empty_test_environment()
            .endpoint_url(self.endpoint())
            .region(Region::new(region.to_owned()))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .load()
            .await
    }

    /// An S3 client for this server, with path-style addressing (moto on 127.0.0.1 has no
    /// per-bucket host names).
    pub async fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let sdk = self.sdk_config(region).await;
        let config = aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    pub async fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.sdk_config(REGION).await)
    }

    pub async fn guardduty(&self, region: &str) -> aws_sdk_guardduty::Client {
        aws_sdk_guardduty::Client::new(&self.sdk_config(region).await)
    }

    pub async fn config(&self, region: &str) -> aws_sdk_config::Client {
        aws_sdk_config::Client::new(&self.sdk_config(region).await)
    }

    /// SDK configuration for another account of this server, reached as watchpost reaches it:
    /// by assuming OrganizationAccountAccessRole there (moto gives each account its own state).
    pub async fn sdk_config_in(&self, account: &str, region: &str) -> SdkConfig {
        let assumed = self
            .sts()
            .await
            .assume_role()
            .role_arn(format!(
                "arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
            ))
            .role_session_name("test")
            .send()
            .await
            .expect("moto lets any role be assumed");
        let credentials = assumed.credentials().expect("AssumeRole gives credentials");
        aws_config::defaults(BehaviorVersion::latest())
            .empty_test_environment()
            .endpoint_url(self.endpoint())
            .region(Region::new(region.to_owned()))
            .credentials_provider(Credentials::new(
                credentials.access_key_id(),
                credentials.secret_access_key(),
                Some(credentials.session_token().to_owned()),
                None,
                "assumed",
            ))
            .load()
            .await
    }

    pub async fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.sdk_config(REGION).await)
    }

    /// Runs the real `watchpost` binary against this server; see [`Moto::watchpost_with_env`].
    pub fn watchpost(&self, args: &[&str]) -> Run {
        self.watchpost_with_env(args, &[])
    }

    /// Runs the real `watchpost` binary against this server, with stdin closed, every `AWS_*`
    /// variable of the test's environment removed, and only these set: the moto endpoint, test
    /// credentials, region us-east-1, config and credentials files at /dev/null, `NO_COLOR=1`.
    /// `extra_env` is applied last, so a test can override any of them.
    pub fn watchpost_with_env(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Run {
        let mut env = vec![
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
            ("AWS_REGION", REGION.to_owned()),
            ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
            ("NO_COLOR", "1".to_owned()),
            // moto has no IAM propagation delay to wait out.
            ("WATCHPOST_PROPAGATION_TIMEOUT_SECONDS", "5".to_owned()),
        ];
        env.extend(extra_env.iter().map(|(k, v)| (*k, (*v).to_owned())));
        run_watchpost(args, &env)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for (why, count) in self.gate.unchecked() {
            eprintln!("API gate: {count} request(s) unchecked: {why}");
        }
        if std::thread::panicking() {
            // Keep moto's log for the failing test.
            eprintln!("moto log kept at {}", self.dir.join("moto.log").display());
            return;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        let violations = self.gate.violations();
        if !violations.is_empty() {
            panic!(
                "{} request(s) broke AWS's API model (answered 400, as AWS would):\n{}",
                violations.len(),
                violations.join("\n")
            );
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum NotReady {
    Exited,
    Timeout,
}

/// Removes the server's temp dir, then panics with `message`.
#[track_caller]
fn fail(dir: &Path, message: String) -> ! {
    let _ = std::fs::remove_dir_all(dir);
    panic!("{message}");
}

/// Polls until moto answers `GET /moto-api/`, or exits, or [`READY_TIMEOUT`] passes.
fn wait_ready(child: &mut Child, port: u16) -> Result<(), NotReady> {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            return Err(NotReady::Exited);
        }
        if let Ok((200, _)) = http(port, "GET", "/moto-api/") {
            // Answered: check that our server is still the one running.
            return match child.try_wait() {
                Ok(None) => Ok(()),
                _ => Err(NotReady::Exited),
            };
        }
        if Instant::now() >= deadline {
            return Err(NotReady::Timeout);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The moto_server to run: `$WATCHPOST_MOTO_SERVER`, else `moto_server` on `PATH`.
fn moto_program() -> (PathBuf, &'static str) {
    match std::env::var_os("WATCHPOST_MOTO_SERVER") {
        Some(p) if !p.is_empty() => (PathBuf::from(p), "$WATCHPOST_MOTO_SERVER"),
        _ => (
            PathBuf::from("moto_server"),
            "PATH (WATCHPOST_MOTO_SERVER is not set)",
        ),
    }
}

fn spawn_moto(program: &Path, port: u16, log: File, env: &[(&str, &str)]) -> io::Result<Child> {
    let stderr = log.try_clone()?;
    Command::new(program)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(stderr)
        .spawn()
}

/// One HTTP/1.1 request with an empty body over a fresh connection; returns status and body.
fn http(port: u16, method: &str, path: &str) -> io::Result<(u16, String)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    // /moto-api/data.json serializes every service's state, which takes seconds on a busy
    // machine.
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\
         Connection: close\r\n\r\n"
    )?;
    stream.flush()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response);
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| io::Error::other(format!("not an HTTP response: {response:?}")))?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// The outcome of one `watchpost` run.
#[derive(Debug)]
pub struct Run {
    pub args: Vec<String>,
    /// The exit code, or -1 if the process was killed by a signal.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics, showing the command and both streams, unless it exited with `expected`.
    #[track_caller]
    pub fn assert_code(&self, expected: i32) -> &Self {
        if self.code != expected {
            panic!(
                "`watchpost {}` exited {} (expected {expected})\n--- stdout ---\n{}\n--- stderr ---\n{}",
                self.args.join(" "),
                self.code,
                self.stdout,
                self.stderr
            );
        }
        self
    }

    #[track_caller]
    pub fn assert_success(&self) -> &Self {
        self.assert_code(0)
    }
}

/// Runs the real `watchpost` binary with stdin closed, every `AWS_*` variable of the test's
/// environment removed, `NO_COLOR=1`, then `env`. For commands that need no AWS (`validate`)
/// call this directly; for the rest use [`Moto::watchpost`].
pub fn run_watchpost(args: &[&str], env: &[(&str, String)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_watchpost"));
    cmd.args(args).stdin(Stdio::null()).env("NO_COLOR", "1");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(&key);
        }
    }
    for (key, value) in env {
        cmd.env(key, value);
    }
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", env!("CARGO_BIN_EXE_watchpost")));
    Run {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A baseline written to a temp file, removed when dropped.
pub struct TempBaseline {
    path: PathBuf,
}

impl TempBaseline {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path as a `&str`, for argument lists: `["plan", "--baseline", b.path_str()]`.
    pub fn path_str(&self) -> &str {
        self.path.to_str().expect("temp path is UTF-8")
    }
}

impl Drop for TempBaseline {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A small baseline with every kind of resource, in `home` and `other`: alert topics in both
/// (for the GuardDuty finding rule of each region, and the sign-in rule in us-east-1), and the
/// KMS key in `home`.
pub fn every_kind_baseline(home: &str, other: &str) -> String {
    format!(
        r#"
[scope]
regions = ["{home}", "{other}"]
home_region = "{home}"

[guardduty]
[guardduty.finding_alerts]

[kms]

[config]
[config.rules]
restricted-ssh = {{}}
iam-root-access-key-check = {{}}

[cloudtrail]

[alerts]
emails = ["security@example.com"]

[signin_notification]

[alarms]
[alarms.filters]
root-account-use = {{}}
console-signin-failures = {{}}
"#
    )
}

/// Writes `contents` to a fresh `.toml` file in the temp dir.
pub fn write_baseline(contents: &str) -> TempBaseline {
    let path = std::env::temp_dir().join(format!("{}.toml", unique_name("watchpost-baseline")));
    std::fs::write(&path, contents)
        .unwrap_or_else(|e| panic!("write baseline {}: {e}", path.display()));
    TempBaseline { path }
}

impl Moto {
    /// moto's whole state, every service's (`GET /moto-api/data.json`), for what the SDK cannot
    /// read back from it.
    pub fn state(&self) -> serde_json::Value {
        let (status, body) = http(self.port, "GET", "/moto-api/data.json")
            .unwrap_or_else(|e| panic!("GET /moto-api/data.json: {e}"));
        assert_eq!(status, 200, "GET /moto-api/data.json answered {status}");
        serde_json::from_str(&body).expect("moto's data is JSON")
    }

    /// The (subject, message) pairs published to a topic, from moto's own record of them.
    pub fn published(&self, topic_arn: &str) -> Vec<(String, String)> {
        let data = self.state();
        let topics = data["sns"]["Topic"].as_array().cloned().unwrap_or_default();
        topics
            .iter()
            .filter(|topic| topic["arn"] == topic_arn)
            .flat_map(|topic| {
                topic["sent_notifications"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|sent| {
                let text = |i: usize| sent[i].as_str().unwrap_or_default().to_owned();
                (text(2), text(1))
            })
            .collect()
    }
}

/// The real `watchpost` binary with `args`, reaching AWS at `endpoint` (a moto server or a
/// proxy in front of one) with the environment [`Moto::watchpost_with_env`] gives it, but not
/// yet started: for a test that acts on the process while it runs (signals it, reads its output
/// as it comes). Its stdin is closed; stdout and stderr are piped.
pub fn watchpost_command(endpoint: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_watchpost"));
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            command.env_remove(&key);
        }
    }
    let fixed = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", REGION),
        ("AWS_CONFIG_FILE", "/dev/null"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("NO_COLOR", "1"),
        ("WATCHPOST_PROPAGATION_TIMEOUT_SECONDS", "5"),
    ];
    command.env("AWS_ENDPOINT_URL", endpoint).envs(fixed);
    command
}

impl Moto {
    /// `watchpost plan --detailed-exitcode --full` with `baseline`: exit 0 when the account
    /// matches it, 2 when there are changes, with every change in full.
    pub fn plan_exitcode(&self, baseline: &str) -> Run {
        self.watchpost(&[
            "plan",
            "--baseline",
            baseline,
            "--detailed-exitcode",
            "--full",
        ])
    }

    /// `watchpost apply --auto-approve` with `baseline`.
    pub fn apply_approved(&self, baseline: &str) -> Run {
        self.watchpost(&["apply", "--baseline", baseline, "--auto-approve"])
    }
}

impl Run {
    /// Panics, showing the output, unless stdout holds each of `expected`.
    #[track_caller]
    pub fn assert_stdout_has(&self, expected: &[impl AsRef<str>]) -> &Self {
        assert_holds("stdout", &self.stdout, expected);
        self
    }

    /// Panics, showing the output, unless stderr holds each of `expected`.
    #[track_caller]
    pub fn assert_stderr_has(&self, expected: &[impl AsRef<str>]) -> &Self {
        assert_holds("stderr", &self.stderr, expected);
        self
    }
}

#[track_caller]
fn assert_holds(stream: &str, text: &str, expected: &[impl AsRef<str>]) {
    for expected in expected {
        let expected = expected.as_ref();
        assert!(
            text.contains(expected),
            "missing {expected:?} in {stream}:\n{text}"
        );
    }
}
