//! Reads an account's status, concurrently per region and service, for the parts its baseline
//! has, placed where the planner places them. Observe reads each part; a read that fails makes
//! its part "not available" and nothing else.

use std::collections::BTreeMap;

use futures::future::join_all;

use super::AccountStatus;
use crate::aws::Session;
use crate::baseline::Baseline;
use crate::model::{Check, Kind, Observed};
use crate::observe::health;
use crate::plan::desired_resources;

/// The status of the account whose `regions` are in scope, for `baseline`.
pub async fn account(
    session: &Session,
    baseline: &Baseline,
    account_id: String,
    regions: Vec<String>,
) -> AccountStatus {
    let home = baseline.scope.home_region.clone();
    let placed = desired_resources(
        baseline,
        &Observed {
            account_id: account_id.clone(),
            regions: regions.clone(),
            ..Observed::default()
        },
    );
    let named = |kind: Kind| {
        placed
            .iter()
            .filter(move |d| d.id.kind == kind)
            .map(|d| &d.id)
    };
    let mut rules: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for id in named(Kind::ConfigRule) {
        rules.entry(&id.region).or_default().push(id.name.clone());
    }
    let config = join_all(named(Kind::ConfigRecorder).map(|id| {
        let placed_rules = rules.remove(id.region.as_str()).unwrap_or_default();
        health::config_region(session, &id.region, placed_rules)
    }));
    let guardduty = join_all(
        named(Kind::GuarddutyDetector).map(|id| health::findings_region(session, &id.region)),
    );
    let topics = join_all(
        named(Kind::AlertTopic).map(|id| health::topic(session, &id.region, &account_id, &id.name)),
    );
    let trail = async {
        match named(Kind::CloudtrailTrail).next() {
            Some(id) => Some(health::trail(session, &id.region, &id.name).await),
            None => None,
        }
    };
    let alarm_names: Vec<String> = named(Kind::MetricAlarm).map(|id| id.name.clone()).collect();
    let alarms = async {
        match &baseline.alarms {
            Some(_) => Some(health::alarms(session, &home, &alarm_names).await),
            None => None,
        }
    };
    let flow_logs = join_all(
        baseline
            .vpc_flow_logs
            .iter()
            .flat_map(|_| regions.iter())
            .map(|region| health::flow_logs_region(session, region)),
    );
    let checks = checks(session, baseline, &home, &regions, &account_id);
    let (config, guardduty, topics, trail, alarms, flow_logs, checks) =
        tokio::join!(config, guardduty, topics, trail, alarms, flow_logs, checks);
    AccountStatus {
        account_id,
        home_region: home,
        regions,
        config,
        trail,
        guardduty,
        topics,
        alarms,
        flow_logs,
        checks,
    }
}

/// The settings of the baseline that `status` reads back, those its sections ask for.
async fn checks(
    session: &Session,
    baseline: &Baseline,
    home: &str,
    regions: &[String],
    account_id: &str,
) -> Vec<Check> {
    let data_events = async {
        let cloudtrail = baseline.cloudtrail.as_ref()?;
        let wanted = cloudtrail.s3_data_events.as_ref()?;
        Some(health::s3_data_events(session, home, &cloudtrail.name, wanted).await)
    };
    let access_logs = async {
        let target = baseline.access_log_bucket_name(account_id)?;
        let bucket = baseline.log_bucket_name(account_id);
        Some(health::access_logs(session, home, &bucket, &target).await)
    };
    let support_role = async {
        let role = baseline.support_role.as_ref()?;
        Some(health::support_role(session, home, &role.name).await)
    };
    let security_hub = async {
        let hub = baseline.security_hub.as_ref()?;
        Some(health::security_hub(session, regions, home, account_id, hub.aggregate_findings).await)
    };
    let (data_events, access_logs, support_role, security_hub) =
        tokio::join!(data_events, access_logs, support_role, security_hub);
    [data_events, access_logs, support_role, security_hub]
        .into_iter()
        .flatten()
        .collect()
}
