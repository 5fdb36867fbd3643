//! The fleet benchmark: the real watchpost binary against moto, behind a proxy that adds a fixed
//! delay to every request as the round trip to AWS would, measured for wall time, peak memory
//! and API calls, each beside the least any implementation could do. Run it with scripts/bench;
//! docs/performance.md explains the cases and how the minima are defined.
// Tests print for the person reading a failure; the pipe-safe printers are for watchpost.
#![allow(clippy::disallowed_macros)]

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitCode, ExitStatus};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use clap::{Parser, ValueEnum};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;
use support::{MotoServer, Watchpost};

use watchpost_proxy::{Behaviour, Fault, Faults, MotoGaps, Proxy};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const STANDARD_REGIONS: [&str; 17] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "sa-east-1",
];

/// sts:GetCallerIdentity → ec2:DescribeRegions → guardduty:ListDetectors → guardduty:GetDetector:
/// each needs the answer of the one before.
const PLAN_CHAIN: usize = 4;
/// sts:AssumeRole comes before anything else in an assumed account.
const ASSUME_ROLE_CHAIN: usize = 1;

/// The plan's chain plus one link of slack: a read that must wait for another of the same
/// resource (a role's policies, say) is allowed one, no more.
const CONVERGED_PLAN_CHAIN_TARGET: usize = PLAN_CHAIN + 1;
/// The plan's chain, the writes AWS requires in order and the re-plan's chain: the 17-region
/// baseline's deepest path of changes is 6, and a change may take two or three round trips
/// of its own where AWS wants one call before another (a bucket before its policy).
const APPLY_CHAIN_TARGET: usize = 20;

const APPLY: &[&str] = &["apply", "--auto-approve", "--json"];

const MIB: f64 = 1024.0 * 1024.0;

#[derive(Debug, Parser)]
#[command(
    name = "scripts/bench",
    about = "Measures watchpost against moto behind a proxy that adds latency to every request"
)]
struct Options {
    /// Delay the proxy adds to every request, standing in for the round trip to AWS
    #[arg(long, value_name = "MS", default_value_t = 50)]
    delay_ms: u64,
    /// Accounts in the fleet case
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=999_999))]
    accounts: u64,
    /// A case to run (repeatable); all of them by default
    #[arg(long = "case", value_enum, value_name = "CASE")]
    cases: Vec<Case>,
    /// Passed on to watchpost as --parallelism (accounts worked on at once)
    #[arg(long, value_name = "N")]
    parallelism: Option<u16>,
    /// In the fleet case, the share of requests the proxy answers with the service's own
    /// throttling error instead of forwarding them, as AWS answers past its rate limits
    #[arg(long, value_name = "SHARE", default_value_t = 0.0)]
    throttle_rate: f64,
    /// Accounts in each run of the memory case
    #[arg(long, value_name = "N,...", value_delimiter = ',', default_values_t = [10u64, 100, 1000])]
    memory_accounts: Vec<u64>,
    /// Regions of each account in the memory case, the first N of the 17
    #[arg(long, value_name = "N", default_value_t = 17, value_parser = clap::value_parser!(u64).range(1..=17))]
    memory_regions: u64,
    /// moto servers the fleet and memory cases split their accounts between; one per core by default
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    shards: Option<u16>,
    /// Print the requests of each run's longest sequential chain, one `service:Operation
    /// region` line each, first to last
    #[arg(long)]
    show_chain: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Case {
    /// Case 1: a converged plan of one account, in 1 region and in 17
    Plan,
    /// Case 2: an apply to an empty account, 17 regions
    Apply,
    /// Case 3: a converged plan of --accounts accounts, 17 regions each
    Fleet,
    /// Case 4: peak memory of a plan of 10, 100 and 1,000 accounts (--memory-accounts) that
    /// have nothing yet, 17 regions each (--memory-regions)
    Memory,
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    // `cargo test --all-targets` runs this too, without --bench: it must stay quick there.
    if !args.iter().skip(1).any(|arg| arg == "--bench") {
        println!("fleet is a benchmark, not a test: run it with scripts/bench");
        return ExitCode::SUCCESS;
    }
    // scripts/bench passes --bench and cargo adds one of its own.
    let options = Options::parse_from(args.iter().filter(|arg| *arg != "--bench"));
    match run(&options, &args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the chosen cases; false when one of them could not be measured. A target missed is a
/// figure like any other, not a failure.
fn run(options: &Options, args: &[OsString]) -> anyhow::Result<bool> {
    let delay = Duration::from_millis(options.delay_ms);
    let cases = if options.cases.is_empty() {
        Case::value_variants().to_vec()
    } else {
        options.cases.clone()
    };
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let command_line: Vec<_> = args.iter().map(|arg| arg.to_string_lossy()).collect();
    println!("watchpost fleet benchmark");
    println!("  machine:   {cores} cores (nproc)");
    println!(
        "  delay:     {} ms added by the proxy to every request",
        options.delay_ms
    );
    println!("  command:   {}", command_line.join(" "));
    println!(
        "  watchpost: {} ({} build)",
        WATCHPOST.path().display(),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );

    // One moto is one Python process, busy on one core at most: the fleet spreads its accounts
    // over one per core. Cases 1 and 2 have one account, hence one moto.
    let shards = options.shards.map_or(cores.max(1), usize::from);
    // The memory case starts its own (Bench::memory).
    let motos_needed = if cases.contains(&Case::Fleet) {
        shards
    } else if cases.contains(&Case::Plan) || cases.contains(&Case::Apply) {
        1
    } else {
        0
    };
    println!(
        "  moto:      {motos_needed} server(s); the fleet case shards its accounts over {shards}"
    );

    let work = WorkDir::create()?;
    let motos = MotoServer::start_many(motos_needed, &[]).map_err(|e| anyhow!(e))?;
    let baselines = Baselines::load(work.path())?;
    let bench = Bench {
        motos: &motos,
        moto_gaps: Arc::default(),
        shards,
        baselines: &baselines,
        delay,
        parallelism: options.parallelism,
        throttle_rate: options.throttle_rate,
    };
    let mut reports = Vec::new();
    let mut all_measured = true;
    let mut record = |outcome: anyhow::Result<Report>| match outcome {
        Ok(report) => {
            print!("{report}");
            if options.show_chain {
                print!("{}", report.chain_lines());
            }
            reports.push(report);
        }
        Err(error) => {
            println!("  error: {error:#}");
            all_measured = false;
        }
    };
    for case in cases {
        match case {
            Case::Plan => {
                record(bench.converged_plan("case 1", &STANDARD_REGIONS[..1]));
                record(bench.converged_plan("case 1", &STANDARD_REGIONS));
            }
            Case::Apply => record(bench.apply_from_empty("case 2")),
            Case::Fleet => record(bench.fleet_plan("case 3", options.accounts)),
            Case::Memory => {
                let mut peaks = Vec::new();
                for &accounts in &options.memory_accounts {
                    let regions = &STANDARD_REGIONS[..options.memory_regions as usize];
                    let report = bench.memory("case 4", accounts, regions);
                    if let Ok(report) = &report {
                        peaks.push((accounts, report.peak_rss_bytes));
                    }
                    record(report);
                }
                print_memory_growth(&peaks);
            }
        }
    }
    print_targets(&reports);
    Ok(all_measured)
}

struct Bench<'a> {
    /// The fleet case uses them all, one shard each; cases 1 and 2 the first only.
    motos: &'a [MotoServer],
    /// What the proxies over `motos` keep where moto lacks it: the set-up's proxy and the
    /// measured run's share it, as they share the motos.
    moto_gaps: Arc<MotoGaps>,
    /// moto servers the memory case splits its accounts between
    shards: usize,
    baselines: &'a Baselines,
    delay: Duration,
    parallelism: Option<u16>,
    throttle_rate: f64,
}

impl Bench<'_> {
    /// Case 1: plan an account that already matches the baseline.
    fn converged_plan(&self, case: &'static str, regions: &[&str]) -> anyhow::Result<Report> {
        let title = match regions {
            [region] => format!("converged plan, 1 account x 1 region ({region})"),
            _ => format!("converged plan, 1 account x {} regions", regions.len()),
        };
        println!("\n{case}: {title}");
        let motos = &self.motos[..1];
        self.reset(motos)?;
        let baseline = self
            .baselines
            .write(&format!("plan-{}", regions.len()), regions, &[])?;
        self.converge(&baseline, 1, motos)?;
        let (run, trace) = self.measure(
            &self.watchpost_args(&["plan", "--json"], &baseline),
            motos,
            Faults::none(),
        )?;
        let document = PlanDocument::parse(&run)?;
        let mut report = Report::for_plan(case, title, &run, &trace, &document, false, self.delay);
        if regions.len() == STANDARD_REGIONS.len() {
            let minimum_calls = report.minimum_calls;
            report.target(
                format!("API calls <= 1.1 x minimum ({minimum_calls})"),
                report.calls() as f64 <= 1.1 * minimum_calls as f64,
            );
            report.target(
                "wall time <= 1.5 s".into(),
                run.wall <= Duration::from_millis(1500),
            );
            report.target(
                "peak RSS <= 64 MiB".into(),
                run.peak_rss_bytes <= 64 * 1024 * 1024,
            );
        }
        report.chain_target(CONVERGED_PLAN_CHAIN_TARGET);
        Ok(report)
    }

    /// Case 2: apply the baseline to an account with nothing in it.
    fn apply_from_empty(&self, case: &'static str) -> anyhow::Result<Report> {
        let title = format!(
            "apply from empty, 1 account x {} regions",
            STANDARD_REGIONS.len()
        );
        println!("\n{case}: {title}");
        let motos = &self.motos[..1];
        self.reset(motos)?;
        let baseline = self.baselines.write("apply", &STANDARD_REGIONS, &[])?;
        let (run, trace) = self.measure(
            &self.watchpost_args(APPLY, &baseline),
            motos,
            Faults::none(),
        )?;
        let stream = ApplyStream::parse(&run)?;
        let mut report = Report::for_apply(case, title, &run, &trace, &stream, self.delay);
        report.target(
            "wall time <= 10 s".into(),
            run.wall <= Duration::from_secs(10),
        );
        report.chain_target(APPLY_CHAIN_TARGET);
        Ok(report)
    }

    /// Case 3: plan many accounts that already match the baseline.
    fn fleet_plan(&self, case: &'static str, accounts: u64) -> anyhow::Result<Report> {
        let mut title = format!(
            "converged plan, {accounts} accounts x {} regions",
            STANDARD_REGIONS.len()
        );
        if self.throttle_rate > 0.0 {
            title.push_str(&format!(", {:.0}% throttled", self.throttle_rate * 100.0));
        }
        println!("\n{case}: {title}");
        let motos = self.motos;
        self.reset(motos)?;
        let ids = account_ids(accounts);
        let baseline = self.baselines.write("fleet", &STANDARD_REGIONS, &ids)?;
        self.converge(&baseline, ids.len(), motos)?;
        let (run, trace) = self.measure(
            &self.watchpost_args(&["plan", "--json"], &baseline),
            motos,
            self.throttling(),
        )?;
        let document = PlanDocument::parse(&run)?;
        let mut report = Report::for_plan(case, title, &run, &trace, &document, true, self.delay);
        report.target(
            "wall time <= 60 s".into(),
            run.wall <= Duration::from_secs(60),
        );
        report.target(
            "no failed account".into(),
            report.failed_accounts == Some(0),
        );
        Ok(report)
    }

    /// Case 4: plan accounts that have nothing of the baseline yet, with no delay: their plans
    /// are the largest an account has (every resource to create), and memory, not time, is
    /// what is measured. Each account's part of the report is written as soon as it is made,
    /// so the peak should not grow with the accounts.
    fn memory(
        &self,
        case: &'static str,
        accounts: u64,
        regions: &[&str],
    ) -> anyhow::Result<Report> {
        let title = format!(
            "plan from empty, {accounts} accounts x {} regions",
            regions.len()
        );
        println!("\n{case}: {title}");
        // Fresh motos for each run, so that none holds the last run's thousand accounts. moto
        // loads IAM's ~1,000 AWS managed policies and EC2's default AMIs into every account it
        // is asked about: at 1,000 accounts that grew each moto to about 10 GB and set the run's
        // pace. A plan from empty reads neither, so they are left out here.
        let motos = MotoServer::start_many(
            self.shards,
            &[
                ("MOTO_IAM_LOAD_MANAGED_POLICIES", "false"),
                ("MOTO_EC2_LOAD_DEFAULT_AMIS", "false"),
            ],
        )
        .map_err(|e| anyhow!(e))?;
        let ids = account_ids(accounts);
        let baseline = self.baselines.write("memory", regions, &ids)?;
        let proxy = Proxy::start_sharded(&endpoints(&motos), Behaviour::delayed(Duration::ZERO))
            .context("starting the proxy")?;
        let run = run_watchpost(
            &proxy.endpoint(),
            &self.watchpost_args(&["plan", "--json"], &baseline),
            |_| {},
        )?;
        let document = PlanDocument::parse(&run)?;
        let mut report = Report::for_plan(
            case,
            title,
            &run,
            &proxy.trace(),
            &document,
            true,
            Duration::ZERO,
        );
        report
            .notes
            .retain(|note| !note.starts_with("the plan is not empty"));
        report.target(
            "peak RSS <= 128 MiB".into(),
            run.peak_rss_bytes <= 128 * 1024 * 1024,
        );
        report.target(
            "no failed account".into(),
            report.failed_accounts == Some(0),
        );
        Ok(report)
    }

    /// Brings moto's accounts to the baseline with applies through a proxy without delay:
    /// set-up, not measured. It goes through a proxy all the same so that, with several motos,
    /// each account's state is made on the shard the measured run will read it from. Many
    /// accounts at once can leave some short of converged (moto answers slowly under such a
    /// load, and a call that times out fails its change): apply continues from where it
    /// stopped, so the set-up applies again, as a person would, until the fleet converges.
    fn converge(
        &self,
        baseline: &Path,
        accounts: usize,
        motos: &[MotoServer],
    ) -> anyhow::Result<()> {
        const ROUNDS: usize = 4;
        let args = self.watchpost_args(APPLY, baseline);
        let behaviour = Behaviour {
            moto_gaps: Some(Arc::clone(&self.moto_gaps)),
            ..Behaviour::delayed(Duration::ZERO)
        };
        let proxy =
            Proxy::start_sharded(&endpoints(motos), behaviour).context("starting the proxy")?;
        let mut round = 0;
        loop {
            round += 1;
            let mut accounts_done = 0;
            let run = run_watchpost(&proxy.endpoint(), &args, |line| {
                // Many accounts take minutes to converge: show that it moves.
                let event: Value = serde_json::from_str(line).unwrap_or_default();
                if accounts > 1 && is_account_summary(&event) {
                    accounts_done += 1;
                    if accounts_done % 50 == 0 || accounts_done == accounts {
                        println!("  converging: {accounts_done}/{accounts} accounts done");
                    }
                }
            })?;
            let stream = ApplyStream::parse(&run).context("converging before the measurement")?;
            let calls = stream
                .api_calls
                .map_or(String::from("? API calls"), |calls| {
                    format!(
                        "{calls} API calls, {:.0}/s",
                        calls as f64 / run.wall.as_secs_f64()
                    )
                });
            println!(
                "  set-up apply {round}, without delay, over {} moto(s): {:.1} s ({calls}){}",
                motos.len(),
                run.wall.as_secs_f64(),
                if stream.converged {
                    ", converged"
                } else {
                    ", not converged yet"
                }
            );
            if stream.converged {
                return Ok(());
            }
            if round == ROUNDS {
                // What stopped it: the failed changes and accounts, and the gaps that remained.
                let failures: Vec<&str> = run
                    .stdout
                    .lines()
                    .filter(|line| line.contains("failed") || line.contains("unreadable\":1"))
                    .take(10)
                    .collect();
                bail!(
                    "converging before the measurement: {ROUNDS} applies did not converge; the last one's failures:\n{}\nits stderr:\n{}",
                    failures.join("\n"),
                    run.stderr
                );
            }
        }
    }

    fn watchpost_args(&self, command: &[&str], baseline: &Path) -> Vec<OsString> {
        let mut args: Vec<OsString> = command.iter().map(OsString::from).collect();
        args.extend(["--baseline".into(), baseline.into()]);
        if let Some(n) = self.parallelism {
            args.extend(["--parallelism".into(), n.to_string().into()]);
        }
        args
    }

    /// `--throttle-rate` of the requests throttled, as AWS does when a fleet's calls exceed an
    /// account's rate limits.
    fn throttling(&self) -> Faults {
        Faults {
            rate: self.throttle_rate,
            kinds: vec![Fault::Throttled],
            services: Vec::new(),
            operations: Vec::new(),
            seed: 15,
        }
    }

    /// Forgets every account's state in each of `motos`, and what the proxies keep for them.
    fn reset(&self, motos: &[MotoServer]) -> anyhow::Result<()> {
        motos
            .iter()
            .try_for_each(|moto| moto.reset().map_err(|e| anyhow!(e)))?;
        self.moto_gaps.reset();
        Ok(())
    }

    /// Runs watchpost through a fresh proxy over `motos`, so that the trace holds this run
    /// alone.
    fn measure(
        &self,
        args: &[OsString],
        motos: &[MotoServer],
        faults: Faults,
    ) -> anyhow::Result<(Run, watchpost_proxy::Trace)> {
        let behaviour = Behaviour {
            faults,
            moto_gaps: Some(Arc::clone(&self.moto_gaps)),
            ..Behaviour::delayed(self.delay)
        };
        let proxy =
            Proxy::start_sharded(&endpoints(motos), behaviour).context("starting the proxy")?;
        let run = run_watchpost(&proxy.endpoint(), args, |_| {})?;
        Ok((run, proxy.trace()))
    }
}

/// Everything one case measured and the least it could have been.
struct Report {
    case: &'static str,
    title: String,
    wall: Duration,
    peak_rss_bytes: u64,
    /// The total of watchpost's own `api_calls`, when its report has one.
    watchpost_calls: Option<u64>,
    proxy_requests: usize,
    /// The requests of the longest sequential chain, `service:Operation region`, first to last.
    observed_chain: Vec<String>,
    minimum_calls: u64,
    /// Why there is none when the plan lacks what it is computed from.
    minimum_chain: Result<usize, String>,
    delay: Duration,
    failed_accounts: Option<usize>,
    notes: Vec<String>,
    targets: Vec<(String, bool)>,
}

impl Report {
    fn for_plan(
        case: &'static str,
        title: String,
        run: &Run,
        trace: &watchpost_proxy::Trace,
        document: &PlanDocument,
        assumes_roles: bool,
        delay: Duration,
    ) -> Report {
        let mut notes = document.notes();
        if !run.status.success() {
            notes.push(format!("watchpost exited with {}", run.status));
        }
        Report {
            case,
            title,
            wall: run.wall,
            peak_rss_bytes: run.peak_rss_bytes,
            watchpost_calls: document
                .api_calls
                .as_ref()
                .map(|calls| calls.values().sum()),
            proxy_requests: trace.exchanges().len(),
            observed_chain: chain_of(trace),
            minimum_calls: document.accounts.iter().map(AccountPlan::reads).sum(),
            minimum_chain: Ok(PLAN_CHAIN + if assumes_roles { ASSUME_ROLE_CHAIN } else { 0 }),
            delay,
            failed_accounts: Some(document.failed_accounts()),
            notes,
            targets: Vec::new(),
        }
    }

    fn for_apply(
        case: &'static str,
        title: String,
        run: &Run,
        trace: &watchpost_proxy::Trace,
        stream: &ApplyStream,
        delay: Duration,
    ) -> Report {
        let mut notes = Vec::new();
        if !stream.converged {
            notes.push("apply did not converge".to_owned());
        }
        if !run.status.success() {
            notes.push(format!("watchpost exited with {}", run.status));
        }
        let reads_before: u64 = stream.plans.iter().map(AccountPlan::reads).sum();
        let writes: u64 = stream.plans.iter().map(AccountPlan::writes).sum();
        let reads_after: u64 = stream
            .plans
            .iter()
            .map(AccountPlan::reads_after_apply)
            .sum();
        let change_depth = stream
            .plans
            .iter()
            .map(AccountPlan::change_depth)
            .collect::<Result<Vec<_>, _>>()
            .map(|depths| depths.into_iter().max().unwrap_or(0));
        Report {
            case,
            title,
            wall: run.wall,
            peak_rss_bytes: run.peak_rss_bytes,
            watchpost_calls: stream.api_calls,
            proxy_requests: trace.exchanges().len(),
            observed_chain: chain_of(trace),
            minimum_calls: reads_before + writes + reads_after,
            minimum_chain: change_depth.map(|depth| PLAN_CHAIN + depth + PLAN_CHAIN),
            delay,
            failed_accounts: None,
            notes,
            targets: Vec::new(),
        }
    }

    /// The calls the targets judge: watchpost's own count, else the requests the proxy saw.
    fn calls(&self) -> u64 {
        self.watchpost_calls.unwrap_or(self.proxy_requests as u64)
    }

    fn target(&mut self, target: String, met: bool) {
        self.targets.push((target, met));
    }

    fn chain_target(&mut self, most: usize) {
        let met = self.observed_chain.len() <= most;
        self.target(format!("longest sequential chain <= {most}"), met);
    }

    /// The requests of the longest sequential chain, numbered, one a line.
    fn chain_lines(&self) -> String {
        let mut lines = String::from("  longest sequential chain, first to last:\n");
        for (number, call) in self.observed_chain.iter().enumerate() {
            lines.push_str(&format!("  {:>4}  {call}\n", number + 1));
        }
        lines
    }
}

fn chain_of(trace: &watchpost_proxy::Trace) -> Vec<String> {
    trace
        .longest_sequential_chain()
        .iter()
        .map(|exchange| exchange.call.to_string())
        .collect()
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ratio = |measured: f64, minimum: f64| {
            if minimum > 0.0 {
                format!("{:.2}x", measured / minimum)
            } else {
                "-".to_owned()
            }
        };
        let wall = self.wall.as_secs_f64();
        writeln!(
            f,
            "  {:<30} {:>12} {:>12} {:>8}",
            "", "measured", "minimum", "ratio"
        )?;
        match &self.minimum_chain {
            Ok(chain) => {
                let minimum_wall = (self.delay * *chain as u32).as_secs_f64();
                writeln!(
                    f,
                    "  {:<30} {:>10.3} s {:>10.3} s {:>8}",
                    "wall time",
                    wall,
                    minimum_wall,
                    ratio(wall, minimum_wall)
                )?;
                writeln!(
                    f,
                    "  {:<30} {:>12} {:>12} {:>8}",
                    "longest sequential chain",
                    self.observed_chain.len(),
                    chain,
                    ratio(self.observed_chain.len() as f64, *chain as f64)
                )?;
            }
            Err(why) => {
                writeln!(
                    f,
                    "  {:<30} {:>10.3} s   (no minimum: {why})",
                    "wall time", wall
                )?;
                writeln!(
                    f,
                    "  {:<30} {:>12}",
                    "longest sequential chain",
                    self.observed_chain.len()
                )?;
            }
        }
        let minimum_calls = self.minimum_calls as f64;
        match self.watchpost_calls {
            Some(calls) => writeln!(
                f,
                "  {:<30} {:>12} {:>12} {:>8}",
                "API calls (watchpost's count)",
                calls,
                self.minimum_calls,
                ratio(calls as f64, minimum_calls)
            )?,
            None => writeln!(
                f,
                "  {:<30} {:>12} {:>12}   (watchpost's report has no api_calls)",
                "API calls (watchpost's count)", "-", self.minimum_calls
            )?,
        }
        writeln!(
            f,
            "  {:<30} {:>12} {:>12} {:>8}",
            "requests seen by the proxy",
            self.proxy_requests,
            self.minimum_calls,
            ratio(self.proxy_requests as f64, minimum_calls)
        )?;
        writeln!(
            f,
            "  {:<30} {:>8.1} MiB",
            "peak RSS of watchpost",
            self.peak_rss_bytes as f64 / MIB
        )?;
        writeln!(
            f,
            "  {:<30} {:>8.0} /s",
            "requests through the proxy",
            self.proxy_requests as f64 / wall
        )?;
        if let Some(failed) = self.failed_accounts {
            writeln!(f, "  {:<30} {:>12}", "failed accounts", failed)?;
        }
        for note in &self.notes {
            writeln!(f, "  note: {note}")?;
        }
        for (target, met) in &self.targets {
            writeln!(f, "  target {target}: {}", pass_or_miss(*met))?;
        }
        Ok(())
    }
}

/// The fleet's account ids: 100000000001, 100000000002, ...
fn account_ids(accounts: u64) -> Vec<String> {
    (1..=accounts)
        .map(|n| format!("{:012}", 100_000_000_000 + n))
        .collect()
}

/// What each account beyond the first run's adds to the peak: near zero when the report is
/// written account by account.
fn print_memory_growth(peaks: &[(u64, u64)]) {
    let (Some(&(fewest, low)), Some(&(most, high))) = (peaks.first(), peaks.last()) else {
        return;
    };
    if most <= fewest {
        return;
    }
    let per_account = (high as f64 - low as f64) / (most - fewest) as f64;
    println!("\npeak RSS by accounts planned");
    for (accounts, peak) in peaks {
        println!("  {accounts:>8} accounts  {:>8.1} MiB", *peak as f64 / MIB);
    }
    println!(
        "  growth from {fewest} to {most} accounts: {:.1} KiB per account",
        per_account / 1024.0
    );
}

fn pass_or_miss(met: bool) -> &'static str {
    if met { "PASS" } else { "MISS" }
}

fn print_targets(reports: &[Report]) {
    let targets: Vec<_> = reports
        .iter()
        .flat_map(|report| {
            report
                .targets
                .iter()
                .map(move |(target, met)| (report, target, *met))
        })
        .collect();
    if targets.is_empty() {
        return;
    }
    println!("\ntargets");
    for (report, target, met) in targets {
        println!(
            "  {}  {:<48} {:<40} {}",
            pass_or_miss(met),
            report.title,
            target,
            report.case
        );
    }
}

/// `plan --json`: the parts the benchmark reads.
#[derive(Debug, Deserialize)]
struct PlanDocument {
    accounts: Vec<AccountPlan>,
    api_calls: Option<BTreeMap<String, u64>>,
}

impl PlanDocument {
    fn parse(run: &Run) -> anyhow::Result<PlanDocument> {
        serde_json::from_str(&run.stdout).with_context(|| {
            format!(
                "`plan --json` (format 2) printed no document the benchmark can read \
                 (watchpost exited with {}); its stderr:\n{}",
                run.status, run.stderr
            )
        })
    }

    fn failed_accounts(&self) -> usize {
        self.accounts.iter().filter(|a| a.error.is_some()).count()
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let pending: usize = self.accounts.iter().map(|a| a.writes() as usize).sum();
        if pending > 0 {
            notes.push(format!("the plan is not empty: {pending} change(s)"));
        }
        notes.extend(
            self.accounts
                .iter()
                .filter_map(|a| Some(format!("account {}: {}", a.account_id, a.error.as_ref()?)))
                .take(5),
        );
        notes
    }
}

/// One account's part of a plan document.
#[derive(Debug, Deserialize)]
struct AccountPlan {
    account_id: String,
    // An account that could not be planned has an error instead.
    #[serde(default)]
    resource_changes: Vec<ResourceChange>,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ResourceChange {
    address: Address,
    actions: Vec<String>,
    depends_on: Option<Vec<Address>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
struct Address {
    kind: String,
    region: String,
    name: String,
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.kind, self.region, self.name)
    }
}

impl ResourceChange {
    fn is_change(&self) -> bool {
        self.actions.iter().any(|action| action != "no-op")
    }

    fn is_delete_only(&self) -> bool {
        self.actions == ["delete"]
    }
}

impl AccountPlan {
    /// Every resource in the plan, no-ops included, was read once at the least.
    fn reads(&self) -> u64 {
        self.resource_changes.len() as u64
    }

    fn writes(&self) -> u64 {
        self.resource_changes
            .iter()
            .filter(|c| c.is_change())
            .count() as u64
    }

    /// The final re-plan reads every resource again but those deleted.
    fn reads_after_apply(&self) -> u64 {
        self.resource_changes
            .iter()
            .filter(|c| !c.is_delete_only())
            .count() as u64
    }

    /// The most changes in one chain where each depends on the one before: writes that no
    /// concurrency can overlap.
    fn change_depth(&self) -> Result<usize, String> {
        let changes: HashMap<&Address, &ResourceChange> = self
            .resource_changes
            .iter()
            .filter(|c| c.is_change())
            .map(|c| (&c.address, c))
            .collect();
        let mut depths = HashMap::new();
        changes
            .keys()
            .map(|address| depth(address, &changes, &mut depths, &mut Vec::new()))
            .try_fold(0, |deepest, depth| Ok(deepest.max(depth?)))
    }
}

/// Depth of the change at `address` (1 when it depends on no other change), memoised in
/// `depths`; `path` holds the changes being visited, to name a cycle rather than loop on it.
fn depth<'a>(
    address: &'a Address,
    changes: &HashMap<&'a Address, &'a ResourceChange>,
    depths: &mut HashMap<&'a Address, usize>,
    path: &mut Vec<&'a Address>,
) -> Result<usize, String> {
    if let Some(&known) = depths.get(address) {
        return Ok(known);
    }
    if path.contains(&address) {
        return Err(format!("depends_on has a cycle through {address}"));
    }
    let change = changes[address];
    let depends_on = change
        .depends_on
        .as_ref()
        .ok_or_else(|| format!("the plan has no depends_on (on {})", change.address))?;
    path.push(address);
    let mut deepest_dependency = 0;
    for dependency in depends_on {
        // A dependency that is not itself changed is already there: no write to wait for.
        if let Some((key, _)) = changes.get_key_value(dependency) {
            deepest_dependency = deepest_dependency.max(depth(key, changes, depths, path)?);
        }
    }
    path.pop();
    depths.insert(address, deepest_dependency + 1);
    Ok(deepest_dependency + 1)
}

/// `apply --json`: the plans announced by its `start` lines and the run's summary.
struct ApplyStream {
    plans: Vec<AccountPlan>,
    converged: bool,
    api_calls: Option<u64>,
}

impl ApplyStream {
    fn parse(run: &Run) -> anyhow::Result<ApplyStream> {
        let context = || {
            format!(
                "watchpost exited with {}; its stderr:\n{}",
                run.status, run.stderr
            )
        };
        let mut plans = Vec::new();
        let mut summary = None;
        for (number, line) in run.stdout.lines().enumerate() {
            let event: Value = serde_json::from_str(line)
                .with_context(|| {
                    format!("line {} of `apply --json` is not JSON: {line}", number + 1)
                })
                .with_context(context)?;
            match event["type"].as_str() {
                Some("start") => {
                    let plan = event
                        .get("plan")
                        .ok_or_else(|| anyhow!("a `start` line of `apply --json` has no `plan`"))?;
                    plans.extend(account_plans(plan).context("the plan of a `start` line")?);
                }
                Some("summary") if !is_account_summary(&event) => summary = Some(event),
                _ => {}
            }
        }
        let summary = summary
            .ok_or_else(|| anyhow!("`apply --json` printed no run summary line"))
            .with_context(context)?;
        let converged = summary["converged"].as_bool().ok_or_else(|| {
            anyhow!("the summary of `apply --json` has no `converged`: {summary}")
        })?;
        let api_calls = summary
            .get("api_calls")
            .map(|calls| {
                serde_json::from_value::<BTreeMap<String, u64>>(calls.clone())
                    .map(|calls| calls.values().sum())
            })
            .transpose()
            .context("the `api_calls` of the summary of `apply --json`")?;
        Ok(ApplyStream {
            plans,
            converged,
            api_calls,
        })
    }
}

/// One account's summary line of `apply --json`, as opposed to the run's: `account_summary`,
/// or a `summary` that names its account.
fn is_account_summary(event: &Value) -> bool {
    event["type"] == "account_summary"
        || (event["type"] == "summary" && event.get("account_id").is_some())
}

/// The account plans in the `plan` of a `start` line: a whole document, or one account's part.
fn account_plans(plan: &Value) -> anyhow::Result<Vec<AccountPlan>> {
    Ok(match plan.get("accounts") {
        Some(accounts) => serde_json::from_value(accounts.clone())?,
        None => vec![serde_json::from_value(plan.clone())?],
    })
}

/// What one watchpost run printed and cost.
struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
    wall: Duration,
    peak_rss_bytes: u64,
}

/// Runs the watchpost binary against `endpoint` with nothing from the caller's AWS set-up,
/// handing each line of its stdout to `on_line` as it comes.
fn run_watchpost(
    endpoint: &str,
    args: &[OsString],
    mut on_line: impl FnMut(&str),
) -> anyhow::Result<Run> {
    let mut command = WATCHPOST.command(endpoint, args);
    let started = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot run {}", WATCHPOST.path().display()))?;
    let stderr = child.stderr.take().expect("stderr is piped");
    let stderr_reader = std::thread::spawn(move || read_all(stderr));
    let mut stdout = String::new();
    for line in BufReader::new(child.stdout.take().expect("stdout is piped")).lines() {
        let line = line.context("reading watchpost's stdout")?;
        on_line(&line);
        stdout.push_str(&line);
        stdout.push('\n');
    }
    let (status, peak_rss_bytes) = reap(&child).context("waiting for watchpost")?;
    let wall = started.elapsed();
    let stderr = stderr_reader
        .join()
        .map_err(|_| anyhow!("the thread reading watchpost's stderr panicked"))?
        .context("reading watchpost's stderr")?;
    Ok(Run {
        status,
        stdout,
        stderr,
        wall,
        peak_rss_bytes,
    })
}

fn read_all(mut stream: impl Read) -> io::Result<String> {
    let mut text = String::new();
    stream.read_to_string(&mut text)?;
    Ok(text)
}

/// Waits for the child with wait4, which, unlike `Child::wait`, also gives its resource usage:
/// the exit status and the peak resident set size in bytes.
fn reap(child: &Child) -> io::Result<(ExitStatus, u64)> {
    // ru_maxrss is in kilobytes on Linux (in bytes on macOS).
    const MAXRSS_UNIT: u64 = if cfg!(target_os = "macos") { 1 } else { 1024 };
    let pid = libc::pid_t::try_from(child.id()).map_err(io::Error::other)?;
    let mut status = 0;
    // SAFETY: rusage is plain integers, for which all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: both pointers are to live locals of the types wait4 writes.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
    let peak_rss = u64::try_from(usage.ru_maxrss).unwrap_or(0) * MAXRSS_UNIT;
    Ok((ExitStatus::from_raw(status), peak_rss))
}

/// Baselines derived from the repository's recommended one, written into the work dir.
struct Baselines {
    recommended: toml::Table,
    dir: PathBuf,
}

impl Baselines {
    fn load(dir: &Path) -> anyhow::Result<Baselines> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/baseline.toml");
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
        let recommended = text
            .parse()
            .with_context(|| format!("{path} is not valid TOML"))?;
        Ok(Baselines {
            recommended,
            dir: dir.to_owned(),
        })
    }

    /// The recommended baseline over `regions`, and over `accounts` when there are any, less
    /// what moto cannot emulate.
    fn write(&self, name: &str, regions: &[&str], accounts: &[String]) -> anyhow::Result<PathBuf> {
        let mut baseline = self.recommended.clone();
        // moto does not emulate IAM Access Analyzer: every read of it would fail after the
        // SDK's retries, and the plan measured would be one that stops at a gap.
        baseline.remove("access_analyzer");
        let scope = baseline
            .get_mut("scope")
            .and_then(toml::Value::as_table_mut)
            .ok_or_else(|| anyhow!("the repository's baseline.toml has no [scope] table"))?;
        scope.insert("regions".into(), regions.to_vec().into());
        if !accounts.is_empty() {
            let section = baseline
                .entry("accounts")
                .or_insert(toml::Table::new().into())
                .as_table_mut()
                .ok_or_else(|| anyhow!("`accounts` in baseline.toml is not a table"))?;
            section.insert("ids".into(), accounts.to_vec().into());
        }
        let path = self.dir.join(format!("{name}.toml"));
        std::fs::write(&path, toml::to_string(&baseline)?)
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }
}

/// A temp dir for the baselines, removed at the end.
struct WorkDir(PathBuf);

impl WorkDir {
    fn create() -> anyhow::Result<WorkDir> {
        let path = std::env::temp_dir().join(format!("watchpost-bench-{}", std::process::id()));
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(WorkDir(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn endpoints(motos: &[MotoServer]) -> Vec<String> {
    motos.iter().map(MotoServer::endpoint).collect()
}
