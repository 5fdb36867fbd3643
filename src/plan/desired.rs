//! What the baseline means for one account: every resource it asks for, with its full desired
//! settings and the resources it needs first. Global things are placed once, by rule.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::baseline::catalog::RuleScope;
use crate::baseline::{Baseline, Config};
use crate::model::Encryption;
use crate::model::policy::canonical;
use crate::model::{
    BucketSpec, DeliveryChannelSpec, DetectorSpec, GLOBAL, Kind, Observed, RecorderSpec,
    RecordingSpec, ResourceId, RoleSpec, RuleSpec, Spec, partition,
};

#[derive(Clone, Debug, PartialEq)]
pub struct Desired {
    pub id: ResourceId,
    pub spec: Spec,
    pub depends_on: Vec<ResourceId>,
}

/// The log bucket's name: the baseline's, or one derived from the account and home region,
/// since bucket names are global and the derived one is unlikely to be taken.
pub fn log_bucket_name(baseline: &Baseline, account_id: &str) -> String {
    baseline
        .log_bucket
        .name
        .clone()
        .unwrap_or_else(|| format!("watchpost-logs-{account_id}-{}", baseline.scope.home_region))
}

struct Context<'a> {
    baseline: &'a Baseline,
    observed: &'a Observed,
    account: &'a str,
    home: &'a str,
    partition: &'static str,
    bucket: String,
}

impl Context<'_> {
    fn bucket_arn(&self) -> String {
        format!("arn:{}:s3:::{}", self.partition, self.bucket)
    }

    fn bucket_id(&self) -> ResourceId {
        ResourceId::new(Kind::LogBucket, self.home, &self.bucket)
    }

    /// The name of the region's singleton as it lives in the account, so that an existing
    /// recorder or channel is adopted rather than refused as a second one.
    fn adopted_name(&self, kind: Kind, region: &str, baseline_name: &str) -> String {
        self.observed
            .resources
            .get(&ResourceId::singleton(kind, region))
            .and_then(|live| live.live_id.clone())
            .unwrap_or_else(|| baseline_name.to_owned())
    }

    fn live(&self, id: &ResourceId) -> Option<&Spec> {
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
        bucket: log_bucket_name(baseline, &observed.account_id),
    };
    let mut desired = Vec::new();
    if let Some(guardduty) = &baseline.guardduty {
        for region in &observed.regions {
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
    if let Some(config) = &baseline.config {
        desired.push(log_bucket(&context));
        config_resources(&context, config, &mut desired);
    }
    desired.sort_by(|a, b| a.id.cmp(&b.id));
    desired
}

fn log_bucket(context: &Context<'_>) -> Desired {
    let settings = &context.baseline.log_bucket;
    let arn = context.bucket_arn();
    let account = context.account;
    let service_condition = json!({"StringEquals": {"aws:SourceAccount": account}});
    let mut statements = vec![json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn.clone(), format!("{arn}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    })];
    if let Some(config) = &context.baseline.config {
        statements.extend([
            json!({
                "Sid": "AWSConfigBucketPermissionsCheck",
                "Effect": "Allow",
                "Principal": {"Service": "config.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": arn.clone(),
                "Condition": service_condition.clone()
            }),
            json!({
                "Sid": "AWSConfigBucketExistenceCheck",
                "Effect": "Allow",
                "Principal": {"Service": "config.amazonaws.com"},
                "Action": "s3:ListBucket",
                "Resource": arn.clone(),
                "Condition": service_condition
            }),
            json!({
                "Sid": "AWSConfigBucketDelivery",
                "Effect": "Allow",
                "Principal": {"Service": "config.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": format!("{arn}/{}/AWSLogs/{account}/Config/*", config.s3_key_prefix),
                "Condition": {"StringEquals": {
                    "s3:x-amz-acl": "bucket-owner-full-control",
                    "aws:SourceAccount": account
                }}
            }),
        ]);
    }
    statements.extend(foreign_statements(context, &statements));
    Desired {
        id: context.bucket_id(),
        spec: Spec::Bucket(BucketSpec {
            block_public_access: true,
            encryption: Some(settings.encryption.clone()),
            versioning: Some("Enabled".to_owned()),
            object_ownership: Some("BucketOwnerEnforced".to_owned()),
            expire_after_days: Some(settings.expire_after_days),
            policy: Some(canonical(&json!({
                "Version": "2012-10-17",
                "Statement": statements
            }))),
        }),
        depends_on: Vec::new(),
    }
}

/// Statements of the live bucket policy that watchpost did not write (their Sid is not one of
/// ours): kept, so that converging the policy never takes away someone else's access.
fn foreign_statements(context: &Context<'_>, ours: &[Value]) -> Vec<Value> {
    let Some(Spec::Bucket(BucketSpec {
        policy: Some(live), ..
    })) = context.live(&context.bucket_id())
    else {
        return Vec::new();
    };
    let our_sids: Vec<&Value> = ours.iter().map(|statement| &statement["Sid"]).collect();
    let live_statements = match &live["Statement"] {
        Value::Array(statements) => statements.clone(),
        Value::Null => Vec::new(),
        single => vec![single.clone()],
    };
    live_statements
        .into_iter()
        .filter(|statement| !our_sids.contains(&&statement["Sid"]))
        .collect()
}

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
        delivery["Statement"]
            .as_array_mut()
            .expect("statements are a list")
            .push(json!({
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": kms_key_id
            }));
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

fn config_resources(context: &Context<'_>, config: &Config, desired: &mut Vec<Desired>) {
    let role_id = ResourceId::new(Kind::ConfigRole, GLOBAL, &config.role_name);
    desired.push(Desired {
        id: role_id.clone(),
        spec: Spec::Role(config_role(context, config)),
        depends_on: Vec::new(),
    });
    let role_arn = format!(
        "arn:{}:iam::{}:role/{}",
        context.partition, context.account, config.role_name
    );
    for region in &context.observed.regions {
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
                include_global_resource_types: region == context.home,
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
            if rule.scope == RuleScope::Account && region != context.home {
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
