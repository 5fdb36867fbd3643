//! The status on data: what needs attention, and the text and JSON a reader gets.

use super::*;

const NOW: Time = Time(1_796_040_000);

fn unread(call: &str) -> Unread {
    Unread {
        call: call.to_owned(),
        reason:
            "HTTP 500 with an answer that is not an error of the service: Internal Server Error"
                .to_owned(),
    }
}

/// A status with something in every state: read, missing, failing and not available.
fn status() -> AccountStatus {
    AccountStatus {
        account_id: "111122223333".to_owned(),
        home_region: "us-east-1".to_owned(),
        regions: vec!["eu-west-1".to_owned(), "us-east-1".to_owned()],
        config: vec![
            ConfigRegion {
                region: "eu-west-1".to_owned(),
                recorder: Ok(Some(RecorderStatus {
                    name: "watchpost".to_owned(),
                    recording: false,
                    last_status: Some("Failure".to_owned()),
                    last_status_change: Some(Time(NOW.0 - 7200)),
                    last_start: Some(Time(NOW.0 - 86_400 * 3)),
                    last_stop: Some(Time(NOW.0 - 7200)),
                    last_error: Some("AccessDenied: cannot assume the role".to_owned()),
                })),
                delivery: Err(unread("config:DescribeDeliveryChannelStatus")),
                rules: Err(unread("config:DescribeComplianceByConfigRule")),
            },
            ConfigRegion {
                region: "us-east-1".to_owned(),
                recorder: Ok(Some(RecorderStatus {
                    name: "watchpost".to_owned(),
                    recording: true,
                    last_status: Some("Success".to_owned()),
                    last_status_change: Some(Time(NOW.0 - 300)),
                    last_start: Some(Time(NOW.0 - 86_400 * 3)),
                    last_stop: None,
                    last_error: None,
                })),
                delivery: Ok(Some(DeliveryStatus {
                    name: "watchpost".to_owned(),
                    history: Some(Delivery {
                        last_status: Some("Success".to_owned()),
                        last_attempt: Some(Time(NOW.0 - 600)),
                        last_success: Some(Time(NOW.0 - 600)),
                        last_error: None,
                    }),
                    snapshot: Some(Delivery {
                        last_status: Some("Failure".to_owned()),
                        last_attempt: Some(Time(NOW.0 - 3600)),
                        last_success: Some(Time(NOW.0 - 90_000)),
                        last_error: Some(
                            "NoSuchBucket: The specified bucket does not exist".to_owned(),
                        ),
                    }),
                })),
                rules: Ok(vec![
                    RuleCompliance {
                        name: "iam-root-access-key-check".to_owned(),
                        compliance: Some("COMPLIANT".to_owned()),
                        non_compliant_count: None,
                        non_compliant: None,
                    },
                    RuleCompliance {
                        name: "restricted-ssh".to_owned(),
                        compliance: Some("NON_COMPLIANT".to_owned()),
                        non_compliant_count: Some((2, false)),
                        non_compliant: Some(Ok(vec![
                            NonCompliant {
                                resource_type: "AWS::EC2::SecurityGroup".to_owned(),
                                resource_id: "sg-0123".to_owned(),
                                annotation: Some("port 22 is open to 0.0.0.0/0".to_owned()),
                            },
                            NonCompliant {
                                resource_type: "AWS::EC2::SecurityGroup".to_owned(),
                                resource_id: "sg-4567".to_owned(),
                                annotation: None,
                            },
                        ])),
                    },
                    RuleCompliance {
                        name: "s3-bucket-public-read-prohibited".to_owned(),
                        compliance: None,
                        non_compliant_count: None,
                        non_compliant: None,
                    },
                ]),
            },
        ],
        trail: Some(Ok(Some(TrailStatus {
            name: "watchpost".to_owned(),
            region: "us-east-1".to_owned(),
            is_logging: true,
            start_logging: Some(Time(NOW.0 - 86_400 * 3)),
            stop_logging: None,
            latest_delivery: Some(Time(NOW.0 - 120)),
            latest_delivery_error: None,
            latest_logs_delivery: Some(Time(NOW.0 - 30)),
            latest_logs_delivery_error: None,
        }))),
        guardduty: vec![
            FindingsRegion {
                region: "eu-west-1".to_owned(),
                findings: Err(unread("guardduty:GetFindingsStatistics")),
            },
            FindingsRegion {
                region: "us-east-1".to_owned(),
                findings: Ok(Some(Findings {
                    detector_id: "d3t3ct0r".to_owned(),
                    critical: 0,
                    high: 1,
                    medium: 4,
                    low: 9,
                })),
            },
        ],
        checks: vec![
            Check {
                part: "access_logs",
                result: Ok(Verdict {
                    holds: true,
                    text: "the log bucket's access logs go to watchpost-access-logs".to_owned(),
                }),
            },
            Check {
                part: "support_role",
                result: Ok(Verdict {
                    holds: false,
                    text: "the support role watchpost-support does not exist (run watchpost apply)"
                        .to_owned(),
                }),
            },
        ],
        flow_logs: vec![
            FlowLogsRegion {
                region: "eu-west-1".to_owned(),
                coverage: Ok(FlowLogCoverage {
                    vpcs: 2,
                    unlogged: vec!["vpc-0new".to_owned()],
                    failing: Vec::new(),
                }),
            },
            FlowLogsRegion {
                region: "us-east-1".to_owned(),
                coverage: Ok(FlowLogCoverage {
                    vpcs: 1,
                    unlogged: Vec::new(),
                    failing: vec![("vpc-0main".to_owned(), "Access error".to_owned())],
                }),
            },
        ],
        topics: vec![TopicStatus {
            region: "us-east-1".to_owned(),
            name: "watchpost-security-alerts".to_owned(),
            subscriptions: Ok(Some(vec![
                Subscription {
                    email: "oncall@example.org".to_owned(),
                    pending: false,
                },
                Subscription {
                    email: "security@example.com".to_owned(),
                    pending: true,
                },
            ])),
        }],
        alarms: Some(Ok(vec![
            AlarmState {
                name: "console-signin-failures".to_owned(),
                state: Some("OK".to_owned()),
                reason: None,
                since: Some(Time(NOW.0 - 86_400)),
            },
            AlarmState {
                name: "root-account-use".to_owned(),
                state: Some("ALARM".to_owned()),
                reason: Some("Threshold Crossed".to_owned()),
                since: Some(Time(NOW.0 - 900)),
            },
        ])),
    }
}

#[test]
fn findings_fall_into_guardduty_severity_levels() {
    let mut findings = Findings::default();
    for (severity, total) in [
        (2.0, 1),
        (3.9, 1),
        (4.0, 2),
        (6.9, 1),
        (7.0, 3),
        (8.9, 1),
        (9.0, 5),
    ] {
        findings.add(severity, total);
    }
    assert_eq!(
        (
            findings.low,
            findings.medium,
            findings.high,
            findings.critical
        ),
        (2, 3, 4, 5)
    );
}

#[test]
fn what_needs_attention_is_named() {
    assert_eq!(
        attention(&status()),
        [
            "the recorder watchpost in eu-west-1 is not recording",
            "the last configuration snapshot delivery in us-east-1 failed: NoSuchBucket: The specified bucket does not exist",
            "the Config rule restricted-ssh in us-east-1 finds 2 non-compliant resource(s)",
            "the Config rule s3-bucket-public-read-prohibited is missing in us-east-1",
            "the support role watchpost-support does not exist (run watchpost apply)",
            "1 VPC(s) in eu-west-1 have no flow log of watchpost's (run watchpost apply): vpc-0new",
            "the flow log of vpc-0main in us-east-1 cannot deliver: Access error",
            "GuardDuty in us-east-1 has 0 critical and 1 high finding(s)",
            "security@example.com has not confirmed the subscription to watchpost-security-alerts in us-east-1: no alert reaches them until they follow the link in AWS's email",
            "the alarm root-account-use is in ALARM",
        ]
    );
}

#[test]
fn parts_not_available_are_listed_with_their_call() {
    let status = status();
    let missing: Vec<(String, &str)> = status
        .not_available()
        .into_iter()
        .map(|(part, unread)| (part, unread.call.as_str()))
        .collect();
    assert_eq!(
        missing,
        [
            (
                "config_delivery/eu-west-1".to_owned(),
                "config:DescribeDeliveryChannelStatus"
            ),
            (
                "config_rules/eu-west-1".to_owned(),
                "config:DescribeComplianceByConfigRule"
            ),
            (
                "guardduty_findings/eu-west-1".to_owned(),
                "guardduty:GetFindingsStatistics"
            ),
        ]
    );
}

#[test]
fn the_status_renders_for_a_person() {
    insta::assert_snapshot!(render_text(&status(), NOW));
}

#[test]
fn the_status_document_has_one_shape_for_read_and_unread_parts() {
    let status = status();
    let calls = crate::model::ApiCallCounts::from([("config", 6), ("sts", 1)]);
    let document = render_json(
        &[
            StatusReport {
                account_id: "111122223333",
                status: Ok(&status),
                api_calls: &calls,
            },
            StatusReport {
                account_id: "444455556666",
                status: Err("cannot assume the role".to_owned()),
                api_calls: &crate::model::ApiCallCounts::new(),
            },
        ],
        &crate::model::ApiCallCounts::from([("sts", 2)]),
    );
    insta::assert_json_snapshot!(document);
}
