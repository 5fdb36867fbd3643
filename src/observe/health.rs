//! How the monitoring is doing, for `status`: each recorder's and delivery channel's last
//! attempts, how the Config rules judge the region, the trail's deliveries, GuardDuty's active
//! findings, the alert topic's email subscriptions and the alarms' states. A read that fails
//! makes its part "not available" (an [`Unread`] naming the call) and nothing else.

use std::collections::BTreeMap;

use aws_sdk_config::types::{ComplianceType, ConfigExportDeliveryInfo};
use aws_sdk_guardduty::types::{Condition, FindingCriteria, GroupByType};
use aws_smithy_types::DateTime;
use futures::future::join_all;

use super::sns::PENDING;
use super::unread;
use crate::aws::{AbsentIfNotFound, Context, Session};
use crate::model::{
    AlarmState, Check, ConfigRegion, Delivery, DeliveryStatus, Findings, FindingsRegion,
    FlowLogCoverage, FlowLogsRegion, NonCompliant, Part, RecorderStatus, RuleCompliance,
    S3DataEvents, Spec, Subscription, Time, TopicStatus, TrailStatus, Verdict, topic_arn,
};

/// Alarm names DescribeAlarms takes in one call.
const ALARM_NAMES_PER_CALL: usize = 100;

fn time(value: Option<&DateTime>) -> Option<Time> {
    value.map(|t| Time(t.secs()))
}

fn text(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_owned)
}

/// `code: message`, or whichever of them AWS gave.
fn error(code: Option<&str>, message: Option<&str>) -> Option<String> {
    match (text(code), text(message)) {
        (Some(code), Some(message)) => Some(format!("{code}: {message}")),
        (code, message) => code.or(message),
    }
}

/// The region's recorder, its delivery channel, and how each of `rules` (the baseline's, placed
/// in the region) judges it.
pub async fn config_region(session: &Session, region: &str, rules: Vec<String>) -> ConfigRegion {
    let client = session.config(region);
    let place = format!("AWS Config in {region}");
    let recorder = async {
        let answer = client
            .describe_configuration_recorder_status()
            .send()
            .await
            .call("config:DescribeConfigurationRecorderStatus", &place)
            .map_err(unread)?;
        // Service-linked recorders belong to other AWS services.
        Ok(answer
            .configuration_recorders_status()
            .iter()
            .find(|status| status.service_principal().is_none())
            .map(|status| RecorderStatus {
                name: status.name().unwrap_or_default().to_owned(),
                recording: status.recording(),
                last_status: status.last_status().map(|s| s.as_str().to_owned()),
                last_status_change: time(status.last_status_change_time()),
                last_start: time(status.last_start_time()),
                last_stop: time(status.last_stop_time()),
                last_error: error(status.last_error_code(), status.last_error_message()),
            }))
    };
    let delivery = async {
        let answer = client
            .describe_delivery_channel_status()
            .send()
            .await
            .call("config:DescribeDeliveryChannelStatus", &place)
            .map_err(unread)?;
        let export = |info: Option<&ConfigExportDeliveryInfo>| {
            info.map(|info| Delivery {
                last_status: info.last_status().map(|s| s.as_str().to_owned()),
                last_attempt: time(info.last_attempt_time()),
                last_success: time(info.last_successful_time()),
                last_error: error(info.last_error_code(), info.last_error_message()),
            })
        };
        Ok(answer
            .delivery_channels_status()
            .first()
            .map(|status| DeliveryStatus {
                name: status.name().unwrap_or_default().to_owned(),
                history: export(status.config_history_delivery_info()),
                snapshot: export(status.config_snapshot_delivery_info()),
            }))
    };
    let compliance = compliance(&client, &place, rules);
    let (recorder, delivery, rules) = tokio::join!(recorder, delivery, compliance);
    ConfigRegion {
        region: region.to_owned(),
        recorder,
        delivery,
        rules,
    }
}

/// How each of `rules` judges the region, and the resources of those that find fault. The
/// region's rules are listed whole: naming a rule that does not exist fails the whole call.
async fn compliance(
    client: &aws_sdk_config::Client,
    place: &str,
    rules: Vec<String>,
) -> Part<Vec<RuleCompliance>> {
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = BTreeMap::new();
    let mut pages = client
        .describe_compliance_by_config_rule()
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page
            .call("config:DescribeComplianceByConfigRule", place)
            .map_err(unread)?;
        for rule in page.compliance_by_config_rules() {
            if let Some(name) = rule.config_rule_name() {
                found.insert(name.to_owned(), rule.compliance().cloned());
            }
        }
    }
    let judged = rules.into_iter().map(|name| {
        let compliance = found.remove(&name);
        async move {
            let kind = compliance.as_ref().map(|c| {
                c.as_ref()
                    .and_then(|c| c.compliance_type())
                    .map_or("INSUFFICIENT_DATA", |t| t.as_str())
                    .to_owned()
            });
            let count = compliance
                .flatten()
                .and_then(|c| c.compliance_contributor_count().cloned())
                .map(|count| {
                    (
                        u32::try_from(count.capped_count()).unwrap_or(0),
                        count.cap_exceeded(),
                    )
                });
            let non_compliant = if kind.as_deref() == Some("NON_COMPLIANT") {
                Some(non_compliant(client, place, &name).await)
            } else {
                None
            };
            RuleCompliance {
                name,
                compliance: kind,
                non_compliant_count: count,
                non_compliant,
            }
        }
    });
    Ok(join_all(judged).await)
}

/// The first page (up to 100) of the resources `rule` finds non-compliant.
async fn non_compliant(
    client: &aws_sdk_config::Client,
    place: &str,
    rule: &str,
) -> Part<Vec<NonCompliant>> {
    let answer = client
        .get_compliance_details_by_config_rule()
        .config_rule_name(rule)
        .compliance_types(ComplianceType::NonCompliant)
        .limit(100)
        .send()
        .await
        .call(
            "config:GetComplianceDetailsByConfigRule",
            format!("the rule {rule} of {place}"),
        )
        .map_err(unread)?;
    Ok(answer
        .evaluation_results()
        .iter()
        .filter_map(|result| {
            let qualifier = result
                .evaluation_result_identifier()?
                .evaluation_result_qualifier()?;
            Some(NonCompliant {
                resource_type: qualifier.resource_type().unwrap_or_default().to_owned(),
                resource_id: qualifier.resource_id().unwrap_or_default().to_owned(),
                annotation: text(result.annotation()),
            })
        })
        .collect())
}

/// The status of the trail `name`; `None` when there is no such trail.
pub async fn trail(session: &Session, region: &str, name: &str) -> Part<Option<TrailStatus>> {
    let Some(answer) = session
        .cloudtrail(region)
        .get_trail_status()
        .name(name)
        .send()
        .await
        .call("cloudtrail:GetTrailStatus", format!("the trail {name}"))
        .absent_if_not_found()
        .map_err(unread)?
    else {
        return Ok(None);
    };
    Ok(Some(TrailStatus {
        name: name.to_owned(),
        region: region.to_owned(),
        is_logging: answer.is_logging().unwrap_or(false),
        start_logging: time(answer.start_logging_time()),
        stop_logging: time(answer.stop_logging_time()),
        latest_delivery: time(answer.latest_delivery_time()),
        latest_delivery_error: text(answer.latest_delivery_error()),
        latest_logs_delivery: time(answer.latest_cloud_watch_logs_delivery_time()),
        latest_logs_delivery_error: text(answer.latest_cloud_watch_logs_delivery_error()),
    }))
}

/// The region's VPCs, which of them lack a flow log of watchpost's, and which of watchpost's
/// cannot deliver (EC2's `DeliverLogsStatus`, `FAILED` with its reason: a bucket policy that
/// refuses the log delivery service, say).
pub async fn flow_logs_region(session: &Session, region: &str) -> FlowLogsRegion {
    let (vpcs, flow_logs) = tokio::join!(
        super::flow_logs::vpcs(session, region),
        super::flow_logs::watchposts(session, region)
    );
    let coverage = vpcs.and_then(|vpcs| Ok((vpcs, flow_logs?))).map_err(unread);
    FlowLogsRegion {
        region: region.to_owned(),
        coverage: coverage.map(|(vpcs, flow_logs)| {
            let logged: Vec<&str> = flow_logs
                .iter()
                .filter_map(super::flow_logs::vpc_of)
                .collect();
            FlowLogCoverage {
                vpcs: vpcs.len(),
                unlogged: vpcs
                    .iter()
                    .filter(|vpc| !logged.contains(&vpc.as_str()))
                    .cloned()
                    .collect(),
                failing: flow_logs
                    .iter()
                    .filter(|flow_log| flow_log.deliver_logs_status() == Some("FAILED"))
                    .filter_map(|flow_log| {
                        let vpc = super::flow_logs::vpc_of(flow_log)?;
                        let reason = flow_log
                            .deliver_logs_error_message()
                            .unwrap_or("no reason given");
                        Some((vpc.to_owned(), reason.to_owned()))
                    })
                    .collect(),
            }
        }),
    }
}

/// The region's active findings by severity level, from GuardDuty's own statistics.
pub async fn findings_region(session: &Session, region: &str) -> FindingsRegion {
    let read = async {
        let client = session.guardduty(region);
        let place = format!("GuardDuty in {region}");
        let detectors = client
            .list_detectors()
            .send()
            .await
            .call("guardduty:ListDetectors", &place)
            .map_err(unread)?;
        let Some(detector_id) = detectors.detector_ids().first() else {
            return Ok(None);
        };
        let active = FindingCriteria::builder()
            .criterion(
                "service.archived",
                Condition::builder().equals("false").build(),
            )
            .build();
        let mut findings = Findings {
            detector_id: detector_id.clone(),
            ..Findings::default()
        };
        // One group per distinct severity value; GuardDuty's values are few, and the call
        // takes no page token.
        let answer = client
            .get_findings_statistics()
            .detector_id(detector_id)
            .finding_criteria(active)
            .group_by(GroupByType::Severity)
            .max_results(100)
            .send()
            .await
            .call("guardduty:GetFindingsStatistics", &place)
            .map_err(unread)?;
        for level in answer
            .finding_statistics()
            .map(|statistics| statistics.grouped_by_severity())
            .unwrap_or_default()
        {
            let total = u64::try_from(level.total_findings().unwrap_or(0)).unwrap_or(0);
            findings.add(level.severity().unwrap_or(0.0), total);
        }
        Ok(Some(findings))
    };
    FindingsRegion {
        region: region.to_owned(),
        findings: read.await,
    }
}

/// The email subscriptions of the topic `name`, and whether each is confirmed.
pub async fn topic(session: &Session, region: &str, account: &str, name: &str) -> TopicStatus {
    let read = async {
        let mut subscriptions = Vec::new();
        let mut pages = session
            .sns(region)
            .list_subscriptions_by_topic()
            .topic_arn(topic_arn(region, account, name))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let Some(page) = page
                .call(
                    "sns:ListSubscriptionsByTopic",
                    format!("the topic {name} in {region}"),
                )
                .absent_if_not_found()
                .map_err(unread)?
            else {
                return Ok(None);
            };
            for subscription in page.subscriptions() {
                if let (Some("email"), Some(email)) =
                    (subscription.protocol(), subscription.endpoint())
                {
                    subscriptions.push(Subscription {
                        email: email.to_owned(),
                        pending: subscription.subscription_arn() == Some(PENDING),
                    });
                }
            }
        }
        subscriptions.sort_by(|a, b| a.email.cmp(&b.email));
        Ok(Some(subscriptions))
    };
    TopicStatus {
        region: region.to_owned(),
        name: name.to_owned(),
        subscriptions: read.await,
    }
}

/// The state of each of `names` in the home region; an alarm not found has no state.
pub async fn alarms(session: &Session, home: &str, names: &[String]) -> Part<Vec<AlarmState>> {
    let client = session.cloudwatch(home);
    let mut found = BTreeMap::new();
    for chunk in names.chunks(ALARM_NAMES_PER_CALL) {
        let mut pages = client
            .describe_alarms()
            .set_alarm_names(Some(chunk.to_vec()))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page
                .call("cloudwatch:DescribeAlarms", format!("the alarms in {home}"))
                .map_err(unread)?;
            for alarm in page.metric_alarms() {
                if let Some(name) = alarm.alarm_name() {
                    found.insert(
                        name.to_owned(),
                        (
                            alarm.state_value().map(|s| s.as_str().to_owned()),
                            text(alarm.state_reason()),
                            time(alarm.state_updated_timestamp()),
                        ),
                    );
                }
            }
        }
    }
    Ok(names
        .iter()
        .map(|name| {
            let (state, reason, since) = found.remove(name).unwrap_or_default();
            AlarmState {
                name: name.clone(),
                state,
                reason,
                since,
            }
        })
        .collect())
}

/// Whether the trail logs the S3 data events the baseline names, through watchpost's selector.
pub async fn s3_data_events(
    session: &Session,
    home: &str,
    trail: &str,
    wanted: &S3DataEvents,
) -> Check {
    let result = session
        .cloudtrail(home)
        .get_event_selectors()
        .trail_name(trail)
        .send()
        .await
        .call("cloudtrail:GetEventSelectors", format!("the trail {trail}"))
        .map_err(unread)
        .map(|answer| {
            let logged =
                crate::event_selectors::watchpost_s3_data_events(answer.advanced_event_selectors());
            if logged.as_ref() == Some(wanted) {
                Verdict {
                    holds: true,
                    text: format!("the trail {trail} logs the S3 data events the baseline names"),
                }
            } else {
                Verdict {
                    holds: false,
                    text: format!(
                        "the trail {trail} does not log the S3 data events the baseline names (run watchpost apply)"
                    ),
                }
            }
        });
    Check {
        part: "s3_data_events",
        result,
    }
}

/// Whether the log bucket's server access logs go to the bucket the baseline gives them.
pub async fn access_logs(session: &Session, home: &str, bucket: &str, target: &str) -> Check {
    let result = session
        .s3(home)
        .get_bucket_logging()
        .bucket(bucket)
        .send()
        .await
        .call("s3:GetBucketLogging", format!("the bucket {bucket}"))
        .map_err(unread)
        .map(|answer| match answer.logging_enabled() {
            Some(logging) if logging.target_bucket() == target => Verdict {
                holds: true,
                text: format!("the log bucket's access logs go to {target}"),
            },
            Some(logging) => Verdict {
                holds: false,
                text: format!(
                    "the log bucket's access logs go to {}, not to {target} (run watchpost apply)",
                    logging.target_bucket()
                ),
            },
            None => Verdict {
                holds: false,
                text: "the log bucket's access logs are off (run watchpost apply)".to_owned(),
            },
        });
    Check {
        part: "access_logs",
        result,
    }
}

/// Whether the support role is there with AWS's `AWSSupportAccess` policy attached.
pub async fn support_role(session: &Session, home: &str, name: &str) -> Check {
    let result = session
        .iam(home)
        .list_attached_role_policies()
        .role_name(name)
        .send()
        .await
        .call("iam:ListAttachedRolePolicies", format!("the role {name}"))
        .absent_if_not_found()
        .map_err(unread)
        .map(|answer| {
            let attached = answer.as_ref().is_some_and(|answer| {
                answer
                    .attached_policies()
                    .iter()
                    .any(|policy| policy.policy_name() == Some("AWSSupportAccess"))
            });
            match (answer.is_some(), attached) {
                (true, true) => Verdict {
                    holds: true,
                    text: format!("the support role {name} holds AWSSupportAccess"),
                },
                (true, false) => Verdict {
                    holds: false,
                    text: format!(
                        "the support role {name} lacks AWSSupportAccess (run watchpost apply)"
                    ),
                },
                (false, _) => Verdict {
                    holds: false,
                    text: format!("the support role {name} does not exist (run watchpost apply)"),
                },
            }
        });
    Check {
        part: "support_role",
        result,
    }
}

/// Whether Security Hub is enabled in every region in scope with none of its standards failed
/// or incomplete, and, when the baseline aggregates findings, whether the home region's
/// aggregator links the other regions. Read as `plan` reads them.
pub async fn security_hub(
    session: &Session,
    regions: &[String],
    home: &str,
    account_id: &str,
    aggregate: bool,
) -> Check {
    let hubs = join_all(
        regions
            .iter()
            .map(|region| super::security_hub::hub(session, region, account_id)),
    );
    let aggregator = async {
        match aggregate && regions.iter().any(|region| region != home) {
            true => Some(super::security_hub::finding_aggregator(session, home).await),
            false => None,
        }
    };
    let (hubs, aggregator) = tokio::join!(hubs, aggregator);
    let result = (|| {
        let mut problems = Vec::new();
        let mut standards = 0;
        for (region, hub) in regions.iter().zip(hubs) {
            let hub = hub.map_err(|(_, error)| unread(error))?;
            match hub.first().map(|(_, live)| &live.spec) {
                Some(Spec::SecurityHub(hub)) => {
                    standards += hub.standards.len();
                    for (standard, status) in &hub.not_ready {
                        problems.push(format!("in {region} the standard {standard} is {status}"));
                    }
                }
                _ => problems.push(format!("Security Hub is not enabled in {region}")),
            }
        }
        let mut aggregation = String::new();
        if let Some(aggregator) = aggregator {
            let aggregator = aggregator.map_err(|(_, error)| unread(error))?;
            let links = |region: &str| match aggregator.first().map(|(_, live)| &live.spec) {
                Some(Spec::FindingAggregator(aggregator)) => {
                    aggregator.aggregation_region == home && aggregator.links(region)
                }
                _ => false,
            };
            let missing: Vec<&str> = regions
                .iter()
                .map(String::as_str)
                .filter(|region| *region != home && !links(region))
                .collect();
            match missing.is_empty() {
                true => {
                    aggregation = format!("; the other regions' findings aggregate into {home}")
                }
                false => problems.push(format!(
                    "the findings of {} do not aggregate into {home}",
                    missing.join(", ")
                )),
            }
        }
        Ok(match problems.is_empty() {
            true => Verdict {
                holds: true,
                text: format!(
                    "Security Hub is enabled in {} region(s) with {standards} standard subscription(s){aggregation}",
                    regions.len()
                ),
            },
            false => Verdict {
                holds: false,
                text: format!("{} (run watchpost apply)", problems.join("; ")),
            },
        })
    })();
    Check {
        part: "security_hub",
        result,
    }
}
