//! The credential of a SigV4 `Authorization` header: whose key signed the request, and the
//! region and service of its scope. Routing, the propagation windows and the names of calls
//! all read it.

use hyper::Request;
use hyper::body::Bytes;
use hyper::header::AUTHORIZATION;

pub(crate) struct Credential<'a> {
    pub(crate) access_key_id: &'a str,
    pub(crate) region: &'a str,
    /// The signing name (`monitoring` is CloudWatch).
    pub(crate) service: &'a str,
}

impl<'a> Credential<'a> {
    /// The credential of `request`, if it is signed with SigV4.
    pub(crate) fn of(request: &'a Request<Bytes>) -> Option<Credential<'a>> {
        request
            .headers()
            .get(AUTHORIZATION)?
            .to_str()
            .ok()
            .and_then(Credential::parse)
    }

    /// From `AWS4-HMAC-SHA256 Credential=<AKID>/<date>/<region>/<service>/aws4_request, ...`.
    pub(crate) fn parse(authorization: &'a str) -> Option<Credential<'a>> {
        let scope = authorization
            .strip_prefix("AWS4-HMAC-SHA256 ")?
            .split(',')
            .find_map(|part| part.trim().strip_prefix("Credential="))?;
        let mut parts = scope.split('/');
        let access_key_id = parts.next()?;
        let region = parts.nth(1)?;
        let service = parts.next()?;
        Some(Credential {
            access_key_id,
            region,
            service,
        })
    }
}
