//! What `status` shows beside the plan: whether the monitoring works, as observe reads it from
//! the account (recorders recording and delivering, the trail logging, how the Config rules judge
//! the account, GuardDuty's findings, alert addresses not yet confirmed, alarms firing). Plain
//! data; `status` places and renders it.

use super::Unread;

/// A part of the status, or why it could not be read.
pub type Part<T> = Result<T, Unread>;

/// A moment, in seconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Time(pub i64);

#[derive(Clone, Debug, PartialEq)]
pub struct ConfigRegion {
    pub region: String,
    /// `None`: no recorder in the region.
    pub recorder: Part<Option<RecorderStatus>>,
    /// `None`: no delivery channel in the region.
    pub delivery: Part<Option<DeliveryStatus>>,
    /// The baseline's rules placed in the region, by name.
    pub rules: Part<Vec<RuleCompliance>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RecorderStatus {
    pub name: String,
    pub recording: bool,
    /// AWS's `Pending`, `Success` or `Failure` of the last recording.
    pub last_status: Option<String>,
    pub last_status_change: Option<Time>,
    pub last_start: Option<Time>,
    pub last_stop: Option<Time>,
    pub last_error: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryStatus {
    pub name: String,
    /// Configuration history files, delivered as resources change.
    pub history: Option<Delivery>,
    /// Configuration snapshots, delivered on the channel's schedule.
    pub snapshot: Option<Delivery>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    /// AWS's `Success`, `Failure` or `Not_Applicable`.
    pub last_status: Option<String>,
    pub last_attempt: Option<Time>,
    pub last_success: Option<Time>,
    pub last_error: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RuleCompliance {
    pub name: String,
    /// `COMPLIANT`, `NON_COMPLIANT`, `NOT_APPLICABLE` or `INSUFFICIENT_DATA`; `None` when the
    /// rule is not in the region.
    pub compliance: Option<String>,
    /// For a non-compliant rule: how many resources do not comply, and whether AWS capped the
    /// count (at 100).
    pub non_compliant_count: Option<(u32, bool)>,
    /// For a non-compliant rule: the resources, as many as one page of AWS's answer holds.
    pub non_compliant: Option<Part<Vec<NonCompliant>>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NonCompliant {
    pub resource_type: String,
    pub resource_id: String,
    /// The rule's explanation, when it gives one.
    pub annotation: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TrailStatus {
    pub name: String,
    pub region: String,
    pub is_logging: bool,
    pub start_logging: Option<Time>,
    pub stop_logging: Option<Time>,
    /// The last log file delivered to the bucket.
    pub latest_delivery: Option<Time>,
    pub latest_delivery_error: Option<String>,
    /// The last events delivered to the log group.
    pub latest_logs_delivery: Option<Time>,
    pub latest_logs_delivery_error: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FindingsRegion {
    pub region: String,
    /// `None`: GuardDuty has no detector in the region.
    pub findings: Part<Option<Findings>>,
}

/// Active (not archived) findings, by GuardDuty's severity levels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Findings {
    pub detector_id: String,
    /// 9.0 to 10.0.
    pub critical: u64,
    /// 7.0 to 8.9.
    pub high: u64,
    /// 4.0 to 6.9.
    pub medium: u64,
    /// Below 4.0.
    pub low: u64,
}

impl Findings {
    /// Counts `total` findings of `severity` in its level.
    pub fn add(&mut self, severity: f64, total: u64) {
        let level = if severity >= 9.0 {
            &mut self.critical
        } else if severity >= 7.0 {
            &mut self.high
        } else if severity >= 4.0 {
            &mut self.medium
        } else {
            &mut self.low
        };
        *level += total;
    }
}

/// A setting of the baseline read back for `status`: whether it holds, in a sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// What is checked, as the JSON names it: `s3_data_events`, `access_logs`, `support_role`,
    /// `security_hub`.
    pub part: &'static str,
    pub result: Part<Verdict>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub holds: bool,
    /// What was found, as a sentence: where it does not hold, with the fix.
    pub text: String,
}

/// The VPCs of a region in scope, and how watchpost's flow logs cover them.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowLogsRegion {
    pub region: String,
    pub coverage: Part<FlowLogCoverage>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlowLogCoverage {
    pub vpcs: usize,
    /// The VPCs without a flow log of watchpost's.
    pub unlogged: Vec<String>,
    /// watchpost's flow logs that cannot deliver, by VPC, with EC2's reason.
    pub failing: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TopicStatus {
    pub region: String,
    pub name: String,
    /// Its email subscriptions; `None` when the topic does not exist.
    pub subscriptions: Part<Option<Vec<Subscription>>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Subscription {
    pub email: String,
    /// The recipient has not followed the link AWS emailed: no alert reaches them.
    pub pending: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AlarmState {
    pub name: String,
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`; `None` when the alarm does not exist.
    pub state: Option<String>,
    pub reason: Option<String>,
    pub since: Option<Time>,
}
