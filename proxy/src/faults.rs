//! Failures injected on purpose, shaped as AWS shapes them, so that a client's retries and its
//! handling of what retries could not save can be seen working against moto.

use std::sync::Mutex;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::HeaderMap;
use hyper::{Response, StatusCode};

use crate::aws_error::{Protocol, aws_error_response};

/// One way for a request to fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The service's own throttling error: `Throttling`, `ThrottlingException`, `SlowDown`,
    /// `RequestLimitExceeded` or `TooManyRequestsException`, by protocol.
    Throttled,
    /// 500 `InternalError` (`InternalFailure` for the JSON and Query protocols).
    InternalError,
    /// 503 `ServiceUnavailable`.
    Unavailable,
    /// The connection is closed before the request is forwarded: nothing happened upstream.
    RequestDropped,
    /// The request is forwarded and its answer thrown away with the connection: the client
    /// cannot tell whether it took effect, the case that makes a retried create a duplicate.
    ResponseDropped,
}

impl Fault {
    pub const ALL: [Fault; 5] = [
        Fault::Throttled,
        Fault::InternalError,
        Fault::Unavailable,
        Fault::RequestDropped,
        Fault::ResponseDropped,
    ];
}

/// Which requests fail, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// The share of eligible requests that fail: 0.0 none, 1.0 all.
    pub rate: f64,
    /// Each failing request fails in one of these ways, drawn uniformly.
    pub kinds: Vec<Fault>,
    /// Only requests to these services are eligible, by the service of their SigV4 credential
    /// scope (`s3`, `guardduty`, `monitoring`, ...); empty means every request.
    pub services: Vec<String>,
    /// Only requests for these operations are eligible, named as [`crate::Call`] names them
    /// (`PutItem`, `CreateTrail`, ...); empty means every operation.
    pub operations: Vec<String>,
    /// The same seed makes the same choices for the same sequence of requests.
    pub seed: u64,
}

impl Faults {
    /// No request fails.
    pub fn none() -> Faults {
        Faults {
            rate: 0.0,
            kinds: Vec::new(),
            services: Vec::new(),
            operations: Vec::new(),
            seed: 0,
        }
    }

    /// `rate` of all requests fail, in any of the ways there are.
    pub fn at_rate(rate: f64, seed: u64) -> Faults {
        Faults {
            rate,
            kinds: Fault::ALL.to_vec(),
            services: Vec::new(),
            operations: Vec::new(),
            seed,
        }
    }

    /// Every request to `service` fails with `fault`.
    pub fn every_request_to(service: &str, fault: Fault) -> Faults {
        Faults {
            rate: 1.0,
            kinds: vec![fault],
            services: vec![service.to_owned()],
            operations: Vec::new(),
            seed: 0,
        }
    }

    /// Every call of `service`'s `operation` fails with `fault`.
    pub fn every_call_of(service: &str, operation: &str, fault: Fault) -> Faults {
        Faults {
            operations: vec![operation.to_owned()],
            ..Faults::every_request_to(service, fault)
        }
    }
}

/// Draws, request by request, whether and how each one fails.
pub(crate) struct Injector {
    drawing: Mutex<Drawing>,
}

/// The faults in force, and the random numbers they are drawn with.
struct Drawing {
    faults: Faults,
    random: fastrand::Rng,
}

impl Injector {
    pub(crate) fn new(faults: Faults) -> Injector {
        let random = fastrand::Rng::with_seed(faults.seed);
        Injector {
            drawing: Mutex::new(Drawing { faults, random }),
        }
    }

    /// Draws from `faults` from now on, instead of the faults before.
    pub(crate) fn replace(&self, faults: Faults) {
        *self.drawing() = Drawing {
            random: fastrand::Rng::with_seed(faults.seed),
            faults,
        };
    }

    fn drawing(&self) -> std::sync::MutexGuard<'_, Drawing> {
        self.drawing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The fault for a request for `operation` of `service` (`None` when it is not signed), if
    /// it is to fail.
    pub(crate) fn draw(&self, service: Option<&str>, operation: &str) -> Option<Fault> {
        let mut drawing = self.drawing();
        let Drawing { faults, random } = &mut *drawing;
        if faults.rate <= 0.0 || faults.kinds.is_empty() {
            return None;
        }
        let eligible = (faults.services.is_empty()
            || service.is_some_and(|service| faults.services.iter().any(|s| s == service)))
            && (faults.operations.is_empty() || faults.operations.iter().any(|o| o == operation));
        if !eligible {
            return None;
        }
        (random.f64() < faults.rate).then(|| faults.kinds[random.usize(..faults.kinds.len())])
    }
}

/// The answer AWS would give for `fault` (one that has an answer), to a request to `service`
/// with `headers`.
pub(crate) fn error_response(
    fault: Fault,
    service: Option<&str>,
    headers: &HeaderMap,
) -> Response<Full<Bytes>> {
    let protocol = Protocol::of(service, headers);
    let (status, code) = match (fault, protocol) {
        (Fault::Throttled, Protocol::RestXml) => (StatusCode::SERVICE_UNAVAILABLE, "SlowDown"),
        (Fault::Throttled, Protocol::Ec2Query) => {
            (StatusCode::SERVICE_UNAVAILABLE, "RequestLimitExceeded")
        }
        (Fault::Throttled, Protocol::AwsQuery) => (StatusCode::BAD_REQUEST, "Throttling"),
        (Fault::Throttled, Protocol::AwsJson) => (StatusCode::BAD_REQUEST, "ThrottlingException"),
        (Fault::Throttled, Protocol::RestJson) => {
            (StatusCode::TOO_MANY_REQUESTS, "TooManyRequestsException")
        }
        (Fault::InternalError, Protocol::RestXml | Protocol::Ec2Query) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "InternalError")
        }
        (Fault::InternalError, _) => (StatusCode::INTERNAL_SERVER_ERROR, "InternalFailure"),
        (Fault::Unavailable, _) => (StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable"),
        (Fault::RequestDropped | Fault::ResponseDropped, _) => {
            unreachable!("a dropped connection has no answer")
        }
    };
    let message = format!("injected by watchpost-proxy: {fault:?}");
    aws_error_response(protocol, status, code, &message)
}

#[cfg(test)]
mod tests {
    use hyper::header::CONTENT_TYPE;

    use super::*;

    #[test]
    fn draws_about_the_rate_asked_and_only_for_the_services_named() {
        let injector = Injector::new(Faults::at_rate(0.2, 7));
        let failed = (0..10_000)
            .filter(|_| injector.draw(Some("sns"), "Publish").is_some())
            .count();
        assert!((1_800..2_200).contains(&failed), "{failed} of 10000 failed");

        let injector = Injector::new(Faults::every_request_to("guardduty", Fault::Unavailable));
        assert_eq!(
            injector.draw(Some("guardduty"), "GET /detector"),
            Some(Fault::Unavailable)
        );
        assert_eq!(injector.draw(Some("sns"), "Publish"), None);
        assert_eq!(injector.draw(None, "POST /moto-api/reset"), None);
        assert_eq!(
            Injector::new(Faults::none()).draw(Some("sns"), "Publish"),
            None
        );
    }

    #[test]
    fn faults_of_one_operation_can_begin_at_any_point() {
        let injector = Injector::new(Faults::none());
        assert_eq!(injector.draw(Some("dynamodb"), "PutItem"), None);
        injector.replace(Faults::every_call_of(
            "dynamodb",
            "PutItem",
            Fault::InternalError,
        ));
        assert_eq!(
            injector.draw(Some("dynamodb"), "PutItem"),
            Some(Fault::InternalError)
        );
        assert_eq!(injector.draw(Some("dynamodb"), "GetItem"), None);
        assert_eq!(injector.draw(Some("s3"), "PutItem"), None);
    }

    #[test]
    fn throttling_is_framed_as_each_protocol_frames_it() {
        let json = {
            let mut headers = HeaderMap::new();
            headers.insert(
                "x-amz-target",
                "StarlingDoveService.ListTrails".parse().unwrap(),
            );
            headers
        };
        let response = error_response(Fault::Throttled, Some("cloudtrail"), &json);
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            response.headers()["x-amzn-errortype"],
            "ThrottlingException"
        );

        let s3 = error_response(Fault::Throttled, Some("s3"), &HeaderMap::new());
        assert_eq!(s3.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(s3.headers()[CONTENT_TYPE], "application/xml");

        let mut form = HeaderMap::new();
        form.insert(
            CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        let query = error_response(Fault::InternalError, Some("sns"), &form);
        assert_eq!(query.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(query.headers()["x-amzn-errortype"], "InternalFailure");
    }
}
