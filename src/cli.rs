//! The command line as typed; `commands::run` resolves it once into the settings of
//! src/commands/settings.rs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::aws::DEFAULT_REQUESTS_IN_FLIGHT;
use crate::baseline::{AccountSelection, Shard, is_account_id};
use crate::lease::DEFAULT_DURATION;
use crate::plan::Selector;

#[derive(Debug, Parser)]
#[command(
    name = "watchpost",
    version,
    about = "Puts an AWS account under the recommended security monitoring and keeps it there"
)]
pub struct Cli {
    /// When to colour output; `auto` colours a terminal unless NO_COLOR is set
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Show no progress on the terminal while reading and changing the account
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The forms `plan` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the baseline file without calling AWS
    Validate {
        #[command(flatten)]
        baseline: BaselineArg,
    },
    /// Show what apply would change (a dry run, for review)
    Plan {
        #[command(flatten)]
        baseline: BaselineArg,
        #[command(flatten)]
        aws: AwsArgs,
        /// Exit 0 when the account matches, 2 when there are changes, 1 on error
        #[arg(long)]
        detailed_exitcode: bool,
        /// How to print the plan: text for people, one JSON document (docs/json-output.md), or
        /// Markdown for a pull-request comment
        #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
        format: PlanFormat,
        /// Print the plan as one JSON document; the same as --format json
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// Show every change with all its settings, instead of counting what is added
        #[arg(long, conflicts_with = "json")]
        full: bool,
        /// Also save the plan to FILE, for `watchpost apply FILE`
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Plan only this part of the baseline: a resource kind or a baseline section, then
        /// optionally a region and a name (repeatable); not for routine use
        #[arg(long, value_name = "KIND[/REGION[/NAME]]")]
        only: Vec<Selector>,
        /// Wait this long for a running apply or destroy of the account to finish before
        /// reading it, so that the plan is not of a half-made change; 0 reads at once
        #[arg(long, value_name = "SECONDS", default_value_t = 0)]
        lock_timeout: u64,
        /// Read every enabled region outside scope.regions for what watchpost made there,
        /// instead of only those it recorded covering; for an account changed by hand or by an
        /// older watchpost
        #[arg(long)]
        refresh_retired: bool,
    },
    /// Show whether the monitoring works: recorders and trail delivering, rule compliance,
    /// GuardDuty findings, unconfirmed alert addresses, alarms firing
    Status {
        #[command(flatten)]
        baseline: BaselineArg,
        #[command(flatten)]
        aws: AwsArgs,
        /// Print the status as one JSON document (docs/json-output.md) instead of text
        #[arg(long)]
        json: bool,
    },
    /// Prove that each alert route delivers: set each alarm to ALARM and back, publish a test
    /// message to the alert topic, and put a test event through EventBridge; name the
    /// unconfirmed subscriptions
    Drill {
        #[command(flatten)]
        baseline: BaselineArg,
        #[command(flatten)]
        aws: AwsArgs,
        /// Say what would be sent, and send nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Remove what watchpost made; leave what it adopted, and keep the logs unless told
    Destroy {
        #[command(flatten)]
        baseline: BaselineArg,
        #[command(flatten)]
        aws: AwsArgs,
        /// Destroy without asking; needed when not run from a terminal
        #[arg(long)]
        auto_approve: bool,
        /// Also delete the log bucket and the trail's log group, and the logs in them
        #[arg(long)]
        delete_logs: bool,
        /// Show the plan as it is, without saying once what repeats in each region
        #[arg(long)]
        full: bool,
        #[command(flatten)]
        lease: LeaseArgs,
        /// Destroy only this part of what watchpost made (repeatable), as `plan --only`
        #[arg(long, value_name = "KIND[/REGION[/NAME]]")]
        only: Vec<Selector>,
    },
    /// Change the account to match the baseline
    Apply {
        /// A plan saved by `plan --out`: apply exactly it, without asking, if the account and
        /// the baseline are as they were when it was made
        #[arg(value_name = "PLAN_FILE")]
        plan_file: Option<PathBuf>,
        #[command(flatten)]
        baseline: BaselineArg,
        #[command(flatten)]
        aws: AwsArgs,
        /// Apply without asking; needed when not run from a terminal
        #[arg(long)]
        auto_approve: bool,
        /// Report progress as JSON lines (docs/json-output.md) instead of text
        #[arg(long)]
        json: bool,
        /// Show every change with all its settings, instead of counting what is added
        #[arg(long, conflicts_with = "json")]
        full: bool,
        /// Publish a summary of what was repaired to the alert topic; nothing when nothing drifted
        #[arg(long)]
        notify: bool,
        #[command(flatten)]
        lease: LeaseArgs,
        /// Apply only this part of the baseline (repeatable); not for routine use
        #[arg(
            long,
            value_name = "KIND[/REGION[/NAME]]",
            conflicts_with = "plan_file"
        )]
        only: Vec<Selector>,
        /// Read every enabled region outside scope.regions for what watchpost made there,
        /// instead of only those it recorded covering; for an account changed by hand or by an
        /// older watchpost
        #[arg(long)]
        refresh_retired: bool,
    },
    /// Write a starter baseline: the recommended one with your alert addresses, home region and
    /// account id; asked for on a terminal when not given
    Init {
        #[command(flatten)]
        baseline: BaselineArg,
        /// An address that gets the alerts (repeatable)
        #[arg(long = "email", value_name = "ADDRESS")]
        emails: Vec<String>,
        /// The region that holds the log bucket and the account-wide resources
        /// (default: the region of the AWS configuration, else us-east-1)
        #[arg(long, value_name = "REGION")]
        home_region: Option<String>,
        /// The account the baseline is for; watchpost then refuses to touch any other
        /// (default: the account of the credentials, when there are credentials)
        #[arg(long, value_name = "ID", value_parser = parse_account_id)]
        account_id: Option<String>,
        /// Named profile whose account id to read
        #[arg(long)]
        profile: Option<String>,
        /// Overwrite the file if it exists
        #[arg(long)]
        force: bool,
    },
    /// Remove an account's lease left by a run that died, as `terraform force-unlock` does;
    /// a live lease only with --force
    ForceUnlock {
        /// The account whose lease to remove
        #[arg(value_name = "ACCOUNT_ID", value_parser = parse_account_id)]
        account: String,
        /// Remove the lease only if this run holds it, as the lease names it ("watchpost pid
        /// 4242 on repair-host-1"): never one another run has taken since
        #[arg(long, value_name = "HOLDER")]
        holder: Option<String>,
        /// Remove the lease even though it is live: its run is renewing it, or was until moments
        /// ago. That run starts no new change once it finds its lease gone
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        baseline: BaselineArg,
        #[command(flatten)]
        access: AccountAccess,
    },
    /// Work with the JSON output of earlier runs
    Report {
        #[command(subcommand)]
        action: ReportAction,
    },
    /// Print the JSON Schema of the baseline file, for editors (taplo, Even Better TOML)
    Schema,
    /// Print a shell completion script: `watchpost completions bash > /etc/bash_completion.d/watchpost`
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `watchpost man | man -l -`
    Man,
}

#[derive(Debug, Subcommand)]
pub enum ReportAction {
    /// Merge what the shards of a fleet wrote (each `plan --json` document, or each
    /// `apply --json` stream) into one, exiting with the worst exit code among them
    Merge {
        /// As `plan --detailed-exitcode`: exit 2 when a merged plan has changes
        #[arg(long)]
        detailed_exitcode: bool,
        /// The files the shards wrote
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct BaselineArg {
    /// The baseline file
    #[arg(
        long = "baseline",
        value_name = "PATH",
        default_value = "baseline.toml"
    )]
    pub path: PathBuf,
}

/// How long the account's lease lasts and how long to wait for one held by another run
/// (`apply`, `destroy`).
#[derive(Debug, Args)]
pub struct LeaseArgs {
    /// Wait this long for another run that holds the account (default: one and a half leases,
    /// so that a run started right after one was killed waits out the dead run's lease)
    #[arg(long, value_name = "SECONDS")]
    pub lock_timeout: Option<u64>,
    /// How long the account's lease lasts unless renewed: a run renews it every third of this
    /// while it works, and a run that is killed keeps others out this long at most
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_DURATION.as_secs(), value_parser = clap::value_parser!(u64).range(3..=3600))]
    pub lease_seconds: u64,
}

#[derive(Debug, Args)]
pub struct AwsArgs {
    #[command(flatten)]
    pub access: AccountAccess,
    /// Cover these accounts instead of the caller's own: comma-separated account ids, or
    /// `organization` for every active account of the caller's organization; overrides
    /// [accounts] in the baseline
    #[arg(long, value_name = "IDS|organization", value_parser = parse_accounts)]
    pub accounts: Option<AccountSelection>,
    /// Only the accounts of shard I of N (a stable hash of each account id picks its shard),
    /// so that N workers split a fleet; overrides [accounts].shard
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Requests of one AWS service in flight at once, per account and region; lower it when
    /// AWS throttles, or where other tools share the account's rate limits
    #[arg(long, value_name = "N", default_value_t = DEFAULT_REQUESTS_IN_FLIGHT, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub requests_in_flight: u16,
    /// How many accounts are worked on at once
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallelism: u16,
}

/// The credentials, and the role that reaches an account other than the caller's own.
#[derive(Debug, Args)]
pub struct AccountAccess {
    /// Named profile from the shared AWS config and credentials files
    #[arg(long)]
    pub profile: Option<String>,
    /// Region for account-wide calls (STS, region discovery); defaults to the home region
    #[arg(long, value_parser = parse_region)]
    pub region: Option<String>,
    /// The role to assume in each account covered other than the caller's own; overrides
    /// [accounts].role_name (default: OrganizationAccountAccessRole)
    #[arg(long, value_name = "ROLE_NAME")]
    pub assume_role: Option<String>,
    /// The external id the role to assume requires; overrides [accounts].external_id
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
}

/// A region of AWS's, refused before any call: an unknown one would otherwise cost a minute
/// of failed lookups of a host that does not exist.
fn parse_region(text: &str) -> Result<String, String> {
    use crate::baseline::catalog::KNOWN_REGIONS;
    if KNOWN_REGIONS.contains(&text) {
        return Ok(text.to_owned());
    }
    let lower = text.to_ascii_lowercase();
    if KNOWN_REGIONS.contains(&lower.as_str()) {
        return Err(format!("regions are lower case: `{lower}`"));
    }
    let closest = crate::baseline::closest(&lower, KNOWN_REGIONS.iter().copied())
        .filter(|(score, _)| *score > 0.85);
    Err(match closest {
        Some((_, known)) => format!("unknown region `{text}`; did you mean `{known}`?"),
        None => format!(
            "unknown region `{text}`; regions look like `us-east-1`, and `aws ec2 describe-regions --all-regions` lists them"
        ),
    })
}

fn parse_account_id(text: &str) -> Result<String, String> {
    match is_account_id(text) {
        true => Ok(text.to_owned()),
        false => Err(format!(
            "`{text}` is not an account id: an account id is 12 digits"
        )),
    }
}

fn parse_accounts(text: &str) -> Result<AccountSelection, String> {
    if text == "organization" {
        return Ok(AccountSelection::Organization);
    }
    let ids: Vec<String> = text.split(',').map(|id| id.trim().to_owned()).collect();
    match ids.iter().find(|id| !is_account_id(id)) {
        Some(bad) => Err(format!(
            "`{bad}` is not an account id; give 12-digit ids separated by commas, or `organization`"
        )),
        None => Ok(AccountSelection::Listed(ids)),
    }
}
