//! From an HTTP request to its service model, operation and input [`Value`], by the protocol
//! the request is written in (which is not always the model's first: CloudWatch's model lists
//! Smithy RPC v2 CBOR, awsJson and Query, and an SDK may speak any of them).

mod json;
mod query;
mod rest;
mod xml;

use std::sync::Arc;

use hyper::Request;
use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE};

use super::service::{Catalogue, ServiceModel};
use super::value::Value;
use crate::Credential;

/// A request read against its model.
pub(crate) struct Decoded {
    pub(crate) model: Arc<ServiceModel>,
    pub(crate) operation: String,
    /// `None` for an operation without input.
    pub(crate) input: Option<Value>,
}

pub(crate) enum Decoding {
    Decoded(Decoded),
    /// An AWS request the gate cannot read, and why: it is let through unchecked.
    Unchecked(String),
    /// No SigV4 signature: moto's own `/moto-api/` calls, which are not AWS's to judge.
    NotAws,
}

pub(crate) fn decode(catalogue: &Catalogue, request: &Request<Bytes>) -> Decoding {
    let Some(scope) = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(Credential::parse)
        .map(|credential| credential.service.to_owned())
    else {
        return Decoding::NotAws;
    };
    let models = catalogue.for_scope(&scope);
    if models.is_empty() {
        return Decoding::Unchecked(format!("no botocore model signs as {scope:?}"));
    }
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    if let Some(protocol) = header("smithy-protocol") {
        return Decoding::Unchecked(format!("{scope}: {protocol} bodies are not decoded"));
    }
    let target = header("x-amz-target");
    let form = header(CONTENT_TYPE.as_str())
        .is_some_and(|content_type| content_type.starts_with("application/x-www-form-urlencoded"));
    let found = if let Some(target) = target {
        models.into_iter().find_map(|model| {
            let (operation, input) = json::decode(&model, target, request.body())?;
            Some((model, operation, input))
        })
    } else if form || request.uri().query().is_some_and(|q| q.contains("Action=")) {
        models.into_iter().find_map(|model| {
            let (operation, input) = query::decode(&model, request)?;
            Some((model, operation, input))
        })
    } else {
        // S3 and S3 Control both sign as s3: the operation whose binding fits best wins.
        models
            .into_iter()
            .filter(|model| model.protocol.starts_with("rest-"))
            .filter_map(|model| {
                let (fit, operation, input) = rest::decode(&model, request)?;
                Some((fit, (model, operation, input)))
            })
            .max_by_key(|(fit, _)| *fit)
            .map(|(_, found)| found)
    };
    if let Some((model, operation, input)) = found {
        return Decoding::Decoded(Decoded {
            model,
            operation,
            input,
        });
    }
    Decoding::Unchecked(format!(
        "{scope}: no operation matches {} {}",
        request.method(),
        request.uri().path()
    ))
}

/// The serialized name of a structure member: its `locationName`, else its own name.
fn wire_name<'a>(name: &'a str, member: &'a serde_json::Value) -> &'a str {
    member["locationName"].as_str().unwrap_or(name)
}

/// The name of an operation's input shape, if it has one.
fn input_shape(operation: &serde_json::Value) -> Option<&str> {
    operation["input"]["shape"].as_str()
}
