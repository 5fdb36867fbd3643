use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::{Context, Desired};
use crate::baseline::catalog::{self, RuleScope};
use crate::baseline::{Baseline, Config, ConfigRule};
use crate::model::policy::canonical;
use crate::model::{
    DeliveryChannelSpec, Encryption, GLOBAL, Kind, Observed, RecorderSpec, RecordingSpec,
    ResourceId, RoleSpec, RuleSpec, Spec,
};

fn config_role(context: &Context<'_>, config: &Config) -> RoleSpec {
    let arn = context.bucket_arn();
    let trust = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": context.account}}
        }]
    });
    let mut delivery: Value = json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": format!("{arn}/{}/AWSLogs/{}/*", config.s3_key_prefix, context.account),
                "Condition": {"StringLike": {"s3:x-amz-acl": "bucket-owner-full-control"}}
            },
            {
                "Effect": "Allow",
                "Action": "s3:GetBucketAcl",
                "Resource": arn
            }
        ]
    });
    if let Encryption::Kms { kms_key_id } = &context.baseline.log_bucket.encryption {
        // By the key's ARN, never by its alias (kms:ResourceAliases): KMS says an alias
        // change takes up to five minutes to affect authorization, so a grant by the alias of
        // a key just made fails the first delivery. Until watchpost's key exists the plan names
        // it by its alias ARN, which `apply` resolves to the key's ARN when it writes the policy.
        let grant = json!({
            "Effect": "Allow",
            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
            "Resource": super::kms::key_arn(context, kms_key_id)
        });
        delivery["Statement"]
            .as_array_mut()
            .expect("statements are a list")
            .push(grant);
    }
    RoleSpec {
        trust_policy: canonical(&trust),
        managed_policy_arns: BTreeSet::from([format!(
            "arn:{}:iam::aws:policy/service-role/AWS_ConfigRole",
            context.partition
        )]),
        inline_policies: BTreeMap::from([(
            "watchpost-config-delivery".to_owned(),
            canonical(&delivery),
        )]),
    }
}

fn key_of(baseline: &Baseline) -> Option<&str> {
    match &baseline.log_bucket.encryption {
        Encryption::Kms { kms_key_id } => Some(kms_key_id),
        Encryption::S3Managed => None,
    }
}

pub fn resources(context: &Context<'_>, config: &Config, desired: &mut Vec<Desired>) {
    let role_id = ResourceId::new(Kind::IamRole, GLOBAL, &config.role_name);
    desired.push(Desired {
        id: role_id.clone(),
        spec: Spec::Role(config_role(context, config)),
        // The role's grant names the key by its ARN, known once watchpost's key is made.
        depends_on: super::kms::needs(context, key_of(context.baseline))
            .into_iter()
            .collect(),
    });
    let role_arn = context.role_arn(&config.role_name);
    let global_region = global_recording_region(context.home, &context.observed.regions);
    for region in &context.placed(Kind::ConfigRecorder) {
        let recorder_id = ResourceId::singleton(Kind::ConfigRecorder, region);
        let recorder_name =
            context.adopted_name(Kind::ConfigRecorder, region, &config.recorder_name);
        desired.push(Desired {
            id: recorder_id.clone(),
            spec: Spec::Recorder(RecorderSpec {
                name: recorder_name.clone(),
                role_arn: role_arn.clone(),
                all_supported: true,
                // Global resources (IAM) are the same from every region: record them once.
                include_global_resource_types: Some(region.as_str()) == global_region,
                recording_mode: match context.live(&recorder_id) {
                    Some(Spec::Recorder(live)) => live.recording_mode.clone(),
                    _ => None,
                },
            }),
            depends_on: vec![role_id.clone()],
        });
        let channel_id = ResourceId::singleton(Kind::ConfigDeliveryChannel, region);
        let (sns_topic_arn, s3_kms_key_arn) = match context.live(&channel_id) {
            Some(Spec::DeliveryChannel(live)) => {
                (live.sns_topic_arn.clone(), live.s3_kms_key_arn.clone())
            }
            _ => (None, None),
        };
        desired.push(Desired {
            id: channel_id.clone(),
            spec: Spec::DeliveryChannel(DeliveryChannelSpec {
                name: context.adopted_name(
                    Kind::ConfigDeliveryChannel,
                    region,
                    &config.delivery_channel_name,
                ),
                s3_bucket_name: context.bucket.clone(),
                s3_key_prefix: Some(config.s3_key_prefix.clone()),
                snapshot_delivery_frequency: Some(config.snapshot_delivery_frequency.clone()),
                sns_topic_arn,
                s3_kms_key_arn,
            }),
            depends_on: vec![recorder_id.clone(), context.bucket_id()],
        });
        desired.push(Desired {
            id: ResourceId::singleton(Kind::ConfigRecording, region),
            spec: Spec::Recording(RecordingSpec {
                recorder_name,
                recording: true,
            }),
            depends_on: vec![channel_id],
        });
        for (name, rule) in &config.rules {
            if !placed_in(rule, region, context.home) {
                continue;
            }
            desired.push(Desired {
                id: ResourceId::new(Kind::ConfigRule, region, name),
                spec: Spec::Rule(RuleSpec {
                    source_identifier: rule.source_identifier.clone(),
                    input_parameters: rule.input_parameters.clone(),
                }),
                depends_on: vec![recorder_id.clone()],
            });
        }
    }
}

/// The one region whose recorder records the global IAM resource types: the home region if
/// AWS Config can record them there, else us-east-1 if it is in scope, else the first region in
/// scope that can. None when no region in scope can.
pub fn global_recording_region<'a>(home: &'a str, regions: &'a [String]) -> Option<&'a str> {
    let can = |region: &str| !catalog::IAM_UNRECORDED.contains(&region);
    if can(home) {
        return Some(home);
    }
    let in_scope = || {
        regions
            .iter()
            .map(String::as_str)
            .filter(|region| can(region))
    };
    in_scope()
        .find(|region| *region == "us-east-1")
        .or_else(|| in_scope().next())
}

/// Says where the global IAM resource types are recorded when it is not the home region, or
/// that nothing records them.
pub fn global_recording_notes(baseline: &Baseline, observed: &Observed) -> Vec<String> {
    if baseline.config.is_none() {
        return Vec::new();
    }
    let home = baseline.scope.home_region.as_str();
    match global_recording_region(home, &observed.regions) {
        Some(region) if region == home => Vec::new(),
        Some(region) => vec![format!(
            "config records the global IAM resource types (users, groups, roles, policies) in {region}, not in the home region {home}: AWS Config cannot record them in regions it added after February 2022"
        )],
        None => vec![format!(
            "config records no global IAM resource types (users, groups, roles, policies): AWS Config cannot record them in {home} or any other region in scope, all added after February 2022; add a region such as us-east-1 to [scope] regions"
        )],
    }
}

/// Where a rule goes: a rule that judges the account as a whole in the home region only, any
/// other in every region, and either only where AWS offers it.
fn placed_in(rule: &ConfigRule, region: &str, home: &str) -> bool {
    belongs_in(rule, region, home) && rule.availability.offered_in(region)
}

fn belongs_in(rule: &ConfigRule, region: &str, home: &str) -> bool {
    rule.scope == RuleScope::Resources || region == home
}

/// One note per rule left out of a region in scope because AWS Config does not offer it there:
/// skipped in the plan rather than refused by AWS halfway through an apply.
pub fn skipped_rule_notes(baseline: &Baseline, observed: &Observed) -> Vec<String> {
    let Some(config) = &baseline.config else {
        return Vec::new();
    };
    let home = baseline.scope.home_region.as_str();
    let mut notes = Vec::new();
    for (name, rule) in &config.rules {
        let skipped: Vec<&str> = observed
            .regions
            .iter()
            .map(String::as_str)
            .filter(|region| {
                belongs_in(rule, region, home) && !rule.availability.offered_in(region)
            })
            .collect();
        if skipped.is_empty() {
            continue;
        }
        notes.push(match rule.scope {
            RuleScope::Account => format!(
                "config rule {name} is skipped: AWS Config does not offer it in the home region {home}, the one region where a rule that judges the whole account is placed, so nothing checks what it checks; the regions that lack it are listed in docs/baseline-reference.md"
            ),
            RuleScope::Resources => format!(
                "config rule {name} is skipped in {} region(s) where AWS Config does not offer it: {}",
                skipped.len(),
                skipped.join(", ")
            ),
        });
    }
    notes
}
