//! The API gate: every request checked against the service model AWS publishes (botocore's
//! `botocore/data/<service>/<version>/service-2.json.gz`, the newest version of each), so that
//! a request moto would take but AWS would refuse fails the test that sent it.
//!
//! A request is matched to its model by the service of its SigV4 credential scope (the
//! model's `signingName`, else its `endpointPrefix`: `monitoring` is CloudWatch), to its
//! operation by its protocol ([`decode`]), and its input is checked against the operation's
//! input shape ([`check`]).
//!
//! What the gate cannot read it lets through and counts as unchecked ([`ApiGate::unchecked`]):
//! a Smithy RPC v2 CBOR body (CloudWatch's newer SDKs), a scope no model signs with, a request
//! no operation's HTTP binding matches.

mod check;
mod decode;
mod service;
mod value;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::AUTHORIZATION;
use hyper::{Request, Response, StatusCode};

use crate::Credential;
use crate::aws_error::{Protocol, aws_error_response};
use decode::{Decoding, decode};
use service::Catalogue;

/// The variable naming botocore's `data` directory.
const BOTOCORE_DATA_VARIABLE: &str = "WATCHPOST_BOTOCORE_DATA";

/// The service models of one botocore `data` directory, each read on first use.
pub struct ApiModels {
    catalogue: Catalogue,
}

impl ApiModels {
    /// The models under `data` (`.../site-packages/botocore/data`).
    pub fn open(data: &Path) -> io::Result<ApiModels> {
        Ok(ApiModels {
            catalogue: Catalogue::open(data)?,
        })
    }

    /// The models under `$WATCHPOST_BOTOCORE_DATA`, else under the `botocore/data` of the venv
    /// that `$WATCHPOST_MOTO_SERVER` (or `moto_server` on `PATH`) runs from: moto depends on
    /// botocore, so wherever the tests can run moto they can read the models.
    pub fn from_env() -> io::Result<ApiModels> {
        let data = std::env::var_os(BOTOCORE_DATA_VARIABLE)
            .filter(|data| !data.is_empty())
            .map(PathBuf::from)
            .or_else(botocore_data_beside_moto)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!(
                        "{BOTOCORE_DATA_VARIABLE} is not set and no botocore/data was found in \
                         the venv of WATCHPOST_MOTO_SERVER or of moto_server on PATH: run the \
                         tests with scripts/test, or set {BOTOCORE_DATA_VARIABLE} to \
                         .../site-packages/botocore/data"
                    ),
                )
            })?;
        ApiModels::open(&data)
    }

    /// What AWS's model says of `request`.
    fn judge(&self, request: &Request<Bytes>) -> Verdict {
        let decoded = match decode(&self.catalogue, request) {
            Decoding::Decoded(decoded) => decoded,
            Decoding::Unchecked(why) => return Verdict::Unchecked(why),
            Decoding::NotAws => return Verdict::NotAws,
        };
        let Some(input) = decoded.input else {
            return Verdict::Valid;
        };
        let model = &decoded.model;
        let shape_name = model.operations[&decoded.operation]["input"]["shape"]
            .as_str()
            .unwrap_or_default();
        let mut problems = Vec::new();
        check::check(model, model.shape(shape_name), &input, "", &mut problems);
        if problems.is_empty() {
            Verdict::Valid
        } else {
            let operation = format!("{}.{}", model.name, decoded.operation);
            Verdict::Invalid(
                problems
                    .into_iter()
                    .map(|problem| format!("{operation}: {problem}"))
                    .collect(),
            )
        }
    }
}

/// `<venv>/lib/python3*/site-packages/botocore/data` of the venv whose `bin/` holds moto_server.
fn botocore_data_beside_moto() -> Option<PathBuf> {
    let moto = match std::env::var_os("WATCHPOST_MOTO_SERVER").filter(|moto| !moto.is_empty()) {
        Some(moto) => PathBuf::from(moto),
        None => std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|directory| directory.join("moto_server"))
            .find(|candidate| candidate.is_file())?,
    };
    let lib = moto.parent()?.parent()?.join("lib");
    let mut found: Vec<PathBuf> = std::fs::read_dir(lib)
        .ok()?
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|python| {
            python
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("python3"))
        })
        .map(|python| python.join("site-packages/botocore/data"))
        .filter(|data| data.is_dir())
        .collect();
    found.sort();
    found.pop()
}

enum Verdict {
    Valid,
    /// Each as `<Service>.<Operation>: <member path>: <what is wrong>`.
    Invalid(Vec<String>),
    Unchecked(String),
    NotAws,
}

/// A gate in a proxy ([`crate::Behaviour::validation`]): refuses each request its models
/// refuse, as AWS would, and records it.
pub struct ApiGate {
    models: Arc<ApiModels>,
    violations: Mutex<Vec<String>>,
    unchecked: Mutex<BTreeMap<String, usize>>,
}

impl fmt::Debug for ApiGate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiGate")
            .field("violations", &self.violations())
            .finish_non_exhaustive()
    }
}

impl ApiGate {
    pub fn new(models: Arc<ApiModels>) -> ApiGate {
        ApiGate {
            models,
            violations: Mutex::new(Vec::new()),
            unchecked: Mutex::new(BTreeMap::new()),
        }
    }

    /// Every violation refused so far, as `<Service>.<Operation>: <member path>: <what>`.
    pub fn violations(&self) -> Vec<String> {
        self.violations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// [`ApiGate::violations`], forgetting them: for a test that sends an invalid request on
    /// purpose.
    pub fn take_violations(&self) -> Vec<String> {
        std::mem::take(
            &mut *self
                .violations
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// Why requests were let through unchecked, with how many were.
    pub fn unchecked(&self) -> Vec<(String, usize)> {
        let unchecked = self
            .unchecked
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        unchecked.iter().map(|(why, n)| (why.clone(), *n)).collect()
    }

    /// The 400 AWS would answer `request` with, if its model refuses it.
    pub(crate) fn refusal(&self, request: &Request<Bytes>) -> Option<Response<Full<Bytes>>> {
        let problems = match self.models.judge(request) {
            Verdict::Valid | Verdict::NotAws => return None,
            Verdict::Unchecked(why) => {
                *self
                    .unchecked
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .entry(why)
                    .or_default() += 1;
                return None;
            }
            Verdict::Invalid(problems) => problems,
        };
        let service = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(Credential::parse)
            .map(|credential| credential.service);
        let protocol = Protocol::of(service, request.headers());
        let code = match protocol {
            Protocol::RestXml => "InvalidArgument",
            Protocol::Ec2Query => "InvalidParameterValue",
            Protocol::AwsQuery => "ValidationError",
            Protocol::AwsJson | Protocol::RestJson => "ValidationException",
        };
        let message = problems.join("; ");
        // The error framer writes XML messages as given.
        let message = match protocol {
            Protocol::AwsJson | Protocol::RestJson => message,
            _ => message
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;"),
        };
        self.violations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(problems);
        Some(aws_error_response(
            protocol,
            StatusCode::BAD_REQUEST,
            code,
            &message,
        ))
    }
}

#[cfg(test)]
mod tests;
