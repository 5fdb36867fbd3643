//! What watchpost's integration tests (`tests/*.rs`) and its benchmark (`benches/fleet.rs`)
//! share: moto servers, runners of the real `watchpost` binary, baselines in temp files, and
//! readers of what watchpost prints as JSON.
//!
//! - [`MotoServer`]: a bare moto process on a free port of 127.0.0.1, started again on another
//!   port if the one it was given is taken before moto binds it. The benchmark starts several
//!   and puts its own delaying proxy in front of them.
//! - [`Moto`]: what a test uses: a [`MotoServer`] behind watchpost-proxy's API gate (which
//!   fails the test when a request breaks AWS's API model), SDK clients pointed at it, and the
//!   watchpost runners ([`Moto::watchpost`], [`Moto::plan_exitcode`], [`Moto::apply_approved`]).
//! - [`Watchpost`] and [`Run`]: the binary run with nothing of the host's AWS set-up.
//! - [`json`]: the JSON watchpost prints, read back.
//! - [`account`] and [`replay`]: the account read back with the SDK; EventBridge rules replayed.
//! - [`RoleRead`] ([`Moto::roles`], [`Moto::role`]): IAM roles read back with their policies.
//! - Methods of [`Moto`] that read one thing back ([`Moto::bucket_policy`],
//!   [`Moto::topic_policy`], [`Moto::detector_ids`], ...), and that do what someone other than
//!   watchpost would ([`Moto::create_detector`], [`Moto::put_recorder`],
//!   [`Moto::delete_config_rule`]): each asked in one line wherever a test needs it.
//! - [`json::statement`] and [`json::find_statement`]: a statement of a policy document.
//!
//! # The binary's path
//!
//! Cargo gives the path of the watchpost binary only to the watchpost package's own
//! integration tests and benchmarks, as `env!("CARGO_BIN_EXE_watchpost")` at compile time;
//! this crate, compiled once for all of them, cannot name it. So each test file and the
//! benchmark declare it once,
//!
//! ```ignore
//! const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));
//! ```
//!
//! and pass it where a server starts (`Moto::start(WATCHPOST)`), which keeps it for its
//! runners; commands that need no server run as `WATCHPOST.run(...)`. No global state, no
//! guess at the target directory's layout, and a test cannot run some other binary by mistake.
//!
//! moto comes from `$WATCHPOST_MOTO_SERVER` (set by `scripts/test` and `scripts/bench`, which
//! install `moto[server]` into a venv) or else `moto_server` on `PATH`.

// Tests print for the person reading a failure; the pipe-safe printers are for watchpost.
#![allow(clippy::disallowed_macros)]

pub mod account;
mod baseline;
mod iam;
pub mod json;
pub mod lease;
mod moto;
mod reads;
pub mod replay;
mod run;
mod theirs;

use std::sync::atomic::{AtomicU64, Ordering};

pub use baseline::{TempBaseline, every_kind_baseline, write_baseline};
pub use iam::{RoleRead, decode_policy};
pub use moto::{Moto, MotoServer};
pub use run::{Run, Watchpost, aws_env};

/// The account moto serves to the credentials the tests use.
pub const ACCOUNT: &str = "123456789012";

/// The region every test uses unless it says otherwise.
pub const REGION: &str = "us-east-1";

/// Unique suffixes for temp files and directories in this process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{}-{n}", std::process::id())
}
