//! rest-json and rest-xml: the operation is the one whose `http.method` and `http.requestUri`
//! template (`/{Bucket}/{Key+}?tagging`) match the request, and the input members are bound to
//! URI labels, query parameters, headers and the body as each member's `location` says.

use std::collections::{BTreeMap, HashMap};

use hyper::Request;
use hyper::body::Bytes;
use serde_json::Value as Json;

use super::{input_shape, json, wire_name, xml};
use crate::model::service::ServiceModel;
use crate::model::value::Value;
use crate::percent_decoded;

/// How well an operation fits a request, the greater the better: the operation the SDK named
/// in `x-id` (S3's `?x-id=GetObject`), then the query literals and literal path segments of
/// its template, then the fewest of its required query and header members missing and the
/// most present (S3's `ListParts` and `GetObject` share `GET /{Bucket}/{Key+}`).
pub(super) type Fit = (bool, usize, usize, isize);

pub(super) fn decode(
    model: &ServiceModel,
    request: &Request<Bytes>,
) -> Option<(Fit, String, Option<Value>)> {
    let query: Vec<(String, String)> =
        form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect();
    let named = query
        .iter()
        .find(|(key, _)| key == "x-id")
        .map(|(_, value)| value.as_str());
    let (fit, name, operation, labels) = model
        .operations
        .iter()
        .filter(|(_, operation)| operation["http"]["method"] == request.method().as_str())
        .filter_map(|(name, operation)| {
            let template = operation["http"]["requestUri"].as_str()?;
            let ((literals, segments), labels) = matches(template, request.uri().path(), &query)?;
            let bindings = input_shape(operation)
                .map(|shape| bindings_fit(model.shape(shape), request, &query))
                .unwrap_or_default();
            let fit = (named == Some(name.as_str()), literals, segments, bindings);
            Some((fit, name, operation, labels))
        })
        .max_by_key(|(fit, ..)| *fit)?;
    let input = input_shape(operation)
        .map(|shape| read_input(model, model.shape(shape), request, &labels, &query));
    Some((fit, name.clone(), input))
}

/// The input's query and header members present, less twice those required and missing.
fn bindings_fit(shape: &Json, request: &Request<Bytes>, query: &[(String, String)]) -> isize {
    let required: Vec<&str> = shape["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .collect();
    let members = shape["members"].as_object();
    members
        .into_iter()
        .flatten()
        .map(|(name, member)| {
            let key = wire_name(name, member);
            let present = match member["location"].as_str() {
                Some("querystring") => query.iter().any(|(k, _)| k == key),
                Some("header") => request.headers().contains_key(key),
                _ => return 0,
            };
            match (present, required.contains(&name.as_str())) {
                (true, _) => 1,
                (false, true) => -2,
                (false, false) => 0,
            }
        })
        .sum()
}

/// How well a template fits (query literals, then literal path segments, the more the better)
/// and the URI labels it binds, or `None` when it does not fit.
fn matches(
    template: &str,
    path: &str,
    query: &[(String, String)],
) -> Option<((usize, usize), HashMap<String, String>)> {
    let (template_path, literals) = template.split_once('?').unwrap_or((template, ""));
    let literals: Vec<(&str, Option<&str>)> = literals
        .split('&')
        .filter(|literal| !literal.is_empty())
        .map(|literal| match literal.split_once('=') {
            Some((key, value)) => (key, Some(value)),
            None => (literal, None),
        })
        .collect();
    let literal_present = |(key, value): &(&str, Option<&str>)| {
        query
            .iter()
            .any(|(k, v)| k == key && value.is_none_or(|value| v == value))
    };
    if !literals.iter().all(literal_present) {
        return None;
    }
    let trimmed = |path: &'_ str| -> String {
        let path = path.strip_prefix('/').unwrap_or(path);
        path.strip_suffix('/').unwrap_or(path).to_owned()
    };
    let (template_path, path) = (trimmed(template_path), trimmed(path));
    let template_segments: Vec<&str> = template_path.split('/').collect();
    let segments: Vec<&str> = path.split('/').collect();
    let mut labels = HashMap::new();
    let mut literal_segments = 0;
    for (index, template_segment) in template_segments.iter().enumerate() {
        if let Some(label) = template_segment
            .strip_prefix('{')
            .and_then(|label| label.strip_suffix('}'))
        {
            if let Some(greedy) = label.strip_suffix('+') {
                let rest = segments.get(index..).filter(|rest| !rest.is_empty())?;
                labels.insert(greedy.to_owned(), percent_decoded(&rest.join("/")));
                return Some(((literals.len(), literal_segments), labels));
            }
            let segment = segments.get(index).filter(|segment| !segment.is_empty())?;
            labels.insert(label.to_owned(), percent_decoded(segment));
        } else if segments.get(index) == Some(template_segment) {
            literal_segments += 1;
        } else {
            return None;
        }
    }
    (segments.len() == template_segments.len())
        .then_some(((literals.len(), literal_segments), labels))
}

fn read_input(
    model: &ServiceModel,
    shape: &Json,
    request: &Request<Bytes>,
    labels: &HashMap<String, String>,
    query: &[(String, String)],
) -> Value {
    let members = shape["members"].as_object().cloned().unwrap_or_default();
    let body = request.body();
    let has_body = !body.iter().all(u8::is_ascii_whitespace);
    let from_body = |shape: &Json| {
        if model.protocol == "rest-xml" {
            xml::from_body(model, shape, body)
        } else {
            json::from_body(model, shape, body)
        }
    };
    let mut structure = BTreeMap::new();
    if let Some(payload) = shape["payload"].as_str() {
        let target = model.target(&members[payload]);
        if has_body {
            let value = if target["type"] == "structure" {
                from_body(target)
            } else {
                Value::Scalar(String::from_utf8_lossy(body).into_owned())
            };
            structure.insert(payload.to_owned(), value);
        }
    } else if has_body {
        match from_body(shape) {
            Value::Structure(from_body) => structure.extend(from_body),
            mismatch => return mismatch,
        }
    }
    let named_in_query: Vec<&str> = members
        .iter()
        .filter(|(_, member)| member["location"] == "querystring")
        .map(|(name, member)| wire_name(name, member))
        .collect();
    for (name, member) in &members {
        let key = wire_name(name, member);
        let target = model.target(member);
        let value = match member["location"].as_str() {
            Some("uri") => labels.get(key).cloned().map(Value::Scalar),
            Some("querystring") => from_query(target, key, query, &named_in_query),
            Some("header") => request
                .headers()
                .get(key)
                .and_then(|value| value.to_str().ok())
                .map(|value| from_header(target, value)),
            Some("headers") => {
                let prefix = key.to_ascii_lowercase();
                let entries: Vec<(String, Value)> = request
                    .headers()
                    .iter()
                    .filter_map(|(name, value)| {
                        let suffix = name.as_str().strip_prefix(&prefix)?;
                        Some((
                            suffix.to_owned(),
                            Value::Scalar(value.to_str().ok()?.to_owned()),
                        ))
                    })
                    .collect();
                (!entries.is_empty()).then_some(Value::Map(entries))
            }
            _ => continue,
        };
        if let Some(value) = value {
            structure.insert(name.clone(), value);
        }
    }
    Value::Structure(structure)
}

fn from_query(
    shape: &Json,
    key: &str,
    query: &[(String, String)],
    named_in_query: &[&str],
) -> Option<Value> {
    let values = || {
        query
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, value)| Value::Scalar(value.clone()))
    };
    match shape["type"].as_str() {
        Some("list") => {
            let items: Vec<Value> = values().collect();
            (!items.is_empty()).then_some(Value::List(items))
        }
        // A map bound to the query string takes every parameter no other member names.
        Some("map") => {
            let entries: Vec<(String, Value)> = query
                .iter()
                .filter(|(k, _)| !named_in_query.contains(&k.as_str()))
                .map(|(k, value)| (k.clone(), Value::Scalar(value.clone())))
                .collect();
            (!entries.is_empty()).then_some(Value::Map(entries))
        }
        _ => values().next(),
    }
}

fn from_header(shape: &Json, value: &str) -> Value {
    if shape["type"] == "list" {
        Value::List(
            value
                .split(',')
                .map(|item| Value::Scalar(item.trim().to_owned()))
                .collect(),
        )
    } else {
        Value::Scalar(value.to_owned())
    }
}
