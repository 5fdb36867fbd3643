//! An apply killed outright (SIGKILL: no Ctrl-C handling, no lease given back, a change cut off
//! between two of its calls) is finished by the next apply: it converges, duplicates nothing,
//! and leaves nothing half made.
//!
//! The kill points are counted in requests answered by a proxy in front of moto. A clean apply
//! through the proxy gives the total, and where its changes begin and end; each case then kills
//! an apply of an empty account once the proxy has answered `k` requests, for 20 values of `k`
//! from 1 to the total less one. Most of an apply's requests only read the account, so most of
//! the points fall where it changes it (see [`kill_points`]). `KILLED_APPLY_POINTS=81,82,83`
//! runs chosen points instead, to reproduce a failure.
//!
//! After each kill the test does what a user would: it runs `apply` again at once, and reads the
//! account back with the SDK. The killed run holds the account's lease (once it has taken it),
//! which nothing renews any more; the next `apply` says whose lease it is waiting for, waits it
//! out (its `--lock-timeout` defaults to one and a half of its own leases, a minute and a half)
//! and takes it over. The applies that are killed take a lease of [`LEASE_SECONDS`] instead of
//! the default minute, so that twenty kills wait seconds, not minutes; how long each dead lease
//! kept the account is printed.
//!
//! One difference is printed rather than failed, as moto's and not AWS's: a kill between
//! creating the log bucket and tagging it leaves the bucket unmarked for good under moto (see
//! [`log_bucket_marked`]).
// Tests print for the person reading a failure; the pipe-safe printers are for watchpost.
#![allow(clippy::disallowed_macros)]

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use support::account::{AccountState, account_state};
use support::lease::lease_of;
use support::{ACCOUNT, Moto, Watchpost, every_kind_baseline};
use watchpost_proxy::{Behaviour, Proxy};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const HOME: &str = "eu-west-1";
/// The sign-in rule and a second alert topic live here, away from the home region.
const OTHER: &str = "us-east-1";
const BUCKET: &str = "watchpost-logs-123456789012-eu-west-1";

const KILL_POINTS: usize = 20;
/// The lease of the applies that are killed: short, so that twenty kills wait seconds rather
/// than minutes, and long enough that a renewal answered slowly by a moto on a busy machine
/// (seconds, at times) keeps it, so that no run ends on its own before its kill.
const LEASE_SECONDS: &str = "20";
/// Slows each request enough that the kill lands close to the `k`-th one.
const DELAY: Duration = Duration::from_millis(10);
/// How long the proxy must answer nothing more before a killed run's requests count as landed.
const SETTLE: Duration = Duration::from_millis(200);
/// Cases run at once, each worker with a moto of its own.
const WORKERS: usize = 2;

/// The commands a case runs, as a user would type them.
struct Commands<'a> {
    apply: [&'a str; 4],
    /// `apply` with a short lease, for the run that is killed.
    killed_apply: [&'a str; 6],
    plan: [&'a str; 4],
}

#[test]
fn an_apply_killed_at_any_point_is_finished_by_the_next() {
    let started = Instant::now();
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, &every_kind_baseline(HOME, OTHER));
    let path = baseline.path_str();
    let commands = Commands {
        apply: ["apply", "--baseline", path, "--auto-approve"],
        killed_apply: [
            "apply",
            "--baseline",
            path,
            "--auto-approve",
            "--lease-seconds",
            LEASE_SECONDS,
        ],
        plan: ["plan", "--baseline", path, "--detailed-exitcode"],
    };

    let phases = clean_apply(&moto, &commands.apply);
    assert!(
        phases.total > KILL_POINTS,
        "a clean apply made only {} requests",
        phases.total
    );
    moto.watchpost(&commands.plan).assert_success();
    let expected = block_on(account_state(&moto, HOME, &[OTHER]));
    eprintln!("a clean apply: {phases:?}, {:?}", started.elapsed());

    let points = match std::env::var("KILLED_APPLY_POINTS") {
        Ok(chosen) => chosen
            .split(',')
            .map(|k| k.trim().parse().unwrap())
            .collect(),
        Err(_) => kill_points(&phases),
    };
    let cases: Vec<Cases> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..WORKERS)
            .map(|worker| {
                let mine: Vec<usize> = points
                    .iter()
                    .copied()
                    .skip(worker)
                    .step_by(WORKERS)
                    .collect();
                let (moto, commands, expected) = (&moto, &commands, &expected);
                scope.spawn(move || {
                    if worker == 0 {
                        run_cases(moto, &mine, commands, expected)
                    } else {
                        run_cases(&Moto::start(WATCHPOST), &mine, commands, expected)
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap())
            .collect()
    });
    eprintln!("kill points {points:?}; {:?} in all", started.elapsed());
    let failures: Vec<&String> = cases.iter().flat_map(|c| &c.failures).collect();
    assert!(
        failures.is_empty(),
        "{}",
        failures
            .iter()
            .map(|failure| failure.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    let held: Vec<u64> = cases.iter().flat_map(|c| c.lapses.clone()).collect();
    let waited: usize = cases.iter().map(|c| c.waited).sum();
    eprintln!(
        "{} kills left a lease, lapsing {:?} s after the kill; the next apply waited for {waited}",
        held.len(),
        held
    );
    if std::env::var("KILLED_APPLY_POINTS").is_err() {
        assert!(
            waited > 0,
            "no apply after a kill found the dead run's lease live: the wait is untested"
        );
    }
}

/// What one worker's kills came to.
struct Cases {
    failures: Vec<String>,
    /// For each kill that left a lease behind, how many seconds after the kill it lapsed.
    lapses: Vec<u64>,
    /// The kills after which the next apply waited out the dead run's lease.
    waited: usize,
}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// `apply` with its progress as JSON lines.
fn with_json<'a>(apply: &[&'a str]) -> Vec<&'a str> {
    apply.iter().copied().chain(["--json"]).collect()
}

/// Where a clean apply's requests go, counted as the proxy answers them.
#[derive(Debug)]
struct Phases {
    /// Answered when the first change began: the identity, the lease, the whole account read.
    first_change: usize,
    /// Answered when the last change ended; the rest read the account again and give the
    /// lease back.
    last_change: usize,
    total: usize,
}

/// Applies the baseline to an empty account through a proxy, noting how many requests had been
/// answered as the changes began and ended.
fn clean_apply(moto: &Moto, apply: &[&str]) -> Phases {
    let proxy = Proxy::start(&moto.endpoint(), Behaviour::delayed(DELAY)).unwrap();
    let mut child = WATCHPOST
        .command(&proxy.endpoint(), &with_json(apply))
        .spawn()
        .expect("watchpost starts");
    let (mut first_change, mut last_change) = (None, None);
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let answered = proxy.trace().exchanges().len();
        match line["type"].as_str() {
            Some("change_started") => {
                first_change.get_or_insert(answered);
            }
            Some("change_finished") => last_change = Some(answered),
            _ => {}
        }
    }
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "a clean apply failed ({status}):\n{stderr}"
    );
    Phases {
        first_change: first_change.expect("a clean apply makes changes"),
        last_change: last_change.expect("a clean apply makes changes"),
        total: proxy.trace().exchanges().len(),
    }
}

/// Where to kill: at each of the first requests (identity, the lease table looked for, made
/// and found active, the lease taken), halfway through reading the account, at twelve points
/// from the first change to the last (most requests only read, and this is where the account
/// is half made), halfway through reading it again, and just before the lease is given back.
fn kill_points(phases: &Phases) -> Vec<usize> {
    let &Phases {
        first_change,
        last_change,
        total,
    } = phases;
    let mut points: Vec<usize> = (1..=5).collect();
    points.push(first_change / 2);
    let changing = KILL_POINTS - points.len() - 2;
    points.extend(
        (0..changing).map(|i| first_change + i * (last_change - first_change) / (changing - 1)),
    );
    points.push((last_change + total) / 2);
    points.push(total - 1);
    assert_eq!(points.len(), KILL_POINTS);
    assert!(
        points.windows(2).all(|pair| pair[0] < pair[1]),
        "{KILL_POINTS} distinct kill points in {phases:?}: {points:?}"
    );
    points
}

/// Kills an apply at each of `points` on a fresh account and recovers from it.
fn run_cases(
    moto: &Moto,
    points: &[usize],
    commands: &Commands<'_>,
    expected: &AccountState,
) -> Cases {
    let mut cases = Cases {
        failures: Vec::new(),
        lapses: Vec::new(),
        waited: 0,
    };
    for &k in points {
        moto.reset();
        let case = Instant::now();
        let killed = kill_after(moto, &commands.killed_apply, k);
        let outcome = block_on(recover(moto, &killed, commands, expected));
        let lease = match killed.lease_lapses_after {
            Some(seconds) => format!("held, lapsing {seconds} s after the kill"),
            None => "free".to_owned(),
        };
        let what = format!(
            "killed after {k} requests ({} answered, lease {lease}, {})",
            killed.answered, killed.progress,
        );
        eprintln!("{what}: {:?}", case.elapsed());
        cases.lapses.extend(killed.lease_lapses_after);
        match outcome {
            Ok(recovered) => {
                cases.waited += usize::from(recovered.waited);
                if !block_on(log_bucket_marked(moto)) {
                    eprintln!(
                        "{what}: moto's gap: the log bucket watchpost made is not marked as its \
                         own, so `destroy --delete-logs` would leave it"
                    );
                }
            }
            Err(failure) => cases.failures.push(format!("{what}: {failure}")),
        }
    }
    cases
}

/// A run of `apply` killed with SIGKILL.
struct Killed {
    pid: u32,
    /// Requests the proxy had answered when the signal was sent.
    answered: usize,
    /// How long after the kill the lease it left behind lapsed, by the expiry the lease names
    /// (whole seconds): taken and never given back, it keeps the next run out that long.
    lease_lapses_after: Option<u64>,
    /// How far its changes had got, from its `--json` progress lines.
    progress: String,
}

/// Starts `apply` through a proxy and kills it once the proxy has answered `k` requests.
fn kill_after(moto: &Moto, apply: &[&str], k: usize) -> Killed {
    let proxy = Proxy::start(&moto.endpoint(), Behaviour::delayed(DELAY)).unwrap();
    let output = std::env::temp_dir().join(format!(
        "watchpost-killed-apply-{}-{k}.jsonl",
        std::process::id()
    ));
    let mut child = WATCHPOST
        .command(&proxy.endpoint(), &with_json(apply))
        .stdout(File::create(&output).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("watchpost starts");
    let (answered, killed_at) = loop {
        let answered = proxy.trace().exchanges().len();
        if answered >= k {
            // SAFETY: kill(2) on the pid of a child this test spawned and has not reaped.
            unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
            break (answered, now());
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("apply ended ({status}) after {answered} requests, before the kill at {k}");
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    child.wait().unwrap();
    // Requests the proxy was still holding or forwarding when the client died reach moto all
    // the same, as they would reach AWS: let them land before anyone reads the account.
    let mut settled = proxy.trace().exchanges().len();
    loop {
        std::thread::sleep(SETTLE);
        let now = proxy.trace().exchanges().len();
        if now == settled {
            break;
        }
        settled = now;
    }
    drop(proxy);
    // A renewal in flight at the kill has landed by now: the expiry read is the last one.
    let lease_lapses_after =
        block_on(lease_held(moto)).map(|(_, expires_at)| expires_at.saturating_sub(killed_at));
    let lines = std::fs::read_to_string(&output).unwrap();
    let _ = std::fs::remove_file(&output);
    Killed {
        pid: child.id(),
        answered,
        lease_lapses_after,
        progress: progress(&lines),
    }
}

/// The changes a killed run had finished, and those it had begun and not finished.
fn progress(json_lines: &str) -> String {
    let mut finished = 0;
    let mut in_flight: Vec<String> = Vec::new();
    for line in json_lines.lines() {
        // The last line may have been cut off by the kill.
        let Ok(line) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let address = line["address"].as_str().unwrap_or_default().to_owned();
        match line["type"].as_str() {
            Some("change_started") => in_flight.push(address),
            Some("change_finished") => {
                finished += 1;
                in_flight.retain(|a| *a != address);
            }
            _ => {}
        }
    }
    format!("{finished} changes made, in flight {in_flight:?}")
}

/// How the next apply got on after a kill.
struct Recovered {
    /// It found the dead run's lease live, and waited it out.
    waited: bool,
}

/// What a user does after the crash: apply again at once. The account must then match what a
/// clean apply made.
async fn recover(
    moto: &Moto,
    killed: &Killed,
    commands: &Commands<'_>,
    expected: &AccountState,
) -> Result<Recovered, String> {
    let again = moto.watchpost(&commands.apply);
    if again.code != 0 {
        return Err(format!(
            "the next apply exited {}\n--- stdout ---\n{}--- stderr ---\n{}",
            again.code, again.stdout, again.stderr
        ));
    }
    // A dead lease still live when the next run tried for it was waited out, and named: the
    // dead run's, and no other.
    let waited = again.stderr.contains("waiting up to");
    let dead_run = format!("for account {ACCOUNT}: watchpost pid {} on", killed.pid);
    if waited && (killed.lease_lapses_after.is_none() || !again.stderr.contains(&dead_run)) {
        return Err(format!(
            "the next apply waited for a lease other than the dead run's\n{}",
            again.stderr
        ));
    }
    if lease_held(moto).await.is_some() {
        return Err("the next apply left its lease behind".to_owned());
    }
    let replan = moto.watchpost(&commands.plan);
    if replan.code != 0 {
        return Err(format!(
            "plan after the next apply exited {}\n{}{}",
            replan.code, replan.stdout, replan.stderr
        ));
    }
    let state = account_state(moto, HOME, &[OTHER]).await;
    if &state != expected {
        let differences: Vec<String> = expected
            .keys()
            .chain(state.keys())
            .filter(|key| expected.get(*key) != state.get(*key))
            .map(|key| {
                format!(
                    "{key}: a clean apply made {:?}, this one {:?}",
                    expected.get(key),
                    state.get(key)
                )
            })
            .collect();
        return Err(differences.join("\n"));
    }
    Ok(Recovered { waited })
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Who holds the account's lease and when it expires (epoch seconds), if anyone holds it.
async fn lease_held(moto: &Moto) -> Option<(String, u64)> {
    lease_of(&moto.sdk_config(HOME).await, ACCOUNT).await
}

async fn log_bucket_marked(moto: &Moto) -> bool {
    let tags = moto
        .s3(HOME)
        .await
        .get_bucket_tagging()
        .bucket(BUCKET)
        .send()
        .await;
    tags.is_ok_and(|tags| {
        tags.tag_set()
            .iter()
            .any(|tag| (tag.key(), tag.value()) == ("managed-by", "watchpost"))
    })
}
