//! What a request asks for, named well enough for a person to tell one link of a chain from
//! another: the service and region of its SigV4 credential scope, and its operation as its
//! protocol writes it. No service model is read, so a REST request (S3, GuardDuty) is named by
//! its method and path rather than by its operation's name.

use std::fmt;

use hyper::Request;
use hyper::body::Bytes;
use hyper::header::CONTENT_TYPE;

use crate::credential::Credential;

/// One request as `service:Operation region`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The signing name of the credential scope (`monitoring` is CloudWatch); `-` for a request
    /// that is not signed (moto's own `/moto-api/`).
    pub service: String,
    /// `X-Amz-Target`'s operation, a query request's `Action`, a Smithy RPC v2 path's operation,
    /// else `METHOD /path?query-keys`.
    pub operation: String,
    pub region: String,
}

impl Call {
    pub(crate) fn of(request: &Request<Bytes>) -> Call {
        let (service, region) = Credential::of(request).map_or(("-", "-"), |credential| {
            (credential.service, credential.region)
        });
        Call {
            service: service.to_owned(),
            operation: operation(request),
            region: region.to_owned(),
        }
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{} {}", self.service, self.operation, self.region)
    }
}

fn operation(request: &Request<Bytes>) -> String {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    if let Some((_, operation)) = header("x-amz-target").and_then(|t| t.rsplit_once('.')) {
        return operation.to_owned();
    }
    let form = header(CONTENT_TYPE.as_str())
        .is_some_and(|content_type| content_type.starts_with("application/x-www-form-urlencoded"));
    let action = |text: &[u8]| {
        form_urlencoded::parse(text)
            .find(|(key, _)| key == "Action")
            .map(|(_, action)| action.into_owned())
    };
    let query = request.uri().query().unwrap_or_default();
    if let Some(action) = form.then(|| action(request.body())).flatten() {
        return action;
    }
    if let Some(action) = action(query.as_bytes()) {
        return action;
    }
    let path = request.uri().path();
    // Smithy RPC v2: /service/<Service>/operation/<Operation>
    if let Some((_, operation)) = path.rsplit_once("/operation/") {
        return operation.to_owned();
    }
    let keys: Vec<String> = form_urlencoded::parse(query.as_bytes())
        .map(|(key, _)| key.into_owned())
        .collect();
    if keys.is_empty() {
        format!("{} {path}", request.method())
    } else {
        format!("{} {path}?{}", request.method(), keys.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use hyper::header::AUTHORIZATION;

    fn signed(service: &str, region: &str) -> hyper::http::request::Builder {
        Request::builder().header(
            AUTHORIZATION,
            format!(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/{region}/{service}/aws4_request, SignedHeaders=host, Signature=0"
            ),
        )
    }

    fn named(request: hyper::http::request::Builder, body: &str) -> String {
        Call::of(
            &request
                .body(Bytes::from(body.to_owned()))
                .expect("a request"),
        )
        .to_string()
    }

    #[test]
    fn names_each_protocols_operation_with_the_scopes_service_and_region() {
        assert_eq!(
            named(
                signed("config", "eu-west-1")
                    .header("x-amz-target", "StarlingDoveService.DescribeConfigRules"),
                "{}"
            ),
            "config:DescribeConfigRules eu-west-1"
        );
        assert_eq!(
            named(
                signed("iam", "us-east-1")
                    .method("POST")
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded"),
                "Action=GetRole&RoleName=watchpost-config&Version=2010-05-08"
            ),
            "iam:GetRole us-east-1"
        );
        assert_eq!(
            named(
                signed("monitoring", "us-east-1")
                    .method("POST")
                    .uri("/service/GraniteServiceVersion20100801/operation/DescribeAlarms"),
                ""
            ),
            "monitoring:DescribeAlarms us-east-1"
        );
        assert_eq!(
            named(
                signed("s3", "us-east-1")
                    .method("PUT")
                    .uri("/watchpost-logs?policy"),
                "{}"
            ),
            "s3:PUT /watchpost-logs?policy us-east-1"
        );
        assert_eq!(
            named(Request::builder().method("POST").uri("/moto-api/reset"), ""),
            "-:POST /moto-api/reset -"
        );
    }
}
