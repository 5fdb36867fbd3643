//! What the baseline means for one account: every resource it asks for, with its full desired
//! settings and the resources it needs first. Global things are placed once, by rule.

mod account;
mod alerts;
mod bucket;
mod central;
mod config;
mod findings;
mod flow_logs;
mod hub_findings;
mod kms;
mod security_hub;
mod tamper;
mod trail;

pub(super) use central::route_notes;
pub(super) use config::{global_recording_notes, skipped_rule_notes};
pub(super) use security_hub::notes as security_hub_notes;

use crate::baseline::Baseline;
use crate::model::{DetectorSpec, Kind, Observed, ResourceId, Spec, partition};

#[derive(Clone, Debug, PartialEq)]
pub struct Desired {
    pub id: ResourceId,
    pub spec: Spec,
    pub depends_on: Vec<ResourceId>,
}

pub(super) struct Context<'a> {
    pub baseline: &'a Baseline,
    pub observed: &'a Observed,
    pub account: &'a str,
    pub home: &'a str,
    pub partition: &'static str,
    pub bucket: String,
}

impl Context<'_> {
    pub fn bucket_arn(&self) -> String {
        format!("arn:{}:s3:::{}", self.partition, self.bucket)
    }

    pub fn trail_arn(&self, name: &str) -> String {
        format!(
            "arn:{}:cloudtrail:{}:{}:trail/{name}",
            self.partition, self.home, self.account
        )
    }

    pub fn role_arn(&self, name: &str) -> String {
        format!("arn:{}:iam::{}:role/{name}", self.partition, self.account)
    }

    /// The regions the registry places `kind` in, for this account's scope.
    pub fn placed(&self, kind: Kind) -> Vec<String> {
        kind.regions(self.home, &self.observed.regions)
    }

    pub fn bucket_id(&self) -> ResourceId {
        ResourceId::new(Kind::LogBucket, self.home, &self.bucket)
    }

    /// The name of the region's singleton as it lives in the account, so that an existing
    /// recorder or channel is adopted rather than refused as a second one.
    pub fn adopted_name(&self, kind: Kind, region: &str, baseline_name: &str) -> String {
        self.observed
            .resources
            .get(&ResourceId::singleton(kind, region))
            .and_then(|live| live.live_id.clone())
            .unwrap_or_else(|| baseline_name.to_owned())
    }

    pub fn live(&self, id: &ResourceId) -> Option<&Spec> {
        self.observed.resources.get(id).map(|live| &live.spec)
    }
}

pub fn desired_resources(baseline: &Baseline, observed: &Observed) -> Vec<Desired> {
    let home = baseline.scope.home_region.as_str();
    let context = Context {
        baseline,
        observed,
        account: &observed.account_id,
        home,
        partition: partition(home),
        bucket: baseline.log_bucket_name(&observed.account_id),
    };
    let mut desired = Vec::new();
    // The security account of a central bus that the fleet does not cover is worked on for the
    // bus and the email alone.
    if central::holds_only_the_bus(baseline, &observed.account_id) {
        alerts::resources(&context, &mut desired);
        desired.sort_by(|a, b| a.id.cmp(&b.id));
        return desired;
    }
    if let Some(guardduty) = &baseline.guardduty {
        for region in &context.placed(Kind::GuarddutyDetector) {
            desired.push(Desired {
                id: ResourceId::singleton(Kind::GuarddutyDetector, region),
                spec: Spec::Detector(DetectorSpec {
                    status: "ENABLED".to_owned(),
                    finding_publishing_frequency: guardduty.finding_publishing_frequency.clone(),
                    features: guardduty
                        .features
                        .iter()
                        .map(|(name, on)| {
                            let status = if *on { "ENABLED" } else { "DISABLED" };
                            (name.clone(), status.to_owned())
                        })
                        .collect(),
                }),
                depends_on: Vec::new(),
            });
        }
    }
    // The bucket holds what Config and CloudTrail deliver; without either it is not needed.
    if baseline.config.is_some() || baseline.cloudtrail.is_some() {
        desired.push(bucket::log_bucket(&context));
        desired.extend(bucket::access_log_bucket(&context));
        desired.extend(bucket::log_bucket_logging(&context));
    }
    if let Some(config) = &baseline.config {
        config::resources(&context, config, &mut desired);
    }
    if let Some(cloudtrail) = &baseline.cloudtrail {
        trail::resources(&context, cloudtrail, &mut desired);
    }
    if let Some(flow_logs) = &baseline.vpc_flow_logs {
        flow_logs::resources(&context, flow_logs, &mut desired);
    }
    if let Some(hub) = &baseline.security_hub {
        security_hub::resources(&context, hub, &mut desired);
    }
    alerts::resources(&context, &mut desired);
    if let Some(key) = &baseline.kms {
        kms::resources(&context, key, &mut desired);
    }
    account::resources(&context, &mut desired);
    desired.sort_by(|a, b| a.id.cmp(&b.id));
    desired
}
