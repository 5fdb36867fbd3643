//! `watchpost status` end to end: the real binary against a moto server, after an apply.
//!
//! moto (5.1) lacks some of what `status` reads, and the tests say where: it has no Config
//! compliance API (DescribeComplianceByConfigRule, GetComplianceDetailsByConfigRule) and no
//! DescribeDeliveryChannelStatus, for which it answers HTTP 500, and no GuardDuty finding
//! statistics (GetFindingsStatistics), for which it answers 404. Those parts must show as "not
//! available", with the call, and the rest as read. moto also confirms every email subscription
//! at once, where AWS waits for the recipient: for the pending subscription, SNS is answered by
//! a stand-in giving AWS's answer for one (see [`sns_stand_in`]).

use std::io::{Read, Write};
use std::net::TcpListener;

use serde_json::Value;
use support::{Moto, Watchpost};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const BASELINE: &str = r#"
[scope]
regions = ["eu-west-1", "us-east-1"]
home_region = "us-east-1"

[guardduty]

[config]
[config.rules]
restricted-ssh = {}
iam-root-access-key-check = {}

[cloudtrail]
s3_data_events = { access = ["write"] }

[log_bucket.access_logs]

[support_role]

[alerts]
emails = ["oncall@example.org", "security@example.com"]

[alarms]
[alarms.filters]
root-account-use = {}

[vpc_flow_logs]

[security_hub]
"#;

/// AWS's answer to ListSubscriptionsByTopic for the alert topic, one address confirmed and
/// one still waiting for its recipient.
const SUBSCRIPTIONS: &str = r#"<ListSubscriptionsByTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <ListSubscriptionsByTopicResult>
    <Subscriptions>
      <member>
        <TopicArn>arn:aws:sns:us-east-1:123456789012:watchpost-security-alerts</TopicArn>
        <Protocol>email</Protocol>
        <SubscriptionArn>arn:aws:sns:us-east-1:123456789012:watchpost-security-alerts:5b1c6f0e-8a55-4f8e-9d0b-3f8f0c2f1a11</SubscriptionArn>
        <Owner>123456789012</Owner>
        <Endpoint>oncall@example.org</Endpoint>
      </member>
      <member>
        <TopicArn>arn:aws:sns:us-east-1:123456789012:watchpost-security-alerts</TopicArn>
        <Protocol>email</Protocol>
        <SubscriptionArn>PendingConfirmation</SubscriptionArn>
        <Owner>123456789012</Owner>
        <Endpoint>security@example.com</Endpoint>
      </member>
    </Subscriptions>
  </ListSubscriptionsByTopicResult>
  <ResponseMetadata>
    <RequestId>0f6b7a5e-5d0e-4a6b-9c53-7d2b8c1d2e3f</RequestId>
  </ResponseMetadata>
</ListSubscriptionsByTopicResponse>"#;

/// An SNS endpoint on 127.0.0.1 that answers every request with [`SUBSCRIPTIONS`]: `status`
/// makes no other SNS call. It serves until the test process ends.
fn sns_stand_in() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local_addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            // Read the head, then as much body as it announces.
            let mut request = Vec::new();
            let mut chunk = [0u8; 4096];
            let complete = loop {
                let Ok(read) = stream.read(&mut chunk) else {
                    break false;
                };
                if read == 0 {
                    break false;
                }
                request.extend_from_slice(&chunk[..read]);
                let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|line| line.strip_prefix("content-length:"))
                    .and_then(|value| value.trim().parse().ok())
                    .unwrap_or(0);
                if request.len() >= end + 4 + length {
                    break true;
                }
            };
            if complete {
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{SUBSCRIPTIONS}",
                    SUBSCRIPTIONS.len()
                );
            }
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn applied(moto: &Moto, path: &str) {
    moto.apply_approved(path).assert_success();
}

#[track_caller]
fn assert_has(output: &str, expected: &str) {
    assert!(
        output.contains(expected),
        "expected {expected:?} in:\n{output}"
    );
}

#[tokio::test]
async fn after_apply_status_shows_what_works_and_what_the_emulator_lacks() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let path = baseline.path_str();
    applied(&moto, path);

    let sns = sns_stand_in();
    let status_now = || {
        moto.watchpost_with_env(
            &["status", "--baseline", path],
            &[("AWS_ENDPOINT_URL_SNS", &sns)],
        )
    };
    let status = status_now();
    status.assert_success();
    let out = &status.stdout;
    for region in ["eu-west-1", "us-east-1"] {
        assert_has(out, &format!("  {region}  recorder watchpost: recording"));
    }
    assert_has(out, "trail watchpost (us-east-1): logging since");
    assert_has(
        out,
        "watchpost-security-alerts (us-east-1): oncall@example.org confirmed, security@example.com PENDING CONFIRMATION",
    );
    assert_has(
        out,
        "security@example.com has not confirmed the subscription to watchpost-security-alerts in us-east-1",
    );
    assert_has(out, "root-account-use  OK");
    for region in ["eu-west-1", "us-east-1"] {
        assert_has(out, &format!("  {region}  1 of 1 VPC(s) logged"));
    }
    for setting in [
        "the trail watchpost logs the S3 data events the baseline names",
        "the log bucket's access logs go to watchpost-access-logs-123456789012-us-east-1",
        "the support role watchpost-support holds AWSSupportAccess",
        "Security Hub is enabled in 2 region(s) with 4 standard subscription(s); the other regions' findings aggregate into us-east-1",
    ] {
        assert_has(out, &format!("  {setting}\n"));
    }
    // What moto lacks: each region's part says so, with the call, and the rest is shown.
    for call in [
        "config:DescribeComplianceByConfigRule",
        "config:DescribeDeliveryChannelStatus",
        "guardduty:GetFindingsStatistics",
    ] {
        assert_eq!(
            out.matches(&format!("not available ({call})")).count(),
            2,
            "{call} in each of the two regions:\n{out}"
        );
    }
    assert_has(
        out,
        "6 part(s) not available (above); everything else was read.",
    );
    assert!(status.stderr.is_empty(), "{}", status.stderr);

    // Someone takes AWS Support's policy off the role: status says so, with the fix.
    moto.iam()
        .await
        .detach_role_policy()
        .role_name("watchpost-support")
        .policy_arn("arn:aws:iam::aws:policy/AWSSupportAccess")
        .send()
        .await
        .unwrap();
    let status = status_now();
    assert_has(
        &status.stdout,
        "  - the support role watchpost-support lacks AWSSupportAccess (run watchpost apply)",
    );

    // Someone disables Security Hub in eu-west-1: its findings stop, and status says where.
    aws_sdk_securityhub::Client::new(&moto.sdk_config("eu-west-1").await)
        .disable_security_hub()
        .send()
        .await
        .unwrap();
    let status = status_now();
    assert_has(
        &status.stdout,
        "  - Security Hub is not enabled in eu-west-1 (run watchpost apply)",
    );
}

/// Times, AWS's wording and the call counts replaced, so that the snapshot holds the
/// document's shape.
fn placeholders(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                if field.is_string() && (key.ends_with("_time") || key == "reason") {
                    *field = Value::String(format!("[{key}]"));
                } else if key == "api_calls" {
                    for count in field
                        .as_object_mut()
                        .into_iter()
                        .flat_map(|m| m.values_mut())
                    {
                        *count = Value::String("[count]".to_owned());
                    }
                } else {
                    placeholders(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(placeholders),
        _ => {}
    }
}

#[tokio::test]
async fn status_json_is_one_versioned_document() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let path = baseline.path_str();
    applied(&moto, path);

    let status = moto.watchpost(&["status", "--baseline", path, "--json"]);
    status.assert_success();
    let mut document: Value = serde_json::from_str(&status.stdout).expect("one JSON document");
    let account = &document["accounts"][0];
    assert_eq!(document["format_version"], "1");
    assert_eq!(account["error"], Value::Null);
    for region in account["config"].as_array().unwrap() {
        assert_eq!(region["recorder"]["available"], true, "{region}");
        assert_eq!(region["recorder"]["recording"], true, "{region}");
        assert_eq!(region["rules"]["available"], false, "{region}");
        assert_eq!(
            region["rules"]["call"],
            "config:DescribeComplianceByConfigRule"
        );
    }
    assert_eq!(account["trail"]["is_logging"], true);
    // moto confirms subscriptions at once.
    assert_eq!(
        account["alert_topics"][0]["subscriptions"]["confirmed"],
        serde_json::json!(["oncall@example.org", "security@example.com"])
    );
    assert_eq!(account["not_available"].as_array().map(Vec::len), Some(6));
    placeholders(&mut document);
    insta::assert_json_snapshot!(document);
}

#[tokio::test]
async fn status_of_an_account_it_cannot_read_exits_1() {
    let (moto, baseline) = Moto::start_with_baseline(
        WATCHPOST,
        &BASELINE.replace(
            "home_region = \"us-east-1\"",
            "home_region = \"us-east-1\"\naccount_id = \"111111111111\"",
        ),
    );
    let status = moto.watchpost(&["status", "--baseline", baseline.path_str()]);
    status.assert_code(1);
    assert_has(
        &status.stderr,
        "error: these credentials are for account 123456789012, but the baseline is for account 111111111111",
    );
    assert!(status.stdout.is_empty(), "{}", status.stdout);
}
