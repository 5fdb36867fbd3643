//! `watchpost status`: after apply, whether the monitoring works. Recorders recording and
//! delivering, the trail logging, how the Config rules judge the account, GuardDuty's findings,
//! alert addresses that have not confirmed, alarms firing. [`read`] places its parts and has
//! `observe::health` read them as plain data, rendered by [`render`] as text or JSON.
//!
//! A part that cannot be read (a call the endpoint lacks, a permission missing) is "not
//! available", with the call and AWS's answer, and the rest is still shown.

mod read;
mod render;

pub use read::account;
#[cfg(test)]
use render::attention;
pub use render::{StatusReport, render_json, render_text};

use crate::model::{
    AlarmState, Check, ConfigRegion, FindingsRegion, FlowLogsRegion, Part, TopicStatus,
    TrailStatus, Unread,
};
#[cfg(test)]
use crate::model::{
    Delivery, DeliveryStatus, Findings, FlowLogCoverage, NonCompliant, RecorderStatus,
    RuleCompliance, Subscription, Time, Verdict,
};

/// One account's status: only the sections its baseline has.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountStatus {
    pub account_id: String,
    pub home_region: String,
    pub regions: Vec<String>,
    /// One per region in scope, with `[config]`.
    pub config: Vec<ConfigRegion>,
    /// With `[cloudtrail]`: the trail's status, `None` when there is no such trail.
    pub trail: Option<Part<Option<TrailStatus>>>,
    /// One per region in scope, with `[guardduty]`.
    pub guardduty: Vec<FindingsRegion>,
    /// One per alert topic, with `[alerts]`.
    pub topics: Vec<TopicStatus>,
    /// With `[alarms]`: the baseline's alarms, in the home region.
    pub alarms: Option<Part<Vec<AlarmState>>>,
    /// One per region in scope, with `[vpc_flow_logs]`.
    pub flow_logs: Vec<FlowLogsRegion>,
    /// Settings read back: the trail's S3 data events, the log bucket's access logs, the
    /// support role; each with its section.
    pub checks: Vec<Check>,
}

impl AccountStatus {
    /// Every part that could not be read, with where it is: `(part, unread)`.
    pub fn not_available(&self) -> Vec<(String, &Unread)> {
        let mut parts = Vec::new();
        for region in &self.config {
            let r = &region.region;
            if let Err(unread) = &region.recorder {
                parts.push((format!("config_recorder/{r}"), unread));
            }
            if let Err(unread) = &region.delivery {
                parts.push((format!("config_delivery/{r}"), unread));
            }
            match &region.rules {
                Err(unread) => parts.push((format!("config_rules/{r}"), unread)),
                Ok(rules) => {
                    for rule in rules {
                        if let Some(Err(unread)) = &rule.non_compliant {
                            parts.push((format!("config_rules/{r}/{}", rule.name), unread));
                        }
                    }
                }
            }
        }
        if let Some(Err(unread)) = &self.trail {
            parts.push(("trail".to_owned(), unread));
        }
        for check in &self.checks {
            if let Err(unread) = &check.result {
                parts.push((check.part.to_owned(), unread));
            }
        }
        for region in &self.flow_logs {
            if let Err(unread) = &region.coverage {
                parts.push((format!("flow_logs/{}", region.region), unread));
            }
        }
        for region in &self.guardduty {
            if let Err(unread) = &region.findings {
                parts.push((format!("guardduty_findings/{}", region.region), unread));
            }
        }
        for topic in &self.topics {
            if let Err(unread) = &topic.subscriptions {
                parts.push((
                    format!("subscriptions/{}/{}", topic.region, topic.name),
                    unread,
                ));
            }
        }
        if let Some(Err(unread)) = &self.alarms {
            parts.push(("alarms".to_owned(), unread));
        }
        parts
    }
}

#[cfg(test)]
mod tests;
