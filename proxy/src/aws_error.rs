//! Errors framed as each AWS protocol frames them, so the SDK reads their codes as it would
//! read AWS's own.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderMap};
use hyper::{Response, StatusCode};

/// How a service frames its errors, which the SDK must be able to read to classify them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// S3.
    RestXml,
    /// EC2's own Query dialect.
    Ec2Query,
    /// Form-encoded requests: IAM, STS, SNS, CloudWatch.
    AwsQuery,
    /// `X-Amz-Target` requests: Config, CloudTrail, Logs, EventBridge, DynamoDB.
    AwsJson,
    /// Everything else: GuardDuty.
    RestJson,
}

impl Protocol {
    pub(crate) fn of(service: Option<&str>, headers: &HeaderMap) -> Protocol {
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("");
        match service {
            Some("s3") => Protocol::RestXml,
            Some("ec2") => Protocol::Ec2Query,
            _ if headers.contains_key("x-amz-target") => Protocol::AwsJson,
            _ if content_type.starts_with("application/x-www-form-urlencoded") => {
                Protocol::AwsQuery
            }
            _ => Protocol::RestJson,
        }
    }
}

/// The response AWS would send for the error `code` with `message`, framed for `protocol`.
pub(crate) fn aws_error_response(
    protocol: Protocol,
    status: StatusCode,
    code: &str,
    message: &str,
) -> Response<Full<Bytes>> {
    let (content_type, body) = match protocol {
        Protocol::RestXml => (
            "application/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
                 <Message>{message}</Message><RequestId>watchpost-proxy</RequestId></Error>"
            ),
        ),
        Protocol::Ec2Query => (
            "text/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>\
                 <Code>{code}</Code><Message>{message}</Message></Error></Errors>\
                 <RequestID>watchpost-proxy</RequestID></Response>"
            ),
        ),
        Protocol::AwsQuery => {
            let party = if status.is_server_error() {
                "Receiver"
            } else {
                "Sender"
            };
            (
                "text/xml",
                format!(
                    "<ErrorResponse><Error><Type>{party}</Type><Code>{code}</Code>\
                     <Message>{message}</Message></Error>\
                     <RequestId>watchpost-proxy</RequestId></ErrorResponse>"
                ),
            )
        }
        Protocol::AwsJson => (
            "application/x-amz-json-1.1",
            format!(
                "{{\"__type\":\"{code}\",\"message\":\"{}\"}}",
                json_escaped(message)
            ),
        ),
        Protocol::RestJson => (
            "application/json",
            format!("{{\"message\":\"{}\"}}", json_escaped(message)),
        ),
    };
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, content_type)
        .header("x-amzn-errortype", code)
        .header("x-amzn-requestid", "watchpost-proxy")
        .body(Full::new(Bytes::from(body)))
        .expect("a static status and valid header values")
}

/// An error as the REST-JSON services whose error shapes have `Code` and `Message` members
/// (Security Hub) answer it: both in the body, and the code in `x-amzn-ErrorType` too, which is
/// where the SDK reads it from.
pub(crate) fn coded_rest_json_error(
    status: StatusCode,
    code: &str,
    message: &str,
) -> Response<Bytes> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .header("x-amzn-errortype", code)
        .header("x-amzn-requestid", "watchpost-proxy")
        .body(Bytes::from(format!(
            "{{\"Code\":\"{}\",\"Message\":\"{}\"}}",
            json_escaped(code),
            json_escaped(message)
        )))
        .expect("a valid status and header values")
}

/// `text` as the inside of a JSON string.
fn json_escaped(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '"' => escaped.push_str("\\\""),
            '\\' => escaped.push_str("\\\\"),
            control if control.is_control() => {
                escaped.push_str(&format!("\\u{:04x}", u32::from(control)));
            }
            other => escaped.push(other),
        }
    }
    escaped
}
