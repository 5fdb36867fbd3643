//! The baseline: what monitoring the account must have, loaded from TOML and validated in full
//! before any AWS call, so that a typo costs a second and not a half-applied account.

pub mod catalog;
mod diagnostic;
mod raw;
mod shard;
mod validate;

use std::collections::BTreeMap;
use std::path::Path;

pub use diagnostic::{BaselineErrors, closest};
pub use raw::schema;
pub use shard::Shard;

use crate::model::{Encryption, S3DataEvents, StandardName};

#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub scope: Scope,
    /// `None`: the account the credentials are for, and only it.
    pub accounts: Option<Accounts>,
    pub guardduty: Option<GuardDuty>,
    pub log_bucket: LogBucket,
    pub config: Option<Config>,
    pub cloudtrail: Option<CloudTrail>,
    pub alerts: Option<Alerts>,
    pub signin_notification: Option<SigninNotification>,
    pub alarms: Option<Alarms>,
    pub tamper_alerts: Option<TamperAlerts>,
    pub kms: Option<Kms>,
    pub password_policy: Option<PasswordPolicy>,
    pub account_public_access_block: Option<AccountPublicAccessBlock>,
    pub ebs_encryption: Option<EbsEncryption>,
    pub access_analyzer: Option<AccessAnalyzer>,
    pub security_contact: Option<SecurityContact>,
    pub support_role: Option<SupportRole>,
    pub vpc_flow_logs: Option<VpcFlowLogs>,
    pub security_hub: Option<SecurityHub>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RegionSelection {
    /// Every region enabled for the account, discovered at run time.
    All,
    Listed(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    pub regions: RegionSelection,
    pub home_region: String,
    /// When set, watchpost refuses to touch any other account.
    pub account_id: Option<String>,
}

/// The accounts a run covers when it covers more than the caller's own.
#[derive(Debug, Clone, PartialEq)]
pub struct Accounts {
    pub selection: AccountSelection,
    /// Left out even when the selection names them (with `Organization`, say, the
    /// management account).
    pub exclude: Vec<String>,
    pub role: AccountRole,
    /// Only the accounts of this shard, of those selected and not excluded.
    pub shard: Option<Shard>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountSelection {
    Listed(Vec<String>),
    /// Every active account of the caller's organization (Organizations ListAccounts).
    Organization,
}

/// The role watchpost assumes in each account it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRole {
    pub name: String,
    pub external_id: Option<String>,
    pub session_name: String,
}

impl Default for AccountRole {
    fn default() -> Self {
        AccountRole {
            name: "OrganizationAccountAccessRole".to_owned(),
            external_id: None,
            session_name: "watchpost".to_owned(),
        }
    }
}

impl Accounts {
    /// Whether the fleet the baseline declares takes in `account`: an organization takes in
    /// every account not excluded (the organization's own list decides at run time).
    pub fn covers(&self, account: &str) -> bool {
        let selected = match &self.selection {
            AccountSelection::Listed(ids) => ids.iter().any(|id| id == account),
            AccountSelection::Organization => true,
        };
        selected && !self.exclude.iter().any(|id| id == account)
    }
}

/// An AWS account id: twelve digits.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

#[derive(Debug, Clone, PartialEq)]
pub struct GuardDuty {
    pub finding_publishing_frequency: String,
    pub features: BTreeMap<String, bool>,
    pub finding_alerts: Option<FindingAlerts>,
}

/// An EventBridge rule in every region in scope that sends GuardDuty findings of at least
/// `min_severity` to that region's alert topic.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingAlerts {
    pub rule_name: String,
    /// GuardDuty's scale: low 1 to 3.9, medium 4 to 6.9, high 7 to 8.9, critical 9 to 10.
    pub min_severity: f64,
}

/// The KMS key watchpost makes, in the home region, for the trail's log files and the log
/// bucket. The bucket's and the trail's `kms_key_id` name it by `alias` (a key of the user's
/// own is named by its ARN), and the planner puts the key's ARN in its place.
#[derive(Debug, Clone, PartialEq)]
pub struct Kms {
    /// `alias/NAME`, as KMS writes it.
    pub alias: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogBucket {
    /// `None`: derived from the account id and home region, since bucket names are global.
    pub name: Option<String>,
    pub encryption: Encryption,
    pub expire_after_days: i32,
    pub access_logs: Option<AccessLogs>,
}

/// Server access logging of the log bucket (`[log_bucket.access_logs]`, CIS 4.4), into a bucket
/// watchpost makes for it: who read or changed the logs is then on record too.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessLogs {
    /// `None`: derived from the account id and home region, as the log bucket's is.
    pub bucket_name: Option<String>,
    pub expire_after_days: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub role_name: String,
    pub recorder_name: String,
    pub delivery_channel_name: String,
    pub s3_key_prefix: String,
    pub snapshot_delivery_frequency: String,
    pub rules: BTreeMap<String, ConfigRule>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConfigRule {
    pub source_identifier: String,
    pub scope: catalog::RuleScope,
    /// Where AWS offers the rule: elsewhere it is skipped, with a note in the plan.
    pub availability: catalog::Availability,
    pub input_parameters: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CloudTrail {
    pub name: String,
    pub s3_key_prefix: String,
    pub kms_key_id: Option<String>,
    pub log_group_name: String,
    pub log_retention_days: i32,
    /// The role CloudTrail assumes to write to the log group.
    pub role_name: String,
    pub s3_data_events: Option<S3DataEvents>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alerts {
    pub topic_name: String,
    pub emails: Vec<String>,
    /// The role EventBridge assumes to forward alert events of other regions to the home one,
    /// or, with a central bus, of every region to that bus.
    pub forward_role_name: String,
    pub central_bus: Option<CentralBus>,
}

/// The one event bus, in the security account and the home region, that every covered account
/// forwards its alert events to and where the emails are raised (`[alerts] central_bus`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentralBus {
    pub arn: String,
    /// The security account: the bus's, where its policy, rules, topic and emails are.
    pub account: String,
    pub name: String,
}

/// Which console sign-ins the notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigninEvents {
    All,
    Failures,
    Root,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SigninNotification {
    pub rule_name: String,
    pub events: SigninEvents,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alarms {
    pub metric_namespace: String,
    pub filters: BTreeMap<String, AlarmFilter>,
}

/// A metric filter on the trail's log group and the alarm on its metric.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmFilter {
    pub pattern: String,
    pub description: String,
    pub threshold: f64,
    pub period_seconds: i32,
    pub evaluation_periods: i32,
}

/// The account's IAM password policy, in the fields of the API. `None`: not declared, left as
/// the account has it; but the two values the CIS benchmark sets (length 14, reuse prevention
/// 24) are floors when not declared: a weaker live value is raised to them, a stronger one kept.
pub type PasswordPolicy = crate::model::PasswordPolicySpec;

/// The CIS benchmark's minimum password length and reuse prevention.
pub const CIS_MINIMUM_PASSWORD_LENGTH: i32 = 14;
pub const CIS_PASSWORD_REUSE_PREVENTION: i32 = 24;

/// S3 Block Public Access for the whole account; every flag on unless the baseline says not.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountPublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

/// EBS encryption by default in every region in scope, with the default KMS key of the
/// regions named here (a key ARN per region, since a key lives in one region).
#[derive(Debug, Clone, PartialEq)]
pub struct EbsEncryption {
    pub kms_key_ids: BTreeMap<String, String>,
}

/// An alert, through the alert route, on each call that undoes watchpost's work
/// (`[tamper_alerts]`): one EventBridge rule per service watched, named `<rule_prefix>-<service>`.
#[derive(Debug, Clone, PartialEq)]
pub struct TamperAlerts {
    pub rule_prefix: String,
    pub repair: Option<TamperRepair>,
}

/// The repairer started on the spot (`[tamper_alerts.repair]`): the home region's tamper rules
/// also run the Fargate task of the scheduled repairer (docs/scheduling.md), through a role
/// watchpost makes for EventBridge. The task's own calls match none of the rules, so its repair
/// does not start it again.
#[derive(Debug, Clone, PartialEq)]
pub struct TamperRepair {
    /// The ECS cluster's name, in the home region.
    pub cluster: String,
    /// The task definition's family, with `:REVISION` to pin one (else the latest active).
    pub task_definition: String,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub assign_public_ip: bool,
    /// The role the task runs as: the calls made with it are the repair's own.
    pub task_role_name: String,
    /// The role ECS starts the task with (its image and logs).
    pub execution_role_name: String,
    /// The role watchpost makes for EventBridge to start the task with.
    pub role_name: String,
}

/// An IAM role for working with AWS Support (`[support_role]`, CIS 2.16): the AWS managed
/// `AWSSupportAccess` policy, assumable by the principals named.
#[derive(Debug, Clone, PartialEq)]
pub struct SupportRole {
    pub name: String,
    /// Account ids and IAM ARNs; none: the account itself, so that IAM policies decide who.
    pub principals: Vec<String>,
}

/// A flow log of watchpost's on every VPC of every region in scope, delivered to the log bucket
/// (`[vpc_flow_logs]`, CIS 4.7).
#[derive(Debug, Clone, PartialEq)]
pub struct VpcFlowLogs {
    /// `REJECT` or `ALL`.
    pub traffic_type: String,
    pub s3_key_prefix: String,
    pub max_aggregation_interval: i32,
}

/// AWS Security Hub CSPM in every region in scope (`[security_hub]`, CIS 5.16).
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityHub {
    /// The standards to enable, each as named (a version or the latest offered).
    pub standards: Vec<StandardName>,
    /// Whether a finding aggregator in the home region links the other regions in scope.
    pub aggregate_findings: bool,
    pub finding_alerts: Option<HubFindingAlerts>,
}

/// An EventBridge rule that sends Security Hub's new, active findings of at least
/// `min_severity` to the alert topic: in the home region alone when the findings of the others
/// are aggregated there, else in every region in scope.
#[derive(Debug, Clone, PartialEq)]
pub struct HubFindingAlerts {
    pub rule_name: String,
    /// A label of [`HUB_SEVERITY_LABELS`].
    pub min_severity: String,
}

/// Security Hub's severity labels that a finding alert can start from, lowest first
/// (`INFORMATIONAL` is never alerted on).
pub const HUB_SEVERITY_LABELS: [&str; 4] = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];

impl HubFindingAlerts {
    /// The labels alerted on: `min_severity` and those above it.
    pub fn labels(&self) -> Vec<&'static str> {
        HUB_SEVERITY_LABELS
            .iter()
            .skip_while(|label| **label != self.min_severity)
            .copied()
            .collect()
    }
}

/// An IAM Access Analyzer for the account in every region in scope.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessAnalyzer {
    /// The name a new analyzer gets; an existing one is adopted under its own.
    pub name: String,
}

/// The account's security contact, whom AWS writes to about security matters.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityContact {
    pub name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
}

impl Baseline {
    /// The names of watchpost's EventBridge rules on an account's default buses, which are
    /// also those of the rules on a central bus: the sign-in and finding rules, the alarm rule
    /// (with a central bus only: without one, alarms notify the topic themselves), the drill
    /// rule and the tamper rules. Sorted.
    pub fn event_rule_names(&self) -> Vec<String> {
        use crate::model::{ALARM_RULE_NAME, DRILL_RULE_NAME};
        let Some(alerts) = &self.alerts else {
            return Vec::new();
        };
        let signin = self
            .signin_notification
            .as_ref()
            .map(|signin| signin.rule_name.clone());
        let findings = self
            .guardduty
            .as_ref()
            .and_then(|guardduty| guardduty.finding_alerts.as_ref())
            .map(|findings| findings.rule_name.clone());
        let hub_findings = self
            .security_hub
            .as_ref()
            .and_then(|hub| hub.finding_alerts.as_ref())
            .map(|findings| findings.rule_name.clone());
        let alarms =
            (alerts.central_bus.is_some() && self.alarms.is_some() && self.cloudtrail.is_some())
                .then(|| ALARM_RULE_NAME.to_owned());
        let tamper = self.tamper_alerts.iter().flat_map(|tamper| {
            self.watched()
                .into_iter()
                .map(|group| group.rule_name(&tamper.rule_prefix))
        });
        let mut names: Vec<String> = [
            signin,
            findings,
            hub_findings,
            alarms,
            Some(DRILL_RULE_NAME.to_owned()),
        ]
        .into_iter()
        .flatten()
        .chain(tamper)
        .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The services `[tamper_alerts]` watches: those the baseline has something of watchpost's
    /// in. Empty without the section.
    pub fn watched(&self) -> Vec<crate::model::Watched> {
        use crate::model::Watched;
        if self.tamper_alerts.is_none() {
            return Vec::new();
        }
        Watched::all()
            .filter(|group| match group {
                Watched::Cloudtrail | Watched::Logs => self.cloudtrail.is_some(),
                Watched::Guardduty => self.guardduty.is_some(),
                Watched::Config => self.config.is_some(),
                Watched::Cloudwatch => self.alarms.is_some() && self.cloudtrail.is_some(),
                Watched::Kms => self.kms.is_some(),
                Watched::S3 => self.config.is_some() || self.cloudtrail.is_some(),
                Watched::Ec2 => self.vpc_flow_logs.is_some(),
                Watched::Securityhub => self.security_hub.is_some(),
                Watched::Events | Watched::Sns | Watched::Iam => true,
            })
            .collect()
    }

    /// The log bucket's name: the baseline's, or one derived from the account and home region,
    /// since bucket names are global and the derived one is unlikely to be taken.
    pub fn log_bucket_name(&self, account_id: &str) -> String {
        self.log_bucket
            .name
            .clone()
            .unwrap_or_else(|| format!("watchpost-logs-{account_id}-{}", self.scope.home_region))
    }

    /// The bucket the log bucket's server access logs go to, with `[log_bucket.access_logs]`.
    pub fn access_log_bucket_name(&self, account_id: &str) -> Option<String> {
        let logs = self.log_bucket.access_logs.as_ref()?;
        Some(logs.bucket_name.clone().unwrap_or_else(|| {
            format!(
                "watchpost-access-logs-{account_id}-{}",
                self.scope.home_region
            )
        }))
    }

    /// Reads and validates a baseline file; a validation failure is a [`BaselineErrors`]
    /// listing every problem at once.
    /// Also returns the text read, whose digest a saved plan carries.
    pub fn read(path: &Path) -> anyhow::Result<(Baseline, String)> {
        let source = match std::fs::read_to_string(path) {
            Ok(source) => source,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                anyhow::bail!(crate::error::Hinted::new(
                    format!("there is no baseline at {}", path.display()),
                    "run `watchpost init` to write one, or name yours with --baseline PATH",
                ))
            }
            Err(error) => {
                return Err(anyhow::Error::new(error)
                    .context(format!("cannot read the baseline {}", path.display())));
            }
        };
        let baseline = Self::parse(&path.display().to_string(), &source)?;
        Ok((baseline, source))
    }

    /// [`Baseline::read`], then what the file may hold by mistake though it is valid, one
    /// line each, naming the place and the fix.
    pub fn read_with_warnings(path: &Path) -> anyhow::Result<(Baseline, String, Vec<String>)> {
        let (baseline, source) = Self::read(path)?;
        let warnings = validate::warnings(&source)
            .into_iter()
            .map(|warning| {
                let mut line = format!(
                    "warning: {}:{}: {}",
                    path.display(),
                    diagnostic::line_col(&source, warning.span.start),
                    warning.message
                );
                if let Some(hint) = warning.hint {
                    line.push_str(&format!("; {hint}"));
                }
                line
            })
            .collect();
        Ok((baseline, source, warnings))
    }

    pub fn parse(path: &str, source: &str) -> Result<Baseline, BaselineErrors> {
        validate::parse(source).map_err(|diagnostics| BaselineErrors {
            path: path.to_owned(),
            source: source.to_owned(),
            diagnostics,
        })
    }
}
