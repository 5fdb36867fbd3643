use std::collections::{BTreeMap, BTreeSet};

use super::{Read, unknown};
use aws_sdk_config::operation::describe_configuration_recorders::DescribeConfigurationRecordersOutput;
use aws_sdk_config::types::ConfigurationRecorder;

use crate::aws::{AwsError, Context, Session};
use crate::baseline::catalog;
use crate::model::{
    DeliveryChannelSpec, Kind, Live, RecorderSpec, RecordingMode, RecordingModeOverride,
    RecordingSpec, ResourceId, RuleSpec, Spec, is_managed_tag,
};

const REGION_KINDS: &[Kind] = &[
    Kind::ConfigRecorder,
    Kind::ConfigDeliveryChannel,
    Kind::ConfigRecording,
    Kind::ConfigRule,
];

/// How much of a region to read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// A region in scope: everything at once, as a converged region has all of it.
    Everything,
    /// A region out of scope, where watchpost removes what it made: the recorder and the
    /// rules first, and the recorder's status and channel only if there is a recorder (AWS
    /// makes neither without one), which spares two calls in each region that never had it.
    Leftovers,
}

/// The region's recorder, its status, its delivery channel and its AWS managed rules.
/// `ownership`: read the tags of the baseline's own rules too, which only `destroy` needs.
pub async fn region(
    session: &Session,
    region: &str,
    wanted: &BTreeSet<String>,
    ownership: bool,
    reach: Reach,
) -> Read {
    let failed = |error| (unknown(REGION_KINDS, region), error);
    let client = session.config(region);
    let place = format!("AWS Config in {region}");
    let recorders = async {
        client
            .describe_configuration_recorders()
            .send()
            .await
            .call("config:DescribeConfigurationRecorders", &place)
    };
    let recorder_details = || async {
        let (statuses, channels) = tokio::join!(
            client.describe_configuration_recorder_status().send(),
            client.describe_delivery_channels().send(),
        );
        Ok((
            statuses.call("config:DescribeConfigurationRecorderStatus", &place)?,
            channels.call("config:DescribeDeliveryChannels", &place)?,
        ))
    };
    let rules = rules(&client, region, &place, wanted, ownership);
    let (recorders, details, rules) = match reach {
        Reach::Everything => {
            let (recorders, details, rules) = tokio::join!(recorders, recorder_details(), rules);
            (recorders, Some(details), rules)
        }
        Reach::Leftovers => {
            let (recorders, rules) = tokio::join!(recorders, rules);
            let recorded = recorders
                .as_ref()
                .is_ok_and(|answer| customer_recorder(answer).is_some());
            let details = if recorded {
                Some(recorder_details().await)
            } else {
                None
            };
            (recorders, details, rules)
        }
    };
    let recorders = recorders.map_err(failed)?;
    let mut found = rules.map_err(failed)?;
    let Some(details) = details else {
        return Ok(found);
    };
    let (statuses, channels) = details.map_err(failed)?;

    if let Some(recorder) = customer_recorder(&recorders) {
        let name = recorder.name().unwrap_or_default().to_owned();
        let group = recorder.recording_group();
        found.push((
            ResourceId::singleton(Kind::ConfigRecorder, region),
            Live {
                spec: Spec::Recorder(RecorderSpec {
                    name: name.clone(),
                    role_arn: recorder.role_arn().unwrap_or_default().to_owned(),
                    all_supported: group.is_some_and(|g| g.all_supported()),
                    include_global_resource_types: group
                        .is_some_and(|g| g.include_global_resource_types()),
                    recording_mode: recorder.recording_mode().map(recording_mode),
                }),
                live_id: Some(name.clone()),
                owned: false,
            },
        ));
        let recording = statuses
            .configuration_recorders_status()
            .iter()
            .find(|status| status.name() == Some(name.as_str()))
            .is_some_and(|status| status.recording());
        found.push((
            ResourceId::singleton(Kind::ConfigRecording, region),
            Live {
                spec: Spec::Recording(RecordingSpec {
                    recorder_name: name.clone(),
                    recording,
                }),
                live_id: Some(name),
                owned: false,
            },
        ));
    }
    if let Some(channel) = channels.delivery_channels().first() {
        let name = channel.name().unwrap_or_default().to_owned();
        found.push((
            ResourceId::singleton(Kind::ConfigDeliveryChannel, region),
            Live {
                spec: Spec::DeliveryChannel(DeliveryChannelSpec {
                    name: name.clone(),
                    s3_bucket_name: channel.s3_bucket_name().unwrap_or_default().to_owned(),
                    s3_key_prefix: channel.s3_key_prefix().map(str::to_owned),
                    snapshot_delivery_frequency: channel
                        .config_snapshot_delivery_properties()
                        .and_then(|properties| properties.delivery_frequency())
                        .map(|frequency| frequency.as_str().to_owned()),
                    sns_topic_arn: channel.sns_topic_arn().map(str::to_owned),
                    s3_kms_key_arn: channel.s3_kms_key_arn().map(str::to_owned),
                }),
                live_id: Some(name),
                owned: false,
            },
        ));
    }
    Ok(found)
}

/// Service-linked recorders belong to other AWS services; the customer's own is the one
/// without a service principal.
fn customer_recorder(
    answer: &DescribeConfigurationRecordersOutput,
) -> Option<&ConfigurationRecorder> {
    answer
        .configuration_recorders()
        .iter()
        .find(|recorder| recorder.service_principal().is_none())
}

/// The region's AWS managed rules that the baseline names or that watchpost may have made.
async fn rules(
    client: &aws_sdk_config::Client,
    region: &str,
    place: &str,
    wanted: &BTreeSet<String>,
    ownership: bool,
) -> Result<Vec<(ResourceId, Live)>, AwsError> {
    let mut found = Vec::new();
    let mut pages = client.describe_config_rules().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.call("config:DescribeConfigRules", place)?;
        for rule in page.config_rules() {
            let (Some(name), Some(source)) = (rule.config_rule_name(), rule.source()) else {
                continue;
            };
            // A rule the baseline no longer names is watchpost's to remove only if watchpost
            // made it: one under a catalog name, with the managed-by tag. Any other rule is
            // someone else's and not even looked at.
            let owned = if wanted.contains(name) && !ownership {
                false
            } else if catalog::managed_rule(name).is_some() {
                let id = ResourceId::new(Kind::ConfigRule, region, name);
                let tags = client
                    .list_tags_for_resource()
                    .resource_arn(rule.config_rule_arn().unwrap_or_default())
                    .send()
                    .await
                    .call("config:ListTagsForResource", &id)?;
                tags.tags()
                    .iter()
                    .any(|tag| is_managed_tag(tag.key(), tag.value()))
            } else {
                continue;
            };
            found.push((
                ResourceId::new(Kind::ConfigRule, region, name),
                Live {
                    spec: Spec::Rule(RuleSpec {
                        source_identifier: source
                            .source_identifier()
                            .unwrap_or_default()
                            .to_owned(),
                        input_parameters: parameters(rule.input_parameters()),
                    }),
                    live_id: None,
                    owned,
                },
            ));
        }
    }
    Ok(found)
}

/// AWS returns a rule's parameters as a JSON object text; values are strings, but a rule made
/// elsewhere may hold numbers or booleans, which compare by their text.
fn parameters(text: Option<&str>) -> BTreeMap<String, String> {
    let Some(Ok(serde_json::Value::Object(map))) = text.map(serde_json::from_str) else {
        return BTreeMap::new();
    };
    map.into_iter()
        .map(|(key, value)| {
            let text = match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            };
            (key, text)
        })
        .collect()
}

fn recording_mode(mode: &aws_sdk_config::types::RecordingMode) -> RecordingMode {
    RecordingMode {
        recording_frequency: mode.recording_frequency().as_str().to_owned(),
        overrides: mode
            .recording_mode_overrides()
            .iter()
            .map(|over| RecordingModeOverride {
                description: over.description().map(str::to_owned),
                resource_types: over
                    .resource_types()
                    .iter()
                    .map(|kind| kind.as_str().to_owned())
                    .collect(),
                recording_frequency: over.recording_frequency().as_str().to_owned(),
            })
            .collect(),
    }
}
