//! The list prices the estimate uses, and what it assumes where the account cannot tell. Every
//! figure is one of docs/costs.md, which names its source by the number given here; change them
//! together, and move [`PRICES_READ_ON`] when the figures are checked again.

/// When the prices below were read from their sources.
pub const PRICES_READ_ON: &str = "2026-11-29";
/// The region whose list prices these are; other regions differ.
pub const PRICE_REGION: &str = "us-east-1";

/// A list price: `usd` for `per` units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Price {
    pub usd: f64,
    pub per: f64,
    /// The source's number in docs/costs.md.
    pub source: u8,
}

impl Price {
    const fn new(usd: f64, per: f64, source: u8) -> Price {
        Price { usd, per, source }
    }

    /// What `units` cost at this price.
    pub fn of(self, units: f64) -> f64 {
        units / self.per * self.usd
    }
}

/// CloudTrail: every copy of management events after the first, per 100,000 events.
pub const TRAIL_EXTRA_MANAGEMENT_COPY: Price = Price::new(2.00, 100_000.0, 1);
/// CloudTrail: data events, every copy, per 100,000 events.
pub const TRAIL_DATA_EVENTS: Price = Price::new(0.10, 100_000.0, 1);
/// S3: AWS's statement that typical charges for a trail's deliveries stay under this a month.
pub const S3_TYPICAL_MONTHLY_MAX: Price = Price::new(3.00, 1.0, 1);
/// S3 Standard: a GB stored for a month (the first 50 TB).
pub const S3_STANDARD_GB_MONTH: Price = Price::new(0.023, 1.0, 15);
/// CloudWatch vended logs delivered to S3 (VPC flow logs among them): a GB, the first 10 TB.
pub const VENDED_LOGS_TO_S3_GB: Price = Price::new(0.25, 1.0, 16);

/// AWS Config: one configuration item, continuous recording (approximate, as the source says).
pub const CONFIG_ITEM: Price = Price::new(0.003, 1.0, 5);
/// AWS Config: one rule evaluation, for the first 100,000 of a month in a region.
pub const CONFIG_EVALUATION: Price = Price::new(0.001, 1.0, 4);
/// AWS Config: one rule evaluation, for the next 400,000. Above 500,000 a lower rate applies,
/// which the estimate does not use: there it errs high.
pub const CONFIG_EVALUATION_BEYOND_FIRST: Price = Price::new(0.0008, 1.0, 4);
/// Rule evaluations of a month in a region at [`CONFIG_EVALUATION`].
pub const CONFIG_EVALUATIONS_FIRST_TIER: f64 = 100_000.0;

/// CloudWatch: the free tier's alarm metrics (standard resolution) a month, per account.
pub const FREE_ALARMS: f64 = 10.0;
/// CloudWatch: the free tier's custom metrics a month, per account.
pub const FREE_CUSTOM_METRICS: f64 = 10.0;
/// CloudWatch Logs: the free tier's GB a month (ingestion, storage and scans together).
pub const FREE_LOG_GB: f64 = 5.0;
/// CloudWatch: one standard-resolution alarm metric a month.
pub const ALARM: Price = Price::new(0.10, 1.0, 10);
/// CloudWatch: one custom metric a month (the first 10,000).
pub const CUSTOM_METRIC: Price = Price::new(0.30, 1.0, 10);
/// CloudWatch Logs: GB ingested (standard log class).
pub const LOG_INGESTION_GB: Price = Price::new(0.50, 1.0, 10);
/// CloudWatch Logs: GB stored for a month.
pub const LOG_STORAGE_GB_MONTH: Price = Price::new(0.03, 1.0, 10);

/// KMS: one key watchpost makes, a month; each yearly rotation adds as much again.
pub const KMS_KEY: Price = Price::new(1.00, 1.0, 12);
/// KMS: requests past the free tier, per 10,000.
pub const KMS_REQUESTS: Price = Price::new(0.03, 10_000.0, 13);
/// KMS: the free tier's requests a month, per account, across regions.
pub const FREE_KMS_REQUESTS: f64 = 20_000.0;

/// GuardDuty: CloudTrail management events analysed, per million.
pub const GUARDDUTY_MANAGEMENT_EVENTS: Price = Price::new(4.00, 1_000_000.0, 11);
/// GuardDuty: VPC flow logs and DNS query logs analysed, per GB (the first 500 GB a month).
pub const GUARDDUTY_FLOW_AND_DNS_GB: Price = Price::new(1.00, 1.0, 11);

/// GuardDuty's protection features: what each is priced by, for the lines whose volume only
/// the account's workloads decide. `None`: a feature the table does not know.
pub fn guardduty_feature(name: &str) -> Option<(&'static str, &'static str)> {
    Some(match name {
        "S3_DATA_EVENTS" => ("S3 protection", "$0.80 per million S3 data events analysed"),
        "EKS_AUDIT_LOGS" => ("EKS protection", "$1.60 per million EKS audit log events"),
        "EBS_MALWARE_PROTECTION" => (
            "Malware protection for EC2",
            "$0.03 per GB of EBS data scanned, only when a finding starts a scan",
        ),
        "RDS_LOGIN_EVENTS" => (
            "RDS protection",
            "$1.00 per vCPU of the databases monitored, a month",
        ),
        "LAMBDA_NETWORK_LOGS" => (
            "Lambda protection",
            "$1.00 per GB of Lambda network activity analysed",
        ),
        "RUNTIME_MONITORING" | "EKS_RUNTIME_MONITORING" => (
            "Runtime monitoring",
            "$1.50 per vCPU of the EKS, ECS and EC2 workloads monitored, a month",
        ),
        _ => return None,
    })
}

/// What the estimate assumes where the account does not tell. Each is a range, low to high,
/// and docs/costs.md says why.
pub mod assumed {
    /// CloudTrail management events in the account a month.
    pub const MANAGEMENT_EVENTS: (f64, f64) = (100_000.0, 1_000_000.0);
    /// Size of one event as CloudWatch Logs ingests it, in KB (1 GB = 1,000,000 KB).
    pub const EVENT_KB: f64 = 1.5;
    /// Data events a month, when the trail logs them.
    pub const DATA_EVENTS: (f64, f64) = (1_000_000.0, 100_000_000.0);
    /// Resources AWS Config records in a region, when the count could not be read.
    pub const RESOURCES_PER_REGION: (f64, f64) = (15.0, 300.0);
    /// Configuration items a recorded resource causes a month, by changing.
    pub const ITEMS_PER_RESOURCE: (f64, f64) = (0.1, 2.0);
    /// The share of a region's resource rules a configuration item triggers: each rule covers
    /// a few resource types.
    pub const RULES_TRIGGERED_PER_ITEM: f64 = 0.1;
    /// Evaluations a month of a periodic rule (every 24 hours with watchpost).
    pub const PERIODIC_EVALUATIONS: f64 = 30.0;
    /// GB of VPC flow and DNS query logs GuardDuty analyses in a region a month.
    pub const FLOW_AND_DNS_GB_PER_REGION: (f64, f64) = (0.0, 2.0);
    /// Days in a month, for storage kept a number of days.
    pub const DAYS_PER_MONTH: f64 = 30.4;
    /// Log files CloudTrail delivers in a region a month (about one every 5 minutes), each
    /// encrypted with a data key KMS makes for it.
    pub const TRAIL_LOG_FILES_PER_REGION: f64 = 12.0 * 24.0 * DAYS_PER_MONTH;
    /// Requests to the log bucket a month, each one server access log record: the trail's and
    /// Config's deliveries, and whoever reads the logs.
    pub const LOG_BUCKET_REQUESTS: (f64, f64) = (10_000.0, 500_000.0);
    /// Size of one server access log record, in KB.
    pub const ACCESS_LOG_RECORD_KB: f64 = 0.5;
    /// Flow log records of one VPC a month, in GB, of rejected traffic alone and of all of it.
    pub const FLOW_LOG_GB_REJECTED: (f64, f64) = (0.1, 10.0);
    pub const FLOW_LOG_GB_ALL: (f64, f64) = (1.0, 300.0);
}
