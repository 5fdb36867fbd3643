//! The real `watchpost` binary, run as the tests and the benchmark run it.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::REGION;

/// The `watchpost` binary under test.
///
/// Its path is `env!("CARGO_BIN_EXE_watchpost")`, which Cargo sets only while it compiles the
/// watchpost package's own integration tests and benchmarks, never this crate: each of those
/// targets names it once,
///
/// ```ignore
/// const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));
/// ```
///
/// and hands it to [`crate::Moto::start`] (whose runners then use it) or runs it directly.
#[derive(Debug, Clone, Copy)]
pub struct Watchpost {
    path: &'static str,
}

impl Watchpost {
    pub const fn new(path: &'static str) -> Watchpost {
        Watchpost { path }
    }

    pub fn path(&self) -> &'static Path {
        Path::new(self.path)
    }

    /// Runs the binary with stdin closed, every `AWS_*` variable of the test's environment
    /// removed, `NO_COLOR=1`, then `env`. For commands that need no AWS (`validate`) call this
    /// directly; for the rest use [`crate::Moto::watchpost`].
    pub fn run(&self, args: &[&str], env: &[(&str, String)]) -> Run {
        let mut cmd = self.bare_command();
        cmd.args(args).env("NO_COLOR", "1");
        for (key, value) in env {
            cmd.env(key, value);
        }
        let output = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.path));
        Run {
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The binary with `args`, reaching AWS at `endpoint` (a moto server or a proxy in front of
    /// one) with the environment of [`aws_env`], but not yet started: for a test that acts on
    /// the process while it runs (signals it, reads its output as it comes). Its stdin is
    /// closed; stdout and stderr are piped.
    pub fn command<S: AsRef<std::ffi::OsStr>>(&self, endpoint: &str, args: &[S]) -> Command {
        let mut command = self.bare_command();
        command
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .envs(aws_env(endpoint));
        command
    }

    /// The binary with stdin closed and every `AWS_*` variable of the test's environment
    /// removed.
    fn bare_command(&self) -> Command {
        let mut command = Command::new(self.path);
        command.stdin(Stdio::null());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("AWS_") {
                command.env_remove(&key);
            }
        }
        command
    }
}

/// The environment watchpost runs with against `endpoint`: test credentials, region
/// [`REGION`], config and credentials files at /dev/null, no instance metadata, `NO_COLOR=1`,
/// and a short IAM propagation timeout (moto has no propagation delay to wait out).
pub fn aws_env(endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", endpoint.to_owned()),
        ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
        ("AWS_REGION", REGION.to_owned()),
        ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("NO_COLOR", "1".to_owned()),
        ("WATCHPOST_PROPAGATION_TIMEOUT_SECONDS", "5".to_owned()),
    ]
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
