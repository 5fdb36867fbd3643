//! moto servers: the bare process ([`MotoServer`]), and the one a test uses ([`Moto`]), behind
//! an API gate and with the watchpost binary to run against it.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::Credentials;
use watchpost_proxy::{ApiGate, ApiModels, Behaviour, Proxy};

use crate::run::{Run, Watchpost, aws_env};
use crate::{REGION, TempBaseline, unique_name, write_baseline};

const READY_TIMEOUT: Duration = Duration::from_secs(30);
const START_ATTEMPTS: usize = 5;

/// Ports handed out in this process. Tests run in parallel threads: never give the same port
/// to two servers, even one that the OS offers again after a previous server released it.
static PORTS_USED: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

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

/// A moto server process on 127.0.0.1 with its own fresh state and nothing in front of it;
/// stopped when dropped. Its log is kept when the thread is panicking, else removed.
///
/// moto comes from `$WATCHPOST_MOTO_SERVER` (set by `scripts/test` and `scripts/bench`, which
/// install `moto[server]` into a venv) or else `moto_server` on `PATH`.
pub struct MotoServer {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl MotoServer {
    /// Starts moto on a free port, with these variables added to its environment (moto's own
    /// settings, such as `INITIAL_NO_AUTH_ACTION_COUNT`), and waits until it answers (up to
    /// 30 s). A server that exits on start, most likely because another process took the port
    /// between our bind and moto's, is started again on another port, up to 5 times.
    ///
    /// The error holds moto's log.
    pub fn start(env: &[(&str, &str)]) -> Result<MotoServer, String> {
        let dir = std::env::temp_dir().join(unique_name("watchpost-moto"));
        std::fs::create_dir_all(&dir).map_err(|e| format!("create moto temp dir: {e}"))?;
        let started = start_in(&dir, env);
        if started.is_err() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        started.map(|(child, port)| MotoServer { child, port, dir })
    }

    /// `count` servers ([`MotoServer::start`] with `env`), started side by side.
    pub fn start_many(count: usize, env: &[(&str, &str)]) -> Result<Vec<MotoServer>, String> {
        std::thread::scope(|scope| {
            let starting: Vec<_> = (0..count)
                .map(|_| scope.spawn(|| MotoServer::start(env)))
                .collect();
            starting
                .into_iter()
                .map(|thread| thread.join().expect("starting moto panicked"))
                .collect()
        })
    }

    /// `http://127.0.0.1:PORT` of moto itself.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// moto's stdout and stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("moto.log")).unwrap_or_default()
    }

    /// Clears all of this server's state, every account's (`POST /moto-api/reset`).
    pub fn reset(&self) -> Result<(), String> {
        match http(self.port, "POST", "/moto-api/reset") {
            Ok((200, _)) => Ok(()),
            Ok((status, body)) => Err(format!("POST /moto-api/reset answered {status}: {body}")),
            Err(e) => Err(format!("POST /moto-api/reset to {}: {e}", self.endpoint())),
        }
    }

    /// moto's whole state, every service's (`GET /moto-api/data.json`), for what the SDK cannot
    /// read back from it.
    pub fn state(&self) -> serde_json::Value {
        let (status, body) = http(self.port, "GET", "/moto-api/data.json")
            .unwrap_or_else(|e| panic!("GET /moto-api/data.json: {e}"));
        assert_eq!(status, 200, "GET /moto-api/data.json answered {status}");
        serde_json::from_str(&body).expect("moto's data is JSON")
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            // Keep moto's log for the failing test.
            eprintln!("moto log kept at {}", self.dir.join("moto.log").display());
            return;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts moto logging to `dir`/moto.log: its process and port.
fn start_in(dir: &Path, env: &[(&str, &str)]) -> Result<(Child, u16), String> {
    let log_path = dir.join("moto.log");
    let (program, source) = moto_program();
    let mut last_exit = String::new();
    for _ in 0..START_ATTEMPTS {
        let port = free_port();
        let log = File::create(&log_path).map_err(|e| format!("create moto log: {e}"))?;
        let mut child = spawn_moto(&program, port, log, env).map_err(|e| {
            format!(
                "cannot start moto_server {} from {source}: {e}\n\
                 Run the tests with scripts/test, which installs moto[server] into a venv \
                 and sets WATCHPOST_MOTO_SERVER, or point WATCHPOST_MOTO_SERVER at a \
                 moto_server.",
                program.display()
            )
        })?;
        let outcome = wait_ready(&mut child, port);
        if outcome.is_ok() {
            return Ok((child, port));
        }
        let _ = child.kill();
        let status = match child.wait() {
            Ok(status) => status.to_string(),
            Err(e) => format!("unknown status ({e})"),
        };
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        if outcome == Err(NotReady::Timeout) {
            return Err(format!(
                "moto_server did not answer on 127.0.0.1:{port} within {READY_TIMEOUT:?}; \
                 its log:\n{log}"
            ));
        }
        // It exited: most likely another process took the port between our bind and
        // moto's. Try another port.
        last_exit = format!("{status}; its log:\n{log}");
    }
    Err(format!(
        "{} exited on start {START_ATTEMPTS} times; the last: {last_exit}",
        program.display()
    ))
}

#[derive(Debug, PartialEq, Eq)]
enum NotReady {
    Exited,
    Timeout,
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

/// A moto server for one test: its own fresh state, behind watchpost-proxy's API gate, with
/// the watchpost binary to run against it. Stopped when dropped, and then failing the test if
/// the gate refused any request.
///
/// The gate refuses what AWS's own API model refuses (botocore's models, from
/// `$WATCHPOST_BOTOCORE_DATA` or else the venv moto runs from): a test whose requests broke
/// the model fails, listing them.
pub struct Moto {
    gate: Arc<ApiGate>,
    proxy: Proxy,
    watchpost: Watchpost,
    // Dropped last: the proxy in front of it goes first.
    server: MotoServer,
}

impl Moto {
    /// Starts a moto server ([`MotoServer::start`]) and the API gate in front of it, for
    /// `watchpost` to run against.
    ///
    /// Panics with moto's log if it cannot be started.
    #[track_caller]
    pub fn start(watchpost: Watchpost) -> Moto {
        Moto::start_with_env(watchpost, &[])
    }

    /// [`Moto::start`], and `baseline` written to a temp file ([`write_baseline`]): how most
    /// tests begin. Keep the [`TempBaseline`] as long as the test runs watchpost with it.
    #[track_caller]
    pub fn start_with_baseline(watchpost: Watchpost, baseline: &str) -> (Moto, TempBaseline) {
        (Moto::start(watchpost), write_baseline(baseline))
    }

    /// [`Moto::start_with_baseline`], then the baseline applied ([`Moto::apply_approved`],
    /// which must succeed): for a test of what happens to an account watchpost set up.
    #[track_caller]
    pub fn start_applied(watchpost: Watchpost, baseline: &str) -> (Moto, TempBaseline) {
        let (moto, written) = Moto::start_with_baseline(watchpost, baseline);
        moto.apply_approved(written.path_str()).assert_success();
        (moto, written)
    }

    /// [`Moto::start`], with these variables added to moto's environment (moto's own settings,
    /// such as `INITIAL_NO_AUTH_ACTION_COUNT`).
    #[track_caller]
    pub fn start_with_env(watchpost: Watchpost, env: &[(&str, &str)]) -> Moto {
        let server = MotoServer::start(env).unwrap_or_else(|e| panic!("{e}"));
        let gate = Arc::new(ApiGate::new(api_models()));
        let behaviour = Behaviour {
            validation: Some(Arc::clone(&gate)),
            ..Behaviour::delayed(Duration::ZERO)
        };
        let proxy = Proxy::start(&server.endpoint(), behaviour)
            .unwrap_or_else(|e| panic!("cannot start the API gate: {e}"));
        Moto {
            gate,
            proxy,
            watchpost,
            server,
        }
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
        self.server.log()
    }

    /// Clears all of this server's state (`POST /moto-api/reset`), and what the proxy in front
    /// of it keeps where moto lacks it ([`Proxy::reset_emulated`]).
    #[track_caller]
    pub fn reset(&self) {
        self.server.reset().unwrap_or_else(|e| panic!("{e}"));
        self.proxy.reset_emulated();
    }

    /// moto's whole state ([`MotoServer::state`]).
    pub fn state(&self) -> serde_json::Value {
        self.server.state()
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

    /// SDK configuration for this server: its endpoint, `region`, static test credentials, and
    /// nothing taken from the host's environment or AWS profile.
    pub async fn sdk_config(&self, region: &str) -> SdkConfig {
        self.sdk_config_with(
            region,
            Credentials::new("testing", "testing", None, None, "test"),
        )
        .await
    }

    async fn sdk_config_with(&self, region: &str, credentials: Credentials) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .empty_test_environment()
            .endpoint_url(self.endpoint())
            .region(Region::new(region.to_owned()))
            .credentials_provider(credentials)
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

    pub async fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.sdk_config(REGION).await)
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
        let credentials = Credentials::new(
            credentials.access_key_id(),
            credentials.secret_access_key(),
            Some(credentials.session_token().to_owned()),
            None,
            "assumed",
        );
        self.sdk_config_with(region, credentials).await
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
        let mut env = aws_env(&self.endpoint());
        env.extend(extra_env.iter().map(|(k, v)| (*k, (*v).to_owned())));
        self.watchpost.run(args, &env)
    }

    /// The watchpost binary against this server, not yet started ([`Watchpost::command`]).
    pub fn watchpost_command<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Command {
        self.watchpost.command(&self.endpoint(), args)
    }

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

    /// `watchpost destroy --auto-approve` with `baseline`, and `flags` after it
    /// (`--delete-logs`, `--full`, `--only ...`).
    pub fn destroy_approved(&self, baseline: &str, flags: &[&str]) -> Run {
        let mut args = vec!["destroy", "--baseline", baseline, "--auto-approve"];
        args.extend_from_slice(flags);
        self.watchpost(&args)
    }

    /// [`Moto::plan_exitcode`] on an account that does not match `baseline`: panics unless it
    /// exits 2 (changes to make), and gives the run to look into.
    #[track_caller]
    pub fn plan_changes(&self, baseline: &str) -> Run {
        let run = self.plan_exitcode(baseline);
        run.assert_code(2);
        run
    }

    /// Panics unless [`Moto::plan_exitcode`] exits 0 and says in words that the account matches
    /// `baseline`; gives the run.
    #[track_caller]
    pub fn assert_no_changes(&self, baseline: &str) -> Run {
        let run = self.plan_exitcode(baseline);
        run.assert_code(0)
            .assert_stdout_has(&["No changes. The account matches the baseline."]);
        run
    }

    /// Panics unless [`Moto::apply_approved`] succeeds and a [`Moto::plan_exitcode`] after it
    /// finds nothing left to change (exit 0): convergence, as every resource kind is tested.
    #[track_caller]
    pub fn assert_apply_converges(&self, baseline: &str) {
        self.apply_approved(baseline).assert_success();
        self.plan_exitcode(baseline).assert_code(0);
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        for (why, count) in self.gate.unchecked() {
            eprintln!("API gate: {count} request(s) unchecked: {why}");
        }
        if std::thread::panicking() {
            return;
        }
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
